//! PLAIN (RFC 4616): `authzid NUL user NUL password` in one message.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use super::{Credentials, Mechanism, SaslError};

/// The PLAIN mechanism (RFC 4616). Reveals the password to anyone who can read the
/// connection, so [`select`](super::select) uses it only over TLS unless told otherwise.
///
/// RFC 4616 §2 puts string preparation (SASLprep) on the verifying server, which compares
/// prepared strings: the client sends the strings as given.
///
/// The message goes out as the initial response, or, when the protocol cannot send one, in
/// answer to the server's first (empty) challenge. It is sent in answer to at most one
/// challenge; a further challenge is [`SaslError::TooManySteps`].
pub struct Plain {
    authzid: Option<String>,
    user: String,
    password: Zeroizing<String>,
    answered: bool,
}

impl Plain {
    /// PLAIN for these credentials; `None` for an OAuth token, or when the authorization
    /// identity, user or password contains a NUL (PLAIN's separator).
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let password = credentials.password_str()?;
        let authzid = credentials.authzid();
        let has_nul = |s: &str| s.contains('\0');
        if has_nul(credentials.user()) || has_nul(password) || authzid.is_some_and(has_nul) {
            return None;
        }
        Some(Plain {
            authzid: authzid.map(str::to_owned),
            user: credentials.user().to_owned(),
            password: Zeroizing::new(password.to_owned()),
            answered: false,
        })
    }

    fn message(&self) -> Vec<u8> {
        let authzid = self.authzid.as_deref().unwrap_or("");
        // Exact capacity: no reallocation leaves a copy of the password behind.
        let mut out = Vec::with_capacity(authzid.len() + self.user.len() + self.password.len() + 2);
        out.extend_from_slice(authzid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.user.as_bytes());
        out.push(0);
        out.extend_from_slice(self.password.as_bytes());
        out
    }
}

impl Mechanism for Plain {
    fn name(&self) -> &'static str {
        "PLAIN"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        if self.answered {
            return Err(SaslError::TooManySteps);
        }
        Ok(Some(self.message()))
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.answered {
            return Err(SaslError::TooManySteps);
        }
        self.answered = true;
        let message = self.message();
        self.password.zeroize();
        Ok(message)
    }

    fn sends_plaintext_password(&self) -> bool {
        true
    }
}

impl fmt::Debug for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plain")
            .field("authzid", &self.authzid)
            .field("user", &self.user)
            .field("password", &format_args!("<redacted>"))
            .field("answered", &self.answered)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq9-distinctive-SECRET-7xK";

    #[test]
    fn rfc4616_example_with_authzid() {
        // RFC 4616 section 4: "Kurt" acting as "Ursel", password "xipj3plmq".
        let credentials = Credentials::password("Kurt", "xipj3plmq").with_authzid("Ursel");
        let mut plain = Plain::new(&credentials).unwrap();
        assert_eq!(plain.name(), "PLAIN");
        assert!(plain.sends_plaintext_password());
        assert_eq!(
            plain.initial_response().unwrap().unwrap(),
            b"Ursel\0Kurt\0xipj3plmq"
        );
        assert_eq!(plain.finish(None), Ok(()));
    }

    #[test]
    fn rfc4616_example_without_authzid() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut plain = Plain::new(&credentials).unwrap();
        assert_eq!(
            plain.initial_response().unwrap().unwrap(),
            b"\0tim\0tanstaaftanstaaf"
        );
    }

    #[test]
    fn answers_one_empty_challenge_then_refuses() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut plain = Plain::new(&credentials).unwrap();
        assert_eq!(plain.respond(b"").unwrap(), b"\0tim\0tanstaaftanstaaf");
        assert_eq!(plain.respond(b""), Err(SaslError::TooManySteps));
        assert_eq!(plain.initial_response(), Err(SaslError::TooManySteps));
    }

    #[test]
    fn initial_response_then_challenge_is_answered_once() {
        // The protocol may build the initial response and still send it only when challenged
        // (e.g. when the command line with it would be too long).
        let credentials = Credentials::password("tim", "pw");
        let mut plain = Plain::new(&credentials).unwrap();
        let ir = plain.initial_response().unwrap().unwrap();
        assert_eq!(plain.respond(b"").unwrap(), ir);
        assert_eq!(plain.respond(b""), Err(SaslError::TooManySteps));
    }

    #[test]
    fn unsuitable_credentials() {
        assert!(Plain::new(&Credentials::oauth_token("tim", "token")).is_none());
        assert!(Plain::new(&Credentials::password("t\0im", "pw")).is_none());
        assert!(Plain::new(&Credentials::password("tim", "p\0w")).is_none());
        assert!(Plain::new(&Credentials::password("tim", "pw").with_authzid("a\0")).is_none());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let credentials = Credentials::password("tim", SECRET).with_authzid("admin");
        let mut plain = Plain::new(&credentials).unwrap();
        let debug = format!("{plain:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("tim"), "{debug}");
        plain.respond(b"").unwrap();
        assert!(!format!("{plain:#?}").contains(SECRET));
    }
}
