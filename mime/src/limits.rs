//! Parser limits ([`Limits`]): every bound the MIME parser enforces, with defaults taken from
//! trusted servers (Dovecot, Postfix).
//!
//! No limit ever fails a parse: each one that is hit is recorded as its own
//! [`Defect`](crate::Defect) on the entity where it happened, and parsing goes on as described
//! on each field.

/// Bounds on what the parser accepts. See each field for the default and what happens when it
/// is exceeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting depth of entities, counting both multiparts and `message/rfc822`
    /// (the root is depth 0). A container whose children would be deeper is kept as an opaque
    /// leaf with [`Defect::DepthLimit`](crate::Defect::DepthLimit). Default 100.
    pub max_depth: usize,
    /// Maximum number of entities in a message (root, parts and nested messages). When a
    /// delimiter would open one more part, the multipart ends there: the rest of its body up to
    /// an enclosing boundary becomes its epilogue, with
    /// [`Defect::TooManyParts`](crate::Defect::TooManyParts). Default 10,000.
    pub max_parts: usize,
    /// Maximum size in bytes of one entity's header block. A field that would cross it ends the
    /// header block: that field and the rest become the body, with
    /// [`Defect::HeaderBlockTooLarge`](crate::Defect::HeaderBlockTooLarge). This also bounds
    /// what the streaming parser buffers. Values above 4 GiB act as 4 GiB. Default 1 MiB.
    pub max_header_bytes: usize,
    /// Maximum number of header fields per entity; the next field ends the header block as for
    /// `max_header_bytes`, with [`Defect::TooManyHeaders`](crate::Defect::TooManyHeaders).
    /// Default 10,000.
    pub max_headers: usize,
    /// Maximum number of parameters read in a `Content-Type` or `Content-Disposition` value;
    /// the rest is ignored with a parameter defect. Default 1,000.
    pub max_parameters: usize,
    /// Maximum length of a header line (without its line ending). Longer lines are kept
    /// whole and flagged once per entity with
    /// [`Defect::LineTooLong`](crate::Defect::LineTooLong). It also bounds the whitespace
    /// allowed after a boundary on a delimiter line. Default 998 (RFC 5322 §2.1.1).
    pub max_line_length: usize,
    /// Maximum length of a multipart boundary. A multipart with a longer one is kept as an
    /// opaque leaf with [`Defect::BoundaryTooLong`](crate::Defect::BoundaryTooLong).
    /// Default 2,048 (Postfix `mime_boundary_length_limit`).
    pub max_boundary_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 100,
            max_parts: 10_000,
            max_header_bytes: 1 << 20,
            max_headers: 10_000,
            max_parameters: 1_000,
            max_line_length: 998,
            max_boundary_length: 2_048,
        }
    }
}
