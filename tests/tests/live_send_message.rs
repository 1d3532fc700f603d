//! `send_message` on every runtime against the real Postfix: a message built with text, HTML,
//! an attachment and a Bcc recipient. Both recipients get it; the delivered files carry no
//! `Bcc` header and are, after the server's trace headers, exactly the message as sent
//! without it.

use bytes::Bytes;
use mail_kit::runtime::Runtime;
use mail_kit::smtp::{AsyncSmtpClient, Auth, SendReport};
use mail_kit::{SmtpOptions, blocking};
use mail_kit_mime::builder::{Attachment, MessageBuilder};
use mail_kit_mime::header::address::Mailbox;
use mail_kit_mime::header::msg_id::MessageId;
use mail_kit_mime::{Message, parse};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, Servers, TlsPath, unique_id};

every_runtime! {
    servers = live::servers;
    built_message_with_bcc => built_blocking, built_async;
}

fn built_message(runtime: &str) -> (String, Message) {
    let id = unique_id("send_message", runtime);
    let mailbox = |name: &str, addr: &str| Mailbox::new(Some(name), addr).unwrap();
    let message = MessageBuilder::new()
        .from(mailbox("Alice", "alice@example.org"))
        .to(mailbox("Bob", "bob@example.org"))
        .bcc(mailbox("Carol", "carol@example.org"))
        .subject("Quarterly report \u{2014} caf\u{e9}")
        .message_id(MessageId::new(&format!("{id}@mail-kit.test")).unwrap())
        .text("Hello Bob,\nthe report is attached.\n")
        .html("<p>Hello Bob,</p><p>the report is <b>attached</b>.</p>")
        .attachment(Attachment::from_bytes(
            "report.pdf",
            &b"%PDF-1.4\n\x00\x01binary"[..],
        ))
        .build()
        .unwrap();
    (id, message)
}

fn options(servers: &Servers) -> SmtpOptions {
    servers.options(TlsPath::StartTls)
}

fn auth(servers: &Servers) -> Auth {
    Auth::new(servers.credentials("alice")).with_mechanism("PLAIN")
}

fn check(servers: &Servers, runtime: &str, id: &str, message: &Message, report: &SendReport) {
    assert!(report.rejected().next().is_none(), "{runtime}: {report:?}");
    assert_eq!(report.recipients.len(), 2, "{runtime}: To and Bcc");
    let sent = message.to_bytes().unwrap();
    let bcc_line = sent
        .windows(5)
        .position(|w| w == b"Bcc: ")
        .expect("the built message has a Bcc");
    let line_end = bcc_line
        + sent[bcc_line..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap()
        + 2;
    // A folded Bcc would continue on lines starting with white space.
    assert!(!matches!(sent.get(line_end), Some(b' ' | b'\t')));
    let without_bcc = [&sent[..bcc_line], &sent[line_end..]].concat();
    for user in ["bob", "carol"] {
        servers.assert_delivered(user, id, &without_bcc);
        let files = servers
            .wait_for_delivery(user, &[id.to_owned()], live::DELIVERY_TIMEOUT)
            .unwrap();
        let delivered = parse(Bytes::from(std::fs::read(&files[id]).unwrap()));
        assert!(
            delivered.headers().get("bcc").is_none(),
            "{runtime}: {user} saw the Bcc"
        );
        assert!(
            delivered
                .text_body()
                .unwrap()
                .contains("the report is attached")
        );
        assert!(delivered.html_body().unwrap().contains("<b>attached</b>"));
        let attachment = delivered.attachments().next().expect("the attachment");
        assert_eq!(attachment.filename().as_deref(), Some("report.pdf"));
        assert_eq!(
            attachment.decoded_body().unwrap().bytes,
            b"%PDF-1.4\n\x00\x01binary"
        );
    }
}

fn built_blocking(servers: &Servers, runtime: &str) {
    let (id, message) = built_message(runtime);
    let mut client = blocking::SmtpClient::connect(&options(servers)).unwrap();
    client.authenticate_with(auth(servers)).unwrap();
    let report = client.send_message(&message).unwrap();
    client.quit().unwrap();
    check(servers, runtime, &id, &message, &report);
}

async fn built_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let (id, message) = built_message(runtime);
    let mut client = AsyncSmtpClient::<R>::connect(&options(servers))
        .await
        .unwrap();
    client.authenticate_with(auth(servers)).await.unwrap();
    let report = client.send_message(&message).await.unwrap();
    client.quit().await.unwrap();
    check(servers, runtime, &id, &message, &report);
}
