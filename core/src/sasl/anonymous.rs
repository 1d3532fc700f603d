//! ANONYMOUS (RFC 4505): no authentication, an optional trace token for the server's logs.

use super::client_first::{ClientFirst, client_first_mechanism};
use super::{Credentials, Secret};

/// The ANONYMOUS mechanism (RFC 4505). Client-first: the message is the trace token (at most
/// 255 characters, RFC 4505 §2), as the initial response or in answer to the first (empty)
/// challenge.
/// A further challenge is [`SaslError::TooManySteps`](super::SaslError::TooManySteps).
#[derive(Debug)]
pub struct Anonymous {
    exchange: ClientFirst,
}

impl Anonymous {
    /// ANONYMOUS for [`Credentials::anonymous`]; `None` for other credentials, or a trace token
    /// longer than 255 characters or with control characters.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let Secret::Anonymous = credentials.secret() else {
            return None;
        };
        let trace = credentials.user();
        if trace.chars().count() > 255 || trace.contains(char::is_control) {
            return None;
        }
        Some(Anonymous {
            exchange: ClientFirst::new(trace),
        })
    }
}

client_first_mechanism!(Anonymous, "ANONYMOUS");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{Mechanism, SaslError};

    #[test]
    fn rfc4505_example_trace() {
        // RFC 4505 §4: the trace "sirhc".
        let mut m = Anonymous::new(&Credentials::anonymous("sirhc")).unwrap();
        assert_eq!(m.name(), "ANONYMOUS");
        assert_eq!(m.initial_response().unwrap().unwrap(), b"sirhc");
        assert_eq!(m.respond(b""), Err(SaslError::TooManySteps));
        let mut m = Anonymous::new(&Credentials::anonymous("")).unwrap();
        assert_eq!(m.respond(b"").unwrap(), b"");
        assert_eq!(m.initial_response(), Err(SaslError::TooManySteps));
    }

    #[test]
    fn unsuitable() {
        assert!(Anonymous::new(&Credentials::password("a", "b")).is_none());
        assert!(Anonymous::new(&Credentials::anonymous("x".repeat(256))).is_none());
        assert!(Anonymous::new(&Credentials::anonymous("a\r\nb")).is_none());
        assert!(Anonymous::new(&Credentials::anonymous("é".repeat(255))).is_some());
    }
}
