//! Transcript files of `tests/transcripts/` and their replay against a protocol machine
//! ([`SmtpClient`] or [`Pop3Client`], chosen by the [`Protocol`] of the [`Scenario`]).
//!
//! A test names a file (`"smtp/greeting-554.txt"`), describes what the application does in a
//! [`Scenario`] (the configuration, and the commands it enqueues once the session is ready), and
//! asserts on the [`Replayed`] outcome. [`Scenario::check_all_splits`] replays the file with the
//! server bytes cut at every offset and requires the same outcome each time.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use mail_kit_core::pop3::{self, Pop3Client, Pop3Config};
use mail_kit_core::smtp::{self, ClientName, SmtpClient, SmtpConfig};
use mail_kit_core::transcript::{Replay, ReplayError, ReplayOutcome, Transcript};
use mail_kit_core::{Error, Handle, Machine, Output, TlsInfo, TlsPolicy, UsageError};

/// The `tests/transcripts` directory.
pub fn transcripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts")
}

/// A transcript file, parsed.
#[derive(Debug, Clone)]
pub struct TranscriptFile {
    /// The path relative to `tests/transcripts`, e.g. `smtp/quit.txt`.
    pub name: String,
    /// The parsed transcript.
    pub transcript: Transcript,
    /// The text line number of each entry (for replay error messages).
    pub line_numbers: Vec<usize>,
}

/// Loads `tests/transcripts/<name>` (the `.txt` extension may be left out). Panics with a clear
/// message when the file is missing or does not parse: a broken fixture is a failed test.
pub fn load(name: &str) -> TranscriptFile {
    let name = if name.ends_with(".txt") {
        name.to_owned()
    } else {
        format!("{name}.txt")
    };
    let path = transcripts_dir().join(&name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read transcript {}: {e}", path.display()));
    let (transcript, line_numbers) = Transcript::parse_with_line_numbers(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    TranscriptFile {
        name,
        transcript,
        line_numbers,
    }
}

/// The `.txt` files directly in `tests/transcripts/<dir>`, as names for [`load`], sorted.
pub fn list(dir: &str) -> Vec<String> {
    let path = transcripts_dir().join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", path.display()))
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file = entry.file_name().into_string().ok()?;
            let is_file = entry.file_type().ok()?.is_file();
            (is_file && file.ends_with(".txt")).then(|| format!("{dir}/{file}"))
        })
        .collect();
    names.sort();
    names
}

/// The configuration every scenario starts from: client name `client.example`.
pub fn config(tls: TlsPolicy) -> SmtpConfig {
    SmtpConfig::new(ClientName::new("client.example").expect("valid name"), tls)
}

/// A protocol whose machine a [`Scenario`] drives: [`Smtp`] or [`Pop3`].
pub trait Protocol {
    /// The machine.
    type Machine: Machine<Event = Self::Event>;
    /// Its configuration.
    type Config: Clone;
    /// What the application enqueues.
    type Command: Clone;
    /// What the machine reports.
    type Event: PartialEq + fmt::Debug;

    /// A new machine.
    fn machine(config: &Self::Config) -> Self::Machine;
    /// `machine.enqueue(command)`.
    fn enqueue(machine: &mut Self::Machine, command: Self::Command) -> Result<Handle, UsageError>;
    /// Whether `event` is the machine's `Ready` (the session is set up).
    fn is_ready(event: &Self::Event) -> bool;
    /// Whether `event` reports a successful login.
    fn is_authenticated(event: &Self::Event) -> bool;
    /// The configuration's TLS policy.
    fn tls(config: &Self::Config) -> TlsPolicy;
}

/// SMTP: [`SmtpClient`].
#[derive(Debug, Clone, Copy)]
pub struct Smtp;

impl Protocol for Smtp {
    type Machine = SmtpClient;
    type Config = SmtpConfig;
    type Command = smtp::Command;
    type Event = smtp::Event;

    fn machine(config: &SmtpConfig) -> SmtpClient {
        SmtpClient::new(config.clone())
    }
    fn enqueue(machine: &mut SmtpClient, command: smtp::Command) -> Result<Handle, UsageError> {
        machine.enqueue(command)
    }
    fn is_ready(event: &smtp::Event) -> bool {
        matches!(event, smtp::Event::Ready { .. })
    }
    fn is_authenticated(event: &smtp::Event) -> bool {
        matches!(event, smtp::Event::Authenticated { .. })
    }
    fn tls(config: &SmtpConfig) -> TlsPolicy {
        config.tls
    }
}

/// POP3: [`Pop3Client`], its message pieces joined ([`JoinedPop3`]).
#[derive(Debug, Clone, Copy)]
pub struct Pop3;

impl Protocol for Pop3 {
    type Machine = JoinedPop3;
    type Config = Pop3Config;
    type Command = pop3::Command;
    type Event = pop3::Event;

    fn machine(config: &Pop3Config) -> JoinedPop3 {
        JoinedPop3 {
            inner: Pop3Client::new(config.clone()),
            data: None,
            held: None,
        }
    }
    fn enqueue(machine: &mut JoinedPop3, command: pop3::Command) -> Result<Handle, UsageError> {
        machine.inner.enqueue(command)
    }
    fn is_ready(event: &pop3::Event) -> bool {
        matches!(event, pop3::Event::Ready { .. })
    }
    fn is_authenticated(event: &pop3::Event) -> bool {
        matches!(event, pop3::Event::Authenticated { .. })
    }
    fn tls(config: &Pop3Config) -> TlsPolicy {
        config.tls
    }
}

/// A [`Pop3Client`] whose `MessageData` pieces of one message come out joined into one event,
/// just before the next output that is not a piece (the `MessageEnd`, another event, a fatal
/// error). How a body is cut into pieces follows how the input was cut, its bytes may not:
/// joined, replays with different splits must give the same events.
#[derive(Debug)]
pub struct JoinedPop3 {
    /// The machine.
    pub inner: Pop3Client,
    data: Option<(Handle, Vec<u8>)>,
    held: Option<Output<pop3::Event>>,
}

impl Machine for JoinedPop3 {
    type Event = pop3::Event;

    fn handle_input(&mut self, now: Instant, data: &[u8]) {
        self.inner.handle_input(now, data);
    }
    fn handle_eof(&mut self, now: Instant) {
        self.inner.handle_eof(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }
    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo) {
        self.inner.handle_tls_established(now, info);
    }
    fn poll_output(&mut self) -> Result<Output<pop3::Event>, Error> {
        if let Some(output) = self.held.take() {
            return Ok(output);
        }
        loop {
            let output = self.inner.poll_output();
            match output {
                Ok(Output::Event(pop3::Event::MessageData { handle, data })) => {
                    let (_, joined) = self.data.get_or_insert_with(|| (handle, Vec::new()));
                    joined.extend_from_slice(&data);
                }
                Ok(Output::Idle { deadline }) => return Ok(Output::Idle { deadline }),
                other => {
                    let Some((handle, joined)) = self.data.take() else {
                        return other;
                    };
                    // A fatal error is sticky: the next call returns it again.
                    self.held = other.ok();
                    return Ok(Output::Event(pop3::Event::MessageData {
                        handle,
                        data: joined.into(),
                    }));
                }
            }
        }
    }
}

/// What the application does during a replay.
pub struct Scenario<P: Protocol = Smtp> {
    /// The machine's configuration.
    pub config: P::Config,
    /// Commands enqueued right after the machine is created (before any input).
    pub at_start: Vec<P::Command>,
    /// Commands enqueued, in order, when the machine reports that it is ready.
    pub on_ready: Vec<P::Command>,
    /// Commands enqueued, in order, when the machine reports a successful login.
    pub on_authenticated: Vec<P::Command>,
    /// Replay in strict order (see [`Replay::strict_order`]).
    pub strict_order: bool,
    /// Call `handle_timeout(start)` on the new machine, as the runtime drivers do right after
    /// connecting, so that the greeting timer runs from the start (default: on).
    pub start_clock: bool,
    /// What the TLS handshake reports (channel-binding data): before the greeting under
    /// implicit TLS, and at each `* TLS` line (default: nothing, an empty [`TlsInfo`]).
    pub tls_info: Option<TlsInfo>,
}

impl<P: Protocol> Clone for Scenario<P> {
    fn clone(&self) -> Self {
        Scenario {
            config: self.config.clone(),
            at_start: self.at_start.clone(),
            on_ready: self.on_ready.clone(),
            on_authenticated: self.on_authenticated.clone(),
            strict_order: self.strict_order,
            start_clock: self.start_clock,
            tls_info: self.tls_info.clone(),
        }
    }
}

impl<P: Protocol> fmt::Debug for Scenario<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("tls", &P::tls(&self.config))
            .field("at_start", &self.at_start.len())
            .field("on_ready", &self.on_ready.len())
            .field("on_authenticated", &self.on_authenticated.len())
            .field("strict_order", &self.strict_order)
            .field("start_clock", &self.start_clock)
            .finish()
    }
}

/// What a replay observed, and what `enqueue` returned for each scenario command.
pub struct Replayed<P: Protocol = Smtp> {
    /// The replay harness's outcome: events, fatal error, `closed`.
    pub outcome: ReplayOutcome<P::Event>,
    /// The results of the `at_start` commands' `enqueue`, in order.
    pub at_start: Vec<Result<Handle, UsageError>>,
    /// The results of the `on_ready` commands' `enqueue`, in order (empty if never ready).
    pub on_ready: Vec<Result<Handle, UsageError>>,
    /// The results of the `on_authenticated` commands' `enqueue`, in order.
    pub on_authenticated: Vec<Result<Handle, UsageError>>,
    /// How many times the machine reported that it is ready.
    pub ready_count: usize,
}

impl<P: Protocol> fmt::Debug for Replayed<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replayed")
            .field("outcome", &self.outcome)
            .field("at_start", &self.at_start)
            .field("on_ready", &self.on_ready)
            .field("on_authenticated", &self.on_authenticated)
            .field("ready_count", &self.ready_count)
            .finish()
    }
}

impl<P: Protocol> Replayed<P> {
    /// The events.
    pub fn events(&self) -> &[P::Event] {
        &self.outcome.events
    }

    /// The machine's fatal error, if any.
    pub fn error(&self) -> Option<&Error> {
        self.outcome.error.as_ref()
    }

    /// The handle `enqueue` returned for the `i`th `on_ready` command (panics if it failed).
    pub fn handle(&self, i: usize) -> Handle {
        match self.on_ready.get(i) {
            Some(Ok(handle)) => *handle,
            other => panic!("on_ready command {i} was not enqueued: {other:?}"),
        }
    }

    /// The handle `enqueue` returned for the `i`th `on_authenticated` command (panics if it
    /// failed).
    pub fn handle_after_login(&self, i: usize) -> Handle {
        match self.on_authenticated.get(i) {
            Some(Ok(handle)) => *handle,
            other => panic!("on_authenticated command {i} was not enqueued: {other:?}"),
        }
    }
}

impl Scenario<Smtp> {
    /// An SMTP scenario with the default configuration for `tls` and no commands.
    pub fn new(tls: TlsPolicy) -> Self {
        Scenario::with_config(config(tls))
    }
}

impl Scenario<Pop3> {
    /// A POP3 scenario with the default configuration for `tls` and no commands.
    pub fn pop3(tls: TlsPolicy) -> Self {
        Scenario::with_config(Pop3Config::new(tls))
    }
}

impl<P: Protocol> Scenario<P> {
    /// A scenario with `config` and no commands.
    pub fn with_config(config: P::Config) -> Self {
        Scenario {
            config,
            at_start: Vec::new(),
            on_ready: Vec::new(),
            on_authenticated: Vec::new(),
            strict_order: false,
            start_clock: true,
            tls_info: None,
        }
    }

    /// Sets what the TLS handshake reports (see [`Scenario::tls_info`]).
    pub fn with_tls_info(mut self, info: TlsInfo) -> Self {
        self.tls_info = Some(info);
        self
    }

    /// Adds a command to enqueue when the machine is ready.
    pub fn then(mut self, command: P::Command) -> Self {
        self.on_ready.push(command);
        self
    }

    /// Adds a command to enqueue when the machine reports a successful login.
    pub fn after_login(mut self, command: P::Command) -> Self {
        self.on_authenticated.push(command);
        self
    }

    /// Enqueues the scenario's commands that `event` triggers; returns whether it was `Ready`.
    fn react(
        &self,
        machine: &mut P::Machine,
        event: &P::Event,
        on_ready: &mut Vec<Result<Handle, UsageError>>,
        on_authenticated: &mut Vec<Result<Handle, UsageError>>,
    ) -> bool {
        let (commands, results) = if P::is_ready(event) {
            (&self.on_ready, on_ready)
        } else if P::is_authenticated(event) {
            (&self.on_authenticated, on_authenticated)
        } else {
            return false;
        };
        for command in commands {
            results.push(P::enqueue(machine, command.clone()));
        }
        P::is_ready(event)
    }

    /// Adds a command to enqueue before any input.
    pub fn first(mut self, command: P::Command) -> Self {
        self.at_start.push(command);
        self
    }

    /// Changes the configuration.
    pub fn configure(mut self, change: impl FnOnce(&mut P::Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Replays in strict order.
    pub fn strict(mut self) -> Self {
        self.strict_order = true;
        self
    }

    fn machine(
        &self,
        start: Instant,
        at_start: &mut Vec<Result<Handle, UsageError>>,
    ) -> P::Machine {
        let mut machine = P::machine(&self.config);
        if let Some(info) = self
            .tls_info
            .clone()
            .filter(|_| P::tls(&self.config).is_implicit())
        {
            machine.handle_tls_established(start, info);
        }
        if self.start_clock {
            machine.handle_timeout(start);
        }
        at_start.clear();
        for command in &self.at_start {
            at_start.push(P::enqueue(&mut machine, command.clone()));
        }
        machine
    }

    fn replay<'t>(&self, file: &'t TranscriptFile, start: Instant) -> Replay<'t> {
        Replay::new(&file.transcript, start)
            .strict_order(self.strict_order)
            .with_line_numbers(file.line_numbers.clone())
            .with_tls_info(self.tls_info.clone().unwrap_or_default())
    }

    fn run_with(
        &self,
        file: &TranscriptFile,
        configure: impl FnOnce(Replay<'_>) -> Replay<'_>,
    ) -> Result<Replayed<P>, ReplayError> {
        let start = Instant::now();
        let mut at_start = Vec::new();
        let mut machine = self.machine(start, &mut at_start);
        let mut on_ready = Vec::new();
        let mut on_authenticated = Vec::new();
        let mut ready_count = 0;
        let outcome = configure(self.replay(file, start)).run(&mut machine, |m, event| {
            if self.react(m, event, &mut on_ready, &mut on_authenticated) {
                ready_count += 1;
            }
        })?;
        Ok(Replayed {
            outcome,
            at_start,
            on_ready,
            on_authenticated,
            ready_count,
        })
    }

    /// Replays `file` once, each run of server lines fed as one chunk.
    pub fn run(&self, file: &TranscriptFile) -> Result<Replayed<P>, ReplayError> {
        self.run_with(file, |r| r)
    }

    /// Replays `file` once with every server run split at `offsets`.
    pub fn run_with_splits(
        &self,
        file: &TranscriptFile,
        offsets: Vec<usize>,
    ) -> Result<Replayed<P>, ReplayError> {
        self.run_with(file, |r| r.with_splits(offsets))
    }

    /// Replays `file` once with server bytes fed in chunks of `size` bytes.
    pub fn run_with_chunk_size(
        &self,
        file: &TranscriptFile,
        size: usize,
    ) -> Result<Replayed<P>, ReplayError> {
        self.run_with(file, |r| r.with_chunk_size(size))
    }

    /// [`Replay::check_all_splits`]: whole runs, every split offset, byte by byte; every replay
    /// must match the transcript and give the same outcome, and `enqueue` must answer the same.
    pub fn check_all_splits(&self, file: &TranscriptFile) -> Result<Replayed<P>, ReplayError> {
        let reference = self.run(file)?;
        let mut at_start = Vec::new();
        // One entry per triggering event of every replay: (was `Ready`, enqueue results).
        let mut results: Vec<(bool, Vec<Result<Handle, UsageError>>)> = Vec::new();
        let start = Instant::now();
        let outcome = self.replay(file, start).check_all_splits(
            || self.machine(start, &mut at_start),
            |m, event| {
                let (mut ready, mut authenticated) = (Vec::new(), Vec::new());
                if self.react(m, event, &mut ready, &mut authenticated) {
                    results.push((true, ready));
                } else if P::is_authenticated(event) {
                    results.push((false, authenticated));
                }
            },
        )?;
        for (i, (ready, answers)) in results.iter().enumerate() {
            let expected = if *ready {
                &reference.on_ready
            } else {
                &reference.on_authenticated
            };
            assert_eq!(
                answers, expected,
                "{}: replay event {i} got other enqueue results",
                file.name
            );
        }
        Ok(Replayed {
            outcome,
            ..reference
        })
    }
}

/// Asserts that the replay of `name` ended on a reply the machine could not parse or did not
/// expect (`MalformedReply` or `UnexpectedReply`).
pub fn assert_bad_reply<P: Protocol>(name: &str, r: &Replayed<P>) {
    assert!(
        matches!(
            r.error(),
            Some(Error::MalformedReply(_) | Error::UnexpectedReply(_))
        ),
        "{name}: {:?}",
        r.error()
    );
}

/// Every `.txt` file of `tests/transcripts/<dir>`, loaded, with its whole-run replay under the
/// scenario `scenario` gives it. Panics, naming the file, when one has no scenario or fails.
pub fn replay_all<P: Protocol>(
    dir: &str,
    scenario: fn(&str) -> Scenario<P>,
) -> Vec<(TranscriptFile, Replayed<P>)> {
    list(dir)
        .iter()
        .map(|name| {
            let file = load(name);
            let reference = scenario(name)
                .run(&file)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (file, reference)
        })
        .collect()
}

/// Replays `file` under `scenario` with every server run split at `offsets`; `Err` describes
/// how the outcome (events, fatal error, `closed`, `enqueue` answers) differs from `reference`.
pub fn same_outcome_with_splits<P: Protocol>(
    scenario: &Scenario<P>,
    file: &TranscriptFile,
    reference: &Replayed<P>,
    offsets: Vec<usize>,
) -> Result<(), String> {
    let r = scenario
        .run_with_splits(file, offsets.clone())
        .map_err(|e| format!("{} split at {offsets:?}: {e}", file.name))?;
    if r.outcome.events == reference.outcome.events
        && r.outcome.error == reference.outcome.error
        && r.outcome.closed == reference.outcome.closed
        && r.on_ready == reference.on_ready
        && r.on_authenticated == reference.on_authenticated
    {
        Ok(())
    } else {
        Err(format!(
            "{} split at {offsets:?}: {:?} / {:?} instead of {:?} / {:?}",
            file.name,
            r.outcome.events,
            r.outcome.error,
            reference.outcome.events,
            reference.outcome.error
        ))
    }
}

/// The two tests every transcript directory gets: `every_transcript_has_a_scenario_and_replays`
/// (at least `at_least` files, each with a scenario, each replaying whole) and
/// `quickcheck_random_split_vectors_over_all_transcripts` (`random_splits` random files, each
/// replayed with random split vectors, mostly small offsets inside the first lines of each run,
/// sometimes anywhere, must give the whole-run outcome). The calling test crate depends on
/// `quickcheck`.
#[macro_export]
macro_rules! replay_every_transcript {
    (
        protocol: $protocol:ty,
        dir: $dir:expr,
        at_least: $min:expr,
        scenario: $scenario:path,
        random_splits: $tests:expr $(,)?
    ) => {
        #[test]
        fn every_transcript_has_a_scenario_and_replays() {
            let files = $crate::transcripts::list($dir);
            assert!(files.len() >= $min, "only {} transcripts", files.len());
            $crate::transcripts::replay_all($dir, $scenario);
        }

        #[test]
        fn quickcheck_random_split_vectors_over_all_transcripts() {
            type Reference = (
                $crate::transcripts::TranscriptFile,
                $crate::transcripts::Replayed<$protocol>,
            );
            static REFERENCES: ::std::sync::OnceLock<Vec<Reference>> = ::std::sync::OnceLock::new();
            fn property(pick: usize, splits: Vec<u16>, wide: bool) -> ::quickcheck::TestResult {
                let all =
                    REFERENCES.get_or_init(|| $crate::transcripts::replay_all($dir, $scenario));
                let (file, reference) = &all[pick % all.len()];
                let offsets = splits
                    .iter()
                    .map(|&s| usize::from(if wide { s } else { s % 64 }))
                    .collect();
                match $crate::transcripts::same_outcome_with_splits(
                    &$scenario(&file.name),
                    file,
                    reference,
                    offsets,
                ) {
                    Ok(()) => ::quickcheck::TestResult::passed(),
                    Err(e) => ::quickcheck::TestResult::error(e),
                }
            }
            ::quickcheck::QuickCheck::new()
                .tests($tests)
                .quickcheck(property as fn(usize, Vec<u16>, bool) -> ::quickcheck::TestResult);
        }
    };
}

/// Pulls the single event of a kind out of `events`, with a clear panic otherwise.
#[macro_export]
macro_rules! find_event {
    ($events:expr, $pattern:pat $(if $guard:expr)? => $value:expr) => {{
        let found: Vec<_> = $events
            .iter()
            .filter_map(|e| match e {
                $pattern $(if $guard)? => Some($value),
                _ => None,
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected exactly one {} in {:#?}",
            stringify!($pattern),
            $events
        );
        found.into_iter().next().unwrap()
    }};
}
