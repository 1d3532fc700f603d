//! Writing entities back out.
//!
//! Everything still as parsed is written from its raw bytes, so an unmodified message (or any
//! unmodified subtree) comes out byte for byte as it went in: header fields, the blank line
//! (or its absence), delimiter lines, preamble and epilogue, line endings of any kind. What
//! was changed or built (a [`Header`] not in state [`HeaderState::Parsed`](crate::model::HeaderState::Parsed), a header block with
//! fields added, removed or reordered, a [`Part`](crate::model::Part) without a raw delimiter, a
//! [`CloseDelimiter::Canonical`]) goes through the canonical writer in this file: fields as
//! `Name: value` with CRLF, checked by [`check_raw_value`] (no CR, LF or NUL outside a fold, no
//! line over 998 octets, a valid name; values set through the typed header API are already
//! encoded and folded at 78 columns), CRLF delimiters.

use std::io::{self, Write};

use crate::header::write::check_raw_value;
use crate::model::{Body, BodyData, CloseDelimiter, Entity, Header, HeaderList, Message};

/// One piece of output still to write; an explicit stack keeps deep trees off the call stack.
enum Task<'a> {
    Entity(&'a Entity),
    Data(&'a BodyData),
    Raw(&'a [u8]),
    Delimiter {
        boundary: &'a str,
        leading_break: bool,
        close: bool,
    },
}

impl Entity {
    /// Writes the entity (headers and body); see the [module docs](self) for what is
    /// written verbatim and what canonically. Fails with `InvalidInput` when a body was given
    /// to a sink by the streaming parser and so is not in memory.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut stack = vec![Task::Entity(self)];
        while let Some(task) = stack.pop() {
            match task {
                Task::Raw(bytes) => out.write_all(bytes)?,
                Task::Data(data) => match data {
                    BodyData::Bytes(b) => out.write_all(b)?,
                    BodyData::Sunk { .. } => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "a body was given to a sink and is not in memory",
                        ));
                    }
                },
                Task::Delimiter {
                    boundary,
                    leading_break,
                    close,
                } => {
                    if leading_break {
                        out.write_all(b"\r\n")?;
                    }
                    out.write_all(b"--")?;
                    out.write_all(boundary.as_bytes())?;
                    out.write_all(if close { b"--\r\n" } else { b"\r\n" })?;
                }
                Task::Entity(entity) => {
                    write_headers(&entity.headers, out)?;
                    push_body(&entity.body, &mut stack);
                }
            }
        }
        Ok(())
    }

    /// The entity as bytes (see [`Entity::write_to`]).
    pub fn to_bytes(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }
}

impl Message {
    /// Writes the message; see [`Entity::write_to`].
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        self.root.write_to(out)
    }

    /// The message as bytes; see [`Entity::write_to`].
    pub fn to_bytes(&self) -> io::Result<Vec<u8>> {
        self.root.to_bytes()
    }
}

/// Pushes the tasks that write `body`, in reverse order.
fn push_body<'a>(body: &'a Body, stack: &mut Vec<Task<'a>>) {
    match body {
        Body::Leaf(data) => stack.push(Task::Data(data)),
        Body::Message(m) => stack.push(Task::Entity(&m.root)),
        Body::Multipart(mp) => {
            stack.push(Task::Data(&mp.epilogue));
            match &mp.close {
                CloseDelimiter::Raw(raw) => stack.push(Task::Raw(raw)),
                CloseDelimiter::Missing => {}
                CloseDelimiter::Canonical => stack.push(Task::Delimiter {
                    boundary: &mp.boundary,
                    leading_break: true,
                    close: true,
                }),
            }
            for (i, part) in mp.parts.iter().enumerate().rev() {
                stack.push(Task::Entity(&part.entity));
                match &part.delimiter {
                    Some(raw) => stack.push(Task::Raw(raw)),
                    None => stack.push(Task::Delimiter {
                        boundary: &mp.boundary,
                        leading_break: i > 0 || !mp.preamble.is_empty(),
                        close: false,
                    }),
                }
            }
            stack.push(Task::Data(&mp.preamble));
        }
    }
}

/// Writes a header block: verbatim when pristine, else each field verbatim when parsed and
/// canonically when not, then a CRLF blank line.
fn write_headers(headers: &HeaderList, out: &mut impl Write) -> io::Result<()> {
    if headers.is_pristine() {
        for h in &headers.fields {
            out.write_all(h.raw().map_or(&[][..], |raw| &raw[..]))?;
        }
        return out.write_all(&headers.separator);
    }
    for h in &headers.fields {
        match h.raw() {
            Some(raw) => out.write_all(raw)?,
            None => write_canonical_header(h, out)?,
        }
    }
    out.write_all(b"\r\n")
}

/// The canonical form of a changed or new field: `Name: value` and CRLF, refused
/// (`InvalidData`) when [`check_raw_value`] finds an invalid name, a CR, LF or NUL that is not
/// a fold, or a line over 998 octets, so that nothing can be injected.
fn write_canonical_header(h: &Header, out: &mut impl Write) -> io::Result<()> {
    check_raw_value(h.name_str(), h.value())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    out.write_all(h.name())?;
    out.write_all(b":")?;
    if !matches!(h.value().first(), None | Some(b' ' | b'\t')) {
        out.write_all(b" ")?;
    }
    out.write_all(h.value())?;
    out.write_all(b"\r\n")
}
