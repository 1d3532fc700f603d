//! The smol [`Runtime`]: `smol::net::TcpStream`, `smol::Timer`, and a TLS connector.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use mail_kit_core::TlsInfo;

use crate::futures_io::{FuturesStream, RustlsConnector, TlsConnector};
use crate::runtime::Runtime;
use crate::tls::{TlsError, TlsSettings};

/// The smol runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
#[derive(Clone)]
pub struct Smol {
    tls: Arc<dyn TlsConnector>,
}

impl Smol {
    /// The runtime with a custom TLS connector.
    pub fn new(tls: Arc<dyn TlsConnector>) -> Self {
        Smol { tls }
    }
}

impl fmt::Debug for Smol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Smol")
    }
}

impl Runtime for Smol {
    type Stream = FuturesStream;
    type Sleep = ::smol::Timer;

    fn with_tls_settings(settings: &TlsSettings) -> Self {
        Smol::new(Arc::new(RustlsConnector::new(settings.clone())))
    }

    async fn connect(
        &self,
        host: &str,
        port: u16,
    ) -> io::Result<(Self::Stream, Option<SocketAddr>)> {
        let tcp = ::smol::net::TcpStream::connect((host, port)).await?;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr().ok();
        Ok((FuturesStream::new(tcp), local))
    }

    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        ::smol::Timer::at(deadline)
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
            Ok((FuturesStream::from_boxed(stream), info))
        }
    }
}
