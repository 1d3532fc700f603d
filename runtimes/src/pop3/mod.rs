//! POP3: the async client generic over the runtime, the options, the [`MessageSink`] that
//! retrieved messages stream into, and the types the methods return (re-exported from
//! [`mail_kit_core::pop3`]).
//!
//! Pick a runtime's client: [`tokio::Pop3Client`](crate::tokio::Pop3Client),
//! [`smol::Pop3Client`](crate::smol::Pop3Client),
//! [`async_std::Pop3Client`](crate::async_std::Pop3Client) or
//! [`blocking::Pop3Client`](crate::blocking::Pop3Client).

mod options;
mod sink;

with_async_runtime! {
    mod async_client;
    pub use async_client::AsyncPop3Client;
}
with_any_runtime! {
    pub(crate) mod batch;
    pub(crate) mod inbox;
    pub(crate) mod setup;
}
pub use mail_kit_core::pop3::{
    Auth, Capabilities, Expire, Greeting, ListEntry, QuitResult, Refusal, RespCode, UidEntry,
};
pub use options::{POP3_PORT, POP3S_PORT, Pop3Options};
pub use sink::MessageSink;
