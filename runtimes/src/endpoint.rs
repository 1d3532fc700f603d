//! What the options of every protocol share: the server, how TLS is used, the timeouts, the
//! trusted certificates and the protocol logger. [`SmtpOptions`](crate::SmtpOptions) and
//! [`Pop3Options`](crate::Pop3Options) each hold an [`Endpoint`] and get their common builder
//! methods from [`endpoint_methods!`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mail_kit_core::WireObserver;

use crate::error::Error;
use crate::options::TlsMode;
use crate::tls::TlsSettings;
use crate::url::{parse_server_url, validate_host};

/// Makes a fresh [`WireObserver`] for each connection.
pub(crate) type ObserverFactory = Arc<dyn Fn() -> Box<dyn WireObserver> + Send + Sync>;

/// The URL schemes and default ports of one protocol.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schemes {
    /// The scheme upgraded in-band (`smtp`, `pop3`).
    pub(crate) plain: &'static str,
    /// The implicit-TLS scheme (`smtps`, `pop3s`).
    pub(crate) tls: &'static str,
    /// The refusal for any other scheme.
    pub(crate) wrong_scheme: &'static str,
    /// The port for the in-band upgrade.
    pub(crate) plain_port: u16,
    /// The port for implicit TLS.
    pub(crate) tls_port: u16,
}

/// Where and how to connect, for any protocol.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) schemes: Schemes,
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    pub(crate) tls_mode: TlsMode,
    pub(crate) connect_timeout: Duration,
    pub(crate) command_timeout: Option<Duration>,
    pub(crate) tls: TlsSettings,
    pub(crate) observer: Option<ObserverFactory>,
}

impl Endpoint {
    /// `host` (IPv6 with or without brackets) on `port`, with the in-band upgrade required.
    pub(crate) fn new(schemes: Schemes, host: &str, port: u16) -> Result<Self, Error> {
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        validate_host(host)?;
        if port == 0 {
            return Err(Error::InvalidUrl {
                reason: "the port must be between 1 and 65535",
            });
        }
        Ok(Endpoint::with_host(
            schemes,
            host.to_owned(),
            Some(port),
            TlsMode::Required,
        ))
    }

    /// Parses `plain://host[:port]` (in-band upgrade required) or `tls://host[:port]`
    /// (implicit TLS).
    pub(crate) fn from_url(schemes: Schemes, url: &str) -> Result<Self, Error> {
        let url = parse_server_url(url)?;
        let mode = if url.scheme == schemes.plain {
            TlsMode::Required
        } else if url.scheme == schemes.tls {
            TlsMode::Implicit
        } else {
            return Err(Error::InvalidUrl {
                reason: schemes.wrong_scheme,
            });
        };
        Ok(Endpoint::with_host(schemes, url.host, url.port, mode))
    }

    fn with_host(schemes: Schemes, host: String, port: Option<u16>, tls_mode: TlsMode) -> Self {
        Endpoint {
            schemes,
            host,
            port,
            tls_mode,
            connect_timeout: Duration::from_secs(30),
            command_timeout: None,
            tls: TlsSettings::new(),
            observer: None,
        }
    }

    /// The port given, or the default of the TLS mode.
    pub(crate) fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls_mode {
            TlsMode::Implicit => self.schemes.tls_port,
            _ => self.schemes.plain_port,
        })
    }

    /// Adds the endpoint's fields to a `Debug` output.
    pub(crate) fn debug_fields(&self, f: &mut fmt::DebugStruct<'_, '_>) {
        f.field("host", &self.host)
            .field("port", &self.port())
            .field("tls_mode", &self.tls_mode)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("tls", &self.tls)
            .field("wire_observer", &self.observer.is_some());
    }
}

used_by_clients! {
    impl Endpoint {
        /// A new wire observer for a connection, when there is a factory.
        pub(crate) fn make_observer(&self) -> Option<Box<dyn WireObserver>> {
            self.observer.as_ref().map(|make| make())
        }
    }
}

/// The builder methods and getters every options type has, over its `endpoint` field.
/// `$name` is the type, `$proto` the protocol's name for the docs.
macro_rules! endpoint_methods {
    ($name:ident, $proto:literal) => {
        impl $name {
            /// Sets how the connection is protected. Without an explicit port, the port
            /// follows: the implicit-TLS port for [`TlsMode::Implicit`], the other one
            /// otherwise.
            pub fn tls_mode(mut self, mode: $crate::TlsMode) -> Self {
                self.endpoint.tls_mode = mode;
                self
            }

            /// Sets the port.
            pub fn port(mut self, port: u16) -> Self {
                self.endpoint.port = Some(port);
                self
            }

            /// How long opening the TCP connection may take, and separately each TLS
            /// handshake (30 seconds by default).
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.endpoint.connect_timeout = timeout;
                self
            }

            #[doc = concat!("How long to wait for each server reply. By default the ", $proto, " machine's own timeouts.")]
            pub fn command_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.endpoint.command_timeout = Some(timeout);
                self
            }

            /// Sets which certificates are trusted.
            pub fn tls_settings(mut self, settings: $crate::TlsSettings) -> Self {
                self.endpoint.tls = settings;
                self
            }

            /// Installs a protocol logger: `make` is called once per connection, and its
            /// [`WireObserver`](mail_kit_core::WireObserver) sees every byte from the
            /// greeting on.
            pub fn wire_observer(
                mut self,
                make: impl Fn() -> Box<dyn ::mail_kit_core::WireObserver> + Send + Sync + 'static,
            ) -> Self {
                self.endpoint.observer = Some(::std::sync::Arc::new(make));
                self
            }

            /// The host (IPv6 without brackets).
            pub fn host(&self) -> &str {
                &self.endpoint.host
            }

            /// The port: the one given, or the default of the TLS mode.
            pub fn get_port(&self) -> u16 {
                self.endpoint.port()
            }

            /// How the connection is protected.
            pub fn get_tls_mode(&self) -> $crate::TlsMode {
                self.endpoint.tls_mode
            }

            /// The TLS settings.
            pub fn get_tls_settings(&self) -> &$crate::TlsSettings {
                &self.endpoint.tls
            }

            /// The connect (and TLS handshake) timeout.
            pub fn get_connect_timeout(&self) -> ::std::time::Duration {
                self.endpoint.connect_timeout
            }

            /// The reply timeout set with `command_timeout`, if any.
            pub fn get_command_timeout(&self) -> Option<::std::time::Duration> {
                self.endpoint.command_timeout
            }
        }

        used_by_clients! {
            impl $name {
                /// The shared connection settings.
                pub(crate) fn endpoint(&self) -> &$crate::endpoint::Endpoint {
                    &self.endpoint
                }
            }
        }
    };
}
pub(crate) use endpoint_methods;
