//! Enqueuing commands, and the bookkeeping of `send_many`, shared by the async and blocking
//! clients.

use std::time::Instant;

use mail_kit_core::smtp::{Command, SendReport, SmtpClient as SmtpMachine, Transaction};
use mail_kit_core::{Handle, Machine};

use super::inbox::{Accepted, Inbox, send_outcome};
use crate::error::Error;

/// Enqueues `command` and lets the machine act on it now.
pub(crate) fn enqueue(machine: &mut SmtpMachine, command: Command) -> Result<Handle, Error> {
    let handle = machine.enqueue(command)?;
    machine.handle_timeout(Instant::now());
    Ok(handle)
}

/// The transactions of one `send_many`, enqueued all at once: a slot per transaction (its
/// handle, or why it could not be enqueued) and how many answers are still missing.
pub(crate) struct Batch {
    slots: Vec<Result<Handle, Error>>,
    /// The enqueued handles; handed out in increasing order, so sorted.
    handles: Vec<Handle>,
    missing: usize,
}

impl Batch {
    /// Enqueues every transaction, then lets the machine act on them.
    pub(crate) fn enqueue(
        machine: &mut SmtpMachine,
        transactions: Vec<Transaction>,
        inbox: &Inbox,
    ) -> Batch {
        let slots: Vec<Result<Handle, Error>> = transactions
            .into_iter()
            .map(|transaction| {
                machine
                    .enqueue(Command::Send(transaction))
                    .map_err(Error::from)
            })
            .collect();
        machine.handle_timeout(Instant::now());
        let handles: Vec<Handle> = slots
            .iter()
            .filter_map(|s| s.as_ref().ok().copied())
            .collect();
        let missing = handles.iter().filter(|h| !inbox.has(**h)).count();
        Batch {
            slots,
            handles,
            missing,
        }
    }

    /// Whether every enqueued transaction has its answer.
    pub(crate) fn is_answered(&self) -> bool {
        self.missing == 0
    }

    /// Counts an event the inbox filed; `true` once every answer is in (the driver loop's
    /// stop condition).
    pub(crate) fn count(&mut self, accepted: Accepted) -> bool {
        if let Accepted::Answer(handle) = accepted
            && self.handles.binary_search(&handle).is_ok()
        {
            self.missing -= 1;
        }
        self.is_answered()
    }

    /// One result per transaction, in order, taken from `inbox`.
    pub(crate) fn reports(self, inbox: &mut Inbox) -> Vec<Result<SendReport, Error>> {
        self.slots
            .into_iter()
            .map(|slot| slot.and_then(|h| inbox.take(h)).and_then(send_outcome))
            .collect()
    }
}
