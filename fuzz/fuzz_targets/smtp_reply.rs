//! The SMTP reply parser on arbitrary bytes, fed whole and then a byte at a time: it must never
//! panic, and both ways must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_core::smtp::ReplyParser;

fuzz_target!(|data: &[u8]| {
    let whole = parse_all(data, data.len().max(1));
    let bytewise = parse_all(data, 1);
    assert_eq!(whole, bytewise);
});

/// Parses every reply in `data`, feeding it `step` bytes at a time.
fn parse_all(data: &[u8], step: usize) -> Vec<Result<(u16, usize), String>> {
    let mut parser = ReplyParser::new(512, 64);
    let mut buf = Vec::new();
    let mut replies = Vec::new();
    for chunk in data.chunks(step) {
        buf.extend_from_slice(chunk);
        loop {
            match parser.parse(&buf) {
                Ok(Some((reply, used))) => {
                    replies.push(Ok((reply.code, reply.lines.len())));
                    buf.drain(..used);
                }
                Ok(None) => break,
                Err(e) => {
                    replies.push(Err(e.to_string()));
                    return replies;
                }
            }
        }
    }
    replies
}
