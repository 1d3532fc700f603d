//! Transcripts: record a session, write it down, replay it against a machine byte for byte.
//!
//! * [`Transcript`] and [`Line`]: the text format, one line per wire line
//!   (`S: 220 mx.example.org ESMTP`, `C: EHLO client.example`, `T+30s`, `* TLS`, `* EOF`).
//! * [`Replay`]: drives any [`Machine`](crate::Machine) with the server bytes of a transcript
//!   (optionally split into chunks at arbitrary offsets) and checks that exactly the client
//!   bytes of the transcript come out.
//! * [`TranscriptLogger`]: a [`WireObserver`](crate::WireObserver) that writes a live session
//!   in the same format, with credentials redacted by a [`Redactor`] ([`SmtpRedactor`] for SMTP).
//!
//! ```
//! use std::time::Instant;
//! use mail_kit_core::smtp::{ClientName, SmtpClient, SmtpConfig};
//! use mail_kit_core::transcript::{Replay, Transcript};
//! use mail_kit_core::TlsPolicy;
//!
//! let transcript = Transcript::parse(
//!     "S: 220 mx.example.org ESMTP
//!      C: EHLO client.example
//!      S: 250-mx.example.org
//!      S: 250 PIPELINING",
//! )
//! .unwrap();
//! let config = SmtpConfig::new(ClientName::new("client.example").unwrap(), TlsPolicy::None);
//! let mut smtp = SmtpClient::new(config);
//! let outcome = Replay::new(&transcript, Instant::now())
//!     .with_chunk_size(1) // feed the server bytes one at a time
//!     .run(&mut smtp, |_smtp, _event| {})
//!     .unwrap();
//! assert!(outcome.error.is_none());
//! ```

mod format;
mod logger;
mod pop3_redactor;
mod replay;
mod replay_error;

pub use format::{Line, Transcript, TranscriptError, TranscriptErrorKind, escape};
pub use logger::{Redactor, SmtpRedactor, TranscriptLogger};
pub use pop3_redactor::Pop3Redactor;
pub use replay::{Replay, ReplayOutcome};
pub use replay_error::ReplayError;
