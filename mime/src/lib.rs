//! MIME messages for mail-kit: parsing, building and serialization.
//!
//! - [`model`]: the message tree ([`Message`], [`Entity`], [`HeaderList`], [`Body`]) and
//!   byte-identical writing of what was parsed.
//! - [`parser`]: the whole-buffer zero-copy parser ([`parse`]) and the streaming one
//!   ([`parser::StreamParser`]), lenient, with [`Limits`] and [`Defect`]s.
//! - [`mbox`]: mbox files (mboxo/mboxrd), whole-buffer and streaming.
//! - [`builder`]: building messages (text, HTML, inline resources, attachments, reply and
//!   forward), written canonically with folded, injection-safe headers; [`guess`]: content
//!   types from file names.
//! - [`partial`]: `message/partial` split and join (RFC 2046 §5.2.2).
//! - [`report`]: delivery-status (RFC 3464) and disposition-notification (RFC 8098) reports.
//! - [`submission`]: a message's SMTP envelope, and its bytes as a given server can take them.
//! - [`encoding`]: the transfer encodings; [`header`]: `Content-Type`, `Content-Disposition`,
//!   RFC 2047 encoded words, RFC 2231 parameters, address lists and dates; [`charset`]: the
//!   charsets they need.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod builder;
pub mod charset;
mod defect;
pub mod encoding;
pub mod guess;
pub mod header;
mod limits;
pub mod mbox;
pub mod model;
pub mod parser;
pub mod partial;
pub mod report;
pub mod submission;

pub use defect::Defect;
pub use limits::Limits;
pub use model::{Body, BodyData, Entity, Header, HeaderList, Message};
pub use parser::{parse, parse_headers, parse_headers_with, parse_with};
