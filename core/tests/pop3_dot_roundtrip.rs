//! Byte-stuffing round trip: whatever SMTP's `DataEncoder` writes for a message (line ends
//! normalized to CRLF, leading dots doubled, `.` CRLF appended), POP3's `DotDecoder` reads back
//! as exactly the normalized message, however the stream is cut, and stops right after the
//! terminator.

use bytes::BytesMut;
use mail_kit_core::pop3::DotDecoder;
use mail_kit_core::smtp::DataEncoder;
use quickcheck::{QuickCheck, TestResult};

/// The message as `DataEncoder` normalizes it: every CR, LF or CRLF becomes CRLF, and a final
/// CRLF is added when missing.
fn normalized(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if message.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn round_trip(message: Vec<u8>, cuts: Vec<u8>) -> TestResult {
    let mut encoder = DataEncoder::new(true);
    let mut wire = BytesMut::new();
    encoder.encode(&message, &mut wire);
    encoder.finish(&mut wire);
    wire.extend_from_slice(b"+OK next reply\r\n");

    let mut decoder = DotDecoder::new();
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    let mut rest = &wire[..];
    let mut cuts = cuts.iter().map(|&c| usize::from(c % 16) + 1).cycle();
    let mut done = false;
    while !rest.is_empty() && !done {
        let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        done = decoder.decode(&mut buf, |piece| body.extend_from_slice(&piece));
    }
    buf.extend_from_slice(rest);
    if !done {
        return TestResult::error("the terminator was not found");
    }
    if body != normalized(&message) {
        return TestResult::error(format!("{body:?} != {:?}", normalized(&message)));
    }
    if &buf[..] != b"+OK next reply\r\n" {
        return TestResult::error(format!("left {buf:?}"));
    }
    TestResult::passed()
}

#[test]
fn smtp_stuffing_reads_back_through_the_pop3_decoder() {
    QuickCheck::new()
        .tests(3000)
        .quickcheck(round_trip as fn(Vec<u8>, Vec<u8>) -> TestResult);
}

#[test]
fn dot_heavy_messages_round_trip() {
    for message in [
        &b""[..],
        b".",
        b"..",
        b".\r\n.\r\n",
        b"a\r\n.\r\nb",
        b"\n.\n..\n...\n",
        b".x\r.y\r\n. z",
    ] {
        let r = round_trip(message.to_vec(), vec![1]);
        assert!(!r.is_error(), "{message:?}");
        let r = round_trip(message.to_vec(), vec![]);
        assert!(!r.is_error(), "{message:?}");
    }
}
