//! Reading (and writing) mbox files: the `mboxo` and `mboxrd` flavours.
//!
//! An mbox file is a sequence of messages, each introduced by a separator line starting with
//! `From ` (the "From_ line", e.g. `From alice@example.org Fri Dec  4 18:00:00 2026`). Lines of a
//! message that start with `From ` are quoted with `>` when written; the reader removes that
//! quoting:
//!
//! - [`MboxFormat::Mboxrd`]: one `>` is removed from every line matching `>+From `, so quoting is
//!   reversible;
//! - [`MboxFormat::Mboxo`]: one `>` is removed from lines starting with exactly `>From `.
//!
//! The blank line that writers put before each separator (and at the end of the file) is not
//! part of the message. Optionally ([`MboxOptions::honor_content_length`]) a `Content-Length`
//! header is trusted, as in `mboxcl2` files: that many body bytes are taken verbatim, `From `
//! lines included.
//!
//! Two front ends share one line classifier, so they agree on every input:
//!
//! - [`MboxReader`] over a whole [`Bytes`](bytes::Bytes): each message is a zero-copy slice of
//!   the input (a copy only when quoted lines had to be unquoted);
//! - [`MboxSplitter`], push mode: feed chunks of any size and get [`MboxEvent`]s (message start
//!   with its byte offset and `From ` line, content chunks, message end) in bounded memory,
//!   ready to feed a streaming parser.
//!
//! ```
//! use mail_kit_mime::mbox::{MboxOptions, MboxReader};
//!
//! let file = bytes::Bytes::from_static(
//!     b"From a@example.org Thu Jan  1 00:00:00 2026\nSubject: one\n\n>From here\n\n\
//!       From b@example.org Thu Jan  1 00:00:01 2026\nSubject: two\n\nbody\n\n",
//! );
//! let messages: Vec<_> = MboxReader::new(file, MboxOptions::default()).collect();
//! assert_eq!(messages.len(), 2);
//! assert_eq!(&messages[0].data[..], b"Subject: one\n\nFrom here\n");
//! assert_eq!(messages[1].offset, 70);
//! assert_eq!(&messages[1].from_line[..], b"From b@example.org Thu Jan  1 00:00:01 2026");
//! ```

mod buffer;
mod line;
mod stream;
mod write;

pub use buffer::{MboxMessage, MboxReader};
pub use stream::{MboxEvent, MboxSplitter};
pub use write::write_message;

/// Which `From ` quoting convention the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MboxFormat {
    /// `mboxo`: lines starting with `From ` were written as `>From `; only that one level is
    /// undone (so a body line `>From ` reads back as `From `: the format is lossy).
    Mboxo,
    /// `mboxrd`: lines matching `>*From ` were written with one more `>`; one is removed.
    #[default]
    Mboxrd,
}

/// How to read an mbox file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MboxOptions {
    /// The quoting convention.
    pub format: MboxFormat,
    /// Trust a `Content-Length` header: that many body bytes are taken verbatim (no separator
    /// recognised, no unquoting), as `mboxcl2` files need. Off by default: many files carry
    /// stale lengths.
    pub honor_content_length: bool,
    /// Lines longer than this (line end included) are never separators, and only their first
    /// this-many bytes are examined for quoting; it is also the most the streaming splitter
    /// buffers. At least 16; default 1,000.
    pub max_separator_line: usize,
}

impl Default for MboxOptions {
    fn default() -> Self {
        MboxOptions {
            format: MboxFormat::default(),
            honor_content_length: false,
            max_separator_line: 1_000,
        }
    }
}

impl MboxOptions {
    /// The separator-line limit as used (never below 16).
    fn line_limit(&self) -> usize {
        self.max_separator_line.max(16)
    }
}

/// `line` without its trailing `\n` or `\r\n`.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests;
