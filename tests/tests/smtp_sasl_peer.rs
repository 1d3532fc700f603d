//! SCRAM against a scripted SMTP server that runs the server side of SCRAM itself
//! (`mail_kit_tests::scram_server`): the peer computes the `c=` it expects from the channel
//! binding *it* was given and refuses a mismatch, checks the client proof, and signs. Covers
//! every hash with and without `-PLUS`, both binding types, a man in the middle (different
//! binding data on each side), the GS2 `y` flag when `-PLUS` was stripped, and a server whose
//! signature is wrong.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{Auth, Command, Event, SmtpClient};
use mail_kit_core::{Error, Machine, TlsInfo, TlsPolicy};
use mail_kit_tests::scram_server::{Hash, ScramServer};
use mail_kit_tests::smtp_peer::{Answer, Conversation, converse};
use mail_kit_tests::transcripts::config;

const USER: &str = "alice";
const PASSWORD: &str = "alice-secret";

fn exporter() -> TlsInfo {
    TlsInfo {
        tls_exporter: Some((0u8..32).collect()),
        tls_server_end_point: Some(vec![0xee; 32]),
        protocol: Some("TLSv1.3".into()),
    }
}

fn end_point_only() -> TlsInfo {
    TlsInfo {
        tls_exporter: None,
        tls_server_end_point: Some((100u8..132).collect()),
        protocol: Some("TLSv1.2".into()),
    }
}

fn mechanism_names(hash: Hash) -> (&'static str, &'static str) {
    match hash {
        Hash::Sha1 => ("SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"),
        Hash::Sha256 => ("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"),
        Hash::Sha512 => ("SCRAM-SHA-512", "SCRAM-SHA-512-PLUS"),
    }
}

/// What happened, from both sides.
struct Outcome {
    conversation: Conversation,
    /// The GS2 flag of the client-first message.
    flag: String,
    /// The mechanism the client named in `AUTH`.
    mechanism: String,
    /// Why the peer refused, if it did.
    refused: Option<String>,
}

/// Implicit TLS reporting `client_tls`; the server offers `offered` and runs `server`.
/// `tamper` may change the server-final message before it is sent.
fn run(
    client_tls: Option<TlsInfo>,
    offered: &str,
    mut server: ScramServer,
    tamper: impl Fn(String) -> String,
) -> Outcome {
    let mut smtp = SmtpClient::new(config(TlsPolicy::Implicit));
    if let Some(info) = client_tls {
        smtp.handle_tls_established(Instant::now(), info);
    }
    let mut flag = String::new();
    let mut mechanism = String::new();
    let mut refused = None;
    let mut step = 0;
    let credentials = Credentials::password(USER, PASSWORD);
    let conversation = converse(
        &mut smtp,
        b"220 mx.example.org ESMTP\r\n",
        |unit| {
            let line = String::from_utf8_lossy(unit.line().unwrap_or_default()).into_owned();
            if unit.verb() == "EHLO" {
                return Answer::text(&format!("250-mx.example.org\n250 AUTH {offered}\n"));
            }
            if unit.verb() == "QUIT" {
                return Answer::text("221 bye\n");
            }
            if line == "*" {
                return Answer::text("501 5.7.0 cancelled\n");
            }
            step += 1;
            let decoded = match step {
                1 => {
                    let mut words = line.split(' ').skip(1);
                    mechanism = words.next().unwrap_or_default().to_owned();
                    BASE64.decode(words.next().unwrap_or_default()).unwrap()
                }
                _ => BASE64.decode(&line).unwrap(),
            };
            let answer = match step {
                1 => {
                    flag = String::from_utf8_lossy(&decoded)
                        .split(',')
                        .next()
                        .unwrap()
                        .to_owned();
                    server.server_first(&decoded)
                }
                2 => server.server_final(&decoded).map(&tamper),
                _ => return Answer::text("235 2.7.0 Authentication successful\n"),
            };
            match answer {
                Ok(text) => Answer::text(&format!("334 {}\n", BASE64.encode(text))),
                Err(why) => {
                    refused = Some(why);
                    Answer::text("535 5.7.8 Authentication failed\n")
                }
            }
        },
        |queue, event| {
            if matches!(event, Event::Ready { .. }) {
                let _ = queue.command(Command::Authenticate(Auth::new(credentials.clone())));
            }
        },
    );
    Outcome {
        conversation,
        flag,
        mechanism,
        refused,
    }
}

fn authenticated(outcome: &Outcome) -> Option<&'static str> {
    outcome.conversation.events.iter().find_map(|e| match e {
        Event::Authenticated { mechanism, .. } => Some(*mechanism),
        _ => None,
    })
}

fn failed(outcome: &Outcome) -> Option<&'static str> {
    outcome.conversation.events.iter().find_map(|e| match e {
        Event::AuthenticationFailed { mechanism, .. } => Some(*mechanism),
        _ => None,
    })
}

#[test]
fn plus_with_every_hash_and_both_binding_types_checked_by_the_peer() {
    for hash in [Hash::Sha1, Hash::Sha256, Hash::Sha512] {
        let (plain, plus) = mechanism_names(hash);
        for (info, kind) in [
            (exporter(), "tls-exporter"),
            (end_point_only(), "tls-server-end-point"),
        ] {
            let data = match kind {
                "tls-exporter" => info.tls_exporter.clone().unwrap(),
                _ => info.tls_server_end_point.clone().unwrap(),
            };
            let server =
                ScramServer::new(hash, USER, PASSWORD, "srvNonce").with_binding(kind, &data, true);
            let outcome = run(Some(info), &format!("{plain} {plus} PLAIN"), server, |s| s);
            assert_eq!(outcome.refused, None, "{plus} {kind}");
            assert_eq!(outcome.mechanism, plus);
            assert_eq!(outcome.flag, format!("p={kind}"));
            assert_eq!(authenticated(&outcome), Some(plus), "{plus} {kind}");
            assert_eq!(outcome.conversation.error, None);
        }
    }
}

#[test]
fn man_in_the_middle_binding_mismatch_is_refused_by_the_peer() {
    // The client's TLS ends at the attacker: the binding data differ on each side.
    let server_sees = vec![0x55; 32];
    let server = ScramServer::new(Hash::Sha256, USER, PASSWORD, "srvNonce").with_binding(
        "tls-exporter",
        &server_sees,
        true,
    );
    let outcome = run(
        Some(exporter()),
        "SCRAM-SHA-256 SCRAM-SHA-256-PLUS",
        server,
        |s| s,
    );
    assert_eq!(
        outcome.refused.as_deref(),
        Some("e=channel-bindings-dont-match")
    );
    assert_eq!(failed(&outcome), Some("SCRAM-SHA-256-PLUS"));
    assert_eq!(authenticated(&outcome), None);
}

#[test]
fn sha512_without_binding_data_uses_flag_n() {
    let server = ScramServer::new(Hash::Sha512, USER, PASSWORD, "srvNonce");
    let outcome = run(None, "SCRAM-SHA-512 SCRAM-SHA-512-PLUS", server, |s| s);
    // Downgrade: no binding data, so -PLUS is not chosen even though it is offered.
    assert_eq!(outcome.mechanism, "SCRAM-SHA-512");
    assert_eq!(outcome.flag, "n");
    assert_eq!(authenticated(&outcome), Some("SCRAM-SHA-512"));
}

#[test]
fn stripped_plus_offer_is_detected_with_flag_y() {
    // The server supports binding and advertised -PLUS, but an attacker removed it from the
    // EHLO reply: the client says "y" and the server fails the exchange (RFC 5802 §6).
    let info = exporter();
    let server = ScramServer::new(Hash::Sha256, USER, PASSWORD, "srvNonce").with_binding(
        "tls-exporter",
        info.tls_exporter.as_ref().unwrap(),
        true,
    );
    let outcome = run(Some(info.clone()), "SCRAM-SHA-256", server, |s| s);
    assert_eq!(outcome.flag, "y");
    assert_eq!(
        outcome.refused.as_deref(),
        Some("e=server-does-support-channel-binding")
    );
    assert_eq!(failed(&outcome), Some("SCRAM-SHA-256"));
    // A server that truly has no -PLUS accepts "y".
    let server = ScramServer::new(Hash::Sha256, USER, PASSWORD, "srvNonce");
    let outcome = run(Some(info), "SCRAM-SHA-256", server, |s| s);
    assert_eq!(outcome.flag, "y");
    assert_eq!(authenticated(&outcome), Some("SCRAM-SHA-256"));
}

#[test]
fn wrong_server_signature_is_cancelled() {
    let server = ScramServer::new(Hash::Sha1, USER, PASSWORD, "srvNonce");
    let outcome = run(None, "SCRAM-SHA-1", server, |_| {
        format!("v={}", BASE64.encode([0u8; 20]))
    });
    assert_eq!(authenticated(&outcome), None);
    match &outcome.conversation.error {
        Some(Error::Sasl { mechanism, reason }) => {
            assert_eq!(*mechanism, "SCRAM-SHA-1");
            assert_eq!(reason, "server authentication failed");
        }
        other => panic!("{other:?}"),
    }
    // The client cancelled the exchange with "*" instead of answering.
    assert!(
        outcome.conversation.wire.ends_with(b"\r\n*\r\n"),
        "{:?}",
        String::from_utf8_lossy(&outcome.conversation.wire)
    );
}

#[test]
fn wrong_password_is_refused_by_the_peer() {
    let server = ScramServer::new(Hash::Sha256, USER, "another-password", "srvNonce");
    let outcome = run(None, "SCRAM-SHA-256", server, |s| s);
    assert_eq!(outcome.refused.as_deref(), Some("e=invalid-proof"));
    assert_eq!(failed(&outcome), Some("SCRAM-SHA-256"));
}
