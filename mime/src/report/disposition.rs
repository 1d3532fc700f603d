//! `message/disposition-notification` (RFC 8098).

use super::fields::{FieldGroup, TypedValue, groups};

/// A message disposition notification (a read receipt or its refusal).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DispositionNotification {
    /// All the fields.
    pub fields: FieldGroup,
}

/// The `Disposition` field: `action-mode/sending-mode; type/modifier,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    /// `manual-action` or `automatic-action`, lowercased.
    pub action_mode: String,
    /// `MDN-sent-manually` or `MDN-sent-automatically`, lowercased.
    pub sending_mode: String,
    /// `displayed`, `deleted`, `dispatched`, `processed` (or another), lowercased.
    pub kind: String,
    /// Modifiers after a `/` (`error`, ...), lowercased.
    pub modifiers: Vec<String>,
}

impl Disposition {
    /// Parses a `Disposition` value.
    pub fn parse(text: &str) -> Option<Disposition> {
        let (modes, rest) = text.split_once(';')?;
        let (action_mode, sending_mode) = modes.split_once('/')?;
        let mut rest = rest.trim().splitn(2, '/');
        let kind = rest.next()?.trim().to_ascii_lowercase();
        let modifiers = rest
            .next()
            .map(|m| {
                m.split(',')
                    .map(|m| m.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        (!kind.is_empty()).then(|| Disposition {
            action_mode: action_mode.trim().to_ascii_lowercase(),
            sending_mode: sending_mode.trim().to_ascii_lowercase(),
            kind,
            modifiers,
        })
    }
}

impl DispositionNotification {
    /// Reads a notification body (already transfer-decoded).
    pub fn parse(body: &[u8]) -> DispositionNotification {
        let fields = groups(body, &[]).into_iter().next().unwrap_or_default();
        DispositionNotification { fields }
    }

    /// `Reporting-UA` (`host; product`).
    pub fn reporting_ua(&self) -> Option<String> {
        self.fields.get("reporting-ua")
    }

    /// `MDN-Gateway`.
    pub fn mdn_gateway(&self) -> Option<TypedValue> {
        self.fields.typed("mdn-gateway")
    }

    /// `Original-Recipient`.
    pub fn original_recipient(&self) -> Option<TypedValue> {
        self.fields.typed("original-recipient")
    }

    /// `Final-Recipient`.
    pub fn final_recipient(&self) -> Option<TypedValue> {
        self.fields.typed("final-recipient")
    }

    /// `Original-Message-ID`.
    pub fn original_message_id(&self) -> Option<String> {
        self.fields.get("original-message-id")
    }

    /// `Disposition`.
    pub fn disposition(&self) -> Option<Disposition> {
        Disposition::parse(&self.fields.get("disposition")?)
    }

    /// Every `Failure`, `Error` or `Warning` field named `name`.
    pub fn notes(&self, name: &str) -> Vec<String> {
        self.fields
            .headers()
            .get_all(name)
            .map(|h| String::from_utf8_lossy(h.value()).trim().to_owned())
            .collect()
    }
}
