//! TLS with rustls: settings, certificate checks, channel-binding data, typed errors.
//!
//! [`TlsSettings`] describes which certificates to trust and builds one shared
//! [`rustls::ClientConfig`]; every runtime's default TLS connector uses it. Host-name
//! verification is always on (IP addresses are checked as IP server names) unless the loudly
//! named [`TlsSettings::danger_accept_invalid_certs`] turns every check off.

with_any_runtime! {
    mod connector;
}
mod danger;
mod error;
mod info;
mod server_name;
mod settings;

with_any_runtime! {
    pub(crate) use connector::{handshake_end, handshake_start, rustls_connector};
}
pub use error::{BoxError, CertificateProblem, TlsError};
pub use info::tls_info;
pub use server_name::server_name;
pub use settings::{Roots, TlsSettings};
