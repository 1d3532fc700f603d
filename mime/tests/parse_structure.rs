//! The whole-buffer parser on hand-written messages: the tree, the defects, byte ranges and
//! the byte-identical round trip.

use bytes::Bytes;
use mail_kit_mime::model::{Body, CloseDelimiter};
use mail_kit_mime::{Defect, Entity, Message, parse};

fn parse_round_trip(input: &[u8]) -> Message {
    let message = parse(Bytes::copy_from_slice(input));
    assert_eq!(message.to_bytes().unwrap(), input, "round trip");
    message
}

fn summary(entity: &Entity) -> Vec<String> {
    entity
        .walk()
        .map(|(depth, e)| format!("{}{}", "  ".repeat(depth), e.content_type().mime_type()))
        .collect()
}

#[test]
fn simple_text_message() {
    let m = parse_round_trip(b"From: a@b\r\nSubject: hi\r\n there\r\n\r\nHello\r\nworld\r\n");
    assert_eq!(m.headers().len(), 2);
    assert_eq!(m.headers().value("SUBJECT").unwrap(), b" hi\r\n there");
    assert_eq!(m.text_body().as_deref(), Some("Hello\r\nworld\r\n"));
    assert!(m.defects().is_empty());
    let r = m.ranges().unwrap();
    assert_eq!((r.header_start, r.body_start, r.end), (0, 34, 48));
}

#[test]
fn multipart_alternative_with_preamble_and_epilogue() {
    let input = b"Content-Type: multipart/alternative; boundary=\"b1\"\n\nThis is a preamble\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n--b1\nContent-Type: text/html\n\n<p>x</p>\n--b1--\nepilogue\n";
    let m = parse_round_trip(input);
    assert_eq!(
        summary(&m),
        ["multipart/alternative", "  text/plain", "  text/html"]
    );
    let Body::Multipart(mp) = m.body() else {
        panic!("not multipart")
    };
    assert_eq!(mp.boundary, "b1");
    assert_eq!(mp.preamble.bytes().unwrap(), &b"This is a preamble"[..]);
    assert_eq!(mp.epilogue.bytes().unwrap(), &b"\nepilogue\n"[..]);
    assert!(matches!(mp.close, CloseDelimiter::Raw(ref r) if r == &b"\n--b1--"[..]));
    assert_eq!(m.text_body().as_deref(), Some("caf\u{e9}"));
    assert_eq!(m.html_body().as_deref(), Some("<p>x</p>"));
    assert!(m.defects().is_empty());
}

#[test]
fn nested_message_and_attachment() {
    let input = b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n\r\nbody\r\n--X\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--X\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n--X--\r\n";
    let m = parse_round_trip(input);
    assert_eq!(
        summary(&m),
        [
            "multipart/mixed",
            "  text/plain",
            "  message/rfc822",
            "    text/plain",
            "  application/pdf"
        ]
    );
    let attachments: Vec<_> = m.attachments().collect();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename().as_deref(), Some("a.pdf"));
    assert_eq!(attachments[0].decoded_body().unwrap().bytes, b"Hello");
    assert_eq!(m.text_body().as_deref(), Some("body"));
}

#[test]
fn prefix_boundary_is_not_a_delimiter() {
    let input =
        b"Content-Type: multipart/mixed; boundary=B1\n\n--B1\n\nA\n--B10\nstill A\n--B1--\n";
    let m = parse_round_trip(input);
    let Body::Multipart(mp) = m.body() else {
        panic!()
    };
    assert_eq!(mp.parts.len(), 1);
    assert_eq!(
        mp.parts[0].entity.body(),
        &Body::Leaf(mail_kit_mime::BodyData::Bytes(Bytes::from_static(
            b"A\n--B10\nstill A"
        )))
    );
}

#[test]
fn missing_close_and_missing_separator() {
    let input = b"Content-Type: multipart/mixed; boundary=q\n\n--q\nnot a header line\n--q\nContent-Type: text/plain\n";
    let m = parse_round_trip(input);
    assert_eq!(m.defects(), [Defect::MissingClosingBoundary]);
    let Body::Multipart(mp) = m.body() else {
        panic!()
    };
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(
        mp.parts[0].entity.defects(),
        [Defect::MissingHeaderBodySeparator]
    );
}

#[test]
fn modified_headers_are_written_canonically_and_checked() {
    let mut m = parse(&b"Subject: old\nX-A: 1\n\nbody"[..]);
    m.headers_mut().fields_mut()[0].set_value(" new subject");
    assert_eq!(
        m.to_bytes().unwrap(),
        b"Subject: new subject\r\nX-A: 1\n\r\nbody"
    );
    m.headers_mut().fields_mut()[0].set_value("x\r\nBcc: victim@example.org");
    assert!(m.to_bytes().is_err());
}

#[test]
fn forwarded_message_is_an_attachment_and_not_entered() {
    let input = b"Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain\n\nsee attached\n--X\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\nSubject: inner\nContent-Type: text/html\n\n<p>inner</p>\n--X--\n";
    let m = parse_round_trip(input);
    let parts: Vec<_> = m
        .body_parts()
        .map(|e| e.content_type().mime_type())
        .collect();
    assert_eq!(parts, ["text/plain", "message/rfc822"]);
    let attachments: Vec<_> = m.attachments().collect();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename().as_deref(), Some("fwd.eml"));
    assert_eq!(
        m.html_body(),
        None,
        "the forwarded message's HTML is not this message's"
    );
    assert_eq!(m.text_body().as_deref(), Some("see attached"));
}

#[test]
fn content_type_follows_header_changes() {
    let mut m = parse(&b"Content-Type: text/plain\n\nbody"[..]);
    assert_eq!(m.content_type().mime_type(), "text/plain");
    m.headers_mut()
        .set_structured("Content-Type", "text/html; charset=utf-8")
        .unwrap();
    assert_eq!(m.content_type().mime_type(), "text/html");
    assert_eq!(m.text_body(), None);
    assert_eq!(m.html_body().as_deref(), Some("body"));
}
