//! Opening a TCP connection with a timeout over every resolved address.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Connects to `host:port` within `timeout`, trying each resolved address in turn, and sets
/// `TCP_NODELAY`.
pub(crate) fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, Error> {
    let connect_error = |source| Error::Connect {
        host: host.to_owned(),
        port,
        source,
    };
    let start = Instant::now();
    let addrs = (host, port).to_socket_addrs().map_err(connect_error)?;
    let mut last_error = None;
    for addr in addrs {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => {
                stream.set_nodelay(true).map_err(connect_error)?;
                return Ok(stream);
            }
            Err(err) => last_error = Some(err),
        }
    }
    match last_error {
        Some(err) if err.kind() == io::ErrorKind::TimedOut || start.elapsed() >= timeout => {
            Err(Error::Timeout {
                waiting_for: format!("the TCP connection to {host}:{port}"),
                after: timeout,
            })
        }
        Some(err) => Err(connect_error(err)),
        None if start.elapsed() >= timeout => Err(Error::Timeout {
            waiting_for: format!("the TCP connection to {host}:{port}"),
            after: timeout,
        }),
        None => Err(connect_error(io::Error::new(
            io::ErrorKind::NotFound,
            "the host name resolved to no address",
        ))),
    }
}
