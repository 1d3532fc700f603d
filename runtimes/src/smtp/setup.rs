//! The pure steps of starting a session, shared by the async and blocking clients.

use std::time::Instant;

use mail_kit_core::{Machine, TlsInfo};
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

/// The machine of a new session, its greeting timer started now; `implicit_tls` is what the
/// handshake before the first byte reported (implicit TLS), so channel binding is known.
pub(crate) fn start_machine(config: SmtpConfig, implicit_tls: Option<TlsInfo>) -> SmtpMachine {
    let mut machine = SmtpMachine::new(config);
    let now = Instant::now();
    machine.handle_timeout(now);
    if let Some(info) = implicit_tls {
        machine.handle_tls_established(now, info);
    }
    machine
}
