//! The async-std [`Runtime`]: `async_std::net::TcpStream`, an `async-io` timer (the reactor
//! async-std itself runs on), and a TLS connector.

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

/// The async-std runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
#[derive(Clone)]
pub struct AsyncStd {
    tls: Arc<dyn TlsConnector>,
}

impl AsyncStd {
    /// The runtime with a custom TLS connector.
    pub fn new(tls: Arc<dyn TlsConnector>) -> Self {
        AsyncStd { tls }
    }
}

impl fmt::Debug for AsyncStd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AsyncStd")
    }
}

impl Runtime for AsyncStd {
    type Stream = FuturesStream;
    type Sleep = async_io::Timer;

    fn with_tls_settings(settings: &TlsSettings) -> Self {
        AsyncStd::new(Arc::new(RustlsConnector::new(settings.clone())))
    }

    async fn connect(
        &self,
        host: &str,
        port: u16,
    ) -> io::Result<(Self::Stream, Option<SocketAddr>)> {
        let tcp = ::async_std::net::TcpStream::connect((host, port)).await?;
        tcp.set_nodelay(true)?;
        let local = tcp.local_addr().ok();
        Ok((FuturesStream::new(tcp), local))
    }

    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        async_io::Timer::at(deadline)
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
