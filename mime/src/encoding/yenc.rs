//! yEnc decoding (`=ybegin` / `=ypart` / `=yend`, version 1.3), with the CRC32 check.
//!
//! [`decode`] finds the first `=ybegin` line, reads the optional `=ypart` line, decodes the data
//! lines (escapes included, CR and LF ignored) up to `=yend`, and checks the size and CRC32
//! given there. Problems never stop the decode; they are listed in [`YencDecoded::defects`].

/// The CRC-32 table (IEEE 802.3, reflected polynomial `0xEDB88320`), built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The CRC-32 (IEEE, as used by yEnc, zip and PNG) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues a CRC-32: `crc32_update(crc32(a), b) == crc32(a ++ b)`.
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Something wrong with a yEnc block; the decode goes on regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum YencDefect {
    /// No `=ybegin` line was found; nothing was decoded.
    MissingBegin,
    /// The data ran to the end of the input without a `=yend` line.
    MissingEnd,
    /// An `=` escape at the end of a line, with nothing to escape.
    DanglingEscape,
    /// The decoded length differs from the `size` announced (in `=yend`, or in `=ybegin` for a
    /// single-part file, or by the `=ypart` range).
    SizeMismatch {
        /// The announced size.
        expected: u64,
        /// The number of bytes decoded.
        actual: u64,
    },
    /// The CRC32 of the decoded bytes differs from `pcrc32` (or `crc32` for a single part).
    CrcMismatch {
        /// The CRC announced in `=yend`.
        expected: u32,
        /// The CRC of the decoded bytes.
        actual: u32,
    },
}

/// The result of [`decode`]: the data and what the header and trailer lines said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YencDecoded {
    /// `name=` from `=ybegin` (lossily converted to UTF-8).
    pub file_name: Option<String>,
    /// `size=` from `=ybegin`: the size of the whole file.
    pub file_size: Option<u64>,
    /// `part=` from `=ybegin`, for multi-part files.
    pub part: Option<u64>,
    /// `total=` from `=ybegin`, the number of parts, when given.
    pub total: Option<u64>,
    /// `begin=` and `end=` from `=ypart`: the 1-based, inclusive byte range of this part.
    pub part_range: Option<(u64, u64)>,
    /// `crc32=` from `=yend`: the CRC of the whole file (for a part, check it after joining).
    pub file_crc32: Option<u32>,
    /// The decoded bytes of this block.
    pub bytes: Vec<u8>,
    /// Everything that was wrong, in the order found.
    pub defects: Vec<YencDefect>,
}

/// Finds `key=` among the whitespace-separated words of a keyword line and returns its value.
fn param<'a>(line: &'a [u8], key: &str) -> Option<&'a [u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .find_map(|word| word.strip_prefix(key.as_bytes())?.strip_prefix(b"="))
}

fn param_u64(line: &[u8], key: &str) -> Option<u64> {
    std::str::from_utf8(param(line, key)?).ok()?.parse().ok()
}

fn param_crc(line: &[u8], key: &str) -> Option<u32> {
    let v = std::str::from_utf8(param(line, key)?).ok()?;
    let v = v.strip_prefix("0x").unwrap_or(v);
    u32::from_str_radix(v, 16).ok()
}

/// Whether `line` is the keyword line `kw` (`=ybegin`, …) followed by a space or nothing.
fn is_keyword(line: &[u8], kw: &[u8]) -> bool {
    line.strip_prefix(kw)
        .is_some_and(|rest| rest.first().is_none_or(|b| b.is_ascii_whitespace()))
}

/// Decodes the first yEnc block in `input` (which may be a whole article) leniently.
pub fn decode(input: &[u8]) -> YencDecoded {
    let mut result = YencDecoded::default();
    let mut lines = input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .peekable();
    let Some(begin) = lines.by_ref().find(|l| is_keyword(l, b"=ybegin")) else {
        result.defects.push(YencDefect::MissingBegin);
        return result;
    };
    result.file_size = param_u64(begin, "size");
    result.part = param_u64(begin, "part");
    result.total = param_u64(begin, "total");
    // The name runs to the end of the line and may contain spaces.
    result.file_name = begin
        .windows(6)
        .position(|w| w == b" name=")
        .map(|p| String::from_utf8_lossy(begin[p + 6..].trim_ascii()).into_owned());
    if let Some(part) = lines.next_if(|l| is_keyword(l, b"=ypart")) {
        if let (Some(b), Some(e)) = (param_u64(part, "begin"), param_u64(part, "end")) {
            result.part_range = Some((b, e));
        }
    }
    let mut trailer = None;
    for line in lines {
        if is_keyword(line, b"=yend") {
            trailer = Some(line);
            break;
        }
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            if b == b'=' {
                match line.get(i + 1) {
                    Some(&e) => result.bytes.push(e.wrapping_sub(64).wrapping_sub(42)),
                    None => result.defects.push(YencDefect::DanglingEscape),
                }
                i += 2;
            } else {
                result.bytes.push(b.wrapping_sub(42));
                i += 1;
            }
        }
    }
    let actual_len = result.bytes.len() as u64;
    let mut expected_len = None;
    if let Some((b, e)) = result.part_range {
        expected_len = e.checked_sub(b).and_then(|d| d.checked_add(1));
    } else if result.part.is_none() {
        expected_len = result.file_size;
    }
    let actual_crc = crc32(&result.bytes);
    match trailer {
        None => result.defects.push(YencDefect::MissingEnd),
        Some(end) => {
            if let Some(size) = param_u64(end, "size") {
                expected_len = Some(size);
            }
            result.file_crc32 = param_crc(end, "crc32");
            let expected_crc = param_crc(end, "pcrc32").or(if result.part.is_none() {
                result.file_crc32
            } else {
                None
            });
            if let Some(expected) = expected_crc {
                if expected != actual_crc {
                    result.defects.push(YencDefect::CrcMismatch {
                        expected,
                        actual: actual_crc,
                    });
                }
            }
        }
    }
    if let Some(expected) = expected_len {
        if expected != actual_len {
            result.defects.push(YencDefect::SizeMismatch {
                expected,
                actual: actual_len,
            });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    /// A minimal yEnc encoder for tests: escapes NUL, LF, CR and `=`.
    fn encode(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("=ybegin line=128 size={} name={name}\r\n", data.len()).into_bytes();
        for (i, &b) in data.iter().enumerate() {
            let v = b.wrapping_add(42);
            if matches!(v, 0 | b'\n' | b'\r' | b'=') {
                out.extend_from_slice(&[b'=', v.wrapping_add(64)]);
            } else {
                out.push(v);
            }
            if i % 128 == 127 {
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(
            format!(
                "\r\n=yend size={} crc32={:08x}\r\n",
                data.len(),
                crc32(data)
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_update(crc32(b"1234"), b"56789"), 0xCBF4_3926);
    }

    #[test]
    fn decodes_and_checks() {
        let enc = encode("a file.bin", b"hello\0\r\n=world");
        let d = decode(&enc);
        assert_eq!(d.bytes, b"hello\0\r\n=world");
        assert_eq!(d.file_name.as_deref(), Some("a file.bin"));
        assert!(d.defects.is_empty(), "{:?}", d.defects);
    }

    #[test]
    fn reports_crc_and_size_mismatch() {
        let d = decode(b"=ybegin size=3 name=x\n\x8b\x8c\n=yend size=3 crc32=00000000\n");
        assert_eq!(d.bytes, b"ab");
        assert!(d.defects.contains(&YencDefect::SizeMismatch {
            expected: 3,
            actual: 2
        }));
        assert!(matches!(d.defects[0], YencDefect::CrcMismatch { .. }));
        assert_eq!(decode(b"=ybeginx\n").defects, [YencDefect::MissingBegin]);
        assert!(
            decode(b"=ybegin name=x\nab=")
                .defects
                .contains(&YencDefect::MissingEnd)
        );
    }

    #[test]
    fn prop_round_trip() {
        fn prop(data: Vec<u8>) -> bool {
            let d = decode(&encode("f", &data));
            d.bytes == data && d.defects.is_empty()
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }

    #[test]
    fn prop_garbage_never_panics() {
        fn prop(data: Vec<u8>) -> bool {
            let mut input = b"=ybegin part=1 size=9 name=x\n=ypart begin=5 end=1\n".to_vec();
            input.extend_from_slice(&data);
            decode(&input).bytes.len() <= data.len() && decode(&data).bytes.len() <= data.len()
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
    }
}
