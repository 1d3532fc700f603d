//! Enqueuing commands, choosing the login command, and the bookkeeping of `retrieve_many`,
//! shared by the async and blocking clients.

use std::time::Instant;

use mail_kit_core::pop3::{Auth, Command, Pop3Client as Pop3Machine};
use mail_kit_core::{Handle, Machine};

use super::inbox::{Accepted, Inbox, Many, message_outcome};
use super::sink::MessageSink;
use crate::error::Error;

/// Enqueues `command` and lets the machine act on it now.
pub(crate) fn enqueue(machine: &mut Pop3Machine, command: Command) -> Result<Handle, Error> {
    let handle = machine.enqueue(command)?;
    machine.handle_timeout(Instant::now());
    Ok(handle)
}

/// The login command for `auth`: a mechanism forced as `USER` means `USER`/`PASS`, `APOP`
/// means `APOP`, any other name `AUTH` with that SASL mechanism; no mechanism the best method
/// the server offers.
pub(crate) fn login_command(auth: Auth) -> Command {
    match auth.mechanism.as_deref().map(str::to_ascii_uppercase) {
        None => Command::Login(auth),
        Some(name) if name == "USER" => Command::UserPass(auth),
        Some(name) if name == "APOP" => Command::Apop(auth),
        Some(_) => Command::Authenticate(auth),
    }
}

/// The `RETR` commands of one `retrieve_many`, enqueued all at once (the machine pipelines
/// them when the server offers PIPELINING): a slot per message (its handle, or why it could
/// not be enqueued) and how many answers are still missing.
pub(crate) struct Batch {
    slots: Vec<Result<Handle, Error>>,
    /// The enqueued handles; handed out in increasing order, so sorted.
    handles: Vec<Handle>,
    missing: usize,
}

impl Batch {
    /// Enqueues `RETR` for every message, routing each to a sink of `many`.
    pub(crate) fn enqueue<F: FnMut(u32) -> S, S: MessageSink>(
        machine: &mut Pop3Machine,
        messages: &[u32],
        inbox: &Inbox,
        many: &mut Many<F, S>,
    ) -> Batch {
        let slots: Vec<Result<Handle, Error>> = messages
            .iter()
            .map(|&message| {
                let handle = machine.enqueue(Command::Retr(message))?;
                many.expect(handle, message);
                Ok(handle)
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

    /// Whether every enqueued command has its answer.
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

    /// One result per message, in order: its size, or why it was not retrieved.
    pub(crate) fn results<F: FnMut(u32) -> S, S: MessageSink>(
        self,
        inbox: &mut Inbox,
        many: &mut Many<F, S>,
    ) -> Vec<Result<u64, Error>> {
        self.slots
            .into_iter()
            .map(|slot| {
                let handle = slot?;
                message_outcome(inbox.take(handle)?, many.take(handle))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use mail_kit_core::sasl::Credentials;

    use super::*;

    fn auth(mechanism: Option<&str>) -> Auth {
        let auth = Auth::new(Credentials::password("alice", "secret"));
        match mechanism {
            Some(m) => auth.with_mechanism(m),
            None => auth,
        }
    }

    #[test]
    fn forced_names_choose_the_login_method() {
        assert!(matches!(login_command(auth(None)), Command::Login(_)));
        assert!(matches!(
            login_command(auth(Some("user"))),
            Command::UserPass(_)
        ));
        assert!(matches!(login_command(auth(Some("APOP"))), Command::Apop(_)));
        assert!(matches!(
            login_command(auth(Some("SCRAM-SHA-256"))),
            Command::Authenticate(_)
        ));
    }
}
