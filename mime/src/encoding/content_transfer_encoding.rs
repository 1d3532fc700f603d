//! The `Content-Transfer-Encoding` header value (RFC 2045 §6).

use std::fmt;

/// A `Content-Transfer-Encoding`, parsed case-insensitively.
///
/// Unknown values are kept in [`ContentTransferEncoding::Other`] (lowercased), so that a part
/// with an unknown encoding can still be passed through untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentTransferEncoding {
    /// `7bit`: short lines of US-ASCII, no NUL (also the default when the header is absent).
    #[default]
    SevenBit,
    /// `8bit`: short lines, any octet but NUL.
    EightBit,
    /// `binary`: any octets, lines of any length.
    Binary,
    /// `quoted-printable`.
    QuotedPrintable,
    /// `base64`.
    Base64,
    /// `x-uuencode` (also accepted: `uuencode`, `x-uue`).
    UUEncode,
    /// Any other token, lowercased and without surrounding whitespace.
    Other(String),
}

impl ContentTransferEncoding {
    /// Parses a header value: case-insensitive, surrounding whitespace and a trailing
    /// `(comment)` ignored.
    pub fn parse(value: &str) -> Self {
        let value = value.split('(').next().unwrap_or_default().trim();
        // Compared in place: only an unknown value costs an allocation.
        let known = [
            ("7bit", Self::SevenBit),
            ("8bit", Self::EightBit),
            ("binary", Self::Binary),
            ("quoted-printable", Self::QuotedPrintable),
            ("base64", Self::Base64),
            ("x-uuencode", Self::UUEncode),
            ("uuencode", Self::UUEncode),
            ("x-uue", Self::UUEncode),
        ];
        known
            .into_iter()
            .find(|(name, _)| value.eq_ignore_ascii_case(name))
            .map_or_else(|| Self::Other(value.to_ascii_lowercase()), |(_, cte)| cte)
    }

    /// The canonical header value (`7bit`, `quoted-printable`, `x-uuencode`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::Binary => "binary",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
            Self::UUEncode => "x-uuencode",
            Self::Other(s) => s,
        }
    }

    /// Whether the body is stored as it is (7bit, 8bit, binary) rather than encoded.
    pub fn is_identity(&self) -> bool {
        matches!(self, Self::SevenBit | Self::EightBit | Self::Binary)
    }
}

impl From<&str> for ContentTransferEncoding {
    fn from(value: &str) -> Self {
        Self::parse(value)
    }
}

impl fmt::Display for ContentTransferEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ContentTransferEncoding as Cte;

    #[test]
    fn parses_case_insensitively() {
        assert_eq!(Cte::parse(" BASE64 "), Cte::Base64);
        assert_eq!(Cte::parse("Quoted-Printable (lines)"), Cte::QuotedPrintable);
        assert_eq!(Cte::parse("7BIT"), Cte::SevenBit);
        assert_eq!(Cte::parse("8bit"), Cte::EightBit);
        assert_eq!(Cte::parse("Binary"), Cte::Binary);
        assert_eq!(Cte::parse("X-UUEncode"), Cte::UUEncode);
        assert_eq!(Cte::parse("X-Weird"), Cte::Other("x-weird".into()));
        assert_eq!(Cte::parse(""), Cte::Other(String::new()));
        for cte in [
            Cte::SevenBit,
            Cte::QuotedPrintable,
            Cte::Base64,
            Cte::UUEncode,
        ] {
            assert_eq!(Cte::parse(&cte.to_string()), cte);
        }
    }
}
