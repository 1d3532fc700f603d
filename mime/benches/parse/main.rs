//! Full-parse throughput against mail-parser 0.11 and mailparse 0.18, side by side in one run.
//!
//! "Full parse" means every header decoded (addresses, dates and encoded words included) and
//! every leaf body decoded (transfer encoding, and the charset for text parts). The corpora are
//! generated in `corpus.rs`. After the criterion groups, a summary table prints each crate's
//! MB/s and the ratio of mail-kit to the faster peer.
//!
//! Run with `cargo bench -p mail-kit-mime --bench parse`.

mod corpus;

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use mail_kit_mime::header::{address, date, encoded_word, msg_id, received};
use mail_kit_mime::{Body, Entity};

/// A full parse: returns a number derived from the decoded output so nothing is optimised away.
type Parser = fn(&Bytes) -> usize;

/// How the benchmark decodes a field, by name.
enum Field {
    Addresses,
    Date,
    MessageIds,
    Received,
    ContentType,
    ContentDisposition,
    Unstructured,
}

/// The kind of field `name` is (case-insensitive), without allocating.
fn field(name: &[u8]) -> Field {
    let mut lower = [0u8; 32];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return Field::Unstructured;
    };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    match &*lower {
        b"from" | b"to" | b"cc" | b"bcc" | b"reply-to" | b"sender" | b"resent-from"
        | b"resent-to" | b"resent-cc" => Field::Addresses,
        b"date" | b"resent-date" => Field::Date,
        b"message-id" | b"references" | b"in-reply-to" => Field::MessageIds,
        b"received" => Field::Received,
        b"content-type" => Field::ContentType,
        b"content-disposition" => Field::ContentDisposition,
        _ => Field::Unstructured,
    }
}

fn mail_kit_full(raw: &Bytes) -> usize {
    let message = mail_kit_mime::parse(raw.clone());
    message
        .root()
        .walk()
        .map(|(_, entity)| mail_kit_entity(entity))
        .sum()
}

fn mail_kit_entity(entity: &Entity) -> usize {
    let mut n = 0;
    for header in entity.headers().iter() {
        let value = header.value();
        n += match field(header.name()) {
            Field::Addresses => address::parse_address_list(value).addresses.0.len(),
            Field::Date => date::parse_lenient(value).map_or(0, |(d, _)| d.day() as usize),
            Field::MessageIds => msg_id::parse_list(value).ids.len(),
            Field::Received => received::parse(value).from().map_or(0, str::len),
            Field::ContentType => entity.content_type().subtype.len(),
            Field::ContentDisposition => entity
                .content_disposition()
                .map_or(0, |cd| cd.filename().map_or(1, str::len)),
            Field::Unstructured => encoded_word::decode(value).text.len(),
        };
    }
    if let Body::Leaf(_) = entity.body() {
        n += match entity.text() {
            Some((text, _)) => text.len(),
            None => entity.decoded_body().map_or(0, |d| d.bytes.len()),
        };
    }
    n
}

/// mail-parser configured for a full parse: its built-in field parsers, plus encoded-word
/// decoding of every other field (its default leaves unknown fields such as `X-*` and
/// `DKIM-Signature` raw, while mail-kit and mailparse decode them). Naming any field switches
/// mail-parser from its built-in table to this map, so the map repeats that table.
static MAIL_PARSER: LazyLock<mail_parser::MessageParser> = LazyLock::new(|| {
    use mail_parser::HeaderName as H;
    mail_parser::MessageParser::new()
        .with_mime_headers()
        .with_date_headers()
        .with_address_headers()
        .with_message_ids()
        .header_text(H::Subject)
        .header_text(H::Comments)
        .header_id(H::ReturnPath)
        .header_address(H::ListArchive)
        .header_address(H::ListHelp)
        .header_address(H::ListId)
        .header_address(H::ListOwner)
        .header_address(H::ListPost)
        .header_address(H::ListSubscribe)
        .header_address(H::ListUnsubscribe)
        .header_comma_separated(H::Keywords)
        .header_comma_separated(H::ContentLanguage)
        .header_received(H::Received)
        .header_raw(H::MimeVersion)
        .default_header_text()
});

fn mail_parser_full(raw: &Bytes) -> usize {
    match MAIL_PARSER.parse(&raw[..]) {
        Some(message) => message.parts.len() + message.headers().len(),
        None => 0,
    }
}

fn mailparse_full(raw: &Bytes) -> usize {
    match mailparse::parse_mail(raw) {
        Ok(mail) => mailparse_walk(&mail),
        Err(_) => 0,
    }
}

fn mailparse_walk(part: &mailparse::ParsedMail<'_>) -> usize {
    let mut n = 0;
    for header in &part.headers {
        let key = header.get_key_ref();
        n += if ["from", "to", "cc", "bcc", "reply-to", "sender"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k))
        {
            mailparse::addrparse_header(header).map_or(0, |list| list.len())
        } else if key.eq_ignore_ascii_case("date") {
            mailparse::dateparse(&header.get_value()).map_or(0, |t| t as usize & 1)
        } else {
            header.get_value().len()
        };
    }
    if part.subparts.is_empty() {
        n += if part.ctype.mimetype.starts_with("text/") {
            part.get_body().map_or(0, |body| body.len())
        } else {
            part.get_body_raw().map_or(0, |body| body.len())
        };
    }
    n + part.subparts.iter().map(mailparse_walk).sum::<usize>()
}

const PARSERS: &[(&str, Parser)] = &[
    ("mail-kit", mail_kit_full),
    ("mail-parser 0.11", mail_parser_full),
    ("mailparse 0.18", mailparse_full),
];

fn corpora() -> Vec<(&'static str, Vec<Bytes>)> {
    let generated = [
        (
            "attachment-heavy",
            corpus::attachment_heavy(0x6d61_696c, 12),
        ),
        ("header-heavy", corpus::header_heavy(0x6b69_7421, 3_000)),
    ];
    generated
        .into_iter()
        .map(|(name, messages)| (name, messages.into_iter().map(Bytes::from).collect()))
        .collect()
}

fn parse_all(parser: Parser, messages: &[Bytes]) -> usize {
    messages.iter().map(|m| parser(black_box(m))).sum()
}

fn bench(c: &mut Criterion, corpora: &[(&'static str, Vec<Bytes>)]) {
    for (name, messages) in corpora {
        let bytes: usize = messages.iter().map(Bytes::len).sum();
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        for (crate_name, parser) in PARSERS {
            group.bench_function(*crate_name, |b| b.iter(|| parse_all(*parser, messages)));
        }
        group.finish();
    }
}

/// Best-of-five MB/s of `parser` on `messages`.
fn throughput(parser: Parser, messages: &[Bytes]) -> f64 {
    let bytes: usize = messages.iter().map(Bytes::len).sum();
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(parse_all(parser, messages));
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    bytes as f64 / 1e6 / best.as_secs_f64().max(1e-9)
}

fn summary(corpora: &[(&'static str, Vec<Bytes>)]) {
    println!("\nFull parse, MB/s (best of 5):");
    for (name, messages) in corpora {
        let bytes: usize = messages.iter().map(Bytes::len).sum();
        println!(
            "{name}: {} messages, {:.1} MB",
            messages.len(),
            bytes as f64 / 1e6
        );
        let figures: Vec<(&str, f64)> = PARSERS
            .iter()
            .map(|(n, p)| (*n, throughput(*p, messages)))
            .collect();
        for (crate_name, mbps) in &figures {
            println!("  {crate_name:<18} {mbps:>9.1} MB/s");
        }
        let (ours, peers): (Vec<_>, Vec<_>) =
            figures.iter().partition(|(n, _)| n.starts_with("mail-kit"));
        let best_peer = peers.iter().map(|(_, v)| *v).fold(0.0, f64::max);
        for (crate_name, mbps) in ours {
            println!("  {crate_name} / faster peer = {:.2}x", mbps / best_peer);
        }
    }
}

fn main() {
    let corpora = corpora();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &corpora);
    c.final_summary();
    summary(&corpora);
}
