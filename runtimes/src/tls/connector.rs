//! What the default rustls connectors of every runtime share: the connector type's shape, and
//! the two halves of a handshake around the runtime's own I/O.

use std::io;
use std::sync::Arc;

use mail_kit_core::TlsInfo;
use rustls::{ClientConfig, ClientConnection};
use rustls_pki_types::ServerName;

use super::{TlsError, TlsSettings, server_name, tls_info};

/// The client configuration and the server name to start a handshake with `host`.
pub(crate) fn handshake_start(
    settings: &TlsSettings,
    host: &str,
) -> Result<(Arc<ClientConfig>, ServerName<'static>), TlsError> {
    Ok((settings.client_config()?, server_name(host)?))
}

/// The end of a handshake: its error classified, or the stream with the [`TlsInfo`] of its
/// rustls connection.
pub(crate) fn handshake_end<S>(
    handshake: io::Result<S>,
    connection: impl FnOnce(&S) -> &ClientConnection,
) -> Result<(S, TlsInfo), TlsError> {
    let stream = handshake.map_err(TlsError::from_handshake_io)?;
    let info = tls_info(connection(&stream));
    Ok((stream, info))
}

/// Defines a runtime's default connector, `RustlsConnector`: [`TlsSettings`] and `new`, for
/// the runtime's module to implement its `TlsConnector` trait with [`handshake_start`] and
/// [`handshake_end`].
macro_rules! rustls_connector {
    ($(#[$doc:meta])*) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct RustlsConnector {
            settings: $crate::tls::TlsSettings,
        }

        impl RustlsConnector {
            /// A connector checking servers as `settings` say.
            pub fn new(settings: $crate::tls::TlsSettings) -> Self {
                RustlsConnector { settings }
            }
        }

        impl ::std::fmt::Debug for RustlsConnector {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("RustlsConnector")
                    .field(&self.settings)
                    .finish()
            }
        }
    };
}
pub(crate) use rustls_connector;
