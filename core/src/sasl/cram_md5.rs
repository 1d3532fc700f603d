//! CRAM-MD5 (RFC 2195): the user name and an HMAC-MD5 of the server's challenge.

use std::fmt;

use hmac::{Hmac, Mac};
use md5::Md5;
use zeroize::{Zeroize, Zeroizing};

use super::{Credentials, Mechanism, SaslError, hex};

/// The CRAM-MD5 mechanism (RFC 2195). Server-first: the one challenge is answered with
/// `user SP hex(HMAC-MD5(password, challenge))` in lowercase hex. The password never crosses
/// the wire, though the answer allows an offline guessing attack, so prefer TLS anyway.
///
/// An empty challenge is [`SaslError::InvalidChallenge`]; a second challenge is
/// [`SaslError::TooManySteps`].
pub struct CramMd5 {
    user: String,
    password: Zeroizing<String>,
    answered: bool,
}

impl CramMd5 {
    /// CRAM-MD5 for these credentials; `None` for an OAuth token.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let password = credentials.password_str()?;
        Some(CramMd5 {
            user: credentials.user().to_owned(),
            password: Zeroizing::new(password.to_owned()),
            answered: false,
        })
    }
}

impl Mechanism for CramMd5 {
    fn name(&self) -> &'static str {
        "CRAM-MD5"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        Ok(None)
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.answered {
            return Err(SaslError::TooManySteps);
        }
        if challenge.is_empty() {
            return Err(SaslError::InvalidChallenge("empty CRAM-MD5 challenge"));
        }
        // HMAC accepts keys of any length; the error branch cannot happen in practice.
        let mut mac = <Hmac<Md5> as Mac>::new_from_slice(self.password.as_bytes())
            .map_err(|_| SaslError::WrongCredentials)?;
        mac.update(challenge);
        let digest = mac.finalize().into_bytes();
        self.answered = true;
        self.password.zeroize();

        let mut out = Vec::with_capacity(self.user.len() + 1 + 2 * digest.len());
        out.extend_from_slice(self.user.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&hex::lower(&digest));
        Ok(out)
    }
}

impl fmt::Debug for CramMd5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CramMd5")
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
    fn rfc2195_example() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut cram = CramMd5::new(&credentials).unwrap();
        assert_eq!(cram.name(), "CRAM-MD5");
        assert!(!cram.sends_plaintext_password());
        assert_eq!(cram.initial_response(), Ok(None));
        let response = cram
            .respond(b"<1896.697170952@postoffice.reston.mci.net>")
            .unwrap();
        assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
        assert_eq!(cram.finish(None), Ok(()));
    }

    #[test]
    fn one_challenge_only() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut cram = CramMd5::new(&credentials).unwrap();
        cram.respond(b"<1@x>").unwrap();
        assert_eq!(cram.respond(b"<2@x>"), Err(SaslError::TooManySteps));
    }

    #[test]
    fn empty_challenge_is_invalid() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut cram = CramMd5::new(&credentials).unwrap();
        assert!(matches!(
            cram.respond(b""),
            Err(SaslError::InvalidChallenge(_))
        ));
        // The mechanism is still usable for a proper challenge.
        assert_eq!(
            cram.respond(b"<1896.697170952@postoffice.reston.mci.net>")
                .unwrap(),
            b"tim b913a602c7eda7a495b4e6e7334d3890"
        );
    }

    #[test]
    fn long_password_is_hashed_as_key() {
        // Keys longer than the MD5 block are hashed first (RFC 2104); still no panic.
        let credentials = Credentials::password("u", "k".repeat(200));
        let mut cram = CramMd5::new(&credentials).unwrap();
        let response = cram.respond(b"<x@y>").unwrap();
        assert_eq!(response.len(), 2 + 32);
    }

    #[test]
    fn refuses_an_oauth_token() {
        assert!(CramMd5::new(&Credentials::oauth_token("tim", "token")).is_none());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let credentials = Credentials::password("tim", SECRET);
        let cram = CramMd5::new(&credentials).unwrap();
        let debug = format!("{cram:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("tim"), "{debug}");
    }
}
