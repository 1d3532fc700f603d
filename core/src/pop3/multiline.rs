//! Multi-line replies (RFC 1939 §3): the dot-terminated body after a `+OK` line.
//!
//! [`DotDecoder`] streams a body out of the input buffer: it removes the byte-stuffing dot of a
//! line starting with `..` (`..x` → `.x`) and stops exactly at `CRLF . CRLF`. Only `CRLF` ends a
//! line: a bare LF or bare CR is data, so `\n.\n` and `\r\n.\n` end nothing. A line starting
//! with one dot and something else (`.x`, `. x`), which no conforming server sends, is kept as
//! it is: RFC 1939 would drop its dot, but data is never dropped on a guess (security-cases
//! row 49). Nothing accumulates: bytes
//! leave as soon as it is known that they are data (at most two bytes wait for the next input,
//! to decide a line start or a split `CRLF`).
//!
//! [`Lines`] collects the decoded body of a listing (`LIST`, `UIDL`, `CAPA`, `LANG`) into
//! bounded lines.

use bytes::{Buf, Bytes, BytesMut};
use memchr::memmem;

use crate::error::Error;

/// Where the decoder is within the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the first byte of a line (right after the status line or a `CRLF`).
    LineStart,
    /// Inside a line.
    Inside,
}

/// Decodes one dot-terminated POP3 body incrementally: only `CRLF . CRLF` ends it, a line
/// starting with `..` loses one dot, and every other byte (bare CR or LF included) is data.
///
/// A line starting with one dot and something else (`.x`, `. x`), which no conforming server
/// sends, is kept as it is: RFC 1939 would drop its dot, but data is never dropped on a guess
/// (security-cases row 49). Nothing accumulates: at most two bytes wait in the buffer for the
/// next input.
///
/// ```
/// use bytes::BytesMut;
/// use mail_kit_core::pop3::DotDecoder;
///
/// let mut decoder = DotDecoder::new();
/// let mut buf = BytesMut::from(&b"..x\r\nbare\n.\nLF\r\n.\r\n+OK next"[..]);
/// let mut body = Vec::new();
/// assert!(decoder.decode(&mut buf, |piece| body.extend_from_slice(&piece)));
/// assert_eq!(body, b".x\r\nbare\n.\nLF\r\n");
/// assert_eq!(&buf[..], b"+OK next");
/// ```
#[derive(Debug, Clone)]
pub struct DotDecoder {
    state: State,
}

impl Default for DotDecoder {
    fn default() -> Self {
        DotDecoder::new()
    }
}

impl DotDecoder {
    /// A decoder at the start of the body (right after the `+OK` line).
    pub fn new() -> Self {
        DotDecoder {
            state: State::LineStart,
        }
    }

    /// Takes what it can from the front of `buf`, handing each decoded piece to `out`.
    /// Returns `true` once the terminating `.CRLF` line was consumed (the bytes after it stay in
    /// `buf`).
    ///
    /// Pieces are slices of `buf`'s storage (no copy); a piece ends only where a stuffing dot
    /// was removed or the input ran out.
    pub fn decode(&mut self, buf: &mut BytesMut, mut out: impl FnMut(Bytes)) -> bool {
        loop {
            match self.state {
                State::LineStart => {
                    match (buf.first(), buf.get(1), buf.get(2)) {
                        (None, ..) | (Some(b'.'), None, _) | (Some(b'.'), Some(b'\r'), None) => {
                            return false;
                        }
                        (Some(b'.'), Some(b'\r'), Some(b'\n')) => {
                            buf.advance(3);
                            self.state = State::LineStart;
                            return true;
                        }
                        // A stuffed line: drop the first dot, keep the rest as data.
                        (Some(b'.'), Some(b'.'), _) => buf.advance(1),
                        _ => {}
                    }
                    self.state = State::Inside;
                }
                State::Inside => {
                    let mut pos = 0;
                    loop {
                        match memmem::find(&buf[pos..], b"\r\n") {
                            Some(i) => {
                                pos += i + 2;
                                if pos == buf.len() || buf[pos] == b'.' {
                                    out(buf.split_to(pos).freeze());
                                    self.state = State::LineStart;
                                    break;
                                }
                            }
                            None => {
                                // Keep a trailing CR: it may start the CRLF that ends the line.
                                let keep = usize::from(buf.last() == Some(&b'\r'));
                                let n = buf.len() - keep;
                                if n > 0 {
                                    out(buf.split_to(n).freeze());
                                }
                                return false;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether the decoder is at the start of a line.
    #[cfg(test)]
    fn is_at_line_start(&self) -> bool {
        self.state == State::LineStart
    }
}

/// Collects a decoded listing into lines (without line ends), within limits.
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    partial: BytesMut,
    lines: Vec<Bytes>,
    /// Bytes pushed so far.
    size: usize,
    max_line_len: usize,
    max_lines: usize,
    max_size: usize,
}

impl Lines {
    /// An empty collector: lines of at most `max_line_len` bytes (line end included), at most
    /// `max_lines` of them, at most `max_size` bytes in all.
    pub(crate) fn new(max_line_len: usize, max_lines: usize, max_size: usize) -> Self {
        Lines {
            partial: BytesMut::new(),
            lines: Vec::new(),
            size: 0,
            max_line_len,
            max_lines,
            max_size,
        }
    }

    /// Adds a decoded piece.
    pub(crate) fn push(&mut self, piece: &[u8]) -> Result<(), Error> {
        self.size += piece.len();
        if self.size > self.max_size {
            return Err(Error::ReplyTooLarge {
                limit: self.max_size,
            });
        }
        self.partial.extend_from_slice(piece);
        while let Some(lf) = memchr::memchr(b'\n', &self.partial) {
            let line = self.partial.split_to(lf + 1);
            self.add(line.freeze())?;
        }
        if self.partial.len() >= self.max_line_len {
            return Err(Error::LineTooLong {
                limit: self.max_line_len,
            });
        }
        Ok(())
    }

    fn add(&mut self, mut line: Bytes) -> Result<(), Error> {
        if line.len() > self.max_line_len {
            return Err(Error::LineTooLong {
                limit: self.max_line_len,
            });
        }
        if self.lines.len() >= self.max_lines {
            return Err(Error::TooManyReplyLines {
                limit: self.max_lines,
            });
        }
        let end = line.len() - usize::from(line.ends_with(b"\n"));
        let end = end - usize::from(line[..end].ends_with(b"\r"));
        line.truncate(end);
        self.lines.push(line);
        Ok(())
    }

    /// The lines, once the body ended.
    pub(crate) fn finish(mut self) -> Result<Vec<Bytes>, Error> {
        if !self.partial.is_empty() {
            let rest = self.partial.split().freeze();
            self.add(rest)?;
        }
        Ok(self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in chunks of `chunk` bytes; returns the body, whether it ended, and
    /// the bytes left after it.
    fn decode(input: &[u8], chunk: usize) -> (Vec<u8>, bool, Vec<u8>) {
        let mut d = DotDecoder::new();
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        let mut done = false;
        for piece in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            if !done {
                done = d.decode(&mut buf, |b| body.extend_from_slice(&b));
            }
            // Never more than two bytes held back.
            assert!(done || buf.len() <= 2, "held {:?}", buf);
        }
        (body, done, buf.to_vec())
    }

    fn all_chunkings(input: &[u8], body: &[u8], rest: &[u8]) {
        for chunk in 1..=input.len() {
            let (b, done, r) = decode(input, chunk);
            assert!(done, "chunk {chunk}: {input:?}");
            assert_eq!(b, body, "chunk {chunk}: {input:?}");
            assert_eq!(r, rest, "chunk {chunk}: {input:?}");
        }
    }

    #[test]
    fn unstuffing_is_exact() {
        all_chunkings(b".\r\n", b"", b"");
        all_chunkings(b"a\r\n.\r\nNEXT", b"a\r\n", b"NEXT");
        all_chunkings(b"..x\r\n.\r\n", b".x\r\n", b"");
        all_chunkings(b".x\r\n.\r\n", b".x\r\n", b"");
        all_chunkings(b". x\r\n.\r\n", b". x\r\n", b"");
        all_chunkings(b". \r\n.\r\n", b". \r\n", b"");
        all_chunkings(b"..\r\n.\r\n", b".\r\n", b"");
        all_chunkings(b"...\r\n.\r\n", b"..\r\n", b"");
        all_chunkings(b".\rx\r\n.\r\n", b".\rx\r\n", b"");
        all_chunkings(b"a\r\n\r\n.\r\n", b"a\r\n\r\n", b"");
    }

    #[test]
    fn bare_lf_and_cr_are_data() {
        all_chunkings(b"a\n.\nb\r\n.\r\n", b"a\n.\nb\r\n", b"");
        all_chunkings(b"a\r.\rb\r\n.\r\n", b"a\r.\rb\r\n", b"");
        all_chunkings(b"a\n.\r\nb\r\n.\r\n", b"a\n.\r\nb\r\n", b"");
        all_chunkings(b"a\r\r\n.\r\n", b"a\r\r\n", b"");
        // `.` then a bare LF at a line start is data, not a terminator.
        all_chunkings(b".\n\r\n.\r\n", b".\n\r\n", b"");
        all_chunkings(b"a\r\n.\nb\r\n.\r\n", b"a\r\n.\nb\r\n", b"");
    }

    #[test]
    fn unterminated_body_keeps_streaming() {
        let (body, done, rest) = decode(b"line\r\n..more\r\npartial\r", 3);
        assert!(!done);
        assert_eq!(body, b"line\r\n.more\r\npartial");
        assert_eq!(rest, b"\r");
        let mut d = DotDecoder::new();
        let mut buf = BytesMut::from(&b"x\r\n"[..]);
        assert!(!d.decode(&mut buf, |_| {}));
        assert!(d.is_at_line_start());
    }

    #[test]
    fn pieces_are_split_only_at_stuffing() {
        let mut d = DotDecoder::new();
        let mut buf = BytesMut::from(&b"a\r\nb\r\n..c\r\nd\r\n.\r\n"[..]);
        let mut pieces = Vec::new();
        assert!(d.decode(&mut buf, |b| pieces.push(b)));
        assert_eq!(pieces, [&b"a\r\nb\r\n"[..], b".c\r\nd\r\n"]);
    }

    #[test]
    fn lines_collect_within_limits() {
        let mut l = Lines::new(8, 3, 100);
        l.push(b"1 100\r\n2 2").unwrap();
        l.push(b"00\r\n").unwrap();
        assert_eq!(l.finish().unwrap(), [&b"1 100"[..], b"2 200"]);
        let mut l = Lines::new(8, 3, 100);
        assert_eq!(l.push(b"123456789"), Err(Error::LineTooLong { limit: 8 }));
        let mut l = Lines::new(8, 2, 100);
        assert_eq!(
            l.push(b"a\r\nb\r\nc\r\n"),
            Err(Error::TooManyReplyLines { limit: 2 })
        );
        let mut l = Lines::new(8, 100, 10);
        l.push(b"1 1\r\n2 2\r\n").unwrap();
        assert_eq!(l.push(b"3"), Err(Error::ReplyTooLarge { limit: 10 }));
    }
}
