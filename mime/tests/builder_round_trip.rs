//! quickcheck: build → serialize → parse gives the same model (subject, addresses, body
//! texts, attachment names and bytes, tree shape), and the wire form keeps the line rules.

use mail_kit_mime::builder::{Attachment, MessageBuilder};
use mail_kit_mime::encoding::TransportConstraint;
use mail_kit_mime::header::address::{Address, AddressList, Mailbox};
use mail_kit_mime::header::msg_id::MessageId;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

#[derive(Debug, Clone)]
struct Input {
    subject: String,
    from: (String, String),
    to: Vec<(String, String)>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<Vec<u8>>,
    attachments: Vec<(String, Vec<u8>)>,
    constraint: u8,
    outlook: bool,
}

fn local(g: &mut Gen) -> String {
    let n = 1 + usize::arbitrary(g) % 10;
    (0..n)
        .map(|_| *g.choose(b"abcxyz0189.-_+").unwrap() as char)
        .collect::<String>()
        .trim_matches('.')
        .replace("..", ".")
        .chars()
        .chain(std::iter::once('q'))
        .collect()
}

fn text(g: &mut Gen) -> String {
    const PIECES: &[&str] = &[
        " ", "\r\n", "\n", "\r", "--", "=", "é", "日本", "😀", ".", "From ", "\t", "a", "word",
    ];
    let n = usize::arbitrary(g) % 60;
    let mut s = String::new();
    for _ in 0..n {
        match u8::arbitrary(g) % 3 {
            0 => s.push_str(g.choose(PIECES).unwrap()),
            1 => s.push(char::arbitrary(g)),
            _ => s.push_str(&"long".repeat(usize::arbitrary(g) % 300)),
        }
    }
    s
}

impl Arbitrary for Input {
    fn arbitrary(g: &mut Gen) -> Self {
        let small = |g: &mut Gen| usize::arbitrary(g) % 3;
        Input {
            subject: text(g),
            from: (String::arbitrary(g), local(g)),
            to: (0..1 + small(g))
                .map(|_| (String::arbitrary(g), local(g)))
                .collect(),
            text: bool::arbitrary(g).then(|| text(g)),
            html: bool::arbitrary(g).then(|| text(g)),
            inline: (0..small(g)).map(|_| Vec::arbitrary(g)).collect(),
            attachments: (0..small(g))
                .map(|_| (String::arbitrary(g), Vec::arbitrary(g)))
                .collect(),
            constraint: u8::arbitrary(g) % 3,
            outlook: bool::arbitrary(g),
        }
    }
}

fn mailbox(name: &str, local: &str) -> Option<Mailbox<'static>> {
    Mailbox::new(Some(name), &format!("{local}@example.com")).ok()
}

fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// The tree the builder should make.
fn expected_shape(input: &Input) -> Vec<String> {
    let mut body = Vec::new();
    let html = input.html.as_ref().map(|_| {
        if input.inline.is_empty() {
            vec!["text/html".to_owned()]
        } else {
            let mut v = vec!["multipart/related".to_owned(), "  text/html".to_owned()];
            v.extend(input.inline.iter().map(|_| "  image/png".to_owned()));
            v
        }
    });
    match (&input.text, html) {
        (Some(_), Some(h)) => {
            body.push("multipart/alternative".to_owned());
            body.push("  text/plain".to_owned());
            body.extend(h.into_iter().map(|l| format!("  {l}")));
        }
        (None, Some(h)) => body = h,
        _ => body.push("text/plain".to_owned()),
    }
    let loose_inline = if input.html.is_none() {
        input.inline.len()
    } else {
        0
    };
    if loose_inline + input.attachments.len() == 0 {
        return body;
    }
    let mut tree = vec!["multipart/mixed".to_owned()];
    tree.extend(body.into_iter().map(|l| format!("  {l}")));
    tree.extend((0..loose_inline).map(|_| "  image/png".to_owned()));
    tree.extend(input.attachments.iter().map(|(name, _)| {
        format!(
            "  {}",
            mail_kit_mime::guess::content_type_for_file_name(name)
        )
    }));
    tree
}

fn prop(input: Input) -> TestResult {
    let (Some(from), Some(to)) = (
        mailbox(&input.from.0, &input.from.1),
        input
            .to
            .iter()
            .map(|(n, l)| mailbox(n, l))
            .collect::<Option<Vec<_>>>(),
    ) else {
        return TestResult::discard();
    };
    let constraint = [
        TransportConstraint::SevenBit,
        TransportConstraint::EightBit,
        TransportConstraint::Binary,
    ][usize::from(input.constraint)];
    let mut builder = MessageBuilder::new()
        .from(from.clone())
        .subject(&input.subject)
        .constraint(constraint)
        .outlook_file_names(input.outlook);
    for m in &to {
        builder = builder.to(m.clone());
    }
    if let Some(t) = &input.text {
        builder = builder.text(t);
    }
    if let Some(h) = &input.html {
        builder = builder.html(h);
    }
    for (k, data) in input.inline.iter().enumerate() {
        let cid = MessageId::new(&format!("img{k}@example.com")).unwrap();
        builder = builder.inline(
            Attachment::from_bytes(&format!("i{k}.png"), data.clone()).with_content_id(cid),
        );
    }
    for (name, data) in &input.attachments {
        builder = builder.attachment(Attachment::from_bytes(name, data.clone()));
    }
    let built = builder.build().unwrap();
    let bytes = built.to_bytes().unwrap();
    // Wire rules: CRLF only, lines ≤ 998 (unless binary is allowed); 7bit means no 8-bit
    // byte.
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(bytes[i - 1], b'\r', "bare LF");
        }
    }
    if constraint != TransportConstraint::Binary {
        assert!(bytes.split(|&b| b == b'\n').all(|l| l.len() <= 999));
    }
    if constraint == TransportConstraint::SevenBit {
        assert!(bytes.iter().all(|&b| b < 0x80 && b != 0));
    }
    let parsed = mail_kit_mime::parse(bytes.clone());
    let h = parsed.headers();
    assert_eq!(h.subject().as_deref(), Some(input.subject.as_str()));
    assert_eq!(h.from(), AddressList(vec![Address::Mailbox(from)]));
    assert_eq!(
        h.to(),
        AddressList(to.into_iter().map(Address::Mailbox).collect())
    );
    let shape: Vec<String> = parsed
        .walk()
        .map(|(d, e)| format!("{}{}", "  ".repeat(d), e.content_type().mime_type()))
        .collect();
    assert_eq!(shape, expected_shape(&input));
    let text = match (&input.text, &input.html) {
        (Some(t), _) => Some(crlf(t)),
        (None, None) => Some(String::new()),
        (None, Some(_)) => None,
    };
    assert_eq!(parsed.text_body(), text);
    assert_eq!(parsed.html_body(), input.html.as_deref().map(crlf));
    // Attachments (inline resources have an `inline` disposition and are not among them).
    let attachments: Vec<(Option<String>, Vec<u8>)> = parsed
        .attachments()
        .map(|e| (e.filename(), e.decoded_body().unwrap().bytes))
        .collect();
    let expected: Vec<(Option<String>, Vec<u8>)> = input
        .attachments
        .iter()
        .map(|(n, d)| ((!n.is_empty()).then(|| n.clone()), d.clone()))
        .collect();
    assert_eq!(attachments, expected);
    let inline: Vec<Vec<u8>> = parsed
        .walk()
        .filter(|(_, e)| e.content_type().is("image", "png"))
        .map(|(_, e)| e.decoded_body().unwrap().bytes)
        .collect();
    assert_eq!(inline, input.inline);
    // Unmodified, the parsed message writes back byte for byte.
    assert_eq!(parsed.to_bytes().unwrap(), bytes);
    TestResult::passed()
}

#[test]
fn quickcheck_build_serialize_parse() {
    QuickCheck::new()
        .tests(150)
        .quickcheck(prop as fn(Input) -> TestResult);
}
