use super::*;
use crate::header::address::Mailbox;
use crate::header::msg_id::MessageId;
use crate::model::Body;
use crate::parse;

fn mailbox(name: Option<&str>, addr: &str) -> Mailbox<'static> {
    Mailbox::new(name, addr).unwrap()
}

/// The tree as `type/subtype` strings indented by depth.
fn shape(message: &Message) -> Vec<String> {
    crate::model::Walk::new(message.root())
        .map(|(depth, e)| format!("{}{}", "  ".repeat(depth), e.content_type().mime_type()))
        .collect()
}

/// Checks the header blocks of serialized output: every line ends in CRLF, is at most 998
/// octets, and each line is a fold (starts with white space) or a field (`name:`).
fn check_wire(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let head = &text[..text.find("\r\n\r\n").unwrap() + 2];
    for line in head.split_inclusive('\n') {
        assert!(line.ends_with("\r\n"), "{line:?}");
        let line = &line[..line.len() - 2];
        assert!(!line.contains('\r'), "{line:?}");
        assert!(line.len() <= 78, "{line:?}");
        let is_field = line
            .split_once(':')
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic()));
        assert!(line.starts_with([' ', '\t']) || is_field, "{line:?}");
    }
    for line in text.split("\r\n") {
        assert!(line.len() <= 998);
    }
}

#[test]
fn shapes() {
    let cid = MessageId::new("logo@example.com").unwrap();
    let logo = Attachment::from_bytes("logo.png", vec![0x89, b'P', b'N', b'G'])
        .with_content_id(cid.clone());
    let pdf = Attachment::from_bytes("a.pdf", b"%PDF".to_vec());
    let cases: Vec<(MessageBuilder, &[&str])> = vec![
        (MessageBuilder::new().text("t"), &["text/plain"]),
        (MessageBuilder::new().html("<p>h</p>"), &["text/html"]),
        (MessageBuilder::new(), &["text/plain"]),
        (
            MessageBuilder::new().text("t").html("h"),
            &["multipart/alternative", "  text/plain", "  text/html"],
        ),
        (
            MessageBuilder::new()
                .text("t")
                .html("<img src=\"cid:logo@example.com\">")
                .inline(logo.clone())
                .attachment(pdf.clone()),
            &[
                "multipart/mixed",
                "  multipart/alternative",
                "    text/plain",
                "    multipart/related",
                "      text/html",
                "      image/png",
                "  application/pdf",
            ],
        ),
        (
            MessageBuilder::new().text("t").inline(logo.clone()),
            &["multipart/mixed", "  text/plain", "  image/png"],
        ),
    ];
    for (builder, expected) in cases {
        let built = builder.build().unwrap();
        let bytes = built.to_bytes().unwrap();
        check_wire(&bytes);
        let parsed = parse(bytes);
        assert_eq!(shape(&parsed), expected);
        assert!(parsed.defects().is_empty(), "{:?}", parsed.defects());
    }
    let built = MessageBuilder::new()
        .html("<img src=\"cid:logo@example.com\">")
        .inline(logo)
        .build()
        .unwrap();
    let parsed = parse(built.to_bytes().unwrap());
    let related = parsed.content_type();
    assert_eq!(related.parameter("type"), Some("text/html"));
    let image = parsed.body_parts().nth(1).unwrap();
    assert_eq!(
        image.headers().value("content-id").unwrap(),
        b" <logo@example.com>"
    );
    assert!(image.content_disposition().unwrap().is_inline());
}

#[test]
fn headers_and_generated_fields() {
    let built = MessageBuilder::new()
        .from(mailbox(Some("Alice"), "alice@example.com"))
        .to(mailbox(None, "bob@example.org"))
        .cc(mailbox(Some("Carol"), "carol@example.net"))
        .bcc(mailbox(None, "dave@example.net"))
        .reply_to(mailbox(None, "list@example.com"))
        .subject(" \tHello ")
        .header("X-Mailer", "mail-kit")
        .text("hi")
        .build()
        .unwrap();
    let parsed = parse(built.to_bytes().unwrap());
    let h = parsed.headers();
    let names: Vec<_> = h.iter().map(|f| f.name_str().to_owned()).collect();
    assert_eq!(
        names,
        [
            "From",
            "Reply-To",
            "To",
            "Cc",
            "Bcc",
            "Subject",
            "Date",
            "Message-ID",
            "X-Mailer",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding"
        ]
    );
    assert_eq!(h.subject().as_deref(), Some(" \tHello "));
    assert!(h.message_id().unwrap().as_str().ends_with("@example.com"));
    let age = std::time::SystemTime::now()
        .duration_since(h.date().unwrap().to_system_time().unwrap())
        .unwrap();
    assert!(age.as_secs() < 3600);
    assert_eq!(h.text("x-mailer").as_deref(), Some("mail-kit"));
    // Two builds never share a Message-ID.
    let other = MessageBuilder::new().build().unwrap();
    assert_ne!(other.headers().message_id(), h.message_id());
    assert!(
        other
            .headers()
            .message_id()
            .unwrap()
            .as_str()
            .ends_with("@localhost")
    );
}

#[test]
fn header_errors() {
    for name in ["Content-Type", "subject", "From"] {
        assert_eq!(
            MessageBuilder::new().header(name, "x").build().unwrap_err(),
            BuildError::ReservedHeader(name.into())
        );
    }
    assert!(matches!(
        MessageBuilder::new().header("Bad Name", "x").build(),
        Err(BuildError::Header(HeaderError::InvalidName(_)))
    ));
    let bad_type = Attachment::from_bytes("a", vec![1]).with_content_type("nonsense");
    assert_eq!(
        MessageBuilder::new()
            .attachment(bad_type)
            .build()
            .unwrap_err(),
        BuildError::ContentType("nonsense".into())
    );
    let bad_type = Attachment::from_bytes("a", vec![1]).with_content_type("a/b\r\nX: y");
    assert!(MessageBuilder::new().attachment(bad_type).build().is_err());
}

/// Security row 34: every user string with CR/LF.
#[test]
fn header_injection() {
    let sneaky_name = Mailbox {
        name: Some("Eve\r\nBcc: attacker@evil.example".into()),
        ..mailbox(None, "eve@example.com")
    };
    assert!(Mailbox::new(Some("Eve\r\nBcc: x@y"), "eve@example.com").is_err());
    let built = MessageBuilder::new()
        .from(sneaky_name.clone())
        .to(mailbox(None, "bob@example.org"))
        .subject("Hi\r\nBcc: attacker@evil.example")
        .header("X-Custom", "value\nBcc: attacker@evil.example")
        .text("body")
        .attachment(Attachment::from_bytes(
            "evil\r\nBcc: attacker@evil.example\r\n.txt",
            b"data".to_vec(),
        ))
        .outlook_file_names(true)
        .build()
        .unwrap();
    let bytes = built.to_bytes().unwrap();
    check_wire(&bytes);
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("\nBcc:"), "{text}");
    let parsed = parse(bytes);
    assert!(parsed.headers().get("bcc").is_none());
    for e in crate::model::Walk::new(parsed.root()).map(|(_, e)| e) {
        assert!(e.headers().get("bcc").is_none());
    }
    let h = parsed.headers();
    assert_eq!(
        h.subject().as_deref(),
        Some("Hi\r\nBcc: attacker@evil.example")
    );
    assert_eq!(
        h.text("x-custom").as_deref(),
        Some("value\nBcc: attacker@evil.example")
    );
    assert_eq!(h.from().0, vec![Address::Mailbox(sneaky_name)]);
    let attachment = parsed.attachments().next().unwrap();
    assert_eq!(
        attachment.filename().as_deref(),
        Some("evil\r\nBcc: attacker@evil.example\r\n.txt")
    );
}

#[test]
fn bodies_and_file_names() {
    let text = "Line one\nLine two\rLine three\r\n".to_owned() + &"x".repeat(2_000);
    let binary: Vec<u8> = (0..=255).cycle().take(10_000).collect();
    let built = MessageBuilder::new()
        .text(&text)
        .html("<p>Grüße, 日本語</p>")
        .attachment(Attachment::from_bytes(
            "Ünïcödé résumé — 2024.bin",
            binary.clone(),
        ))
        .outlook_file_names(true)
        .build()
        .unwrap();
    let bytes = built.to_bytes().unwrap();
    check_wire(&bytes);
    assert!(bytes.iter().all(|&b| b < 0x80), "7bit by default");
    let wire = String::from_utf8_lossy(&bytes);
    assert!(wire.contains("filename*0*=utf-8''"), "{wire}");
    assert!(wire.contains("name=\"=?utf-8?"), "{wire}");
    let parsed = parse(bytes);
    assert_eq!(
        parsed.text_body().unwrap(),
        "Line one\r\nLine two\r\nLine three\r\n".to_owned() + &"x".repeat(2_000)
    );
    assert_eq!(parsed.html_body().unwrap(), "<p>Grüße, 日本語</p>");
    let attachment = parsed.attachments().next().unwrap();
    assert_eq!(attachment.filename().unwrap(), "Ünïcödé résumé — 2024.bin");
    assert_eq!(attachment.decoded_body().unwrap().bytes, binary);
    // 8bit allowed: the HTML goes as is.
    let built = MessageBuilder::new()
        .html("<p>Grüße</p>")
        .constraint(TransportConstraint::EightBit)
        .build()
        .unwrap();
    assert_eq!(built.transfer_encoding().as_str(), "8bit");
}

#[test]
fn boundaries_never_occur_in_content() {
    // Parts that quote would-be boundaries still parse right.
    let tricky = format!("--{}\r\n--=_mk_\r\n", part::generate_boundary());
    let built = MessageBuilder::new()
        .text(&tricky)
        .html(&tricky)
        .attachment(Attachment::from_bytes("a.txt", tricky.clone().into_bytes()))
        .build()
        .unwrap();
    let parsed = parse(built.to_bytes().unwrap());
    assert_eq!(parsed.text_body().unwrap(), tricky);
    assert_eq!(parsed.html_body().unwrap(), tricky);
    let Body::Multipart(outer) = parsed.body() else {
        panic!("not multipart")
    };
    let Body::Multipart(inner) = outer.parts[0].entity.body() else {
        panic!()
    };
    assert_ne!(outer.boundary, inner.boundary);
}

#[test]
fn attachment_from_path() {
    let dir = std::env::temp_dir().join(format!("mk-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes.TXT");
    std::fs::write(&path, b"hello").unwrap();
    let a = Attachment::from_path(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        (a.file_name(), a.content_type()),
        ("notes.TXT", "text/plain")
    );
    assert!(Attachment::from_path(dir.join("missing")).is_err());
}

fn original() -> Message {
    parse(
        b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>, me@example.net\r\n\
          Cc: carol@example.net, Bob <BOB@example.org>\r\nReply-To: list@example.com\r\n\
          Subject: Re: Plans\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\
          Message-ID: <orig@example.com>\r\nReferences: <r1@example.com> <r2@example.com>\r\n\
          Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
          Original text\r\n--b\r\nContent-Type: application/pdf; name=x.pdf\r\n\
          Content-Disposition: attachment; filename=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n\
          JVBERg==\r\n--b--\r\n"
            .to_vec(),
    )
}

#[test]
fn reply_and_reply_all() {
    let me = mailbox(Some("Me"), "me@example.net");
    let reply = MessageBuilder::reply(&original(), me.clone(), false)
        .text("ok")
        .build()
        .unwrap();
    let h = reply.headers();
    assert_eq!(h.subject().as_deref(), Some("Re: Plans"));
    assert_eq!(h.to().to_header_string(), "list@example.com");
    assert!(h.cc().0.is_empty());
    assert_eq!(
        h.in_reply_to(),
        [MessageId::new("orig@example.com").unwrap()]
    );
    let refs: Vec<_> = h
        .references()
        .iter()
        .map(|i| i.as_str().to_owned())
        .collect();
    assert_eq!(
        refs,
        ["r1@example.com", "r2@example.com", "orig@example.com"]
    );
    let all = MessageBuilder::reply(&original(), me, true)
        .build()
        .unwrap();
    let cc: Vec<_> = all
        .headers()
        .cc()
        .mailboxes()
        .map(Mailbox::addr_spec)
        .collect();
    assert_eq!(cc, ["bob@example.org", "carol@example.net"]);
    // Without Reply-To, the reply goes to From; without References, In-Reply-To is used.
    let plain = parse(
        b"From: a@x.example\r\nSubject: Hi\r\nMessage-ID: <m2@x>\r\nIn-Reply-To: <m1@x>\r\n\r\nb"
            .to_vec(),
    );
    let r = MessageBuilder::reply(&plain, mailbox(None, "b@y.example"), false)
        .build()
        .unwrap();
    assert_eq!(r.headers().to().to_header_string(), "a@x.example");
    assert_eq!(r.headers().subject().as_deref(), Some("Re: Hi"));
    assert_eq!(r.headers().references().len(), 2);
}

#[test]
fn forward_inline_and_as_attachment() {
    let me = mailbox(None, "me@example.net");
    let orig = original();
    let fwd = MessageBuilder::forward(&orig, me.clone(), ForwardMode::Attachment)
        .unwrap()
        .to(mailbox(None, "z@example.org"))
        .text("see below")
        .build()
        .unwrap();
    let parsed = parse(fwd.to_bytes().unwrap());
    assert_eq!(
        parsed.headers().subject().as_deref(),
        Some("Fwd: Re: Plans")
    );
    assert_eq!(
        shape(&parsed)[..2],
        ["multipart/mixed".to_owned(), "  text/plain".to_owned()]
    );
    let Body::Multipart(mp) = parsed.body() else {
        panic!()
    };
    let Body::Message(inner) = mp.parts[1].entity.body() else {
        panic!("not message/rfc822")
    };
    assert_eq!(inner.to_bytes().unwrap(), orig.to_bytes().unwrap());
    let again = MessageBuilder::forward(&parsed, me.clone(), ForwardMode::Inline)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(again.headers().subject().as_deref(), Some("Fwd: Re: Plans"));
    let inline = MessageBuilder::forward(&orig, me, ForwardMode::Inline)
        .unwrap()
        .build()
        .unwrap();
    let parsed = parse(inline.to_bytes().unwrap());
    let text = parsed.text_body().unwrap();
    assert!(
        text.contains("---------- Forwarded message ----------"),
        "{text}"
    );
    assert!(
        text.contains("Subject: Re: Plans") && text.contains("Original text"),
        "{text}"
    );
    let attachment = parsed.attachments().next().unwrap();
    assert_eq!(attachment.filename().as_deref(), Some("x.pdf"));
    assert_eq!(attachment.decoded_body().unwrap().bytes, b"%PDF");
}

#[test]
fn eml_attachments_are_nested_messages() {
    let eml = b"From: a@x.example\r\nSubject: inner\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n".to_vec();
    let built = MessageBuilder::new()
        .text("see attached")
        .attachment(Attachment::from_bytes("inner.eml", eml.clone()))
        .build()
        .unwrap();
    let bytes = built.to_bytes().unwrap();
    let parsed = parse(bytes);
    let Body::Multipart(mp) = parsed.body() else {
        panic!("not multipart")
    };
    let part = &mp.parts[1].entity;
    assert_eq!(part.transfer_encoding().as_str(), "8bit");
    assert_eq!(part.filename().as_deref(), Some("inner.eml"));
    let Body::Message(inner) = part.body() else {
        panic!("not message/rfc822")
    };
    assert_eq!(inner.to_bytes().unwrap(), eml);
    assert_eq!(inner.headers().subject().as_deref(), Some("inner"));
}
