//! Where the POP3 clients keep the machine's events until the command that waits for them
//! asks, where message bytes go while they stream in, and how each answer becomes a typed
//! result. Shared by the async and blocking clients.

use std::collections::HashMap;
use std::io;

use bytes::Bytes;
use mail_kit_core::Handle;
use mail_kit_core::pop3::{Capabilities, Event, Greeting, ListEntry, QuitResult, UidEntry};

use super::sink::{MessageSink, Target};
use crate::driver::{Accepted, Answers};
use crate::error::Error;

/// What `Ready` said.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) greeting: Greeting,
    pub(crate) capabilities: Capabilities,
    pub(crate) secure: bool,
}

/// Where the message events of `RETR`/`TOP` go.
pub(crate) trait Router {
    /// The command `handle` was accepted; its message follows.
    fn start(&mut self, handle: Handle, octets: Option<u64>);
    /// A piece of the message of `handle`.
    fn data(&mut self, handle: Handle, data: &[u8]);
    /// The message of `handle` is complete.
    fn end(&mut self, handle: Handle);
}

/// No retrieval in flight.
impl Router for () {
    fn start(&mut self, _: Handle, _: Option<u64>) {}
    fn data(&mut self, _: Handle, _: &[u8]) {}
    fn end(&mut self, _: Handle) {}
}

/// One retrieval into one sink.
pub(crate) struct One<S> {
    handle: Handle,
    target: Target<S>,
    result: Option<io::Result<()>>,
}

impl<S: MessageSink> One<S> {
    pub(crate) fn new(handle: Handle, sink: S) -> Self {
        One {
            handle,
            target: Target::new(sink),
            result: None,
        }
    }

    /// The sink's outcome (`Ok` when the message never started).
    pub(crate) fn result(self) -> io::Result<()> {
        self.result.unwrap_or(Ok(()))
    }
}

impl<S: MessageSink> Router for One<S> {
    fn start(&mut self, handle: Handle, octets: Option<u64>) {
        if handle == self.handle {
            self.target.start(octets);
        }
    }

    fn data(&mut self, handle: Handle, data: &[u8]) {
        if handle == self.handle {
            self.target.write(data);
        }
    }

    fn end(&mut self, handle: Handle) {
        if handle == self.handle {
            self.result = Some(self.target.finish());
        }
    }
}

/// Many retrievals, each into a sink made when its message starts (so only one is open at a
/// time, however many commands are pipelined).
pub(crate) struct Many<F, S> {
    /// The message number of each command.
    messages: HashMap<Handle, u32>,
    make: F,
    current: Option<(Handle, Target<S>)>,
    results: HashMap<Handle, io::Result<()>>,
}

impl<F: FnMut(u32) -> S, S: MessageSink> Many<F, S> {
    pub(crate) fn new(make: F) -> Self {
        Many {
            messages: HashMap::new(),
            make,
            current: None,
            results: HashMap::new(),
        }
    }

    /// Routes the message of `handle`, message number `message`, to a sink of its own.
    pub(crate) fn expect(&mut self, handle: Handle, message: u32) {
        self.messages.insert(handle, message);
    }

    /// The sink's outcome for `handle` (`Ok` when its message never started).
    pub(crate) fn take(&mut self, handle: Handle) -> io::Result<()> {
        self.results.remove(&handle).unwrap_or(Ok(()))
    }
}

impl<F: FnMut(u32) -> S, S: MessageSink> Router for Many<F, S> {
    fn start(&mut self, handle: Handle, octets: Option<u64>) {
        if let Some(&message) = self.messages.get(&handle) {
            let mut target = Target::new((self.make)(message));
            target.start(octets);
            self.current = Some((handle, target));
        }
    }

    fn data(&mut self, handle: Handle, data: &[u8]) {
        if let Some((current, target)) = &mut self.current
            && *current == handle
        {
            target.write(data);
        }
    }

    fn end(&mut self, handle: Handle) {
        if let Some((current, mut target)) = self.current.take() {
            if current == handle {
                self.results.insert(handle, target.finish());
            } else {
                self.current = Some((current, target));
            }
        }
    }
}

/// Events by command handle, and the session state from `Ready`.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    pub(crate) answers: Answers<Event>,
    ready: Option<Session>,
}

impl Inbox {
    /// Files one event (message bytes go to `router`) and says what it was.
    pub(crate) fn accept(&mut self, event: Event, router: &mut impl Router) -> Accepted {
        match event {
            Event::Ready {
                greeting,
                capabilities,
                secure,
            } => {
                self.ready = Some(Session {
                    greeting,
                    capabilities,
                    secure,
                });
                Accepted::Ready
            }
            Event::MessageStart { handle, octets } => {
                router.start(handle, octets);
                Accepted::Other
            }
            Event::MessageData { handle, data } => {
                router.data(handle, &data);
                Accepted::Other
            }
            other => match handle_of(&other) {
                Some(handle) => {
                    if matches!(other, Event::MessageEnd { .. }) {
                        router.end(handle);
                    }
                    self.answers.file(handle, other)
                }
                None => Accepted::Other,
            },
        }
    }

    /// Takes what `Ready` said, once.
    pub(crate) fn take_ready(&mut self) -> Option<Session> {
        self.ready.take()
    }
}

/// The command handle an event answers.
fn handle_of(event: &Event) -> Option<Handle> {
    match event {
        Event::Capabilities { handle, .. }
        | Event::Authenticated { handle, .. }
        | Event::AuthenticationFailed { handle, .. }
        | Event::Stat { handle, .. }
        | Event::Listing { handle, .. }
        | Event::UniqueIds { handle, .. }
        | Event::MessageEnd { handle, .. }
        | Event::Deleted { handle, .. }
        | Event::Ok { handle, .. }
        | Event::Languages { handle, .. }
        | Event::Refused { handle, .. }
        | Event::Closed { handle, .. } => Some(*handle),
        _ => None,
    }
}

/// A refusal is a typed error; anything else unexpected is a protocol error.
fn unexpected(event: Event) -> Error {
    match event {
        Event::Refused { refusal, .. } => Error::Pop3Refused(refusal),
        other => Error::Protocol(mail_kit_core::Error::UnexpectedReply(format!(
            "unexpected answer to the command: {}",
            event_name(&other)
        ))),
    }
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Ready { .. } => "Ready",
        Event::Capabilities { .. } => "Capabilities",
        Event::Authenticated { .. } => "Authenticated",
        Event::AuthenticationFailed { .. } => "AuthenticationFailed",
        Event::Stat { .. } => "Stat",
        Event::Listing { .. } => "Listing",
        Event::UniqueIds { .. } => "UniqueIds",
        Event::MessageStart { .. } => "MessageStart",
        Event::MessageData { .. } => "MessageData",
        Event::MessageEnd { .. } => "MessageEnd",
        Event::Deleted { .. } => "Deleted",
        Event::Ok { .. } => "Ok",
        Event::Languages { .. } => "Languages",
        Event::Refused { .. } => "Refused",
        Event::Closed { .. } => "Closed",
        _ => "an unknown event",
    }
}

/// The answer to a login: the method used.
pub(crate) fn login_outcome(event: Event) -> Result<&'static str, Error> {
    match event {
        Event::Authenticated { mechanism, .. } => Ok(mechanism),
        Event::AuthenticationFailed {
            mechanism, refusal, ..
        } => Err(Error::Pop3LoginFailed { mechanism, refusal }),
        other => Err(unexpected(other)),
    }
}

/// The answer to `CAPA`.
pub(crate) fn capa_outcome(event: Event) -> Result<Capabilities, Error> {
    match event {
        Event::Capabilities { capabilities, .. } => Ok(capabilities),
        other => Err(unexpected(other)),
    }
}

/// The answer to `STAT`: message count and mailbox size.
pub(crate) fn stat_outcome(event: Event) -> Result<(u32, u64), Error> {
    match event {
        Event::Stat { count, size, .. } => Ok((count, size)),
        other => Err(unexpected(other)),
    }
}

/// The answer to `LIST`.
pub(crate) fn list_outcome(event: Event) -> Result<Vec<ListEntry>, Error> {
    match event {
        Event::Listing { entries, .. } => Ok(entries),
        other => Err(unexpected(other)),
    }
}

/// The answer to `UIDL`.
pub(crate) fn uidl_outcome(event: Event) -> Result<Vec<UidEntry>, Error> {
    match event {
        Event::UniqueIds { entries, .. } => Ok(entries),
        other => Err(unexpected(other)),
    }
}

/// The one entry of `LIST n` or `UIDL n`.
pub(crate) fn single<T>(entries: Vec<T>) -> Result<T, Error> {
    entries.into_iter().next().ok_or_else(|| {
        Error::Protocol(mail_kit_core::Error::UnexpectedReply(
            "a single-message listing without an entry".to_owned(),
        ))
    })
}

/// The answer to `RETR`/`TOP`: the message size, unless the sink failed.
pub(crate) fn message_outcome(event: Event, sink: io::Result<()>) -> Result<u64, Error> {
    match event {
        Event::MessageEnd { size, .. } => {
            sink?;
            Ok(size)
        }
        other => Err(unexpected(other)),
    }
}

/// The answer to `DELE`.
pub(crate) fn deleted_outcome(event: Event) -> Result<(), Error> {
    match event {
        Event::Deleted { .. } => Ok(()),
        other => Err(unexpected(other)),
    }
}

/// The answer to `RSET`, `NOOP`: the server's text (raw, untrusted).
pub(crate) fn ok_outcome(event: Event) -> Result<Bytes, Error> {
    match event {
        Event::Ok { text, .. } => Ok(text),
        other => Err(unexpected(other)),
    }
}

/// The answer to `QUIT`: `Ok` when the server removed every message marked deleted (or
/// closed without a word).
pub(crate) fn quit_outcome(event: Event) -> Result<QuitResult, Error> {
    match event {
        Event::Closed {
            result: QuitResult::DeletionsFailed(refusal),
            ..
        } => Err(Error::DeletionsFailed(refusal)),
        Event::Closed { result, .. } => Ok(result),
        other => Err(unexpected(other)),
    }
}
