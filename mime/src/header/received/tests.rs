use super::*;
use quickcheck::quickcheck;

#[test]
fn postfix_with_comments_and_for() {
    let r = parse(
        b"from [172.30.0.10] (support.jitbit.com [172.30.0.10])\r\n\tby hmail.jitbit.com \
          (Postfix) with ESMTPA id 630A242E63\r\n\tfor <netec.test@netecgc.com>; Wed, 26 Jan \
          2022 04:06:46 -0500 (EST)",
    );
    assert_eq!(r.from(), Some("[172.30.0.10]"));
    assert_eq!(
        r.clause("from").unwrap().comments[..],
        ["support.jitbit.com [172.30.0.10]"]
    );
    assert_eq!(r.by(), Some("hmail.jitbit.com"));
    assert_eq!(r.clause("by").unwrap().comments[..], ["Postfix"]);
    assert_eq!(r.with(), Some("ESMTPA"));
    assert_eq!(r.id(), Some("630A242E63"));
    assert_eq!(r.for_recipient(), Some("netec.test@netecgc.com"));
    let date = r.date.unwrap();
    assert_eq!(
        (date.year(), date.month(), date.day(), date.offset_minutes()),
        (2022, 1, 26, -300)
    );
    assert!(!r.defect);
}

#[test]
fn exchange_multi_word_values() {
    let r = parse(
        b"from LO2GBR01FT016.eop-gbr01.prod.protection.outlook.com\r\n \
          (2603:10a6:600:197:cafe::98) by LO4P123CA0318.outlook.office365.com\r\n \
          (2603:10a6:600:197::17) with Microsoft SMTP Server (version=TLS1_2,\r\n \
          cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.4930.15 via Frontend\r\n \
          Transport; Wed, 26 Jan 2022 09:06:51 +0000",
    );
    assert_eq!(
        r.from(),
        Some("LO2GBR01FT016.eop-gbr01.prod.protection.outlook.com")
    );
    assert_eq!(r.with(), Some("Microsoft SMTP Server"));
    assert_eq!(
        r.clause("with").unwrap().comments[..],
        ["version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]
    );
    assert_eq!(r.id(), Some("15.20.4930.15"));
    assert_eq!(r.via(), Some("Frontend Transport"));
    assert_eq!(r.date.unwrap().unix_timestamp(), 1_643_188_011);
}

#[test]
fn by_only_and_sendmail_ids() {
    let r = parse(b"by mm1.sprynet.com id <148226-12799>; Mon, 29 Jul 1996 02:21:58 -0700");
    assert_eq!(r.from(), None);
    assert_eq!(r.by(), Some("mm1.sprynet.com"));
    assert_eq!(r.id(), Some("<148226-12799>"));
    assert_eq!(r.date.unwrap().year(), 1996);
}

#[test]
fn lenient_and_defects() {
    // No date.
    let r = parse(b"from a by b");
    assert!(r.defect && r.date.is_none());
    // A `;` inside a comment is not the date separator.
    let r = parse(b"from a (x; y) by b; Mon, 29 Jul 1996 02:21:58 -0700");
    assert_eq!(r.clause("from").unwrap().comments[..], ["x; y"]);
    assert!(r.date.is_some() && !r.defect);
    // Garbage date, unclosed comment, stray leading words.
    let r = parse(b"junk from a; not a date");
    assert_eq!(r.clauses[0].name, "");
    assert_eq!(r.clauses[0].value, "junk");
    assert_eq!(r.date_text.as_deref(), Some("not a date"));
    assert!(r.defect);
    assert!(parse(b"from a (unclosed by b; Mon, 29 Jul 1996 02:21:58 -0700").defect);
    // Hostile sizes stay linear.
    parse("(".repeat(200_000).as_bytes());
    parse("from ".repeat(50_000).as_bytes());
    parse("<".repeat(200_000).as_bytes());
}

#[test]
fn angle_and_bracket_words() {
    // `<...>` and `[...]` end at their close, `;` or white space, whichever comes first.
    let r = parse(b"from [192.0.2.1 x] by <a;b> for <u@x>>y <v@w; Mon, 29 Jul 1996 02:21:58 -0700");
    assert_eq!(r.from(), Some("[192.0.2.1 x]"));
    assert_eq!(r.by(), Some("<a"));
    assert_eq!(
        r.date_text.as_deref(),
        Some("Mon, 29 Jul 1996 02:21:58 -0700")
    );
    let r = parse(b"for <u@x>>y <v@w");
    assert_eq!(r.for_recipient(), Some("<u@x>>y <v@w"));
    assert!(r.defect);
}

quickcheck! {
    fn never_panics(b: Vec<u8>) -> bool {
        let r = parse(&b);
        r.clauses.iter().all(|c| !c.value.contains(['\r', '\n']))
    }
}

#[test]
fn values_borrow_unless_unfolded() {
    let input = b"from a.example (a.example  [192.0.2.1]) by b.example (Postfix) with \
                  Microsoft SMTP\r\n Server (x) via Frontend Transport; Wed, 26 Jan 2022 \
                  09:06:51 +0000";
    let r = parse(input);
    let from = r.clause("from").unwrap();
    assert!(matches!(from.value, Cow::Borrowed("a.example")));
    // Two spaces collapse into one, so that comment is rebuilt.
    assert!(matches!(&from.comments[0], Cow::Owned(c) if c == "a.example [192.0.2.1]"));
    assert!(matches!(
        r.clause("by").unwrap().comments[0],
        Cow::Borrowed("Postfix")
    ));
    // A fold between the words: owned, unfolded.
    assert!(
        matches!(&r.clause("with").unwrap().value, Cow::Owned(v) if v == "Microsoft SMTP Server")
    );
    assert!(matches!(
        r.clause("via").unwrap().value,
        Cow::Borrowed("Frontend Transport")
    ));
    assert!(matches!(
        r.date_text,
        Some(Cow::Borrowed("Wed, 26 Jan 2022 09:06:51 +0000"))
    ));
    assert_eq!(r.date.unwrap().unix_timestamp(), 1_643_188_011);
}

#[test]
fn words_not_utf8_are_kept_lossily() {
    // Such a word used to come out empty, and a borrowed value it joined was emptied with it.
    let r = parse(
        b"from a\xffb by mx.example with E\xffSMTP id 1 2 \xff; Mon, 29 Jul 1996 02:21:58 -0700",
    );
    assert_eq!(r.from(), Some("a\u{fffd}b"));
    assert_eq!(r.with(), Some("E\u{fffd}SMTP"));
    assert_eq!(r.id(), Some("1 2 \u{fffd}"));
    // Valid UTF-8 words read as before; Unicode separators in them become spaces, as in
    // comments.
    let r = parse("from höst.example by a\u{a0}b; Mon, 29 Jul 1996 02:21:58 -0700".as_bytes());
    assert_eq!(r.from(), Some("höst.example"));
    assert_eq!(r.by(), Some("a b"));
    assert!(!r.defect);
}

#[test]
fn long_values_stay_borrowed_and_linear() {
    // One value of many words joined by single spaces: each word extends the borrowed slice
    // without revalidating it (this used to take time quadratic in the value's length).
    let words = "w ".repeat(200_000);
    let input = format!("with {}; Mon, 29 Jul 1996 02:21:58 -0700", words.trim_end());
    let r = parse(input.as_bytes());
    assert!(matches!(&r.clause("with").unwrap().value, Cow::Borrowed(v) if v.len() == 399_999));
    // Past a byte that is not UTF-8 the value is built instead, still in linear time.
    let input = [b"with \xff ".as_slice(), words.as_bytes()].concat();
    let r = parse(&input);
    assert_eq!(r.with().map(str::len), Some(3 + 1 + 399_999));
}

#[test]
fn many_clauses_and_comments_spill_in_order() {
    // Past the five clauses and the one comment per clause kept in place.
    let r = parse(b"x (a) (b) (c) from f by b via v with w id i for r from g (d); junk");
    let names: Vec<_> = r.clauses.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        ["", "from", "by", "via", "with", "id", "for", "from"]
    );
    assert_eq!(r.clauses[0].comments[..], ["a", "b", "c"]);
    assert_eq!(r.clauses[7].value, "g");
    assert_eq!(r.clauses[7].comments[..], ["d"]);
    assert_eq!(r.from(), Some("f"));
    assert!(r.clauses[1].comments.is_empty());
}
