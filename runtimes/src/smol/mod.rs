//! The async client on smol (feature `smol`).
//!
//! ```no_run
//! use mail_kit::smol::SmtpClient;
//! use mail_kit::smtp::{Address, Envelope};
//! use mail_kit::{Credentials, SmtpOptions};
//!
//! smol::block_on(async {
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
pub use runtime::Smol;

/// The SMTP client on smol.
pub type SmtpClient = crate::smtp::AsyncSmtpClient<Smol>;

/// The POP3 client on smol.
pub type Pop3Client = crate::pop3::AsyncPop3Client<Smol>;
