use super::*;
use quickcheck::quickcheck;

fn ids(input: &str) -> Vec<String> {
    parse_list(input.as_bytes())
        .ids
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .collect()
}

#[test]
fn real_world_references() {
    assert_eq!(
        ids("<31FC7EB4.41C6@netscape.com>\r\n\t<1234@local.machine.example>"),
        ["31FC7EB4.41C6@netscape.com", "1234@local.machine.example"]
    );
    // Outlook writes commas; some mailers no spaces at all.
    assert_eq!(ids("<a@b>,<c@d><e@f>"), ["a@b", "c@d", "e@f"]);
    let parsed = parse_list(b"<a@b>");
    assert!(parsed.defects.is_empty());
}

#[test]
fn obsolete_forms() {
    // RFC 5322 §4.5.4: CFWS inside, quoted local part.
    let parsed = parse_list(b"< a (comment) @ b.example >");
    assert_eq!(parsed.ids[0].as_str(), "a@b.example");
    assert!(parsed.defects.contains(&MessageIdDefect::ObsoleteSpace));
    // Quotes are kept as characters; white space inside them is dropped like any other.
    assert_eq!(
        ids("<\"quoted local\"@example.com>"),
        ["\"quotedlocal\"@example.com"]
    );
    // Old In-Reply-To with a phrase.
    let parsed = parse_list(b"Your message of \"Mon, 1 Jan 2001\" <x@y.example> (comment)");
    assert_eq!(parsed.ids.len(), 1);
    assert_eq!(parsed.ids[0].as_str(), "x@y.example");
    assert!(parsed.defects.contains(&MessageIdDefect::StrayText));
}

#[test]
fn controls_removed_from_ids() {
    // C0 inside brackets after plain bytes, C1 (U+0085) and DEL in a bare id.
    let parsed = parse_list("<ab\x01c@d> x\u{85}y\x7f@z".as_bytes());
    assert_eq!(
        parsed.ids.iter().map(MessageId::as_str).collect::<Vec<_>>(),
        ["abc@d", "xy@z"]
    );
    assert!(parsed.defects.contains(&MessageIdDefect::ObsoleteSpace));
    // Other non-ASCII stays.
    assert_eq!(ids("<caf\u{e9}\u{c2}@x>"), ["caf\u{e9}\u{c2}@x"]);
}

#[test]
fn lenient_recovery() {
    let parsed = parse_list(b"bare@id.example <> <nohost> <unclosed@x");
    assert_eq!(
        parsed.ids.iter().map(MessageId::as_str).collect::<Vec<_>>(),
        ["bare@id.example", "nohost", "unclosed@x"]
    );
    for d in [
        MessageIdDefect::MissingAngleBrackets,
        MessageIdDefect::Empty,
        MessageIdDefect::MissingAt,
        MessageIdDefect::UnclosedAngle,
    ] {
        assert!(parsed.defects.contains(&d), "{d:?}");
    }
    assert_eq!(
        parse(b"  <first@x> <second@y>").unwrap().as_str(),
        "first@x"
    );
    assert_eq!(parse(b"(unclosed <a@b>"), None);
    // Control characters never survive into an identifier.
    assert_eq!(ids("<a\0b@c\r\n\t.d>"), ["ab@c.d"]);
}

#[test]
fn limits() {
    let many = "<a@b> ".repeat(20_000);
    let parsed = parse_list(many.as_bytes());
    assert_eq!(parsed.ids.len(), 10_000);
    assert!(parsed.defects.contains(&MessageIdDefect::TooManyIds));
    let deep = format!("{}<a@b>", "(".repeat(100_000));
    assert!(parse_list(deep.as_bytes()).ids.is_empty());
    let angles = "<".repeat(100_000);
    assert!(parse_list(angles.as_bytes()).ids.is_empty());
}

#[test]
fn building_rejects_injection() {
    assert_eq!(MessageId::new("<a@b>").unwrap().to_header_string(), "<a@b>");
    assert_eq!(MessageId::new("a@b").unwrap().to_string(), "<a@b>");
    for bad in [
        "a@b\r\nBcc: x@y",
        "a b@c",
        "a@b\n",
        "a\0@b",
        "a<@b",
        "<a@b>>",
    ] {
        assert_eq!(
            MessageId::new(bad),
            Err(MessageIdError::InvalidCharacter),
            "{bad:?}"
        );
    }
    for bad in ["", "ab", "@b", "a@"] {
        assert_eq!(MessageId::new(bad), Err(MessageIdError::NotLeftAtRight));
    }
}

#[test]
fn generated_ids_are_unique_and_valid() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let id = MessageId::generate("example.com");
        assert!(id.as_str().ends_with("@example.com"));
        assert_eq!(MessageId::new(id.as_str()).as_ref(), Ok(&id));
        assert!(seen.insert(id));
    }
    assert!(
        MessageId::generate("bad domain\r\n")
            .as_str()
            .ends_with("@localhost")
    );
}

quickcheck! {
    fn format_parse_round_trip(raw: Vec<(String, String)>) -> bool {
        let ids: Vec<MessageId> = raw
            .iter()
            .filter_map(|(l, r)| MessageId::new(&format!("{l}@{r}")).ok())
            .collect();
        parse_list(format_list(&ids).as_bytes()).ids == ids
    }

    fn never_panics(b: Vec<u8>) -> bool {
        let parsed = parse_list(&b);
        parsed.ids.iter().all(|id| !id.as_str().contains(['\r', '\n', '\0']))
    }
}

#[test]
fn parsed_ids_write_back_to_the_same_ids() {
    for input in [
        &b">\0@"[..],
        b"<\"abc",
        b"<\"a\"b\"@c>",
        b"a>b@c",
        b"<\"a b\"@c> x@y",
    ] {
        let parsed = parse_list(input);
        let again = parse_list(format_list(&parsed.ids).as_bytes());
        assert_eq!(
            again.ids,
            parsed.ids,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    // Found by the mime_msg_id fuzz target.
    let input = b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00w<3\x00\x00\x00\x06@\xf1\xf1\x88\x96\x5c\x02\x22\xdb@\xf1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00w<3\x00\x00\x00\x06@\xf1\xf1\x88\x96\x5c\x02\x22\xdb@\xf1\xf1\x88\x96\xa5\xf1\x88\x96\xa5\xd7";
    let parsed = parse_list(input);
    assert_eq!(
        parse_list(format_list(&parsed.ids).as_bytes()).ids,
        parsed.ids
    );
}
