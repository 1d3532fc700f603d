//! SMTP: the async client generic over the runtime, and the types its methods take and
//! return (re-exported from [`mail_kit_core::smtp`]).
//!
//! Pick a runtime's client: [`tokio::SmtpClient`](crate::tokio::SmtpClient),
//! [`smol::SmtpClient`](crate::smol::SmtpClient),
//! [`async_std::SmtpClient`](crate::async_std::SmtpClient) or
//! [`blocking::SmtpClient`](crate::blocking::SmtpClient).

with_async_runtime! {
    mod async_client;
    pub use async_client::AsyncSmtpClient;
}
mod message;
pub use message::transaction_for_message;
with_any_runtime! {
    pub(crate) mod batch;
    pub(crate) mod inbox;
    pub(crate) mod setup;
    pub(crate) use inbox::Inbox;
}
pub use mail_kit_core::smtp::{
    Address, Auth, Capabilities, ClientName, Envelope, Recipient, RecipientResult, Reply,
    SendReport, Stage, Transaction,
};
