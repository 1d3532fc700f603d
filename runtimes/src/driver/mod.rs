//! The drivers: they move bytes between a [`Machine`](mail_kit_core::Machine) and a socket.
//! No protocol logic lives here.

use std::time::{Duration, Instant};

use mail_kit_core::{Machine, TlsInfo, WireObserver};

mod answers;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod async_driver;
#[cfg(feature = "blocking")]
mod blocking_driver;
mod open;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod timeout;

pub(crate) use answers::{Accepted, Answers, Batch};
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use async_driver::AsyncDriver;
#[cfg(feature = "blocking")]
pub(crate) use blocking_driver::{BlockingDriver, handshake_error};
#[cfg(feature = "blocking")]
pub(crate) use open::{default_connector, open_blocking};
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use open::{open_async, runtime_for};
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use timeout::timeout;

/// What both drivers keep beside their socket: the machine, the wire observer, and whether
/// the connection was closed or failed. A driver derefs to it, so its client reaches these
/// accessors through the driver.
pub(crate) struct DriverState<M> {
    pub(crate) machine: M,
    pub(crate) observer: Option<Box<dyn WireObserver>>,
    /// The machine closed the connection.
    pub(crate) closed: bool,
    /// An error ended the connection.
    pub(crate) failed: bool,
}

impl<M: Machine> DriverState<M> {
    pub(crate) fn new(machine: M, observer: Option<Box<dyn WireObserver>>) -> Self {
        DriverState {
            machine,
            observer,
            closed: false,
            failed: false,
        }
    }

    pub(crate) fn machine(&self) -> &M {
        &self.machine
    }

    pub(crate) fn machine_mut(&mut self) -> &mut M {
        &mut self.machine
    }

    pub(crate) fn set_observer(&mut self, observer: Option<Box<dyn WireObserver>>) {
        self.observer = observer;
    }

    /// Whether the connection was closed or failed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed || self.failed
    }

    /// Shows `input` from the server to the observer, then feeds it to the machine.
    pub(crate) fn handle_input(&mut self, now: Instant, input: &[u8]) {
        if let Some(observer) = &mut self.observer {
            observer.server_bytes(input);
        }
        self.machine.handle_input(now, input);
    }

    /// Tells the observer, then the machine, that the TLS handshake is done.
    pub(crate) fn handle_tls_established(&mut self, info: TlsInfo) {
        if let Some(observer) = &mut self.observer {
            observer.tls_established();
        }
        self.machine.handle_tls_established(Instant::now(), info);
    }
}

/// The timeouts a driver applies itself; the machine times the replies it expects.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DriverTimeouts {
    /// The TLS handshake after `STARTTLS`.
    pub(crate) handshake: Duration,
    /// How long pending output may make no progress before the driver gives up: the machine
    /// expects no reply while it sends message content, so only this catches a server that
    /// stops reading (RFC 5321 §4.5.3.2.5, "Data block").
    pub(crate) write_stall: Duration,
}

/// What a driver reports when a write made no progress for [`DriverTimeouts::write_stall`].
pub(crate) fn write_stalled(after: Duration) -> crate::error::Error {
    crate::error::Error::Timeout {
        waiting_for: "the server to accept written data".to_owned(),
        after,
    }
}

/// Size of the read buffer.
pub(crate) const READ_BUFFER_SIZE: usize = 64 * 1024;

/// A write buffer larger than this is shrunk once written (after a big message).
pub(crate) const MAX_IDLE_CAPACITY: usize = 1024 * 1024;

/// Once this much is waiting to be written, the driver writes before draining more output:
/// one write still carries a whole pipelined batch of commands, but a large message goes out
/// in pieces of about this size, with its progress events in step.
pub(crate) const WRITE_HIGH_WATER: usize = 256 * 1024;
