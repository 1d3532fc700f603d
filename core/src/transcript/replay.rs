//! The replay harness ([`Replay`]): drive a [`Machine`] with a transcript, check its client bytes.

use std::fmt;
use std::ops::Range;
use std::time::Instant;

use super::format::{Line, Transcript, escape};
use super::replay_error::ReplayError;
use crate::{Error, Machine, Output, TlsInfo};

/// A machine producing more outputs than this in one drain is assumed to loop forever.
const MAX_OUTPUTS_PER_DRAIN: usize = 1 << 20;
/// How many bytes of a line error messages show.
const MAX_SHOWN: usize = 200;
/// How many different split offsets [`Replay::check_all_splits`] tries at most.
const MAX_SPLIT_OFFSETS: usize = 4096;

/// Replays a [`Transcript`] against any [`Machine`] and checks the client bytes it sends.
///
/// # Semantics
///
/// [`Replay::run`] first drains the machine (the drain rule: [`Machine::poll_output`] until
/// [`Output::Idle`]), then walks the transcript in order:
///
/// * a run of consecutive `S:`/`S|` lines is fed as **one** byte run, in chunks (by default one
///   chunk per run; see [`Replay::with_splits`], [`Replay::with_chunk_size`],
///   [`Replay::with_split_fn`]), draining after every chunk;
/// * `T+<n>` advances `now` (which starts at the caller's `start`) and calls
///   [`Machine::handle_timeout`] with the new `now`, whatever deadline the machine asked for;
/// * `* TLS` requires that the machine asked for [`Output::StartTls`] since the last `* TLS`, and
///   calls [`Machine::handle_tls_established`] with the [`TlsInfo`] of [`Replay::with_tls_info`];
/// * `* EOF` calls [`Machine::handle_eof`];
/// * a `C:`/`C|` line requires that the machine has sent those bytes by now;
/// * after a drain that transmitted bytes, [`Machine::handle_timeout`] is called with the
///   current `now` and the machine drained again, as a driver does once its writes have left.
///
/// Every [`Output::Transmit`] is compared with the concatenated client bytes of the transcript,
/// as one byte stream: how the machine batches its writes does not matter, and a machine may
/// send client bytes *early* (before the server lines that precede them in the transcript were
/// fed, i.e. pipelining) as long as they come in order. [`Replay::strict_order`] forbids that:
/// then the client bytes of a `C:` line may only appear once every server line, wait, `* TLS`
/// and `* EOF` before it was processed. Every [`Output::Event`] is passed to the `on_event`
/// callback (which may enqueue follow-up commands on the machine) and then kept in
/// [`ReplayOutcome::events`]. [`Output::Close`] sets [`ReplayOutcome::closed`]; feeding goes on
/// if the transcript has more lines.
///
/// When [`Machine::poll_output`] returns an error, the replay records it in
/// [`ReplayOutcome::error`] and stops feeding: the test asserts on it. Client bytes of the
/// transcript that were not sent by then are reported as [`ReplayError::MissingClientBytes`]
/// (naming the machine's error), and the number of server lines, waits, `* TLS` and `* EOF` left
/// unfed is [`ReplayOutcome::unprocessed`].
///
/// When the transcript is exhausted (and every client byte came out), the machine is drained
/// once more; any client byte beyond the transcript is [`ReplayError::UnexpectedClientBytes`].
///
/// # Example
///
/// ```
/// use std::collections::VecDeque;
/// use std::time::Instant;
/// use bytes::Bytes;
/// use mail_kit_core::transcript::{Replay, ReplayError, Transcript};
/// use mail_kit_core::{Error, Machine, Output, TlsInfo};
///
/// /// Answers every server line with `ACK <line>`.
/// #[derive(Default)]
/// struct Acker { buffer: Vec<u8>, out: VecDeque<Bytes> }
///
/// impl Machine for Acker {
///     type Event = ();
///     fn handle_input(&mut self, _now: Instant, data: &[u8]) {
///         self.buffer.extend_from_slice(data);
///         while let Some(end) = self.buffer.windows(2).position(|w| w == b"\r\n") {
///             let line: Vec<u8> = self.buffer.drain(..end + 2).collect();
///             self.out.push_back([b"ACK ", &line[..]].concat().into());
///         }
///     }
///     fn handle_eof(&mut self, _now: Instant) {}
///     fn handle_timeout(&mut self, _now: Instant) {}
///     fn handle_tls_established(&mut self, _now: Instant, _info: TlsInfo) {}
///     fn poll_output(&mut self) -> Result<Output<()>, Error> {
///         Ok(match self.out.pop_front() {
///             Some(bytes) => Output::Transmit(bytes),
///             None => Output::Idle { deadline: None },
///         })
///     }
/// }
///
/// let t = Transcript::parse("S: one\nS: two\nC: ACK one\nC: ACK two").unwrap();
/// // Fed in chunks of 3 bytes: "one", "\r\nt", "wo\r", "\n".
/// Replay::new(&t, Instant::now()).with_chunk_size(3).run(&mut Acker::default(), |_, _| {})?;
/// // Every split must give the same result.
/// Replay::new(&t, Instant::now()).check_all_splits(Acker::default, |_, _| {})?;
///
/// let wrong = Transcript::parse("S: one\nC: ACK 1").unwrap();
/// let err = Replay::new(&wrong, Instant::now()).run(&mut Acker::default(), |_, _| {}).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "transcript line 2, byte 5: the machine sent other client bytes: \
///      expected `ACK 1\\r\\n`, got `ACK one\\r\\n`"
/// );
/// # Ok::<(), ReplayError>(())
/// ```
pub struct Replay<'t> {
    transcript: &'t Transcript,
    start: Instant,
    splits: Splits<'t>,
    tls_info: TlsInfo,
    strict_order: bool,
    line_numbers: Option<Vec<usize>>,
}

/// A function choosing split offsets for a run: `(run_index, run_bytes) -> offsets`.
type SplitFn<'t> = Box<dyn FnMut(usize, &[u8]) -> Vec<usize> + 't>;

/// How server runs are cut into chunks.
enum Splits<'t> {
    Whole,
    Offsets(Vec<usize>),
    ChunkSize(usize),
    Custom(SplitFn<'t>),
}

impl fmt::Debug for Replay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let splits = match &self.splits {
            Splits::Whole => "whole runs".to_owned(),
            Splits::Offsets(offsets) => format!("at offsets {offsets:?}"),
            Splits::ChunkSize(size) => format!("in chunks of {size} bytes"),
            Splits::Custom(_) => "by a function".to_owned(),
        };
        f.debug_struct("Replay")
            .field("lines", &self.transcript.lines.len())
            .field("start", &self.start)
            .field("splits", &splits)
            .field("tls_info", &self.tls_info)
            .field("strict_order", &self.strict_order)
            .finish()
    }
}

impl<'t> Replay<'t> {
    /// A replay of `transcript` whose clock starts at `start`.
    pub fn new(transcript: &'t Transcript, start: Instant) -> Self {
        Replay {
            transcript,
            start,
            splits: Splits::Whole,
            tls_info: TlsInfo::default(),
            strict_order: false,
            line_numbers: None,
        }
    }

    /// Splits each run of consecutive server bytes into chunks at these offsets (relative to the
    /// start of the run; the same offsets for every run). Offsets of `0` or past the end of a
    /// run are ignored, the order does not matter. Default: one chunk per run.
    ///
    /// This is what a quickcheck property of chunk-split invariance feeds random offsets to.
    pub fn with_splits(mut self, offsets: Vec<usize>) -> Self {
        self.splits = Splits::Offsets(offsets);
        self
    }

    /// Feeds each run of server bytes in chunks of at most `size` bytes (`1`: byte by byte;
    /// `0`: one chunk per run).
    pub fn with_chunk_size(mut self, size: usize) -> Self {
        self.splits = Splits::ChunkSize(size);
        self
    }

    /// Splits each run of server bytes at the offsets `split(run_index, run_bytes)` returns
    /// (`run_index` counts the runs from 0; offsets as for [`Replay::with_splits`]).
    ///
    /// ```
    /// # use std::time::Instant;
    /// # use mail_kit_core::transcript::{Replay, Transcript};
    /// # let t = Transcript::new();
    /// // Split every server line right after its reply code.
    /// let replay = Replay::new(&t, Instant::now()).with_split_fn(|_run, bytes| {
    ///     let mut offsets = Vec::new();
    ///     for (i, pair) in bytes.windows(2).enumerate() {
    ///         if pair == b"\r\n" {
    ///             offsets.push(i + 2 + 3);
    ///         }
    ///     }
    ///     offsets.push(3);
    ///     offsets
    /// });
    /// ```
    pub fn with_split_fn(mut self, split: impl FnMut(usize, &[u8]) -> Vec<usize> + 't) -> Self {
        self.splits = Splits::Custom(Box::new(split));
        self
    }

    /// The [`TlsInfo`] passed to [`Machine::handle_tls_established`] at each `* TLS` (default:
    /// empty).
    pub fn with_tls_info(mut self, info: TlsInfo) -> Self {
        self.tls_info = info;
        self
    }

    /// In strict order, the client bytes of a `C:` line may only appear after every line before
    /// it in the transcript was processed, so a machine that pipelines where the transcript does
    /// not fails with [`ReplayError::ClientBytesTooEarly`]. Default: `false` (any order of
    /// client bytes relative to server lines is accepted, as long as the client byte stream is
    /// exactly the transcript's).
    pub fn strict_order(mut self, strict: bool) -> Self {
        self.strict_order = strict;
        self
    }

    /// The text line number of each transcript entry, from
    /// [`Transcript::parse_with_line_numbers`], for error messages. Without it (or when the
    /// count does not match), entry `i` is called line `i + 1`, which is its line in the
    /// canonical text.
    pub fn with_line_numbers(mut self, numbers: Vec<usize>) -> Self {
        self.line_numbers = Some(numbers);
        self
    }

    /// Drives `machine` through the transcript; `on_event` sees every event (and may enqueue
    /// commands on the machine), in order.
    ///
    /// Returns what happened when the machine matched the transcript (including a fatal machine
    /// error, if it happened where the transcript ends), or the first mismatch.
    pub fn run<M: Machine>(
        self,
        machine: &mut M,
        on_event: impl FnMut(&mut M, &M::Event),
    ) -> Result<ReplayOutcome<M::Event>, ReplayError> {
        let Replay {
            transcript,
            start,
            mut splits,
            tls_info,
            strict_order,
            line_numbers,
        } = self;
        let lines = transcript.lines.as_slice();
        let numbers = line_numbers.filter(|numbers| numbers.len() == lines.len());
        let mut expected = Vec::new();
        let mut clients = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if let Line::Client(bytes) = line {
                let start = expected.len();
                expected.extend_from_slice(bytes);
                clients.push((index, start..expected.len()));
            }
        }
        let mut driver = Driver {
            lines,
            numbers,
            machine,
            on_event,
            strict_order,
            now: start,
            expected,
            clients,
            received: 0,
            pending: 0,
            last_processed: None,
            tls_requested: false,
            events: Vec::new(),
            error: None,
            closed: false,
            deadline: None,
        };
        driver.set_pending(0);
        driver.drain()?;
        let mut index = 0;
        let mut run_index = 0;
        while index < lines.len() && driver.error.is_none() {
            match &lines[index] {
                Line::Client(_) => driver.expect_client(index)?,
                Line::Server(_) => {
                    let end = index
                        + lines[index..]
                            .iter()
                            .take_while(|line| matches!(line, Line::Server(_)))
                            .count();
                    driver.feed_run(index..end, run_index, &mut splits)?;
                    run_index += 1;
                    index = end;
                    continue;
                }
                Line::Wait(duration) => {
                    driver.now =
                        driver
                            .now
                            .checked_add(*duration)
                            .ok_or(ReplayError::TimeOverflow {
                                line: driver.number(index),
                            })?;
                    driver.processed(index);
                    driver.machine.handle_timeout(driver.now);
                    driver.drain()?;
                }
                Line::Tls => {
                    if !driver.tls_requested {
                        return Err(ReplayError::MissingStartTls {
                            line: driver.number(index),
                        });
                    }
                    driver.tls_requested = false;
                    driver.processed(index);
                    driver
                        .machine
                        .handle_tls_established(driver.now, tls_info.clone());
                    driver.drain()?;
                }
                Line::Eof => {
                    driver.processed(index);
                    driver.machine.handle_eof(driver.now);
                    driver.drain()?;
                }
            }
            index += 1;
        }
        driver.drain()?;
        if driver.received < driver.expected.len() {
            let (_, entry) = driver.client_at(driver.received);
            return Err(driver.missing(entry));
        }
        let unprocessed = lines[driver.pending.min(lines.len())..]
            .iter()
            .filter(|line| !matches!(line, Line::Client(_)))
            .count();
        Ok(ReplayOutcome {
            events: driver.events,
            error: driver.error,
            closed: driver.closed,
            now: driver.now,
            deadline: driver.deadline,
            unprocessed,
        })
    }

    /// Replays the transcript many times, each time against a new machine from `make_machine`:
    /// once with whole runs, then with every run split at offset `k` for each `k` from 1 to the
    /// length of the longest server run (at most 4096 offsets, evenly spread, for longer runs),
    /// then byte by byte. Every replay must succeed and give the same events, error, `closed`
    /// and final deadline as the first; returns the first replay's outcome.
    ///
    /// The splits configured on `self` are ignored; the other settings apply to every replay.
    /// `on_event` must react the same way each time (it is called for every replay).
    pub fn check_all_splits<M>(
        self,
        mut make_machine: impl FnMut() -> M,
        mut on_event: impl FnMut(&mut M, &M::Event),
    ) -> Result<ReplayOutcome<M::Event>, ReplayError>
    where
        M: Machine,
        M::Event: PartialEq + fmt::Debug,
    {
        let settings = |splits| Replay {
            transcript: self.transcript,
            start: self.start,
            splits,
            tls_info: self.tls_info.clone(),
            strict_order: self.strict_order,
            line_numbers: self.line_numbers.clone(),
        };
        let reference = settings(Splits::Whole).run(&mut make_machine(), &mut on_event)?;
        let longest = longest_server_run(&self.transcript.lines);
        let step = longest.div_ceil(MAX_SPLIT_OFFSETS).max(1);
        let variants = (1..longest)
            .step_by(step)
            .map(|offset| (Splits::Offsets(vec![offset]), format!("at offset {offset}")))
            .chain(std::iter::once((
                Splits::ChunkSize(1),
                "byte by byte".to_owned(),
            )));
        for (splits, description) in variants {
            let outcome = settings(splits)
                .run(&mut make_machine(), &mut on_event)
                .map_err(|source| ReplayError::Split {
                    splits: description.clone(),
                    source: Box::new(source),
                })?;
            if let Some(difference) = difference(&reference, &outcome) {
                return Err(ReplayError::SplitVariance {
                    splits: description,
                    difference,
                });
            }
        }
        Ok(reference)
    }
}

fn longest_server_run(lines: &[Line]) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for line in lines {
        match line {
            Line::Server(bytes) => current += bytes.len(),
            _ => current = 0,
        }
        longest = longest.max(current);
    }
    longest
}

/// How `other` differs from `reference`, if it does.
fn difference<E: PartialEq + fmt::Debug>(
    reference: &ReplayOutcome<E>,
    other: &ReplayOutcome<E>,
) -> Option<String> {
    if let Some(i) = (0..reference.events.len().min(other.events.len()))
        .find(|&i| reference.events[i] != other.events[i])
    {
        return Some(format!(
            "event {i} is {:?} instead of {:?}",
            other.events[i], reference.events[i]
        ));
    }
    if reference.events.len() != other.events.len() {
        return Some(format!(
            "{} events instead of {}",
            other.events.len(),
            reference.events.len()
        ));
    }
    if reference.error != other.error {
        return Some(format!(
            "machine error {:?} instead of {:?}",
            other.error, reference.error
        ));
    }
    if reference.closed != other.closed {
        return Some(format!(
            "closed is {} instead of {}",
            other.closed, reference.closed
        ));
    }
    if reference.deadline != other.deadline {
        return Some(format!(
            "final deadline {:?} instead of {:?}",
            other.deadline, reference.deadline
        ));
    }
    None
}

/// What a successful replay observed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReplayOutcome<E> {
    /// Every event the machine produced, in order (each was passed to `on_event` first).
    pub events: Vec<E>,
    /// The fatal machine error that ended the session, if any (feeding stopped there).
    pub error: Option<Error>,
    /// Whether the machine asked to close the connection ([`Output::Close`]).
    pub closed: bool,
    /// The replay clock at the end: `start` plus every `T+` of the transcript that was processed.
    pub now: Instant,
    /// The deadline of the machine's last [`Output::Idle`].
    pub deadline: Option<Instant>,
    /// How many server lines, waits, `* TLS` and `* EOF` were not processed because the machine
    /// failed first (0 when the whole transcript was replayed).
    pub unprocessed: usize,
}

/// Escaped bytes for a message, cut after [`MAX_SHOWN`] bytes.
fn show(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_SHOWN {
        escape(bytes)
    } else {
        format!(
            "{}... ({} more bytes)",
            escape(&bytes[..MAX_SHOWN]),
            bytes.len() - MAX_SHOWN
        )
    }
}

/// The state of one [`Replay::run`].
struct Driver<'r, 't, M: Machine, F> {
    lines: &'t [Line],
    numbers: Option<Vec<usize>>,
    machine: &'r mut M,
    on_event: F,
    strict_order: bool,
    now: Instant,
    /// All client bytes of the transcript.
    expected: Vec<u8>,
    /// Each `C` entry's index and its range in `expected`, in order.
    clients: Vec<(usize, Range<usize>)>,
    /// How many client bytes the machine has sent (all matching).
    received: usize,
    /// The index of the first unprocessed entry that is not a client line (or `lines.len()`).
    pending: usize,
    /// The index of the last processed entry that is not a client line.
    last_processed: Option<usize>,
    /// The machine asked for StartTls and the `* TLS` line was not reached yet.
    tls_requested: bool,
    events: Vec<M::Event>,
    error: Option<Error>,
    closed: bool,
    deadline: Option<Instant>,
}

impl<M: Machine, F: FnMut(&mut M, &M::Event)> Driver<'_, '_, M, F> {
    /// The transcript line number of entry `index`.
    fn number(&self, index: usize) -> usize {
        self.numbers
            .as_ref()
            .and_then(|numbers| numbers.get(index).copied())
            .unwrap_or(index + 1)
    }

    /// Makes `index` the first unprocessed entry, skipping client lines.
    fn set_pending(&mut self, index: usize) {
        self.pending = index
            + self.lines[index.min(self.lines.len())..]
                .iter()
                .take_while(|line| matches!(line, Line::Client(_)))
                .count();
    }

    /// Marks the (non-client) entry `index` as processed.
    fn processed(&mut self, index: usize) {
        self.last_processed = Some(index);
        self.set_pending(index + 1);
    }

    /// The position in `clients` and the entry index of the client line holding byte `offset`
    /// of the client stream (`offset < expected.len()`).
    fn client_at(&self, offset: usize) -> (usize, usize) {
        let position = self
            .clients
            .partition_point(|(_, range)| range.end <= offset)
            .min(self.clients.len().saturating_sub(1));
        (
            position,
            self.clients.get(position).map_or(0, |(index, _)| *index),
        )
    }

    fn after_line(&self) -> Option<usize> {
        self.last_processed.map(|index| self.number(index))
    }

    /// Drains the machine until it is idle (or fails).
    fn drain(&mut self) -> Result<(), ReplayError> {
        if self.error.is_some() {
            return Ok(());
        }
        let mut wrote = false;
        for _ in 0..MAX_OUTPUTS_PER_DRAIN {
            match self.machine.poll_output() {
                Err(error) => {
                    self.error = Some(error);
                    return Ok(());
                }
                Ok(Output::Transmit(bytes)) => {
                    self.transmitted(&bytes)?;
                    wrote = true;
                }
                Ok(Output::Event(event)) => {
                    (self.on_event)(self.machine, &event);
                    self.events.push(event);
                }
                Ok(Output::StartTls) => {
                    if self.tls_requested
                        || !matches!(self.lines.get(self.pending), Some(Line::Tls))
                    {
                        return Err(ReplayError::UnexpectedStartTls {
                            after_line: self.after_line(),
                        });
                    }
                    self.tls_requested = true;
                }
                Ok(Output::Close) => self.closed = true,
                // As a driver does once its writes have left: tell the machine the time, then
                // drain again (reply timers start when the bytes are sent).
                Ok(Output::Idle { .. }) if wrote => {
                    wrote = false;
                    self.machine.handle_timeout(self.now);
                }
                Ok(Output::Idle { deadline }) => {
                    self.deadline = deadline;
                    return Ok(());
                }
            }
        }
        Err(ReplayError::TooManyOutputs {
            after_line: self.after_line(),
            limit: MAX_OUTPUTS_PER_DRAIN,
        })
    }

    /// Checks bytes the machine transmitted against the expected client stream.
    fn transmitted(&mut self, bytes: &[u8]) -> Result<(), ReplayError> {
        let start = self.received;
        let matching = (self.expected.len() - start).min(bytes.len());
        let expected = &self.expected[start..start + matching];
        if let Some(i) = expected.iter().zip(bytes).position(|(a, b)| a != b) {
            return Err(self.mismatch(start, bytes, i));
        }
        if self.strict_order && matching > 0 {
            let (first, _) = self.client_at(start);
            let early = self.clients[first..]
                .iter()
                .take_while(|(_, range)| range.start < start + matching)
                .find(|(index, range)| !range.is_empty() && *index > self.pending);
            if let Some((index, range)) = early {
                let from = range.start.max(start) - start;
                let to = range.end.min(start + matching) - start;
                return Err(ReplayError::ClientBytesTooEarly {
                    line: self.number(*index),
                    waiting_for: self.number(self.pending),
                    got: show(&bytes[from..to]),
                });
            }
        }
        self.received += matching;
        if matching < bytes.len() {
            return Err(ReplayError::UnexpectedClientBytes {
                after_line: self.after_line(),
                got: show(&bytes[matching..]),
            });
        }
        Ok(())
    }

    /// The error for `bytes` (transmitted at stream offset `start`) differing at `bytes[i]`.
    fn mismatch(&self, start: usize, bytes: &[u8], i: usize) -> ReplayError {
        let (_, index) = self.client_at(start + i);
        let range = self
            .clients
            .iter()
            .find(|(entry, _)| *entry == index)
            .map_or(0..0, |(_, range)| range.clone());
        // What the machine sent for this line: the part received before, then this transmit
        // from the line's start to the end of the line that differs.
        let mut got = self.expected[range.start.min(start)..start].to_vec();
        let from = range.start.saturating_sub(start).min(i);
        let to = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |at| i + at + 1);
        got.extend_from_slice(&bytes[from..to]);
        ReplayError::ClientMismatch {
            line: self.number(index),
            column: start + i - range.start + 1,
            expected: show(&self.expected[range]),
            got: show(&got),
        }
    }

    /// The error for the client line `index` not having been sent (completely).
    fn missing(&self, index: usize) -> ReplayError {
        let range = self
            .clients
            .iter()
            .find(|(entry, _)| *entry == index)
            .map_or(0..0, |(_, range)| range.clone());
        let sent = self.received.clamp(range.start, range.end);
        ReplayError::MissingClientBytes {
            line: self.number(index),
            expected: show(&self.expected[range.clone()]),
            got: show(&self.expected[range.start..sent]),
            machine_error: self.error.clone(),
        }
    }

    /// The client line `index` is next: its bytes must have been sent by now.
    fn expect_client(&mut self, index: usize) -> Result<(), ReplayError> {
        let end = self
            .clients
            .iter()
            .find(|(entry, _)| *entry == index)
            .map_or(0, |(_, range)| range.end);
        if self.received < end {
            return Err(self.missing(index));
        }
        Ok(())
    }

    /// Feeds the server entries `entries` as one run, in chunks.
    fn feed_run(
        &mut self,
        entries: Range<usize>,
        run_index: usize,
        splits: &mut Splits<'_>,
    ) -> Result<(), ReplayError> {
        let mut run = Vec::new();
        let mut ends = Vec::with_capacity(entries.len());
        for line in &self.lines[entries.clone()] {
            if let Line::Server(bytes) = line {
                run.extend_from_slice(bytes);
            }
            ends.push(run.len());
        }
        let mut offsets = match splits {
            Splits::Whole => Vec::new(),
            Splits::Offsets(offsets) => offsets.clone(),
            Splits::ChunkSize(0) => Vec::new(),
            Splits::ChunkSize(size) => (*size..run.len()).step_by(*size).collect(),
            Splits::Custom(split) => split(run_index, &run),
        };
        offsets.retain(|&offset| offset > 0 && offset < run.len());
        offsets.sort_unstable();
        offsets.dedup();
        offsets.push(run.len());
        let mut chunk_start = 0;
        for chunk_end in offsets {
            if self.error.is_some() {
                return Ok(());
            }
            let fed = ends.partition_point(|&end| end <= chunk_end);
            if let Some(last) = fed.checked_sub(1) {
                self.processed(entries.start + last);
            }
            let chunk = &run[chunk_start..chunk_end];
            chunk_start = chunk_end;
            if !chunk.is_empty() {
                self.machine.handle_input(self.now, chunk);
                self.drain()?;
            }
        }
        Ok(())
    }
}
