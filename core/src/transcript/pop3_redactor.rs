//! [`Pop3Redactor`]: what a POP3 protocol log must not show.

use super::logger::{Redactor, redact_secret};

/// Redacts POP3 authentication (RFC 1939, RFC 5034):
///
/// * `PASS <password>` → `PASS <redacted>`;
/// * `APOP <name> <digest>` → `APOP <name> <redacted>`;
/// * `AUTH <mechanism> <initial-response>` → `AUTH <mechanism> <redacted>` (`AUTH LOGIN`
///   without an initial response is kept);
/// * every client line sent while the server's last line is a SASL continuation (`+ …`) →
///   `<redacted>`, except `*` (the client cancels) and an empty line.
///
/// It follows the state from the server lines: a line `+ …` (or a bare `+`) enters the SASL
/// exchange, a status line (`+OK`, `-ERR`) leaves it. A message line that looks like a
/// continuation only makes it redact more, never less.
///
/// ```
/// use mail_kit_core::transcript::{Pop3Redactor, Redactor};
///
/// let mut r = Pop3Redactor::default();
/// assert_eq!(r.redact_client_line(b"USER alice\r\n"), None);
/// assert_eq!(r.redact_client_line(b"PASS hunter2\r\n"), Some(b"PASS <redacted>".to_vec()));
/// assert_eq!(
///     r.redact_client_line(b"APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n"),
///     Some(b"APOP alice <redacted>".to_vec())
/// );
/// assert_eq!(r.redact_client_line(b"AUTH CRAM-MD5\r\n"), None);
/// r.observe_server_line(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n");
/// assert_eq!(r.redact_client_line(b"dGltIGI5MTNhNjAy\r\n"), Some(b"<redacted>".to_vec()));
/// r.observe_server_line(b"+OK Logged in.\r\n");
/// assert_eq!(r.redact_client_line(b"RETR 1\r\n"), None);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Pop3Redactor {
    in_sasl: bool,
}

impl Redactor for Pop3Redactor {
    fn redact_client_line(&mut self, line: &[u8]) -> Option<Vec<u8>> {
        redact_secret(
            line,
            self.in_sasl,
            &[(b"PASS", 1), (b"APOP", 2), (b"AUTH", 2)],
        )
    }

    fn observe_server_line(&mut self, line: &[u8]) {
        let text = line.strip_suffix(b"\r\n").unwrap_or(line);
        if text == b"+" || text.starts_with(b"+ ") {
            self.in_sasl = true;
        } else if text.starts_with(b"+OK") || text.starts_with(b"-ERR") {
            self.in_sasl = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let mut r = Pop3Redactor::default();
        assert_eq!(
            r.redact_client_line(b"pass a b c\r\n"),
            Some(b"pass <redacted>".to_vec())
        );
        assert_eq!(r.redact_client_line(b"PASS\r\n"), None);
        assert_eq!(
            r.redact_client_line(b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
            Some(b"AUTH PLAIN <redacted>".to_vec())
        );
        assert_eq!(r.redact_client_line(b"APOP alice\r\n"), None);
        assert_eq!(r.redact_client_line(b"STAT\r\n"), None);
        r.observe_server_line(b"+\r\n");
        assert_eq!(r.redact_client_line(b"*\r\n"), None);
        assert_eq!(r.redact_client_line(b"\r\n"), None);
        assert_eq!(
            r.redact_client_line(b"c2VjcmV0\r\n"),
            Some(b"<redacted>".to_vec())
        );
        r.observe_server_line(b"-ERR [AUTH] Authentication failed.\r\n");
        assert_eq!(r.redact_client_line(b"QUIT\r\n"), None);
    }
}
