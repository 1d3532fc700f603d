//! LOGIN (draft-murchison-sasl-login): the user name, then the password, each on request.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use super::{Credentials, Mechanism, SaslError};

/// The obsolete but widespread LOGIN mechanism. Reveals the password to anyone who can read
/// the connection, so [`select`](super::select) uses it only over TLS unless told otherwise.
///
/// There is no initial response. The first challenge (normally `Username:`) is answered with
/// the user name and the second (normally `Password:`) with the password; the text of the
/// challenges is not checked, as servers word them differently. A third challenge is
/// [`SaslError::TooManySteps`].
pub struct Login {
    user: String,
    password: Zeroizing<String>,
    step: Step,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    User,
    Password,
    Done,
}

impl Login {
    /// LOGIN for these credentials; `None` for an OAuth token.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let password = credentials.password_str()?;
        Some(Login {
            user: credentials.user().to_owned(),
            password: Zeroizing::new(password.to_owned()),
            step: Step::User,
        })
    }
}

impl Mechanism for Login {
    fn name(&self) -> &'static str {
        "LOGIN"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        Ok(None)
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match self.step {
            Step::User => {
                self.step = Step::Password;
                Ok(self.user.as_bytes().to_vec())
            }
            Step::Password => {
                self.step = Step::Done;
                let password = self.password.as_bytes().to_vec();
                self.password.zeroize();
                Ok(password)
            }
            Step::Done => Err(SaslError::TooManySteps),
        }
    }

    fn sends_plaintext_password(&self) -> bool {
        true
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("password", &format_args!("<redacted>"))
            .field("step", &self.step)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq9-distinctive-SECRET-7xK";

    #[test]
    fn user_then_password_then_refuses() {
        let credentials = Credentials::password("tim", "tanstaaftanstaaf");
        let mut login = Login::new(&credentials).unwrap();
        assert_eq!(login.name(), "LOGIN");
        assert!(login.sends_plaintext_password());
        assert_eq!(login.initial_response(), Ok(None));
        assert_eq!(login.respond(b"Username:").unwrap(), b"tim");
        assert_eq!(login.respond(b"Password:").unwrap(), b"tanstaaftanstaaf");
        assert_eq!(login.respond(b"Password:"), Err(SaslError::TooManySteps));
        assert_eq!(login.finish(None), Ok(()));
    }

    #[test]
    fn challenge_text_is_not_checked() {
        let credentials = Credentials::password("tim", "pw");
        let mut login = Login::new(&credentials).unwrap();
        assert_eq!(login.respond(b"User Name\0").unwrap(), b"tim");
        assert_eq!(login.respond(b"").unwrap(), b"pw");
    }

    #[test]
    fn refuses_an_oauth_token() {
        assert!(Login::new(&Credentials::oauth_token("tim", "token")).is_none());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let credentials = Credentials::password("tim", SECRET);
        let mut login = Login::new(&credentials).unwrap();
        for _ in 0..3 {
            let debug = format!("{login:?}");
            assert!(!debug.contains(SECRET), "{debug}");
            assert!(debug.contains("tim"), "{debug}");
            let _ = login.respond(b"");
        }
    }
}
