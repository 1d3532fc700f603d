//! Transcript replays of every POP3 feature (`tests/transcripts/pop3/*.txt`).
//!
//! Each file is one scenario: the server's bytes, the exact client bytes expected, and in
//! [`scenario`] what the application does (configuration, commands enqueued once ready and once
//! logged in). Every test replays its file through `check_all_splits` (whole runs, every split
//! offset, byte by byte) and asserts on the events, the fatal error and the `closed` flag. A
//! quickcheck property replays random files with random split vectors.

use std::time::Duration;

use bytes::Bytes;
use mail_kit_core::pop3::{
    Auth, Capabilities, Command, Event, Expire, Language, ListEntry, QuitResult, Refusal, RespCode,
    UidEntry,
};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::{Error, TlsPolicy, UsageError};
use mail_kit_tests::find_event;
use mail_kit_tests::transcripts::{Pop3, Replayed, Scenario, assert_bad_reply, load};

const USER: &str = "alice";
const PASSWORD: &str = "Wonderland-42";

fn password() -> Credentials {
    Credentials::password(USER, PASSWORD)
}

fn login(credentials: Credentials) -> Command {
    Command::Login(Auth::new(credentials))
}

/// What the application does for each transcript file.
fn scenario(name: &str) -> Scenario<Pop3> {
    use TlsPolicy::{Implicit, None as NoTls, Opportunistic, Required};
    let file = name
        .trim_start_matches("pop3/")
        .trim_end_matches(".txt")
        .to_owned();
    let logged_in = || Scenario::pop3(Implicit).then(login(password()));
    match file.as_str() {
        "capa-every-tag" => Scenario::pop3(Implicit).then(Command::Quit),
        "capa-refused-user-pass" => {
            Scenario::pop3(Implicit).then(Command::UserPass(Auth::new(password())))
        }
        "greeting-err" | "status-garbage" => Scenario::pop3(Implicit).first(login(password())),
        "greeting-apop" => {
            Scenario::pop3(NoTls).then(login(Credentials::password("mrose", "tanstaaf")))
        }
        "apop-refused" => Scenario::pop3(NoTls)
            .then(Command::Apop(Auth::new(Credentials::password(
                "mrose", "tanstaaf",
            ))))
            .then(Command::Quit),
        "stls" => Scenario::pop3(Required)
            .then(login(password()))
            .after_login(Command::Stat)
            .after_login(Command::Quit),
        "stls-opportunistic-refused" => Scenario::pop3(Opportunistic)
            .then(login(password()))
            .then(Command::Quit),
        "user-refused"
        | "pass-refused-in-use"
        | "pass-refused-login-delay"
        | "pass-refused-sys-perm"
        | "pass-refused-utf8"
        | "auth-refused" => logged_in().then(Command::Quit),
        "user-pass" => Scenario::pop3(Implicit)
            .then(login(Credentials::password(USER, "Wonder land 42")))
            .after_login(Command::Stat),
        "auth-login" | "auth-bad-base64" => logged_in(),
        "auth-too-many-rounds" => logged_in().configure(|c| c.limits.max_sasl_rounds = 2),
        "auth-challenge-too-long" => logged_in().configure(|c| c.limits.max_challenge_len = 8),
        "auth-ntlm" => Scenario::pop3(Implicit).then(login(
            Credentials::password("MAILKIT\\alice", "alice-secret").with_fixed_nonce("mailkit!"),
        )),
        "auth-cram-md5" => {
            Scenario::pop3(NoTls).then(login(Credentials::password("tim", "tanstaaftanstaaf")))
        }
        "transaction-lockstep" => logged_in()
            .after_login(Command::Stat)
            .after_login(Command::List(None))
            .after_login(Command::List(Some(2)))
            .after_login(Command::Uidl(None))
            .after_login(Command::Uidl(Some(2)))
            .after_login(Command::Retr(1))
            .after_login(Command::Top {
                message: 2,
                lines: 0,
            })
            .after_login(Command::Dele(1))
            .after_login(Command::Rset)
            .after_login(Command::Noop)
            .after_login(Command::Dele(2))
            .after_login(Command::Quit),
        "pipelining" => logged_in()
            .after_login(Command::List(None))
            .after_login(Command::Retr(1))
            .after_login(Command::Retr(2))
            .after_login(Command::Dele(1))
            .after_login(Command::Dele(2))
            .after_login(Command::Quit),
        "pipelining-window" => logged_in()
            .configure(|c| c.max_pipelined_commands = 2)
            .after_login(Command::Dele(1))
            .after_login(Command::Dele(2))
            .after_login(Command::Dele(3))
            .after_login(Command::Quit),
        "refusals-resp-codes" => logged_in()
            .after_login(Command::Stat)
            .after_login(Command::List(Some(9)))
            .after_login(Command::Uidl(None))
            .after_login(Command::Retr(9))
            .after_login(Command::Top {
                message: 1,
                lines: 5,
            })
            .after_login(Command::Dele(1))
            .after_login(Command::Rset)
            .after_login(Command::Noop)
            .after_login(Command::Capa)
            .after_login(Command::Quit),
        "capa-after-login" => logged_in()
            .after_login(Command::Capa)
            .after_login(Command::Uidl(Some(1)))
            .after_login(Command::Quit),
        "utf8-lang" => Scenario::pop3(Implicit)
            .then(Command::Utf8)
            .then(Command::Lang(None))
            .then(Command::Lang(Some("de".into())))
            .then(login(Credentials::password("j\u{f6}rg", "p\u{e4}ss"))),
        "quit-update-failed" => logged_in()
            .after_login(Command::Dele(1))
            .after_login(Command::Quit),
        "quit-no-reply" | "quit-refused-before-login" => {
            Scenario::pop3(Implicit).then(Command::Quit)
        }
        "retr-empty-message" | "retr-eof" | "timeout-retr-data" => {
            logged_in().after_login(Command::Retr(1))
        }
        "list-wrong-message" => logged_in().after_login(Command::List(Some(1))),
        "listing-malformed" => logged_in().after_login(Command::Uidl(None)),
        "listing-too-many-lines" => logged_in()
            .configure(|c| c.limits.max_reply_lines = 2)
            .after_login(Command::List(None)),
        "listing-too-large" => logged_in()
            .configure(|c| c.limits.max_reply_size = 16)
            .after_login(Command::Uidl(None)),
        "status-line-too-long" => logged_in().configure(|c| c.limits.max_line_len = 32),
        "stat-malformed" | "timeout-command" => logged_in().after_login(Command::Stat),
        "timeout-greeting" => Scenario::pop3(Implicit),
        other => panic!("no scenario for pop3/{other}.txt"),
    }
}

/// Loads `pop3/<name>.txt`, replays it with its scenario under every split.
fn check(name: &str) -> Replayed<Pop3> {
    let file = load(&format!("pop3/{name}"));
    scenario(&file.name)
        .check_all_splits(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

fn no_error(r: &Replayed<Pop3>) {
    assert_eq!(r.error(), None, "{:#?}", r.events());
    assert_eq!(r.outcome.unprocessed, 0);
}

fn fails_with(r: &Replayed<Pop3>, expected: &Error) {
    assert_eq!(r.error(), Some(expected), "{:#?}", r.events());
    assert_eq!(r.outcome.unprocessed, 0, "the error came before the end");
}

fn ready(r: &Replayed<Pop3>) -> (&Capabilities, bool) {
    find_event!(r.events(), Event::Ready { capabilities, secure, .. } => (capabilities, *secure))
}

fn authenticated(r: &Replayed<Pop3>) -> &'static str {
    find_event!(r.events(), Event::Authenticated { mechanism, .. } => *mechanism)
}

fn login_failure(r: &Replayed<Pop3>) -> (&'static str, &Refusal) {
    find_event!(r.events(), Event::AuthenticationFailed { mechanism, refusal, .. } => (*mechanism, refusal))
}

fn refusal(code: Option<RespCode>, text: &str) -> Refusal {
    Refusal {
        code,
        text: Bytes::copy_from_slice(text.as_bytes()),
    }
}

/// Every `MessageData` of `handle` concatenated, and the size of its `MessageEnd`.
fn message(r: &Replayed<Pop3>, handle: mail_kit_core::Handle) -> (Vec<u8>, Option<u64>) {
    let mut body = Vec::new();
    let mut end = None;
    for e in r.events() {
        match e {
            Event::MessageData { handle: h, data } if *h == handle => {
                assert!(end.is_none(), "data after the end");
                body.extend_from_slice(data);
            }
            Event::MessageEnd { handle: h, size } if *h == handle => end = Some(*size),
            _ => {}
        }
    }
    (body, end)
}

fn closed(r: &Replayed<Pop3>) -> &QuitResult {
    assert!(r.outcome.closed, "no Close");
    find_event!(r.events(), Event::Closed { result, .. } => result)
}

// ---------------------------------------------------------------------------------------------
// Every file, every split.

mail_kit_tests::replay_every_transcript! {
    protocol: Pop3,
    dir: "pop3",
    at_least: 35,
    scenario: scenario,
    random_splits: 1000,
}

// ---------------------------------------------------------------------------------------------
// Greeting and capabilities.

#[test]
fn capa_every_tag_is_typed() {
    let r = check("capa-every-tag");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert!(secure);
    assert!(caps.top && caps.user && caps.resp_codes && caps.pipelining && caps.uidl);
    assert!(caps.utf8 && caps.utf8_user && caps.lang && !caps.stls);
    assert_eq!(caps.sasl, ["PLAIN", "LOGIN", "CRAM-MD5"]);
    assert_eq!(caps.login_delay, Some(900));
    assert!(caps.login_delay_per_user);
    assert_eq!(caps.expire, Some(Expire::Days(30)));
    assert!(caps.expire_per_user);
    assert_eq!(
        caps.implementation.as_deref(),
        Some(&b"Shlemazle-Plotz-v302"[..])
    );
    assert_eq!(caps.other, [("X-EXPERIMENTAL".into(), "on".into())]);
    assert_eq!(closed(&r), &QuitResult::Done(Bytes::from_static(b"bye")));
}

#[test]
fn server_without_capa_logs_in_with_user_pass() {
    let r = check("capa-refused-user-pass");
    no_error(&r);
    assert_eq!(ready(&r).0, &Capabilities::default());
    assert_eq!(authenticated(&r), "USER");
}

#[test]
fn greeting_refused_is_a_typed_error_before_any_command() {
    let r = check("greeting-err");
    fails_with(
        &r,
        &Error::GreetingRefused("-ERR [SYS/TEMP] too busy, try later".into()),
    );
    assert_eq!(
        r.at_start,
        [Err(UsageError::WrongState("the session is not ready yet"))]
    );
}

#[test]
fn garbage_instead_of_a_greeting_sends_nothing() {
    let r = check("status-garbage");
    assert!(
        matches!(r.error(), Some(Error::MalformedReply(_))),
        "{:?}",
        r.error()
    );
    assert!(r.events().is_empty());
}

#[test]
fn apop_with_the_rfc_1939_digest() {
    let r = check("greeting-apop");
    no_error(&r);
    let greeting = find_event!(r.events(), Event::Ready { greeting, .. } => greeting);
    assert_eq!(
        greeting.apop_timestamp.as_deref(),
        Some("<1896.697170952@dbc.mtview.ca.us>")
    );
    assert_eq!(authenticated(&r), "APOP");
}

#[test]
fn apop_refused_with_auth_code() {
    let r = check("apop-refused");
    no_error(&r);
    let (mechanism, refusal_) = login_failure(&r);
    assert_eq!(mechanism, "APOP");
    assert_eq!(
        refusal_,
        &refusal(Some(RespCode::Auth), "permission denied")
    );
    // QUIT before login: no UPDATE state.
    assert_eq!(closed(&r), &QuitResult::Done(Bytes::from_static(b"bye")));
}

// ---------------------------------------------------------------------------------------------
// STLS.

#[test]
fn stls_forgets_plaintext_capabilities_and_asks_again() {
    let r = check("stls");
    no_error(&r);
    let (caps, secure) = ready(&r);
    assert!(secure);
    assert!(!caps.stls, "capabilities are the ones read over TLS");
    assert_eq!(caps.sasl, ["PLAIN"]);
    assert_eq!(authenticated(&r), "PLAIN");
    let (count, size) = find_event!(r.events(), Event::Stat { count, size, .. } => (*count, *size));
    assert_eq!((count, size), (0, 0));
    assert!(r.outcome.closed);
}

#[test]
fn stls_refused_opportunistic_goes_on_without_revealing_the_password() {
    let r = check("stls-opportunistic-refused");
    no_error(&r);
    assert!(!ready(&r).1);
    assert!(
        matches!(r.on_ready[0], Err(UsageError::NoMechanism(_))),
        "{:?}",
        r.on_ready
    );
}

// ---------------------------------------------------------------------------------------------
// Login.

#[test]
fn user_pass_with_spaces_in_the_password() {
    let r = check("user-pass");
    no_error(&r);
    assert_eq!(authenticated(&r), "USER");
    let (count, size) = find_event!(r.events(), Event::Stat { count, size, .. } => (*count, *size));
    assert_eq!((count, size), (2, 320));
}

#[test]
fn login_refusals_carry_their_response_codes() {
    for (name, mechanism, expected) in [
        (
            "user-refused",
            "USER",
            refusal(Some(RespCode::Auth), "no such user"),
        ),
        (
            "pass-refused-in-use",
            "USER",
            refusal(
                Some(RespCode::InUse),
                "Do you have another POP session running?",
            ),
        ),
        (
            "pass-refused-login-delay",
            "USER",
            refusal(Some(RespCode::LoginDelay), "wait 15 minutes between logins"),
        ),
        (
            "pass-refused-sys-perm",
            "USER",
            refusal(Some(RespCode::SysPerm), "mailbox is corrupt"),
        ),
        (
            "pass-refused-utf8",
            "USER",
            refusal(Some(RespCode::Utf8), "this mailbox needs UTF8 first"),
        ),
        (
            "auth-refused",
            "PLAIN",
            refusal(Some(RespCode::Auth), "Authentication failed."),
        ),
    ] {
        let r = check(name);
        no_error(&r);
        assert_eq!(login_failure(&r), (mechanism, &expected), "{name}");
        assert!(
            !r.events()
                .iter()
                .any(|e| matches!(e, Event::Authenticated { .. })),
            "{name}"
        );
        assert!(r.outcome.closed, "{name}: QUIT still works");
    }
}

#[test]
fn sasl_login_and_cram_md5() {
    let r = check("auth-login");
    no_error(&r);
    assert_eq!(authenticated(&r), "LOGIN");
    let r = check("auth-cram-md5");
    no_error(&r);
    assert_eq!(authenticated(&r), "CRAM-MD5");
}

/// NTLM is chosen over PLAIN and LOGIN, and writes byte for byte what the SMTP transcript
/// (checked by an independent NTLMv2 verifier) writes.
#[test]
fn sasl_ntlm_as_over_smtp() {
    let r = check("auth-ntlm");
    no_error(&r);
    assert_eq!(authenticated(&r), "NTLM");
}

#[test]
fn sasl_exchange_cancelled_on_bad_challenges() {
    for (name, reason) in [
        ("auth-bad-base64", "challenge is not base64"),
        ("auth-too-many-rounds", "too many challenges"),
        ("auth-challenge-too-long", "challenge too long"),
    ] {
        let r = check(name);
        fails_with(
            &r,
            &Error::Sasl {
                mechanism: "LOGIN",
                reason: reason.into(),
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// TRANSACTION commands.

#[test]
fn every_transaction_command_in_lockstep() {
    let r = check("transaction-lockstep");
    no_error(&r);
    let h = |i| r.handle_after_login(i);
    let events = r.events();
    assert!(events.contains(&Event::Stat {
        handle: h(0),
        count: 2,
        size: 320
    }));
    assert!(events.contains(&Event::Listing {
        handle: h(1),
        entries: vec![
            ListEntry {
                message: 1,
                size: 120
            },
            ListEntry {
                message: 2,
                size: 200
            }
        ]
    }));
    assert!(events.contains(&Event::Listing {
        handle: h(2),
        entries: vec![ListEntry {
            message: 2,
            size: 200
        }]
    }));
    let uid = |message, uid: &str| UidEntry {
        message,
        uid: uid.into(),
    };
    assert!(events.contains(&Event::UniqueIds {
        handle: h(3),
        entries: vec![
            uid(1, "whqtswO00WBw418f9t5JxYwZ"),
            uid(2, "QhdPYR:00WBw1Ph7x7")
        ]
    }));
    assert!(events.contains(&Event::UniqueIds {
        handle: h(4),
        entries: vec![uid(2, "QhdPYR:00WBw1Ph7x7")]
    }));
    assert!(events.contains(&Event::MessageStart {
        handle: h(5),
        octets: Some(120)
    }));
    let expected = b"Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n";
    assert_eq!(message(&r, h(5)), (expected.to_vec(), Some(43)));
    assert_eq!(
        message(&r, h(6)),
        (b"Subject: second\r\n\r\n".to_vec(), Some(19))
    );
    assert!(events.contains(&Event::Deleted {
        handle: h(7),
        message: 1
    }));
    let ok = find_event!(events, Event::Ok { handle, text } if *handle == h(8) => text);
    assert_eq!(&ok[..], b"maildrop has 2 messages (320 octets)");
    assert!(events.contains(&Event::Ok {
        handle: h(9),
        text: Bytes::new()
    }));
    assert!(matches!(closed(&r), QuitResult::Done(_)));
}

#[test]
fn pipelined_batch_in_one_write_replies_in_order() {
    let r = check("pipelining");
    no_error(&r);
    let h = |i| r.handle_after_login(i);
    assert_eq!(
        message(&r, h(1)),
        (b"Subject: 1\r\n\r\n".to_vec(), Some(14))
    );
    assert_eq!(
        message(&r, h(2)),
        (b"Subject: 2\r\n\r\n".to_vec(), Some(14))
    );
    assert!(r.events().contains(&Event::Deleted {
        handle: h(4),
        message: 2
    }));
    assert!(matches!(closed(&r), QuitResult::Done(_)));
}

#[test]
fn pipeline_window_is_respected() {
    let r = check("pipelining-window");
    no_error(&r);
    assert!(r.outcome.closed);
}

#[test]
fn refusal_at_every_transaction_step_is_an_event() {
    let r = check("refusals-resp-codes");
    no_error(&r);
    let refused: Vec<&Refusal> = r
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Refused { refusal, .. } => Some(refusal),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        [
            &refusal(Some(RespCode::SysTemp), "try again"),
            &refusal(None, "no such message, only 2 messages in maildrop"),
            &refusal(Some(RespCode::SysPerm), "no unique ids here"),
            &refusal(
                Some(RespCode::Other("X-VENDOR/GONE".into())),
                "no such message"
            ),
            &refusal(Some(RespCode::InUse), "busy"),
            &refusal(Some(RespCode::SysTemp), "cannot delete now"),
            &refusal(None, ""),
            &refusal(Some(RespCode::LoginDelay), "odd"),
            &refusal(Some(RespCode::Auth), "no"),
        ]
    );
    assert_eq!(
        closed(&r),
        &QuitResult::DeletionsFailed(refusal(
            Some(RespCode::SysPerm),
            "some deleted messages not removed"
        ))
    );
}

#[test]
fn capa_after_login_enables_pipelining() {
    let r = check("capa-after-login");
    no_error(&r);
    let caps = find_event!(r.events(), Event::Capabilities { capabilities, .. } => capabilities);
    assert!(caps.pipelining);
    assert_eq!(caps.expire, Some(Expire::Never));
    assert!(r.outcome.closed);
}

#[test]
fn utf8_and_lang() {
    let r = check("utf8-lang");
    no_error(&r);
    let languages = find_event!(r.events(), Event::Languages { languages, .. } => languages);
    let tags: Vec<&str> = languages
        .iter()
        .map(|l: &Language| l.tag.as_str())
        .collect();
    assert_eq!(tags, ["en", "de", "i-default"]);
    assert_eq!(&languages[1].description[..], b"Deutsch");
    assert_eq!(authenticated(&r), "USER");
}

#[test]
fn utf8_and_lang_need_their_capabilities() {
    let file = load("pop3/capa-refused-user-pass");
    let r = Scenario::pop3(TlsPolicy::Implicit)
        .then(Command::Utf8)
        .then(Command::Lang(None))
        .then(Command::Stat)
        .then(Command::Retr(0))
        .then(Command::UserPass(Auth::new(password())))
        .run(&file)
        .unwrap();
    assert_eq!(
        r.on_ready,
        [
            Err(UsageError::NotSupported("UTF8")),
            Err(UsageError::NotSupported("LANG")),
            Err(UsageError::WrongState("not logged in")),
            Err(UsageError::WrongState("not logged in")),
            Ok(r.handle(4)),
        ]
    );
}

#[test]
fn quit_results() {
    let r = check("quit-update-failed");
    no_error(&r);
    assert_eq!(
        closed(&r),
        &QuitResult::DeletionsFailed(refusal(
            Some(RespCode::SysTemp),
            "some deleted messages not removed"
        ))
    );
    let r = check("quit-no-reply");
    no_error(&r);
    assert_eq!(closed(&r), &QuitResult::NoReply);
    let r = check("quit-refused-before-login");
    no_error(&r);
    assert_eq!(
        closed(&r),
        &QuitResult::Refused(refusal(Some(RespCode::SysTemp), "go away later"))
    );
}

#[test]
fn empty_message_and_eof_mid_message() {
    let r = check("retr-empty-message");
    no_error(&r);
    assert_eq!(message(&r, r.handle_after_login(0)), (Vec::new(), Some(0)));
    let r = check("retr-eof");
    fails_with(&r, &Error::UnexpectedEof { mid_reply: true });
    let (body, end) = message(&r, r.handle_after_login(0));
    assert_eq!(end, None, "never a complete message");
    assert_eq!(body, b"Subject: cut\r\n\r\nhalf a body\r\n");
}

#[test]
fn malformed_replies_are_fatal() {
    for name in ["list-wrong-message", "listing-malformed", "stat-malformed"] {
        assert_bad_reply(name, &check(name));
    }
    fails_with(
        &check("listing-too-many-lines"),
        &Error::TooManyReplyLines { limit: 2 },
    );
    fails_with(
        &check("listing-too-large"),
        &Error::ReplyTooLarge { limit: 16 },
    );
    fails_with(
        &check("status-line-too-long"),
        &Error::LineTooLong { limit: 32 },
    );
}

// ---------------------------------------------------------------------------------------------
// Timeouts.

fn timeout(r: &Replayed<Pop3>) -> (&'static str, Duration) {
    match r.error() {
        Some(Error::Timeout { waiting_for, after }) => (*waiting_for, *after),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn timeouts_are_deadlines() {
    let r = check("timeout-greeting");
    assert_eq!(timeout(&r), ("the greeting", Duration::from_secs(120)));
    assert_eq!(r.outcome.unprocessed, 0);
    let r = check("timeout-command");
    assert_eq!(timeout(&r), ("a reply", Duration::from_secs(300)));
    assert_eq!(r.outcome.unprocessed, 0);
    let r = check("timeout-retr-data");
    assert_eq!(
        timeout(&r),
        ("the rest of a multi-line reply", Duration::from_secs(300))
    );
    assert_eq!(r.outcome.unprocessed, 0);
}
