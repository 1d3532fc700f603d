//! The blocking SMTP client.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use mail_kit_core::WireObserver;
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Auth, Capabilities, Command, Envelope, Event, Reply, SendReport, SmtpClient as SmtpMachine,
    Transaction,
};

use super::tls::TlsConnector;
use crate::driver::{Accepted, BlockingDriver, default_connector, open_blocking};
use crate::error::Error;
use crate::options::SmtpOptions;
use crate::smtp::Inbox;
use crate::smtp::batch::{enqueue, enqueue_sends, reports};
use crate::smtp::inbox::{auth_outcome, quit_outcome, reply_outcome, send_outcome};
use crate::smtp::setup::session_machine;
use crate::smtp::transaction_for_message;
use mail_kit_mime::Message;

/// A blocking SMTP session, ready for commands.
///
/// Each method enqueues one command in the sans-IO machine and drives the socket until that
/// command is answered. Server refusals come back as typed errors; after a fatal error
/// (protocol violation, I/O error, timeout) every later call returns [`Error::Closed`].
///
/// ```no_run
/// use mail_kit::blocking::SmtpClient;
/// use mail_kit::smtp::{Address, Envelope};
/// use mail_kit::{Credentials, SmtpOptions};
///
/// let options = SmtpOptions::from_url("smtps://mail.example.org")?;
/// let mut client = SmtpClient::connect(&options)?;
/// client.authenticate(Credentials::password("alice", "secret"))?;
/// let envelope = Envelope::new(
///     Some(Address::new("alice@example.org")?),
///     [Address::new("bob@example.org")?],
/// );
/// client.send_raw(&envelope, "Subject: Hi\r\n\r\nHello Bob\r\n")?;
/// client.quit()?;
/// # Ok::<(), mail_kit::Error>(())
/// ```
pub struct SmtpClient {
    driver: BlockingDriver<SmtpMachine>,
    inbox: Inbox,
    capabilities: Capabilities,
    secure: bool,
}

impl SmtpClient {
    /// Connects as `options` say (TCP with the connect timeout, implicit TLS for
    /// [`TlsMode::Implicit`](crate::TlsMode::Implicit)), then reads the greeting, says EHLO and upgrades with STARTTLS
    /// as the TLS mode asks. Returns once the session is ready for commands.
    pub fn connect(options: &SmtpOptions) -> Result<Self, Error> {
        Self::connect_with(default_connector(options.endpoint())?, options)
    }

    /// Like [`SmtpClient::connect`], with another TLS implementation.
    pub fn connect_with(
        connector: Arc<dyn TlsConnector>,
        options: &SmtpOptions,
    ) -> Result<Self, Error> {
        let mut driver = open_blocking(connector, options.endpoint(), |local_ip| {
            session_machine(options, local_ip)
        })?;
        let mut inbox = Inbox::default();
        driver.run(&mut |event| inbox.accept(event) == Accepted::Ready)?;
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
    pub fn authenticate(&mut self, credentials: Credentials) -> Result<&'static str, Error> {
        self.authenticate_with(Auth::new(credentials))
    }

    /// Authenticates as `auth` says (a forced mechanism, plaintext allowed...).
    pub fn authenticate_with(&mut self, auth: Auth) -> Result<&'static str, Error> {
        let event = self.execute(Command::Authenticate(auth))?;
        auth_outcome(event)
    }

    /// Sends one message. `Ok` when at least one recipient accepted it (the report lists the
    /// refused ones); [`Error::NotAccepted`] when none did or the server refused `MAIL`,
    /// `DATA` or the content.
    pub fn send_raw(
        &mut self,
        envelope: &Envelope,
        message: impl Into<Bytes>,
    ) -> Result<SendReport, Error> {
        self.send(Transaction::new(envelope.clone(), message))
    }

    /// Sends a parsed or built message: the envelope comes from its `Sender`/`From` and
    /// `To`/`Cc`/`Bcc` fields (or its `Resent-*` ones), `Bcc` is removed from what is sent
    /// (the rest is byte-identical unless parts must be re-encoded), and 8BITMIME, BINARYMIME
    /// and SMTPUTF8 are used as the content needs and the server allows. Parts are
    /// re-encoded (quoted-printable or base64) only when the server lacks what they need, and
    /// never in a message with a `DKIM-Signature` or `ARC-Seal` ([`Error::Message`]).
    pub fn send_message(&mut self, message: &Message) -> Result<SendReport, Error> {
        let transaction = transaction_for_message(message, self.capabilities())?;
        self.send(transaction)
    }

    /// Sends one transaction (see [`SmtpClient::send_raw`]).
    pub fn send(&mut self, transaction: Transaction) -> Result<SendReport, Error> {
        let event = self.execute(Command::Send(transaction))?;
        send_outcome(event)
    }

    /// Sends several messages, enqueued all at once so the machine pipelines them when the
    /// server allows. One result per transaction, in order; the outer `Err` is a fatal error
    /// that ended the session.
    pub fn send_many(
        &mut self,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Result<SendReport, Error>>, Error> {
        if self.driver.is_closed() {
            return Err(Error::Closed);
        }
        let mut batch = enqueue_sends(self.driver.machine_mut(), transactions, &self.inbox);
        let inbox = &mut self.inbox;
        if !batch.is_answered() {
            self.driver
                .run(&mut |event| batch.count(inbox.accept(event)))?;
        }
        Ok(reports(batch, &mut self.inbox))
    }

    /// `NOOP`: keeps the session alive; returns the server's reply.
    pub fn noop(&mut self) -> Result<Reply, Error> {
        let event = self.execute(Command::Noop)?;
        reply_outcome(event)
    }

    /// `RSET`: aborts the current transaction.
    pub fn rset(&mut self) -> Result<Reply, Error> {
        let event = self.execute(Command::Rset)?;
        reply_outcome(event)
    }

    /// `VRFY`: asks the server whether it knows a user or mailbox.
    pub fn vrfy(&mut self, who: &str) -> Result<Reply, Error> {
        let event = self.execute(Command::Vrfy(who.to_owned()))?;
        reply_outcome(event)
    }

    /// `EXPN`: asks the server to expand a mailing list.
    pub fn expn(&mut self, list: &str) -> Result<Reply, Error> {
        let event = self.execute(Command::Expn(list.to_owned()))?;
        reply_outcome(event)
    }

    /// `QUIT`, then closes the connection. Returns the server's goodbye, if it sent one.
    pub fn quit(mut self) -> Result<Option<Reply>, Error> {
        let event = self.execute(Command::Quit)?;
        quit_outcome(event)
    }

    /// Shows every byte written and read from now on to `observer` (a protocol logger).
    /// To see the greeting too, use [`SmtpOptions::wire_observer`] instead.
    pub fn set_observer(&mut self, observer: Box<dyn WireObserver>) {
        self.driver.set_observer(Some(observer));
    }

    /// Calls `progress(sent, total)` as message bytes are handed to the socket during
    /// [`send`](SmtpClient::send) and friends (for a progress bar).
    pub fn on_progress(&mut self, progress: impl FnMut(u64, u64) + Send + 'static) {
        self.inbox.set_progress(Some(Box::new(progress)));
    }

    /// Whether the connection is closed (after `QUIT` or a fatal error).
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Enqueues one command and drives until it is answered.
    fn execute(&mut self, command: Command) -> Result<Event, Error> {
        if self.driver.is_closed() {
            return Err(Error::Closed);
        }
        let handle = enqueue(self.driver.machine_mut(), command)?;
        let inbox = &mut self.inbox;
        if !inbox.answers.has(handle) {
            self.driver
                .run(&mut |event| inbox.accept(event) == Accepted::Answer(handle))?;
        }
        self.inbox.answers.take(handle)
    }
}

impl fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpClient")
            .field("secure", &self.is_secure())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
