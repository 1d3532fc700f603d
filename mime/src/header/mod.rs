//! Header fields: RFC 2047 encoded words, RFC 2231 parameters, addresses and dates.

pub mod address;
pub mod date;
pub mod encoded_word;
pub mod rfc2231;
