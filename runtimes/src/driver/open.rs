//! Opening a session for any protocol: TCP with the connect timeout, TLS before the first
//! byte for implicit TLS, then a driver around the protocol's machine. The typed clients of
//! every protocol start here; only the machine (and its timeouts) differ.

use std::net::IpAddr;
use std::time::Instant;

use mail_kit_core::{Machine, TlsInfo};

use super::DriverTimeouts;
use crate::endpoint::Endpoint;
use crate::options::TlsMode;

/// Makes a session's machine once the local address of the connection (when known) is, with
/// the timeouts its driver applies.
pub(crate) trait MakeMachine<M>: FnOnce(Option<IpAddr>) -> (M, DriverTimeouts) {}

impl<M, F: FnOnce(Option<IpAddr>) -> (M, DriverTimeouts)> MakeMachine<M> for F {}

/// The machine of a new session, its greeting timer started now; `implicit_tls` is what the
/// handshake before the first byte reported (implicit TLS), so channel binding is known.
fn start<M: Machine>(mut machine: M, implicit_tls: Option<TlsInfo>) -> M {
    let now = Instant::now();
    machine.handle_timeout(now);
    if let Some(info) = implicit_tls {
        machine.handle_tls_established(now, info);
    }
    machine
}

/// Fails early (before connecting) on unusable TLS settings.
fn check_tls_settings(endpoint: &Endpoint) -> Result<(), crate::Error> {
    if endpoint.tls_mode != TlsMode::None {
        endpoint.tls.client_config()?;
    }
    Ok(())
}

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use self::asynch::{open_async, runtime_for};

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod asynch {
    use super::{MakeMachine, check_tls_settings, start};
    use crate::driver::{AsyncDriver, timeout};
    use crate::endpoint::Endpoint;
    use crate::error::Error;
    use crate::options::TlsMode;
    use crate::runtime::Runtime;
    use mail_kit_core::Machine;

    /// The runtime with its default TLS connector for `endpoint`'s settings, after checking
    /// them.
    pub(crate) fn runtime_for<R: Runtime>(endpoint: &Endpoint) -> Result<R, Error> {
        check_tls_settings(endpoint)?;
        Ok(R::with_tls_settings(&endpoint.tls))
    }

    /// Connects to `endpoint` (or takes the connected `stream`), wraps it in TLS for
    /// implicit TLS, and returns a driver around the machine `make` builds.
    pub(crate) async fn open_async<R: Runtime, M: Machine>(
        runtime: R,
        endpoint: &Endpoint,
        stream: Option<R::Stream>,
        make: impl MakeMachine<M>,
    ) -> Result<AsyncDriver<R, M>, Error> {
        let (host, port) = (endpoint.host.as_str(), endpoint.port());
        let after = endpoint.connect_timeout;
        let (stream, local_ip) = match stream {
            Some(stream) => (stream, None),
            None => {
                let (stream, local) = timeout(&runtime, after, runtime.connect(host, port))
                    .await
                    .ok_or_else(|| Error::Timeout {
                        waiting_for: format!("the TCP connection to {host}:{port}"),
                        after,
                    })?
                    .map_err(|source| Error::Connect {
                        host: host.to_owned(),
                        port,
                        source,
                    })?;
                (stream, local.map(|a| a.ip()))
            }
        };
        let (stream, implicit_tls) = if endpoint.tls_mode == TlsMode::Implicit {
            let (stream, info) = timeout(&runtime, after, runtime.start_tls(host, stream))
                .await
                .ok_or_else(|| Error::Timeout {
                    waiting_for: "the TLS handshake".to_owned(),
                    after,
                })??;
            (stream, Some(info))
        } else {
            (stream, None)
        };
        let (machine, timeouts) = make(local_ip);
        Ok(AsyncDriver::new(
            runtime,
            stream,
            start(machine, implicit_tls),
            host.to_owned(),
            timeouts,
            endpoint.make_observer(),
        ))
    }
}

#[cfg(feature = "blocking")]
pub(crate) use self::blocking::{default_connector, open_blocking};

#[cfg(feature = "blocking")]
mod blocking {
    use std::sync::Arc;

    use super::{MakeMachine, check_tls_settings, start};
    use crate::blocking::{RustlsConnector, TlsConnector};
    use crate::driver::{BlockingDriver, handshake_error};
    use crate::endpoint::Endpoint;
    use crate::error::Error;
    use crate::options::TlsMode;
    use mail_kit_core::Machine;

    /// The default TLS connector (rustls) for `endpoint`'s settings, after checking them.
    pub(crate) fn default_connector(endpoint: &Endpoint) -> Result<Arc<dyn TlsConnector>, Error> {
        check_tls_settings(endpoint)?;
        Ok(Arc::new(RustlsConnector::new(endpoint.tls.clone())))
    }

    /// Connects to `endpoint`, wraps the socket in TLS for implicit TLS, and returns a
    /// driver around the machine `make` builds.
    pub(crate) fn open_blocking<M: Machine>(
        connector: Arc<dyn TlsConnector>,
        endpoint: &Endpoint,
        make: impl MakeMachine<M>,
    ) -> Result<BlockingDriver<M>, Error> {
        let (host, port) = (endpoint.host.as_str(), endpoint.port());
        let after = endpoint.connect_timeout;
        let socket = crate::blocking::connect_tcp(host, port, after)?;
        let local_ip = socket.local_addr().ok().map(|a| a.ip());
        let (tls, implicit_tls) = if endpoint.tls_mode == TlsMode::Implicit {
            socket.set_read_timeout(Some(after))?;
            socket.set_write_timeout(Some(after))?;
            let (tls, info) = connector
                .connect(host, socket.try_clone()?)
                .map_err(|err| handshake_error(err, after))?;
            (Some(tls), Some(info))
        } else {
            (None, None)
        };
        let (machine, timeouts) = make(local_ip);
        Ok(BlockingDriver::new(
            socket,
            tls,
            connector,
            start(machine, implicit_tls),
            host.to_owned(),
            timeouts,
            endpoint.make_observer(),
        )?)
    }
}
