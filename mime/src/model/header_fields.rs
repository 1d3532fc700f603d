//! Typed header fields on a [`HeaderList`]: reading them decoded, and setting, adding and
//! removing them safely.
//!
//! Readers parse leniently (see each header module) and never fail. Writers go through
//! [`crate::header::write`]: unstructured text is RFC 2047-encoded where it must be (so CR and
//! LF in a user string are encoded, never written), structured values are built from
//! validated parts and folded, and names are checked. A field set on a parsed list replaces the
//! first field of that name in place (state [`HeaderState::Modified`](super::HeaderState)) and
//! removes the others; otherwise it is appended ([`HeaderState::New`](super::HeaderState)).
//! Fields that are not touched keep their raw bytes and are written back byte for byte.
//!
//! ```
//! use mail_kit_mime::header::address::{Address, AddressList, Mailbox};
//! use mail_kit_mime::model::HeaderList;
//!
//! let mut headers = HeaderList::new();
//! headers.set_subject("Grüße\r\nBcc: evil@example.com").unwrap();
//! let to = AddressList(vec![Address::Mailbox(Mailbox::new(Some("Bob"), "bob@example.com")?)]);
//! headers.set_to(&to)?;
//! assert_eq!(headers.subject().as_deref(), Some("Grüße\r\nBcc: evil@example.com"));
//! assert!(!headers.value("subject").unwrap().windows(2).any(|w| w == b"\nB"));
//! assert_eq!(headers.to(), to);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;

use crate::header::address::{self, AddressList};
use crate::header::date::{self, DateTime};
use crate::header::msg_id::{self, MessageId};
use crate::header::received::{self, Received};
use crate::header::write::{self, HeaderError};
use crate::header::{ContentDisposition, ContentType, encoded_word, rfc2231};
use crate::model::{Header, HeaderList};

impl HeaderList {
    /// Sets `name` to an already encoded and folded `value`: replaces the first field of that
    /// name in place and removes the others, or appends a new field.
    fn put(&mut self, name: &str, value: String) {
        let value = Bytes::from(value);
        match self.get_all(name).count() {
            0 => self.push(Header::new(Bytes::copy_from_slice(name.as_bytes()), value)),
            1 => {
                if let Some(h) = self.fields.iter_mut().find(|h| h.is(name)) {
                    h.set_value(value);
                }
            }
            _ => {
                let mut first = true;
                self.fields_mut().retain_mut(|h| {
                    if !h.is(name) {
                        return true;
                    }
                    if first {
                        h.set_value(value.clone());
                    }
                    std::mem::take(&mut first)
                });
            }
        }
    }

    /// Removes every field named `name` (case-insensitive); returns how many were removed.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.len();
        if self.get(name).is_some() {
            self.fields_mut().retain(|h| !h.is(name));
        }
        before - self.len()
    }

    /// Sets an unstructured field (`Subject`, `Comments`, any custom text field) to `text`,
    /// RFC 2047-encoding what must be (CR and LF included) and folding. Fails only on an
    /// invalid name.
    pub fn set_text(&mut self, name: &str, text: &str) -> Result<(), HeaderError> {
        let value = write::encode_unstructured(name, text)?;
        self.put(name, value);
        Ok(())
    }

    /// Appends an unstructured field; see [`HeaderList::set_text`].
    pub fn add_text(&mut self, name: &str, text: &str) -> Result<(), HeaderError> {
        let value = write::encode_unstructured(name, text)?;
        self.push(Header::new(Bytes::copy_from_slice(name.as_bytes()), value));
        Ok(())
    }

    /// Sets a structured field to `value` as written (e.g. `Keywords: a, b`), folded at white
    /// space. A CR, LF or NUL that is not part of a valid fold is rejected
    /// ([`HeaderError::ControlCharacter`]), as is a run too long for one line.
    pub fn set_structured(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        let value = write::fold_structured(name, value)?;
        self.put(name, value);
        Ok(())
    }

    /// Appends a structured field; see [`HeaderList::set_structured`].
    pub fn add_structured(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        let value = write::fold_structured(name, value)?;
        self.push(Header::new(Bytes::copy_from_slice(name.as_bytes()), value));
        Ok(())
    }

    /// The first field named `name` as unstructured text: unfolded and RFC 2047-decoded, with
    /// the white space written after the colon removed (white space inside encoded words is
    /// text and is kept).
    pub fn text(&self, name: &str) -> Option<String> {
        self.value(name).map(|v| {
            let start = v
                .iter()
                .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .unwrap_or(v.len());
            encoded_word::decode(&v[start..]).text.into_owned()
        })
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.text("subject")
    }

    /// Sets the `Subject` (encoded as needed; see [`HeaderList::set_text`]).
    pub fn set_subject(&mut self, subject: &str) -> Result<(), HeaderError> {
        self.set_text("Subject", subject)
    }

    /// Every address in the fields named `name` (all of them, in order), parsed leniently;
    /// empty when there is none.
    pub fn addresses(&self, name: &str) -> AddressList<'_> {
        let mut list = AddressList::default();
        for h in self.iter().filter(|h| h.is(name)) {
            list.0
                .extend(address::parse_address_list(h.value()).addresses.0);
        }
        list
    }

    /// Sets the address field `name` to `list` (display names encoded as needed). Fails when
    /// an address part holds a control character (possible only for a [`address::Mailbox`]
    /// built field by field rather than with [`address::Mailbox::new`]).
    pub fn set_addresses(&mut self, name: &str, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_structured(name, &list.to_header_string())
    }

    /// `From`.
    pub fn from(&self) -> AddressList<'_> {
        self.addresses("from")
    }

    /// Sets `From`.
    pub fn set_from(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("From", list)
    }

    /// `Sender`.
    pub fn sender(&self) -> AddressList<'_> {
        self.addresses("sender")
    }

    /// Sets `Sender`.
    pub fn set_sender(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("Sender", list)
    }

    /// `Reply-To`.
    pub fn reply_to(&self) -> AddressList<'_> {
        self.addresses("reply-to")
    }

    /// Sets `Reply-To`.
    pub fn set_reply_to(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("Reply-To", list)
    }

    /// `To`.
    pub fn to(&self) -> AddressList<'_> {
        self.addresses("to")
    }

    /// Sets `To`.
    pub fn set_to(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("To", list)
    }

    /// `Cc`.
    pub fn cc(&self) -> AddressList<'_> {
        self.addresses("cc")
    }

    /// Sets `Cc`.
    pub fn set_cc(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("Cc", list)
    }

    /// `Bcc`.
    pub fn bcc(&self) -> AddressList<'_> {
        self.addresses("bcc")
    }

    /// Sets `Bcc`.
    pub fn set_bcc(&mut self, list: &AddressList<'_>) -> Result<(), HeaderError> {
        self.set_addresses("Bcc", list)
    }

    /// The `Date`, parsed leniently (`None` when absent or unreadable).
    pub fn date(&self) -> Option<DateTime> {
        self.value("date")
            .and_then(date::parse_lenient)
            .map(|(d, _)| d)
    }

    /// Sets the `Date`.
    pub fn set_date(&mut self, date: &DateTime) {
        self.put("Date", date.to_rfc5322());
    }

    /// The `Message-ID`.
    pub fn message_id(&self) -> Option<MessageId> {
        self.value("message-id").and_then(msg_id::parse)
    }

    /// Sets the `Message-ID`. Fails only for a parsed identifier too long for a line.
    pub fn set_message_id(&mut self, id: &MessageId) -> Result<(), HeaderError> {
        self.put_id_list("Message-ID", std::slice::from_ref(id))
    }

    /// The `Content-ID` of a part (what a `cid:` URL names).
    pub fn content_id(&self) -> Option<MessageId> {
        self.value("content-id").and_then(msg_id::parse)
    }

    /// Sets the `Content-ID`. Fails only for a parsed identifier too long for a line.
    pub fn set_content_id(&mut self, id: &MessageId) -> Result<(), HeaderError> {
        self.put_id_list("Content-ID", std::slice::from_ref(id))
    }

    /// The identifiers in `In-Reply-To`.
    pub fn in_reply_to(&self) -> Vec<MessageId> {
        self.id_list("in-reply-to")
    }

    /// Sets `In-Reply-To` (removes it when `ids` is empty). Fails only for a parsed
    /// identifier too long for a line.
    pub fn set_in_reply_to(&mut self, ids: &[MessageId]) -> Result<(), HeaderError> {
        self.put_id_list("In-Reply-To", ids)
    }

    /// The identifiers in `References`.
    pub fn references(&self) -> Vec<MessageId> {
        self.id_list("references")
    }

    /// Sets `References` (removes it when `ids` is empty). Fails only for a parsed
    /// identifier too long for a line.
    pub fn set_references(&mut self, ids: &[MessageId]) -> Result<(), HeaderError> {
        self.put_id_list("References", ids)
    }

    fn id_list(&self, name: &str) -> Vec<MessageId> {
        self.value(name)
            .map(|v| msg_id::parse_list(v).ids)
            .unwrap_or_default()
    }

    fn put_id_list(&mut self, name: &str, ids: &[MessageId]) -> Result<(), HeaderError> {
        if ids.is_empty() {
            self.remove(name);
            return Ok(());
        }
        self.set_structured(name, &msg_id::format_list(ids))
    }

    /// Every `Received` field, parsed, in order (the most recent first).
    pub fn received(&self) -> Vec<Received<'_>> {
        self.get_all("received")
            .map(|h| received::parse(h.value()))
            .collect()
    }

    /// Sets `Content-Type` (parameters encoded per RFC 2231; with `outlook_rfc2047`, also the
    /// RFC 2047 form of non-ASCII values). Fails on a type or parameter name that is not a
    /// token.
    pub fn set_content_type(
        &mut self,
        content_type: &ContentType,
        options: &rfc2231::EncodeOptions,
    ) -> Result<(), HeaderError> {
        let head = format!("{}/{}", content_type.media_type, content_type.subtype);
        let value =
            write::with_parameters(&head, parameter_pairs(&content_type.parameters), options)?;
        self.set_structured("Content-Type", &value)
    }

    /// Sets `Content-Disposition`; see [`HeaderList::set_content_type`].
    pub fn set_content_disposition(
        &mut self,
        disposition: &ContentDisposition,
        options: &rfc2231::EncodeOptions,
    ) -> Result<(), HeaderError> {
        let value = write::with_parameters(
            &disposition.disposition,
            parameter_pairs(&disposition.parameters),
            options,
        )?;
        self.set_structured("Content-Disposition", &value)
    }
}

/// Each parameter name once (the first spelling), with its preferred value (an RFC 2231 form
/// over a plain one, as [`rfc2231::Parameters::get`] reads it).
fn parameter_pairs(parameters: &rfc2231::Parameters) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for p in &parameters.params {
        if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(&p.name)) {
            let value = parameters.get(&p.name).unwrap_or(&p.value);
            pairs.push((&p.name, value));
        }
    }
    pairs
}

#[cfg(test)]
mod tests;
