//! SMTP AUTH's automatic choice on every runtime against the real Postfix, which hands SASL to
//! Dovecot (`tests/servers/start.sh`): the strongest offered, which Dovecot 2.3 makes
//! SCRAM-SHA-256, after a wrong password under SCRAM. After the success Postfix relays for the
//! client, which proves the server accepted the login. Each mechanism forced, SCRAM-SHA-1,
//! SCRAM-SHA-256 and DIGEST-MD5 among them, is `live_smtp.rs`'s `auth_mechanisms`.
//!
//! Dovecot 2.3.19 has neither SCRAM-SHA-512 nor the -PLUS variants (see
//! `tests/servers/README.md`): those are covered by scripted peers
//! (`smtp_sasl_peer.rs`, `smtp_sasl_transcripts.rs`). NTLM runs against Cyrus SASL behind
//! Postfix in `live_ntlm.rs`.
//! Without the servers' environment the tests skip (or fail with `MAILKIT_REQUIRE_SERVERS`).

use mail_kit::runtime::Runtime;
use mail_kit::smtp::{AsyncSmtpClient, Auth, Envelope, SendReport, Stage};
use mail_kit::{Error, blocking};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, RELAY_RECIPIENT, Servers, TlsPath, address, message, unique_id};

const STRONGEST: &str = "SCRAM-SHA-256";
const WRONG_PASSWORD: &str = "Not-Alice-Scram-9q";

every_runtime! {
    servers = live::servers;
    strongest_and_wrong_password => strongest_blocking, strongest_async;
}

fn relay_probe(runtime: &str) -> (Envelope, Vec<u8>) {
    let id = unique_id("sasl", runtime);
    let bytes = message(
        &id,
        "alice@example.org",
        &[RELAY_RECIPIENT],
        &live::small_body(&id),
    );
    let env = Envelope::new(
        Some(address("alice@example.org")),
        [address(RELAY_RECIPIENT)],
    );
    (env, bytes)
}

fn check_relayed(what: &str, result: Result<SendReport, Error>) {
    let report = result.unwrap_or_else(|e| panic!("{what}: relaying after AUTH: {e}"));
    assert_eq!(report.stage, Stage::Accepted, "{what}: {report:?}");
}

fn check_wrong_password(what: &str, result: Result<&'static str, Error>) {
    match result {
        Err(Error::AuthenticationFailed { mechanism, reply }) => {
            assert_eq!(mechanism, STRONGEST, "{what}");
            assert_eq!(reply.code, 535, "{what}: {reply:?}");
        }
        other => panic!("{what}: expected AuthenticationFailed, got {other:?}"),
    }
}

fn wrong() -> Auth {
    Auth::new(mail_kit::Credentials::password("alice", WRONG_PASSWORD))
}

fn strongest_blocking(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} strongest");
    let mut client = blocking::SmtpClient::connect(&servers.options(TlsPath::StartTls))
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    check_wrong_password(
        &what,
        client.authenticate_with(wrong().with_mechanism(STRONGEST)),
    );
    let used = client
        .authenticate(servers.credentials("bob"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, STRONGEST, "{what}");
    let (env, bytes) = relay_probe(runtime);
    check_relayed(&what, client.send_raw(&env, bytes));
    client
        .quit()
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}

async fn strongest_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} strongest");
    let mut client = AsyncSmtpClient::<R>::connect(&servers.options(TlsPath::StartTls))
        .await
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    check_wrong_password(
        &what,
        client
            .authenticate_with(wrong().with_mechanism(STRONGEST))
            .await,
    );
    let used = client
        .authenticate(servers.credentials("bob"))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, STRONGEST, "{what}");
    let (env, bytes) = relay_probe(runtime);
    check_relayed(&what, client.send_raw(&env, bytes).await);
    client
        .quit()
        .await
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}
