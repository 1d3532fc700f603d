//! Message identifiers (RFC 5322 §3.6.4): `Message-ID`, `In-Reply-To` and `References`.
//!
//! Parsing ([`parse_list`], [`parse`]) is lenient and never fails: obsolete syntax (comments
//! and white space inside `<...>`, phrases between identifiers in an old
//! `In-Reply-To`), identifiers without angle brackets and unclosed brackets are recovered and
//! reported as [`MessageIdDefect`]s. It runs in linear time without recursion.
//!
//! Building ([`MessageId::new`]) is strict: white space, control characters (CR, LF, NUL, ...)
//! and angle brackets are rejected, so an identifier can never inject header lines.
//! [`MessageId::generate`] makes a new identifier that is unique within the process and across
//! processes.

use std::fmt;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::header::lex::{comment_end, is_ws, quoted_end, run_end};

/// A message identifier, kept without its angle brackets (`left@right`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId {
    id: String,
}

/// Why [`MessageId::new`] refused an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageIdError {
    /// White space, a control character (CR, LF, NUL, ...) or an angle bracket inside.
    #[error("white space, control character or angle bracket in message id")]
    InvalidCharacter,
    /// No `@`, or nothing before or after it.
    #[error("message id is not of the form left@right")]
    NotLeftAtRight,
}

/// Something irregular found while parsing identifiers. The list is still parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MessageIdDefect {
    /// An identifier written without angle brackets (`id@host`); it was kept.
    #[error("message id without angle brackets")]
    MissingAngleBrackets,
    /// `<` without its `>`; the rest of the value was taken as the identifier.
    #[error("missing `>`")]
    UnclosedAngle,
    /// `<>`; skipped.
    #[error("empty message id")]
    Empty,
    /// An identifier without `@`; it was kept.
    #[error("message id without `@`")]
    MissingAt,
    /// White space or comments inside `<...>` (obsolete syntax); they were removed.
    #[error("white space or comment inside a message id")]
    ObsoleteSpace,
    /// Text between identifiers that is not one (an obsolete `In-Reply-To` phrase); skipped.
    #[error("text that is not a message id")]
    StrayText,
    /// A comment or quoted string never closed; the rest of the value was ignored.
    #[error("unclosed comment or quoted string")]
    Unclosed,
    /// More than [`ParseOptions::max_ids`] identifiers; the rest was not parsed.
    #[error("too many message ids")]
    TooManyIds,
}

/// Limits for [`parse_list_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Maximum number of identifiers kept; parsing stops after them with
    /// [`MessageIdDefect::TooManyIds`]. Default 10,000.
    pub max_ids: usize,
    /// Maximum number of defects recorded (later ones are dropped). Default 64.
    pub max_defects: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_ids: 10_000,
            max_defects: 64,
        }
    }
}

/// The identifiers found in a header value, in order, and what was irregular.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedMessageIds {
    /// The identifiers.
    pub ids: Vec<MessageId>,
    /// The irregularities, at most [`ParseOptions::max_defects`].
    pub defects: Vec<MessageIdDefect>,
}

impl ParsedMessageIds {
    fn defect(&mut self, defect: MessageIdDefect, max: usize) {
        if self.defects.len() < max && !self.defects.contains(&defect) {
            self.defects.push(defect);
        }
    }
}

/// Parses a `References` or `In-Reply-To` value with the default limits. See
/// [`parse_list_with`].
pub fn parse_list(input: &[u8]) -> ParsedMessageIds {
    parse_list_with(input, &ParseOptions::default())
}

/// Parses the first identifier of a `Message-ID` (or `Content-ID`) value, leniently.
pub fn parse(input: &[u8]) -> Option<MessageId> {
    parse_list_with(
        input,
        &ParseOptions {
            max_ids: 1,
            max_defects: 0,
        },
    )
    .ids
    .into_iter()
    .next()
}

/// Parses a list of identifiers (`<a@b> <c@d>`), leniently and in linear time.
///
/// Comments and quoted strings between identifiers are skipped; white space and comments
/// inside `<...>` are removed; a bare word with an `@` is taken as an identifier.
pub fn parse_list_with(input: &[u8], options: &ParseOptions) -> ParsedMessageIds {
    let mut out = ParsedMessageIds::default();
    let max_defects = options.max_defects;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        let (id, next) = match b {
            _ if is_ws(b) || b == b',' => {
                i += 1;
                continue;
            }
            b'(' | b'"' => {
                let (end, closed) = if b == b'(' {
                    comment_end(input, i)
                } else {
                    quoted_end(input, i)
                };
                if !closed {
                    out.defect(MessageIdDefect::Unclosed, max_defects);
                } else if b == b'"' {
                    out.defect(MessageIdDefect::StrayText, max_defects);
                }
                i = end;
                continue;
            }
            b'<' => bracketed(input, i, &mut out, max_defects),
            b'>' => {
                out.defect(MessageIdDefect::StrayText, max_defects);
                i += 1;
                continue;
            }
            _ => {
                let end = i + input[i..]
                    .iter()
                    .position(|&b| is_ws(b) || matches!(b, b'<' | b'>' | b'(' | b'"' | b','))
                    .unwrap_or(input.len() - i);
                let word = &input[i..end];
                if word.contains(&b'@') && word.len() > 2 {
                    out.defect(MessageIdDefect::MissingAngleBrackets, max_defects);
                    (Some(clean(word)), end)
                } else {
                    out.defect(MessageIdDefect::StrayText, max_defects);
                    (None, end)
                }
            }
        };
        i = next;
        let Some(id) = id else { continue };
        if id.is_empty() {
            out.defect(MessageIdDefect::Empty, max_defects);
            continue;
        }
        if !id.contains('@') {
            out.defect(MessageIdDefect::MissingAt, max_defects);
        }
        if out.ids.len() == options.max_ids {
            out.defect(MessageIdDefect::TooManyIds, max_defects);
            break;
        }
        out.ids.push(MessageId { id });
    }
    out
}

/// Reads `<...>` starting at `start`: the identifier with white space, control characters and
/// comments removed, and where parsing goes on. Quotes are kept as characters (an obsolete
/// quoted local part loses its white space), so what is read always writes back as `<id>` and
/// reads again as the same identifier.
fn bracketed(
    input: &[u8],
    start: usize,
    out: &mut ParsedMessageIds,
    max_defects: usize,
) -> (Option<String>, usize) {
    // Skip the plain bytes in one go: most identifiers have nothing to remove.
    let mut i = run_end(&ID_STOP, input, start + 1);
    if input.get(i) == Some(&b'>') {
        return (Some(clean(&input[start + 1..i])), i + 1);
    }
    let mut id = input[start + 1..i].to_vec();
    while i < input.len() {
        match input[i] {
            b'>' => return (Some(clean(&id)), i + 1),
            b'<' => break,
            b'(' => {
                let (end, closed) = comment_end(input, i);
                out.defect(
                    if closed {
                        MessageIdDefect::ObsoleteSpace
                    } else {
                        MessageIdDefect::Unclosed
                    },
                    max_defects,
                );
                i = end;
            }
            b if is_ws(b) || b < 0x20 || b == 0x7f => {
                out.defect(MessageIdDefect::ObsoleteSpace, max_defects);
                i += 1;
            }
            b => {
                id.push(b);
                i += 1;
            }
        }
    }
    out.defect(MessageIdDefect::UnclosedAngle, max_defects);
    (Some(clean(&id)), i)
}

/// The bytes that end the plain run inside `<...>`: brackets, a comment, white space and
/// control characters.
const ID_STOP: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = (b < 0x21
            || b == 0x7f
            || b == b'>' as usize
            || b == b'<' as usize
            || b == b'(' as usize) as u8;
        b += 1;
    }
    class
};

/// The identifier as text, without control characters (so it can be written back safely).
fn clean(bytes: &[u8]) -> String {
    // Control characters are C0, DEL and C1 (U+0080..U+009F, which UTF-8 starts with 0xC2):
    // valid UTF-8 without those bytes has nothing to filter. A fold without early exit, so
    // the check vectorizes.
    let may_control = bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == 0x7f) | (b == 0xc2)
    });
    if !may_control {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return text.to_owned();
        }
    }
    let text = String::from_utf8_lossy(bytes);
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Writes identifiers as a header value: `<a@b> <c@d>` (unfolded; the header writer folds at
/// the spaces).
pub fn format_list(ids: &[MessageId]) -> String {
    let mut out = String::new();
    for (k, id) in ids.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(&id.to_header_string());
    }
    out
}

/// `dot-atom-text` characters (RFC 5322 `atext` and `.`, plus non-ASCII per RFC 6532).
fn dot_atom_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
    } else {
        !c.is_control() && !c.is_whitespace()
    }
}

/// A domain literal's inside (`dtext` without the specials a comment or quote would start).
fn literal_char(c: char) -> bool {
    dot_atom_char(c) || matches!(c, ':' | ';' | ',')
}

impl MessageId {
    /// Builds an identifier from `left@right`, with or without angle brackets.
    ///
    /// Both sides must be RFC 5322 `dot-atom-text` (non-ASCII allowed, RFC 6532); the right
    /// side may be a domain literal `[...]`. So white space, control characters (CR, LF, NUL,
    /// ...), quotes, comments and inner angle brackets are rejected.
    pub fn new(id: &str) -> Result<MessageId, MessageIdError> {
        let inner = id
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(id);
        let Some((left, right)) = inner.rsplit_once('@') else {
            return Err(if inner.chars().all(dot_atom_char) {
                MessageIdError::NotLeftAtRight
            } else {
                MessageIdError::InvalidCharacter
            });
        };
        let right_ok = match right.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            Some(literal) => literal.chars().all(literal_char),
            None => right.chars().all(dot_atom_char),
        };
        if !left.chars().all(dot_atom_char) || !right_ok {
            return Err(MessageIdError::InvalidCharacter);
        }
        if left.is_empty() || right.is_empty() {
            return Err(MessageIdError::NotLeftAtRight);
        }
        Ok(MessageId {
            id: inner.to_owned(),
        })
    }

    /// Generates a new identifier `time.counter.pid.random@domain`.
    ///
    /// Unique within the process (a counter) and across processes (the process id, the time
    /// in nanoseconds and 64 bits from the standard library's randomly seeded hasher). A
    /// `domain` that is not a plain dot-atom host name is replaced by `localhost`.
    pub fn generate(domain: &str) -> MessageId {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let pid = std::process::id();
        let mut hasher = std::hash::RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(count);
        hasher.write_u32(pid);
        let random = hasher.finish();
        let host_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        let host = if host_ok { domain } else { "localhost" };
        MessageId {
            id: format!(
                "{}.{}.{}.{}@{host}",
                base36(nanos),
                base36(u128::from(count)),
                base36(u128::from(pid)),
                base36(u128::from(random)),
            ),
        }
    }

    /// The identifier without angle brackets.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The identifier as written in a header: `<left@right>`.
    pub fn to_header_string(&self) -> String {
        format!("<{}>", self.id)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.id)
    }
}

fn base36(mut n: u128) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests;
