//! MIME messages for mail-kit: parsing, building and serialization.
//!
//! So far: the transfer encodings ([`encoding`]); in [`header`], RFC 2047 encoded words,
//! RFC 2231 parameters, address lists and dates; and the charsets they need ([`charset`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod charset;
pub mod encoding;
pub mod guess;
pub mod header;
