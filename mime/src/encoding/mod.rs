//! Content-Transfer-Encodings: base64, quoted-printable, uuencode, yEnc, and choosing one.
//!
//! Every decoder here is lenient, as real mail demands: it never fails and never panics, runs in
//! time linear in its input, and reports malformed input through a *defect* flag (or list)
//! instead of an error, so that one bad part never sinks a whole message.
//!
//! - [`base64`]: RFC 2045 §6.8, encode to 76-column CRLF lines, whole-buffer and streaming decode.
//! - [`quoted_printable`]: RFC 2045 §6.7, encode with soft breaks, whole-buffer and streaming
//!   decode.
//! - [`uuencode`]: `begin MODE NAME` … `end`, both ways.
//! - [`yenc`]: `=ybegin` / `=ypart` / `=yend` decode with a CRC32 check.
//! - [`ContentTransferEncoding`] and [`choose_encoding`]: the header value, and picking the best
//!   encoding for some bytes under a [`TransportConstraint`].

pub mod base64;
mod choose;
mod content_transfer_encoding;
pub mod quoted_printable;
pub mod uuencode;
pub mod yenc;

pub use choose::{TransportConstraint, choose_encoding, required_constraint};
pub use content_transfer_encoding::ContentTransferEncoding;

/// The result of a whole-buffer lenient decode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded bytes (everything that could be recovered).
    pub bytes: Vec<u8>,
    /// Whether the input was malformed in some way (the decode went on regardless).
    pub defect: bool,
}

/// A push-mode decoder: feed encoded chunks split anywhere, get decoded bytes out.
///
/// Splitting the input at any points gives the same output (and the same defect flag) as
/// decoding it whole.
pub trait StreamDecoder {
    /// Decodes `input`, appending what it can to `out`; state is kept for the next chunk.
    fn decode_chunk(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// Ends the input: appends whatever is still pending to `out`.
    ///
    /// After this the decoder is reset and may decode a new stream (the defect flag is kept
    /// until [`StreamDecoder::reset`]).
    fn finish(&mut self, out: &mut Vec<u8>);
    /// Whether any malformation has been seen so far.
    fn has_defect(&self) -> bool;
    /// Forgets all state, including the defect flag.
    fn reset(&mut self);
}
