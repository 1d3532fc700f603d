//! The transcript text format ([`Transcript`], [`Line`]) and its parser and writer.

use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;

/// One entry of a [`Transcript`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Line {
    /// Bytes the server sent, exactly (a `S:` line's bytes end with CRLF, a `S|` line's do not).
    Server(Bytes),
    /// Bytes the client sent, exactly (a `C:` line's bytes end with CRLF, a `C|` line's do not).
    Client(Bytes),
    /// Time passes (`T+30s`): the replayer advances `now` and calls `handle_timeout`.
    Wait(Duration),
    /// The TLS handshake completes (`* TLS`).
    Tls,
    /// The server closes the connection (`* EOF`).
    Eof,
}

impl fmt::Display for Line {
    /// Writes the canonical one-line form, without a line end.
    ///
    /// ```
    /// use mail_kit_core::transcript::Line;
    ///
    /// assert_eq!(Line::Client("QUIT\r\n".into()).to_string(), "C: QUIT");
    /// assert_eq!(Line::Server("25".into()).to_string(), "S| 25");
    /// assert_eq!(Line::Wait(std::time::Duration::from_millis(1500)).to_string(), "T+1500ms");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Server(bytes) => write_data(f, 'S', bytes),
            Line::Client(bytes) => write_data(f, 'C', bytes),
            Line::Wait(duration) => write_wait(f, *duration),
            Line::Tls => f.write_str("* TLS"),
            Line::Eof => f.write_str("* EOF"),
        }
    }
}

fn write_data(f: &mut fmt::Formatter<'_>, who: char, bytes: &[u8]) -> fmt::Result {
    let (text, separator) = match bytes.strip_suffix(b"\r\n") {
        Some(text) => (text, ':'),
        None => (bytes, '|'),
    };
    f.write_char(who)?;
    f.write_char(separator)?;
    if !text.is_empty() {
        f.write_char(' ')?;
        f.write_str(&escape(text))?;
    }
    Ok(())
}

const NANOS_PER_UNIT: [(u128, &str); 5] = [
    (60_000_000_000, "m"),
    (1_000_000_000, "s"),
    (1_000_000, "ms"),
    (1_000, "us"),
    (1, "ns"),
];

fn write_wait(f: &mut fmt::Formatter<'_>, duration: Duration) -> fmt::Result {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return f.write_str("T+0ms");
    }
    // The largest unit that represents the duration exactly.
    let (per_unit, unit) = NANOS_PER_UNIT
        .iter()
        .copied()
        .find(|(per_unit, _)| nanos % per_unit == 0)
        .unwrap_or((1, "ns"));
    write!(f, "T+{}{unit}", nanos / per_unit)
}

/// A recorded (or hand-written) session: what the server sent, what the client sent, and when.
///
/// Build one by parsing text ([`Transcript::parse`]) or with the builder methods; its
/// [`Display`](fmt::Display) writes the canonical text, which parses back to an equal transcript.
///
/// # Format
///
/// One line of text per wire line:
///
/// | line | meaning |
/// |---|---|
/// | `S: text` | the server sent the bytes of `text`, then CRLF |
/// | `C: text` | the client sent the bytes of `text`, then CRLF |
/// | `S\| text` / `C\| text` | the same bytes **without** a CRLF (a partial line, or data without a line end) |
/// | `T+<n>ms`, `T+<n>s`, `T+<n>m` | `n` milliseconds / seconds / minutes pass (`T+<n>us` and `T+<n>ns` too) |
/// | `* TLS` | the TLS handshake asked for with `Output::StartTls` completes here |
/// | `* EOF` | the server closes the connection |
/// | blank, or starting with `#` | a comment |
///
/// Inside `text`, a backslash starts an escape: `\\`, `\r`, `\n`, `\t` or `\xHH` (two hex
/// digits, either case). Every other character stands for its own UTF-8 bytes. When writing,
/// every byte outside printable ASCII (`0x20..=0x7e`) and every backslash is escaped, byte by
/// byte, and so is a trailing space (as `\x20`), so that a transcript survives editors that strip
/// trailing whitespace. The `S: ` / `C: ` prefix is followed by exactly one space, which is not
/// part of the text; an empty line is written `S:` or `C:`. Leading whitespace before the prefix
/// is ignored, so transcripts can be indented inside Rust string literals.
///
/// ```
/// use mail_kit_core::transcript::{Line, Transcript};
///
/// let t = Transcript::parse(
///     "# the greeting
///      S: 220 mx.example.org ESMTP
///      C: EHLO client.example
///      S: 250-mx.example.org
///      S: 250 PIPELINING\\x20
///      T+30s
///      S| partial\\xff",
/// )
/// .unwrap();
/// assert_eq!(t.lines[0], Line::Server("220 mx.example.org ESMTP\r\n".into()));
/// assert_eq!(t.lines[3], Line::Server("250 PIPELINING \r\n".into()));
/// assert_eq!(t.lines[4], Line::Wait(std::time::Duration::from_secs(30)));
/// assert_eq!(t.lines[5], Line::Server(b"partial\xff"[..].to_vec().into()));
/// // The canonical text parses back to the same transcript.
/// assert_eq!(Transcript::parse(&t.to_string()).unwrap(), t);
/// ```
///
/// # Builders
///
/// ```
/// use std::time::Duration;
/// use mail_kit_core::transcript::Transcript;
///
/// let t = Transcript::new()
///     .server(b"220 mx.example.org ESMTP\r\n")
///     .client(b"EHLO client.example\r\n")
///     .server(b"250-mx.example.org\r\n250 STARTTLS\r\n")
///     .wait(Duration::from_secs(30))
///     .eof();
/// assert_eq!(
///     t.to_string(),
///     "S: 220 mx.example.org ESMTP\n\
///      C: EHLO client.example\n\
///      S: 250-mx.example.org\n\
///      S: 250 STARTTLS\n\
///      T+30s\n\
///      * EOF\n"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Transcript {
    /// The entries, in wire order. Consecutive [`Line::Server`] entries are separate entries
    /// (the replayer feeds them as one run).
    pub lines: Vec<Line>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses transcript text (see [`Transcript`] for the format).
    ///
    /// ```
    /// use mail_kit_core::transcript::Transcript;
    ///
    /// let err = Transcript::parse("S: 220 ok\nX: what\n").unwrap_err();
    /// assert_eq!(err.line, 2);
    /// assert!(err.to_string().starts_with("transcript line 2:"));
    /// ```
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        Self::parse_with_line_numbers(text).map(|(transcript, _)| transcript)
    }

    /// Like [`Transcript::parse`], and also returns the 1-based text line number of each entry,
    /// for [`Replay::with_line_numbers`](super::Replay::with_line_numbers), so that replay
    /// errors name the lines of a file that has comments.
    ///
    /// ```
    /// use mail_kit_core::transcript::Transcript;
    ///
    /// let (t, numbers) = Transcript::parse_with_line_numbers("# greeting\n\nS: 220 ok\n").unwrap();
    /// assert_eq!(t.lines.len(), 1);
    /// assert_eq!(numbers, [3]);
    /// ```
    pub fn parse_with_line_numbers(text: &str) -> Result<(Self, Vec<usize>), TranscriptError> {
        let mut lines = Vec::new();
        let mut numbers = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let number = index + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(line) =
                parse_line(raw).map_err(|kind| TranscriptError { line: number, kind })?
            {
                lines.push(line);
                numbers.push(number);
            }
        }
        Ok((Transcript { lines }, numbers))
    }

    /// Appends server bytes, one [`Line::Server`] entry per CRLF-terminated line (and one for a
    /// trailing partial line). Empty input appends nothing.
    ///
    /// ```
    /// use mail_kit_core::transcript::{Line, Transcript};
    ///
    /// let t = Transcript::new().server(b"250-a\r\n250 b\r\n25");
    /// assert_eq!(t.lines, [
    ///     Line::Server("250-a\r\n".into()),
    ///     Line::Server("250 b\r\n".into()),
    ///     Line::Server("25".into()),
    /// ]);
    /// ```
    pub fn server(mut self, bytes: &[u8]) -> Self {
        push_split(&mut self.lines, bytes, Line::Server);
        self
    }

    /// Appends client bytes, one [`Line::Client`] entry per CRLF-terminated line (and one for a
    /// trailing partial line). Empty input appends nothing.
    pub fn client(mut self, bytes: &[u8]) -> Self {
        push_split(&mut self.lines, bytes, Line::Client);
        self
    }

    /// Appends a time step ([`Line::Wait`]).
    pub fn wait(mut self, duration: Duration) -> Self {
        self.lines.push(Line::Wait(duration));
        self
    }

    /// Appends a completed TLS handshake ([`Line::Tls`]).
    pub fn tls(mut self) -> Self {
        self.lines.push(Line::Tls);
        self
    }

    /// Appends the server closing the connection ([`Line::Eof`]).
    pub fn eof(mut self) -> Self {
        self.lines.push(Line::Eof);
        self
    }

    /// All server bytes of the transcript, concatenated.
    pub fn server_bytes(&self) -> Vec<u8> {
        self.concat(|line| match line {
            Line::Server(bytes) => Some(bytes),
            _ => None,
        })
    }

    /// All client bytes of the transcript, concatenated.
    ///
    /// ```
    /// use mail_kit_core::transcript::Transcript;
    ///
    /// let t = Transcript::parse("C: EHLO a\nS: 250 ok\nC| QU\nC: IT").unwrap();
    /// assert_eq!(t.client_bytes(), b"EHLO a\r\nQUIT\r\n");
    /// ```
    pub fn client_bytes(&self) -> Vec<u8> {
        self.concat(|line| match line {
            Line::Client(bytes) => Some(bytes),
            _ => None,
        })
    }

    fn concat(&self, pick: impl Fn(&Line) -> Option<&Bytes>) -> Vec<u8> {
        let mut out = Vec::new();
        for bytes in self.lines.iter().filter_map(pick) {
            out.extend_from_slice(bytes);
        }
        out
    }
}

fn push_split(lines: &mut Vec<Line>, mut bytes: &[u8], make: fn(Bytes) -> Line) {
    while !bytes.is_empty() {
        let end = memchr::memmem::find(bytes, b"\r\n").map_or(bytes.len(), |at| at + 2);
        let (line, rest) = bytes.split_at(end);
        lines.push(make(Bytes::copy_from_slice(line)));
        bytes = rest;
    }
}

impl From<Vec<Line>> for Transcript {
    fn from(lines: Vec<Line>) -> Self {
        Transcript { lines }
    }
}

impl FromStr for Transcript {
    type Err = TranscriptError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Transcript::parse(text)
    }
}

impl fmt::Display for Transcript {
    /// Writes the canonical text: one line per entry, each ended by `\n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// A transcript text that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transcript line {line}: {kind}")]
pub struct TranscriptError {
    /// The 1-based line number in the text.
    pub line: usize,
    /// What is wrong with it.
    pub kind: TranscriptErrorKind,
}

/// What is wrong with a transcript line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TranscriptErrorKind {
    /// The line is none of the known kinds (the start of the line is quoted).
    #[error(
        "unknown line `{0}`; expected `S: `, `C: `, `S| `, `C| `, `T+<n>ms|s|m`, `* TLS`, `* EOF` or a `#` comment"
    )]
    UnknownLine(String),
    /// `S:`, `C:`, `S|` or `C|` is followed by something other than a space.
    #[error("expected a space after `{0}`")]
    MissingSpace(&'static str),
    /// A backslash escape is invalid.
    #[error("invalid escape at column {column}: {reason}")]
    InvalidEscape {
        /// The 1-based byte column of the backslash.
        column: usize,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A `T+` line is malformed or out of range.
    #[error("invalid time step `{0}`; expected `T+<n>` followed by `ms`, `s`, `m`, `us` or `ns`")]
    InvalidWait(String),
}

/// Parses one text line (line end removed); `None` for a comment or blank line.
fn parse_line(raw: &str) -> Result<Option<Line>, TranscriptErrorKind> {
    let line = raw.trim_start_matches([' ', '\t']);
    let indent = raw.len() - line.len();
    if line.trim_end().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    const DATA: [(&str, bool, bool); 4] = [
        ("S:", true, true),
        ("S|", true, false),
        ("C:", false, true),
        ("C|", false, false),
    ];
    for (prefix, server, crlf) in DATA {
        let Some(rest) = line.strip_prefix(prefix) else {
            continue;
        };
        let (text, offset) = match rest.strip_prefix(' ') {
            Some(text) => (text, indent + 3),
            None if rest.is_empty() => ("", indent + 2),
            None => return Err(TranscriptErrorKind::MissingSpace(prefix)),
        };
        let mut bytes = unescape(text, offset)?;
        if crlf {
            bytes.extend_from_slice(b"\r\n");
        }
        let bytes = Bytes::from(bytes);
        return Ok(Some(if server {
            Line::Server(bytes)
        } else {
            Line::Client(bytes)
        }));
    }
    if let Some(step) = line.strip_prefix("T+") {
        return parse_wait(step.trim_end())
            .map(|duration| Some(Line::Wait(duration)))
            .ok_or_else(|| TranscriptErrorKind::InvalidWait(excerpt(line.trim_end())));
    }
    if let Some(rest) = line.strip_prefix('*') {
        match rest.trim() {
            "TLS" => return Ok(Some(Line::Tls)),
            "EOF" => return Ok(Some(Line::Eof)),
            _ => {}
        }
    }
    Err(TranscriptErrorKind::UnknownLine(excerpt(line)))
}

fn parse_wait(step: &str) -> Option<Duration> {
    let digits = step.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = step.split_at(digits);
    if number.is_empty() {
        return None;
    }
    let number: u128 = number.parse().ok()?;
    let per_unit = NANOS_PER_UNIT
        .iter()
        .find(|(_, name)| *name == unit)
        .map(|(per_unit, _)| *per_unit)?;
    let nanos = number.checked_mul(per_unit)?;
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    // The remainder is below 10^9, so it fits.
    let subsec = u32::try_from(nanos % 1_000_000_000).ok()?;
    Some(Duration::new(secs, subsec))
}

/// The start of a line for an error message, at most 40 characters.
fn excerpt(line: &str) -> String {
    const MAX: usize = 40;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

fn unescape(text: &str, column_offset: usize) -> Result<Vec<u8>, TranscriptErrorKind> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte != b'\\' {
            out.push(byte);
            i += 1;
            continue;
        }
        let invalid = |reason| TranscriptErrorKind::InvalidEscape {
            column: column_offset + i + 1,
            reason,
        };
        let decoded = match bytes.get(i + 1) {
            None => return Err(invalid("a backslash ends the line (write `\\\\`)")),
            Some(b'\\') => b'\\',
            Some(b'r') => b'\r',
            Some(b'n') => b'\n',
            Some(b't') => b'\t',
            Some(b'x') => {
                let high = bytes.get(i + 2).copied().and_then(hex_value);
                let low = bytes.get(i + 3).copied().and_then(hex_value);
                match (high, low) {
                    (Some(high), Some(low)) => {
                        out.push(high << 4 | low);
                        i += 4;
                        continue;
                    }
                    _ => return Err(invalid("`\\x` needs two hex digits")),
                }
            }
            Some(_) => {
                return Err(invalid(
                    "unknown escape; use `\\\\`, `\\r`, `\\n`, `\\t` or `\\xHH`",
                ));
            }
        };
        out.push(decoded);
        i += 2;
    }
    Ok(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Escapes bytes the way transcript text does (see [`Transcript`] for the format).
///
/// ```
/// use mail_kit_core::transcript::escape;
///
/// assert_eq!(escape(b"AUTH PLAIN\r\n"), "AUTH PLAIN\\r\\n");
/// assert_eq!(escape("é\\".as_bytes()), "\\xc3\\xa9\\\\");
/// assert_eq!(escape(b"trailing "), "trailing\\x20");
/// ```
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b' ' if index + 1 == bytes.len() => out.push_str("\\x20"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::{Arbitrary, Gen, QuickCheck};

    fn parse(text: &str) -> Vec<Line> {
        Transcript::parse(text).unwrap().lines
    }

    fn server(bytes: &[u8]) -> Line {
        Line::Server(Bytes::copy_from_slice(bytes))
    }

    fn client(bytes: &[u8]) -> Line {
        Line::Client(Bytes::copy_from_slice(bytes))
    }

    #[test]
    fn parses_every_kind_of_line() {
        let text = "# comment\n\
                    \n\
                    S: 220 hi\n\
                    C: EHLO x\n\
                    S| 25\n\
                    C| DATA\n\
                    T+10ms\n\
                    T+3s\n\
                    T+2m\n\
                    T+7us\n\
                    T+9ns\n\
                    * TLS\n\
                    * EOF\n\
                    S:\n\
                    C|\n";
        assert_eq!(
            parse(text),
            [
                server(b"220 hi\r\n"),
                client(b"EHLO x\r\n"),
                server(b"25"),
                client(b"DATA"),
                Line::Wait(Duration::from_millis(10)),
                Line::Wait(Duration::from_secs(3)),
                Line::Wait(Duration::from_secs(120)),
                Line::Wait(Duration::from_micros(7)),
                Line::Wait(Duration::from_nanos(9)),
                Line::Tls,
                Line::Eof,
                server(b"\r\n"),
                client(b""),
            ]
        );
    }

    #[test]
    fn text_is_taken_verbatim_after_one_space() {
        assert_eq!(parse("S:  two  spaces "), [server(b" two  spaces \r\n")]);
        assert_eq!(
            parse("S: # not a comment"),
            [server(b"# not a comment\r\n")]
        );
        assert_eq!(parse("C: caf\u{e9}"), [client("caf\u{e9}\r\n".as_bytes())]);
    }

    #[test]
    fn accepts_crlf_files_and_indentation() {
        assert_eq!(
            parse("  S: 220 hi\r\n\tC: QUIT\r\n   \r\n"),
            [server(b"220 hi\r\n"), client(b"QUIT\r\n")]
        );
    }

    #[test]
    fn unescapes() {
        assert_eq!(
            parse(r"S: a\\b\r\n\tc\x00\xFF\x7f"),
            [server(b"a\\b\r\n\tc\x00\xff\x7f\r\n")]
        );
    }

    #[test]
    fn reports_errors_with_line_and_column() {
        let err = Transcript::parse("S: ok\n\nC: bad \\q escape").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.kind,
            TranscriptErrorKind::InvalidEscape {
                column: 8,
                reason: "unknown escape; use `\\\\`, `\\r`, `\\n`, `\\t` or `\\xHH`"
            }
        );
        assert!(
            err.to_string()
                .starts_with("transcript line 3: invalid escape at column 8")
        );

        type Check = fn(&TranscriptErrorKind) -> bool;
        let cases: &[(&str, Check)] = &[
            ("S: end\\", |k| {
                matches!(k, TranscriptErrorKind::InvalidEscape { .. })
            }),
            ("S: \\x4", |k| {
                matches!(k, TranscriptErrorKind::InvalidEscape { .. })
            }),
            ("S: \\xzz", |k| {
                matches!(k, TranscriptErrorKind::InvalidEscape { .. })
            }),
            ("S:x", |k| *k == TranscriptErrorKind::MissingSpace("S:")),
            ("C|x", |k| *k == TranscriptErrorKind::MissingSpace("C|")),
            ("T+", |k| matches!(k, TranscriptErrorKind::InvalidWait(_))),
            ("T+5", |k| matches!(k, TranscriptErrorKind::InvalidWait(_))),
            ("T+5h", |k| matches!(k, TranscriptErrorKind::InvalidWait(_))),
            ("T+-5s", |k| {
                matches!(k, TranscriptErrorKind::InvalidWait(_))
            }),
            ("T+999999999999999999999999999999999999999999m", |k| {
                matches!(k, TranscriptErrorKind::InvalidWait(_))
            }),
            ("T+307445734561825861m", |k| {
                matches!(k, TranscriptErrorKind::InvalidWait(_))
            }),
            ("* STARTTLS", |k| {
                matches!(k, TranscriptErrorKind::UnknownLine(_))
            }),
            ("s: lower", |k| {
                matches!(k, TranscriptErrorKind::UnknownLine(_))
            }),
            ("220 no prefix", |k| {
                matches!(k, TranscriptErrorKind::UnknownLine(_))
            }),
        ];
        for (text, check) in cases {
            let err = Transcript::parse(text).unwrap_err();
            assert_eq!(err.line, 1, "{text}");
            assert!(check(&err.kind), "{text}: {err}");
        }
    }

    #[test]
    fn long_unknown_lines_are_cut_in_messages() {
        let line = format!("X{}", "é".repeat(100));
        let err = Transcript::parse(&line).unwrap_err();
        let TranscriptErrorKind::UnknownLine(excerpt) = err.kind else {
            panic!("{err}");
        };
        assert_eq!(excerpt.chars().count(), 43);
    }

    #[test]
    fn largest_wait_round_trips() {
        let t = Transcript::new().wait(Duration::MAX);
        assert_eq!(Transcript::parse(&t.to_string()).unwrap(), t);
        let t = Transcript::new().wait(Duration::ZERO);
        assert_eq!(t.to_string(), "T+0ms\n");
        assert_eq!(Transcript::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn displays_canonically() {
        let t = Transcript::from(vec![
            server(b"220 caf\xc3\xa9 \r\n"),
            client(b"a\\b\r\n"),
            server(b"\r\n"),
            client(b""),
            server(b"x\r\ny\r\n"),
            Line::Wait(Duration::from_secs(90)),
            Line::Wait(Duration::from_secs(120)),
            Line::Wait(Duration::from_micros(1500)),
            Line::Tls,
            Line::Eof,
        ]);
        assert_eq!(
            t.to_string(),
            "S: 220 caf\\xc3\\xa9\\x20\n\
             C: a\\\\b\n\
             S:\n\
             C|\n\
             S: x\\r\\ny\n\
             T+90s\n\
             T+2m\n\
             T+1500us\n\
             * TLS\n\
             * EOF\n"
        );
        assert_eq!(Transcript::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn builders_split_at_crlf() {
        let t = Transcript::new()
            .client(b"A\r\nB\nC\r\n\r\nD")
            .server(b"")
            .tls()
            .eof();
        assert_eq!(
            t.lines,
            [
                client(b"A\r\n"),
                client(b"B\nC\r\n"),
                client(b"\r\n"),
                client(b"D"),
                Line::Tls,
                Line::Eof
            ]
        );
    }

    /// A transcript with arbitrary entries, for quickcheck.
    #[derive(Debug, Clone)]
    struct AnyTranscript(Transcript);

    fn any_bytes(g: &mut Gen) -> Bytes {
        let pool: &[u8] = &[
            b'a', b' ', b'\\', b'\r', b'\n', b'\t', 0, 0xff, b'x', b'#', b':',
        ];
        let len = usize::arbitrary(g) % 12;
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                if bool::arbitrary(g) {
                    *g.choose(pool).unwrap_or(&b'a')
                } else {
                    u8::arbitrary(g)
                }
            })
            .collect();
        if bool::arbitrary(g) {
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.into()
    }

    impl Arbitrary for AnyTranscript {
        fn arbitrary(g: &mut Gen) -> Self {
            let len = usize::arbitrary(g) % 20;
            let lines = (0..len)
                .map(|_| match u8::arbitrary(g) % 6 {
                    0 | 1 => Line::Server(any_bytes(g)),
                    2 | 3 => Line::Client(any_bytes(g)),
                    4 => Line::Wait(Duration::new(
                        u64::arbitrary(g),
                        u32::arbitrary(g) % 1_000_000_000,
                    )),
                    _ => {
                        if bool::arbitrary(g) {
                            Line::Tls
                        } else {
                            Line::Eof
                        }
                    }
                })
                .collect();
            AnyTranscript(Transcript { lines })
        }
    }

    #[test]
    fn quickcheck_display_then_parse_is_identity() {
        fn property(t: AnyTranscript) -> bool {
            Transcript::parse(&t.0.to_string()).as_ref() == Ok(&t.0)
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(property as fn(AnyTranscript) -> bool);
    }

    #[test]
    fn quickcheck_parse_never_panics() {
        fn property(text: String, noise: Vec<u8>) -> bool {
            let _ = Transcript::parse(&text);
            let mixed: String = noise
                .iter()
                .map(|b| match b % 12 {
                    0 => "S: ",
                    1 => "C| ",
                    2 => "\\x",
                    3 => "\\",
                    4 => "\n",
                    5 => "T+",
                    6 => "9",
                    7 => "ms",
                    8 => "* ",
                    9 => "TLS",
                    10 => "\r",
                    _ => "é",
                })
                .collect();
            let _ = Transcript::parse(&mixed);
            true
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(property as fn(String, Vec<u8>) -> bool);
    }
}
