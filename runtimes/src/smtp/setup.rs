//! The pure steps of starting a session, shared by the async and blocking clients.

use std::time::Instant;

use mail_kit_core::Machine;
use mail_kit_core::smtp::{SmtpClient as SmtpMachine, SmtpConfig};

use crate::driver::DriverTimeouts;
use crate::options::SmtpOptions;

/// The timeouts the driver applies to a session with `config`: each TLS handshake within the
/// connect timeout, and a write stalled for the "data block" time is a timeout
/// (RFC 5321 §4.5.3.2.5).
pub(crate) fn driver_timeouts(options: &SmtpOptions, config: &SmtpConfig) -> DriverTimeouts {
    DriverTimeouts {
        handshake: options.get_connect_timeout(),
        write_stall: config.timeouts.data_block,
    }
}

/// The machine of a new session, its greeting timer started now.
///
/// It knows from an `Implicit` TLS policy that the stream is encrypted; it accepts
/// `handle_tls_established` only after its own `StartTls`.
pub(crate) fn start_machine(config: SmtpConfig) -> SmtpMachine {
    let mut machine = SmtpMachine::new(config);
    machine.handle_timeout(Instant::now());
    machine
}
