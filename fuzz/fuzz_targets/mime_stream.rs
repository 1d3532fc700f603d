//! The streaming MIME parser: fed in random chunks (sizes taken from the first bytes), it
//! builds the same model as the whole-buffer parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::parser::{KeepInMemory, MessageStream};
use mail_kit_mime::{Limits, parse_with};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let (sizes, input) = rest.split_at(rest.len().min(usize::from(seed % 16)));
    let limits = Limits {
        max_depth: 5,
        max_parts: 20,
        max_header_bytes: 256,
        max_headers: 8,
        max_line_length: 40,
        ..Limits::default()
    };
    let whole = parse_with(input.to_vec(), &limits);
    let mut stream = MessageStream::with_limits(&limits, KeepInMemory);
    let mut at = 0;
    let mut sizes = sizes.iter().cycle();
    while at < input.len() {
        let size = sizes.next().map_or(input.len(), |&s| usize::from(s) + 1);
        let end = input.len().min(at + size);
        stream.feed(&input[at..end]);
        at = end;
    }
    assert_eq!(stream.finish().0, whole);
});
