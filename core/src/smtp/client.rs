//! The SMTP client machine: session set-up, command queue, reply matching.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};

use super::auth::AuthExchange;
use super::capabilities::Capabilities;
use super::command::Command;
use super::config::SmtpConfig;
use super::encode;
use super::event::Event;
use super::reply::{Reply, ReplyParser};
use super::transaction::{ContentWriter, InFlight, Prepared};
use crate::clock::Clock;
use crate::error::{Error, UsageError};
use crate::machine::{Handle, HandleAllocator, Machine, Output};
use crate::outbox::Outbox;
use crate::sasl::{self, SelectOptions};
use crate::tls::{self, TlsInfo, TlsPolicy, TlsState};

mod sending;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the 220 greeting.
    Greeting,
    /// Saying hello (EHLO, maybe HELO, maybe STARTTLS and EHLO again).
    Handshake,
    /// `Output::StartTls` was emitted; waiting for `handle_tls_established`.
    TlsHandshake,
    /// Commands may run.
    Ready,
    /// `QUIT` is on its way or answered.
    Closing,
    /// Closed.
    Closed,
}

/// A reply the machine waits for, in the order the commands were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    DataEnd,
    Bdat {
        last: bool,
    },
    /// An `RSET` the machine sent itself after a failed transaction.
    CleanupRset,
    /// NOOP, RSET, VRFY, EXPN from the application.
    Simple(Handle),
    Quit(Handle),
}

impl Expect {
    fn waiting_for(self) -> &'static str {
        match self {
            Expect::Greeting => "the greeting",
            Expect::Ehlo | Expect::Helo => "the reply to EHLO/HELO",
            Expect::StartTls => "the reply to STARTTLS",
            Expect::Auth => "the reply to AUTH",
            Expect::Mail => "the reply to MAIL FROM",
            Expect::Rcpt => "the reply to RCPT TO",
            Expect::Data => "the reply to DATA",
            Expect::DataEnd => "the reply to the end of the message",
            Expect::Bdat { .. } => "the reply to BDAT",
            Expect::CleanupRset | Expect::Simple(_) => "a reply",
            Expect::Quit(_) => "the reply to QUIT",
        }
    }
}

/// The SMTP client state machine. See the [module documentation](super).
///
/// ```
/// use std::time::Instant;
/// use mail_kit_core::smtp::{Address, ClientName, Command, Envelope, SmtpClient, SmtpConfig, Transaction};
/// use mail_kit_core::{Machine, Output, TlsPolicy};
///
/// let mut smtp = SmtpClient::new(SmtpConfig::new(ClientName::new("me.example").unwrap(), TlsPolicy::None));
/// smtp.handle_input(Instant::now(), b"220 mx ESMTP\r\n");
/// while !matches!(smtp.poll_output().unwrap(), Output::Idle { .. }) {}
/// smtp.handle_input(Instant::now(), b"250 mx\r\n");
/// while !matches!(smtp.poll_output().unwrap(), Output::Idle { .. }) {}
/// let env = Envelope::new(Some(Address::new("a@example.org").unwrap()), [Address::new("b@example.org").unwrap()]);
/// let handle = smtp.enqueue(Command::Send(Transaction::new(env, &b"Subject: hi\r\n\r\nhello\r\n"[..]))).unwrap();
/// assert_eq!(smtp.poll_output().unwrap(), Output::Transmit("MAIL FROM:<a@example.org>\r\n".into()));
/// # let _ = handle;
/// ```
pub struct SmtpClient {
    config: SmtpConfig,
    parser: ReplyParser,
    inbuf: BytesMut,
    outbox: Outbox<Event>,
    handles: HandleAllocator,
    phase: Phase,
    caps: Option<Capabilities>,
    expects: VecDeque<Expect>,
    queue: VecDeque<(Handle, Queued)>,
    txs: VecDeque<InFlight>,
    content: Option<ContentWriter>,
    /// A piece of `BDAT` content may go out (lock-step mode waits for each reply).
    content_go: bool,
    auth: Option<AuthExchange>,
    /// What the TLS handshake reported (implicit TLS or STARTTLS).
    tls: TlsState,
    clock: Clock,
}

/// Shows the session's state, never buffered bytes (they may hold an AUTH exchange).
impl std::fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpClient")
            .field("phase", &self.phase)
            .field("secure", &self.tls.secure)
            .field("capabilities", &self.caps)
            .field("queued", &self.queue.len())
            .field("expecting", &self.expects)
            .field("transactions", &self.txs.len())
            .field("buffered_in", &self.inbuf.len())
            .field("buffered_out", &self.outbox.pending())
            .field("error", &self.outbox.error())
            .finish_non_exhaustive()
    }
}

/// A command accepted by `enqueue`, checked and ready to start.
#[derive(Debug)]
enum Queued {
    Auth(AuthExchange),
    Send(Prepared),
    Simple(Bytes),
    Quit,
}

impl SmtpClient {
    /// A new session; the driver connects and feeds the greeting.
    pub fn new(config: SmtpConfig) -> SmtpClient {
        let parser = ReplyParser::new(config.limits.max_line_len, config.limits.max_reply_lines);
        let tls = TlsState::new(config.tls);
        SmtpClient {
            config,
            parser,
            inbuf: BytesMut::new(),
            outbox: Outbox::new(),
            handles: HandleAllocator::default(),
            phase: Phase::Greeting,
            caps: None,
            expects: VecDeque::from([Expect::Greeting]),
            queue: VecDeque::new(),
            txs: VecDeque::new(),
            content: None,
            content_go: false,
            auth: None,
            tls,
            clock: Clock::default(),
        }
    }

    /// The server's capabilities, known once [`Event::Ready`] has been emitted.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        if self.phase == Phase::Ready || self.phase == Phase::Closing {
            self.caps.as_ref()
        } else {
            None
        }
    }

    /// Whether the connection is encrypted (implicit TLS or a finished STARTTLS).
    pub fn is_secure(&self) -> bool {
        self.tls.secure
    }

    /// What the TLS handshake reported (protocol, channel-binding data), once there was one:
    /// the driver's implicit TLS before the greeting, or the upgrade after `STARTTLS`.
    pub fn tls_info(&self) -> Option<&TlsInfo> {
        self.tls.info.as_ref()
    }

    /// Whether the session is set up and accepts commands.
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready && self.outbox.error().is_none()
    }

    /// Checks `cmd` and queues it; it goes out when the commands before it allow.
    ///
    /// Everything that can be checked locally is checked here, before any byte is produced:
    /// CR/LF and syntax of every argument, the message size against the server's `SIZE`,
    /// extensions the envelope needs, the mechanism to authenticate with.
    pub fn enqueue(&mut self, cmd: Command) -> Result<Handle, UsageError> {
        if self.outbox.error().is_some() || matches!(self.phase, Phase::Closing | Phase::Closed) {
            return Err(UsageError::Closed);
        }
        if !matches!(cmd, Command::Quit) && self.phase != Phase::Ready {
            return Err(UsageError::WrongState("the session is not ready yet"));
        }
        let handle = self.handles.next();
        let caps = self.caps.clone().unwrap_or_default();
        let queued = match cmd {
            Command::Authenticate(auth) => {
                let mechanisms = sasl::select(
                    &caps.auth,
                    &auth.credentials,
                    SelectOptions::new(self.tls.secure, auth.allow_plaintext)
                        .with_tls_info(self.tls.info.as_ref())
                        .with_service(
                            "smtp",
                            Some(&caps.domain)
                                .filter(|d| !d.is_empty())
                                .map(String::as_str),
                        )
                        .with_limits(self.config.limits.sasl)
                        .with_wall_clock(self.config.wall_clock),
                    auth.mechanism.as_deref(),
                )?;
                Queued::Auth(AuthExchange::new(handle, mechanisms, self.config.limits))
            }
            Command::Send(tx) => Queued::Send(Prepared::new(
                handle,
                tx,
                &caps,
                self.config.prefer_chunking,
                self.tls.secure,
            )?),
            Command::Noop => Queued::Simple(encode::simple("NOOP")),
            Command::Rset => Queued::Simple(encode::simple("RSET")),
            Command::Vrfy(arg) => Queued::Simple(encode::with_arg("VRFY", "VRFY argument", &arg)?),
            Command::Expn(arg) => Queued::Simple(encode::with_arg("EXPN", "EXPN argument", &arg)?),
            Command::Quit => {
                self.phase = Phase::Closing;
                Queued::Quit
            }
        };
        self.queue.push_back((handle, queued));
        self.start_commands();
        Ok(handle)
    }

    fn pipelining(&self) -> bool {
        self.config.pipelining && self.caps.as_ref().is_some_and(|c| c.pipelining)
    }

    fn timeout_for(&self, e: Expect) -> Duration {
        let t = &self.config.timeouts;
        match e {
            Expect::Greeting => t.greeting,
            Expect::Mail => t.mail,
            Expect::Rcpt => t.rcpt,
            Expect::Data => t.data_init,
            Expect::DataEnd => t.data_termination,
            Expect::Bdat { .. } => t.data_block,
            _ => t.other,
        }
    }

    fn expect(&mut self, e: Expect) {
        if self.expects.is_empty() {
            self.clock.stop();
        }
        self.expects.push_back(e);
        self.arm_deadline();
    }

    /// Starts the clock for the oldest expected reply, if it is not running.
    fn arm_deadline(&mut self) {
        if let Some(&front) = self.expects.front() {
            self.clock.start(self.timeout_for(front));
        }
    }

    /// Whether the next queued command may be written now.
    fn can_start(&self, next: &Queued) -> bool {
        if self.auth.is_some() || self.content.is_some() {
            return false;
        }
        if self.expects.is_empty() && self.txs.is_empty() {
            return true;
        }
        // RFC 2920 and 3030: once the content of every transaction in flight is written
        // (`.` or `BDAT … LAST`), the next transaction may follow without waiting for replies,
        // within the pipeline window.
        matches!(next, Queued::Send(_))
            && self.pipelining()
            && self.expects.len() < self.config.max_pipelined_commands
            && self.txs.iter().all(|t| t.content_done)
    }

    fn start_commands(&mut self) {
        while self.outbox.error().is_none() && matches!(self.phase, Phase::Ready | Phase::Closing) {
            let Some((_, next)) = self.queue.front() else {
                return;
            };
            if !self.can_start(next) {
                return;
            }
            let Some((handle, queued)) = self.queue.pop_front() else {
                return;
            };
            match queued {
                Queued::Auth(mut exchange) => {
                    match exchange.start() {
                        Ok(line) => self.outbox.send(&line),
                        Err(e) => return self.outbox.fail(e),
                    }
                    self.auth = Some(exchange);
                    self.expect(Expect::Auth);
                }
                Queued::Send(prepared) => self.start_transaction(prepared),
                Queued::Simple(line) => {
                    self.outbox.send(&line);
                    self.expect(Expect::Simple(handle));
                }
                Queued::Quit => {
                    self.outbox.send(&encode::simple("QUIT"));
                    self.expect(Expect::Quit(handle));
                }
            }
        }
    }

    fn process_input(&mut self) {
        while self.outbox.error().is_none() {
            if self.phase == Phase::TlsHandshake {
                if let Err(e) = tls::check_upgrade_buffer(&self.inbuf) {
                    self.outbox.fail(e);
                }
                return;
            }
            match self.parser.parse(&self.inbuf) {
                Ok(Some((reply, consumed))) => {
                    self.inbuf.advance(consumed);
                    self.handle_reply(reply);
                }
                Ok(None) => return,
                Err(e) => return self.outbox.fail(e),
            }
        }
    }

    fn handle_reply(&mut self, reply: Reply) {
        let Some(expect) = self.expects.pop_front() else {
            if reply.code == 421 {
                return self.outbox.fail(Error::ServiceClosing(reply.to_string()));
            }
            return self.outbox.fail(Error::UnexpectedReply(reply.to_string()));
        };
        self.clock.stop();
        self.arm_deadline();
        if reply.code == 421 && !matches!(expect, Expect::Quit(_)) {
            return self.outbox.fail(Error::ServiceClosing(reply.to_string()));
        }
        match expect {
            Expect::Greeting => self.on_greeting(reply),
            Expect::Ehlo => self.on_ehlo(reply),
            Expect::Helo => self.on_helo(reply),
            Expect::StartTls => self.on_starttls(reply),
            Expect::Auth => self.on_auth(reply),
            Expect::Mail | Expect::Rcpt | Expect::Data | Expect::DataEnd | Expect::Bdat { .. } => {
                self.on_transaction_reply(expect, reply)
            }
            Expect::CleanupRset => self.start_commands(),
            Expect::Simple(handle) => {
                if reply.is_positive() {
                    self.outbox.event(Event::Reply { handle, reply });
                } else {
                    self.outbox.event(Event::Refused { handle, reply });
                }
                self.start_commands();
            }
            Expect::Quit(handle) => self.closed(handle, Some(reply)),
        }
    }

    fn closed(&mut self, handle: Handle, reply: Option<Reply>) {
        self.phase = Phase::Closed;
        self.expects.clear();
        self.clock.stop();
        self.outbox.event(Event::Closed { handle, reply });
        self.outbox.emit(Output::Close);
    }

    fn on_greeting(&mut self, reply: Reply) {
        if reply.code != 220 {
            return self.outbox.fail(Error::GreetingRefused(reply.to_string()));
        }
        self.phase = Phase::Handshake;
        self.send_ehlo();
    }

    fn send_ehlo(&mut self) {
        let line = encode::ehlo(&self.config.client_name);
        self.outbox.send(&line);
        self.expect(Expect::Ehlo);
    }

    fn on_ehlo(&mut self, reply: Reply) {
        if !reply.is_positive() {
            // HELO gives no extensions, so no STARTTLS: never fall back when TLS is required
            // and not yet up.
            if self.config.tls == TlsPolicy::Required && !self.tls.secure {
                return self.outbox.fail(Error::TlsRequiredButUnavailable);
            }
            let line = encode::helo(&self.config.client_name);
            self.outbox.send(&line);
            return self.expect(Expect::Helo);
        }
        let caps = Capabilities::from_ehlo(&reply);
        let offers_tls = caps.starttls;
        self.caps = Some(caps);
        if self.tls.secure {
            return self.ready();
        }
        match self.config.tls {
            TlsPolicy::Required | TlsPolicy::Opportunistic if offers_tls => {
                self.outbox.send(&encode::simple("STARTTLS"));
                self.expect(Expect::StartTls);
            }
            TlsPolicy::Required | TlsPolicy::Implicit => {
                self.outbox.fail(Error::TlsRequiredButUnavailable)
            }
            TlsPolicy::Opportunistic | TlsPolicy::None => self.ready(),
        }
    }

    fn on_helo(&mut self, reply: Reply) {
        if !reply.is_positive() {
            return self.outbox.fail(Error::GreetingRefused(reply.to_string()));
        }
        let domain = reply
            .text()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        self.caps = Some(Capabilities {
            domain,
            ..Capabilities::default()
        });
        self.ready();
    }

    fn on_starttls(&mut self, reply: Reply) {
        if reply.code == 220 {
            if let Err(e) = tls::check_upgrade_buffer(&self.inbuf) {
                return self.outbox.fail(e);
            }
            // RFC 3207 §4.2: forget everything learned before TLS.
            self.caps = None;
            self.phase = Phase::TlsHandshake;
            self.outbox.emit(Output::StartTls);
            return;
        }
        let refusal = reply.is_transient() || reply.is_permanent();
        if self.config.tls == TlsPolicy::Opportunistic && refusal {
            return self.ready();
        }
        if refusal {
            self.outbox.fail(Error::StartTlsRefused(reply.to_string()))
        } else {
            self.outbox
                .fail(Error::UnexpectedReply(format!("to STARTTLS: {reply}")))
        }
    }

    fn ready(&mut self) {
        self.phase = Phase::Ready;
        let capabilities = self.caps.clone().unwrap_or_default();
        let secure = self.tls.secure;
        self.outbox.event(Event::Ready {
            capabilities,
            secure,
        });
        self.start_commands();
    }

    fn on_auth(&mut self, reply: Reply) {
        let Some(exchange) = self.auth.as_mut() else {
            return self.outbox.fail(Error::UnexpectedReply(reply.to_string()));
        };
        match exchange.on_reply(&reply) {
            Ok(super::auth::Step::Send(line)) => {
                self.outbox.send(&line);
                self.expect(Expect::Auth);
            }
            Ok(super::auth::Step::Done(event)) => {
                self.auth = None;
                self.outbox.event(event);
                self.start_commands();
            }
            Err(abort) => {
                if abort.cancel {
                    self.outbox.send(&sasl::exchange::cancel_line());
                }
                self.auth = None;
                self.outbox.fail(abort.error);
            }
        }
    }
}

impl Machine for SmtpClient {
    type Event = Event;

    fn handle_input(&mut self, now: Instant, data: &[u8]) {
        self.clock.tick(now);
        self.arm_deadline();
        if self.outbox.error().is_some() || self.phase == Phase::Closed {
            return;
        }
        self.inbuf.extend_from_slice(data);
        self.process_input();
    }

    fn handle_eof(&mut self, now: Instant) {
        self.clock.tick(now);
        if self.outbox.error().is_some() || self.phase == Phase::Closed {
            return;
        }
        if let Some(Expect::Quit(handle)) = self.expects.front().copied() {
            return self.closed(handle, None);
        }
        self.outbox.fail(Error::UnexpectedEof {
            mid_reply: !self.inbuf.is_empty(),
        });
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.clock.tick(now);
        self.arm_deadline();
        if self.outbox.error().is_some() {
            return;
        }
        if let (Some(after), Some(front)) = (self.clock.expired(), self.expects.front()) {
            let waiting_for = front.waiting_for();
            self.outbox.fail(Error::Timeout { waiting_for, after });
        }
    }

    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo) {
        self.clock.tick(now);
        if self.outbox.error().is_some() {
            return;
        }
        // Implicit TLS: the driver reports its handshake before the greeting.
        let before_greeting =
            self.config.tls == TlsPolicy::Implicit && self.phase == Phase::Greeting;
        let upgrading = self.phase == Phase::TlsHandshake;
        match self
            .tls
            .established(info, before_greeting, upgrading, "STARTTLS")
        {
            Ok(true) => {
                self.phase = Phase::Handshake;
                self.send_ehlo();
            }
            Ok(false) => {}
            Err(e) => self.outbox.fail(e),
        }
    }

    fn poll_output(&mut self) -> Result<Output<Event>, Error> {
        loop {
            if let Some(next) = self.outbox.next() {
                return next;
            }
            if self.content_go && self.content.is_some() {
                self.pump_content();
                continue;
            }
            if self.phase == Phase::Closed {
                return Ok(Output::Idle { deadline: None });
            }
            return Ok(Output::Idle {
                deadline: self.clock.deadline(),
            });
        }
    }
}
