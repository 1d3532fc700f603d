//! Base64 (RFC 2045 §6.8): encoding to 76-column CRLF lines and a lenient, fast decoder.
//!
//! Decoding skips whitespace and every character outside the base64 alphabet, tolerates missing
//! or extra padding and a truncated final quantum, and reports such problems as a defect flag.
//! Blocks of clean lines (the usual 76-character ones) are gathered without their line breaks
//! and handed to the SIMD decoder of `base64-simd` in one call. A block containing anything
//! else takes the careful path: a line that looks like base64 still goes to the SIMD decoder on
//! its own; the rest is decoded by handling each `=` on its own and, between them, keeping only
//! the alphabet characters (without a branch per byte) and decoding those a quantum at a time.
//! Encoding uses the `base64` crate.

use ::base64::Engine as _;
use ::base64::engine::general_purpose::STANDARD as ENGINE;

use super::{Decoded, StreamDecoder};

/// Bytes of input per encoded line: 57 bytes make 76 characters.
const BYTES_PER_LINE: usize = 57;

/// Marks a byte outside the alphabet (whitespace aside) in [`DECODE_TABLE`].
const INVALID: u8 = 0xff;

/// Marks whitespace (space, tab, CR, LF) in [`DECODE_TABLE`]: skipped without a defect.
const SPACE: u8 = 0xfe;

/// The value of each alphabet character (below 64), [`SPACE`] or [`INVALID`].
const DECODE_TABLE: [u8; 256] = {
    let mut table = [INVALID; 256];
    table[b' ' as usize] = SPACE;
    table[b'\t' as usize] = SPACE;
    table[b'\r' as usize] = SPACE;
    table[b'\n' as usize] = SPACE;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The shortest run of alphabet characters that the careful path hands to the SIMD decoder:
/// below that, the call costs more than decoding in place.
const BULK_SPAN: usize = 64;

/// Whether `line` starts with [`PROBE`] alphabet characters: a cheap test, before a block or a
/// line is offered to the SIMD decoder, that rules out nearly all text (words are shorter than
/// that) so that the decoder's refusal need not be paid for it.
fn starts_clean(line: &[u8]) -> bool {
    line.iter()
        .take(PROBE)
        .fold(0, |acc, &c| acc | DECODE_TABLE[usize::from(c)])
        < 64
}

/// How many leading characters [`starts_clean`] looks at.
const PROBE: usize = 16;

/// Characters per piece of the careful path (see [`Base64Decoder::push_unpadded`]).
const PIECE: usize = 256;

/// The three bytes of a quantum of four sextets.
fn quantum_bytes([a, b, c, d]: [u8; 4]) -> [u8; 3] {
    [a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]
}

/// Input bytes per block of the fast path: large enough to amortise the call, small enough to
/// stay in cache and to bound the scratch buffer.
const BLOCK: usize = 32 * 1024;

/// The end of the next fast-path block of `input`: just past the last line break within
/// [`BLOCK`] bytes, or all of a shorter input, or [`BLOCK`] bytes of a line longer than that.
fn block_end(input: &[u8]) -> usize {
    if input.len() <= BLOCK {
        return input.len();
    }
    memchr::memrchr(b'\n', &input[..BLOCK]).map_or(BLOCK, |i| i + 1)
}

/// Encodes `input` as base64 in lines of at most 76 characters, each ended by CRLF.
///
/// Empty input gives empty output; otherwise the output always ends with CRLF.
pub fn encode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(input.len()));
    encode_into(input, &mut out);
    out
}

/// Appends the base64 encoding of `input` (as [`encode`] gives it) to `out`.
pub fn encode_into(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(encoded_len(input.len()));
    let mut line = [0u8; 76];
    for chunk in input.chunks(BYTES_PER_LINE) {
        // A 57-byte chunk always fits in 76 characters; the error arm cannot happen.
        if let Ok(n) = ENGINE.encode_slice(chunk, &mut line) {
            out.extend_from_slice(&line[..n]);
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// The exact length of [`encode`]'s output for `len` input bytes.
pub fn encoded_len(len: usize) -> usize {
    let lines = len.div_ceil(BYTES_PER_LINE);
    len.div_ceil(3) * 4 + lines * 2
}

/// Decodes base64 leniently (see the [module docs](self)); never fails.
pub fn decode(input: &[u8]) -> Decoded {
    let mut decoder = Base64Decoder::new();
    let mut bytes = Vec::with_capacity(input.len() / 4 * 3 + 3);
    decoder.decode_chunk(input, &mut bytes);
    decoder.finish(&mut bytes);
    Decoded {
        bytes,
        defect: decoder.has_defect(),
    }
}

/// A streaming, lenient base64 decoder (see [`StreamDecoder`]).
#[derive(Debug, Clone, Default)]
pub struct Base64Decoder {
    /// Sextets of the current, incomplete quantum.
    quantum: [u8; 4],
    /// How many entries of `quantum` are filled (0..=3 between calls).
    filled: usize,
    /// A quantum was just closed by padding; more data after it is a defect.
    padded: bool,
    /// Anything malformed seen so far.
    defect: bool,
}

impl Base64Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fast path for a block of whole lines: their characters, without the line breaks,
    /// are gathered in `scratch` and decoded in one call. Returns `false`, having written
    /// nothing, when the block holds anything else than clean base64 (the caller then takes
    /// the careful path); a padded final quantum and a trailing partial one are decoded here
    /// by the careful path.
    fn decode_block(&mut self, block: &[u8], scratch: &mut Vec<u8>, out: &mut Vec<u8>) -> bool {
        // A block that does not even start like base64 would be gathered only to be refused.
        if !starts_clean(block) {
            return false;
        }
        scratch.clear();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', block).chain([block.len()]) {
            let line = &block[start..end];
            scratch.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
            start = end + 1;
        }
        let Some(bulk) = self.decode_bulk(scratch, out) else {
            return false;
        };
        self.push_mixed(&scratch[bulk..], out);
        true
    }

    /// Decodes the longest prefix of `chars` made of whole quanta, without a padded final
    /// one, with the SIMD decoder, and returns its length; `None`, having written nothing,
    /// when that prefix holds anything but alphabet characters.
    fn decode_bulk(&mut self, chars: &[u8], out: &mut Vec<u8>) -> Option<usize> {
        let mut bulk = chars.len() / 4 * 4;
        if bulk >= 4 && (chars[bulk - 1] == b'=' || chars[bulk - 2] == b'=') {
            bulk -= 4;
        }
        if bulk == 0 {
            return Some(0);
        }
        let start = out.len();
        // Padding inside shows as a short output: leave that to the careful path.
        if base64_simd::STANDARD
            .decode_append(&chars[..bulk], out)
            .is_err()
            || out.len() - start != bulk / 4 * 3
        {
            out.truncate(start);
            return None;
        }
        if self.padded {
            self.defect = true;
            self.padded = false;
        }
        Some(bulk)
    }

    /// The careful path, for anything: a block may be refused for one bad line among clean
    /// ones, so each line that looks like base64 (long, [`starts_clean`]) is offered to the
    /// SIMD decoder on its own, after the characters completing a pending quantum; the other
    /// lines, and whatever the decoder refuses, go to [`push_mixed`](Self::push_mixed), several
    /// lines at a time. Each line is offered once, so the work stays linear.
    fn decode_careful(&mut self, chars: &[u8], out: &mut Vec<u8>) {
        // The characters from `pending` on are not decoded yet.
        let (mut pending, mut start) = (0, 0);
        for end in memchr::memchr_iter(b'\n', chars).chain([chars.len()]) {
            let line = &chars[start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() >= BULK_SPAN && starts_clean(line) {
                self.push_mixed(&chars[pending..start], out);
                let line = &line[self.complete_quantum(line, out)..];
                match self.decode_bulk(line, out) {
                    // At most a partial quantum and a padded one are left.
                    Some(bulk) => {
                        for &c in &line[bulk..] {
                            self.push_char(c, out);
                        }
                    }
                    None => self.push_mixed(line, out),
                }
                // Past the line break too (there is none after the last line).
                pending = chars.len().min(end + 1);
            }
            start = end + 1;
        }
        self.push_mixed(&chars[pending..], out);
    }

    /// Takes characters one by one until no quantum is pending (the SIMD decoder starts on a
    /// quantum boundary); returns how many it took.
    fn complete_quantum(&mut self, chars: &[u8], out: &mut Vec<u8>) -> usize {
        let mut taken = 0;
        while self.filled != 0 && taken < chars.len() {
            self.push_char(chars[taken], out);
            taken += 1;
        }
        taken
    }

    /// Any characters (line breaks are whitespace here): those between padding characters go
    /// to [`push_unpadded`](Self::push_unpadded), each `=` to
    /// [`push_padding`](Self::push_padding).
    fn push_mixed(&mut self, chars: &[u8], out: &mut Vec<u8>) {
        if chars.is_empty() {
            return;
        }
        let mut start = 0;
        for pad in memchr::memchr_iter(b'=', chars) {
            self.push_unpadded(&chars[start..pad], out);
            self.push_padding(out);
            start = pad + 1;
        }
        self.push_unpadded(&chars[start..], out);
    }

    /// Characters without padding: each piece of up to [`PIECE`] is compacted to its alphabet
    /// characters without a branch per character (text mixes them unpredictably with the
    /// rest), noting garbage as a defect, and then decoded.
    fn push_unpadded(&mut self, chars: &[u8], out: &mut Vec<u8>) {
        let mut alphabet = [0u8; PIECE];
        for piece in chars.chunks(PIECE) {
            let (mut n, mut garbage) = (0, false);
            for &c in piece {
                let v = DECODE_TABLE[usize::from(c)];
                alphabet[n] = c;
                n += usize::from(v < 64);
                garbage |= v == INVALID;
            }
            self.defect |= garbage;
            if n > 0 {
                self.push_sextets(&alphabet[..n], out);
            }
        }
    }

    /// One character, by the careful path.
    fn push_char(&mut self, c: u8, out: &mut Vec<u8>) {
        match DECODE_TABLE[usize::from(c)] {
            v if v < 64 => {
                if self.padded {
                    self.defect = true;
                    self.padded = false;
                }
                self.push_sextet(v, out);
            }
            SPACE => {}
            _ if c == b'=' => self.push_padding(out),
            _ => self.defect = true,
        }
    }

    /// Alphabet characters only (a non-empty run): completes the pending quantum, decodes the
    /// whole quanta that follow (with the SIMD decoder when there are many), and keeps the
    /// rest pending.
    fn push_sextets(&mut self, chars: &[u8], out: &mut Vec<u8>) {
        if self.padded {
            self.defect = true;
            self.padded = false;
        }
        let mut rest = chars;
        while self.filled != 0 {
            let Some((&c, tail)) = rest.split_first() else {
                return;
            };
            self.push_sextet(DECODE_TABLE[usize::from(c)], out);
            rest = tail;
        }
        if rest.len() >= BULK_SPAN {
            // Whole quanta of alphabet characters: the SIMD decoder cannot refuse them.
            rest = &rest[self.decode_bulk(rest, out).unwrap_or(0)..];
        }
        let mut quanta = rest.chunks_exact(4);
        for q in &mut quanta {
            out.extend_from_slice(&quantum_bytes(
                [q[0], q[1], q[2], q[3]].map(|c| DECODE_TABLE[usize::from(c)]),
            ));
        }
        for (slot, &c) in self.quantum.iter_mut().zip(quanta.remainder()) {
            *slot = DECODE_TABLE[usize::from(c)];
        }
        self.filled = quanta.remainder().len();
    }

    /// One sextet into the pending quantum, decoded once complete.
    fn push_sextet(&mut self, v: u8, out: &mut Vec<u8>) {
        self.quantum[self.filled] = v;
        self.filled += 1;
        if self.filled == 4 {
            out.extend_from_slice(&quantum_bytes(self.quantum));
            self.filled = 0;
        }
    }

    /// A padding character.
    fn push_padding(&mut self, out: &mut Vec<u8>) {
        match self.filled {
            0 => {
                // Extra padding after a padded quantum is tolerated silently.
                if !self.padded {
                    self.defect = true;
                }
            }
            1 => {
                // Six bits cannot make a byte.
                self.defect = true;
                self.filled = 0;
            }
            _ => {
                self.flush_partial(out);
                self.padded = true;
            }
        }
    }

    /// Emits the bytes of a 2- or 3-character quantum and clears it.
    fn flush_partial(&mut self, out: &mut Vec<u8>) {
        let [a, b, c, _] = self.quantum;
        match self.filled {
            2 => out.push(a << 2 | b >> 4),
            3 => out.extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2]),
            _ => {}
        }
        self.filled = 0;
    }
}

impl StreamDecoder for Base64Decoder {
    fn decode_chunk(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() / 4 * 3 + 3);
        let mut scratch = Vec::with_capacity(input.len().min(BLOCK));
        let mut rest = input;
        while !rest.is_empty() {
            rest = &rest[self.complete_quantum(rest, out)..];
            let block = block_end(rest);
            if !self.decode_block(&rest[..block], &mut scratch, out) {
                self.decode_careful(&rest[..block], out);
            }
            rest = &rest[block..];
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        match self.filled {
            0 => {}
            1 => self.defect = true,
            _ => {
                // Missing padding: decode what is there, but note it.
                self.defect = true;
                self.flush_partial(out);
            }
        }
        self.filled = 0;
        self.padded = false;
    }

    fn has_defect(&self) -> bool {
        self.defect
    }

    fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::{QuickCheck, TestResult};

    fn dec(s: &str) -> (Vec<u8>, bool) {
        let d = decode(s.as_bytes());
        (d.bytes, d.defect)
    }

    #[test]
    fn encodes_rfc4648_vectors() {
        assert_eq!(encode(b""), b"");
        assert_eq!(encode(b"f"), b"Zg==\r\n");
        assert_eq!(encode(b"foobar"), b"Zm9vYmFy\r\n");
        let long = encode(&[0u8; 58]);
        let lines: Vec<&[u8]> = long.split(|&b| b == b'\n').collect();
        assert_eq!(lines[0].len(), 77);
        assert_eq!(lines[1], b"AA==\r");
        assert_eq!(long.len(), encoded_len(58));
    }

    #[test]
    fn decodes_clean_and_broken_lines() {
        assert_eq!(dec("Zm9vYmFy"), (b"foobar".to_vec(), false));
        assert_eq!(dec("Zm9v\r\nYmFy\r\n"), (b"foobar".to_vec(), false));
        assert_eq!(dec("Zm 9v\tYm\nFy"), (b"foobar".to_vec(), false));
        assert_eq!(dec("Zm9vYg=="), (b"foob".to_vec(), false));
        assert_eq!(dec("Zm9vYmE="), (b"fooba".to_vec(), false));
    }

    #[test]
    fn tolerates_padding_problems_with_a_defect() {
        assert_eq!(dec("Zm9vYg"), (b"foob".to_vec(), true));
        assert_eq!(dec("Zm9vYg==="), (b"foob".to_vec(), false));
        assert_eq!(dec("Zm9vY"), (b"foo".to_vec(), true));
        assert_eq!(dec("Zg==Zg=="), (b"ff".to_vec(), true));
        assert_eq!(dec("=Zm9v"), (b"foo".to_vec(), true));
    }

    #[test]
    fn security_case_57_garbage() {
        // QUJD -> "ABC"; "!!!@@@" skipped; "====" is stray padding; "QQ" a truncated quantum.
        let (bytes, defect) = dec("QUJD!!!@@@====\r\nQQ");
        assert_eq!(bytes, b"ABCA");
        assert!(defect);
        assert_eq!(dec("A"), (vec![], true));
        assert_eq!(dec("===="), (vec![], true));
    }

    #[test]
    fn streaming_keeps_state_across_chunks() {
        let mut d = Base64Decoder::new();
        let mut out = Vec::new();
        for chunk in ["Zm", "9", "vY", "mF", "y\r", "\nZ", "g="] {
            d.decode_chunk(chunk.as_bytes(), &mut out);
        }
        d.finish(&mut out);
        assert_eq!(out, b"foobarf");
        assert!(!d.has_defect());
    }

    #[test]
    fn long_garbage_line_is_linear() {
        let mut input = vec![b'A'; 2_000_000];
        input.push(b'!');
        let d = decode(&input);
        assert_eq!(d.bytes.len(), 1_500_000);
        assert!(d.defect);
    }

    #[test]
    fn blocks_of_lines_decode_like_the_careful_path() {
        // Several fast-path blocks: clean, with a lone CR, with garbage, with LF-only lines,
        // and cut mid-line by the block size.
        let data: Vec<u8> = (0..3 * BLOCK).map(|i| (i * 7 % 251) as u8).collect();
        let clean = encode(&data);
        assert_eq!(
            decode(&clean),
            Decoded {
                bytes: data.clone(),
                defect: false
            }
        );
        let lf_only: Vec<u8> = clean.iter().copied().filter(|&b| b != b'\r').collect();
        assert_eq!(
            decode(&lf_only),
            Decoded {
                bytes: data.clone(),
                defect: false
            }
        );
        let one_line: Vec<u8> = lf_only.iter().copied().filter(|&b| b != b'\n').collect();
        assert_eq!(
            decode(&one_line),
            Decoded {
                bytes: data.clone(),
                defect: false
            }
        );
        let mut noisy = clean.clone();
        noisy.insert(BLOCK + 10, b'\r');
        noisy.insert(2 * BLOCK + 20, b'!');
        let d = decode(&noisy);
        assert_eq!(d.bytes, data);
        assert!(d.defect);
        let mut decoder = Base64Decoder::new();
        let mut bytes = Vec::new();
        let (a, rest) = noisy.split_at(BLOCK + 3);
        let (b, c) = rest.split_at(BLOCK - 2);
        for chunk in [a, b, c] {
            decoder.decode_chunk(chunk, &mut bytes);
        }
        decoder.finish(&mut bytes);
        assert_eq!(bytes, data);
        assert!(decoder.has_defect());
    }

    fn split_decode(input: &[u8], cuts: &[usize]) -> Decoded {
        let mut d = Base64Decoder::new();
        let mut bytes = Vec::new();
        let mut pos = 0;
        for &c in cuts {
            let end = (pos + c % 17).min(input.len());
            d.decode_chunk(&input[pos..end], &mut bytes);
            pos = end;
        }
        d.decode_chunk(&input[pos..], &mut bytes);
        d.finish(&mut bytes);
        Decoded {
            bytes,
            defect: d.has_defect(),
        }
    }

    /// The decoding rules, one character at a time: what every path must agree with.
    fn reference(input: &[u8]) -> Decoded {
        let (mut bytes, mut defect, mut padded) = (Vec::new(), false, false);
        let mut quantum = Vec::new();
        for &c in input {
            let v = DECODE_TABLE[usize::from(c)];
            if v < 64 {
                defect |= padded;
                padded = false;
                quantum.push(v);
                if quantum.len() == 4 {
                    bytes.extend_from_slice(&quantum_bytes([
                        quantum[0], quantum[1], quantum[2], quantum[3],
                    ]));
                    quantum.clear();
                }
            } else if c == b'=' {
                match quantum.len() {
                    0 => defect |= !padded,
                    1 => {
                        defect = true;
                        quantum.clear();
                    }
                    n => {
                        quantum.resize(4, 0);
                        bytes.extend_from_slice(
                            &quantum_bytes([quantum[0], quantum[1], quantum[2], 0])[..n - 1],
                        );
                        quantum.clear();
                        padded = true;
                    }
                }
            } else if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                defect = true;
            }
        }
        if !quantum.is_empty() {
            defect = true;
            let n = quantum.len();
            quantum.resize(4, 0);
            let partial = quantum_bytes([quantum[0], quantum[1], quantum[2], 0]);
            bytes.extend_from_slice(&partial[..n.saturating_sub(1)]);
        }
        Decoded { bytes, defect }
    }

    #[test]
    fn prop_every_path_follows_the_reference() {
        fn prop(data: Vec<u8>, noise: Vec<u8>, garbage: Vec<u8>) -> bool {
            // Many clean lines (the SIMD paths) broken by noise, then arbitrary bytes.
            let mut enc = encode(&data.repeat(5));
            for (i, n) in noise.iter().enumerate() {
                let pos = (i * 97 + *n as usize) % (enc.len() + 1);
                enc.insert(pos, b"=A \r\n!*"[*n as usize % 7]);
            }
            enc.extend_from_slice(&garbage);
            decode(&enc) == reference(&enc) && decode(&garbage) == reference(&garbage)
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, Vec<u8>, Vec<u8>) -> bool);
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
    fn prop_line_length() {
        fn prop(data: Vec<u8>) -> bool {
            let enc = encode(&data);
            enc.split_inclusive(|&b| b == b'\n')
                .all(|l| l.len() <= 78 && l.ends_with(b"\r\n"))
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }

    #[test]
    fn prop_garbage_never_panics_and_chunking_is_invariant() {
        fn prop(data: Vec<u8>, cuts: Vec<usize>) -> TestResult {
            let whole = decode(&data);
            TestResult::from_bool(split_decode(&data, &cuts) == whole)
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, Vec<usize>) -> TestResult);
    }

    #[test]
    fn prop_chunking_invariant_on_base64ish_text() {
        fn prop(data: Vec<u8>, noise: Vec<u8>, cuts: Vec<usize>) -> bool {
            // Valid encoding with some noise bytes from a base64-heavy alphabet mixed in.
            let mut enc = encode(&data);
            for (i, n) in noise.iter().enumerate() {
                let pos = (i * 31 + *n as usize) % (enc.len() + 1);
                enc.insert(pos, b"=A \r\n!"[*n as usize % 6]);
            }
            split_decode(&enc, &cuts) == decode(&enc)
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, Vec<u8>, Vec<usize>) -> bool);
    }
}
