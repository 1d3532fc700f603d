//! Address lists: parsing arbitrary bytes never panics, and writing what was parsed back out
//! never produces a CR or LF (no header injection through a round trip).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::address;

fuzz_target!(|data: &[u8]| {
    let parsed = address::parse_address_list(data);
    let written = parsed.addresses.to_header_string();
    assert!(!written.contains(['\r', '\n']), "{written:?}");
});
