//! XOAUTH2 (Google, Microsoft): the user name and an OAuth 2.0 bearer token.

use std::fmt;

use super::bearer::{BearerExchange, concat};
use super::{Credentials, Mechanism, SaslError};

/// The XOAUTH2 mechanism: `user=USER ^A auth=Bearer TOKEN ^A ^A`.
///
/// Client-first: the message is the initial response or, when the protocol cannot send one,
/// the answer to the server's first challenge if that challenge is empty. A non-empty challenge
/// is the server's JSON error report (e.g. `{"status":"401","schemes":"bearer",...}`): it is
/// answered with an empty response, as the protocol requires, and kept for
/// [`server_error`](XOAuth2::server_error); the server then fails the exchange. Any further
/// challenge is [`SaslError::TooManySteps`].
pub struct XOAuth2 {
    user: String,
    exchange: BearerExchange,
}

impl XOAuth2 {
    /// XOAUTH2 for these credentials; `None` for a password, or when the user or the token
    /// contains the `^A` (0x01) separator.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let token = credentials.token_str()?;
        if credentials.user().contains('\x01') || token.contains('\x01') {
            return None;
        }
        Some(XOAuth2 {
            user: credentials.user().to_owned(),
            exchange: BearerExchange::new(token, b""),
        })
    }

    /// The error the server reported in its challenge: the JSON `status` value (e.g. `"401"`)
    /// when there is one, otherwise the whole text. `None` until the server reports an error.
    pub fn server_error(&self) -> Option<&str> {
        self.exchange.server_error()
    }

    /// The whole JSON text of the server's error report, if it sent one.
    pub fn server_error_json(&self) -> Option<&str> {
        self.exchange.server_error_json()
    }

    fn message(user: &str) -> impl FnOnce(&str) -> Vec<u8> + '_ {
        move |token| {
            concat(&[
                b"user=",
                user.as_bytes(),
                b"\x01auth=Bearer ",
                token.as_bytes(),
                b"\x01\x01",
            ])
        }
    }
}

impl Mechanism for XOAuth2 {
    fn name(&self) -> &'static str {
        "XOAUTH2"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        self.exchange.initial_response(Self::message(&self.user))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        self.exchange.respond(challenge, Self::message(&self.user))
    }

    fn finish(&mut self, _additional: Option<&[u8]>) -> Result<(), SaslError> {
        self.exchange.finish()
    }

    /// A bearer token is as replayable as a password.
    fn sends_plaintext_password(&self) -> bool {
        true
    }
}

impl fmt::Debug for XOAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XOAuth2")
            .field("user", &self.user)
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
    const GOOGLE_ERROR: &[u8] =
        br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;

    #[test]
    fn google_documented_example() {
        // https://developers.google.com/gmail/imap/xoauth2-protocol
        let credentials = Credentials::oauth_token(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        );
        let mut xoauth2 = XOAuth2::new(&credentials).unwrap();
        assert_eq!(xoauth2.name(), "XOAUTH2");
        assert!(xoauth2.sends_plaintext_password());
        assert_eq!(
            xoauth2.initial_response().unwrap().unwrap(),
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert_eq!(xoauth2.server_error(), None);
        assert_eq!(xoauth2.finish(None), Ok(()));
    }

    #[test]
    fn error_challenge_gets_an_empty_response_once() {
        let credentials = Credentials::oauth_token("someuser@example.com", "token");
        let mut xoauth2 = XOAuth2::new(&credentials).unwrap();
        xoauth2.initial_response().unwrap();
        assert_eq!(xoauth2.respond(GOOGLE_ERROR).unwrap(), b"");
        assert_eq!(xoauth2.server_error(), Some("401"));
        assert_eq!(
            xoauth2.server_error_json(),
            Some(std::str::from_utf8(GOOGLE_ERROR).unwrap())
        );
        assert_eq!(xoauth2.respond(GOOGLE_ERROR), Err(SaslError::TooManySteps));
        assert_eq!(xoauth2.respond(b""), Err(SaslError::TooManySteps));
        assert_eq!(
            xoauth2.finish(None),
            Err(SaslError::ServerError("401".into()))
        );
    }

    #[test]
    fn without_initial_response_an_empty_challenge_asks_for_the_message() {
        let credentials = Credentials::oauth_token("u@example.com", "tok");
        let mut xoauth2 = XOAuth2::new(&credentials).unwrap();
        assert_eq!(
            xoauth2.respond(b"").unwrap(),
            b"user=u@example.com\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(xoauth2.respond(b""), Err(SaslError::TooManySteps));
        assert_eq!(xoauth2.initial_response(), Err(SaslError::TooManySteps));
        // The error report may still follow.
        assert_eq!(xoauth2.respond(GOOGLE_ERROR).unwrap(), b"");
        assert_eq!(xoauth2.respond(GOOGLE_ERROR), Err(SaslError::TooManySteps));
    }

    #[test]
    fn unsuitable_credentials() {
        assert!(XOAuth2::new(&Credentials::password("u", "pw")).is_none());
        assert!(XOAuth2::new(&Credentials::oauth_token("u\x01", "tok")).is_none());
        assert!(XOAuth2::new(&Credentials::oauth_token("u", "t\x01ok")).is_none());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let credentials = Credentials::oauth_token("someuser@example.com", SECRET);
        let mut xoauth2 = XOAuth2::new(&credentials).unwrap();
        let debug = format!("{xoauth2:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("someuser@example.com"), "{debug}");
        xoauth2.respond(GOOGLE_ERROR).unwrap();
        assert!(!format!("{xoauth2:#?}").contains(SECRET));
    }
}
