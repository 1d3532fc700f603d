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
//! README quotes. Its last columns give the client's own CPU time (user + system, from
//! `/proc`; `getrusage` in Python): on a small machine the wall-clock rate of every fast
//! client is bound by Dovecot's side (reading, CRLF conversion, stuffing, TLS), which the raw
//! read shows. Without the servers' environment it says so and exits.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_kit::core::pop3::Auth;
use mail_kit::{Credentials, Pop3Options, Roots, TlsSettings, blocking};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// Timed runs per Rust contender, round robin with the others; the best counts.
const RUNS: usize = 5;
/// Timed runs of `poplib` (slow); the best counts.
const POPLIB_RUNS: usize = 2;

/// What one retrieval of the mailbox gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fetched {
    messages: u32,
    bytes: u64,
}

/// What one timed run gave: the retrieval, wall-clock time and the client's CPU time.
#[derive(Debug, Clone, Copy)]
struct Timed {
    fetched: Fetched,
    wall: Duration,
    cpu: Duration,
}

/// The CPU time (user + system) this process used so far, from `/proc/self/stat`.
fn own_cpu_time(ticks_per_second: u64) -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The fields after the command name (which is in parentheses and may hold spaces).
    let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / ticks_per_second as f64)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when that is unavailable).
fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100)
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

/// Python's poplib over TLS: `retr` for every message, as its documentation shows. Returns
/// the Python process's CPU time too.
fn poplib(setup: &Setup) -> (Fetched, Duration) {
    const SCRIPT: &str = r#"
import poplib, resource, ssl, sys
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
usage = resource.getrusage(resource.RUSAGE_SELF)
print(count, total, usage.ru_utime + usage.ru_stime)
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
    let fields: Vec<&str> = text.split_whitespace().collect();
    let fetched = Fetched {
        messages: fields[0].parse().unwrap(),
        bytes: fields[1].parse().unwrap(),
    };
    (fetched, Duration::from_secs_f64(fields[2].parse().unwrap()))
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

/// A contender: how to fetch the mailbox once, returning what it fetched and, when it ran in
/// another process, that process's CPU time.
type Fetch<'a> = Box<dyn Fn() -> (Fetched, Option<Duration>) + 'a>;

/// Runs `fetch` once, timed: wall clock, and the client's CPU time (the child's, or this
/// process's during the run).
fn time_once(ticks: u64, fetch: &Fetch<'_>) -> Timed {
    let (cpu_before, start) = (own_cpu_time(ticks), Instant::now());
    let (fetched, child_cpu) = fetch();
    let wall = start.elapsed();
    let cpu = child_cpu.unwrap_or_else(|| own_cpu_time(ticks).saturating_sub(cpu_before));
    Timed { fetched, wall, cpu }
}

fn main() {
    let Some(setup) = setup() else { return };
    let ticks = ticks_per_second();
    let in_process = |fetch: fn(&Setup) -> Fetched| -> Fetch<'_> {
        let setup = &setup;
        Box::new(move || (fetch(setup), None))
    };
    // A warm-up pass: Dovecot indexes the mailbox once, and the page cache fills.
    let expected = time_once(ticks, &in_process(mail_kit_blocking)).fetched;
    assert!(expected.messages > 0, "the mailbox is empty");
    let poplib_fetch: Fetch<'_> = Box::new(|| {
        let (fetched, cpu) = poplib(&setup);
        (fetched, Some(cpu))
    });
    let mut contenders: Vec<(&str, usize, Fetch<'_>, Option<Timed>)> = vec![
        (
            "plain TLS read (rustls, same pipelined RETRs)",
            RUNS,
            in_process(raw_read),
            None,
        ),
        (
            "mail-kit tokio, `retrieve_many` (pipelined)",
            RUNS,
            in_process(mail_kit_tokio),
            None,
        ),
        (
            "mail-kit blocking, `retrieve_many` (pipelined)",
            RUNS,
            in_process(mail_kit_blocking),
            None,
        ),
        (
            "Python 3 poplib (`POP3_SSL`, `retr` each)",
            POPLIB_RUNS,
            poplib_fetch,
            None,
        ),
    ];
    // Round robin, so a burst of load on the machine hits every contender alike; the best
    // run of each counts.
    for round in 0..RUNS.max(POPLIB_RUNS) {
        for (name, runs, fetch, best) in &mut contenders {
            if round >= *runs {
                continue;
            }
            let timed = time_once(ticks, fetch);
            eprintln!("{name}: {:.2?} (client CPU {:.2?})", timed.wall, timed.cpu);
            if let Some(previous) = best {
                assert_eq!(
                    previous.fetched, timed.fetched,
                    "{name}: the mailbox changed"
                );
            }
            if best.is_none_or(|b| timed.wall < b.wall) {
                *best = Some(timed);
            }
        }
    }
    let contenders: Vec<(&str, Timed)> = contenders
        .into_iter()
        .map(|(name, _, _, best)| (name, best.expect("at least one run")))
        .collect();
    // Every contender saw the same messages; the raw reader counts the wire's bytes (status
    // lines, stuffing, terminators), the others the messages'.
    for (name, timed) in &contenders {
        assert_eq!(timed.fetched.messages, expected.messages, "{name}");
        if !name.starts_with("plain") {
            assert_eq!(timed.fetched.bytes, expected.bytes, "{name}");
        }
    }
    let mb = expected.bytes as f64 / 1e6;
    let of = |prefix: &str| {
        contenders
            .iter()
            .find(|(name, _)| name.starts_with(prefix))
            .map(|(_, timed)| *timed)
            .unwrap()
    };
    let (raw, poplib) = (of("plain"), of("Python"));
    println!(
        "\n{} messages, {mb:.1} MB of message data, over TLS from the local Dovecot\n",
        expected.messages
    );
    println!(
        "| contender | time | MB/s | × poplib throughput | time ÷ raw read time \
         | client CPU | poplib CPU ÷ this CPU |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, timed) in &contenders {
        let (wall, cpu) = (timed.wall.as_secs_f64(), timed.cpu.as_secs_f64());
        println!(
            "| {name} | {wall:.2} s | {:.0} | {:.1}× | {:.2} | {cpu:.2} s | {:.1}× |",
            mb / wall,
            poplib.wall.as_secs_f64() / wall,
            wall / raw.wall.as_secs_f64(),
            poplib.cpu.as_secs_f64() / cpu.max(1e-3),
        );
    }
}
