//! POP3 retrieval straight into the MIME streaming parser, on every runtime against the real
//! Dovecot: a message built with text, HTML and an attachment goes out through Postfix, comes
//! back with `retrieve` into a [`MessageStream`] whose body sink takes the attachment (so the
//! model never holds it), and reads back as built.

use std::collections::BTreeMap;

use mail_kit::blocking;
use mail_kit::mime::builder::{Attachment, MessageBuilder};
use mail_kit::mime::encoding::base64;
use mail_kit::mime::header::address::Mailbox;
use mail_kit::mime::header::msg_id::MessageId;
use mail_kit::mime::parser::{BodySink, MessageStream, Region};
use mail_kit::mime::{Body, BodyData, HeaderList, Message};
use mail_kit::pop3::AsyncPop3Client;
use mail_kit::runtime::Runtime;
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, Servers, TlsPath, unique_id};
use mail_kit_tests::pop3_live::{POP3_USER, Stored, deliver, number_of, pop3_options};

/// The attachment's size: far more than the model keeps of a sunk body (its length).
const ATTACHMENT_SIZE: u32 = 40_000;

every_runtime! {
    servers = live::servers;
    retrieve_into_the_parser => retrieve_blocking, retrieve_async;
}

/// Takes every attachment body: the bytes as they arrive, by the part's path.
#[derive(Debug, Default)]
struct AttachmentSink {
    taken: BTreeMap<Vec<usize>, Vec<u8>>,
    current: Option<Vec<usize>>,
}

impl BodySink for AttachmentSink {
    fn begin(&mut self, region: Region, headers: &HeaderList, path: &[usize]) -> bool {
        let attachment = region == Region::Leaf
            && headers
                .get("content-disposition")
                .is_some_and(|h| h.value().starts_with(b" attachment"));
        self.current = attachment.then(|| path.to_vec());
        attachment
    }

    fn write(&mut self, data: &[u8]) {
        let path = self.current.clone().expect("write inside a region");
        self.taken.entry(path).or_default().extend_from_slice(data);
    }

    fn end(&mut self) {
        self.current = None;
    }
}

/// The attachment: larger than the sink threshold, not valid UTF-8.
fn attachment_bytes(seed: u8) -> Vec<u8> {
    (0..ATTACHMENT_SIZE)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed)
        .collect()
}

/// Builds the message, sends it to the POP3 user and reads the delivered file.
fn send_built(servers: &Servers, runtime: &str) -> (Stored, Vec<u8>) {
    let id = unique_id("pop3_mime", runtime);
    let attachment = attachment_bytes(runtime.len() as u8);
    let message = MessageBuilder::new()
        // The Message-ID the delivery check looks for.
        .message_id(MessageId::new(&format!("{id}@mail-kit.test")).unwrap())
        .from(Mailbox::new(Some("Alice"), "alice@example.org").unwrap())
        .to(Mailbox::new(None, &format!("{POP3_USER}@example.org")).unwrap())
        .subject(&format!("Grüße {id}"))
        .text(&format!("Hello {id}\n"))
        .html(&format!("<p>Hello <b>{id}</b></p>"))
        .attachment(Attachment::from_bytes(
            "Bericht März.bin",
            attachment.clone(),
        ))
        .build()
        .expect("build");
    let bytes = message.to_bytes().expect("write");
    (
        deliver(servers, POP3_USER, &[(id, bytes)]).remove(0),
        attachment,
    )
}

/// The parsed message reads as built, and the attachment went to the sink, not the model.
fn check(what: &str, stored: &Stored, attachment: &[u8], stream: MessageStream<AttachmentSink>) {
    let (message, sink): (Message, AttachmentSink) = stream.finish();
    assert_eq!(
        message.headers().subject().as_deref(),
        Some(format!("Grüße {}", stored.id).as_str()),
        "{what}"
    );
    assert_eq!(
        message.text_body().as_deref(),
        Some(format!("Hello {}\r\n", stored.id).as_str()),
        "{what}"
    );
    assert!(message.html_body().unwrap().contains("<b>"), "{what}");
    let part = message.attachments().next().expect("the attachment");
    assert_eq!(
        part.filename().as_deref(),
        Some("Bericht März.bin"),
        "{what}"
    );
    let Body::Leaf(BodyData::Sunk { .. }) = part.body() else {
        panic!(
            "{what}: the attachment stayed in the model: {:?}",
            part.body()
        );
    };
    assert_eq!(sink.taken.len(), 1, "{what}");
    let encoded = sink.taken.values().next().unwrap();
    assert!(encoded.len() > ATTACHMENT_SIZE as usize, "{what}");
    assert!(
        base64::decode(encoded).bytes == attachment,
        "{what}: attachment differs"
    );
    // The model knows it lacks the attachment's bytes: it cannot be written back.
    assert!(
        message.to_bytes().is_err(),
        "{what}: a sunk body cannot be written back"
    );
}

fn retrieve_blocking(servers: &Servers, runtime: &str) {
    let (stored, attachment) = send_built(servers, runtime);
    let mut client =
        blocking::Pop3Client::connect(&pop3_options(servers, TlsPath::StartTls)).expect("connect");
    client
        .authenticate(servers.credentials(POP3_USER))
        .expect("login");
    let n = number_of(&client.uidl().expect("UIDL"), &stored.uid).expect("listed");
    let mut stream = MessageStream::new(AttachmentSink::default());
    let size = client.retrieve(n, &mut stream).expect("RETR");
    assert_eq!(size, stored.bytes.len() as u64);
    check(runtime, &stored, &attachment, stream);
    client.delete(n).expect("DELE");
    client.quit().expect("QUIT");
}

async fn retrieve_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let (stored, attachment) = send_built(servers, runtime);
    let mut client = AsyncPop3Client::<R>::connect(&pop3_options(servers, TlsPath::Implicit))
        .await
        .expect("connect");
    client
        .authenticate(servers.credentials(POP3_USER))
        .await
        .expect("login");
    let n = number_of(&client.uidl().await.expect("UIDL"), &stored.uid).expect("listed");
    let mut stream = MessageStream::new(AttachmentSink::default());
    let size = client.retrieve(n, &mut stream).await.expect("RETR");
    assert_eq!(size, stored.bytes.len() as u64);
    check(runtime, &stored, &attachment, stream);
    client.delete(n).await.expect("DELE");
    client.quit().await.expect("QUIT");
}
