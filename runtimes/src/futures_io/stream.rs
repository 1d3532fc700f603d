//! futures-io's `AsyncRead`/`AsyncWrite` seen as the driver's [`AsyncStream`].

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::runtime::AsyncStream;

/// Any futures-io byte stream that can be boxed: smol's and async-std's `TcpStream`, a TLS
/// stream, an in-memory pipe...
pub trait FuturesIo: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> FuturesIo for T {}

/// The stream of the smol and async-std runtimes: a boxed futures-io byte stream.
pub struct FuturesStream(Box<dyn FuturesIo>);

impl FuturesStream {
    /// Wraps a futures-io byte stream.
    pub fn new(io: impl FuturesIo) -> Self {
        FuturesStream(Box::new(io))
    }

    /// Wraps an already boxed stream.
    pub fn from_boxed(io: Box<dyn FuturesIo>) -> Self {
        FuturesStream(io)
    }

    /// The boxed stream.
    pub fn into_inner(self) -> Box<dyn FuturesIo> {
        self.0
    }
}

impl fmt::Debug for FuturesStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FuturesStream")
    }
}

impl AsyncStream for FuturesStream {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}
