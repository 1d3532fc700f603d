//! A small in-memory SMTP server for the machine: it cuts what the client writes into commands
//! (command lines, `DATA` content, `BDAT` chunks) and answers each through a closure.
//!
//! Use it where a fixed transcript cannot express the test: random message bodies, server
//! answers chosen from another test suite's files, or injected bytes that arrive in a separate
//! chunk after `Output::StartTls`.

use std::time::Instant;

use bytes::Bytes;
use mail_kit_core::smtp::{Command, Event, SmtpClient};
use mail_kit_core::{Error, Handle, Machine, Output, TlsInfo, UsageError};

/// One thing the client wrote, as a server reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientUnit {
    /// A command line or SASL response, with its line end.
    Line(Vec<u8>),
    /// `DATA` content after a 354, up to and including the `.` CRLF terminator.
    Content(Vec<u8>),
    /// One `BDAT` command and its chunk.
    Bdat {
        /// The `BDAT` line, with its CRLF.
        header: Vec<u8>,
        /// The chunk's bytes.
        chunk: Vec<u8>,
        /// Whether the line said `LAST`.
        last: bool,
    },
}

impl ClientUnit {
    /// The command line (for `Line` and the `BDAT` header), without its line end.
    pub fn line(&self) -> Option<&[u8]> {
        let line = match self {
            ClientUnit::Line(l) => l,
            ClientUnit::Bdat { header, .. } => header,
            ClientUnit::Content(_) => return None,
        };
        Some(
            line.strip_suffix(b"\r\n")
                .or_else(|| line.strip_suffix(b"\n"))
                .unwrap_or(line),
        )
    }

    /// The command verb in upper case (`"MAIL"`, `"RCPT"`, `"BDAT"`, …); `""` for content.
    pub fn verb(&self) -> String {
        let line = self.line().unwrap_or_default();
        let end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
        String::from_utf8_lossy(&line[..end]).to_ascii_uppercase()
    }
}

/// How the server answers one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Send these bytes (one or more reply lines; empty sends nothing).
    Reply(Vec<u8>),
    /// Send these bytes, then close the connection.
    ReplyThenClose(Vec<u8>),
}

impl Answer {
    /// A reply given as text; `\n` line ends become CRLF.
    pub fn text(text: &str) -> Answer {
        Answer::Reply(crlf(text.as_bytes()))
    }
}

/// A server that accepts everything, with the EHLO reply `ehlo` (`\n` line ends): every
/// command and content unit gets its success reply, an unknown verb `500`.
pub fn accepting(ehlo: &'static str) -> impl FnMut(&ClientUnit) -> Answer {
    move |unit| match (unit, unit.verb().as_str()) {
        (ClientUnit::Content(_), _) => Answer::text("250 2.0.0 queued\n"),
        (ClientUnit::Bdat { .. }, _) => Answer::text("250 2.0.0 chunk ok\n"),
        (_, "EHLO") => Answer::text(ehlo),
        (_, "DATA") => Answer::text("354 go ahead\n"),
        (_, "QUIT") => Answer::text("221 2.0.0 bye\n"),
        (_, "AUTH") => Answer::text("235 2.7.0 ok\n"),
        (_, "MAIL" | "RCPT" | "RSET" | "NOOP" | "VRFY" | "EXPN") => Answer::text("250 2.0.0 ok\n"),
        _ => Answer::text("500 5.5.1 what?\n"),
    }
}

/// `bytes` with every LF not preceded by CR turned into CRLF.
pub fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Cuts the client's byte stream into [`ClientUnit`]s.
#[derive(Debug, Default)]
pub struct Splitter {
    buf: Vec<u8>,
    content: bool,
}

impl Splitter {
    /// Appends bytes the client wrote.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The bytes of content still expected: the next unit is `DATA` content.
    pub fn expect_content(&mut self) {
        self.content = true;
    }

    /// Bytes not yet cut into a unit.
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// The next complete unit, if there is one.
    pub fn next_unit(&mut self) -> Option<ClientUnit> {
        if self.content {
            let end = if self.buf.starts_with(b".\r\n") {
                3
            } else {
                find(&self.buf, b"\r\n.\r\n")? + 5
            };
            self.content = false;
            return Some(ClientUnit::Content(self.buf.drain(..end).collect()));
        }
        let lf = self.buf.iter().position(|&b| b == b'\n')?;
        let line = &self.buf[..=lf];
        let upper = line.to_ascii_uppercase();
        if upper.starts_with(b"BDAT ") {
            let text = String::from_utf8_lossy(&upper[5..]);
            let mut words = text.split_whitespace();
            let size: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let last = words.next() == Some("LAST");
            if self.buf.len() < lf + 1 + size {
                return None;
            }
            let header: Vec<u8> = self.buf.drain(..=lf).collect();
            let chunk = self.buf.drain(..size).collect();
            return Some(ClientUnit::Bdat {
                header,
                chunk,
                last,
            });
        }
        Some(ClientUnit::Line(self.buf.drain(..=lf).collect()))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What a conversation produced.
#[derive(Debug, Default)]
pub struct Conversation {
    /// Every byte the client wrote, in order.
    pub wire: Vec<u8>,
    /// The client's writes as the server read them.
    pub units: Vec<ClientUnit>,
    /// Every byte the server sent, in order.
    pub server: Vec<u8>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// The fatal error that ended the session, if any.
    pub error: Option<Error>,
    /// Whether the machine asked to close the connection.
    pub closed: bool,
    /// How many times the machine asked for STARTTLS.
    pub starttls: usize,
    /// Client bytes left over that form no complete unit.
    pub leftover: Vec<u8>,
    /// The results of every `enqueue` the `on_event` hook made through [`Enqueue`].
    pub enqueued: Vec<Result<Handle, UsageError>>,
}

/// Lets an event hook enqueue commands and have the result recorded.
pub struct Enqueue<'a> {
    smtp: &'a mut SmtpClient,
    results: &'a mut Vec<Result<Handle, UsageError>>,
}

impl Enqueue<'_> {
    /// Enqueues `command`, records and returns the result.
    pub fn command(&mut self, command: Command) -> Result<Handle, UsageError> {
        let result = self.smtp.enqueue(command);
        self.results.push(result.clone());
        result
    }

    /// The machine itself.
    pub fn machine(&mut self) -> &mut SmtpClient {
        self.smtp
    }
}

/// A scripted server conversation with `smtp`.
///
/// The server sends `greeting`, then answers each unit the client writes with `respond`. All the
/// answers to what the client wrote in one go are fed back as one chunk (so pipelined commands
/// get pipelined replies). A `DATA` line answered with a `354` makes the next unit content.
/// `Output::StartTls` is answered at once with `handle_tls_established`. The conversation ends
/// when the client writes nothing more, fails, or closes.
pub fn converse(
    smtp: &mut SmtpClient,
    greeting: &[u8],
    mut respond: impl FnMut(&ClientUnit) -> Answer,
    mut on_event: impl FnMut(&mut Enqueue<'_>, &Event),
) -> Conversation {
    let now = Instant::now();
    let mut c = Conversation::default();
    let mut splitter = Splitter::default();
    let mut input = greeting.to_vec();
    let mut close = false;
    // A bound on rounds: every round needs new client bytes, so a machine stuck in a loop shows.
    for _ in 0..100_000 {
        if !input.is_empty() {
            c.server.extend_from_slice(&input);
            smtp.handle_input(now, &input);
            input.clear();
        }
        if close {
            smtp.handle_eof(now);
        }
        let tls = drain(smtp, &mut c, &mut splitter, &mut on_event);
        if tls {
            smtp.handle_tls_established(now, TlsInfo::default());
            drain(smtp, &mut c, &mut splitter, &mut on_event);
        }
        if c.error.is_some() || c.closed || close {
            break;
        }
        let before = c.units.len();
        while let Some(unit) = splitter.next_unit() {
            let answer = respond(&unit);
            let bytes = match answer {
                Answer::Reply(b) => b,
                Answer::ReplyThenClose(b) => {
                    close = true;
                    b
                }
            };
            if unit.verb() == "DATA" && bytes.starts_with(b"354") {
                splitter.expect_content();
            }
            input.extend_from_slice(&bytes);
            c.units.push(unit);
            if close {
                break;
            }
        }
        if c.units.len() == before && input.is_empty() && !close {
            break;
        }
    }
    c.leftover = splitter.pending().to_vec();
    c
}

/// Drains `smtp` until idle; returns whether it asked for STARTTLS.
fn drain(
    smtp: &mut SmtpClient,
    c: &mut Conversation,
    splitter: &mut Splitter,
    on_event: &mut impl FnMut(&mut Enqueue<'_>, &Event),
) -> bool {
    let mut tls = false;
    for _ in 0..1_000_000 {
        match smtp.poll_output() {
            Err(e) => {
                c.error = Some(e);
                return tls;
            }
            Ok(Output::Transmit(bytes)) => {
                c.wire.extend_from_slice(&bytes);
                splitter.push(&bytes);
            }
            Ok(Output::Event(event)) => {
                let mut enqueue = Enqueue {
                    smtp,
                    results: &mut c.enqueued,
                };
                on_event(&mut enqueue, &event);
                c.events.push(event);
            }
            Ok(Output::StartTls) => {
                c.starttls += 1;
                tls = true;
            }
            Ok(Output::Close) => c.closed = true,
            Ok(Output::Idle { .. }) => return tls,
        }
    }
    panic!("the machine never became idle");
}

/// Bytes as readable text for assertion messages.
pub fn show(bytes: &[u8]) -> String {
    mail_kit_core::transcript::escape(bytes)
}

/// Turns `Bytes` of a reply line into a `String` (lossy), for assertions.
pub fn text(bytes: &Bytes) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
