//! XOAUTH2 (Google, Microsoft): the user name and an OAuth 2.0 bearer token.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

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
    token: Zeroizing<String>,
    sent: bool,
    error: Option<ServerErrorReport>,
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
            token: Zeroizing::new(token.to_owned()),
            sent: false,
            error: None,
        })
    }

    /// The error the server reported in its challenge: the JSON `status` value (e.g. `"401"`)
    /// when there is one, otherwise the whole text. `None` until the server reports an error.
    pub fn server_error(&self) -> Option<&str> {
        self.error.as_ref().map(ServerErrorReport::summary)
    }

    /// The whole JSON text of the server's error report, if it sent one.
    pub fn server_error_json(&self) -> Option<&str> {
        self.error.as_ref().map(ServerErrorReport::text)
    }

    fn message(&self) -> Vec<u8> {
        const USER: &[u8] = b"user=";
        const AUTH: &[u8] = b"\x01auth=Bearer ";
        const END: &[u8] = b"\x01\x01";
        // Exact capacity: no reallocation leaves a copy of the token behind.
        let mut out = Vec::with_capacity(
            USER.len() + self.user.len() + AUTH.len() + self.token.len() + END.len(),
        );
        out.extend_from_slice(USER);
        out.extend_from_slice(self.user.as_bytes());
        out.extend_from_slice(AUTH);
        out.extend_from_slice(self.token.as_bytes());
        out.extend_from_slice(END);
        out
    }
}

impl Mechanism for XOAuth2 {
    fn name(&self) -> &'static str {
        "XOAUTH2"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        if self.sent || self.error.is_some() {
            return Err(SaslError::TooManySteps);
        }
        Ok(Some(self.message()))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.error.is_some() {
            return Err(SaslError::TooManySteps);
        }
        if challenge.is_empty() {
            // The initial response was not sent: this empty challenge asks for it.
            if self.sent {
                return Err(SaslError::TooManySteps);
            }
            self.sent = true;
            let message = self.message();
            self.token.zeroize();
            return Ok(message);
        }
        self.error = Some(ServerErrorReport::parse(challenge));
        self.token.zeroize();
        Ok(Vec::new())
    }

    fn finish(&mut self, _additional: Option<&[u8]>) -> Result<(), SaslError> {
        match &self.error {
            Some(error) => Err(SaslError::ServerError(error.summary().to_owned())),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for XOAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XOAuth2")
            .field("user", &self.user)
            .field("token", &format_args!("<redacted>"))
            .field("sent", &self.sent)
            .field("server_error", &self.server_error_json())
            .finish()
    }
}

/// An error report a server sent inside an OAuth exchange (XOAUTH2, OAUTHBEARER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServerErrorReport {
    /// The challenge as text (invalid UTF-8 replaced), trimmed.
    text: String,
    /// Byte range of the JSON `status` value inside `text`, if found.
    status: Option<(usize, usize)>,
}

impl ServerErrorReport {
    /// Reads a server's error challenge; never fails, whatever the bytes.
    pub(super) fn parse(challenge: &[u8]) -> Self {
        let text = String::from_utf8_lossy(challenge).trim().to_owned();
        let status = json_status(&text);
        ServerErrorReport { text, status }
    }

    /// The `status` value, or the whole text when there is none.
    pub(super) fn summary(&self) -> &str {
        match self.status {
            Some((start, end)) => self.text.get(start..end).unwrap_or(&self.text),
            None => &self.text,
        }
    }

    /// The whole text.
    pub(super) fn text(&self) -> &str {
        &self.text
    }
}

/// Finds the value of the `"status"` member of a JSON object, returned as a byte range of
/// `json`: the contents of a string value (escapes left as they are) or a bare token such as a
/// number. A small scan rather than a JSON parser: the report is only for the user to read.
fn json_status(json: &str) -> Option<(usize, usize)> {
    const KEY: &str = "\"status\"";
    let mut from = 0;
    while let Some(found) = json.get(from..).and_then(|rest| rest.find(KEY)) {
        let after_key = from + found + KEY.len();
        from = after_key;
        let rest = &json[after_key..];
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue; // "status" was a value, not a key
        };
        let value = value.trim_start();
        let value_start = json.len() - value.len();
        let (start, end) = if let Some(string) = value.strip_prefix('"') {
            let start = value_start + 1;
            let mut escaped = false;
            let close = string.bytes().position(|b| {
                let is_close = !escaped && b == b'"';
                escaped = !escaped && b == b'\\';
                is_close
            })?;
            (start, start + close)
        } else {
            let len = value
                .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
                .unwrap_or(value.len());
            (value_start, value_start + len)
        };
        return (end > start).then_some((start, end));
    }
    None
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
        assert!(!xoauth2.sends_plaintext_password());
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
    fn status_scan() {
        let status = |json: &str| {
            let report = ServerErrorReport::parse(json.as_bytes());
            report.status.map(|_| report.summary().to_owned())
        };
        assert_eq!(status(r#"{"status":"401"}"#).as_deref(), Some("401"));
        assert_eq!(
            status(r#"{ "status" : 400 , "x":1}"#).as_deref(),
            Some("400")
        );
        assert_eq!(status(r#"{"status":403}"#).as_deref(), Some("403"));
        assert_eq!(
            status(r#"{"scope":"status","status":"invalid_token"}"#).as_deref(),
            Some("invalid_token")
        );
        assert_eq!(status(r#"{"status":"a\"b"}"#).as_deref(), Some(r#"a\"b"#));
        assert_eq!(status(r#"{"status":""}"#), None);
        assert_eq!(status(r#"{"status":"unterminated"#), None);
        assert_eq!(status(r#"{"status":"#), None);
        assert_eq!(status(r#""status""#), None);
        assert_eq!(status("not json"), None);
        assert_eq!(status(r#"{"status":"é401ü"}"#).as_deref(), Some("é401ü"));
        let report = ServerErrorReport::parse(b"  plain text \xff ");
        assert_eq!(report.summary(), "plain text \u{fffd}");
        assert_eq!(report.text(), "plain text \u{fffd}");
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
