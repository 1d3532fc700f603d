//! A hostile SMTP server (or a man in the middle): the security cases of
//! `shared/reference/security-cases.md` that touch the SMTP client, replayed from
//! `tests/transcripts/smtp/hostile/*.txt` or played by an in-memory peer where a transcript
//! cannot express the attack (bytes arriving after `Output::StartTls`).

use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, Command, Envelope, Event, SmtpClient, SmtpConfig, Transaction,
};
use mail_kit_core::{Error, Machine, Output, TlsInfo, TlsPolicy, UsageError};
use mail_kit_tests::find_event;
use mail_kit_tests::transcripts::{Replayed, Scenario, TranscriptFile, config, list, load};
use quickcheck::{QuickCheck, TestResult};

const USER: &str = "alice";
const PASSWORD: &str = "Wonderland-42";
const TOKEN: &str = "ya29.Token-Secret";

fn password() -> Credentials {
    Credentials::password(USER, PASSWORD)
}

fn token() -> Credentials {
    Credentials::oauth_token("alice@example.org", TOKEN)
}

fn auth(credentials: Credentials) -> Command {
    Command::Authenticate(Auth::new(credentials))
}

fn forced(mechanism: &str) -> Command {
    Command::Authenticate(Auth::new(password()).with_mechanism(mechanism))
}

fn mail() -> Command {
    let env = Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [Address::new("bob@example.org").unwrap()],
    );
    Command::Send(Transaction::new(env, &b"hi\r\n"[..]))
}

/// The 1656-byte message of `row05-post-tls-capabilities-only`: bigger than the pre-TLS SIZE.
fn big_body() -> Vec<u8> {
    let mut body = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..20 {
        body.extend_from_slice(format!("{i:02} {}\r\n", "y".repeat(77)).as_bytes());
    }
    body
}

/// Files whose attack only exists when the server bytes arrive in one segment: they are
/// replayed whole here, and every split is played by the in-memory peer instead.
const WHOLE_RUN_ONLY: &[&str] = &["smtp/hostile/row04-starttls-injection.txt"];

fn scenario(name: &str) -> Scenario {
    use TlsPolicy::{Implicit, None as NoTls, Opportunistic, Required};
    let file = name
        .trim_start_matches("smtp/hostile/")
        .trim_end_matches(".txt");
    match file {
        "row04-starttls-injection" | "row08-starttls-not-offered" | "row11-ehlo-500-required" => {
            Scenario::new(Required).then(auth(password())).then(mail())
        }
        "row05-post-tls-capabilities-only" => {
            Scenario::new(Required)
                .then(auth(password()))
                .then(Command::Send(Transaction::new(
                    Envelope::new(
                        Some(Address::new("alice@example.org").unwrap()),
                        [Address::new("bob@example.org").unwrap()],
                    ),
                    big_body(),
                )))
        }
        "row05-post-tls-gssapi-only" => Scenario::new(Required)
            .then(auth(password()))
            .then(forced("PLAIN"))
            .then(Command::Quit),
        "row10-starttls-220-multiline" => Scenario::new(Required).then(Command::Quit),
        f if f.starts_with("row09-") || f.starts_with("row10-starttls-") => {
            let policy = if f.ends_with("-opportunistic") {
                Opportunistic
            } else {
                Required
            };
            Scenario::new(policy)
                .then(auth(password()))
                .then(mail())
                .then(Command::Quit)
        }
        f if f.starts_with("row19-") || f.starts_with("row20-") => Scenario::new(NoTls)
            .first(auth(password()))
            .then(auth(password())),
        "row23-sixty-mechanisms" => Scenario::new(Opportunistic)
            .then(auth(password().with_fixed_nonce("rowtwentythree")))
            .then(forced("PLAIN"))
            .then(forced("LOGIN"))
            .then(forced("X-07-MECH"))
            .then(Command::Quit),
        "row23-sixty-mechanisms-no-cram" => Scenario::new(Opportunistic)
            .then(auth(password()))
            .then(Command::Quit),
        "row57-challenge-short"
        | "row57-challenge-garbage"
        | "row57-challenge-binary"
        | "row65-endless-challenges"
        | "row65-huge-challenge" => Scenario::new(Implicit).then(auth(password())),
        "row18-terminal-escapes" => Scenario::new(NoTls).then(Command::Vrfy("alice".into())),
        "row18-terminal-escapes-refused" => Scenario::new(NoTls),
        other => panic!("no scenario for {other:?}"),
    }
}

fn check(name: &str) -> Replayed {
    let file = load(&format!("smtp/hostile/{name}"));
    let s = scenario(&file.name);
    let result = if WHOLE_RUN_ONLY.contains(&file.name.as_str()) {
        s.run(&file)
    } else {
        s.check_all_splits(&file)
    };
    result.unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

/// No event says the session was usable, and no command reached the wire (the replay already
/// checked every client byte; this checks what the application saw).
fn never_ready(r: &Replayed) {
    assert!(
        !r.events().iter().any(|e| matches!(
            e,
            Event::Ready { .. } | Event::Authenticated { .. } | Event::Sent { .. }
        )),
        "{:#?}",
        r.events()
    );
    assert!(r.on_ready.is_empty(), "{:?}", r.on_ready);
}

// ---------------------------------------------------------------------------------------------
// Rows 4 and 5: STARTTLS response injection and capability downgrade.

#[test]
fn row04_injection_in_one_segment_fails_before_the_handshake() {
    let r = check("row04-starttls-injection");
    assert_eq!(r.error(), Some(&Error::StartTlsBufferNotEmpty));
    never_ready(&r);
    // The replay would have failed with UnexpectedStartTls had the machine asked for TLS.
}

const GREETING: &[u8] = b"220 mx.example.org ESMTP\r\n";
const EHLO_TLS: &[u8] = b"250-mx.example.org\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n";
const STARTTLS_OK: &[u8] = b"220 Ready to start TLS\r\n";
const INJECTED: &[u8] = b"250-example.org\r\n250 AUTH PLAIN\r\n";

/// A hand-driven client: every output is recorded; nothing is done on `StartTls` but counting.
struct Hand {
    smtp: SmtpClient,
    now: Instant,
    wire: Vec<u8>,
    events: Vec<Event>,
    starttls: usize,
    error: Option<Error>,
}

impl Hand {
    fn new(config: SmtpConfig) -> Hand {
        let now = Instant::now();
        let mut smtp = SmtpClient::new(config);
        smtp.handle_timeout(now);
        Hand {
            smtp,
            now,
            wire: Vec::new(),
            events: Vec::new(),
            starttls: 0,
            error: None,
        }
    }

    fn drain(&mut self) {
        loop {
            match self.smtp.poll_output() {
                Ok(Output::Transmit(b)) => self.wire.extend_from_slice(&b),
                Ok(Output::Event(e)) => self.events.push(e),
                Ok(Output::StartTls) => self.starttls += 1,
                Ok(Output::Close) => {}
                Ok(Output::Idle { .. }) => return,
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    fn input(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.smtp.handle_input(self.now, bytes);
        }
        self.drain();
    }
}

#[test]
fn row04_injection_at_every_split_point() {
    let payload = [STARTTLS_OK, INJECTED].concat();
    for split in 0..=payload.len() {
        let mut h = Hand::new(config(TlsPolicy::Required));
        h.input(GREETING);
        h.input(EHLO_TLS);
        assert_eq!(h.wire, b"EHLO client.example\r\nSTARTTLS\r\n");
        h.input(&payload[..split]);
        h.input(&payload[split..]);
        // A driver that got `StartTls` has flushed and done the handshake by now.
        let asked = h.starttls;
        if asked > 0 {
            h.smtp.handle_tls_established(h.now, TlsInfo::default());
            h.drain();
        }
        assert_eq!(
            h.error,
            Some(Error::StartTlsBufferNotEmpty),
            "split at {split}"
        );
        // StartTls only when the 220 line arrived alone, to the byte: the machine cannot know
        // what follows. Any injected byte in the same chunk fails at once.
        let alone = split == STARTTLS_OK.len();
        assert_eq!(asked, usize::from(alone), "split at {split}");
        assert_eq!(
            h.wire, b"EHLO client.example\r\nSTARTTLS\r\n",
            "split at {split}: nothing after STARTTLS, never AUTH"
        );
        assert!(h.events.is_empty(), "split at {split}: {:?}", h.events);
        assert_eq!(h.smtp.enqueue(auth(password())), Err(UsageError::Closed));
        assert!(!h.smtp.is_secure());
    }
}

#[test]
fn row04_injection_after_starttls_with_the_handshake_still_running() {
    // The 220 arrives alone; the machine asks for TLS; before the driver reports the handshake,
    // more plaintext arrives (a driver reading ahead). Error, and the handshake report after it
    // changes nothing.
    let mut h = Hand::new(config(TlsPolicy::Required));
    h.input(GREETING);
    h.input(EHLO_TLS);
    h.input(STARTTLS_OK);
    assert_eq!((h.starttls, &h.error), (1, &None));
    for (i, &b) in INJECTED.iter().enumerate() {
        h.input(&[b]);
        assert_eq!(h.error, Some(Error::StartTlsBufferNotEmpty), "byte {i}");
    }
    h.smtp.handle_tls_established(h.now, TlsInfo::default());
    h.drain();
    assert_eq!(h.wire, b"EHLO client.example\r\nSTARTTLS\r\n");
    assert_eq!(h.error, Some(Error::StartTlsBufferNotEmpty));
}

#[test]
fn row05_only_post_tls_capabilities_count() {
    let r = check("row05-post-tls-capabilities-only");
    assert_eq!(r.error(), None);
    let (caps, secure) =
        find_event!(r.events(), Event::Ready { capabilities, secure } => (capabilities, *secure));
    assert!(secure);
    assert_eq!(caps.auth, ["CRAM-MD5"]);
    assert!(!caps.size && !caps.pipelining);
    let mechanism = find_event!(r.events(), Event::Authenticated { mechanism, .. } => *mechanism);
    assert_eq!(mechanism, "CRAM-MD5");
    let report = find_event!(r.events(), Event::Sent { report, .. } => report);
    assert!(report.is_accepted());
    assert_eq!(big_body().len(), 1656, "bigger than the pre-TLS SIZE 1000");
}

#[test]
fn row05_no_plain_when_the_genuine_list_lacks_it() {
    let r = check("row05-post-tls-gssapi-only");
    assert_eq!(r.error(), None);
    assert!(matches!(r.on_ready[0], Err(UsageError::NoMechanism(_))));
    assert!(matches!(r.on_ready[1], Err(UsageError::NoMechanism(_))));
    assert!(r.outcome.closed);
}

// ---------------------------------------------------------------------------------------------
// Rows 8 to 11: STARTTLS stripping, refusal and wrong answers under required TLS.

#[test]
fn row08_starttls_not_offered() {
    let r = check("row08-starttls-not-offered");
    assert_eq!(r.error(), Some(&Error::TlsRequiredButUnavailable));
    never_ready(&r);
}

#[test]
fn row09_starttls_refused() {
    for (name, code) in [("row09-starttls-454", "454"), ("row09-starttls-502", "502")] {
        let r = check(name);
        match r.error() {
            Some(Error::StartTlsRefused(text)) => assert!(text.starts_with(code), "{text}"),
            other => panic!("{name}: {other:?}"),
        }
        never_ready(&r);
    }
}

#[test]
fn row10_wrong_answers_to_starttls() {
    for name in [
        "row10-starttls-500",
        "row10-starttls-501",
        "row10-starttls-530",
    ] {
        let r = check(name);
        assert!(
            matches!(r.error(), Some(Error::StartTlsRefused(_))),
            "{name}: {:?}",
            r.error()
        );
        never_ready(&r);
    }
    for name in [
        "row10-starttls-354",
        "row10-starttls-354-opportunistic",
        "row10-starttls-221",
        "row10-starttls-250",
    ] {
        let r = check(name);
        assert!(
            matches!(r.error(), Some(Error::UnexpectedReply(t)) if t.contains("STARTTLS")),
            "{name}: {:?}",
            r.error()
        );
        never_ready(&r);
    }
    let r = check("row10-starttls-421");
    assert!(matches!(r.error(), Some(Error::ServiceClosing(_))));
    never_ready(&r);
}

#[test]
fn row10_multiline_220_is_a_220() {
    let r = check("row10-starttls-220-multiline");
    assert_eq!(r.error(), None);
    let secure = find_event!(r.events(), Event::Ready { secure, .. } => *secure);
    assert!(secure);
}

#[test]
fn row11_no_helo_fallback_under_required_tls() {
    let r = check("row11-ehlo-500-required");
    assert_eq!(r.error(), Some(&Error::TlsRequiredButUnavailable));
    never_ready(&r);
}

// ---------------------------------------------------------------------------------------------
// Rows 19 and 20: bad greetings.

#[test]
fn row19_malformed_greetings() {
    for name in [
        "row19-garbage-greeting",
        "row19-garbage-then-greeting",
        "row19-garbage-ehlo-reply",
    ] {
        let r = check(name);
        assert!(
            matches!(r.error(), Some(Error::MalformedReply(_))),
            "{name}: {:?}",
            r.error()
        );
        never_ready(&r);
        assert_eq!(
            r.at_start,
            [Err(UsageError::WrongState("the session is not ready yet"))]
        );
    }
}

#[test]
fn row20_refusing_greetings() {
    for code in ["221", "354", "421", "500", "501", "530", "554"] {
        let r = check(&format!("row20-greeting-{code}"));
        match (code, r.error()) {
            ("421", Some(Error::ServiceClosing(t))) | (_, Some(Error::GreetingRefused(t))) => {
                assert!(t.starts_with(code), "{code}: {t}")
            }
            (_, other) => panic!("{code}: {other:?}"),
        }
        never_ready(&r);
    }
}

// ---------------------------------------------------------------------------------------------
// Row 23: many mechanisms, no TLS.

#[test]
fn row23_sixty_mechanisms_without_tls() {
    let r = check("row23-sixty-mechanisms");
    assert_eq!(r.error(), None);
    let secure = find_event!(r.events(), Event::Ready { secure, .. } => *secure);
    assert!(!secure);
    let mechanism =
        find_event!(r.events(), Event::AuthenticationFailed { mechanism, .. } => *mechanism);
    assert_eq!(mechanism, "SCRAM-SHA-256");
    assert!(r.on_ready[0].is_ok());
    for i in 1..=3 {
        assert!(
            matches!(r.on_ready[i], Err(UsageError::NoMechanism(_))),
            "{i}: {:?}",
            r.on_ready[i]
        );
    }

    let r = check("row23-sixty-mechanisms-no-cram");
    assert_eq!(r.error(), None);
    assert_eq!(
        r.on_ready[0],
        Err(UsageError::NoMechanism(
            "only mechanisms that reveal the secret are offered and the connection is not encrypted"
        ))
    );
}

// ---------------------------------------------------------------------------------------------
// Rows 57 and 65: SASL challenge abuse.

#[test]
fn row57_bad_base64_challenges() {
    for name in [
        "row57-challenge-short",
        "row57-challenge-garbage",
        "row57-challenge-binary",
    ] {
        let r = check(name);
        assert!(
            matches!(r.error(), Some(Error::Sasl { reason, .. }) if reason == "challenge is not base64"),
            "{name}: {:?}",
            r.error()
        );
        assert!(
            !r.events()
                .iter()
                .any(|e| matches!(e, Event::Authenticated { .. }))
        );
    }
}

#[test]
fn row65_endless_challenges_are_cancelled() {
    let r = check("row65-endless-challenges");
    assert!(
        matches!(
            r.error(),
            Some(Error::Sasl {
                mechanism: "LOGIN",
                ..
            })
        ),
        "{:?}",
        r.error()
    );
}

#[test]
fn row65_huge_challenge_hits_the_line_limit() {
    let r = check("row65-huge-challenge");
    assert_eq!(r.error(), Some(&Error::LineTooLong { limit: 4096 }));
}

// ---------------------------------------------------------------------------------------------
// Row 18: terminal escapes in server text.

fn assert_no_escape(what: &str, text: &str) {
    assert!(
        !text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{9b}'),
        "{what} writes a control character: {text:?}"
    );
}

#[test]
fn row18_terminal_escapes_never_displayed() {
    let r = check("row18-terminal-escapes");
    assert_eq!(r.error(), None);
    let (caps, _) =
        find_event!(r.events(), Event::Ready { capabilities, secure } => (capabilities, *secure));
    assert_no_escape("capabilities", &format!("{caps:?}"));
    let reply = find_event!(r.events(), Event::Refused { reply, .. } => reply);
    // The bytes are kept as they came…
    assert!(reply.lines[0].contains(&0x1b));
    // …but neither Display nor Debug writes them raw.
    assert_no_escape("Reply Display", &reply.to_string());
    assert_no_escape("Reply Debug", &format!("{reply:?}"));
    assert!(reply.to_string().starts_with("550 5.1.1 "));
    for e in r.events() {
        assert_no_escape("Event Debug", &format!("{e:?}"));
    }

    let r = check("row18-terminal-escapes-refused");
    let error = r.error().expect("greeting refused");
    assert!(matches!(error, Error::GreetingRefused(_)));
    assert_no_escape("Error Display", &error.to_string());
    assert_no_escape("Error Debug", &format!("{error:?}"));
}

// ---------------------------------------------------------------------------------------------
// Every hostile transcript under random splits.

fn references() -> &'static [(TranscriptFile, Replayed)] {
    static REFERENCES: OnceLock<Vec<(TranscriptFile, Replayed)>> = OnceLock::new();
    REFERENCES.get_or_init(|| {
        list("smtp/hostile")
            .iter()
            .filter(|name| !WHOLE_RUN_ONLY.contains(&name.as_str()))
            .map(|name| {
                let file = load(name);
                let reference = scenario(name).run(&file).expect("whole-run replay");
                (file, reference)
            })
            .collect()
    })
}

fn random_splits_same_outcome(pick: usize, splits: Vec<u16>) -> TestResult {
    let all = references();
    let (file, reference) = &all[pick % all.len()];
    let offsets: Vec<usize> = splits.iter().map(|&s| usize::from(s % 128)).collect();
    match scenario(&file.name).run_with_splits(file, offsets.clone()) {
        Ok(r)
            if r.outcome.events == reference.outcome.events
                && r.outcome.error == reference.outcome.error
                && r.on_ready == reference.on_ready =>
        {
            TestResult::passed()
        }
        Ok(r) => TestResult::error(format!(
            "{} split at {offsets:?}: {:?} / {:?}",
            file.name, r.outcome.events, r.outcome.error
        )),
        Err(e) => TestResult::error(format!("{} split at {offsets:?}: {e}", file.name)),
    }
}

#[test]
fn every_hostile_transcript_has_a_scenario() {
    let files = list("smtp/hostile");
    assert!(files.len() >= 30, "{}", files.len());
    for name in files {
        let _ = scenario(&name);
    }
}

#[test]
fn quickcheck_hostile_transcripts_under_random_splits() {
    QuickCheck::new()
        .tests(1000)
        .quickcheck(random_splits_same_outcome as fn(usize, Vec<u16>) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// Credentials never appear in any Debug or Display.

/// Every form in which a secret could leak: as is, and as it goes out base64-encoded.
fn secret_forms() -> Vec<String> {
    vec![
        PASSWORD.to_owned(),
        TOKEN.to_owned(),
        BASE64.encode(PASSWORD),
        BASE64.encode(format!("\0{USER}\0{PASSWORD}")),
        BASE64.encode(format!(
            "user=alice@example.org\x01auth=Bearer {TOKEN}\x01\x01"
        )),
        BASE64.encode(format!(
            "n,a=alice@example.org,\x01auth=Bearer {TOKEN}\x01\x01"
        )),
    ]
}

/// Drives a session chunk by chunk and writes down the Debug and Display of everything a
/// program could print: the machine (before and after every drain, so with its queues full),
/// each event, the error, and the `enqueue` results.
struct Audit {
    texts: Vec<(String, String)>,
    /// Also note the machine's own Debug.
    machine_too: bool,
}

impl Audit {
    fn new(machine_too: bool) -> Audit {
        Audit {
            texts: Vec::new(),
            machine_too,
        }
    }

    fn note_machine(&mut self, what: &str, smtp: &SmtpClient) {
        if self.machine_too {
            self.note(what, smtp);
        }
    }

    fn note(&mut self, what: &str, value: &impl Debug) {
        self.texts.push((what.to_owned(), format!("{value:?}")));
        self.texts.push((what.to_owned(), format!("{value:#?}")));
    }

    fn session(
        &mut self,
        label: &str,
        config: SmtpConfig,
        chunks: &[&[u8]],
        commands: &[Command],
        end: End,
    ) -> Option<Error> {
        for c in commands {
            self.note(label, c);
            if let Command::Authenticate(a) = c {
                self.note(label, a);
                self.note(label, &a.credentials);
                self.note(label, a.credentials.secret());
            }
        }
        let now = Instant::now();
        let mut smtp = SmtpClient::new(config);
        smtp.handle_timeout(now);
        let mut error = None;
        let mut pending = commands.to_vec();
        for chunk in chunks {
            smtp.handle_input(now, chunk);
            self.note_machine(label, &smtp);
            error = self.drain(label, &mut smtp, &mut pending).or(error);
        }
        match end {
            End::Nothing => {}
            End::Eof => smtp.handle_eof(now),
            End::Timeout => smtp.handle_timeout(now + Duration::from_secs(3600)),
        }
        self.note_machine(label, &smtp);
        error = self.drain(label, &mut smtp, &mut pending).or(error);
        if let Some(e) = &error {
            self.note(label, e);
            self.texts.push((label.to_owned(), e.to_string()));
        }
        error
    }

    fn drain(
        &mut self,
        label: &str,
        smtp: &mut SmtpClient,
        pending: &mut Vec<Command>,
    ) -> Option<Error> {
        loop {
            let output = smtp.poll_output();
            match output {
                Err(e) => return Some(e),
                Ok(Output::Idle { .. }) => return None,
                // The wire itself carries the credentials, necessarily: not audited.
                Ok(Output::Transmit(_)) => {}
                Ok(Output::Event(e)) => {
                    self.note(label, &e);
                    if matches!(e, Event::Ready { .. }) {
                        for c in pending.drain(..) {
                            let result = smtp.enqueue(c);
                            self.note(label, &result);
                            if let Err(u) = &result {
                                self.texts.push((label.to_owned(), u.to_string()));
                            }
                            self.note_machine(label, smtp);
                        }
                    }
                }
                Ok(other) => self.note(label, &other),
            }
            self.note_machine(label, smtp);
        }
    }
}

/// A label, the configuration, the server's chunks after the greeting, the commands enqueued
/// once ready, and how the session ends.
type AuditCase = (&'static str, SmtpConfig, Vec<Vec<u8>>, Vec<Command>, End);

#[derive(Clone, Copy)]
enum End {
    Nothing,
    Eof,
    Timeout,
}

/// Runs every failing authentication below; returns the audit and how many
/// sessions ended in a fatal error.
fn run_audit(machine_too: bool) -> (Audit, usize) {
    let tls = || config(TlsPolicy::Implicit);
    let caps = |mechs: &str| format!("250-mx.example.org\r\n250 AUTH {mechs}\r\n").into_bytes();
    let greeting: &[u8] = b"220 mx ESMTP\r\n";
    let mut audit = Audit::new(machine_too);
    let mut errors = Vec::new();
    let cases: Vec<AuditCase> = vec![
        (
            "PLAIN 535",
            tls(),
            vec![caps("PLAIN"), b"535 5.7.8 no\r\n".to_vec()],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "LOGIN 535 after the password",
            tls(),
            vec![
                caps("LOGIN"),
                b"334 VXNlcm5hbWU6\r\n".to_vec(),
                b"334 UGFzc3dvcmQ6\r\n".to_vec(),
                b"535 5.7.8 no\r\n".to_vec(),
            ],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "CRAM-MD5 504, PLAIN 504 (no mechanism left)",
            tls(),
            vec![
                caps("PLAIN CRAM-MD5"),
                b"504 no\r\n".to_vec(),
                b"504 no\r\n".to_vec(),
            ],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "LOGIN third challenge",
            tls(),
            vec![
                caps("LOGIN"),
                b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n334 UGFzc3dvcmQ6\r\n".to_vec(),
            ],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "PLAIN then a bad challenge",
            tls(),
            vec![caps("PLAIN"), b"334 !!!\r\n".to_vec()],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "LOGIN then 421",
            tls(),
            vec![
                caps("LOGIN"),
                b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n".to_vec(),
                b"421 4.4.2 bye\r\n".to_vec(),
            ],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "LOGIN then EOF mid-reply",
            tls(),
            vec![
                caps("LOGIN"),
                b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n".to_vec(),
                b"535-5.7.8 part".to_vec(),
            ],
            vec![auth(password())],
            End::Eof,
        ),
        (
            "PLAIN then timeout",
            tls(),
            vec![caps("PLAIN")],
            vec![auth(password())],
            End::Timeout,
        ),
        (
            "CRAM-MD5 challenge too long",
            {
                let mut c = tls();
                c.limits.max_challenge_len = 4;
                c
            },
            vec![
                caps("CRAM-MD5"),
                b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3Q+\r\n".to_vec(),
            ],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "CRAM-MD5 huge line",
            tls(),
            vec![caps("CRAM-MD5"), [&b"334 "[..], &[b'Q'; 5000]].concat()],
            vec![auth(password())],
            End::Nothing,
        ),
        (
            "XOAUTH2 error",
            tls(),
            vec![
                caps("XOAUTH2"),
                b"334 eyJzdGF0dXMiOiI0MDEifQ==\r\n".to_vec(),
                b"535 5.7.8 no\r\n".to_vec(),
            ],
            vec![auth(token())],
            End::Nothing,
        ),
        (
            "OAUTHBEARER error, then 235 anyway",
            tls(),
            vec![
                caps("OAUTHBEARER"),
                b"334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n".to_vec(),
                b"235 ok?\r\n".to_vec(),
            ],
            vec![auth(token())],
            End::Nothing,
        ),
        (
            "plaintext refused locally",
            config(TlsPolicy::None),
            vec![caps("PLAIN LOGIN")],
            vec![auth(password()), forced("LOGIN"), forced("XOAUTH2")],
            End::Nothing,
        ),
        (
            "forced mechanism not offered",
            tls(),
            vec![caps("PLAIN")],
            vec![forced("CRAM-MD5"), forced("PLAIN\r\nQUIT")],
            End::Nothing,
        ),
    ];
    for (label, config, chunks, commands, end) in cases {
        let mut all: Vec<&[u8]> = vec![greeting];
        all.extend(chunks.iter().map(Vec::as_slice));
        errors.push((label, audit.session(label, config, &all, &commands, end)));
    }
    let failed = errors.iter().filter(|(_, e)| e.is_some()).count();
    (audit, failed)
}

fn assert_no_secret(audit: &Audit) {
    let secrets = secret_forms();
    for (label, text) in &audit.texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{label}: a credential ({secret}) appears in {text}"
            );
        }
    }
}

#[test]
fn credentials_never_in_events_errors_or_commands() {
    let (audit, failed) = run_audit(false);
    // Every kind of failure really happened: the SASL errors, 421, EOF, timeout, line limit.
    assert!(failed >= 8, "{failed}");
    assert!(audit.texts.len() > 100);
    assert_no_secret(&audit);
}

#[test]
fn machine_debug_never_shows_the_literal_secret() {
    let (audit, _) = run_audit(true);
    for (label, text) in &audit.texts {
        assert!(!text.contains(PASSWORD), "{label}: {text}");
        assert!(!text.contains(TOKEN), "{label}: {text}");
    }
}

#[test]
fn machine_debug_never_shows_encoded_credentials() {
    let (audit, _) = run_audit(true);
    assert_no_secret(&audit);
}
