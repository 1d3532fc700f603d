//! Quoted-printable: the lenient decoder on arbitrary bytes never panics, and what the encoder
//! writes decodes back to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::encoding::quoted_printable;

fuzz_target!(|data: &[u8]| {
    let _ = quoted_printable::decode(data);
    let round = quoted_printable::decode(&quoted_printable::encode(data));
    assert_eq!(round.bytes, data);
});
