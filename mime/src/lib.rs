//! MIME messages for mail-kit: parsing, building and serialization.
//!
//! So far: the transfer encodings ([`encoding`]) and the header encodings of RFC 2047 and
//! RFC 2231 ([`header`]), with the charsets they need ([`charset`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod charset;
pub mod encoding;
pub mod header;
