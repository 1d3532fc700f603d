//! Properties of the parser on structured random messages: the unmodified round trip is byte
//! identical, and the streaming parser agrees with the whole-buffer parser at every chunk
//! split.

use bytes::Bytes;
use mail_kit_mime::parser::{KeepInMemory, MessageStream};
use mail_kit_mime::{Limits, Message, parse_with};
use quickcheck::{Arbitrary, Gen, QuickCheck};

/// Lines that exercise every path of the tokenizer, joined with random line endings.
const LINES: &[&[u8]] = &[
    b"Content-Type: multipart/mixed; boundary=b1",
    b"Content-Type: multipart/alternative; boundary=\"b2\"",
    b"Content-Type: multipart/digest; boundary=b1",
    b"Content-Type: message/rfc822",
    b"Content-Type: text/plain; charset=utf-8",
    b"Content-Type: multipart/mixed; boundary=\"\"",
    b"Content-Type: multipart/mixed",
    b"Content-Type: ",
    b"Content-Transfer-Encoding: base64",
    b"Subject: hello",
    b"Subject: caf\xc3\xa9",
    b" folded",
    b"\tfolded",
    b"From someone",
    b"not a header",
    b"--b1",
    b"--b1--",
    b"--b1 \t",
    b"--b1-- ",
    b"--b10",
    b"--b1-",
    b"--b2",
    b"--b2--",
    b"--",
    b"-",
    b"",
    b"",
    b"body text",
    b"SGVsbG8=",
];

const ENDINGS: &[&[u8]] = &[b"\r\n", b"\r\n", b"\n", b"\n", b"\r", b""];

#[derive(Clone, Debug)]
struct Input(Vec<u8>);

impl Arbitrary for Input {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = usize::arbitrary(g) % (g.size() + 1);
        let mut out = Vec::new();
        for _ in 0..n {
            out.extend_from_slice(g.choose(LINES).unwrap());
            out.extend_from_slice(g.choose(ENDINGS).unwrap());
        }
        if bool::arbitrary(g) {
            out.extend(Vec::<u8>::arbitrary(g).into_iter().take(8));
        }
        Input(out)
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(self.0.shrink().map(Input))
    }
}

/// Small limits so that random inputs hit them too.
fn small_limits() -> Limits {
    Limits {
        max_depth: 4,
        max_parts: 6,
        max_header_bytes: 120,
        max_headers: 5,
        max_line_length: 40,
        ..Limits::default()
    }
}

fn streamed(input: &[u8], splits: &[usize], limits: &Limits) -> Message {
    let mut stream = MessageStream::with_limits(limits, KeepInMemory);
    let mut start = 0;
    for &end in splits {
        stream.feed(&input[start..end]);
        start = end;
    }
    stream.feed(&input[start..]);
    stream.finish().0
}

fn check_all_splits(input: &[u8], limits: &Limits) -> bool {
    let whole = parse_with(Bytes::copy_from_slice(input), limits);
    if whole.to_bytes().unwrap() != input {
        return false;
    }
    (0..=input.len()).all(|i| streamed(input, &[i], limits) == whole)
        && streamed(input, &(1..input.len()).collect::<Vec<_>>(), limits) == whole
        && (1..input.len()).all(|i| streamed(input, &[i - 1, i], limits) == whole)
}

#[test]
fn round_trip_and_every_split_agree() {
    fn prop(input: Input) -> bool {
        check_all_splits(&input.0, &Limits::default())
            && check_all_splits(&input.0, &small_limits())
    }
    QuickCheck::new()
        .rng(Gen::new(16))
        .tests(300)
        .quickcheck(prop as fn(Input) -> bool);
}

#[test]
fn random_chunkings_of_larger_inputs_agree() {
    fn prop(input: Input, cuts: Vec<u16>) -> bool {
        let input = input.0;
        let whole = parse_with(Bytes::copy_from_slice(&input), &Limits::default());
        let mut splits: Vec<usize> = cuts
            .iter()
            .map(|&c| usize::from(c) % (input.len() + 1))
            .collect();
        splits.sort_unstable();
        whole.to_bytes().unwrap() == input && streamed(&input, &splits, &Limits::default()) == whole
    }
    QuickCheck::new()
        .rng(Gen::new(200))
        .tests(200)
        .quickcheck(prop as fn(Input, Vec<u16>) -> bool);
}

#[test]
fn arbitrary_bytes_round_trip() {
    fn prop(input: Vec<u8>) -> bool {
        let whole = parse_with(Bytes::from(input.clone()), &small_limits());
        whole.to_bytes().unwrap() == input
            && streamed(&input, &[input.len() / 2], &small_limits()) == whole
    }
    QuickCheck::new()
        .tests(500)
        .quickcheck(prop as fn(Vec<u8>) -> bool);
}
