//! `MAIL FROM` and `RCPT TO` parameters: BODY (RFC 6152, RFC 3030), DSN (RFC 3461, RFC 6533),
//! REQUIRETLS (RFC 8689) and SMTPUTF8 (RFC 6531).

use std::fmt::Write as _;

/// The body type announced with `BODY=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyType {
    /// `7BIT`: ASCII text only.
    SevenBit,
    /// `8BITMIME`: text with 8-bit bytes (RFC 6152).
    EightBitMime,
    /// `BINARYMIME`: arbitrary bytes, sent with `BDAT` only (RFC 3030).
    BinaryMime,
}

impl BodyType {
    /// The `BODY=` value.
    pub fn keyword(self) -> &'static str {
        match self {
            BodyType::SevenBit => "7BIT",
            BodyType::EightBitMime => "8BITMIME",
            BodyType::BinaryMime => "BINARYMIME",
        }
    }
}

/// What a delivery status notification should return (`RET=`, RFC 3461).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnReturn {
    /// `RET=FULL`: the whole message.
    Full,
    /// `RET=HDRS`: the headers only.
    Headers,
}

impl DsnReturn {
    /// The `RET=` value.
    pub fn keyword(self) -> &'static str {
        match self {
            DsnReturn::Full => "FULL",
            DsnReturn::Headers => "HDRS",
        }
    }
}

/// When to send a delivery status notification (`NOTIFY=`, RFC 3461). All `false` means
/// `NOTIFY=NEVER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Notify {
    /// On successful delivery.
    pub success: bool,
    /// On failure.
    pub failure: bool,
    /// On delay.
    pub delay: bool,
}

impl Notify {
    /// The `NOTIFY=` value: `NEVER`, or a comma-separated list of `SUCCESS,FAILURE,DELAY`.
    pub fn value(self) -> String {
        let words = [
            (self.success, "SUCCESS"),
            (self.failure, "FAILURE"),
            (self.delay, "DELAY"),
        ];
        let list: Vec<&str> = words
            .iter()
            .filter(|(on, _)| *on)
            .map(|&(_, w)| w)
            .collect();
        if list.is_empty() {
            "NEVER".to_owned()
        } else {
            list.join(",")
        }
    }
}

/// Parameters of a transaction's `MAIL FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailParameters {
    /// `RET=` (needs DSN).
    pub ret: Option<DsnReturn>,
    /// `ENVID=`, the envelope identifier echoed in notifications (needs DSN; printable ASCII,
    /// at most 100 characters; sent as xtext).
    pub envid: Option<String>,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// Send `SMTPUTF8` even when every address is ASCII.
    pub smtputf8: bool,
}

/// Parameters of one `RCPT TO`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RcptParameters {
    /// `NOTIFY=` (needs DSN).
    pub notify: Option<Notify>,
    /// `ORCPT=`, the original recipient address (needs DSN). Sent as `rfc822;xtext` when ASCII,
    /// or as `utf-8;` per RFC 6533 otherwise.
    pub orcpt: Option<String>,
}

/// RFC 3461 xtext: printable ASCII except `+` and `=` as is, every other byte as `+XX`.
pub(crate) fn xtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "+{b:02X}");
        }
    }
    out
}

/// RFC 6533 encoding of a UTF-8 address for `ORCPT=utf-8;…`: printable ASCII except `+`, `=`
/// and `\` as is; those, spaces and controls as `\x{HEX}`. Non-ASCII characters go as is when
/// `unicode` (the session uses SMTPUTF8: `utf-8-addr-unitext`), else as `\x{HEX}`
/// (`utf-8-addr-xtext`, safe on any server).
pub(crate) fn utf8_addr_xtext(s: &str, unicode: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let plain = matches!(c, '!'..='~') && !matches!(c, '+' | '=' | '\\');
        if plain || (unicode && !c.is_ascii() && !c.is_control()) {
            out.push(c);
        } else {
            let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
        }
    }
    out
}

/// The `ORCPT=` value for an original recipient address.
pub(crate) fn orcpt_value(addr: &str, smtputf8: bool) -> String {
    if addr.is_ascii() {
        format!("rfc822;{}", xtext(addr))
    } else {
        format!("utf-8;{}", utf8_addr_xtext(addr, smtputf8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    #[test]
    fn xtext_encoding() {
        assert_eq!(xtext("user@example.org"), "user@example.org");
        assert_eq!(xtext("a+b=c d"), "a+2Bb+3Dc+20d");
        assert_eq!(xtext("\r\n\0~"), "+0D+0A+00~");
        assert_eq!(xtext("é"), "+C3+A9");
        assert_eq!(xtext(""), "");
    }

    #[test]
    fn utf8_address_encoding() {
        assert_eq!(utf8_addr_xtext("üser@x.example", true), "üser@x.example");
        assert_eq!(
            utf8_addr_xtext("üser@x.example", false),
            "\\x{FC}ser@x.example"
        );
        assert_eq!(
            utf8_addr_xtext("a+b=c\\d e", true),
            "a\\x{2B}b\\x{3D}c\\x{5C}d\\x{20}e"
        );
        assert_eq!(utf8_addr_xtext("😀", false), "\\x{1F600}");
    }

    #[test]
    fn orcpt_values() {
        assert_eq!(
            orcpt_value("a+b@x.example", false),
            "rfc822;a+2Bb@x.example"
        );
        assert_eq!(orcpt_value("ü@x.example", false), "utf-8;\\x{FC}@x.example");
        assert_eq!(orcpt_value("ü@x.example", true), "utf-8;ü@x.example");
    }

    #[test]
    fn keywords() {
        assert_eq!(BodyType::SevenBit.keyword(), "7BIT");
        assert_eq!(BodyType::EightBitMime.keyword(), "8BITMIME");
        assert_eq!(BodyType::BinaryMime.keyword(), "BINARYMIME");
        assert_eq!(DsnReturn::Full.keyword(), "FULL");
        assert_eq!(DsnReturn::Headers.keyword(), "HDRS");
        assert_eq!(Notify::default().value(), "NEVER");
        let all = Notify {
            success: true,
            failure: true,
            delay: true,
        };
        assert_eq!(all.value(), "SUCCESS,FAILURE,DELAY");
        let some = Notify {
            failure: true,
            delay: true,
            ..Notify::default()
        };
        assert_eq!(some.value(), "FAILURE,DELAY");
    }

    /// Decodes xtext (test helper for the round trip).
    fn xtext_decode(s: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut bytes = s.bytes();
        while let Some(b) = bytes.next() {
            if b == b'+' {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            } else {
                out.push(b);
            }
        }
        Some(out)
    }

    #[test]
    fn quickcheck_xtext_round_trip_and_safe() {
        fn prop(s: String) -> bool {
            let x = xtext(&s);
            let u = utf8_addr_xtext(&s, true);
            let safe = |t: &str| !t.chars().any(|c| c.is_control() || c == ' ' || c == '=');
            safe(&x)
                && x.is_ascii()
                && safe(&u)
                && utf8_addr_xtext(&s, false).is_ascii()
                && xtext_decode(&x).as_deref() == Some(s.as_bytes())
        }
        QuickCheck::new().quickcheck(prop as fn(String) -> bool);
    }
}
