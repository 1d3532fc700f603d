//! The [`Machine`] contract every protocol client implements.

use std::time::Instant;

use bytes::Bytes;

use crate::error::Error;
use crate::tls::TlsInfo;

/// What a machine asks its driver to do next.
///
/// Outputs come from one ordered queue ([`Machine::poll_output`]) because order matters on a byte
/// stream: the bytes of `STARTTLS` go out, its reply is parsed, and only then does
/// [`Output::StartTls`] hand the socket over to TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output<E> {
    /// Write these bytes to the peer (and flush before waiting for input).
    Transmit(Bytes),
    /// Something the application should see: a reply to a command, a refusal, a state change.
    Event(E),
    /// Flush everything transmitted so far, wrap the stream in TLS, then call
    /// [`Machine::handle_tls_established`]. No input may be fed until then.
    StartTls,
    /// The session is over: flush, then close the connection.
    Close,
    /// Nothing more to do until input arrives, a command is enqueued, or `deadline` passes
    /// (then call [`Machine::handle_timeout`]).
    Idle {
        /// When the machine wants [`Machine::handle_timeout`] to be called, if ever.
        deadline: Option<Instant>,
    },
}

/// A pure protocol state machine: bytes and time in, bytes and events out, no I/O.
///
/// See the crate documentation for the drain rule every driver follows.
pub trait Machine {
    /// The protocol's event type.
    type Event;

    /// Feeds bytes received from the peer.
    fn handle_input(&mut self, now: Instant, data: &[u8]);

    /// Tells the machine that the peer closed its side of the connection.
    fn handle_eof(&mut self, now: Instant);

    /// Tells the machine the time: call it when the last `Idle` deadline has passed, and
    /// whenever the machine should learn the time (see the crate docs); early calls are harmless.
    fn handle_timeout(&mut self, now: Instant);

    /// Tells the machine that the TLS handshake it asked for with [`Output::StartTls`] is done.
    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo);

    /// Returns the next output. Call it until it returns [`Output::Idle`].
    ///
    /// An `Err` is fatal and sticky: every later call returns the same error.
    fn poll_output(&mut self) -> Result<Output<Self::Event>, Error>;
}

/// Identifies one enqueued command; the events that answer it carry the same handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(pub(crate) u64);

impl Handle {
    /// The handle's number, unique within one machine.
    pub fn id(self) -> u64 {
        self.0
    }
}

/// Hands out increasing [`Handle`]s.
#[derive(Debug, Default)]
pub(crate) struct HandleAllocator {
    next: u64,
}

impl HandleAllocator {
    pub(crate) fn next(&mut self) -> Handle {
        self.next += 1;
        Handle(self.next)
    }
}
