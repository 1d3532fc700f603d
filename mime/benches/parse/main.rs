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
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

/// A full parse: returns a number derived from the decoded output so nothing is optimised away.
type Parser = fn(&[u8]) -> usize;

fn mail_parser_full(raw: &[u8]) -> usize {
    match mail_parser::MessageParser::default().parse(raw) {
        Some(message) => message.parts.len() + message.headers().len(),
        None => 0,
    }
}

fn mailparse_full(raw: &[u8]) -> usize {
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
    ("mail-parser 0.11", mail_parser_full),
    ("mailparse 0.18", mailparse_full),
];

fn corpora() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    vec![
        (
            "attachment-heavy",
            corpus::attachment_heavy(0x6d61_696c, 12),
        ),
        ("header-heavy", corpus::header_heavy(0x6b69_7421, 3_000)),
    ]
}

fn parse_all(parser: Parser, messages: &[Vec<u8>]) -> usize {
    messages.iter().map(|m| parser(black_box(m))).sum()
}

fn bench(c: &mut Criterion, corpora: &[(&'static str, Vec<Vec<u8>>)]) {
    for (name, messages) in corpora {
        let bytes: usize = messages.iter().map(Vec::len).sum();
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
fn throughput(parser: Parser, messages: &[Vec<u8>]) -> f64 {
    let bytes: usize = messages.iter().map(Vec::len).sum();
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

fn summary(corpora: &[(&'static str, Vec<Vec<u8>>)]) {
    println!("\nFull parse, MB/s (best of 5):");
    for (name, messages) in corpora {
        let bytes: usize = messages.iter().map(Vec::len).sum();
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
