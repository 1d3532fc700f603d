//! Enqueuing commands, and the bookkeeping of `send_many`, shared by the async and blocking
//! clients.

use std::time::Instant;

use mail_kit_core::smtp::{Command, SendReport, SmtpClient as SmtpMachine, Transaction};
use mail_kit_core::{Handle, Machine};

use super::inbox::{Inbox, send_outcome};
use crate::driver::Batch;
use crate::error::Error;

/// Enqueues `command` and lets the machine act on it now.
pub(crate) fn enqueue(machine: &mut SmtpMachine, command: Command) -> Result<Handle, Error> {
    let handle = machine.enqueue(command)?;
    machine.handle_timeout(Instant::now());
    Ok(handle)
}

/// Enqueues the transactions of one `send_many` all at once, then lets the machine act on them.
pub(crate) fn enqueue_sends(
    machine: &mut SmtpMachine,
    transactions: Vec<Transaction>,
    inbox: &Inbox,
) -> Batch {
    let slots = transactions
        .into_iter()
        .map(|transaction| {
            machine
                .enqueue(Command::Send(transaction))
                .map_err(Error::from)
        })
        .collect();
    machine.handle_timeout(Instant::now());
    Batch::new(slots, &inbox.answers)
}

/// One result per transaction of `batch`, in order, taken from `inbox`.
pub(crate) fn reports(batch: Batch, inbox: &mut Inbox) -> Vec<Result<SendReport, Error>> {
    batch
        .into_slots()
        .into_iter()
        .map(|slot| slot.and_then(|h| inbox.answers.take(h)).and_then(send_outcome))
        .collect()
}
