//! The SMTP machine driven by hand: the wire bytes it writes for each server answer.

use std::time::{Duration, Instant};

use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, ClientName, Command, Envelope, Event, SmtpClient, SmtpConfig, Stage, Transaction,
};
use mail_kit_core::{Error, Machine, Output, TlsInfo, TlsPolicy};

struct Peer {
    smtp: SmtpClient,
    now: Instant,
    wire: Vec<u8>,
    events: Vec<Event>,
    starttls: bool,
    closed: bool,
}

impl Peer {
    fn new(policy: TlsPolicy) -> Peer {
        let config = SmtpConfig::new(ClientName::new("client.example").unwrap(), policy);
        Peer {
            smtp: SmtpClient::new(config),
            now: Instant::now(),
            wire: Vec::new(),
            events: Vec::new(),
            starttls: false,
            closed: false,
        }
    }

    fn drain(&mut self) -> Result<(), Error> {
        loop {
            match self.smtp.poll_output()? {
                Output::Transmit(b) => self.wire.extend_from_slice(&b),
                Output::Event(e) => self.events.push(e),
                Output::StartTls => self.starttls = true,
                Output::Close => self.closed = true,
                Output::Idle { .. } => return Ok(()),
            }
        }
    }

    fn server(&mut self, bytes: &str) -> Result<(), Error> {
        self.smtp.handle_input(self.now, bytes.as_bytes());
        self.drain()
    }

    fn take_wire(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.wire)).unwrap()
    }

    fn enqueue(&mut self, c: Command) -> mail_kit_core::Handle {
        let h = self.smtp.enqueue(c).unwrap();
        self.drain().unwrap();
        h
    }
}

fn env(rcpts: &[&str]) -> Envelope {
    Envelope::new(
        Some(Address::new("a@example.org").unwrap()),
        rcpts.iter().map(|r| Address::new(r).unwrap()),
    )
}

fn ready(policy: TlsPolicy, ehlo: &str) -> Peer {
    let mut p = Peer::new(policy);
    p.server("220 mx ESMTP\r\n").unwrap();
    assert_eq!(p.take_wire(), "EHLO client.example\r\n");
    p.server(ehlo).unwrap();
    p.take_wire();
    assert!(matches!(p.events.last(), Some(Event::Ready { .. })));
    p
}

#[test]
fn pipelined_send_with_one_refused_recipient() {
    let mut p = ready(
        TlsPolicy::None,
        "250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
    );
    let h = p.enqueue(Command::Send(Transaction::new(
        env(&["b@example.org", "c@example.org"]),
        &b"Subject: x\n\n.hi\n"[..],
    )));
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<a@example.org> SIZE=19\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n"
    );
    p.server("250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n")
        .unwrap();
    assert_eq!(p.take_wire(), "Subject: x\r\n\r\n..hi\r\n.\r\n");
    p.server("250 queued\r\n").unwrap();
    let Some(Event::Sent { handle, report }) = p.events.last() else {
        panic!("{:?}", p.events)
    };
    assert_eq!(*handle, h);
    assert!(report.is_accepted());
    assert_eq!(report.rejected().count(), 1);
}

#[test]
fn consecutive_messages_pipeline_after_the_terminator() {
    let mut p = ready(TlsPolicy::None, "250-mx\r\n250 PIPELINING\r\n");
    for _ in 0..2 {
        p.enqueue(Command::Send(Transaction::new(
            env(&["b@example.org"]),
            &b"x\r\n"[..],
        )));
    }
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
    );
    p.server("250 ok\r\n250 ok\r\n354 go\r\n").unwrap();
    assert_eq!(
        p.take_wire(),
        "x\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
    );
    p.server("250 queued\r\n250 ok\r\n250 ok\r\n354 go\r\n")
        .unwrap();
    assert_eq!(p.take_wire(), "x\r\n.\r\n");
    p.server("250 queued\r\n").unwrap();
    let sent = p
        .events
        .iter()
        .filter(|e| matches!(e, Event::Sent { report, .. } if report.is_accepted()))
        .count();
    assert_eq!(sent, 2);
}

#[test]
fn without_pipelining_every_command_waits() {
    let mut p = ready(TlsPolicy::None, "250 mx\r\n");
    p.enqueue(Command::Send(Transaction::new(
        env(&["b@example.org", "c@example.org"]),
        &b"x"[..],
    )));
    assert_eq!(p.take_wire(), "MAIL FROM:<a@example.org>\r\n");
    p.server("250 ok\r\n").unwrap();
    assert_eq!(p.take_wire(), "RCPT TO:<b@example.org>\r\n");
    p.server("550 no\r\n").unwrap();
    assert_eq!(p.take_wire(), "RCPT TO:<c@example.org>\r\n");
    p.server("550 no\r\n").unwrap();
    // No recipient: no DATA, the open transaction is reset.
    assert_eq!(p.take_wire(), "RSET\r\n");
    let Some(Event::Sent { report, .. }) = p.events.last() else {
        panic!()
    };
    assert_eq!(report.stage, Stage::Recipients);
    p.server("250 reset\r\n").unwrap();
    p.enqueue(Command::Noop);
    assert_eq!(p.take_wire(), "NOOP\r\n");
}

#[test]
fn bdat_chunks_when_chunking_is_offered() {
    let mut p = ready(
        TlsPolicy::None,
        "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
    );
    p.enqueue(Command::Send(Transaction::new(
        env(&["b@example.org"]),
        &b"hello\nworld"[..],
    )));
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 14 LAST\r\nhello\r\nworld\r\n"
    );
    p.server("250 ok\r\n250 ok\r\n250 got it\r\n").unwrap();
    let Some(Event::Sent { report, .. }) = p.events.last() else {
        panic!()
    };
    assert!(report.is_accepted());
}

#[test]
fn auth_plain_only_after_tls() {
    let mut p = Peer::new(TlsPolicy::Required);
    p.server("220 mx\r\n").unwrap();
    p.server("250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n")
        .unwrap();
    assert_eq!(p.take_wire(), "EHLO client.example\r\nSTARTTLS\r\n");
    p.server("220 go\r\n").unwrap();
    assert!(p.starttls);
    p.smtp.handle_tls_established(p.now, TlsInfo::default());
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "EHLO client.example\r\n");
    p.server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n").unwrap();
    assert!(p.smtp.is_secure());
    p.enqueue(Command::Authenticate(Auth::new(Credentials::password(
        "username", "password",
    ))));
    assert_eq!(p.take_wire(), "AUTH PLAIN AHVzZXJuYW1lAHBhc3N3b3Jk\r\n");
    p.server("235 ok\r\n").unwrap();
    assert!(matches!(
        p.events.last(),
        Some(Event::Authenticated {
            mechanism: "PLAIN",
            ..
        })
    ));
}

#[test]
fn starttls_injection_is_fatal() {
    let mut p = Peer::new(TlsPolicy::Required);
    p.server("220 mx\r\n").unwrap();
    p.server("250-mx\r\n250 STARTTLS\r\n").unwrap();
    let r = p.server("220 go\r\n250-evil\r\n250 AUTH PLAIN\r\n");
    assert_eq!(r, Err(Error::StartTlsBufferNotEmpty));
    assert!(!p.starttls);
}

#[test]
fn missing_starttls_under_required_fails_before_anything() {
    let mut p = Peer::new(TlsPolicy::Required);
    p.server("220 mx\r\n").unwrap();
    let r = p.server("250-mx\r\n250 AUTH PLAIN\r\n");
    assert_eq!(r, Err(Error::TlsRequiredButUnavailable));
    assert_eq!(p.take_wire(), "EHLO client.example\r\n");
}

#[test]
fn timeout_surfaces_as_error() {
    let mut p = Peer::new(TlsPolicy::None);
    p.smtp.handle_timeout(p.now);
    p.drain().unwrap();
    p.smtp.handle_timeout(p.now + Duration::from_secs(301));
    assert!(matches!(p.drain(), Err(Error::Timeout { .. })));
}

#[test]
fn quit_closes() {
    let mut p = ready(TlsPolicy::None, "250 mx\r\n");
    p.enqueue(Command::Quit);
    assert_eq!(p.take_wire(), "QUIT\r\n");
    p.server("221 bye\r\n").unwrap();
    assert!(p.closed);
}

#[test]
fn large_recipient_lists_stay_within_the_pipeline_window() {
    let mut p = ready(TlsPolicy::None, "250-mx\r\n250 PIPELINING\r\n");
    let rcpts: Vec<String> = (0..150).map(|i| format!("r{i}@example.org")).collect();
    let refs: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    p.enqueue(Command::Send(Transaction::new(env(&refs), &b"x\r\n"[..])));
    let first = p.take_wire();
    assert_eq!(first.matches("\r\n").count(), 100, "MAIL and 99 RCPT");
    p.server("250 ok\r\n").unwrap();
    assert_eq!(p.take_wire(), "RCPT TO:<r99@example.org>\r\n");
    for _ in 0..99 {
        p.server("250 ok\r\n").unwrap();
    }
    let rest = p.take_wire();
    assert!(
        rest.ends_with("RCPT TO:<r149@example.org>\r\nDATA\r\n"),
        "{rest}"
    );
}

#[test]
fn bdat_transactions_pipeline_behind_a_reset() {
    let mut p = ready(
        TlsPolicy::None,
        "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
    );
    for _ in 0..3 {
        p.enqueue(Command::Send(Transaction::new(
            env(&["b@example.org"]),
            &b"x\r\n"[..],
        )));
    }
    let tx = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 3 LAST\r\nx\r\n";
    assert_eq!(p.take_wire(), format!("{tx}RSET\r\n{tx}RSET\r\n{tx}"));
    // The first is refused at BDAT: no extra RSET, the pipelined one covers it.
    p.server("250 ok\r\n250 ok\r\n554 no\r\n250 reset\r\n")
        .unwrap();
    p.server("250 ok\r\n250 ok\r\n250 queued\r\n250 reset\r\n250 ok\r\n250 ok\r\n250 queued\r\n")
        .unwrap();
    assert_eq!(p.take_wire(), "");
    let stages: Vec<Stage> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Sent { report, .. } => Some(report.stage),
            _ => None,
        })
        .collect();
    assert_eq!(stages, [Stage::Content, Stage::Accepted, Stage::Accepted]);
}

#[test]
fn large_data_content_flows_without_pipelining() {
    let mut p = ready(TlsPolicy::None, "250 mx\r\n");
    let body = "0123456789abcdef\r\n".repeat(20_000);
    p.enqueue(Command::Send(Transaction::new(
        env(&["b@example.org"]),
        body.clone(),
    )));
    p.server("250 ok\r\n").unwrap();
    p.server("250 ok\r\n").unwrap();
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
    );
    p.server("354 go\r\n").unwrap();
    assert_eq!(p.take_wire(), format!("{body}.\r\n"));
}

#[test]
fn tls_info_from_implicit_tls_and_from_starttls() {
    let info = TlsInfo {
        protocol: Some("TLSv1.3".into()),
        tls_exporter: Some(vec![7; 32]),
        tls_server_end_point: None,
    };
    let mut implicit = Peer::new(TlsPolicy::Implicit);
    implicit
        .smtp
        .handle_tls_established(implicit.now, info.clone());
    implicit.server("220 mx\r\n").unwrap();
    assert_eq!(implicit.smtp.tls_info(), Some(&info));
    assert!(implicit.smtp.is_secure());

    let mut upgraded = Peer::new(TlsPolicy::Required);
    assert_eq!(upgraded.smtp.tls_info(), None);
    upgraded
        .server("220 mx\r\n250-mx\r\n250 STARTTLS\r\n")
        .unwrap();
    upgraded.server("220 go\r\n").unwrap();
    upgraded
        .smtp
        .handle_tls_established(upgraded.now, info.clone());
    upgraded.drain().unwrap();
    assert_eq!(upgraded.smtp.tls_info(), Some(&info));

    // Outside those two moments a handshake report is a protocol error.
    let mut plain = Peer::new(TlsPolicy::None);
    plain.smtp.handle_tls_established(plain.now, info);
    assert!(plain.drain().is_err());
}
