//! Where the typed clients keep the machine's events until the command that waits for them
//! asks, and how each answer becomes a typed result. Shared by the async and blocking clients.

use std::fmt;

use mail_kit_core::Handle;
use mail_kit_core::smtp::{Capabilities, Event, Reply, SendReport};

use crate::driver::{Accepted, Answers};
use crate::error::Error;

/// A progress callback: message bytes handed to the socket so far, and in all.
pub(crate) type ProgressFn = Box<dyn FnMut(u64, u64) + Send>;

/// Events by command handle, the session state from `Ready`, and the progress callback.
#[derive(Default)]
pub(crate) struct Inbox {
    pub(crate) answers: Answers<Event>,
    ready: Option<(Capabilities, bool)>,
    progress: Option<ProgressFn>,
}

impl Inbox {
    /// Files one event and says what it was.
    pub(crate) fn accept(&mut self, event: Event) -> Accepted {
        match event {
            Event::Progress { sent, total, .. } => {
                if let Some(progress) = &mut self.progress {
                    progress(sent, total);
                }
                Accepted::Other
            }
            Event::Ready {
                capabilities,
                secure,
            } => {
                self.ready = Some((capabilities, secure));
                Accepted::Ready
            }
            other => match handle_of(&other) {
                Some(handle) => self.answers.file(handle, other),
                None => Accepted::Other,
            },
        }
    }

    /// Takes what `Ready` said, once.
    pub(crate) fn take_ready(&mut self) -> Option<(Capabilities, bool)> {
        self.ready.take()
    }

    pub(crate) fn set_progress(&mut self, progress: Option<ProgressFn>) {
        self.progress = progress;
    }
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("answers", &self.answers.len())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// The command handle an event answers.
fn handle_of(event: &Event) -> Option<Handle> {
    match event {
        Event::Authenticated { handle, .. }
        | Event::AuthenticationFailed { handle, .. }
        | Event::Sent { handle, .. }
        | Event::Reply { handle, .. }
        | Event::Refused { handle, .. }
        | Event::Closed { handle, .. } => Some(*handle),
        _ => None,
    }
}

fn unexpected(event: &Event) -> Error {
    Error::Protocol(mail_kit_core::Error::UnexpectedReply(format!(
        "unexpected answer to the command: {}",
        event_name(event)
    )))
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Ready { .. } => "Ready",
        Event::Authenticated { .. } => "Authenticated",
        Event::AuthenticationFailed { .. } => "AuthenticationFailed",
        Event::Sent { .. } => "Sent",
        Event::Progress { .. } => "Progress",
        Event::Reply { .. } => "Reply",
        Event::Refused { .. } => "Refused",
        Event::Closed { .. } => "Closed",
        _ => "an unknown event",
    }
}

/// The answer to `Authenticate`: the mechanism used.
pub(crate) fn auth_outcome(event: Event) -> Result<&'static str, Error> {
    match event {
        Event::Authenticated { mechanism, .. } => Ok(mechanism),
        Event::AuthenticationFailed {
            mechanism, reply, ..
        } => Err(Error::AuthenticationFailed { mechanism, reply }),
        other => Err(unexpected(&other)),
    }
}

/// The answer to `Send`: the report when at least one recipient accepted the message.
pub(crate) fn send_outcome(event: Event) -> Result<SendReport, Error> {
    match event {
        Event::Sent { report, .. } if report.is_accepted() => Ok(report),
        Event::Sent { report, .. } => Err(Error::NotAccepted(Box::new(report))),
        other => Err(unexpected(&other)),
    }
}

/// The answer to `NOOP`, `RSET`, `VRFY`, `EXPN`.
pub(crate) fn reply_outcome(event: Event) -> Result<Reply, Error> {
    match event {
        Event::Reply { reply, .. } => Ok(reply),
        Event::Refused { reply, .. } => Err(Error::Refused(reply)),
        other => Err(unexpected(&other)),
    }
}

/// The answer to `QUIT`: the server's goodbye, if any.
pub(crate) fn quit_outcome(event: Event) -> Result<Option<Reply>, Error> {
    match event {
        Event::Closed { reply, .. } => Ok(reply),
        other => Err(unexpected(&other)),
    }
}
