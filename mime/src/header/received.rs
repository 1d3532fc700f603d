//! The `Received` trace header (RFC 5321 §4.4, RFC 5322 §3.6.7).
//!
//! [`parse`] is lenient and never fails: it reads the clauses (`from`, `by`, `via`, `with`,
//! `id`, `for`, and any other word), the comments after each, and the date after the last `;`
//! (outside comments), in linear time without recursion. Real servers write far more than the
//! grammar allows (`with Microsoft SMTP Server (version=...) id 15.20...`); every word up to the
//! next clause keyword is kept as that clause's value.

use std::borrow::Cow;

use crate::header::date::{self, DateTime};
use crate::header::lex::{comment_end, is_ws, quoted_end};

/// One clause: a keyword and what follows it up to the next keyword. Values and comments borrow
/// from the parsed header when they are the input as written (the usual case), and are owned
/// when unfolding or decoding changed them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedClause<'a> {
    /// The keyword, lower-cased (`from`, `by`, `via`, `with`, `id`, `for`), or empty for words
    /// that came before any keyword.
    pub name: &'static str,
    /// The words after the keyword, joined by single spaces (`<user@host>` and `[1.2.3.4]`
    /// kept as written).
    pub value: Cow<'a, str>,
    /// The comments after the keyword, without their outer parentheses.
    pub comments: Vec<Cow<'a, str>>,
}

/// A parsed `Received` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received<'a> {
    /// The clauses in order.
    pub clauses: Vec<ReceivedClause<'a>>,
    /// The text after the last `;`, trimmed (normally the date).
    pub date_text: Option<Cow<'a, str>>,
    /// The date, parsed leniently from [`Received::date_text`].
    pub date: Option<DateTime>,
    /// Whether something was irregular: no `;` date, a date that could not be read, an
    /// unclosed comment or quoted string.
    pub defect: bool,
}

const KEYWORDS: [&str; 6] = ["from", "by", "via", "with", "id", "for"];

impl<'a> Received<'a> {
    /// The value of the first clause named `name` (lower case).
    pub fn clause(&self, name: &str) -> Option<&ReceivedClause<'a>> {
        self.clauses.iter().find(|c| c.name == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.clause(name).map(|c| &*c.value)
    }

    /// The `from` host as the sender named itself (`mail.example.com`, `[192.0.2.1]`).
    pub fn from(&self) -> Option<&str> {
        self.value("from")
    }

    /// The receiving host (`by`).
    pub fn by(&self) -> Option<&str> {
        self.value("by")
    }

    /// The link (`via`).
    pub fn via(&self) -> Option<&str> {
        self.value("via")
    }

    /// The protocol (`with`: `ESMTP`, `ESMTPS`, `SMTP`, `HTTPS`, ...).
    pub fn with(&self) -> Option<&str> {
        self.value("with")
    }

    /// The receiving host's queue id (`id`).
    pub fn id(&self) -> Option<&str> {
        self.value("id")
    }

    /// The recipient (`for`), without its angle brackets.
    pub fn for_recipient(&self) -> Option<&str> {
        self.value("for").map(|v| {
            v.strip_prefix('<')
                .and_then(|s| s.strip_suffix('>'))
                .unwrap_or(v)
        })
    }
}

/// Parses a `Received` header value (unfolded or not).
pub fn parse(input: &[u8]) -> Received<'_> {
    let mut out = Received {
        // `from`, `by`, `with`, `id` and `for` are usual.
        clauses: Vec::with_capacity(KEYWORDS.len()),
        ..Received::default()
    };
    let mut current: Option<ReceivedClause> = None;
    // Where the current clause's value ends in `input` while it is borrowed.
    let mut value_end = 0;
    let mut date_start = None;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if is_ws(b) {
            i += 1;
            continue;
        }
        if b == b';' {
            date_start = Some(i + 1);
            i += 1;
            continue;
        }
        if b == b'(' {
            let (end, closed) = comment_end(input, i);
            out.defect |= !closed;
            let inner = &input[i + 1..if closed { end - 1 } else { end }];
            if date_start.is_none() {
                current
                    .get_or_insert_with(ReceivedClause::default)
                    .comments
                    .push(text(inner));
            }
            i = end;
            continue;
        }
        // A word: up to white space, `(` or `;`, taking quoted strings and `<...>`/`[...]`
        // whole.
        let start = i;
        while i < input.len() && !is_ws(input[i]) && !matches!(input[i], b'(' | b';') {
            match input[i] {
                b'"' => {
                    let (end, closed) = quoted_end(input, i);
                    out.defect |= !closed;
                    i = end;
                }
                open @ (b'<' | b'[') => {
                    let close = if open == b'<' { b'>' } else { b']' };
                    i += input[i..]
                        .iter()
                        .position(|&b| b == close || b == b';' || is_ws(b))
                        .map_or(input.len() - i, |p| p + usize::from(input[i + p] == close));
                }
                _ => i += 1,
            }
        }
        if date_start.is_some() {
            // Words after a `;` belong to the date.
            continue;
        }
        let word = &input[start..i];
        if let Some(&keyword) = KEYWORDS
            .iter()
            .find(|k| k.as_bytes().eq_ignore_ascii_case(word))
        {
            if let Some(c) = current.take() {
                out.clauses.push(c);
            }
            current = Some(ReceivedClause {
                name: keyword,
                ..ReceivedClause::default()
            });
        } else {
            let clause = current.get_or_insert_with(ReceivedClause::default);
            let clean = is_clean(word);
            match &mut clause.value {
                value if clean && value.is_empty() => {
                    clause.value = Cow::Borrowed(ascii(word));
                }
                Cow::Borrowed(v) if clean && &input[value_end..start] == b" " => {
                    let from = value_end - v.len();
                    clause.value = Cow::Borrowed(ascii(&input[from..i]));
                }
                value => {
                    let value = value.to_mut();
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    push_text(word, value);
                }
            }
            value_end = i;
        }
    }
    if let Some(c) = current.take() {
        out.clauses.push(c);
    }
    match date_start {
        Some(start) => {
            let raw = text(input[start..].trim_ascii());
            out.date = date::parse_lenient(raw.trim().as_bytes()).map(|(d, _)| d);
            out.defect |= out.date.is_none();
            out.date_text = Some(match raw {
                Cow::Borrowed(raw) => Cow::Borrowed(raw.trim()),
                Cow::Owned(raw) if raw.trim().len() == raw.len() => Cow::Owned(raw),
                Cow::Owned(raw) => Cow::Owned(raw.trim().to_owned()),
            });
        }
        None => out.defect = true,
    }
    out
}

/// Printable ASCII without separators: a word [`push_text`] copies as is.
fn is_clean(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b > b' ' && b != 0x7f)
}

/// `bytes` known to be ASCII, as text.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Bytes as text (UTF-8, or Latin-1-ish replacement), folds turned into single spaces:
/// borrowed when that is the input as written (printable ASCII and single spaces).
fn text(bytes: &[u8]) -> Cow<'_, str> {
    let mut after_space = false;
    let plain = bytes.iter().all(|&b| {
        let ok = (b'!'..=b'~').contains(&b) || (b == b' ' && !after_space);
        after_space = b == b' ';
        ok
    });
    if plain {
        return Cow::Borrowed(ascii(bytes));
    }
    let mut out = String::with_capacity(bytes.len());
    push_text(bytes, &mut out);
    Cow::Owned(out)
}

/// Appends `bytes` as [`text`] gives them to `out`.
fn push_text(bytes: &[u8], out: &mut String) {
    if bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        // The usual word: printable ASCII without separators, copied as is.
        if is_clean(bytes) {
            out.push_str(text);
            return;
        }
        // White space and controls are `..=b' '` and DEL here, found without decoding
        // characters.
        let separators = bytes.iter().enumerate();
        push_runs(
            text,
            separators
                .filter(|&(_, &b)| b <= b' ' || b == 0x7f)
                .map(|(i, _)| (i, 1)),
            out,
        );
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    let separators = text.char_indices();
    push_runs(
        &text,
        separators
            .filter(|&(_, c)| c.is_whitespace() || c.is_control())
            .map(|(i, c)| (i, c.len_utf8())),
        out,
    );
}

/// Appends `text` to `out` with each run of separators (given as index and length, in order)
/// turned into one space, copying the runs between them whole.
fn push_runs(text: &str, separators: impl Iterator<Item = (usize, usize)>, out: &mut String) {
    let mut run = 0;
    for (i, len) in separators {
        // A separator right after another one adds nothing.
        if i > run || run == 0 {
            out.push_str(&text[run..i]);
            out.push(' ');
        }
        run = i + len;
    }
    out.push_str(&text[run..]);
}

#[cfg(test)]
mod tests;
