//! Building entities: transfer-encoded leaves, multiparts with safe boundaries, and
//! attachments.

use std::hash::{BuildHasher as _, Hasher as _};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use crate::encoding::{
    ContentTransferEncoding, TransportConstraint, base64, choose_encoding, quoted_printable,
};
use crate::guess::content_type_for_file_name;
use crate::header::msg_id::MessageId;
use crate::header::rfc2231::{self, Parameter};
use crate::header::{ContentDisposition, ContentType};
use crate::model::{Body, BodyData, CloseDelimiter, Entity, HeaderList, Message, Multipart, Part};

use super::BuildError;

/// A file to attach, or a resource to show inline (an image an HTML body refers to by
/// `cid:`).
///
/// ```
/// use mail_kit_mime::builder::Attachment;
/// let report = Attachment::from_bytes("Q3 report.pdf", b"%PDF-1.7 ...".to_vec());
/// assert_eq!(report.content_type(), "application/pdf");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
    pub(crate) content_id: Option<MessageId>,
}

impl Attachment {
    /// An attachment from bytes; the content type is guessed from the file name's extension
    /// ([`content_type_for_file_name`]).
    pub fn from_bytes(file_name: &str, data: impl Into<Bytes>) -> Attachment {
        Attachment {
            file_name: file_name.to_owned(),
            content_type: content_type_for_file_name(file_name).to_owned(),
            data: data.into(),
            content_id: None,
        }
    }

    /// An attachment read from a file; its name is the path's last component.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Attachment> {
        let path = path.as_ref();
        let data = std::fs::read(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Attachment::from_bytes(&name, data))
    }

    /// Overrides the guessed content type (`type/subtype`; checked when the message is
    /// built).
    pub fn with_content_type(mut self, content_type: &str) -> Attachment {
        self.content_type = content_type.to_owned();
        self
    }

    /// Makes this an inline resource with the given `Content-ID`: the HTML body refers to it
    /// as `cid:` followed by [`MessageId::as_str`].
    pub fn with_content_id(mut self, content_id: MessageId) -> Attachment {
        self.content_id = Some(content_id);
        self
    }

    /// The file name.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type (`type/subtype`).
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The `Content-ID`, for an inline resource.
    pub fn content_id(&self) -> Option<&MessageId> {
        self.content_id.as_ref()
    }

    /// The entity for this attachment: base64 body (a `message/rfc822` one is parsed and
    /// nested instead, as RFC 2046 allows no base64 there), and the headers of
    /// [`Attachment::headers`].
    pub(crate) fn to_entity(
        &self,
        inline: bool,
        options: &rfc2231::EncodeOptions,
    ) -> Result<Entity, BuildError> {
        let mut headers = self.headers(inline, options)?;
        if self.content_type.eq_ignore_ascii_case("message/rfc822")
            || self.content_type.eq_ignore_ascii_case("message/global")
        {
            return message_part(headers, crate::parse(self.data.clone()));
        }
        headers.set_structured("Content-Transfer-Encoding", "base64")?;
        let encoded = base64::encode(&self.data);
        Ok(Entity::new(
            headers,
            Body::Leaf(BodyData::Bytes(encoded.into())),
        ))
    }

    /// `Content-Type` with a `name` and `Content-Disposition` (`attachment`, or `inline` when
    /// `inline`) with a `filename`, both RFC 2231-encoded (and RFC 2047 too with
    /// `options.outlook_rfc2047`), and the `Content-ID` when there is one.
    pub(crate) fn headers(
        &self,
        inline: bool,
        options: &rfc2231::EncodeOptions,
    ) -> Result<HeaderList, BuildError> {
        let (media_type, subtype) = self
            .content_type
            .split_once('/')
            .ok_or_else(|| BuildError::ContentType(self.content_type.clone()))?;
        let mut ct = ContentType::new(media_type, subtype);
        let mut cd = ContentDisposition::new(if inline { "inline" } else { "attachment" });
        if !self.file_name.is_empty() {
            ct.parameters
                .params
                .push(parameter("name", &self.file_name));
            cd.parameters
                .params
                .push(parameter("filename", &self.file_name));
        }
        let mut headers = HeaderList::new();
        headers.set_content_type(&ct, options)?;
        headers.set_content_disposition(&cd, options)?;
        if let Some(id) = &self.content_id {
            headers.set_content_id(id)?;
        }
        Ok(headers)
    }
}

/// A part with `headers` whose body is `message` (written back byte for byte), with
/// `Content-Transfer-Encoding: 8bit` when its bytes have 8-bit bytes (or `binary` when they
/// have NUL bytes or long lines).
pub(crate) fn message_part(
    mut headers: HeaderList,
    message: Message,
) -> Result<Entity, BuildError> {
    let bytes = message.to_bytes().unwrap_or_default();
    let cte = choose_encoding(&bytes, TransportConstraint::Binary);
    if cte != ContentTransferEncoding::SevenBit {
        headers.set_structured("Content-Transfer-Encoding", cte.as_str())?;
    }
    Ok(Entity::new(headers, Body::Message(Box::new(message))))
}

/// A plain parameter (the encoder decides how to write it).
pub(crate) fn parameter(name: &str, value: &str) -> Parameter {
    Parameter {
        name: name.to_owned(),
        value: value.to_owned(),
        charset: None,
        language: None,
        rfc2231: false,
    }
}

/// Text with every line ending (CRLF, LF or CR) made CRLF, as text on the wire must be.
pub(crate) fn to_crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A `text/SUBTYPE; charset=utf-8` leaf: line endings made CRLF, then the best transfer
/// encoding under `constraint` (`7bit`, `8bit`, quoted-printable or base64).
pub(crate) fn text_entity(
    subtype: &str,
    text: &str,
    constraint: TransportConstraint,
) -> Result<Entity, BuildError> {
    let data = to_crlf(text);
    let cte = choose_encoding(&data, constraint);
    let body = encode_body(&data, &cte);
    let mut ct = ContentType::new("text", subtype);
    ct.parameters.params.push(parameter("charset", "utf-8"));
    let mut headers = HeaderList::new();
    headers.set_content_type(&ct, &rfc2231::EncodeOptions::default())?;
    headers.set_structured("Content-Transfer-Encoding", cte.as_str())?;
    Ok(Entity::new(headers, Body::Leaf(BodyData::Bytes(body))))
}

/// `data` encoded for `cte` (identity for 7bit, 8bit and binary).
pub(crate) fn encode_body(data: &[u8], cte: &ContentTransferEncoding) -> Bytes {
    match cte {
        ContentTransferEncoding::QuotedPrintable => quoted_printable::encode(data).into(),
        ContentTransferEncoding::Base64 => base64::encode(data).into(),
        _ => Bytes::copy_from_slice(data),
    }
}

/// A `multipart/SUBTYPE` entity holding `parts`, with a fresh boundary that occurs in none of
/// them, and `parameters` after the boundary (e.g. `type` for `multipart/related`).
pub(crate) fn multipart_entity(
    subtype: &str,
    parameters: &[(&str, &str)],
    parts: Vec<Entity>,
) -> Result<Entity, BuildError> {
    let boundary = loop {
        let candidate = generate_boundary();
        if !parts
            .iter()
            .any(|p| contains_in_tree(p, candidate.as_bytes()))
        {
            break candidate;
        }
    };
    let mut ct = ContentType::new("multipart", subtype);
    ct.parameters.params.push(parameter("boundary", &boundary));
    for (name, value) in parameters {
        ct.parameters.params.push(parameter(name, value));
    }
    let mut headers = HeaderList::new();
    headers.set_content_type(&ct, &rfc2231::EncodeOptions::default())?;
    let body = Body::Multipart(Multipart {
        boundary,
        preamble: BodyData::default(),
        parts: parts
            .into_iter()
            .map(|entity| Part {
                delimiter: None,
                entity,
            })
            .collect(),
        close: CloseDelimiter::Canonical,
        epilogue: BodyData::default(),
    });
    Ok(Entity::new(headers, body))
}

/// A new boundary: `=_mk_` and 32 hexadecimal digits, unique per process. `=_` can never occur
/// in base64 or quoted-printable text; other bodies are checked by the caller.
pub(crate) fn generate_boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut hasher = std::hash::RandomState::new().build_hasher();
    hasher.write_u64(count);
    hasher.write_u32(std::process::id());
    format!("=_mk_{:016x}{count:016x}", hasher.finish())
}

/// Whether `needle` occurs in a header block or body anywhere in the tree of `entity`
/// (iterative, so any depth is safe).
pub(crate) fn contains_in_tree(entity: &Entity, needle: &[u8]) -> bool {
    let finder = memchr::memmem::Finder::new(needle);
    let mut stack = vec![entity];
    while let Some(e) = stack.pop() {
        if e.headers().iter().any(|h| finder.find(h.value()).is_some()) {
            return true;
        }
        match e.body() {
            Body::Leaf(data) | Body::Multipart(Multipart { preamble: data, .. })
                if data.bytes().is_some_and(|b| finder.find(b).is_some()) =>
            {
                return true;
            }
            Body::Leaf(_) => {}
            Body::Multipart(mp) => {
                if mp
                    .epilogue
                    .bytes()
                    .is_some_and(|b| finder.find(b).is_some())
                {
                    return true;
                }
                stack.extend(mp.parts.iter().map(|p| &p.entity));
            }
            Body::Message(m) => stack.push(m.root()),
        }
    }
    false
}
