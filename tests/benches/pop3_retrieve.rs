//! Retrieving a whole mailbox over POP3 with TLS from the real Dovecot, side by side in one
//! run: mail-kit (tokio and blocking, pipelined `retrieve_many`), Python's `poplib`, and a
//! plain read of the same bytes (a rustls client writing the same pipelined `RETR` commands
//! and only counting bytes up to each `CRLF.CRLF`).
//!
//! Run it with `tests/benches/pop3_retrieve.sh`, which starts a Dovecot of its own, fills a
//! mailbox with 1,000 deterministic messages of 10 KB to 1 MB, runs this bench and stops the
//! servers. By hand, with servers already running and a filled mailbox:
//!
//! ```text
//! MAILKIT_BENCH_USER=carol cargo bench -p mail-kit-tests --bench pop3_retrieve
//! ```
//!
//! Each contender connects, logs in with `USER`/`PASS` over `pop3s://`, retrieves every
//! message and quits, timed with a wall clock from connect to `QUIT`; the best of a few runs
//! counts. Every contender must see the same number of messages and bytes (asserted). The
//! mail-kit sinks discard the bytes, as the raw reader does; `poplib` builds its list of lines
//! per message, as it always does. A table of MB/s and ratios is printed: that is what the
//! README quotes. Without the servers' environment it says so and exits.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_kit::core::pop3::Auth;
use mail_kit::{Credentials, Pop3Options, Roots, TlsSettings, blocking};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// Timed runs per Rust contender; the best counts.
const RUNS: usize = 3;
/// Timed runs of `poplib` (slow); the best counts.
const POPLIB_RUNS: usize = 2;

/// What one retrieval of the mailbox gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fetched {
    messages: u32,
    bytes: u64,
}

struct Setup {
    port: u16,
    ca_file: String,
    user: String,
    password: String,
}

fn setup() -> Option<Setup> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(port), Some(ca_file)) = (var("MAILKIT_POP3S_PORT"), var("MAILKIT_CA_FILE")) else {
        eprintln!(
            "real servers not running: skipping (run tests/benches/pop3_retrieve.sh instead)"
        );
        return None;
    };
    let user = var("MAILKIT_BENCH_USER").unwrap_or_else(|| "carol".to_owned());
    let password = format!("{user}-secret");
    Some(Setup {
        port: port.parse().expect("MAILKIT_POP3S_PORT"),
        ca_file,
        user,
        password,
    })
}

impl Setup {
    fn options(&self) -> Pop3Options {
        let tls = TlsSettings::new()
            .roots(Roots::None)
            .add_ca_file(&self.ca_file);
        Pop3Options::from_url(&format!("pop3s://localhost:{}", self.port))
            .unwrap()
            .tls_settings(tls)
    }

    fn auth(&self) -> Auth {
        Auth::new(Credentials::password(
            self.user.as_str(),
            self.password.as_str(),
        ))
        .with_mechanism("USER")
    }
}

/// A sink that counts and discards.
#[derive(Default)]
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn mail_kit_blocking(setup: &Setup) -> Fetched {
    let mut client = blocking::Pop3Client::connect(&setup.options()).expect("connect");
    client.authenticate_with(setup.auth()).expect("login");
    let (count, _) = client.stat().expect("STAT");
    let numbers: Vec<u32> = (1..=count).collect();
    let mut bytes = 0;
    for result in client
        .retrieve_many(&numbers, |_| Count::default())
        .expect("session")
    {
        bytes += result.expect("RETR");
    }
    client.quit().expect("QUIT");
    Fetched {
        messages: count,
        bytes,
    }
}

fn mail_kit_tokio(setup: &Setup) -> Fetched {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut client = mail_kit::tokio::Pop3Client::connect(&setup.options())
            .await
            .expect("connect");
        client.authenticate_with(setup.auth()).await.expect("login");
        let (count, _) = client.stat().await.expect("STAT");
        let numbers: Vec<u32> = (1..=count).collect();
        let mut bytes = 0;
        for result in client
            .retrieve_many(&numbers, |_| Count::default())
            .await
            .expect("session")
        {
            bytes += result.expect("RETR");
        }
        client.quit().await.expect("QUIT");
        Fetched {
            messages: count,
            bytes,
        }
    })
}

/// Python's poplib over TLS: `retr` for every message, as its documentation shows.
fn poplib(setup: &Setup) -> Fetched {
    const SCRIPT: &str = r#"
import poplib, ssl, sys
port, ca, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
pop = poplib.POP3_SSL("localhost", port, context=ctx)
pop.user(user)
pop.pass_(password)
count, _ = pop.stat()
total = 0
for n in range(1, count + 1):
    _, lines, _ = pop.retr(n)
    # The message as stored: each line with CRLF, dot-unstuffed by poplib.
    total += sum(len(line) + 2 for line in lines)
pop.quit()
print(count, total)
"#;
    let port = setup.port.to_string();
    let output = Command::new("python3")
        .args(["-c", SCRIPT, &port, &setup.ca_file, &setup.user])
        .arg(&setup.password)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "poplib failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap());
    Fetched {
        messages: fields.next().unwrap() as u32,
        bytes: fields.next().unwrap(),
    }
}

/// The floor: rustls over TCP, the same login and pipelined `RETR` commands, and a reader
/// that only finds each `CRLF.CRLF` (no unstuffing, no events, no sink).
fn raw_read(setup: &Setup) -> Fetched {
    let mut roots = RootCertStore::empty();
    let pem = std::fs::read(&setup.ca_file).unwrap();
    for cert in rustls_pemfile_certs(&pem) {
        roots.add(cert).unwrap();
    }
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(("localhost", setup.port)).unwrap();
    tcp.set_nodelay(true).unwrap();
    let mut tls = BufReader::with_capacity(64 * 1024, StreamOwned::new(conn, tcp));
    let mut line = String::new();
    let mut status = |tls: &mut BufReader<StreamOwned<ClientConnection, TcpStream>>| {
        line.clear();
        tls.read_line(&mut line).unwrap();
        assert!(line.starts_with("+OK"), "{line}");
        line.clone()
    };
    status(&mut tls);
    let login = format!("USER {}\r\nPASS {}\r\nSTAT\r\n", setup.user, setup.password);
    tls.get_mut().write_all(login.as_bytes()).unwrap();
    tls.get_mut().flush().unwrap();
    status(&mut tls);
    status(&mut tls);
    let stat = status(&mut tls);
    let count: u32 = stat.split_whitespace().nth(1).unwrap().parse().unwrap();
    let commands: String = (1..=count).map(|n| format!("RETR {n}\r\n")).collect();
    tls.get_mut().write_all(commands.as_bytes()).unwrap();
    tls.get_mut().flush().unwrap();
    let finder = memchr::memmem::Finder::new(b"\r\n.\r\n");
    let mut ends = 0;
    let mut wire = 0u64;
    // The last 4 bytes of the previous read, so a terminator split across reads is found.
    let mut carry = Vec::with_capacity(64 * 1024 + 4);
    let mut buf = vec![0u8; 64 * 1024];
    while ends < count {
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0, "EOF after {ends} messages");
        wire += n as u64;
        let keep = carry.len();
        carry.extend_from_slice(&buf[..n]);
        ends += finder.find_iter(&carry).filter(|&at| at + 5 > keep).count() as u32;
        let tail = carry.len().saturating_sub(4);
        carry.drain(..tail);
    }
    tls.get_mut().write_all(b"QUIT\r\n").unwrap();
    tls.get_mut().flush().unwrap();
    Fetched {
        messages: count,
        bytes: wire,
    }
}

/// The certificates of a PEM file.
fn rustls_pemfile_certs(pem: &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .map(|c| c.expect("a PEM certificate"))
        .collect()
}

/// Runs `contender` `runs` times; returns what it fetched and its best time.
fn best(name: &str, runs: usize, contender: impl Fn() -> Fetched) -> (Fetched, Duration) {
    let mut best = Duration::MAX;
    let mut fetched = None;
    for _ in 0..runs {
        let start = Instant::now();
        let got = contender();
        best = best.min(start.elapsed());
        if let Some(previous) = fetched {
            assert_eq!(previous, got, "{name}: the mailbox changed between runs");
        }
        fetched = Some(got);
    }
    eprintln!("{name}: best {best:.2?} of {runs}");
    (fetched.expect("at least one run"), best)
}

fn main() {
    let Some(setup) = setup() else { return };
    // A warm-up pass: Dovecot indexes the mailbox once, and the page cache fills.
    let (expected, _) = best("warm-up (mail-kit blocking)", 1, || {
        mail_kit_blocking(&setup)
    });
    assert!(expected.messages > 0, "the mailbox is empty");
    let contenders: Vec<(&str, Fetched, Duration)> = vec![
        {
            let (f, t) = best("raw TLS read", RUNS, || raw_read(&setup));
            ("plain TLS read (rustls, same pipelined RETRs)", f, t)
        },
        {
            let (f, t) = best("mail-kit tokio", RUNS, || mail_kit_tokio(&setup));
            ("mail-kit tokio, `retrieve_many` (pipelined)", f, t)
        },
        {
            let (f, t) = best("mail-kit blocking", RUNS, || mail_kit_blocking(&setup));
            ("mail-kit blocking, `retrieve_many` (pipelined)", f, t)
        },
        {
            let (f, t) = best("poplib", POPLIB_RUNS, || poplib(&setup));
            ("Python 3 poplib (`POP3_SSL`, `retr` each)", f, t)
        },
    ];
    // Every contender saw the same messages; the raw reader counts the wire's bytes (status
    // lines, stuffing, terminators), the others the messages'.
    for (name, fetched, _) in &contenders {
        assert_eq!(fetched.messages, expected.messages, "{name}");
        if !name.starts_with("plain") {
            assert_eq!(fetched.bytes, expected.bytes, "{name}");
        }
    }
    let mb = expected.bytes as f64 / 1e6;
    let time_of = |prefix: &str| {
        contenders
            .iter()
            .find(|(name, _, _)| name.starts_with(prefix))
            .map(|(_, _, t)| t.as_secs_f64())
            .unwrap()
    };
    let (raw, poplib) = (time_of("plain"), time_of("Python"));
    println!(
        "\n{} messages, {mb:.1} MB of message data, over TLS from the local Dovecot\n",
        expected.messages
    );
    println!("| contender | time | MB/s | × poplib throughput | time ÷ raw read time |");
    println!("|---|---:|---:|---:|---:|");
    for (name, _, time) in &contenders {
        let t = time.as_secs_f64();
        println!(
            "| {name} | {t:.2} s | {:.0} | {:.1}× | {:.2} |",
            mb / t,
            poplib / t,
            t / raw
        );
    }
}
