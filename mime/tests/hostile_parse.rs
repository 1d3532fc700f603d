//! Hostile inputs for the parser (security cases, section E, rows 51–60).
//!
//! Each test bounds CPU by construction (inputs of millions of bytes parsed in linear time, so
//! the test finishes in well under the per-test budget of a debug build) and memory by
//! assertion: the model holds at most the limit's worth of entities or fields, and the
//! streaming parser never buffers more than one header block (or one delimiter line) plus the
//! chunk just fed. No test may panic or overflow the stack.

use bytes::Bytes;
use mail_kit_mime::encoding::base64;
use mail_kit_mime::header::address::parse_address_list;
use mail_kit_mime::header::encoded_word;
use mail_kit_mime::header::rfc2231::ParameterDefect;
use mail_kit_mime::parser::StreamParser;
use mail_kit_mime::{Body, Defect, Entity, Limits, Message, parse, parse_with};

/// Streams `input` in `chunk`-byte pieces, taking every event; returns the number of events
/// and the most bytes the parser held after taking the events of a chunk.
fn stream(input: &[u8], chunk: usize, limits: &Limits) -> (usize, usize) {
    let mut parser = StreamParser::with_limits(limits);
    let (mut events, mut held) = (0, 0);
    for piece in input.chunks(chunk) {
        parser.feed(piece);
        while parser.next_event().is_some() {
            events += 1;
        }
        held = held.max(parser.buffered());
    }
    parser.finish();
    while parser.next_event().is_some() {
        events += 1;
    }
    assert!(parser.is_done());
    (events, held)
}

/// The whole-buffer parse, checked to round-trip, and the streaming parse, checked to stay in
/// bounded memory.
fn parse_checked(input: &[u8], limits: &Limits) -> Message {
    let message = parse_with(Bytes::copy_from_slice(input), limits);
    assert!(message.to_bytes().unwrap() == input, "round trip");
    let chunk = 64 * 1024;
    let (_, held) = stream(input, chunk, limits);
    assert!(
        held <= limits.max_header_bytes + limits.max_boundary_length + 8,
        "streaming held {held} bytes"
    );
    message
}

fn max_depth(entity: &Entity) -> usize {
    entity.walk().map(|(d, _)| d).max().unwrap_or(0)
}

#[test]
fn row51_deep_multipart_nesting() {
    let mut input = Vec::new();
    for n in 0..10_000 {
        input.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{n}\r\n\r\n--b{n}\r\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"\r\nleaf\r\n");
    let m = parse_checked(&input, &Limits::default());
    assert_eq!(max_depth(&m), 100);
    let deepest = m.walk().last().unwrap().1;
    assert_eq!(deepest.defects(), [Defect::DepthLimit { limit: 100 }]);
    assert!(matches!(deepest.body(), Body::Leaf(_)));
    assert_eq!(m.walk().count(), 101);
}

#[test]
fn row52_a_million_parts() {
    let mut input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
    for _ in 0..1_000_000 {
        input.extend_from_slice(b"--b\r\n\r\n");
    }
    let m = parse_checked(&input, &Limits::default());
    let Body::Multipart(mp) = m.body() else {
        panic!("not a multipart")
    };
    // The root counts: 9,999 parts make 10,000 entities.
    assert_eq!(mp.parts.len(), 9_999);
    assert_eq!(m.defects(), [Defect::TooManyParts { limit: 10_000 }]);
    // The rest, from the delimiter that would have opened part 10,000, is the epilogue.
    assert_eq!(mp.epilogue.len(), (1_000_000 - 9_999) * 7);
}

#[test]
fn row53_many_header_lines_in_linear_time() {
    let mut input = Vec::new();
    for _ in 0..500_000 {
        input.extend_from_slice(b"To: a@b\r\n");
    }
    input.extend_from_slice(b"\r\nbody");
    let m = parse_checked(&input, &Limits::default());
    assert_eq!(m.headers().len(), 10_000);
    assert_eq!(m.defects(), [Defect::TooManyHeaders { limit: 10_000 }]);
    let roomy = Limits {
        max_headers: 1_000_000,
        max_header_bytes: 8 << 20,
        ..Limits::default()
    };
    let m = parse_checked(&input, &roomy);
    assert_eq!(m.headers().len(), 500_000);
    assert_eq!(m.headers().get_all("to").count(), 500_000);
    assert!(m.defects().is_empty());
    assert_eq!(m.text_body().as_deref(), Some("body"));
}

#[test]
fn row54_fifty_megabyte_folded_header() {
    let mut input = b"Subject: a".to_vec();
    input.reserve(50 << 20);
    while input.len() < 50 << 20 {
        input.extend_from_slice(b"\r\n a");
    }
    input.extend_from_slice(b"\r\n\r\nbody\r\n");
    let m = parse_with(Bytes::from(input.clone()), &Limits::default());
    assert!(m.headers().is_empty());
    assert_eq!(
        m.defects(),
        [Defect::HeaderBlockTooLarge { limit: 1 << 20 }]
    );
    assert_eq!(m.to_bytes().unwrap().len(), input.len());
    let (_, held) = stream(&input, 1 << 20, &Limits::default());
    assert!(held <= 2 << 20, "held {held}");
}

#[test]
fn row55_rfc2231_parameter_bomb() {
    let mut input = b"Content-Type: text/plain".to_vec();
    for i in 0..50_000 {
        input.extend_from_slice(format!(";\r\n p*{i}=a").as_bytes());
    }
    input.extend_from_slice(b"\r\n\r\nbody");
    let m = parse_checked(&input, &Limits::default());
    assert!(
        m.defects()
            .contains(&Defect::Parameter(ParameterDefect::TooManyParameters {
                limit: 1_000
            }))
    );
    let ct = m.content_type();
    assert_eq!(ct.parameter("p").map(str::len), Some(1_000));
    // A sparse index is never used to allocate.
    let m = parse_checked(
        b"Content-Type: text/plain; p*4000000000*=x; p*0=y; p*99999999999999999999=z\r\n\r\n",
        &Limits::default(),
    );
    assert!(m.content_type().parameter("p").unwrap().len() <= 2);
}

#[test]
fn row56_encoded_word_bomb() {
    let mut input = b"Subject:".to_vec();
    for _ in 0..200_000 {
        input.extend_from_slice(b" =?utf-8?q?a?=");
    }
    input.extend_from_slice(b"\r\n\r\n");
    let roomy = Limits {
        max_header_bytes: 4 << 20,
        ..Limits::default()
    };
    let m = parse_checked(&input, &roomy);
    let decoded = encoded_word::decode(m.headers().value("subject").unwrap());
    // Adjacent words join; the decoder's caps bound the output.
    assert!(decoded.text.trim_start().starts_with("aaaaaaaa"));
    assert!(decoded.text.len() <= 1 << 20);
    // With the default header limit the field does not fit at all.
    let m = parse(input);
    assert_eq!(
        m.defects(),
        [Defect::HeaderBlockTooLarge { limit: 1 << 20 }]
    );
}

#[test]
fn row57_nested_message_bombs() {
    // 1,000 levels of plain message/rfc822: capped at depth 100.
    let mut input = Vec::new();
    for _ in 0..1_000 {
        input.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    input.extend_from_slice(b"Subject: core\r\n\r\ncore\r\n");
    let m = parse_checked(&input, &Limits::default());
    assert_eq!(max_depth(&m), 100);
    // Base64 inside base64: each level is an opaque leaf until the caller decodes it, one
    // bounded step at a time.
    let mut message = b"Subject: core\r\n\r\ncore\r\n".to_vec();
    for _ in 0..30 {
        let mut outer =
            b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
        outer.extend_from_slice(&base64::encode(&message));
        message = outer;
    }
    let mut current = parse(message);
    let mut levels = 0;
    while current.content_type().is_message() {
        assert!(
            matches!(current.body(), Body::Leaf(_)),
            "a base64 message is a leaf"
        );
        current = parse(current.decoded_body().unwrap().bytes);
        levels += 1;
    }
    assert_eq!(levels, 30);
    assert_eq!(current.text_body().as_deref(), Some("core\r\n"));
}

#[test]
fn row58_nested_comments() {
    let depth = 100_000;
    let mut from = "(".repeat(depth);
    from += &")".repeat(depth);
    let input = format!(
        "From: {from} <a@b>\r\nContent-Type: {from} text/html {from}; charset=utf-8\r\n\r\n<p>"
    );
    let m = parse_checked(input.as_bytes(), &Limits::default());
    assert!(m.content_type().is("text", "html"));
    let addresses = parse_address_list(m.headers().value("from").unwrap());
    assert!(addresses.addresses.mailboxes().count() <= 1);
}

#[test]
fn row57_59_base64_and_quoted_printable_garbage() {
    let garbage: &[(&str, &[u8])] = &[
        ("base64", b"QUJD!!!@@@====\r\nQQ"),
        ("base64", b"QU JD\r\nRA=\r\nx"),
        ("base64", b"="),
        ("quoted-printable", b"=G1 and ="),
    ];
    for (cte, body) in garbage {
        let mut input =
            format!("Content-Type: text/plain\r\nContent-Transfer-Encoding: {cte}\r\n\r\n")
                .into_bytes();
        input.extend_from_slice(body);
        let m = parse_checked(&input, &Limits::default());
        let (_, defects) = m.text().unwrap();
        assert_eq!(
            defects,
            [Defect::BadTransferEncoding {
                encoding: cte.to_string()
            }],
            "{cte} {body:?}"
        );
    }
    // A soft break at the very end is no defect.
    let m = parse_checked(
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\na=\r\n",
        &Limits::default(),
    );
    assert_eq!(m.text().unwrap(), ("a".to_string(), vec![]));
    let mut soft = b"Content-Transfer-Encoding: quoted-printable\r\n\r\n".to_vec();
    for _ in 0..100_000 {
        soft.extend_from_slice(b"=\r\n");
    }
    soft.extend_from_slice(b"end");
    let m = parse_checked(&soft, &Limits::default());
    assert_eq!(m.text_body().as_deref(), Some("end"));
}

#[test]
fn row59_boundary_edge_cases() {
    let limits = Limits::default();
    // An empty boundary: a leaf.
    let m = parse_checked(
        b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nx\r\n----\r\n",
        &limits,
    );
    assert!(matches!(m.body(), Body::Leaf(_)));
    assert_eq!(m.defects(), [Defect::MissingBoundaryParameter]);
    // A 5,000-character boundary: over the limit, a leaf; under a raised limit, parsed.
    let b = "x".repeat(5_000);
    let input = format!(
        "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n\r\npart\r\n--{b}--\r\n"
    );
    let m = parse_checked(input.as_bytes(), &limits);
    assert!(
        m.defects()
            .contains(&Defect::BoundaryTooLong { limit: 2_048 })
    );
    assert!(matches!(m.body(), Body::Leaf(_)));
    let roomy = Limits {
        max_boundary_length: 8_000,
        ..Limits::default()
    };
    let m = parse_checked(input.as_bytes(), &roomy);
    let Body::Multipart(mp) = m.body() else {
        panic!("not a multipart")
    };
    assert_eq!(mp.parts.len(), 1);
    // The prefix rule: --B10 is content of a B1 multipart, and B10's own lines inside it.
    let input = b"Content-Type: multipart/mixed; boundary=B1\r\n\r\n--B1\r\nContent-Type: multipart/mixed; boundary=B10\r\n\r\n--B10\r\n\r\ninner\r\n--B10--\r\n--B1--\r\n";
    let m = parse_checked(input, &limits);
    let tree: Vec<_> = m
        .walk()
        .map(|(d, e)| (d, e.content_type().mime_type()))
        .collect();
    assert_eq!(
        tree,
        [
            (0, "multipart/mixed".into()),
            (1, "multipart/mixed".into()),
            (2, "text/plain".into())
        ]
    );
    assert!(m.walk().all(|(_, e)| e.defects().is_empty()));
    // Cut anywhere, even mid-boundary: no panic, a round trip, and a flagged partial result.
    for cut in 0..input.len() {
        let m = parse_checked(&input[..cut], &limits);
        if cut > 60 && cut < input.len() - 10 {
            assert!(
                m.walk()
                    .any(|(_, e)| e.defects().contains(&Defect::MissingClosingBoundary)),
                "cut at {cut}"
            );
        }
    }
}
