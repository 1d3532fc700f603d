//! Header encodings: RFC 2047 encoded words and RFC 2231 parameters.

pub mod encoded_word;
pub mod rfc2231;
