//! Logging in: `USER`/`PASS`, `APOP` and `AUTH` (SASL), and the choice among them for
//! [`Command::Login`](super::Command::Login).

use std::time::SystemTime;

use zeroize::Zeroizing;

use bytes::Bytes;

use super::capabilities::Capabilities;
use super::command::Auth;
use super::config::Pop3Limits;
use super::encode;
use crate::UsageError;
use crate::sasl::exchange::{ExchangeLimits, SaslExchange};
use crate::sasl::{self, SelectOptions};
use crate::tls::TlsInfo;

/// A login method, checked and ready to start.
pub(crate) enum Method {
    /// `USER name`, then this `PASS` line.
    UserPass {
        /// The `USER` line.
        user: Bytes,
        /// The `PASS` line (a secret).
        pass: Zeroizing<Vec<u8>>,
    },
    /// The `APOP` line.
    Apop(Bytes),
    /// A SASL exchange.
    Sasl(SaslExchange),
}

/// Names the method, never its secrets.
impl std::fmt::Debug for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::UserPass { .. } => f.write_str("UserPass"),
            Method::Apop(_) => f.write_str("Apop"),
            Method::Sasl(x) => f.debug_tuple("Sasl").field(x).finish(),
        }
    }
}

/// What the machine knows when a login is enqueued.
pub(crate) struct Context<'a> {
    /// The capabilities (`None` when the server does not know `CAPA`).
    pub caps: Option<&'a Capabilities>,
    /// The greeting's APOP timestamp.
    pub timestamp: Option<&'a str>,
    /// The connection is encrypted.
    pub secure: bool,
    /// What the TLS handshake reported (channel binding for SCRAM-PLUS).
    pub tls: Option<&'a TlsInfo>,
    /// Limits for a SASL exchange.
    pub limits: Pop3Limits,
    /// The server's host name (DIGEST-MD5's `digest-uri`).
    pub host: Option<&'a str>,
    /// The wall-clock time the caller gave (NTLMv2 without a server timestamp).
    pub wall_clock: Option<SystemTime>,
}

impl Context<'_> {
    pub(crate) fn user_pass(&self, auth: &Auth) -> Result<Method, UsageError> {
        let password = auth
            .credentials
            .password_str()
            .ok_or(UsageError::NoMechanism("USER/PASS needs a password"))?;
        if !self.secure && !auth.allow_plaintext {
            return Err(UsageError::NoMechanism(
                "USER/PASS would reveal the password without TLS",
            ));
        }
        Ok(Method::UserPass {
            user: encode::user(auth.credentials.user())?,
            pass: encode::pass(password)?,
        })
    }

    pub(crate) fn apop(&self, auth: &Auth) -> Result<Method, UsageError> {
        let timestamp = self.timestamp.ok_or(UsageError::NotSupported(
            "APOP (no timestamp in the greeting)",
        ))?;
        let password = auth
            .credentials
            .password_str()
            .ok_or(UsageError::NoMechanism("APOP needs a password"))?;
        Ok(Method::Apop(encode::apop(
            auth.credentials.user(),
            timestamp,
            password,
        )?))
    }

    pub(crate) fn sasl(&self, auth: &Auth) -> Result<Method, UsageError> {
        let offered = self.caps.map_or(&[][..], |c| &c.sasl[..]);
        let mechanisms = sasl::select(
            offered,
            &auth.credentials,
            SelectOptions::new(self.secure, auth.allow_plaintext)
                .with_tls_info(self.tls)
                .with_service("pop", self.host)
                .with_limits(self.limits.sasl)
                .with_wall_clock(self.wall_clock),
            auth.mechanism.as_deref(),
        )?;
        let limits = ExchangeLimits {
            max_challenge_len: self.limits.max_challenge_len,
            max_rounds: self.limits.max_sasl_rounds,
        };
        Ok(Method::Sasl(SaslExchange::new(mechanisms, limits)))
    }

    /// The best method: SASL, else APOP, else `USER`/`PASS` (when `CAPA` lists `USER` or the
    /// server does not know `CAPA`). A forced mechanism means SASL only.
    pub(crate) fn best(&self, auth: &Auth) -> Result<Method, UsageError> {
        let sasl = self.sasl(auth);
        if sasl.is_ok() || auth.mechanism.is_some() {
            return sasl;
        }
        if self.timestamp.is_some() && auth.credentials.password_str().is_some() {
            return self.apop(auth);
        }
        if self.caps.is_none_or(|c| c.user) {
            return self.user_pass(auth);
        }
        sasl
    }
}
