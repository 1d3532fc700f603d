//! SMTP client (RFC 5321 with its extensions) as a sans-IO [`Machine`](crate::Machine).
//!
//! [`SmtpClient`] reads the greeting, says EHLO (falling back to HELO only when TLS is not
//! required), upgrades with STARTTLS according to the [`TlsPolicy`](crate::TlsPolicy), and then
//! reports [`Event::Ready`]. From then on the application enqueues [`Command`]s: authenticate,
//! send transactions (pipelined when the server allows), NOOP, VRFY, EXPN, RSET, QUIT.

mod address;
mod auth;
mod capabilities;
mod client;
mod command;
mod config;
mod data;
mod encode;
mod event;
mod params;
mod reply;
mod transaction;

pub use address::{Address, ClientName};
pub use capabilities::Capabilities;
pub use client::SmtpClient;
pub use command::{Auth, Command, Envelope, Recipient, Transaction};
pub use config::{SmtpConfig, SmtpLimits, SmtpTimeouts};
pub use data::DataEncoder;
pub use event::{Event, RecipientResult, SendReport, Stage};
pub use params::{BodyType, DsnReturn, MailParameters, Notify, RcptParameters};
pub use reply::{EnhancedStatus, Reply, ReplyParser};
