//! Shared helpers for mail-kit's cross-crate tests.
#![forbid(unsafe_code)]
