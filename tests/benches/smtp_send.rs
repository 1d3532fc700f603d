//! Sending 2,000 small messages over one connection to a local sink that advertises
//! PIPELINING: mail-kit (blocking and tokio) side by side with lettre 0.11 (blocking and
//! tokio), in one run.
//!
//! ```text
//! cargo bench -p mail-kit-tests --bench smtp_send
//! ```
//!
//! Criterion reports messages per second for each contender (`Throughput::Elements`). After
//! the criterion groups, each contender runs a few more batches timed with a plain wall clock,
//! and a table of messages per second and of the ratios against lettre is printed: that table
//! is what the README quotes.
//!
//! Every contender connects outside the timed part; a timed batch is 2,000 messages on one
//! already open connection. The tokio contenders run on a current-thread runtime (the client
//! on one thread, the sink's connection on another, as for the blocking contenders).
//! Correctness is asserted (every message accepted, and counted by the sink); timing is not.
//!
//! Two sinks:
//! - the plain sink ACKs as the kernel pleases. lettre leaves Nagle's algorithm on and writes
//!   the content and the final `.` with two writes, so the `.` waits for the ACK of the
//!   content, which Linux delays by about 40 ms: lettre sends about 23 messages per second,
//!   and its batches there are [`STALLING_MESSAGES`] messages, not 2,000 (80 s each).
//! - the quick-ACK sink sets `TCP_QUICKACK` before every read, so it never delays an ACK and
//!   lettre is only bound by its round trips (NOOP, MAIL, RCPT, DATA, content: five per
//!   message, where mail-kit's pipelining needs one, the wait for `354`). mail-kit runs
//!   against both sinks; each ratio compares with lettre on the same sink.

use std::hint::black_box;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, SamplingMode, Throughput};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, SmtpTransport, Tokio1Executor, Transport};
use mail_kit::smtp::{Address, Envelope, Transaction};
use mail_kit::{SmtpOptions, TlsMode};
use mail_kit_tests::sink::Sink;

/// Messages per timed batch.
const MESSAGES: usize = 2_000;
/// Wall-clock batches per contender for the ratio table; the best one counts.
const TABLE_RUNS: usize = 5;

const FROM: &str = "sender@example.org";
const TO: &str = "recipient@example.org";

/// A plain ASCII message of about 500 bytes.
fn message() -> Bytes {
    let mut message = format!(
        "From: Sender <{FROM}>\r\n\
         To: Recipient <{TO}>\r\n\
         Subject: Benchmark message\r\n\
         Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n\
         Message-ID: <bench.0001@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n"
    );
    while message.len() < 480 {
        message.push_str("The quick brown fox jumps over the lazy dog.\r\n");
    }
    Bytes::from(message)
}

fn mail_kit_envelope() -> Envelope {
    Envelope::new(
        Some(Address::new(FROM).expect("valid sender")),
        [Address::new(TO).expect("valid recipient")],
    )
}

fn lettre_envelope() -> lettre::address::Envelope {
    lettre::address::Envelope::new(
        Some(FROM.parse().expect("valid sender")),
        vec![TO.parse().expect("valid recipient")],
    )
    .expect("valid envelope")
}

fn mail_kit_options(sink: &Sink) -> SmtpOptions {
    SmtpOptions::from_url(&format!("smtp://127.0.0.1:{}", sink.port()))
        .expect("valid URL")
        .tls_mode(TlsMode::None)
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Checks that the sink got exactly `expected` messages more than `before`.
fn assert_received(sink: &Sink, before: u64, expected: usize) {
    let received = sink.messages() - before;
    assert_eq!(
        received, expected as u64,
        "the sink received {received} messages instead of {expected}"
    );
}

/// A client library and how it sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    /// mail-kit, blocking, `send_many`: every message enqueued at once, pipelined.
    MailKitBlockingMany,
    /// mail-kit, tokio, `send_many`.
    MailKitTokioMany,
    /// mail-kit, blocking, `send_raw` in a loop: one message per call.
    MailKitBlockingOneByOne,
    /// lettre, blocking `SmtpTransport`, `send_raw` in a loop.
    LettreBlocking,
    /// lettre, `AsyncSmtpTransport<Tokio1Executor>`, `send_raw` in a loop.
    LettreTokio,
}

/// Which sink the contender sends to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SinkKind {
    /// The plain sink: the kernel's usual delayed ACKs.
    Plain,
    /// The sink sets `TCP_QUICKACK` before every read, so it never delays an ACK.
    QuickAck,
}

/// One line of the comparison: a client, a sink, and the messages in a timed batch.
#[derive(Clone, Copy)]
struct Contender {
    group: &'static str,
    function: &'static str,
    client: Client,
    sink: SinkKind,
    /// Messages per timed batch.
    messages: usize,
}

/// lettre writes the content and the final `.` with two writes and leaves Nagle's algorithm
/// on, so against a receiver that delays its ACKs each message stalls about 40 ms: a batch
/// of 2,000 would take 80 s. Its batches against the plain sink are shorter; messages per
/// second are comparable all the same.
const STALLING_MESSAGES: usize = 20;

const CONTENDERS: [Contender; 9] = [
    Contender {
        group: "mail-kit",
        function: "blocking send_many",
        client: Client::MailKitBlockingMany,
        sink: SinkKind::Plain,
        messages: MESSAGES,
    },
    Contender {
        group: "mail-kit",
        function: "tokio send_many",
        client: Client::MailKitTokioMany,
        sink: SinkKind::Plain,
        messages: MESSAGES,
    },
    Contender {
        group: "mail-kit",
        function: "blocking send one by one",
        client: Client::MailKitBlockingOneByOne,
        sink: SinkKind::Plain,
        messages: MESSAGES,
    },
    Contender {
        group: "lettre",
        function: "blocking",
        client: Client::LettreBlocking,
        sink: SinkKind::Plain,
        messages: STALLING_MESSAGES,
    },
    Contender {
        group: "lettre",
        function: "tokio",
        client: Client::LettreTokio,
        sink: SinkKind::Plain,
        messages: STALLING_MESSAGES,
    },
    Contender {
        group: "mail-kit",
        function: "blocking send_many, quick-ACK sink",
        client: Client::MailKitBlockingMany,
        sink: SinkKind::QuickAck,
        messages: MESSAGES,
    },
    Contender {
        group: "mail-kit",
        function: "tokio send_many, quick-ACK sink",
        client: Client::MailKitTokioMany,
        sink: SinkKind::QuickAck,
        messages: MESSAGES,
    },
    Contender {
        group: "lettre",
        function: "blocking, quick-ACK sink",
        client: Client::LettreBlocking,
        sink: SinkKind::QuickAck,
        messages: MESSAGES,
    },
    Contender {
        group: "lettre",
        function: "tokio, quick-ACK sink",
        client: Client::LettreTokio,
        sink: SinkKind::QuickAck,
        messages: MESSAGES,
    },
];

/// Sets `TCP_QUICKACK`, which Linux clears again on its own, so it is set before every read.
fn quick_ack(stream: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    socket2::SockRef::from(stream)
        .set_quickack(true)
        .expect("set TCP_QUICKACK");
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = stream;
}

impl Contender {
    fn name(self) -> String {
        format!("{}/{}", self.group, self.function)
    }

    fn start_sink(self) -> Sink {
        match self.sink {
            SinkKind::Plain => Sink::start(),
            SinkKind::QuickAck => Sink::start_with(quick_ack),
        }
        .expect("start the sink")
    }

    /// Opens a connection to `sink`, times `batches` batches of `self.messages` messages on
    /// it (checking every batch), closes it, and returns each batch's time.
    fn run(self, sink: &Sink, batches: u64) -> Vec<Duration> {
        let n = self.messages;
        match self.client {
            Client::MailKitBlockingMany => mail_kit_blocking(sink, batches, n, true),
            Client::MailKitBlockingOneByOne => mail_kit_blocking(sink, batches, n, false),
            Client::MailKitTokioMany => {
                current_thread_runtime().block_on(mail_kit_tokio(sink, batches, n))
            }
            Client::LettreBlocking => lettre_blocking(sink, batches, n),
            Client::LettreTokio => {
                current_thread_runtime().block_on(lettre_tokio(sink, batches, n))
            }
        }
    }
}

/// mail-kit, blocking: `send_many` (all messages enqueued at once, pipelined) or `send_raw`
/// in a loop (one message per call).
fn mail_kit_blocking(sink: &Sink, batches: u64, messages: usize, many: bool) -> Vec<Duration> {
    let (envelope, body) = (mail_kit_envelope(), message());
    let mut client =
        mail_kit::blocking::SmtpClient::connect(&mail_kit_options(sink)).expect("connect");
    let mut times = Vec::new();
    for _ in 0..batches {
        let before = sink.messages();
        let start = Instant::now();
        if many {
            let transactions = (0..messages)
                .map(|_| Transaction::new(envelope.clone(), body.clone()))
                .collect();
            let results = client.send_many(transactions).expect("send_many");
            times.push(start.elapsed());
            assert_eq!(results.len(), messages);
            for result in results {
                assert!(result.expect("message accepted").is_accepted());
            }
        } else {
            for _ in 0..messages {
                let report = client.send_raw(&envelope, body.clone()).expect("send_raw");
                black_box(report);
            }
            times.push(start.elapsed());
        }
        assert_received(sink, before, messages);
    }
    client.quit().expect("quit");
    times
}

/// mail-kit, tokio: `send_many`.
async fn mail_kit_tokio(sink: &Sink, batches: u64, messages: usize) -> Vec<Duration> {
    let (envelope, body) = (mail_kit_envelope(), message());
    let mut client = mail_kit::tokio::SmtpClient::connect(&mail_kit_options(sink))
        .await
        .expect("connect");
    let mut times = Vec::new();
    for _ in 0..batches {
        let before = sink.messages();
        let start = Instant::now();
        let transactions = (0..messages)
            .map(|_| Transaction::new(envelope.clone(), body.clone()))
            .collect();
        let results = client.send_many(transactions).await.expect("send_many");
        times.push(start.elapsed());
        assert_eq!(results.len(), messages);
        for result in results {
            assert!(result.expect("message accepted").is_accepted());
        }
        assert_received(sink, before, messages);
    }
    client.quit().await.expect("quit");
    times
}

/// lettre, blocking: `SmtpTransport` with a pool of one connection, `send_raw` in a loop.
fn lettre_blocking(sink: &Sink, batches: u64, messages: usize) -> Vec<Duration> {
    let (envelope, body) = (lettre_envelope(), message());
    let transport = SmtpTransport::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .pool_config(PoolConfig::new().max_size(1))
        .build();
    // Opens the pooled connection outside the timed part.
    transport.send_raw(&envelope, &body).expect("send_raw");
    let mut times = Vec::new();
    for _ in 0..batches {
        let before = sink.messages();
        let start = Instant::now();
        for _ in 0..messages {
            let response = transport.send_raw(&envelope, &body).expect("send_raw");
            black_box(response);
        }
        times.push(start.elapsed());
        assert_received(sink, before, messages);
    }
    times
}

/// lettre, tokio: `AsyncSmtpTransport` with a pool of one connection, `send_raw` in a loop.
async fn lettre_tokio(sink: &Sink, batches: u64, messages: usize) -> Vec<Duration> {
    let (envelope, body) = (lettre_envelope(), message());
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .pool_config(PoolConfig::new().max_size(1))
        .build();
    // Opens the pooled connection outside the timed part.
    transport
        .send_raw(&envelope, &body)
        .await
        .expect("send_raw");
    let mut times = Vec::new();
    for _ in 0..batches {
        let before = sink.messages();
        let start = Instant::now();
        for _ in 0..messages {
            let response = transport
                .send_raw(&envelope, &body)
                .await
                .expect("send_raw");
            black_box(response);
        }
        times.push(start.elapsed());
        assert_received(sink, before, messages);
    }
    times
}

fn criterion_groups(c: &mut Criterion) {
    for group_name in ["mail-kit", "lettre"] {
        let mut group = c.benchmark_group(group_name);
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for contender in CONTENDERS.into_iter().filter(|c| c.group == group_name) {
            let sink = contender.start_sink();
            group.throughput(Throughput::Elements(contender.messages as u64));
            group.bench_function(contender.function, |b| {
                b.iter_custom(|batches| contender.run(&sink, batches).into_iter().sum());
            });
        }
        group.finish();
    }
}

/// Times [`TABLE_RUNS`] batches of every contender with a wall clock and prints messages per
/// second and the ratios against lettre on the same sink.
fn ratio_table() {
    let rates: Vec<(Contender, f64)> = CONTENDERS
        .into_iter()
        .map(|contender| {
            let sink = contender.start_sink();
            let best = contender
                .run(&sink, TABLE_RUNS as u64)
                .into_iter()
                .min()
                .expect("at least one run");
            (contender, contender.messages as f64 / best.as_secs_f64())
        })
        .collect();
    let rate_of = |client: Client, sink: SinkKind| {
        rates
            .iter()
            .find(|(c, _)| c.client == client && c.sink == sink)
            .map(|(_, rate)| *rate)
            .expect("contender measured")
    };
    println!();
    println!(
        "{MESSAGES} messages of {} bytes on one connection (lettre on the plain sink: \
         {STALLING_MESSAGES}), best of {TABLE_RUNS} batches; tokio: current-thread runtime; \
         ratios against lettre on the same sink",
        message().len()
    );
    println!(
        "| {:<44} | {:>8} | {:>10} | {:>17} | {:>14} |",
        "contender", "messages", "messages/s", "× lettre blocking", "× lettre tokio"
    );
    println!(
        "|{:-<46}|{:->10}|{:->12}|{:->19}|{:->16}|",
        "", ":", ":", ":", ":"
    );
    for (contender, rate) in &rates {
        let lettre_blocking = rate_of(Client::LettreBlocking, contender.sink);
        let lettre_tokio = rate_of(Client::LettreTokio, contender.sink);
        println!(
            "| {:<44} | {:>8} | {:>10.0} | {:>17.1} | {:>14.1} |",
            contender.name(),
            contender.messages,
            rate,
            rate / lettre_blocking,
            rate / lettre_tokio
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    criterion_groups(&mut criterion);
    criterion.final_summary();
    // Only when benchmarking: `cargo test --benches` runs each benchmark once as a test.
    let args: Vec<String> = std::env::args().collect();
    let benchmarking =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list");
    if benchmarking {
        ratio_table();
    }
}
