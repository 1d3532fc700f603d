//! The POP3 client on every runtime (blocking, tokio, smol, async-std) against the real
//! Dovecot of `tests/servers/start.sh`: STLS (`pop3://`) and implicit TLS (`pop3s://`); login
//! with USER/PASS, APOP and every SASL mechanism Dovecot offers; a refused password; the
//! `Required` TLS policy never writing a credential before TLS; messages sent through Postfix
//! first, then `STAT`, `LIST`, `UIDL`, `RETR` (bytes equal to the delivered Maildir file with
//! CRLF line ends), `TOP`, `CAPA`, `DELE`, `RSET`, `NOOP` and, after `QUIT`, the message
//! gone; `retrieve_many` pipelined; a failing sink reported for its message only.
//!
//! Each scenario is written twice, once for the blocking client and once for the async client
//! generic over its runtime; `every_runtime!` turns it into four tests. Without the servers'
//! environment the tests skip (or fail with `MAILKIT_REQUIRE_SERVERS`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use mail_kit::pop3::{AsyncPop3Client, Auth, QuitResult, RespCode, UidEntry};
use mail_kit::runtime::Runtime;
use mail_kit::{Credentials, Error, Pop3Options, TlsMode, blocking};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, Servers, TlsPath, big_body, message, small_body, unique_id};
use mail_kit_tests::pop3_live::{
    Collector, FailingSink, POP3_USER, Pop3Probe, Stored, deliver, number_of, pop3_options,
};

/// The login methods beside SASL ([`live::DOVECOT_SASL`]) that the test Dovecot offers over
/// POP3, by the name `authenticate_with` takes and returns.
const POP3_METHODS: [&str; 2] = ["USER", "APOP"];
const WRONG_PASSWORD: &str = "Not-Bob-4kz!";
/// Messages in the `retrieve_many` scenario.
const MANY: usize = 12;

every_runtime! {
    servers = live::servers;
    tls_paths => tls_paths_blocking, tls_paths_async;
    mechanisms => mechanisms_blocking, mechanisms_async;
    wrong_password => wrong_password_blocking, wrong_password_async;
    required_tls => required_tls_blocking, required_tls_async;
    retrieve_many => retrieve_many_blocking, retrieve_many_async;
}

// ---------------------------------------------------------------------------------------
// Shared checks

fn credentials(servers: &Servers) -> Credentials {
    servers.credentials(POP3_USER)
}

/// One message for the `tls_paths` scenario on `path`, with the lines that need stuffing.
fn one_message(servers: &Servers, runtime: &str, path: TlsPath) -> Stored {
    let id = unique_id(&format!("pop3_{}", path.name()), runtime);
    let to = format!("{POP3_USER}@example.org");
    let bytes = message(&id, "alice@example.org", &[&to], &small_body(&id));
    deliver(servers, POP3_USER, &[(id, bytes)]).remove(0)
}

/// The messages of `retrieve_many`: small ones and bodies from 10 KB to 400 KB.
fn many_messages(servers: &Servers, runtime: &str) -> Vec<Stored> {
    let to = format!("{POP3_USER}@example.org");
    let messages: Vec<(String, Vec<u8>)> = (0..MANY)
        .map(|i| {
            let id = unique_id("pop3_many", runtime);
            let body = match i % 4 {
                0 => small_body(&id),
                1 => big_body(10_000, i as u64),
                2 => big_body(100_000, i as u64),
                _ => big_body(400_000, i as u64),
            };
            let bytes = message(&id, "alice@example.org", &[&to], &body);
            (id, bytes)
        })
        .collect();
    deliver(servers, POP3_USER, &messages)
}

/// The message number of `stored` in a `UIDL` listing.
fn number(what: &str, entries: &[UidEntry], stored: &Stored) -> u32 {
    number_of(entries, &stored.uid)
        .unwrap_or_else(|| panic!("{what}: {} ({}) not in UIDL", stored.uid, stored.id))
}

fn check_quit(what: &str, result: Result<QuitResult, Error>) {
    match result {
        Ok(QuitResult::Done(_)) => {}
        other => panic!("{what}: QUIT should report the deletions done, got {other:?}"),
    }
}

/// The login was refused with `[AUTH]`, and the error shows no password.
fn check_refused(what: &str, result: Result<&'static str, Error>) {
    let err = match result {
        Err(err) => err,
        Ok(mechanism) => panic!("{what}: a wrong password was accepted with {mechanism}"),
    };
    let Error::Pop3LoginFailed { refusal, .. } = &err else {
        panic!("{what}: expected Error::Pop3LoginFailed, got {err:?}");
    };
    assert_eq!(refusal.code, Some(RespCode::Auth), "{what}: {refusal:?}");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forbidden = [
        WRONG_PASSWORD.to_owned(),
        b64.encode(format!("\0{POP3_USER}\0{WRONG_PASSWORD}")),
    ];
    for shown in [err.to_string(), format!("{err:?}")] {
        for secret in &forbidden {
            assert!(!shown.contains(secret.as_str()), "{what}: {shown}");
        }
    }
}

/// What the client wrote before STLS: only `CAPA` and `STLS`, never a credential.
fn check_nothing_secret_before_tls(what: &str, probe: &Pop3Probe) {
    assert!(probe.saw_tls(), "{what}: STLS did not happen");
    let before = String::from_utf8_lossy(&probe.before_tls()).to_ascii_uppercase();
    for verb in ["USER", "PASS", "APOP", "AUTH"] {
        assert!(
            !before.contains(verb),
            "{what}: {verb} before TLS: {before:?}"
        );
    }
    assert!(before.ends_with("STLS\r\n"), "{what}: {before:?}");
}

/// A POP3 server without STLS, recording what the client sends: a client requiring TLS must
/// give up before any login command.
struct NoStls {
    url: String,
    session: JoinHandle<Vec<String>>,
}

impl NoStls {
    fn start() -> NoStls {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("pop3://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let session = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut writer = stream.try_clone().expect("clone");
            let mut lines = Vec::new();
            let _ = writer.write_all(b"+OK POP3 ready <1.2@fake>\r\n");
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                let reply: &[u8] = match line.to_ascii_uppercase().as_str() {
                    "CAPA" => b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n",
                    "QUIT" => b"+OK bye\r\n",
                    _ => b"+OK\r\n",
                };
                lines.push(line);
                if writer.write_all(reply).is_err() {
                    break;
                }
            }
            lines
        });
        NoStls { url, session }
    }

    fn options(&self) -> Pop3Options {
        let options = Pop3Options::from_url(&self.url).unwrap();
        assert_eq!(options.get_tls_mode(), TlsMode::Required);
        options
    }

    fn check(self, what: &str, connected: Result<(), Error>) {
        assert!(
            connected.is_err(),
            "{what}: a server without STLS was accepted under Required"
        );
        let lines = self.session.join().expect("the fake server");
        for line in &lines {
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            assert!(
                !["USER", "PASS", "APOP", "AUTH"].contains(&verb.as_str()),
                "{what}: sent {line:?} without TLS"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// STLS and implicit TLS: every mailbox command on one delivered message

fn tls_paths_blocking(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        let what = format!("{runtime} {}", path.name());
        let stored = one_message(servers, runtime, path);
        let options = pop3_options(servers, path);
        let mut client = blocking::Pop3Client::connect(&options).expect("connect");
        assert!(client.is_secure(), "{what}");
        let mechanism = client.authenticate(credentials(servers)).expect("login");
        assert!(
            client.capabilities().sasl.iter().any(|m| m == mechanism),
            "{what}: {mechanism} is not one of the SASL mechanisms offered"
        );
        let (count, size) = client.stat().expect("STAT");
        assert!(count >= 1 && size >= stored.bytes.len() as u64, "{what}");
        let n = number(&what, &client.uidl().expect("UIDL"), &stored);
        assert_eq!(client.uidl_one(n).expect("UIDL n").uid, stored.uid);
        let size = stored.bytes.len() as u64;
        assert_eq!(client.list_one(n).expect("LIST n").size, size, "{what}");
        let listed = client.list().expect("LIST");
        assert!(listed.iter().any(|e| e.message == n && e.size == size));
        let mut retrieved = Vec::new();
        assert_eq!(client.retrieve(n, &mut retrieved).expect("RETR"), size);
        assert!(
            retrieved == stored.bytes,
            "{what}: RETR differs from the file"
        );
        let mut top = Vec::new();
        client.top(n, 0, &mut top).expect("TOP");
        assert!(top == stored.header(), "{what}: TOP n 0 is not the header");
        assert!(client.capa().expect("CAPA").uidl, "{what}");
        // Deleted, undeleted by RSET (the next LIST still shows it), deleted again.
        client.delete(n).expect("DELE");
        client.reset().expect("RSET");
        assert_eq!(client.list_one(n).expect("LIST after RSET").size, size);
        client.delete(n).expect("DELE");
        client.noop().expect("NOOP");
        check_quit(&what, client.quit());

        let mut client = blocking::Pop3Client::connect(&options).expect("connect");
        client.authenticate(credentials(servers)).expect("login");
        let uids = client.uidl().expect("UIDL");
        assert_eq!(number_of(&uids, &stored.uid), None, "{what}: still there");
        check_quit(&what, client.quit());
    }
}

async fn tls_paths_async<R: Runtime>(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        let what = format!("{runtime} {}", path.name());
        let stored = one_message(servers, runtime, path);
        let options = pop3_options(servers, path);
        let mut client = AsyncPop3Client::<R>::connect(&options)
            .await
            .expect("connect");
        assert!(client.is_secure(), "{what}");
        let mechanism = client
            .authenticate(credentials(servers))
            .await
            .expect("login");
        assert!(
            client.capabilities().sasl.iter().any(|m| m == mechanism),
            "{what}: {mechanism} is not one of the SASL mechanisms offered"
        );
        let (count, size) = client.stat().await.expect("STAT");
        assert!(count >= 1 && size >= stored.bytes.len() as u64, "{what}");
        let n = number(&what, &client.uidl().await.expect("UIDL"), &stored);
        assert_eq!(client.uidl_one(n).await.expect("UIDL n").uid, stored.uid);
        let size = stored.bytes.len() as u64;
        assert_eq!(client.list_one(n).await.expect("LIST n").size, size);
        let listed = client.list().await.expect("LIST");
        assert!(listed.iter().any(|e| e.message == n && e.size == size));
        let mut retrieved = Vec::new();
        let got = client.retrieve(n, &mut retrieved).await.expect("RETR");
        assert_eq!(got, size, "{what}");
        assert!(
            retrieved == stored.bytes,
            "{what}: RETR differs from the file"
        );
        let mut top = Vec::new();
        client.top(n, 0, &mut top).await.expect("TOP");
        assert!(top == stored.header(), "{what}: TOP n 0 is not the header");
        assert!(client.capa().await.expect("CAPA").uidl, "{what}");
        // Deleted, undeleted by RSET (the next LIST still shows it), deleted again.
        client.delete(n).await.expect("DELE");
        client.reset().await.expect("RSET");
        let relisted = client.list_one(n).await.expect("LIST after RSET");
        assert_eq!(relisted.size, size, "{what}");
        client.delete(n).await.expect("DELE");
        client.noop().await.expect("NOOP");
        check_quit(&what, client.quit().await);

        let mut client = AsyncPop3Client::<R>::connect(&options)
            .await
            .expect("connect");
        client
            .authenticate(credentials(servers))
            .await
            .expect("login");
        let uids = client.uidl().await.expect("UIDL");
        assert_eq!(number_of(&uids, &stored.uid), None, "{what}: still there");
        check_quit(&what, client.quit().await);
    }
}

// ---------------------------------------------------------------------------------------
// Every login method

fn mechanisms_blocking(servers: &Servers, runtime: &str) {
    let options = pop3_options(servers, TlsPath::StartTls);
    for name in POP3_METHODS.into_iter().chain(live::DOVECOT_SASL) {
        let what = format!("{runtime} {name}");
        let mut client = blocking::Pop3Client::connect(&options).expect("connect");
        let auth = Auth::new(credentials(servers)).with_mechanism(name);
        let used = client.authenticate_with(auth).map_err(|e| e.to_string());
        assert_eq!(used, Ok(name), "{what}");
        client.stat().expect("STAT after login");
        check_quit(&what, client.quit());
    }
}

async fn mechanisms_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let options = pop3_options(servers, TlsPath::StartTls);
    for name in POP3_METHODS.into_iter().chain(live::DOVECOT_SASL) {
        let what = format!("{runtime} {name}");
        let mut client = AsyncPop3Client::<R>::connect(&options)
            .await
            .expect("connect");
        let auth = Auth::new(credentials(servers)).with_mechanism(name);
        let used = client
            .authenticate_with(auth)
            .await
            .map_err(|e| e.to_string());
        assert_eq!(used, Ok(name), "{what}");
        client.stat().await.expect("STAT after login");
        check_quit(&what, client.quit().await);
    }
}

// ---------------------------------------------------------------------------------------
// A wrong password: refused with [AUTH], the session goes on

fn wrong_password_blocking(servers: &Servers, runtime: &str) {
    let options = pop3_options(servers, TlsPath::Implicit);
    let mut client = blocking::Pop3Client::connect(&options).expect("connect");
    let wrong = Credentials::password(POP3_USER, WRONG_PASSWORD);
    check_refused(runtime, client.authenticate(wrong));
    let mechanism = client.authenticate(credentials(servers));
    assert!(mechanism.is_ok(), "{runtime}: {mechanism:?}");
    check_quit(runtime, client.quit());
}

async fn wrong_password_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let options = pop3_options(servers, TlsPath::Implicit);
    let mut client = AsyncPop3Client::<R>::connect(&options)
        .await
        .expect("connect");
    let wrong = Credentials::password(POP3_USER, WRONG_PASSWORD);
    check_refused(runtime, client.authenticate(wrong).await);
    let mechanism = client.authenticate(credentials(servers)).await;
    assert!(mechanism.is_ok(), "{runtime}: {mechanism:?}");
    check_quit(runtime, client.quit().await);
}

// ---------------------------------------------------------------------------------------
// TLS required: nothing secret before STLS; no STLS, no login

fn required_tls_blocking(servers: &Servers, runtime: &str) {
    let probe = Pop3Probe::new();
    let watched = probe.clone();
    let options =
        pop3_options(servers, TlsPath::StartTls).wire_observer(move || watched.observer());
    let mut client = blocking::Pop3Client::connect(&options).expect("connect");
    let auth = Auth::new(credentials(servers)).with_mechanism("USER");
    assert_eq!(client.authenticate_with(auth).ok(), Some("USER"));
    check_quit(runtime, client.quit());
    check_nothing_secret_before_tls(runtime, &probe);

    let fake = NoStls::start();
    let connected = blocking::Pop3Client::connect(&fake.options()).and_then(|mut client| {
        client.authenticate_with(Auth::new(credentials(servers)).with_mechanism("USER"))
    });
    fake.check(runtime, connected.map(drop));
}

async fn required_tls_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let probe = Pop3Probe::new();
    let watched = probe.clone();
    let options =
        pop3_options(servers, TlsPath::StartTls).wire_observer(move || watched.observer());
    let mut client = AsyncPop3Client::<R>::connect(&options)
        .await
        .expect("connect");
    let auth = Auth::new(credentials(servers)).with_mechanism("USER");
    assert_eq!(client.authenticate_with(auth).await.ok(), Some("USER"));
    check_quit(runtime, client.quit().await);
    check_nothing_secret_before_tls(runtime, &probe);

    let fake = NoStls::start();
    let connected = match AsyncPop3Client::<R>::connect(&fake.options()).await {
        Ok(mut client) => client
            .authenticate_with(Auth::new(credentials(servers)).with_mechanism("USER"))
            .await
            .map(drop),
        Err(err) => Err(err),
    };
    fake.check(runtime, connected);
}

// ---------------------------------------------------------------------------------------
// retrieve_many, pipelined, then every message deleted

/// A sink that fails: `Error::Io` for that message, and the session goes on.
fn check_failing_sink(what: &str, result: Result<u64, Error>) {
    match result {
        Err(Error::Io(err)) => assert_eq!(err.to_string(), "disk full (test)", "{what}"),
        other => panic!("{what}: a failing sink should give Error::Io, got {other:?}"),
    }
}

fn check_many(what: &str, stored: &[Stored], numbers: &[u32], collector: &Collector) {
    for (stored, &n) in stored.iter().zip(numbers) {
        let got = collector
            .take(n)
            .unwrap_or_else(|| panic!("{what}: message {n} never finished"));
        assert!(
            got == stored.bytes,
            "{what}: message {n} ({} bytes) differs from its file ({} bytes)",
            got.len(),
            stored.bytes.len()
        );
    }
}

fn retrieve_many_blocking(servers: &Servers, runtime: &str) {
    let stored = many_messages(servers, runtime);
    let probe = Pop3Probe::new();
    let watched = probe.clone();
    let options =
        pop3_options(servers, TlsPath::Implicit).wire_observer(move || watched.observer());
    let mut client = blocking::Pop3Client::connect(&options).expect("connect");
    client.authenticate(credentials(servers)).expect("login");
    assert!(
        client.capabilities().pipelining,
        "Dovecot offers PIPELINING"
    );
    let uids = client.uidl().expect("UIDL");
    let numbers: Vec<u32> = stored.iter().map(|s| number(runtime, &uids, s)).collect();
    let collector = Collector::new();
    let results = client
        .retrieve_many(&numbers, |n| collector.sink(n))
        .expect("the session");
    for (result, s) in results.iter().zip(&stored) {
        assert_eq!(result.as_ref().ok(), Some(&(s.bytes.len() as u64)));
    }
    check_many(runtime, &stored, &numbers, &collector);
    assert!(
        probe.max_retr_per_write() > 1,
        "{runtime}: RETR commands were not pipelined"
    );
    check_failing_sink(runtime, client.retrieve(numbers[3], FailingSink));
    let mut again = Vec::new();
    client
        .retrieve(numbers[3], &mut again)
        .expect("RETR after a failed sink");
    assert!(
        again == stored[3].bytes,
        "{runtime}: RETR after a failed sink"
    );
    for &n in &numbers {
        client.delete(n).expect("DELE");
    }
    check_quit(runtime, client.quit());
}

async fn retrieve_many_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let stored = many_messages(servers, runtime);
    let probe = Pop3Probe::new();
    let watched = probe.clone();
    let options =
        pop3_options(servers, TlsPath::Implicit).wire_observer(move || watched.observer());
    let mut client = AsyncPop3Client::<R>::connect(&options)
        .await
        .expect("connect");
    client
        .authenticate(credentials(servers))
        .await
        .expect("login");
    assert!(
        client.capabilities().pipelining,
        "Dovecot offers PIPELINING"
    );
    let uids = client.uidl().await.expect("UIDL");
    let numbers: Vec<u32> = stored.iter().map(|s| number(runtime, &uids, s)).collect();
    let collector = Collector::new();
    let results = client
        .retrieve_many(&numbers, |n| collector.sink(n))
        .await
        .expect("the session");
    for (result, s) in results.iter().zip(&stored) {
        assert_eq!(result.as_ref().ok(), Some(&(s.bytes.len() as u64)));
    }
    check_many(runtime, &stored, &numbers, &collector);
    assert!(
        probe.max_retr_per_write() > 1,
        "{runtime}: RETR commands were not pipelined"
    );
    check_failing_sink(runtime, client.retrieve(numbers[3], FailingSink).await);
    let mut again = Vec::new();
    let retried = client.retrieve(numbers[3], &mut again).await;
    retried.expect("RETR after a failed sink");
    assert!(
        again == stored[3].bytes,
        "{runtime}: RETR after a failed sink"
    );
    for &n in &numbers {
        client.delete(n).await.expect("DELE");
    }
    check_quit(runtime, client.quit().await);
}
