//! A scripted SMTP server on loopback for the runtime tests: a std thread that plays one
//! script per connection, with rustls on the server side for STARTTLS and implicit TLS.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use mail_kit::smtp::{Address, Auth, Envelope};
use mail_kit::{Credentials, Roots, TlsSettings};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

pub mod client;

/// A test fixture file (certificates).
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Trusts only the fixtures' CA (`ca.pem`).
pub fn test_ca() -> TlsSettings {
    TlsSettings::new()
        .roots(Roots::None)
        .add_ca_file(fixture("ca.pem"))
}

/// alice / secret, with plaintext mechanisms allowed without TLS.
pub fn alice() -> Auth {
    let mut auth = Auth::new(Credentials::password("alice", "secret"));
    auth.allow_plaintext = true;
    auth
}

/// From alice to bob (accepted by the scripts) and nobody (refused).
pub fn envelope() -> Envelope {
    Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [
            Address::new("bob@example.org").unwrap(),
            Address::new("nobody@example.org").unwrap(),
        ],
    )
}

/// A rustls server configuration presenting `cert` (a fixture) with the fixture key.
pub fn server_tls(cert: &str) -> Arc<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture(cert))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

trait Io: Read + Write + Send {}
impl<T: Read + Write + Send> Io for T {}

/// The server's end of one connection.
pub struct Peer {
    tcp: TcpStream,
    io: Box<dyn Io>,
}

impl Peer {
    /// Writes `text` (which carries its own CRLFs).
    pub fn send(&mut self, text: &str) {
        self.io.write_all(text.as_bytes()).unwrap();
        self.io.flush().unwrap();
    }

    /// Reads one line, without its CRLF.
    pub fn line(&mut self) -> String {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match self.io.read(&mut byte) {
                Ok(0) => panic!(
                    "client closed; line so far {:?}",
                    String::from_utf8_lossy(&line)
                ),
                Ok(_) => line.push(byte[0]),
                Err(err) => panic!("server read failed: {err}"),
            }
            if line.ends_with(b"\r\n") {
                line.truncate(line.len() - 2);
                return String::from_utf8(line).unwrap();
            }
        }
    }

    /// Reads one line and checks it.
    pub fn expect(&mut self, expected: &str) {
        assert_eq!(self.line(), expected);
    }

    /// Reads DATA content up to the final dot; returns it with CRLFs.
    pub fn data(&mut self) -> String {
        let mut content = String::new();
        loop {
            let line = self.line();
            if line == "." {
                return content;
            }
            content.push_str(&line);
            content.push_str("\r\n");
        }
    }

    /// Waits until the client closes the connection (ignoring what it still sends).
    pub fn expect_eof(&mut self) {
        let mut buf = [0u8; 256];
        loop {
            match self.io.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    /// Performs the server side of a TLS handshake; `Err` when the client gave up.
    pub fn start_tls(&mut self, config: Arc<ServerConfig>) -> io::Result<()> {
        let mut conn = ServerConnection::new(config).unwrap();
        let mut tcp = self.tcp.try_clone()?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        self.io = Box::new(StreamOwned::new(conn, tcp));
        Ok(())
    }

    /// Closes the connection now.
    pub fn close(self) {
        let _ = self.tcp.shutdown(std::net::Shutdown::Both);
    }
}

/// A server on 127.0.0.1 playing `script` for one connection. Join the handle at the end of
/// the test so the script's assertions count.
pub fn serve(script: impl FnOnce(&mut Peer) + Send + 'static) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let io = Box::new(tcp.try_clone().unwrap());
        let mut peer = Peer { tcp, io };
        script(&mut peer);
    });
    (port, handle)
}

/// `AUTH PLAIN` of alice / secret.
pub const AUTH_PLAIN_ALICE: &str = "AUTH PLAIN AGFsaWNlAHNlY3JldA==";

/// The message the session scripts send.
pub const MESSAGE: &str = "Subject: Hi\r\n\r\nHello Bob\r\n.leading dot\r\n";

/// Greeting and EHLO of a plaintext session offering PIPELINING and AUTH.
pub fn plain_greeting(peer: &mut Peer) {
    peer.send("220 mx.example.org ESMTP\r\n");
    peer.expect("EHLO [127.0.0.1]");
    peer.send("250-mx.example.org\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
}

/// Greeting, STARTTLS with `config`, and EHLO again; panics when the handshake fails.
pub fn starttls_greeting(peer: &mut Peer, config: Arc<ServerConfig>) {
    peer.send("220 mx.example.org ESMTP\r\n");
    peer.expect("EHLO [127.0.0.1]");
    peer.send("250-mx.example.org\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    peer.expect("STARTTLS");
    peer.send("220 go ahead\r\n");
    peer.start_tls(config)
        .expect("server side of the handshake");
    peer.expect("EHLO [127.0.0.1]");
    peer.send("250-mx.example.org\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
}

/// Greeting and STARTTLS, where the client is expected to reject the certificate.
pub fn starttls_rejected(peer: &mut Peer, config: Arc<ServerConfig>) {
    peer.send("220 mx.example.org ESMTP\r\n");
    peer.expect("EHLO [127.0.0.1]");
    peer.send("250-mx.example.org\r\n250 STARTTLS\r\n");
    peer.expect("STARTTLS");
    peer.send("220 go ahead\r\n");
    assert!(
        peer.start_tls(config).is_err(),
        "the client should reject the certificate"
    );
}

/// AUTH, one pipelined transaction, QUIT.
pub fn auth_send_quit(peer: &mut Peer) {
    peer.expect(AUTH_PLAIN_ALICE);
    peer.send("235 2.7.0 ok\r\n");
    peer.expect("MAIL FROM:<alice@example.org>");
    peer.expect("RCPT TO:<bob@example.org>");
    peer.expect("RCPT TO:<nobody@example.org>");
    peer.expect("DATA");
    peer.send("250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n");
    assert_eq!(
        peer.data(),
        "Subject: Hi\r\n\r\nHello Bob\r\n..leading dot\r\n"
    );
    peer.send("250 2.0.0 queued as 1234\r\n");
    peer.expect("QUIT");
    peer.send("221 bye\r\n");
    peer.expect_eof();
}
