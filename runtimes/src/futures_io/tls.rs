//! The TLS connector of the futures-io runtimes, and its futures-rustls implementation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use mail_kit_core::TlsInfo;

use super::FuturesIo;
use crate::tls::{TlsError, TlsSettings, server_name, tls_info};

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

/// The default [`TlsConnector`]: futures-rustls.
#[derive(Clone)]
pub struct RustlsConnector {
    settings: TlsSettings,
}

impl RustlsConnector {
    /// A connector checking servers as `settings` say.
    pub fn new(settings: TlsSettings) -> Self {
        RustlsConnector { settings }
    }
}

impl fmt::Debug for RustlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RustlsConnector")
            .field(&self.settings)
            .finish()
    }
}

impl TlsConnector for RustlsConnector {
    fn connect<'a>(&'a self, host: &'a str, stream: Box<dyn FuturesIo>) -> ConnectFuture<'a> {
        Box::pin(async move {
            let config = self.settings.client_config()?;
            let name = server_name(host)?;
            let tls = futures_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await
                .map_err(TlsError::from_handshake_io)?;
            let info = tls_info(tls.get_ref().1);
            Ok((Box::new(tls) as Box<dyn FuturesIo>, info))
        })
    }
}
