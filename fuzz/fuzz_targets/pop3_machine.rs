//! The POP3 machine fed random server bytes in random chunks after a scripted command sequence
//! (login on `Ready`, a batch of every mailbox command once logged in): no panic, the client
//! never writes a bare CR or LF, and message bytes delivered never exceed the bytes fed.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config};
use mail_kit_core::sasl::Credentials;
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
    let mut config = Pop3Config::new(policy);
    config.max_pipelined_commands = usize::from(selector / 4 % 8) + 1;
    config.limits.max_reply_lines = 64;
    let mut pop = Pop3Client::new(config);
    let mut now = Instant::now();
    let mut state = State::default();
    // Chunk sizes come from the input too: each chunk is prefixed by its length byte.
    let mut input = rest;
    while let Some((&len, tail)) = input.split_first() {
        let n = (len as usize % 64 + 1).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        input = tail;
        now += Duration::from_millis(len as u64);
        state.fed += chunk.len() as u64;
        pop.handle_input(now, chunk);
        if drain(&mut pop, &mut state, now).is_err() {
            break;
        }
        if len == 0 {
            pop.handle_timeout(now + Duration::from_secs(3600));
            if drain(&mut pop, &mut state, now).is_err() {
                break;
            }
        }
    }
    pop.handle_eof(now);
    let _ = drain(&mut pop, &mut state, now);
    check_wire(&state.wire);
    assert!(state.delivered <= state.fed);
});

#[derive(Default)]
struct State {
    wire: Vec<u8>,
    fed: u64,
    delivered: u64,
}

fn drain(pop: &mut Pop3Client, state: &mut State, now: Instant) -> Result<(), ()> {
    loop {
        match pop.poll_output() {
            Ok(Output::Transmit(b)) => state.wire.extend_from_slice(&b),
            Ok(Output::StartTls) => pop.handle_tls_established(now, TlsInfo::default()),
            Ok(Output::Event(Event::Ready { .. })) => {
                let auth = Auth {
                    allow_plaintext: true,
                    ..Auth::new(Credentials::password("user", "secret"))
                };
                let _ = pop.enqueue(Command::Capa);
                let _ = pop.enqueue(Command::Login(auth));
            }
            Ok(Output::Event(Event::AuthenticationFailed { .. })) => {
                let _ = pop.enqueue(Command::UserPass(Auth {
                    allow_plaintext: true,
                    ..Auth::new(Credentials::password("user", "pass word"))
                }));
            }
            Ok(Output::Event(Event::Authenticated { .. })) => {
                for command in [
                    Command::Stat,
                    Command::List(None),
                    Command::List(Some(1)),
                    Command::Uidl(None),
                    Command::Uidl(Some(2)),
                    Command::Retr(1),
                    Command::Top {
                        message: 2,
                        lines: 3,
                    },
                    Command::Dele(1),
                    Command::Rset,
                    Command::Noop,
                    Command::Capa,
                    Command::Lang(None),
                    Command::Quit,
                ] {
                    let _ = pop.enqueue(command);
                }
            }
            Ok(Output::Event(Event::MessageData { data, .. })) => {
                state.delivered += data.len() as u64
            }
            Ok(Output::Event(_)) | Ok(Output::Close) => {}
            Ok(Output::Idle { .. }) => return Ok(()),
            Err(_) => return Err(()),
        }
    }
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
