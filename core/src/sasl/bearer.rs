//! What XOAUTH2 and OAUTHBEARER share: one client-first message carrying a bearer token, and
//! the server's JSON error report, answered once.

use zeroize::{Zeroize, Zeroizing};

use super::SaslError;

/// The state of one bearer-token exchange.
///
/// The message is the initial response or, when the protocol cannot send one, the answer to
/// the server's first challenge if that challenge is empty. A non-empty challenge is the
/// server's error report: it is answered with the mechanism's `error_reply` and kept; the
/// server then fails the exchange. Any further challenge is [`SaslError::TooManySteps`]. The
/// token is wiped as soon as it cannot be needed again.
pub(super) struct BearerExchange {
    token: Zeroizing<String>,
    sent: bool,
    error: Option<ServerErrorReport>,
    error_reply: &'static [u8],
}

impl BearerExchange {
    pub(super) fn new(token: &str, error_reply: &'static [u8]) -> Self {
        BearerExchange {
            token: Zeroizing::new(token.to_owned()),
            sent: false,
            error: None,
            error_reply,
        }
    }

    pub(super) fn initial_response(
        &mut self,
        message: impl FnOnce(&str) -> Vec<u8>,
    ) -> Result<Option<Vec<u8>>, SaslError> {
        if self.sent || self.error.is_some() {
            return Err(SaslError::TooManySteps);
        }
        Ok(Some(message(&self.token)))
    }

    pub(super) fn respond(
        &mut self,
        challenge: &[u8],
        message: impl FnOnce(&str) -> Vec<u8>,
    ) -> Result<Vec<u8>, SaslError> {
        if self.error.is_some() {
            return Err(SaslError::TooManySteps);
        }
        if challenge.is_empty() {
            // The initial response was not sent: this empty challenge asks for it.
            if self.sent {
                return Err(SaslError::TooManySteps);
            }
            self.sent = true;
            let message = message(&self.token);
            self.token.zeroize();
            return Ok(message);
        }
        self.error = Some(ServerErrorReport::parse(challenge));
        self.token.zeroize();
        Ok(self.error_reply.to_vec())
    }

    pub(super) fn finish(&self) -> Result<(), SaslError> {
        match &self.error {
            Some(error) => Err(SaslError::ServerError(error.summary().to_owned())),
            None => Ok(()),
        }
    }

    pub(super) fn sent(&self) -> bool {
        self.sent
    }

    pub(super) fn server_error(&self) -> Option<&str> {
        self.error.as_ref().map(ServerErrorReport::summary)
    }

    pub(super) fn server_error_json(&self) -> Option<&str> {
        self.error.as_ref().map(ServerErrorReport::text)
    }
}

/// Appends `parts` to one vector of the exact size, so no reallocation leaves a copy of the
/// token behind.
pub(super) fn concat(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.extend_from_slice(part);
    }
    out
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
}
