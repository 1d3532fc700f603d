//! The error type of every client in this crate.

use std::io;
use std::time::Duration;

use mail_kit_core::UsageError;
use mail_kit_core::pop3::Refusal;
use mail_kit_core::smtp::{Reply, SendReport, Stage};

use crate::tls::TlsError;

/// A `Result` whose error is [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to a mail server.
///
/// No variant ever carries a credential: authentication payloads, passwords and tokens are
/// never part of an error or of its `Debug` output.
///
/// ```
/// use mail_kit::{Error, SmtpOptions};
///
/// let err = SmtpOptions::from_url("http://mail.example.org").unwrap_err();
/// assert!(matches!(err, Error::InvalidUrl { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading from or writing to an open connection failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The TCP connection to the server could not be opened (name resolution, refused,
    /// unreachable).
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        /// The host as given in the options.
        host: String,
        /// The port.
        port: u16,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// TLS failed: the server's certificate was rejected, the handshake failed, or the TLS
    /// settings are unusable. See [`TlsError`].
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The server broke the protocol; the connection cannot be used any more.
    #[error("protocol error: {0}")]
    Protocol(#[source] mail_kit_core::Error),
    /// The command cannot be sent as asked (an invalid argument, a missing server capability,
    /// no usable authentication mechanism, the wrong session state). The client stays usable.
    #[error("invalid command: {0}")]
    Usage(#[from] UsageError),
    /// The server refused the credentials.
    #[error("authentication with {mechanism} failed: {reply}")]
    AuthenticationFailed {
        /// The mechanism tried last.
        mechanism: &'static str,
        /// The server's refusal.
        reply: Reply,
    },
    /// The server did not accept the message for any recipient (or refused `MAIL`, `DATA` or
    /// the content). The report says what it answered at each step.
    #[error("{}", not_accepted_message(.0))]
    NotAccepted(Box<SendReport>),
    /// A message cannot be sent as it is: no sender or recipient in its headers, or content
    /// the server cannot take and that may not be re-encoded (a DKIM- or ARC-signed message).
    #[error("cannot send the message: {0}")]
    Message(#[from] mail_kit_mime::submission::PrepareError),
    /// The server refused a command (`NOOP`, `RSET`, `VRFY`, `EXPN`).
    #[error("the server refused the command: {0}")]
    Refused(Reply),
    /// A POP3 server refused the login (`-ERR`; see the refusal's response code, e.g.
    /// `[AUTH]`, `[IN-USE]`, `[LOGIN-DELAY]`).
    #[error("login with {mechanism} failed: {refusal}")]
    Pop3LoginFailed {
        /// The method tried last: `USER`, `APOP` or a SASL mechanism.
        mechanism: &'static str,
        /// The server's refusal.
        refusal: Refusal,
    },
    /// A POP3 server refused a command (`-ERR`), e.g. `RETR` of a message that does not
    /// exist. The session goes on.
    #[error("the server refused the command: {0}")]
    Pop3Refused(Refusal),
    /// A POP3 server answered `QUIT` with `-ERR`: some messages marked deleted were not
    /// removed (RFC 1939 §6).
    #[error("the server could not remove every deleted message: {0}")]
    DeletionsFailed(Refusal),
    /// The server did not answer in time, or connecting or the TLS handshake took too long.
    #[error("timed out after {after:?} waiting for {waiting_for}")]
    Timeout {
        /// What the client was waiting for.
        waiting_for: String,
        /// How long it waited.
        after: Duration,
    },
    /// A server URL could not be understood. The URL itself is not repeated (it could hold
    /// credentials).
    #[error("invalid server URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The connection is closed: after `QUIT`, or after an earlier fatal error.
    #[error("the connection is closed")]
    Closed,
}

impl From<mail_kit_core::Error> for Error {
    fn from(err: mail_kit_core::Error) -> Self {
        match err {
            mail_kit_core::Error::Timeout { waiting_for, after } => Error::Timeout {
                waiting_for: waiting_for.to_owned(),
                after,
            },
            other => Error::Protocol(other),
        }
    }
}

fn not_accepted_message(report: &SendReport) -> String {
    let step = match report.stage {
        Stage::MailFrom => "MAIL FROM was refused",
        Stage::Recipients => "every recipient was refused",
        Stage::Data => "DATA was refused",
        Stage::Content => "the message content was refused",
        Stage::Accepted => "the message was accepted",
    };
    match &report.last {
        Some(reply) => format!("message not accepted: {step}: {reply}"),
        None => format!("message not accepted: {step}"),
    }
}
