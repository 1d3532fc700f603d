//! The whole-buffer mbox reader: messages as zero-copy slices of one [`Bytes`].

use std::ops::Range;

use bytes::Bytes;

use super::line::{LineAction, LineClassifier};
use super::{MboxOptions, trim_line_end};

/// One message of an mbox file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    /// Byte offset of the message's `From ` line in the file.
    pub offset: u64,
    /// The `From ` line, without its line end.
    pub from_line: Bytes,
    /// The message, unquoted, without the blank line that preceded the next separator.
    pub data: Bytes,
}

/// Iterates over the messages of an mbox file held in one [`Bytes`].
///
/// Each [`MboxMessage::data`] is a slice of the input unless lines had to be unquoted, in
/// which case that one message is copied. Bytes before the first `From ` line belong to no
/// message and are skipped.
#[derive(Debug, Clone)]
pub struct MboxReader {
    data: Bytes,
    pos: usize,
    classifier: LineClassifier,
    /// The separator line of the message being read, when one has started.
    current: Option<Range<usize>>,
}

impl MboxReader {
    /// A reader over `data`.
    pub fn new(data: Bytes, options: MboxOptions) -> Self {
        MboxReader {
            data,
            pos: 0,
            classifier: LineClassifier::new(options),
            current: None,
        }
    }
}

/// A message's content being collected: a range of the input while it is contiguous.
struct Assembly {
    range: Range<usize>,
    owned: Option<Vec<u8>>,
    held: Range<usize>,
}

impl Assembly {
    fn append(&mut self, data: &Bytes, part: Range<usize>) {
        match &mut self.owned {
            None if part.start == self.range.end => self.range.end = part.end,
            None => {
                let mut owned = data[self.range.clone()].to_vec();
                owned.extend_from_slice(&data[part]);
                self.owned = Some(owned);
            }
            Some(owned) => owned.extend_from_slice(&data[part]),
        }
    }
}

impl Iterator for MboxReader {
    type Item = MboxMessage;

    fn next(&mut self) -> Option<MboxMessage> {
        let mut assembly = self.current.as_ref().map(|from| Assembly {
            range: from.end..from.end,
            owned: None,
            held: from.end..from.end,
        });
        while self.pos < self.data.len() {
            let start = self.pos;
            let end = memchr::memchr(b'\n', &self.data[start..])
                .map_or(self.data.len(), |i| start + i + 1);
            self.pos = end;
            match self
                .classifier
                .classify(&self.data[start..end], (end - start) as u64)
            {
                LineAction::Separator => {
                    let finished = self.current.replace(start..end);
                    if let (Some(from), Some(assembly)) = (finished, assembly) {
                        return Some(self.finish(from, assembly));
                    }
                    assembly = Some(Assembly {
                        range: end..end,
                        owned: None,
                        held: end..end,
                    });
                }
                LineAction::Content {
                    release_held,
                    skip,
                    hold,
                } => {
                    let Some(assembly) = assembly.as_mut() else {
                        continue;
                    };
                    if release_held {
                        assembly.append(&self.data, assembly.held.clone());
                    }
                    if hold {
                        assembly.held = start..end;
                    } else {
                        assembly.append(&self.data, start + skip..end);
                    }
                }
                LineAction::Outside => {}
            }
        }
        let from = self.current.take()?;
        Some(self.finish(from, assembly?))
    }
}

impl MboxReader {
    fn finish(&self, from: Range<usize>, assembly: Assembly) -> MboxMessage {
        let from_line = self.data.slice(from.clone());
        let trimmed = trim_line_end(&from_line).len();
        MboxMessage {
            offset: from.start as u64,
            from_line: from_line.slice(..trimmed),
            data: match assembly.owned {
                Some(owned) => Bytes::from(owned),
                None => self.data.slice(assembly.range),
            },
        }
    }
}
