//! tokio's `AsyncRead`/`AsyncWrite` seen as the driver's [`AsyncStream`].

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::runtime::AsyncStream;

/// Any tokio byte stream that can be boxed: `TcpStream`, a TLS stream, `DuplexStream`...
pub trait TokioIo: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> TokioIo for T {}

/// The stream of the tokio runtime: a boxed tokio byte stream, plain or TLS.
///
/// ```
/// let (client_end, _server_end) = tokio::io::duplex(1024);
/// let stream = mail_kit::tokio::TokioStream::new(client_end);
/// # let _ = stream;
/// ```
pub struct TokioStream(Box<dyn TokioIo>);

impl TokioStream {
    /// Wraps a tokio byte stream.
    pub fn new(io: impl TokioIo) -> Self {
        TokioStream(Box::new(io))
    }

    /// Wraps an already boxed stream.
    pub fn from_boxed(io: Box<dyn TokioIo>) -> Self {
        TokioStream(io)
    }

    /// The boxed stream.
    pub fn into_inner(self) -> Box<dyn TokioIo> {
        self.0
    }
}

impl fmt::Debug for TokioStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokioStream")
    }
}

impl AsyncStream for TokioStream {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut self.0).poll_read(cx, &mut buf) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.filled().len())),
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
