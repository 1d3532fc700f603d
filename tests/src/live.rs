//! Helpers for the tests against the real servers of `tests/servers/start.sh` (Postfix for
//! SMTP, Dovecot LMTP delivering into Maildirs): finding the servers through the environment,
//! making unique messages, waiting for their delivery and comparing the delivered files byte
//! for byte with what was sent, and [`every_runtime!`](crate::every_runtime) to run one
//! scenario on the blocking client and on the async client under tokio, smol and async-std.
//!
//! # Finding the servers
//!
//! [`servers`] reads the `MAILKIT_*` variables that `start.sh` prints; [`certs`] only the
//! certificate ones. When they are absent the tests print
//! `real servers not running (run tests/servers/start.sh): skipping` and pass, unless
//! `MAILKIT_REQUIRE_SERVERS` is set (to anything but `0` or the empty string): then absence is
//! a failure, so CI never passes by skipping.
//!
//! # What a delivered file looks like
//!
//! Postfix hands each message to Dovecot over LMTP; Dovecot writes it to
//! `$MAILKIT_MAILDIR_ROOT/<user>/Maildir/new/` with **LF** line ends (Dovecot's default,
//! `mail_save_crlf = no`) and three kinds of prepended headers, `Return-Path:`,
//! `Delivered-To:` (Dovecot) and `Received:` (Postfix, folded over several lines). Everything
//! after them is the message as sent, with CRLF turned into LF. [`compare_delivered`] checks
//! exactly that (it detects CRLF storage too and then compares without conversion).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mail_kit::core::WireObserver;
use mail_kit::smtp::Address;
use mail_kit::{Credentials, Roots, SmtpOptions, TlsMode, TlsSettings};

/// Set (to anything but `0` or empty) to make missing servers a failure instead of a skip.
pub const REQUIRE_VAR: &str = "MAILKIT_REQUIRE_SERVERS";

/// The host name the tests connect to: the servers' certificate is valid for `localhost`
/// and `127.0.0.1`, and they listen on 127.0.0.1 only.
pub const HOST: &str = "localhost";

/// A recipient outside the servers' local domains: Postfix relays to it only for an
/// authenticated client (else `554 5.7.1` at RCPT), and then discards the message.
pub const RELAY_RECIPIENT: &str = "someone@example.net";

/// The SASL mechanisms the test Dovecot offers, to Postfix for SMTP AUTH and over POP3
/// (`tests/servers/start.sh`); SCRAM and DIGEST-MD5 also prove that the server knew the
/// password (`v=`, `rspauth`), or the client fails.
pub const DOVECOT_SASL: [&str; 6] = [
    "PLAIN",
    "LOGIN",
    "CRAM-MD5",
    "DIGEST-MD5",
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
];

/// The real servers, as `tests/servers/start.sh` describes them.
#[derive(Debug, Clone)]
pub struct Servers {
    /// Submission port (STARTTLS, AUTH only after TLS).
    pub submission_port: u16,
    /// Submissions port (implicit TLS, AUTH).
    pub smtps_port: u16,
    /// Postfix's NTLM submission port (STARTTLS, then AUTH NTLM through Cyrus SASL).
    pub smtp_ntlm_port: u16,
    /// Dovecot's POP3 port (STLS offered; login allowed before it).
    pub pop3_port: u16,
    /// Dovecot's POP3S port (implicit TLS).
    pub pop3s_port: u16,
    /// The per-run CA that signed the servers' certificate.
    pub ca_file: PathBuf,
    /// The certificate directory (hostile certificates too).
    pub certs_dir: PathBuf,
    /// `<root>/<user>/Maildir/{new,cur}`.
    pub maildir_root: PathBuf,
    users: HashMap<String, String>,
}

/// The certificates of a run, for tests that only need those (their own TLS listener).
#[derive(Debug, Clone)]
pub struct Certs {
    /// The per-run CA (`ca.pem`).
    pub ca_file: PathBuf,
    /// `ca.pem`, `server`, `wrong-host`, `self-signed`, `expired` (`.pem` and `.key`).
    pub dir: PathBuf,
}

impl Certs {
    /// `<dir>/<name>.pem` and `<dir>/<name>.key`.
    pub fn pair(&self, name: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{name}.pem")),
            self.dir.join(format!("{name}.key")),
        )
    }

    /// Trust only the run's CA.
    pub fn trust_ca(&self) -> TlsSettings {
        TlsSettings::new()
            .roots(Roots::None)
            .add_ca_file(&self.ca_file)
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn port(name: &str) -> Option<u16> {
    let value = var(name)?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a port number")),
    )
}

/// Whether `MAILKIT_REQUIRE_SERVERS` asks for the servers to be there.
pub fn servers_required() -> bool {
    var(REQUIRE_VAR).is_some_and(|v| v != "0")
}

fn absent(missing: &[&str]) {
    if servers_required() {
        panic!(
            "real servers not running ({} unset) but {REQUIRE_VAR} is set: \
             run `eval \"$(tests/servers/start.sh)\"` first",
            missing.join(", ")
        );
    }
    eprintln!("real servers not running (run tests/servers/start.sh): skipping");
}

/// The certificates, or `None` (after saying so) when `MAILKIT_CA_FILE` or
/// `MAILKIT_CERTS_DIR` is unset. Panics instead when `MAILKIT_REQUIRE_SERVERS` is set.
pub fn certs() -> Option<Certs> {
    match (var("MAILKIT_CA_FILE"), var("MAILKIT_CERTS_DIR")) {
        (Some(ca), Some(dir)) => Some(Certs {
            ca_file: ca.into(),
            dir: dir.into(),
        }),
        _ => {
            absent(&["MAILKIT_CA_FILE", "MAILKIT_CERTS_DIR"]);
            None
        }
    }
}

/// The servers, or `None` (after saying so) when the start script's variables are unset.
/// Panics instead when `MAILKIT_REQUIRE_SERVERS` is set.
pub fn servers() -> Option<Servers> {
    const NEEDED: [&str; 8] = [
        "MAILKIT_SMTP_SUBMISSION_PORT",
        "MAILKIT_SMTPS_PORT",
        "MAILKIT_SMTP_NTLM_PORT",
        "MAILKIT_POP3_PORT",
        "MAILKIT_POP3S_PORT",
        "MAILKIT_CA_FILE",
        "MAILKIT_CERTS_DIR",
        "MAILKIT_MAILDIR_ROOT",
    ];
    let missing: Vec<&str> = NEEDED.into_iter().filter(|n| var(n).is_none()).collect();
    if !missing.is_empty() {
        absent(&missing);
        return None;
    }
    let users = var("MAILKIT_TEST_USERS")
        .unwrap_or_else(|| "alice:alice-secret bob:bob-secret carol:carol-secret".to_owned())
        .split_whitespace()
        .filter_map(|pair| pair.split_once(':'))
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .collect();
    Some(Servers {
        submission_port: port("MAILKIT_SMTP_SUBMISSION_PORT")?,
        smtps_port: port("MAILKIT_SMTPS_PORT")?,
        smtp_ntlm_port: port("MAILKIT_SMTP_NTLM_PORT")?,
        pop3_port: port("MAILKIT_POP3_PORT")?,
        pop3s_port: port("MAILKIT_POP3S_PORT")?,
        ca_file: var("MAILKIT_CA_FILE")?.into(),
        certs_dir: var("MAILKIT_CERTS_DIR")?.into(),
        maildir_root: var("MAILKIT_MAILDIR_ROOT")?.into(),
        users,
    })
}

/// The two ways to get TLS with a submission server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPath {
    /// `smtp://` on the submission port, upgraded with `STARTTLS` (required).
    StartTls,
    /// `smtps://` on the submissions port: TLS from the first byte.
    Implicit,
}

impl TlsPath {
    /// Both paths.
    pub const BOTH: [TlsPath; 2] = [TlsPath::StartTls, TlsPath::Implicit];

    /// `"starttls"` or `"implicit"`.
    pub fn name(self) -> &'static str {
        match self {
            TlsPath::StartTls => "starttls",
            TlsPath::Implicit => "implicit",
        }
    }

    /// The URL scheme of this path.
    pub fn scheme(self) -> &'static str {
        match self {
            TlsPath::StartTls => "smtp",
            TlsPath::Implicit => "smtps",
        }
    }

    /// Options for `localhost:port` on this path, with generous but finite timeouts (a hung
    /// server fails the test instead of hanging the suite).
    pub fn options(self, port: u16, tls: TlsSettings) -> SmtpOptions {
        let options = SmtpOptions::from_url(&format!("{}://{HOST}:{port}", self.scheme()))
            .expect("a valid URL")
            .tls_settings(tls)
            .connect_timeout(Duration::from_secs(10))
            .command_timeout(Duration::from_secs(30));
        let expected = match self {
            TlsPath::StartTls => TlsMode::Required,
            TlsPath::Implicit => TlsMode::Implicit,
        };
        assert_eq!(options.get_tls_mode(), expected);
        options
    }
}

impl Servers {
    /// Trust only the run's CA.
    pub fn tls(&self) -> TlsSettings {
        TlsSettings::new()
            .roots(Roots::None)
            .add_ca_file(&self.ca_file)
    }

    /// Options for the submission server on `path`, trusting the run's CA.
    pub fn options(&self, path: TlsPath) -> SmtpOptions {
        let port = match path {
            TlsPath::StartTls => self.submission_port,
            TlsPath::Implicit => self.smtps_port,
        };
        path.options(port, self.tls())
    }

    /// The password of a test user.
    pub fn password(&self, user: &str) -> String {
        self.users
            .get(user)
            .cloned()
            .unwrap_or_else(|| format!("{user}-secret"))
    }

    /// The credentials of a test user.
    pub fn credentials(&self, user: &str) -> Credentials {
        Credentials::password(user, self.password(user))
    }

    /// `<root>/<user>/Maildir`.
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.maildir_root.join(user).join("Maildir")
    }

    /// Waits (up to `timeout`) until a message with each of `ids` as Message-ID is in
    /// `user`'s Maildir, and returns their files by id.
    pub fn wait_for_delivery(
        &self,
        user: &str,
        ids: &[String],
        timeout: Duration,
    ) -> Result<HashMap<String, PathBuf>, String> {
        wait_for_delivery(&self.maildir(user), ids, timeout)
    }

    /// Waits for the message `id` in `user`'s Maildir and compares it with `sent`.
    pub fn assert_delivered(&self, user: &str, id: &str, sent: &[u8]) {
        let found = self
            .wait_for_delivery(user, &[id.to_owned()], DELIVERY_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"));
        let path = &found[id];
        let delivered =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        if let Err(e) = compare_delivered(&delivered, sent) {
            panic!("{user}: {} differs from what was sent: {e}", path.display());
        }
    }
}

/// How long a single message may take from `250 queued` to its Maildir file.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// An address from a literal (panics on a bad one).
pub fn address(s: &str) -> Address {
    Address::new(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Unique messages

static COUNTER: AtomicU64 = AtomicU64::new(0);
static RUN: LazyLock<String> = LazyLock::new(|| {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}.{nanos:x}", std::process::id())
});

/// A Message-ID local part unique across tests, runtimes, runs and processes:
/// `<test>.<runtime>.<counter>.<pid>.<time>`.
pub fn unique_id(test: &str, runtime: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{test}.{runtime}.{n}.{}", *RUN)
}

/// A message whose first header line is `Message-ID: <{id}@mail-kit.test>` (so it can be
/// found in a Maildir and located inside the delivered file), with `body` after the
/// headers. CRLF line ends throughout.
pub fn message(id: &str, from: &str, to: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "Message-ID: <{id}@mail-kit.test>\r\n\
         Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n\
         From: <{from}>\r\n\
         To: {}\r\n\
         Subject: mail-kit live test {id}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n",
        to.iter()
            .map(|a| format!("<{a}>"))
            .collect::<Vec<_>>()
            .join(", ")
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A short body with the lines that need dot-stuffing on the wire: `.`, `..`, `.x`.
pub fn small_body(id: &str) -> Vec<u8> {
    format!(
        "Hello from mail-kit ({id}).\r\n.\r\n..\r\n.leading dot\r\n\
         a line with trailing space \r\n\r\nlast line\r\n"
    )
    .into_bytes()
}

/// A deterministic body of at least `size` bytes: CRLF lines from 0 to 998 octets of
/// printable ASCII, about one in twelve starting with `.`, and among the first lines the
/// edge cases `.`, `..`, a 998-octet line and a 998-octet line starting with `.`.
pub fn big_body(size: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*: deterministic, good enough for test content.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut out = Vec::with_capacity(size + 1024);
    for line in [
        ".".to_owned(),
        "..".to_owned(),
        "x".repeat(998),
        format!(".{}", "y".repeat(997)),
        ". starts with a dot and a space".to_owned(),
        String::new(),
    ] {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    while out.len() < size {
        let r = next();
        let len = match r % 8 {
            0 => (r >> 8) as usize % 999,
            1 => 998,
            _ => 40 + (r >> 8) as usize % 60,
        };
        let dot = (r >> 32) % 12 == 0;
        let start = out.len();
        if dot {
            out.push(b'.');
        }
        while out.len() - start < len {
            let c = next();
            // Printable ASCII, with more spaces than the rest.
            let byte = if c % 7 == 0 {
                b' '
            } else {
                b'!' + (c >> 16) as u8 % 94
            };
            out.push(byte);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------
// Maildir

/// Message-ID (without angle brackets) of every Maildir file seen so far, read once.
static INDEX: LazyLock<Mutex<HashMap<PathBuf, Option<String>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Waits (up to `timeout`) until `maildir` holds a message for each Message-ID local part
/// in `ids` (`<id@mail-kit.test>`); returns their files. Reads only the header block of each
/// file, once per process.
pub fn wait_for_delivery(
    maildir: &Path,
    ids: &[String],
    timeout: Duration,
) -> Result<HashMap<String, PathBuf>, String> {
    let wanted: HashMap<String, &String> = ids
        .iter()
        .map(|id| (format!("{id}@mail-kit.test"), id))
        .collect();
    let start = Instant::now();
    loop {
        let mut found = HashMap::new();
        for sub in ["new", "cur"] {
            let dir = maildir.join(sub);
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let cached = INDEX.lock().unwrap().get(&path).cloned();
                let message_id = match cached {
                    Some(id) => id,
                    None => {
                        let Ok(id) = read_message_id(&path) else {
                            continue; // moved or removed meanwhile
                        };
                        INDEX.lock().unwrap().insert(path.clone(), id.clone());
                        id
                    }
                };
                if let Some(id) = message_id.as_ref().and_then(|m| wanted.get(m)) {
                    found.insert((*id).clone(), path);
                }
            }
        }
        if found.len() == wanted.len() {
            return Ok(found);
        }
        if start.elapsed() > timeout {
            let missing: Vec<&str> = ids
                .iter()
                .filter(|id| !found.contains_key(*id))
                .map(String::as_str)
                .take(5)
                .collect();
            return Err(format!(
                "{} of {} messages not delivered to {} after {timeout:?} (e.g. {missing:?})",
                wanted.len() - found.len(),
                wanted.len(),
                maildir.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The Message-ID of a message file (without `<>`), read from its header block.
fn read_message_id(path: &Path) -> std::io::Result<Option<String>> {
    let mut file = File::open(path)?;
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    while head.len() < 256 * 1024 {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if find(&head, b"\n\n").is_some() || find(&head, b"\n\r\n").is_some() {
            break;
        }
    }
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.len() > 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
            let value = String::from_utf8_lossy(&line[11..]);
            let value = value.trim().trim_start_matches('<').trim_end_matches('>');
            return Ok(Some(value.to_owned()));
        }
    }
    Ok(None)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The headers Postfix and Dovecot may prepend to a delivered message.
const PREPENDED: [&[u8]; 3] = [b"return-path:", b"delivered-to:", b"received:"];

/// Compares a delivered Maildir file with the message as sent (CRLF line ends).
///
/// The file's line ends are detected from its first line: LF (Dovecot's default) or CRLF;
/// the sent bytes are converted to match. The message is located by its first line, which
/// must start a line of the file; everything before it must be `Return-Path:`,
/// `Delivered-To:` and `Received:` header lines (and their folded continuations), and
/// everything from it on must equal the sent message exactly.
pub fn compare_delivered(delivered: &[u8], sent: &[u8]) -> Result<(), String> {
    let crlf_storage = delivered
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && delivered[i - 1] == b'\r');
    let expected: Cow<[u8]> = if crlf_storage {
        Cow::Borrowed(sent)
    } else {
        Cow::Owned(crlf_to_lf(sent))
    };
    let first_end = expected
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("the sent message has no line end")?;
    let first_line = &expected[..=first_end];
    let mut start = None;
    let mut pos = 0;
    while pos < delivered.len() {
        if delivered[pos..].starts_with(first_line) {
            start = Some(pos);
            break;
        }
        match delivered[pos..].iter().position(|&b| b == b'\n') {
            Some(i) => pos += i + 1,
            None => break,
        }
    }
    let start = start.ok_or_else(|| {
        format!(
            "the message's first line {:?} does not start any line of the file",
            String::from_utf8_lossy(first_line)
        )
    })?;
    for line in delivered[..start].split_inclusive(|&b| b == b'\n') {
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        let known = PREPENDED
            .iter()
            .any(|h| line.len() >= h.len() && line[..h.len()].eq_ignore_ascii_case(h));
        if !continuation && !known {
            return Err(format!(
                "unexpected header prepended on delivery: {:?}",
                String::from_utf8_lossy(line)
            ));
        }
    }
    let got = &delivered[start..];
    if got == &expected[..] {
        return Ok(());
    }
    let at = got
        .iter()
        .zip(expected.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(expected.len()));
    let context = |bytes: &[u8]| {
        let from = at.saturating_sub(40);
        let to = (at + 40).min(bytes.len());
        escape(&bytes[from..to])
    };
    Err(format!(
        "{} storage: delivered {} bytes, expected {}; first difference at byte {at}: \
         delivered …{}… expected …{}…",
        if crlf_storage { "CRLF" } else { "LF" },
        got.len(),
        expected.len(),
        context(got),
        context(&expected),
    ))
}

/// Turns every CRLF into LF.
pub fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Pipelining, seen on the wire

/// Watches a session's bytes (as a [`WireObserver`]) and tells how many transactions were in
/// flight at once: `+1` for each `MAIL FROM:` line the client writes, `-1` for each final
/// `250 ... queued as` reply the server sends. Above 1, transactions were pipelined.
///
/// Lines are reassembled across writes; message content must not contain a line starting
/// with `MAIL FROM:`.
#[derive(Debug, Clone, Default)]
pub struct PipelineProbe {
    state: std::sync::Arc<Mutex<ProbeState>>,
}

#[derive(Debug, Default)]
struct ProbeState {
    client_line: Vec<u8>,
    server_line: Vec<u8>,
    in_flight: usize,
    max_in_flight: usize,
    client_writes: usize,
    queued: usize,
}

impl PipelineProbe {
    /// A fresh probe.
    pub fn new() -> Self {
        PipelineProbe::default()
    }

    /// An observer feeding this probe (install it with `set_observer`).
    pub fn observer(&self) -> Box<dyn WireObserver> {
        Box::new(self.clone())
    }

    /// The most transactions that were in flight at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// How many writes the client made.
    pub fn client_writes(&self) -> usize {
        self.state.lock().unwrap().client_writes
    }

    /// How many `queued as` replies the server sent.
    pub fn queued(&self) -> usize {
        self.state.lock().unwrap().queued
    }
}

impl WireObserver for PipelineProbe {
    fn client_bytes(&mut self, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap();
        state.client_writes += 1;
        for &b in bytes {
            state.client_line.push(b);
            if b == b'\n' {
                if state.client_line.starts_with(b"MAIL FROM:") {
                    state.in_flight += 1;
                    state.max_in_flight = state.max_in_flight.max(state.in_flight);
                }
                state.client_line.clear();
            } else if state.client_line.len() > 64 {
                // Not a command line we look for (content): keep only a marker.
                state.client_line.truncate(64);
            }
        }
    }

    fn server_bytes(&mut self, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap();
        for &b in bytes {
            state.server_line.push(b);
            if b == b'\n' {
                let line = String::from_utf8_lossy(&state.server_line).to_ascii_lowercase();
                if line.starts_with("250 ") && line.contains("queued as") {
                    state.in_flight = state.in_flight.saturating_sub(1);
                    state.queued += 1;
                }
                state.server_line.clear();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Figures

/// Median and maximum of `samples` (sorted in place). `None` when empty.
pub fn median_max(samples: &mut [Duration]) -> Option<(Duration, Duration)> {
    samples.sort();
    let max = *samples.last()?;
    Some((samples[samples.len() / 2], max))
}

// ---------------------------------------------------------------------------------------
// One scenario on every runtime

/// Generates, for each scenario, a module with four `#[test]`s: `blocking`, `tokio`, `smol`
/// and `async_std`.
///
/// ```text
/// every_runtime! {
///     servers = mail_kit_tests::live::servers;
///     several_recipients => several_recipients_blocking, several_recipients_async;
///     big_message(Mode::Data) => big_message_blocking, big_message_async;
/// }
/// ```
///
/// Attributes before a scenario (`#[ignore = "why"]`) go on each of its four tests.
/// `servers` returns `Option<T>` (`None` skips the test). The blocking test calls
/// `scenario_blocking(&t, "blocking", args..)`; the others run
/// `scenario_async::<R>(&t, runtime_name, args..)` with `R` the runtime type of
/// `mail_kit::smtp::AsyncSmtpClient<R>`: under a current-thread tokio runtime,
/// `smol::block_on` and `async_std::task::block_on`. The crate using it needs `tokio`,
/// `smol` and `async-std` as (dev-)dependencies.
#[macro_export]
macro_rules! every_runtime {
    (
        servers = $servers:path;
        $(
            $( #[$attr:meta] )*
            $name:ident $( ( $($arg:expr),* $(,)? ) )? => $blocking:ident, $asynch:ident;
        )*
    ) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[test]
                $( #[$attr] )*
                fn blocking() {
                    let Some(servers) = $servers() else { return };
                    super::$blocking(&servers, "blocking" $( $(, $arg)* )?);
                }

                #[test]
                $( #[$attr] )*
                fn tokio() {
                    let Some(servers) = $servers() else { return };
                    ::tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a tokio runtime")
                        .block_on(super::$asynch::<::mail_kit::tokio::Tokio>(
                            &servers, "tokio" $( $(, $arg)* )?
                        ));
                }

                #[test]
                $( #[$attr] )*
                fn smol() {
                    let Some(servers) = $servers() else { return };
                    ::smol::block_on(super::$asynch::<::mail_kit::smol::Smol>(
                        &servers, "smol" $( $(, $arg)* )?
                    ));
                }

                #[test]
                $( #[$attr] )*
                fn async_std() {
                    let Some(servers) = $servers() else { return };
                    ::async_std::task::block_on(super::$asynch::<
                        ::mail_kit::async_std::AsyncStd,
                    >(&servers, "async-std" $( $(, $arg)* )?));
                }
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_file_with_prepended_headers_matches() {
        let sent = b"Message-ID: <a@mail-kit.test>\r\nSubject: x\r\n\r\n.\r\nbody\r\n";
        let delivered = b"Return-Path: <alice@example.org>\n\
            Delivered-To: alice@example.org\n\
            Received: from localhost\n\tby localhost (Postfix) with ESMTPS id 1\n\
            \tfor <alice@example.org>; Thu, 1 Jan 2026 00:00:00 +0000 (UTC)\n\
            Message-ID: <a@mail-kit.test>\nSubject: x\n\n.\nbody\n";
        compare_delivered(delivered, sent).unwrap();
        assert_eq!(
            read_message_id_from(delivered).as_deref(),
            Some("a@mail-kit.test")
        );
    }

    fn read_message_id_from(bytes: &[u8]) -> Option<String> {
        let path = std::env::temp_dir().join(format!("mk-live-unit-{}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let id = read_message_id(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        id
    }

    #[test]
    fn differences_are_reported() {
        let sent = b"Message-ID: <a@mail-kit.test>\r\n\r\nbody\r\n";
        let delivered = b"Return-Path: <a@b>\nMessage-ID: <a@mail-kit.test>\n\nbodY\n";
        let err = compare_delivered(delivered, sent).unwrap_err();
        assert!(err.contains("first difference at byte 34"), "{err}");
        let delivered = b"X-Spam: yes\nMessage-ID: <a@mail-kit.test>\n\nbody\n";
        assert!(compare_delivered(delivered, sent).is_err());
        let crlf = b"Return-Path: <a@b>\r\nMessage-ID: <a@mail-kit.test>\r\n\r\nbody\r\n";
        compare_delivered(crlf, sent).unwrap();
    }

    #[test]
    fn big_body_is_deterministic_and_within_limits() {
        let a = big_body(200_000, 7);
        assert_eq!(a, big_body(200_000, 7));
        assert!(a.len() >= 200_000);
        let lines: Vec<&[u8]> = a.split(|&b| b == b'\n').collect();
        assert!(lines.iter().all(|l| l.len() <= 999)); // 998 + CR
        assert!(lines.iter().filter(|l| l.starts_with(b".")).count() > 30);
        assert!(a.ends_with(b"\r\n"));
        assert!(!a.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n'));
    }
}
