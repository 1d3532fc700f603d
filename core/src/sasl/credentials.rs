//! Who authenticates and with which secret.

use std::fmt;

use zeroize::Zeroizing;

/// The secret half of [`Credentials`]: a password or an OAuth 2.0 access token.
///
/// The memory is wiped when the value is dropped, and `Debug` prints `Secret(<redacted>)`.
#[derive(Clone)]
pub enum Secret {
    /// A password, for PLAIN, LOGIN, CRAM-MD5 and the other password mechanisms.
    Password(Zeroizing<String>),
    /// An OAuth 2.0 bearer token, for XOAUTH2 and OAUTHBEARER.
    OAuthToken(Zeroizing<String>),
    /// No secret: ANONYMOUS, where the user name is a trace token (RFC 4505).
    Anonymous,
    /// No secret: EXTERNAL, where the TLS client certificate or the transport proves who the
    /// client is and the user name is the authorization identity to request (RFC 4422 App. A).
    External,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A user name, an optional authorization identity and a [`Secret`].
///
/// `Debug` shows the user and the authorization identity, never the secret.
///
/// ```
/// use mail_kit_core::sasl::Credentials;
///
/// let credentials = Credentials::password("tim", "tanstaaftanstaaf");
/// assert!(!format!("{credentials:?}").contains("tanstaaf"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    user: String,
    authzid: Option<String>,
    secret: Secret,
    fixed_nonce: Option<String>,
}

impl Credentials {
    /// A user name and a password.
    pub fn password(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            authzid: None,
            secret: Secret::Password(Zeroizing::new(password.into())),
            fixed_nonce: None,
        }
    }

    /// A user name and an OAuth 2.0 access token (for XOAUTH2 and OAUTHBEARER).
    pub fn oauth_token(user: impl Into<String>, token: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            authzid: None,
            secret: Secret::OAuthToken(Zeroizing::new(token.into())),
            fixed_nonce: None,
        }
    }

    /// ANONYMOUS credentials (RFC 4505): `trace` (an e-mail address or any short text, may be
    /// empty) is sent to the server for its logs.
    pub fn anonymous(trace: impl Into<String>) -> Self {
        Credentials {
            user: trace.into(),
            authzid: None,
            secret: Secret::Anonymous,
            fixed_nonce: None,
        }
    }

    /// EXTERNAL credentials (RFC 4422 Appendix A): the identity is established outside SASL
    /// (a TLS client certificate); `authzid`, if not empty, is the identity to act as.
    pub fn external(authzid: impl Into<String>) -> Self {
        Credentials {
            user: String::new(),
            authzid: None,
            secret: Secret::External,
            fixed_nonce: None,
        }
        .with_authzid(authzid)
    }

    /// Sets the authorization identity: the identity to act as, when it differs from the
    /// user whose secret this is. Used by PLAIN, SCRAM, DIGEST-MD5, OAUTHBEARER and EXTERNAL. An empty string means none.
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        let authzid = authzid.into();
        self.authzid = if authzid.is_empty() {
            None
        } else {
            Some(authzid)
        };
        self
    }

    /// Makes the mechanisms use `nonce` instead of random bytes: SCRAM's client nonce,
    /// DIGEST-MD5's `cnonce`, NTLM's client challenge (its first 8 bytes, zero-padded, with
    /// time 0 when the server sends no timestamp). For known-answer tests and transcript
    /// replays only: a predictable nonce weakens these mechanisms. It must be printable ASCII
    /// without `,`, `"` or `\`, or the exchange fails.
    pub fn with_fixed_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.fixed_nonce = Some(nonce.into());
        self
    }

    /// The nonce set with [`Credentials::with_fixed_nonce`].
    pub(crate) fn fixed_nonce(&self) -> Option<&str> {
        self.fixed_nonce.as_deref()
    }

    /// The user name (authentication identity).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The authorization identity, if one was set.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// The secret.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Whether the secret is an OAuth token rather than a password.
    pub fn is_oauth(&self) -> bool {
        matches!(self.secret, Secret::OAuthToken(_))
    }

    /// The password, or `None` when the secret is an OAuth token.
    pub(crate) fn password_str(&self) -> Option<&str> {
        match &self.secret {
            Secret::Password(p) => Some(p),
            _ => None,
        }
    }

    /// The OAuth token, or `None` when the secret is a password.
    pub(crate) fn token_str(&self) -> Option<&str> {
        match &self.secret {
            Secret::OAuthToken(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.secret {
            Secret::Password(_) => "password",
            Secret::OAuthToken(_) => "oauth token",
            Secret::Anonymous => "anonymous",
            Secret::External => "external",
        };
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("authzid", &self.authzid)
            .field("kind", &kind)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq9-distinctive-SECRET-7xK";

    #[test]
    fn debug_never_shows_the_secret() {
        for credentials in [
            Credentials::password("alice", SECRET),
            Credentials::oauth_token("alice", SECRET).with_authzid("bob"),
        ] {
            let debug = format!("{credentials:?}");
            assert!(!debug.contains(SECRET), "{debug}");
            assert!(debug.contains("alice"), "{debug}");
            assert!(debug.contains("<redacted>"), "{debug}");
            let pretty = format!("{credentials:#?}");
            assert!(!pretty.contains(SECRET), "{pretty}");
            let secret = format!("{:?}", credentials.secret());
            assert_eq!(secret, "Secret(<redacted>)");
        }
    }

    #[test]
    fn accessors() {
        let credentials = Credentials::password("alice", "pw");
        assert_eq!(credentials.user(), "alice");
        assert_eq!(credentials.authzid(), None);
        assert!(!credentials.is_oauth());
        assert_eq!(credentials.password_str(), Some("pw"));
        assert_eq!(credentials.token_str(), None);
        assert!(matches!(credentials.secret(), Secret::Password(p) if p.as_str() == "pw"));

        let credentials = Credentials::oauth_token("alice", "tok").with_authzid("bob");
        assert_eq!(credentials.authzid(), Some("bob"));
        assert!(credentials.is_oauth());
        assert_eq!(credentials.password_str(), None);
        assert_eq!(credentials.token_str(), Some("tok"));
        assert!(matches!(credentials.secret(), Secret::OAuthToken(t) if t.as_str() == "tok"));

        let credentials = credentials.with_authzid("");
        assert_eq!(credentials.authzid(), None);
    }
}
