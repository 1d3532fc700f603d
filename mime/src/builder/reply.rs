//! Reply and forward helpers.

use crate::header::address::{Address, AddressList, Mailbox};
use crate::model::{Body, Message};

use super::part::message_part;
use super::{Attachment, BuildError, MessageBuilder};

/// How [`MessageBuilder::forward`] carries the original message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardMode {
    /// The original's text in the body under a "Forwarded message" block with its main
    /// headers, and its attachments attached again (as they were, byte for byte).
    Inline,
    /// The original attached whole as a `message/rfc822` part (byte for byte).
    Attachment,
}

/// `prefix` and `subject`, unless `subject` already starts with one of `markers`
/// (case-insensitive), so `Re: Re: ` never happens.
fn prefixed(subject: Option<String>, prefix: &str, markers: &[&str]) -> String {
    let subject = subject.unwrap_or_default();
    let trimmed = subject.trim_start();
    let lower = trimmed.to_lowercase();
    if markers.iter().any(|m| lower.starts_with(m)) {
        trimmed.to_owned()
    } else {
        format!("{prefix}{trimmed}")
    }
}

fn same_address(a: &Mailbox, b: &Mailbox) -> bool {
    a.addr_spec().eq_ignore_ascii_case(&b.addr_spec())
}

impl MessageBuilder {
    /// A reply to `original`, from `from`.
    ///
    /// - `To`: the original's `Reply-To`, or its `From` when it has none;
    /// - with `reply_all`, `Cc`: the original's `To` and `Cc` less `from` and less anyone
    ///   already in `To`;
    /// - `Subject`: the original's with `Re: ` put in front once;
    /// - `In-Reply-To`: the original's `Message-ID`; `References`: the original's
    ///   `References` (or its single `In-Reply-To`) followed by its `Message-ID`.
    ///
    /// Add the body with [`MessageBuilder::text`] / [`MessageBuilder::html`].
    pub fn reply(original: &Message, from: Mailbox<'static>, reply_all: bool) -> MessageBuilder {
        let headers = original.headers();
        let mut to = headers.reply_to();
        if to.0.is_empty() {
            to = headers.from();
        }
        let mut builder =
            MessageBuilder::new().subject(&prefixed(headers.subject(), "Re: ", &["re:"]));
        if reply_all {
            let mut cc = AddressList::default();
            let original_recipients = headers.to().0.into_iter().chain(headers.cc().0);
            for address in original_recipients {
                let Address::Mailbox(m) = &address else {
                    cc.0.push(address);
                    continue;
                };
                let known = same_address(m, &from)
                    || to.mailboxes().any(|t| same_address(t, m))
                    || cc.mailboxes().any(|c| same_address(c, m));
                if !known {
                    cc.0.push(address);
                }
            }
            builder.cc = cc.into_owned();
        }
        builder.to = to.into_owned();
        if let Some(id) = headers.message_id() {
            let mut references = headers.references();
            if references.is_empty() {
                let in_reply_to = headers.in_reply_to();
                if in_reply_to.len() == 1 {
                    references = in_reply_to;
                }
            }
            references.push(id.clone());
            builder = builder.in_reply_to(vec![id]).references(references);
        }
        builder.from(from)
    }

    /// A message forwarding `original`, from `from`, with `Fwd: ` put in front of the subject
    /// once. See [`ForwardMode`] for how the original is carried; with
    /// [`ForwardMode::Inline`], a text set later with [`MessageBuilder::text`] replaces the
    /// forwarded text.
    pub fn forward(
        original: &Message,
        from: Mailbox<'static>,
        mode: ForwardMode,
    ) -> Result<MessageBuilder, BuildError> {
        let headers = original.headers();
        let subject = prefixed(headers.subject(), "Fwd: ", &["fwd:", "fw:"]);
        let mut builder = MessageBuilder::new().from(from).subject(&subject);
        match mode {
            ForwardMode::Attachment => {
                let name = format!("{}.eml", headers.subject().unwrap_or_default().trim());
                let name = if name == ".eml" {
                    "forwarded.eml"
                } else {
                    &name
                };
                let part = Attachment::from_bytes(name, bytes::Bytes::new())
                    .headers(false, &Default::default())?;
                builder
                    .extra_parts
                    .push(message_part(part, original.clone())?);
            }
            ForwardMode::Inline => {
                let mut text = String::from("\n\n---------- Forwarded message ----------\n");
                for (label, value) in [
                    ("From", Some(headers.from().to_header_string())),
                    ("Date", headers.date().map(|d| d.to_rfc5322())),
                    ("Subject", headers.subject()),
                    ("To", Some(headers.to().to_header_string())),
                    ("Cc", Some(headers.cc().to_header_string())),
                ] {
                    if let Some(value) = value.filter(|v| !v.is_empty()) {
                        text.push_str(&format!("{label}: {value}\n"));
                    }
                }
                text.push('\n');
                text.push_str(&original.text_body().unwrap_or_default());
                builder.text = Some(text);
                builder.extra_parts.extend(
                    original
                        .attachments()
                        .filter(|e| matches!(e.body(), Body::Leaf(_)))
                        .cloned(),
                );
            }
        }
        Ok(builder)
    }
}
