//! The blocking driver over `std::net::TcpStream`, optionally wrapped in TLS.

use std::io;
use std::net::{Shutdown, TcpStream};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mail_kit_core::{Machine, Output, WireObserver};

use super::{
    DriverState, DriverTimeouts, MAX_IDLE_CAPACITY, READ_BUFFER_SIZE, WRITE_HIGH_WATER,
    write_stalled,
};
use crate::blocking::{ReadWrite, TlsConnector};
use crate::error::Error;
use crate::tls::TlsError;

/// The shortest socket timeout used while a deadline is pending (zero means "none" to std).
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

enum Stream {
    Plain(TcpStream),
    Tls(Box<dyn ReadWrite>),
}

impl Stream {
    fn io(&mut self) -> &mut dyn ReadWrite {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.as_mut(),
        }
    }
}

/// Drives a machine over a blocking socket: drains its outputs, writes each batch with one
/// write, upgrades to TLS on `StartTls`, and reads with the socket timeout set from the
/// machine's deadline.
///
/// Writes have their own timeout, [`DriverTimeouts::write_stall`]: the machine may expect no
/// reply while it sends (the content of a `DATA` transaction), so its deadline cannot bound a
/// write to a server that stopped reading. std's write timeout applies to each write call, so
/// it means "no progress for that long" (RFC 5321 §4.5.3.2.5, "Data block").
pub(crate) struct BlockingDriver<M: Machine> {
    /// A second handle on the socket, for timeouts and shutdown whatever wraps it.
    socket: TcpStream,
    stream: Option<Stream>,
    connector: Arc<dyn TlsConnector>,
    host: String,
    timeouts: DriverTimeouts,
    /// The machine, the observer and how the connection ended.
    state: DriverState<M>,
    read_buf: Box<[u8]>,
    out: Vec<u8>,
    deadline: Option<Instant>,
    socket_timeouts: SocketTimeouts,
    eof: bool,
}

/// The socket timeouts last set, so a `setsockopt` is made only when one really changes (the
/// read deadline moves with every reply; a timeout within [`TIMEOUT_SLACK`] of the set one is
/// kept; the write timeout changes only around a TLS handshake).
#[derive(Default)]
struct SocketTimeouts {
    read: Option<Option<Duration>>,
    write: Option<Option<Duration>>,
}

/// How far a wanted socket timeout may differ from the one set before it is set again: a read
/// wakes at most this much after a deadline (waking early only costs a loop turn).
const TIMEOUT_SLACK: Duration = Duration::from_millis(250);

impl SocketTimeouts {
    fn needs(set: Option<Option<Duration>>, wanted: Option<Duration>) -> bool {
        match (set, wanted) {
            (Some(Some(set)), Some(wanted)) => set.abs_diff(wanted) > TIMEOUT_SLACK,
            (Some(set), wanted) => set != wanted,
            (None, _) => true,
        }
    }

    fn read(&mut self, socket: &TcpStream, wanted: Option<Duration>) -> io::Result<()> {
        if Self::needs(self.read, wanted) {
            socket.set_read_timeout(wanted)?;
            self.read = Some(wanted);
        }
        Ok(())
    }

    fn write(&mut self, socket: &TcpStream, wanted: Option<Duration>) -> io::Result<()> {
        if Self::needs(self.write, wanted) {
            socket.set_write_timeout(wanted)?;
            self.write = Some(wanted);
        }
        Ok(())
    }
}

impl<M: Machine> Deref for BlockingDriver<M> {
    type Target = DriverState<M>;

    fn deref(&self) -> &DriverState<M> {
        &self.state
    }
}

impl<M: Machine> DerefMut for BlockingDriver<M> {
    fn deref_mut(&mut self) -> &mut DriverState<M> {
        &mut self.state
    }
}

impl<M: Machine> BlockingDriver<M> {
    /// A driver for `machine` over a connected socket, possibly already wrapped in TLS.
    /// A write that makes no progress for `timeouts.write_stall` fails with
    /// [`Error::Timeout`].
    pub(crate) fn new(
        socket: TcpStream,
        tls: Option<Box<dyn ReadWrite>>,
        connector: Arc<dyn TlsConnector>,
        machine: M,
        host: String,
        timeouts: DriverTimeouts,
        observer: Option<Box<dyn WireObserver>>,
    ) -> io::Result<Self> {
        let stream = match tls {
            Some(tls) => Stream::Tls(tls),
            None => Stream::Plain(socket.try_clone()?),
        };
        Ok(BlockingDriver {
            socket,
            stream: Some(stream),
            connector,
            host,
            timeouts,
            state: DriverState::new(machine, observer),
            read_buf: vec![0; READ_BUFFER_SIZE].into_boxed_slice(),
            out: Vec::new(),
            deadline: None,
            socket_timeouts: SocketTimeouts::default(),
            eof: false,
        })
    }

    /// Runs until `on_event` has returned `true` for an event and everything the machine
    /// asked to send is written. Any error is fatal: later calls return [`Error::Closed`].
    pub(crate) fn run(&mut self, on_event: &mut impl FnMut(M::Event) -> bool) -> Result<(), Error> {
        if self.state.failed {
            return Err(Error::Closed);
        }
        let result = self.run_inner(on_event);
        if result.is_err() {
            self.state.failed = true;
            self.stream = None;
            let _ = self.socket.shutdown(Shutdown::Both);
        }
        result
    }

    fn run_inner(&mut self, on_event: &mut impl FnMut(M::Event) -> bool) -> Result<(), Error> {
        let mut satisfied = false;
        loop {
            satisfied |= self.drain(on_event)?;
            if !self.state.closed && self.write_out()? && !satisfied {
                // The machine heard the write finish: drain again for its new deadline.
                continue;
            }
            if satisfied {
                return Ok(());
            }
            if self.state.closed {
                return Err(Error::Closed);
            }
            if self.eof && self.deadline.is_none() {
                return Err(Error::Protocol(mail_kit_core::Error::UnexpectedEof {
                    mid_reply: false,
                }));
            }
            self.wait()?;
        }
    }

    /// Calls `poll_output` until `Idle`; returns whether `on_event` was satisfied.
    fn drain(&mut self, on_event: &mut impl FnMut(M::Event) -> bool) -> Result<bool, Error> {
        let mut satisfied = false;
        loop {
            match self.state.machine.poll_output()? {
                Output::Transmit(bytes) => {
                    self.out.extend_from_slice(&bytes);
                    if self.out.len() >= WRITE_HIGH_WATER {
                        // A large message: write before draining more.
                        self.write_out()?;
                    }
                }
                Output::Event(event) => satisfied |= on_event(event),
                Output::StartTls => self.start_tls()?,
                Output::Close => self.close(),
                Output::Idle { deadline } => {
                    self.deadline = deadline;
                    return Ok(satisfied);
                }
            }
        }
    }

    /// Waits for input or the deadline and feeds what happened to the machine.
    fn wait(&mut self) -> Result<(), Error> {
        let now = Instant::now();
        if let Some(deadline) = self.deadline {
            if deadline <= now {
                self.deadline = None;
                self.state.machine.handle_timeout(now);
                return Ok(());
            }
            if self.eof {
                std::thread::sleep(deadline - now);
                return Ok(());
            }
        }
        let timeout = self.deadline.map(|d| (d - now).max(MIN_TIMEOUT));
        self.socket_timeouts.read(&self.socket, timeout)?;
        let stream = self.stream.as_mut().ok_or(Error::Closed)?;
        match stream.io().read(&mut self.read_buf) {
            // TLS without close_notify is an end of stream all the same; the machine knows
            // whether a reply was cut short.
            Ok(0) => self.on_eof(),
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => self.on_eof(),
            Ok(n) => {
                self.state.handle_input(Instant::now(), &self.read_buf[..n]);
            }
            // A timeout: the deadline check at the top feeds it on the next turn.
            Err(err) if is_timeout(&err) || err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err.into()),
        }
        Ok(())
    }

    fn on_eof(&mut self) {
        self.eof = true;
        self.state.machine.handle_eof(Instant::now());
    }

    /// Writes the whole batch with one write and flushes; a write call that makes no
    /// progress for `timeouts.write_stall` is a timeout.
    /// Returns whether anything was written; then tells the machine the time, so a reply
    /// timer it starts with the last bytes runs from when they left, not when they were queued.
    fn write_out(&mut self) -> Result<bool, Error> {
        if self.out.is_empty() {
            return Ok(false);
        }
        let after = self.timeouts.write_stall.max(MIN_TIMEOUT);
        self.socket_timeouts.write(&self.socket, Some(after))?;
        let stream = self.stream.as_mut().ok_or(Error::Closed)?.io();
        let result = stream.write_all(&self.out).and_then(|()| stream.flush());
        if let Err(err) = result {
            return Err(if is_timeout(&err) {
                write_stalled(after)
            } else {
                err.into()
            });
        }
        if let Some(observer) = &mut self.state.observer {
            observer.client_bytes(&self.out);
        }
        self.out.clear();
        if self.out.capacity() > MAX_IDLE_CAPACITY {
            self.out.shrink_to(READ_BUFFER_SIZE);
        }
        self.state.machine.handle_timeout(Instant::now());
        Ok(true)
    }

    /// Flushes, wraps the socket in TLS and tells the machine.
    fn start_tls(&mut self) -> Result<(), Error> {
        self.write_out()?;
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            return Err(Error::Closed);
        };
        let after = self.timeouts.handshake;
        let handshake = Some(after.max(MIN_TIMEOUT));
        self.socket_timeouts.read(&self.socket, handshake)?;
        self.socket_timeouts.write(&self.socket, handshake)?;
        let (tls, info) = self
            .connector
            .connect(&self.host, tcp)
            .map_err(|err| handshake_error(err, after))?;
        self.stream = Some(Stream::Tls(tls));
        self.state.handle_tls_established(info);
        Ok(())
    }

    /// Writes what is left and shuts the connection down; errors do not matter any more.
    fn close(&mut self) {
        let _ = self.write_out();
        self.stream = None;
        let _ = self.socket.shutdown(Shutdown::Both);
        self.state.closed = true;
    }
}

/// Whether a socket error is a read or write timeout (`WouldBlock` on Unix, `TimedOut` on
/// Windows).
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A handshake that failed because the socket timed out is a timeout, not a TLS error.
pub(crate) fn handshake_error(err: TlsError, after: Duration) -> Error {
    if let TlsError::Handshake { source } = &err
        && source.downcast_ref::<io::Error>().is_some_and(is_timeout)
    {
        return Error::Timeout {
            waiting_for: "the TLS handshake".to_owned(),
            after,
        };
    }
    Error::Tls(err)
}
