//! Transcript files of `tests/transcripts/` and their replay against an [`SmtpClient`].
//!
//! A test names a file (`"smtp/greeting-554.txt"`), describes what the application does in a
//! [`Scenario`] (the configuration, and the commands it enqueues once the session is ready), and
//! asserts on the [`Replayed`] outcome. [`Scenario::check_all_splits`] replays the file with the
//! server bytes cut at every offset and requires the same outcome each time.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use mail_kit_core::smtp::{ClientName, Command, Event, SmtpClient, SmtpConfig};
use mail_kit_core::transcript::{Replay, ReplayError, ReplayOutcome, Transcript};
use mail_kit_core::{Error, Handle, Machine, TlsPolicy, UsageError};

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

/// What the application does during a replay.
#[derive(Clone)]
pub struct Scenario {
    /// The machine's configuration.
    pub config: SmtpConfig,
    /// Commands enqueued right after the machine is created (before any input).
    pub at_start: Vec<Command>,
    /// Commands enqueued, in order, when [`Event::Ready`] arrives.
    pub on_ready: Vec<Command>,
    /// Replay in strict order (see [`Replay::strict_order`]).
    pub strict_order: bool,
    /// Call `handle_timeout(start)` on the new machine, as the runtime drivers do right after
    /// connecting, so that the greeting timer runs from the start (default: on).
    pub start_clock: bool,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("tls", &self.config.tls)
            .field("at_start", &self.at_start.len())
            .field("on_ready", &self.on_ready.len())
            .field("strict_order", &self.strict_order)
            .field("start_clock", &self.start_clock)
            .finish()
    }
}

/// What a replay observed, and what `enqueue` returned for each scenario command.
#[derive(Debug)]
pub struct Replayed {
    /// The replay harness's outcome: events, fatal error, `closed`.
    pub outcome: ReplayOutcome<Event>,
    /// The results of the `at_start` commands' `enqueue`, in order.
    pub at_start: Vec<Result<Handle, UsageError>>,
    /// The results of the `on_ready` commands' `enqueue`, in order (empty if never ready).
    pub on_ready: Vec<Result<Handle, UsageError>>,
    /// How many times [`Event::Ready`] was reported.
    pub ready_count: usize,
}

impl Replayed {
    /// The events.
    pub fn events(&self) -> &[Event] {
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
}

impl Scenario {
    /// A scenario with the default configuration for `tls` and no commands.
    pub fn new(tls: TlsPolicy) -> Self {
        Scenario {
            config: config(tls),
            at_start: Vec::new(),
            on_ready: Vec::new(),
            strict_order: false,
            start_clock: true,
        }
    }

    /// Adds a command to enqueue on [`Event::Ready`].
    pub fn then(mut self, command: Command) -> Self {
        self.on_ready.push(command);
        self
    }

    /// Adds a command to enqueue before any input.
    pub fn first(mut self, command: Command) -> Self {
        self.at_start.push(command);
        self
    }

    /// Changes the configuration.
    pub fn configure(mut self, change: impl FnOnce(&mut SmtpConfig)) -> Self {
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
    ) -> SmtpClient {
        let mut smtp = SmtpClient::new(self.config.clone());
        if self.start_clock {
            smtp.handle_timeout(start);
        }
        at_start.clear();
        for command in &self.at_start {
            at_start.push(smtp.enqueue(command.clone()));
        }
        smtp
    }

    fn replay<'t>(&self, file: &'t TranscriptFile, start: Instant) -> Replay<'t> {
        Replay::new(&file.transcript, start)
            .strict_order(self.strict_order)
            .with_line_numbers(file.line_numbers.clone())
    }

    fn run_with(
        &self,
        file: &TranscriptFile,
        configure: impl FnOnce(Replay<'_>) -> Replay<'_>,
    ) -> Result<Replayed, ReplayError> {
        let start = Instant::now();
        let mut at_start = Vec::new();
        let mut smtp = self.machine(start, &mut at_start);
        let mut on_ready = Vec::new();
        let mut ready_count = 0;
        let outcome = configure(self.replay(file, start)).run(&mut smtp, |m, event| {
            if matches!(event, Event::Ready { .. }) {
                ready_count += 1;
                for command in &self.on_ready {
                    on_ready.push(m.enqueue(command.clone()));
                }
            }
        })?;
        Ok(Replayed {
            outcome,
            at_start,
            on_ready,
            ready_count,
        })
    }

    /// Replays `file` once, each run of server lines fed as one chunk.
    pub fn run(&self, file: &TranscriptFile) -> Result<Replayed, ReplayError> {
        self.run_with(file, |r| r)
    }

    /// Replays `file` once with every server run split at `offsets`.
    pub fn run_with_splits(
        &self,
        file: &TranscriptFile,
        offsets: Vec<usize>,
    ) -> Result<Replayed, ReplayError> {
        self.run_with(file, |r| r.with_splits(offsets))
    }

    /// Replays `file` once with server bytes fed in chunks of `size` bytes.
    pub fn run_with_chunk_size(
        &self,
        file: &TranscriptFile,
        size: usize,
    ) -> Result<Replayed, ReplayError> {
        self.run_with(file, |r| r.with_chunk_size(size))
    }

    /// [`Replay::check_all_splits`]: whole runs, every split offset, byte by byte; every replay
    /// must match the transcript and give the same outcome, and `enqueue` must answer the same.
    pub fn check_all_splits(&self, file: &TranscriptFile) -> Result<Replayed, ReplayError> {
        let reference = self.run(file)?;
        let mut at_start = Vec::new();
        let mut results: Vec<Vec<Result<Handle, UsageError>>> = Vec::new();
        let start = Instant::now();
        let outcome = self.replay(file, start).check_all_splits(
            || self.machine(start, &mut at_start),
            |m, event| {
                if matches!(event, Event::Ready { .. }) {
                    let answers = self
                        .on_ready
                        .iter()
                        .map(|command| m.enqueue(command.clone()))
                        .collect();
                    results.push(answers);
                }
            },
        )?;
        for (i, answers) in results.iter().enumerate() {
            assert_eq!(
                answers, &reference.on_ready,
                "{}: replay {i} got other enqueue results",
                file.name
            );
        }
        Ok(Replayed {
            outcome,
            ..reference
        })
    }
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
