//! The async client on tokio (feature `tokio`).
//!
//! ```no_run
//! use mail_kit::tokio::SmtpClient;
//! use mail_kit::smtp::{Address, Envelope};
//! use mail_kit::{Credentials, SmtpOptions};
//!
//! # async fn demo() -> Result<(), mail_kit::Error> {
//! let options = SmtpOptions::from_url("smtp://mail.example.org")?;
//! let mut client = SmtpClient::connect(&options).await?;
//! client.authenticate(Credentials::password("alice", "secret")).await?;
//! let envelope = Envelope::new(
//!     Some(Address::new("alice@example.org")?),
//!     [Address::new("bob@example.org")?],
//! );
//! client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n").await?;
//! client.quit().await?;
//! # Ok(())
//! # }
//! ```

mod runtime;
mod stream;
mod tls;

pub use runtime::Tokio;
pub use stream::{TokioIo, TokioStream};
pub use tls::{ConnectFuture, RustlsConnector, TlsConnector};

/// The SMTP client on tokio.
pub type SmtpClient = crate::smtp::AsyncSmtpClient<Tokio>;

/// The POP3 client on tokio.
pub type Pop3Client = crate::pop3::AsyncPop3Client<Tokio>;
