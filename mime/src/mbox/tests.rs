use bytes::Bytes;
use quickcheck::{Arbitrary, Gen, QuickCheck};

use super::*;

const FROM_A: &[u8] = b"From alice@example.org Fri Dec  4 18:00:00 2026";
const FROM_B: &[u8] = b"From bob@example.org Fri Dec  4 18:00:01 2026";

fn read(file: &[u8], options: MboxOptions) -> Vec<MboxMessage> {
    MboxReader::new(Bytes::copy_from_slice(file), options).collect()
}

/// The splitter's view of `file` fed in chunks of `chunk` bytes: (offset, from line, data).
fn split(file: &[u8], chunk: usize, options: MboxOptions) -> Vec<(u64, Vec<u8>, Vec<u8>)> {
    let mut splitter = MboxSplitter::new(options);
    let mut out: Vec<(u64, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut ended = 0;
    let mut on_event = |event: MboxEvent<'_>| match event {
        MboxEvent::Start { offset, from_line } => {
            assert_eq!(ended, out.len(), "Start before the previous End");
            out.push((offset, from_line.to_vec(), Vec::new()));
        }
        MboxEvent::Data(bytes) => out
            .last_mut()
            .expect("data before start")
            .2
            .extend_from_slice(bytes),
        MboxEvent::End => ended += 1,
    };
    for piece in file.chunks(chunk.max(1)) {
        splitter.push(piece, &mut on_event);
    }
    splitter.finish(&mut on_event);
    assert_eq!(ended, out.len(), "every message ends");
    out
}

fn as_tuples(messages: &[MboxMessage]) -> Vec<(u64, Vec<u8>, Vec<u8>)> {
    messages
        .iter()
        .map(|m| (m.offset, m.from_line.to_vec(), m.data.to_vec()))
        .collect()
}

/// Both front ends, at every chunk size up to 40 and a few larger, agree on `file`.
fn assert_front_ends_agree(file: &[u8], options: MboxOptions) -> Vec<MboxMessage> {
    let whole = read(file, options);
    for chunk in (1..40).chain([97, 1_000, file.len() + 1]) {
        assert_eq!(
            split(file, chunk, options),
            as_tuples(&whole),
            "chunk size {chunk}"
        );
    }
    whole
}

fn sample() -> Vec<u8> {
    [
        b"junk before the first separator\n".as_slice(),
        FROM_A,
        b"\nSubject: one\n\nHello\n>From the start\n>>From quoted twice\n\n",
        FROM_B,
        b"\nSubject: two\n\nbody\n\n\n",
    ]
    .concat()
}

#[test]
fn mboxrd_messages_offsets_and_unquoting() {
    let file = sample();
    let messages = assert_front_ends_agree(&file, MboxOptions::default());
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].offset, 32);
    assert_eq!(&messages[0].from_line[..], FROM_A);
    assert_eq!(
        &messages[0].data[..],
        b"Subject: one\n\nHello\nFrom the start\n>From quoted twice\n"
    );
    let second = file
        .windows(FROM_B.len())
        .position(|w| w == FROM_B)
        .unwrap();
    assert_eq!(messages[1].offset, second as u64);
    // Two blank lines before the end: one is the body's, the last the padding.
    assert_eq!(&messages[1].data[..], b"Subject: two\n\nbody\n\n");
}

#[test]
fn mboxo_removes_one_level_only() {
    let options = MboxOptions {
        format: MboxFormat::Mboxo,
        ..MboxOptions::default()
    };
    let messages = assert_front_ends_agree(&sample(), options);
    assert_eq!(
        &messages[0].data[..],
        b"Subject: one\n\nHello\nFrom the start\n>>From quoted twice\n"
    );
}

#[test]
fn crlf_files_keep_their_line_ends() {
    let file = [
        FROM_A,
        b"\r\nSubject: x\r\n\r\n>From y\r\n\r\n",
        FROM_B,
        b"\r\nSubject: z\r\n\r\nw\r\n",
    ]
    .concat();
    let messages = assert_front_ends_agree(&file, MboxOptions::default());
    assert_eq!(&messages[0].from_line[..], FROM_A);
    assert_eq!(&messages[0].data[..], b"Subject: x\r\n\r\nFrom y\r\n");
    assert_eq!(&messages[1].data[..], b"Subject: z\r\n\r\nw\r\n");
}

#[test]
fn unquoted_messages_are_slices_of_the_input() {
    let file = Bytes::from(
        [
            FROM_A,
            b"\nSubject: a\n\nplain\n\n",
            FROM_B,
            b"\nSubject: b\n\n>From q\n",
        ]
        .concat(),
    );
    let range = file.as_ptr() as usize..file.as_ptr() as usize + file.len();
    let messages: Vec<_> = MboxReader::new(file.clone(), MboxOptions::default()).collect();
    assert!(
        range.contains(&(messages[0].data.as_ptr() as usize)),
        "zero-copy slice"
    );
    assert!(range.contains(&(messages[0].from_line.as_ptr() as usize)));
    // The unquoted one is a copy, with the quote removed.
    assert!(!range.contains(&(messages[1].data.as_ptr() as usize)));
    assert_eq!(&messages[1].data[..], b"Subject: b\n\nFrom q\n");
}

#[test]
fn content_length_is_honored_only_when_asked() {
    let file = [
        FROM_A,
        b"\nContent-Length: 21\nSubject: a\n\nline\nFrom inside body\n\n",
        FROM_B,
        b"\nSubject: b\n\nx\n",
    ]
    .concat();
    let honored = MboxOptions {
        honor_content_length: true,
        ..MboxOptions::default()
    };
    let messages = assert_front_ends_agree(&file, honored);
    assert_eq!(messages.len(), 2);
    assert_eq!(
        &messages[0].data[..],
        b"Content-Length: 21\nSubject: a\n\nline\nFrom inside body\n"
    );
    assert_eq!(&messages[1].data[..], b"Subject: b\n\nx\n");
    let plain = assert_front_ends_agree(&file, MboxOptions::default());
    assert_eq!(plain.len(), 3);
    assert_eq!(&plain[1].from_line[..], b"From inside body");
}

#[test]
fn a_lying_content_length_stops_at_the_end_of_the_file() {
    let file = [
        FROM_A,
        b"\nContent-Length: 999999\n\nbody\n\n",
        FROM_B,
        b"\n\nx\n",
    ]
    .concat();
    let honored = MboxOptions {
        honor_content_length: true,
        ..MboxOptions::default()
    };
    let messages = assert_front_ends_agree(&file, honored);
    assert_eq!(messages.len(), 1);
    assert!(messages[0].data.ends_with(b"\nx\n"));
}

#[test]
fn over_long_lines_are_never_separators_and_memory_stays_bounded() {
    let options = MboxOptions {
        max_separator_line: 16,
        ..MboxOptions::default()
    };
    let long_from = b"From someone with a very long separator line\n";
    let file = [
        b"From a\n".as_slice(),
        b"Subject: x\n\n",
        long_from,
        b">From also long enough to skip\n",
    ]
    .concat();
    let messages = assert_front_ends_agree(&file, options);
    assert_eq!(messages.len(), 1);
    // Quoting is still undone on the head of an over-long line.
    assert!(messages[0].data.ends_with(
        b"From someone with a very long separator line\nFrom also long enough to skip\n"
    ));

    let mut splitter = MboxSplitter::new(options);
    let mut total = 0usize;
    let mut on_event = |event: MboxEvent<'_>| {
        if let MboxEvent::Data(bytes) = event {
            total += bytes.len();
        }
    };
    splitter.push(b"From a\n\n", &mut on_event);
    for _ in 0..1_000 {
        splitter.push(&[b'x'; 4_096], &mut on_event);
        assert!(
            splitter.buffered() <= 17,
            "the splitter buffers at most the limit"
        );
    }
    splitter.finish(&mut on_event);
    assert_eq!(total, 1 + 4_096 * 1_000);
}

#[test]
fn no_separator_no_message() {
    assert!(read(b"Subject: not an mbox\n\nbody\n", MboxOptions::default()).is_empty());
    assert!(read(b"", MboxOptions::default()).is_empty());
}

#[test]
fn writer_refuses_bad_separators() {
    let mut out = Vec::new();
    assert!(write_message(&mut out, b"Frm x", b"", MboxFormat::Mboxrd).is_err());
    assert!(write_message(&mut out, b"From x\r\nBcc: y", b"", MboxFormat::Mboxrd).is_err());
    assert!(out.is_empty());
}

/// A message made of lines likely to trip a reader: separators, quoted separators, blank
/// lines, CRLF and bare LF, Content-Length headers.
#[derive(Debug, Clone)]
struct RandomMessage(Vec<u8>);

impl Arbitrary for RandomMessage {
    fn arbitrary(g: &mut Gen) -> Self {
        const LINES: &[&[u8]] = &[
            b"From x",
            b">From y",
            b">>>From z",
            b"From",
            b">From",
            b"",
            b"Subject: s",
            b"Content-Length: 3",
            b"text >From",
            b" From indented",
            b"=?utf-8?Q?caf=C3=A9?=",
        ];
        let mut out = Vec::new();
        for _ in 0..usize::arbitrary(g) % 12 {
            out.extend_from_slice(g.choose(LINES).unwrap());
            if bool::arbitrary(g) {
                out.extend_from_slice(
                    &Vec::<u8>::arbitrary(g)[..]
                        .iter()
                        .copied()
                        .filter(|&b| b != b'\n')
                        .take(8)
                        .collect::<Vec<_>>(),
                );
            }
            out.extend_from_slice(if bool::arbitrary(g) { b"\r\n" } else { b"\n" });
        }
        RandomMessage(out)
    }
}

fn round_trip(messages: Vec<RandomMessage>, chunk: u8) -> bool {
    let mut file = Vec::new();
    for message in &messages {
        write_message(&mut file, FROM_A, &message.0, MboxFormat::Mboxrd).unwrap();
    }
    let read_back = read(&file, MboxOptions::default());
    let expected: Vec<&[u8]> = messages.iter().map(|m| &m.0[..]).collect();
    let got: Vec<&[u8]> = read_back.iter().map(|m| &m.data[..]).collect();
    expected == got && split(&file, chunk as usize, MboxOptions::default()) == as_tuples(&read_back)
}

#[test]
fn quickcheck_written_mboxrd_reads_back() {
    QuickCheck::new()
        .tests(500)
        .quickcheck(round_trip as fn(Vec<RandomMessage>, u8) -> bool);
}
