//! The transcript parser on arbitrary text: no panic, and what parses prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_core::transcript::Transcript;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = Transcript::parse(text) {
        let again = Transcript::parse(&t.to_string()).expect("printed transcript parses");
        assert_eq!(t, again);
    }
});
