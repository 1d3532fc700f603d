//! What a machine knows about TLS: the policy it enforces and what the handshake produced.

use std::fmt;

use crate::error::Error;

/// How a connection must be protected.
///
/// The machine enforces this policy: under [`TlsPolicy::Required`] it never sends credentials
/// or mail before `STARTTLS` succeeded, and fails closed when the server does not offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsPolicy {
    /// The driver wrapped the socket in TLS before the first byte (ports 465, 993, 995).
    Implicit,
    /// Upgrade with `STARTTLS`; fail if the server does not offer it or refuses it.
    #[default]
    Required,
    /// Upgrade with `STARTTLS` when offered, go on in plaintext otherwise.
    ///
    /// A man in the middle can strip the offer: choose this only on purpose.
    Opportunistic,
    /// Never use TLS.
    None,
}

impl TlsPolicy {
    /// Whether the connection starts encrypted.
    pub fn is_implicit(self) -> bool {
        matches!(self, TlsPolicy::Implicit)
    }
}

/// What the driver learned from a finished TLS handshake.
///
/// Carries channel-binding data for SCRAM-PLUS mechanisms.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// RFC 9266 `tls-exporter` channel binding (TLS 1.3), if available.
    pub tls_exporter: Option<Vec<u8>>,
    /// RFC 5929 `tls-server-end-point` channel binding (hash of the server certificate).
    pub tls_server_end_point: Option<Vec<u8>>,
    /// The negotiated protocol version, e.g. `"TLSv1.3"`.
    pub protocol: Option<String>,
}

impl fmt::Debug for TlsInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsInfo")
            .field("tls_exporter", &self.tls_exporter.as_ref().map(|b| b.len()))
            .field(
                "tls_server_end_point",
                &self.tls_server_end_point.as_ref().map(|b| b.len()),
            )
            .field("protocol", &self.protocol)
            .finish()
    }
}

/// What a machine knows of its connection's TLS, shared by SMTP and POP3 (and later IMAP).
#[derive(Debug, Clone)]
pub(crate) struct TlsState {
    /// What the handshake reported (implicit TLS or the in-band upgrade).
    pub(crate) info: Option<TlsInfo>,
    /// Whether the connection is encrypted: from the first byte under implicit TLS, after the
    /// upgrade otherwise.
    pub(crate) secure: bool,
}

impl TlsState {
    /// The state before any handshake under `policy`.
    pub(crate) fn new(policy: TlsPolicy) -> Self {
        TlsState {
            info: None,
            secure: policy.is_implicit(),
        }
    }

    /// Takes the report of a finished handshake: under implicit TLS the driver reports it
    /// before the greeting (`before_greeting`, the first report only); otherwise it must come
    /// after the server accepted the in-band upgrade `command` (`upgrading`). Returns whether
    /// the connection was upgraded in band (the machine then learns the capabilities again).
    pub(crate) fn established(
        &mut self,
        info: TlsInfo,
        before_greeting: bool,
        upgrading: bool,
        command: &str,
    ) -> Result<bool, Error> {
        if before_greeting && self.info.is_none() {
            self.info = Some(info);
            return Ok(false);
        }
        if !upgrading {
            return Err(Error::UnexpectedReply(format!(
                "TLS established without a {command}"
            )));
        }
        self.info = Some(info);
        self.secure = true;
        Ok(true)
    }
}

/// The STARTTLS rule (DESIGN.md), shared by SMTP `STARTTLS`, POP3 `STLS` and IMAP `STARTTLS`:
/// once the server accepted the upgrade, no byte may be buffered after its reply until the TLS
/// handshake is done. Anything there was sent in plaintext after the reply, which is how a man
/// in the middle injects responses.
pub(crate) fn check_upgrade_buffer(buffered: &[u8]) -> Result<(), Error> {
    if buffered.is_empty() {
        Ok(())
    } else {
        Err(Error::StartTlsBufferNotEmpty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(protocol: &str) -> TlsInfo {
        TlsInfo {
            protocol: Some(protocol.into()),
            ..TlsInfo::default()
        }
    }

    #[test]
    fn implicit_tls_is_reported_once_before_the_greeting() {
        let mut state = TlsState::new(TlsPolicy::Implicit);
        assert!(state.secure);
        assert_eq!(state.established(info("a"), true, false, "STLS"), Ok(false));
        assert_eq!(state.info, Some(info("a")));
        // A second report before the greeting is not an upgrade the machine asked for.
        assert_eq!(
            state.established(info("b"), true, false, "STLS"),
            Err(Error::UnexpectedReply(
                "TLS established without a STLS".into()
            ))
        );
        assert_eq!(state.info, Some(info("a")));
    }

    #[test]
    fn an_upgrade_counts_only_after_the_command() {
        let mut state = TlsState::new(TlsPolicy::Required);
        assert!(!state.secure);
        assert!(
            state
                .established(info("a"), false, false, "STARTTLS")
                .is_err()
        );
        assert!(!state.secure && state.info.is_none());
        assert_eq!(
            state.established(info("a"), false, true, "STARTTLS"),
            Ok(true)
        );
        assert!(state.secure);
        assert_eq!(state.info, Some(info("a")));
    }
}
