//! What a POP3 server offers, read from its `CAPA` reply (RFC 2449 §6, RFC 2595, RFC 5034,
//! RFC 6856).

use bytes::Bytes;

/// How long the server keeps messages (`EXPIRE`, RFC 2449 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expire {
    /// `EXPIRE NEVER`: messages are never deleted by the server.
    Never,
    /// `EXPIRE n`: messages may be deleted `n` days after they were retrieved (`0`: right
    /// after the session that retrieved them).
    Days(u32),
}

/// The server's `CAPA` reply, decoded into typed capabilities.
///
/// Built leniently: unknown tags land in [`Capabilities::other`] and malformed arguments are
/// dropped, never an error. Tags are case-insensitive.
///
/// The texts (`IMPLEMENTATION`, the arguments of unknown tags) come from the server and are
/// untrusted: they may hold terminal escapes.
///
/// ```
/// use mail_kit_core::pop3::{Capabilities, Expire};
///
/// let caps = Capabilities::parse([&b"TOP"[..], b"SASL PLAIN scram-sha-256", b"EXPIRE 30 USER",
///     b"LOGIN-DELAY 900", b"PIPELINING", b"X-FOO bar"]);
/// assert!(caps.top && caps.pipelining && !caps.stls);
/// assert_eq!(caps.sasl, ["PLAIN", "SCRAM-SHA-256"]);
/// assert_eq!(caps.expire, Some(Expire::Days(30)));
/// assert!(caps.expire_per_user);
/// assert_eq!(caps.login_delay, Some(900));
/// assert_eq!(caps.other, [("X-FOO".to_string(), "bar".to_string())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// `TOP`: the `TOP` command is supported.
    pub top: bool,
    /// `USER`: `USER`/`PASS` login is supported.
    pub user: bool,
    /// `SASL mech…`: the SASL mechanisms for `AUTH` (RFC 5034), upper case, without duplicates,
    /// in the server's order.
    pub sasl: Vec<String>,
    /// `RESP-CODES`: `-ERR` replies may start with a response code.
    pub resp_codes: bool,
    /// `LOGIN-DELAY n`: minimum seconds between logins.
    pub login_delay: Option<u32>,
    /// `LOGIN-DELAY n USER`: the delay may differ per user (it is only a bound before login).
    pub login_delay_per_user: bool,
    /// `PIPELINING`: commands may be sent without waiting for replies.
    pub pipelining: bool,
    /// `EXPIRE`: the server's retention policy.
    pub expire: Option<Expire>,
    /// `EXPIRE … USER`: the policy may differ per user.
    pub expire_per_user: bool,
    /// `UIDL`: the `UIDL` command is supported.
    pub uidl: bool,
    /// `IMPLEMENTATION text`: the server software (raw, untrusted bytes).
    pub implementation: Option<Bytes>,
    /// `STLS`: the `STLS` command (RFC 2595) is supported.
    pub stls: bool,
    /// `UTF8`: the `UTF8` command (RFC 6856) is supported.
    pub utf8: bool,
    /// `UTF8 USER`: user names and passwords may be UTF-8 once `UTF8` was accepted.
    pub utf8_user: bool,
    /// `LANG`: the `LANG` command (RFC 6856) is supported.
    pub lang: bool,
    /// Every other tag (upper case) with its raw argument text.
    pub other: Vec<(String, String)>,
}

impl Capabilities {
    /// Reads the lines of a `CAPA` reply (without line ends or the final `.`).
    pub fn parse<L: AsRef<[u8]>>(lines: impl IntoIterator<Item = L>) -> Capabilities {
        let mut caps = Capabilities::default();
        for line in lines {
            caps.add(line.as_ref());
        }
        caps
    }

    fn add(&mut self, line: &[u8]) {
        let line = line.trim_ascii();
        let (tag, args) = match line.iter().position(|b| b.is_ascii_whitespace()) {
            Some(i) => (&line[..i], line[i..].trim_ascii_start()),
            None => (line, &b""[..]),
        };
        if tag.is_empty() {
            return;
        }
        let tag = String::from_utf8_lossy(tag).to_ascii_uppercase();
        let text = String::from_utf8_lossy(args);
        let words: Vec<&str> = text.split_ascii_whitespace().collect();
        let per_user = words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("USER"));
        match tag.as_str() {
            "TOP" => self.top = true,
            "USER" => self.user = true,
            "SASL" => {
                for word in &words {
                    let mech = word.to_ascii_uppercase();
                    if !self.sasl.contains(&mech) {
                        self.sasl.push(mech);
                    }
                }
            }
            "RESP-CODES" => self.resp_codes = true,
            "LOGIN-DELAY" => {
                self.login_delay = words.first().and_then(|w| w.parse().ok());
                self.login_delay_per_user = per_user;
            }
            "PIPELINING" => self.pipelining = true,
            "EXPIRE" => {
                self.expire = words.first().and_then(|w| {
                    if w.eq_ignore_ascii_case("NEVER") {
                        Some(Expire::Never)
                    } else {
                        w.parse().ok().map(Expire::Days)
                    }
                });
                self.expire_per_user = per_user;
            }
            "UIDL" => self.uidl = true,
            "IMPLEMENTATION" => self.implementation = Some(Bytes::copy_from_slice(args)),
            "STLS" => self.stls = true,
            "UTF8" => {
                self.utf8 = true;
                self.utf8_user = words
                    .first()
                    .is_some_and(|w| w.eq_ignore_ascii_case("USER"));
            }
            "LANG" => self.lang = true,
            _ => self.other.push((tag, text.into_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag() {
        let caps = Capabilities::parse([
            &b"TOP"[..],
            b"USER",
            b"SASL PLAIN LOGIN plain",
            b"RESP-CODES",
            b"LOGIN-DELAY 900 USER",
            b"PIPELINING",
            b"EXPIRE NEVER",
            b"UIDL",
            b"IMPLEMENTATION Shlemazle-Plotz-v302 \x1b[2J",
            b"STLS",
            b"UTF8 USER",
            b"LANG",
            b"",
            b"  ",
        ]);
        assert!(caps.top && caps.user && caps.resp_codes && caps.pipelining && caps.uidl);
        assert!(caps.stls && caps.utf8 && caps.utf8_user && caps.lang);
        assert_eq!(caps.sasl, ["PLAIN", "LOGIN"]);
        assert_eq!(caps.login_delay, Some(900));
        assert!(caps.login_delay_per_user);
        assert_eq!(caps.expire, Some(Expire::Never));
        assert!(!caps.expire_per_user);
        assert_eq!(
            caps.implementation.as_deref(),
            Some(&b"Shlemazle-Plotz-v302 \x1b[2J"[..])
        );
        assert!(caps.other.is_empty());
    }

    #[test]
    fn malformed_arguments_are_dropped() {
        let caps = Capabilities::parse([&b"LOGIN-DELAY soon"[..], b"EXPIRE -1", b"utf8"]);
        assert_eq!(caps.login_delay, None);
        assert_eq!(caps.expire, None);
        assert!(caps.utf8 && !caps.utf8_user);
        assert_eq!(
            Capabilities::parse([b"EXPIRE 0"]).expire,
            Some(Expire::Days(0))
        );
    }
}
