//! Message ids and `Received`: parsing arbitrary bytes never panics; parsed ids written back
//! parse to the same ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::{msg_id, received};

fuzz_target!(|data: &[u8]| {
    let parsed = msg_id::parse_list(data);
    let written = msg_id::format_list(&parsed.ids);
    assert!(!written.contains(['\r', '\n', '\0']));
    assert_eq!(msg_id::parse_list(written.as_bytes()).ids, parsed.ids);
    let _ = received::parse(data);
});
