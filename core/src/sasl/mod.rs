//! SASL client mechanisms, shared by SMTP, POP3 and IMAP.
//!
//! Each mechanism is a small state machine behind the [`Mechanism`] trait: the protocol machine
//! sends its initial response (if any), passes every server challenge (already base64-decoded)
//! to [`Mechanism::respond`], and calls [`Mechanism::finish`] when the server reports success.
//! [`select`] picks the strongest mechanism both sides support.

mod bearer;
mod credentials;
pub(crate) mod exchange;
mod select;
// Mechanisms: one file each.
mod cram_md5;
mod login;
mod oauthbearer;
mod plain;
mod xoauth2;

pub use cram_md5::CramMd5;
pub use credentials::{Credentials, Secret};
pub use login::Login;
pub use oauthbearer::OAuthBearer;
pub use plain::Plain;
pub use select::{SelectOptions, mechanism_by_name, select};
pub use xoauth2::XOAuth2;

/// Why a SASL exchange failed on the client side. Never carries a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The server sent a challenge the mechanism cannot accept.
    #[error("invalid server challenge: {0}")]
    InvalidChallenge(&'static str),
    /// The server sent more challenges than the mechanism has steps.
    #[error("too many challenges")]
    TooManySteps,
    /// The server's proof of identity was wrong or missing (SCRAM).
    #[error("server authentication failed")]
    ServerNotVerified,
    /// The server reported an error inside the exchange (XOAUTH2/OAUTHBEARER JSON status).
    #[error("server reported: {0}")]
    ServerError(String),
    /// The credentials do not suit this mechanism (e.g. an OAuth token for CRAM-MD5).
    #[error("credentials not usable with this mechanism")]
    WrongCredentials,
}

/// A client SASL mechanism: one exchange, one instance.
pub trait Mechanism: Send {
    /// The registered mechanism name, e.g. `"CRAM-MD5"`.
    fn name(&self) -> &'static str;

    /// The initial response for protocols that allow one (SMTP `AUTH MECH ir`), if the mechanism
    /// is client-first. `Some(vec![])` is an empty initial response (sent as `=`).
    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError>;

    /// Answers one server challenge (base64-decoded by the caller).
    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError>;

    /// Called when the server reports success, with its final data (`235`/`+OK [data]`), if any.
    /// Mechanisms that authenticate the server (SCRAM) verify it here.
    fn finish(&mut self, additional: Option<&[u8]>) -> Result<(), SaslError> {
        let _ = additional;
        Ok(())
    }

    /// Whether the mechanism reveals the secret (a password or a bearer token) to anyone who
    /// can read the connection: such mechanisms are refused without TLS unless allowed.
    fn sends_plaintext_password(&self) -> bool {
        false
    }
}
