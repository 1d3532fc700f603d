//! Email clients in the spirit of .NET's MailKit: SMTP and POP3 today (IMAP to come), on
//! tokio, smol, async-std or plain blocking `std`, with TLS by rustls.
//!
//! The protocol logic lives in [`mail_kit_core`] (re-exported as [`core`]) as sans-IO state
//! machines; this crate adds the drivers that move their bytes over sockets, TLS, URLs and
//! options, and a typed API: `connect`, `authenticate`, `send`, `quit` for SMTP; `connect`,
//! `authenticate`, `stat`, `list`, `uidl`, `retrieve` (streaming), `retrieve_many`
//! (pipelined), `top`, `delete`, `quit` for POP3 ([`pop3`]).
//!
//! # Features
//!
//! | feature | gives |
//! |---|---|
//! | `blocking` (default) | [`blocking::SmtpClient`], [`blocking::Pop3Client`] over `std::net` |
//! | `tokio` | [`tokio::SmtpClient`], [`tokio::Pop3Client`] (tokio-rustls) |
//! | `smol` | [`smol::SmtpClient`], [`smol::Pop3Client`] (futures-rustls) |
//! | `async-std` | [`async_std::SmtpClient`], [`async_std::Pop3Client`] (futures-rustls) |
//! | `transcript` | `mail-kit-core`'s transcripts and protocol logger |
//! | `cli` | the `mailkit` command-line tool |
//!
//! The runtime features are additive: all of them can be on at once.
//!
//! # Example
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn main() -> Result<(), mail_kit::Error> {
//! use mail_kit::blocking::SmtpClient;
//! use mail_kit::smtp::{Address, Envelope};
//! use mail_kit::{Credentials, SmtpOptions};
//!
//! // smtp:// = STARTTLS required (port 587); smtps:// = implicit TLS (port 465).
//! let options = SmtpOptions::from_url("smtp://mail.example.org")?;
//! let mut client = SmtpClient::connect(&options)?;
//! client.authenticate(Credentials::password("alice", "secret"))?;
//! let envelope = Envelope::new(
//!     Some(Address::new("alice@example.org")?),
//!     [Address::new("bob@example.org")?],
//! );
//! let report = client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n")?;
//! assert!(report.is_accepted());
//! client.quit()?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "blocking"))]
//! # fn main() {}
//! ```
//!
//! # Errors
//!
//! Every method returns [`Error`]. A TLS failure is [`Error::Tls`] with a [`TlsError`] that
//! tells a rejected certificate ([`CertificateProblem`]) from other handshake failures; a
//! server refusal is a typed variant ([`Error::AuthenticationFailed`],
//! [`Error::NotAccepted`], [`Error::Refused`]); no error ever shows a credential.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The docs link every runtime's client; the links resolve when all runtimes are built (docs.rs
// builds with all features).
#![cfg_attr(
    not(all(
        feature = "blocking",
        feature = "tokio",
        feature = "smol",
        feature = "async-std"
    )),
    allow(rustdoc::broken_intra_doc_links)
)]

/// Compiles the items only when at least one runtime feature is on.
macro_rules! with_any_runtime {
    ($($item:item)*) => {
        $(
            #[cfg(any(
                feature = "blocking",
                feature = "tokio",
                feature = "smol",
                feature = "async-std"
            ))]
            $item
        )*
    };
}

/// Items only the clients use: without a runtime feature there is no client, so they may go
/// unused then.
macro_rules! used_by_clients {
    ($($item:item)*) => {
        $(
            #[cfg_attr(
                not(any(
                    feature = "blocking",
                    feature = "tokio",
                    feature = "smol",
                    feature = "async-std"
                )),
                allow(dead_code)
            )]
            $item
        )*
    };
}

/// Compiles the items only when at least one async runtime feature is on.
macro_rules! with_async_runtime {
    ($($item:item)*) => {
        $( #[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))] $item )*
    };
}

with_async_runtime! {
    mod async_runtime;
}
with_any_runtime! {
    mod driver;
}
mod endpoint;
mod error;
mod options;
pub mod pop3;
pub mod runtime;
pub mod smtp;
pub mod tls;
mod url;

#[cfg(feature = "async-std")]
pub mod async_std;
#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(any(feature = "smol", feature = "async-std"))]
pub mod futures_io;
#[cfg(feature = "smol")]
pub mod smol;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use error::{Error, Result};
pub use mail_kit_core as core;
pub use mail_kit_core::sasl::Credentials;
pub use mail_kit_mime as mime;
pub use options::{SUBMISSION_PORT, SUBMISSIONS_PORT, SmtpOptions, TlsMode};
pub use pop3::Pop3Options;
pub use tls::{CertificateProblem, Roots, TlsError, TlsSettings};
