//! The async POP3 client, written once for every runtime.

use std::fmt;

use bytes::Bytes;
use mail_kit_core::WireObserver;
use mail_kit_core::pop3::{
    Auth, Capabilities, Command, Event, Greeting, ListEntry, Pop3Client as Pop3Machine,
    QuitResult, UidEntry,
};
use mail_kit_core::sasl::Credentials;

use super::batch::{enqueue, enqueue_retrs, login_command, results};
use super::inbox::{
    Inbox, Many, One, Router, Session, capa_outcome, deleted_outcome, list_outcome, login_outcome,
    message_outcome, ok_outcome, quit_outcome, single, stat_outcome, uidl_outcome,
};
use super::setup::session_machine;
use super::sink::MessageSink;
use crate::driver::{Accepted, AsyncDriver, open_async, runtime_for};
use crate::error::Error;
use crate::pop3::Pop3Options;
use crate::runtime::Runtime;

/// A POP3 session on the async runtime `R`.
///
/// Use it through a runtime's alias: [`tokio::Pop3Client`](crate::tokio::Pop3Client),
/// [`smol::Pop3Client`](crate::smol::Pop3Client) or
/// [`async_std::Pop3Client`](crate::async_std::Pop3Client). Each method enqueues one command
/// in the sans-IO machine and drives the connection until that command is answered. A
/// refusal (`-ERR`) is [`Error::Pop3Refused`] and the session goes on; after a fatal error
/// (protocol violation, I/O error, timeout) every later call returns [`Error::Closed`].
///
/// Messages stream into a [`MessageSink`] (any `std::io::Write`) piece by piece; the client
/// never holds a whole message.
///
/// ```no_run
/// # #[cfg(feature = "tokio")]
/// # async fn demo() -> Result<(), mail_kit::Error> {
/// use mail_kit::tokio::Pop3Client;
/// use mail_kit::{Credentials, Pop3Options};
///
/// let options = Pop3Options::from_url("pop3s://mail.example.org")?;
/// let mut client = Pop3Client::connect(&options).await?;
/// client.authenticate(Credentials::password("alice", "secret")).await?;
/// let (count, _size) = client.stat().await?;
/// let numbers: Vec<u32> = (1..=count).collect();
/// // Pipelined when the server offers PIPELINING; one file per message.
/// let results = client
///     .retrieve_many(&numbers, |n| std::fs::File::create(format!("{n}.eml")).unwrap())
///     .await?;
/// for (n, result) in numbers.iter().zip(results) {
///     if result.is_ok() {
///         client.delete(*n).await?;
///     }
/// }
/// client.quit().await?; // the server removes the deleted messages now
/// # Ok(())
/// # }
/// ```
pub struct AsyncPop3Client<R: Runtime> {
    driver: AsyncDriver<R, Pop3Machine>,
    inbox: Inbox,
    session: Session,
}

impl<R: Runtime> AsyncPop3Client<R> {
    /// Connects as `options` say (TCP with the connect timeout, implicit TLS for
    /// `pop3s://`), then reads the greeting, asks `CAPA` and upgrades with `STLS` as the TLS
    /// mode asks. Returns once the session is ready for a login.
    pub async fn connect(options: &Pop3Options) -> Result<Self, Error> {
        let runtime = runtime_for(options.endpoint())?;
        Self::connect_with(runtime, options).await
    }

    /// Like [`AsyncPop3Client::connect`], with a runtime value carrying a custom TLS
    /// connector.
    pub async fn connect_with(runtime: R, options: &Pop3Options) -> Result<Self, Error> {
        Self::handshake(runtime, None, options).await
    }

    /// Starts the session over an already connected stream (a proxy tunnel, an in-memory
    /// pipe in tests...). For implicit TLS the stream is wrapped in TLS first.
    pub async fn connect_stream(
        runtime: R,
        stream: R::Stream,
        options: &Pop3Options,
    ) -> Result<Self, Error> {
        Self::handshake(runtime, Some(stream), options).await
    }

    async fn handshake(
        runtime: R,
        stream: Option<R::Stream>,
        options: &Pop3Options,
    ) -> Result<Self, Error> {
        let mut driver = open_async(runtime, options.endpoint(), stream, |_| {
            session_machine(options)
        })
        .await?;
        let mut inbox = Inbox::default();
        driver
            .run(&mut |event| inbox.accept(event, &mut ()) == Accepted::Ready)
            .await?;
        let session = inbox.take_ready().ok_or(Error::Closed)?;
        Ok(Self {
            driver,
            inbox,
            session,
        })
    }

    /// The server's greeting (with its APOP timestamp, if any).
    pub fn greeting(&self) -> &Greeting {
        &self.session.greeting
    }

    /// What the server offers (learned after TLS when TLS is used; updated by
    /// [`capa`](AsyncPop3Client::capa)).
    pub fn capabilities(&self) -> &Capabilities {
        &self.session.capabilities
    }

    /// Whether the connection is encrypted (implicit TLS or STLS).
    pub fn is_secure(&self) -> bool {
        self.session.secure
    }

    /// Logs in with the best method both sides support: `AUTH` with the strongest SASL
    /// mechanism, else `APOP`, else `USER`/`PASS`; returns the method's name. Methods that
    /// reveal the password are never used without TLS.
    pub async fn authenticate(&mut self, credentials: Credentials) -> Result<&'static str, Error> {
        self.authenticate_with(Auth::new(credentials)).await
    }

    /// Logs in as `auth` says: a forced mechanism `USER` uses `USER`/`PASS`, `APOP` uses
    /// `APOP`, any other name `AUTH` with that SASL mechanism; `allow_plaintext` permits
    /// password-revealing methods without TLS.
    pub async fn authenticate_with(&mut self, auth: Auth) -> Result<&'static str, Error> {
        let event = self.execute(login_command(auth)).await?;
        login_outcome(event)
    }

    /// `CAPA`: asks for the capabilities again (they may change after login).
    pub async fn capa(&mut self) -> Result<&Capabilities, Error> {
        self.session.capabilities = capa_outcome(self.execute(Command::Capa).await?)?;
        Ok(&self.session.capabilities)
    }

    /// `STAT`: the number of messages and the mailbox size in octets.
    pub async fn stat(&mut self) -> Result<(u32, u64), Error> {
        stat_outcome(self.execute(Command::Stat).await?)
    }

    /// `LIST`: the number and size of every message.
    pub async fn list(&mut self) -> Result<Vec<ListEntry>, Error> {
        list_outcome(self.execute(Command::List(None)).await?)
    }

    /// `LIST n`: the size of one message.
    pub async fn list_one(&mut self, message: u32) -> Result<ListEntry, Error> {
        list_outcome(self.execute(Command::List(Some(message))).await?).and_then(single)
    }

    /// `UIDL`: the unique id of every message.
    pub async fn uidl(&mut self) -> Result<Vec<UidEntry>, Error> {
        uidl_outcome(self.execute(Command::Uidl(None)).await?)
    }

    /// `UIDL n`: the unique id of one message.
    pub async fn uidl_one(&mut self, message: u32) -> Result<UidEntry, Error> {
        uidl_outcome(self.execute(Command::Uidl(Some(message))).await?).and_then(single)
    }

    /// `RETR n`: streams the message into `sink` exactly as stored (dot-unstuffed, CRLF) and
    /// returns its size. A failing sink is [`Error::Io`], after the rest of the message was
    /// read off the wire (the session goes on).
    pub async fn retrieve(
        &mut self,
        message: u32,
        sink: impl MessageSink + Send,
    ) -> Result<u64, Error> {
        self.stream_into(Command::Retr(message), sink).await
    }

    /// `TOP n lines`: streams the header and the first `lines` lines of the body into `sink`.
    pub async fn top(
        &mut self,
        message: u32,
        lines: u32,
        sink: impl MessageSink + Send,
    ) -> Result<u64, Error> {
        self.stream_into(Command::Top { message, lines }, sink)
            .await
    }

    /// Retrieves several messages, all `RETR` commands enqueued at once so they are
    /// pipelined when the server offers PIPELINING. Each message streams into the sink
    /// `sink_for(n)` makes when that message starts (one sink open at a time). One result
    /// per message, in order; the outer `Err` is a fatal error that ended the session.
    pub async fn retrieve_many<S: MessageSink + Send>(
        &mut self,
        messages: &[u32],
        sink_for: impl FnMut(u32) -> S + Send,
    ) -> Result<Vec<Result<u64, Error>>, Error> {
        if self.driver.is_closed() {
            return Err(Error::Closed);
        }
        let mut many = Many::new(sink_for);
        let mut batch = enqueue_retrs(self.driver.machine_mut(), messages, &self.inbox, &mut many);
        if !batch.is_answered() {
            let (inbox, router) = (&mut self.inbox, &mut many);
            self.driver
                .run(&mut |event| batch.count(inbox.accept(event, router)))
                .await?;
        }
        Ok(results(batch, &mut self.inbox, &mut many))
    }

    /// `DELE n`: marks a message deleted; the server removes it at [`quit`](Self::quit).
    pub async fn delete(&mut self, message: u32) -> Result<(), Error> {
        deleted_outcome(self.execute(Command::Dele(message)).await?)
    }

    /// `RSET`: unmarks every message marked deleted.
    pub async fn reset(&mut self) -> Result<Bytes, Error> {
        ok_outcome(self.execute(Command::Rset).await?)
    }

    /// `NOOP`: keeps the session alive; returns the server's text (raw, untrusted).
    pub async fn noop(&mut self) -> Result<Bytes, Error> {
        ok_outcome(self.execute(Command::Noop).await?)
    }

    /// `QUIT`, then closes the connection. After a login the server now removes the
    /// messages marked deleted (the UPDATE state): `Ok` when it did, or when it closed
    /// without a word; [`Error::DeletionsFailed`] when it says it could not.
    pub async fn quit(mut self) -> Result<QuitResult, Error> {
        quit_outcome(self.execute(Command::Quit).await?)
    }

    /// Shows every byte written and read from now on to `observer` (a protocol logger).
    /// To see the greeting too, use [`Pop3Options::wire_observer`] instead.
    pub fn set_observer(&mut self, observer: Box<dyn WireObserver>) {
        self.driver.set_observer(Some(observer));
    }

    /// Whether the connection is closed (after `QUIT` or a fatal error).
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Enqueues `RETR`/`TOP` and streams its message into `sink`.
    async fn stream_into(
        &mut self,
        command: Command,
        sink: impl MessageSink + Send,
    ) -> Result<u64, Error> {
        let handle = self.start(command)?;
        let mut one = One::new(handle, sink);
        let event = self.answer(handle, &mut one).await?;
        message_outcome(event, one.result())
    }

    /// Enqueues one command and drives until it is answered.
    async fn execute(&mut self, command: Command) -> Result<Event, Error> {
        let handle = self.start(command)?;
        self.answer(handle, &mut ()).await
    }

    fn start(&mut self, command: Command) -> Result<mail_kit_core::Handle, Error> {
        if self.driver.is_closed() {
            return Err(Error::Closed);
        }
        enqueue(self.driver.machine_mut(), command)
    }

    /// Drives until `handle` is answered, message bytes going to `router`.
    async fn answer(
        &mut self,
        handle: mail_kit_core::Handle,
        router: &mut (impl Router + Send),
    ) -> Result<Event, Error> {
        let inbox = &mut self.inbox;
        if !inbox.answers.has(handle) {
            self.driver
                .run(&mut |event| inbox.accept(event, router) == Accepted::Answer(handle))
                .await?;
        }
        self.inbox.answers.take(handle)
    }
}

impl<R: Runtime> fmt::Debug for AsyncPop3Client<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncPop3Client")
            .field("secure", &self.is_secure())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
