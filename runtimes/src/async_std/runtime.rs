//! The async-std [`Runtime`](crate::runtime::Runtime): `async_std::net::TcpStream`, an
//! `async-io` timer (the reactor async-std itself runs on), and a TLS connector.

use crate::async_runtime::async_runtime;
use crate::futures_io::{FuturesStream, RustlsConnector, TlsConnector};

async_runtime! {
    /// The async-std runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
    AsyncStd {
        connector: TlsConnector,
        rustls: RustlsConnector,
        tcp: ::async_std::net::TcpStream,
        stream: FuturesStream,
        sleep: async_io::Timer,
    }
    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        async_io::Timer::at(deadline)
    }
}
