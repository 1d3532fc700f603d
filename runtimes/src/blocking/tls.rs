//! The TLS connector of the blocking client, and its rustls implementation.

use std::io::{Read, Write};
use std::net::TcpStream;

use mail_kit_core::TlsInfo;
use rustls::{ClientConnection, StreamOwned};

use crate::tls::{TlsError, handshake_end, handshake_start, rustls_connector};

/// A blocking byte stream (what a [`TlsConnector`] returns).
pub trait ReadWrite: Read + Write + Send {}

impl<T: Read + Write + Send> ReadWrite for T {}

/// Wraps a connected socket in TLS: plug in another TLS library by implementing it.
///
/// The socket's read and write timeouts are already set to the handshake timeout; the
/// handshake must be complete when `connect` returns.
///
/// ```no_run
/// use std::sync::Arc;
/// use mail_kit::blocking::{RustlsConnector, SmtpClient};
/// use mail_kit::{SmtpOptions, TlsSettings};
///
/// let options = SmtpOptions::from_url("smtps://mail.example.org")?;
/// let connector = Arc::new(RustlsConnector::new(TlsSettings::new()));
/// let client = SmtpClient::connect_with(connector, &options)?;
/// # Ok::<(), mail_kit::Error>(())
/// ```
pub trait TlsConnector: Send + Sync {
    /// Performs the handshake for the server name `host` (a DNS name or an IP address) and
    /// returns the encrypted stream with the handshake's [`TlsInfo`].
    fn connect(
        &self,
        host: &str,
        socket: TcpStream,
    ) -> Result<(Box<dyn ReadWrite>, TlsInfo), TlsError>;
}

rustls_connector! {
    /// The default [`TlsConnector`]: rustls (`StreamOwned<ClientConnection, TcpStream>`).
}

impl TlsConnector for RustlsConnector {
    fn connect(
        &self,
        host: &str,
        mut socket: TcpStream,
    ) -> Result<(Box<dyn ReadWrite>, TlsInfo), TlsError> {
        let (config, name) = handshake_start(&self.settings, host)?;
        let mut conn = ClientConnection::new(config, name).map_err(TlsError::from_rustls)?;
        let mut handshake = Ok(());
        while handshake.is_ok() && conn.is_handshaking() {
            handshake = conn.complete_io(&mut socket).map(drop);
        }
        let (conn, info) = handshake_end(handshake.map(|()| conn), |conn| conn)?;
        Ok((Box::new(StreamOwned::new(conn, socket)), info))
    }
}
