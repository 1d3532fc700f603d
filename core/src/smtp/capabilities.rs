//! What an SMTP server offers, read from its EHLO reply (RFC 5321 §4.1.1.1).

use super::reply::Reply;

/// The server's EHLO reply, decoded into the extensions the client cares about.
///
/// Built leniently: unknown keywords land in [`Capabilities::extensions`] and odd lines are
/// skipped, never an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// The first word of the reply's first line (the server's name for itself).
    pub domain: String,
    /// `SIZE` is advertised (RFC 1870).
    pub size: bool,
    /// The server's maximum message size, from `SIZE n` with `n > 0`.
    pub size_limit: Option<u64>,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `BINARYMIME` (RFC 3030).
    pub binary_mime: bool,
    /// `CHUNKING`, i.e. `BDAT` (RFC 3030).
    pub chunking: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtp_utf8: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// SASL mechanisms from `AUTH a b` and the legacy `AUTH=a b`: upper case, without
    /// duplicates, in the server's order.
    pub auth: Vec<String>,
    /// Every keyword line (keyword in upper case) with its raw parameter text.
    pub extensions: Vec<(String, String)>,
}

impl Capabilities {
    /// Reads the capabilities from an EHLO reply. Never fails: garbage is skipped.
    pub fn from_ehlo(reply: &Reply) -> Capabilities {
        let mut caps = Capabilities::default();
        let mut lines = reply.lines.iter().map(|l| String::from_utf8_lossy(l));
        if let Some(first) = lines.next() {
            caps.domain = first
                .split_ascii_whitespace()
                .next()
                .unwrap_or("")
                .to_owned();
        }
        for line in lines {
            let line = line.trim_matches(|c: char| c.is_ascii_whitespace());
            let (word, params) = line
                .split_once(|c: char| c.is_ascii_whitespace())
                .unwrap_or((line, ""));
            let params = params.trim_start_matches(|c: char| c.is_ascii_whitespace());
            if word.is_empty() {
                continue;
            }
            let keyword = word.to_ascii_uppercase();
            // Legacy form: "AUTH=LOGIN PLAIN".
            if let Some(first_mech) = keyword.strip_prefix("AUTH=") {
                caps.add_mechanisms(
                    std::iter::once(first_mech).chain(params.split_ascii_whitespace()),
                );
                let raw = line.get("AUTH=".len()..).unwrap_or("").trim();
                caps.extensions.push(("AUTH".to_owned(), raw.to_owned()));
                continue;
            }
            match keyword.as_str() {
                "SIZE" => {
                    caps.size = true;
                    caps.size_limit = params
                        .split_ascii_whitespace()
                        .next()
                        .and_then(|n| n.parse::<u64>().ok())
                        .filter(|&n| n > 0);
                }
                "PIPELINING" => caps.pipelining = true,
                "8BITMIME" => caps.eight_bit_mime = true,
                "BINARYMIME" => caps.binary_mime = true,
                "CHUNKING" => caps.chunking = true,
                "SMTPUTF8" => caps.smtp_utf8 = true,
                "DSN" => caps.dsn = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                "STARTTLS" => caps.starttls = true,
                "REQUIRETLS" => caps.requiretls = true,
                "AUTH" => caps.add_mechanisms(params.split_ascii_whitespace()),
                _ => {}
            }
            caps.extensions.push((keyword, params.to_owned()));
        }
        caps
    }

    fn add_mechanisms<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        for name in names.filter(|n| !n.is_empty()) {
            let name = name.to_ascii_uppercase();
            if !self.auth.contains(&name) {
                self.auth.push(name);
            }
        }
    }

    /// Whether the server offers the SASL mechanism (case-insensitive).
    pub fn supports_auth(&self, mechanism: &str) -> bool {
        self.auth.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }

    /// Whether the server advertised `keyword` (case-insensitive), whatever its parameters.
    pub fn has(&self, keyword: &str) -> bool {
        self.extensions
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(keyword))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::ReplyParser;
    use quickcheck::QuickCheck;

    fn caps(wire: &[u8]) -> Capabilities {
        let (reply, _) = ReplyParser::new(4096, 100).parse(wire).unwrap().unwrap();
        Capabilities::from_ehlo(&reply)
    }

    #[test]
    fn postfix_like_ehlo() {
        let c = caps(
            b"250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n\
              250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n\
              250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
        );
        assert_eq!(c.domain, "mx.example.org");
        assert!(c.pipelining && c.size && c.starttls && c.enhanced_status_codes);
        assert!(c.eight_bit_mime && c.dsn && c.smtp_utf8 && c.chunking);
        assert!(!c.binary_mime && !c.requiretls);
        assert_eq!(c.size_limit, Some(10_240_000));
        assert_eq!(c.auth, ["PLAIN", "LOGIN"]);
        assert!(c.supports_auth("plain") && !c.supports_auth("CRAM-MD5"));
        assert!(c.has("vrfy") && c.has("ETRN") && c.has("pipelining") && !c.has("XCLIENT"));
        assert_eq!(c.extensions.len(), 11);
        assert!(c.extensions.contains(&("SIZE".into(), "10240000".into())));
    }

    #[test]
    fn legacy_auth_merges() {
        let c = caps(b"250-mx Hello\r\n250-AUTH=LOGIN PLAIN\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n");
        assert_eq!(c.auth, ["LOGIN", "PLAIN", "CRAM-MD5"]);
        assert!(c.has("AUTH"));
        assert_eq!(c.extensions[0], ("AUTH".into(), "LOGIN PLAIN".into()));
    }

    #[test]
    fn size_with_and_without_number() {
        assert_eq!(
            (
                caps(b"250-a\r\n250 SIZE\r\n").size,
                caps(b"250-a\r\n250 SIZE\r\n").size_limit
            ),
            (true, None)
        );
        let c = caps(b"250-a\r\n250 SIZE 0\r\n");
        assert!(c.size && c.size_limit.is_none());
        let c = caps(b"250-a\r\n250 SIZE 99999999999999999999999\r\n");
        assert!(c.size && c.size_limit.is_none());
        let c = caps(b"250-a\r\n250 SIZE -5\r\n");
        assert!(c.size && c.size_limit.is_none());
    }

    #[test]
    fn odd_whitespace_and_lower_case() {
        let c = caps(b"250-  mx.example  greets you\r\n250-  size\t 1000  \r\n250-auth   plain\t\tlogin \r\n250-\r\n250-   \r\n250 starttls\r\n");
        assert_eq!(c.domain, "mx.example");
        assert_eq!(c.size_limit, Some(1000));
        assert_eq!(c.auth, ["PLAIN", "LOGIN"]);
        assert!(c.starttls);
        assert_eq!(c.extensions.len(), 3);
    }

    #[test]
    fn single_line_reply_has_no_extensions() {
        let c = caps(b"250 mx.example.org\r\n");
        assert_eq!(c.domain, "mx.example.org");
        assert!(c.extensions.is_empty() && c.auth.is_empty());
        assert_eq!(
            Capabilities::from_ehlo(&Reply {
                code: 250,
                enhanced: None,
                lines: vec![]
            }),
            Capabilities::default()
        );
    }

    #[test]
    fn quickcheck_garbage_never_panics() {
        fn prop(lines: Vec<Vec<u8>>) -> bool {
            let reply = Reply {
                code: 250,
                enhanced: None,
                lines: lines.into_iter().map(Into::into).collect(),
            };
            let c = Capabilities::from_ehlo(&reply);
            c.auth.iter().all(|m| !m.is_empty())
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<Vec<u8>>) -> bool);
    }
}
