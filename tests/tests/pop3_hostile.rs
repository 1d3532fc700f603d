//! Hostile POP3 servers (`shared/reference/security-cases.md` rows 6, 7, 8, 9, 18, 20, 22 and
//! the POP3 parser section D, rows 48–50): transcripts in `tests/transcripts/pop3/hostile/`, and
//! endless bodies fed straight to the machine to show that memory stays bounded.

use std::time::Instant;

use bytes::Bytes;
use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config, Refusal, RespCode};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::{Error, Machine, Output, TlsPolicy, UsageError};
use mail_kit_tests::find_event;
use mail_kit_tests::transcripts::{Pop3, Replayed, Scenario, list, load};

fn login() -> Command {
    Command::Login(Auth::new(Credentials::password("alice", "Wonderland-42")))
}

/// What the application does for each hostile transcript: it always wants to log in.
fn scenario(name: &str) -> Scenario<Pop3> {
    let file = name
        .trim_start_matches("pop3/hostile/")
        .trim_end_matches(".txt");
    let tls = match file {
        "row18-terminal-escapes" | "row22-unsolicited-after-reply" | "row49-dot-unstuffing" => {
            TlsPolicy::Implicit
        }
        "row22-unsolicited-capa" => TlsPolicy::Opportunistic,
        _ => TlsPolicy::Required,
    };
    let s = Scenario::pop3(tls).first(login()).then(login());
    match file {
        "row22-unsolicited-after-reply" => s.after_login(Command::Stat),
        "row49-dot-unstuffing" => s.after_login(Command::Retr(1)),
        _ => s,
    }
}

fn replay(name: &str) -> Replayed<Pop3> {
    let file = load(&format!("pop3/hostile/{name}"));
    scenario(&file.name)
        .run(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

/// Replays under every split; the outcome must not depend on them.
fn replay_all_splits(name: &str) -> Replayed<Pop3> {
    let file = load(&format!("pop3/hostile/{name}"));
    scenario(&file.name)
        .check_all_splits(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

/// No login of any kind was attempted: the first command was refused (not ready yet) and the
/// machine never became ready, so the one on `Ready` never ran. (The replay itself fails on any
/// client byte the transcript does not list: no USER, PASS, APOP or AUTH went out.)
fn no_login(r: &Replayed<Pop3>) {
    assert_eq!(
        r.at_start,
        [Err(UsageError::WrongState("the session is not ready yet"))]
    );
    assert_eq!(r.ready_count, 0);
    assert!(r.on_ready.is_empty());
}

#[test]
fn every_hostile_transcript_has_a_scenario_and_replays() {
    let files = list("pop3/hostile");
    assert!(files.len() >= 13, "only {} transcripts", files.len());
    for name in files {
        let file = load(&name);
        scenario(&name)
            .run(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Rows 6 and 7 replayed whole (the injected bytes arrive with the `+OK`); when they arrive in a
/// later read, the machine has already asked for TLS and fails on them instead of handing the
/// socket over ([`injected_bytes_after_the_stls_ok_in_a_later_read`]).
#[test]
fn row06_stls_injection_fails_before_the_handshake() {
    let r = replay("row06-stls-injection");
    assert_eq!(r.error(), Some(&Error::StartTlsBufferNotEmpty));
    no_login(&r);
}

#[test]
fn row07_garbage_after_stls_ok_is_a_typed_error() {
    let r = replay("row07-stls-garbage");
    assert_eq!(r.error(), Some(&Error::StartTlsBufferNotEmpty));
    no_login(&r);
}

#[test]
fn injected_bytes_after_the_stls_ok_in_a_later_read() {
    for injected in [&b"+OK\r\nPLAIN\r\n.\r\n"[..], b"\xc2\xb9\xc2\xb3\x16\x03"] {
        let now = Instant::now();
        let mut pop = Pop3Client::new(Pop3Config::new(TlsPolicy::Required));
        let mut events = Vec::new();
        pop.handle_input(now, b"+OK ready\r\n");
        drain(&mut pop, &mut events);
        pop.handle_input(now, b"+OK\r\nSTLS\r\n.\r\n");
        assert_eq!(drain(&mut pop, &mut events).0, b"STLS\r\n");
        pop.handle_input(now, b"+OK Begin TLS\r\n");
        assert_eq!(pop.poll_output(), Ok(Output::StartTls));
        pop.handle_input(now, injected);
        assert_eq!(pop.poll_output(), Err(Error::StartTlsBufferNotEmpty));
        assert!(events.is_empty(), "{events:?}");
    }
}

#[test]
fn row08_stls_missing_under_required_fails_closed() {
    for name in ["row08-stls-not-offered", "row08-capa-refused"] {
        let r = replay_all_splits(name);
        assert_eq!(r.error(), Some(&Error::TlsRequiredButUnavailable), "{name}");
        no_login(&r);
    }
}

#[test]
fn row09_stls_refused_under_required_fails_closed() {
    let r = replay_all_splits("row09-stls-refused");
    assert_eq!(
        r.error(),
        Some(&Error::StartTlsRefused(
            "-ERR STARTTLS not supported.".into()
        ))
    );
    no_login(&r);
    let r = replay_all_splits("row09-stls-refused-apop-sasl");
    assert_eq!(
        r.error(),
        Some(&Error::StartTlsRefused("-ERR [SYS/TEMP] not now".into()))
    );
    no_login(&r);
}

#[test]
fn row18_terminal_escapes_stay_bytes_and_never_print() {
    let r = replay_all_splits("row18-terminal-escapes");
    assert_eq!(r.error(), None);
    let (greeting, caps) = find_event!(r.events(), Event::Ready { greeting, capabilities, .. } => (greeting, capabilities));
    assert_eq!(&greeting.text[..], b"\x1b[31;1;4mPOP3\x1b[0m server ready.");
    assert_eq!(
        caps.implementation.as_deref(),
        Some(&b"\x1b]0;pwned\x07"[..])
    );
    let refusal = find_event!(r.events(), Event::AuthenticationFailed { refusal, .. } => refusal);
    assert_eq!(
        refusal,
        &Refusal {
            code: Some(RespCode::Auth),
            text: Bytes::from_static(b"\x1b[2J\x1b[Hno such user \x9b31m"),
        }
    );
    let shown = refusal.to_string();
    assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    assert!(shown.starts_with("-ERR [AUTH] "), "{shown:?}");

    let r = replay_all_splits("row18-terminal-escapes-err-greeting");
    let Some(Error::GreetingRefused(text)) = r.error() else {
        panic!("{:?}", r.error());
    };
    assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    assert!(!r.error().unwrap().to_string().contains('\x1b'));
}

#[test]
fn row20_refusing_greeting_is_a_clean_error_without_login() {
    let r = replay_all_splits("row20-greeting-sys-perm");
    assert_eq!(
        r.error(),
        Some(&Error::GreetingRefused(
            "-ERR [SYS/PERM] mailbox gone".into()
        ))
    );
    no_login(&r);
}

/// Row 22: data that arrives together with the greeting (or with a reply) cannot answer a
/// command the client had not sent yet. Replayed whole: when the bytes come in separate reads,
/// after the client's command went out, they are indistinguishable from an answer (and then are
/// judged as one: `1 120` is no status line).
#[test]
fn row22_unsolicited_data_is_never_taken_as_a_later_reply() {
    for (name, why) in [
        ("row22-unsolicited-multiline", "before the command"),
        ("row22-unsolicited-capa", "before the command"),
        ("row22-unsolicited-after-reply", "unsolicited data"),
    ] {
        let r = replay(name);
        assert!(
            matches!(r.error(), Some(Error::UnexpectedReply(m)) if m.contains(why)),
            "{name}: {:?}",
            r.error()
        );
    }
    for name in ["row22-unsolicited-multiline", "row22-unsolicited-capa"] {
        let r = replay(name);
        assert_eq!(
            r.ready_count, 0,
            "{name}: became ready on injected capabilities"
        );
    }
    // Split after the greeting, the scan listing is read as the answer to CAPA and rejected.
    let file = load("pop3/hostile/row22-unsolicited-multiline");
    let r = scenario(&file.name)
        .run_with_splits(&file, vec![29])
        .unwrap();
    assert!(
        matches!(r.error(), Some(Error::MalformedReply(_))),
        "{:?}",
        r.error()
    );
}

#[test]
fn row49_dot_unstuffing_edge_cases() {
    let r = replay_all_splits("row49-dot-unstuffing");
    assert_eq!(r.error(), None);
    let body = find_event!(r.events(), Event::MessageData { data, .. } => data);
    let expected: &[u8] = b".stuffed\r\n.x\r\n. x\r\n. \r\n.\r\n\
        bare LF\n.\nstill data\r\nbare CR\r.\rstill data\r\nlf-dot at a line start:\r\n.\n\r\n";
    assert_eq!(&body[..], expected);
    let size = find_event!(r.events(), Event::MessageEnd { size, .. } => *size);
    assert_eq!(size, expected.len() as u64);
}

// ---------------------------------------------------------------------------------------------
// Rows 48 and 50: bodies that never end, lines that never end.

/// Drains the machine; returns the bytes it transmitted and the message bytes it delivered.
fn drain(pop: &mut Pop3Client, events: &mut Vec<Event>) -> (Vec<u8>, u64) {
    let mut wire = Vec::new();
    let mut delivered = 0;
    loop {
        match pop.poll_output() {
            Ok(Output::Transmit(b)) => wire.extend_from_slice(&b),
            Ok(Output::Event(Event::MessageData { data, .. })) => delivered += data.len() as u64,
            Ok(Output::Event(e)) => events.push(e),
            Ok(Output::Idle { .. }) | Err(_) => return (wire, delivered),
            Ok(_) => {}
        }
    }
}

/// A logged-in machine with `RETR 1` sent.
fn retrieving() -> (Pop3Client, Vec<Event>) {
    let now = Instant::now();
    let mut pop = Pop3Client::new(Pop3Config::new(TlsPolicy::Implicit));
    let mut events = Vec::new();
    pop.handle_input(now, b"+OK ready\r\n");
    assert_eq!(drain(&mut pop, &mut events).0, b"CAPA\r\n");
    pop.handle_input(now, b"-ERR\r\n");
    drain(&mut pop, &mut events);
    pop.enqueue(Command::UserPass(Auth::new(Credentials::password(
        "a", "b",
    ))))
    .unwrap();
    drain(&mut pop, &mut events);
    pop.handle_input(now, b"+OK\r\n");
    drain(&mut pop, &mut events);
    pop.handle_input(now, b"+OK\r\n");
    drain(&mut pop, &mut events);
    pop.enqueue(Command::Retr(1)).unwrap();
    assert_eq!(drain(&mut pop, &mut events).0, b"RETR 1\r\n");
    pop.handle_input(now, b"+OK\r\n");
    drain(&mut pop, &mut events);
    (pop, events)
}

/// Feeds `total` bytes of `pattern` in 16 KiB reads: after every read, all but at most two of
/// the bytes fed so far were delivered (nothing accumulates); then EOF is an error and no
/// `MessageEnd` ever came.
fn endless(pattern: &[u8], total: usize) {
    let (mut pop, mut events) = retrieving();
    let read: Vec<u8> = pattern.iter().copied().cycle().take(16 * 1024).collect();
    let mut fed = 0u64;
    let mut delivered = 0u64;
    while fed < total as u64 {
        pop.handle_input(Instant::now(), &read);
        fed += read.len() as u64;
        delivered += drain(&mut pop, &mut events).1;
        assert!(fed - delivered <= 2, "{} bytes held back", fed - delivered);
    }
    pop.handle_eof(Instant::now());
    assert_eq!(
        pop.poll_output(),
        Err(Error::UnexpectedEof { mid_reply: true })
    );
    assert!(!events.iter().any(|e| matches!(e, Event::MessageEnd { .. })));
}

#[test]
fn row48_a_retr_that_never_ends_stays_bounded_and_eof_is_an_error() {
    // 8 MiB of ordinary lines, never the terminator.
    endless(b"a line of an endless message\r\n", 8 << 20);
}

#[test]
fn row50_one_huge_body_line_is_streamed() {
    // 8 MiB without any line end (a 50 MB line in the security case; scaled for debug builds).
    endless(b"x", 8 << 20);
    // Bare CRs and LFs only.
    endless(b"\r\r\n\n.\n", 4 << 20);
}
