use super::*;
use crate::encoding::ContentTransferEncoding;
use crate::model::Entity;
use crate::parse;

const SEVEN: ServerSupport = ServerSupport {
    body: TransportConstraint::SevenBit,
    smtp_utf8: false,
};
const EIGHT: ServerSupport = ServerSupport {
    body: TransportConstraint::EightBit,
    smtp_utf8: false,
};
const BINARY: ServerSupport = ServerSupport {
    body: TransportConstraint::Binary,
    smtp_utf8: true,
};

fn message(text: &str) -> Message {
    parse(Bytes::from(text.replace('\n', "\r\n")))
}

#[test]
fn envelope_from_sender_or_from_and_every_recipient_once() {
    let m = message(
        "From: Alice <alice@example.org>\nSender: secretary@example.org\n\
         To: Bob <bob@example.org>, team: carol@example.org, BOB@example.org;\n\
         Cc: dave@example.org\nBcc: eve@example.org\n\nhi\n",
    );
    let env = envelope(&m).unwrap();
    assert_eq!(env.from, "secretary@example.org");
    assert_eq!(
        env.recipients,
        [
            "bob@example.org",
            "carol@example.org",
            "dave@example.org",
            "eve@example.org"
        ]
    );
    let m = message("From: Alice <alice@example.org>\nTo: bob@example.org\n\nhi\n");
    assert_eq!(envelope(&m).unwrap().from, "alice@example.org");
}

#[test]
fn resent_fields_take_over() {
    let m = message(
        "Resent-From: forwarder@example.org\nResent-To: new@example.org\n\
         Resent-Bcc: hidden@example.org\nReceived: by x; Fri, 4 Dec 2026 18:00:00 +0000\n\
         Resent-From: older@example.org\nResent-To: old@example.org\n\
         From: alice@example.org\nTo: bob@example.org\n\nhi\n",
    );
    let env = envelope(&m).unwrap();
    assert_eq!(env.from, "forwarder@example.org");
    assert_eq!(env.recipients, ["new@example.org", "hidden@example.org"]);
    let prepared = prepare(&m, EIGHT).unwrap();
    assert!(
        !prepared
            .bytes
            .windows(11)
            .any(|w| w.eq_ignore_ascii_case(b"resent-bcc:"))
    );
}

#[test]
fn missing_sender_or_recipients_are_errors() {
    assert_eq!(
        envelope(&message("To: b@example.org\n\nx\n")),
        Err(PrepareError::NoSender)
    );
    assert_eq!(
        envelope(&message(
            "From: a@example.org\nTo: undisclosed-recipients:;\n\nx\n"
        )),
        Err(PrepareError::NoRecipients)
    );
}

#[test]
fn bcc_is_removed_and_the_rest_is_byte_identical() {
    let original = "From: a@example.org\r\nTo: b@example.org\r\nBcc: secret@example.org,\r\n \
                    other@example.org\r\nSubject: s\r\n\r\nbody\r\n";
    let m = parse(Bytes::from(original));
    let prepared = prepare(&m, SEVEN).unwrap();
    assert_eq!(
        &prepared.bytes[..],
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n\r\nbody\r\n"
    );
    assert!(!prepared.reencoded);
    // Without Bcc: the very same bytes.
    let plain = "From: a@example.org\r\nTo: b@example.org\r\n\r\nbody\n";
    assert_eq!(
        &prepare(&parse(Bytes::from(plain)), SEVEN).unwrap().bytes[..],
        plain.as_bytes()
    );
}

const EIGHT_BIT: &str = "From: a@example.org\nTo: b@example.org\nMIME-Version: 1.0\n\
    Content-Type: multipart/mixed; boundary=b\n\n--b\n\
    Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
    Caf\u{e9} cr\u{e8}me\n--b\nContent-Type: application/octet-stream\n\n\
    binary\u{0}here\n--b--\n";

#[test]
fn body_type_follows_the_content_when_the_server_can_take_it() {
    let m = message(EIGHT_BIT);
    let prepared = prepare(&m, BINARY).unwrap();
    assert_eq!(prepared.body, TransportConstraint::Binary);
    assert!(!prepared.reencoded);
    assert_eq!(
        &prepared.bytes[..],
        EIGHT_BIT.replace('\n', "\r\n").as_bytes()
    );
    let text_only = message("From: a@example.org\nTo: b@example.org\n\nCaf\u{e9}\n");
    assert_eq!(
        prepare(&text_only, EIGHT).unwrap().body,
        TransportConstraint::EightBit
    );
    assert_eq!(
        prepare(&text_only, EIGHT).unwrap().bytes,
        text_only.to_bytes().unwrap()
    );
}

#[test]
fn parts_are_reencoded_only_as_far_as_the_server_needs() {
    let m = message(EIGHT_BIT);
    // 8BITMIME without BINARYMIME: only the binary part becomes base64.
    let prepared = prepare(&m, EIGHT).unwrap();
    assert!(prepared.reencoded);
    assert_eq!(prepared.body, TransportConstraint::EightBit);
    let reparsed = parse(prepared.bytes.clone());
    let leaves: Vec<&Entity> = reparsed.body_parts().collect();
    assert_eq!(
        leaves[0].transfer_encoding(),
        ContentTransferEncoding::EightBit
    );
    assert_eq!(
        leaves[1].transfer_encoding(),
        ContentTransferEncoding::Base64
    );
    assert_eq!(leaves[1].decoded_body().unwrap().bytes, b"binary\0here");
    // 7-bit only: the text is re-encoded (base64 here: too many of its bytes would need
    // quoted-printable escapes) and reads back the same.
    let prepared = prepare(&m, SEVEN).unwrap();
    assert_eq!(prepared.body, TransportConstraint::SevenBit);
    assert!(prepared.bytes.is_ascii());
    let reparsed = parse(prepared.bytes.clone());
    let text = reparsed.body_parts().next().unwrap();
    assert_eq!(text.transfer_encoding(), ContentTransferEncoding::Base64);
    assert_eq!(text.text().unwrap().0, "Caf\u{e9} cr\u{e8}me");
}

#[test]
fn signed_messages_are_never_reencoded() {
    for field in ["DKIM-Signature", "ARC-Seal"] {
        let signed = format!("{field}: v=1; d=example.org; b=abc\n{EIGHT_BIT}");
        let m = message(&signed);
        assert_eq!(prepare(&m, SEVEN), Err(PrepareError::Signed { field }));
        assert_eq!(prepare(&m, EIGHT), Err(PrepareError::Signed { field }));
        // A server that takes the content as it is: sent untouched.
        assert_eq!(prepare(&m, BINARY).unwrap().bytes, m.to_bytes().unwrap());
    }
}

#[test]
fn utf8_headers_need_smtputf8() {
    let m = message("From: J\u{f6}rg <j@example.org>\nTo: b@example.org\n\nx\n");
    assert_eq!(prepare(&m, EIGHT), Err(PrepareError::NeedsSmtpUtf8));
    let prepared = prepare(&m, BINARY).unwrap();
    assert!(prepared.smtp_utf8);
}
