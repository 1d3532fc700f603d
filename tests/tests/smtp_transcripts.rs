//! Transcript replays of every SMTP feature (`tests/transcripts/smtp/*.txt`).
//!
//! Each file is one scenario: the server's bytes, the exact client bytes expected, and in
//! [`scenario`] what the application does (configuration, commands enqueued once ready). Every
//! test replays its file through `check_all_splits` (whole runs, every split offset, byte by
//! byte) and asserts on the events, the fatal error and the `closed` flag. A quickcheck property
//! replays random files with random split vectors.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, BodyType, Command, DsnReturn, EnhancedStatus, Envelope, Event, MailParameters,
    Notify, RcptParameters, Recipient, Reply, SendReport, Stage, Transaction,
};
use mail_kit_core::transcript::{Line, Replay, ReplayError, Transcript};
use mail_kit_core::{Error, TlsPolicy, UsageError};
use mail_kit_tests::find_event;
use mail_kit_tests::transcripts::{Replayed, Scenario, TranscriptFile, load};

const USER: &str = "alice";
const PASSWORD: &str = "Wonderland-42";
const TOKEN: &str = "ya29.Token-Secret";

fn addr(s: &str) -> Address {
    Address::new(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn env(from: &str, to: &[&str]) -> Envelope {
    Envelope::new(Some(addr(from)), to.iter().map(|t| addr(t)))
}

fn send(envelope: Envelope, body: &[u8]) -> Command {
    Command::Send(Transaction::new(envelope, body.to_vec()))
}

fn simple_send(body: &[u8]) -> Command {
    send(env("alice@example.org", &["bob@example.org"]), body)
}

fn password() -> Credentials {
    Credentials::password(USER, PASSWORD)
}

fn token() -> Credentials {
    Credentials::oauth_token("alice@example.org", TOKEN)
}

fn auth(credentials: Credentials) -> Command {
    Command::Authenticate(Auth::new(credentials))
}

/// 32 lines of 62 bytes plus CRLF: 2048 bytes, 8 lines per 512-byte BDAT chunk.
fn two_kb_body() -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..32 {
        body.extend_from_slice(format!("line {i:02} {}\r\n", "x".repeat(54)).as_bytes());
    }
    assert_eq!(body.len(), 2048);
    body
}

fn eight_bit_body() -> Vec<u8> {
    "Subject: café\r\n\r\ndéjà vu\r\n".as_bytes().to_vec()
}

/// What the application does for each transcript file.
fn scenario(name: &str) -> Scenario {
    use TlsPolicy::{Implicit, None as NoTls, Opportunistic, Required};
    let file = name
        .trim_start_matches("smtp/")
        .trim_end_matches(".txt")
        .to_owned();
    match file.as_str() {
        "greeting-multiline-quit" => Scenario::new(NoTls).then(Command::Quit),
        "greeting-554" | "greeting-450" | "greeting-421" | "greeting-221" => {
            Scenario::new(NoTls).first(auth(password()))
        }
        "reply-multiline-enhanced" => Scenario::new(NoTls).then(simple_send(b"hi\r\n")),
        "ehlo-every-capability" => Scenario::new(NoTls).then(Command::Quit),
        "ehlo-implicit-tls" => Scenario::new(Implicit).then(Command::Quit),
        "ehlo-refused-helo-none" => Scenario::new(NoTls).then(Command::Quit),
        "ehlo-refused-helo-opportunistic" => Scenario::new(Opportunistic).then(Command::Quit),
        "ehlo-refused-tls-required" => Scenario::new(Required),
        "helo-refused" => Scenario::new(NoTls),
        "starttls-ehlo-again" => Scenario::new(Required).then(Command::Quit),
        "starttls-opportunistic-454" => Scenario::new(Opportunistic).then(Command::Quit),
        "auth-plain"
        | "auth-login"
        | "auth-504-next-mechanism"
        | "auth-challenge-huge-line"
        | "auth-login-third-challenge"
        | "auth-bad-base64" => Scenario::new(Implicit).then(auth(password())),
        "auth-cram-md5" => {
            Scenario::new(Implicit).then(auth(Credentials::password("tim", "tanstaaftanstaaf")))
        }
        "auth-xoauth2" | "auth-xoauth2-error" | "auth-oauthbearer" | "auth-oauthbearer-error" => {
            Scenario::new(Implicit).then(auth(token()))
        }
        "auth-535" => Scenario::new(Implicit)
            .then(auth(password()))
            .then(Command::Quit),
        "auth-plaintext-refused" => Scenario::new(NoTls)
            .then(auth(password()))
            .then(Command::Quit),
        "auth-plaintext-allowed" => {
            let mut a = Auth::new(password());
            a.allow_plaintext = true;
            Scenario::new(NoTls).then(Command::Authenticate(a))
        }
        "auth-challenge-too-long" => Scenario::new(Implicit)
            .configure(|c| c.limits.max_challenge_len = 48)
            .then(auth(password())),
        "auth-too-many-rounds" => Scenario::new(Implicit)
            .configure(|c| c.limits.max_sasl_rounds = 2)
            .then(auth(password())),
        "mail-size-8bitmime" => Scenario::new(NoTls).then(simple_send(&eight_bit_body())),
        "mail-binarymime-bdat" => Scenario::new(NoTls).then(simple_send(b"a\0b\r\n\0\xffc")),
        "mail-smtputf8" => Scenario::new(NoTls).then(send(
            env("ålice@example.org", &["bob@bücher.example"]),
            b"Subject: hi\r\n\r\nhello\r\n",
        )),
        "mail-dsn" => {
            let mut envelope = env("alice@example.org", &[]);
            envelope.params = MailParameters {
                ret: Some(DsnReturn::Headers),
                envid: Some("QQ314159+x".into()),
                ..MailParameters::default()
            };
            envelope.recipients = vec![
                Recipient {
                    address: addr("bob@example.org"),
                    params: RcptParameters {
                        notify: Some(Notify {
                            success: true,
                            failure: true,
                            delay: false,
                        }),
                        orcpt: Some("bob@example.org".into()),
                    },
                },
                Recipient {
                    address: addr("carol@example.org"),
                    params: RcptParameters {
                        notify: Some(Notify::default()),
                        orcpt: None,
                    },
                },
            ];
            Scenario::new(NoTls).then(send(envelope, b"hi"))
        }
        "mail-requiretls" => Scenario::new(Implicit).then(send(requiretls_envelope(), b"hi")),
        "mail-requiretls-plaintext" => Scenario::new(NoTls)
            .then(send(requiretls_envelope(), b"hi"))
            .then(Command::Quit),
        "mail-8bit-without-8bitmime" => Scenario::new(NoTls)
            .then(simple_send(&eight_bit_body()))
            .then(Command::Quit),
        "mail-missing-capabilities" => {
            let mut s = Scenario::new(NoTls);
            for command in missing_capability_commands() {
                s = s.then(command);
            }
            s.then(Command::Quit)
        }
        "rcpt-idn-alabel" => Scenario::new(NoTls).then(send(
            env("alice@bücher.example", &["user@bücher.example"]),
            b"hi",
        )),
        "rcpt-idn-smtputf8" => {
            let mut utf8 = env("alice@example.org", &["user@bücher.example"]);
            utf8.params.smtputf8 = true;
            Scenario::new(NoTls)
                .then(send(
                    env("alice@example.org", &["user@bücher.example"]),
                    b"one",
                ))
                .then(send(utf8, b"two"))
        }
        "send-some-recipients-refused" => Scenario::new(NoTls).then(send(
            env(
                "alice@example.org",
                &["bob@example.org", "nobody@example.org", "carol@example.org"],
            ),
            b"hello",
        )),
        "send-all-recipients-refused" | "send-all-recipients-refused-lockstep" => {
            Scenario::new(NoTls).then(send(
                env(
                    "alice@example.org",
                    &["bob@example.org", "carol@example.org"],
                ),
                b"hello",
            ))
        }
        "send-all-recipients-refused-354" => Scenario::new(NoTls)
            .then(simple_send(b"hello"))
            .then(Command::Noop),
        "send-mail-refused" | "send-mail-refused-pipelined" => Scenario::new(NoTls)
            .then(simple_send(b"hello"))
            .then(Command::Quit),
        "send-data-refused" => Scenario::new(NoTls).then(simple_send(b"hello")),
        "send-content-refused" => Scenario::new(NoTls)
            .then(simple_send(b"Subject: buy now\r\n\r\nspam\r\n"))
            .then(Command::Noop),
        "send-dot-stuffing" => {
            Scenario::new(NoTls).then(simple_send(b".first\nline\n\n.\n..two\r\n.\rend"))
        }
        "bdat-chunks-pipelined" | "bdat-refused-pipelined" => Scenario::new(NoTls)
            .configure(|c| c.chunk_size = 512)
            .then(simple_send(&two_kb_body())),
        "bdat-chunks-lockstep" | "bdat-refused" => Scenario::new(NoTls)
            .configure(|c| c.chunk_size = 512)
            .strict()
            .then(simple_send(&two_kb_body())),
        "pipelining-envelope-one-write" => Scenario::new(NoTls).strict().then(send(
            env(
                "alice@example.org",
                &["bob@example.org", "carol@example.org"],
            ),
            b"hello",
        )),
        "pipelining-consecutive-messages" => Scenario::new(NoTls)
            .strict()
            .then(send(
                env("alice@example.org", &["bob@example.org"]),
                b"first",
            ))
            .then(send(
                env("alice@example.org", &["carol@example.org"]),
                b"second",
            ))
            .then(Command::Quit),
        "size-too-large" => Scenario::new(NoTls)
            .then(simple_send(&[b'x'; 200]))
            .then(Command::Quit),
        "rset-noop-vrfy-expn" => Scenario::new(NoTls)
            .then(Command::Rset)
            .then(Command::Noop)
            .then(Command::Vrfy("alice".into()))
            .then(Command::Expn("staff".into())),
        "vrfy-expn-refused" => Scenario::new(NoTls)
            .then(Command::Vrfy("nobody".into()))
            .then(Command::Expn("staff".into()))
            .then(Command::Noop),
        "quit-without-reply" => Scenario::new(NoTls).then(Command::Quit),
        "rcpt-421" => Scenario::new(NoTls).then(simple_send(b"hello")),
        "eof-mid-reply" => Scenario::new(NoTls),
        "eof-between-replies" => Scenario::new(NoTls).then(Command::Noop),
        "timeout-greeting" => Scenario::new(NoTls),
        "timeout-data-init" | "timeout-data-termination" => {
            Scenario::new(NoTls).then(simple_send(b"hello"))
        }
        "reply-line-too-long" => Scenario::new(NoTls).configure(|c| c.limits.max_line_len = 64),
        "reply-too-many-lines" => Scenario::new(NoTls).configure(|c| c.limits.max_reply_lines = 4),
        "reply-malformed" => Scenario::new(NoTls),
        other => panic!("no scenario for transcript {other:?}: add one to `scenario`"),
    }
}

fn requiretls_envelope() -> Envelope {
    let mut envelope = env("alice@example.org", &["bob@example.org"]);
    envelope.params.requiretls = true;
    envelope
}

/// Transactions that each need an extension the server of `mail-missing-capabilities` lacks,
/// with the error `enqueue` must give.
fn missing_capability_commands() -> Vec<Command> {
    missing_capability_cases()
        .into_iter()
        .map(|(command, _)| command)
        .collect()
}

fn missing_capability_cases() -> Vec<(Command, UsageError)> {
    let dsn_rcpt = {
        let mut e = env("alice@example.org", &[]);
        e.recipients = vec![Recipient {
            address: addr("bob@example.org"),
            params: RcptParameters {
                notify: Some(Notify::default()),
                orcpt: None,
            },
        }];
        e
    };
    let with = |change: fn(&mut Envelope)| {
        let mut e = env("alice@example.org", &["bob@example.org"]);
        change(&mut e);
        e
    };
    vec![
        (
            send(env("ålice@example.org", &["bob@example.org"]), b"hi"),
            UsageError::NotSupported("SMTPUTF8"),
        ),
        (
            send(env("alice@example.org", &["bøb@example.org"]), b"hi"),
            UsageError::NotSupported("SMTPUTF8"),
        ),
        (
            send(with(|e| e.params.smtputf8 = true), b"hi"),
            UsageError::NotSupported("SMTPUTF8"),
        ),
        (
            send(with(|e| e.params.ret = Some(DsnReturn::Full)), b"hi"),
            UsageError::NotSupported("DSN"),
        ),
        (
            send(with(|e| e.params.envid = Some("id".into())), b"hi"),
            UsageError::NotSupported("DSN"),
        ),
        (send(dsn_rcpt, b"hi"), UsageError::NotSupported("DSN")),
        (
            send(with(|e| e.params.requiretls = true), b"hi"),
            UsageError::NotSupported("REQUIRETLS"),
        ),
        (
            simple_send(b"binary\0body"),
            UsageError::NotSupported("BINARYMIME"),
        ),
        (
            Command::Send(Transaction {
                body_type: Some(BodyType::BinaryMime),
                ..Transaction::new(env("alice@example.org", &["bob@example.org"]), &b"x"[..])
            }),
            UsageError::NotSupported("BINARYMIME"),
        ),
        (
            send(env("alice@example.org", &[]), b"hi"),
            UsageError::InvalidArgument {
                what: "envelope",
                reason: "no recipients",
            },
        ),
    ]
}

/// Loads `smtp/<name>.txt`, replays it with its scenario under every split.
fn check(name: &str) -> Replayed {
    let file = load(&format!("smtp/{name}"));
    scenario(&file.name)
        .check_all_splits(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

fn ready(r: &Replayed) -> (&mail_kit_core::smtp::Capabilities, bool) {
    find_event!(r.events(), Event::Ready { capabilities, secure } => (capabilities, *secure))
}

fn sent(r: &Replayed) -> Vec<&SendReport> {
    r.events()
        .iter()
        .filter_map(|e| match e {
            Event::Sent { report, .. } => Some(report),
            _ => None,
        })
        .collect()
}

fn only_sent(r: &Replayed) -> &SendReport {
    let all = sent(r);
    assert_eq!(all.len(), 1, "{:#?}", r.events());
    all[0]
}

fn lines(reply: &Reply) -> Vec<String> {
    reply
        .lines
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect()
}

fn no_error(r: &Replayed) {
    assert_eq!(r.error(), None, "{:#?}", r.events());
    assert_eq!(r.outcome.unprocessed, 0);
}

/// The session ended with this fatal error, and every transcript line was needed to get there.
fn fails_with(r: &Replayed, expected: &Error) {
    assert_eq!(r.error(), Some(expected), "{:#?}", r.events());
}

// ---------------------------------------------------------------------------------------------
// Every file, every split.

mail_kit_tests::replay_every_transcript! {
    protocol: mail_kit_tests::transcripts::Smtp,
    dir: "smtp",
    at_least: 60,
    scenario: scenario,
    random_splits: 2000,
}

// ---------------------------------------------------------------------------------------------
// Greetings.

#[test]
fn greeting_multiline_then_quit() {
    let r = check("greeting-multiline-quit");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert_eq!(caps.domain, "mx.example.org");
    assert!(!secure);
    assert!(caps.extensions.is_empty());
    let reply =
        find_event!(r.events(), Event::Closed { reply, handle } if *handle == r.handle(0) => reply);
    assert_eq!(reply.as_ref().map(|r| r.code), Some(221));
    assert!(r.outcome.closed);
}

#[test]
fn refused_greetings_write_nothing() {
    for (name, code) in [
        ("greeting-554", 554),
        ("greeting-450", 450),
        ("greeting-221", 221),
    ] {
        let r = check(name);
        match r.error() {
            Some(Error::GreetingRefused(text)) => {
                assert!(text.starts_with(&code.to_string()), "{name}: {text}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(r.events().is_empty(), "{name}");
        assert!(!r.outcome.closed);
        // AUTH before the greeting is a usage error, never bytes on the wire.
        assert_eq!(
            r.at_start,
            [Err(UsageError::WrongState("the session is not ready yet"))]
        );
    }
}

#[test]
fn greeting_421_is_service_closing() {
    let r = check("greeting-421");
    assert!(
        matches!(r.error(), Some(Error::ServiceClosing(t)) if t.starts_with("421 4.3.2")),
        "{:?}",
        r.error()
    );
    assert!(r.events().is_empty());
}

#[test]
fn multiline_reply_with_enhanced_status_codes() {
    let r = check("reply-multiline-enhanced");
    no_error(&r);
    let report = only_sent(&r);
    assert_eq!(report.stage, Stage::Recipients);
    assert_eq!(
        report.mail.enhanced,
        Some(EnhancedStatus {
            class: 2,
            subject: 1,
            detail: 0
        })
    );
    assert_eq!(report.mail.text(), "Sender ok");
    let rcpt = &report.recipients[0];
    assert_eq!(rcpt.address, "bob@example.org");
    assert!(!rcpt.is_accepted());
    assert_eq!(rcpt.reply.code, 550);
    assert_eq!(
        rcpt.reply.enhanced,
        Some(EnhancedStatus {
            class: 5,
            subject: 1,
            detail: 1
        })
    );
    assert_eq!(rcpt.reply.lines.len(), 3);
    assert_eq!(
        rcpt.reply.text(),
        "The email account that you tried to reach does not exist.\n\
         Please try double-checking the recipient's email\n\
         address for typos."
    );
    assert_eq!(
        rcpt.reply.to_string(),
        "550 5.1.1 The email account that you tried to reach does not exist. …"
    );
}

// ---------------------------------------------------------------------------------------------
// EHLO, HELO, STARTTLS.

#[test]
fn ehlo_with_every_capability() {
    let r = check("ehlo-every-capability");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert!(!secure);
    assert_eq!(caps.domain, "mx.example.org");
    assert!(caps.size && caps.pipelining && caps.eight_bit_mime && caps.binary_mime);
    assert!(caps.chunking && caps.smtp_utf8 && caps.dsn && caps.enhanced_status_codes);
    assert!(caps.starttls && caps.requiretls);
    assert_eq!(caps.size_limit, Some(35_882_577));
    assert_eq!(
        caps.auth,
        [
            "PLAIN",
            "LOGIN",
            "CRAM-MD5",
            "XOAUTH2",
            "OAUTHBEARER",
            "X-UNKNOWN"
        ]
    );
    assert!(caps.has("X-UNKNOWN-EXTENSION"));
    assert!(
        caps.extensions
            .contains(&("X-UNKNOWN-EXTENSION".into(), "some params".into()))
    );
    assert!(r.outcome.closed);
}

#[test]
fn implicit_tls_never_sends_starttls() {
    let r = check("ehlo-implicit-tls");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert!(secure && caps.starttls);
}

#[test]
fn ehlo_refused_falls_back_to_helo_without_required_tls() {
    for name in ["ehlo-refused-helo-none", "ehlo-refused-helo-opportunistic"] {
        let r = check(name);
        no_error(&r);
        let (caps, secure) = ready(&r);
        assert!(!secure);
        assert_eq!(caps.domain, "old.example.org", "{name}");
        assert!(caps.extensions.is_empty() && caps.auth.is_empty() && !caps.starttls);
        assert!(r.outcome.closed);
    }
}

#[test]
fn ehlo_refused_under_required_tls_never_says_helo() {
    let r = check("ehlo-refused-tls-required");
    fails_with(&r, &Error::TlsRequiredButUnavailable);
    assert!(r.events().is_empty());
}

#[test]
fn helo_refused_too() {
    let r = check("helo-refused");
    assert!(
        matches!(r.error(), Some(Error::GreetingRefused(t)) if t.starts_with("501")),
        "{:?}",
        r.error()
    );
}

#[test]
fn starttls_forgets_plaintext_capabilities() {
    let r = check("starttls-ehlo-again");
    no_error(&r);
    assert_eq!(r.ready_count, 1);
    let (caps, secure) = ready(&r);
    assert!(secure);
    assert_eq!(caps.auth, ["CRAM-MD5"]);
    assert!(caps.eight_bit_mime);
    assert!(!caps.size && caps.size_limit.is_none() && !caps.pipelining && !caps.starttls);
    assert!(r.outcome.closed);
}

#[test]
fn opportunistic_tls_goes_on_after_454() {
    let r = check("starttls-opportunistic-454");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert!(!secure);
    assert!(caps.pipelining && caps.starttls);
}

// ---------------------------------------------------------------------------------------------
// AUTH.

fn authenticated(r: &Replayed) -> &'static str {
    find_event!(r.events(), Event::Authenticated { mechanism, handle } if *handle == r.handle(0) => *mechanism)
}

fn auth_failed(r: &Replayed) -> (&'static str, &Reply) {
    find_event!(r.events(), Event::AuthenticationFailed { mechanism, reply, handle } if *handle == r.handle(0) => (*mechanism, reply))
}

#[test]
fn auth_plain_with_initial_response() {
    let r = check("auth-plain");
    no_error(&r);
    assert_eq!(authenticated(&r), "PLAIN");
}

#[test]
fn auth_login_answers_two_challenges() {
    let r = check("auth-login");
    no_error(&r);
    assert_eq!(authenticated(&r), "LOGIN");
}

/// HMAC-MD5 (RFC 2104) of `challenge` keyed with `password`, as RFC 2195 prescribes.
fn cram_md5_response(user: &str, password: &str, challenge: &[u8]) -> String {
    let mut mac = <Hmac<md5::Md5> as Mac>::new_from_slice(password.as_bytes()).unwrap();
    mac.update(challenge);
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{user} {digest}")
}

#[test]
fn auth_cram_md5_strongest_first_and_rfc2195_response() {
    let r = check("auth-cram-md5");
    no_error(&r);
    assert_eq!(authenticated(&r), "CRAM-MD5");
    // The transcript's response line is the RFC 2195 example, recomputed independently.
    let file = load("smtp/auth-cram-md5");
    let server = file.transcript.server_bytes();
    let server = String::from_utf8(server).unwrap();
    let challenge = server
        .lines()
        .find_map(|l| l.strip_prefix("334 "))
        .unwrap()
        .trim();
    let challenge = BASE64.decode(challenge).unwrap();
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    let expected = cram_md5_response("tim", "tanstaaftanstaaf", &challenge);
    assert_eq!(expected, "tim b913a602c7eda7a495b4e6e7334d3890");
    let client = String::from_utf8(file.transcript.client_bytes()).unwrap();
    assert!(
        client.contains(&format!("{}\r\n", BASE64.encode(&expected))),
        "{client}"
    );
}

#[test]
fn auth_cram_md5_any_challenge_matches_independent_hmac() {
    // The same exchange with a challenge other than the RFC's: the client's answer must be
    // exactly HMAC-MD5 computed here.
    let challenge = b"<31415.926535@mx.example.org>";
    let expected = cram_md5_response(USER, PASSWORD, challenge);
    let text = format!(
        "S: 220 mx ESMTP\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH CRAM-MD5\n\
         C: AUTH CRAM-MD5\nS: 334 {}\nC: {}\nS: 235 ok\n",
        BASE64.encode(challenge),
        BASE64.encode(expected)
    );
    let transcript = Transcript::parse(&text).unwrap();
    let file = TranscriptFile {
        name: "cram-md5-computed".into(),
        line_numbers: (1..=transcript.lines.len()).collect(),
        transcript,
    };
    let r = Scenario::new(TlsPolicy::Implicit)
        .then(auth(password()))
        .check_all_splits(&file)
        .unwrap();
    assert_eq!(authenticated(&r), "CRAM-MD5");
}

#[test]
fn auth_xoauth2() {
    let r = check("auth-xoauth2");
    no_error(&r);
    assert_eq!(authenticated(&r), "XOAUTH2");
}

#[test]
fn auth_xoauth2_error_challenge_gets_empty_response() {
    let r = check("auth-xoauth2-error");
    no_error(&r);
    let (mechanism, reply) = auth_failed(&r);
    assert_eq!(mechanism, "XOAUTH2");
    assert_eq!(reply.code, 535);
    assert_eq!(reply.lines.len(), 2);
}

#[test]
fn auth_oauthbearer_preferred() {
    let r = check("auth-oauthbearer");
    no_error(&r);
    assert_eq!(authenticated(&r), "OAUTHBEARER");
}

#[test]
fn auth_oauthbearer_error_challenge_gets_ctrl_a() {
    let r = check("auth-oauthbearer-error");
    no_error(&r);
    let (mechanism, reply) = auth_failed(&r);
    assert_eq!(mechanism, "OAUTHBEARER");
    assert_eq!(reply.code, 535);
}

#[test]
fn auth_504_tries_the_next_mechanism() {
    let r = check("auth-504-next-mechanism");
    no_error(&r);
    assert_eq!(authenticated(&r), "PLAIN");
}

#[test]
fn auth_535_is_an_event_and_the_session_goes_on() {
    let r = check("auth-535");
    no_error(&r);
    let (mechanism, reply) = auth_failed(&r);
    assert_eq!(mechanism, "PLAIN");
    assert_eq!(
        reply.to_string(),
        "535 5.7.8 Authentication credentials invalid"
    );
    assert!(r.outcome.closed);
}

#[test]
fn plaintext_mechanisms_refused_without_tls() {
    let r = check("auth-plaintext-refused");
    no_error(&r);
    assert!(matches!(r.on_ready[0], Err(UsageError::NoMechanism(_))));
    assert!(r.on_ready[1].is_ok());
    assert!(!r.events().iter().any(|e| matches!(
        e,
        Event::Authenticated { .. } | Event::AuthenticationFailed { .. }
    )));
    assert!(r.outcome.closed);
}

#[test]
fn plaintext_mechanisms_allowed_on_request() {
    let r = check("auth-plaintext-allowed");
    no_error(&r);
    assert_eq!(authenticated(&r), "PLAIN");
}

fn sasl_error(r: &Replayed) -> (&'static str, &str) {
    match r.error() {
        Some(Error::Sasl { mechanism, reason }) => (*mechanism, reason.as_str()),
        other => panic!("expected a SASL error, got {other:?}"),
    }
}

#[test]
fn sasl_challenge_too_long_is_cancelled() {
    let r = check("auth-challenge-too-long");
    assert_eq!(sasl_error(&r), ("CRAM-MD5", "challenge too long"));
}

#[test]
fn sasl_challenge_beyond_the_line_limit_is_fatal() {
    let r = check("auth-challenge-huge-line");
    fails_with(&r, &Error::LineTooLong { limit: 4096 });
}

#[test]
fn sasl_too_many_rounds_is_cancelled() {
    let r = check("auth-too-many-rounds");
    assert_eq!(sasl_error(&r), ("LOGIN", "too many challenges"));
}

#[test]
fn sasl_login_third_challenge_is_cancelled() {
    let r = check("auth-login-third-challenge");
    let (mechanism, _) = sasl_error(&r);
    assert_eq!(mechanism, "LOGIN");
}

#[test]
fn sasl_non_base64_challenge_is_cancelled() {
    let r = check("auth-bad-base64");
    assert_eq!(sasl_error(&r), ("CRAM-MD5", "challenge is not base64"));
}

// ---------------------------------------------------------------------------------------------
// MAIL FROM / RCPT TO parameters.

#[test]
fn size_and_8bitmime_parameters() {
    let r = check("mail-size-8bitmime");
    no_error(&r);
    assert!(only_sent(&r).is_accepted());
}

#[test]
fn binarymime_goes_with_bdat() {
    let r = check("mail-binarymime-bdat");
    no_error(&r);
    let report = only_sent(&r);
    assert!(report.is_accepted());
    assert_eq!(report.last.as_ref().map(|l| l.code), Some(250));
}

#[test]
fn smtputf8_for_a_utf8_local_part() {
    let r = check("mail-smtputf8");
    no_error(&r);
    let report = only_sent(&r);
    assert!(report.is_accepted());
    assert_eq!(report.recipients[0].address, "bob@bücher.example");
}

#[test]
fn dsn_parameters() {
    let r = check("mail-dsn");
    no_error(&r);
    assert_eq!(only_sent(&r).accepted().count(), 2);
}

#[test]
fn requiretls_parameter() {
    let r = check("mail-requiretls");
    no_error(&r);
    assert!(only_sent(&r).is_accepted());
}

#[test]
fn missing_capabilities_are_usage_errors() {
    let r = check("mail-missing-capabilities");
    no_error(&r);
    let cases = missing_capability_cases();
    assert_eq!(r.on_ready.len(), cases.len() + 1);
    for (i, (_, expected)) in cases.iter().enumerate() {
        assert_eq!(r.on_ready[i].as_ref().err(), Some(expected), "case {i}");
    }
    assert!(sent(&r).is_empty());
    assert!(r.outcome.closed);
}

#[test]
fn requiretls_never_goes_out_in_plaintext() {
    let r = check("mail-requiretls-plaintext");
    no_error(&r);
    assert!(r.on_ready[0].is_err(), "{:?}", r.on_ready);
    assert!(sent(&r).is_empty());
}

#[test]
fn eight_bit_body_needs_8bitmime() {
    let r = check("mail-8bit-without-8bitmime");
    no_error(&r);
    assert_eq!(
        r.on_ready[0].as_ref().err(),
        Some(&UsageError::NotSupported("8BITMIME"))
    );
}

#[test]
fn idn_domain_as_a_labels_without_smtputf8() {
    let r = check("rcpt-idn-alabel");
    no_error(&r);
    let report = only_sent(&r);
    assert_eq!(report.recipients[0].address, "user@xn--bcher-kva.example");
}

#[test]
fn idn_domain_as_u_labels_with_smtputf8() {
    let r = check("rcpt-idn-smtputf8");
    no_error(&r);
    let reports = sent(&r);
    assert_eq!(reports.len(), 2);
    assert_eq!(
        reports[0].recipients[0].address,
        "user@xn--bcher-kva.example"
    );
    assert_eq!(reports[1].recipients[0].address, "user@bücher.example");
}

// ---------------------------------------------------------------------------------------------
// Transactions.

#[test]
fn one_recipient_refused_others_accepted() {
    let r = check("send-some-recipients-refused");
    no_error(&r);
    let report = only_sent(&r);
    assert_eq!(report.stage, Stage::Accepted);
    assert!(report.is_accepted());
    let rejected: Vec<_> = report.rejected().map(|x| x.address.as_str()).collect();
    assert_eq!(rejected, ["nobody@example.org"]);
    let accepted: Vec<_> = report.accepted().map(|x| x.address.as_str()).collect();
    assert_eq!(accepted, ["bob@example.org", "carol@example.org"]);
    assert_eq!(report.last.as_ref().map(|l| l.code), Some(250));
}

#[test]
fn all_recipients_refused() {
    for name in [
        "send-all-recipients-refused",
        "send-all-recipients-refused-lockstep",
        "send-all-recipients-refused-354",
    ] {
        let r = check(name);
        no_error(&r);
        let report = only_sent(&r);
        assert_eq!(report.stage, Stage::Recipients, "{name}");
        assert!(!report.is_accepted());
        assert_eq!(report.accepted().count(), 0, "{name}");
    }
    let r = check("send-all-recipients-refused-354");
    assert_eq!(only_sent(&r).last.as_ref().map(|l| l.code), Some(554));
    assert!(matches!(r.events().last(), Some(Event::Reply { .. })));
}

#[test]
fn mail_from_refused() {
    for name in ["send-mail-refused", "send-mail-refused-pipelined"] {
        let r = check(name);
        no_error(&r);
        let report = only_sent(&r);
        assert_eq!(report.stage, Stage::MailFrom, "{name}");
        assert!(report.mail.is_permanent());
        assert!(r.outcome.closed);
    }
    assert!(only_sent(&check("send-mail-refused")).recipients.is_empty());
}

#[test]
fn data_refused() {
    let r = check("send-data-refused");
    no_error(&r);
    let report = only_sent(&r);
    assert_eq!(report.stage, Stage::Data);
    assert_eq!(report.last.as_ref().map(|l| l.code), Some(451));
}

#[test]
fn content_refused_after_the_terminator() {
    let r = check("send-content-refused");
    no_error(&r);
    let report = only_sent(&r);
    assert_eq!(report.stage, Stage::Content);
    assert_eq!(report.last.as_ref().map(|l| l.code), Some(554));
    assert!(matches!(r.events().last(), Some(Event::Reply { .. })));
}

#[test]
fn data_dot_stuffing() {
    let r = check("send-dot-stuffing");
    no_error(&r);
    assert!(only_sent(&r).is_accepted());
}

#[test]
fn bdat_chunks_pipelined() {
    let r = check("bdat-chunks-pipelined");
    no_error(&r);
    assert!(only_sent(&r).is_accepted());
    let progress: Vec<_> = r
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Progress { sent, total, .. } => Some((*sent, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(
        progress,
        [(512, 2048), (1024, 2048), (1536, 2048), (2048, 2048)]
    );
}

#[test]
fn bdat_chunks_in_lockstep_without_pipelining() {
    let r = check("bdat-chunks-lockstep");
    no_error(&r);
    assert!(only_sent(&r).is_accepted());
}

#[test]
fn bdat_refused_stops_the_chunks() {
    for name in ["bdat-refused", "bdat-refused-pipelined"] {
        let r = check(name);
        no_error(&r);
        let report = only_sent(&r);
        assert_eq!(report.stage, Stage::Data, "{name}");
        assert_eq!(report.last.as_ref().map(|l| l.code), Some(552), "{name}");
    }
}

#[test]
fn pipelined_envelope_in_one_write() {
    let r = check("pipelining-envelope-one-write");
    no_error(&r);
    assert_eq!(only_sent(&r).accepted().count(), 2);
}

#[test]
fn consecutive_messages_pipeline_after_the_terminator() {
    let r = check("pipelining-consecutive-messages");
    no_error(&r);
    let reports = sent(&r);
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|x| x.is_accepted()));
    assert_eq!(
        reports[0].last.as_ref().map(Reply::text).as_deref(),
        Some("queued as 1")
    );
    assert_eq!(
        reports[1].last.as_ref().map(Reply::text).as_deref(),
        Some("queued as 2")
    );
    // The second envelope really is pipelined: a transcript where it waits for the first
    // message's reply fails in strict order because the client sends it earlier.
    let file = load("smtp/pipelining-consecutive-messages");
    let mut lines = file.transcript.lines.clone();
    let queued = lines
        .iter()
        .position(|l| *l == Line::Server("250 2.0.0 queued as 1\r\n".into()))
        .unwrap();
    let second_mail = lines
        .iter()
        .rposition(|l| *l == Line::Client("MAIL FROM:<alice@example.org>\r\n".into()))
        .unwrap();
    let moved = lines.remove(queued);
    lines.insert(second_mail, moved);
    let lockstep = Transcript::from(lines);
    let s = scenario("pipelining-consecutive-messages");
    let mut smtp = mail_kit_core::smtp::SmtpClient::new(s.config.clone());
    let err = Replay::new(&lockstep, std::time::Instant::now())
        .strict_order(true)
        .run(&mut smtp, |m, e| {
            if matches!(e, Event::Ready { .. }) {
                for c in &s.on_ready {
                    m.enqueue(c.clone()).unwrap();
                }
            }
        })
        .unwrap_err();
    assert!(
        matches!(err, ReplayError::ClientBytesTooEarly { .. }),
        "{err}"
    );
}

#[test]
fn message_larger_than_size_writes_nothing() {
    let r = check("size-too-large");
    no_error(&r);
    assert_eq!(
        r.on_ready[0],
        Err(UsageError::MessageTooLarge {
            size: 202,
            limit: 100
        })
    );
    assert!(sent(&r).is_empty());
}

// ---------------------------------------------------------------------------------------------
// RSET, NOOP, VRFY, EXPN, QUIT.

#[test]
fn rset_noop_vrfy_expn_positive() {
    let r = check("rset-noop-vrfy-expn");
    no_error(&r);
    let replies: Vec<_> = r
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Reply { handle, reply } => Some((*handle, reply.code)),
            Event::Refused { .. } => panic!("{e:?}"),
            _ => None,
        })
        .collect();
    assert_eq!(
        replies,
        [
            (r.handle(0), 250),
            (r.handle(1), 250),
            (r.handle(2), 252),
            (r.handle(3), 250)
        ]
    );
    let expn =
        find_event!(r.events(), Event::Reply { handle, reply } if *handle == r.handle(3) => reply);
    assert_eq!(
        lines(expn),
        [
            "Jon Postel <Postel@USC-ISIF.ARPA>",
            "Fred Fonebone <Fonebone@USC-ISIQ.ARPA>",
            "Sam Q. Smith <SQSmith@USC-ISIQ.ARPA>"
        ]
    );
}

#[test]
fn vrfy_expn_negative() {
    let r = check("vrfy-expn-refused");
    no_error(&r);
    let refused: Vec<_> = r
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Refused { handle, reply } => Some((*handle, reply.code)),
            _ => None,
        })
        .collect();
    assert_eq!(refused, [(r.handle(0), 550), (r.handle(1), 502)]);
    assert!(
        matches!(r.events().last(), Some(Event::Reply { handle, .. }) if *handle == r.handle(2))
    );
}

#[test]
fn quit_answered_by_close() {
    let r = check("quit-without-reply");
    no_error(&r);
    let reply = find_event!(r.events(), Event::Closed { reply, .. } => reply);
    assert_eq!(*reply, None);
    assert!(r.outcome.closed);
}

// ---------------------------------------------------------------------------------------------
// Fatal conditions.

#[test]
fn service_closing_in_reply_to_rcpt() {
    let r = check("rcpt-421");
    assert!(
        matches!(r.error(), Some(Error::ServiceClosing(t)) if t.starts_with("421 4.7.0")),
        "{:?}",
        r.error()
    );
    assert!(sent(&r).is_empty());
}

#[test]
fn eof_mid_reply() {
    let r = check("eof-mid-reply");
    fails_with(&r, &Error::UnexpectedEof { mid_reply: true });
}

#[test]
fn eof_between_replies() {
    let r = check("eof-between-replies");
    fails_with(&r, &Error::UnexpectedEof { mid_reply: false });
}

fn timeout(r: &Replayed) -> (&'static str, Duration) {
    match r.error() {
        Some(Error::Timeout { waiting_for, after }) => (*waiting_for, *after),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn greeting_timeout_after_five_minutes() {
    let r = check("timeout-greeting");
    assert_eq!(
        timeout(&r),
        ("the greeting", Duration::from_secs(300)),
        "{:?}",
        r.error()
    );
    // The error came at the last `T+` step, not before: nothing was left unprocessed.
    assert_eq!(r.outcome.unprocessed, 0);
}

#[test]
fn data_init_timeout_after_two_minutes() {
    let r = check("timeout-data-init");
    assert_eq!(timeout(&r), ("the reply to DATA", Duration::from_secs(120)));
    assert_eq!(r.outcome.unprocessed, 0);
}

#[test]
fn data_termination_timeout_after_ten_minutes() {
    let r = check("timeout-data-termination");
    assert_eq!(
        timeout(&r),
        (
            "the reply to the end of the message",
            Duration::from_secs(600)
        )
    );
    assert_eq!(r.outcome.unprocessed, 0, "T+9m must not time out");
}

#[test]
fn reply_line_too_long() {
    let r = check("reply-line-too-long");
    fails_with(&r, &Error::LineTooLong { limit: 64 });
}

#[test]
fn reply_with_too_many_lines() {
    let r = check("reply-too-many-lines");
    fails_with(&r, &Error::TooManyReplyLines { limit: 4 });
}

#[test]
fn reply_with_mixed_codes_is_malformed() {
    let r = check("reply-malformed");
    assert!(
        matches!(r.error(), Some(Error::MalformedReply(_))),
        "{:?}",
        r.error()
    );
}
