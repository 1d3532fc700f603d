//! An entity (RFC 2045 §2.4): a header block and a body, which is a leaf, a multipart or a
//! nested message.

use bytes::Bytes;

use crate::Defect;
use crate::charset;
use crate::encoding::{ContentTransferEncoding, Decoded, base64, quoted_printable, uuencode};
use crate::header::{ContentDisposition, ContentType};
use crate::model::cached::Cached;
use crate::model::{HeaderList, Message};

/// Where an entity lies in the parsed input (absolute byte offsets), as MimeKit's persistent
/// mode gives: `header_start..body_start` is the header block with its separator,
/// `body_start..end` the body. For a part of a multipart, `end` is where the line break
/// before the next delimiter starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRanges {
    /// Offset of the first header byte.
    pub header_start: u64,
    /// Offset of the first body byte (just after the blank line, when there is one).
    pub body_start: u64,
    /// Offset just after the last body byte.
    pub end: u64,
}

/// What `Content-Type` an entity has when it has none (RFC 2046 §5.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultType {
    /// `text/plain; charset=us-ascii` (everywhere but in a digest).
    #[default]
    TextPlain,
    /// `message/rfc822`: a part of a `multipart/digest`.
    MessageRfc822,
}

/// The bytes of a leaf body (or a preamble or epilogue), still transfer-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyData {
    /// Held in memory (a zero-copy slice of the input after a whole-buffer parse).
    Bytes(Bytes),
    /// Given to a [`BodySink`](crate::parser::BodySink) by the streaming parser; only the
    /// length is kept.
    Sunk {
        /// How many bytes the sink received.
        len: u64,
    },
}

impl BodyData {
    /// The bytes when held in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match self {
            BodyData::Bytes(b) => Some(b),
            BodyData::Sunk { .. } => None,
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            BodyData::Bytes(b) => b.len() as u64,
            BodyData::Sunk { len } => *len,
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for BodyData {
    fn default() -> Self {
        BodyData::Bytes(Bytes::new())
    }
}

/// The close delimiter of a multipart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseDelimiter {
    /// As read: the line break before it, `--boundary--`, and trailing whitespace (its own line
    /// break belongs to the epilogue).
    Raw(Bytes),
    /// The input had none (a defect); nothing is written.
    Missing,
    /// Built or changed: the canonical writer writes `\r\n--boundary--\r\n`.
    Canonical,
}

/// One part of a multipart: the delimiter line that opened it and the entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The delimiter as read (the line break before it, `--boundary`, whitespace, its own
    /// line break), or `None` for a built part (written canonically).
    pub delimiter: Option<Bytes>,
    /// The part itself.
    pub entity: Entity,
}

/// A multipart body (RFC 2046 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    /// The boundary (from the `boundary` parameter).
    pub boundary: String,
    /// Bytes before the first delimiter (kept for the round trip; usually ignored).
    pub preamble: BodyData,
    /// The parts in order.
    pub parts: Vec<Part>,
    /// How the multipart was closed.
    pub close: CloseDelimiter,
    /// Bytes after the close delimiter line (its line break included).
    pub epilogue: BodyData,
}

/// The body of an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A single part: text or binary content, still transfer-encoded.
    Leaf(BodyData),
    /// A multipart with its parts.
    Multipart(Multipart),
    /// A nested message (`message/rfc822`, `message/global`).
    Message(Box<Message>),
}

/// An entity: a header block and a body, with what was found wrong in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub(crate) headers: HeaderList,
    pub(crate) body: Body,
    pub(crate) defects: Vec<Defect>,
    pub(crate) ranges: Option<ByteRanges>,
    pub(crate) default_type: DefaultType,
    /// [`Entity::content_type`], parsed on first use; cleared by [`Entity::headers_mut`].
    content_type: Cached<ContentType>,
}

impl Entity {
    /// An entity from headers and a body (for building).
    pub fn new(headers: HeaderList, body: Body) -> Self {
        Entity {
            headers,
            body,
            defects: Vec::new(),
            ranges: None,
            default_type: DefaultType::TextPlain,
            content_type: Cached::default(),
        }
    }

    /// The header block.
    pub fn headers(&self) -> &HeaderList {
        &self.headers
    }

    /// The header block, to change (see [`HeaderList`]).
    pub fn headers_mut(&mut self) -> &mut HeaderList {
        self.content_type.clear();
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The body, to change.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }

    /// Defects found in this entity (not in its children).
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }

    /// Byte offsets in the parsed input (`None` for a built entity).
    pub fn ranges(&self) -> Option<ByteRanges> {
        self.ranges
    }

    /// The type used when `Content-Type` is absent or malformed.
    pub fn default_type(&self) -> DefaultType {
        self.default_type
    }

    /// Keeps the content type the parser read for [`Entity::content_type`].
    pub(crate) fn set_content_type(&mut self, content_type: ContentType) {
        self.content_type.set(content_type);
    }

    /// The `Content-Type`, or the default ([`DefaultType`]) when absent or malformed.
    pub fn content_type(&self) -> &ContentType {
        self.content_type.get_or_init(|| {
            self.headers
                .value("content-type")
                .and_then(ContentType::parse)
                .unwrap_or_else(|| match self.default_type {
                    DefaultType::TextPlain => ContentType::text_plain_default(),
                    DefaultType::MessageRfc822 => ContentType::message_rfc822(),
                })
        })
    }

    /// The `Content-Disposition`, when present and well-formed.
    pub fn content_disposition(&self) -> Option<ContentDisposition> {
        self.headers
            .value("content-disposition")
            .and_then(ContentDisposition::parse)
    }

    /// The `Content-Transfer-Encoding` (7bit when absent).
    pub fn transfer_encoding(&self) -> ContentTransferEncoding {
        self.headers
            .value("content-transfer-encoding")
            .map(|v| ContentTransferEncoding::parse(&String::from_utf8_lossy(v)))
            .unwrap_or_default()
    }

    /// The file name: `Content-Disposition` `filename`, else `Content-Type` `name`.
    pub fn filename(&self) -> Option<String> {
        if let Some(name) = self
            .content_disposition()
            .and_then(|cd| cd.filename().map(str::to_owned))
        {
            return Some(name);
        }
        self.content_type().parameter("name").map(str::to_owned)
    }

    /// Whether this is an attachment: a leaf or nested message with `Content-Disposition:
    /// attachment`, or a non-text leaf with a file name and no `inline` disposition.
    /// Multiparts never are.
    pub fn is_attachment(&self) -> bool {
        let disposition = self.content_disposition();
        match (&self.body, disposition) {
            (Body::Multipart(_), _) => false,
            (_, Some(cd)) if cd.is_attachment() => true,
            (_, Some(cd)) if cd.is_inline() => false,
            (Body::Message(_), _) => false,
            (Body::Leaf(_), _) => {
                self.content_type().media_type != "text" && self.filename().is_some()
            }
        }
    }

    /// The leaf body with its transfer encoding removed (`None` when not a leaf or not held in
    /// memory). Unknown encodings give the bytes as they are, flagged.
    pub fn decoded_body(&self) -> Option<Decoded> {
        let Body::Leaf(data) = &self.body else {
            return None;
        };
        let raw = data.bytes()?;
        let cte = self.transfer_encoding();
        Some(match remove_transfer_encoding(raw, &cte) {
            Some(decoded) => decoded,
            None => Decoded {
                bytes: raw.to_vec(),
                defect: false,
            },
        })
    }

    /// The text of a `text/*` leaf: transfer encoding removed and decoded from its charset
    /// (us-ascii when unnamed, read as its WHATWG superset windows-1252). Defects found on the
    /// way (bad encoding, unknown charset) are returned with it. `None` when not a text leaf
    /// held in memory.
    pub fn text(&self) -> Option<(String, Vec<Defect>)> {
        let Body::Leaf(data) = &self.body else {
            return None;
        };
        let ct = self.content_type();
        if ct.media_type != "text" {
            return None;
        }
        let raw = data.bytes()?;
        let cte = self.transfer_encoding();
        let mut defects = Vec::new();
        let decoded = remove_transfer_encoding(raw, &cte);
        if decoded.as_ref().is_some_and(|d| d.defect) {
            defects.push(Defect::BadTransferEncoding {
                encoding: cte.to_string(),
            });
        }
        let bytes = decoded.as_ref().map_or(&raw[..], |d| &d.bytes[..]);
        let label = ct.charset().unwrap_or("us-ascii");
        let (text, defect) = charset::decode(label, bytes);
        defects.extend(defect.map(Defect::Charset));
        Some((text, defects))
    }
}

/// Removes a transfer encoding; `None` for the identity encodings (7bit, 8bit, binary), whose
/// bytes are the content. An unknown encoding gives the bytes as they are, flagged.
fn remove_transfer_encoding(raw: &[u8], cte: &ContentTransferEncoding) -> Option<Decoded> {
    Some(match cte {
        ContentTransferEncoding::Base64 => base64::decode(raw),
        ContentTransferEncoding::QuotedPrintable => quoted_printable::decode(raw),
        ContentTransferEncoding::UUEncode => {
            let uu = uuencode::decode(raw);
            Decoded {
                defect: uu.defect,
                bytes: uu.bytes,
            }
        }
        ContentTransferEncoding::Other(_) => Decoded {
            bytes: raw.to_vec(),
            defect: true,
        },
        _ => return None,
    })
}
