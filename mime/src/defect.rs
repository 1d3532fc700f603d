//! Defects: what was wrong with an entity. Parsing records them and goes on, as Python's
//! `email` package does; one bad part never fails a whole message.

use crate::charset::CharsetDefect;
use crate::header::rfc2231::ParameterDefect;

/// Something wrong found in one entity (its headers, its body structure, or a limit hit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Defect {
    /// The header block did not end with a blank line: a line that is not a header field (or a
    /// delimiter) started the body.
    #[error("missing blank line between headers and body")]
    MissingHeaderBodySeparator,
    /// A line in the header block that is not a field (a continuation line first, or an mbox
    /// `From ` line); it is kept as a malformed field.
    #[error("invalid header line")]
    InvalidHeaderLine,
    /// A header field contains bytes above 0x7F.
    #[error("8-bit bytes in a header")]
    EightBitHeader,
    /// A multipart has no usable `boundary` parameter (missing or empty); it is kept as a leaf.
    #[error("multipart without a boundary parameter")]
    MissingBoundaryParameter,
    /// The boundary of a multipart never appeared in its body: everything is preamble.
    #[error("multipart boundary never found")]
    StartBoundaryNotFound,
    /// A multipart ended (end of input, or an enclosing boundary) without its close delimiter.
    #[error("multipart without a closing boundary")]
    MissingClosingBoundary,
    /// The `Content-Type` value was malformed; the default type was used.
    #[error("malformed Content-Type")]
    InvalidContentType,
    /// A parameter problem in `Content-Type` or `Content-Disposition`.
    #[error("parameter: {0}")]
    Parameter(ParameterDefect),
    /// A body's transfer encoding was malformed; decoding recovered what it could.
    #[error("malformed {encoding} body")]
    BadTransferEncoding {
        /// The `Content-Transfer-Encoding` in force.
        encoding: String,
    },
    /// A text body's charset was unknown or its bytes malformed in it.
    #[error("text body: {0}")]
    Charset(CharsetDefect),
    /// [`Limits::max_depth`](crate::Limits::max_depth) hit: this container is kept as a leaf.
    #[error("nesting deeper than {limit}; kept as a leaf")]
    DepthLimit {
        /// The limit in force.
        limit: usize,
    },
    /// [`Limits::max_parts`](crate::Limits::max_parts) hit: this multipart (or nested message)
    /// was cut there.
    #[error("more than {limit} parts; the rest kept unparsed")]
    TooManyParts {
        /// The limit in force.
        limit: usize,
    },
    /// [`Limits::max_header_bytes`](crate::Limits::max_header_bytes) hit: the header block was
    /// cut and the rest taken as body.
    #[error("header block larger than {limit} bytes; the rest taken as body")]
    HeaderBlockTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// [`Limits::max_headers`](crate::Limits::max_headers) hit.
    #[error("more than {limit} header fields; the rest taken as body")]
    TooManyHeaders {
        /// The limit in force.
        limit: usize,
    },
    /// [`Limits::max_line_length`](crate::Limits::max_line_length) exceeded by a header line.
    #[error("header line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// [`Limits::max_boundary_length`](crate::Limits::max_boundary_length) exceeded: the
    /// multipart is kept as a leaf.
    #[error("boundary longer than {limit} bytes; kept as a leaf")]
    BoundaryTooLong {
        /// The limit in force.
        limit: usize,
    },
}
