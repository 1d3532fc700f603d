use crate::header::address::{Address, AddressList, Mailbox};
use crate::header::date::DateTime;
use crate::header::msg_id::MessageId;
use crate::header::write::HeaderError;
use crate::model::HeaderState;
use crate::{HeaderList, parse};

const INPUT: &str = "Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTPS id X1\r\n\tfor <bob@b.example>; Mon, 29 Jul 1996 02:26:08 -0700\r\n\
Received: by a.example id Y2; Mon, 29 Jul 1996 02:20:00 -0700\r\n\
From: =?iso-8859-1?q?Andr=E9?= <andre@a.example>\r\n\
To: bob@b.example, Team: carol@c.example, dan@d.example;\r\n\
Subject: =?utf-8?b?R3LDvMOfZQ==?= again\r\n\
Date: Mon, 29 Jul 1996 02:04:52 -0700\r\n\
Message-ID: <1@a.example>\r\n\
References: <0@a.example>\r\n <00@a.example>\r\n\
X-Dup: one\r\nX-Dup: two\r\n\
\r\nbody\r\n";

fn mailbox(name: Option<&str>, addr: &str) -> Mailbox<'static> {
    Mailbox::new(name, addr).unwrap()
}

#[test]
fn typed_readers() {
    let m = parse(INPUT.as_bytes().to_vec());
    let h = m.headers();
    assert_eq!(h.subject().as_deref(), Some("Grüße again"));
    assert_eq!(
        h.from().0,
        vec![Address::Mailbox(mailbox(Some("André"), "andre@a.example"))]
    );
    assert_eq!(h.to().mailboxes().count(), 3);
    assert!(h.cc().0.is_empty());
    assert_eq!(h.date().unwrap().unix_timestamp(), 838_631_092);
    assert_eq!(h.message_id().unwrap().as_str(), "1@a.example");
    let refs: Vec<_> = h
        .references()
        .iter()
        .map(|i| i.as_str().to_owned())
        .collect();
    assert_eq!(refs, ["0@a.example", "00@a.example"]);
    assert!(h.in_reply_to().is_empty());
    let received = h.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].for_recipient(), Some("bob@b.example"));
    assert_eq!(received[1].id(), Some("Y2"));
}

#[test]
fn setters_modify_in_place_and_keep_the_rest_byte_identical() {
    let mut m = parse(INPUT.as_bytes().to_vec());
    m.headers_mut().set_subject("New subject").unwrap();
    let subject = m.headers().get("subject").unwrap();
    assert_eq!(subject.state(), HeaderState::Modified);
    let out = String::from_utf8(m.to_bytes().unwrap()).unwrap();
    assert_eq!(
        out,
        INPUT.replace("=?utf-8?b?R3LDvMOfZQ==?= again", "New subject")
    );
    // Duplicates collapse to the first; removal; adding.
    let h = m.headers_mut();
    h.set_text("X-Dup", "only").unwrap();
    assert_eq!(h.get_all("x-dup").count(), 1);
    assert_eq!(h.remove("received"), 2);
    assert_eq!(h.remove("received"), 0);
    h.add_text("X-New", "added").unwrap();
    h.set_cc(&AddressList(vec![Address::Mailbox(mailbox(
        None,
        "e@e.example",
    ))]))
    .unwrap();
    let out = String::from_utf8(m.to_bytes().unwrap()).unwrap();
    assert!(!out.contains("Received:"));
    assert!(out.contains("X-Dup: only\r\n") && !out.contains("two"));
    assert!(
        out.contains("X-New: added\r\nCc: e@e.example\r\n\r\nbody\r\n"),
        "{out}"
    );
    let reparsed = parse(out.into_bytes());
    assert_eq!(reparsed.headers().cc().mailboxes().count(), 1);
}

#[test]
fn setters_round_trip() {
    let mut h = HeaderList::new();
    let date = DateTime::new(2024, 2, 29, 23, 59, 58, 330).unwrap();
    h.set_date(&date);
    let id = MessageId::new("abc.def@example.com").unwrap();
    h.set_message_id(&id).unwrap();
    let ids: Vec<_> = (0..30)
        .map(|k| MessageId::new(&format!("{k}.long.identifier@example.com")).unwrap())
        .collect();
    h.set_references(&ids).unwrap();
    h.set_in_reply_to(&ids[29..]).unwrap();
    let to = AddressList(
        (0..20)
            .map(|k| {
                Address::Mailbox(mailbox(
                    Some(&format!("Pérson {k}")),
                    &format!("p{k}@x.example"),
                ))
            })
            .collect(),
    );
    h.set_to(&to).unwrap();
    h.set_subject(&"Ünïcödé ".repeat(30)).unwrap();
    h.set_structured("Keywords", "a, b").unwrap();
    let entity = crate::Entity::new(h, crate::Body::Leaf(crate::BodyData::default()));
    let bytes = entity.to_bytes().unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    for line in text.split("\r\n") {
        assert!(line.len() <= 78, "{line:?}");
    }
    let parsed = parse(bytes.clone());
    let p = parsed.headers();
    assert_eq!(p.date(), Some(date));
    assert_eq!(p.message_id(), Some(id));
    assert_eq!(p.references(), ids);
    assert_eq!(p.in_reply_to(), ids[29..]);
    assert_eq!(p.to(), to);
    assert_eq!(p.subject(), Some("Ünïcödé ".repeat(30)));
    assert_eq!(p.value("keywords").unwrap(), b" a, b");
    // Setting empty id lists removes the field.
    let mut h = p.clone();
    h.set_references(&[]).unwrap();
    assert!(h.get("references").is_none());
}

#[test]
fn injection_through_the_typed_api() {
    let mut h = HeaderList::new();
    h.set_subject("Hi\r\nBcc: attacker@evil.example").unwrap();
    h.set_text("X-Custom", "value\nInjected: yes").unwrap();
    assert_eq!(
        h.set_structured("X-Raw", "a\r\nBcc: attacker@evil.example"),
        Err(HeaderError::ControlCharacter("X-Raw".into()))
    );
    assert!(matches!(
        h.set_text("Bad:Name", "v"),
        Err(HeaderError::InvalidName(_))
    ));
    // A display name with CRLF in a mailbox built field by field is encoded.
    let sneaky = Mailbox {
        name: Some("Eve\r\nBcc: attacker@evil.example".into()),
        local_part: "eve".into(),
        domain: "e.example".into(),
        route: Vec::new(),
    };
    h.set_from(&AddressList(vec![Address::Mailbox(sneaky.clone())]))
        .unwrap();
    // A domain with CRLF cannot be encoded: refused.
    let broken = Mailbox {
        domain: "e.example\r\nBcc: x@y".into(),
        ..sneaky.clone()
    };
    assert!(
        h.set_to(&AddressList(vec![Address::Mailbox(broken)]))
            .is_err()
    );
    // A raw header set through the model is checked when written.
    let mut raw = h.clone();
    raw.push(crate::Header::new(
        "X-Raw",
        "a\r\nBcc: attacker@evil.example",
    ));
    let entity = crate::Entity::new(raw, crate::Body::Leaf(crate::BodyData::default()));
    assert_eq!(
        entity.to_bytes().unwrap_err().kind(),
        std::io::ErrorKind::InvalidData
    );
    let entity = crate::Entity::new(h, crate::Body::Leaf(crate::BodyData::default()));
    let bytes = entity.to_bytes().unwrap();
    let block = &bytes[..bytes.len() - 2];
    for (i, &b) in block.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(block[i - 1], b'\r');
            let next = block.get(i + 1).copied();
            assert!(
                next.is_none() || matches!(next, Some(b' ' | b'\t' | b'S' | b'X' | b'F')),
                "{}",
                String::from_utf8_lossy(block)
            );
        }
    }
    let parsed = parse(bytes);
    let names: Vec<_> = parsed
        .headers()
        .iter()
        .map(|h| h.name_str().to_owned())
        .collect();
    assert_eq!(names, ["Subject", "X-Custom", "From"]);
    let p = parsed.headers();
    assert_eq!(
        p.subject().as_deref(),
        Some("Hi\r\nBcc: attacker@evil.example")
    );
    assert_eq!(p.text("x-custom").as_deref(), Some("value\nInjected: yes"));
    assert_eq!(p.from().0, vec![Address::Mailbox(sneaky)]);
}
