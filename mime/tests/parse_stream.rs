//! The streaming front end: events, models whose bodies go to a sink, bounded memory on a
//! large message that is never held whole, and the header-only parse and byte ranges.

use bytes::Bytes;
use mail_kit_mime::model::BodyData;
use mail_kit_mime::parser::{BodySink, EntityKind, Event, MessageStream, Region, StreamParser};
use mail_kit_mime::{Body, HeaderList, parse, parse_headers};

const MESSAGE: &[u8] = b"Subject: s\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\npre\r\n--zz\r\nContent-Type: text/plain\r\n\r\none\r\n--zz\r\n\r\ntwo\r\n--zz--\r\nepi\r\n";

fn events(input: &[u8], chunk: usize) -> Vec<Event> {
    let mut parser = StreamParser::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        parser.feed(piece);
        out.extend(std::iter::from_fn(|| parser.next_event()));
    }
    parser.finish();
    out.extend(std::iter::from_fn(|| parser.next_event()));
    assert!(parser.is_done());
    out
}

/// The bytes an event covers.
fn bytes_of(event: &Event) -> Vec<u8> {
    match event {
        Event::Header(h) => h.raw().unwrap().to_vec(),
        Event::HeadersEnd { separator, .. } => separator.to_vec(),
        Event::Body { data, .. } => data.to_vec(),
        Event::Delimiter { raw, .. } => raw.to_vec(),
        _ => Vec::new(),
    }
}

#[test]
fn events_in_order_cover_the_input() {
    let evs = events(MESSAGE, 5);
    assert_eq!(evs.iter().flat_map(bytes_of).collect::<Vec<_>>(), MESSAGE);
    let shape: Vec<String> = evs
        .iter()
        .filter_map(|e| match e {
            Event::Body { .. } => None,
            e => Some(e),
        })
        .map(|e| match e {
            Event::EntityStart { .. } => "start".to_string(),
            Event::Header(h) => h.name_str().to_string(),
            Event::HeadersEnd { kind, .. } => match kind {
                EntityKind::Multipart { boundary } => format!("multipart {boundary}"),
                EntityKind::Leaf => "leaf".into(),
                EntityKind::Message => "message".into(),
            },
            Event::Delimiter { close, .. } => if *close { "close" } else { "delimiter" }.into(),
            Event::Defect(d) => format!("defect {d}"),
            Event::EntityEnd | Event::Body { .. } => "end".into(),
        })
        .collect();
    assert_eq!(
        shape,
        [
            "start",
            "Subject",
            "Content-Type",
            "multipart zz",
            "delimiter",
            "start",
            "Content-Type",
            "leaf",
            "end",
            "delimiter",
            "start",
            "leaf",
            "end",
            "close",
            "end"
        ]
    );
    // Body chunks, joined while no other event comes between them.
    let mut bodies: Vec<(Region, Vec<u8>)> = Vec::new();
    let mut joining = false;
    for e in &evs {
        match e {
            Event::Body { region, data } if joining => {
                bodies.last_mut().unwrap().1.extend_from_slice(data)
            }
            Event::Body { region, data } => {
                bodies.push((*region, data.to_vec()));
                joining = true;
            }
            _ => joining = false,
        }
    }
    assert_eq!(
        bodies,
        [
            (Region::Preamble, b"pre".to_vec()),
            (Region::Leaf, b"one".to_vec()),
            (Region::Leaf, b"two".to_vec()),
            (Region::Epilogue, b"\r\nepi\r\n".to_vec()),
        ]
    );
}

/// A sink that counts bytes per region and remembers the leaf contents it was given.
#[derive(Default)]
struct Collect {
    leaves: Vec<Vec<u8>>,
    total: u64,
    taking: bool,
}

impl BodySink for Collect {
    fn begin(&mut self, region: Region, headers: &HeaderList, path: &[usize]) -> bool {
        self.taking = region == Region::Leaf;
        if self.taking {
            assert_eq!(path.len(), 1, "parts of the root multipart");
            assert!(headers.len() <= 2);
            self.leaves.push(Vec::new());
        }
        self.taking
    }
    fn write(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        if let Some(last) = self.leaves.last_mut().filter(|l| l.len() < 1024) {
            last.extend_from_slice(&data[..data.len().min(1024 - last.len())]);
        }
    }
    fn end(&mut self) {
        self.taking = false;
    }
}

#[test]
fn bodies_go_to_the_sink() {
    let mut stream = MessageStream::new(Collect::default());
    for piece in MESSAGE.chunks(3) {
        stream.feed(piece);
    }
    let (message, sink) = stream.finish();
    assert_eq!(sink.leaves, [b"one".to_vec(), b"two".to_vec()]);
    let Body::Multipart(mp) = message.body() else {
        panic!("not a multipart")
    };
    assert_eq!(
        mp.parts[0].entity.body(),
        &Body::Leaf(BodyData::Sunk { len: 3 })
    );
    assert_eq!(mp.preamble, BodyData::Bytes(Bytes::from_static(b"pre")));
    // A model whose bodies are elsewhere cannot be written.
    assert!(message.to_bytes().is_err());
}

#[test]
fn a_large_message_streams_in_bounded_memory() {
    // 64 MiB of base64 lines inside a multipart, generated chunk by chunk, never held whole.
    let head = b"Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n--=_b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    let line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n";
    let tail = b"--=_b--\r\n";
    let lines = (64 << 20) / line.len();
    let mut stream = MessageStream::new(Collect::default());
    stream.feed(head);
    let chunk: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * 512)
        .collect();
    for _ in 0..lines / 512 {
        stream.feed(&chunk);
    }
    stream.feed(tail);
    let (message, sink) = stream.finish();
    let body_len = (lines / 512 * 512 * line.len() - 2) as u64;
    assert_eq!(sink.total, body_len);
    let Body::Multipart(mp) = message.body() else {
        panic!("not a multipart")
    };
    assert_eq!(
        mp.parts[0].entity.body(),
        &Body::Leaf(BodyData::Sunk { len: body_len })
    );
    assert!(message.defects().is_empty());

    // The event parser holds no more than the chunk it was just fed plus one held-back line.
    let mut parser = StreamParser::new();
    parser.feed(head);
    while parser.next_event().is_some() {}
    for _ in 0..64 {
        parser.feed(&chunk);
        while parser.next_event().is_some() {}
        assert!(
            parser.buffered() <= line.len(),
            "held {}",
            parser.buffered()
        );
    }
}

#[test]
fn header_only_parse_and_ranges() {
    let headers = parse_headers(MESSAGE);
    assert_eq!(headers.len(), 2);
    assert_eq!(headers.separator(), &b"\r\n"[..]);
    let m = parse(MESSAGE);
    assert_eq!(&headers, m.headers());
    for (_, entity) in m.walk() {
        let r = entity.ranges().unwrap();
        let bytes = entity.to_bytes().unwrap();
        assert_eq!(
            &MESSAGE[r.header_start as usize..r.end as usize],
            bytes,
            "{r:?}"
        );
        let body = &MESSAGE[r.body_start as usize..r.end as usize];
        if let Body::Leaf(BodyData::Bytes(b)) = entity.body() {
            assert_eq!(body, b);
        }
    }
}
