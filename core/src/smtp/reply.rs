//! SMTP replies (RFC 5321 §4.2) and their incremental parser.
//!
//! A reply is one or more lines `NNN-text` ending with a line `NNN text` (or a bare `NNN`).
//! The parser is lenient about line ends (a bare LF is accepted) and strict about everything
//! else: codes must be three digits starting with 2–5 and equal on every line, and each line
//! and the number of lines are bounded.

use std::fmt;

use bytes::Bytes;

use crate::Error;
use crate::error::excerpt;

/// An enhanced mail system status code (RFC 3463, announced with RFC 2034), e.g. `5.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnhancedStatus {
    /// The class: 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject (up to three digits).
    pub subject: u16,
    /// The detail (up to three digits).
    pub detail: u16,
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl EnhancedStatus {
    /// Parses `class.subject.detail` at the start of `text`, followed by a space or the end.
    /// Returns the status and the number of bytes to strip (the code and one following space).
    fn parse_prefix(text: &[u8]) -> Option<(EnhancedStatus, usize)> {
        let (class, rest) = digits(text, 1)?;
        if !matches!(class, 2 | 4 | 5) {
            return None;
        }
        let rest = rest.strip_prefix(b".")?;
        let (subject, rest) = digits(rest, 3)?;
        let rest = rest.strip_prefix(b".")?;
        let (detail, rest) = digits(rest, 3)?;
        let strip = match rest.first() {
            None => text.len(),
            Some(b' ') => text.len() - rest.len() + 1,
            Some(_) => return None,
        };
        let status = EnhancedStatus {
            class: u8::try_from(class).ok()?,
            subject,
            detail,
        };
        Some((status, strip))
    }
}

/// Reads 1 to `max` ASCII digits from the start of `s`.
fn digits(s: &[u8], max: usize) -> Option<(u16, &[u8])> {
    let n = s
        .iter()
        .take(max + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 || n > max {
        return None;
    }
    let (num, rest) = s.split_at(n);
    let value = num
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    Some((value, rest))
}

/// A complete SMTP reply.
///
/// Its text comes from the server and is untrusted: [`Reply::text`] returns it as is (lossy
/// UTF-8), while `Display` replaces control characters so it is safe to print on a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code of the first line, when the server sent one whose class
    /// matches the reply code.
    pub enhanced: Option<EnhancedStatus>,
    /// The text of each line after `NNN-` / `NNN ` (raw bytes, without the line end; the
    /// enhanced status code is still included).
    pub lines: Vec<Bytes>,
}

impl Reply {
    /// A one-line reply, for tests and locally made replies. An enhanced status code at the
    /// start of `text` is recognized as the parser would.
    pub fn new(code: u16, text: &str) -> Reply {
        let enhanced = enhanced_for(code, text.as_bytes());
        Reply {
            code,
            enhanced,
            lines: vec![Bytes::copy_from_slice(text.as_bytes())],
        }
    }

    /// Whether the code is 2xx (completed).
    pub fn is_positive(&self) -> bool {
        self.code / 100 == 2
    }

    /// Whether the code is 3xx (intermediate: send more).
    pub fn is_intermediate(&self) -> bool {
        self.code / 100 == 3
    }

    /// Whether the code is 4xx (transient failure: try again later).
    pub fn is_transient(&self) -> bool {
        self.code / 100 == 4
    }

    /// Whether the code is 5xx (permanent failure).
    pub fn is_permanent(&self) -> bool {
        self.code / 100 == 5
    }

    /// The text of all lines joined with `"\n"` (lossy UTF-8), without the enhanced status
    /// code prefix. Untrusted server text: sanitize before showing it on a terminal.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&String::from_utf8_lossy(self.strip_enhanced(line)));
        }
        out
    }

    /// `line` without its enhanced status code prefix, if this reply uses them.
    fn strip_enhanced<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        if self.enhanced.is_none() {
            return line;
        }
        match EnhancedStatus::parse_prefix(line) {
            Some((status, n)) if u16::from(status.class) == self.code / 100 => {
                line.get(n..).unwrap_or_default()
            }
            _ => line,
        }
    }
}

/// The enhanced status code at the start of `text` if its class matches `code`.
fn enhanced_for(code: u16, text: &[u8]) -> Option<EnhancedStatus> {
    EnhancedStatus::parse_prefix(text)
        .map(|(status, _)| status)
        .filter(|status| u16::from(status.class) == code / 100)
}

impl fmt::Display for Reply {
    /// One line: `550 5.1.1 text of the first line …`, control characters replaced by U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(status) = self.enhanced {
            write!(f, " {status}")?;
        }
        let first = self
            .lines
            .first()
            .map(|line| self.strip_enhanced(line))
            .unwrap_or_default();
        if !first.is_empty() {
            f.write_str(" ")?;
            for c in String::from_utf8_lossy(first).chars() {
                let c = if c.is_control() { '\u{FFFD}' } else { c };
                write!(f, "{c}")?;
            }
        }
        if self.lines.len() > 1 {
            f.write_str(" …")?;
        }
        Ok(())
    }
}

/// Incremental parser of SMTP replies.
///
/// Call [`ReplyParser::parse`] with the buffered input each time more bytes arrive; the buffer
/// must start at the beginning of the reply and keep its earlier bytes until a reply is
/// returned (then drop the `consumed` bytes). Bytes are scanned only once across calls.
#[derive(Debug, Clone)]
pub struct ReplyParser {
    max_line_len: usize,
    max_lines: usize,
    /// Where the current (incomplete) line starts.
    line_start: usize,
    /// How far the current line has been searched for its LF.
    searched: usize,
    /// The code of the reply's first line.
    code: Option<u16>,
    /// The text of each complete line so far, as ranges of the buffer.
    lines: Vec<(usize, usize)>,
}

impl ReplyParser {
    /// A parser allowing lines of at most `max_line_len` bytes (line end included) and replies
    /// of at most `max_lines` lines.
    pub fn new(max_line_len: usize, max_lines: usize) -> Self {
        ReplyParser {
            max_line_len,
            max_lines,
            line_start: 0,
            searched: 0,
            code: None,
            lines: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.line_start = 0;
        self.searched = 0;
        self.code = None;
        self.lines.clear();
    }

    /// Parses one complete reply from the start of `buf`. `Ok(None)` means more bytes are
    /// needed; `Ok(Some((reply, consumed)))` gives the reply and how many bytes it took.
    pub fn parse(&mut self, buf: &[u8]) -> Result<Option<(Reply, usize)>, Error> {
        if buf.len() < self.searched {
            // The caller dropped bytes we had scanned: start over rather than misread.
            self.reset();
        }
        let result = self.parse_lines(buf);
        if !matches!(result, Ok(None)) {
            self.reset();
        }
        result
    }

    fn parse_lines(&mut self, buf: &[u8]) -> Result<Option<(Reply, usize)>, Error> {
        loop {
            let unsearched = buf.get(self.searched..).unwrap_or_default();
            let Some(lf) = memchr::memchr(b'\n', unsearched).map(|i| self.searched + i) else {
                self.searched = buf.len();
                if buf.len() - self.line_start >= self.max_line_len {
                    return Err(Error::LineTooLong {
                        limit: self.max_line_len,
                    });
                }
                return Ok(None);
            };
            let end = lf + 1;
            if end - self.line_start > self.max_line_len {
                return Err(Error::LineTooLong {
                    limit: self.max_line_len,
                });
            }
            if self.lines.len() >= self.max_lines {
                return Err(Error::TooManyReplyLines {
                    limit: self.max_lines,
                });
            }
            let start = self.line_start;
            let raw = buf.get(start..lf).unwrap_or_default();
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let (code, last) = self.parse_line(raw)?;
            // The text starts after "NNN-" / "NNN " (or is empty for a bare "NNN").
            let text_start = (start + 4).min(start + raw.len());
            self.lines.push((text_start, start + raw.len()));
            self.line_start = end;
            self.searched = end;
            if last {
                let lines = self
                    .lines
                    .iter()
                    .map(|&(s, e)| Bytes::copy_from_slice(buf.get(s..e).unwrap_or_default()))
                    .collect::<Vec<_>>();
                let enhanced = lines.first().and_then(|l| enhanced_for(code, l));
                let reply = Reply {
                    code,
                    enhanced,
                    lines,
                };
                return Ok(Some((reply, end)));
            }
        }
    }

    /// Checks one line (without its line end); returns its code and whether it is the last.
    fn parse_line(&mut self, line: &[u8]) -> Result<(u16, bool), Error> {
        let malformed = |why: &str| Error::MalformedReply(format!("{why}: \"{}\"", excerpt(line)));
        let code = match line.get(..3) {
            Some(&[a @ b'2'..=b'5', b @ b'0'..=b'9', c @ b'0'..=b'9']) => {
                u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
            }
            _ => return Err(malformed("expected a reply code 200-599")),
        };
        let last = match line.get(3) {
            None | Some(b' ') => true,
            Some(b'-') => false,
            Some(_) => return Err(malformed("expected '-' or ' ' after the reply code")),
        };
        match self.code {
            None => self.code = Some(code),
            Some(first) if first != code => {
                return Err(malformed("reply code differs from the first line's"));
            }
            Some(_) => {}
        }
        Ok((code, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::{Arbitrary, Gen, QuickCheck};

    fn parse_all(input: &[u8]) -> Result<Option<(Reply, usize)>, Error> {
        ReplyParser::new(512, 100).parse(input)
    }

    fn lines(reply: &Reply) -> Vec<&[u8]> {
        reply.lines.iter().map(|l| l.as_ref()).collect()
    }

    #[test]
    fn single_line() {
        let (reply, n) = parse_all(b"250 OK\r\nrest").unwrap().unwrap();
        assert_eq!(n, 8);
        assert_eq!(reply.code, 250);
        assert_eq!(lines(&reply), [b"OK"]);
        assert!(reply.is_positive());
        assert_eq!(reply.text(), "OK");
    }

    #[test]
    fn multi_line() {
        let input = b"250-mx.example.org Hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n";
        let (reply, n) = parse_all(input).unwrap().unwrap();
        assert_eq!(n, input.len());
        assert_eq!(
            lines(&reply),
            [&b"mx.example.org Hello"[..], b"PIPELINING", b"SIZE 1000"]
        );
        assert_eq!(reply.text(), "mx.example.org Hello\nPIPELINING\nSIZE 1000");
        assert_eq!(reply.to_string(), "250 mx.example.org Hello …");
    }

    #[test]
    fn bare_code_is_last_line() {
        let (reply, _) = parse_all(b"250-first\r\n250\r\n").unwrap().unwrap();
        assert_eq!(lines(&reply), [&b"first"[..], b""]);
        let (reply, _) = parse_all(b"354\n").unwrap().unwrap();
        assert_eq!(reply.code, 354);
        assert!(reply.is_intermediate());
        assert_eq!(reply.to_string(), "354");
    }

    #[test]
    fn lf_only_line_ends() {
        let (reply, n) = parse_all(b"250-a\n250 b\nxx").unwrap().unwrap();
        assert_eq!(n, 12);
        assert_eq!(lines(&reply), [b"a", b"b"]);
    }

    #[test]
    fn incomplete_needs_more() {
        let mut p = ReplyParser::new(512, 100);
        assert_eq!(p.parse(b"").unwrap(), None);
        assert_eq!(p.parse(b"25").unwrap(), None);
        assert_eq!(p.parse(b"250-a\r\n250 b").unwrap(), None);
        assert_eq!(p.parse(b"250-a\r\n250 b\r").unwrap(), None);
        let (reply, n) = p.parse(b"250-a\r\n250 b\r\n").unwrap().unwrap();
        assert_eq!((lines(&reply), n), (vec![&b"a"[..], b"b"], 14));
        // The parser starts afresh for the next reply.
        let (reply, _) = p.parse(b"221 bye\r\n").unwrap().unwrap();
        assert_eq!(reply.code, 221);
    }

    #[test]
    fn mismatched_codes() {
        let err = parse_all(b"250-a\r\n251 b\r\n").unwrap_err();
        assert!(matches!(err, Error::MalformedReply(_)), "{err:?}");
    }

    #[test]
    fn malformed_lines() {
        for bad in [
            &b"abc\r\n"[..],
            b"25\r\n",
            b"\r\n",
            b"150 x\r\n",
            b"650 x\r\n",
            b"250x\r\n",
            b"2500\r\n",
            b" 250 x\r\n",
            b"\xff\xfe\xfd\n",
        ] {
            let err = parse_all(bad).unwrap_err();
            assert!(matches!(err, Error::MalformedReply(_)), "{bad:?}: {err:?}");
        }
    }

    #[test]
    fn line_length_limit() {
        let mut p = ReplyParser::new(10, 5);
        assert!(p.parse(b"250 abcd\r\n").unwrap().is_some()); // exactly 10
        assert_eq!(
            p.parse(b"250 abcde\r\n"),
            Err(Error::LineTooLong { limit: 10 })
        );
        // Without a line end: fails as soon as no line end can fit any more.
        let mut p = ReplyParser::new(10, 5);
        assert_eq!(p.parse(b"250 abcde"), Ok(None));
        assert_eq!(
            p.parse(b"250 abcdef"),
            Err(Error::LineTooLong { limit: 10 })
        );
        // Every line counts, not only the first.
        let mut p = ReplyParser::new(10, 5);
        assert_eq!(
            p.parse(b"250-a\r\n250 abcdefghijk"),
            Err(Error::LineTooLong { limit: 10 })
        );
    }

    #[test]
    fn line_count_limit() {
        let mut p = ReplyParser::new(100, 2);
        assert!(p.parse(b"250-a\r\n250 b\r\n").unwrap().is_some());
        assert_eq!(
            p.parse(b"250-a\r\n250-b\r\n250 c\r\n"),
            Err(Error::TooManyReplyLines { limit: 2 })
        );
    }

    #[test]
    fn error_does_not_echo_huge_text() {
        let mut input = b"250-a\r\n251 ".to_vec();
        input.extend(std::iter::repeat_n(b'x', 10_000));
        input.extend_from_slice(b"\r\n");
        let err = ReplyParser::new(100_000, 10).parse(&input).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
    }

    #[test]
    fn enhanced_status() {
        let (reply, _) = parse_all(b"550-5.1.1 no such\r\n550 5.1.1 user\r\n")
            .unwrap()
            .unwrap();
        let status = EnhancedStatus {
            class: 5,
            subject: 1,
            detail: 1,
        };
        assert_eq!(reply.enhanced, Some(status));
        assert_eq!(status.to_string(), "5.1.1");
        assert_eq!(reply.text(), "no such\nuser");
        assert_eq!(lines(&reply), [&b"5.1.1 no such"[..], b"5.1.1 user"]);
        assert_eq!(reply.to_string(), "550 5.1.1 no such …");
        assert!(reply.is_permanent());

        let (reply, _) = parse_all(b"452 4.3.123 full\r\n").unwrap().unwrap();
        assert_eq!(
            reply.enhanced,
            Some(EnhancedStatus {
                class: 4,
                subject: 3,
                detail: 123
            })
        );
        assert!(reply.is_transient());
        let (reply, _) = parse_all(b"250 2.0.0\r\n").unwrap().unwrap();
        assert_eq!(
            (reply.enhanced.is_some(), reply.text()),
            (true, String::new())
        );
    }

    #[test]
    fn not_enhanced_status() {
        for input in [
            &b"550 4.1.1 class differs\r\n"[..],
            b"550 5.1 short\r\n",
            b"550 5.1.1234 long\r\n",
            b"550 5.1.1x glued\r\n",
            b"550 3.1.1 bad class\r\n",
            b"250 8BITMIME\r\n",
        ] {
            let (reply, _) = parse_all(input).unwrap().unwrap();
            assert_eq!(reply.enhanced, None, "{input:?}");
            assert_eq!(reply.text().as_bytes(), &input[4..input.len() - 2]);
        }
    }

    #[test]
    fn reply_new() {
        let reply = Reply::new(550, "5.7.1 denied");
        assert_eq!(
            reply.enhanced.map(|e| e.to_string()).as_deref(),
            Some("5.7.1")
        );
        assert_eq!(reply.text(), "denied");
        assert_eq!(reply.to_string(), "550 5.7.1 denied");
        assert_eq!(
            reply,
            parse_all(b"550 5.7.1 denied\r\n").unwrap().unwrap().0
        );
        assert_eq!(Reply::new(250, "OK").to_string(), "250 OK");
    }

    #[test]
    fn display_neutralizes_terminal_escapes() {
        let (reply, _) = parse_all(b"220 \x1b[31mevil\x07\x9b\r\n").unwrap().unwrap();
        let shown = reply.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.starts_with("220 \u{FFFD}[31mevil"));
        // A CR inside the text cannot break the line either.
        let (reply, _) = parse_all(b"250 a\rb\r\n").unwrap().unwrap();
        assert_eq!(reply.to_string(), "250 a\u{FFFD}b");
    }

    #[test]
    fn shrunk_buffer_restarts() {
        let mut p = ReplyParser::new(512, 10);
        assert_eq!(p.parse(b"250-abc\r\n250 de"), Ok(None));
        // A caller that misuses the API gets a sensible answer, never a panic.
        let (reply, _) = p.parse(b"221 x\r\n").unwrap().unwrap();
        assert_eq!(reply.code, 221);
    }

    /// A valid reply: its code, its line texts, and the line ends to use.
    #[derive(Debug, Clone)]
    struct ValidReply {
        code: u16,
        texts: Vec<Vec<u8>>,
        crlf: Vec<bool>,
    }

    impl ValidReply {
        fn wire(&self) -> Vec<u8> {
            let mut out = Vec::new();
            for (i, text) in self.texts.iter().enumerate() {
                let last = i + 1 == self.texts.len();
                out.extend_from_slice(self.code.to_string().as_bytes());
                if !(last && text.is_empty()) {
                    out.push(if last { b' ' } else { b'-' });
                }
                out.extend_from_slice(text);
                if self.crlf.get(i).copied().unwrap_or(true) {
                    out.push(b'\r');
                }
                out.push(b'\n');
            }
            out
        }
    }

    impl Arbitrary for ValidReply {
        fn arbitrary(g: &mut Gen) -> Self {
            let code = 200 + u16::arbitrary(g) % 400;
            let n = 1 + usize::arbitrary(g) % 5;
            let texts = (0..n)
                .map(|_| {
                    Vec::<u8>::arbitrary(g)
                        .into_iter()
                        .filter(|&b| b != b'\n' && b != b'\r')
                        .take(60)
                        .collect()
                })
                .collect();
            let crlf = (0..n).map(|_| bool::arbitrary(g)).collect();
            ValidReply { code, texts, crlf }
        }
    }

    #[test]
    fn quickcheck_chunk_split_invariance() {
        fn prop(reply: ValidReply, split: usize) -> bool {
            let wire = reply.wire();
            let whole = parse_all(&wire).unwrap().unwrap();
            if whole.1 != wire.len() || lines(&whole.0) != reply.texts {
                return false;
            }
            let split = split % wire.len();
            let mut p = ReplyParser::new(512, 100);
            p.parse(&wire[..split]) == Ok(None) && p.parse(&wire) == Ok(Some(whole))
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(prop as fn(ValidReply, usize) -> bool);
    }

    #[test]
    fn quickcheck_byte_by_byte_same_result() {
        fn prop(reply: ValidReply) -> bool {
            let wire = reply.wire();
            let whole = parse_all(&wire);
            let mut p = ReplyParser::new(512, 100);
            for end in 1..wire.len() {
                if p.parse(&wire[..end]) != Ok(None) {
                    return false;
                }
            }
            p.parse(&wire) == whole
        }
        QuickCheck::new().quickcheck(prop as fn(ValidReply) -> bool);
    }

    #[test]
    fn quickcheck_never_panics() {
        fn prop(chunks: Vec<Vec<u8>>, max_line: u8, max_lines: u8) -> bool {
            let mut p = ReplyParser::new(usize::from(max_line), usize::from(max_lines));
            let mut buf = Vec::new();
            for chunk in chunks {
                buf.extend_from_slice(&chunk);
                loop {
                    match p.parse(&buf) {
                        Ok(Some((reply, n))) => {
                            let _ = (reply.text(), reply.to_string());
                            if n == 0 || n > buf.len() {
                                return false;
                            }
                            buf.drain(..n);
                        }
                        Ok(None) => break,
                        Err(_) => return true,
                    }
                }
            }
            true
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(prop as fn(Vec<Vec<u8>>, u8, u8) -> bool);
    }

    #[test]
    fn quickcheck_never_panics_on_smtp_like_bytes() {
        // Arbitrary bytes rarely look like replies; bias them towards digits and line ends.
        fn prop(picks: Vec<u8>) -> bool {
            const ALPHABET: &[u8] = b"2345 -\r\n0.1\xff";
            let bytes: Vec<u8> = picks
                .iter()
                .map(|&i| ALPHABET[usize::from(i) % ALPHABET.len()])
                .collect();
            let mut p = ReplyParser::new(16, 4);
            let mut buf = Vec::new();
            for b in bytes {
                buf.push(b);
                match p.parse(&buf) {
                    Ok(Some((reply, n))) => {
                        let _ = (reply.text(), reply.to_string());
                        buf.drain(..n);
                    }
                    Ok(None) => {}
                    Err(_) => return true,
                }
            }
            true
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(prop as fn(Vec<u8>) -> bool);
    }
}
