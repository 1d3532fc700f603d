//! SMTP AUTH NTLM on every runtime against a real NTLM server: Postfix's NTLM submission port
//! (`MAILKIT_SMTP_NTLM_PORT`) hands SASL to Cyrus SASL's NTLM plugin, which checks our NTLMv2
//! response against the plaintext password in its sasldb (`tests/servers/start.sh`). AUTH is
//! forced to NTLM after STARTTLS; the server then relays for the client to a local user, and the
//! delivered Maildir file proves the message went through. A wrong password is refused with 535.
//! A `DOMAIN\user` name is accepted too: the domain goes into the NTLMv2 hash and the message.
//! Cyrus upper-cases the domain before hashing (MS-NLMP hashes it as sent, as our client
//! does), so the domain is written in upper case, as NetBIOS domain names are.
//! Cyrus's CHALLENGE has no target information (no timestamp), so no MIC is sent here: the MIC
//! path is covered by the MS-NLMP vectors and scripted peers.
//! Without the servers' environment the tests skip (or fail with `MAILKIT_REQUIRE_SERVERS`).

use mail_kit::runtime::Runtime;
use mail_kit::smtp::{AsyncSmtpClient, Auth, Envelope, Stage};
use mail_kit::{Credentials, Error, SmtpOptions, blocking};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, Servers, TlsPath, address, message, unique_id};

const NTLM: &str = "NTLM";
const WRONG_PASSWORD: &str = "Not-Bob-Ntlm-7x";
const SENDER: &str = "bob@example.org";
const RECIPIENT: &str = "carol";
/// `bob` in the NetBIOS domain `EXAMPLE` (the server ignores the domain when it looks bob up).
const DOMAIN_USER: &str = "EXAMPLE\\bob";

every_runtime! {
    servers = live::servers;
    smtp_ntlm_delivers => smtp_delivers_blocking, smtp_delivers_async;
    smtp_ntlm_wrong_password => smtp_wrong_blocking, smtp_wrong_async;
    smtp_ntlm_domain_user => smtp_domain_blocking, smtp_domain_async;
}

fn options(servers: &Servers) -> SmtpOptions {
    TlsPath::StartTls.options(servers.smtp_ntlm_port, servers.tls())
}

fn ntlm(credentials: Credentials) -> Auth {
    Auth::new(credentials).with_mechanism(NTLM)
}

/// A message from bob to carol: the envelope, the bytes and its Message-ID.
fn probe(runtime: &str) -> (Envelope, Vec<u8>, String) {
    let id = unique_id("ntlm", runtime);
    let to = format!("{RECIPIENT}@example.org");
    let bytes = message(&id, SENDER, &[&to], &live::small_body(&id));
    let env = Envelope::new(Some(address(SENDER)), [address(&to)]);
    (env, bytes, id)
}

fn check_refused(what: &str, result: Result<&'static str, Error>) {
    match result {
        Err(Error::AuthenticationFailed { mechanism, reply }) => {
            assert_eq!(mechanism, NTLM, "{what}");
            assert_eq!(reply.code, 535, "{what}: {reply:?}");
        }
        other => panic!("{what}: expected AuthenticationFailed, got {other:?}"),
    }
}

fn smtp_delivers_blocking(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm");
    let mut client = blocking::SmtpClient::connect(&options(servers))
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    let used = client
        .authenticate_with(ntlm(servers.credentials("bob")))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, NTLM, "{what}");
    let (env, bytes, id) = probe(runtime);
    let report = client
        .send_raw(&env, bytes.clone())
        .unwrap_or_else(|e| panic!("{what}: send: {e}"));
    assert_eq!(report.stage, Stage::Accepted, "{what}: {report:?}");
    client
        .quit()
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
    servers.assert_delivered(RECIPIENT, &id, &bytes);
}

async fn smtp_delivers_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm");
    let mut client = AsyncSmtpClient::<R>::connect(&options(servers))
        .await
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    let used = client
        .authenticate_with(ntlm(servers.credentials("bob")))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, NTLM, "{what}");
    let (env, bytes, id) = probe(runtime);
    let report = client
        .send_raw(&env, bytes.clone())
        .await
        .unwrap_or_else(|e| panic!("{what}: send: {e}"));
    assert_eq!(report.stage, Stage::Accepted, "{what}: {report:?}");
    client
        .quit()
        .await
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
    servers.assert_delivered(RECIPIENT, &id, &bytes);
}

fn smtp_wrong_blocking(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm wrong password");
    let mut client = blocking::SmtpClient::connect(&options(servers))
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    check_refused(
        &what,
        client.authenticate_with(ntlm(Credentials::password("bob", WRONG_PASSWORD))),
    );
    client
        .quit()
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}

async fn smtp_wrong_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm wrong password");
    let mut client = AsyncSmtpClient::<R>::connect(&options(servers))
        .await
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    check_refused(
        &what,
        client
            .authenticate_with(ntlm(Credentials::password("bob", WRONG_PASSWORD)))
            .await,
    );
    client
        .quit()
        .await
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}

fn smtp_domain_blocking(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm {DOMAIN_USER}");
    let mut client = blocking::SmtpClient::connect(&options(servers))
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    let credentials = Credentials::password(DOMAIN_USER, servers.password("bob"));
    let used = client
        .authenticate_with(ntlm(credentials))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, NTLM, "{what}");
    client
        .quit()
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}

async fn smtp_domain_async<R: Runtime>(servers: &Servers, runtime: &str) {
    let what = format!("{runtime} smtp ntlm {DOMAIN_USER}");
    let mut client = AsyncSmtpClient::<R>::connect(&options(servers))
        .await
        .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    let credentials = Credentials::password(DOMAIN_USER, servers.password("bob"));
    let used = client
        .authenticate_with(ntlm(credentials))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(used, NTLM, "{what}");
    client
        .quit()
        .await
        .unwrap_or_else(|e| panic!("{what}: QUIT: {e}"));
}
