//! A server that stops reading in the middle of the message content: every client must give
//! up with a timeout (RFC 5321 §4.5.3.2.5, "Data block") instead of waiting forever on a
//! write that makes no progress.
#![cfg(any(
    feature = "blocking",
    feature = "tokio",
    feature = "smol",
    feature = "async-std"
))]

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
use common::client::Client;
#[cfg(feature = "tokio")]
use common::client::block_on_tokio;
use common::*;
use mail_kit::smtp::{Address, Envelope};
use mail_kit::{Error, Roots, SmtpOptions, TlsMode, TlsSettings};

/// The timeout the clients are configured with (all of them, so also the data block one).
/// Generous enough that a loaded machine (parallel tests on 2 cores) cannot starve a
/// healthy exchange past it.
const TIMEOUT: Duration = Duration::from_secs(3);

/// A hang fails the test after this long instead of blocking the run.
const WATCHDOG: Duration = Duration::from_secs(30);

/// Far more than loopback socket buffers hold; and for a server that reads a byte at a time,
/// seconds of blocked writes for the client (the buffers grow to several MB as it reads).
const MESSAGE_SIZE: usize = 20 * 1024 * 1024;

/// What a client reports when a write made no progress.
const WRITE_STALL: &str = "the server to accept written data";

fn envelope() -> Envelope {
    Envelope::new(
        Some(Address::new("alice@example.org").unwrap()),
        [Address::new("bob@example.org").unwrap()],
    )
}

/// A message of at least `size` bytes, in lines of 1000 bytes.
fn message(size: usize) -> String {
    let line = format!("{}\r\n", "x".repeat(998));
    let mut message = String::with_capacity(size + line.len());
    message.push_str("Subject: big\r\n\r\n");
    while message.len() < size {
        message.push_str(&line);
    }
    message
}

/// What the server does.
#[derive(Clone, Copy)]
enum Case {
    /// Plaintext, envelope and `DATA` pipelined; stops reading after the 354.
    Pipelined,
    /// Plaintext without `PIPELINING` (one command at a time); stops reading after the 354.
    Lockstep,
    /// `STARTTLS`, envelope pipelined; stops reading after the 354, so the stalled content
    /// is in TLS records.
    StartTls,
    /// Plaintext, pipelined; reads the content slowly (a byte per read: the client's writes
    /// block again and again, for longer than the timeout in all) and then never answers
    /// it. Slow progress is no stall: the client must send it all (or the server's read
    /// fails) and time out waiting for the reply, not on its writes.
    SlowReaderThenSilence,
}

impl Case {
    fn options(self, port: u16) -> SmtpOptions {
        let options = match self {
            Case::StartTls => SmtpOptions::new("localhost", port).unwrap().tls_settings(
                TlsSettings::new()
                    .roots(Roots::None)
                    .add_ca_file(fixture("ca.pem")),
            ),
            _ => SmtpOptions::new("127.0.0.1", port)
                .unwrap()
                .tls_mode(TlsMode::None),
        };
        options.command_timeout(TIMEOUT)
    }

    /// The server's side up to the 354, and for the slow reader the content.
    fn play(self, peer: &mut Peer) {
        match self {
            Case::Pipelined | Case::StartTls | Case::SlowReaderThenSilence => {
                if let Case::StartTls = self {
                    starttls_greeting(peer, server_tls("server.pem"));
                } else {
                    plain_greeting(peer);
                }
                peer.expect("MAIL FROM:<alice@example.org>");
                peer.expect("RCPT TO:<bob@example.org>");
                peer.expect("DATA");
                peer.send("250 ok\r\n250 ok\r\n354 go\r\n");
            }
            Case::Lockstep => {
                peer.send("220 mx.example.org ESMTP\r\n");
                peer.expect("EHLO [127.0.0.1]");
                peer.send("250 mx.example.org\r\n");
                peer.expect("MAIL FROM:<alice@example.org>");
                peer.send("250 ok\r\n");
                peer.expect("RCPT TO:<bob@example.org>");
                peer.send("250 ok\r\n");
                peer.expect("DATA");
                peer.send("354 go\r\n");
            }
        }
        if let Case::SlowReaderThenSilence = self {
            let started = Instant::now();
            let content = peer.data();
            assert!(content.len() >= MESSAGE_SIZE);
            eprintln!("the server read the content in {:?}", started.elapsed());
        }
    }
}

/// Runs `send` (connect, then send the message) against a server playing `case`, which then
/// holds the connection open without reading; checks that `send` fails with a timeout,
/// within [`WATCHDOG`].
fn check(case: Case, send: impl FnOnce(SmtpOptions, String) -> Result<(), Error> + Send + 'static) {
    let (done, wait) = mpsc::channel::<()>();
    let (port, server) = serve(move |peer| {
        case.play(peer);
        // Reads nothing more; the connection stays open until the test is over.
        let _ = wait.recv_timeout(WATCHDOG * 2);
    });
    let started = Instant::now();
    let message = message(MESSAGE_SIZE);
    let result = with_watchdog(move || send(case.options(port), message));
    match result {
        Err(Error::Timeout { waiting_for, after }) => {
            eprintln!(
                "timed out after {:?} (configured {after:?}) waiting for {waiting_for}",
                started.elapsed()
            );
            if let Case::SlowReaderThenSilence = case {
                assert_ne!(waiting_for, WRITE_STALL, "slow progress is no stall");
            }
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    let _ = done.send(());
    server.join().unwrap();
}

/// Runs `client` on its own thread and returns its result, failing the test when it takes
/// longer than [`WATCHDOG`].
fn with_watchdog<T: Send + 'static>(client: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(client());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!(
                "the client still hangs after {WATCHDOG:?} against a server that stopped reading"
            )
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the client thread panicked"),
    }
}

/// The client side for the async clients: connect, then send the message.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
async fn send<C: Client>(options: SmtpOptions, message: String) -> Result<(), Error> {
    let mut client = C::connect(&options).await?;
    client.send_raw(&envelope(), &message).await.map(drop)
}

/// Defines a module `$runtime` with a test of every [`Case`], each [`check`]ing `$client`
/// (a `FnOnce(SmtpOptions, String) -> Result<(), Error>` that runs one client to the
/// end), and the `$extra` items.
macro_rules! every_case {
    ($(#[$attr:meta])* mod $runtime:ident = $client:expr; $($extra:item)*) => {
        $(#[$attr])*
        mod $runtime {
            use super::*;

            #[test]
            fn pipelined_times_out_when_the_server_stops_reading() {
                check(Case::Pipelined, $client);
            }

            #[test]
            fn lockstep_times_out_when_the_server_stops_reading() {
                check(Case::Lockstep, $client);
            }

            #[test]
            fn starttls_times_out_when_the_server_stops_reading() {
                check(Case::StartTls, $client);
            }

            #[test]
            fn slow_progress_is_no_stall() {
                check(Case::SlowReaderThenSilence, $client);
            }

            $($extra)*
        }
    };
}

every_case! {
    #[cfg(feature = "blocking")]
    mod blocking = |options, message| {
        let mut client = mail_kit::blocking::SmtpClient::connect(&options)?;
        client.send_raw(&envelope(), message).map(drop)
    };
}

every_case! {
    #[cfg(feature = "tokio")]
    mod tokio = |options, message| {
        block_on_tokio(send::<mail_kit::tokio::SmtpClient>(options, message))
    };

    #[test]
    fn multi_thread_times_out_when_the_server_stops_reading() {
        check(Case::Pipelined, |options, message| {
            ::tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
                .block_on(send::<mail_kit::tokio::SmtpClient>(options, message))
        });
    }
}

every_case! {
    #[cfg(feature = "smol")]
    mod smol = |options, message| {
        ::smol::block_on(send::<mail_kit::smol::SmtpClient>(options, message))
    };
}

every_case! {
    #[cfg(feature = "async-std")]
    mod async_std = |options, message| {
        ::async_std::task::block_on(send::<mail_kit::async_std::SmtpClient>(options, message))
    };
}
