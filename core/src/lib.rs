//! Sans-IO protocol clients for mail-kit: SMTP and POP3 (and later IMAP) as pure state machines.
//!
//! A machine takes bytes and time in and gives bytes and events out. It never touches a socket,
//! a clock, a thread or an executor, so the same logic runs on tokio, smol, async-std, blocking
//! std, and under a test replaying a recorded transcript byte for byte.
//!
//! # The drain rule
//!
//! After **every** `handle_*` call and every `enqueue`, call [`Machine::poll_output`] until it
//! returns [`Output::Idle`]; only then wait for I/O (input, the deadline, or a new command).
//! Write each [`Output::Transmit`] in order; on [`Output::StartTls`] flush, wrap the stream in
//! TLS and call [`Machine::handle_tls_established`].
//!
//! [`Machine::handle_timeout`] is also the machine's clock tick: calling it before its deadline
//! is harmless and tells it the time. Drivers call it once a batch of writes has left (and
//! after `enqueue`), so reply timers run from when the bytes were sent, then drain again.
//!
//! ```
//! use std::time::Instant;
//! use mail_kit_core::smtp::{ClientName, Event, SmtpClient, SmtpConfig};
//! use mail_kit_core::{Machine, Output, TlsPolicy};
//!
//! let config = SmtpConfig::new(ClientName::new("client.example").unwrap(), TlsPolicy::None);
//! let mut smtp = SmtpClient::new(config);
//! let mut wire = Vec::new();
//! let mut ready = false;
//!
//! // One step of a driver: feed what arrived, then drain until Idle.
//! let mut step = |smtp: &mut SmtpClient, input: &[u8], wire: &mut Vec<u8>, ready: &mut bool| {
//!     smtp.handle_input(Instant::now(), input);
//!     loop {
//!         match smtp.poll_output().expect("no protocol error") {
//!             Output::Transmit(bytes) => wire.extend_from_slice(&bytes),
//!             Output::Event(Event::Ready { .. }) => *ready = true,
//!             Output::Event(_) | Output::StartTls | Output::Close => {}
//!             Output::Idle { .. } => break, // now wait for I/O
//!         }
//!     }
//! };
//!
//! step(&mut smtp, b"220 mx.example.org ESMTP\r\n", &mut wire, &mut ready);
//! assert_eq!(wire, b"EHLO client.example\r\n");
//! step(&mut smtp, b"250-mx.example.org\r\n250 PIPELINING\r\n", &mut wire, &mut ready);
//! assert!(ready);
//! ```
//!
//! # Errors
//!
//! * [`Error`]: fatal and sticky, returned by `poll_output` (malformed reply, a limit exceeded,
//!   EOF mid-reply, bytes injected after STARTTLS).
//! * A server's refusal of a command is an **event** carrying the command's [`Handle`].
//! * [`UsageError`]: a command that cannot be enqueued (CR/LF in an argument, wrong state); the
//!   machine stays usable.
//!
//! No error, `Debug` output or log line ever contains credentials.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod error;
mod machine;
mod observe;
mod outbox;
pub mod pop3;
pub mod sasl;
pub mod smtp;
mod tls;
#[cfg(feature = "transcript")]
pub mod transcript;

pub use error::{Error, UsageError};
pub use machine::{Handle, Machine, Output};
pub use observe::WireObserver;
pub use tls::{TlsInfo, TlsPolicy};
