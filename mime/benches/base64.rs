//! Lenient base64 decoding of line-broken input (76 characters and CRLF a line, as MIME bodies
//! carry it) against the `base64` crate, side by side in one run. The crate cannot read line
//! breaks, so its contenders first strip them, or decode line by line into one buffer; the
//! issue's target is mail-kit within 80% of the crate's throughput.
//!
//! Run with `cargo bench -p mail-kit-mime --bench base64`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput};
use mail_kit_mime::encoding::base64 as mk;

/// 4 MiB of pseudo-random bytes, encoded as a MIME body.
fn input() -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let data: Vec<u8> = (0..4 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    mk::encode(&data)
}

fn mail_kit(encoded: &[u8]) -> usize {
    mk::decode(encoded).bytes.len()
}

fn base64_crate(encoded: &[u8]) -> usize {
    let stripped: Vec<u8> = encoded
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    STANDARD.decode(stripped).map_or(0, |d| d.len())
}

fn base64_crate_per_line(encoded: &[u8]) -> usize {
    let mut out = Vec::with_capacity(encoded.len() / 4 * 3);
    for line in encoded.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if STANDARD.decode_vec(line, &mut out).is_err() {
            return 0;
        }
    }
    out.len()
}

/// A decoder under test: returns the decoded length so nothing is optimised away.
type Decode = fn(&[u8]) -> usize;

/// mail-kit first; the ratio is to the faster of the others.
const CONTENDERS: [(&str, Decode); 3] = [
    ("mail-kit", mail_kit),
    ("base64 crate (lines stripped)", base64_crate),
    ("base64 crate (line by line)", base64_crate_per_line),
];

fn main() {
    let encoded = input();
    assert_eq!(mail_kit(&encoded), base64_crate(&encoded));
    assert_eq!(mail_kit(&encoded), base64_crate_per_line(&encoded));
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("base64 decode, 76-column CRLF lines");
    group.throughput(Throughput::Bytes(encoded.len() as u64));
    for (name, decode) in CONTENDERS {
        group.bench_function(name, |b| b.iter(|| decode(black_box(&encoded))));
    }
    group.finish();
    criterion.final_summary();

    // Best of 20 each, interleaved, then the ratio.
    let mut best = [Duration::MAX; CONTENDERS.len()];
    for _ in 0..20 {
        for (i, (_, decode)) in CONTENDERS.iter().enumerate() {
            let start = Instant::now();
            black_box(decode(black_box(&encoded)));
            best[i] = best[i].min(start.elapsed());
        }
    }
    let rate = |d: Duration| encoded.len() as f64 / d.as_secs_f64() / 1e6;
    for (i, (name, _)) in CONTENDERS.iter().enumerate() {
        println!("{name}: {:.0} MB/s", rate(best[i]));
    }
    let peer = best[1].min(best[2]);
    println!(
        "mail-kit ÷ faster base64 crate contender: {:.2}×",
        peer.as_secs_f64() / best[0].as_secs_f64()
    );
}
