//! Writing header values from arbitrary text: unstructured values decode back to the text,
//! and no value (unstructured or structured) ever holds a CR or LF outside a fold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::header::{encoded_word, write};

fn check_folds(value: &str) {
    let b = value.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\r' => {
                assert!(b.get(i + 1) == Some(&b'\n') && matches!(b.get(i + 2), Some(b' ' | b'\t')))
            }
            b'\n' => assert!(i > 0 && b[i - 1] == b'\r'),
            0 => panic!("NUL written"),
            _ => {}
        }
    }
    assert!(value.split("\r\n").all(|l| l.len() + 20 <= 998));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let value = write::encode_unstructured("Subject", text).unwrap();
    check_folds(&value);
    assert_eq!(
        encoded_word::decode(value.replace("\r\n", "").as_bytes()).text,
        text
    );
    if let Ok(value) = write::fold_structured("X-Test", text) {
        check_folds(&value);
        write::check_raw_value("X-Test", value.as_bytes()).unwrap();
    }
});
