//! Real-world reports and fragments from `$MAILKIT_CORPUS/mimekit/`: `message/partial` parts
//! joined back into the message MimeKit's tests expect, delivery-status notifications
//! (RFC 3464) and a disposition notification (RFC 8098) read field by field.
//!
//! Without `MAILKIT_CORPUS` these tests say so and pass, unless `CI` or
//! `MAILKIT_REQUIRE_SERVERS` is set: then a missing corpus is a failure.

mod common;

use std::path::PathBuf;

use mail_kit_mime::report::{Action, StatusCode};
use mail_kit_mime::{Message, parse, partial};

fn corpus() -> Option<PathBuf> {
    common::corpus("mimekit", "report corpus tests")
}

fn load(path: &str) -> Option<Message> {
    let bytes = std::fs::read(corpus()?.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    Some(parse(bytes))
}

/// Header fields as (lowercased name, trimmed value), sorted: the same set whatever the order.
fn fields(message: &Message) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = message
        .headers()
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            (h.name_str().to_ascii_lowercase(), value)
        })
        .collect();
    out.sort();
    out
}

fn check_join(parts: &[&str], expected: &str) {
    let Some(expected) = load(expected) else {
        return;
    };
    // Given in reverse: join must not depend on the order.
    let parts: Vec<Message> = parts.iter().rev().map(|p| load(p).unwrap()).collect();
    let joined = partial::join(&parts).unwrap();
    assert_eq!(fields(&joined), fields(&expected));
    assert_eq!(joined.root().walk().count(), expected.root().walk().count());
    let expected_tree: Vec<String> = expected
        .root()
        .walk()
        .map(|(d, e)| format!("{d}{}", e.content_type().mime_type()))
        .collect();
    let joined_tree: Vec<String> = joined
        .root()
        .walk()
        .map(|(d, e)| format!("{d}{}", e.content_type().mime_type()))
        .collect();
    assert_eq!(joined_tree, expected_tree);
    for (a, b) in joined.root().walk().zip(expected.root().walk()) {
        assert_eq!(
            a.1.decoded_body().map(|d| d.bytes),
            b.1.decoded_body().map(|d| d.bytes)
        );
    }
}

#[test]
fn rfc2046_example_joins_with_the_rfc_header_rules() {
    check_join(
        &["partial/rfc2046.0.eml", "partial/rfc2046.1.eml"],
        "partial/rfc2046.eml",
    );
}

#[test]
fn three_part_photo_message_joins() {
    check_join(
        &[
            "partial/message-partial.0.eml",
            "partial/message-partial.1.eml",
            "partial/message-partial.2.eml",
        ],
        "partial/message-partial.eml",
    );
}

#[test]
fn an_incomplete_set_is_refused() {
    let Some(first) = load("partial/message-partial.0.eml") else {
        return;
    };
    let third = load("partial/message-partial.2.eml").unwrap();
    assert_eq!(
        partial::join(&[first, third]).unwrap_err(),
        partial::PartialError::Missing(2)
    );
}

#[test]
fn delivery_status_reports() {
    for file in [
        "messages/delivery-status.txt",
        "messages/delivery-status-no-blank-line.txt",
    ] {
        let Some(m) = load(file) else { return };
        let report = m.delivery_status().unwrap_or_else(|| panic!("{file}"));
        assert_eq!(report.reporting_mta().unwrap().value, "mm1", "{file}");
        assert_eq!(report.arrival_date().unwrap().year(), 1996, "{file}");
        assert_eq!(report.recipients.len(), 1, "{file}");
        let r = &report.recipients[0];
        assert_eq!(r.final_recipient().unwrap().kind, "rfc822");
        assert_eq!(
            r.final_recipient().unwrap().value,
            "newsletter-request@imusic.com"
        );
        assert_eq!(r.action(), Some(Action::Failed));
        assert_eq!(r.diagnostic_code().unwrap().value, "500 (err.nosuchuser)");
    }
    let Some(m) = load("messages/delivery-status2.txt") else {
        return;
    };
    let report = m.delivery_status().unwrap();
    assert_eq!(
        report.reporting_mta().unwrap().value,
        "smtp-out.dis-hosting.net"
    );
    assert_eq!(report.recipients.len(), 1);
    assert_eq!(report.recipients[0].action(), Some(Action::Failed));
    assert_eq!(
        report.recipients[0].status(),
        Some(StatusCode {
            class: 5,
            subject: 0,
            detail: 0
        })
    );
    assert_eq!(
        report.recipients[0].final_recipient().unwrap().value,
        "source@domain.com"
    );

    let Some(m) = load("messages/delivery-status-multiple-blank-lines.txt") else {
        return;
    };
    let report = m.delivery_status().unwrap();
    assert_eq!(report.reporting_mta().unwrap().value, "someserver.com");
    assert_eq!(report.recipients.len(), 1);
    let r = &report.recipients[0];
    assert_eq!(
        r.original_recipient().unwrap().value,
        "orig_recip@customer.com"
    );
    assert_eq!(r.status().unwrap().to_string(), "5.5.0");
    assert_eq!(
        r.diagnostic_code().unwrap().value,
        "550 Requested action not taken"
    );
}

#[test]
fn disposition_notification_report() {
    let Some(m) = load("messages/disposition-notification.txt") else {
        return;
    };
    let mdn = m.disposition_notification().unwrap();
    assert_eq!(
        mdn.reporting_ua().as_deref(),
        Some("joes-pc.cs.example.com; Foomail 97.1")
    );
    assert_eq!(
        mdn.original_recipient().unwrap().value,
        "Joe_Recipient@example.com"
    );
    assert_eq!(
        mdn.original_message_id().as_deref(),
        Some("<199509192301.23456@example.org>")
    );
    let d = mdn.disposition().unwrap();
    assert_eq!(d.action_mode, "manual-action");
    assert_eq!(d.sending_mode, "mdn-sent-manually");
    assert_eq!(d.kind, "displayed");
    assert!(m.delivery_status().is_none());
}
