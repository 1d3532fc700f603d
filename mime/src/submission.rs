//! Getting a message ready for SMTP: its envelope, and its bytes as the server can take them.
//!
//! - [`envelope`]: the reverse path from `Sender` (else `From`), the recipients from `To`,
//!   `Cc` and `Bcc`; when the message carries `Resent-*` fields (it is being re-sent), the
//!   first (topmost) resent block's `Resent-Sender`/`Resent-From` and
//!   `Resent-To`/`Resent-Cc`/`Resent-Bcc` instead.
//! - [`prepare`]: the bytes to send, with `Bcc` and `Resent-Bcc` removed (everything else
//!   byte-identical when nothing has to change), and the body type to announce: 7bit,
//!   8BITMIME or BINARYMIME, chosen from what the content needs and the server supports. Parts
//!   the server cannot take (8-bit text without 8BITMIME, binary without BINARYMIME) are
//!   re-encoded, quoted-printable for text and base64 otherwise, unless the message carries a
//!   `DKIM-Signature` or `ARC-Seal`: re-encoding would break the signature, so that is refused
//!   with [`PrepareError::Signed`].

use bytes::Bytes;

use crate::encoding::{TransportConstraint, required_constraint};
use crate::header::address::parse_address_list;
use crate::model::{Body, Header, HeaderList, Message};

/// Why a message cannot be sent as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrepareError {
    /// No `Sender` or `From` (or `Resent-Sender`/`Resent-From`) with a usable address.
    #[error("the message has no sender address (Sender or From)")]
    NoSender,
    /// No address in `To`, `Cc` or `Bcc` (or their `Resent-` forms).
    #[error("the message has no recipient (To, Cc or Bcc)")]
    NoRecipients,
    /// The server lacks 8BITMIME or BINARYMIME for this content, and the message is signed
    /// (the named field), so it is not re-encoded.
    #[error("the server needs the content re-encoded, which would break its {field}")]
    Signed {
        /// `DKIM-Signature` or `ARC-Seal`.
        field: &'static str,
    },
    /// Header fields hold 8-bit (UTF-8) text and the server lacks SMTPUTF8.
    #[error("8-bit header fields need a server with SMTPUTF8")]
    NeedsSmtpUtf8,
    /// A body was given to a sink by the streaming parser and is not in memory.
    #[error("a body of the message is not in memory")]
    NotInMemory,
    /// After re-encoding, 8-bit or binary bytes remain outside any part (in a preamble or an
    /// epilogue) that the server cannot take.
    #[error("8-bit bytes outside any part, which the server cannot take")]
    Unrepresentable,
    /// The message could not be written (an invalid changed header field).
    #[error("the message cannot be written: {0}")]
    Write(String),
}

/// The envelope of a message: reverse path and recipients, as `addr-spec` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEnvelope {
    /// The reverse path (`MAIL FROM`).
    pub from: String,
    /// The recipients (`RCPT TO`), without duplicates, in order of appearance.
    pub recipients: Vec<String>,
}

/// What the server supports, from its EHLO reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerSupport {
    /// The strongest content it takes: [`TransportConstraint::Binary`] needs both BINARYMIME and
    /// CHUNKING, [`TransportConstraint::EightBit`] needs 8BITMIME.
    pub body: TransportConstraint,
    /// SMTPUTF8 (RFC 6531).
    pub smtp_utf8: bool,
}

/// A message ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The bytes to send (no `Bcc`).
    pub bytes: Bytes,
    /// The body type to announce (`BODY=`): what the final bytes need.
    pub body: TransportConstraint,
    /// Whether `SMTPUTF8` must be announced (8-bit header fields).
    pub smtp_utf8: bool,
    /// Whether parts were re-encoded.
    pub reencoded: bool,
}

/// The envelope of `message` (see the [module docs](self)).
pub fn envelope(message: &Message) -> Result<MessageEnvelope, PrepareError> {
    let headers = message.headers();
    let resent = resent_block(headers);
    let fields: Vec<&Header> = match &resent {
        Some(block) => block.clone(),
        None => headers.iter().collect(),
    };
    let prefix = if resent.is_some() { "resent-" } else { "" };
    let named = |name: &str| {
        let wanted = format!("{prefix}{name}");
        fields
            .iter()
            .filter(move |h| h.is(&wanted))
            .copied()
            .collect::<Vec<_>>()
    };
    let from = named("sender")
        .into_iter()
        .chain(named("from"))
        .flat_map(addresses)
        .next()
        .ok_or(PrepareError::NoSender)?;
    let mut recipients: Vec<String> = Vec::new();
    for header in ["to", "cc", "bcc"].iter().flat_map(|n| named(n)) {
        for address in addresses(header) {
            if !recipients.iter().any(|r| r.eq_ignore_ascii_case(&address)) {
                recipients.push(address);
            }
        }
    }
    if recipients.is_empty() {
        return Err(PrepareError::NoRecipients);
    }
    Ok(MessageEnvelope { from, recipients })
}

/// The first contiguous run of `Resent-*` fields, when there is one with a sender.
fn resent_block(headers: &HeaderList) -> Option<Vec<&Header>> {
    let is_resent = |h: &&Header| h.name_str().to_ascii_lowercase().starts_with("resent-");
    let block: Vec<&Header> = headers
        .iter()
        .skip_while(|h| !is_resent(h))
        .take_while(is_resent)
        .collect();
    block
        .iter()
        .any(|h| h.is("resent-from") || h.is("resent-sender"))
        .then_some(block)
}

fn addresses(header: &Header) -> Vec<String> {
    parse_address_list(header.value())
        .addresses
        .mailboxes()
        .map(|m| m.addr_spec())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The bytes and body type to send `message` to a server with `support` (see the
/// [module docs](self)).
pub fn prepare(message: &Message, support: ServerSupport) -> Result<Prepared, PrepareError> {
    let mut needs_utf8 = false;
    let mut needs = TransportConstraint::SevenBit;
    for (_, entity) in message.root().walk() {
        needs_utf8 |= entity
            .headers()
            .iter()
            .any(|h| !h.value().is_ascii() || !h.name().is_ascii());
        if let Body::Leaf(data) = entity.body() {
            needs = needs.max(required_constraint(
                data.bytes().ok_or(PrepareError::NotInMemory)?,
            ));
        }
    }
    if needs_utf8 && !support.smtp_utf8 {
        return Err(PrepareError::NeedsSmtpUtf8);
    }
    let bcc = message
        .headers()
        .iter()
        .any(|h| h.is("bcc") || h.is("resent-bcc"));
    let reencode = needs > support.body;
    if !bcc && !reencode {
        let bytes = Bytes::from(write(message)?);
        return finish(bytes, support, needs_utf8, false);
    }
    if reencode {
        if let Some(field) = ["DKIM-Signature", "ARC-Seal"].into_iter().find(|name| {
            message
                .root()
                .walk()
                .any(|(_, e)| e.headers().get(name).is_some())
        }) {
            return Err(PrepareError::Signed { field });
        }
    }
    let mut copy = message.clone();
    if bcc {
        copy.headers_mut()
            .fields_mut()
            .retain(|h| !h.is("bcc") && !h.is("resent-bcc"));
    }
    if reencode {
        copy.root_mut()
            .prepare(support.body)
            .map_err(|e| PrepareError::Write(e.to_string()))?;
    }
    finish(Bytes::from(write(&copy)?), support, needs_utf8, reencode)
}

fn write(message: &Message) -> Result<Vec<u8>, PrepareError> {
    message.to_bytes().map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => PrepareError::NotInMemory,
        _ => PrepareError::Write(e.to_string()),
    })
}

fn finish(
    bytes: Bytes,
    support: ServerSupport,
    smtp_utf8: bool,
    reencoded: bool,
) -> Result<Prepared, PrepareError> {
    let body = required_constraint(&bytes);
    if body > support.body {
        return Err(PrepareError::Unrepresentable);
    }
    Ok(Prepared {
        bytes,
        body,
        smtp_utf8,
        reencoded,
    })
}

#[cfg(test)]
mod tests;
