//! uuencode, both ways: `begin MODE NAME`, length-prefixed lines of 45 bytes, `` ` `` and `end`.
//!
//! The decoder looks for the first `begin` line, decodes until `end` (or a zero-length line, or
//! the end of the input), accepts LF or CRLF line ends, and records anything malformed (no
//! `begin`, no `end`, short lines, characters out of range) as a defect instead of failing.

/// Bytes of input per encoded line (the traditional 45, giving 61-character lines).
const BYTES_PER_LINE: usize = 45;

/// Maps a six-bit value to its character; zero becomes `` ` `` rather than a space, so that no
/// line ends with whitespace that a transport could strip.
fn enc_char(v: u8) -> u8 {
    if v == 0 { b'`' } else { v + 32 }
}

/// Maps a character back to its six-bit value (`` ` `` and space both mean zero).
fn dec_char(c: u8) -> u8 {
    c.wrapping_sub(32) & 0x3f
}

/// Encodes `data` as a uuencoded file named `name` with Unix permission bits `mode`.
///
/// Lines end with CRLF. CR and LF in `name` are replaced by `_` so they cannot break the format;
/// surrounding whitespace is trimmed, and an empty name becomes `noname`.
pub fn encode(name: &str, mode: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 * 4 + data.len() / 20 + name.len() + 32);
    out.extend_from_slice(format!("begin {:o} ", mode & 0o7777).as_bytes());
    let name = match name.trim_ascii() {
        "" => "noname",
        trimmed => trimmed,
    };
    out.extend(
        name.bytes()
            .map(|b| if matches!(b, b'\r' | b'\n') { b'_' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
    for line in data.chunks(BYTES_PER_LINE) {
        out.push(enc_char(line.len() as u8));
        for group in line.chunks(3) {
            let a = group[0];
            let b = group.get(1).copied().unwrap_or(0);
            let c = group.get(2).copied().unwrap_or(0);
            out.extend_from_slice(&[
                enc_char(a >> 2),
                enc_char((a << 4 | b >> 4) & 0x3f),
                enc_char((b << 2 | c >> 6) & 0x3f),
                enc_char(c & 0x3f),
            ]);
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"`\r\nend\r\n");
    out
}

/// The result of [`decode`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UuDecoded {
    /// The permission bits from the `begin` line, when they parse as octal.
    pub mode: Option<u32>,
    /// The file name from the `begin` line (lossily converted to UTF-8), if there was one.
    pub file_name: Option<String>,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// Whether anything was malformed: no `begin` or `end` line, short lines, bad characters.
    pub defect: bool,
}

/// Splits `input` into lines without their CR/LF endings.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// Parses a `begin MODE NAME` line into its mode and name.
fn parse_begin(line: &[u8]) -> Option<(Option<u32>, String)> {
    let rest = line.strip_prefix(b"begin ")?;
    let rest = rest.trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits).is_some_and(|b| !b.is_ascii_whitespace()) {
        return None;
    }
    let mode = rest[..digits].iter().try_fold(0u32, |acc, &d| {
        if d > b'7' {
            return None;
        }
        acc.checked_mul(8)?.checked_add(u32::from(d - b'0'))
    });
    let name = rest[digits..].trim_ascii();
    if name.is_empty() {
        return None;
    }
    Some((mode, String::from_utf8_lossy(name).into_owned()))
}

/// Decodes the first uuencoded file in `input` leniently; never fails.
pub fn decode(input: &[u8]) -> UuDecoded {
    let mut result = UuDecoded::default();
    let mut lines = lines(input);
    for line in lines.by_ref() {
        if let Some((mode, name)) = parse_begin(line) {
            result.mode = mode;
            result.file_name = Some(name);
            break;
        }
    }
    if result.file_name.is_none() {
        result.defect = true;
        return result;
    }
    let mut ended = false;
    for line in lines {
        if line == b"end" || line.trim_ascii_end() == b"end" {
            ended = true;
            break;
        }
        let Some((&len_char, body)) = line.split_first() else {
            // An empty line inside the data.
            result.defect = true;
            continue;
        };
        if !(b' '..=b'`').contains(&len_char) {
            result.defect = true;
            continue;
        }
        let len = usize::from(dec_char(len_char));
        if len == 0 {
            // The terminating zero-length line; `end` should follow.
            continue;
        }
        let needed = len.div_ceil(3) * 4;
        if body.len() < needed {
            result.defect = true;
        }
        let start = result.bytes.len();
        for group in body[..needed.min(body.len())].chunks(4) {
            let mut q = [0u8; 4];
            for (slot, &c) in q.iter_mut().zip(group) {
                if !(b' '..=b'`').contains(&c) {
                    result.defect = true;
                }
                *slot = dec_char(c);
            }
            result.bytes.extend_from_slice(&[
                q[0] << 2 | q[1] >> 4,
                q[1] << 4 | q[2] >> 2,
                q[2] << 6 | q[3],
            ]);
        }
        // Groups of 3 may overshoot the declared length; a short line may undershoot it.
        // Only bytes whose eight bits were all present count.
        let available = needed.min(body.len()) * 6 / 8;
        result.bytes.truncate(start + len.min(available));
    }
    if !ended {
        result.defect = true;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    #[test]
    fn encodes_the_classic_example() {
        let enc = encode("cat.txt", 0o644, b"Cat");
        assert_eq!(enc, b"begin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\n");
        let d = decode(&enc);
        assert_eq!(d.bytes, b"Cat");
        assert_eq!(d.mode, Some(0o644));
        assert_eq!(d.file_name.as_deref(), Some("cat.txt"));
        assert!(!d.defect);
    }

    #[test]
    fn skips_near_miss_begin_lines_and_accepts_lf() {
        let d = decode(b"x\nbeginx\nbegin 644\nbegin 755 a b\n#0V%T\n`\nend\n");
        assert_eq!(d.file_name.as_deref(), Some("a b"));
        assert_eq!(d.mode, Some(0o755));
        assert_eq!(d.bytes, b"Cat");
        assert!(!d.defect);
    }

    #[test]
    fn malformed_input_is_a_defect() {
        assert!(decode(b"no begin here").defect);
        let d = decode(b"begin 644 f\n#0V\n");
        assert_eq!(d.bytes, b"C");
        assert!(d.defect);
        assert!(decode(b"begin 999999999999999 f\n`\nend\n").mode.is_none());
    }

    #[test]
    fn prop_round_trip() {
        fn prop(data: Vec<u8>, name: String, mode: u16) -> bool {
            let name: String = name.chars().filter(|c| !c.is_control()).collect();
            let name = match name.trim_matches(|c: char| c.is_ascii_whitespace()) {
                "" => "noname",
                trimmed => trimmed,
            };
            let d = decode(&encode(name, u32::from(mode) & 0o777, &data));
            d.bytes == data
                && !d.defect
                && d.file_name.as_deref() == Some(name)
                && d.mode == Some(u32::from(mode) & 0o777)
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>, String, u16) -> bool);
    }

    #[test]
    fn prop_garbage_never_panics() {
        fn prop(data: Vec<u8>) -> bool {
            let mut input = b"begin 644 x\n".to_vec();
            input.extend_from_slice(&data);
            decode(&input).bytes.len() <= data.len()
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }
}
