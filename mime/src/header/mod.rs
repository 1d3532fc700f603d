//! Header fields: `Content-Type` and `Content-Disposition`, RFC 2047 encoded words, RFC 2231
//! parameters, addresses, dates, message identifiers, `Received` traces, and writing fields
//! safely (folding, injection checks).

pub mod address;
pub mod content_disposition;
pub mod content_type;
pub mod date;
pub mod encoded_word;
mod lex;
pub mod msg_id;
pub mod received;
pub mod rfc2231;
pub mod write;

pub use content_disposition::ContentDisposition;
pub use content_type::ContentType;
