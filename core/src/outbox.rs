//! The ordered output of a protocol machine, shared by SMTP and POP3 (and later IMAP): command
//! bytes coalesced into one `Transmit`, the outputs that must come after them, and the fatal
//! error that ends the session.

use std::collections::VecDeque;

use bytes::BytesMut;

use crate::error::Error;
use crate::machine::Output;

/// Bytes to write and outputs to hand out, in order.
///
/// Bytes written with [`Outbox::send`] stay together until an output is queued with
/// [`Outbox::emit`]: then they become one `Transmit` before it, so an event never overtakes the
/// command bytes decided before it (e.g. `STARTTLS`, then `StartTls`). After a fatal error
/// ([`Outbox::fail`]) what was queued still goes out, then the error, again and again.
#[derive(Debug)]
pub(crate) struct Outbox<E> {
    wbuf: BytesMut,
    out: VecDeque<Output<E>>,
    error: Option<Error>,
}

impl<E> Outbox<E> {
    pub(crate) fn new() -> Self {
        Outbox {
            wbuf: BytesMut::new(),
            out: VecDeque::new(),
            error: None,
        }
    }

    /// Appends command bytes.
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.wbuf.extend_from_slice(bytes);
    }

    /// The buffer of command bytes, for writers that fill it in place.
    pub(crate) fn bytes_mut(&mut self) -> &mut BytesMut {
        &mut self.wbuf
    }

    /// Queues `output` after the bytes sent so far.
    pub(crate) fn emit(&mut self, output: Output<E>) {
        if !self.wbuf.is_empty() {
            let bytes = self.wbuf.split().freeze();
            self.out.push_back(Output::Transmit(bytes));
        }
        self.out.push_back(output);
    }

    /// Queues an event after the bytes sent so far.
    pub(crate) fn event(&mut self, event: E) {
        self.emit(Output::Event(event));
    }

    /// Ends the session with `error`; the first error stays.
    pub(crate) fn fail(&mut self, error: Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// The error that ended the session, if any.
    pub(crate) fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// What `poll_output` hands out before the machine's own state: queued outputs first, then
    /// the bytes sent since (bytes decided before an error, such as a SASL cancel, still go
    /// out), then the fatal error; `None` when there is none of these.
    pub(crate) fn next(&mut self) -> Option<Result<Output<E>, Error>> {
        if let Some(output) = self.out.pop_front() {
            return Some(Ok(output));
        }
        if !self.wbuf.is_empty() {
            return Some(Ok(Output::Transmit(self.wbuf.split().freeze())));
        }
        self.error.clone().map(Err)
    }

    /// Bytes sent but not handed out yet (for `Debug`: the count, never the bytes).
    pub(crate) fn pending(&self) -> usize {
        self.wbuf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_before_an_output_come_first_and_coalesce() {
        let mut o: Outbox<u8> = Outbox::new();
        o.send(b"A\r\n");
        o.send(b"B\r\n");
        o.emit(Output::Event(1));
        o.send(b"C\r\n");
        assert_eq!(o.pending(), 3);
        assert_eq!(o.next(), Some(Ok(Output::Transmit("A\r\nB\r\n".into()))));
        assert_eq!(o.next(), Some(Ok(Output::Event(1))));
        assert_eq!(o.next(), Some(Ok(Output::Transmit("C\r\n".into()))));
        assert_eq!(o.next(), None);
    }

    #[test]
    fn what_was_queued_goes_out_before_the_first_error() {
        let mut o: Outbox<u8> = Outbox::new();
        o.send(b"*\r\n");
        o.fail(Error::Timeout {
            waiting_for: "a reply",
            after: std::time::Duration::from_secs(1),
        });
        o.fail(Error::UnexpectedEof { mid_reply: false });
        o.event(2);
        assert!(matches!(o.error(), Some(Error::Timeout { .. })));
        assert_eq!(o.next(), Some(Ok(Output::Transmit("*\r\n".into()))));
        assert_eq!(o.next(), Some(Ok(Output::Event(2))));
        assert!(matches!(o.next(), Some(Err(Error::Timeout { .. }))));
        assert!(matches!(o.next(), Some(Err(Error::Timeout { .. }))));
    }
}
