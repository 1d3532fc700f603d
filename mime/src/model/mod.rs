//! The message model: a [`Message`] is a root [`Entity`]; an entity is a [`HeaderList`] and a
//! [`Body`], which is a leaf ([`BodyData`]), a [`Multipart`] of [`Part`]s, or a nested
//! [`Message`].
//!
//! A parsed model keeps every byte of the input as a zero-copy [`bytes::Bytes`] slice: header
//! fields ([`Header::raw`], [`Header::value`]), the blank line after the headers, delimiter
//! lines, preamble, epilogue and leaf bodies. So [`Message::write_to`] writes an unmodified
//! message back byte for byte, and a modified one is written canonically only where it changed
//! (see [`write`](mod@write)).
//!
//! Each entity also records its [`ByteRanges`] in the input and the [`Defect`](crate::Defect)s
//! found in it.
//!
//! ```
//! use bytes::Bytes;
//! let input = Bytes::from_static(
//!     b"Subject: hi\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
//!       --b\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
//!       --b\r\nContent-Type: text/html\r\n\r\n<p>hello</p>\r\n--b--\r\n",
//! );
//! let message = mail_kit_mime::parse(input.clone());
//! assert_eq!(message.text_body().as_deref(), Some("hello"));
//! assert_eq!(message.html_body().as_deref(), Some("<p>hello</p>"));
//! assert_eq!(message.to_bytes().unwrap(), input);
//! ```

mod cached;
mod entity;
mod header_fields;
mod header_list;
mod message;
mod prepare;
mod walk;
pub mod write;

pub use entity::{
    Body, BodyData, ByteRanges, CloseDelimiter, DefaultType, Entity, Multipart, Part,
};
pub use header_list::{Header, HeaderList, HeaderState};
pub use message::Message;
pub use walk::Walk;
