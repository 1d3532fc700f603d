//! Fatal protocol errors ([`Error`]) and command misuse ([`UsageError`]).

use std::time::Duration;

/// A fatal, sticky protocol error: the connection cannot go on.
///
/// A server's *refusal* of a command is not an error of the machine; it arrives as an event.
/// No variant ever carries credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line from the server exceeded the configured maximum length.
    #[error("server line longer than {limit} bytes")]
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A reply had more lines than the configured maximum.
    #[error("server reply longer than {limit} lines")]
    TooManyReplyLines {
        /// The configured limit.
        limit: usize,
    },
    /// A collected multi-line reply (a POP3 listing) was larger than the configured maximum.
    #[error("server reply larger than {limit} bytes")]
    ReplyTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The server sent bytes that do not follow the protocol's grammar.
    #[error("malformed server reply: {0}")]
    MalformedReply(String),
    /// The server sent a reply nobody asked for, or the wrong kind of reply.
    #[error("unexpected server reply: {0}")]
    UnexpectedReply(String),
    /// The connection closed before the session ended.
    #[error("connection closed by the server{}", if *.mid_reply { " in the middle of a reply" } else { "" })]
    UnexpectedEof {
        /// Whether part of a reply had already arrived.
        mid_reply: bool,
    },
    /// Bytes were already buffered after the server accepted STARTTLS (response injection).
    #[error(
        "data received after the STARTTLS reply and before the TLS handshake (possible injection)"
    )]
    StartTlsBufferNotEmpty,
    /// TLS is required but the server does not offer STARTTLS.
    #[error("TLS is required but the server does not offer STARTTLS")]
    TlsRequiredButUnavailable,
    /// TLS is required and the server refused STARTTLS.
    #[error("TLS is required but the server refused STARTTLS: {0}")]
    StartTlsRefused(String),
    /// The server's greeting refused the session or could not be understood.
    #[error("server greeting refused the session: {0}")]
    GreetingRefused(String),
    /// The server announced that it is closing the connection (e.g. SMTP 421).
    #[error("server is closing the connection: {0}")]
    ServiceClosing(String),
    /// The server did not answer in time.
    #[error("timed out after {after:?} waiting for {waiting_for}")]
    Timeout {
        /// What the machine was waiting for.
        waiting_for: &'static str,
        /// How long it waited.
        after: Duration,
    },
    /// A SASL exchange broke the mechanism's rules (bad challenge, bad server signature).
    #[error("SASL {mechanism}: {reason}")]
    Sasl {
        /// The mechanism's name.
        mechanism: &'static str,
        /// What went wrong (never a credential).
        reason: String,
    },
    /// The session was already closed.
    #[error("the session is closed")]
    Closed,
}

/// A command the caller tried to enqueue is invalid; the machine is unchanged and still usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// An argument contains CR, LF, NUL or another byte not allowed in a command line.
    #[error("invalid {what}: contains a forbidden character")]
    ForbiddenCharacter {
        /// Which argument.
        what: &'static str,
    },
    /// An address is not a valid RFC 5321 mailbox.
    #[error("invalid address: {reason}")]
    InvalidAddress {
        /// Why it is invalid (the address itself is not repeated).
        reason: &'static str,
    },
    /// A command argument has invalid syntax.
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The message is larger than the server accepts (its `SIZE`).
    #[error("message of {size} bytes exceeds the server's limit of {limit} bytes")]
    MessageTooLarge {
        /// The message size.
        size: u64,
        /// The server's limit.
        limit: u64,
    },
    /// A line of the message is longer than SMTP allows (998 octets).
    #[error("line {line} of the message is longer than 998 octets")]
    LineTooLong {
        /// The 1-based line number.
        line: usize,
    },
    /// The command needs a server capability that is missing (e.g. SMTPUTF8, BINARYMIME, DSN).
    #[error("the server does not support {0}")]
    NotSupported(&'static str),
    /// No usable authentication mechanism: none offered, none allowed, or plaintext refused.
    #[error("no usable authentication mechanism: {0}")]
    NoMechanism(&'static str),
    /// The command is not valid in the session's current state.
    #[error("command not valid now: {0}")]
    WrongState(&'static str),
    /// The session is closed or failed.
    #[error("the session is closed")]
    Closed,
}

/// How many bytes of server text an error message may echo.
const ECHO_LIMIT: usize = 100;

/// A short, printable excerpt of server bytes for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(ECHO_LIMIT)
        .flat_map(|b| b.escape_ascii())
        .map(char::from)
        .collect();
    if bytes.len() > ECHO_LIMIT {
        s.push('…');
    }
    s
}
