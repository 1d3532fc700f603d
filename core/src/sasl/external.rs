//! EXTERNAL (RFC 4422 Appendix A): identity from outside SASL, e.g. a TLS client certificate.

use super::client_first::{ClientFirst, client_first_mechanism};
use super::{Credentials, Secret};

/// The EXTERNAL mechanism. Client-first: the message is the authorization identity (empty to
/// act as the identity the transport proved), as the initial response or in answer to the
/// first (empty) challenge.
/// A further challenge is [`SaslError::TooManySteps`](super::SaslError::TooManySteps).
#[derive(Debug)]
pub struct External {
    exchange: ClientFirst,
}

impl External {
    /// EXTERNAL for [`Credentials::external`]; `None` for other credentials, or an
    /// authorization identity with control characters.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let Secret::External = credentials.secret() else {
            return None;
        };
        let authzid = credentials.authzid().unwrap_or_default();
        if authzid.contains(char::is_control) {
            return None;
        }
        Some(External {
            exchange: ClientFirst::new(authzid),
        })
    }
}

client_first_mechanism!(External, "EXTERNAL");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{Mechanism, SaslError};

    #[test]
    fn authzid_or_empty() {
        let mut m = External::new(&Credentials::external("admin@example.org")).unwrap();
        assert_eq!(m.name(), "EXTERNAL");
        assert_eq!(m.initial_response().unwrap().unwrap(), b"admin@example.org");
        assert_eq!(m.respond(b""), Err(SaslError::TooManySteps));
        let mut m = External::new(&Credentials::external("")).unwrap();
        assert_eq!(m.respond(b"").unwrap(), b"");
        assert!(External::new(&Credentials::password("a", "b")).is_none());
        assert!(External::new(&Credentials::anonymous("a")).is_none());
        assert!(External::new(&Credentials::external("a\nb")).is_none());
    }
}
