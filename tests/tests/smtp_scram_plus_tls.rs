//! SCRAM-PLUS end to end over real TLS: a loopback SMTP server with rustls on its side runs
//! the server half of SCRAM (`mail_kit_tests::scram_server`) with the channel binding it
//! computes from *its* end of the connection: `tls-exporter` (RFC 9266) from its own keying
//! material on TLS 1.3, `tls-server-end-point` (RFC 5929, SHA-256 of its certificate, signed
//! with ecdsa-with-SHA256) on TLS 1.2. The client (blocking and tokio) must pick
//! SCRAM-SHA-256-PLUS and its `c=` must match, which proves the runtime's TLS connectors hand
//! the right binding data to the machine. Dovecot 2.3 has no -PLUS mechanism, so no live test
//! can show this.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_kit::smtp::AsyncSmtpClient;
use mail_kit::{Credentials, Roots, SmtpOptions, TlsMode, TlsSettings, blocking};
use mail_kit_tests::scram_server::{Hash, ScramServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion};
use sha2::{Digest, Sha256};

const USER: &str = "alice";
const PASSWORD: &str = "alice-secret";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../runtimes/tests/fixtures")
        .join(name)
}

fn server_config(version: &'static SupportedProtocolVersion) -> (Arc<ServerConfig>, Vec<u8>) {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let end_point = Sha256::digest(certs[0].as_ref()).to_vec();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    (Arc::new(config), end_point)
}

/// The server thread's verdict: the mechanism the client named, and whether the peer
/// accepted the exchange (or why not).
type Verdict = JoinHandle<(String, Result<(), String>)>;

/// One implicit-TLS SMTP session offering SCRAM-SHA-256 and -PLUS; returns the mechanism the
/// client named and whether the peer accepted it.
fn serve(version: &'static SupportedProtocolVersion) -> (u16, Verdict) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (config, end_point) = server_config(version);
        let (tcp, _) = listener.accept().unwrap();
        let conn = ServerConnection::new(config).unwrap();
        let mut io = BufReader::new(StreamOwned::new(conn, tcp));
        let line = |io: &mut BufReader<StreamOwned<ServerConnection, _>>| {
            let mut l = String::new();
            io.read_line(&mut l).unwrap();
            l.trim_end().to_owned()
        };
        let send = |io: &mut BufReader<StreamOwned<ServerConnection, _>>, text: &str| {
            io.get_mut().write_all(text.as_bytes()).unwrap();
            io.get_mut().flush().unwrap();
        };
        send(&mut io, "220 mx.example.org ESMTP\r\n");
        assert!(line(&mut io).starts_with("EHLO "));
        // The handshake is over: the binding as this side sees it.
        let conn = &io.get_ref().conn;
        let binding = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => {
                let mut exporter = [0u8; 32];
                conn.export_keying_material(&mut exporter, b"EXPORTER-Channel-Binding", None)
                    .unwrap();
                ("tls-exporter", exporter.to_vec())
            }
            _ => ("tls-server-end-point", end_point),
        };
        let mut scram = ScramServer::new(Hash::Sha256, USER, PASSWORD, "srvNonce")
            .with_binding(binding.0, &binding.1, true);
        send(
            &mut io,
            "250-mx.example.org\r\n250 AUTH PLAIN SCRAM-SHA-256 SCRAM-SHA-256-PLUS\r\n",
        );
        let auth = line(&mut io);
        let mut words = auth.split(' ');
        assert_eq!(words.next(), Some("AUTH"));
        let mechanism = words.next().unwrap_or_default().to_owned();
        let first = BASE64.decode(words.next().unwrap_or_default()).unwrap();
        let result = (|| {
            let server_first = scram.server_first(&first)?;
            send(&mut io, &format!("334 {}\r\n", BASE64.encode(server_first)));
            let last = BASE64.decode(line(&mut io)).map_err(|e| e.to_string())?;
            let server_final = scram.server_final(&last)?;
            send(&mut io, &format!("334 {}\r\n", BASE64.encode(server_final)));
            assert_eq!(line(&mut io), "");
            Ok(())
        })();
        match &result {
            Ok(()) => send(&mut io, "235 2.7.0 Authentication successful\r\n"),
            Err(_) => send(&mut io, "535 5.7.8 Authentication failed\r\n"),
        }
        if line(&mut io) == "QUIT" {
            send(&mut io, "221 2.0.0 Bye\r\n");
        }
        (mechanism, result)
    });
    (port, handle)
}

fn options(port: u16) -> SmtpOptions {
    SmtpOptions::new("localhost", port)
        .unwrap()
        .tls_mode(TlsMode::Implicit)
        .tls_settings(
            TlsSettings::new()
                .roots(Roots::None)
                .add_ca_file(fixture("ca.pem")),
        )
}

fn check(
    version: &'static SupportedProtocolVersion,
    used: &str,
    server: JoinHandle<(String, Result<(), String>)>,
) {
    let (mechanism, result) = server.join().unwrap();
    assert_eq!(result, Ok(()), "{version:?}: the peer refused the binding");
    assert_eq!(mechanism, "SCRAM-SHA-256-PLUS", "{version:?}");
    assert_eq!(used, "SCRAM-SHA-256-PLUS", "{version:?}");
}

#[test]
fn blocking_binds_to_tls13_exporter_and_tls12_end_point() {
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let (port, server) = serve(version);
        let mut client = blocking::SmtpClient::connect(&options(port)).unwrap();
        let used = client
            .authenticate(Credentials::password(USER, PASSWORD))
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        client.quit().unwrap();
        check(version, used, server);
    }
}

#[test]
fn tokio_binds_to_tls13_exporter_and_tls12_end_point() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let (port, server) = serve(version);
        let used = rt.block_on(async {
            let mut client = AsyncSmtpClient::<mail_kit::tokio::Tokio>::connect(&options(port))
                .await
                .unwrap();
            let used = client
                .authenticate(Credentials::password(USER, PASSWORD))
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            client.quit().await.unwrap();
            used
        });
        check(version, used, server);
    }
}
