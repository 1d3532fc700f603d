//! mbox reading: the streaming splitter, fed in random chunks (sizes taken from the first
//! bytes), gives the same messages, offsets and `From ` lines as the whole-buffer reader, with
//! every format and option.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_mime::mbox::{MboxEvent, MboxFormat, MboxOptions, MboxReader, MboxSplitter};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let (sizes, input) = rest.split_at(rest.len().min(usize::from(seed % 16)));
    let options = MboxOptions {
        format: if seed & 16 == 0 {
            MboxFormat::Mboxrd
        } else {
            MboxFormat::Mboxo
        },
        honor_content_length: seed & 32 != 0,
        max_separator_line: if seed & 64 == 0 { 1_000 } else { 20 },
    };
    let whole: Vec<(u64, Vec<u8>, Vec<u8>)> =
        MboxReader::new(bytes::Bytes::copy_from_slice(input), options)
            .map(|m| (m.offset, m.from_line.to_vec(), m.data.to_vec()))
            .collect();
    let mut streamed: Vec<(u64, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut on_event = |event: MboxEvent<'_>| match event {
        MboxEvent::Start { offset, from_line } => {
            streamed.push((offset, from_line.to_vec(), Vec::new()))
        }
        MboxEvent::Data(bytes) => streamed
            .last_mut()
            .expect("data after start")
            .2
            .extend_from_slice(bytes),
        MboxEvent::End => {}
    };
    let mut splitter = MboxSplitter::new(options);
    let mut at = 0;
    let mut sizes = sizes.iter().cycle();
    while at < input.len() {
        let size = sizes.next().map_or(input.len(), |&s| usize::from(s) + 1);
        let end = input.len().min(at + size);
        splitter.push(&input[at..end], &mut on_event);
        at = end;
    }
    splitter.finish(&mut on_event);
    assert_eq!(streamed, whole);
});
