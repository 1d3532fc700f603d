//! The streaming mbox splitter: chunks in, message events out, in bounded memory.

use super::line::{LineAction, LineClassifier};
use super::{MboxOptions, trim_line_end};

/// What the [`MboxSplitter`] reports, in order: `Start`, any number of `Data`, `End`, and so on
/// for each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MboxEvent<'a> {
    /// A message starts.
    Start {
        /// Byte offset of its `From ` line in the stream.
        offset: u64,
        /// The `From ` line, without its line end.
        from_line: &'a [u8],
    },
    /// The next bytes of the current message (unquoted).
    Data(&'a [u8]),
    /// The current message is complete.
    End,
}

/// Splits an mbox stream into messages, chunk by chunk.
///
/// Memory stays bounded by [`MboxOptions::max_separator_line`] whatever the size of the file or
/// of its lines: only the start of the current line is buffered, until it is known not to be a
/// separator. It gives the same messages as [`MboxReader`](super::MboxReader) on the same bytes,
/// however they are split into chunks.
///
/// ```
/// use mail_kit_mime::mbox::{MboxEvent, MboxOptions, MboxSplitter};
///
/// let mut splitter = MboxSplitter::new(MboxOptions::default());
/// let mut messages: Vec<Vec<u8>> = Vec::new();
/// let mut on_event = |event: MboxEvent<'_>| match event {
///     MboxEvent::Start { .. } => messages.push(Vec::new()),
///     MboxEvent::Data(bytes) => messages.last_mut().unwrap().extend_from_slice(bytes),
///     MboxEvent::End => {}
/// };
/// for chunk in [&b"From a Thu Jan  1 00:00:00 2026\nSubject: x\n\n>Fr"[..], b"om y\n\n"] {
///     splitter.push(chunk, &mut on_event);
/// }
/// splitter.finish(&mut on_event);
/// assert_eq!(messages, vec![b"Subject: x\n\nFrom y\n".to_vec()]);
/// ```
#[derive(Debug, Clone)]
pub struct MboxSplitter {
    classifier: LineClassifier,
    limit: usize,
    /// The start of the current line, while it may still be a separator.
    line: Vec<u8>,
    /// The current line was longer than the limit and has been classified already.
    long_line: bool,
    /// The held-back blank line (its bytes: `\n` or `\r\n`).
    held: Vec<u8>,
    /// Bytes consumed so far (the offset of the next byte).
    offset: u64,
    in_message: bool,
}

impl MboxSplitter {
    /// A splitter at the start of a stream.
    pub fn new(options: MboxOptions) -> Self {
        MboxSplitter {
            classifier: LineClassifier::new(options),
            limit: options.line_limit(),
            line: Vec::with_capacity(options.line_limit() + 1),
            long_line: false,
            held: Vec::new(),
            offset: 0,
            in_message: false,
        }
    }

    /// Feeds the next chunk of the stream; events go to `on_event` as soon as they are known.
    pub fn push(&mut self, chunk: &[u8], on_event: &mut impl FnMut(MboxEvent<'_>)) {
        let mut pos = 0;
        while pos < chunk.len() {
            let rest = &chunk[pos..];
            let newline = memchr::memchr(b'\n', rest);
            if self.long_line {
                // The rest of an over-long line, already classified: content as it comes.
                let piece = &rest[..newline.map_or(rest.len(), |i| i + 1)];
                self.classifier.consume_span(piece.len() as u64);
                if self.in_message {
                    on_event(MboxEvent::Data(piece));
                }
                self.offset += piece.len() as u64;
                pos += piece.len();
                self.long_line = newline.is_none();
                continue;
            }
            // `line` never holds more than `limit` bytes, so there is always room.
            let room = self.limit + 1 - self.line.len();
            match newline {
                Some(i) if i < room => {
                    let piece = &rest[..=i];
                    pos += piece.len();
                    if self.line.is_empty() {
                        // A whole line inside the chunk: no copy.
                        self.line_done(piece, on_event);
                    } else {
                        let mut line = std::mem::take(&mut self.line);
                        line.extend_from_slice(piece);
                        self.line_done(&line, on_event);
                        line.clear();
                        self.line = line;
                    }
                }
                _ if rest.len() < room => {
                    self.line.extend_from_slice(rest);
                    pos = chunk.len();
                }
                _ => {
                    // Longer than the limit: classified on its head (never a separator).
                    let mut line = std::mem::take(&mut self.line);
                    line.extend_from_slice(&rest[..room]);
                    pos += room;
                    self.line_done(&line, on_event);
                    line.clear();
                    self.line = line;
                    self.long_line = true;
                }
            }
        }
    }

    /// Ends the stream: the last message (if any) ends, without a trailing blank line.
    pub fn finish(mut self, on_event: &mut impl FnMut(MboxEvent<'_>)) {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, on_event);
        }
        if self.in_message {
            on_event(MboxEvent::End);
        }
    }

    /// Handles one line (or the head of an over-long one) starting at `self.offset`.
    fn line_done(&mut self, line: &[u8], on_event: &mut impl FnMut(MboxEvent<'_>)) {
        match self.classifier.classify(line, line.len() as u64) {
            LineAction::Separator => {
                if self.in_message {
                    on_event(MboxEvent::End);
                }
                on_event(MboxEvent::Start {
                    offset: self.offset,
                    from_line: trim_line_end(line),
                });
                self.in_message = true;
                self.held.clear();
            }
            LineAction::Content {
                release_held,
                skip,
                hold,
            } => {
                if release_held && !self.held.is_empty() {
                    on_event(MboxEvent::Data(&self.held));
                }
                self.held.clear();
                if hold {
                    self.held.extend_from_slice(line);
                } else {
                    on_event(MboxEvent::Data(&line[skip..]));
                }
            }
            LineAction::Outside => {}
        }
        self.offset += line.len() as u64;
    }
}

#[cfg(test)]
impl MboxSplitter {
    /// How many bytes the splitter holds (its line buffer's capacity).
    pub(super) fn buffered(&self) -> usize {
        self.line.capacity()
    }
}
