//! The TLS connector of the futures-io runtimes, and its futures-rustls implementation.

use std::future::Future;
use std::pin::Pin;

use mail_kit_core::TlsInfo;

use super::FuturesIo;
use crate::tls::{TlsError, handshake_end, handshake_start, rustls_connector};

/// The future a [`TlsConnector`] returns.
pub type ConnectFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(Box<dyn FuturesIo>, TlsInfo), TlsError>> + Send + 'a>>;

/// Wraps a futures-io stream in TLS (smol and async-std): plug in another TLS library by
/// implementing it.
///
/// ```no_run
/// # #[cfg(feature = "smol")]
/// # async fn demo() -> Result<(), mail_kit::Error> {
/// use std::sync::Arc;
/// use mail_kit::futures_io::RustlsConnector;
/// use mail_kit::smol::{Smol, SmtpClient};
/// use mail_kit::{SmtpOptions, TlsSettings};
///
/// let options = SmtpOptions::from_url("smtps://mail.example.org")?;
/// let runtime = Smol::new(Arc::new(RustlsConnector::new(TlsSettings::new())));
/// let client = SmtpClient::connect_with(runtime, &options).await?;
/// # Ok(())
/// # }
/// ```
pub trait TlsConnector: Send + Sync + 'static {
    /// Performs the handshake for the server name `host` (a DNS name or an IP address) and
    /// returns the encrypted stream with the handshake's [`TlsInfo`].
    fn connect<'a>(&'a self, host: &'a str, stream: Box<dyn FuturesIo>) -> ConnectFuture<'a>;
}

rustls_connector! {
    /// The default [`TlsConnector`]: futures-rustls.
}

impl TlsConnector for RustlsConnector {
    fn connect<'a>(&'a self, host: &'a str, stream: Box<dyn FuturesIo>) -> ConnectFuture<'a> {
        Box::pin(async move {
            let (config, name) = handshake_start(&self.settings, host)?;
            let handshake = futures_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await;
            let (tls, info) = handshake_end(handshake, |tls| tls.get_ref().1)?;
            Ok((Box::new(tls) as Box<dyn FuturesIo>, info))
        })
    }
}
