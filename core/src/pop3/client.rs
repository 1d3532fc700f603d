//! The POP3 client machine: session set-up, command queue, reply matching.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use zeroize::Zeroizing;

use super::capabilities::Capabilities;
use super::command::Command;
use super::config::Pop3Config;
use super::encode;
use super::event::{Event, QuitResult};
use super::listing;
use super::login::{Context, Method};
use super::multiline::{DotDecoder, Lines};
use super::response::{self, Greeting, Refusal, StatusLine};
use crate::clock::Clock;
use crate::error::{Error, UsageError};
use crate::machine::{Handle, HandleAllocator, Machine, Output};
use crate::outbox::Outbox;
use crate::sasl::exchange::{self, SaslExchange, ServerStep, Step};
use crate::tls::{self, TlsInfo, TlsPolicy, TlsState};

mod enqueue;
mod replies;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the greeting.
    Greeting,
    /// `CAPA`, maybe `STLS` and `CAPA` again.
    Handshake,
    /// `Output::StartTls` was emitted; waiting for `handle_tls_established`.
    TlsHandshake,
    /// RFC 1939's AUTHORIZATION state: login commands may run.
    Authorization,
    /// RFC 1939's TRANSACTION state: mailbox commands may run.
    Transaction,
    /// `QUIT` is enqueued or on its way.
    Closing,
    /// Closed.
    Closed,
}

/// What a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Greeting,
    /// `CAPA` during the handshake (`None`) or from the application.
    Capa(Option<Handle>),
    Stls,
    User(Handle),
    Pass(Handle),
    Apop(Handle),
    Auth(Handle),
    Stat(Handle),
    /// `LIST`, or `LIST n`.
    List(Handle, Option<u32>),
    /// `UIDL`, or `UIDL n`.
    Uidl(Handle, Option<u32>),
    /// `RETR` or `TOP`.
    Message(Handle),
    Dele(Handle, u32),
    /// `RSET`, `NOOP`, `UTF8`, `LANG tag`.
    Simple(Handle),
    /// `LANG` without argument.
    Languages(Handle),
    Quit(Handle),
}

impl Kind {
    /// Whether a `+OK` to this command starts a multi-line reply (RFC 1939, 2449, 6856).
    fn multiline(self) -> bool {
        matches!(
            self,
            Kind::Capa(_)
                | Kind::List(_, None)
                | Kind::Uidl(_, None)
                | Kind::Message(_)
                | Kind::Languages(_)
        )
    }

    fn waiting_for(self) -> &'static str {
        match self {
            Kind::Greeting => "the greeting",
            Kind::Capa(_) => "the reply to CAPA",
            Kind::Stls => "the reply to STLS",
            Kind::User(_) | Kind::Pass(_) | Kind::Apop(_) | Kind::Auth(_) => "the reply to a login",
            Kind::Message(_) => "the reply to RETR/TOP",
            Kind::Quit(_) => "the reply to QUIT",
            _ => "a reply",
        }
    }
}

/// A command written (or about to be), waiting for its reply.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    kind: Kind,
    /// Whether a `+OK` starts a multi-line reply, decided when the command was enqueued.
    multiline: bool,
}

impl From<Kind> for InFlight {
    fn from(kind: Kind) -> Self {
        InFlight {
            kind,
            multiline: kind.multiline(),
        }
    }
}

/// A multi-line reply being read.
#[derive(Debug)]
struct Receiving {
    kind: Kind,
    decoder: DotDecoder,
    /// Bytes of a message delivered so far.
    size: u64,
    /// The lines of a listing (`None` for a message, which streams out).
    lines: Option<Lines>,
}

/// A command accepted by `enqueue`, checked and ready to start.
#[derive(Debug)]
enum Queued {
    Line(Bytes, Kind),
    Login(Method),
}

/// A login in progress.
enum LoginState {
    /// `USER` was sent; this `PASS` line follows its `+OK`.
    Pass(Zeroizing<Vec<u8>>),
    /// The last line of `USER`/`PASS` or `APOP` is out.
    Final,
    Sasl(SaslExchange),
}

/// The POP3 client state machine (RFC 1939, 2449, 2595, 5034, 6856, 3206).
///
/// It reads the greeting (keeping its APOP timestamp), asks `CAPA`, upgrades with `STLS` as
/// the [`TlsPolicy`] asks (forgetting the capabilities and asking again over TLS), then
/// reports [`Event::Ready`]. The application logs in, then enqueues mailbox commands; they are
/// pipelined when the server advertises `PIPELINING`. `RETR`/`TOP` bodies stream out as
/// [`Event::MessageData`] pieces, never collected.
///
/// ```
/// use std::time::Instant;
/// use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config};
/// use mail_kit_core::sasl::Credentials;
/// use mail_kit_core::{Machine, Output, TlsPolicy};
///
/// let mut pop = Pop3Client::new(Pop3Config::new(TlsPolicy::Implicit));
/// let mut step = |pop: &mut Pop3Client, input: &[u8]| {
///     pop.handle_input(Instant::now(), input);
///     let (mut wire, mut events) = (Vec::new(), Vec::new());
///     loop {
///         match pop.poll_output().unwrap() {
///             Output::Transmit(b) => wire.extend_from_slice(&b),
///             Output::Event(e) => events.push(e),
///             Output::Idle { .. } => return (wire, events),
///             _ => {}
///         }
///     }
/// };
/// assert_eq!(step(&mut pop, b"+OK ready\r\n").0, b"CAPA\r\n");
/// step(&mut pop, b"+OK\r\nUSER\r\n.\r\n");
/// let login = pop.enqueue(Command::UserPass(Auth::new(Credentials::password("joe", "s3cret")))).unwrap();
/// assert_eq!(step(&mut pop, b"").0, b"USER joe\r\n");
/// assert_eq!(step(&mut pop, b"+OK\r\n").0, b"PASS s3cret\r\n");
/// let (_, events) = step(&mut pop, b"+OK logged in\r\n");
/// assert_eq!(events, [Event::Authenticated { handle: login, mechanism: "USER" }]);
/// let retr = pop.enqueue(Command::Retr(1)).unwrap();
/// assert_eq!(step(&mut pop, b"").0, b"RETR 1\r\n");
/// let (_, events) = step(&mut pop, b"+OK\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n");
/// let body: Vec<u8> = events.iter().filter_map(|e| match e {
///     Event::MessageData { data, .. } => Some(data.to_vec()),
///     _ => None,
/// }).flatten().collect();
/// assert_eq!(body, b"Subject: hi\r\n\r\n.dot\r\n");
/// assert_eq!(events.last(), Some(&Event::MessageEnd { handle: retr, size: 21 }));
/// ```
pub struct Pop3Client {
    config: Pop3Config,
    inbuf: BytesMut,
    outbox: Outbox<Event>,
    handles: HandleAllocator,
    phase: Phase,
    greeting: Option<Greeting>,
    /// The capabilities; `None` before `CAPA` was answered or when the server refused it.
    caps: Option<Capabilities>,
    expects: VecDeque<InFlight>,
    /// How many of the front `expects` were written before the input being processed arrived:
    /// only those can be answered by it.
    answerable: usize,
    receiving: Option<Receiving>,
    queue: VecDeque<(Handle, Queued)>,
    /// A login command is queued or running.
    login_pending: bool,
    login: Option<LoginState>,
    /// The login succeeded (the server enters the UPDATE state at `QUIT`).
    logged_in: bool,
    tls: TlsState,
    clock: Clock,
}

/// Shows the session's state, never buffered bytes or login secrets.
impl std::fmt::Debug for Pop3Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pop3Client")
            .field("phase", &self.phase)
            .field("secure", &self.tls.secure)
            .field("capabilities", &self.caps)
            .field("queued", &self.queue.len())
            .field("expecting", &self.expects)
            .field("receiving", &self.receiving.as_ref().map(|r| r.kind))
            .field("buffered_in", &self.inbuf.len())
            .field("buffered_out", &self.outbox.pending())
            .field("error", &self.outbox.error())
            .finish_non_exhaustive()
    }
}

impl Pop3Client {
    /// A new session; the driver connects and feeds the greeting.
    pub fn new(config: Pop3Config) -> Pop3Client {
        let tls = TlsState::new(config.tls);
        Pop3Client {
            config,
            inbuf: BytesMut::new(),
            outbox: Outbox::new(),
            handles: HandleAllocator::default(),
            phase: Phase::Greeting,
            greeting: None,
            caps: None,
            expects: VecDeque::from([InFlight::from(Kind::Greeting)]),
            answerable: 1,
            receiving: None,
            queue: VecDeque::new(),
            login_pending: false,
            login: None,
            logged_in: false,
            tls,
            clock: Clock::default(),
        }
    }

    /// The server's capabilities once [`Event::Ready`] was emitted (`None` when the server
    /// does not know `CAPA`).
    pub fn capabilities(&self) -> Option<&Capabilities> {
        if self.is_set_up() {
            self.caps.as_ref()
        } else {
            None
        }
    }

    /// The greeting, once read.
    pub fn greeting(&self) -> Option<&Greeting> {
        self.greeting.as_ref()
    }

    /// Whether the connection is encrypted (implicit TLS or a finished STLS).
    pub fn is_secure(&self) -> bool {
        self.tls.secure
    }

    /// What the TLS handshake reported (protocol, channel-binding data), once there was one.
    pub fn tls_info(&self) -> Option<&TlsInfo> {
        self.tls.info.as_ref()
    }

    /// Whether the session is set up and accepts login commands (AUTHORIZATION state).
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Authorization && self.outbox.error().is_none()
    }

    /// Whether the login succeeded and mailbox commands are accepted (TRANSACTION state).
    pub fn is_authenticated(&self) -> bool {
        self.phase == Phase::Transaction && self.outbox.error().is_none()
    }

    fn is_set_up(&self) -> bool {
        matches!(
            self.phase,
            Phase::Authorization | Phase::Transaction | Phase::Closing
        )
    }

    fn pipelining(&self) -> bool {
        self.config.pipelining && self.caps.as_ref().is_some_and(|c| c.pipelining)
    }

    fn timeout_for(&self, kind: Kind) -> Duration {
        match kind {
            Kind::Greeting => self.config.timeouts.greeting,
            _ => self.config.timeouts.command,
        }
    }

    fn expect(&mut self, kind: Kind) {
        if self.expects.is_empty() && self.receiving.is_none() {
            self.clock.stop();
        }
        self.expects.push_back(InFlight::from(kind));
        self.arm_deadline();
    }

    /// Starts the clock for what the machine waits for, if it is not running.
    fn arm_deadline(&mut self) {
        let length = if self.receiving.is_some() {
            self.config.timeouts.data
        } else if let Some(front) = self.expects.front() {
            self.timeout_for(front.kind)
        } else {
            return;
        };
        self.clock.start(length);
    }

    /// Whether the next queued command may be written now.
    fn can_start(&self, next: &Queued) -> bool {
        if self.login.is_some() {
            return false;
        }
        if self.expects.is_empty() && self.receiving.is_none() {
            return true;
        }
        // RFC 2449 §6.6: with PIPELINING, commands go out without waiting, within the window;
        // a login always waits for the replies before it.
        matches!(next, Queued::Line(..))
            && self.pipelining()
            && self.expects.len() < self.config.max_pipelined_commands
    }

    fn start_commands(&mut self) {
        while self.outbox.error().is_none()
            && matches!(
                self.phase,
                Phase::Authorization | Phase::Transaction | Phase::Closing
            )
        {
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
                Queued::Line(line, kind) => {
                    self.outbox.send(&line);
                    self.expect(kind);
                }
                Queued::Login(Method::UserPass { user, pass }) => {
                    self.outbox.send(&user);
                    self.login = Some(LoginState::Pass(pass));
                    self.expect(Kind::User(handle));
                }
                Queued::Login(Method::Apop(line)) => {
                    self.outbox.send(&line);
                    self.login = Some(LoginState::Final);
                    self.expect(Kind::Apop(handle));
                }
                Queued::Login(Method::Sasl(mut exchange)) => {
                    match exchange.start() {
                        Ok(line) => self.outbox.send(&line),
                        Err(e) => return self.outbox.fail(e),
                    }
                    self.login = Some(LoginState::Sasl(exchange));
                    self.expect(Kind::Auth(handle));
                }
            }
        }
    }

    fn process_input(&mut self) {
        while self.outbox.error().is_none() {
            match self.phase {
                Phase::TlsHandshake => {
                    if let Err(e) = tls::check_upgrade_buffer(&self.inbuf) {
                        self.outbox.fail(e);
                    }
                    return;
                }
                // Whatever follows the reply to QUIT is of no interest.
                Phase::Closed => return self.inbuf.clear(),
                _ => {}
            }
            if self.receiving.is_some() {
                if !self.receive() {
                    return;
                }
                continue;
            }
            if self.inbuf.is_empty() {
                return;
            }
            let Some(&front) = self.expects.front() else {
                return self.outbox.fail(Error::UnexpectedReply(format!(
                    "unsolicited data: \"{}\"",
                    crate::error::excerpt(&self.inbuf)
                )));
            };
            if self.answerable == 0 {
                return self.outbox.fail(Error::UnexpectedReply(format!(
                    "data before the command it would answer was sent: \"{}\"",
                    crate::error::excerpt(&self.inbuf)
                )));
            }
            let (len, consumed) =
                match response::find_line(&self.inbuf, self.config.limits.max_line_len) {
                    Ok(Some(found)) => found,
                    Ok(None) => return,
                    Err(e) => return self.outbox.fail(e),
                };
            let status = response::parse_status(&self.inbuf[..len]);
            self.inbuf.advance(consumed);
            self.expects.pop_front();
            self.answerable -= 1;
            self.clock.stop();
            match status {
                Ok(status) => self.on_status(front, status),
                Err(e) => self.outbox.fail(e),
            }
            self.arm_deadline();
        }
    }

    /// Feeds buffered input to the multi-line reply being read. Returns whether it ended.
    fn receive(&mut self) -> bool {
        let Some(mut rx) = self.receiving.take() else {
            return true;
        };
        let before = self.inbuf.len();
        let mut pieces = Vec::new();
        let done = rx
            .decoder
            .decode(&mut self.inbuf, |piece| pieces.push(piece));
        if self.inbuf.len() != before {
            // Progress: the data timeout starts again.
            self.clock.stop();
        }
        for piece in pieces {
            match (&mut rx.lines, rx.kind) {
                (Some(lines), _) => {
                    if let Err(e) = lines.push(&piece) {
                        self.outbox.fail(e);
                        return false;
                    }
                }
                (None, Kind::Message(handle)) => {
                    rx.size += piece.len() as u64;
                    self.outbox.event(Event::MessageData {
                        handle,
                        data: piece,
                    });
                }
                (None, _) => {}
            }
        }
        if !done {
            self.receiving = Some(rx);
            self.arm_deadline();
            return false;
        }
        self.clock.stop();
        self.arm_deadline();
        self.on_multiline_end(rx);
        true
    }

    fn closed(&mut self, handle: Handle, result: QuitResult) {
        self.phase = Phase::Closed;
        self.expects.clear();
        self.answerable = 0;
        self.clock.stop();
        self.outbox.event(Event::Closed { handle, result });
        self.outbox.emit(Output::Close);
    }

    fn after_capa(&mut self) {
        if self.tls.secure {
            return self.ready();
        }
        let offers_tls = self.caps.as_ref().is_some_and(|c| c.stls);
        match self.config.tls {
            TlsPolicy::Required | TlsPolicy::Opportunistic if offers_tls => {
                self.outbox.send(&encode::simple("STLS"));
                self.expect(Kind::Stls);
            }
            TlsPolicy::Required | TlsPolicy::Implicit => {
                self.outbox.fail(Error::TlsRequiredButUnavailable)
            }
            TlsPolicy::Opportunistic | TlsPolicy::None => self.ready(),
        }
    }

    fn ready(&mut self) {
        self.phase = Phase::Authorization;
        let event = Event::Ready {
            greeting: self
                .greeting
                .clone()
                .unwrap_or_else(|| Greeting::parse(b"")),
            capabilities: self.caps.clone().unwrap_or_default(),
            secure: self.tls.secure,
        };
        self.outbox.event(event);
        self.start_commands();
    }

    fn login_done(&mut self, event: Event) {
        self.login = None;
        self.login_pending = false;
        if matches!(event, Event::Authenticated { .. }) {
            self.logged_in = true;
            if self.phase == Phase::Authorization {
                self.phase = Phase::Transaction;
            }
        }
        self.outbox.event(event);
        self.start_commands();
    }
}

impl Machine for Pop3Client {
    type Event = Event;

    fn handle_input(&mut self, now: Instant, data: &[u8]) {
        self.clock.tick(now);
        self.arm_deadline();
        if self.outbox.error().is_some() || self.phase == Phase::Closed {
            return;
        }
        // Everything expected so far was written before these bytes arrived (the drain rule).
        self.answerable = self.expects.len();
        self.inbuf.extend_from_slice(data);
        self.process_input();
    }

    fn handle_eof(&mut self, now: Instant) {
        self.clock.tick(now);
        if self.outbox.error().is_some() || self.phase == Phase::Closed {
            return;
        }
        if self.receiving.is_none() {
            if let Some(Kind::Quit(handle)) = self.expects.front().map(|f| f.kind) {
                return self.closed(handle, QuitResult::NoReply);
            }
        }
        self.outbox.fail(Error::UnexpectedEof {
            mid_reply: self.receiving.is_some() || !self.inbuf.is_empty(),
        });
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.clock.tick(now);
        self.arm_deadline();
        if self.outbox.error().is_some() {
            return;
        }
        if let Some(after) = self.clock.expired() {
            let waiting_for = match (&self.receiving, self.expects.front()) {
                (Some(_), _) => "the rest of a multi-line reply",
                (None, Some(front)) => front.kind.waiting_for(),
                (None, None) => return,
            };
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
            .established(info, before_greeting, upgrading, "STLS")
        {
            Ok(true) => {
                self.phase = Phase::Handshake;
                self.outbox.send(&encode::simple("CAPA"));
                self.expect(Kind::Capa(None));
            }
            Ok(false) => {}
            Err(e) => self.outbox.fail(e),
        }
    }

    fn poll_output(&mut self) -> Result<Output<Event>, Error> {
        if let Some(next) = self.outbox.next() {
            return next;
        }
        if self.phase == Phase::Closed {
            return Ok(Output::Idle { deadline: None });
        }
        Ok(Output::Idle {
            deadline: self.clock.deadline(),
        })
    }
}
