//! The ordered output of a protocol machine, shared by SMTP and POP3 (and later IMAP): command
//! bytes coalesced into one `Transmit`, and the outputs that must come after them.

use std::collections::VecDeque;

use bytes::BytesMut;

use crate::machine::Output;

/// Bytes to write and outputs to hand out, in order.
///
/// Bytes written with [`Outbox::send`] stay together until an output is queued with
/// [`Outbox::emit`]: then they become one `Transmit` before it, so an event never overtakes the
/// command bytes decided before it (e.g. `STARTTLS`, then `StartTls`).
#[derive(Debug)]
pub(crate) struct Outbox<E> {
    wbuf: BytesMut,
    out: VecDeque<Output<E>>,
}

impl<E> Outbox<E> {
    pub(crate) fn new() -> Self {
        Outbox {
            wbuf: BytesMut::new(),
            out: VecDeque::new(),
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

    /// The next output: queued outputs first, then the bytes sent since.
    pub(crate) fn pop(&mut self) -> Option<Output<E>> {
        if let Some(output) = self.out.pop_front() {
            return Some(output);
        }
        (!self.wbuf.is_empty()).then(|| Output::Transmit(self.wbuf.split().freeze()))
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
        assert_eq!(o.pop(), Some(Output::Transmit("A\r\nB\r\n".into())));
        assert_eq!(o.pop(), Some(Output::Event(1)));
        assert_eq!(o.pop(), Some(Output::Transmit("C\r\n".into())));
        assert_eq!(o.pop(), None);
    }
}
