//! RFC 2047 encoded words (`=?charset?B|Q?text?=`): lenient decoding and shortest-form
//! encoding with folding.
//!
//! Decoding ([`decode`], [`decode_with`]) runs in linear time, never fails and never panics:
//! malformed words stay literal, limits and anything suspicious become [`Rfc2047Defect`]s.
//! Encoding ([`encode`], [`encode_with`]) encodes only the words that must be, picks Q or B per
//! word (whichever is shorter), and folds so that no line is longer than 78 columns (never longer
//! than 998), without ever writing a raw CR or LF except in a fold.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::charset::{self, CharsetDefect};

/// A base64 engine that accepts missing or present padding and non-zero trailing bits.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Limits for [`decode_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Maximum length in bytes of the decoded text; the rest is dropped with
    /// [`Rfc2047Defect::DecodedTooLong`]. Default 1 MiB.
    pub max_decoded_len: usize,
    /// Maximum number of encoded words decoded; later ones are kept literally with
    /// [`Rfc2047Defect::TooManyWords`]. Default 100,000.
    pub max_words: usize,
    /// Maximum number of defects recorded; later ones are counted in
    /// [`Decoded::dropped_defects`]. Default 64.
    pub max_defects: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_decoded_len: 1 << 20,
            max_words: 100_000,
            max_defects: 64,
        }
    }
}

/// Something wrong found while decoding a header value. Decoding still produced text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rfc2047Defect {
    /// A word started like an encoded word but was malformed; it was kept literally.
    #[error("malformed encoded word kept literally")]
    MalformedWord,
    /// An encoded word's charset was unknown or its bytes were malformed in that charset.
    #[error("encoded word charset: {0}")]
    Charset(CharsetDefect),
    /// The decoded text hit [`DecodeOptions::max_decoded_len`] and was truncated.
    #[error("decoded header value longer than {limit} bytes; truncated")]
    DecodedTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// More than [`DecodeOptions::max_words`] encoded words; the rest were kept literally.
    #[error("more than {limit} encoded words; the rest kept literally")]
    TooManyWords {
        /// The limit in force.
        limit: usize,
    },
    /// An encoded word decoded to a control character (CR, LF, NUL or another C0/DEL other
    /// than TAB). The text must be re-encoded before it is written into a header again.
    #[error("encoded word decodes to a control character")]
    ControlCharacter,
}

/// The result of decoding a header value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded<'a> {
    /// The decoded text. It borrows the input when the input is its own decoding: valid UTF-8
    /// without encoded words or folds, within [`DecodeOptions::max_decoded_len`].
    pub text: Cow<'a, str>,
    /// Defects found, at most [`DecodeOptions::max_defects`].
    pub defects: Vec<Rfc2047Defect>,
    /// Defects found beyond [`DecodeOptions::max_defects`].
    pub dropped_defects: usize,
    /// `true` when an encoded word decoded to a control character (CR, LF, NUL, ...): writing
    /// `text` into a header unencoded would allow header injection.
    pub has_control: bool,
}

impl Decoded<'_> {
    fn defect(&mut self, defect: Rfc2047Defect, max: usize) {
        if self.defects.len() < max {
            self.defects.push(defect);
        } else {
            self.dropped_defects += 1;
        }
    }
}

/// One parsed encoded word (its decoded bytes are appended to a buffer, see [`parse_word`]).
struct Word<'a> {
    /// Charset with any RFC 2231 `*language` suffix removed.
    charset: &'a str,
    /// Index just past the closing `?=`.
    end: usize,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Parses an encoded word starting at `start` (which holds `=?`), appending its decoded bytes
/// to `bytes` (left as it was when the word is malformed). Linear in the distance to the third
/// `?` after `start`.
fn parse_word<'a>(input: &'a [u8], start: usize, bytes: &mut Vec<u8>) -> Option<Word<'a>> {
    let cs_start = start + 2;
    let q1 = cs_start
        + input
            .get(cs_start..)?
            .iter()
            .position(|&b| b == b'?' || is_ws(b))?;
    if input[q1] != b'?' || q1 == cs_start {
        return None;
    }
    let charset = std::str::from_utf8(&input[cs_start..q1]).ok()?;
    let charset = charset.split('*').next().unwrap_or(charset);
    let special = |b: u8| matches!(b, b'=' | b'"' | b'(' | b')' | b'<' | b'>' | b',' | b';');
    if charset.is_empty() || charset.bytes().any(special) {
        return None;
    }
    let enc = *input.get(q1 + 1)?;
    if input.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let q3 = text_start
        + input
            .get(text_start..)?
            .iter()
            .position(|&b| b == b'?' || is_ws(b))?;
    if input[q3] != b'?' || input.get(q3 + 1) != Some(&b'=') {
        return None;
    }
    let text = &input[text_start..q3];
    match enc {
        b'B' | b'b' => {
            let len = bytes.len();
            if LENIENT_B64.decode_vec(text, bytes).is_err() {
                bytes.truncate(len);
                return None;
            }
        }
        b'Q' | b'q' => decode_q(text, bytes),
        _ => return None,
    }
    Some(Word {
        charset,
        end: q3 + 2,
    })
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Q decoding into `out`: `_` is a space, `=XX` a byte; a bad `=` stays literal.
fn decode_q(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (
                text.get(i + 1).copied().and_then(hex),
                text.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'='),
            },
            b => out.push(b),
        }
        i += 1;
    }
}

/// Decodes a header value with the default limits. See [`decode_with`].
pub fn decode(input: &[u8]) -> Decoded<'_> {
    decode_with(input, &DecodeOptions::default())
}

/// Decodes the encoded words in a header value, leniently and in linear time.
///
/// - B and Q, any charset (see [`crate::charset`]), case-insensitive; an RFC 2231 language
///   suffix (`=?utf-8*en?q?...?=`) is ignored.
/// - Words are found anywhere, including inside quoted strings and glued to other text.
/// - Whitespace (including folds) between two encoded words is dropped, and the bytes of
///   adjacent words in the same charset are joined before charset decoding, so a multi-byte
///   character split across words decodes right.
/// - Malformed words are kept literally. Text outside encoded words is taken as UTF-8, or as
///   windows-1252 when it is not valid UTF-8; folds (CRLF or LF before a space or tab) in it are
///   removed.
///
/// A value with nothing to decode is returned borrowed, without a copy.
pub fn decode_with<'a>(input: &'a [u8], options: &DecodeOptions) -> Decoded<'a> {
    match unchanged(input, options) {
        Some(text) => Decoded {
            text: Cow::Borrowed(text),
            ..Decoded::default()
        },
        None => decode_words(input, options),
    }
}

/// `input` as text when it is its own decoding: valid UTF-8 with no `=?` and no line break,
/// within the length limit.
fn unchanged<'a>(input: &'a [u8], options: &DecodeOptions) -> Option<&'a str> {
    if input.len() > options.max_decoded_len {
        return None;
    }
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'\n', b'=', &input[from..]) {
        let at = from + i;
        if input[at] == b'\n' || input.get(at + 1) == Some(&b'?') {
            return None;
        }
        from = at + 1;
    }
    std::str::from_utf8(input).ok()
}

/// The general case of [`decode_with`].
fn decode_words<'a>(input: &'a [u8], options: &DecodeOptions) -> Decoded<'a> {
    let mut state = DecodeState {
        text: String::with_capacity(input.len().min(options.max_decoded_len)),
        out: Decoded::default(),
        options,
        pending_charset: None,
        pending: Vec::new(),
        full: false,
    };
    let mut words = 0usize;
    let mut pos = 0usize; // start of the not yet emitted literal text
    let mut search = 0usize;
    while !state.full {
        let Some(offset) = crate::header::lex::find_pair(&input[search..], *b"=?") else {
            break;
        };
        let start = search + offset;
        // Words decode to fewer bytes than they take, so this allocates once.
        state.pending.reserve(input.len() - start);
        // The word's bytes go after the pending run's, which may have to be flushed first.
        let run_end = state.pending.len();
        let Some(word) = parse_word(input, start, &mut state.pending) else {
            if looks_like_word(input, start) {
                state
                    .out
                    .defect(Rfc2047Defect::MalformedWord, options.max_defects);
            }
            search = start + 2;
            continue;
        };
        if words >= options.max_words {
            state.pending.truncate(run_end);
            state.out.defect(
                Rfc2047Defect::TooManyWords {
                    limit: options.max_words,
                },
                options.max_defects,
            );
            break;
        }
        words += 1;
        let between = &input[pos..start];
        if state.pending_charset.is_none() || !between.iter().all(|&b| is_ws(b)) {
            state.flush(run_end);
            state.literal(between);
        } else if state
            .pending_charset
            .is_some_and(|c: &str| !c.eq_ignore_ascii_case(word.charset))
        {
            state.flush(run_end);
        }
        state.pending_charset = Some(word.charset);
        if state.pending.len() > options.max_decoded_len.saturating_sub(state.text.len()) {
            // Already past the cap: decode now rather than buffer more.
            state.flush(state.pending.len());
        }
        pos = word.end;
        search = word.end;
    }
    state.flush(state.pending.len());
    if !state.full {
        state.literal(&input[pos..]);
    }
    state.out.text = Cow::Owned(state.text);
    state.out
}

/// A cheap check whether a `=?` that failed to parse was meant as an encoded word (so only
/// those get a defect, not every `=?` in a URL).
fn looks_like_word(input: &[u8], start: usize) -> bool {
    let rest = &input[start + 2..];
    // Bounded, so that a run of `=?` without whitespace stays linear.
    let rest = &rest[..rest.len().min(MAX_WORD)];
    let end = rest.iter().position(|&b| is_ws(b)).unwrap_or(rest.len());
    crate::header::lex::find_pair(&rest[..end], *b"?=").is_some()
}

struct DecodeState<'a, 'o> {
    /// The decoded text so far (`out.text` is set from it at the end).
    text: String,
    out: Decoded<'a>,
    options: &'o DecodeOptions,
    pending_charset: Option<&'a str>,
    /// The bytes of the pending run, possibly followed by those of the word just parsed.
    pending: Vec<u8>,
    full: bool,
}

impl DecodeState<'_, '_> {
    /// Decodes the pending run of same-charset words, whose bytes end at `end`; the bytes after
    /// it stay pending.
    fn flush(&mut self, end: usize) {
        let Some(label) = self.pending_charset.take() else {
            return;
        };
        let mut bytes = std::mem::take(&mut self.pending);
        let (text, defect) = charset::keeping_bom_str(label, &bytes[..end]);
        if let Some(d) = defect {
            self.out
                .defect(Rfc2047Defect::Charset(d), self.options.max_defects);
        }
        // The ASCII controls other than TAB; in UTF-8 their bytes stand only for themselves.
        // A fold without early exit, so that it vectorizes.
        let control = text.bytes().fold(false, |any, b| {
            any | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)
        });
        if control {
            if !self.out.has_control {
                self.out
                    .defect(Rfc2047Defect::ControlCharacter, self.options.max_defects);
            }
            self.out.has_control = true;
        }
        self.push(&text);
        drop(text);
        bytes.drain(..end);
        self.pending = bytes;
    }

    /// Appends literal text, unfolding it.
    fn literal(&mut self, bytes: &[u8]) {
        let text = charset::fallback_str(bytes);
        let mut rest = &*text;
        while let Some(i) = memchr::memchr(b'\n', rest.as_bytes()) {
            let (head, tail) = rest.split_at(i);
            let tail = &tail[1..];
            if tail.starts_with([' ', '\t']) {
                self.push(head.strip_suffix('\r').unwrap_or(head));
            } else {
                self.push(head);
                self.push("\n");
            }
            rest = tail;
        }
        self.push(rest);
    }

    /// Appends text, up to [`DecodeOptions::max_decoded_len`]. Pushing pieces one by one cuts
    /// at the same place as pushing them joined.
    fn push(&mut self, text: &str) {
        if self.full {
            return;
        }
        let limit = self.options.max_decoded_len;
        let room = limit.saturating_sub(self.text.len());
        if text.len() <= room {
            self.text.push_str(text);
            return;
        }
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&text[..cut]);
        self.full = true;
        self.out.defect(
            Rfc2047Defect::DecodedTooLong { limit },
            self.options.max_defects,
        );
    }
}

/// Options for [`encode_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The column where the value starts on the first line, e.g. `"Subject: ".len()`.
    pub first_line_offset: usize,
    /// The line length to fold at (RFC 5322 recommends 78). Values below 40 are treated as 40;
    /// lines never exceed 998 as long as `first_line_offset` is sane.
    pub max_line_len: usize,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            first_line_offset: 0,
            max_line_len: 78,
        }
    }
}

/// Encodes `text` as an unstructured header value (e.g. `Subject`) with default options.
/// See [`encode_with`].
pub fn encode(text: &str) -> String {
    encode_with(text, &EncodeOptions::default())
}

/// Longest encoded word (RFC 2047 §2).
const MAX_WORD: usize = 75;
/// `=?utf-8?Q?` + `?=`.
const WORD_OVERHEAD: usize = 12;
/// Longest whitespace run kept literally between plain words.
const MAX_PLAIN_WS: usize = 8;

fn q_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/' | b' ')
}

/// Encodes `text` as an unstructured header value.
///
/// Words (runs of non-whitespace) stay readable unless they contain non-ASCII or control
/// characters, contain `=?`, or are too long to fit on a folded line; adjacent words that must
/// be encoded are encoded together (with the whitespace between them). Leading and trailing
/// whitespace and long whitespace runs are encoded too, so they survive unfolding. Each encoded
/// word is UTF-8, at most 75 characters, Q or B whichever is shorter, and never splits a
/// character. The result folds (CRLF followed by a space or tab) so that no line is longer than
/// [`EncodeOptions::max_line_len`]; it never contains CR or LF otherwise.
pub fn encode_with(text: &str, options: &EncodeOptions) -> String {
    let max_line = options.max_line_len.clamp(40, 998);
    // Runs alternating between whitespace (' ', '\t') and other characters.
    let mut runs: Vec<(&str, bool, bool)> = Vec::new(); // (text, is_ws, encode)
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < bytes.len() {
        let ws = matches!(bytes[start], b' ' | b'\t');
        let len = bytes[start..]
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t') != ws)
            .unwrap_or(bytes.len() - start);
        runs.push((&text[start..start + len], ws, false));
        start += len;
    }
    let n = runs.len();
    let max_plain_word = max_line - 1 - MAX_PLAIN_WS;
    for (i, run) in runs.iter_mut().enumerate() {
        let (t, ws, _) = *run;
        run.2 = if ws {
            i == 0 || i + 1 == n || t.len() > MAX_PLAIN_WS
        } else {
            t.len() > max_plain_word
                || t.contains("=?")
                || t.bytes().any(|b| !(0x21..0x7f).contains(&b))
        };
    }
    // An encoded whitespace run drags its neighbour words into the encoding.
    for i in 0..n {
        if runs[i].1 && runs[i].2 {
            if i > 0 {
                runs[i - 1].2 = true;
            }
            if i + 1 < n {
                runs[i + 1].2 = true;
            }
        }
    }
    let mut w = Writer {
        out: String::with_capacity(text.len() * 2),
        col: options.first_line_offset.min(998),
        max_line,
        line_has_content: false,
    };
    let mut i = 0;
    while i < n {
        let (t, ws, enc) = runs[i];
        if !enc {
            if ws {
                // A plain whitespace run is always followed by a word (trailing ones are encoded).
                let (word, _, word_enc) = runs[i + 1];
                if word_enc {
                    let end = encoded_group_end(&runs, i + 1);
                    let group = &text[offset(text, runs[i + 1].0)
                        ..offset(text, runs[end - 1].0) + runs[end - 1].0.len()];
                    w.encoded(Some(t), group);
                    i = end;
                } else {
                    w.piece(Some(t), word);
                    i += 2;
                }
            } else {
                w.piece(None, t);
                i += 1;
            }
            continue;
        }
        let end = encoded_group_end(&runs, i);
        let group = &text[offset(text, t)..offset(text, runs[end - 1].0) + runs[end - 1].0.len()];
        w.encoded(None, group);
        i = end;
    }
    w.out
}

fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// The end (exclusive) of the group of encoded runs starting at `i`: encoded runs, joined
/// through whitespace runs only when the next word is encoded too.
fn encoded_group_end(runs: &[(&str, bool, bool)], mut i: usize) -> usize {
    i += 1;
    while i < runs.len() {
        let (_, ws, enc) = runs[i];
        if enc {
            i += 1;
        } else if ws && runs.get(i + 1).is_some_and(|r| r.2) {
            i += 2;
        } else {
            break;
        }
    }
    i
}

struct Writer {
    out: String,
    col: usize,
    max_line: usize,
    line_has_content: bool,
}

impl Writer {
    /// Writes an unbreakable piece after its separator, folding before the separator when the
    /// piece would not fit.
    fn piece(&mut self, sep: Option<&str>, piece: &str) {
        let sep_len = sep.map_or(0, str::len);
        if self.line_has_content
            && sep.is_some()
            && self.col + sep_len + piece.len() > self.max_line
        {
            self.out.push_str("\r\n");
            self.col = 0;
        }
        if let Some(s) = sep {
            self.out.push_str(s);
        }
        self.out.push_str(piece);
        self.col += sep_len + piece.len();
        self.line_has_content = true;
    }

    /// Writes `text` as a sequence of encoded words; the first one after `sep` (or nothing at
    /// the very start), the others after a space.
    fn encoded(&mut self, sep: Option<&str>, text: &str) {
        let mut sep = sep;
        let mut chars = text.char_indices().peekable();
        while chars.peek().is_some() {
            let sep_len = sep.map_or(if self.line_has_content { 1 } else { 0 }, str::len);
            let mut room = self.max_line.saturating_sub(self.col + sep_len);
            if room < WORD_OVERHEAD + 12 && self.line_has_content {
                self.out.push_str("\r\n");
                self.col = 0;
                room = self.max_line.saturating_sub(sep_len.max(1));
            }
            let budget = room.clamp(WORD_OVERHEAD + 12, MAX_WORD) - WORD_OVERHEAD;
            // Take as many characters as fit in the budget, Q or B.
            let (first, _) = *chars.peek().unwrap_or(&(0, ' '));
            let mut end = first;
            let mut q_len = 0;
            while let Some(&(i, c)) = chars.peek() {
                let mut buf = [0u8; 4];
                let add: usize = c
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| if q_safe(b) { 1 } else { 3 })
                    .sum();
                let n = i + c.len_utf8() - first;
                let b_len = n.div_ceil(3) * 4;
                if end > first && (q_len + add).min(b_len) > budget {
                    break;
                }
                q_len += add;
                end = i + c.len_utf8();
                chars.next();
            }
            let word = encode_word(&text.as_bytes()[first..end]);
            match sep {
                Some(s) => self.out.push_str(s),
                None if self.line_has_content => self.out.push(' '),
                None => {}
            }
            self.out.push_str(&word);
            self.col += sep_len + word.len();
            self.line_has_content = true;
            sep = None;
        }
    }
}

/// One UTF-8 encoded word, Q or B whichever is shorter.
fn encode_word(bytes: &[u8]) -> String {
    let q_len: usize = bytes.iter().map(|&b| if q_safe(b) { 1 } else { 3 }).sum();
    let b_len = bytes.len().div_ceil(3) * 4;
    let mut out = String::with_capacity(WORD_OVERHEAD + q_len.min(b_len));
    if q_len <= b_len {
        out.push_str("=?utf-8?q?");
        for &b in bytes {
            match b {
                b' ' => out.push('_'),
                b if q_safe(b) => out.push(b as char),
                b => {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    out.push('=');
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 15) as usize] as char);
                }
            }
        }
    } else {
        out.push_str("=?utf-8?b?");
        base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut out);
    }
    out.push_str("?=");
    out
}

#[cfg(test)]
mod tests;
