use super::*;
use crate::parse;

const BOUNCE: &str = "From: MAILER-DAEMON@mx.example.org\r\nTo: alice@example.org\r\n\
Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n\
--b\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example.org\r\nX-Postfix-Queue-ID: 4ABC\r\n\
Arrival-Date: Fri,  4 Dec 2026 18:00:00 +0000 (UTC)\r\n\r\n\r\n\
Final-Recipient: rfc822; bob@example.net\r\nOriginal-Recipient: rfc822;Bob@example.net\r\n\
Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.example.net\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>:\r\n    Recipient address rejected\r\n\r\n\
Final-Recipient: rfc822; carol@example.net\r\nAction: delayed\r\nStatus: 4.4.1 (timeout)\r\n\
Will-Retry-Until: Sat, 5 Dec 2026 18:00:00 +0000\r\n\r\n\
--b\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: hi\r\n\r\n--b--\r\n";

#[test]
fn delivery_status_per_message_and_per_recipient() {
    let report = parse(BOUNCE)
        .delivery_status()
        .expect("a delivery-status part");
    assert_eq!(
        report.reporting_mta().unwrap(),
        TypedValue {
            kind: "dns".into(),
            value: "mx.example.org".into()
        }
    );
    assert_eq!(report.arrival_date().unwrap().day(), 4);
    assert_eq!(
        report.message.get("x-postfix-queue-id").as_deref(),
        Some("4ABC")
    );
    assert_eq!(report.recipients.len(), 2);
    let bob = &report.recipients[0];
    assert_eq!(bob.final_recipient().unwrap().value, "bob@example.net");
    assert_eq!(bob.original_recipient().unwrap().value, "Bob@example.net");
    assert_eq!(bob.action(), Some(Action::Failed));
    assert_eq!(
        bob.status(),
        Some(StatusCode {
            class: 5,
            subject: 1,
            detail: 1
        })
    );
    assert_eq!(bob.remote_mta().unwrap().value, "mx.example.net");
    let diag = bob.diagnostic_code().unwrap();
    assert_eq!(diag.kind, "smtp");
    assert!(
        diag.value.starts_with("550 5.1.1 <bob@example.net>:")
            && diag.value.ends_with("Recipient address rejected")
    );
    let carol = &report.recipients[1];
    assert_eq!(carol.action(), Some(Action::Delayed));
    assert_eq!(carol.status().unwrap().to_string(), "4.4.1");
    assert_eq!(carol.will_retry_until().unwrap().day(), 5);
}

#[test]
fn a_missing_blank_line_before_the_first_recipient_is_tolerated() {
    let report = DeliveryStatus::parse(
        b"Reporting-MTA: dns; mm1\nArrival-Date: Mon, 29 Jul 1996 02:12:50 -0700\n\
          Final-Recipient: RFC822; x@example.com\nAction: failed\n",
    );
    assert_eq!(report.reporting_mta().unwrap().value, "mm1");
    assert_eq!(report.recipients.len(), 1);
    assert_eq!(
        report.recipients[0].final_recipient().unwrap().kind,
        "rfc822"
    );
}

#[test]
fn status_codes_are_checked() {
    assert_eq!(
        StatusCode::parse("2.0.0"),
        Some(StatusCode {
            class: 2,
            subject: 0,
            detail: 0
        })
    );
    for bad in ["3.1.1", "5.1", "5.1.1.1", "5.1000.1", "x.1.1", ""] {
        assert_eq!(StatusCode::parse(bad), None, "{bad}");
    }
}

#[test]
fn disposition_notification_fields() {
    let mdn = DispositionNotification::parse(
        b"Reporting-UA: joes-pc.cs.example.com; Foomail 97.1\r\n\
          Original-Recipient: rfc822;Joe_Recipient@example.com\r\n\
          Final-Recipient: rfc822;Joe_Recipient@example.com\r\n\
          Original-Message-ID: <199509192301.23456@example.org>\r\n\
          Disposition: automatic-action/MDN-sent-automatically; deleted/error\r\n\
          Error: the mailbox is full\r\n",
    );
    assert_eq!(
        mdn.reporting_ua().as_deref(),
        Some("joes-pc.cs.example.com; Foomail 97.1")
    );
    assert_eq!(
        mdn.final_recipient().unwrap().value,
        "Joe_Recipient@example.com"
    );
    assert_eq!(
        mdn.original_message_id().as_deref(),
        Some("<199509192301.23456@example.org>")
    );
    let d = mdn.disposition().unwrap();
    assert_eq!(
        (d.action_mode.as_str(), d.sending_mode.as_str()),
        ("automatic-action", "mdn-sent-automatically")
    );
    assert_eq!(d.kind, "deleted");
    assert_eq!(d.modifiers, ["error"]);
    assert_eq!(mdn.notes("error"), ["the mailbox is full"]);
    assert_eq!(Disposition::parse("nonsense"), None);
}
