//! The protocol logger: writes a live session in transcript format, credentials redacted.
//!
//! [`TranscriptLogger`] is a [`WireObserver`]: a driver hands it every byte it writes and reads,
//! and it writes one `C: `/`S: ` line per complete wire line, `* TLS` when a STARTTLS handshake
//! finishes, and `C| `/`S| ` for a partial line at the end (see [`TranscriptLogger::finish`]).
//! Before a client line is written, a [`Redactor`] may replace it ([`SmtpRedactor`] hides SASL
//! payloads), so the log never holds a credential.
//!
//! The output parses with [`Transcript::parse`](super::Transcript::parse) and, where nothing was
//! redacted, replays byte for byte, in the default (non-strict) order of
//! [`Replay`](super::Replay): the logger sees server bytes in the chunks the socket delivered, so
//! a client line may be logged after server lines that arrived in the same chunk as the line it
//! answers.

use std::io::Write;
use std::time::Duration;

use bytes::Bytes;

use super::format::Line;
use crate::WireObserver;

/// The default cap on a buffered partial line: longer lines are written in pieces.
const DEFAULT_MAX_LINE: usize = 64 * 1024;
/// How much of a server line a [`Redactor`] sees when the line was written in pieces.
const MAX_OBSERVED: usize = 512;

/// Decides which client lines a [`TranscriptLogger`] must not write as they are.
pub trait Redactor: Send {
    /// Given a complete client line (with its CRLF), returns the text to log instead (without a
    /// line end), or `None` to log the line as it is.
    ///
    /// A line longer than the logger's cap is written in pieces; then this sees only the first
    /// piece (without CRLF), and when it redacts that, the rest of the line is dropped.
    fn redact_client_line(&mut self, line: &[u8]) -> Option<Vec<u8>>;

    /// Sees every complete server line (with its CRLF), before any client line sent after it, so
    /// the redactor can follow the protocol's state. For a line longer than the logger's cap,
    /// it sees the first 512 bytes.
    fn observe_server_line(&mut self, line: &[u8]) {
        let _ = line;
    }
}

/// The placeholder for a redacted secret.
const REDACTED: &[u8] = b"<redacted>";

/// What the redactors share for a client line (with or without its CRLF): during a SASL
/// exchange every line is a secret but `*` (the client cancels) and an empty line; otherwise,
/// for a verb of `secrets` (matched without case), `(verb, n)` keeps the first `n` words and
/// redacts the rest of the line when there is one.
pub(super) fn redact_secret(
    line: &[u8],
    in_sasl: bool,
    secrets: &[(&[u8], usize)],
) -> Option<Vec<u8>> {
    let text = line.strip_suffix(b"\r\n").unwrap_or(line);
    if in_sasl {
        return match text {
            b"" | b"*" => None,
            _ => Some(REDACTED.to_vec()),
        };
    }
    let verb = text.split(|&b| b == b' ').next()?;
    let keep = secrets
        .iter()
        .find(|(name, _)| verb.eq_ignore_ascii_case(name))?
        .1;
    let mut words = text.splitn(keep + 1, |&b| b == b' ');
    let kept: Vec<&[u8]> = words.by_ref().take(keep).collect();
    words.next()?;
    let mut out = kept.join(&b' ');
    out.push(b' ');
    out.extend_from_slice(REDACTED);
    Some(out)
}

/// Redacts SMTP authentication:
///
/// * `AUTH <mechanism> <initial-response>` → `AUTH <mechanism> <redacted>` (`AUTH LOGIN` and
///   other commands without an initial response are kept);
/// * every client line sent while the server's last reply is `334` (a SASL response: user
///   name, password, token) → `<redacted>`, except `*` (the client cancels) and an empty line
///   (no secret in it).
///
/// It follows the state from the server lines: a final reply line with code `334` enters the
/// SASL exchange, any other final reply line leaves it.
///
/// ```
/// use mail_kit_core::transcript::{Redactor, SmtpRedactor};
///
/// let mut r = SmtpRedactor::default();
/// assert_eq!(r.redact_client_line(b"AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n"), Some(b"AUTH PLAIN <redacted>".to_vec()));
/// assert_eq!(r.redact_client_line(b"AUTH LOGIN\r\n"), None);
/// r.observe_server_line(b"334 VXNlcm5hbWU6\r\n");
/// assert_eq!(r.redact_client_line(b"am9l\r\n"), Some(b"<redacted>".to_vec()));
/// r.observe_server_line(b"235 2.7.0 Authentication successful\r\n");
/// assert_eq!(r.redact_client_line(b"MAIL FROM:<joe@example.org>\r\n"), None);
/// ```
#[derive(Debug, Default, Clone)]
pub struct SmtpRedactor {
    in_sasl: bool,
}

impl Redactor for SmtpRedactor {
    fn redact_client_line(&mut self, line: &[u8]) -> Option<Vec<u8>> {
        redact_secret(line, self.in_sasl, &[(b"AUTH", 2)])
    }

    fn observe_server_line(&mut self, line: &[u8]) {
        let Some(code) = line.get(..3) else {
            return;
        };
        if !code.iter().all(u8::is_ascii_digit) {
            return;
        }
        // A final reply line has a space (or nothing) after the code; `-` continues the reply.
        if matches!(line.get(3), None | Some(b' ' | b'\r' | b'\n')) {
            self.in_sasl = code == b"334";
        }
    }
}

/// The partial line of one direction.
#[derive(Debug, Default)]
struct Partial {
    /// Bytes of the current line not written yet.
    buffer: Vec<u8>,
    /// A piece of the current line was already written (`|`).
    continued: bool,
    /// Client: the first piece of the current line was redacted; drop the rest of the line.
    discarding: bool,
    /// Server: the first bytes of a line written in pieces, for the redactor.
    head: Vec<u8>,
}

/// Writes every byte a driver sends and receives in transcript format (a [`WireObserver`]).
///
/// Lines are written as they complete; a partial line is kept (up to a cap, 64 KiB by default;
/// longer lines are written in `|` pieces, so a hostile server cannot make it grow without
/// bound). Client lines go through the [`Redactor`] first. Write errors are ignored: logging
/// never breaks a session. Dropping the logger calls [`TranscriptLogger::finish`].
///
/// ```
/// use mail_kit_core::WireObserver;
/// use mail_kit_core::transcript::{Transcript, TranscriptLogger};
///
/// let mut log = TranscriptLogger::smtp(Vec::new());
/// log.server_bytes(b"220 mx.example.org ESMTP\r\n250");
/// log.client_bytes(b"AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n");
/// log.server_bytes(b" ok\r\n");
/// let text = String::from_utf8(log.into_inner()).unwrap();
/// assert_eq!(
///     text,
///     "S: 220 mx.example.org ESMTP\n\
///      S| 250\n\
///      C: AUTH PLAIN <redacted>\n\
///      S:  ok\n"
/// );
/// assert_eq!(Transcript::parse(&text).unwrap().server_bytes(), b"220 mx.example.org ESMTP\r\n250 ok\r\n");
/// ```
pub struct TranscriptLogger<W: Write + Send> {
    /// Always `Some`, except inside [`TranscriptLogger::into_inner`].
    out: Option<W>,
    redactor: Box<dyn Redactor>,
    client: Partial,
    server: Partial,
    max_line: usize,
}

impl<W: Write + Send> std::fmt::Debug for TranscriptLogger<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No buffered bytes: they may hold a credential.
        f.debug_struct("TranscriptLogger")
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> TranscriptLogger<W> {
    /// A logger writing to `out`, redacting client lines with `redactor`.
    pub fn new(out: W, redactor: Box<dyn Redactor>) -> Self {
        TranscriptLogger {
            out: Some(out),
            redactor,
            client: Partial::default(),
            server: Partial::default(),
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// A logger for SMTP sessions (with [`SmtpRedactor`]).
    pub fn smtp(out: W) -> Self {
        Self::new(out, Box::new(SmtpRedactor::default()))
    }

    /// A logger for POP3 sessions (with [`Pop3Redactor`](super::Pop3Redactor)).
    pub fn pop3(out: W) -> Self {
        Self::new(out, Box::new(super::Pop3Redactor::default()))
    }

    /// Sets the cap on a buffered partial line (at least 2 bytes; default 64 KiB).
    pub fn with_max_line_len(mut self, max: usize) -> Self {
        self.max_line = max.max(2);
        self
    }

    /// Writes any partial line (`S| `, then `C| `) and flushes the writer.
    ///
    /// Meant for the end of a session (dropping the logger calls it): a client line cut here is
    /// checked by the redactor as it is, and its rest is not checked again.
    pub fn finish(&mut self) {
        self.flush_server_partial();
        self.flush_client_partial();
        if let Some(out) = &mut self.out {
            let _ = out.flush();
        }
    }

    /// Calls [`TranscriptLogger::finish`] and returns the writer.
    pub fn into_inner(mut self) -> W {
        self.finish();
        self.out
            .take()
            .expect("the writer is only taken here, and `self` is consumed")
    }

    /// Writes `* EOF`: the server closed the connection (after any partial server line).
    pub fn eof(&mut self) {
        self.flush_server_partial();
        self.write_line(&Line::Eof);
    }

    /// Writes a time step (`T+30s`, after any partial server line), e.g. when the driver called
    /// `handle_timeout`.
    pub fn wait(&mut self, duration: Duration) {
        self.flush_server_partial();
        self.write_line(&Line::Wait(duration));
    }

    /// Writes `text` as comment lines (`# text`), one per line of `text`.
    pub fn comment(&mut self, text: &str) {
        let mut out = String::new();
        for line in text.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        self.write_text(&out);
    }

    fn write_text(&mut self, text: &str) {
        if let Some(out) = &mut self.out {
            // Logging must never break a session: write errors are ignored.
            let _ = out.write_all(text.as_bytes());
        }
    }

    fn write_line(&mut self, line: &Line) {
        self.write_text(&format!("{line}\n"));
    }

    fn write_data(&mut self, server: bool, bytes: &[u8]) {
        let bytes = Bytes::copy_from_slice(bytes);
        self.write_line(&if server {
            Line::Server(bytes)
        } else {
            Line::Client(bytes)
        });
    }

    /// Splits buffered bytes of one direction into complete lines and, beyond the cap, pieces.
    fn process(&mut self, server: bool, bytes: &[u8]) {
        let partial = if server {
            &mut self.server
        } else {
            &mut self.client
        };
        let mut buffer = std::mem::take(&mut partial.buffer);
        buffer.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(at) = memchr::memmem::find(&buffer[start..], b"\r\n") {
            let end = start + at + 2;
            self.emit(server, &buffer[start..end], true);
            start = end;
        }
        while buffer.len() - start > self.max_line {
            let mut end = start + self.max_line;
            // Keep a CR with the LF that may follow.
            if buffer[end - 1] == b'\r' {
                end -= 1;
            }
            self.emit(server, &buffer[start..end], false);
            start = end;
        }
        buffer.drain(..start);
        let partial = if server {
            &mut self.server
        } else {
            &mut self.client
        };
        partial.buffer = buffer;
    }

    /// Logs a complete line (with CRLF) or a piece of a line.
    fn emit(&mut self, server: bool, bytes: &[u8], complete: bool) {
        if server {
            self.emit_server(bytes, complete);
        } else {
            self.emit_client(bytes, complete);
        }
    }

    fn emit_server(&mut self, bytes: &[u8], complete: bool) {
        let partial = &mut self.server;
        if complete && !partial.continued {
            self.redactor.observe_server_line(bytes);
        } else {
            let room = MAX_OBSERVED.saturating_sub(partial.head.len());
            partial
                .head
                .extend_from_slice(&bytes[..room.min(bytes.len())]);
            partial.continued = !complete;
            if complete {
                let head = std::mem::take(&mut partial.head);
                self.redactor.observe_server_line(&head);
            }
        }
        self.write_data(true, bytes);
    }

    fn emit_client(&mut self, bytes: &[u8], complete: bool) {
        let partial = &mut self.client;
        if partial.discarding {
            partial.discarding = !complete;
            return;
        }
        if !partial.continued {
            if let Some(replacement) = self.redactor.redact_client_line(bytes) {
                // The replacement stands for the whole line, even when only its first piece is
                // here: the rest of the line is dropped.
                let mut replacement = strip_crlf(replacement);
                replacement.extend_from_slice(b"\r\n");
                self.client.discarding = !complete;
                self.write_data(false, &replacement);
                return;
            }
        }
        self.client.continued = !complete;
        self.write_data(false, bytes);
    }

    fn flush_server_partial(&mut self) {
        let buffer = std::mem::take(&mut self.server.buffer);
        if !buffer.is_empty() {
            self.emit_server(&buffer, false);
        }
    }

    /// Writes the partial client line as `C| ` without changing the line state: the bytes that
    /// follow are checked by the redactor as the start of a line (unless they continue a line
    /// cut by the cap, or the rest of a redacted line).
    fn flush_client_partial(&mut self) {
        let buffer = std::mem::take(&mut self.client.buffer);
        if buffer.is_empty() || self.client.discarding {
            return;
        }
        let redacted = if self.client.continued {
            None
        } else {
            self.redactor.redact_client_line(&buffer).map(strip_crlf)
        };
        self.write_data(false, redacted.as_deref().unwrap_or(&buffer));
    }
}

fn strip_crlf(mut text: Vec<u8>) -> Vec<u8> {
    if text.ends_with(b"\r\n") {
        text.truncate(text.len() - 2);
    }
    text
}

impl<W: Write + Send> WireObserver for TranscriptLogger<W> {
    fn client_bytes(&mut self, bytes: &[u8]) {
        // Keep the order of the wire: a partial server line came before these bytes.
        self.flush_server_partial();
        self.process(false, bytes);
    }

    fn server_bytes(&mut self, bytes: &[u8]) {
        self.process(true, bytes);
    }

    fn tls_established(&mut self) {
        self.flush_server_partial();
        self.flush_client_partial();
        self.write_line(&Line::Tls);
    }
}

impl<W: Write + Send> Drop for TranscriptLogger<W> {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use quickcheck::QuickCheck;

    use super::*;
    use crate::transcript::Transcript;

    fn log(steps: &[(char, &[u8])]) -> String {
        let mut logger = TranscriptLogger::smtp(Vec::new());
        for (who, bytes) in steps {
            match who {
                'S' => logger.server_bytes(bytes),
                'C' => logger.client_bytes(bytes),
                _ => logger.tls_established(),
            }
        }
        String::from_utf8(logger.into_inner()).unwrap()
    }

    #[test]
    fn auth_plain_initial_response_is_redacted() {
        let text = log(&[
            ('S', b"250 AUTH PLAIN LOGIN\r\n"),
            ('C', b"AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n"),
            ('S', b"235 2.7.0 ok\r\n"),
            ('C', b"auth plain =\r\n"),
        ]);
        assert_eq!(
            text,
            "S: 250 AUTH PLAIN LOGIN\n\
             C: AUTH PLAIN <redacted>\n\
             S: 235 2.7.0 ok\n\
             C: auth plain <redacted>\n"
        );
        assert!(!text.contains("AGpvZQBzZWNyZXQ="));
    }

    #[test]
    fn auth_login_user_and_password_are_redacted() {
        let text = log(&[
            ('C', b"AUTH LOGIN\r\n"),
            ('S', b"334 VXNlcm5hbWU6\r\n"),
            ('C', b"am9lQGV4YW1wbGUub3Jn\r\n"),
            ('S', b"334 UGFzc3dvcmQ6\r\n"),
            ('C', b"c2VjcmV0\r\n"),
            ('S', b"235 2.7.0 Authentication successful\r\n"),
            ('C', b"MAIL FROM:<joe@example.org>\r\n"),
        ]);
        assert_eq!(
            text,
            "C: AUTH LOGIN\n\
             S: 334 VXNlcm5hbWU6\n\
             C: <redacted>\n\
             S: 334 UGFzc3dvcmQ6\n\
             C: <redacted>\n\
             S: 235 2.7.0 Authentication successful\n\
             C: MAIL FROM:<joe@example.org>\n"
        );
    }

    #[test]
    fn xoauth2_token_and_error_exchange() {
        let text = log(&[
            ('C', b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n"),
            ('S', b"334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\r\n"),
            ('C', b"\r\n"),
            ('S', b"535 5.7.8 Username and Password not accepted\r\n"),
            // Without initial response: the token follows a 334; the server's reply is split.
            ('C', b"AUTH XOAUTH2\r\n"),
            ('S', b"33"),
            ('S', b"4 \r\n"),
            ('C', b"dG9rZW4=\r\n"),
            ('S', b"235 ok\r\n"),
        ]);
        assert_eq!(
            text,
            "C: AUTH XOAUTH2 <redacted>\n\
             S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\n\
             C:\n\
             S: 535 5.7.8 Username and Password not accepted\n\
             C: AUTH XOAUTH2\n\
             S: 334\\x20\n\
             C: <redacted>\n\
             S: 235 ok\n"
        );
        assert!(!text.contains("dG9rZW4"));
        assert!(!text.contains("dXNlcj1"));
    }

    #[test]
    fn cancel_is_kept_and_multiline_replies_are_followed() {
        let text = log(&[
            ('C', b"AUTH CRAM-MD5\r\n"),
            (
                'S',
                b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
            ),
            ('C', b"*\r\n"),
            ('S', b"501 5.7.0 cancelled\r\n"),
            ('C', b"EHLO x\r\n"),
            ('S', b"250-mx\r\n334-odd\r\n250 ok\r\n"),
            ('C', b"NOOP\r\n"),
        ]);
        assert!(text.contains("C: *\n"), "{text}");
        assert!(text.contains("C: EHLO x\n"), "{text}");
        assert!(text.contains("C: NOOP\n"), "{text}");
    }

    #[test]
    fn partial_lines_tls_and_unusual_bytes() {
        let mut logger = TranscriptLogger::smtp(Vec::new());
        logger.server_bytes(b"220 caf\xc3\xa9 \\ ready\r");
        logger.server_bytes(b"\n220 go\r\n");
        logger.tls_established();
        logger.client_bytes(b"EHLO x\r\nDA");
        logger.wait(Duration::from_secs(30));
        logger.server_bytes(b"250 ok\r\n25");
        logger.eof();
        logger.comment("done\nS: not a line");
        logger.client_bytes(b"TA");
        let text = String::from_utf8(logger.into_inner()).unwrap();
        assert_eq!(
            text,
            "S: 220 caf\\xc3\\xa9 \\\\ ready\n\
             S: 220 go\n\
             * TLS\n\
             C: EHLO x\n\
             T+30s\n\
             S: 250 ok\n\
             S| 25\n\
             * EOF\n\
             # done\n\
             # S: not a line\n\
             C| DATA\n"
        );
        let t = Transcript::parse(&text).unwrap();
        assert_eq!(t.client_bytes(), b"EHLO x\r\nDATA");
        assert_eq!(
            t.server_bytes(),
            b"220 caf\xc3\xa9 \\ ready\r\n220 go\r\n250 ok\r\n25"
        );
    }

    #[test]
    fn long_lines_are_written_in_pieces() {
        let mut logger = TranscriptLogger::smtp(Vec::new()).with_max_line_len(4);
        logger.server_bytes(b"250-abc");
        logger.server_bytes(b"def\r");
        logger.server_bytes(b"\n250 xy\r\n");
        let text = String::from_utf8(logger.into_inner()).unwrap();
        assert_eq!(text, "S| 250-\nS| abcd\nS: ef\nS: 250 xy\n");
        let t = Transcript::parse(&text).unwrap();
        assert_eq!(t.server_bytes(), b"250-abcdef\r\n250 xy\r\n");

        // The buffer never holds more than the cap.
        let mut logger = TranscriptLogger::smtp(std::io::sink()).with_max_line_len(1000);
        for _ in 0..1000 {
            logger.server_bytes(&[b'x'; 999]);
            assert!(logger.server.buffer.len() <= 1000);
        }
    }

    #[test]
    fn long_redacted_lines_are_dropped_whole() {
        let mut logger = TranscriptLogger::smtp(Vec::new()).with_max_line_len(16);
        logger.client_bytes(b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRo");
        logger.client_bytes(b"PUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZ\r\nQUIT\r\n");
        // A long SASL response after 334.
        logger.server_bytes(b"334 \r\n");
        logger.client_bytes(b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRo\r\n");
        logger.server_bytes(b"334 \r\n");
        logger.client_bytes(b"cGFzc3dvcmQ=\r\n");
        let text = String::from_utf8(logger.into_inner()).unwrap();
        assert_eq!(
            text,
            "C: AUTH XOAUTH2 <redacted>\n\
             C: QUIT\n\
             S: 334\\x20\n\
             C: <redacted>\n\
             S: 334\\x20\n\
             C: <redacted>\n"
        );
    }

    #[test]
    fn write_errors_are_ignored() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::Error::other("disk full"))
            }
        }
        let mut logger = TranscriptLogger::smtp(Broken);
        logger.server_bytes(b"220 hi\r\n25");
        logger.client_bytes(b"EHLO x\r\n");
        logger.tls_established();
        drop(logger);
    }

    /// Logs everything as it is.
    struct NoRedaction;

    impl Redactor for NoRedaction {
        fn redact_client_line(&mut self, _line: &[u8]) -> Option<Vec<u8>> {
            None
        }
    }

    #[test]
    fn quickcheck_logged_bytes_parse_back_exactly() {
        fn property(steps: Vec<(u8, Vec<u8>)>, max_line: u8) -> bool {
            let mut logger = TranscriptLogger::new(Vec::new(), Box::new(NoRedaction))
                .with_max_line_len(usize::from(max_line));
            let (mut client, mut server) = (Vec::new(), Vec::new());
            for (kind, bytes) in &steps {
                // Bias towards line ends so that lines complete.
                let bytes: Vec<u8> = bytes
                    .iter()
                    .map(|b| match b % 8 {
                        0 => b'\r',
                        1 => b'\n',
                        _ => *b,
                    })
                    .collect();
                match kind % 7 {
                    0..=2 => {
                        logger.client_bytes(&bytes);
                        client.extend_from_slice(&bytes);
                    }
                    3..=5 => {
                        logger.server_bytes(&bytes);
                        server.extend_from_slice(&bytes);
                    }
                    _ => logger.tls_established(),
                }
            }
            let text = String::from_utf8(logger.into_inner()).unwrap();
            let t = Transcript::parse(&text).unwrap();
            t.client_bytes() == client && t.server_bytes() == server
        }
        QuickCheck::new()
            .tests(1000)
            .quickcheck(property as fn(Vec<(u8, Vec<u8>)>, u8) -> bool);
    }

    #[test]
    fn debug_shows_no_buffered_bytes() {
        let mut logger = TranscriptLogger::smtp(Vec::new());
        logger.client_bytes(b"AUTH PLAIN c2VjcmV0");
        assert!(!format!("{logger:?}").contains("c2VjcmV0"));
    }
}
