//! What the typed clients of every protocol keep between the driver loop and the command that
//! waits: the machine's answers by command handle ([`Answers`]), and the bookkeeping of a batch
//! of commands enqueued at once ([`Batch`], for `send_many` and `retrieve_many`).

use std::collections::HashMap;

use mail_kit_core::Handle;

use crate::error::Error;

/// What an event was, for the driver loop's stop condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// The session became ready.
    Ready,
    /// The answer to this command arrived.
    Answer(Handle),
    /// Progress, message bytes, or an event without a command.
    Other,
}

/// The machine's answers (events `E`) by command handle, until their command takes them.
#[derive(Debug)]
pub(crate) struct Answers<E> {
    by_handle: HashMap<Handle, E>,
}

impl<E> Default for Answers<E> {
    fn default() -> Self {
        Answers {
            by_handle: HashMap::new(),
        }
    }
}

impl<E> Answers<E> {
    /// Files `event`, the answer to `handle`.
    pub(crate) fn file(&mut self, handle: Handle, event: E) -> Accepted {
        self.by_handle.insert(handle, event);
        Accepted::Answer(handle)
    }

    /// Whether the answer to `handle` has arrived.
    pub(crate) fn has(&self, handle: Handle) -> bool {
        self.by_handle.contains_key(&handle)
    }

    /// Takes the answer to `handle`.
    pub(crate) fn take(&mut self, handle: Handle) -> Result<E, Error> {
        self.by_handle.remove(&handle).ok_or_else(|| {
            Error::Protocol(mail_kit_core::Error::UnexpectedReply(
                "the session ended without answering the command".to_owned(),
            ))
        })
    }

    /// How many answers wait.
    pub(crate) fn len(&self) -> usize {
        self.by_handle.len()
    }
}

/// Commands enqueued all at once: a slot per command (its handle, or why it could not be
/// enqueued) and how many answers are still missing.
pub(crate) struct Batch {
    slots: Vec<Result<Handle, Error>>,
    /// The enqueued handles; handed out in increasing order, so sorted.
    handles: Vec<Handle>,
    missing: usize,
}

impl Batch {
    /// The batch of `slots`, some of whose answers may already be in `answers`.
    pub(crate) fn new<E>(slots: Vec<Result<Handle, Error>>, answers: &Answers<E>) -> Batch {
        let handles: Vec<Handle> = slots
            .iter()
            .filter_map(|s| s.as_ref().ok().copied())
            .collect();
        let missing = handles.iter().filter(|h| !answers.has(**h)).count();
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

    /// The slots, in the order the commands were given.
    pub(crate) fn into_slots(self) -> Vec<Result<Handle, Error>> {
        self.slots
    }
}
