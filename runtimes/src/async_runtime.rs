//! The shape the crate's [`Runtime`](crate::runtime::Runtime)s share: a value holding the TLS
//! connector, TCP connect with `TCP_NODELAY`, and `start_tls` through the connector.

/// Defines the runtime type `$name` (with `new` and `Debug`) and implements `Runtime` for it:
/// TCP from `$tcp::connect`, wrapped in `$stream` (which has `new`, `into_inner` and
/// `from_boxed`), timers from `sleep_until`, TLS through `$connector` (the runtime module's
/// `TlsConnector` trait, with `RustlsConnector` by default).
macro_rules! async_runtime {
    (
        $(#[$doc:meta])*
        $name:ident {
            connector: $connector:path,
            rustls: $rustls:path,
            tcp: $tcp:path,
            stream: $stream:ident,
            sleep: $sleep:ty,
        }
        fn sleep_until(&$self_:ident, $deadline:ident: Instant) -> Self::Sleep $sleep_until:block
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            tls: ::std::sync::Arc<dyn $connector>,
        }

        impl $name {
            /// The runtime with a custom TLS connector.
            pub fn new(tls: ::std::sync::Arc<dyn $connector>) -> Self {
                $name { tls }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl $crate::runtime::Runtime for $name {
            type Stream = $stream;
            type Sleep = $sleep;

            fn with_tls_settings(settings: &$crate::tls::TlsSettings) -> Self {
                $name::new(::std::sync::Arc::new(<$rustls>::new(settings.clone())))
            }

            async fn connect(
                &self,
                host: &str,
                port: u16,
            ) -> ::std::io::Result<(Self::Stream, Option<::std::net::SocketAddr>)> {
                let tcp = <$tcp>::connect((host, port)).await?;
                tcp.set_nodelay(true)?;
                let local = tcp.local_addr().ok();
                Ok(($stream::new(tcp), local))
            }

            fn sleep_until(&$self_, $deadline: ::std::time::Instant) -> Self::Sleep $sleep_until

            fn start_tls(
                &self,
                host: &str,
                stream: Self::Stream,
            ) -> impl ::std::future::Future<
                Output = Result<(Self::Stream, ::mail_kit_core::TlsInfo), $crate::tls::TlsError>,
            > + Send {
                let tls = ::std::sync::Arc::clone(&self.tls);
                let host = host.to_owned();
                async move {
                    let (stream, info) = tls.connect(&host, stream.into_inner()).await?;
                    Ok(($stream::from_boxed(stream), info))
                }
            }
        }
    };
}
pub(crate) use async_runtime;
