//! Quoted-printable (RFC 2045 §6.7): encoding with soft line breaks and a lenient decoder.
//!
//! The decoder follows the robustness notes of §6.7: soft breaks `=\r\n` and `=\n` (also with
//! whitespace between the `=` and the line end) are removed, whitespace at the end of a line is
//! removed, and malformed escapes such as `=G1` or a lone `=` are kept literally and reported as
//! a defect. It is a state machine that copies plain runs (found with `memchr`) in bulk, so it
//! runs in linear time and gives the same result however the input is split into chunks.

use super::{Decoded, StreamDecoder};

/// The longest encoded line, not counting CRLF (RFC 2045 §6.7 rule 5).
const MAX_LINE: usize = 76;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Encodes `input` as quoted-printable.
///
/// CRLF pairs are kept as hard line breaks; bare CR and LF, `=`, control and 8-bit bytes are
/// escaped as `=XX`, as is whitespace at the end of a line or of the input. Lines are broken
/// with soft breaks so that none exceeds 76 characters before its CRLF.
pub fn encode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 8);
    let mut col = 0;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'\r' && input.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            col = 0;
            i += 2;
            continue;
        }
        let at_line_end = match input.get(i + 1) {
            None => true,
            Some(&b'\r') => input.get(i + 2) == Some(&b'\n'),
            Some(_) => false,
        };
        let literal = match b {
            b'!'..=b'<' | b'>'..=b'~' => true,
            b' ' | b'\t' => !at_line_end,
            _ => false,
        };
        let width = if literal { 1 } else { 3 };
        // Keep room for the `=` of a soft break, unless this is the line's last character.
        let limit = if at_line_end { MAX_LINE } else { MAX_LINE - 1 };
        if col + width > limit {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
        col += width;
        i += 1;
    }
    out
}

/// Decodes quoted-printable leniently (see the [module docs](self)); never fails.
pub fn decode(input: &[u8]) -> Decoded {
    let mut decoder = QuotedPrintableDecoder::new();
    let mut bytes = Vec::with_capacity(input.len());
    decoder.decode_chunk(input, &mut bytes);
    decoder.finish(&mut bytes);
    Decoded {
        bytes,
        defect: decoder.has_defect(),
    }
}

/// Where the decoder is inside the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    /// Ordinary text; `pending` holds whitespace that is dropped if a line end follows.
    #[default]
    Text,
    /// After a CR in text (`pending` still held).
    Cr,
    /// After `=`.
    Equals,
    /// After `=` and one hex digit.
    EqualsHex(u8),
    /// After `=` and whitespace (`pending` holds it): a soft break if a line end follows.
    EqualsSpace,
    /// After `=`, maybe whitespace, then CR.
    EqualsCr,
}

/// A streaming, lenient quoted-printable decoder (see [`StreamDecoder`]).
#[derive(Debug, Clone, Default)]
pub struct QuotedPrintableDecoder {
    state: State,
    /// Whitespace whose fate depends on what follows.
    pending: Vec<u8>,
    defect: bool,
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        // Lowercase is not canonical but common; accept it.
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

impl QuotedPrintableDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    fn flush_pending(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.pending);
        self.pending.clear();
    }
}

impl StreamDecoder for QuotedPrintableDecoder {
    fn decode_chunk(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len());
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                State::Text => {
                    if !matches!(b, b'\r' | b'\n' | b'=') {
                        // Bulk-copy the plain run up to the next `=` or line end; its trailing
                        // whitespace waits in `pending` for what follows.
                        let end = memchr::memchr3(b'=', b'\r', b'\n', &input[i..])
                            .map_or(input.len(), |p| i + p);
                        let run = &input[i..end];
                        let kept = run
                            .iter()
                            .rposition(|c| !matches!(c, b' ' | b'\t'))
                            .map_or(0, |p| p + 1);
                        if kept > 0 {
                            self.flush_pending(out);
                            out.extend_from_slice(&run[..kept]);
                        }
                        self.pending.extend_from_slice(&run[kept..]);
                        i = end;
                        continue;
                    }
                    match b {
                        b'\r' => self.state = State::Cr,
                        b'\n' => {
                            self.pending.clear();
                            out.push(b'\n');
                        }
                        _ => {
                            self.flush_pending(out);
                            self.state = State::Equals;
                        }
                    }
                }
                State::Cr => {
                    self.state = State::Text;
                    if b == b'\n' {
                        self.pending.clear();
                        out.extend_from_slice(b"\r\n");
                    } else {
                        // A lone CR is data.
                        self.flush_pending(out);
                        out.push(b'\r');
                        continue;
                    }
                }
                State::Equals => match b {
                    _ if hex_value(b).is_some() => self.state = State::EqualsHex(b),
                    b' ' | b'\t' => {
                        self.pending.push(b);
                        self.state = State::EqualsSpace;
                    }
                    b'\r' => self.state = State::EqualsCr,
                    b'\n' => self.state = State::Text,
                    _ => {
                        self.defect = true;
                        out.push(b'=');
                        self.state = State::Text;
                        continue;
                    }
                },
                State::EqualsHex(h) => {
                    self.state = State::Text;
                    match (hex_value(h), hex_value(b)) {
                        (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                        _ => {
                            self.defect = true;
                            out.extend_from_slice(&[b'=', h]);
                            continue;
                        }
                    }
                }
                State::EqualsSpace => match b {
                    b' ' | b'\t' => self.pending.push(b),
                    b'\r' => self.state = State::EqualsCr,
                    b'\n' => {
                        self.pending.clear();
                        self.state = State::Text;
                    }
                    _ => {
                        self.defect = true;
                        out.push(b'=');
                        self.flush_pending(out);
                        self.state = State::Text;
                        continue;
                    }
                },
                State::EqualsCr => {
                    self.state = State::Text;
                    if b == b'\n' {
                        self.pending.clear();
                    } else {
                        self.defect = true;
                        out.push(b'=');
                        self.flush_pending(out);
                        out.push(b'\r');
                        continue;
                    }
                }
            }
            i += 1;
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        match self.state {
            // Trailing whitespace at the end of the input is removed like at a line end.
            State::Text => {}
            State::Cr => out.push(b'\r'),
            State::Equals | State::EqualsSpace => {
                self.defect = true;
                out.push(b'=');
            }
            State::EqualsHex(h) => {
                self.defect = true;
                out.extend_from_slice(&[b'=', h]);
            }
            // `=\r` at the end: a soft break whose LF was cut off.
            State::EqualsCr => self.defect = true,
        }
        self.pending.clear();
        self.state = State::Text;
    }

    fn has_defect(&self) -> bool {
        self.defect
    }

    fn reset(&mut self) {
        self.state = State::Text;
        self.pending.clear();
        self.defect = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    fn dec(s: &str) -> (Vec<u8>, bool) {
        let d = decode(s.as_bytes());
        (d.bytes, d.defect)
    }

    #[test]
    fn decodes_escapes_and_soft_breaks() {
        assert_eq!(dec("caf=C3=A9"), ("café".as_bytes().to_vec(), false));
        assert_eq!(dec("caf=c3=a9"), ("café".as_bytes().to_vec(), false));
        assert_eq!(dec("ab=\r\ncd=\nef"), (b"abcdef".to_vec(), false));
        assert_eq!(dec("ab=  \r\ncd"), (b"abcd".to_vec(), false));
        assert_eq!(dec("ab  \r\ncd\t\nx "), (b"ab\r\ncd\nx".to_vec(), false));
        assert_eq!(dec("a b=20\r\n"), (b"a b \r\n".to_vec(), false));
        assert_eq!(dec("a\rb"), (b"a\rb".to_vec(), false));
        // Whitespace inside a plain run, before an escape, and at the end of a line.
        assert_eq!(
            dec("a \t b  =41 c  \r\n"),
            (b"a \t b  A c\r\n".to_vec(), false)
        );
    }

    #[test]
    fn security_case_58_malformations() {
        assert_eq!(dec("a=\r\n"), (b"a".to_vec(), false));
        assert_eq!(dec("=G1"), (b"=G1".to_vec(), true));
        assert_eq!(dec("=1G"), (b"=1G".to_vec(), true));
        assert_eq!(dec("abc="), (b"abc=".to_vec(), true));
        assert_eq!(dec("abc=4"), (b"abc=4".to_vec(), true));
        assert_eq!(dec("a= b"), (b"a= b".to_vec(), true));
        let bomb = "=\r\n".repeat(100_000) + "x" + &"=\n".repeat(100_000);
        let start = std::time::Instant::now();
        assert_eq!(dec(&bomb), (b"x".to_vec(), false));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn encodes_with_soft_breaks_and_escapes() {
        assert_eq!(encode(b"a=b \r\nc\t"), b"a=3Db=20\r\nc=09");
        assert_eq!(encode("é\n".as_bytes()), b"=C3=A9=0A");
        let long = encode(&[b'x'; 200]);
        for line in long.split(|&b| b == b'\n') {
            assert!(line.len() <= 77);
        }
        assert_eq!(decode(&long).bytes, vec![b'x'; 200]);
        assert_eq!(encode(&[b'x'; 76]), [b'x'; 76]);
    }

    #[test]
    fn prop_round_trip() {
        fn prop(data: Vec<u8>) -> bool {
            let d = decode(&encode(&data));
            d.bytes == data && !d.defect
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }

    #[test]
    fn prop_round_trip_text() {
        fn prop(data: String) -> bool {
            let text = data.replace('\n', "\r\n");
            decode(&encode(text.as_bytes())).bytes == text.as_bytes()
        }
        QuickCheck::new().quickcheck(prop as fn(String) -> bool);
    }

    #[test]
    fn prop_line_length() {
        fn prop(data: Vec<u8>) -> bool {
            encode(&data)
                .split(|&b| b == b'\n')
                .all(|l| l.strip_suffix(b"\r").unwrap_or(l).len() <= MAX_LINE)
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }

    #[test]
    fn prop_chunking_invariant_and_no_panic() {
        fn prop(data: Vec<u8>, cuts: Vec<usize>) -> bool {
            // Bias towards the interesting characters.
            let data: Vec<u8> = data
                .iter()
                .map(|b| {
                    if b % 2 == 0 {
                        b"= \t\r\nA3g"[*b as usize % 8]
                    } else {
                        *b
                    }
                })
                .collect();
            let mut d = QuotedPrintableDecoder::new();
            let mut bytes = Vec::new();
            let mut pos = 0;
            for c in cuts {
                let end = (pos + c % 7).min(data.len());
                d.decode_chunk(&data[pos..end], &mut bytes);
                pos = end;
            }
            d.decode_chunk(&data[pos..], &mut bytes);
            d.finish(&mut bytes);
            let whole = decode(&data);
            whole.bytes == bytes && whole.defect == d.has_defect()
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, Vec<usize>) -> bool);
    }
}
