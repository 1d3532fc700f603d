//! POP3 client (RFC 1939 with RFC 2449, 2595, 3206, 5034, 6856) as a sans-IO
//! [`Machine`](crate::Machine).
//!
//! [`Pop3Client`] reads the greeting (keeping an APOP timestamp), asks `CAPA`, upgrades with
//! `STLS` according to the [`TlsPolicy`](crate::TlsPolicy) (a byte after the `+OK` is fatal,
//! and the capabilities are asked again over TLS), and then reports [`Event::Ready`]. The
//! application logs in ([`Command::Login`], `USER`/`PASS`, `APOP` or SASL `AUTH`), then
//! enqueues mailbox commands: `STAT`, `LIST`, `UIDL`, `RETR`, `TOP`, `DELE`, `RSET`, `NOOP`,
//! `QUIT` (and `CAPA`, `UTF8`, `LANG`). Commands are pipelined when the server advertises
//! `PIPELINING`, in lock-step otherwise.
//!
//! Which replies are multi-line is decided when a command is enqueued. Multi-line replies are
//! dot-unstuffed exactly: only `CRLF . CRLF` ends one. Message bodies stream out as
//! [`Event::MessageData`] pieces followed by [`Event::MessageEnd`]; the machine never holds a
//! whole message. A `-ERR` is an [`Event::Refused`] (or [`Event::AuthenticationFailed`]) with
//! its [`RespCode`], never an error of the machine.
//!
//! Server text (greeting, refusals, `IMPLEMENTATION`) is kept as raw bytes and is
//! **untrusted**: it may hold terminal escapes; only the `Display` of [`Refusal`] sanitizes it.

mod capabilities;
mod client;
mod command;
mod config;
mod encode;
mod event;
mod listing;
mod login;
mod multiline;
mod response;

pub use capabilities::{Capabilities, Expire};
pub use client::Pop3Client;
pub use command::{Auth, Command};
pub use config::{Pop3Config, Pop3Limits, Pop3Timeouts};
pub use event::{Event, QuitResult};
pub use listing::{Language, ListEntry, UidEntry};
pub use multiline::DotDecoder;
pub use response::{Greeting, Refusal, RespCode, StatusLine};
