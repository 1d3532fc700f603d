//! The two small traits the one async driver is generic over: a byte stream and a runtime.
//!
//! The crate implements them for tokio, smol and async-std; implement them to run the async
//! clients on another executor.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Instant;

use mail_kit_core::TlsInfo;

use crate::tls::{TlsError, TlsSettings};

/// A bidirectional byte stream in poll style: a TCP connection, a TLS stream over one, or an
/// in-memory pipe in tests.
///
/// The methods mean the same as those of `tokio::io::AsyncWrite`/`AsyncRead` and of
/// `futures_io`'s; the crate's adapters forward to them. Reading and writing are polled in
/// the same task at the same time, so an implementation must keep separate wakers for the two
/// directions (every TCP and TLS stream of tokio, smol and async-std does).
pub trait AsyncStream: Send + Unpin {
    /// Reads into `buf`; `Ok(0)` means end of stream.
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// Writes some of `buf`, returning how much.
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// Pushes out everything written so far (TLS streams buffer).
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Flushes and shuts the write side down (TLS `close_notify`, TCP `FIN`).
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}

impl<S: AsyncStream + ?Sized> AsyncStream for Box<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        (**self).poll_read(cx, buf)
    }
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        (**self).poll_write(cx, buf)
    }
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        (**self).poll_flush(cx)
    }
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        (**self).poll_close(cx)
    }
}

/// What an async client needs from an executor: open a TCP connection, sleep until an
/// instant, and wrap a stream in TLS (through an injected TLS connector).
///
/// [`Tokio`](crate::tokio::Tokio), [`Smol`](crate::smol::Smol) and
/// [`AsyncStd`](crate::async_std::AsyncStd) implement it.
pub trait Runtime: Send + Sync + Sized + 'static {
    /// The stream the driver reads and writes, plain or TLS.
    type Stream: AsyncStream + 'static;
    /// A timer future from [`Runtime::sleep_until`].
    type Sleep: Future + Send + Unpin;

    /// The runtime with its default TLS connector (rustls) using `settings`.
    fn with_tls_settings(settings: &TlsSettings) -> Self;

    /// Opens a TCP connection to `host:port` (resolving names, trying each address) with
    /// `TCP_NODELAY` set, and returns it with its local address. The caller applies the
    /// connect timeout.
    fn connect(
        &self,
        host: &str,
        port: u16,
    ) -> impl Future<Output = io::Result<(Self::Stream, Option<SocketAddr>)>> + Send;

    /// A future that completes at `deadline` (at once when it has passed).
    fn sleep_until(&self, deadline: Instant) -> Self::Sleep;

    /// Wraps `stream` in TLS for the server name `host` (a DNS name or an IP address) and
    /// reports the handshake's [`TlsInfo`]. The caller applies the handshake timeout.
    fn start_tls(
        &self,
        host: &str,
        stream: Self::Stream,
    ) -> impl Future<Output = Result<(Self::Stream, TlsInfo), TlsError>> + Send;
}
