//! Envelope addresses (RFC 5321 §4.1.2 `Mailbox`, RFC 6531 UTF-8) and the EHLO client name.
//!
//! Both are validated once, at construction, so nothing that reaches a command line can carry
//! CR, LF, NUL or any other control character (security cases 31–33).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::fmt;
use std::str::FromStr;

use crate::UsageError;

/// Longest local part in octets (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL: usize = 64;
/// Longest domain in octets (RFC 5321 §4.5.3.1.2).
const MAX_DOMAIN: usize = 255;
/// Longest path content in octets (RFC 5321 §4.5.3.1.3: 256 with the angle brackets, and
/// RFC 3696 errata: 254 without).
const MAX_ADDRESS: usize = 254;
/// Longest domain label in octets (RFC 1035).
const MAX_LABEL: usize = 63;

/// A validated RFC 5321 mailbox: `local-part@domain` or `local-part@[address-literal]`.
///
/// The local part is a dot-atom or a quoted string; UTF-8 is allowed (RFC 6531). The domain
/// may be given with U-labels (`bücher.example`); it is kept as given and converted to
/// A-labels on the wire unless the session uses SMTPUTF8.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    text: String,
    /// Byte index of the `@` between the local part and the domain.
    at: usize,
}

impl Address {
    /// Validates `s` as a mailbox. CR, LF, NUL and every other control character are
    /// [`UsageError::ForbiddenCharacter`]; any other problem is [`UsageError::InvalidAddress`].
    /// Angle brackets are not stripped: `<` and `>` are only valid inside a quoted local part.
    pub fn new(s: &str) -> Result<Address, UsageError> {
        if s.chars().any(char::is_control) {
            return Err(UsageError::ForbiddenCharacter { what: "address" });
        }
        let invalid = |reason| UsageError::InvalidAddress { reason };
        if s.len() > MAX_ADDRESS {
            return Err(invalid("longer than 254 octets"));
        }
        let at = local_part_len(s).map_err(invalid)?;
        let (local, domain) = s.split_at(at);
        let domain = domain.strip_prefix('@').ok_or(invalid("missing @"))?;
        if local.len() > MAX_LOCAL {
            return Err(invalid("local part longer than 64 octets"));
        }
        if domain.is_empty() {
            return Err(invalid("empty domain"));
        }
        if domain.starts_with('[') {
            check_address_literal(domain).map_err(invalid)?;
        } else {
            domain_to_a_labels(domain).map_err(invalid)?;
        }
        Ok(Address {
            text: s.to_owned(),
            at,
        })
    }

    /// The local part as given (with its quotes, if quoted).
    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or_default()
    }

    /// The domain or address literal as given (U-labels kept).
    pub fn domain(&self) -> &str {
        self.text.get(self.at + 1..).unwrap_or_default()
    }

    /// The whole address as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether sending this address needs SMTPUTF8: its local part is not ASCII. (A non-ASCII
    /// domain alone does not: it can go out as A-labels.)
    pub fn needs_smtputf8(&self) -> bool {
        !self.local_part().is_ascii()
    }

    /// The path content for `MAIL FROM:<…>` / `RCPT TO:<…>`, without the angle brackets.
    ///
    /// Without `smtputf8` the domain is converted to A-labels, and a non-ASCII local part is
    /// [`UsageError::NotSupported`]`("SMTPUTF8")`. With `smtputf8` the address goes as given.
    pub fn to_wire(&self, smtputf8: bool) -> Result<String, UsageError> {
        if smtputf8 || self.text.is_ascii() {
            return Ok(self.text.clone());
        }
        if self.needs_smtputf8() {
            return Err(UsageError::NotSupported("SMTPUTF8"));
        }
        let domain = domain_to_a_labels(self.domain())
            .map_err(|reason| UsageError::InvalidAddress { reason })?;
        Ok(format!("{}@{}", self.local_part(), domain))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Address {
    type Err = UsageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::new(s)
    }
}

/// The length of the local part at the start of `s` (quoted string or dot-atom).
fn local_part_len(s: &str) -> Result<usize, &'static str> {
    if s.starts_with('"') {
        return quoted_local_part_len(s);
    }
    let len = s.find('@').ok_or("missing @")?;
    let local = s.get(..len).unwrap_or_default();
    if local.is_empty() {
        return Err("empty local part");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("misplaced dot in local part");
    }
    if !local.chars().all(|c| c == '.' || is_atext(c)) {
        return Err("invalid character in local part");
    }
    Ok(len)
}

/// RFC 5322 `atext`, extended with UTF-8 by RFC 6531.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// The length of a quoted local part (quotes included): `qtextSMTP` and `quoted-pairSMTP`.
fn quoted_local_part_len(s: &str) -> Result<usize, &'static str> {
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if i == 1 => return Err("empty local part"),
            '"' => return Ok(i + 1),
            '\\' => match chars.next() {
                Some((_, ' '..='~')) => {}
                _ => return Err("invalid quoted pair in local part"),
            },
            // qtextSMTP: printable ASCII except '"' and '\', or UTF-8 (RFC 6531).
            ' '..='~' => {}
            c if !c.is_ascii() => {}
            _ => return Err("invalid character in quoted local part"),
        }
    }
    Err("unterminated quoted local part")
}

/// Checks `[IPv4]` and `[IPv6:…]` address literals (general literals are not supported).
fn check_address_literal(s: &str) -> Result<(), &'static str> {
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or("unterminated address literal")?;
    let ok = match inner.get(..5) {
        Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => inner
            .get(5..)
            .is_some_and(|ip| ip.parse::<Ipv6Addr>().is_ok()),
        _ => inner.parse::<Ipv4Addr>().is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err("invalid address literal")
    }
}

/// Validates a domain name and returns it with A-labels (ASCII input is returned as is).
fn domain_to_a_labels(domain: &str) -> Result<String, &'static str> {
    if domain.len() > MAX_DOMAIN {
        return Err("domain longer than 255 octets");
    }
    let ascii = if domain.is_ascii() {
        domain.to_owned()
    } else {
        idna::domain_to_ascii(domain).map_err(|_| "invalid international domain name")?
    };
    check_ldh_domain(&ascii)?;
    Ok(ascii)
}

/// RFC 5321 `Domain`: dot-separated labels of letters, digits and inner hyphens.
fn check_ldh_domain(domain: &str) -> Result<(), &'static str> {
    if domain.is_empty() {
        return Err("empty domain");
    }
    if domain.len() > MAX_DOMAIN {
        return Err("domain longer than 255 octets");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("empty domain label");
        }
        if label.len() > MAX_LABEL {
            return Err("domain label longer than 63 octets");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("invalid character in domain");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("domain label starts or ends with a hyphen");
        }
    }
    Ok(())
}

/// The name the client gives itself in `EHLO`/`HELO`: a domain (stored with A-labels) or an
/// address literal such as `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientName(String);

impl ClientName {
    /// Validates a client name; an internationalized domain is converted to A-labels.
    /// Spaces and control characters are [`UsageError::ForbiddenCharacter`]; other problems
    /// are [`UsageError::InvalidArgument`].
    pub fn new(s: &str) -> Result<ClientName, UsageError> {
        const WHAT: &str = "client name";
        if s.chars().any(|c| c.is_control() || c == ' ') {
            return Err(UsageError::ForbiddenCharacter { what: WHAT });
        }
        let invalid = |reason| UsageError::InvalidArgument { what: WHAT, reason };
        if s.is_empty() {
            return Err(invalid("empty"));
        }
        if s.starts_with('[') {
            check_address_literal(s).map_err(invalid)?;
            return Ok(ClientName(s.to_owned()));
        }
        domain_to_a_labels(s).map(ClientName).map_err(invalid)
    }

    /// The address literal for an IP address: `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
    pub fn from_ip(ip: IpAddr) -> ClientName {
        match ip {
            IpAddr::V4(v4) => ClientName(format!("[{v4}]")),
            IpAddr::V6(v6) => ClientName(format!("[IPv6:{v6}]")),
        }
    }

    /// The name as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ClientName {
    type Err = UsageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ClientName::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    fn reason(s: &str) -> &'static str {
        match Address::new(s) {
            Err(UsageError::InvalidAddress { reason }) => reason,
            other => panic!("{s:?}: expected InvalidAddress, got {other:?}"),
        }
    }

    const FORBIDDEN: UsageError = UsageError::ForbiddenCharacter { what: "address" };

    #[test]
    fn accepts_valid_mailboxes() {
        for (s, local, domain) in [
            ("user@example.org", "user", "example.org"),
            (
                "first.last+tag@mail.example.org",
                "first.last+tag",
                "mail.example.org",
            ),
            (
                "\"quoted local\"@example.org",
                "\"quoted local\"",
                "example.org",
            ),
            (
                "\"a@b\\\"c\\\\\"@example.org",
                "\"a@b\\\"c\\\\\"",
                "example.org",
            ),
            ("\"<x>\"@example.org", "\"<x>\"", "example.org"),
            ("user@[192.0.2.1]", "user", "[192.0.2.1]"),
            ("user@[IPv6:::1]", "user", "[IPv6:::1]"),
            ("user@[ipv6:2001:db8::1]", "user", "[ipv6:2001:db8::1]"),
            ("üser@bücher.example", "üser", "bücher.example"),
            ("user@bücher.example", "user", "bücher.example"),
            ("postmaster@localhost", "postmaster", "localhost"),
            (
                "!#$%&'*+-/=?^_`{|}~@x-y.example",
                "!#$%&'*+-/=?^_`{|}~",
                "x-y.example",
            ),
        ] {
            let a = Address::new(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!((a.local_part(), a.domain()), (local, domain), "{s:?}");
            assert_eq!(a.to_string(), s);
            assert_eq!(a.as_str(), s);
            assert_eq!(s.parse::<Address>().unwrap(), a);
        }
    }

    #[test]
    fn rejects_control_characters() {
        for s in [
            "a@b.example\r",
            "a\n@b.example",
            "a@b\0.example",
            "a\t@b.example",
            "a@b.example\x7f",
            "a@b.exa\u{9b}mple",
            "\"a\x01\"@b.example",
        ] {
            assert_eq!(Address::new(s), Err(FORBIDDEN), "{s:?}");
        }
    }

    #[test]
    fn security_case_31_crlf_in_envelope_address() {
        let rcpt = "a@b.example>\r\nDATA\r\nInjected\r\n.\r\nQUIT\r\n";
        assert_eq!(Address::new(rcpt), Err(FORBIDDEN));
        assert_eq!(Address::new("x@y\rinvalid"), Err(FORBIDDEN));
        assert!(matches!(
            Address::new("a@b.example>"),
            Err(UsageError::InvalidAddress { .. })
        ));
    }

    #[test]
    fn security_case_32_crlf_in_quoted_local_part() {
        let rcpt = "\"a\r\nRCPT TO:<victim@evil.example>\"@b.example";
        assert_eq!(Address::new(rcpt), Err(FORBIDDEN));
        // A backslash does not make CR or LF acceptable.
        assert_eq!(Address::new("\"a\\\r\\\n\"@b.example"), Err(FORBIDDEN));
        assert_eq!(Address::new("\"a\\\n\"@b.example"), Err(FORBIDDEN));
    }

    #[test]
    fn rejects_bad_syntax() {
        assert_eq!(reason("user.example.org"), "missing @");
        assert_eq!(reason(""), "missing @");
        assert_eq!(reason("@example.org"), "empty local part");
        assert_eq!(reason("\"\"@example.org"), "empty local part");
        assert_eq!(reason("user@"), "empty domain");
        assert_eq!(reason(".user@example.org"), "misplaced dot in local part");
        assert_eq!(reason("user.@example.org"), "misplaced dot in local part");
        assert_eq!(reason("us..er@example.org"), "misplaced dot in local part");
        assert_eq!(
            reason("<user@example.org>"),
            "invalid character in local part"
        );
        assert_eq!(
            reason("us er@example.org"),
            "invalid character in local part"
        );
        assert_eq!(
            reason("a\"b@example.org"),
            "invalid character in local part"
        );
        assert_eq!(
            reason("\"abc@example.org"),
            "unterminated quoted local part"
        );
        assert_eq!(
            reason("\"a\\ü\"@example.org"),
            "invalid quoted pair in local part"
        );
        assert_eq!(reason("\"a\"b@example.org"), "missing @");
        assert_eq!(reason("user@example.org>"), "invalid character in domain");
        assert_eq!(reason("user@exa mple.org"), "invalid character in domain");
        assert_eq!(reason("a@b@example.org"), "invalid character in domain");
        assert_eq!(reason("user@example..org"), "empty domain label");
        assert_eq!(reason("user@example.org."), "empty domain label");
        assert_eq!(
            reason("user@-example.org"),
            "domain label starts or ends with a hyphen"
        );
        assert_eq!(reason("user@[192.0.2.1"), "unterminated address literal");
        assert_eq!(reason("user@[192.0.2.256]"), "invalid address literal");
        assert_eq!(reason("user@[IPv6:zz::1]"), "invalid address literal");
        assert_eq!(reason("user@[tag:content]"), "invalid address literal");
        assert_eq!(
            reason("user@bü_cher.example"),
            "invalid character in domain"
        );
    }

    #[test]
    fn length_limits() {
        let local64 = "a".repeat(64);
        let label63 = "b".repeat(63);
        assert!(Address::new(&format!("{local64}@example.org")).is_ok());
        assert_eq!(
            reason(&format!("{}@example.org", "a".repeat(65))),
            "local part longer than 64 octets"
        );
        assert_eq!(
            reason(&format!("a@{}.example", "b".repeat(64))),
            "domain label longer than 63 octets"
        );
        // 1 + 1 + 63*3 + 3 + 60 = 254 octets: the longest allowed.
        let domain = format!("{label63}.{label63}.{label63}.{}", "c".repeat(60));
        assert!(Address::new(&format!("a@{domain}")).is_ok());
        assert_eq!(reason(&format!("ab@{domain}")), "longer than 254 octets");
        assert_eq!(reason(&"x".repeat(100_000)), "longer than 254 octets");
    }

    #[test]
    fn wire_form() {
        let a = Address::new("user@bücher.example").unwrap();
        assert!(!a.needs_smtputf8());
        assert_eq!(a.to_wire(false).unwrap(), "user@xn--bcher-kva.example");
        assert_eq!(a.to_wire(true).unwrap(), "user@bücher.example");

        let a = Address::new("üser@bücher.example").unwrap();
        assert!(a.needs_smtputf8());
        assert_eq!(a.to_wire(false), Err(UsageError::NotSupported("SMTPUTF8")));
        assert_eq!(a.to_wire(true).unwrap(), "üser@bücher.example");

        let a = Address::new("\"quoted ü\"@example.org").unwrap();
        assert!(a.needs_smtputf8());

        for s in ["User@Example.ORG", "user@[IPv6:::1]", "\"a b\"@x.example"] {
            let a = Address::new(s).unwrap();
            assert_eq!(a.to_wire(false).unwrap(), s);
            assert!(!a.needs_smtputf8());
        }
    }

    #[test]
    fn client_names() {
        for (given, sent) in [
            ("client.example", "client.example"),
            ("Client.Example", "Client.Example"),
            ("localhost", "localhost"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("[192.0.2.1]", "[192.0.2.1]"),
            ("[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]"),
        ] {
            assert_eq!(ClientName::new(given).unwrap().as_str(), sent);
            assert_eq!(given.parse::<ClientName>().unwrap().to_string(), sent);
        }
        let forbidden = UsageError::ForbiddenCharacter {
            what: "client name",
        };
        for bad in ["a b", "a\tb", "a\rb", "a\nb", "a\0b"] {
            assert_eq!(ClientName::new(bad), Err(forbidden.clone()), "{bad:?}");
        }
        for bad in [
            "",
            "a..b",
            "-a.example",
            "a_b.example",
            "[1.2.3]",
            "[IPv6:x]",
            "a@b",
        ] {
            assert!(
                matches!(
                    ClientName::new(bad),
                    Err(UsageError::InvalidArgument {
                        what: "client name",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn security_case_33_crlf_in_client_name() {
        assert_eq!(
            ClientName::new("x\r\nMAIL FROM:<x@evil>"),
            Err(UsageError::ForbiddenCharacter {
                what: "client name"
            })
        );
    }

    #[test]
    fn client_name_from_ip() {
        use core::net::{Ipv4Addr, Ipv6Addr};
        assert_eq!(
            ClientName::from_ip(Ipv4Addr::LOCALHOST.into()).as_str(),
            "[127.0.0.1]"
        );
        assert_eq!(
            ClientName::from_ip(Ipv6Addr::LOCALHOST.into()).as_str(),
            "[IPv6:::1]"
        );
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        let name = ClientName::from_ip(ip);
        assert_eq!(ClientName::new(name.as_str()).unwrap(), name);
    }

    /// Inserts `bad` into `s` at a char boundary chosen by `at`.
    fn insert_at(s: &str, at: usize, bad: char) -> String {
        let mut s = s.to_owned();
        let mut i = at % (s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        s.insert(i, bad);
        s
    }

    #[test]
    fn quickcheck_cr_lf_nul_always_rejected() {
        fn prop(base: String, at: usize, which: u8) -> bool {
            let bad = ['\r', '\n', '\0'][usize::from(which % 3)];
            let s = insert_at(&base, at, bad);
            let as_addr = insert_at(&format!("{base}@example.org"), at, bad);
            Address::new(&s).is_err()
                && Address::new(&as_addr) == Err(FORBIDDEN)
                && ClientName::new(&s).is_err()
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(prop as fn(String, usize, u8) -> bool);
    }

    #[test]
    fn quickcheck_valid_addresses_are_safe_on_the_wire() {
        fn prop(s: String) -> bool {
            match Address::new(&s) {
                Err(_) => true,
                Ok(a) => [false, true].iter().all(|&u| match a.to_wire(u) {
                    Ok(w) => !w.bytes().any(|b| b < 0x20 || b == 0x7f),
                    Err(_) => !u,
                }),
            }
        }
        QuickCheck::new().quickcheck(prop as fn(String) -> bool);
    }
}
