//! The two benchmark corpora, generated deterministically from a seeded PRNG (no files).
//!
//! - attachment-heavy: multipart/mixed messages holding a multipart/alternative (quoted-printable
//!   text and 8-bit HTML in ISO-8859-1, Windows-1252, Shift_JIS or UTF-8) and base64
//!   attachments of 10 KB to 5 MB;
//! - header-heavy: many small messages with long header blocks (folded `Received` chains,
//!   address lists with encoded display names, encoded-word subjects, dates, references) and a
//!   share of malformed ones (LF-only line ends, raw 8-bit headers, broken encoded words and
//!   dates, a missing blank line, a missing closing boundary).

use ::base64::Engine as _;
use mail_kit_mime::encoding::{base64, quoted_printable};

/// xorshift64*: small, fast and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// A text in one of the benchmark's charsets.
struct Sample {
    charset: &'static str,
    text: &'static str,
}

const SAMPLES: &[Sample] = &[
    Sample {
        charset: "ISO-8859-1",
        text: "Grüße aus Köln! Das Café öffnet um acht, die Bäckerei später. Naïve Façade, \
               ½ Preis für Überraschungen; señor Muñoz zahlt in bar. ",
    },
    Sample {
        charset: "windows-1252",
        text: "“Smart quotes” – and dashes — cost 5 € each; the œuvre of Dvořák isn’t here, \
               but Šimon’s ‘notes’ are… ",
    },
    Sample {
        charset: "Shift_JIS",
        text: "こんにちは、世界。添付ファイルをご確認ください。会議は明日の午後三時からです。\
               よろしくお願いいたします。",
    },
    Sample {
        charset: "UTF-8",
        text: "Hello 世界, привет мир, γειά σου κόσμε, مرحبا بالعالم — emoji 🎉📎 and ∑ maths. ",
    },
];

fn encode_charset(charset: &str, text: &str) -> Vec<u8> {
    let encoding = encoding_rs::Encoding::for_label(charset.as_bytes()).expect("known charset");
    encoding.encode(text).0.into_owned()
}

/// `text` repeated until it is about `len` bytes in `charset`, broken into lines.
fn body_text(rng: &mut Rng, sample: &Sample, len: usize) -> Vec<u8> {
    let encoded = encode_charset(sample.charset, sample.text);
    let mut out = Vec::with_capacity(len + 128);
    let mut col = 0;
    while out.len() < len {
        out.extend_from_slice(&encoded);
        col += encoded.len();
        if col > 60 || rng.below(3) == 0 {
            out.extend_from_slice(b"\r\n");
            col = 0;
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// An RFC 2047 encoded word of `text` in `charset`, B or Q.
fn encoded_word(rng: &mut Rng, sample: &Sample, text: &str) -> String {
    let bytes = encode_charset(sample.charset, text);
    if rng.below(2) == 0 {
        let b64 = ::base64::engine::general_purpose::STANDARD.encode(&bytes);
        format!("=?{}?B?{}?=", sample.charset, b64)
    } else {
        let mut q = String::new();
        for &b in &bytes {
            match b {
                b' ' => q.push('_'),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => q.push(b as char),
                _ => q.push_str(&format!("={b:02X}")),
            }
        }
        format!("=?{}?Q?{}?=", sample.charset, q)
    }
}

const FIRST: &[&str] = &[
    "Anna", "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Günther",
];
const LAST: &[&str] = &[
    "Schmidt", "Núñez", "Tanaka", "O'Brien", "Kowalski", "Dubois",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "mail.example.com",
    "lists.example.net",
    "example.jp",
];
const SUBJECT_WORDS: &[&str] = &[
    "Quarterly",
    "report",
    "Re:",
    "meeting",
    "invoice",
    "Fwd:",
    "draft",
    "agenda",
    "urgent",
];
const ZONES: &[&str] = &["+0000", "-0700", "+0900", "+0530", "GMT", "EST", "-0000"];
const DAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
];

fn date(rng: &mut Rng) -> String {
    format!(
        "{}, {} {} {} {:02}:{:02}:{:02} {}",
        rng.pick(DAYS),
        1 + rng.below(28),
        rng.pick(MONTHS),
        1998 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.pick(ZONES)
    )
}

fn mailbox(rng: &mut Rng) -> String {
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let local = format!("{}.{}", first, last).to_ascii_lowercase();
    let local: String = local.chars().filter(char::is_ascii_alphanumeric).collect();
    let domain = rng.pick(DOMAINS);
    match rng.below(4) {
        0 => format!("{local}@{domain}"),
        1 => format!("\"{last}, {first}\" <{local}@{domain}>"),
        2 => {
            let sample = rng.pick(SAMPLES);
            let name = format!("{first} {last}");
            format!("{} <{local}@{domain}>", encoded_word(rng, sample, &name))
        }
        _ => format!("{local}@{domain} ({first} {last})"),
    }
}

fn address_list(rng: &mut Rng, count: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push_str(",\r\n ");
        }
        out.push_str(&mailbox(rng));
    }
    out
}

fn subject(rng: &mut Rng) -> String {
    let mut words: Vec<String> = (0..3 + rng.below(6))
        .map(|_| rng.pick(SUBJECT_WORDS).to_string())
        .collect();
    for _ in 0..1 + rng.below(3) {
        let sample = rng.pick(SAMPLES);
        let cut = sample
            .text
            .char_indices()
            .nth(12)
            .map_or(sample.text.len(), |(i, _)| i);
        let at = rng.below(words.len());
        words.insert(at, encoded_word(rng, sample, &sample.text[..cut]));
    }
    words.join(" ")
}

fn message_id(rng: &mut Rng) -> String {
    format!(
        "<{:016x}.{:08x}@{}>",
        rng.next_u64(),
        rng.next_u64() as u32,
        rng.pick(DOMAINS)
    )
}

/// The header block common to both corpora (without the MIME headers).
fn envelope_headers(rng: &mut Rng, received: usize, out: &mut Vec<u8>) {
    for hop in 0..received {
        let line = format!(
            "Received: from relay{hop}.{} (relay{hop}.{} [192.0.2.{}])\r\n\tby mx{}.{} \
             (Postfix) with ESMTPS id {:X}\r\n\tfor <user@example.org>; {}\r\n",
            rng.pick(DOMAINS),
            rng.pick(DOMAINS),
            rng.below(255),
            rng.below(9),
            rng.pick(DOMAINS),
            rng.next_u64(),
            date(rng)
        );
        out.extend_from_slice(line.as_bytes());
    }
    let refs: Vec<String> = (0..rng.below(6)).map(|_| message_id(rng)).collect();
    let (to, cc) = (1 + rng.below(4), rng.below(6));
    let headers = format!(
        "Date: {}\r\nFrom: {}\r\nTo: {}\r\nCc: {}\r\nSubject: {}\r\nMessage-ID: {}\r\n\
         References: {}\r\nX-Mailer: bench-corpus 1.0\r\nMIME-Version: 1.0\r\n",
        date(rng),
        mailbox(rng),
        address_list(rng, to),
        address_list(rng, cc),
        subject(rng),
        message_id(rng),
        if refs.is_empty() {
            message_id(rng)
        } else {
            refs.join("\r\n ")
        },
    );
    out.extend_from_slice(headers.as_bytes());
}

/// Attachment-heavy corpus: `count` messages, about 10 KB to 5 MB of attachments each.
pub fn attachment_heavy(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| attachment_message(&mut rng, i))
        .collect()
}

fn attachment_message(rng: &mut Rng, index: usize) -> Vec<u8> {
    let mut out = Vec::new();
    envelope_headers(rng, 3, &mut out);
    let outer = format!("outer-{index:04}-{:x}", rng.next_u64());
    let inner = format!("inner-{index:04}-{:x}", rng.next_u64());
    out.extend_from_slice(
        format!("Content-Type: multipart/mixed; boundary=\"{outer}\"\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(b"This is a multi-part message in MIME format.\r\n");
    // The text alternative: quoted-printable plain text and 8-bit HTML.
    out.extend_from_slice(format!("--{outer}\r\n").as_bytes());
    out.extend_from_slice(
        format!("Content-Type: multipart/alternative; boundary=\"{inner}\"\r\n\r\n").as_bytes(),
    );
    let sample = rng.pick(SAMPLES);
    let len = 2_000 + rng.below(30_000);
    let text = body_text(rng, sample, len);
    out.extend_from_slice(
        format!(
            "--{inner}\r\nContent-Type: text/plain; charset=\"{}\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n",
            sample.charset
        )
        .as_bytes(),
    );
    out.extend_from_slice(&quoted_printable::encode(&text));
    let sample = rng.pick(SAMPLES);
    let len = 2_000 + rng.below(30_000);
    let html = body_text(rng, sample, len);
    out.extend_from_slice(
        format!(
            "\r\n--{inner}\r\nContent-Type: text/html; charset={}\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\n<html><body><p>",
            sample.charset
        )
        .as_bytes(),
    );
    out.extend_from_slice(&html);
    out.extend_from_slice(format!("</p></body></html>\r\n--{inner}--\r\n").as_bytes());
    // Attachments: 10 KB to 5 MB, log-uniform, random bytes so they really are binary.
    for n in 0..1 + rng.below(3) {
        let exponent = 4.0 + (rng.below(1_000) as f64 / 1_000.0) * (5.0_f64.log10() + 2.0);
        let size = 10f64.powf(exponent) as usize;
        let mut data = vec![0u8; size];
        rng.fill(&mut data);
        let (ctype, name) = *rng.pick(&[
            ("application/pdf", "report"),
            ("image/png", "photo"),
            ("application/octet-stream", "data"),
            ("application/zip", "archive"),
        ]);
        out.extend_from_slice(
            format!(
                "--{outer}\r\nContent-Type: {ctype}; name=\"{name}-{n}\"\r\n\
                 Content-Disposition: attachment; filename*=UTF-8''{name}-%C3%A9t%C3%A9-{n}\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n"
            )
            .as_bytes(),
        );
        base64::encode_into(&data, &mut out);
    }
    out.extend_from_slice(format!("--{outer}--\r\n").as_bytes());
    out
}

/// Header-heavy corpus: `count` small messages with long header blocks; about one in six is
/// malformed in one of several real-world ways.
pub fn header_heavy(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count).map(|_| header_message(&mut rng)).collect()
}

fn header_message(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let hops = 4 + rng.below(10);
    envelope_headers(rng, hops, &mut out);
    for i in 0..5 + rng.below(20) {
        let line = format!(
            "X-Header-{i}: value {} {}\r\n",
            rng.next_u64(),
            rng.pick(SUBJECT_WORDS)
        );
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(
        format!(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={}; s=sel;\r\n\
             \th=from:to:subject:date:message-id; bh={:016x}{:016x}=;\r\n\
             \tb={:016x}{:016x}{:016x}{:016x}\r\n",
            rng.pick(DOMAINS),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        )
        .as_bytes(),
    );
    let sample = rng.pick(SAMPLES);
    out.extend_from_slice(
        format!(
            "Content-Type: text/plain; charset={}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            sample.charset
        )
        .as_bytes(),
    );
    let len = 200 + rng.below(1_500);
    out.extend_from_slice(&body_text(rng, sample, len));
    match rng.below(12) {
        0 => lf_only(out),
        1 => {
            // Raw 8-bit bytes in a header.
            let mut bad = b"Subject: Gr\xfc\xdfe \xe2\x80\x94 raw 8-bit\r\n".to_vec();
            bad.extend_from_slice(&out);
            bad
        }
        2 => {
            // Broken encoded words and a broken date.
            let mut bad =
                b"Subject: =?utf-8?B?not*base64?= =?unknown-8?Q?x=ZZ?= =?utf-8?Q?trunc\r\n\
                  Date: 32 Foo 99 25:61 +9999\r\n"
                    .to_vec();
            bad.extend_from_slice(&out);
            bad
        }
        3 => {
            // No blank line between the headers and the body.
            let mut bad = b"X-First: 1\r\nThis line is body text without a separator\r\n".to_vec();
            bad.extend_from_slice(&out);
            bad
        }
        4 => {
            // A multipart whose closing boundary is missing.
            let mut bad = b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n\
                Content-Type: text/plain\r\n\r\nfirst\r\n--b1\r\n\
                Content-Transfer-Encoding: base64\r\n\r\nYWJj*ZGVm\r\n"
                .to_vec();
            bad.extend_from_slice(&out);
            bad
        }
        _ => out,
    }
}

fn lf_only(message: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    for (i, &b) in message.iter().enumerate() {
        if !(b == b'\r' && message.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}
