//! `send_message`: a parsed message sent through the SMTP machine with the transaction
//! [`transaction_for_message`] derives from the capabilities the server announced — envelope,
//! `Bcc` removed, `BODY=` / `SMTPUTF8` choices, re-encoding, and the refusal to re-encode a
//! DKIM- or ARC-signed message.

use bytes::Bytes;
use mail_kit::Error;
use mail_kit::smtp::transaction_for_message;
use mail_kit_core::TlsPolicy;
use mail_kit_core::smtp::{Command, Event, SmtpClient};
use mail_kit_mime::submission::PrepareError;
use mail_kit_mime::{Message, parse};
use mail_kit_tests::smtp_peer::{ClientUnit, Conversation, accepting, converse, show};
use mail_kit_tests::transcripts::config;

const GREETING: &[u8] = b"220 mx.example.org ESMTP\r\n";
const SEVEN: &str = "250-mx.example.org\n250 PIPELINING\n";
const EIGHT: &str = "250-mx.example.org\n250-PIPELINING\n250 8BITMIME\n";
const BINARY: &str =
    "250-mx.example.org\n250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250 SMTPUTF8\n";

/// A mixed message: 8-bit text and a part with a NUL, a Bcc recipient.
const MIXED: &str = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n\
    Bcc: Carol <carol@example.org>\r\nSubject: report\r\nMIME-Version: 1.0\r\n\
    Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
    Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
    Gr\u{fc}\u{df}e\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nA\0B\r\n--b--\r\n";

/// Sends `message` to a server announcing `ehlo`; returns the conversation and the result of
/// building the transaction.
fn send(ehlo: &'static str, message: &Message) -> (Conversation, Option<Result<(), Error>>) {
    let mut smtp = SmtpClient::new(config(TlsPolicy::None));
    let mut built = None;
    let conversation = converse(&mut smtp, GREETING, accepting(ehlo), |q, event| {
        if matches!(event, Event::Ready { .. }) {
            let caps = q
                .machine()
                .capabilities()
                .expect("capabilities after EHLO")
                .clone();
            match transaction_for_message(message, &caps) {
                Ok(tx) => {
                    q.command(Command::Send(tx)).expect("enqueued");
                    built = Some(Ok(()));
                }
                Err(e) => built = Some(Err(e)),
            }
        }
    });
    (conversation, built)
}

fn lines(c: &Conversation) -> Vec<String> {
    c.units
        .iter()
        .filter_map(|u| u.line())
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect()
}

/// The message content as sent (DATA unstuffed and without its terminator, or BDAT chunks).
fn content(c: &Conversation) -> Vec<u8> {
    let mut out = Vec::new();
    for unit in &c.units {
        match unit {
            ClientUnit::Content(data) => {
                let data = data.strip_suffix(b".\r\n").expect("terminator");
                for line in data.split_inclusive(|&b| b == b'\n') {
                    out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
                }
            }
            ClientUnit::Bdat { chunk, .. } => out.extend_from_slice(chunk),
            ClientUnit::Line(_) => {}
        }
    }
    out
}

fn without_bcc(message: &str) -> String {
    message.replace("Bcc: Carol <carol@example.org>\r\n", "")
}

#[test]
fn binarymime_server_gets_the_message_untouched_but_for_bcc() {
    let message = parse(Bytes::from(MIXED));
    let (c, built) = send(BINARY, &message);
    assert!(matches!(built, Some(Ok(()))), "{:?}", c.error);
    let lines = lines(&c);
    assert!(
        lines.iter().any(
            |l| l.starts_with("MAIL FROM:<alice@example.org>") && l.contains("BODY=BINARYMIME")
        ),
        "{lines:?}"
    );
    for rcpt in ["RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.org>"] {
        assert!(lines.iter().any(|l| l == rcpt), "{rcpt} in {lines:?}");
    }
    assert_eq!(show(&content(&c)), show(without_bcc(MIXED).as_bytes()));
}

#[test]
fn eightbitmime_server_gets_the_binary_part_in_base64() {
    let message = parse(Bytes::from(MIXED));
    let (c, built) = send(EIGHT, &message);
    assert!(matches!(built, Some(Ok(()))));
    let lines = lines(&c);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("MAIL FROM:") && l.contains("BODY=8BITMIME")),
        "{lines:?}"
    );
    let sent = parse(Bytes::from(content(&c)));
    assert!(sent.headers().get("bcc").is_none());
    let parts: Vec<_> = sent.body_parts().collect();
    assert_eq!(parts[0].text().unwrap().0, "Gr\u{fc}\u{df}e");
    assert_eq!(parts[1].transfer_encoding().as_str(), "base64");
    assert_eq!(parts[1].decoded_body().unwrap().bytes, b"A\0B");
}

#[test]
fn seven_bit_server_gets_re_encoded_text_and_no_body_parameter() {
    let message = parse(Bytes::from(MIXED));
    let (c, built) = send(SEVEN, &message);
    assert!(matches!(built, Some(Ok(()))));
    let lines = lines(&c);
    let mail = lines.iter().find(|l| l.starts_with("MAIL FROM:")).unwrap();
    assert!(!mail.contains("BODY="), "{mail}");
    let sent = content(&c);
    assert!(sent.is_ascii());
    let sent = parse(Bytes::from(sent));
    let text = sent.body_parts().next().unwrap();
    // Re-encoded as `choose_encoding` picks for these bytes: base64, since quoted-printable
    // would escape a third of them.
    assert_eq!(text.transfer_encoding().as_str(), "base64");
    assert_eq!(text.text().unwrap().0, "Gr\u{fc}\u{df}e");
}

#[test]
fn utf8_headers_use_smtputf8() {
    let message = parse(Bytes::from(
        "From: J\u{f6}rg <jorg@example.org>\r\nTo: bob@example.org\r\nSubject: gr\u{fc}\u{df}e\r\n\r\nhi\r\n",
    ));
    let (c, built) = send(BINARY, &message);
    assert!(matches!(built, Some(Ok(()))));
    assert!(
        lines(&c)
            .iter()
            .any(|l| l.starts_with("MAIL FROM:") && l.contains("SMTPUTF8"))
    );
    let (c, built) = send(EIGHT, &message);
    assert!(matches!(
        built,
        Some(Err(Error::Message(PrepareError::NeedsSmtpUtf8)))
    ));
    assert!(
        !lines(&c).iter().any(|l| l.starts_with("MAIL")),
        "nothing sent"
    );
}

#[test]
fn signed_messages_are_refused_rather_than_reencoded() {
    for field in ["DKIM-Signature", "ARC-Seal"] {
        let signed = format!("{field}: v=1; d=example.org; s=s; b=AAAA\r\n{MIXED}");
        let message = parse(Bytes::from(signed.clone()));
        for ehlo in [SEVEN, EIGHT] {
            let (c, built) = send(ehlo, &message);
            assert!(
                matches!(built, Some(Err(Error::Message(PrepareError::Signed { field: f }))) if f == field),
                "{built:?}"
            );
            assert!(
                !lines(&c).iter().any(|l| l.starts_with("MAIL")),
                "nothing sent"
            );
        }
        // A server that takes it as it is: sent, byte-identical but for Bcc.
        let (c, built) = send(BINARY, &message);
        assert!(matches!(built, Some(Ok(()))));
        assert_eq!(show(&content(&c)), show(without_bcc(&signed).as_bytes()));
    }
}
