//! Shared helpers for mail-kit's cross-crate tests.
#![forbid(unsafe_code)]

pub mod corpus;
pub mod live;
pub mod pop3_live;
pub mod scram_server;
pub mod sink;
pub mod smtp_peer;
pub mod transcripts;
