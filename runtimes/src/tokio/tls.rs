//! The TLS connector of the tokio runtime, and its tokio-rustls implementation.

use std::future::Future;
use std::pin::Pin;

use mail_kit_core::TlsInfo;

use super::TokioIo;
use crate::tls::{TlsError, handshake_end, handshake_start, rustls_connector};

/// The future a [`TlsConnector`] returns.
pub type ConnectFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(Box<dyn TokioIo>, TlsInfo), TlsError>> + Send + 'a>>;

/// Wraps a tokio stream in TLS: plug in another TLS library by implementing it.
///
/// ```no_run
/// use std::sync::Arc;
/// use mail_kit::tokio::{RustlsConnector, SmtpClient, Tokio};
/// use mail_kit::{SmtpOptions, TlsSettings};
///
/// # async fn demo() -> Result<(), mail_kit::Error> {
/// let options = SmtpOptions::from_url("smtps://mail.example.org")?;
/// let runtime = Tokio::new(Arc::new(RustlsConnector::new(TlsSettings::new())));
/// let client = SmtpClient::connect_with(runtime, &options).await?;
/// # Ok(())
/// # }
/// ```
pub trait TlsConnector: Send + Sync + 'static {
    /// Performs the handshake for the server name `host` (a DNS name or an IP address) and
    /// returns the encrypted stream with the handshake's [`TlsInfo`].
    fn connect<'a>(&'a self, host: &'a str, stream: Box<dyn TokioIo>) -> ConnectFuture<'a>;
}

rustls_connector! {
    /// The default [`TlsConnector`]: tokio-rustls.
}

impl TlsConnector for RustlsConnector {
    fn connect<'a>(&'a self, host: &'a str, stream: Box<dyn TokioIo>) -> ConnectFuture<'a> {
        Box::pin(async move {
            let (config, name) = handshake_start(&self.settings, host)?;
            let handshake = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await;
            let (tls, info) = handshake_end(handshake, |tls| tls.get_ref().1)?;
            Ok((Box::new(tls) as Box<dyn TokioIo>, info))
        })
    }
}
