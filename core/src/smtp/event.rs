//! What the SMTP machine reports to the application.

use super::capabilities::Capabilities;
use super::reply::Reply;
use crate::machine::Handle;

/// An SMTP event: answers to commands, refusals and session changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting was read, EHLO (or HELO) answered and TLS set up as the policy asks:
    /// commands may be enqueued now.
    Ready {
        /// What the server offers (learned after TLS when TLS is used).
        capabilities: Capabilities,
        /// Whether the connection is encrypted (implicit TLS or STARTTLS).
        secure: bool,
    },
    /// `AUTH` succeeded.
    Authenticated {
        /// The `Authenticate` command's handle.
        handle: Handle,
        /// The mechanism used.
        mechanism: &'static str,
    },
    /// `AUTH` was refused by the server.
    AuthenticationFailed {
        /// The `Authenticate` command's handle.
        handle: Handle,
        /// The mechanism tried last.
        mechanism: &'static str,
        /// The server's refusal.
        reply: Reply,
    },
    /// A transaction ended: accepted for at least one recipient, or not at all.
    /// See [`SendReport::is_accepted`].
    Sent {
        /// The `Send` command's handle.
        handle: Handle,
        /// What the server said at each step.
        report: SendReport,
    },
    /// Body bytes written so far for a transaction (for progress display).
    Progress {
        /// The `Send` command's handle.
        handle: Handle,
        /// Message bytes handed to the driver so far.
        sent: u64,
        /// Message bytes in all.
        total: u64,
    },
    /// A positive reply to `NOOP`, `RSET`, `VRFY` or `EXPN`.
    Reply {
        /// The command's handle.
        handle: Handle,
        /// The server's reply.
        reply: Reply,
    },
    /// A negative reply to `NOOP`, `RSET`, `VRFY` or `EXPN`.
    Refused {
        /// The command's handle.
        handle: Handle,
        /// The server's reply.
        reply: Reply,
    },
    /// `QUIT` was answered; the connection closes.
    Closed {
        /// The `Quit` command's handle.
        handle: Handle,
        /// The server's goodbye (absent when it closed without one).
        reply: Option<Reply>,
    },
}

/// Where a transaction stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `MAIL FROM` was refused.
    MailFrom,
    /// Every `RCPT TO` was refused.
    Recipients,
    /// `DATA` (or the first `BDAT`) was refused before the content.
    Data,
    /// The server refused the content after receiving it.
    Content,
    /// The message was accepted.
    Accepted,
}

/// The outcome of one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientResult {
    /// The address as written on the wire.
    pub address: String,
    /// The server's reply to its `RCPT TO`.
    pub reply: Reply,
}

impl RecipientResult {
    /// Whether the server accepted this recipient.
    pub fn is_accepted(&self) -> bool {
        self.reply.is_positive()
    }
}

/// What the server said at each step of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// Where the transaction stopped ([`Stage::Accepted`] on success).
    pub stage: Stage,
    /// The reply to `MAIL FROM`.
    pub mail: Reply,
    /// One result per recipient, in envelope order (empty when `MAIL FROM` was refused and
    /// the recipients were never sent).
    pub recipients: Vec<RecipientResult>,
    /// The final reply: to the end of `DATA`, the last `BDAT`, or the refused step.
    pub last: Option<Reply>,
}

impl SendReport {
    /// Whether the message was accepted for at least one recipient.
    pub fn is_accepted(&self) -> bool {
        self.stage == Stage::Accepted
    }

    /// The recipients the server accepted.
    pub fn accepted(&self) -> impl Iterator<Item = &RecipientResult> {
        self.recipients.iter().filter(|r| r.is_accepted())
    }

    /// The recipients the server refused.
    pub fn rejected(&self) -> impl Iterator<Item = &RecipientResult> {
        self.recipients.iter().filter(|r| !r.is_accepted())
    }
}
