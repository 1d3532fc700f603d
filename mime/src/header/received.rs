//! The `Received` trace header (RFC 5321 §4.4, RFC 5322 §3.6.7).
//!
//! [`parse`] is lenient and never fails: it reads the clauses (`from`, `by`, `via`, `with`,
//! `id`, `for`, and any other word), the comments after each, and the date after the last `;`
//! (outside comments), in linear time without recursion. Real servers write far more than the
//! grammar allows (`with Microsoft SMTP Server (version=...) id 15.20...`); every word up to the
//! next clause keyword is kept as that clause's value.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::header::date::{self, DateTime};
use crate::header::lex::{self, quoted_end, run_end};

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
    pub comments: SmallVec<[Cow<'a, str>; 1]>,
}

/// A parsed `Received` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received<'a> {
    /// The clauses in order (`from`, `by`, `with`, `id` and `for` are usual: room for five is
    /// kept in place).
    pub clauses: SmallVec<[ReceivedClause<'a>; 5]>,
    /// The text after the last `;`, trimmed (normally the date).
    pub date_text: Option<Cow<'a, str>>,
    /// The date, parsed leniently from [`Received::date_text`].
    pub date: Option<DateTime>,
    /// Whether something was irregular: no `;` date, a date that could not be read, an
    /// unclosed comment or quoted string.
    pub defect: bool,
}

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
    // Filled in place, where it is returned from: the value is large enough (clauses are
    // kept inline) that moving it out of the parser cost a copy.
    let mut out = Received::default();
    let mut p = Parser {
        input,
        text: utf8_prefix(input),
        out: &mut out,
        value_end: 0,
    };
    let semicolon = p.clauses();
    p.finish(semicolon);
    out
}

/// The parser's state between the items of the value.
struct Parser<'a, 'o> {
    input: &'a [u8],
    /// The longest valid UTF-8 prefix of `input`, validated once: borrowed values are sliced
    /// from it rather than validated word by word.
    text: &'a str,
    out: &'o mut Received<'a>,
    /// Where the current clause's value ends in `input` while it is borrowed.
    value_end: usize,
}

impl<'a> Parser<'a, '_> {
    /// Reads the clauses, up to the first `;` outside comments and quoted strings; returns
    /// where that is (or the end).
    fn clauses(&mut self) -> usize {
        let mut i = 0;
        while let Some(&b) = self.input.get(i) {
            i = match CLASS[usize::from(b)] {
                SPACE => i + 1,
                SEMICOLON => break,
                OPEN_COMMENT => self.comment(i),
                _ => self.word(i),
            };
        }
        i
    }

    /// Reads the comment opening at `start`; returns where it ends.
    fn comment(&mut self, start: usize) -> usize {
        let lex::Comment { end, closed, plain } = lex::comment(self.input, start);
        self.out.defect |= !closed;
        let inner = self.text_known(start + 1, if closed { end - 1 } else { end }, plain);
        self.clause().comments.push(inner);
        end
    }

    /// Reads the word starting at `start` (up to white space, `(` or `;`, taking quoted strings
    /// and `<...>`/`[...]` whole): a keyword opens a clause, any other word joins the current
    /// clause's value. Returns where the word ends.
    fn word(&mut self, start: usize) -> usize {
        let end = self.word_end(start);
        match keyword(&self.input[start..end]) {
            Some(name) => {
                self.open_clause(name);
            }
            None => self.add_to_value(start, end),
        }
        end
    }

    /// Where the word (or the rest of a word) at `start` ends, taking quoted strings and
    /// `<...>`/`[...]` whole.
    // Inlined into both callers: called out of line, once per word, the call cost more than a
    // short word's scan.
    #[inline(always)]
    fn word_end(&mut self, start: usize) -> usize {
        let input = self.input;
        let mut i = start;
        loop {
            i = run_end(&CLASS, input, i);
            let Some(&b) = input.get(i) else { break };
            match CLASS[usize::from(b)] {
                QUOTE => {
                    let (end, closed) = quoted_end(input, i);
                    self.out.defect |= !closed;
                    i = end;
                }
                OPEN_ANGLE | OPEN_BRACKET => {
                    let (close, ends) = if b == b'<' {
                        (b'>', &ANGLE_ENDS)
                    } else {
                        (b']', &BRACKET_ENDS)
                    };
                    let end = run_end(ends, input, i + 1);
                    i = end + usize::from(input.get(end) == Some(&close));
                }
                _ => break,
            }
        }
        i
    }

    /// Appends the word `input[start..end]` to the current clause's value, borrowing while the
    /// value is the input as written.
    fn add_to_value(&mut self, start: usize, end: usize) {
        let word = &self.input[start..end];
        let clean = is_clean(word);
        let (value_end, text) = (self.value_end, self.text);
        let extends = clean && &self.input[value_end..start] == b" ";
        self.value_end = end;
        let value = &mut self.clause().value;
        if clean && value.is_empty() {
            *value = Cow::Borrowed(str_at(text, word, start));
            return;
        }
        // The value so far, a space and this word: borrowed when it lies in the validated
        // prefix (only there is the slice free; outside, revalidating it per word would make
        // a long value quadratic).
        if let Cow::Borrowed(v) = value
            && extends
            && let Some(joined) = text.get(value_end - v.len()..end)
        {
            *value = Cow::Borrowed(joined);
            return;
        }
        let value = value.to_mut();
        if !value.is_empty() {
            value.push(' ');
        }
        push_text(word, value);
    }

    /// The current clause (the last one), opened (nameless) if none is.
    fn clause(&mut self) -> &mut ReceivedClause<'a> {
        if self.out.clauses.is_empty() {
            return self.open_clause("");
        }
        let last = self.out.clauses.len() - 1;
        &mut self.out.clauses[last]
    }

    /// Opens a clause named `name`, empty.
    #[inline]
    fn open_clause(&mut self, name: &'static str) -> &mut ReceivedClause<'a> {
        let clauses = &mut self.out.clauses;
        clauses.push(ReceivedClause {
            name,
            ..ReceivedClause::default()
        });
        let last = clauses.len() - 1;
        &mut clauses[last]
    }

    /// `input[start..end]` as text (see [`push_text`]): borrowed when that is the input as
    /// written (printable ASCII and single spaces).
    fn text(&self, start: usize, end: usize) -> Cow<'a, str> {
        self.text_known(start, end, is_plain(&self.input[start..end]))
    }

    /// [`Parser::text`], told whether `input[start..end]` [`is_plain`].
    fn text_known(&self, start: usize, end: usize, plain: bool) -> Cow<'a, str> {
        let bytes = &self.input[start..end];
        if plain {
            Cow::Borrowed(str_at(self.text, bytes, start))
        } else {
            let mut out = String::with_capacity(bytes.len());
            push_text(bytes, &mut out);
            Cow::Owned(out)
        }
    }

    /// Reads the date after the last `;` from `semicolon` on, if there is one.
    fn finish(mut self, semicolon: usize) {
        match self.date_start(semicolon) {
            Some(start) => self.date(start),
            None => self.out.defect = true,
        }
    }

    /// Just past the last `;` from `i` on outside comments and quoted strings, if any. The
    /// words between belong to the date: only what could hide a `;` is looked at.
    fn date_start(&mut self, mut i: usize) -> Option<usize> {
        let input = self.input;
        let mut start = None;
        loop {
            i = run_end(&DATE_CLASS, input, i);
            let Some(&b) = input.get(i) else {
                return start;
            };
            i = match CLASS[usize::from(b)] {
                SEMICOLON => {
                    start = Some(i + 1);
                    i + 1
                }
                OPEN_COMMENT => {
                    let (end, closed) = lex::comment_end(input, i);
                    self.out.defect |= !closed;
                    end
                }
                // A quoted string, `<...>` or `[...]`, read as in a word.
                _ => self.word_end(i),
            };
        }
    }

    /// Reads the date from `input[start..]`.
    fn date(&mut self, start: usize) {
        let rest = &self.input[start..];
        // Trimmed of ASCII white space at both ends.
        let from = start + (rest.len() - rest.trim_ascii_start().len());
        let raw = self.text(from, from + rest.trim_ascii().len());
        let out = &mut *self.out;
        out.date = date::parse_lenient_date(raw.trim().as_bytes());
        out.defect |= out.date.is_none();
        out.date_text = Some(match raw {
            Cow::Borrowed(raw) => Cow::Borrowed(raw.trim()),
            Cow::Owned(raw) if raw.trim().len() == raw.len() => Cow::Owned(raw),
            Cow::Owned(raw) => Cow::Owned(raw.trim().to_owned()),
        });
    }
}

/// `bytes` (at `start` in the input whose valid UTF-8 prefix is `text`) as text: sliced from
/// `text` when they lie there, else validated; empty if not UTF-8 (callers pass ASCII).
fn str_at<'a>(text: &'a str, bytes: &'a [u8], start: usize) -> &'a str {
    text.get(start..start + bytes.len())
        .or_else(|| std::str::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// The longest prefix of `input` that is valid UTF-8.
fn utf8_prefix(input: &[u8]) -> &str {
    match std::str::from_utf8(input) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&input[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// The clause keyword `word` is (any case), lower-cased.
fn keyword(word: &[u8]) -> Option<&'static str> {
    // `| 0x20` lower-cases letters and turns no other byte into one.
    match *word {
        [a, b] => match [a | 0x20, b | 0x20] {
            [b'b', b'y'] => Some("by"),
            [b'i', b'd'] => Some("id"),
            _ => None,
        },
        [a, b, c] => match [a | 0x20, b | 0x20, c | 0x20] {
            [b'v', b'i', b'a'] => Some("via"),
            [b'f', b'o', b'r'] => Some("for"),
            _ => None,
        },
        [a, b, c, d] => match [a | 0x20, b | 0x20, c | 0x20, d | 0x20] {
            [b'f', b'r', b'o', b'm'] => Some("from"),
            [b'w', b'i', b't', b'h'] => Some("with"),
            _ => None,
        },
        _ => None,
    }
}

/// Byte classes for the scanner: what a byte starts or ends.
const WORD: u8 = 0;
const SPACE: u8 = 1;
const SEMICOLON: u8 = 2;
const OPEN_COMMENT: u8 = 3;
const QUOTE: u8 = 4;
const OPEN_ANGLE: u8 = 5;
const OPEN_BRACKET: u8 = 6;

/// The class of each byte; white space is [`lex::is_ws`]'s.
const CLASS: [u8; 256] = {
    let mut class = [WORD; 256];
    class[b' ' as usize] = SPACE;
    class[b'\t' as usize] = SPACE;
    class[b'\r' as usize] = SPACE;
    class[b'\n' as usize] = SPACE;
    class[b';' as usize] = SEMICOLON;
    class[b'(' as usize] = OPEN_COMMENT;
    class[b'"' as usize] = QUOTE;
    class[b'<' as usize] = OPEN_ANGLE;
    class[b'[' as usize] = OPEN_BRACKET;
    class
};

/// The classes of [`CLASS`] that matter in the date: white space is [`WORD`] there.
const DATE_CLASS: [u8; 256] = {
    let mut class = CLASS;
    class[b' ' as usize] = WORD;
    class[b'\t' as usize] = WORD;
    class[b'\r' as usize] = WORD;
    class[b'\n' as usize] = WORD;
    class
};

/// What ends a `<...>` or `[...]` closed by `close` (non-zero): `close`, `;` or white space
/// ([`lex::is_ws`]).
const fn enclosed_ends(close: u8) -> [u8; 256] {
    let mut class = [0; 256];
    class[close as usize] = 1;
    class[b';' as usize] = 1;
    class[b' ' as usize] = 1;
    class[b'\t' as usize] = 1;
    class[b'\r' as usize] = 1;
    class[b'\n' as usize] = 1;
    class
}

/// [`enclosed_ends`] of `<...>`.
const ANGLE_ENDS: [u8; 256] = enclosed_ends(b'>');

/// [`enclosed_ends`] of `[...]`.
const BRACKET_ENDS: [u8; 256] = enclosed_ends(b']');

/// Printable ASCII without separators: a word [`push_text`] copies as is.
fn is_clean(bytes: &[u8]) -> bool {
    // A fold rather than an early exit, so that it vectorizes.
    bytes
        .iter()
        .fold(true, |ok, &b| ok & (b'!'..=b'~').contains(&b))
}

/// Printable ASCII with no two spaces in a row: text [`push_text`] gives back unchanged.
fn is_plain(bytes: &[u8]) -> bool {
    let printable = |b: u8| (b' '..=b'~').contains(&b);
    let Some((&last, init)) = bytes.split_last() else {
        return true;
    };
    // Each byte with the next: a fold over two equal slices rather than an early exit, so
    // that it vectorizes.
    let bad = init.iter().zip(&bytes[1..]).fold(false, |bad, (&a, &b)| {
        bad | !printable(a) | ((a == b' ') & (b == b' '))
    });
    !bad && printable(last)
}

/// Appends `bytes` to `out` as text (UTF-8, or Latin-1-ish replacement), folds and other
/// separators turned into single spaces.
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
