//! The SMTP client on every runtime (blocking, tokio, smol, async-std) against the real
//! Postfix of `tests/servers/start.sh`: STARTTLS and implicit TLS, AUTH with PLAIN, LOGIN,
//! CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256 and DIGEST-MD5 (Postfix hands SASL to Dovecot), a
//! refused password, several recipients with one refused, a 5 MB message over
//! `DATA` and over `BDAT`, 200 pipelined messages on one connection, and per-message latency
//! (the "never stall 40 ms on delayed ACKs" property, printed, not asserted).
//!
//! Every delivered message is read back from the Maildir and compared byte for byte with what
//! was sent (see `mail_kit_tests::live::compare_delivered`).
//!
//! Each scenario is written twice, once for the blocking client and once for the async
//! client generic over its runtime; `every_runtime!` turns it into four tests.
//! Without the servers' environment the tests skip (or fail with `MAILKIT_REQUIRE_SERVERS`).

use std::time::{Duration, Instant};

use mail_kit::runtime::Runtime;
use mail_kit::smtp::{AsyncSmtpClient, Auth, Envelope, SendReport, Stage, Transaction};
use mail_kit::{Error, SmtpOptions, blocking};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{
    self, PipelineProbe, RELAY_RECIPIENT, Servers, TlsPath, address, message, unique_id,
};

const WRONG_PASSWORD: &str = "Not-Alice-7xq!";
const BIG_SIZE: usize = 5 * 1024 * 1024;
const PIPELINED: usize = 200;
const LATENCY_MESSAGES: usize = 50;

every_runtime! {
    servers = live::servers;
    tls_paths => tls_paths_blocking, tls_paths_async;
    auth_mechanisms => auth_mechanisms_blocking, auth_mechanisms_async;
    wrong_password => wrong_password_blocking, wrong_password_async;
    several_recipients => several_recipients_blocking, several_recipients_async;
    big_message_data(Body::Data) => big_message_blocking, big_message_async;
    big_message_bdat(Body::Bdat) => big_message_blocking, big_message_async;
    pipelined_200_bdat(Body::Bdat) => pipelined_blocking, pipelined_async;
    pipelined_200_data(Body::Data) => pipelined_blocking, pipelined_async;
    latency => latency_blocking, latency_async;
}

// ---------------------------------------------------------------------------------------
// Shared checks

/// How the message content travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// `DATA` with dot-stuffing (CHUNKING turned off).
    Data,
    /// `BDAT` (Postfix offers CHUNKING; the client prefers it by default).
    Bdat,
}

impl Body {
    fn options(self, options: SmtpOptions) -> SmtpOptions {
        options.chunking(self == Body::Bdat)
    }
}

fn auth(servers: &Servers, user: &str, mechanism: &str) -> Auth {
    Auth::new(servers.credentials(user)).with_mechanism(mechanism)
}

fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope::new(Some(address(from)), to.iter().map(|a| address(a)))
}

/// A message to an address outside the local domains: Postfix relays it (then discards it)
/// only for an authenticated client.
fn relay_probe(test: &str, runtime: &str) -> (Envelope, Vec<u8>) {
    let id = unique_id(test, runtime);
    let bytes = message(
        &id,
        "alice@example.org",
        &[RELAY_RECIPIENT],
        &live::small_body(&id),
    );
    (envelope("alice@example.org", &[RELAY_RECIPIENT]), bytes)
}

fn check_secure(what: &str, secure: bool, auth_offered: bool) {
    assert!(secure, "{what}: the connection should be encrypted");
    assert!(
        auth_offered,
        "{what}: Postfix offers AUTH PLAIN after TLS (capabilities re-learned after STARTTLS)"
    );
}

fn check_quit(what: &str, goodbye: Result<Option<mail_kit::smtp::Reply>, Error>) {
    let goodbye = goodbye.unwrap_or_else(|e| panic!("{what}: QUIT failed: {e}"));
    assert_eq!(goodbye.map(|r| r.code), Some(221), "{what}");
}

fn check_accepted(what: &str, report: &SendReport, recipients: usize) {
    assert_eq!(report.stage, Stage::Accepted, "{what}: {report:?}");
    assert_eq!(report.mail.code, 250, "{what}: {report:?}");
    assert_eq!(report.accepted().count(), recipients, "{what}: {report:?}");
    assert_eq!(report.last.as_ref().map(|r| r.code), Some(250), "{what}");
}

/// The refused password must not show up in the error, whichever way it is printed (nor
/// base64-encoded as in a PLAIN or LOGIN payload).
fn check_auth_failure(what: &str, result: Result<&'static str, Error>) {
    let err = match result {
        Err(err) => err,
        Ok(mechanism) => panic!("{what}: a wrong password was accepted with {mechanism}"),
    };
    let Error::AuthenticationFailed { mechanism, reply } = &err else {
        panic!("{what}: expected Error::AuthenticationFailed, got {err:?}");
    };
    assert_eq!(reply.code, 535, "{what}: {reply:?}");
    assert!(!mechanism.is_empty());
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forbidden = [
        WRONG_PASSWORD.to_owned(),
        b64.encode(WRONG_PASSWORD),
        b64.encode(format!("\0alice\0{WRONG_PASSWORD}")),
    ];
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        for secret in &forbidden {
            assert!(
                !shown.contains(secret.as_str()),
                "{what}: the error shows the password: {shown}"
            );
        }
    }
}

/// The relay probe before authentication: refused at RCPT with 554 5.7.1.
fn check_relay_refused(what: &str, result: Result<SendReport, Error>) {
    match result {
        Err(Error::NotAccepted(report)) => {
            assert_eq!(report.stage, Stage::Recipients, "{what}: {report:?}");
            assert_eq!(report.recipients[0].reply.code, 554, "{what}: {report:?}");
        }
        other => panic!("{what}: relaying without AUTH should be refused, got {other:?}"),
    }
}

/// The report for alice, bob and nobody: nobody refused with 550, the others accepted.
fn check_several(what: &str, report: &SendReport) {
    check_accepted(what, report, 2);
    let rejected: Vec<_> = report.rejected().collect();
    assert_eq!(rejected.len(), 1, "{what}: {report:?}");
    assert_eq!(rejected[0].address, "nobody@example.org", "{what}");
    assert_eq!(rejected[0].reply.code, 550, "{what}: {report:?}");
    let accepted: Vec<&str> = report.accepted().map(|r| r.address.as_str()).collect();
    assert_eq!(accepted, ["alice@example.org", "bob@example.org"], "{what}");
}

fn several_message(runtime: &str) -> (String, Envelope, Vec<u8>) {
    let id = unique_id("several_recipients", runtime);
    let to = ["alice@example.org", "bob@example.org", "nobody@example.org"];
    let bytes = message(&id, "carol@example.org", &to, &live::small_body(&id));
    (id, envelope("carol@example.org", &to), bytes)
}

fn check_several_delivered(servers: &Servers, id: &str, sent: &[u8]) {
    servers.assert_delivered("alice", id, sent);
    servers.assert_delivered("bob", id, sent);
}

fn big_message(runtime: &str, body: Body) -> (String, Envelope, Vec<u8>) {
    let id = unique_id(&format!("big_{body:?}"), runtime);
    let bytes = message(
        &id,
        "bob@example.org",
        &["alice@example.org"],
        &live::big_body(BIG_SIZE, 0x5eed_0000 + runtime.len() as u64),
    );
    (
        id,
        envelope("bob@example.org", &["alice@example.org"]),
        bytes,
    )
}

/// 200 small messages to carol (so the other tests' Maildir scans stay short).
fn pipelined_messages(runtime: &str, body: Body) -> Vec<(String, Vec<u8>)> {
    (0..PIPELINED)
        .map(|i| {
            let id = unique_id(&format!("pipelined_{body:?}"), runtime);
            let body = format!("message {i} of {PIPELINED}\r\n.\r\n..{i}\r\nend\r\n");
            let bytes = message(
                &id,
                "alice@example.org",
                &["carol@example.org"],
                body.as_bytes(),
            );
            (id, bytes)
        })
        .collect()
}

fn check_pipelined(
    servers: &Servers,
    (runtime, body): (&str, Body),
    sent: &[(String, Vec<u8>)],
    results: Vec<Result<SendReport, Error>>,
    elapsed: Duration,
    probe: &PipelineProbe,
) {
    assert_eq!(results.len(), sent.len());
    for (i, result) in results.into_iter().enumerate() {
        let report = result.unwrap_or_else(|e| panic!("{runtime}: message {i}: {e}"));
        check_accepted(&format!("{runtime}: message {i}"), &report, 1);
    }
    let start = Instant::now();
    let ids: Vec<String> = sent.iter().map(|(id, _)| id.clone()).collect();
    let files = servers
        .wait_for_delivery("carol", &ids, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{runtime}: {e}"));
    let delivery = start.elapsed();
    for (id, bytes) in sent {
        let delivered = std::fs::read(&files[id]).unwrap();
        live::compare_delivered(&delivered, bytes)
            .unwrap_or_else(|e| panic!("{runtime}: {id}: {e}"));
    }
    println!(
        "FIGURE pipelined {runtime:>9} {body:?}: {PIPELINED} messages with send_many in {:.1} ms \
         ({:.0} msg/s), up to {} transactions in flight, {} client writes; \
         all delivered {:.1} ms later",
        ms(elapsed),
        PIPELINED as f64 / elapsed.as_secs_f64(),
        probe.max_in_flight(),
        probe.client_writes(),
        ms(delivery)
    );
    assert_eq!(probe.queued(), PIPELINED, "{runtime}: queued replies seen");
    // Within each transaction, MAIL, RCPT and DATA/BDAT go out together: in lockstep it
    // would take at least three writes per message.
    assert!(
        probe.client_writes() < 2 * PIPELINED,
        "{runtime} {body:?}: {} writes for {PIPELINED} messages: commands not pipelined",
        probe.client_writes()
    );
    // send_many is documented to pipeline the transactions when the server offers
    // PIPELINING (Postfix does): more than one must have been in flight at some point.
    assert!(
        probe.max_in_flight() > 1,
        "{runtime} {body:?}: the {PIPELINED} transactions were not pipelined \
         (never more than one MAIL FROM ahead of its final reply)"
    );
}

fn latency_message(runtime: &str, i: usize) -> (Envelope, Vec<u8>) {
    let id = unique_id("latency", runtime);
    let body = format!("latency probe {i}\r\n");
    let bytes = message(
        &id,
        "alice@example.org",
        &[RELAY_RECIPIENT],
        body.as_bytes(),
    );
    (envelope("alice@example.org", &[RELAY_RECIPIENT]), bytes)
}

fn report_latency(runtime: &str, body: Body, mut samples: Vec<Duration>, total: Duration) {
    let (median, max) = live::median_max(&mut samples).expect("samples");
    let over_40ms = samples
        .iter()
        .filter(|d| **d >= Duration::from_millis(40))
        .count();
    println!(
        "FIGURE latency {runtime:>9} {body:?}: {LATENCY_MESSAGES} x send_raw: median {:.2} ms, \
         max {:.2} ms, {over_40ms} at or over 40 ms, total {:.1} ms",
        ms(median),
        ms(max),
        ms(total)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ---------------------------------------------------------------------------------------
// STARTTLS and implicit TLS

fn tls_paths_blocking(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        let what = format!("{runtime} {}", path.name());
        let mut client = blocking::SmtpClient::connect(&servers.options(path))
            .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
        check_secure(
            &what,
            client.is_secure(),
            client.capabilities().supports_auth("PLAIN"),
        );
        assert_eq!(client.noop().unwrap().code, 250, "{what}");
        check_quit(&what, client.quit());
    }
}

async fn tls_paths_async<R: Runtime>(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        let what = format!("{runtime} {}", path.name());
        let mut client = AsyncSmtpClient::<R>::connect(&servers.options(path))
            .await
            .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
        check_secure(
            &what,
            client.is_secure(),
            client.capabilities().supports_auth("PLAIN"),
        );
        assert_eq!(client.noop().await.unwrap().code, 250, "{what}");
        check_quit(&what, client.quit().await);
    }
}

// ---------------------------------------------------------------------------------------
// AUTH with every mechanism on both paths; relaying proves the session is authenticated

fn auth_mechanisms_blocking(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        for mechanism in live::DOVECOT_SASL {
            let what = format!("{runtime} {} {mechanism}", path.name());
            let mut client = blocking::SmtpClient::connect(&servers.options(path))
                .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
            let used = client
                .authenticate_with(auth(servers, "alice", mechanism))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(used, mechanism, "{what}");
            let (env, bytes) = relay_probe("auth", runtime);
            let report = client
                .send_raw(&env, bytes)
                .unwrap_or_else(|e| panic!("{what}: relaying after AUTH: {e}"));
            check_accepted(&what, &report, 1);
            check_quit(&what, client.quit());
        }
    }
}

async fn auth_mechanisms_async<R: Runtime>(servers: &Servers, runtime: &str) {
    for path in TlsPath::BOTH {
        for mechanism in live::DOVECOT_SASL {
            let what = format!("{runtime} {} {mechanism}", path.name());
            let mut client = AsyncSmtpClient::<R>::connect(&servers.options(path))
                .await
                .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
            let used = client
                .authenticate_with(auth(servers, "alice", mechanism))
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(used, mechanism, "{what}");
            let (env, bytes) = relay_probe("auth", runtime);
            let report = client
                .send_raw(&env, bytes)
                .await
                .unwrap_or_else(|e| panic!("{what}: relaying after AUTH: {e}"));
            check_accepted(&what, &report, 1);
            check_quit(&what, client.quit().await);
        }
    }
}

// ---------------------------------------------------------------------------------------
// A wrong password: typed error without the password; the session stays usable

fn wrong_password_blocking(servers: &Servers, runtime: &str) {
    for (path, mechanism) in [(TlsPath::StartTls, "PLAIN"), (TlsPath::Implicit, "LOGIN")] {
        let what = format!("{runtime} {} {mechanism}", path.name());
        let mut client = blocking::SmtpClient::connect(&servers.options(path))
            .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
        let wrong = Auth::new(mail_kit::Credentials::password("alice", WRONG_PASSWORD))
            .with_mechanism(mechanism);
        check_auth_failure(&what, client.authenticate_with(wrong));
        let (env, bytes) = relay_probe("wrong_password", runtime);
        check_relay_refused(&what, client.send_raw(&env, bytes.clone()));
        // The right password on the same connection (strongest mechanism both offer).
        let used = client
            .authenticate(servers.credentials("alice"))
            .unwrap_or_else(|e| panic!("{what}: retry: {e}"));
        println!("{what}: retried with {used}");
        check_accepted(&what, &client.send_raw(&env, bytes).unwrap(), 1);
        check_quit(&what, client.quit());
    }
}

async fn wrong_password_async<R: Runtime>(servers: &Servers, runtime: &str) {
    for (path, mechanism) in [(TlsPath::StartTls, "PLAIN"), (TlsPath::Implicit, "LOGIN")] {
        let what = format!("{runtime} {} {mechanism}", path.name());
        let mut client = AsyncSmtpClient::<R>::connect(&servers.options(path))
            .await
            .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
        let wrong = Auth::new(mail_kit::Credentials::password("alice", WRONG_PASSWORD))
            .with_mechanism(mechanism);
        check_auth_failure(&what, client.authenticate_with(wrong).await);
        let (env, bytes) = relay_probe("wrong_password", runtime);
        check_relay_refused(&what, client.send_raw(&env, bytes.clone()).await);
        let used = client
            .authenticate(servers.credentials("alice"))
            .await
            .unwrap_or_else(|e| panic!("{what}: retry: {e}"));
        println!("{what}: retried with {used}");
        check_accepted(&what, &client.send_raw(&env, bytes).await.unwrap(), 1);
        check_quit(&what, client.quit().await);
    }
}

// ---------------------------------------------------------------------------------------
// alice, bob and nobody@example.org: Ok with nobody refused (550); delivered to both

fn several_recipients_blocking(servers: &Servers, runtime: &str) {
    let (id, env, bytes) = several_message(runtime);
    let mut client = blocking::SmtpClient::connect(&servers.options(TlsPath::StartTls)).unwrap();
    client
        .authenticate_with(auth(servers, "carol", "PLAIN"))
        .unwrap();
    let report = client.send_raw(&env, bytes.clone()).unwrap();
    check_several(runtime, &report);
    check_quit(runtime, client.quit());
    check_several_delivered(servers, &id, &bytes);
}

async fn several_recipients_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let (id, env, bytes) = several_message(runtime);
    let mut client = AsyncSmtpClient::<R>::connect(&servers.options(TlsPath::StartTls))
        .await
        .unwrap();
    client
        .authenticate_with(auth(servers, "carol", "PLAIN"))
        .await
        .unwrap();
    let report = client.send_raw(&env, bytes.clone()).await.unwrap();
    check_several(runtime, &report);
    check_quit(runtime, client.quit().await);
    check_several_delivered(servers, &id, &bytes);
}

// ---------------------------------------------------------------------------------------
// A 5 MB message, delivered intact (over DATA with dot-stuffing, and over BDAT)

fn big_message_blocking(servers: &Servers, runtime: &str, body: Body) {
    let (id, env, bytes) = big_message(runtime, body);
    let options = body.options(servers.options(TlsPath::Implicit));
    let mut client = blocking::SmtpClient::connect(&options).unwrap();
    client
        .authenticate_with(auth(servers, "bob", "CRAM-MD5"))
        .unwrap();
    let start = Instant::now();
    let report = client.send_raw(&env, bytes.clone()).unwrap();
    let elapsed = start.elapsed();
    check_accepted(runtime, &report, 1);
    check_quit(runtime, client.quit());
    servers.assert_delivered("alice", &id, &bytes);
    println!(
        "FIGURE big {runtime:>9} {body:?}: {} bytes sent in {:.1} ms",
        bytes.len(),
        ms(elapsed)
    );
}

async fn big_message_async<R: Runtime>(servers: &Servers, runtime: &str, body: Body) {
    let (id, env, bytes) = big_message(runtime, body);
    let options = body.options(servers.options(TlsPath::Implicit));
    let mut client = AsyncSmtpClient::<R>::connect(&options).await.unwrap();
    client
        .authenticate_with(auth(servers, "bob", "CRAM-MD5"))
        .await
        .unwrap();
    let start = Instant::now();
    let report = client.send_raw(&env, bytes.clone()).await.unwrap();
    let elapsed = start.elapsed();
    check_accepted(runtime, &report, 1);
    check_quit(runtime, client.quit().await);
    servers.assert_delivered("alice", &id, &bytes);
    println!(
        "FIGURE big {runtime:>9} {body:?}: {} bytes sent in {:.1} ms",
        bytes.len(),
        ms(elapsed)
    );
}

// ---------------------------------------------------------------------------------------
// 200 messages on one connection with send_many (pipelined), all delivered intact

fn pipelined_blocking(servers: &Servers, runtime: &str, body: Body) {
    let sent = pipelined_messages(runtime, body);
    let transactions = sent
        .iter()
        .map(|(_, bytes)| {
            let env = envelope("alice@example.org", &["carol@example.org"]);
            Transaction::new(env, bytes.clone())
        })
        .collect();
    let options = body.options(servers.options(TlsPath::StartTls));
    let mut client = blocking::SmtpClient::connect(&options).unwrap();
    client.authenticate(servers.credentials("alice")).unwrap();
    let probe = PipelineProbe::new();
    client.set_observer(probe.observer());
    let start = Instant::now();
    let results = client.send_many(transactions).unwrap();
    let elapsed = start.elapsed();
    check_quit(runtime, client.quit());
    check_pipelined(servers, (runtime, body), &sent, results, elapsed, &probe);
}

async fn pipelined_async<R: Runtime>(servers: &Servers, runtime: &str, body: Body) {
    let sent = pipelined_messages(runtime, body);
    let transactions = sent
        .iter()
        .map(|(_, bytes)| {
            let env = envelope("alice@example.org", &["carol@example.org"]);
            Transaction::new(env, bytes.clone())
        })
        .collect();
    let options = body.options(servers.options(TlsPath::StartTls));
    let mut client = AsyncSmtpClient::<R>::connect(&options).await.unwrap();
    client
        .authenticate(servers.credentials("alice"))
        .await
        .unwrap();
    let probe = PipelineProbe::new();
    client.set_observer(probe.observer());
    let start = Instant::now();
    let results = client.send_many(transactions).await.unwrap();
    let elapsed = start.elapsed();
    check_quit(runtime, client.quit().await);
    check_pipelined(servers, (runtime, body), &sent, results, elapsed, &probe);
}

// ---------------------------------------------------------------------------------------
// 50 messages one by one: per-message latency (a 40 ms delayed-ACK stall would show here)

fn latency_blocking(servers: &Servers, runtime: &str) {
    for body in [Body::Bdat, Body::Data] {
        let options = body.options(servers.options(TlsPath::StartTls));
        let mut client = blocking::SmtpClient::connect(&options).unwrap();
        client.authenticate(servers.credentials("alice")).unwrap();
        let mut samples = Vec::with_capacity(LATENCY_MESSAGES);
        let total = Instant::now();
        for i in 0..LATENCY_MESSAGES {
            let (env, bytes) = latency_message(runtime, i);
            let start = Instant::now();
            let report = client.send_raw(&env, bytes).unwrap();
            samples.push(start.elapsed());
            check_accepted(runtime, &report, 1);
        }
        let total = total.elapsed();
        check_quit(runtime, client.quit());
        report_latency(runtime, body, samples, total);
    }
}

async fn latency_async<R: Runtime>(servers: &Servers, runtime: &str) {
    for body in [Body::Bdat, Body::Data] {
        let options = body.options(servers.options(TlsPath::StartTls));
        let mut client = AsyncSmtpClient::<R>::connect(&options).await.unwrap();
        client
            .authenticate(servers.credentials("alice"))
            .await
            .unwrap();
        let mut samples = Vec::with_capacity(LATENCY_MESSAGES);
        let total = Instant::now();
        for i in 0..LATENCY_MESSAGES {
            let (env, bytes) = latency_message(runtime, i);
            let start = Instant::now();
            let report = client.send_raw(&env, bytes).await.unwrap();
            samples.push(start.elapsed());
            check_accepted(runtime, &report, 1);
        }
        let total = total.elapsed();
        check_quit(runtime, client.quit().await);
        report_latency(runtime, body, samples, total);
    }
}
