//! The smol [`Runtime`](crate::runtime::Runtime): `smol::net::TcpStream`, `smol::Timer`, and a
//! TLS connector.

use crate::async_runtime::async_runtime;
use crate::futures_io::{FuturesStream, RustlsConnector, TlsConnector};

async_runtime! {
    /// The smol runtime, with the TLS connector used for implicit TLS and `STARTTLS`.
    Smol {
        connector: TlsConnector,
        rustls: RustlsConnector,
        tcp: ::smol::net::TcpStream,
        stream: FuturesStream,
        sleep: ::smol::Timer,
    }
    fn sleep_until(&self, deadline: Instant) -> Self::Sleep {
        ::smol::Timer::at(deadline)
    }
}
