//! Base64: the lenient decoder on arbitrary bytes never panics, and what the encoder writes
//! decodes back to the input without a defect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::encoding::base64;

fuzz_target!(|data: &[u8]| {
    let _ = base64::decode(data);
    let round = base64::decode(&base64::encode(data));
    assert!(!round.defect);
    assert_eq!(round.bytes, data);
});
