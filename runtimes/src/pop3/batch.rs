//! Enqueuing commands, choosing the login command, and the bookkeeping of `retrieve_many`,
//! shared by the async and blocking clients.

use std::time::Instant;

use mail_kit_core::pop3::{Auth, Command, Pop3Client as Pop3Machine};
use mail_kit_core::{Handle, Machine};

use super::inbox::{Inbox, Many, message_outcome};
use crate::driver::Batch;
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

/// Enqueues the `RETR` commands of one `retrieve_many` all at once (the machine pipelines them
/// when the server offers PIPELINING), routing each message to a sink of `many`.
pub(crate) fn enqueue_retrs<F: FnMut(u32) -> S, S: MessageSink>(
    machine: &mut Pop3Machine,
    messages: &[u32],
    inbox: &Inbox,
    many: &mut Many<F, S>,
) -> Batch {
    let slots = messages
        .iter()
        .map(|&message| {
            let handle = machine.enqueue(Command::Retr(message))?;
            many.expect(handle, message);
            Ok(handle)
        })
        .collect();
    machine.handle_timeout(Instant::now());
    Batch::new(slots, &inbox.answers)
}

/// One result per message of `batch`, in order: its size, or why it was not retrieved.
pub(crate) fn results<F: FnMut(u32) -> S, S: MessageSink>(
    batch: Batch,
    inbox: &mut Inbox,
    many: &mut Many<F, S>,
) -> Vec<Result<u64, Error>> {
    batch
        .into_slots()
        .into_iter()
        .map(|slot| {
            let handle = slot?;
            message_outcome(inbox.answers.take(handle)?, many.take(handle))
        })
        .collect()
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
