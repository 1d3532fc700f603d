//! The tokio [`Runtime`]: `tokio::net::TcpStream`, `tokio::time::sleep_until`, and a TLS
//! connector.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use mail_kit_core::TlsInfo;

use super::{RustlsConnector, TlsConnector, TokioStream};
use crate::runtime::Runtime;
use crate::tls::{TlsError, TlsSettings};

/// The tokio runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
///
/// Needs a tokio runtime with the time and I/O drivers enabled (`#[tokio::main]` has both).
#[derive(Clone)]
pub struct Tokio {
    tls: Arc<dyn TlsConnector>,
}

impl Tokio {
    /// The runtime with a custom TLS connector.
    pub fn new(tls: Arc<dyn TlsConnector>) -> Self {
        Tokio { tls }
    }
}

impl fmt::Debug for Tokio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tokio")
    }
}

impl Runtime for Tokio {
    type Stream = TokioStream;
    type Sleep = Pin<Box<::tokio::time::Sleep>>;

    fn with_tls_settings(settings: &TlsSettings) -> Self {
        Tokio::new(Arc::new(RustlsConnector::new(settings.clone())))
    }

    async fn connect(
        &self,
        host: &str,
        port: u16,
    ) -> io::Result<(Self::Stream, Option<SocketAddr>)> {
        let tcp = ::tokio::net::TcpStream::connect((host, port)).await?;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr().ok();
        Ok((TokioStream::new(tcp), local))
    }

    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        Box::pin(::tokio::time::sleep_until(deadline.into()))
    }

    fn start_tls(
        &self,
        host: &str,
        stream: Self::Stream,
    ) -> impl Future<Output = Result<(Self::Stream, TlsInfo), TlsError>> + Send {
        let tls = Arc::clone(&self.tls);
        let host = host.to_owned();
        async move {
            let (stream, info) = tls.connect(&host, stream.into_inner()).await?;
            Ok((TokioStream::from_boxed(stream), info))
        }
    }
}
