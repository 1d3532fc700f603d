//! The pure step of starting a session, shared by the async and blocking clients.

use mail_kit_core::pop3::Pop3Client as Pop3Machine;

use super::Pop3Options;
use crate::driver::DriverTimeouts;

/// The machine of a session, and the timeouts the driver applies: each TLS handshake within
/// the connect timeout, and a write stalled as long as the machine waits for a reply is a
/// timeout.
pub(crate) fn session_machine(options: &Pop3Options) -> (Pop3Machine, DriverTimeouts) {
    let config = options.pop3_config();
    let timeouts = DriverTimeouts {
        handshake: options.get_connect_timeout(),
        write_stall: config.timeouts.command,
    };
    (Pop3Machine::new(config), timeouts)
}
