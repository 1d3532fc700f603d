//! The POP3 reply parsers on arbitrary bytes: status lines, greetings, capabilities, and the
//! dot-terminated body decoder fed whole and in random chunks. Nothing may panic; the decoder
//! must give the same body and the same rest however the input is cut, and agree with a plain
//! line-by-line reference.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use mail_kit_core::pop3::{Capabilities, DotDecoder, Greeting, StatusLine};

fuzz_target!(|data: &[u8]| {
    let Some((&step, data)) = data.split_first() else {
        return;
    };
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Ok(StatusLine::Err(refusal)) = StatusLine::parse(line) {
            assert!(!refusal.to_string().chars().any(char::is_control));
        }
        let greeting = Greeting::parse(line);
        if let Some(stamp) = greeting.apop_timestamp {
            assert!(stamp.starts_with('<') && stamp.ends_with('>') && stamp.contains('@'));
        }
    }
    let _ = Capabilities::parse(data.split(|&b| b == b'\n'));

    let whole = decode(data, data.len().max(1));
    let chunked = decode(data, usize::from(step % 17) + 1);
    assert_eq!(whole, chunked);
    assert_eq!(whole, reference(data));
});

/// Decodes `data` fed `step` bytes at a time: the body, and the rest after the terminator (or
/// `None` when there is no terminator).
fn decode(data: &[u8], step: usize) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut decoder = DotDecoder::new();
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    for (i, chunk) in data.chunks(step).enumerate() {
        buf.extend_from_slice(chunk);
        if decoder.decode(&mut buf, |piece| body.extend_from_slice(&piece)) {
            let fed = (i * step + chunk.len()).min(data.len());
            let mut rest = buf.to_vec();
            rest.extend_from_slice(&data[fed..]);
            return (body, Some(rest));
        }
        assert!(buf.len() <= 2, "{} bytes held back", buf.len());
    }
    // Unterminated: everything but what may still start a terminator or a CRLF is out.
    body.extend_from_slice(&buf);
    (body, None)
}

/// The RFC 1939 reading, one CRLF-terminated line at a time: `.` CRLF ends, a leading `..`
/// loses one dot, everything else is data.
fn reference(data: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut body = Vec::new();
    let mut rest = data;
    loop {
        let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
            // An unfinished last line is unstuffed all the same.
            body.extend_from_slice(rest.strip_prefix(b"..").map_or(rest, |_| &rest[1..]));
            return (body, None);
        };
        let line = &rest[..end + 2];
        rest = &rest[end + 2..];
        if line == b".\r\n" {
            return (body, Some(rest.to_vec()));
        }
        body.extend_from_slice(line.strip_prefix(b"..").map_or(line, |_| &line[1..]));
    }
}
