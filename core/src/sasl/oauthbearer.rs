//! OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token behind a GS2 header.

use std::fmt;
use std::fmt::Write as _;

use super::bearer::{BearerExchange, concat};
use super::{Credentials, Mechanism, SaslError};

/// The OAUTHBEARER mechanism (RFC 7628):
/// `n,a=AUTHZID,^Ahost=HOST^Aport=PORT^Aauth=Bearer TOKEN^A^A`.
///
/// The authorization identity comes from [`Credentials::with_authzid`], and is the user name
/// when none is set (as Gmail and MailKit expect); `host` and `port` are sent when given with [`OAuthBearer::with_host`].
///
/// Client-first: the message is the initial response or, when the protocol cannot send one,
/// the answer to the server's first challenge if that challenge is empty. A non-empty challenge
/// is the server's JSON error report (RFC 7628 §3.2.2): it is answered with a single `^A`
/// (§3.2.3) and kept for [`server_error`](OAuthBearer::server_error); the server then fails the
/// exchange. Any further challenge is [`SaslError::TooManySteps`].
pub struct OAuthBearer {
    authzid: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    exchange: BearerExchange,
}

impl OAuthBearer {
    /// OAUTHBEARER for these credentials; `None` for a password, or when the authorization
    /// identity contains NUL or `^A` (0x01), or the token contains `^A`.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let token = credentials.token_str()?;
        let authzid = credentials
            .authzid()
            .or(Some(credentials.user()).filter(|u| !u.is_empty()));
        if token.contains('\x01') || authzid.is_some_and(|a| a.contains(['\0', '\x01'])) {
            return None;
        }
        Some(OAuthBearer {
            authzid: authzid.map(str::to_owned),
            host: None,
            port: None,
            exchange: BearerExchange::new(token, b"\x01"),
        })
    }

    /// Sends the server's host name and port, as RFC 7628 recommends. A host that is empty or
    /// contains control characters cannot be sent and is left out (the port is still sent).
    pub fn with_host(mut self, host: &str, port: u16) -> Self {
        self.host = (!host.is_empty() && !host.contains(char::is_control)).then(|| host.to_owned());
        self.port = Some(port);
        self
    }

    /// The error the server reported in its challenge: the JSON `status` value (e.g.
    /// `"invalid_token"`) when there is one, otherwise the whole text. `None` until the server
    /// reports an error.
    pub fn server_error(&self) -> Option<&str> {
        self.exchange.server_error()
    }

    /// The whole JSON text of the server's error report, if it sent one.
    pub fn server_error_json(&self) -> Option<&str> {
        self.exchange.server_error_json()
    }

    /// The GS2 header and the fields before the token.
    fn head(&self) -> String {
        let mut head = String::from("n,");
        if let Some(authzid) = &self.authzid {
            head.push_str("a=");
            for c in authzid.chars() {
                match c {
                    ',' => head.push_str("=2C"),
                    '=' => head.push_str("=3D"),
                    c => head.push(c),
                }
            }
        }
        head.push_str(",\x01");
        if let Some(host) = &self.host {
            let _ = write!(head, "host={host}\x01");
        }
        if let Some(port) = self.port {
            let _ = write!(head, "port={port}\x01");
        }
        head
    }
}

impl Mechanism for OAuthBearer {
    fn name(&self) -> &'static str {
        "OAUTHBEARER"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        let head = self.head();
        self.exchange.initial_response(message(&head))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let head = self.head();
        self.exchange.respond(challenge, message(&head))
    }

    fn finish(&mut self, _additional: Option<&[u8]>) -> Result<(), SaslError> {
        self.exchange.finish()
    }

    /// A bearer token is as replayable as a password.
    fn sends_plaintext_password(&self) -> bool {
        true
    }
}

/// The whole message: the header, then the token.
fn message(head: &str) -> impl FnOnce(&str) -> Vec<u8> + '_ {
    move |token| {
        concat(&[
            head.as_bytes(),
            b"auth=Bearer ",
            token.as_bytes(),
            b"\x01\x01",
        ])
    }
}

impl fmt::Debug for OAuthBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBearer")
            .field("authzid", &self.authzid)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &format_args!("<redacted>"))
            .field("sent", &self.exchange.sent())
            .field("server_error", &self.server_error_json())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq9-distinctive-SECRET-7xK";
    // RFC 7628 §4.3 (failed exchange).
    const RFC_ERROR: &[u8] = br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;

    #[test]
    fn rfc7628_example() {
        // RFC 7628 §4.1.
        let credentials = Credentials::oauth_token(
            "user@example.com",
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
        )
        .with_authzid("user@example.com");
        let mut bearer = OAuthBearer::new(&credentials)
            .unwrap()
            .with_host("server.example.com", 143);
        assert_eq!(bearer.name(), "OAUTHBEARER");
        assert!(bearer.sends_plaintext_password());
        assert_eq!(
            bearer.initial_response().unwrap().unwrap(),
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
        );
        assert_eq!(bearer.finish(None), Ok(()));
    }

    #[test]
    fn without_authzid_or_host() {
        let credentials = Credentials::oauth_token("user@example.com", "tok");
        let mut bearer = OAuthBearer::new(&credentials).unwrap();
        assert_eq!(
            bearer.initial_response().unwrap().unwrap(),
            b"n,a=user@example.com,\x01auth=Bearer tok\x01\x01"
        );
        let anonymous = Credentials::oauth_token("", "tok");
        let mut bearer = OAuthBearer::new(&anonymous).unwrap();
        assert_eq!(
            bearer.initial_response().unwrap().unwrap(),
            b"n,,\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn authzid_is_escaped() {
        let credentials = Credentials::oauth_token("u", "tok").with_authzid("a,b=c");
        let mut bearer = OAuthBearer::new(&credentials).unwrap();
        assert_eq!(
            bearer.initial_response().unwrap().unwrap(),
            b"n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn unsendable_host_is_left_out() {
        let credentials = Credentials::oauth_token("u", "tok");
        for host in ["", "evil\x01auth=Bearer x", "a\r\nb"] {
            let mut bearer = OAuthBearer::new(&credentials).unwrap().with_host(host, 993);
            assert_eq!(
                bearer.initial_response().unwrap().unwrap(),
                b"n,a=u,\x01port=993\x01auth=Bearer tok\x01\x01"
            );
        }
    }

    #[test]
    fn error_challenge_gets_ctrl_a_once() {
        let credentials = Credentials::oauth_token("u", "tok");
        let mut bearer = OAuthBearer::new(&credentials).unwrap();
        bearer.initial_response().unwrap();
        assert_eq!(bearer.respond(RFC_ERROR).unwrap(), b"\x01");
        assert_eq!(bearer.server_error(), Some("invalid_token"));
        assert_eq!(
            bearer.server_error_json(),
            Some(std::str::from_utf8(RFC_ERROR).unwrap())
        );
        assert_eq!(bearer.respond(RFC_ERROR), Err(SaslError::TooManySteps));
        assert_eq!(bearer.respond(b""), Err(SaslError::TooManySteps));
        assert_eq!(
            bearer.finish(None),
            Err(SaslError::ServerError("invalid_token".into()))
        );
    }

    #[test]
    fn without_initial_response_an_empty_challenge_asks_for_the_message() {
        let credentials = Credentials::oauth_token("u", "tok");
        let mut bearer = OAuthBearer::new(&credentials).unwrap();
        assert_eq!(
            bearer.respond(b"").unwrap(),
            b"n,a=u,\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(bearer.respond(b""), Err(SaslError::TooManySteps));
        assert_eq!(bearer.respond(RFC_ERROR).unwrap(), b"\x01");
        assert_eq!(bearer.respond(RFC_ERROR), Err(SaslError::TooManySteps));
    }

    #[test]
    fn unsuitable_credentials() {
        assert!(OAuthBearer::new(&Credentials::password("u", "pw")).is_none());
        assert!(OAuthBearer::new(&Credentials::oauth_token("u", "t\x01ok")).is_none());
        let bad_authzid = Credentials::oauth_token("u", "tok").with_authzid("a\x01");
        assert!(OAuthBearer::new(&bad_authzid).is_none());
        let bad_authzid = Credentials::oauth_token("u", "tok").with_authzid("a\0");
        assert!(OAuthBearer::new(&bad_authzid).is_none());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let credentials = Credentials::oauth_token("u", SECRET).with_authzid("someone");
        let mut bearer = OAuthBearer::new(&credentials)
            .unwrap()
            .with_host("imap.example.com", 993);
        let debug = format!("{bearer:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("someone"), "{debug}");
        bearer.respond(RFC_ERROR).unwrap();
        assert!(!format!("{bearer:#?}").contains(SECRET));
    }
}
