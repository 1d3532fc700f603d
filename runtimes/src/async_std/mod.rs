//! The async client on async-std (feature `async-std`).
//!
//! ```no_run
//! use mail_kit::async_std::SmtpClient;
//! use mail_kit::smtp::{Address, Envelope};
//! use mail_kit::{Credentials, SmtpOptions};
//!
//! async_std::task::block_on(async {
//!     let options = SmtpOptions::from_url("smtp://mail.example.org")?;
//!     let mut client = SmtpClient::connect(&options).await?;
//!     client.authenticate(Credentials::password("alice", "secret")).await?;
//!     let envelope = Envelope::new(
//!         Some(Address::new("alice@example.org")?),
//!         [Address::new("bob@example.org")?],
//!     );
//!     client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n").await?;
//!     client.quit().await?;
//!     Ok::<(), mail_kit::Error>(())
//! })?;
//! # Ok::<(), mail_kit::Error>(())
//! ```

mod runtime;

pub use crate::futures_io::{ConnectFuture, FuturesStream, RustlsConnector, TlsConnector};
pub use runtime::AsyncStd;

/// The SMTP client on async-std.
pub type SmtpClient = crate::smtp::AsyncSmtpClient<AsyncStd>;

/// The POP3 client on async-std.
pub type Pop3Client = crate::pop3::AsyncPop3Client<AsyncStd>;
