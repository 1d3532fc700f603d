//! SCRAM over POP3 (RFC 5034) against a scripted server that runs the server side of SCRAM
//! itself (`mail_kit_tests::scram_server`): the channel binding of the STLS handshake reaches the
//! mechanism (`-PLUS` is chosen and the peer checks `c=`), the server-final message comes as a
//! `+` continuation answered by an empty line (POP3 has no data with `+OK`), and a binding that
//! differs on the server's side (a man in the middle) is refused.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::{Machine, Output, TlsInfo, TlsPolicy};
use mail_kit_tests::scram_server::{Hash, ScramServer};

const USER: &str = "alice";
const PASSWORD: &str = "alice-secret";

fn tls(exporter: u8) -> TlsInfo {
    TlsInfo {
        tls_exporter: Some(vec![exporter; 32]),
        tls_server_end_point: None,
        protocol: Some("TLSv1.3".into()),
    }
}

/// Feeds `input`, drains; returns the client's lines and the events.
fn step(pop: &mut Pop3Client, input: &[u8], events: &mut Vec<Event>) -> Vec<String> {
    pop.handle_input(Instant::now(), input);
    let mut wire = Vec::new();
    loop {
        match pop.poll_output() {
            Ok(Output::Transmit(b)) => wire.extend_from_slice(&b),
            Ok(Output::Event(e)) => events.push(e),
            Ok(Output::StartTls) | Ok(Output::Close) => {}
            Ok(Output::Idle { .. }) | Err(_) => break,
        }
    }
    String::from_utf8(wire)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// STLS with `client_tls` on the client's side, then Login against a SCRAM-SHA-256(-PLUS)
/// server whose side of TLS has the exporter `server_exporter`. Returns the mechanism named in
/// `AUTH` and the events.
fn session(client_tls: TlsInfo, server_exporter: u8) -> (String, Vec<Event>) {
    let mut pop = Pop3Client::new(Pop3Config::new(TlsPolicy::Required));
    let mut events = Vec::new();
    assert_eq!(step(&mut pop, b"+OK ready\r\n", &mut events), ["CAPA"]);
    assert_eq!(
        step(&mut pop, b"+OK\r\nSTLS\r\n.\r\n", &mut events),
        ["STLS"]
    );
    assert!(step(&mut pop, b"+OK go\r\n", &mut events).is_empty());
    pop.handle_tls_established(Instant::now(), client_tls);
    assert_eq!(step(&mut pop, b"", &mut events), ["CAPA"]);
    let caps = b"+OK\r\nSASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS PLAIN\r\n.\r\n";
    step(&mut pop, caps, &mut events);
    pop.enqueue(Command::Login(Auth::new(Credentials::password(
        USER, PASSWORD,
    ))))
    .unwrap();
    let auth = step(&mut pop, b"", &mut events);
    let mut words = auth[0].split(' ');
    assert_eq!(words.next(), Some("AUTH"));
    let mechanism = words.next().unwrap().to_owned();
    let client_first = BASE64.decode(words.next().unwrap()).unwrap();

    let mut server = ScramServer::new(Hash::Sha256, USER, PASSWORD, "srvnonce").with_binding(
        "tls-exporter",
        &[server_exporter; 32],
        true,
    );
    let server_first = server.server_first(&client_first).unwrap();
    let reply = format!("+ {}\r\n", BASE64.encode(server_first));
    let client_final = step(&mut pop, reply.as_bytes(), &mut events);
    let client_final = BASE64.decode(&client_final[0]).unwrap();
    match server.server_final(&client_final) {
        Ok(server_final) => {
            let reply = format!("+ {}\r\n", BASE64.encode(server_final));
            // The server's signature verified, the client answers with an empty line.
            assert_eq!(step(&mut pop, reply.as_bytes(), &mut events), [""]);
            step(&mut pop, b"+OK Logged in.\r\n", &mut events);
        }
        Err(why) => {
            assert_eq!(why, "e=channel-bindings-dont-match");
            step(
                &mut pop,
                b"-ERR [AUTH] Authentication failed.\r\n",
                &mut events,
            );
        }
    }
    (mechanism, events)
}

#[test]
fn scram_plus_binds_the_stls_channel() {
    let (mechanism, events) = session(tls(7), 7);
    assert_eq!(mechanism, "SCRAM-SHA-256-PLUS");
    assert!(
        matches!(
            events.last(),
            Some(Event::Authenticated {
                mechanism: "SCRAM-SHA-256-PLUS",
                ..
            })
        ),
        "{events:?}"
    );
}

#[test]
fn scram_plus_with_a_man_in_the_middle_is_refused() {
    let (mechanism, events) = session(tls(7), 8);
    assert_eq!(mechanism, "SCRAM-SHA-256-PLUS");
    assert!(
        matches!(
            events.last(),
            Some(Event::AuthenticationFailed {
                mechanism: "SCRAM-SHA-256-PLUS",
                ..
            })
        ),
        "{events:?}"
    );
}

/// The `digest-uri` of a DIGEST-MD5 login over POP3 without TLS, with `host` as the
/// configured server host, against a server naming no realm (as Dovecot without
/// `auth_realms`).
fn digest_uri(host: Option<&str>) -> String {
    let mut config = Pop3Config::new(TlsPolicy::None);
    config.server_host = host.map(str::to_owned);
    let mut pop = Pop3Client::new(config);
    let mut events = Vec::new();
    assert_eq!(step(&mut pop, b"+OK ready\r\n", &mut events), ["CAPA"]);
    step(&mut pop, b"+OK\r\nSASL DIGEST-MD5\r\n.\r\n", &mut events);
    pop.enqueue(Command::Authenticate(
        Auth::new(Credentials::password(USER, PASSWORD)).with_mechanism("DIGEST-MD5"),
    ))
    .unwrap();
    assert_eq!(step(&mut pop, b"", &mut events), ["AUTH DIGEST-MD5"]);
    let challenge =
        BASE64.encode("nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess");
    let response = step(
        &mut pop,
        format!("+ {challenge}\r\n").as_bytes(),
        &mut events,
    );
    let response = String::from_utf8(BASE64.decode(&response[0]).unwrap()).unwrap();
    let uri = response
        .split(",digest-uri=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no digest-uri in {response}"));
    uri.to_owned()
}

#[test]
fn digest_md5_names_the_configured_server_host() {
    assert_eq!(digest_uri(Some("mail.example.net")), "pop/mail.example.net");
    // A bare machine without a host has nothing better than the mechanism's fallback.
    assert_eq!(digest_uri(None), "pop/localhost");
}
