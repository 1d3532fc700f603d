//! `message/delivery-status` (RFC 3464).

use std::fmt;

use super::fields::{FieldGroup, TypedValue, groups};
use crate::header::date::DateTime;

/// A delivery status notification: the per-message fields and one group per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryStatus {
    /// The per-message fields (`Reporting-MTA`, `Arrival-Date`, ...).
    pub message: FieldGroup,
    /// The per-recipient groups.
    pub recipients: Vec<RecipientStatus>,
}

/// The fields about one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipientStatus {
    /// All the group's fields.
    pub fields: FieldGroup,
}

/// `Action` (RFC 3464 §2.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Delivery failed.
    Failed,
    /// Delivery is delayed; the MTA keeps trying.
    Delayed,
    /// Delivered.
    Delivered,
    /// Relayed to a system that sends no DSN.
    Relayed,
    /// Delivered and forwarded to several addresses (a list).
    Expanded,
    /// Something else, lowercased.
    Other(String),
}

/// An enhanced status code (RFC 3463): `class.subject.detail`, e.g. `5.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject (0–999).
    pub subject: u16,
    /// The detail (0–999).
    pub detail: u16,
}

impl StatusCode {
    /// Parses `c.s.d` (anything after the code, such as a comment, is ignored).
    pub fn parse(text: &str) -> Option<StatusCode> {
        let code = text.split_whitespace().next()?;
        let mut it = code.split('.');
        let class = it.next()?.parse().ok().filter(|c| matches!(c, 2 | 4 | 5))?;
        let subject = it.next()?.parse().ok().filter(|&s| s < 1000)?;
        let detail = it.next()?.parse().ok().filter(|&d| d < 1000)?;
        it.next().is_none().then_some(StatusCode {
            class,
            subject,
            detail,
        })
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl DeliveryStatus {
    /// Reads a report body (already transfer-decoded); lenient: any number of blank lines
    /// between groups, or none before the first recipient.
    pub fn parse(body: &[u8]) -> DeliveryStatus {
        let mut groups = groups(body, &["original-recipient", "final-recipient"]).into_iter();
        let first = groups.next().unwrap_or_default();
        // A report whose first group is already about a recipient has no per-message group.
        let (message, first_recipient) = if first.headers().get("final-recipient").is_some()
            || first.headers().get("original-recipient").is_some()
        {
            (FieldGroup::default(), Some(first))
        } else {
            (first, None)
        };
        let recipients = first_recipient
            .into_iter()
            .chain(groups)
            .map(|fields| RecipientStatus { fields })
            .collect();
        DeliveryStatus {
            message,
            recipients,
        }
    }

    /// `Reporting-MTA` (`dns; mx.example.org`).
    pub fn reporting_mta(&self) -> Option<TypedValue> {
        self.message.typed("reporting-mta")
    }

    /// `Original-Envelope-Id`.
    pub fn original_envelope_id(&self) -> Option<String> {
        self.message.get("original-envelope-id")
    }

    /// `DSN-Gateway`.
    pub fn dsn_gateway(&self) -> Option<TypedValue> {
        self.message.typed("dsn-gateway")
    }

    /// `Received-From-MTA`.
    pub fn received_from_mta(&self) -> Option<TypedValue> {
        self.message.typed("received-from-mta")
    }

    /// `Arrival-Date`.
    pub fn arrival_date(&self) -> Option<DateTime> {
        self.message.date("arrival-date")
    }
}

impl RecipientStatus {
    /// `Original-Recipient` (`rfc822; user@example.org`).
    pub fn original_recipient(&self) -> Option<TypedValue> {
        self.fields.typed("original-recipient")
    }

    /// `Final-Recipient`.
    pub fn final_recipient(&self) -> Option<TypedValue> {
        self.fields.typed("final-recipient")
    }

    /// `Action`.
    pub fn action(&self) -> Option<Action> {
        let text = self.fields.get("action")?.to_ascii_lowercase();
        let word = text.split_whitespace().next().unwrap_or("");
        Some(match word {
            "failed" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" => Action::Delivered,
            "relayed" => Action::Relayed,
            "expanded" => Action::Expanded,
            _ => Action::Other(text),
        })
    }

    /// `Status` (an enhanced status code).
    pub fn status(&self) -> Option<StatusCode> {
        StatusCode::parse(&self.fields.get("status")?)
    }

    /// `Remote-MTA`.
    pub fn remote_mta(&self) -> Option<TypedValue> {
        self.fields.typed("remote-mta")
    }

    /// `Diagnostic-Code` (`smtp; 550 5.1.1 ...`).
    pub fn diagnostic_code(&self) -> Option<TypedValue> {
        self.fields.typed("diagnostic-code")
    }

    /// `Last-Attempt-Date`.
    pub fn last_attempt_date(&self) -> Option<DateTime> {
        self.fields.date("last-attempt-date")
    }

    /// `Final-Log-ID`.
    pub fn final_log_id(&self) -> Option<String> {
        self.fields.get("final-log-id")
    }

    /// `Will-Retry-Until`.
    pub fn will_retry_until(&self) -> Option<DateTime> {
        self.fields.date("will-retry-until")
    }
}
