//! The pure steps of starting a session, shared by the async and blocking clients.

use std::net::IpAddr;

use mail_kit_core::smtp::SmtpClient as SmtpMachine;

use crate::driver::DriverTimeouts;
use crate::options::SmtpOptions;

/// The machine of a session from `local_ip` (its EHLO name), and the timeouts the driver
/// applies: each TLS handshake within the connect timeout, and a write stalled for the "data
/// block" time is a timeout (RFC 5321 §4.5.3.2.5).
pub(crate) fn session_machine(
    options: &SmtpOptions,
    local_ip: Option<IpAddr>,
) -> (SmtpMachine, DriverTimeouts) {
    let config = options.smtp_config(local_ip);
    let timeouts = DriverTimeouts {
        handshake: options.get_connect_timeout(),
        write_stall: config.timeouts.data_block,
    };
    (SmtpMachine::new(config), timeouts)
}
