//! The drivers: they move bytes between a [`Machine`](mail_kit_core::Machine) and a socket.
//! No protocol logic lives here.

use std::time::Duration;

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod async_driver;
#[cfg(feature = "blocking")]
mod blocking_driver;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod timeout;

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use async_driver::AsyncDriver;
#[cfg(feature = "blocking")]
pub(crate) use blocking_driver::{BlockingDriver, handshake_error};
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use timeout::timeout;

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
