//! MIME messages for mail-kit: parsing, building and serialization (work in progress).
#![forbid(unsafe_code)]
