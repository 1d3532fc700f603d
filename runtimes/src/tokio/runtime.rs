//! The tokio [`Runtime`](crate::runtime::Runtime): `tokio::net::TcpStream`,
//! `tokio::time::sleep_until`, and a TLS connector.

use std::pin::Pin;

use super::{RustlsConnector, TlsConnector, TokioStream};
use crate::async_runtime::async_runtime;

async_runtime! {
    /// The tokio runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
    ///
    /// Needs a tokio runtime with the time and I/O drivers enabled (`#[tokio::main]` has both).
    Tokio {
        connector: TlsConnector,
        rustls: RustlsConnector,
        tcp: ::tokio::net::TcpStream,
        stream: TokioStream,
        sleep: Pin<Box<::tokio::time::Sleep>>,
    }
    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        Box::pin(::tokio::time::sleep_until(deadline.into()))
    }
}
