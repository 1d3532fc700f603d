//! Writing header fields: name checks, folding at 78 columns, and header-injection safety.
//!
//! Every field written by the serializer and the builder goes through one of two functions,
//! and the policy for a value that holds CR or LF depends on its kind (security row 34):
//!
//! - **Unstructured** text ([`write_unstructured`]: `Subject`, `Comments`, custom text fields):
//!   the value is a user string; anything that is not printable ASCII, CR and LF included, is
//!   **RFC 2047-encoded**, so `"Hi\r\nBcc: x@y"` becomes an encoded word and no line break can
//!   reach the output. Long words are encoded too, so a line never passes 998 octets.
//! - **Structured** values ([`write_structured`]: addresses, message ids, dates,
//!   `Content-Type`, ...) are produced by this crate's formatters from validated parts. A CR,
//!   LF or NUL that is not part of a valid fold (CRLF followed by a space or tab) is
//!   **rejected** with [`HeaderError::ControlCharacter`]; valid folds are unfolded and the value
//!   is folded again. A run without white space longer than a line allows is rejected with
//!   [`HeaderError::LineTooLong`].
//!
//! Field names must be 1 to [`MAX_NAME_LEN`] printable ASCII characters other than `:`
//! ([`check_name`]).
//!
//! Output is folded before white space so that no line passes [`FOLD_AT`] columns where the
//! value allows it, and never [`MAX_LINE`] octets; every line ends in CRLF.

use crate::header::encoded_word;

/// The column RFC 5322 recommends folding at.
pub const FOLD_AT: usize = 78;
/// The longest line RFC 5322 allows, without its CRLF.
pub const MAX_LINE: usize = 998;
/// The longest field name accepted (so `Name: ` and a word fit on the first line).
pub const MAX_NAME_LEN: usize = 76;

/// Why a header field could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The name is empty, longer than [`MAX_NAME_LEN`], or holds something other than
    /// printable ASCII without `:`.
    #[error("invalid header field name {0:?}")]
    InvalidName(String),
    /// A structured value holds a CR, LF or NUL that is not part of a valid fold.
    #[error("control character in the value of header field {0}")]
    ControlCharacter(String),
    /// A structured value holds a run without white space too long for one line.
    #[error("header field {0} cannot be folded to lines of at most 998 octets")]
    LineTooLong(String),
}

/// Checks a field name: 1 to [`MAX_NAME_LEN`] characters, printable ASCII (33–126) other
/// than `:`.
pub fn check_name(name: &str) -> Result<(), HeaderError> {
    if name.is_empty()
        || name.len() > MAX_NAME_LEN
        || !name.bytes().all(|b| (33..127).contains(&b) && b != b':')
    {
        return Err(HeaderError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// Writes `Name: text\r\n` for unstructured text, RFC 2047-encoding what must be (CR and LF
/// included) and folding at [`FOLD_AT`].
pub fn write_unstructured(name: &str, text: &str, out: &mut Vec<u8>) -> Result<(), HeaderError> {
    check_name(name)?;
    let value = encoded_word::encode_with(
        text,
        &encoded_word::EncodeOptions {
            first_line_offset: name.len() + 2,
            max_line_len: FOLD_AT,
        },
    );
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(if value.is_empty() { b":" } else { b": " });
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Writes `Name: value\r\n` for a structured value, folding before white space at
/// [`FOLD_AT`] columns. See the module docs for what is rejected.
pub fn write_structured(name: &str, value: &str, out: &mut Vec<u8>) -> Result<(), HeaderError> {
    check_name(name)?;
    let value = unfold_checked(value).ok_or_else(|| HeaderError::ControlCharacter(name.into()))?;
    let value = value.trim_start_matches([' ', '\t']);
    let start = out.len();
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    let mut col = name.len() + 1;
    // Segments: a white-space run and the word after it (the first one gets a space).
    let bytes = value.as_bytes();
    let mut i = 0;
    let mut first = true;
    while i < bytes.len() || first {
        let ws_end = i + bytes[i..]
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(bytes.len() - i);
        let word_end = ws_end
            + bytes[ws_end..]
                .iter()
                .position(|&b| matches!(b, b' ' | b'\t'))
                .unwrap_or(bytes.len() - ws_end);
        let sep: &[u8] = if first { b" " } else { &bytes[i..ws_end] };
        let word = &bytes[ws_end..word_end];
        let len = sep.len() + word.len();
        if !first && !word.is_empty() && col + len > FOLD_AT {
            out.extend_from_slice(b"\r\n");
            col = 0;
        }
        if col + len > MAX_LINE {
            out.truncate(start);
            return Err(HeaderError::LineTooLong(name.into()));
        }
        if !(first && word.is_empty()) {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(word);
        col += len;
        i = word_end;
        first = false;
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Removes valid folds (CRLF or LF before a space or tab); `None` when a CR, LF or NUL is left.
fn unfold_checked(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !value.contains(['\r', '\n', '\0']) {
        return Some(value.into());
    }
    let b = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < b.len() {
        let fold_len = match (b[i], b.get(i + 1), b.get(i + 2)) {
            (b'\r', Some(b'\n'), Some(b' ' | b'\t')) => 2,
            (b'\n', Some(b' ' | b'\t'), _) => 1,
            (b'\r' | b'\n' | b'\0', ..) => return None,
            _ => 0,
        };
        if fold_len > 0 {
            i += fold_len;
            continue;
        }
        let next = value[i..]
            .find(['\r', '\n', '\0'])
            .map_or(b.len(), |p| i + p);
        out.push_str(&value[i..next]);
        i = next;
    }
    Some(out.into())
}

#[cfg(test)]
mod tests;
