use std::time::{Duration, Instant};

use quickcheck::{QuickCheck, TestResult};

use super::*;

fn mb<'a>(name: Option<&'a str>, local: &'a str, domain: &'a str) -> Mailbox<'a> {
    Mailbox {
        name: name.map(Cow::Borrowed),
        local_part: Cow::Borrowed(local),
        domain: Cow::Borrowed(domain),
        route: Vec::new(),
    }
}

fn parse(s: &str) -> ParsedAddresses<'_> {
    parse_address_list(s.as_bytes())
}

fn mailboxes(s: &str) -> Vec<Mailbox<'_>> {
    parse(s).addresses.mailboxes().cloned().collect()
}

fn clean(s: &str) -> Vec<Address<'_>> {
    let p = parse(s);
    assert_eq!(p.defects, vec![], "defects for {s:?}");
    p.addresses.0
}

// RFC 5322 Appendix A.1.2.
#[test]
fn a_1_2_different_types_of_mailboxes() {
    assert_eq!(
        clean("\"Joe Q. Public\" <john.q.public@example.com>"),
        vec![Address::Mailbox(mb(
            Some("Joe Q. Public"),
            "john.q.public",
            "example.com"
        ))]
    );
    assert_eq!(
        clean("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
        vec![
            Address::Mailbox(mb(Some("Mary Smith"), "mary", "x.test")),
            Address::Mailbox(mb(None, "jdoe", "example.org")),
            Address::Mailbox(mb(Some("Who?"), "one", "y.test")),
        ]
    );
    assert_eq!(
        clean("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
        vec![
            Address::Mailbox(mb(None, "boss", "nil.test")),
            Address::Mailbox(mb(Some("Giant; \"Big\" Box"), "sysservices", "example.net")),
        ]
    );
}

// RFC 5322 Appendix A.1.3.
#[test]
fn a_1_3_group_addresses() {
    assert_eq!(
        clean("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
        vec![Address::Group(Group {
            name: "A Group".into(),
            members: vec![
                mb(Some("Ed Jones"), "c", "a.test"),
                mb(None, "joe", "where.test"),
                mb(Some("John"), "jdoe", "one.test"),
            ],
        })]
    );
    assert_eq!(
        clean("Undisclosed recipients:;"),
        vec![Address::Group(Group {
            name: "Undisclosed recipients".into(),
            members: vec![],
        })]
    );
}

// RFC 5322 Appendix A.5.
#[test]
fn a_5_white_space_comments_and_other_oddities() {
    assert_eq!(
        clean("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
        vec![Address::Mailbox(mb(Some("Pete"), "pete", "silly.test"))]
    );
    let to = "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dad)\r\n;";
    assert_eq!(
        clean(to),
        vec![Address::Group(Group {
            name: "A Group".into(),
            members: vec![
                mb(Some("Chris Jones"), "c", "public.example"),
                mb(None, "joe", "example.org"),
                mb(Some("John"), "jdoe", "one.test"),
            ],
        })]
    );
    assert_eq!(
        clean("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"),
        vec![Address::Group(Group {
            name: "Hidden recipients".into(),
            members: vec![],
        })]
    );
}

// RFC 5322 Appendix A.6.1 (and A.6.3 obsolete white space and comments).
#[test]
fn a_6_obsolete_addressing() {
    assert_eq!(
        clean("Joe Q. Public <john.q.public@example.com>"),
        vec![Address::Mailbox(mb(
            Some("Joe Q. Public"),
            "john.q.public",
            "example.com"
        ))]
    );
    let p = clean("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example");
    assert_eq!(
        p,
        vec![
            Address::Mailbox(Mailbox {
                route: vec!["node.test".into()],
                ..mb(Some("Mary Smith"), "mary", "example.net")
            }),
            Address::Mailbox(mb(None, "jdoe", "test.example")),
        ]
    );
    assert_eq!(
        clean("John Doe <jdoe@machine(comment).  example>"),
        vec![Address::Mailbox(mb(
            Some("John Doe"),
            "jdoe",
            "machine.example"
        ))]
    );
    assert_eq!(
        clean("Mary Smith\r\n  \r\n <mary@example.net>"),
        vec![Address::Mailbox(mb(
            Some("Mary Smith"),
            "mary",
            "example.net"
        ))]
    );
    assert_eq!(
        clean("<@a.test,@b.test:user@c.test>"),
        vec![Address::Mailbox(Mailbox {
            route: vec!["a.test".into(), "b.test".into()],
            ..mb(None, "user", "c.test")
        })]
    );
    // obs-local-part: CFWS between dots, mixed quoted and atoms.
    assert_eq!(
        clean("john . (x) q . \"public\"@example.com"),
        vec![Address::Mailbox(mb(None, "john.q.public", "example.com"))]
    );
    assert_eq!(
        clean("a@b,,c@d, ,"),
        vec![
            Address::Mailbox(mb(None, "a", "b")),
            Address::Mailbox(mb(None, "c", "d")),
        ]
    );
}

#[test]
fn quoted_local_parts_and_literals() {
    assert_eq!(
        clean("\"john smith\"@example.com, \"a\\\"b\"@[192.0.2.1]"),
        vec![
            Address::Mailbox(mb(None, "john smith", "example.com")),
            Address::Mailbox(mb(None, "a\"b", "[192.0.2.1]")),
        ]
    );
    let m = mb(None, "john smith", "example.com");
    assert_eq!(m.to_header_string(), "\"john smith\"@example.com");
}

#[test]
fn encoded_words_and_utf8() {
    assert_eq!(
        clean("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
        vec![Address::Mailbox(mb(
            Some("Keld Jørn Simonsen"),
            "keld",
            "dkuug.dk"
        ))]
    );
    assert_eq!(
        clean("\"=?utf-8?q?J=C3=B6rg?=\" <j@x.de>, =?utf-8?b?w7xiZXI=?= Müller <u@x>"),
        vec![
            Address::Mailbox(mb(Some("Jörg"), "j", "x.de")),
            Address::Mailbox(mb(Some("über Müller"), "u", "x")),
        ]
    );
    // RFC 6532: UTF-8 local parts, display names and domains.
    assert_eq!(
        clean("José Ñandú <用户@例子.广告>"),
        vec![Address::Mailbox(mb(
            Some("José Ñandú"),
            "用户",
            "例子.广告"
        ))]
    );
    // 8-bit junk is decoded lossily, never a failure.
    let p = parse_address_list(b"J\xe9r\xf4me <j\xffx@host>");
    let m: Vec<_> = p.addresses.mailboxes().collect();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].name.as_deref(), Some("Jérôme"));
    assert_eq!(m[0].local_part, "j\u{fffd}x");
    assert_eq!(m[0].domain, "host");
}

#[test]
fn control_characters_dropped_from_local_part_and_domain() {
    // A valid UTF-8 list (pieces sliced from the input checked once) and one with bad UTF-8
    // elsewhere (pieces checked one by one) give the same text.
    let inputs: [&[u8]; 2] = [
        b"\"a\xc2\x85b\"@[1\x012] , J\xc3\xa9r\xc3\xb4me <x@y>",
        b"\"a\xc2\x85b\"@[1\x012] , J\xe9r\xf4me <x@y>",
    ];
    for input in inputs {
        let p = parse_address_list(input);
        let m = p.addresses.mailboxes().next().unwrap();
        assert_eq!((&*m.local_part, &*m.domain), ("ab", "[12]"));
    }
}

#[test]
fn lenient_real_world_garbage() {
    let p = parse("Name <user@host, other@x");
    assert_eq!(
        p.addresses.mailboxes().cloned().collect::<Vec<_>>(),
        vec![mb(Some("Name"), "user", "host"), mb(None, "other", "x")]
    );
    assert_eq!(p.defects, vec![AddressDefect::MissingAngleClose]);

    assert_eq!(
        clean("user@host (Real Name), (Other) o@x"),
        vec![
            Address::Mailbox(mb(Some("Real Name"), "user", "host")),
            Address::Mailbox(mb(Some("Other"), "o", "x")),
        ]
    );

    let p = parse("user, a@b");
    assert_eq!(
        p.addresses.mailboxes().cloned().collect::<Vec<_>>(),
        vec![mb(None, "user", ""), mb(None, "a", "b")]
    );
    assert_eq!(p.defects, vec![AddressDefect::MissingDomain]);

    let p = parse("\"John Smith <john@x>, jane@y");
    assert_eq!(
        p.addresses.mailboxes().cloned().collect::<Vec<_>>(),
        vec![mb(Some("John Smith"), "john", "x"), mb(None, "jane", "y")]
    );
    assert_eq!(p.defects, vec![AddressDefect::UnclosedQuotedString]);

    let p = parse("Name (comment <a@b>, c@d");
    assert!(p.defects.contains(&AddressDefect::UnclosedComment));
    assert_eq!(p.addresses.mailboxes().count(), 2);

    let p = parse("a@b c@d, e@f");
    assert_eq!(
        p.addresses.mailboxes().cloned().collect::<Vec<_>>(),
        vec![mb(None, "a", "b"), mb(None, "e", "f")]
    );
    assert_eq!(p.defects, vec![AddressDefect::UnexpectedText]);

    let p = parse("john@x.com <john@x.com>");
    assert_eq!(
        mailboxes("john@x.com <john@x.com>"),
        vec![mb(Some("john@x.com"), "john", "x.com")]
    );
    assert_eq!(p.defects, vec![AddressDefect::UnquotedDisplayName]);

    let p = parse("<>, a@b, ) x@y");
    assert_eq!(p.addresses.mailboxes().count(), 2);
    assert!(p.defects.contains(&AddressDefect::EmptyAddress));
    assert!(p.defects.contains(&AddressDefect::UnmatchedParen));

    let p = parse("; G: a@b, H: c@d; e@f; x@y");
    assert_eq!(
        p.addresses.0,
        vec![
            Address::Group(Group {
                name: "G".into(),
                members: vec![mb(None, "a", "b"), mb(None, "c", "d"), mb(None, "e", "f")],
            }),
            Address::Mailbox(mb(None, "x", "y")),
        ]
    );
    assert_eq!(
        p.defects,
        vec![
            AddressDefect::UnexpectedSemicolon,
            AddressDefect::NestedGroup
        ]
    );

    let p = parse("G: a@b");
    assert_eq!(p.defects, vec![AddressDefect::UnclosedGroup]);
    assert_eq!(p.addresses.mailboxes().count(), 1);

    let p = parse("@host, [1.2.3.4], >, a@b");
    assert_eq!(
        mailboxes("@host, [1.2.3.4], >, a@b"),
        vec![mb(None, "a", "b")]
    );
    assert_eq!(p.defects.len(), 3);

    assert!(parse("").addresses.0.is_empty());
    assert!(parse(" \r\n ").defects.is_empty());
}

#[test]
fn group_depth_option() {
    let options = ParseOptions {
        max_group_depth: 0,
        ..ParseOptions::default()
    };
    let p = parse_address_list_with(b"G: a@b;, c@d", &options);
    assert_eq!(
        p.addresses.0,
        vec![
            Address::Mailbox(mb(None, "a", "b")),
            Address::Mailbox(mb(None, "c", "d")),
        ]
    );
    assert_eq!(p.defects, vec![AddressDefect::NestedGroup]);
}

#[test]
fn comment_depth_limit() {
    let deep = format!("{}x{} <a@b>", "(".repeat(65), ")".repeat(65));
    let p = parse(&deep);
    assert_eq!(mailboxes(&deep), vec![mb(None, "a", "b")]);
    assert_eq!(p.defects, vec![AddressDefect::CommentTooDeep]);
    let ok = format!("a@b {}x{}", "(".repeat(64), ")".repeat(64));
    assert!(parse(&ok).defects.is_empty());
}

// security-cases row 62.
#[test]
fn hundred_thousand_nested_comments() {
    let n = 100_000;
    let input = format!("{}{} <a@b>", "(".repeat(n), ")".repeat(n));
    let start = Instant::now();
    let p = parse(&input);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(mailboxes(&input), vec![mb(None, "a", "b")]);
    assert_eq!(p.defects, vec![AddressDefect::CommentTooDeep]);

    // Unclosed variants stay linear too.
    for input in [
        "(".repeat(n) + "<a@b>",
        "\"".repeat(n) + "<a@b>",
        "[".repeat(n) + "<a@b>",
        ")".repeat(n) + "<a@b>",
        "(\\\"".repeat(n) + "<a@b>",
        "\\\"".repeat(n) + "<a@b>",
        "<".repeat(n) + "a@b",
        "a".repeat(n) + " <a@b>",
        "a ".repeat(n) + "<a@b>",
        "a.".repeat(n) + "@b",
        "G:".repeat(n) + "a@b",
        "@a,".repeat(n),
        "<@a,".repeat(n),
    ] {
        let start = Instant::now();
        let p = parse(&input);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "slow on {:?}",
            &input[..8]
        );
        assert!(p.defects.len() <= ParseOptions::default().max_defects);
    }
}

// security-cases row 53, applied to one address list.
#[test]
fn hundred_thousand_addresses_linear() {
    let n = 100_000;
    let input = "Some Name <a@b.example>, ".repeat(n);
    let options = ParseOptions {
        max_addresses: n,
        ..ParseOptions::default()
    };
    let start = Instant::now();
    let p = parse_address_list_with(input.as_bytes(), &options);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(p.addresses.0.len(), n);
    assert!(p.defects.is_empty());

    let p = parse(&input);
    assert_eq!(p.addresses.0.len(), 10_000);
    assert_eq!(p.defects, vec![AddressDefect::TooManyAddresses]);

    // Group members count too.
    let input = format!("G: {};", "a@b,".repeat(20_000));
    let p = parse(&input);
    assert_eq!(p.addresses.mailboxes().count(), 10_000);
    assert_eq!(p.defects, vec![AddressDefect::TooManyAddresses]);
}

#[test]
fn build_rejects_injection_and_bad_addresses() {
    for (name, addr) in [
        (Some("Evil\r\nBcc: x@y"), "a@b"),
        (Some("a\nb"), "a@b"),
        (Some("a\0b"), "a@b"),
        (None, "a@b\r\nBcc: x@y"),
        (None, "a\r@b"),
        (None, "\"a\nb\"@c"),
        (Some("tab\there"), "a@b"),
    ] {
        assert_eq!(
            Mailbox::new(name, addr),
            Err(AddressError::ControlCharacter),
            "{name:?} {addr:?}"
        );
    }
    assert_eq!(Mailbox::new(None, "ab"), Err(AddressError::MissingAt));
    for addr in ["a b@c", ".a@b", "a..b@c", "@b", "a<@b", "\"a@b", "\"a\"b@c"] {
        assert!(Mailbox::new(None, addr).is_err(), "{addr}");
    }
    for addr in ["a@b c", "a@", "a@.b", "a@b..c", "a@[1]]", "a@b@c"] {
        assert_eq!(
            Mailbox::new(None, addr),
            Err(AddressError::InvalidDomain),
            "{addr}"
        );
    }
    let m = Mailbox::new(Some("Joe"), "\"joe q\"@[192.0.2.1]").unwrap();
    assert_eq!(m.local_part, "joe q");
    assert_eq!(m.domain, "[192.0.2.1]");
    assert_eq!(m.to_header_string(), "Joe <\"joe q\"@[192.0.2.1]>");
    assert_eq!(Mailbox::new(Some(""), "a@b").unwrap().name, None);
}

#[test]
fn writes_names_atoms_quoted_or_encoded() {
    let w = |n: &str| Mailbox::new(Some(n), "a@b.c").unwrap().to_header_string();
    assert_eq!(w("Joe Public"), "Joe Public <a@b.c>");
    assert_eq!(w("Joe Q. Public"), "\"Joe Q. Public\" <a@b.c>");
    assert_eq!(
        w("Giant; \"Big\" Box"),
        "\"Giant; \\\"Big\\\" Box\" <a@b.c>"
    );
    assert_eq!(w(" two  spaces "), "\" two  spaces \" <a@b.c>");
    let s = w("Jörg, Jr.");
    assert!(s.is_ascii() && s.ends_with(" <a@b.c>"), "{s}");
    assert_eq!(mailboxes(&s)[0].name.as_deref(), Some("Jörg, Jr."));
    let s = w("=?utf-8?q?x?=");
    assert_eq!(mailboxes(&s)[0].name.as_deref(), Some("=?utf-8?q?x?="));
    let list = AddressList(vec![
        Address::Mailbox(mb(None, "a", "b")),
        Address::Group(Group {
            name: "G".into(),
            members: vec![mb(Some("X Y"), "x", "y"), mb(None, "z", "w")],
        }),
        Address::Group(Group::default()),
    ]);
    let s = list.to_header_string();
    assert_eq!(s, "a@b, G: X Y <x@y>, z@w;, \"\":;");
    assert_eq!(parse(&s).addresses, list);
}

#[test]
fn idn_both_ways() {
    let m = Mailbox::new(None, "user@bücher.example").unwrap();
    assert_eq!(m.domain_ascii().unwrap(), "xn--bcher-kva.example");
    assert_eq!(m.domain_unicode(), "bücher.example");
    let m = Mailbox::new(None, "user@xn--bcher-kva.example").unwrap();
    assert_eq!(m.domain_unicode(), "bücher.example");
    assert_eq!(m.domain_ascii().unwrap(), "xn--bcher-kva.example");
    let lit = mb(None, "a", "[192.0.2.1]");
    assert_eq!(lit.domain_ascii().unwrap(), "[192.0.2.1]");
    assert_eq!(lit.domain_unicode(), "[192.0.2.1]");
    assert!(Mailbox::new(None, "user@例子.广告").is_ok());
}

fn qc() -> QuickCheck {
    QuickCheck::new().tests(2_000).max_tests(20_000)
}

#[test]
fn quickcheck_build_write_parse_round_trip() {
    fn prop(name: String, local: Vec<u8>, domain: Vec<u8>, utf8_local: bool) -> TestResult {
        if name.chars().any(char::is_control) {
            return TestResult::discard();
        }
        let alnum = |v: &[u8], n: usize| -> String {
            let s: String = v.iter().take(n).map(|b| (b'a' + b % 26) as char).collect();
            if s.is_empty() { "x".into() } else { s }
        };
        let mut local = alnum(&local, 12);
        if utf8_local {
            local.push('ü');
        }
        let addr = format!("{local}@{}.example", alnum(&domain, 12));
        let built = Mailbox::new(Some(&name), &addr).unwrap();
        let written = built.to_header_string();
        if written.contains(['\r', '\n']) {
            return TestResult::failed();
        }
        let p = parse_address_list(written.as_bytes());
        let ok = p.defects.is_empty() && p.addresses.0 == vec![Address::Mailbox(built.clone())];
        if !ok {
            eprintln!("{name:?} -> {written:?} -> {p:?}");
        }
        TestResult::from_bool(ok)
    }
    qc().quickcheck(prop as fn(String, Vec<u8>, Vec<u8>, bool) -> TestResult);
}

#[test]
fn quickcheck_never_panics() {
    fn prop(bytes: Vec<u8>) -> bool {
        let _ = parse_address_list(&bytes);
        true
    }
    fn prop_specials(picks: Vec<u8>) -> bool {
        const ALPHABET: &[&[u8]] = &[
            b"(",
            b")",
            b"\"",
            b"\\",
            b"<",
            b">",
            b"@",
            b",",
            b";",
            b":",
            b".",
            b"[",
            b"]",
            b" ",
            b"\r\n",
            b"a",
            b"\xff",
            "é".as_bytes(),
            b"=?utf-8?q?x?=",
            b"\0",
        ];
        let input: Vec<u8> = picks
            .iter()
            .flat_map(|&p| ALPHABET[p as usize % ALPHABET.len()].iter().copied())
            .collect();
        let p = parse_address_list(&input);
        // Everything parsed can be written back without CR or LF.
        !p.addresses.to_header_string().contains(['\r', '\n'])
    }
    qc().quickcheck(prop as fn(Vec<u8>) -> bool);
    qc().quickcheck(prop_specials as fn(Vec<u8>) -> bool);
}

#[test]
fn long_display_names_stay_foldable() {
    for name in ["n".repeat(2_000), format!("a {} b", "\"q\"".repeat(400))] {
        let built = Mailbox::new(Some(&name), "a@b.example").unwrap();
        let written = built.to_header_string();
        assert!(
            written.split(' ').all(|w| w.len() <= 75),
            "unfoldable run in {written}"
        );
        let p = parse_address_list(written.as_bytes());
        assert_eq!(p.addresses.0, vec![Address::Mailbox(built)]);
    }
}

/// Text taken straight from the input (atoms and dots written together, a quoted string with
/// nothing to unescape, a domain's dot-atom run) must equal what token-by-token assembly gives
/// wherever that stops being possible.
#[test]
fn as_written_text_hands_over_to_token_assembly() {
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        ("Björn  Núñez <x@y>", Some("Björn Núñez"), "x", "y"),
        ("a.b (c) . d <x@y>", Some("a.b . d"), "x", "y"),
        ("\"a\\\"b\" <x@y>", Some("a\"b"), "x", "y"),
        ("\"a\r\n b\" <x@y>", Some("a b"), "x", "y"),
        ("\"\" <x@y>", None, "x", "y"),
        ("a.\"b c\"@d", None, "a.b c", "d"),
        ("x@a.b .c", None, "x", "a.b.c"),
        ("x@a.(c)b..d", None, "x", "a.b..d"),
        ("<x@a.b. [1.2]>", None, "x", "a.b.[1.2]"),
    ];
    for &(input, name, local, domain) in cases {
        assert_eq!(mailboxes(input), vec![mb(name, local, domain)], "{input:?}");
    }
    let p = parse("\"a\"b@c");
    assert_eq!(p.addresses.0, vec![Address::Mailbox(mb(None, "ab", "c"))]);
    assert_eq!(p.defects, vec![AddressDefect::InvalidLocalPart]);
}

#[test]
fn text_as_written_is_borrowed_from_the_input() {
    let p = parse("\"Doe, Jane\" <jane@example.com>, bob@example.org (Bob), =?utf-8?q?Z?= <z@x>");
    for m in p.addresses.mailboxes() {
        let borrowed = |t: &Cow<'_, str>| matches!(t, Cow::Borrowed(_));
        assert!(borrowed(&m.local_part) && borrowed(&m.domain), "{m:?}");
    }
    let names: Vec<_> = p.addresses.mailboxes().map(|m| &m.name).collect();
    assert!(matches!(
        names[..],
        [
            Some(Cow::Borrowed("Doe, Jane")),
            Some(Cow::Borrowed("Bob")),
            Some(Cow::Owned(_))
        ]
    ));
    // Owned copies compare equal.
    assert_eq!(p.addresses.clone().into_owned(), p.addresses);
}
