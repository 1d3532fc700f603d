//! yEnc: the decoder on arbitrary bytes never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::encoding::yenc;

fuzz_target!(|data: &[u8]| {
    let _ = yenc::decode(data);
});
