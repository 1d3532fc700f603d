//! The async SMTP client, written once for every runtime.

use std::fmt;

use bytes::Bytes;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Auth, Capabilities, Command, Envelope, Reply, SendReport, SmtpClient as SmtpMachine,
    Transaction,
};
use mail_kit_core::WireObserver;

use super::Inbox;
use super::batch::{enqueue, enqueue_sends, reports};
use super::inbox::{auth_outcome, quit_outcome, reply_outcome, send_outcome};
use super::message::transaction_for_message;
use super::setup::session_machine;
use mail_kit_mime::Message;
use crate::driver::{Accepted, AsyncDriver, open_async, runtime_for};
use crate::error::Error;
use crate::options::SmtpOptions;
use crate::runtime::Runtime;

/// An SMTP session on the async runtime `R`, ready for commands.
///
/// Use it through a runtime's alias: [`tokio::SmtpClient`](crate::tokio::SmtpClient),
/// [`smol::SmtpClient`](crate::smol::SmtpClient) or
/// [`async_std::SmtpClient`](crate::async_std::SmtpClient). Each method enqueues one command
/// in the sans-IO machine and drives the connection until that command is answered. Server
/// refusals come back as typed errors; after a fatal error (protocol violation, I/O error,
/// timeout) every later call returns [`Error::Closed`].
///
/// Dropping a method's future before it completes (a `select!` or a timeout around it)
/// leaves the command in flight: the session stays usable and the next call drives it on,
/// but that command's answer is lost.
///
/// ```no_run
/// # #[cfg(feature = "tokio")]
/// # async fn demo() -> Result<(), mail_kit::Error> {
/// use mail_kit::tokio::SmtpClient;
/// use mail_kit::smtp::{Address, Envelope};
/// use mail_kit::{Credentials, SmtpOptions};
///
/// let options = SmtpOptions::from_url("smtp://mail.example.org")?;
/// let mut client = SmtpClient::connect(&options).await?;
/// client.authenticate(Credentials::password("alice", "secret")).await?;
/// let envelope = Envelope::new(
///     Some(Address::new("alice@example.org")?),
///     [Address::new("bob@example.org")?],
/// );
/// client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n").await?;
/// client.quit().await?;
/// # Ok(())
/// # }
/// ```
pub struct AsyncSmtpClient<R: Runtime> {
    driver: AsyncDriver<R, SmtpMachine>,
    inbox: Inbox,
    capabilities: Capabilities,
    secure: bool,
}

impl<R: Runtime> AsyncSmtpClient<R> {
    /// Connects as `options` say (TCP with the connect timeout, implicit TLS for
    /// [`TlsMode::Implicit`](crate::TlsMode::Implicit)), then reads the greeting, says EHLO and upgrades with STARTTLS
    /// as the TLS mode asks. Returns once the session is ready for commands.
    pub async fn connect(options: &SmtpOptions) -> Result<Self, Error> {
        let runtime = runtime_for(options.endpoint())?;
        Self::connect_with(runtime, options).await
    }

    /// Like [`AsyncSmtpClient::connect`], with a runtime value carrying a custom TLS
    /// connector.
    pub async fn connect_with(runtime: R, options: &SmtpOptions) -> Result<Self, Error> {
        Self::handshake(runtime, None, options).await
    }

    /// Starts the session over an already connected stream (a proxy tunnel, an in-memory
    /// pipe in tests...). For [`TlsMode::Implicit`](crate::TlsMode::Implicit) the stream is wrapped in TLS first.
    pub async fn connect_stream(
        runtime: R,
        stream: R::Stream,
        options: &SmtpOptions,
    ) -> Result<Self, Error> {
        Self::handshake(runtime, Some(stream), options).await
    }

    async fn handshake(
        runtime: R,
        stream: Option<R::Stream>,
        options: &SmtpOptions,
    ) -> Result<Self, Error> {
        let mut driver = open_async(runtime, options.endpoint(), stream, |local_ip| {
            session_machine(options, local_ip)
        })
        .await?;
        let mut inbox = Inbox::default();
        driver
            .run(&mut |event| inbox.accept(event) == Accepted::Ready)
            .await?;
        let (capabilities, secure) = inbox.take_ready().ok_or(Error::Closed)?;
        Ok(Self {
            driver,
            inbox,
            capabilities,
            secure,
        })
    }

    /// What the server offers (learned after TLS when TLS is used).
    pub fn capabilities(&self) -> &Capabilities {
        self.driver
            .machine()
            .capabilities()
            .unwrap_or(&self.capabilities)
    }

    /// Whether the connection is encrypted (implicit TLS or STARTTLS).
    pub fn is_secure(&self) -> bool {
        self.secure || self.driver.machine().is_secure()
    }

    /// Authenticates with the strongest mechanism both sides support, and returns its name.
    /// Mechanisms that reveal the password are never used without TLS.
    pub async fn authenticate(&mut self, credentials: Credentials) -> Result<&'static str, Error> {
        self.authenticate_with(Auth::new(credentials)).await
    }

    /// Authenticates as `auth` says (a forced mechanism, plaintext allowed...).
    pub async fn authenticate_with(&mut self, auth: Auth) -> Result<&'static str, Error> {
        let event = self.execute(Command::Authenticate(auth)).await?;
        auth_outcome(event)
    }

    /// Sends one message. `Ok` when at least one recipient accepted it (the report lists the
    /// refused ones); [`Error::NotAccepted`] when none did or the server refused `MAIL`,
    /// `DATA` or the content.
    pub async fn send_raw(
        &mut self,
        envelope: &Envelope,
        message: impl Into<Bytes>,
    ) -> Result<SendReport, Error> {
        self.send(Transaction::new(envelope.clone(), message)).await
    }

    /// Sends a parsed or built message: the envelope comes from its `Sender`/`From` and
    /// `To`/`Cc`/`Bcc` fields (or its `Resent-*` ones), `Bcc` is removed from what is sent
    /// (the rest is byte-identical unless parts must be re-encoded), and 8BITMIME, BINARYMIME
    /// and SMTPUTF8 are used as the content needs and the server allows. Parts are
    /// re-encoded (quoted-printable or base64) only when the server lacks what they need, and
    /// never in a message with a `DKIM-Signature` or `ARC-Seal` ([`Error::Message`]).
    pub async fn send_message(&mut self, message: &Message) -> Result<SendReport, Error> {
        let transaction = transaction_for_message(message, self.capabilities())?;
        self.send(transaction).await
    }

    /// Sends one transaction (see [`AsyncSmtpClient::send_raw`]).
    pub async fn send(&mut self, transaction: Transaction) -> Result<SendReport, Error> {
        let event = self.execute(Command::Send(transaction)).await?;
        send_outcome(event)
    }

    /// Sends several messages, enqueued all at once so the machine pipelines them when the
    /// server allows. One result per transaction, in order; the outer `Err` is a fatal error
    /// that ended the session.
    pub async fn send_many(
        &mut self,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Result<SendReport, Error>>, Error> {
        let mut batch = enqueue_sends(self.driver.machine_mut(), transactions, &self.inbox);
        let inbox = &mut self.inbox;
        if !batch.is_answered() {
            self.driver
                .run(&mut |event| batch.count(inbox.accept(event)))
                .await?;
        }
        Ok(reports(batch, &mut self.inbox))
    }

    /// `NOOP`: keeps the session alive; returns the server's reply.
    pub async fn noop(&mut self) -> Result<Reply, Error> {
        let event = self.execute(Command::Noop).await?;
        reply_outcome(event)
    }

    /// `RSET`: aborts the current transaction.
    pub async fn rset(&mut self) -> Result<Reply, Error> {
        let event = self.execute(Command::Rset).await?;
        reply_outcome(event)
    }

    /// `VRFY`: asks the server whether it knows a user or mailbox.
    pub async fn vrfy(&mut self, who: &str) -> Result<Reply, Error> {
        let event = self.execute(Command::Vrfy(who.to_owned())).await?;
        reply_outcome(event)
    }

    /// `EXPN`: asks the server to expand a mailing list.
    pub async fn expn(&mut self, list: &str) -> Result<Reply, Error> {
        let event = self.execute(Command::Expn(list.to_owned())).await?;
        reply_outcome(event)
    }

    /// `QUIT`, then closes the connection. Returns the server's goodbye, if it sent one.
    pub async fn quit(mut self) -> Result<Option<Reply>, Error> {
        let event = self.execute(Command::Quit).await?;
        quit_outcome(event)
    }

    /// Shows every byte written and read from now on to `observer` (a protocol logger).
    /// To see the greeting too, use [`SmtpOptions::wire_observer`] instead.
    pub fn set_observer(&mut self, observer: Box<dyn WireObserver>) {
        self.driver.set_observer(Some(observer));
    }

    /// Calls `progress(sent, total)` as message bytes are handed to the socket during
    /// [`send`](AsyncSmtpClient::send) and friends (for a progress bar).
    pub fn on_progress(&mut self, progress: impl FnMut(u64, u64) + Send + 'static) {
        self.inbox.set_progress(Some(Box::new(progress)));
    }

    /// Whether the connection is closed (after `QUIT` or a fatal error).
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Enqueues one command and drives until it is answered.
    async fn execute(&mut self, command: Command) -> Result<mail_kit_core::smtp::Event, Error> {
        if self.driver.is_closed() {
            return Err(Error::Closed);
        }
        let handle = enqueue(self.driver.machine_mut(), command)?;
        let inbox = &mut self.inbox;
        if !inbox.answers.has(handle) {
            self.driver
                .run(&mut |event| inbox.accept(event) == Accepted::Answer(handle))
                .await?;
        }
        self.inbox.answers.take(handle)
    }
}

impl<R: Runtime> fmt::Debug for AsyncSmtpClient<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncSmtpClient")
            .field("secure", &self.is_secure())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
