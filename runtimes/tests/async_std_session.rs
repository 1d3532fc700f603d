//! The async-std client (futures-io driver, futures-rustls) against a scripted server on loopback.
#![cfg(feature = "async-std")]

mod common;

use std::time::Duration;

use common::*;
use mail_kit::async_std::SmtpClient;
use mail_kit::smtp::{Address, Auth, Envelope, Stage};
use mail_kit::{
    CertificateProblem, Credentials, Error, Roots, SmtpOptions, TlsError, TlsMode, TlsSettings,
};

fn envelope() -> Envelope {
    Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [
            Address::new("bob@example.org").unwrap(),
            Address::new("nobody@example.org").unwrap(),
        ],
    )
}

fn test_ca() -> TlsSettings {
    TlsSettings::new()
        .roots(Roots::None)
        .add_ca_file(fixture("ca.pem"))
}

#[test]
fn plaintext_session() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        auth_send_quit(peer);
    });
    async_std::task::block_on(async {
        let options = SmtpOptions::new("127.0.0.1", port)
            .unwrap()
            .tls_mode(TlsMode::None);
        let mut client = SmtpClient::connect(&options).await.unwrap();
        let mut auth = Auth::new(Credentials::password("alice", "secret"));
        auth.allow_plaintext = true;
        assert_eq!(client.authenticate_with(auth).await.unwrap(), "PLAIN");
        let report = client.send_raw(&envelope(), MESSAGE).await.unwrap();
        assert_eq!(report.stage, Stage::Accepted);
        assert_eq!(client.quit().await.unwrap().map(|r| r.code), Some(221));
    });
    server.join().unwrap();
}

#[test]
fn starttls_with_a_private_ca() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        auth_send_quit(peer);
    });
    async_std::task::block_on(async {
        let options = SmtpOptions::new("localhost", port)
            .unwrap()
            .tls_settings(test_ca());
        let mut client = SmtpClient::connect(&options).await.unwrap();
        assert!(client.is_secure());
        client
            .authenticate(Credentials::password("alice", "secret"))
            .await
            .unwrap();
        client.send_raw(&envelope(), MESSAGE).await.unwrap();
        client.quit().await.unwrap();
    });
    server.join().unwrap();
}

#[test]
fn starttls_rejects_an_unknown_issuer() {
    let (port, server) = serve(|peer| starttls_rejected(peer, server_tls("server.pem")));
    let err = async_std::task::block_on(async {
        let options = SmtpOptions::new("localhost", port).unwrap();
        SmtpClient::connect(&options).await.unwrap_err()
    });
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate {
                problem: CertificateProblem::UnknownIssuer,
                ..
            })
        ),
        "{err:?}"
    );
    server.join().unwrap();
}

#[test]
fn implicit_tls_rejects_an_expired_certificate() {
    let (port, server) = serve(|peer| {
        let _ = peer.start_tls(server_tls("expired.pem"));
    });
    let err = async_std::task::block_on(async {
        let options = SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
            .unwrap()
            .tls_settings(test_ca());
        SmtpClient::connect(&options).await.unwrap_err()
    });
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate {
                problem: CertificateProblem::Expired,
                ..
            })
        ),
        "{err:?}"
    );
    server.join().unwrap();
}

#[test]
fn silent_server_times_out() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP\r\n");
        peer.expect("EHLO [127.0.0.1]");
        peer.expect_eof();
    });
    let err = async_std::task::block_on(async {
        let options = SmtpOptions::new("127.0.0.1", port)
            .unwrap()
            .tls_mode(TlsMode::None)
            .command_timeout(Duration::from_millis(300));
        SmtpClient::connect(&options).await.unwrap_err()
    });
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    server.join().unwrap();
}
