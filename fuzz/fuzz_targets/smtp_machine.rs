//! The SMTP machine fed random server bytes in random chunks, with commands enqueued whenever it
//! is ready: no panic, and it never writes a bare CR or LF.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, ClientName, Command, Envelope, Event, SmtpClient, SmtpConfig, Transaction,
};
use mail_kit_core::{Machine, Output, TlsInfo, TlsPolicy};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let policy = match selector % 4 {
        0 => TlsPolicy::Required,
        1 => TlsPolicy::Opportunistic,
        2 => TlsPolicy::None,
        _ => TlsPolicy::Implicit,
    };
    let mut config = SmtpConfig::new(ClientName::new("fuzz.example").unwrap(), policy);
    config.chunk_size = 1024;
    let mut smtp = SmtpClient::new(config);
    let start = Instant::now();
    let mut now = start;
    let mut wire = Vec::new();
    // Chunk sizes come from the input too: each chunk is prefixed by its length byte.
    let mut input = rest;
    while let Some((&len, tail)) = input.split_first() {
        let n = (len as usize % 64 + 1).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        input = tail;
        now += Duration::from_millis(len as u64);
        smtp.handle_input(now, chunk);
        if drain(&mut smtp, &mut wire, now).is_err() {
            return;
        }
        if len == 0 {
            smtp.handle_timeout(now + Duration::from_secs(3600));
            if drain(&mut smtp, &mut wire, now).is_err() {
                return;
            }
        }
    }
    smtp.handle_eof(now);
    let _ = drain(&mut smtp, &mut wire, now);
    check_wire(&wire);
});

fn drain(smtp: &mut SmtpClient, wire: &mut Vec<u8>, now: Instant) -> Result<(), ()> {
    loop {
        match smtp.poll_output() {
            Ok(Output::Transmit(b)) => wire.extend_from_slice(&b),
            Ok(Output::StartTls) => smtp.handle_tls_established(now, TlsInfo::default()),
            Ok(Output::Event(Event::Ready { .. })) => enqueue_work(smtp),
            Ok(Output::Event(_)) | Ok(Output::Close) => {}
            Ok(Output::Idle { .. }) => return Ok(()),
            Err(_) => return Err(()),
        }
    }
}

fn enqueue_work(smtp: &mut SmtpClient) {
    let auth = Auth {
        allow_plaintext: true,
        ..Auth::new(Credentials::password("user", "secret"))
    };
    let _ = smtp.enqueue(Command::Authenticate(auth));
    let env = Envelope::new(
        Some(Address::new("a@example.org").unwrap()),
        [
            Address::new("b@example.org").unwrap(),
            Address::new("c@example.org").unwrap(),
        ],
    );
    let body = b".dot\r\nline\n.\nbare\rcr\r\n\r\n.\r\nend".to_vec();
    let _ = smtp.enqueue(Command::Send(Transaction::new(env.clone(), body.clone())));
    let _ = smtp.enqueue(Command::Send(Transaction::new(env, body)));
    let _ = smtp.enqueue(Command::Noop);
    let _ = smtp.enqueue(Command::Quit);
}

/// Client output rules: every CR is followed by LF and every LF preceded by CR.
fn check_wire(wire: &[u8]) {
    for (i, &b) in wire.iter().enumerate() {
        if b == b'\r' {
            assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
        if b == b'\n' {
            assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {i}");
        }
    }
}
