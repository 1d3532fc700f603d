//! The streaming (push-mode) front end.

use bytes::{Buf, Bytes, BytesMut};

use crate::Limits;
use crate::model::Message;
use crate::parser::builder::{BodySink, Builder};
use crate::parser::event::Event;
use crate::parser::to_event;
use crate::parser::tokenizer::{Step, Token, Tokenizer};

/// A push-mode parser: [`feed`](StreamParser::feed) chunks split anywhere, take
/// [`Event`]s with [`next_event`](StreamParser::next_event) until it returns `None`, feed more;
/// after the last chunk call [`finish`](StreamParser::finish) and take the remaining events.
///
/// The events are those of a whole-buffer parse of the same bytes, except that body bytes may
/// be split into more [`Event::Body`] chunks. Only bytes the tokenizer cannot decide on yet
/// stay buffered: at most one header field (bounded by [`Limits::max_header_bytes`]) or one
/// candidate delimiter line, plus whatever was fed and not yet taken as events.
///
/// ```
/// use mail_kit_mime::parser::{Event, StreamParser};
/// let mut parser = StreamParser::new();
/// let mut bodies = Vec::new();
/// for chunk in [&b"Content-Type: text/plain\r\n"[..], b"\r\nhel", b"lo"] {
///     parser.feed(chunk);
///     while let Some(event) = parser.next_event() {
///         if let Event::Body { data, .. } = event {
///             bodies.extend_from_slice(&data);
///         }
///     }
/// }
/// parser.finish();
/// while let Some(event) = parser.next_event() {}
/// assert_eq!(bodies, b"hello");
/// assert!(parser.is_done());
/// ```
#[derive(Debug)]
pub struct StreamParser {
    tokenizer: Tokenizer,
    buf: BytesMut,
    eof: bool,
    done: bool,
}

impl Default for StreamParser {
    fn default() -> Self {
        StreamParser::new()
    }
}

impl StreamParser {
    /// A parser with the default [`Limits`].
    pub fn new() -> Self {
        StreamParser::with_limits(&Limits::default())
    }

    /// A parser with `limits`.
    pub fn with_limits(limits: &Limits) -> Self {
        StreamParser {
            tokenizer: Tokenizer::new(limits.clone()),
            buf: BytesMut::new(),
            eof: false,
            done: false,
        }
    }

    /// Appends input. Take the events it makes available before feeding much more, so that the
    /// buffer stays small. Input fed after [`finish`](Self::finish) is ignored.
    pub fn feed(&mut self, data: &[u8]) {
        if !self.eof {
            self.buf.extend_from_slice(data);
        }
    }

    /// Declares the end of input.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Whether every event of the message has been taken (only after [`finish`](Self::finish)).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Bytes fed but not yet turned into events.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next event, or `None` when more input is needed (or everything is done).
    pub fn next_event(&mut self) -> Option<Event> {
        self.next_with_len().map(|(event, _)| event)
    }

    fn next_with_len(&mut self) -> Option<(Event, usize)> {
        if self.done {
            return None;
        }
        match self.tokenizer.next(&self.buf, self.eof) {
            Step::Token(token) => {
                let len = token.len();
                let bytes = match token {
                    _ if len == 0 => Bytes::new(),
                    // Body chunks leave without a copy; small pieces are copied so that what a
                    // model keeps never pins a large input buffer.
                    Token::Body { .. } => self.buf.split_to(len).freeze(),
                    _ => {
                        let bytes = Bytes::copy_from_slice(&self.buf[..len]);
                        self.buf.advance(len);
                        bytes
                    }
                };
                Some((to_event(token, bytes), len))
            }
            Step::NeedMore => None,
            Step::Done => {
                self.done = true;
                None
            }
        }
    }
}

/// Builds a [`Message`] from chunks fed as they arrive, giving body bytes to a [`BodySink`]
/// (or keeping them, with [`KeepInMemory`](crate::parser::KeepInMemory)).
///
/// ```
/// use mail_kit_mime::parser::{KeepInMemory, MessageStream};
/// let mut stream = MessageStream::new(KeepInMemory);
/// stream.feed(b"Subject: x\r\n\r\nbo");
/// stream.feed(b"dy");
/// let (message, _sink) = stream.finish();
/// assert_eq!(message.text_body().as_deref(), Some("body"));
/// ```
#[derive(Debug)]
pub struct MessageStream<S: BodySink> {
    parser: StreamParser,
    builder: Builder<S>,
}

impl<S: BodySink> MessageStream<S> {
    /// A builder with the default [`Limits`].
    pub fn new(sink: S) -> Self {
        MessageStream::with_limits(&Limits::default(), sink)
    }

    /// A builder with `limits`.
    pub fn with_limits(limits: &Limits, sink: S) -> Self {
        MessageStream {
            parser: StreamParser::with_limits(limits),
            builder: Builder::new(sink),
        }
    }

    /// Feeds a chunk and processes everything it completes.
    pub fn feed(&mut self, data: &[u8]) {
        self.parser.feed(data);
        self.drain();
    }

    /// The sink, e.g. to collect what it received so far.
    pub fn sink_mut(&mut self) -> &mut S {
        self.builder.sink_mut()
    }

    /// Ends the input and returns the message and the sink.
    pub fn finish(mut self) -> (Message, S) {
        self.parser.finish();
        self.drain();
        self.builder.finish()
    }

    fn drain(&mut self) {
        while let Some((event, len)) = self.parser.next_with_len() {
            self.builder.event(event, len);
        }
    }
}

/// Feeding through [`std::io::Write`]: anything that writes message bytes as they arrive (a
/// POP3 `retrieve` into a sink, `std::io::copy` from a file or a socket) parses as it goes,
/// in bounded memory when `S` takes the bodies; call [`finish`](MessageStream::finish)
/// afterwards. Writing never fails: hostile input becomes defects in the model.
///
/// ```
/// use mail_kit_mime::parser::{KeepInMemory, MessageStream};
///
/// let mut stream = MessageStream::new(KeepInMemory);
/// std::io::copy(&mut &b"Subject: hi\r\n\r\nbody"[..], &mut stream)?;
/// let (message, _) = stream.finish();
/// assert_eq!(message.headers().subject().as_deref(), Some("hi"));
/// # Ok::<(), std::io::Error>(())
/// ```
impl<S: BodySink> std::io::Write for MessageStream<S> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.feed(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
