use super::*;
use quickcheck::quickcheck;

#[test]
fn rfc2231_section3_continuations() {
    let p = parse(b"; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    assert!(p.defects.is_empty(), "{:?}", p.defects);
    assert_eq!(p.get("access-type"), Some("URL"));
    assert_eq!(
        p.get("url"),
        Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
    );
}

#[test]
fn rfc2231_section4_charset_and_language() {
    let p = parse(b"; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    assert!(p.defects.is_empty(), "{:?}", p.defects);
    assert_eq!(p.params[0].value, "This is ***fun***");
    assert_eq!(p.params[0].charset.as_deref(), Some("us-ascii"));
    assert_eq!(p.params[0].language.as_deref(), Some("en-us"));
}

#[test]
fn rfc2231_section4_1_mixed_continuations() {
    let p = parse(
        b"; title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
    );
    assert!(p.defects.is_empty(), "{:?}", p.defects);
    assert_eq!(
        p.get("title"),
        Some("This is even more ***fun*** isn't it!")
    );
    assert_eq!(p.params[0].language.as_deref(), Some("en"));
}

#[test]
fn lenient_parsing() {
    let p = parse(b"; charset=\"utf-8\" (comment); name=\"a \\\"b\\\" c.txt\"; bogus; x = y z ;name*1=2;name*0=1");
    assert_eq!(p.get("charset"), Some("utf-8"));
    assert_eq!(p.get("name"), Some("12"));
    assert_eq!(
        p.params
            .iter()
            .find(|p| !p.rfc2231 && p.name == "name")
            .map(|p| p.value.as_str()),
        Some("a \"b\" c.txt")
    );
    assert_eq!(p.get("x"), Some("y z"));
    assert!(p.defects.contains(&ParameterDefect::Malformed));
    // Outlook's RFC 2047 in a quoted value.
    assert_eq!(
        parse(b"; name=\"=?utf-8?B?w6kudHh0?=\"").get("name"),
        Some("é.txt")
    );
    // Unterminated quote, unknown charset, out-of-order and out-of-range continuations.
    let p = parse(b"; a=\"open");
    assert_eq!(p.get("a"), Some("open"));
    assert_eq!(p.defects, vec![ParameterDefect::UnterminatedQuote]);
    let p = parse(b"; f*=x-evil''caf%E9");
    assert_eq!(p.get("f"), Some("café"));
    assert!(matches!(
        &p.defects[..],
        [ParameterDefect::Charset(
            CharsetDefect::UnknownCharset { .. }
        )]
    ));
    let p = parse(b"; f*99999999999=x; g*1=b; g*0=a; g*0=z");
    assert_eq!(p.get("g"), Some("ab"));
    assert!(
        p.defects
            .contains(&ParameterDefect::BadIndex { name: "f".into() })
    );
    assert!(
        p.defects
            .contains(&ParameterDefect::BrokenContinuation { name: "g".into() })
    );
    let p = parse(b"; f*=noquotes%zz");
    assert_eq!(p.get("f"), Some("noquotes%zz"));
}

#[test]
fn parameter_bomb() {
    let mut bomb = String::new();
    for i in 0..100_000 {
        bomb.push_str(&format!("; p*{i}=a"));
    }
    let p = parse(bomb.as_bytes());
    assert!(
        p.defects
            .contains(&ParameterDefect::TooManyParameters { limit: 1_000 })
    );
    assert_eq!(p.get("p"), Some("a".repeat(1_000).as_str()));
    let p = parse_with(
        bomb.as_bytes(),
        &ParseOptions {
            max_parameters: 200_000,
            ..Default::default()
        },
    );
    assert!(p.defects.is_empty());
    assert_eq!(p.get("p").map(str::len), Some(100_000));
    // Sparse huge indices never allocate by index.
    let p = parse(b"; p*4000000000*=x; p*4294967295=y");
    assert_eq!(p.get("p"), Some("xy"));
    assert!(
        p.defects
            .contains(&ParameterDefect::BrokenContinuation { name: "p".into() })
    );
}

#[test]
fn encode_examples() {
    let o = EncodeOptions::default();
    assert_eq!(
        encode_parameter("charset", "utf-8", &o).unwrap(),
        vec!["charset=utf-8"]
    );
    assert_eq!(
        encode_parameter("name", "a b.txt", &o).unwrap(),
        vec!["name=\"a b.txt\""]
    );
    assert_eq!(
        encode_parameter("name", "é.txt", &o).unwrap(),
        vec!["name*=utf-8''%C3%A9.txt"]
    );
    let outlook = EncodeOptions {
        outlook_rfc2047: true,
        ..Default::default()
    };
    assert_eq!(
        encode_parameter("name", "é.txt", &outlook).unwrap(),
        vec!["name=\"=?utf-8?b?w6kudHh0?=\"", "name*=utf-8''%C3%A9.txt"]
    );
    assert_eq!(
        encode_parameter("n", "=?a?q?b?=", &o).unwrap(),
        vec!["n*=utf-8''%3D%3Fa%3Fq%3Fb%3F%3D"]
    );
    assert_eq!(
        encode_parameter("n", "\\ \0", &outlook).unwrap()[0],
        "n=\"\\\\ =?utf-8?q?=00?=\""
    );
    assert!(encode_parameter("na me", "x", &o).is_err());
    assert!(encode_parameter("", "x", &o).is_err());
    let long = encode_parameter("filename", &"日本語".repeat(20), &o).unwrap();
    assert!(
        long.len() > 1
            && long[0].starts_with("filename*0*=utf-8''")
            && long[1].starts_with("filename*1*=")
    );
    assert!(long.iter().all(|i| i.len() <= 76));
}

fn round_trip(name: &str, value: &str, options: &EncodeOptions) -> bool {
    let items = encode_parameter(name, value, options).unwrap();
    let header = format!("; {}", items.join(";\r\n "));
    if header.contains(['\r', '\n']) && !header.contains(";\r\n ") {
        return false;
    }
    let p = parse(header.as_bytes());
    p.defects.is_empty() && p.get(name) == Some(value) && p.params.iter().all(|p| p.value == value)
}

quickcheck! {
    fn encode_parse_round_trip(value: String) -> bool {
        round_trip("filename", &value, &EncodeOptions::default())
    }

    fn encode_parse_round_trip_outlook(value: String) -> bool {
        round_trip("name", &value, &EncodeOptions { outlook_rfc2047: true, max_item_len: 40 })
    }

    fn parse_never_panics(b: Vec<u8>) -> bool {
        parse_with(&b, &ParseOptions { max_parameters: 5, decode_rfc2047: true });
        true
    }
}
