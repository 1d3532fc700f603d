//! SASL client mechanisms, shared by SMTP, POP3 and IMAP.
//!
//! Each mechanism is a small state machine behind the [`Mechanism`] trait: the protocol machine
//! sends its initial response (if any), passes every server challenge (already base64-decoded)
//! to [`Mechanism::respond`], and calls [`Mechanism::finish`] when the server reports success.
//! [`select`] picks the strongest mechanism both sides support.
//!
//! Mechanisms: [`Scram`] (SCRAM-SHA-1/256/512 and their `-PLUS` variants with
//! [`ChannelBinding`]), [`Ntlm`] (NTLMv2 with MIC), [`DigestMd5`], [`CramMd5`], [`Plain`],
//! [`Login`], [`XOAuth2`], [`OAuthBearer`], [`Anonymous`] and [`External`]. Secrets are wiped
//! once used and never shown by `Debug`; user names and passwords go through [`saslprep`]
//! where the mechanism's RFC asks for it (SCRAM).

mod bearer;
mod channel_binding;
mod credentials;
pub(crate) mod exchange;
mod hex;
mod random;
mod saslprep;
mod select;
// Mechanisms: one file each (NTLM and SCRAM have helpers beside them).
mod anonymous;
mod client_first;
mod cram_md5;
mod digest_md5;
mod external;
mod login;
mod ntlm;
mod ntlm_messages;
mod oauthbearer;
mod plain;
mod scram;
mod scram_hash;
mod xoauth2;

pub use anonymous::Anonymous;
pub use channel_binding::ChannelBinding;
pub use cram_md5::CramMd5;
pub use credentials::{Credentials, Secret};
pub use digest_md5::DigestMd5;
pub use external::External;
pub use login::Login;
pub use ntlm::Ntlm;
pub use oauthbearer::OAuthBearer;
pub use plain::Plain;
pub use saslprep::saslprep;
pub use scram::Scram;
pub use scram_hash::ScramHash;
pub(crate) use select::lenient_base64;
pub use select::{SelectOptions, mechanism_by_name, mechanism_names, select};
pub use xoauth2::XOAuth2;

/// Bounds on what a server may ask of a mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SaslLimits {
    /// Highest SCRAM iteration count (`i=`) the client computes; more is
    /// [`SaslError::TooManyIterations`]. A hostile server could otherwise ask for billions of
    /// PBKDF2 rounds.
    pub max_scram_iterations: u32,
}

impl SaslLimits {
    /// The defaults, usable in `const` context: 1,000,000 SCRAM iterations, far above what
    /// servers use (4096 to 100,000) and still well under a second in a release build.
    pub const DEFAULT: SaslLimits = SaslLimits {
        max_scram_iterations: 1_000_000,
    };
}

impl Default for SaslLimits {
    fn default() -> Self {
        SaslLimits::DEFAULT
    }
}

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
    /// The server's proof of identity was wrong or missing (SCRAM `v=`, DIGEST-MD5 `rspauth`).
    #[error("server authentication failed")]
    ServerNotVerified,
    /// The server reported an error inside the exchange (XOAUTH2/OAUTHBEARER JSON status,
    /// SCRAM `e=`).
    #[error("server reported: {0}")]
    ServerError(String),
    /// The credentials do not suit this mechanism (e.g. an OAuth token for CRAM-MD5).
    #[error("credentials not usable with this mechanism")]
    WrongCredentials,
    /// A user name or password is not allowed by SASLprep (RFC 4013): a prohibited character
    /// or a wrong mix of bidirectional text.
    #[error("{what} is not allowed by SASLprep (RFC 4013)")]
    Saslprep {
        /// Which string: `"user name"`, `"password"` or `"authorization identity"`.
        what: &'static str,
    },
    /// The server asked for more SCRAM iterations than [`SaslLimits::max_scram_iterations`].
    #[error("server asks for {requested} SCRAM iterations, the limit is {limit}")]
    TooManyIterations {
        /// The server's `i=` value.
        requested: u64,
        /// The configured limit.
        limit: u32,
    },
    /// The operating system gave no random bytes for a nonce.
    #[error("no randomness available for a nonce")]
    NoRandomness,
}

/// A client SASL mechanism: one exchange, one instance.
///
/// Object-safe: protocol machines hold a `Box<dyn Mechanism>` chosen by [`select`].
pub trait Mechanism: Send {
    /// The registered mechanism name, e.g. `"CRAM-MD5"`.
    fn name(&self) -> &'static str;

    /// The initial response for protocols that allow one (SMTP `AUTH MECH ir`), if the mechanism
    /// is client-first. `Some(vec![])` is an empty initial response (sent as `=`).
    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError>;

    /// Answers one server challenge (base64-decoded by the caller).
    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError>;

    /// Called when the server reports success, with its final data (`235`/`+OK [data]`), if any.
    /// Mechanisms that authenticate the server (SCRAM, DIGEST-MD5) verify it here: either in
    /// `additional` or in a challenge answered before.
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
