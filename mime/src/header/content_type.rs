//! `Content-Type` (RFC 2045 §5): a media type, a subtype and parameters.

use crate::header::lex;
use crate::header::rfc2231::{self, Parameters};

/// A parsed `Content-Type` value.
///
/// Type and subtype are lowercased; parameters keep their order and are read with RFC 2231
/// continuations and charsets ([`rfc2231::parse_with`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    /// The media type (`text`, `multipart`, ...), lowercased.
    pub media_type: String,
    /// The subtype (`plain`, `mixed`, ...), lowercased.
    pub subtype: String,
    /// The parameters (`charset`, `boundary`, `name`, ...).
    pub parameters: Parameters,
}

impl Default for ContentType {
    /// `text/plain; charset=us-ascii`, the RFC 2045 §5.2 default.
    fn default() -> Self {
        ContentType::text_plain_default()
    }
}

impl ContentType {
    /// A content type without parameters.
    pub fn new(media_type: &str, subtype: &str) -> Self {
        ContentType {
            media_type: media_type.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            parameters: Parameters::default(),
        }
    }

    /// `text/plain; charset=us-ascii`, what an entity without `Content-Type` is (RFC 2045
    /// §5.2).
    pub fn text_plain_default() -> Self {
        let mut ct = ContentType::new("text", "plain");
        ct.parameters.params.push(rfc2231::Parameter {
            name: "charset".into(),
            value: "us-ascii".into(),
            charset: None,
            language: None,
            rfc2231: false,
        });
        ct
    }

    /// `message/rfc822`, what a part of a `multipart/digest` without `Content-Type` is (RFC
    /// 2046 §5.1.5).
    pub fn message_rfc822() -> Self {
        ContentType::new("message", "rfc822")
    }

    /// Parses a header value with the default parameter limit; see [`ContentType::parse_with`].
    pub fn parse(value: &[u8]) -> Option<Self> {
        Self::parse_with(value, &rfc2231::ParseOptions::default())
    }

    /// Parses a header value (the raw bytes after the colon, folding included).
    ///
    /// Leading whitespace and comments are skipped. Returns `None` when there is no
    /// `type/subtype` (the caller then uses the default and records a defect); parameter
    /// problems are in `parameters.defects`.
    pub fn parse_with(value: &[u8], options: &rfc2231::ParseOptions) -> Option<Self> {
        let (media_type, rest) = token(value)?;
        let rest = skip_cfws(rest);
        let rest = rest.strip_prefix(b"/")?;
        let (subtype, rest) = token(rest)?;
        let rest = skip_cfws(rest);
        let parameters = rfc2231::parse_after_value(rest, options);
        Some(ContentType {
            media_type: media_type.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            parameters,
        })
    }

    /// Whether this is `type/subtype` (case-insensitive).
    pub fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(media_type)
            && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// Whether the media type is `multipart`.
    pub fn is_multipart(&self) -> bool {
        self.media_type == "multipart"
    }

    /// Whether this is `message/rfc822` or `message/global` (RFC 6532), a nested message.
    pub fn is_message(&self) -> bool {
        self.media_type == "message" && matches!(self.subtype.as_str(), "rfc822" | "global")
    }

    /// A parameter value by name (case-insensitive).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name)
    }

    /// The `boundary` parameter.
    pub fn boundary(&self) -> Option<&str> {
        self.parameter("boundary")
    }

    /// The `charset` parameter.
    pub fn charset(&self) -> Option<&str> {
        self.parameter("charset")
    }

    /// `type/subtype`.
    pub fn mime_type(&self) -> String {
        format!("{}/{}", self.media_type, self.subtype)
    }
}

/// Skips whitespace (folding included) and nested comments; linear.
pub(crate) fn skip_cfws(mut s: &[u8]) -> &[u8] {
    loop {
        s = s.trim_ascii_start();
        if s.first() != Some(&b'(') {
            return s;
        }
        s = &s[lex::comment_end(s, 0).0..];
    }
}

/// A token (RFC 2045 §5.1) after optional CFWS: `(token, rest)`, or `None` when empty or not
/// UTF-8.
pub(crate) fn token(s: &[u8]) -> Option<(&str, &[u8])> {
    let s = skip_cfws(s);
    let end = s
        .iter()
        .position(|&b| lex::is_tspecial_or_ws(b) || !b.is_ascii())
        .unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let text = std::str::from_utf8(&s[..end]).ok()?;
    Some((text, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::ContentType;

    #[test]
    fn parses_type_subtype_and_parameters() {
        let ct =
            ContentType::parse(b" Multipart/Mixed;\r\n boundary=\"=_b1\"; charset=UTF-8").unwrap();
        assert_eq!(ct.mime_type(), "multipart/mixed");
        assert!(ct.is_multipart());
        assert_eq!(ct.boundary(), Some("=_b1"));
        assert_eq!(ct.charset(), Some("UTF-8"));
    }

    #[test]
    fn comments_and_rfc2231() {
        let ct = ContentType::parse(
            b"(c) application/octet-stream (x); name*0*=utf-8''%E2%82%AC; name*1=\".txt\"",
        )
        .unwrap();
        assert!(ct.is("application", "octet-stream"));
        assert_eq!(ct.parameter("NAME"), Some("\u{20ac}.txt"));
    }

    #[test]
    fn malformed_gives_none() {
        assert!(ContentType::parse(b"text").is_none());
        assert!(ContentType::parse(b"").is_none());
        assert!(ContentType::parse(b"/plain").is_none());
        assert!(ContentType::parse(b"text/").is_none());
        assert!(ContentType::parse(b"((((((").is_none());
    }

    #[test]
    fn defaults() {
        assert_eq!(ContentType::default().charset(), Some("us-ascii"));
        assert!(ContentType::message_rfc822().is_message());
    }
}
