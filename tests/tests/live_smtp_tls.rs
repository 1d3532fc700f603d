//! Certificate validation (security case 24) on both TLS paths — STARTTLS and implicit TLS —
//! on every runtime, with the hostile certificates `tests/servers/start.sh` makes:
//!
//! | certificate | expected |
//! |---|---|
//! | `wrong-host` (CA-signed, `other.example.org` only) | `CertificateProblem::NotValidForName` |
//! | `self-signed` (`localhost`) | `CertificateProblem::UnknownIssuer` |
//! | `expired` (CA-signed `localhost`, 2020–2021) | `CertificateProblem::Expired` |
//! | `server` (valid), client trusting only Mozilla's roots: an unknown root | `CertificateProblem::UnknownIssuer` |
//! | `server` (valid), client trusting the run's CA: the control | connects, `is_secure()` |
//!
//! No port of the real servers serves those certificates, so each test runs its own small
//! TLS listener in-process (a std thread with a rustls `ServerConnection`). For STARTTLS it
//! speaks plain SMTP first (greeting, EHLO offering `STARTTLS` *and* `AUTH PLAIN LOGIN`, `220`
//! to `STARTTLS`) and then does the handshake. It records every byte it receives; the tests
//! assert that nothing but `EHLO` and `STARTTLS` ever arrived in plaintext — no `AUTH`, no
//! `MAIL`, no password — and that the client aborted the handshake.
//!
//! Needs only `MAILKIT_CA_FILE` and `MAILKIT_CERTS_DIR` (skips without them, fails with
//! `MAILKIT_REQUIRE_SERVERS`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mail_kit::runtime::Runtime;
use mail_kit::smtp::AsyncSmtpClient;
use mail_kit::{CertificateProblem, Error, TlsError, TlsSettings, blocking};
use mail_kit_tests::every_runtime;
use mail_kit_tests::live::{self, Certs, TlsPath};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

every_runtime! {
    servers = live::certs;
    starttls_wrong_host(TlsPath::StartTls, Case::WrongHost) => check_blocking, check_async;
    starttls_self_signed(TlsPath::StartTls, Case::SelfSigned) => check_blocking, check_async;
    starttls_expired(TlsPath::StartTls, Case::Expired) => check_blocking, check_async;
    starttls_unknown_root(TlsPath::StartTls, Case::UnknownRoot) => check_blocking, check_async;
    starttls_valid_control(TlsPath::StartTls, Case::Valid) => check_blocking, check_async;
    implicit_wrong_host(TlsPath::Implicit, Case::WrongHost) => check_blocking, check_async;
    implicit_self_signed(TlsPath::Implicit, Case::SelfSigned) => check_blocking, check_async;
    implicit_expired(TlsPath::Implicit, Case::Expired) => check_blocking, check_async;
    implicit_unknown_root(TlsPath::Implicit, Case::UnknownRoot) => check_blocking, check_async;
    implicit_valid_control(TlsPath::Implicit, Case::Valid) => check_blocking, check_async;
}

/// What the listener presents, and what the client trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    WrongHost,
    SelfSigned,
    Expired,
    /// The valid `server` certificate, but the client trusts only Mozilla's roots.
    UnknownRoot,
    /// The valid `server` certificate and the run's CA: the handshake must succeed (proves
    /// the listener works, so the failures above are the client's doing).
    Valid,
}

impl Case {
    fn cert(self) -> &'static str {
        match self {
            Case::WrongHost => "wrong-host",
            Case::SelfSigned => "self-signed",
            Case::Expired => "expired",
            Case::UnknownRoot | Case::Valid => "server",
        }
    }

    fn expected(self) -> Option<CertificateProblem> {
        match self {
            Case::WrongHost => Some(CertificateProblem::NotValidForName),
            Case::SelfSigned | Case::UnknownRoot => Some(CertificateProblem::UnknownIssuer),
            Case::Expired => Some(CertificateProblem::Expired),
            Case::Valid => None,
        }
    }

    fn trust(self, certs: &Certs) -> TlsSettings {
        match self {
            Case::UnknownRoot => TlsSettings::new(), // Mozilla's roots only
            _ => certs.trust_ca(),
        }
    }
}

/// A password the client would send if it (wrongly) went on after the handshake.
const PASSWORD: &str = "Secret-Should-Never-Leave";

fn check_blocking(certs: &Certs, runtime: &str, path: TlsPath, case: Case) {
    let listener = Listener::start(path, certs, case.cert());
    let options = path.options(listener.port, case.trust(certs));
    let result = blocking::SmtpClient::connect(&options).and_then(|mut client| {
        assert!(client.is_secure());
        client.authenticate(mail_kit::Credentials::password("alice", PASSWORD))?;
        client.quit().map(|_| ())
    });
    verify(runtime, path, case, result, listener.finish());
}

async fn check_async<R: Runtime>(certs: &Certs, runtime: &str, path: TlsPath, case: Case) {
    let listener = Listener::start(path, certs, case.cert());
    let options = path.options(listener.port, case.trust(certs));
    let result = match AsyncSmtpClient::<R>::connect(&options).await {
        Ok(mut client) => {
            assert!(client.is_secure());
            match client
                .authenticate(mail_kit::Credentials::password("alice", PASSWORD))
                .await
            {
                Ok(_) => client.quit().await.map(|_| ()),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    verify(runtime, path, case, result, listener.finish());
}

fn verify(runtime: &str, path: TlsPath, case: Case, result: Result<(), Error>, seen: Seen) {
    let what = format!("{runtime} {} {case:?}", path.name());
    let expected_plain: &[u8] = match path {
        TlsPath::StartTls => b"EHLO [127.0.0.1]\r\nSTARTTLS\r\n",
        TlsPath::Implicit => b"",
    };
    assert_eq!(
        String::from_utf8_lossy(&seen.plaintext),
        String::from_utf8_lossy(expected_plain),
        "{what}: the only plaintext the client may send"
    );
    match case.expected() {
        Some(problem) => {
            match &result {
                Err(Error::Tls(TlsError::Certificate { problem: got, .. })) => {
                    assert_eq!(*got, problem, "{what}: {result:?}");
                }
                other => panic!("{what}: expected a {problem:?} certificate error, got {other:?}"),
            }
            let err = result.unwrap_err();
            assert!(
                !err.to_string().is_empty() && !format!("{err:?}").contains(PASSWORD),
                "{what}"
            );
            assert!(
                seen.handshake.is_err(),
                "{what}: the server side of the handshake should have failed"
            );
            assert!(
                seen.decrypted.is_empty(),
                "{what}: no application data may follow a rejected certificate: {:?}",
                String::from_utf8_lossy(&seen.decrypted)
            );
            for bytes in [&seen.plaintext, &seen.after_failure] {
                for needle in [&b"AUTH"[..], b"MAIL FROM", b"RCPT TO", PASSWORD.as_bytes()] {
                    assert!(
                        !contains(bytes, needle),
                        "{what}: {:?} reached the listener",
                        String::from_utf8_lossy(needle)
                    );
                }
            }
        }
        None => {
            result.unwrap_or_else(|e| panic!("{what}: the valid certificate was refused: {e}"));
            seen.handshake
                .unwrap_or_else(|e| panic!("{what}: listener handshake: {e}"));
            let decrypted = String::from_utf8_lossy(&seen.decrypted);
            assert!(decrypted.starts_with("EHLO "), "{what}: {decrypted}");
            assert!(decrypted.contains("\r\nAUTH "), "{what}: {decrypted}");
            assert!(decrypted.ends_with("QUIT\r\n"), "{what}: {decrypted}");
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------
// The listener

/// What the listener received.
#[derive(Debug)]
struct Seen {
    /// Bytes received in plaintext before the handshake (STARTTLS path).
    plaintext: Vec<u8>,
    /// The server side of the handshake.
    handshake: Result<(), String>,
    /// Raw bytes received after a failed handshake (alerts; never SMTP).
    after_failure: Vec<u8>,
    /// Decrypted bytes received after a successful handshake.
    decrypted: Vec<u8>,
}

/// One connection served by a std thread on 127.0.0.1.
struct Listener {
    port: u16,
    thread: JoinHandle<Seen>,
}

const EHLO_BEFORE_TLS: &[u8] =
    b"250-localhost\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n";
const EHLO_AFTER_TLS: &[u8] = b"250-localhost\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n";

impl Listener {
    fn start(path: TlsPath, certs: &Certs, cert: &str) -> Listener {
        let (pem, key) = certs.pair(cert);
        let config = server_config(&pem, &key);
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = tcp.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            let mut seen = Seen {
                plaintext: Vec::new(),
                handshake: Err("no connection".into()),
                after_failure: Vec::new(),
                decrypted: Vec::new(),
            };
            if let Some(stream) = accept(&tcp, Duration::from_secs(15)) {
                serve(stream, path, config, &mut seen);
            }
            seen
        });
        Listener { port, thread }
    }

    fn finish(self) -> Seen {
        self.thread.join().expect("the listener thread panicked")
    }
}

fn server_config(pem: &Path, key: &Path) -> Arc<ServerConfig> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pem)
        .unwrap_or_else(|e| panic!("{}: {e}", pem.display()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", pem.display()));
    let key =
        PrivateKeyDer::from_pem_file(key).unwrap_or_else(|e| panic!("{}: {e}", key.display()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a usable certificate and key");
    Arc::new(config)
}

/// Accepts one connection within `timeout` (the client may fail before connecting).
fn accept(listener: &TcpListener, timeout: Duration) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let start = Instant::now();
    while start.elapsed() < timeout {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(15)))
                    .unwrap();
                return Some(stream);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
    None
}

fn serve(mut tcp: TcpStream, path: TlsPath, config: Arc<ServerConfig>, seen: &mut Seen) {
    if path == TlsPath::StartTls && !plain_until_starttls(&mut tcp, seen) {
        seen.handshake = Err("the client never sent STARTTLS".into());
        return;
    }
    let mut conn = ServerConnection::new(config).unwrap();
    let mut result = Ok(());
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            result = Err(e.to_string());
            break;
        }
    }
    seen.handshake = result;
    if seen.handshake.is_err() {
        // Keep what the client still sends (a TLS alert; never SMTP) until it closes.
        let _ = tcp.read_to_end(&mut seen.after_failure);
        return;
    }
    let mut tls = StreamOwned::new(conn, tcp);
    if path == TlsPath::Implicit {
        send(&mut tls, b"220 localhost ESMTP hostile-tls listener\r\n");
    }
    // Answer until QUIT: EHLO, AUTH (any payload accepted), everything else 250.
    while let Some(line) = read_line(&mut tls, &mut seen.decrypted) {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with(b"EHLO") {
            EHLO_AFTER_TLS
        } else if upper.starts_with(b"AUTH") {
            b"235 2.7.0 Authentication successful\r\n"
        } else if upper.starts_with(b"QUIT") {
            send(&mut tls, b"221 2.0.0 Bye\r\n");
            break;
        } else {
            b"250 2.0.0 Ok\r\n"
        };
        send(&mut tls, reply);
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(Shutdown::Write);
}

/// The plaintext part of a STARTTLS session; `true` once `220` answered `STARTTLS`.
fn plain_until_starttls(tcp: &mut TcpStream, seen: &mut Seen) -> bool {
    send(tcp, b"220 localhost ESMTP hostile-tls listener\r\n");
    while let Some(line) = read_line(tcp, &mut seen.plaintext) {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with(b"EHLO") {
            send(tcp, EHLO_BEFORE_TLS);
        } else if upper.starts_with(b"STARTTLS") {
            send(tcp, b"220 2.0.0 Ready to start TLS\r\n");
            return true;
        } else if upper.starts_with(b"QUIT") {
            send(tcp, b"221 2.0.0 Bye\r\n");
            return false;
        } else {
            // Whatever it is (AUTH in plaintext would be a bug), it is recorded.
            send(tcp, b"250 2.0.0 Ok\r\n");
        }
    }
    false
}

/// Reads one line byte by byte (so nothing after it is consumed), appending it to `log`.
fn read_line(io: &mut impl Read, log: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match io.read(&mut byte) {
            Ok(1) => {
                line.push(byte[0]);
                log.push(byte[0]);
                if line.ends_with(b"\n") {
                    return Some(line);
                }
            }
            _ => return None,
        }
    }
}

fn send(io: &mut impl Write, bytes: &[u8]) {
    let _ = io.write_all(bytes).and_then(|()| io.flush());
}
