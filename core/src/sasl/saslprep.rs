//! SASLprep (RFC 4013), the string preparation SCRAM applies to user names and passwords.

use std::borrow::Cow;

use super::SaslError;

/// Prepares `s` with SASLprep (RFC 4013, a profile of stringprep, RFC 3454): non-ASCII spaces
/// become U+0020, "commonly mapped to nothing" characters are removed, the result is NFKC
/// normalized, and prohibited characters (controls, private use, non-characters, …),
/// unassigned code points and malformed bidirectional text are refused. `what` names the
/// string in the error.
///
/// ```
/// use mail_kit_core::sasl::saslprep;
///
/// assert_eq!(saslprep("I\u{00AD}X", "password").unwrap(), "IX");
/// assert_eq!(saslprep("\u{2168}", "password").unwrap(), "IX");
/// assert!(saslprep("\u{0007}", "password").is_err());
/// ```
///
/// # Errors
///
/// [`SaslError::Saslprep`] when the string is not allowed.
pub fn saslprep<'a>(s: &'a str, what: &'static str) -> Result<Cow<'a, str>, SaslError> {
    // Fast path: printable ASCII maps to itself.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(Cow::Borrowed(s));
    }
    stringprep::saslprep(s).map_err(|_| SaslError::Saslprep { what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4013_examples() {
        // RFC 4013 §3, the examples table.
        assert_eq!(saslprep("I\u{00AD}X", "s").unwrap(), "IX"); // SOFT HYPHEN mapped to nothing
        assert_eq!(saslprep("user", "s").unwrap(), "user"); // no transformation
        assert_eq!(saslprep("USER", "s").unwrap(), "USER"); // case preserved
        assert_eq!(saslprep("\u{00AA}", "s").unwrap(), "a"); // output is NFKC
        assert_eq!(saslprep("\u{2168}", "s").unwrap(), "IX"); // output is NFKC
        assert_eq!(
            saslprep("\u{0007}", "s"), // prohibited character
            Err(SaslError::Saslprep { what: "s" })
        );
        assert!(saslprep("\u{0627}\u{0031}", "s").is_err()); // bidirectional check
    }

    #[test]
    fn spaces_and_prohibited() {
        // Non-ASCII space to SPACE (RFC 4013 §2.1).
        assert_eq!(saslprep("a\u{00A0}b", "s").unwrap(), "a b");
        assert_eq!(saslprep("a\u{2003}b", "s").unwrap(), "a b");
        // ASCII controls and private use are prohibited.
        assert!(saslprep("a\u{0000}b", "s").is_err());
        assert!(saslprep("a\u{007F}", "s").is_err());
        assert!(saslprep("\u{E000}", "s").is_err());
        // A right-to-left string that starts and ends with RandALCat is fine.
        assert_eq!(
            saslprep("\u{0627}\u{0628}", "s").unwrap(),
            "\u{0627}\u{0628}"
        );
        assert!(matches!(saslprep("pencil", "s"), Ok(Cow::Borrowed(_))));
    }
}
