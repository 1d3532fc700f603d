//! The line classifier that both mbox front ends share: it decides, one line at a time, whether
//! a line starts a new message, and what of it belongs to the current message.

use super::{MboxFormat, MboxOptions};

/// What to do with one line of an mbox file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineAction {
    /// The line is a `From ` separator: the current message (if any) ends and a new one starts.
    /// A held-back blank line is dropped: it was the separator's padding.
    Separator,
    /// The line belongs to the current message. First the held-back blank line (if
    /// `release_held`), then the line without its first `skip` bytes (the `>` of a quoted
    /// `From `). When `hold` is set the line is a blank line kept back instead of written: it is
    /// written before the next content line, or dropped before a separator or at the end.
    Content {
        release_held: bool,
        skip: usize,
        hold: bool,
    },
    /// The line comes before the first `From ` line: it belongs to no message.
    Outside,
}

/// Where the classifier is within the current message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before the first separator.
    Start,
    /// In the header block (after the separator, before the first blank line).
    Headers,
    /// In the body; `span` bytes of it are covered by a trusted Content-Length.
    Body { span: u64 },
}

/// Classifies complete lines (each ending with `\n`, except maybe the file's last one).
#[derive(Debug, Clone)]
pub(super) struct LineClassifier {
    options: MboxOptions,
    place: Place,
    content_length: Option<u64>,
    held: bool,
}

impl LineClassifier {
    pub(super) fn new(options: MboxOptions) -> Self {
        LineClassifier {
            options,
            place: Place::Start,
            content_length: None,
            held: false,
        }
    }

    /// Classifies a line of `line_len` bytes (line end included) whose first bytes are `head`:
    /// the whole line when it is at most [`MboxOptions::max_separator_line`] long, else at
    /// least that many. A longer line is never a separator.
    pub(super) fn classify(&mut self, head: &[u8], line_len: u64) -> LineAction {
        let limit = self.options.line_limit();
        let line = &head[..head.len().min(limit)];
        let in_span = matches!(self.place, Place::Body { span } if span > 0);
        if let Place::Body { span } = &mut self.place {
            *span = span.saturating_sub(line_len);
        }
        if !in_span && line_len <= limit as u64 && is_separator(line) {
            self.place = Place::Headers;
            self.content_length = None;
            self.held = false;
            return LineAction::Separator;
        }
        match self.place {
            Place::Start => return LineAction::Outside,
            Place::Headers => {
                if is_blank(line) {
                    let span = match self.content_length {
                        Some(n) if self.options.honor_content_length => n,
                        _ => 0,
                    };
                    self.place = Place::Body { span };
                } else if self.options.honor_content_length {
                    if let Some(n) = content_length(line) {
                        self.content_length = Some(n);
                    }
                }
            }
            Place::Body { .. } => {}
        }
        let release_held = std::mem::take(&mut self.held);
        let skip = if in_span { 0 } else { self.quote_depth(line) };
        // The last blank line before a separator (or the end) is the separator's padding.
        let hold = !in_span && matches!(self.place, Place::Body { .. }) && is_blank(line);
        self.held = hold;
        LineAction::Content {
            release_held,
            skip,
            hold,
        }
    }

    /// Accounts for `len` more bytes of a line already classified (an over-long line's rest).
    pub(super) fn consume_span(&mut self, len: u64) {
        if let Place::Body { span } = &mut self.place {
            *span = span.saturating_sub(len);
        }
    }

    /// How many leading bytes to remove: one `>` of a quoted `From ` line.
    fn quote_depth(&self, line: &[u8]) -> usize {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        let quoted_from = quotes > 0 && line[quotes..].starts_with(b"From ");
        match self.options.format {
            MboxFormat::Mboxrd if quoted_from => 1,
            MboxFormat::Mboxo if quoted_from && quotes == 1 => 1,
            _ => 0,
        }
    }
}

fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"From ")
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// The value of a `Content-Length:` header line, if it is one.
fn content_length(line: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"content-length:";
    if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return None;
    }
    let value = line[NAME.len()..].trim_ascii();
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}
