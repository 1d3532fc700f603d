//! `message/partial` (RFC 2046 §5.2.2): splitting a message into parts of a maximum size, and
//! joining the parts back.
//!
//! [`split`] writes the message out 7-bit (8-bit or binary parts re-encoded, as RFC 2046
//! requires of `message/partial` bodies; `Bcc` dropped) and cuts the bytes at line ends into
//! bodies of at most `max_size` bytes. Each part is a message of its own: the original's
//! top-level fields except `Content-*`, `Subject`, `Message-ID`, `MIME-Version` and
//! `Encrypted` (§5.2.2.1),
//! then `Subject`, `MIME-Version`, a `Message-ID` of its own, and
//! `Content-Type: message/partial; id="..."; number=N; total=T`.
//!
//! [`join`] takes the parts in any order, checks that they share one id, that the total is
//! known and that every number from 1 to the total is there exactly once, and parses the
//! concatenation of their bodies: the first part's body starts with the enclosed message's
//! own header block, which is what the joined message has (§5.2.2.2: its `Content-*`,
//! `Subject`, `Message-ID`, `Encrypted` and `MIME-Version` come from there).
//!
//! ```
//! use mail_kit_mime::{parse, partial};
//!
//! let body = "line of text\r\n".repeat(50);
//! let original = parse(format!("From: a@example.org\r\nTo: b@example.org\r\nSubject: big\r\n\r\n{body}"));
//! let parts = partial::split(&original, 300, "split-1@example.org").unwrap();
//! assert_eq!(parts.len(), 3);
//! let mut shuffled = parts.clone();
//! shuffled.reverse();
//! let joined = partial::join(&shuffled).unwrap();
//! assert_eq!(joined.text_body(), original.text_body());
//! assert_eq!(joined.headers().value("subject"), original.headers().value("subject"));
//! ```

use bytes::Bytes;

use crate::encoding::TransportConstraint;
use crate::header::msg_id::MessageId;
use crate::model::{Body, BodyData, Entity, Header, HeaderList, Message};
use crate::parse;
use crate::submission::{self, PrepareError, ServerSupport};

/// Why splitting or joining failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartialError {
    /// The maximum part size is too small to make progress (under 80 bytes).
    #[error("maximum part size {0} is too small")]
    SizeTooSmall(usize),
    /// The id is empty or holds a character that cannot go into a quoted parameter.
    #[error("invalid message/partial id")]
    InvalidId,
    /// The message cannot be written 7-bit (see [`PrepareError`]).
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// No parts were given.
    #[error("no parts")]
    NoParts,
    /// A part is not `message/partial` or lacks its `id` or `number`.
    #[error("part {index} is not a message/partial with an id and a number")]
    NotPartial {
        /// Its position in the input.
        index: usize,
    },
    /// The parts do not all have the same id.
    #[error("the parts belong to different messages")]
    MixedIds,
    /// No part gives the total.
    #[error("the total number of parts is unknown")]
    UnknownTotal,
    /// A number from 1 to the total is missing.
    #[error("part {0} is missing")]
    Missing(u32),
    /// A number appears twice, or is outside 1..=total, or parts disagree on the total.
    #[error("part {0} is duplicated or out of range")]
    Unexpected(u32),
    /// A part's body is not in memory (given to a sink by the streaming parser).
    #[error("a part's body is not in memory")]
    NotInMemory,
}

/// Splits `message` into `message/partial` messages whose bodies are at most `max_size` bytes
/// (see the [module docs](self)). A message that fits gives a single part.
pub fn split(message: &Message, max_size: usize, id: &str) -> Result<Vec<Message>, PartialError> {
    if max_size < 80 {
        return Err(PartialError::SizeTooSmall(max_size));
    }
    if id.is_empty() || id.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        return Err(PartialError::InvalidId);
    }
    let support = ServerSupport {
        body: TransportConstraint::SevenBit,
        smtp_utf8: true,
    };
    let bytes = submission::prepare(message, support)?.bytes;
    let chunks = cut(&bytes, max_size);
    let total = chunks.len();
    let domain = id.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let outer: Vec<&Header> = message
        .headers()
        .iter()
        .filter(|h| !h.name().is_empty() && !from_enclosed(h) && !h.is("bcc"))
        .collect();
    Ok(chunks
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let mut headers = HeaderList::new();
            for h in &outer {
                headers.push((*h).clone());
            }
            if let Some(subject) = message.headers().get("subject") {
                headers.push(subject.clone());
            }
            headers.push(Header::new("MIME-Version", " 1.0"));
            headers.push(Header::new(
                "Message-ID",
                format!(" {}", MessageId::generate(domain).to_header_string()),
            ));
            headers.push(Header::new(
                "Content-Type",
                format!(
                    " message/partial; id=\"{id}\"; number={}; total={total}",
                    i + 1
                ),
            ));
            Message::new(Entity::new(headers, Body::Leaf(BodyData::Bytes(body))))
        })
        .collect())
}

/// Cuts `bytes` into pieces of at most `max` bytes, at line ends when a line end falls in the
/// second half of the piece.
fn cut(bytes: &Bytes, max: usize) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while bytes.len() - start > max {
        let window = &bytes[start..start + max];
        let end = match memchr::memrchr(b'\n', window) {
            Some(i) if i + 1 > max / 2 => start + i + 1,
            _ => start + max,
        };
        pieces.push(bytes.slice(start..end));
        start = end;
    }
    pieces.push(bytes.slice(start..));
    pieces
}

/// The `id`, `number` and `total` of a `message/partial` entity.
fn partial_params(entity: &Entity) -> Option<(String, u32, Option<u32>)> {
    let ct = entity.content_type();
    if !ct.is("message", "partial") {
        return None;
    }
    let id = ct.parameter("id")?.to_owned();
    let number = ct.parameter("number")?.trim().parse().ok()?;
    let total = ct.parameter("total").and_then(|t| t.trim().parse().ok());
    Some((id, number, total))
}

/// Joins `message/partial` parts, in any order, into the enclosed message (see the
/// [module docs](self)).
pub fn join(parts: &[Message]) -> Result<Message, PartialError> {
    if parts.is_empty() {
        return Err(PartialError::NoParts);
    }
    let mut numbered: Vec<(u32, &Bytes)> = Vec::with_capacity(parts.len());
    let mut id: Option<String> = None;
    let mut total: Option<u32> = None;
    for (index, part) in parts.iter().enumerate() {
        let (part_id, number, part_total) =
            partial_params(part.root()).ok_or(PartialError::NotPartial { index })?;
        if id.get_or_insert_with(|| part_id.clone()) != &part_id {
            return Err(PartialError::MixedIds);
        }
        if let Some(t) = part_total {
            if total.is_some_and(|known| known != t) {
                return Err(PartialError::Unexpected(number));
            }
            total = Some(t);
        }
        let Body::Leaf(data) = part.body() else {
            return Err(PartialError::NotPartial { index });
        };
        numbered.push((number, data.bytes().ok_or(PartialError::NotInMemory)?));
    }
    let total = total.ok_or(PartialError::UnknownTotal)?;
    numbered.sort_by_key(|(n, _)| *n);
    for (expected, (number, _)) in (1..).zip(&numbered) {
        if *number != expected || expected > total {
            return Err(if *number > expected && *number <= total {
                PartialError::Missing(expected)
            } else {
                PartialError::Unexpected(*number)
            });
        }
    }
    if numbered.len() < total as usize {
        return Err(PartialError::Missing(numbered.len() as u32 + 1));
    }
    let first = parts
        .iter()
        .find(|p| partial_params(p.root()).is_some_and(|(_, n, _)| n == 1))
        .ok_or(PartialError::Missing(1))?;
    let mut joined = Vec::with_capacity(numbered.iter().map(|(_, b)| b.len()).sum());
    for (_, body) in numbered {
        joined.extend_from_slice(body);
    }
    let mut message = parse(joined);
    // §5.2.2.2: the first part's fields but the enclosed ones, then the enclosed message's
    // `Content-*`, `Subject`, `Message-ID`, `Encrypted` and `MIME-Version`; its other fields
    // are dropped.
    let mut fields: Vec<Header> = first
        .headers()
        .iter()
        .filter(|h| !from_enclosed(h))
        .cloned()
        .collect();
    fields.extend(
        message
            .headers()
            .iter()
            .filter(|h| from_enclosed(h))
            .cloned(),
    );
    *message.headers_mut().fields_mut() = fields;
    Ok(message)
}

/// Whether a field of a joined message comes from the enclosed message (RFC 2046 §5.2.2.2).
fn from_enclosed(header: &Header) -> bool {
    let name = header.name_str().to_ascii_lowercase();
    name.starts_with("content-")
        || matches!(
            name.as_str(),
            "subject" | "message-id" | "encrypted" | "mime-version"
        )
}

#[cfg(test)]
mod tests;
