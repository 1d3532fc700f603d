//! Events of the streaming parser (also what the model builder consumes).

use bytes::Bytes;

use crate::Defect;
use crate::header::ContentType;
use crate::model::{DefaultType, Header};

/// Which body region a chunk of body bytes belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The body of a leaf entity (still transfer-encoded).
    Leaf,
    /// The preamble of a multipart (before its first delimiter).
    Preamble,
    /// The epilogue of a multipart (after its close delimiter).
    Epilogue,
}

/// What the body of an entity is, decided when its header block ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityKind {
    /// A leaf: body chunks follow.
    Leaf,
    /// A multipart with this boundary: preamble, delimiters and parts follow.
    Multipart {
        /// The boundary parameter.
        boundary: String,
    },
    /// A nested message: an [`Event::EntityStart`] for it follows.
    Message,
}

/// One step of a parse, in input order. Concatenating the bytes of every event gives the
/// input back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An entity begins: the root, a part after its delimiter, or the message inside a
    /// `message/rfc822`.
    EntityStart {
        /// What its content type is when it has none.
        default_type: DefaultType,
    },
    /// A header field of the current entity (or a malformed line of its header block).
    Header(Header),
    /// The header block of the current entity ended.
    HeadersEnd {
        /// The blank line as read (empty when missing).
        separator: Bytes,
        /// What the body is.
        kind: EntityKind,
        /// The entity's `Content-Type` as the parser read it (with its limits), or the
        /// default ([`DefaultType`]) when absent or malformed: what
        /// [`Entity::content_type`](crate::Entity::content_type) gives. Boxed, so that every
        /// event stays small.
        content_type: Box<ContentType>,
    },
    /// Body bytes of the current entity (a leaf body, preamble or epilogue); a region may
    /// come in several chunks.
    Body {
        /// Which region.
        region: Region,
        /// The bytes.
        data: Bytes,
    },
    /// A delimiter line of the current multipart (the line break before it included; an open
    /// delimiter includes its own line break, a close delimiter does not).
    Delimiter {
        /// The bytes as read.
        raw: Bytes,
        /// `true` for `--boundary--`.
        close: bool,
    },
    /// Something wrong with the current entity.
    Defect(Defect),
    /// The current entity ended.
    EntityEnd,
}
