//! Writing header fields: name checks, folding at 78 columns, and header-injection safety.
//!
//! Every field value set by the typed header API and the builder goes through one of two
//! functions, and the policy for a value that holds CR or LF depends on its kind (security
//! row 34):
//!
//! - **Unstructured** text ([`encode_unstructured`]: `Subject`, `Comments`, custom text fields):
//!   the value is a user string; anything that is not printable ASCII, CR and LF included, is
//!   **RFC 2047-encoded**, so `"Hi\r\nBcc: x@y"` becomes an encoded word and no line break can
//!   reach the output. Long words are encoded too, so a line never passes 998 octets.
//! - **Structured** values ([`fold_structured`]: addresses, message ids, dates,
//!   `Content-Type`, ...) are produced by this crate's formatters from validated parts. A CR,
//!   LF or NUL that is not part of a valid fold (CRLF followed by a space or tab) is
//!   **rejected** with [`HeaderError::ControlCharacter`]; valid folds are unfolded and the value
//!   is folded again. A run without white space longer than a line allows is rejected with
//!   [`HeaderError::LineTooLong`].
//!
//! Field names must be 1 to [`MAX_NAME_LEN`] printable ASCII characters other than `:`
//! ([`check_name`]). A value set raw (not through these functions) is checked by
//! [`check_raw_value`] when it is written: the same rules as for structured values, rejected.
//!
//! Output is folded before white space so that no line passes [`FOLD_AT`] columns where the
//! value allows it, and never [`MAX_LINE`] octets; every line ends in CRLF.

use crate::header::{encoded_word, rfc2231};

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
    /// A media type, disposition or parameter name that is not an RFC 2045 token.
    #[error("invalid token {0:?}")]
    InvalidToken(String),
}

/// Checks a field name: 1 to [`MAX_NAME_LEN`] characters, printable ASCII (33–126) other
/// than `:`.
pub fn check_name(name: &str) -> Result<(), HeaderError> {
    if name.len() > MAX_NAME_LEN || !name_chars_ok(name) {
        return Err(HeaderError::InvalidName(name.to_owned()));
    }
    Ok(())
}

fn name_chars_ok(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..127).contains(&b) && b != b':')
}

/// The value of an unstructured field named `name` (what follows `Name: `): `text` with
/// what must be RFC 2047-encoded (CR and LF included), folded at [`FOLD_AT`].
pub fn encode_unstructured(name: &str, text: &str) -> Result<String, HeaderError> {
    check_name(name)?;
    Ok(encoded_word::encode_with(
        text,
        &encoded_word::EncodeOptions {
            first_line_offset: name.len() + 2,
            max_line_len: FOLD_AT,
        },
    ))
}

/// The value of a structured field named `name` (what follows `Name: `), folded before white
/// space at [`FOLD_AT`] columns. See the module docs for what is rejected.
pub fn fold_structured(name: &str, value: &str) -> Result<String, HeaderError> {
    check_name(name)?;
    let value = unfold_checked(value).ok_or_else(|| HeaderError::ControlCharacter(name.into()))?;
    let value = value.trim_start_matches([' ', '\t']);
    let mut out = String::with_capacity(value.len() + value.len() / 32);
    let mut col = name.len() + 2;
    // Segments: a white-space run and the word after it (the first one has no white space).
    let mut rest = value;
    let mut first = true;
    while !rest.is_empty() {
        let ws_end = rest.find(|c| c != ' ' && c != '\t').unwrap_or(rest.len());
        let word_end = ws_end
            + rest[ws_end..]
                .find([' ', '\t'])
                .unwrap_or(rest.len() - ws_end);
        let (sep, word) = (&rest[..ws_end], &rest[ws_end..word_end]);
        let len = sep.len() + word.len();
        if !first && !word.is_empty() && col + len > FOLD_AT {
            out.push_str("\r\n");
            col = 0;
        }
        if col + len > MAX_LINE {
            return Err(HeaderError::LineTooLong(name.into()));
        }
        out.push_str(sep);
        out.push_str(word);
        col += len;
        rest = &rest[word_end..];
        first = false;
    }
    Ok(out)
}

/// A value with parameters (`Content-Type`, `Content-Disposition`): `head; name=value; ...`,
/// unfolded (fold it with [`fold_structured`]). `head` is `type/subtype` or a disposition
/// token; each parameter is encoded by [`rfc2231::encode_parameter`] (quoted, or RFC 2231
/// `name*=utf-8''...` with continuations, and with `options.outlook_rfc2047` also the RFC 2047
/// `name="=?utf-8?...?="` form), so user strings (file names) never put CR or LF in a header.
pub fn with_parameters<'a>(
    head: &str,
    parameters: impl IntoIterator<Item = (&'a str, &'a str)>,
    options: &rfc2231::EncodeOptions,
) -> Result<String, HeaderError> {
    let token_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"[]?=".contains(&b))
    };
    if !head.split('/').all(token_ok) || head.matches('/').count() > 1 {
        return Err(HeaderError::InvalidToken(head.to_owned()));
    }
    let mut out = head.to_owned();
    for (name, value) in parameters {
        let items = rfc2231::encode_parameter(name, value, options)
            .map_err(|_| HeaderError::InvalidToken(name.to_owned()))?;
        for item in items {
            out.push_str("; ");
            out.push_str(&item);
        }
    }
    Ok(out)
}

/// Checks a field about to be written as `Name: value` (a value set through the model's raw
/// API, or a changed parsed field): an error when the name is empty or holds something other
/// than printable ASCII without `:` (any length is accepted here), when the value holds a CR,
/// LF or NUL that is not part of a valid fold, or when a line would pass [`MAX_LINE`].
pub fn check_raw_value(name: &str, value: &[u8]) -> Result<(), HeaderError> {
    if !name_chars_ok(name) {
        return Err(HeaderError::InvalidName(name.to_owned()));
    }
    let mut col = name.len() + 2;
    for (i, &b) in value.iter().enumerate() {
        match b {
            b'\r'
                if value.get(i + 1) == Some(&b'\n')
                    && matches!(value.get(i + 2), Some(b' ' | b'\t')) => {}
            b'\n' if i > 0 && value[i - 1] == b'\r' => col = 0,
            b'\r' | b'\n' | 0 => return Err(HeaderError::ControlCharacter(name.into())),
            _ => {
                col += 1;
                if col > MAX_LINE {
                    return Err(HeaderError::LineTooLong(name.into()));
                }
            }
        }
    }
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
