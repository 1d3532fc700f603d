//! The blocking client against a scripted server on loopback.
#![cfg(feature = "blocking")]

mod common;

use std::time::Duration;

use common::*;
use mail_kit::blocking::SmtpClient;
use mail_kit::core::WireObserver;
use mail_kit::smtp::{Address, Auth, Envelope, Stage, Transaction};
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

fn alice() -> Auth {
    let mut auth = Auth::new(Credentials::password("alice", "secret"));
    auth.allow_plaintext = true;
    auth
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
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = SmtpClient::connect(&options).unwrap();
    assert!(!client.is_secure());
    assert!(client.capabilities().supports_auth("PLAIN"));
    assert_eq!(client.authenticate_with(alice()).unwrap(), "PLAIN");
    let report = client.send_raw(&envelope(), MESSAGE).unwrap();
    assert_eq!(report.stage, Stage::Accepted);
    assert_eq!(report.rejected().count(), 1);
    let bye = client.quit().unwrap();
    assert_eq!(bye.map(|r| r.code), Some(221));
    server.join().unwrap();
}

#[test]
fn starttls_with_a_private_ca() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        auth_send_quit(peer);
    });
    let options = SmtpOptions::new("localhost", port)
        .unwrap()
        .tls_settings(test_ca());
    let mut client = SmtpClient::connect(&options).unwrap();
    assert!(client.is_secure());
    // Plaintext mechanisms are fine over TLS.
    let mechanism = client
        .authenticate(Credentials::password("alice", "secret"))
        .unwrap();
    assert_eq!(mechanism, "PLAIN");
    client.send_raw(&envelope(), MESSAGE).unwrap();
    client.quit().unwrap();
    server.join().unwrap();
}

#[test]
fn starttls_rejects_an_unknown_issuer() {
    let (port, server) = serve(|peer| starttls_rejected(peer, server_tls("server.pem")));
    let options = SmtpOptions::new("localhost", port).unwrap();
    let err = SmtpClient::connect(&options).unwrap_err();
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
fn implicit_tls_checks_the_host_name() {
    let (port, server) = serve(|peer| {
        let _ = peer.start_tls(server_tls("server.pem"));
    });
    // The certificate names `localhost`, not 127.0.0.1.
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::Implicit)
        .tls_settings(test_ca());
    let err = SmtpClient::connect(&options).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Tls(TlsError::Certificate {
                problem: CertificateProblem::NotValidForName,
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
    let options = SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
        .unwrap()
        .tls_settings(test_ca());
    let err = SmtpClient::connect(&options).unwrap_err();
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
fn implicit_tls_against_plaintext_is_a_handshake_error() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP plaintext\r\n");
        peer.expect_eof();
    });
    let options = SmtpOptions::from_url(&format!("smtps://localhost:{port}"))
        .unwrap()
        .tls_settings(test_ca());
    let err = SmtpClient::connect(&options).unwrap_err();
    assert!(
        matches!(err, Error::Tls(TlsError::Handshake { .. })),
        "{err:?}"
    );
    server.join().unwrap();
}

#[test]
fn danger_mode_accepts_an_untrusted_certificate() {
    let (port, server) = serve(|peer| {
        starttls_greeting(peer, server_tls("server.pem"));
        peer.expect("QUIT");
        peer.send("221 bye\r\n");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_settings(TlsSettings::new().danger_accept_invalid_certs());
    let client = SmtpClient::connect(&options).unwrap();
    assert!(client.is_secure());
    client.quit().unwrap();
    server.join().unwrap();
}

#[test]
fn silent_server_times_out() {
    let (port, server) = serve(|peer| {
        peer.send("220 mx.example.org ESMTP\r\n");
        peer.expect("EHLO [127.0.0.1]");
        peer.expect_eof();
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None)
        .command_timeout(Duration::from_millis(300));
    let err = SmtpClient::connect(&options).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    server.join().unwrap();
}

#[test]
fn closed_connection_is_a_protocol_error() {
    let (port, server) = serve(|peer| {
        plain_greeting(peer);
        peer.expect("NOOP");
    });
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    let mut client = SmtpClient::connect(&options).unwrap();
    let err = client.noop().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(mail_kit::core::Error::UnexpectedEof { .. })
        ),
        "{err:?}"
    );
    assert!(matches!(client.noop().unwrap_err(), Error::Closed));
    server.join().unwrap();
}

#[test]
fn refusals_are_typed() {
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
    let mut client = SmtpClient::connect(&options).unwrap();
    assert_eq!(client.vrfy("bob").unwrap().code, 252);
    assert!(matches!(client.expn("staff").unwrap_err(), Error::Refused(r) if r.code == 502));
    let err = client.authenticate_with(alice()).unwrap_err();
    assert!(
        matches!(&err, Error::AuthenticationFailed { mechanism: "PLAIN", reply } if reply.code == 535)
    );
    assert!(!format!("{err:?}{err}").contains("secret"));
    let err = client.send_raw(&envelope(), MESSAGE).unwrap_err();
    match err {
        Error::NotAccepted(report) => assert_eq!(report.stage, Stage::Recipients),
        other => panic!("unexpected {other:?}"),
    }
    client.quit().unwrap();
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

#[test]
fn send_many_pipelines_and_reports_progress() {
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
    let mut client = SmtpClient::connect(&options).unwrap();
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
    let results = client.send_many(transactions).unwrap();
    assert!(results[0].is_ok());
    assert!(matches!(&results[1], Err(Error::NotAccepted(r)) if r.stage == Stage::Content));
    assert!(!progress.lock().unwrap().is_empty());
    client.quit().unwrap();
    server.join().unwrap();
    let log = recorder.0.lock().unwrap();
    assert_eq!(log[0], "S: 220 mx.example.org ESMTP\r\n");
    assert!(
        log.iter()
            .any(|l| l == "C: MAIL FROM:<m1@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
    );
}

#[test]
fn connection_refused_names_the_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = SmtpOptions::new("127.0.0.1", port)
        .unwrap()
        .tls_mode(TlsMode::None);
    match SmtpClient::connect(&options).unwrap_err() {
        Error::Connect { host, port: p, .. } => assert_eq!((host.as_str(), p), ("127.0.0.1", port)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn ipv6_literal_url() {
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
    let client = SmtpClient::connect(&options).unwrap();
    client.quit().unwrap();
    server.join().unwrap();
}
