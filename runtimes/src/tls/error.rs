//! Typed TLS failures: a rejected certificate is told apart from a failed handshake.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// A boxed error from a TLS library or the file system.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why TLS could not be set up. Reached through [`Error::Tls`](crate::Error::Tls).
///
/// Handshake failures of both implicit TLS (`smtps://`) and `STARTTLS` end up here, never as
/// a plain I/O error.
///
/// ```
/// use mail_kit::{CertificateProblem, TlsError};
///
/// fn explain(err: &TlsError) -> &'static str {
///     match err {
///         TlsError::Certificate { problem: CertificateProblem::Expired, .. } => "expired",
///         TlsError::Certificate { problem: CertificateProblem::NotValidForName, .. } => "wrong host",
///         TlsError::Certificate { .. } => "untrusted certificate",
///         _ => "other TLS failure",
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's certificate was rejected; nothing was sent over the connection.
    #[error("the server's TLS certificate was rejected: {problem}")]
    Certificate {
        /// What is wrong with it.
        problem: CertificateProblem,
        /// The TLS library's error.
        #[source]
        source: Option<BoxError>,
    },
    /// The TLS handshake failed for another reason: an alert from the server, no common
    /// protocol version or cipher suite, malformed TLS records, or the connection dropped.
    #[error("TLS handshake failed: {source}")]
    Handshake {
        /// The TLS library's or the socket's error.
        #[source]
        source: BoxError,
    },
    /// The host cannot be used as a TLS server name (neither a DNS name nor an IP address).
    #[error("{host:?} cannot be used as a TLS server name")]
    InvalidServerName {
        /// The host.
        host: String,
    },
    /// A CA certificate file could not be read or holds no usable certificate.
    #[error("cannot load CA certificates from {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: BoxError,
    },
    /// The operating system's certificate store could not be loaded or is empty.
    #[error("cannot load the operating system's root certificates: {reason}")]
    NativeRoots {
        /// What went wrong.
        reason: String,
    },
    /// No trust anchor at all: [`Roots::None`](crate::Roots::None) without extra CA files.
    #[error("no root certificates to check the server against")]
    NoRootCertificates,
    /// rustls refused the configuration.
    #[error("invalid TLS configuration: {0}")]
    Config(#[source] rustls::Error),
}

/// What is wrong with a server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// Not issued by a trusted authority (this includes self-signed certificates).
    UnknownIssuer,
    /// Expired.
    Expired,
    /// Not valid yet.
    NotYetValid,
    /// Valid, but for another host name or IP address.
    NotValidForName,
    /// Revoked by its issuer.
    Revoked,
    /// A bad signature, a bad encoding or an unsupported algorithm.
    Invalid,
    /// Any other reason (see the error's source).
    Other,
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificateProblem::UnknownIssuer => "issued by an unknown authority (or self-signed)",
            CertificateProblem::Expired => "expired",
            CertificateProblem::NotYetValid => "not valid yet",
            CertificateProblem::NotValidForName => "not valid for this host name",
            CertificateProblem::Revoked => "revoked",
            CertificateProblem::Invalid => "invalid (bad signature, encoding or algorithm)",
            CertificateProblem::Other => "not acceptable",
        })
    }
}

impl TlsError {
    /// Classifies an error of a rustls handshake.
    pub fn from_rustls(err: rustls::Error) -> TlsError {
        use rustls::CertificateError as C;
        let problem = match &err {
            rustls::Error::InvalidCertificate(cert) => match cert {
                C::UnknownIssuer => CertificateProblem::UnknownIssuer,
                C::Expired | C::ExpiredContext { .. } => CertificateProblem::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotYetValid,
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    CertificateProblem::NotValidForName
                }
                C::Revoked => CertificateProblem::Revoked,
                C::BadEncoding
                | C::BadSignature
                | C::UnsupportedSignatureAlgorithmContext { .. }
                | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. }
                | C::UnhandledCriticalExtension => CertificateProblem::Invalid,
                _ => CertificateProblem::Other,
            },
            rustls::Error::NoCertificatesPresented => CertificateProblem::Other,
            _ => {
                return TlsError::Handshake {
                    source: Box::new(err),
                };
            }
        };
        TlsError::Certificate {
            problem,
            source: Some(Box::new(err)),
        }
    }

    /// Classifies an I/O error returned by a TLS handshake (tokio-rustls, futures-rustls and
    /// `rustls::Connection::complete_io` wrap rustls errors in `io::Error`).
    pub fn from_handshake_io(err: io::Error) -> TlsError {
        if err
            .get_ref()
            .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            let inner = err.into_inner().expect("checked above");
            let rustls_err = inner.downcast::<rustls::Error>().expect("checked above");
            return TlsError::from_rustls(*rustls_err);
        }
        TlsError::Handshake {
            source: Box::new(err),
        }
    }

    /// Whether the server's certificate was rejected.
    pub fn is_certificate_error(&self) -> bool {
        matches!(self, TlsError::Certificate { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_are_told_apart() {
        let err = TlsError::from_rustls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert!(matches!(
            err,
            TlsError::Certificate {
                problem: CertificateProblem::UnknownIssuer,
                ..
            }
        ));
        let io = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName),
        );
        let err = TlsError::from_handshake_io(io);
        assert!(matches!(
            err,
            TlsError::Certificate {
                problem: CertificateProblem::NotValidForName,
                ..
            }
        ));
        assert!(err.is_certificate_error());
    }

    #[test]
    fn other_failures_are_handshake_errors() {
        let err = TlsError::from_handshake_io(io::Error::from(io::ErrorKind::ConnectionReset));
        assert!(matches!(err, TlsError::Handshake { .. }));
        let err = TlsError::from_rustls(rustls::Error::AlertReceived(
            rustls::AlertDescription::HandshakeFailure,
        ));
        assert!(matches!(err, TlsError::Handshake { .. }));
        assert!(err.to_string().starts_with("TLS handshake failed"));
    }
}
