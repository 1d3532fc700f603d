//! Building the model from [`Event`]s; used by both front ends.

use bytes::{Bytes, BytesMut};

use crate::model::{
    Body, BodyData, ByteRanges, CloseDelimiter, Entity, Header, HeaderList, Message, Multipart,
    Part,
};
use crate::parser::event::{EntityKind, Event, Region};

/// Where the streaming parser puts body bytes (leaf bodies, preambles, epilogues) when building
/// a model, so that they need not stay in memory.
///
/// For each non-empty body region the builder calls [`begin`](BodySink::begin); when that
/// returns `true` the region's bytes go to [`write`](BodySink::write) (in order, possibly in
/// many chunks) and the model keeps only their length ([`BodyData::Sunk`]); then
/// [`end`](BodySink::end) is called. When it returns `false`, the bytes are kept in the model.
pub trait BodySink {
    /// A body region of the entity with `headers` begins (its path: indexes of the parts from
    /// the root, nested messages counting as one level with index 0). Return `true` to take it.
    fn begin(&mut self, region: Region, headers: &HeaderList, path: &[usize]) -> bool;
    /// Bytes of the region (still transfer-encoded).
    fn write(&mut self, data: &[u8]);
    /// The region is complete.
    fn end(&mut self);
}

/// A sink that takes nothing: every body stays in the model.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepInMemory;

impl BodySink for KeepInMemory {
    fn begin(&mut self, _: Region, _: &HeaderList, _: &[usize]) -> bool {
        false
    }
    fn write(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
}

/// Room for the fields of a root entity (whose header blocks, with their `Received` chains,
/// often hold 20 to 50 fields) and of a part, so that the list seldom grows while read (at most
/// once for a usual root). Not shrunk afterwards: that costs a reallocation per entity, for at
/// most a few unused kilobytes (a model held per message in a large mailbox stays small).
const ROOT_FIELDS: usize = 32;
const PART_FIELDS: usize = 8;

/// Bytes of the body region being read.
#[derive(Debug, Default)]
enum Acc {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
    Sunk(u64),
}

/// An entity under construction.
#[derive(Debug)]
struct Building {
    entity: Entity,
    header_start: u64,
    body_start: u64,
    acc: Acc,
    region: Region,
    pending_delimiter: Option<Bytes>,
}

/// The model builder.
#[derive(Debug)]
pub(crate) struct Builder<S> {
    sink: S,
    stack: Vec<Building>,
    path: Vec<usize>,
    offset: u64,
    root: Option<Entity>,
}

impl<S: BodySink> Builder<S> {
    pub(crate) fn new(sink: S) -> Self {
        Builder {
            sink,
            stack: Vec::new(),
            path: Vec::new(),
            offset: 0,
            root: None,
        }
    }

    /// The sink, to inspect during the parse.
    pub(crate) fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// Takes one event covering `len` input bytes.
    pub(crate) fn event(&mut self, event: Event, len: usize) {
        let start = self.offset;
        self.offset += len as u64;
        match event {
            Event::EntityStart { default_type } => {
                if let Some(parent) = self.stack.last_mut() {
                    self.path.push(match &parent.entity.body {
                        Body::Multipart(mp) => mp.parts.len(),
                        _ => 0,
                    });
                }
                let capacity = if self.stack.is_empty() {
                    ROOT_FIELDS
                } else {
                    PART_FIELDS
                };
                let mut entity = Entity::new(
                    HeaderList::with_capacity(capacity),
                    Body::Leaf(BodyData::default()),
                );
                entity.default_type = default_type;
                self.stack.push(Building {
                    entity,
                    header_start: start,
                    body_start: start,
                    acc: Acc::Empty,
                    region: Region::Leaf,
                    pending_delimiter: None,
                });
            }
            Event::Header(h) => self.push_header(h),
            Event::HeadersEnd {
                separator,
                kind,
                content_type,
            } => {
                if let Some(b) = self.stack.last_mut() {
                    b.entity.headers.separator = separator;
                    b.entity.set_content_type(*content_type);
                    b.body_start = self.offset;
                    if let EntityKind::Multipart { boundary } = kind {
                        b.region = Region::Preamble;
                        b.entity.body = Body::Multipart(Multipart {
                            boundary,
                            preamble: BodyData::default(),
                            parts: Vec::new(),
                            close: CloseDelimiter::Missing,
                            epilogue: BodyData::default(),
                        });
                    }
                }
            }
            Event::Body { region, data } => self.body(region, data),
            Event::Delimiter { raw, close } => {
                self.flush();
                if let Some(b) = self.stack.last_mut() {
                    if close {
                        if let Body::Multipart(mp) = &mut b.entity.body {
                            mp.close = CloseDelimiter::Raw(raw);
                        }
                        b.region = Region::Epilogue;
                    } else {
                        b.pending_delimiter = Some(raw);
                    }
                }
            }
            Event::Defect(d) => {
                if let Some(b) = self.stack.last_mut() {
                    b.entity.defects.push(d);
                }
            }
            Event::EntityEnd => self.end_entity(),
        }
    }

    /// Takes one header field covering `len` input bytes: what [`event`](Self::event) does
    /// with an [`Event::Header`], without building and matching the event (the hot path of a
    /// whole-buffer parse).
    pub(crate) fn header(&mut self, header: Header, len: usize) {
        self.offset += len as u64;
        self.push_header(header);
    }

    fn push_header(&mut self, header: Header) {
        if let Some(b) = self.stack.last_mut() {
            b.entity.headers.fields.push(header);
        }
    }

    fn body(&mut self, region: Region, data: Bytes) {
        let Some(b) = self.stack.last_mut() else {
            return;
        };
        b.region = region;
        b.acc = match std::mem::take(&mut b.acc) {
            Acc::Empty => {
                if self.sink.begin(region, &b.entity.headers, &self.path) {
                    self.sink.write(&data);
                    Acc::Sunk(data.len() as u64)
                } else {
                    Acc::One(data)
                }
            }
            Acc::One(first) => {
                let mut many = BytesMut::with_capacity(first.len() + data.len());
                many.extend_from_slice(&first);
                many.extend_from_slice(&data);
                Acc::Many(many)
            }
            Acc::Many(mut many) => {
                many.extend_from_slice(&data);
                Acc::Many(many)
            }
            Acc::Sunk(len) => {
                self.sink.write(&data);
                Acc::Sunk(len + data.len() as u64)
            }
        };
    }

    /// Stores the bytes read so far in the region they belong to.
    fn flush(&mut self) {
        let Some(b) = self.stack.last_mut() else {
            return;
        };
        let data = match std::mem::take(&mut b.acc) {
            Acc::Empty => return,
            Acc::One(bytes) => BodyData::Bytes(bytes),
            Acc::Many(many) => BodyData::Bytes(many.freeze()),
            Acc::Sunk(len) => {
                self.sink.end();
                BodyData::Sunk { len }
            }
        };
        match (&mut b.entity.body, b.region) {
            (Body::Multipart(mp), Region::Preamble) => mp.preamble = data,
            (Body::Multipart(mp), _) => mp.epilogue = data,
            (body, _) => *body = Body::Leaf(data),
        }
    }

    fn end_entity(&mut self) {
        self.flush();
        let Some(b) = self.stack.pop() else {
            return;
        };
        let mut entity = b.entity;
        entity.ranges = Some(ByteRanges {
            header_start: b.header_start,
            body_start: b.body_start,
            end: self.offset,
        });
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(entity);
            return;
        };
        self.path.pop();
        match &mut parent.entity.body {
            Body::Multipart(mp) => mp.parts.push(Part {
                delimiter: parent.pending_delimiter.take(),
                entity,
            }),
            body => *body = Body::Message(Box::new(Message::new(entity))),
        }
    }

    /// The message, once every entity has ended (or what was built so far otherwise).
    pub(crate) fn finish(mut self) -> (Message, S) {
        while !self.stack.is_empty() {
            self.end_entity();
        }
        let root = self
            .root
            .take()
            .unwrap_or_else(|| Entity::new(HeaderList::default(), Body::Leaf(BodyData::default())));
        (Message::new(root), self.sink)
    }
}
