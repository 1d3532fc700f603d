use super::*;
use crate::header::encoded_word;
use quickcheck::{Arbitrary, Gen, QuickCheck};

/// Checks the folding rules on a written field and returns its unfolded value.
fn check_field(field: &[u8], name: &str) -> String {
    let s = std::str::from_utf8(field).unwrap();
    let body = s.strip_suffix("\r\n").expect("ends in CRLF");
    for (k, line) in body.split("\r\n").enumerate() {
        assert!(!line.contains(['\r', '\n']), "bare CR/LF in {s:?}");
        assert!(line.len() <= MAX_LINE, "line over 998 in {s:?}");
        if k > 0 {
            assert!(line.starts_with([' ', '\t']), "bad fold in {s:?}");
            assert!(!line.trim().is_empty(), "white-space-only line in {s:?}");
        }
    }
    let value = body.replace("\r\n", "");
    value
        .strip_prefix(&format!("{name}:"))
        .unwrap()
        .trim_start()
        .to_owned()
}

fn unstructured(name: &str, text: &str) -> Vec<u8> {
    format!("{name}: {}\r\n", encode_unstructured(name, text).unwrap()).into_bytes()
}

fn structured(name: &str, value: &str) -> Result<Vec<u8>, HeaderError> {
    fold_structured(name, value).map(|v| format!("{name}: {v}\r\n").into_bytes())
}

#[test]
fn names_are_checked() {
    for bad in ["", "Bad Name", "X:Y", "X\r\nY", "Ünicode", &"X".repeat(77)] {
        assert!(matches!(check_name(bad), Err(HeaderError::InvalidName(_))));
        assert!(fold_structured(bad, "v").is_err());
        assert!(encode_unstructured(bad, "v").is_err());
    }
    check_name("X-Custom-Header_1").unwrap();
}

#[test]
fn subject_injection_is_encoded() {
    let out = unstructured("Subject", "Hi\r\nBcc: attacker@evil.example");
    let value = check_field(&out, "Subject");
    assert!(!value.contains("\nBcc"), "{value}");
    assert_eq!(
        encoded_word::decode(value.as_bytes()).text,
        "Hi\r\nBcc: attacker@evil.example"
    );
    let out = unstructured("X-Note", "line one\nline two\r");
    let value = check_field(&out, "X-Note");
    assert_eq!(
        encoded_word::decode(value.as_bytes()).text,
        "line one\nline two\r"
    );
}

#[test]
fn structured_injection_is_rejected() {
    for bad in [
        "a@b\r\nBcc: attacker@evil.example",
        "a@b\nBcc: x",
        "a@b\rX",
        "a\0b",
        "a@b\r\n",
        "a\r\n\r\n b",
    ] {
        assert_eq!(
            fold_structured("To", bad),
            Err(HeaderError::ControlCharacter("To".into())),
            "{bad:?}"
        );
        assert!(check_raw_value("To", bad.as_bytes()).is_err(), "{bad:?}");
    }
    // Valid folds are unfolded and the value folded again.
    assert_eq!(
        fold_structured("References", "<a@b>\r\n <c@d>\n\t<e@f>").unwrap(),
        "<a@b> <c@d>\t<e@f>"
    );
    check_raw_value("References", b"<a@b>\r\n <c@d>").unwrap();
    check_raw_value(&"N".repeat(100), b"v").unwrap();
    assert!(check_raw_value("N", &[b'v'; 996]).is_err());
    check_raw_value("N", &[b'v'; 995]).unwrap();
}

#[test]
fn structured_values_fold_at_white_space() {
    let ids: Vec<String> = (0..40)
        .map(|k| format!("<id{k}.12345@example.com>"))
        .collect();
    let out = structured("References", &ids.join(" ")).unwrap();
    let s = std::str::from_utf8(&out).unwrap();
    assert!(s.lines().all(|l| l.len() <= FOLD_AT), "{s}");
    assert_eq!(check_field(&out, "References"), ids.join(" "));
    // An unbreakable run of 997 fits (with the name on its own, as the fold allows)...
    let out = structured("X", &format!("a {}", "b".repeat(996))).unwrap();
    check_field(&out, "X");
    // ... one longer is refused.
    assert_eq!(
        structured("X", &"b".repeat(996)),
        Err(HeaderError::LineTooLong("X".into()))
    );
    assert_eq!(fold_structured("X", "  ").unwrap(), "");
}

#[test]
fn unstructured_plain_ascii_stays_readable() {
    let out = unstructured("Subject", "Hello world");
    assert_eq!(out, b"Subject: Hello world\r\n");
    let long = "word ".repeat(60);
    let out = unstructured("Subject", long.trim_end());
    let s = std::str::from_utf8(&out).unwrap();
    assert!(!s.contains("=?"), "{s}");
    assert!(s.split("\r\n").all(|l| l.len() <= FOLD_AT), "{s}");
    assert_eq!(check_field(&out, "Subject"), long.trim_end());
    // A 5,000-character word has no white space to fold at: it is encoded in pieces.
    let word = "x".repeat(5_000);
    let out = unstructured("Subject", &word);
    let value = check_field(&out, "Subject");
    assert_eq!(encoded_word::decode(value.as_bytes()).text, word);
    let s = std::str::from_utf8(&out).unwrap();
    assert!(s.split("\r\n").all(|l| l.len() <= FOLD_AT), "{s}");
}

/// Unicode text with astral characters, controls and long runs.
#[derive(Debug, Clone)]
struct Text(String);

impl Arbitrary for Text {
    fn arbitrary(g: &mut Gen) -> Self {
        const PIECES: &[&str] = &[
            " ",
            "  ",
            "\t",
            "a",
            "word",
            "é",
            "日本語",
            "😀",
            "𝄞",
            "\r\n",
            "\n",
            "=?",
            "?=",
            "_",
            "\"",
            "(",
            ")",
            ",",
            ";",
            "x",
        ];
        let n = usize::arbitrary(g) % 400;
        let mut s = String::new();
        for _ in 0..n {
            if bool::arbitrary(g) {
                s.push_str(g.choose(PIECES).unwrap());
            } else {
                s.push(char::arbitrary(g));
            }
        }
        if bool::arbitrary(g) {
            s.push_str(&"y".repeat(usize::arbitrary(g) % 1_500));
        }
        Text(s)
    }
}

#[test]
fn quickcheck_rfc2047_round_trip_and_line_lengths() {
    fn prop(text: Text, name_len: u8) -> bool {
        let name = "X".repeat(1 + usize::from(name_len) % 30);
        let out = unstructured(&name, &text.0);
        let value = check_field(&out, &name);
        let s = std::str::from_utf8(&out).unwrap();
        let first_line_budget = FOLD_AT.max(name.len() + 2 + 69);
        let folded_ok = s
            .split("\r\n")
            .enumerate()
            .all(|(k, l)| l.len() <= if k == 0 { first_line_budget } else { FOLD_AT });
        let words_ok = s
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| w.starts_with("=?"))
            .all(|w| w.len() <= 75);
        encoded_word::decode(value.as_bytes()).text == text.0 && folded_ok && words_ok
    }
    QuickCheck::new()
        .tests(300)
        .quickcheck(prop as fn(Text, u8) -> bool);
}

#[test]
fn quickcheck_structured_never_injects() {
    fn prop(text: Text) -> bool {
        match structured("X-Test", &text.0) {
            Ok(out) => {
                check_field(&out, "X-Test");
                check_raw_value("X-Test", &out[8..out.len() - 2]).is_ok()
            }
            Err(_) => true,
        }
    }
    QuickCheck::new()
        .tests(300)
        .quickcheck(prop as fn(Text) -> bool);
}

#[test]
fn leading_bom_survives_encoding() {
    let out = unstructured("Subject", "\u{feff}A");
    let value = check_field(&out, "Subject");
    assert_eq!(encoded_word::decode(value.as_bytes()).text, "\u{feff}A");
}
