use super::*;
use quickcheck::{TestResult, quickcheck};

fn text(input: &str) -> String {
    let d = decode(input.as_bytes());
    assert!(d.defects.is_empty(), "{input:?}: {:?}", d.defects);
    d.text.into_owned()
}

/// Undoes folding the way a header parser would.
fn unfold(s: &str) -> String {
    s.replace("\r\n", "")
}

#[test]
fn rfc2047_section8_examples() {
    assert_eq!(
        text("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
        "Keith Moore <moore@cs.utk.edu>"
    );
    assert_eq!(
        text("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
        "Keld Jørn Simonsen <keld@dkuug.dk>"
    );
    assert_eq!(
        text("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
        "André Pirard <PIRARD@vm1.ulg.ac.be>"
    );
    assert_eq!(
        text(
            "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
        ),
        "If you can read this you understand the example."
    );
    assert_eq!(
        text(
            "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"
        ),
        "Nathaniel Borenstein <nsb@thumper.bellcore.com> (םולש ןב ילטפנ)"
    );
    for (encoded, decoded) in [
        ("(=?ISO-8859-1?Q?a?=)", "(a)"),
        ("(=?ISO-8859-1?Q?a?= b)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"),
    ] {
        assert_eq!(text(encoded), decoded, "{encoded}");
    }
}

#[test]
fn rfc2231_language_suffix_ignored() {
    assert_eq!(text("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

#[test]
fn lenient_decoding() {
    // Inside a quoted string, lower-case encoding letters.
    assert_eq!(text("\"=?utf-8?b?w6k=?=\" <a@b>"), "\"é\" <a@b>");
    // A UTF-8 character split across two words.
    assert_eq!(text("=?utf-8?q?caf=C3?= =?UTF-8?Q?=A9?="), "café");
    assert_eq!(text("=?utf-8?b?w6nD?= =?utf-8?b?qQ==?="), "éé");
    // Missing padding.
    assert_eq!(text("=?utf-8?b?w6k?="), "é");
    // Malformed words stay literal; plain `=?` in text is left alone quietly.
    let d = decode(b"=?utf-8?x?abc?= and =?utf-8?b?!!!?=");
    assert_eq!(d.text, "=?utf-8?x?abc?= and =?utf-8?b?!!!?=");
    assert!(d.defects.contains(&Rfc2047Defect::MalformedWord));
    assert_eq!(text("http://x/?a=?b"), "http://x/?a=?b");
    // Unknown charset: text plus a defect.
    let d = decode(b"=?x-evil?q?hi?=");
    assert_eq!(d.text, "hi");
    assert!(matches!(
        &d.defects[..],
        [Rfc2047Defect::Charset(CharsetDefect::UnknownCharset { .. })]
    ));
    // Raw 8-bit text outside words.
    assert_eq!(decode(b"caf\xe9").text, "café");
    assert_eq!(text("=?utf-7?q?Hi_Mom_-+Jjo--!?="), "Hi Mom -\u{263A}-!");
}

#[test]
fn plain_values_are_borrowed() {
    let plain = decode(b"value 42 caf\xc3\xa9");
    assert!(matches!(plain.text, Cow::Borrowed("value 42 café")));
    // Anything to undo makes a new string: a fold, a word, bytes that are not UTF-8.
    assert!(matches!(decode(b"a\r\n b").text, Cow::Owned(t) if t == "a b"));
    assert!(matches!(decode(b"=?utf-8?q?x?=").text, Cow::Owned(t) if t == "x"));
    assert!(matches!(decode(b"caf\xe9").text, Cow::Owned(t) if t == "café"));
    // The length limit still holds.
    let d = decode_with(
        b"abcdef",
        &DecodeOptions {
            max_decoded_len: 4,
            ..DecodeOptions::default()
        },
    );
    assert_eq!(d.text, "abcd");
    assert_eq!(d.defects, [Rfc2047Defect::DecodedTooLong { limit: 4 }]);
}

#[test]
fn control_characters_flagged() {
    let d = decode(b"=?UTF-8?B?SGkNCkJjYzogZXZpbEBldmlsLmV4YW1wbGU=?=");
    assert_eq!(d.text, "Hi\r\nBcc: evil@evil.example");
    assert!(d.has_control);
    assert_eq!(d.defects, vec![Rfc2047Defect::ControlCharacter]);
    assert!(decode(b"=?utf-8?q?a=00b?=").has_control);
    assert!(!decode(b"=?utf-8?q?a=09b?=").has_control);
    // Re-encoding never writes the raw CR/LF.
    let enc = encode(&d.text);
    assert!(!enc.contains('\r') && !enc.contains('\n'), "{enc}");
    assert_eq!(decode(enc.as_bytes()).text, d.text);
}

#[test]
fn encode_examples() {
    assert_eq!(encode("Hello world"), "Hello world");
    assert_eq!(encode(""), "");
    assert_eq!(encode("Café au lait"), "=?utf-8?b?Q2Fmw6k=?= au lait");
    assert_eq!(
        encode("Caféterias au lait"),
        "=?utf-8?q?Caf=C3=A9terias?= au lait"
    );
    assert_eq!(encode("日本語"), "=?utf-8?b?5pel5pys6Kqe?=");
    assert_eq!(encode("über öl"), "=?utf-8?b?w7xiZXIgw7Zs?=");
    assert_eq!(encode("Zürich Airport"), "=?utf-8?q?Z=C3=BCrich?= Airport");
    assert_eq!(encode("a =?x?q?y?= b"), "a =?utf-8?b?PT94P3E/eT89?= b");
    assert_eq!(encode(" lead"), "=?utf-8?q?_lead?=");
    let long = "word ".repeat(40);
    let enc = encode_with(
        long.trim_end(),
        &EncodeOptions {
            first_line_offset: 9,
            ..Default::default()
        },
    );
    assert!(!enc.contains("=?"));
    assert!(enc.split("\r\n").next().is_some_and(|l| l.len() + 9 <= 78));
    assert!(enc.split("\r\n").all(|l| l.len() <= 78));
    assert_eq!(unfold(&enc), long.trim_end());
}

#[test]
fn encode_awkward_inputs() {
    let spaces = format!("a{}b\t\tc ", " ".repeat(100));
    let long_word = "x".repeat(300);
    let mixed = format!(
        "{} {} é {}",
        "日本".repeat(50),
        long_word,
        "word ".repeat(30)
    );
    for s in [
        spaces.as_str(),
        long_word.as_str(),
        mixed.as_str(),
        "\r\n",
        "  ",
        "a\r\n b",
    ] {
        let enc = encode_with(
            s,
            &EncodeOptions {
                first_line_offset: 9,
                ..Default::default()
            },
        );
        assert!(max_line(&enc) <= 78, "{enc}");
        assert!(
            enc.split("\r\n")
                .skip(1)
                .all(|l| l.starts_with([' ', '\t'])),
            "{enc}"
        );
        assert_eq!(decode(unfold(&enc).as_bytes()).text, s);
    }
}

#[test]
fn word_bomb_hits_caps_in_linear_time() {
    let bomb = "=?utf-8?q?a?= ".repeat(200_000);
    let d = decode(bomb.as_bytes());
    assert!(
        d.text
            .starts_with(&format!("{} =?utf-8?q?a?= ", "a".repeat(100_000)))
    );
    assert_eq!(d.text.len(), 1 << 20);
    assert!(
        d.defects
            .contains(&Rfc2047Defect::TooManyWords { limit: 100_000 })
    );
    assert!(
        d.defects
            .contains(&Rfc2047Defect::DecodedTooLong { limit: 1 << 20 })
    );
    let d = decode_with(
        bomb.as_bytes(),
        &DecodeOptions {
            max_words: usize::MAX,
            max_decoded_len: 1000,
            ..Default::default()
        },
    );
    assert!(d.text == "a".repeat(1000));
    assert!(
        d.defects
            .contains(&Rfc2047Defect::DecodedTooLong { limit: 1000 })
    );
    let d = decode_with(
        bomb.as_bytes(),
        &DecodeOptions {
            max_words: usize::MAX,
            ..Default::default()
        },
    );
    assert!(d.text == format!("{} ", "a".repeat(200_000)));
    // Unknown charsets and malformed prefixes in bulk: defects capped.
    let input = "=?x-evil?q?a?= =?".repeat(100_000);
    let d = decode(input.as_bytes());
    assert!(d.defects.len() <= 64 && d.dropped_defects > 0);
    decode("=?=?=?".repeat(100_000).as_bytes());
    decode("=?a?q?".repeat(100_000).as_bytes());
}

fn max_line(s: &str) -> usize {
    s.split("\r\n").map(str::len).max().unwrap_or(0)
}

quickcheck! {
    fn round_trip(s: String) -> bool {
        let enc = encode(&s);
        decode(unfold(&enc).as_bytes()).text == s
    }

    fn round_trip_with_offset(s: String, offset: u8) -> bool {
        let offset = usize::from(offset % 30);
        let enc = encode_with(&s, &EncodeOptions { first_line_offset: offset, ..Default::default() });
        decode(unfold(&enc).as_bytes()).text == s
    }

    fn encoded_is_clean_and_folded(s: String) -> TestResult {
        let enc = encode_with(&s, &EncodeOptions { first_line_offset: 9, ..Default::default() });
        let lines: Vec<&str> = enc.split("\r\n").collect();
        let clean = lines.iter().all(|l| !l.contains(['\r', '\n']));
        let folds_ok = lines.iter().skip(1).all(|l| l.starts_with([' ', '\t']));
        let first_ok = lines[0].len() + 9 <= 78;
        let rest_ok = lines.iter().skip(1).all(|l| l.len() <= 78);
        let words_ok = enc.split([' ', '\t', '\r', '\n']).filter(|w| w.starts_with("=?")).all(|w| w.len() <= 75);
        TestResult::from_bool(clean && folds_ok && first_ok && rest_ok && words_ok && max_line(&enc) <= 998)
    }

    fn decode_never_panics(b: Vec<u8>) -> bool {
        decode_with(&b, &DecodeOptions { max_decoded_len: 50, max_words: 3, max_defects: 2 });
        decode(&b);
        true
    }

    fn decode_word_soup_never_panics(parts: Vec<(u8, String)>) -> bool {
        let pieces = ["=?", "?=", "?q?", "?B?", "utf-8", " ", "=C3", "=A9", "w6k=", "\r\n ", "*en"];
        let mut s = String::new();
        for (k, t) in parts {
            s.push_str(pieces[usize::from(k) % pieces.len()]);
            if k > 200 { s.push_str(&t); }
        }
        decode(s.as_bytes());
        true
    }
}
