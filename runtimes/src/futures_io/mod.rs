//! The futures-io stream adapter and TLS connector shared by the smol and async-std runtimes
//! (features `smol`, `async-std`).

mod stream;
mod tls;

pub use stream::{FuturesIo, FuturesStream};
pub use tls::{ConnectFuture, RustlsConnector, TlsConnector};
