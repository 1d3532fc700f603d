//! A real session with Postfix, recorded by the protocol logger, replays byte for byte through
//! a fresh machine: what a user does to turn their own sessions into deterministic tests.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use mail_kit::blocking::SmtpClient;
use mail_kit::core::smtp::{ClientName, Command, Event, SmtpClient as Machine, SmtpConfig};
use mail_kit::core::transcript::{Replay, Transcript, TranscriptLogger};
use mail_kit::core::{TlsPolicy, WireObserver};
use mail_kit::smtp::{Envelope, Transaction};
use mail_kit_tests::live::{self, TlsPath};

/// A writer into a buffer the test keeps a handle on.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_recorded_postfix_session_replays_exactly() {
    let Some(servers) = live::servers() else {
        return;
    };
    let log = Shared::default();
    let writer = log.clone();
    // STARTTLS on submission, no AUTH (local recipients need none): nothing is redacted, so
    // every client byte can be checked on replay.
    let options = servers
        .options(TlsPath::StartTls)
        .pipelining(true)
        .wire_observer(move || -> Box<dyn WireObserver> {
            Box::new(TranscriptLogger::smtp(writer.clone()))
        });
    let id = live::unique_id("record_replay", "blocking");
    let message = live::message(
        &id,
        "alice@example.org",
        &["bob@example.org"],
        &live::small_body(&id),
    );
    let envelope = Envelope::new(
        Some(live::address("alice@example.org")),
        [
            live::address("bob@example.org"),
            live::address("nobody@example.org"),
        ],
    );
    let mut client = SmtpClient::connect(&options).expect("connect");
    let report = client
        .send_raw(&envelope, message.clone())
        .expect("accepted for bob");
    assert_eq!(
        report.rejected().count(),
        1,
        "nobody@example.org is refused"
    );
    client.quit().expect("quit");
    servers.assert_delivered("bob", &id, &message);

    let text = String::from_utf8(log.0.lock().expect("log lock").clone()).expect("UTF-8 log");
    assert!(text.contains("* TLS"), "the upgrade is recorded:\n{text}");
    let transcript = Transcript::parse(&text).expect("the log parses as a transcript");

    let config = SmtpConfig::new(
        ClientName::from_ip(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        TlsPolicy::Required,
    );
    let mut machine = Machine::new(config);
    let outcome = Replay::new(&transcript, Instant::now())
        .run(&mut machine, |m, event| {
            if let Event::Ready { .. } = event {
                let tx = Transaction::new(envelope.clone(), message.clone());
                m.enqueue(Command::Send(tx)).expect("send enqueued");
                m.enqueue(Command::Quit).expect("quit enqueued");
            }
        })
        .unwrap_or_else(|e| panic!("replay of the recorded session failed: {e}\n{text}"));
    assert_eq!(outcome.error, None);
    assert!(outcome.closed, "QUIT answered and the connection closed");
    let sent = outcome.events.iter().find_map(|e| match e {
        Event::Sent { report, .. } => Some(report.clone()),
        _ => None,
    });
    assert_eq!(
        sent.as_ref(),
        Some(&report),
        "the replay reports what the live session did"
    );
}
