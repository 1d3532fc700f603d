//! The blocking SMTP client over `std::net` (feature `blocking`, on by default).
//!
//! ```no_run
//! use mail_kit::blocking::SmtpClient;
//! use mail_kit::smtp::{Address, Envelope};
//! use mail_kit::{Credentials, SmtpOptions};
//!
//! let options = SmtpOptions::from_url("smtp://mail.example.org")?;
//! let mut client = SmtpClient::connect(&options)?;
//! client.authenticate(Credentials::password("alice", "secret"))?;
//! let envelope = Envelope::new(
//!     Some(Address::new("alice@example.org")?),
//!     [Address::new("bob@example.org")?],
//! );
//! let report = client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n")?;
//! println!("accepted: {:?}", report.last);
//! client.quit()?;
//! # Ok::<(), mail_kit::Error>(())
//! ```

mod connect;
mod pop3_client;
mod smtp_client;
mod tls;

pub(crate) use connect::connect_tcp;

pub use pop3_client::Pop3Client;
pub use smtp_client::SmtpClient;
pub use tls::{ReadWrite, RustlsConnector, TlsConnector};
