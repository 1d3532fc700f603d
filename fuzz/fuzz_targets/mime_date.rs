//! Dates: strict and lenient parsing of arbitrary bytes never panics, and whatever the lenient
//! parser accepts formats to a date the strict parser reads back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::date;

fuzz_target!(|data: &[u8]| {
    let _ = date::parse(data);
    if let Some((parsed, _defects)) = date::parse_lenient(data) {
        let again = date::parse(parsed.to_rfc5322().as_bytes()).expect("formatted date parses");
        assert_eq!(again, parsed);
    }
});
