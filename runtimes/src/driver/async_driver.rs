//! The one async driver, generic over the [`Runtime`] and the [`Machine`].

use std::future::poll_fn;
use std::io;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use mail_kit_core::{Machine, Output, WireObserver};

use super::{
    DriverState, DriverTimeouts, MAX_IDLE_CAPACITY, READ_BUFFER_SIZE, WRITE_HIGH_WATER, timeout,
    write_stalled,
};
use crate::error::Error;
use crate::runtime::{AsyncStream, Runtime};

/// What woke the driver up.
enum Wake {
    /// Bytes arrived in the read buffer.
    Read(usize),
    /// The server closed its side.
    Eof,
    /// The machine's deadline passed.
    Timeout,
    /// The write buffer was written and flushed.
    Written,
}

/// Drives a machine over an async stream: drains its outputs, writes each batch of
/// `Transmit`s with one write, upgrades to TLS on `StartTls`, and waits for input, the
/// deadline and write progress at the same time.
///
/// Pending output has its own timer, [`DriverTimeouts::write_stall`]: the machine may expect
/// no reply while it sends (the content of a `DATA` transaction), so its deadline cannot
/// bound a write to a server that stopped reading.
pub(crate) struct AsyncDriver<R: Runtime, M: Machine> {
    runtime: R,
    stream: Option<R::Stream>,
    /// The TLS server name for `STARTTLS`.
    host: String,
    handshake_timeout: Duration,
    /// Fails pending output that makes no progress for the write-stall timeout.
    stall: Stall<R>,
    /// The machine, the observer and how the connection ended.
    state: DriverState<M>,
    read_buf: Box<[u8]>,
    /// Bytes to write; `out[written..]` is still pending.
    out: Vec<u8>,
    written: usize,
    /// Bytes were written since the last flush.
    unflushed: bool,
    deadline: Option<Instant>,
    timer: Option<R::Sleep>,
    eof: bool,
}

impl<R: Runtime, M: Machine> Deref for AsyncDriver<R, M> {
    type Target = DriverState<M>;

    fn deref(&self) -> &DriverState<M> {
        &self.state
    }
}

impl<R: Runtime, M: Machine> DerefMut for AsyncDriver<R, M> {
    fn deref_mut(&mut self) -> &mut DriverState<M> {
        &mut self.state
    }
}

impl<R: Runtime, M: Machine> AsyncDriver<R, M> {
    /// A driver for `machine` over a connected (and, for implicit TLS, wrapped) stream.
    /// Output that makes no progress for `timeouts.write_stall` fails with
    /// [`Error::Timeout`].
    pub(crate) fn new(
        runtime: R,
        stream: R::Stream,
        machine: M,
        host: String,
        timeouts: DriverTimeouts,
        observer: Option<Box<dyn WireObserver>>,
    ) -> Self {
        AsyncDriver {
            runtime,
            stream: Some(stream),
            host,
            handshake_timeout: timeouts.handshake,
            stall: Stall::new(timeouts.write_stall),
            state: DriverState::new(machine, observer),
            read_buf: vec![0; READ_BUFFER_SIZE].into_boxed_slice(),
            out: Vec::new(),
            written: 0,
            unflushed: false,
            deadline: None,
            timer: None,
            eof: false,
        }
    }

    /// Runs until `on_event` has returned `true` for an event and everything the machine
    /// asked to send is written and flushed. Every event goes to `on_event`.
    ///
    /// Any error is fatal: later calls return [`Error::Closed`].
    pub(crate) async fn run(
        &mut self,
        on_event: &mut (impl FnMut(M::Event) -> bool + Send),
    ) -> Result<(), Error> {
        if self.state.failed {
            return Err(Error::Closed);
        }
        let result = self.run_inner(on_event).await;
        if result.is_err() {
            self.state.failed = true;
            self.stream = None;
        }
        result
    }

    async fn run_inner(
        &mut self,
        on_event: &mut (impl FnMut(M::Event) -> bool + Send),
    ) -> Result<(), Error> {
        let mut satisfied = false;
        loop {
            satisfied |= self.drain(on_event).await?;
            let idle_writer = self.out.is_empty() && !self.unflushed;
            if satisfied && (idle_writer || self.state.closed) {
                return Ok(());
            }
            if self.state.closed {
                return Err(Error::Closed);
            }
            if self.eof && idle_writer && self.deadline.is_none() {
                // Nothing can happen any more; the machine did not see it as an error.
                return Err(Error::Protocol(mail_kit_core::Error::UnexpectedEof {
                    mid_reply: false,
                }));
            }
            let wake = self.wait().await?;
            self.feed(wake);
        }
    }

    /// Tells the machine what woke the driver up.
    fn feed(&mut self, wake: Wake) {
        let now = Instant::now();
        match wake {
            Wake::Read(n) => {
                self.state.handle_input(now, &self.read_buf[..n]);
            }
            Wake::Eof => {
                self.eof = true;
                self.state.machine.handle_eof(now);
            }
            Wake::Timeout => {
                self.timer = None;
                self.deadline = None;
                self.state.machine.handle_timeout(now);
            }
            // The machine hears the write finish, so a reply timer it started with the last
            // bytes runs from when they left, not from when they were queued.
            Wake::Written => self.state.machine.handle_timeout(now),
        }
    }

    /// Writes the buffer out before draining more (a large message), reading and feeding
    /// input meanwhile. Bounds memory, and makes progress events follow the socket.
    async fn write_pending(&mut self) -> Result<(), Error> {
        while !self.out.is_empty() || self.unflushed {
            let wake = self.wait().await?;
            self.feed(wake);
        }
        Ok(())
    }

    /// Calls `poll_output` until `Idle`; returns whether `on_event` was satisfied.
    async fn drain(
        &mut self,
        on_event: &mut (impl FnMut(M::Event) -> bool + Send),
    ) -> Result<bool, Error> {
        let mut satisfied = false;
        loop {
            match self.state.machine.poll_output()? {
                Output::Transmit(bytes) => {
                    self.out.extend_from_slice(&bytes);
                    if self.out.len() >= WRITE_HIGH_WATER {
                        self.write_pending().await?;
                    }
                }
                Output::Event(event) => satisfied |= on_event(event),
                Output::StartTls => self.start_tls().await?,
                Output::Close => self.close().await,
                Output::Idle { deadline } => {
                    self.set_deadline(deadline);
                    return Ok(satisfied);
                }
            }
        }
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        if deadline != self.deadline || (deadline.is_some() && self.timer.is_none()) {
            self.deadline = deadline;
            self.timer = deadline.map(|at| self.runtime.sleep_until(at));
        }
    }

    /// Flushes, wraps the stream in TLS and tells the machine.
    async fn start_tls(&mut self) -> Result<(), Error> {
        self.write_all().await?;
        let stream = self.stream.take().ok_or(Error::Closed)?;
        let after = self.handshake_timeout;
        let handshake = self.runtime.start_tls(&self.host, stream);
        let (stream, info) =
            timeout(&self.runtime, after, handshake)
                .await
                .ok_or_else(|| Error::Timeout {
                    waiting_for: "the TLS handshake".to_owned(),
                    after,
                })??;
        self.stream = Some(stream);
        self.state.handle_tls_established(info);
        Ok(())
    }

    /// Writes what is left and shuts the connection down; errors do not matter any more.
    async fn close(&mut self) {
        let after = self.handshake_timeout;
        if let Some(stream) = self.stream.as_mut() {
            let mut writer = Writer::new(
                &mut self.out,
                &mut self.written,
                &mut self.unflushed,
                &mut self.state.observer,
            );
            let flush = poll_fn(|cx| writer.poll(stream, cx));
            let _ = timeout(&self.runtime, after, flush).await;
            let _ = timeout(&self.runtime, after, poll_fn(|cx| stream.poll_close(cx))).await;
        }
        self.stream = None;
        self.state.closed = true;
    }

    /// Writes and flushes the whole write buffer, without reading; fails when that makes no
    /// progress for the write-stall timeout.
    async fn write_all(&mut self) -> Result<(), Error> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(Error::Closed);
        };
        let mut writer = Writer::new(
            &mut self.out,
            &mut self.written,
            &mut self.unflushed,
            &mut self.state.observer,
        );
        let (stall, runtime) = (&mut self.stall, &self.runtime);
        poll_fn(|cx| stall.poll_write(runtime, &mut writer, stream, cx)).await
    }

    /// Waits for input, the deadline, or the end of pending writes, writing meanwhile; fails
    /// when pending output makes no progress for the write-stall timeout.
    async fn wait(&mut self) -> Result<Wake, Error> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(Error::Closed);
        };
        let had_output = !self.out.is_empty() || self.unflushed;
        if !had_output {
            self.stall.disarm();
        }
        let mut writer = Writer::new(
            &mut self.out,
            &mut self.written,
            &mut self.unflushed,
            &mut self.state.observer,
        );
        let (stall, runtime) = (&mut self.stall, &self.runtime);
        let read_buf = &mut self.read_buf;
        let eof = self.eof;
        let timer = &mut self.timer;
        poll_fn(|cx| {
            if had_output {
                match stall.poll_write(runtime, &mut writer, stream, cx) {
                    Poll::Ready(Ok(())) => return Poll::Ready(Ok(Wake::Written)),
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                    Poll::Pending => {}
                }
            }
            if !eof {
                match stream.poll_read(cx, read_buf) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Ok(Wake::Eof)),
                    // TLS without close_notify: an end of stream all the same; the machine
                    // knows whether a reply was cut short.
                    Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::UnexpectedEof => {
                        return Poll::Ready(Ok(Wake::Eof));
                    }
                    Poll::Ready(Ok(n)) => return Poll::Ready(Ok(Wake::Read(n))),
                    Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::Interrupted => {
                        cx.waker().wake_by_ref();
                    }
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(err.into())),
                    Poll::Pending => {}
                }
            }
            if let Some(timer) = timer
                && Pin::new(timer).poll(cx).is_ready()
            {
                return Poll::Ready(Ok(Wake::Timeout));
            }
            Poll::Pending
        })
        .await
    }
}

/// The write-stall timer (RFC 5321 §4.5.3.2.5, "Data block"): while a write is blocked, it
/// fails once no write or flush made progress for `after`.
///
/// It is armed when a write first blocks and disarmed when the output is all written and
/// flushed. Progress moves `since` instead of replacing the timer on every write; when the
/// timer fires after progress, it is set again for `since + after`.
struct Stall<R: Runtime> {
    after: Duration,
    timer: Option<R::Sleep>,
    /// When the pending output last made progress, or the write first blocked.
    since: Instant,
}

impl<R: Runtime> Stall<R> {
    fn new(after: Duration) -> Self {
        Stall {
            after,
            timer: None,
            since: Instant::now(),
        }
    }

    fn disarm(&mut self) {
        self.timer = None;
    }

    /// Polls `writer`; ready with `Ok` once everything is written and flushed, with the
    /// timeout once the output made no progress for `after`, or with a write error.
    fn poll_write(
        &mut self,
        runtime: &R,
        writer: &mut Writer<'_>,
        stream: &mut impl AsyncStream,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Error>> {
        let result = writer.poll(stream, cx);
        if std::mem::take(&mut writer.progressed) {
            self.since = Instant::now();
        }
        match result {
            Poll::Ready(Ok(())) => {
                self.disarm();
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err.into())),
            Poll::Pending => self.poll_timer(runtime, cx).map(Err),
        }
    }

    /// Arms the timer if needed and polls it; ready with the timeout once `after` passed
    /// since the last progress.
    fn poll_timer(&mut self, runtime: &R, cx: &mut Context<'_>) -> Poll<Error> {
        if self.timer.is_none() {
            self.since = Instant::now();
            self.timer = self.due().map(|at| runtime.sleep_until(at));
        }
        while let Some(timer) = &mut self.timer {
            if Pin::new(timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            match self.due() {
                Some(due) if due > Instant::now() => self.timer = Some(runtime.sleep_until(due)),
                Some(_) => {
                    self.timer = None;
                    return Poll::Ready(write_stalled(self.after));
                }
                // Too far in the future to time.
                None => self.timer = None,
            }
        }
        Poll::Pending
    }

    fn due(&self) -> Option<Instant> {
        self.since.checked_add(self.after)
    }
}

/// The write half of the driver's state, borrowed for one poll loop.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    written: &'a mut usize,
    unflushed: &'a mut bool,
    observer: &'a mut Option<Box<dyn WireObserver>>,
    /// A write or flush went through since this was last cleared.
    progressed: bool,
}

impl<'a> Writer<'a> {
    fn new(
        out: &'a mut Vec<u8>,
        written: &'a mut usize,
        unflushed: &'a mut bool,
        observer: &'a mut Option<Box<dyn WireObserver>>,
    ) -> Self {
        Writer {
            out,
            written,
            unflushed,
            observer,
            progressed: false,
        }
    }

    /// Writes the pending bytes (one `poll_write` for the whole batch, repeated only for
    /// partial writes), then flushes. Ready when everything is written and flushed.
    fn poll(
        &mut self,
        stream: &mut impl AsyncStream,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        while *self.written < self.out.len() {
            let pending = &self.out[*self.written..];
            match stream.poll_write(cx, pending) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    if let Some(observer) = self.observer {
                        observer.client_bytes(&pending[..n]);
                    }
                    *self.written += n;
                    *self.unflushed = true;
                    self.progressed = true;
                }
                Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.out.clear();
        if self.out.capacity() > MAX_IDLE_CAPACITY {
            self.out.shrink_to(READ_BUFFER_SIZE);
        }
        *self.written = 0;
        if *self.unflushed {
            match stream.poll_flush(cx) {
                Poll::Ready(Ok(())) => {
                    *self.unflushed = false;
                    self.progressed = true;
                }
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}
