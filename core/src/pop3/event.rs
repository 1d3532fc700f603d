//! What the POP3 machine reports to the application.

use bytes::Bytes;

use super::capabilities::Capabilities;
use super::listing::{Language, ListEntry, UidEntry};
use super::response::{Greeting, Refusal};
use crate::machine::Handle;

/// A POP3 event: answers to commands, refusals and session changes.
///
/// Text from the server is raw bytes: untrusted, possibly holding terminal escapes; print it
/// through the `Display` of [`Refusal`] or sanitize it first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting was read, `CAPA` answered and TLS set up as the policy asks: the session
    /// is in the AUTHORIZATION state and login commands may be enqueued.
    Ready {
        /// The greeting (with its APOP timestamp, if any).
        greeting: Greeting,
        /// What the server offers (learned after TLS when TLS is used; empty when the server
        /// does not know `CAPA`).
        capabilities: Capabilities,
        /// Whether the connection is encrypted (implicit TLS or STLS).
        secure: bool,
    },
    /// The reply to [`Command::Capa`](super::Command::Capa).
    Capabilities {
        /// The command's handle.
        handle: Handle,
        /// The capabilities now.
        capabilities: Capabilities,
    },
    /// Login succeeded: the session is in the TRANSACTION state.
    Authenticated {
        /// The login command's handle.
        handle: Handle,
        /// How: `"USER"`, `"APOP"` or the SASL mechanism's name.
        mechanism: &'static str,
    },
    /// The server refused the login; the session stays in the AUTHORIZATION state.
    AuthenticationFailed {
        /// The login command's handle.
        handle: Handle,
        /// The method tried last: `"USER"`, `"APOP"` or a SASL mechanism's name.
        mechanism: &'static str,
        /// The server's refusal (see its [`code`](Refusal::code): `[AUTH]`, `[IN-USE]`,
        /// `[LOGIN-DELAY]`, `[SYS/TEMP]`…).
        refusal: Refusal,
    },
    /// The reply to `STAT`.
    Stat {
        /// The command's handle.
        handle: Handle,
        /// Number of messages (not counting those marked deleted).
        count: u32,
        /// Size of the mailbox in octets.
        size: u64,
    },
    /// The reply to `LIST` (every message) or `LIST n` (one entry).
    Listing {
        /// The command's handle.
        handle: Handle,
        /// The scan listings, in the server's order.
        entries: Vec<ListEntry>,
    },
    /// The reply to `UIDL` (every message) or `UIDL n` (one entry).
    UniqueIds {
        /// The command's handle.
        handle: Handle,
        /// The unique-id listings, in the server's order.
        entries: Vec<UidEntry>,
    },
    /// `RETR`/`TOP` was accepted; the message follows as [`Event::MessageData`].
    MessageStart {
        /// The command's handle.
        handle: Handle,
        /// The size the server announced (`+OK 120 octets`), when it did.
        octets: Option<u64>,
    },
    /// A piece of the message of `RETR`/`TOP`, dot-unstuffed, in order: the pieces
    /// concatenated are the message as stored, with CRLF line ends.
    MessageData {
        /// The command's handle.
        handle: Handle,
        /// The bytes.
        data: Bytes,
    },
    /// The message of `RETR`/`TOP` is complete.
    MessageEnd {
        /// The command's handle.
        handle: Handle,
        /// Bytes delivered in all [`Event::MessageData`] of this command.
        size: u64,
    },
    /// `DELE n` was accepted: the message is marked deleted.
    Deleted {
        /// The command's handle.
        handle: Handle,
        /// The message number.
        message: u32,
    },
    /// A positive reply to `RSET`, `NOOP`, `UTF8` or `LANG tag`.
    Ok {
        /// The command's handle.
        handle: Handle,
        /// The text after `+OK ` (raw, untrusted).
        text: Bytes,
    },
    /// The reply to `LANG` without argument.
    Languages {
        /// The command's handle.
        handle: Handle,
        /// The languages the server offers.
        languages: Vec<Language>,
    },
    /// The server refused a command (`-ERR`); the session goes on.
    Refused {
        /// The command's handle.
        handle: Handle,
        /// The refusal, with its response code if any.
        refusal: Refusal,
    },
    /// `QUIT` was answered (or the server closed); the connection closes.
    Closed {
        /// The `Quit` command's handle.
        handle: Handle,
        /// What the server said.
        result: QuitResult,
    },
}

/// The server's answer to `QUIT`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuitResult {
    /// `+OK`: after login, every message marked deleted was removed (the UPDATE state
    /// succeeded).
    Done(Bytes),
    /// `-ERR` after login: the UPDATE state failed, some marked messages were not removed
    /// (RFC 1939 §6).
    DeletionsFailed(Refusal),
    /// `-ERR` before login (no UPDATE state was entered).
    Refused(Refusal),
    /// The server closed the connection without a reply.
    NoReply,
}
