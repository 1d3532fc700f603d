//! SMTP: the async client generic over the runtime, and the types its methods take and
//! return (re-exported from [`mail_kit_core::smtp`]).
//!
//! Pick a runtime's client: [`tokio::SmtpClient`](crate::tokio::SmtpClient),
//! [`smol::SmtpClient`](crate::smol::SmtpClient),
//! [`async_std::SmtpClient`](crate::async_std::SmtpClient) or
//! [`blocking::SmtpClient`](crate::blocking::SmtpClient).

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod async_client;
#[cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]
pub(crate) mod batch;
#[cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]
pub(crate) mod inbox;
#[cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]
pub(crate) mod setup;

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub use async_client::AsyncSmtpClient;
#[cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]
pub(crate) use inbox::Inbox;
pub use mail_kit_core::smtp::{
    Address, Auth, Capabilities, ClientName, Envelope, Recipient, RecipientResult, Reply,
    SendReport, Stage, Transaction,
};
