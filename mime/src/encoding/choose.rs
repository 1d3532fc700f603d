//! Choosing the best Content-Transfer-Encoding for a body under a transport constraint.

use super::ContentTransferEncoding;

/// The longest line (without its CRLF) that 7bit and 8bit bodies may carry (RFC 5322 §2.1.1).
const MAX_LINE: usize = 998;

/// What the transport accepts (e.g. from SMTP's 8BITMIME and BINARYMIME extensions).
/// Ordered weakest first: a transport carries unencoded any data whose
/// [`required_constraint`] is at most its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransportConstraint {
    /// Only 7bit data: ASCII without NUL, lines of at most 998 octets.
    SevenBit,
    /// 8bit data allowed (8BITMIME): any octet but NUL, lines of at most 998 octets.
    EightBit,
    /// Binary data allowed (BINARYMIME): anything.
    Binary,
}

/// Picks the best encoding for `data` under `constraint`.
///
/// - `7bit` when the data is ASCII without NUL or bare CR, with lines of at most 998 octets
///   (LF and CRLF both count as line ends);
/// - otherwise `8bit` if the constraint allows it and the data has no NUL or bare CR and short
///   lines; `binary` if the constraint allows anything;
/// - otherwise `quoted-printable` when the data is mostly ASCII text (fewer than one byte in six
///   would need an `=XX` escape, so QP is no larger than base64), else `base64`.
pub fn choose_encoding(data: &[u8], constraint: TransportConstraint) -> ContentTransferEncoding {
    let scan = Scan::of(data);
    match scan.required() {
        TransportConstraint::SevenBit => return ContentTransferEncoding::SevenBit,
        TransportConstraint::EightBit if constraint != TransportConstraint::SevenBit => {
            return ContentTransferEncoding::EightBit;
        }
        _ if constraint == TransportConstraint::Binary => return ContentTransferEncoding::Binary,
        _ => {}
    }
    if scan.needs_escape.saturating_mul(6) < data.len() {
        ContentTransferEncoding::QuotedPrintable
    } else {
        ContentTransferEncoding::Base64
    }
}

/// The weakest transport that carries `data` as it is: [`TransportConstraint::SevenBit`]
/// for ASCII without NUL or bare CR in lines of at most 998 octets,
/// [`TransportConstraint::EightBit`] when 8-bit bytes appear too, else
/// [`TransportConstraint::Binary`].
///
/// ```
/// use mail_kit_mime::encoding::{TransportConstraint, required_constraint};
/// assert_eq!(required_constraint(b"hello\r\n"), TransportConstraint::SevenBit);
/// assert_eq!(required_constraint("caf\u{e9}".as_bytes()), TransportConstraint::EightBit);
/// assert_eq!(required_constraint(b"a\0b"), TransportConstraint::Binary);
/// ```
pub fn required_constraint(data: &[u8]) -> TransportConstraint {
    Scan::of(data).required()
}

/// What one pass over some data found.
struct Scan {
    eight_bit: bool,
    nul_or_bare_cr: bool,
    long_line: bool,
    /// Bytes quoted-printable would write as `=XX`.
    needs_escape: usize,
}

impl Scan {
    fn of(data: &[u8]) -> Scan {
        let mut scan = Scan {
            eight_bit: false,
            nul_or_bare_cr: false,
            long_line: false,
            needs_escape: 0,
        };
        let mut line_len = 0usize;
        for (i, &b) in data.iter().enumerate() {
            match b {
                b'\n' => {
                    line_len = 0;
                    continue;
                }
                b'\r' if data.get(i + 1) == Some(&b'\n') => continue,
                b'\r' | 0 => {
                    scan.nul_or_bare_cr = true;
                    scan.needs_escape += 1;
                }
                0x80.. => {
                    scan.eight_bit = true;
                    scan.needs_escape += 1;
                }
                b'=' | 1..=8 | 11..=31 | 127 => scan.needs_escape += 1,
                _ => {}
            }
            line_len += 1;
            if line_len > MAX_LINE {
                scan.long_line = true;
            }
        }
        scan
    }

    fn required(&self) -> TransportConstraint {
        if self.nul_or_bare_cr || self.long_line {
            TransportConstraint::Binary
        } else if self.eight_bit {
            TransportConstraint::EightBit
        } else {
            TransportConstraint::SevenBit
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TransportConstraint::*;
    use super::*;
    use ContentTransferEncoding as Cte;

    #[test]
    fn chooses() {
        assert_eq!(choose_encoding(b"", SevenBit), Cte::SevenBit);
        assert_eq!(
            choose_encoding(b"hello\r\nworld\n", SevenBit),
            Cte::SevenBit
        );
        let accented = "Déjà vu, a mostly ASCII sentence.\r\n".as_bytes();
        assert_eq!(choose_encoding(accented, SevenBit), Cte::QuotedPrintable);
        assert_eq!(choose_encoding(accented, EightBit), Cte::EightBit);
        assert_eq!(choose_encoding(accented, Binary), Cte::EightBit);
        let long = vec![b'a'; 1000];
        assert_eq!(choose_encoding(&long, SevenBit), Cte::QuotedPrintable);
        assert_eq!(choose_encoding(&long, EightBit), Cte::QuotedPrintable);
        assert_eq!(choose_encoding(&long, Binary), Cte::Binary);
        let bin: Vec<u8> = (0..=255).collect();
        assert_eq!(choose_encoding(&bin, SevenBit), Cte::Base64);
        assert_eq!(choose_encoding(&bin, EightBit), Cte::Base64);
        assert_eq!(choose_encoding(&bin, Binary), Cte::Binary);
        assert_eq!(
            choose_encoding(b"text with a \0 inside", EightBit),
            Cte::QuotedPrintable
        );
        assert_eq!(
            choose_encoding(b"text with a bare \r", SevenBit),
            Cte::QuotedPrintable
        );
        assert_eq!(choose_encoding(b"a\0b", EightBit), Cte::Base64);
        assert_eq!(choose_encoding("日本語".as_bytes(), SevenBit), Cte::Base64);
    }

    #[test]
    fn required_constraint_classifies_lines() {
        assert_eq!(required_constraint(b"abc\r\ndef\n"), SevenBit);
        assert_eq!(required_constraint("caf\u{e9}\r\n".as_bytes()), EightBit);
        assert_eq!(required_constraint(b"a\0b"), Binary);
        assert_eq!(required_constraint(b"bare\rcr"), Binary);
        assert_eq!(required_constraint(&[b'a'; 999]), Binary);
        assert_eq!(required_constraint(&[b'a'; 998]), SevenBit);
    }
}
