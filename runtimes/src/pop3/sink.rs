//! Where a retrieved message goes: [`MessageSink`], the seam between the POP3 clients and any
//! consumer of message bytes (a file, a buffer, a streaming MIME parser).

use std::io;

/// Takes one message as it streams in: `start`, then the message bytes in pieces, then
/// `finish`. The pieces concatenated are the message as stored on the server (dot-unstuffed,
/// CRLF line ends); no client ever holds the whole message in memory.
///
/// Every [`std::io::Write`] is a sink (a `File`, a `Vec<u8>`, `&mut` either, stdout): the
/// pieces are written with `write_all` and `finish` flushes. That includes the MIME streaming
/// parser, [`MessageStream`](crate::mime::parser::MessageStream): retrieve into
/// `&mut stream`, then `stream.finish()` gives the parsed message, with the bodies its
/// [`BodySink`](crate::mime::parser::BodySink) took never held in memory. Implement the trait directly
/// for a consumer that wants the size the server announced (a progress bar) or that is not a
/// writer (a push-mode parser).
///
/// ```
/// use mail_kit::pop3::MessageSink;
///
/// /// Counts the lines of a message without keeping it.
/// #[derive(Default)]
/// struct LineCounter(usize);
///
/// impl MessageSink for LineCounter {
///     fn write_chunk(&mut self, bytes: &[u8]) -> std::io::Result<()> {
///         self.0 += bytes.iter().filter(|&&b| b == b'\n').count();
///         Ok(())
///     }
/// }
///
/// let mut counter = LineCounter::default();
/// counter.write_chunk(b"Subject: hi\r\n\r\nbody\r\n")?;
/// assert_eq!(counter.0, 3);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait MessageSink {
    /// The server accepted the command; `octets` is the size it announced (`+OK 1234
    /// octets`), when it did. A hint only: the data that follows decides.
    fn start(&mut self, octets: Option<u64>) -> io::Result<()> {
        let _ = octets;
        Ok(())
    }

    /// Takes the next piece of the message.
    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// The message is complete.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: io::Write> MessageSink for W {
    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

with_any_runtime! {
/// A sink in use: after its first error it takes nothing more (the session still reads the
/// rest of the message off the wire), and the error is the command's outcome.
#[derive(Debug)]
pub(crate) struct Target<S> {
    sink: S,
    error: Option<io::Error>,
}

impl<S: MessageSink> Target<S> {
    pub(crate) fn new(sink: S) -> Self {
        Target { sink, error: None }
    }

    fn attempt(&mut self, step: impl FnOnce(&mut S) -> io::Result<()>) {
        if self.error.is_none()
            && let Err(err) = step(&mut self.sink)
        {
            self.error = Some(err);
        }
    }

    pub(crate) fn start(&mut self, octets: Option<u64>) {
        self.attempt(|sink| sink.start(octets));
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.attempt(|sink| sink.write_chunk(bytes));
    }

    /// Finishes the sink (unless it failed) and gives back the first error.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.attempt(|sink| sink.finish());
        self.error.take().map_or(Ok(()), Err)
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FailsAfter(usize, Vec<u8>);

    impl MessageSink for FailsAfter {
        fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
            if self.1.len() + bytes.len() > self.0 {
                return Err(io::Error::other("disk full"));
            }
            self.1.extend_from_slice(bytes);
            Ok(())
        }
    }

    #[test]
    fn writers_are_sinks() {
        let mut out = Vec::new();
        let mut target = Target::new(&mut out);
        target.start(Some(5));
        target.write(b"ab");
        target.write(b"cde");
        target.finish().unwrap();
        assert_eq!(out, b"abcde");
    }

    #[test]
    fn the_first_error_stops_the_sink_and_is_reported() {
        let mut target = Target::new(FailsAfter(3, Vec::new()));
        target.write(b"ab");
        target.write(b"cd");
        target.write(b"e");
        assert_eq!(target.sink.1, b"ab");
        let err = target.finish().unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
