//! RFC 2231 parameters (`; name*0*=utf-8'en'%E2%82%AC; name*1="..."`): lenient parsing and
//! encoding.
//!
//! Parsing never fails and runs in O(n log n) (continuations are sorted by index, never placed
//! by it); bad syntax and limits become [`ParameterDefect`]s.

use crate::charset::{self, CharsetDefect};
use crate::header::encoded_word;
use crate::header::lex::{self, is_tspecial_or_ws};

/// Limits and choices for [`parse_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Maximum number of `name=value` items read (each continuation counts); the rest is
    /// ignored with [`ParameterDefect::TooManyParameters`]. Default 1,000.
    pub max_parameters: usize,
    /// Decode RFC 2047 encoded words in plain (non-RFC 2231) values, as Outlook writes them
    /// (`name="=?utf-8?B?...?="`). Default `true`.
    pub decode_rfc2047: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_parameters: 1_000,
            decode_rfc2047: true,
        }
    }
}

/// Something wrong found while parsing parameters. Parsing still went on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParameterDefect {
    /// Text that is not a `name=value` item was skipped.
    #[error("malformed parameter skipped")]
    Malformed,
    /// A quoted string was not closed.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// More than [`ParseOptions::max_parameters`] items.
    #[error("more than {limit} parameters; the rest ignored")]
    TooManyParameters {
        /// The limit in force.
        limit: usize,
    },
    /// A continuation index was unparsable or too large to be real.
    #[error("bad continuation index for parameter {name:?}")]
    BadIndex {
        /// The parameter name.
        name: String,
    },
    /// Continuations of a parameter are missing (a gap, or no `*0`) or repeated.
    #[error("continuations of parameter {name:?} are incomplete or repeated")]
    BrokenContinuation {
        /// The parameter name.
        name: String,
    },
    /// An extended value lacks the `charset'language'` prefix, or has a bad `%` escape.
    #[error("malformed extended value of parameter {name:?}")]
    BadExtendedValue {
        /// The parameter name.
        name: String,
    },
    /// The value's charset was unknown or the bytes malformed in it.
    #[error("parameter charset: {0}")]
    Charset(CharsetDefect),
}

/// One parameter, continuations assembled and value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name as written (without `*` suffixes); compare it case-insensitively.
    pub name: String,
    /// The decoded value.
    pub value: String,
    /// The RFC 2231 charset, when given.
    pub charset: Option<String>,
    /// The RFC 2231 language, when given.
    pub language: Option<String>,
    /// `true` when the parameter used RFC 2231 syntax (`name*=` or `name*0=`).
    pub rfc2231: bool,
}

/// The result of parsing a parameter list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parameters {
    /// Parameters in order of first appearance.
    pub params: Vec<Parameter>,
    /// Defects found.
    pub defects: Vec<ParameterDefect>,
}

impl Parameters {
    /// The value of parameter `name` (case-insensitive), preferring an RFC 2231 form over a
    /// plain one of the same name.
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut found = None;
        for p in self
            .params
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name))
        {
            if p.rfc2231 {
                return Some(&p.value);
            }
            found = found.or(Some(p.value.as_str()));
        }
        found
    }
}

/// Parses a parameter list with default options. See [`parse_with`].
pub fn parse(input: &[u8]) -> Parameters {
    parse_with(input, &ParseOptions::default())
}

/// One `name[*N][*]=value` item as read.
struct Raw<'a> {
    name: &'a str,
    index: Option<u32>,
    extended: bool,
    value: Vec<u8>,
    order: usize,
}

/// Parses the parameters of a `Content-Type` / `Content-Disposition` value: the text after the
/// media type or disposition, e.g. `; charset=utf-8; name*=utf-8''%E2%82%AC.txt`.
///
/// Lenient: comments are skipped, unquoted values run to the next `;`, a value may be an
/// unterminated quoted string, backslash escapes in quoted strings are honoured; continuations
/// (`name*0`, `name*1*`, ...) are sorted by index and joined, percent-escapes decoded and the
/// result decoded from the charset of `*0`.
pub fn parse_with(input: &[u8], options: &ParseOptions) -> Parameters {
    let mut out = Parameters::default();
    let mut raws: Vec<Raw<'_>> = Vec::new();
    let mut i = 0;
    let n = input.len();
    let mut count = 0;
    while i < n {
        // Skip separators, whitespace and comments.
        match input[i] {
            b';' | b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => {
                i = lex::comment_end(input, i).0;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        while i < n && !is_tspecial_or_ws(input[i]) {
            i += 1;
        }
        let name_end = i;
        while i < n && matches!(input[i], b' ' | b'\t') {
            i += 1;
        }
        if name_start == name_end || input.get(i) != Some(&b'=') {
            out.defects.push(ParameterDefect::Malformed);
            i = skip_to_semicolon(input, i.max(name_start + 1));
            continue;
        }
        i += 1;
        while i < n && matches!(input[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        let value = if input.get(i) == Some(&b'"') {
            let (v, next, closed) = quoted(input, i + 1);
            if !closed {
                out.defects.push(ParameterDefect::UnterminatedQuote);
            }
            i = next;
            v
        } else {
            let start = i;
            i = skip_to_semicolon(input, i);
            input[start..i].trim_ascii().to_vec()
        };
        count += 1;
        if count > options.max_parameters {
            out.defects.push(ParameterDefect::TooManyParameters {
                limit: options.max_parameters,
            });
            break;
        }
        let Ok(full) = std::str::from_utf8(&input[name_start..name_end]) else {
            out.defects.push(ParameterDefect::Malformed);
            continue;
        };
        let (full, extended) = match full.strip_suffix('*') {
            Some(f) => (f, true),
            None => (full, false),
        };
        let (name, index) = match full.split_once('*') {
            None => (full, None),
            Some((name, digits)) => match digits.parse::<u32>() {
                Ok(idx) if digits.bytes().all(|b| b.is_ascii_digit()) => (name, Some(idx)),
                _ => {
                    out.defects.push(ParameterDefect::BadIndex {
                        name: name.to_owned(),
                    });
                    continue;
                }
            },
        };
        raws.push(Raw {
            name,
            index,
            extended,
            value,
            order: raws.len(),
        });
    }
    assemble(raws, options, &mut out);
    out
}

/// The parameters after a structured field's main value (`rest`, CFWS already skipped): none
/// when nothing follows, else [`parse_with`], with [`ParameterDefect::Malformed`] first when
/// what follows does not start with `;`.
pub(crate) fn parse_after_value(rest: &[u8], options: &ParseOptions) -> Parameters {
    if rest.is_empty() {
        return Parameters::default();
    }
    let mut params = parse_with(rest, options);
    if rest.first() != Some(&b';') {
        params.defects.insert(0, ParameterDefect::Malformed);
    }
    params
}

fn skip_to_semicolon(input: &[u8], i: usize) -> usize {
    let i = i.min(input.len());
    memchr::memchr(b';', &input[i..]).map_or(input.len(), |p| i + p)
}

/// Reads a quoted string whose content starts at `i`; returns (content, next index, closed).
fn quoted(input: &[u8], mut i: usize) -> (Vec<u8>, usize, bool) {
    let mut v = Vec::new();
    while i < input.len() {
        match input[i] {
            b'"' => return (v, i + 1, true),
            b'\\' if i + 1 < input.len() => {
                v.push(input[i + 1]);
                i += 2;
            }
            b'\r' | b'\n' => i += 1,
            b => {
                v.push(b);
                i += 1;
            }
        }
    }
    (v, i, false)
}

fn percent_decode(value: &[u8], bad: &mut bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' {
            let h = value.get(i + 1).and_then(|&b| (b as char).to_digit(16));
            let l = value.get(i + 2).and_then(|&b| (b as char).to_digit(16));
            if let (Some(h), Some(l)) = (h, l) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            *bad = true;
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

/// Splits `charset'language'rest`; `None` when the two quotes are missing.
fn split_ext(value: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let q1 = memchr::memchr(b'\'', value)?;
    let q2 = q1 + 1 + memchr::memchr(b'\'', &value[q1 + 1..])?;
    Some((&value[..q1], &value[q1 + 1..q2], &value[q2 + 1..]))
}

fn assemble(raws: Vec<Raw<'_>>, options: &ParseOptions, out: &mut Parameters) {
    let mut finished: Vec<(usize, Parameter)> = Vec::new();
    let mut continued: Vec<Raw<'_>> = Vec::new();
    for raw in raws {
        if raw.index.is_some() {
            continued.push(raw);
            continue;
        }
        let p = if raw.extended {
            decode_extended(raw.name, &[&raw], out)
        } else {
            let value = plain_value(&raw.value, options);
            Parameter {
                name: raw.name.to_owned(),
                value,
                charset: None,
                language: None,
                rfc2231: false,
            }
        };
        finished.push((raw.order, p));
    }
    // Group continuations by name, then by index: O(n log n), independent of index values.
    continued.sort_by_cached_key(|r| (r.name.to_ascii_lowercase(), r.index, r.order));
    let mut start = 0;
    while start < continued.len() {
        let name = continued[start].name;
        let mut end = start + 1;
        while end < continued.len() && continued[end].name.eq_ignore_ascii_case(name) {
            end += 1;
        }
        let group = &continued[start..end];
        let mut parts: Vec<&Raw<'_>> = Vec::with_capacity(group.len());
        let mut broken = false;
        for raw in group {
            let expected = parts
                .last()
                .map_or(Some(0), |p| p.index.and_then(|i| i.checked_add(1)));
            if parts.last().is_some_and(|p| p.index == raw.index) {
                broken = true; // repeated index: keep the first
                continue;
            }
            if raw.index != expected {
                broken = true;
            }
            parts.push(raw);
        }
        if broken {
            out.defects.push(ParameterDefect::BrokenContinuation {
                name: name.to_owned(),
            });
        }
        let order = group.iter().map(|r| r.order).min().unwrap_or(0);
        finished.push((order, decode_extended(name, &parts, out)));
        start = end;
    }
    finished.sort_by_key(|(order, _)| *order);
    out.params = finished.into_iter().map(|(_, p)| p).collect();
}

fn plain_value(bytes: &[u8], options: &ParseOptions) -> String {
    if options.decode_rfc2047 && crate::header::lex::find_pair(bytes, *b"=?").is_some() {
        encoded_word::decode(bytes).text.into_owned()
    } else {
        charset::decode_fallback(bytes)
    }
}

/// Joins continuation parts (already in order) and decodes them.
fn decode_extended(name: &str, parts: &[&Raw<'_>], out: &mut Parameters) -> Parameter {
    let mut charset_label: Option<String> = None;
    let mut language = None;
    let mut bytes = Vec::new();
    let mut bad = false;
    for (k, raw) in parts.iter().enumerate() {
        if !raw.extended {
            bytes.extend_from_slice(&raw.value);
            continue;
        }
        let mut value = raw.value.as_slice();
        if k == 0 {
            match split_ext(value) {
                Some((cs, lang, rest)) => {
                    charset_label =
                        Some(String::from_utf8_lossy(cs).into_owned()).filter(|c| !c.is_empty());
                    language =
                        Some(String::from_utf8_lossy(lang).into_owned()).filter(|l| !l.is_empty());
                    value = rest;
                }
                None => bad = true,
            }
        }
        bytes.extend(percent_decode(value, &mut bad));
    }
    if bad {
        out.defects.push(ParameterDefect::BadExtendedValue {
            name: name.to_owned(),
        });
    }
    let value = match &charset_label {
        Some(label) => {
            let (text, defect) = charset::decode_keeping_bom(label, &bytes);
            if let Some(d) = defect {
                out.defects.push(ParameterDefect::Charset(d));
            }
            text
        }
        None => charset::decode_fallback(&bytes),
    };
    Parameter {
        name: name.to_owned(),
        value,
        charset: charset_label,
        language,
        rfc2231: true,
    }
}

/// Options for [`encode_parameter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The longest a single `name...=value` item may be before it is split into
    /// continuations. Default 76 (so `; ` plus an item fits a folded 78-column line).
    pub max_item_len: usize,
    /// Also emit a plain `name="=?utf-8?...?="` (RFC 2047 inside a quoted string) before the
    /// RFC 2231 form when the value is not plain ASCII: Outlook reads only that form. Default
    /// `false`.
    pub outlook_rfc2047: bool,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            max_item_len: 76,
            outlook_rfc2047: false,
        }
    }
}

/// Why a parameter could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The parameter name is empty or not an RFC 2045 token (or contains `*`, `'` or `%`).
    #[error("invalid parameter name {0:?}")]
    InvalidName(String),
}

fn attribute_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'&'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
}

fn quote(value: &str) -> String {
    let mut q = String::with_capacity(value.len() + 2);
    q.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// Encodes one parameter as a list of items (`name=value`, `name*=...`, `name*0*=...`) that
/// the caller writes separated by `;` and folding whitespace.
///
/// Printable-ASCII values give `name=value` or `name="value"` (split into `name*0="..."`,
/// `name*1="..."` when long); anything else gives `name*=utf-8''%XX...` (split into
/// `name*0*=utf-8''...`, `name*1*=...` when long, never splitting a character), optionally
/// preceded by the RFC 2047 form Outlook needs. Output never contains CR or LF.
pub fn encode_parameter(
    name: &str,
    value: &str,
    options: &EncodeOptions,
) -> Result<Vec<String>, EncodeError> {
    if name.is_empty() || !name.bytes().all(attribute_char) {
        return Err(EncodeError::InvalidName(name.to_owned()));
    }
    let max = options.max_item_len.max(name.len() + 24);
    let mut items = Vec::new();
    // Plain ASCII, unless it would read as RFC 2047 encoded words.
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) && !value.contains("=?") {
        let v = if !value.is_empty() && value.bytes().all(|b| !is_tspecial_or_ws(b)) {
            value.to_owned()
        } else {
            quote(value)
        };
        if name.len() + 1 + v.len() <= max {
            items.push(format!("{name}={v}"));
            return Ok(items);
        }
        // Plain continuations of quoted chunks.
        let room = max - name.len() - 16;
        let mut chunk = String::new();
        let mut k = 0u32;
        for c in value.chars() {
            let w = if c == '"' || c == '\\' { 2 } else { 1 };
            if chunk.len() + w > room {
                items.push(format!("{name}*{k}={}", quote(&chunk)));
                chunk.clear();
                k += 1;
            }
            chunk.push(c);
        }
        items.push(format!("{name}*{k}={}", quote(&chunk)));
        return Ok(items);
    }
    if options.outlook_rfc2047 {
        let words = encoded_word::encode_with(
            value,
            &encoded_word::EncodeOptions {
                first_line_offset: 0,
                max_line_len: 78,
            },
        );
        // Fold points become plain spaces inside the quoted string.
        items.push(format!("{name}={}", quote(&words.replace("\r\n", ""))));
    }
    let mut pct = String::with_capacity(value.len() * 3);
    let mut pieces: Vec<String> = Vec::new();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut enc = String::new();
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            if attribute_char(b) {
                enc.push(b as char);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        pieces.push(enc);
    }
    let single = pieces.concat();
    if name.len() + 10 + single.len() <= max {
        pct.push_str(&format!("{name}*=utf-8''{single}"));
        items.push(pct);
        return Ok(items);
    }
    let mut k = 0u32;
    let mut item = format!("{name}*0*=utf-8''");
    for piece in pieces {
        if item.len() + piece.len() > max && !item.ends_with('=') && !item.ends_with('\'') {
            items.push(std::mem::take(&mut item));
            k += 1;
            item = format!("{name}*{k}*=");
        }
        item.push_str(&piece);
    }
    items.push(item);
    Ok(items)
}

#[cfg(test)]
mod tests;
