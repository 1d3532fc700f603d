//! The MIME parser: one tokenizer, two front ends.
//!
//! - [`parse`] / [`parse_with`]: whole-buffer and zero-copy. Every header value, delimiter and
//!   body in the resulting [`Message`] is a [`Bytes`] slice of the input, so the parse costs
//!   no copies, and [`Message::write_to`] gives the input back byte for byte.
//! - [`StreamParser`]: push mode. Feed chunks as they arrive (from POP3 `RETR`, IMAP `FETCH`, a
//!   file) and take [`Event`]s, or use [`MessageStream`] to build a [`Message`] whose bodies
//!   go to a [`BodySink`]. Memory stays bounded whatever the message size: the parser holds at
//!   most one header field (≤ [`Limits::max_header_bytes`]) or one candidate delimiter line.
//! - [`parse_headers`]: only the top header block.
//!
//! The parser is lenient and never fails: LF-only or mixed line endings, a missing blank line
//! after the headers, missing or wrong boundaries, 8-bit bytes in headers and the like become
//! [`Defect`](crate::Defect)s on the entity concerned, as do the [`Limits`].
//!
//! Parts of a multipart are delimited by the RFC 2046 rule, exactly: a delimiter line is
//! `--boundary` followed only by optional whitespace (`--boundary--` for the close); the line
//! break before it belongs to the delimiter. A delimiter of an enclosing multipart also ends
//! the inner ones (flagged [`Defect::MissingClosingBoundary`](crate::Defect)).

mod builder;
mod delimiter;
mod event;
mod stream;
mod tokenizer;

use bytes::Bytes;

pub use builder::{BodySink, KeepInMemory};
pub use event::{EntityKind, Event, Region};
pub use stream::{MessageStream, StreamParser};

use crate::Limits;
use crate::model::{Header, HeaderList, Message};
use builder::Builder;
use tokenizer::{Step, Token, Tokenizer};

/// Parses a whole message with the default [`Limits`]; see [`parse_with`].
pub fn parse(input: impl Into<Bytes>) -> Message {
    parse_with(input, &Limits::default())
}

/// Parses a whole message held in memory. Never fails: problems are recorded as defects on
/// the entities (see [`Entity::defects`](crate::Entity::defects)).
///
/// ```
/// let message = mail_kit_mime::parse(&b"Subject: hi\nContent-Type: text/plain\n\nhello\n"[..]);
/// assert_eq!(message.headers().value("subject"), Some(&b" hi"[..]));
/// assert_eq!(message.text_body().as_deref(), Some("hello\n"));
/// ```
pub fn parse_with(input: impl Into<Bytes>, limits: &Limits) -> Message {
    let input = input.into();
    let mut tokenizer = Tokenizer::new(limits.clone());
    let mut builder = Builder::new(KeepInMemory);
    let mut pos = 0;
    while let Step::Token(token) = tokenizer.next(&input[pos..], true) {
        let len = token.len();
        let bytes = if len == 0 {
            Bytes::new()
        } else {
            input.slice(pos..pos + len)
        };
        pos += len;
        match to_event(token, bytes) {
            Event::Header(header) => builder.header(header, len),
            event => builder.event(event, len),
        }
    }
    builder.finish().0
}

/// Parses only the top header block (stopping at the blank line, or where the body would
/// start), with the default [`Limits`].
pub fn parse_headers(input: impl Into<Bytes>) -> HeaderList {
    parse_headers_with(input, &Limits::default())
}

/// Parses only the top header block with `limits`.
pub fn parse_headers_with(input: impl Into<Bytes>, limits: &Limits) -> HeaderList {
    let input = input.into();
    let mut tokenizer = Tokenizer::new(limits.clone());
    let mut headers = HeaderList::default();
    let mut pos = 0;
    while let Step::Token(token) = tokenizer.next(&input[pos..], true) {
        let len = token.len();
        let bytes = input.slice(pos..pos + len);
        pos += len;
        match to_event(token, bytes) {
            Event::Header(h) => headers.fields.push(h),
            Event::HeadersEnd { separator, .. } => {
                headers.separator = separator;
                break;
            }
            _ => {}
        }
    }
    headers
}

/// The public event for a token, given the bytes it covers.
fn to_event(token: Token, bytes: Bytes) -> Event {
    match token {
        Token::EntityStart(default_type) => Event::EntityStart { default_type },
        Token::Field {
            name_start,
            name_end,
            value_start,
            value_end,
            ..
        } => Event::Header(Header::parsed(
            bytes,
            (name_start, name_end),
            (value_start, value_end),
        )),
        Token::Malformed { content_end, .. } => {
            Event::Header(Header::parsed(bytes, (0, 0), (0, content_end)))
        }
        Token::HeadersEnd {
            kind, content_type, ..
        } => Event::HeadersEnd {
            separator: bytes,
            kind,
            content_type,
        },
        Token::Body { region, .. } => Event::Body {
            region,
            data: bytes,
        },
        Token::Delimiter { close, .. } => Event::Delimiter { raw: bytes, close },
        Token::Defect(d) => Event::Defect(d),
        Token::EntityEnd => Event::EntityEnd,
    }
}
