//! uuencode: the decoder on arbitrary bytes never panics, and encoded data decodes back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::encoding::uuencode;

fuzz_target!(|data: &[u8]| {
    let _ = uuencode::decode(data);
    let round = uuencode::decode(&uuencode::encode("file.bin", 0o644, data));
    assert_eq!(round.bytes, data);
});
