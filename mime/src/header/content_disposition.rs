//! `Content-Disposition` (RFC 2183): `inline` or `attachment`, with parameters such as
//! `filename` (RFC 2231 encoded or not).

use crate::header::content_type::{skip_cfws, token};
use crate::header::rfc2231::{self, Parameters};

/// A parsed `Content-Disposition` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    /// The disposition type, lowercased (`inline`, `attachment`, or another token).
    pub disposition: String,
    /// The parameters (`filename`, `size`, `creation-date`, ...).
    pub parameters: Parameters,
}

impl ContentDisposition {
    /// A disposition without parameters.
    pub fn new(disposition: &str) -> Self {
        ContentDisposition {
            disposition: disposition.to_ascii_lowercase(),
            parameters: Parameters::default(),
        }
    }

    /// Parses a header value with the default parameter limit.
    pub fn parse(value: &[u8]) -> Option<Self> {
        Self::parse_with(value, &rfc2231::ParseOptions::default())
    }

    /// Parses a header value (raw bytes after the colon). `None` when there is no disposition
    /// token; a value that starts with parameters (`; filename=a`, seen in real mail) gives
    /// `attachment` when a `filename` is present.
    pub fn parse_with(value: &[u8], options: &rfc2231::ParseOptions) -> Option<Self> {
        let (disposition, rest) = match token(value) {
            Some((d, rest)) => (d.to_ascii_lowercase(), skip_cfws(rest)),
            None => {
                let rest = skip_cfws(value);
                if rest.first() != Some(&b';') {
                    return None;
                }
                let parameters = rfc2231::parse_with(rest, options);
                parameters.get("filename")?;
                return Some(ContentDisposition {
                    disposition: "attachment".into(),
                    parameters,
                });
            }
        };
        let parameters = rfc2231::parse_after_value(rest, options);
        Some(ContentDisposition {
            disposition,
            parameters,
        })
    }

    /// Whether the disposition is `attachment`.
    pub fn is_attachment(&self) -> bool {
        self.disposition == "attachment"
    }

    /// Whether the disposition is `inline`.
    pub fn is_inline(&self) -> bool {
        self.disposition == "inline"
    }

    /// The `filename` parameter, decoded.
    pub fn filename(&self) -> Option<&str> {
        self.parameters.get("filename")
    }
}

#[cfg(test)]
mod tests {
    use super::ContentDisposition;

    #[test]
    fn attachment_with_rfc2231_filename() {
        let cd =
            ContentDisposition::parse(b"Attachment;\r\n filename*=utf-8''r%C3%A9sum%C3%A9.pdf")
                .unwrap();
        assert!(cd.is_attachment());
        assert_eq!(cd.filename(), Some("r\u{e9}sum\u{e9}.pdf"));
    }

    #[test]
    fn inline_and_missing_type() {
        assert!(ContentDisposition::parse(b"inline").unwrap().is_inline());
        let cd = ContentDisposition::parse(b"; filename=\"a b.txt\"").unwrap();
        assert!(cd.is_attachment());
        assert_eq!(cd.filename(), Some("a b.txt"));
        assert!(ContentDisposition::parse(b"").is_none());
        assert!(ContentDisposition::parse(b"; size=3").is_none());
    }
}
