//! Machine-readable reports: `message/delivery-status` (RFC 3464, bounces and delay notices)
//! and `message/disposition-notification` (RFC 8098, read receipts), read as groups of fields
//! with typed accessors.
//!
//! ```
//! use mail_kit_mime::report::{Action, DeliveryStatus};
//!
//! let body = b"Reporting-MTA: dns; mx.example.org\r\n\r\n\
//!     Final-Recipient: rfc822; bob@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\
//!     Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n";
//! let report = DeliveryStatus::parse(body);
//! assert_eq!(report.reporting_mta().unwrap().value, "mx.example.org");
//! let bob = &report.recipients[0];
//! assert_eq!(bob.action(), Some(Action::Failed));
//! assert_eq!(bob.status().unwrap().to_string(), "5.1.1");
//! assert_eq!(bob.diagnostic_code().unwrap().kind, "smtp");
//! ```

mod delivery_status;
mod disposition;
mod fields;

pub use delivery_status::{Action, DeliveryStatus, RecipientStatus, StatusCode};
pub use disposition::{Disposition, DispositionNotification};
pub use fields::{FieldGroup, TypedValue};

use crate::model::{Body, Entity, Message};

impl Message {
    /// The first `message/delivery-status` (or `message/global-delivery-status`) part, read.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        report_body(self, &["delivery-status", "global-delivery-status"])
            .map(|body| DeliveryStatus::parse(&body))
    }

    /// The first `message/disposition-notification` (or
    /// `message/global-disposition-notification`) part, read.
    pub fn disposition_notification(&self) -> Option<DispositionNotification> {
        report_body(
            self,
            &[
                "disposition-notification",
                "global-disposition-notification",
            ],
        )
        .map(|body| DispositionNotification::parse(&body))
    }
}

/// The decoded body of the first leaf `message/<one of subtypes>`.
fn report_body(message: &Message, subtypes: &[&str]) -> Option<Vec<u8>> {
    message
        .root()
        .walk()
        .map(|(_, e)| e)
        .find(|e: &&Entity| {
            let ct = e.content_type();
            matches!(e.body(), Body::Leaf(_))
                && ct.media_type == "message"
                && subtypes.contains(&ct.subtype.as_str())
        })
        .and_then(Entity::decoded_body)
        .map(|d| d.bytes)
}

#[cfg(test)]
mod tests;
