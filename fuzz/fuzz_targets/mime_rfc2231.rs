//! RFC 2231: parsing arbitrary parameter lists never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::rfc2231;

fuzz_target!(|data: &[u8]| {
    let _ = rfc2231::parse(data);
});
