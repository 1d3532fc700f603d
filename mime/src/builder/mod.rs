//! Building messages: text, HTML or both, inline resources, attachments, and the headers every
//! mail client expects; plus reply and forward helpers ([`MessageBuilder::reply`],
//! [`MessageBuilder::forward`]).
//!
//! The tree built is the one mail clients (Outlook included) display right:
//!
//! ```text
//! multipart/mixed                      (only with attachments)
//! ├── multipart/alternative            (only with both text and HTML)
//! │   ├── text/plain
//! │   └── multipart/related            (only with inline resources)
//! │       ├── text/html
//! │       └── image/png  Content-ID: <...>
//! └── application/pdf  Content-Disposition: attachment; filename=...
//! ```
//!
//! Every user string is checked or encoded: display names and the subject are RFC 2047-encoded
//! when needed (a CR or LF in them is encoded, never written), file names are RFC 2231-encoded,
//! custom header names are checked and their values encoded as unstructured text. Text bodies
//! get CRLF line endings and the best transfer encoding under the [`TransportConstraint`]
//! (7bit by default: quoted-printable or base64 when needed), attachments base64; boundaries are
//! generated so that they occur in no part. `Date` and `Message-ID` are generated when not
//! given.

mod part;
mod reply;

use std::time::SystemTime;

use crate::encoding::TransportConstraint;
use crate::header::address::{Address, AddressList, Mailbox};
use crate::header::date::DateTime;
use crate::header::msg_id::MessageId;
use crate::header::rfc2231;
use crate::header::write::{self, HeaderError};
use crate::model::{Entity, HeaderList, Message};

pub use part::Attachment;
pub use reply::ForwardMode;

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A header could not be written (invalid name, a control character in a structured
    /// value, a value that cannot be folded).
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// An attachment's content type is not `type/subtype`.
    #[error("invalid content type {0:?}")]
    ContentType(String),
    /// A custom header named like one the builder writes itself (`From`, `Content-Type`, ...);
    /// use the dedicated method.
    #[error("header {0} is set by the builder; use its own method")]
    ReservedHeader(String),
}

/// Fields the builder writes itself; custom headers may not use these names.
const RESERVED: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
];

/// Builds a [`Message`].
///
/// ```
/// use mail_kit_mime::builder::{Attachment, MessageBuilder};
/// use mail_kit_mime::header::address::Mailbox;
///
/// let message = MessageBuilder::new()
///     .from(Mailbox::new(Some("Alice Müller"), "alice@example.com")?)
///     .to(Mailbox::new(None, "bob@example.org")?)
///     .subject("Quarterly report — final")
///     .text("Hi Bob,\nthe report is attached.\n")
///     .html("<p>Hi Bob,</p><p>the report is <b>attached</b>.</p>")
///     .attachment(Attachment::from_bytes("Q3 Bericht.pdf", b"%PDF-1.7 ...".to_vec()))
///     .build()?;
///
/// let bytes = message.to_bytes()?;
/// let parsed = mail_kit_mime::parse(bytes);
/// assert_eq!(parsed.headers().subject().as_deref(), Some("Quarterly report — final"));
/// assert_eq!(parsed.text_body().as_deref(), Some("Hi Bob,\r\nthe report is attached.\r\n"));
/// let attachment = parsed.attachments().next().unwrap();
/// assert_eq!(attachment.filename().as_deref(), Some("Q3 Bericht.pdf"));
/// assert_eq!(attachment.decoded_body().unwrap().bytes, b"%PDF-1.7 ...");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    from: AddressList<'static>,
    sender: AddressList<'static>,
    reply_to: AddressList<'static>,
    to: AddressList<'static>,
    cc: AddressList<'static>,
    bcc: AddressList<'static>,
    subject: Option<String>,
    date: Option<DateTime>,
    message_id: Option<MessageId>,
    in_reply_to: Vec<MessageId>,
    references: Vec<MessageId>,
    headers: Vec<(String, String)>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<Attachment>,
    attachments: Vec<Attachment>,
    /// Ready-made parts appended after the attachments (forwarded messages and parts).
    extra_parts: Vec<Entity>,
    constraint: TransportConstraint,
    outlook_names: bool,
}

impl Default for MessageBuilder {
    fn default() -> Self {
        MessageBuilder::new()
    }
}

impl MessageBuilder {
    /// An empty builder (7bit transport constraint, RFC 2231 file names only).
    pub fn new() -> Self {
        MessageBuilder {
            from: AddressList::default(),
            sender: AddressList::default(),
            reply_to: AddressList::default(),
            to: AddressList::default(),
            cc: AddressList::default(),
            bcc: AddressList::default(),
            subject: None,
            date: None,
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            headers: Vec::new(),
            text: None,
            html: None,
            inline: Vec::new(),
            attachments: Vec::new(),
            extra_parts: Vec::new(),
            constraint: TransportConstraint::SevenBit,
            outlook_names: false,
        }
    }

    /// Adds an author (`From`).
    pub fn from(mut self, mailbox: Mailbox<'static>) -> Self {
        self.from.0.push(Address::Mailbox(mailbox));
        self
    }

    /// Sets the `Sender` (needed when there are several authors).
    pub fn sender(mut self, mailbox: Mailbox<'static>) -> Self {
        self.sender = AddressList(vec![Address::Mailbox(mailbox)]);
        self
    }

    /// Adds a `Reply-To` address.
    pub fn reply_to(mut self, mailbox: Mailbox<'static>) -> Self {
        self.reply_to.0.push(Address::Mailbox(mailbox));
        self
    }

    /// Adds a `To` recipient.
    pub fn to(mut self, address: impl Into<Address<'static>>) -> Self {
        self.to.0.push(address.into());
        self
    }

    /// Adds a `Cc` recipient.
    pub fn cc(mut self, address: impl Into<Address<'static>>) -> Self {
        self.cc.0.push(address.into());
        self
    }

    /// Adds a `Bcc` recipient (the SMTP client removes `Bcc` from what it sends).
    pub fn bcc(mut self, address: impl Into<Address<'static>>) -> Self {
        self.bcc.0.push(address.into());
        self
    }

    /// Sets the subject (any text: it is RFC 2047-encoded as needed, CR and LF included).
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }

    /// Sets the `Date` (default: now, in UTC).
    pub fn date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the `Message-ID` (default: generated with the first author's domain).
    pub fn message_id(mut self, id: MessageId) -> Self {
        self.message_id = Some(id);
        self
    }

    /// Sets `In-Reply-To`.
    pub fn in_reply_to(mut self, ids: Vec<MessageId>) -> Self {
        self.in_reply_to = ids;
        self
    }

    /// Sets `References`.
    pub fn references(mut self, ids: Vec<MessageId>) -> Self {
        self.references = ids;
        self
    }

    /// Adds a custom unstructured header, written after the standard ones. The name is
    /// checked and the value RFC 2047-encoded as needed (CR and LF included) when the message
    /// is built; a name the builder writes itself gives [`BuildError::ReservedHeader`].
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the plain-text body (line endings become CRLF).
    pub fn text(mut self, text: &str) -> Self {
        self.text = Some(text.to_owned());
        self
    }

    /// Sets the HTML body (line endings become CRLF).
    pub fn html(mut self, html: &str) -> Self {
        self.html = Some(html.to_owned());
        self
    }

    /// Adds an inline resource for the HTML body (give it a Content-ID with
    /// [`Attachment::with_content_id`], one is generated otherwise). With an HTML body it goes
    /// into `multipart/related`; without one it is attached with an `inline` disposition.
    pub fn inline(mut self, resource: Attachment) -> Self {
        self.inline.push(resource);
        self
    }

    /// Adds an attachment.
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// What the transport accepts; text bodies are encoded to fit (default 7bit).
    pub fn constraint(mut self, constraint: TransportConstraint) -> Self {
        self.constraint = constraint;
        self
    }

    /// Also writes non-ASCII file names as RFC 2047 `name="=?utf-8?...?="` parameters, which
    /// Outlook reads instead of the RFC 2231 form (default off).
    pub fn outlook_file_names(mut self, on: bool) -> Self {
        self.outlook_names = on;
        self
    }

    /// Builds the message.
    pub fn build(self) -> Result<Message, BuildError> {
        for (name, _) in &self.headers {
            if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(BuildError::ReservedHeader(name.clone()));
            }
            write::check_name(name)?;
        }
        let mut root = self.body()?;
        let mut headers = HeaderList::new();
        for (name, list) in [
            ("From", &self.from),
            ("Sender", &self.sender),
            ("Reply-To", &self.reply_to),
            ("To", &self.to),
            ("Cc", &self.cc),
            ("Bcc", &self.bcc),
        ] {
            if !list.0.is_empty() {
                headers.set_addresses(name, list)?;
            }
        }
        if let Some(subject) = &self.subject {
            headers.set_subject(subject)?;
        }
        let date = self
            .date
            .or_else(|| DateTime::from_system_time(SystemTime::now(), 0));
        if let Some(date) = date {
            headers.set_date(&date);
        }
        let id = match self.message_id {
            Some(id) => id,
            None => {
                let domain = self
                    .from
                    .mailboxes()
                    .next()
                    .and_then(|m| m.domain_ascii().ok())
                    .unwrap_or_default();
                MessageId::generate(&domain)
            }
        };
        headers.set_message_id(&id)?;
        headers.set_in_reply_to(&self.in_reply_to)?;
        headers.set_references(&self.references)?;
        for (name, value) in &self.headers {
            headers.add_text(name, value)?;
        }
        headers.set_structured("MIME-Version", "1.0")?;
        for h in root.headers().iter() {
            headers.push(h.clone());
        }
        *root.headers_mut() = headers;
        Ok(Message::new(root))
    }

    /// The body tree (the root entity, with only its `Content-*` headers).
    fn body(&self) -> Result<Entity, BuildError> {
        let options = rfc2231::EncodeOptions {
            outlook_rfc2047: self.outlook_names,
            ..rfc2231::EncodeOptions::default()
        };
        let html = match &self.html {
            None => None,
            Some(html) => {
                let html = part::text_entity("html", html, self.constraint)?;
                Some(if self.inline.is_empty() {
                    html
                } else {
                    let mut parts = vec![html];
                    for resource in &self.inline {
                        let mut resource = resource.clone();
                        if resource.content_id.is_none() {
                            resource.content_id = Some(MessageId::generate("localhost"));
                        }
                        parts.push(resource.to_entity(true, &options)?);
                    }
                    part::multipart_entity("related", &[("type", "text/html")], parts)?
                })
            }
        };
        let text = self
            .text
            .as_deref()
            .map(|t| part::text_entity("plain", t, self.constraint))
            .transpose()?;
        let body = match (text, html) {
            (Some(text), Some(html)) => {
                part::multipart_entity("alternative", &[], vec![text, html])?
            }
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => part::text_entity("plain", "", self.constraint)?,
        };
        let mut extra = Vec::new();
        if self.html.is_none() {
            for resource in &self.inline {
                extra.push(resource.to_entity(true, &options)?);
            }
        }
        for attachment in &self.attachments {
            extra.push(attachment.to_entity(false, &options)?);
        }
        extra.extend(self.extra_parts.iter().cloned());
        if extra.is_empty() {
            return Ok(body);
        }
        let mut parts = vec![body];
        parts.extend(extra);
        part::multipart_entity("mixed", &[], parts)
    }
}

#[cfg(test)]
mod tests;
