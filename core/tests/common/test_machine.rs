//! A tiny line-based [`Machine`] for the transcript integration tests, with a scripted client
//! ([`react`]).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use mail_kit_core::{Error, Machine, Output, TlsInfo};

/// Where a test's replay clock starts.
///
/// Tests only (and outside `core/src` on purpose): a replay needs some starting point, and
/// `Instant` has no other constructor. The library itself never reads the clock (replays add the
/// transcript's `T+` steps to this).
pub fn start() -> Instant {
    Instant::now()
}

/// What the test machine reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestEvent {
    /// A complete server line, without its CRLF.
    Line(Vec<u8>),
    /// `handle_timeout` was called at or after the deadline, with this `now`.
    Timeout(Instant),
    /// The TLS handshake finished, with this info.
    Tls(TlsInfo),
    /// The server closed the connection.
    Eof,
}

/// Splits server bytes into CRLF lines and reports each as an event; the test decides (in
/// `on_event`) what to send. A server line starting with `FAIL` is a fatal error.
#[derive(Debug, Default)]
pub struct TestMachine {
    buffer: Vec<u8>,
    queue: VecDeque<Output<TestEvent>>,
    error: Option<Error>,
    deadline: Option<Instant>,
    now: Option<Instant>,
    /// Every chunk `handle_input` got, to check the splitting.
    pub chunks: Vec<Vec<u8>>,
}

impl TestMachine {
    pub fn send(&mut self, bytes: &[u8]) {
        self.queue
            .push_back(Output::Transmit(Bytes::copy_from_slice(bytes)));
    }

    pub fn start_tls(&mut self) {
        self.queue.push_back(Output::StartTls);
    }

    pub fn close(&mut self) {
        self.queue.push_back(Output::Close);
    }

    /// Asks for `handle_timeout` `after` the last input.
    pub fn set_timer(&mut self, after: Duration) {
        self.deadline = self.now.and_then(|now| now.checked_add(after));
    }
}

impl Machine for TestMachine {
    type Event = TestEvent;

    fn handle_input(&mut self, now: Instant, data: &[u8]) {
        self.now = Some(now);
        self.chunks.push(data.to_vec());
        if self.error.is_some() {
            return;
        }
        self.buffer.extend_from_slice(data);
        while let Some(at) = memchr::memmem::find(&self.buffer, b"\r\n") {
            let line: Vec<u8> = self.buffer.drain(..at + 2).take(at).collect();
            if line.starts_with(b"FAIL") {
                self.error = Some(Error::MalformedReply("FAIL".into()));
                return;
            }
            self.queue.push_back(Output::Event(TestEvent::Line(line)));
        }
        if self.buffer.len() > 1000 {
            self.error = Some(Error::LineTooLong { limit: 1000 });
        }
    }

    fn handle_eof(&mut self, now: Instant) {
        self.now = Some(now);
        self.queue.push_back(Output::Event(TestEvent::Eof));
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            self.deadline = None;
            self.queue.push_back(Output::Event(TestEvent::Timeout(now)));
        }
    }

    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo) {
        self.now = Some(now);
        self.queue.push_back(Output::Event(TestEvent::Tls(info)));
    }

    fn poll_output(&mut self) -> Result<Output<TestEvent>, Error> {
        if let Some(output) = self.queue.pop_front() {
            return Ok(output);
        }
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(Output::Idle {
                deadline: self.deadline,
            }),
        }
    }
}

/// The scripted client used by most tests:
///
/// * `220 go` → StartTls; any other `220 ...` → `EHLO x`;
/// * `SEND <text>` → sends `<text>` CRLF, in one write (a `|` in `<text>` becomes CRLF too);
///   `SENDRAW <text>` → sends `<text>` without CRLF;
/// * `TIMER <secs>` → asks for a timeout that many seconds later; a timeout → `NOOP`;
/// * TLS established → `EHLO again`; `221 ...` or EOF → Close.
pub fn react(machine: &mut TestMachine, event: &TestEvent) {
    match event {
        TestEvent::Line(line) if line.as_slice() == b"220 go" => machine.start_tls(),
        TestEvent::Line(line) if line.starts_with(b"220 ") => machine.send(b"EHLO x\r\n"),
        TestEvent::Line(line) if line.starts_with(b"221 ") => machine.close(),
        TestEvent::Line(line) => {
            if let Some(text) = line.strip_prefix(b"SEND ") {
                let mut bytes = Vec::new();
                for &byte in text {
                    match byte {
                        b'|' => bytes.extend_from_slice(b"\r\n"),
                        _ => bytes.push(byte),
                    }
                }
                bytes.extend_from_slice(b"\r\n");
                machine.send(&bytes);
            } else if let Some(text) = line.strip_prefix(b"SENDRAW ") {
                machine.send(text);
            } else if let Some(secs) = line.strip_prefix(b"TIMER ") {
                let secs = std::str::from_utf8(secs)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                machine.set_timer(Duration::from_secs(secs));
            }
        }
        TestEvent::Timeout(_) => machine.send(b"NOOP\r\n"),
        TestEvent::Tls(_) => machine.send(b"EHLO again\r\n"),
        TestEvent::Eof => machine.close(),
    }
}
