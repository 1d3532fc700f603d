//! Message content on the wire: line-end normalization, dot-stuffing and the `DATA`
//! terminator (RFC 5321 §4.1.1.4, §4.5.2), and the measurements `SIZE=` and `BDAT` need.
//!
//! Every line end of the input (CRLF, bare LF, bare CR) becomes CRLF, so no bare CR or LF ever
//! reaches the server and the only `CRLF.CRLF` written is the terminator (the SMTP smuggling
//! cases 26–30 of the security catalogue).

use bytes::{BufMut, BytesMut};

/// Longest text line in octets, line end excluded (RFC 5321 §4.5.3.1.6).
const MAX_TEXT_LINE: usize = 998;

/// Streaming DATA/BDAT content encoder: normalizes every line end (bare CR, bare LF, CRLF) to
/// CRLF, and when `stuff_dots` is on, doubles a '.' at the start of every line (the very first
/// byte included) and `finish` appends the terminator.
#[derive(Debug, Clone)]
pub struct DataEncoder {
    stuff_dots: bool,
    /// Nothing but complete lines has been written (also true before any content).
    at_line_start: bool,
    /// The last input byte was a CR, already written as CRLF: skip an LF that follows.
    after_cr: bool,
}

impl DataEncoder {
    /// A new encoder; `stuff_dots` for `DATA`, not for `BDAT`.
    pub fn new(stuff_dots: bool) -> Self {
        DataEncoder {
            stuff_dots,
            at_line_start: true,
            after_cr: false,
        }
    }

    /// Encodes the next piece of content into `out`. Any chunking of the input gives the same
    /// total output.
    pub fn encode(&mut self, input: &[u8], out: &mut BytesMut) {
        let mut i = 0;
        if self.after_cr {
            match input.first() {
                None => return,
                Some(b'\n') => i = 1,
                Some(_) => {}
            }
            self.after_cr = false;
        }
        out.reserve(input.len() - i + 2);
        // `input[run..i]` is copied verbatim when the next change is needed or at the end.
        let mut run = i;
        loop {
            if self.at_line_start {
                match input.get(i) {
                    None => break,
                    Some(b'.') if self.stuff_dots => {
                        // Copy what precedes this line, then the extra dot.
                        out.put_slice(input.get(run..i).unwrap_or_default());
                        out.put_u8(b'.');
                        run = i;
                    }
                    Some(_) => {}
                }
                self.at_line_start = false;
            }
            let rest = input.get(i..).unwrap_or_default();
            let Some(pos) = memchr::memchr2(b'\r', b'\n', rest).map(|p| i + p) else {
                i = input.len();
                break;
            };
            self.at_line_start = true;
            match (input.get(pos), input.get(pos + 1)) {
                // CRLF: already right, keep it in the run.
                (Some(b'\r'), Some(b'\n')) => i = pos + 2,
                // A bare CR or LF: copy the run before it, then a CRLF instead.
                (cr_or_lf, next) => {
                    out.put_slice(input.get(run..pos).unwrap_or_default());
                    out.put_slice(b"\r\n");
                    i = pos + 1;
                    run = i;
                    // A CR ending this piece may be the first half of a CRLF split in two.
                    self.after_cr = cr_or_lf == Some(&b'\r') && next.is_none();
                }
            }
        }
        out.put_slice(input.get(run..i).unwrap_or_default());
    }

    /// Ends the content: a CRLF if it did not end with a line end, then `.` CRLF when
    /// stuffing dots. Empty content gives just `.` CRLF (or nothing without stuffing).
    /// The encoder is ready for a new message afterwards.
    pub fn finish(&mut self, out: &mut BytesMut) {
        if !self.at_line_start {
            out.put_slice(b"\r\n");
        }
        if self.stuff_dots {
            out.put_slice(b".\r\n");
        }
        *self = DataEncoder::new(self.stuff_dots);
    }
}

/// The exact number of bytes `encode` + `finish` produce for `body` without dot-stuffing (the
/// value for `SIZE=` and `BDAT`).
pub(crate) fn encoded_len(body: &[u8]) -> u64 {
    let mut len = body.len() as u64;
    for pos in memchr::memchr2_iter(b'\r', b'\n', body) {
        let bare = match body.get(pos) {
            Some(b'\r') => body.get(pos + 1) != Some(&b'\n'),
            _ => pos == 0 || body.get(pos - 1) != Some(&b'\r'),
        };
        if bare {
            len += 1;
        }
    }
    if !matches!(body.last(), None | Some(b'\r' | b'\n')) {
        len += 2;
    }
    len
}

/// The first line longer than 998 octets after normalization (line end excluded), as its
/// 1-based line number and length.
pub(crate) fn longest_line(body: &[u8]) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut line = 1;
    for pos in memchr::memchr2_iter(b'\r', b'\n', body) {
        if body.get(pos) == Some(&b'\n') && pos > 0 && body.get(pos - 1) == Some(&b'\r') {
            // The LF of a CRLF: the line already ended at the CR.
            start = pos + 1;
            continue;
        }
        let len = pos - start;
        if len > MAX_TEXT_LINE {
            return Some((line, len));
        }
        line += 1;
        start = pos + 1;
    }
    let len = body.len().saturating_sub(start);
    (len > MAX_TEXT_LINE).then_some((line, len))
}

/// Whether `body` contains a NUL byte (needs BINARYMIME).
pub(crate) fn has_nul(body: &[u8]) -> bool {
    memchr::memchr(0, body).is_some()
}

/// Whether `body` contains a byte above 127 (needs 8BITMIME).
pub(crate) fn has_8bit(body: &[u8]) -> bool {
    !body.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::{Arbitrary, Gen, QuickCheck};

    fn encode_chunks(chunks: &[&[u8]], stuff: bool) -> Vec<u8> {
        let mut enc = DataEncoder::new(stuff);
        let mut out = BytesMut::new();
        for chunk in chunks {
            enc.encode(chunk, &mut out);
        }
        enc.finish(&mut out);
        out.to_vec()
    }

    fn wire(body: &[u8]) -> Vec<u8> {
        encode_chunks(&[body], true)
    }

    /// A simple reference: line ends to CRLF, byte by byte.
    fn normalize(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(&b) = body.get(i) {
            match b {
                b'\r' if body.get(i + 1) == Some(&b'\n') => {
                    out.extend_from_slice(b"\r\n");
                    i += 1;
                }
                b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
                _ => out.push(b),
            }
            i += 1;
        }
        if !out.is_empty() && !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Removes the terminator and one leading dot from each line (what a server does).
    fn unstuff(wire: &[u8]) -> Option<Vec<u8>> {
        let content = wire.strip_suffix(b".\r\n")?;
        let mut out = Vec::new();
        for line in content.split_inclusive(|&b| b == b'\n') {
            out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        }
        Some(out)
    }

    fn has_bare_cr_or_lf(out: &[u8]) -> bool {
        out.iter().enumerate().any(|(i, &b)| match b {
            b'\r' => out.get(i + 1) != Some(&b'\n'),
            b'\n' => i == 0 || out.get(i - 1) != Some(&b'\r'),
            _ => false,
        })
    }

    #[test]
    fn security_case_26_bare_lf_smuggling() {
        assert_eq!(
            wire(b"Hi\n.\nMAIL FROM:<x>\n"),
            b"Hi\r\n..\r\nMAIL FROM:<x>\r\n.\r\n"
        );
        assert_eq!(
            wire(b"Hi\n.\nMAIL FROM:<ceo@victim.example>\nRCPT TO:<x@y>\nDATA\n"),
            b"Hi\r\n..\r\nMAIL FROM:<ceo@victim.example>\r\nRCPT TO:<x@y>\r\nDATA\r\n.\r\n"
        );
    }

    #[test]
    fn security_case_27_lf_dot_crlf() {
        assert_eq!(
            wire(b"a\n.\r\nMAIL FROM:<x@evil>\r\n"),
            b"a\r\n..\r\nMAIL FROM:<x@evil>\r\n.\r\n"
        );
    }

    #[test]
    fn security_case_28_bare_cr_and_nul() {
        assert_eq!(wire(b"\r.\r\n"), b"\r\n..\r\n.\r\n");
        assert_eq!(wire(b"\r\n.\r"), b"\r\n..\r\n.\r\n");
        assert_eq!(wire(b"\n\n.\r\n"), b"\r\n\r\n..\r\n.\r\n");
        assert_eq!(wire(b"\r\n\x00.\r\n"), b"\r\n\x00.\r\n.\r\n");
        assert_eq!(wire(b"\r\n.\x00\r\n"), b"\r\n..\x00\r\n.\r\n");
        assert_eq!(wire(b"a\r\r\n.\r\n"), b"a\r\n\r\n..\r\n.\r\n");
        assert!(has_nul(b"\r\n\x00.\r\n") && !has_nul(b"abc"));
    }

    #[test]
    fn security_case_29_dot_after_empty_line() {
        // RUSTSEC-2021-0069. The catalogue writes the result with an extra empty line before
        // the terminator (`QUIT\r\n\r\n.\r\n`, lettre's framing); that contradicts its own
        // rows 26 and 27, where content ending in a line end gets no extra one. The dot after
        // the empty line is what matters, and it is stuffed.
        assert_eq!(
            wire(b"a\r\n\r\n.\r\nQUIT\r\n"),
            b"a\r\n\r\n..\r\nQUIT\r\n.\r\n"
        );
        assert_eq!(wire(b".hidden"), b"..hidden\r\n.\r\n");
        assert_eq!(wire(b"."), b"..\r\n.\r\n");
        assert_eq!(wire(b"..\r\n..."), b"...\r\n....\r\n.\r\n");
    }

    #[test]
    fn security_case_30_no_final_line_end() {
        assert_eq!(wire(b"abc"), b"abc\r\n.\r\n");
        assert_eq!(wire(b"abc\r"), b"abc\r\n.\r\n");
        assert_eq!(wire(b"abc\n"), b"abc\r\n.\r\n");
        assert_eq!(wire(b"abc\r\n"), b"abc\r\n.\r\n");
        assert_eq!(wire(b""), b".\r\n");
        assert_eq!(encode_chunks(&[b""], false), b"");
    }

    #[test]
    fn cr_split_across_chunks() {
        assert_eq!(encode_chunks(&[b"a\r", b"\nb"], true), b"a\r\nb\r\n.\r\n");
        assert_eq!(
            encode_chunks(&[b"a\r", b"", b"\n.b"], true),
            b"a\r\n..b\r\n.\r\n"
        );
        assert_eq!(encode_chunks(&[b"a\r", b".b"], true), b"a\r\n..b\r\n.\r\n");
        assert_eq!(
            encode_chunks(&[b"a\r", b"\r", b"\n"], true),
            b"a\r\n\r\n.\r\n"
        );
        assert_eq!(
            encode_chunks(&[b"a\r\n", b".", b"b"], true),
            b"a\r\n..b\r\n.\r\n"
        );
    }

    #[test]
    fn no_stuffing_for_bdat() {
        assert_eq!(encode_chunks(&[b".a\n.b\r"], false), b".a\r\n.b\r\n");
    }

    #[test]
    fn finish_resets() {
        let mut enc = DataEncoder::new(true);
        let mut out = BytesMut::new();
        enc.encode(b"abc\r", &mut out);
        enc.finish(&mut out);
        enc.encode(b"\n.x", &mut out);
        enc.finish(&mut out);
        assert_eq!(&out[..], b"abc\r\n.\r\n\r\n..x\r\n.\r\n");
    }

    #[test]
    fn measurements() {
        assert_eq!(encoded_len(b""), 0);
        assert_eq!(encoded_len(b"abc"), 5);
        assert_eq!(encoded_len(b"a\nb\rc\r\n"), 9);
        assert_eq!(longest_line(b"short\nlines\r\n"), None);
        let mut body = b"one\r\ntwo\rthree\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 999));
        body.extend_from_slice(b"\r\nlast");
        assert_eq!(longest_line(&body), Some((4, 999)));
        assert_eq!(longest_line(&[b'y'; 998]), None);
        assert_eq!(longest_line(&[b'y'; 10_000]), Some((1, 10_000)));
        assert!(has_8bit("é".as_bytes()) && !has_8bit(b"plain"));
    }

    /// A body biased towards line ends and dots, with split points.
    #[derive(Debug, Clone)]
    struct Body {
        bytes: Vec<u8>,
        splits: Vec<usize>,
    }

    impl Arbitrary for Body {
        fn arbitrary(g: &mut Gen) -> Self {
            const ALPHABET: &[u8] = b"\r\n.a\0\xff";
            let picks = Vec::<u8>::arbitrary(g);
            let bytes = picks
                .iter()
                .map(|&p| ALPHABET[usize::from(p) % ALPHABET.len()])
                .collect();
            Body {
                bytes,
                splits: Vec::arbitrary(g),
            }
        }

        fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
            let splits = self.splits.clone();
            Box::new(self.bytes.shrink().map(move |bytes| Body {
                bytes,
                splits: splits.clone(),
            }))
        }
    }

    impl Body {
        fn chunks(&self) -> Vec<&[u8]> {
            let mut points: Vec<usize> = self
                .splits
                .iter()
                .map(|s| s % (self.bytes.len() + 1))
                .collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut prev = 0;
            for p in points.into_iter().chain([self.bytes.len()]) {
                chunks.push(&self.bytes[prev..p]);
                prev = p;
            }
            chunks
        }
    }

    fn check(body: &Body) -> bool {
        let whole = wire(&body.bytes);
        let chunked = encode_chunks(&body.chunks(), true);
        let plain = encode_chunks(&body.chunks(), false);
        let normalized = normalize(&body.bytes);
        let terminator_only_at_end = memchr::memmem::find_iter(&whole, b"\r\n.\r\n")
            .all(|p| p + 5 == whole.len())
            && (whole.starts_with(b".\r\n") == (whole.len() == 3));
        whole == chunked
            && !has_bare_cr_or_lf(&whole)
            && terminator_only_at_end
            && unstuff(&whole).as_deref() == Some(&normalized[..])
            && plain == normalized
            && encoded_len(&body.bytes) == plain.len() as u64
    }

    #[test]
    fn quickcheck_encoder_properties() {
        QuickCheck::new()
            .tests(5000)
            .quickcheck((|body: Body| check(&body)) as fn(Body) -> bool);
    }

    #[test]
    fn quickcheck_arbitrary_bytes() {
        fn prop(bytes: Vec<u8>, splits: Vec<usize>) -> bool {
            check(&Body { bytes, splits })
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, Vec<usize>) -> bool);
    }

    #[test]
    fn quickcheck_longest_line_matches_reference() {
        fn prop(body: Body, long_at: usize) -> bool {
            // Make one line long sometimes.
            let mut bytes = body.bytes.clone();
            let at = long_at % (bytes.len() + 1);
            if long_at.is_multiple_of(2) {
                bytes.splice(at..at, std::iter::repeat_n(b'z', 1000));
            }
            let normalized = normalize(&bytes);
            let reference = normalized
                .strip_suffix(b"\r\n")
                .unwrap_or(&normalized)
                .split(|&b| b == b'\n')
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
                .enumerate()
                .find(|&(_, len)| len > 998)
                .map(|(i, len)| (i + 1, len));
            let reference = if normalized.is_empty() {
                None
            } else {
                reference
            };
            longest_line(&bytes) == reference
        }
        QuickCheck::new().quickcheck(prop as fn(Body, usize) -> bool);
    }
}
