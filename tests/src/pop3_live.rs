//! Helpers for the POP3 tests against the real Dovecot of `tests/servers/start.sh`: options
//! for `pop3://` (STLS) and `pop3s://`, messages delivered through Postfix and read back from
//! the Maildir as POP3 serves them, and a wire probe that sees what the client wrote before
//! TLS and how many `RETR` commands went out in one write.
//!
//! # What POP3 serves
//!
//! Dovecot stores each message with LF line ends (see [`live`](crate::live)); `RETR` serves
//! the file with CRLF line ends, dot-stuffed on the wire. A client that unstuffs exactly gets
//! the file with every LF turned into CRLF: [`lf_to_crlf`]. The unique id (`UIDL`) is the
//! Maildir file's base name (`pop3_uidl_format = %g`), the part before `:2,`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_kit::blocking::SmtpClient;
use mail_kit::core::WireObserver;
use mail_kit::pop3::{MessageSink, UidEntry};
use mail_kit::smtp::{Envelope, Transaction};
use mail_kit::{Pop3Options, TlsMode};

use crate::live::{DELIVERY_TIMEOUT, HOST, Servers, TlsPath, address};

/// The user the POP3 tests read and delete mail of (the SMTP tests send it little).
pub const POP3_USER: &str = "bob";

/// Options for Dovecot's POP3 on `path`: `pop3://` on the POP3 port (STLS required) or
/// `pop3s://` on the POP3S port, trusting the run's CA, with finite timeouts.
pub fn pop3_options(servers: &Servers, path: TlsPath) -> Pop3Options {
    let (scheme, port, mode) = match path {
        TlsPath::StartTls => ("pop3", servers.pop3_port, TlsMode::Required),
        TlsPath::Implicit => ("pop3s", servers.pop3s_port, TlsMode::Implicit),
    };
    let options = Pop3Options::from_url(&format!("{scheme}://{HOST}:{port}"))
        .expect("a valid URL")
        .tls_settings(servers.tls())
        .connect_timeout(Duration::from_secs(10))
        .command_timeout(Duration::from_secs(30));
    assert_eq!(options.get_tls_mode(), mode);
    options
}

/// A delivered message as the POP3 server has it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The Message-ID's local part.
    pub id: String,
    /// Its `UIDL` unique id (the Maildir base name).
    pub uid: String,
    /// The bytes `RETR` must give: the Maildir file with CRLF line ends.
    pub bytes: Vec<u8>,
}

impl Stored {
    /// The bytes `TOP n 0` must give: the header and the empty line after it.
    pub fn header(&self) -> &[u8] {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(self.bytes.len(), |i| i + 4);
        &self.bytes[..end]
    }
}

/// Sends each `(id, message)` to `user` through Postfix's submission port (one pipelined
/// session as alice), waits for delivery and reads every message back from the Maildir.
pub fn deliver(servers: &Servers, user: &str, messages: &[(String, Vec<u8>)]) -> Vec<Stored> {
    let options = servers.options(TlsPath::StartTls);
    let mut smtp = SmtpClient::connect(&options).expect("SMTP connect");
    smtp.authenticate(servers.credentials("alice"))
        .expect("SMTP login");
    let envelope = Envelope::new(
        Some(address("alice@example.org")),
        [address(&format!("{user}@example.org"))],
    );
    let transactions = messages
        .iter()
        .map(|(_, bytes)| Transaction::new(envelope.clone(), bytes.clone()))
        .collect();
    for report in smtp.send_many(transactions).expect("SMTP session") {
        report.expect("message accepted");
    }
    smtp.quit().expect("SMTP QUIT");
    messages
        .iter()
        .map(|(id, _)| read_stored(servers, user, id))
        .collect()
}

/// Reads the delivered message `id` of `user`. Another POP3 session may move the file from
/// `new/` to `cur/` at any time (renaming it), so a vanished file is looked up again.
pub fn read_stored(servers: &Servers, user: &str, id: &str) -> Stored {
    let mut last_error = String::new();
    for _ in 0..20 {
        let found = servers
            .wait_for_delivery(user, &[id.to_owned()], DELIVERY_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"));
        let path = &found[id];
        match std::fs::read(path) {
            Ok(file) => {
                return Stored {
                    id: id.to_owned(),
                    uid: uid_of(path),
                    bytes: lf_to_crlf(&file),
                };
            }
            Err(err) => last_error = format!("{}: {err}", path.display()),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("cannot read the delivered message {id}: {last_error}");
}

/// The `UIDL` unique id of a Maildir file: its name before `:2,`.
pub fn uid_of(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a UTF-8 Maildir file name");
    name.split(':').next().unwrap_or(name).to_owned()
}

/// Every LF becomes CRLF (the file stores LF only).
pub fn lf_to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The message number of the unique id `uid` in a `UIDL` listing.
pub fn number_of(entries: &[UidEntry], uid: &str) -> Option<u32> {
    entries.iter().find(|e| e.uid == uid).map(|e| e.message)
}

/// Collects the messages of a `retrieve_many`, each into its own buffer: `sink(n)` makes
/// the sink for message `n`, and [`Collector::take`] gives the bytes once it is finished.
#[derive(Debug, Clone, Default)]
pub struct Collector {
    done: Arc<Mutex<HashMap<u32, Vec<u8>>>>,
}

/// The sink of one message for a [`Collector`].
#[derive(Debug)]
pub struct Collecting {
    message: u32,
    buffer: Vec<u8>,
    done: Arc<Mutex<HashMap<u32, Vec<u8>>>>,
}

impl Collector {
    /// A collector with nothing in it.
    pub fn new() -> Self {
        Collector::default()
    }

    /// The sink for message `n`.
    pub fn sink(&self, message: u32) -> Collecting {
        Collecting {
            message,
            buffer: Vec::new(),
            done: Arc::clone(&self.done),
        }
    }

    /// The bytes of message `n`, once its sink finished.
    pub fn take(&self, message: u32) -> Option<Vec<u8>> {
        self.done.lock().unwrap().remove(&message)
    }
}

impl MessageSink for Collecting {
    fn write_chunk(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buffer.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        let bytes = std::mem::take(&mut self.buffer);
        self.done.lock().unwrap().insert(self.message, bytes);
        Ok(())
    }
}

/// A sink that fails on its first piece, like a full disk: the client must report
/// [`Error::Io`](mail_kit::Error::Io) for that message, after reading the rest of it off the
/// wire, and the session must go on.
#[derive(Debug, Default)]
pub struct FailingSink;

impl MessageSink for FailingSink {
    fn write_chunk(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Err(std::io::Error::other("disk full (test)"))
    }
}

/// Watches a session's client bytes (as a [`WireObserver`]): everything written before TLS
/// was established, and the most `RETR` commands in one write.
#[derive(Debug, Clone, Default)]
pub struct Pop3Probe {
    state: Arc<Mutex<ProbeState>>,
}

#[derive(Debug, Default)]
struct ProbeState {
    before_tls: Vec<u8>,
    tls: bool,
    max_retr_per_write: usize,
}

impl Pop3Probe {
    /// A fresh probe.
    pub fn new() -> Self {
        Pop3Probe::default()
    }

    /// An observer feeding this probe.
    pub fn observer(&self) -> Box<dyn WireObserver> {
        Box::new(self.clone())
    }

    /// The client's bytes before the TLS handshake (all of them without TLS).
    pub fn before_tls(&self) -> Vec<u8> {
        self.state.lock().unwrap().before_tls.clone()
    }

    /// Whether a TLS handshake (STLS) finished.
    pub fn saw_tls(&self) -> bool {
        self.state.lock().unwrap().tls
    }

    /// The most `RETR` commands the client wrote with one write.
    pub fn max_retr_per_write(&self) -> usize {
        self.state.lock().unwrap().max_retr_per_write
    }
}

impl WireObserver for Pop3Probe {
    fn client_bytes(&mut self, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap();
        if !state.tls {
            state.before_tls.extend_from_slice(bytes);
        }
        let retr = bytes.windows(5).filter(|w| w == b"RETR ").count();
        state.max_retr_per_write = state.max_retr_per_write.max(retr);
    }

    fn server_bytes(&mut self, _bytes: &[u8]) {}

    fn tls_established(&mut self) {
        self.state.lock().unwrap().tls = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms() {
        assert_eq!(lf_to_crlf(b"a\nb\n\n"), b"a\r\nb\r\n\r\n");
        let path = Path::new("/m/cur/1796.M35P18.vm,S=406,W=420:2,S");
        assert_eq!(uid_of(path), "1796.M35P18.vm,S=406,W=420");
        assert_eq!(uid_of(Path::new("/m/new/17.vm,S=1,W=2")), "17.vm,S=1,W=2");
        let stored = Stored {
            id: "x".into(),
            uid: "u".into(),
            bytes: b"A: b\r\n\r\nbody\r\n".to_vec(),
        };
        assert_eq!(stored.header(), b"A: b\r\n\r\n");
    }

    #[test]
    fn the_probe_counts_retr_per_write_and_bytes_before_tls() {
        let probe = Pop3Probe::new();
        let mut observer = probe.observer();
        observer.client_bytes(b"CAPA\r\nSTLS\r\n");
        observer.tls_established();
        observer.client_bytes(b"USER bob\r\n");
        observer.client_bytes(b"RETR 1\r\nRETR 2\r\nRETR 3\r\n");
        observer.client_bytes(b"RETR 4\r\n");
        assert_eq!(probe.before_tls(), b"CAPA\r\nSTLS\r\n");
        assert!(probe.saw_tls());
        assert_eq!(probe.max_retr_per_write(), 3);
    }
}
