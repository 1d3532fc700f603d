//! Every client (blocking, and async on tokio, smol and async-std) against a scripted
//! server on loopback: each scenario is written once and run on every runtime that is built.
#![cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]

mod common;

use std::time::Duration;

use common::client::Client;
use common::*;
use mail_kit::core::WireObserver;
use mail_kit::smtp::{Address, Envelope, Stage, Transaction};
use mail_kit::{
    CertificateProblem, Credentials, Error, SmtpOptions, TlsError, TlsMode, TlsSettings,
};

every_runtime! {
    plaintext_session;
    starttls_with_a_private_ca;
    starttls_rejects_an_unknown_issuer;
    implicit_tls_checks_the_host_name;
    implicit_tls_session;
    implicit_tls_rejects_an_expired_certificate;
    implicit_tls_against_plaintext_is_a_handshake_error;
    danger_mode_accepts_an_untrusted_certificate;
    silent_server_times_out;
    closed_connection_is_a_protocol_error;
    refusals_are_typed;
    send_many_pipelines_and_reports_progress;
    connection_refused_names_the_server;
    ipv6_literal_url;
}

/// Checks that `err` is a refused server certificate, refused for `expected`.
fn assert_certificate_problem(err: &Error, expected: CertificateProblem) {
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate { problem, .. }) if *problem == expected
        ),
        "expected {expected:?}, got {err:?}"
    );
}

/// Implicit TLS (an `smtps://` URL) to `localhost:port`, trusting the fixtures' CA.
fn smtps_options(port: u16) -> SmtpOptions {
    SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
        .unwrap()
        .tls_settings(test_ca())
}

async fn plaintext_session<C: Client>() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        auth_send_quit(peer);
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = C::connect(&options).await.unwrap();
    assert!(!client.is_secure());
    assert!(client.capabilities().supports_auth("PLAIN"));
    assert_eq!(client.authenticate_with(alice()).await.unwrap(), "PLAIN");
    let report = client.send_raw(&envelope(), MESSAGE).await.unwrap();
    assert_eq!(report.stage, Stage::Accepted);
    assert_eq!(report.rejected().count(), 1);
    let bye = client.quit().await.unwrap();
    assert_eq!(bye.map(|r| r.code), Some(221));
    server.join().unwrap();
}

async fn starttls_with_a_private_ca<C: Client>() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        auth_send_quit(peer);
    });
    let options = SmtpOptions::new("localhost", port)
        .unwrap()
        .tls_settings(test_ca());
    let mut client = C::connect(&options).await.unwrap();
    assert!(client.is_secure());
    // Plaintext mechanisms are fine over TLS.
    let mechanism = client
        .authenticate(Credentials::password("alice", "secret"))
        .await
        .unwrap();
    assert_eq!(mechanism, "PLAIN");
    client.send_raw(&envelope(), MESSAGE).await.unwrap();
    client.quit().await.unwrap();
    server.join().unwrap();
}

async fn starttls_rejects_an_unknown_issuer<C: Client>() {
    let (port, server) = serve(|peer| starttls_rejected(peer, server_tls("server.pem")));
    let options = SmtpOptions::new("localhost", port).unwrap();
    let err = C::connect(&options).await.unwrap_err();
    assert_certificate_problem(&err, CertificateProblem::UnknownIssuer);
    server.join().unwrap();
}

async fn implicit_tls_checks_the_host_name<C: Client>() {
    let (port, server) = serve(|peer| {
        let _ = peer.start_tls(server_tls("server.pem"));
    });
    // The certificate names `localhost`, not 127.0.0.1.
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::Implicit)
        .tls_settings(test_ca());
    let err = C::connect(&options).await.unwrap_err();
    assert_certificate_problem(&err, CertificateProblem::NotValidForName);
    server.join().unwrap();
}

async fn implicit_tls_session<C: Client>() {
    let (port, server) = serve(|peer| {
        peer.start_tls(server_tls("server.pem")).unwrap();
        plain_greeting(peer);
        peer.expect("NOOP");
        peer.send("250 ok\r\n");
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let options = smtps_options(port);
    let mut client = C::connect(&options).await.unwrap();
    assert!(client.is_secure());
    assert_eq!(client.noop().await.unwrap().code, 250);
    client.quit().await.unwrap();
    server.join().unwrap();
}

async fn implicit_tls_rejects_an_expired_certificate<C: Client>() {
    let (port, server) = serve(|peer| {
        let _ = peer.start_tls(server_tls("expired.pem"));
    });
    let options = smtps_options(port);
    let err = C::connect(&options).await.unwrap_err();
    assert_certificate_problem(&err, CertificateProblem::Expired);
    server.join().unwrap();
}

async fn implicit_tls_against_plaintext_is_a_handshake_error<C: Client>() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP plaintext\r\n");
        peer.expect_eof();
    });
    let options = smtps_options(port);
    let err = C::connect(&options).await.unwrap_err();
    assert!(
        matches!(err, Error::Tls(TlsError::Handshake { .. })),
        "{err:?}"
    );
    server.join().unwrap();
}

async fn danger_mode_accepts_an_untrusted_certificate<C: Client>() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_settings(TlsSettings::new().danger_accept_invalid_certs());
    let client = C::connect(&options).await.unwrap();
    assert!(client.is_secure());
    client.quit().await.unwrap();
    server.join().unwrap();
}

async fn silent_server_times_out<C: Client>() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP\r\n");
        peer.expect("EHLO [127.0.0.1]");
        peer.expect_eof();
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None)
        .command_timeout(Duration::from_millis(300));
    let err = C::connect(&options).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    server.join().unwrap();
}

async fn closed_connection_is_a_protocol_error<C: Client>() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        peer.expect("NOOP");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = C::connect(&options).await.unwrap();
    let err = client.noop().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(mail_kit::core::Error::UnexpectedEof { .. })
        ),
        "{err:?}"
    );
    assert!(matches!(client.noop().await.unwrap_err(), Error::Closed));
    server.join().unwrap();
}

async fn refusals_are_typed<C: Client>() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        peer.expect("VRFY bob");
        peer.send("252 cannot verify\r\n");
        peer.expect("EXPN staff");
        peer.send("502 not here\r\n");
        peer.expect(AUTH_PLAIN_ALICE);
        peer.send("535 5.7.8 bad credentials\r\n");
        peer.expect("MAIL FROM:<alice@example.org>");
        peer.expect("RCPT TO:<bob@example.org>");
        peer.expect("RCPT TO:<nobody@example.org>");
        peer.expect("DATA");
        peer.send("250 ok\r\n550 no\r\n550 no\r\n554 no valid recipients\r\n");
        peer.expect("RSET");
        peer.send("250 ok\r\n");
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = C::connect(&options).await.unwrap();
    assert_eq!(client.vrfy("bob").await.unwrap().code, 252);
    assert!(matches!(client.expn("staff").await.unwrap_err(), Error::Refused(r) if r.code == 502));
    let err = client.authenticate_with(alice()).await.unwrap_err();
    assert!(
        matches!(&err, Error::AuthenticationFailed { mechanism: "PLAIN", reply } if reply.code == 535)
    );
    assert!(!format!("{err:?}{err}").contains("secret"));
    let err = client.send_raw(&envelope(), MESSAGE).await.unwrap_err();
    match err {
        Error::NotAccepted(report) => assert_eq!(report.stage, Stage::Recipients),
        other => panic!("unexpected {other:?}"),
    }
    client.quit().await.unwrap();
    server.join().unwrap();
}

#[derive(Clone, Default)]
struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl WireObserver for Recorder {
    fn client_bytes(&mut self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push(format!("C: {}", String::from_utf8_lossy(bytes)));
    }
    fn server_bytes(&mut self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push(format!("S: {}", String::from_utf8_lossy(bytes)));
    }
}

async fn send_many_pipelines_and_reports_progress<C: Client>() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        peer.expect("MAIL FROM:<m1@example.org>");
        peer.expect("RCPT TO:<bob@example.org>");
        peer.expect("DATA");
        peer.send("250 ok\r\n250 ok\r\n354 go\r\n");
        assert_eq!(peer.data(), "Subject: 1\r\n\r\nbody\r\n");
        // The second envelope follows the first content without waiting for its reply.
        peer.expect("MAIL FROM:<m2@example.org>");
        peer.expect("RCPT TO:<bob@example.org>");
        peer.expect("DATA");
        peer.send("250 one\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        assert_eq!(peer.data(), "Subject: 2\r\n\r\nbody\r\n");
        peer.send("550 two refused\r\n");
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let recorder = Recorder::default();
    let seen = recorder.clone();
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None)
        .wire_observer(move || Box::new(seen.clone()));
    let mut client = C::connect(&options).await.unwrap();
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = progress.clone();
    client.on_progress(move |sent, total| sink.lock().unwrap().push((sent, total)));
    let transactions = (1..=2)
        .map(|n| {
            let env = Envelope::new(
                Some(Address::new(&format!("m{n}@example.org")).unwrap()),
                [Address::new("bob@example.org").unwrap()],
            );
            Transaction::new(env, format!("Subject: {n}\r\n\r\nbody\r\n"))
        })
        .collect();
    let results = client.send_many(transactions).await.unwrap();
    assert!(results[0].is_ok());
    assert!(matches!(&results[1], Err(Error::NotAccepted(r)) if r.stage == Stage::Content));
    assert!(!progress.lock().unwrap().is_empty());
    client.quit().await.unwrap();
    server.join().unwrap();
    let log = recorder.0.lock().unwrap();
    assert_eq!(log[0], "S: 220 mx.example.org ESMTP\r\n");
    assert!(
        log.iter()
            .any(|l| l == "C: MAIL FROM:<m1@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
    );
}

async fn connection_refused_names_the_server<C: Client>() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    match C::connect(&options).await.unwrap_err() {
        Error::Connect { host, port: p, .. } => assert_eq!((host.as_str(), p), ("127.0.0.1", port)),
        other => panic!("unexpected {other:?}"),
    }
}

async fn ipv6_literal_url<C: Client>() {
    // Loopback IPv6 may be missing in some sandboxes: then there is nothing to test.
    let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback here; skipping");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (mut tcp, _) = listener.accept().unwrap();
        tcp.write_all(b"220 mx ESMTP\r\n").unwrap();
        let mut lines = BufReader::new(tcp.try_clone().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "EHLO [IPv6:::1]");
        tcp.write_all(b"250 mx\r\n").unwrap();
        assert_eq!(lines.next().unwrap().unwrap(), "QUIT");
        tcp.write_all(b"221 bye\r\n").unwrap();
    });
    let options = SmtpOptions::from_url(&format!("smtp://[::1]:{port}"))
        .unwrap()
        .tls_mode(TlsMode::None);
    let client = C::connect(&options).await.unwrap();
    client.quit().await.unwrap();
    server.join().unwrap();
}
