//! UTF-7 and the charset decoders: arbitrary bytes never panic; UTF-7 round-trips text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::charset;

fuzz_target!(|data: &[u8]| {
    let _ = charset::decode_utf7(data);
    let _ = charset::decode("iso-2022-jp", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let (back, malformed) = charset::decode_utf7(charset::encode_utf7(text).as_bytes());
        assert!(!malformed);
        assert_eq!(back, text);
    }
});
