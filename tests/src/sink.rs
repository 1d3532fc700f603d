//! A fast in-process SMTP sink on loopback, for benchmarks and tests that need a real socket.
//!
//! It accepts every message and throws it away, counting messages and content bytes. It
//! advertises `PIPELINING`, `8BITMIME` and `SIZE` (no `CHUNKING`, `STARTTLS` or `AUTH`), and
//! batches its replies like a real pipelining server: it flushes only when it has no more
//! complete input buffered, so a pipelined group of commands gets its replies in one segment.
//!
//! It serves one thread per connection and trusts its clients (no line-length limit): use it
//! on `127.0.0.1` only.
//!
//! ```
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//!
//! let sink = mail_kit_tests::sink::Sink::start().unwrap();
//! let mut stream = TcpStream::connect(sink.addr()).unwrap();
//! stream
//!     .write_all(b"EHLO me\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n")
//!     .unwrap();
//! stream.write_all(b"Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n").unwrap();
//! let mut replies = String::new();
//! for line in BufReader::new(stream).lines() {
//!     replies.push_str(&line.unwrap()[..3]);
//!     replies.push(' ');
//! }
//! assert_eq!(replies, "220 250 250 250 250 250 250 354 250 221 ");
//! assert_eq!(sink.messages(), 1);
//! ```

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};

/// Size of each connection's read and write buffers.
const BUFFER_SIZE: usize = 64 * 1024;

const GREETING: &[u8] = b"220 sink ESMTP\r\n";
const EHLO: &[u8] = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n";
const HELO: &[u8] = b"250 sink\r\n";
const OK: &[u8] = b"250 OK\r\n";
const START_DATA: &[u8] = b"354 End data with <CR><LF>.<CR><LF>\r\n";
const QUEUED: &[u8] = b"250 OK queued\r\n";
const BYE: &[u8] = b"221 Bye\r\n";
const UNKNOWN: &[u8] = b"500 Unrecognized command\r\n";

/// Counters shared by the sink's threads.
#[derive(Debug, Default)]
struct Shared {
    messages: AtomicU64,
    content_bytes: AtomicU64,
    connections: AtomicU64,
    stop: AtomicBool,
}

/// An SMTP server on `127.0.0.1` that accepts and discards every message.
///
/// Dropping it stops accepting connections; connections still open are served until their
/// client closes them.
#[derive(Debug)]
pub struct Sink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Sink {
    /// Listens on `127.0.0.1` on a free port and starts accepting connections.
    pub fn start() -> io::Result<Sink> {
        Sink::launch(None)
    }

    /// Like [`Sink::start`], and calls `before_read` with each connection's socket before
    /// every read: to set a socket option that the kernel resets, such as Linux's
    /// `TCP_QUICKACK` (ACK at once instead of delaying the ACK by up to 40 ms).
    pub fn start_with(before_read: fn(&TcpStream)) -> io::Result<Sink> {
        Sink::launch(Some(before_read))
    }

    fn launch(before_read: Option<fn(&TcpStream)>) -> io::Result<Sink> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("smtp-sink-accept".to_owned())
                .spawn(move || accept_loop(&listener, &shared, before_read))?
        };
        Ok(Sink {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port to connect to (on `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Messages received so far (content ended by `.`), over all connections. A message is
    /// counted before its `250` is written, so a client that has its reply sees it counted.
    pub fn messages(&self) -> u64 {
        self.shared.messages.load(Ordering::SeqCst)
    }

    /// Content bytes received so far (as on the wire: dot-stuffed, without the final `.`).
    pub fn content_bytes(&self) -> u64 {
        self.shared.content_bytes.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor up so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, before_read: Option<fn(&TcpStream)>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("smtp-sink-conn".to_owned())
            .spawn(move || {
                // A client that vanishes mid-session is not the sink's problem.
                let _ = serve(stream, &shared, before_read);
            });
        drop(spawned);
    }
}

/// The connection's read side, calling a hook before every read.
struct HookedReader {
    stream: TcpStream,
    before_read: Option<fn(&TcpStream)>,
}

impl Read for HookedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(hook) = self.before_read {
            hook(&self.stream);
        }
        self.stream.read(buf)
    }
}

/// Serves one SMTP session until `QUIT` or the client closes the connection.
fn serve(
    stream: TcpStream,
    shared: &Shared,
    before_read: Option<fn(&TcpStream)>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let input = HookedReader {
        stream: stream.try_clone()?,
        before_read,
    };
    let mut reader = BufReader::with_capacity(BUFFER_SIZE, input);
    let mut writer = BufWriter::with_capacity(BUFFER_SIZE, stream);
    writer.write_all(GREETING)?;
    writer.flush()?;
    let mut line = Vec::with_capacity(1024);
    let mut in_data = false;
    let mut content_bytes = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if in_data {
            if line == b".\r\n" || line == b".\n" {
                in_data = false;
                shared.messages.fetch_add(1, Ordering::SeqCst);
                shared
                    .content_bytes
                    .fetch_add(content_bytes, Ordering::SeqCst);
                writer.write_all(QUEUED)?;
            } else {
                content_bytes += line.len() as u64;
            }
        } else {
            let end = line
                .iter()
                .position(|&b| b == b' ' || b == b'\r' || b == b'\n')
                .unwrap_or(line.len());
            let verb = &line[..end];
            let is = |name: &str| verb.eq_ignore_ascii_case(name.as_bytes());
            if is("EHLO") {
                writer.write_all(EHLO)?;
            } else if is("HELO") {
                writer.write_all(HELO)?;
            } else if is("MAIL") || is("RCPT") || is("RSET") || is("NOOP") {
                writer.write_all(OK)?;
            } else if is("DATA") {
                in_data = true;
                content_bytes = 0;
                writer.write_all(START_DATA)?;
            } else if is("QUIT") {
                writer.write_all(BYE)?;
                return writer.flush();
            } else {
                writer.write_all(UNKNOWN)?;
            }
        }
        // Batch replies like a pipelining server: answer a whole group in one write, once no
        // complete line is left to handle.
        if !reader.buffer().contains(&b'\n') {
            writer.flush()?;
        }
    }
}
