//! The one tokenizer behind both front ends.
//!
//! It is a state machine over a window of not-yet-consumed input: given the window and whether
//! the input ends there, it returns the next [`Token`] (with how many bytes of the window it
//! covers) or asks for more input. It decides only on what it has seen in full (a whole header
//! field, a whole candidate delimiter line), so the whole-buffer parser (one window holding
//! everything) and the streaming parser (windows as chunks arrive) produce the same tokens,
//! except that body bytes may come in more pieces when streaming. It holds back at most one
//! header field (bounded by [`Limits::max_header_bytes`]) or one candidate delimiter line
//! (bounded by the boundary and whitespace limits), so streaming memory stays bounded.
//!
//! Body scanning jumps between candidate lines (`\n--`) with `memmem`; header scanning between
//! line ends with `memchr`.

use std::collections::VecDeque;

use memchr::memmem;

use crate::Defect;
use crate::Limits;
use crate::encoding::ContentTransferEncoding;
use crate::header::ContentType;
use crate::header::rfc2231::ParseOptions;
use crate::model::DefaultType;
use crate::parser::delimiter::{LineMatch, match_line};
use crate::parser::event::{EntityKind, Region};

/// Header blocks are kept under 4 GiB whatever the limit says (fields store 32-bit offsets).
const MAX_FIELD: usize = u32::MAX as usize;

/// A token: what the next bytes of the window are. `len()` of them are consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    EntityStart(DefaultType),
    /// A header field: `len` bytes; the name is `name_start..name_end`, the value
    /// `value_start..value_end`.
    Field {
        len: usize,
        name_start: usize,
        name_end: usize,
        value_start: usize,
        value_end: usize,
    },
    /// A line of the header block that is not a field, kept whole (`len` bytes).
    Malformed {
        len: usize,
        content_end: usize,
    },
    HeadersEnd {
        len: usize,
        kind: EntityKind,
        /// The entity's content type as read (or its default), for the model to keep (boxed:
        /// every token moves through the parser, and this one is rare and large).
        content_type: Box<ContentType>,
    },
    Body {
        len: usize,
        region: Region,
    },
    Delimiter {
        len: usize,
        close: bool,
    },
    Defect(Defect),
    EntityEnd,
}

impl Token {
    /// How many window bytes the token covers.
    pub(crate) fn len(&self) -> usize {
        match self {
            Token::Field { len, .. }
            | Token::Malformed { len, .. }
            | Token::HeadersEnd { len, .. }
            | Token::Body { len, .. }
            | Token::Delimiter { len, .. } => *len,
            Token::EntityStart(_) | Token::Defect(_) | Token::EntityEnd => 0,
        }
    }
}

/// What the tokenizer wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Token(Token),
    /// The window does not hold enough to decide: feed more (never returned at end of input).
    NeedMore,
    /// Everything was tokenized.
    Done,
}

/// Where a multipart is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Preamble,
    Parts,
    Epilogue,
}

/// The first line of the field at the start of the window, once complete.
#[derive(Debug, Clone, Copy)]
struct FirstLine {
    name_start: usize,
    /// The end of the name and where the colon is; `None` for a malformed line kept in the
    /// header block.
    name: Option<FieldName>,
}

/// Where the name of a field ends and its colon is (they differ when spaces or tabs come
/// between them).
#[derive(Debug, Clone, Copy)]
struct FieldName {
    end: usize,
    colon: usize,
}

/// Progress on the field at the start of the window, kept across [`Step::NeedMore`] so that a
/// field fed in small chunks is scanned once: linear time.
#[derive(Debug, Default, Clone, Copy)]
struct FieldScan {
    first: Option<FirstLine>,
    /// End of the last complete line of the field.
    end: usize,
    /// Where to resume looking for `\n`.
    search: usize,
    /// Longest line so far (without its line ending).
    longest: usize,
}

/// Header-block state of the entity being read.
#[derive(Debug, Default)]
struct HeaderState {
    scan: FieldScan,
    bytes: usize,
    count: usize,
    content_type: Option<Option<ContentType>>,
    /// Whether the first `Content-Transfer-Encoding` is 7bit, 8bit or binary (when present).
    identity_encoding: Option<bool>,
    flagged_long: bool,
    flagged_8bit: bool,
}

/// One open entity.
#[derive(Debug)]
enum Open {
    Headers(HeaderState, DefaultType),
    Leaf,
    Multipart {
        boundary: Box<[u8]>,
        phase: Phase,
        digest: bool,
    },
    Message,
}

/// The tokenizer; see the module docs.
#[derive(Debug)]
pub(crate) struct Tokenizer {
    limits: Limits,
    stack: Vec<Open>,
    queue: VecDeque<Token>,
    /// Entities opened so far (root included).
    parts: usize,
    /// The window starts at the beginning of a line (body mode only; after a held-back line
    /// break it is `false`).
    bol: bool,
    finder: memmem::Finder<'static>,
}

impl Tokenizer {
    pub(crate) fn new(limits: Limits) -> Self {
        let mut queue = VecDeque::new();
        queue.push_back(Token::EntityStart(DefaultType::TextPlain));
        Tokenizer {
            limits,
            stack: vec![Open::Headers(
                HeaderState::default(),
                DefaultType::TextPlain,
            )],
            queue,
            parts: 1,
            bol: true,
            finder: memmem::Finder::new(b"\n--"),
        }
    }

    /// The next token of `w` (the unconsumed input); `eof` when no more input will come.
    pub(crate) fn next(&mut self, w: &[u8], eof: bool) -> Step {
        if let Some(t) = self.queue.pop_front() {
            return Step::Token(t);
        }
        match self.stack.last() {
            None => Step::Done,
            Some(Open::Headers(..)) => self.header_step(w, eof),
            Some(_) => self.body_step(w, eof),
        }
    }

    fn header_state(&mut self) -> &mut HeaderState {
        header_state(&mut self.stack)
    }

    fn header_step(&mut self, w: &[u8], eof: bool) -> Step {
        match w {
            [b'\n', ..] => return self.end_headers(1, None),
            [b'\r', b'\n', ..] => return self.end_headers(2, None),
            [] | [b'\r'] if !eof => return Step::NeedMore,
            [] => return self.end_headers(0, None),
            _ => {}
        }
        let budget = self
            .limits
            .max_header_bytes
            .min(MAX_FIELD)
            .saturating_sub(self.header_state().bytes);
        let mut scan = self.header_state().scan;
        let first = match scan.first {
            Some(first) => first,
            None => {
                let Some(first_end) = find_line_end(w, &mut scan.search, eof) else {
                    self.header_state().scan = scan;
                    return self.need_more_headers(w, budget);
                };
                // Checked before looking at the line, so that both front ends decide alike:
                // the streaming one cannot classify a line it has not seen in full.
                if first_end > budget {
                    let limit = self.limits.max_header_bytes.min(MAX_FIELD);
                    return self.end_headers(0, Some(Defect::HeaderBlockTooLarge { limit }));
                }
                let line = &w[..first_end];
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                let Some(first) = self.first_line(line) else {
                    return self.end_headers(0, Some(Defect::MissingHeaderBodySeparator));
                };
                scan.first = Some(first);
                scan.end = first_end;
                scan.search = first_end;
                scan.longest = line.len();
                first
            }
        };
        // Continuation lines.
        loop {
            if scan.end == w.len() {
                if eof {
                    break;
                }
                self.header_state().scan = scan;
                return self.need_more_headers(w, budget);
            }
            if !matches!(w[scan.end], b' ' | b'\t') {
                break;
            }
            let Some(next) = find_line_end(w, &mut scan.search, eof) else {
                self.header_state().scan = scan;
                return self.need_more_headers(w, budget);
            };
            scan.longest = scan.longest.max(next - scan.end - 1);
            scan.end = next;
            scan.search = next;
            if scan.end > budget {
                // The field cannot fit, whatever follows: stop scanning it.
                break;
            }
        }
        let FirstLine { name_start, name } = first;
        let (end, longest) = (scan.end, scan.longest);
        let max_headers = self.limits.max_headers;
        let max_line = self.limits.max_line_length;
        let state = header_state(&mut self.stack);
        state.scan = FieldScan::default();
        if end > budget {
            let limit = self.limits.max_header_bytes.min(MAX_FIELD);
            return self.end_headers(0, Some(Defect::HeaderBlockTooLarge { limit }));
        }
        if state.count >= max_headers {
            return self.end_headers(0, Some(Defect::TooManyHeaders { limit: max_headers }));
        }
        state.bytes += end;
        state.count += 1;
        let raw = &w[..end];
        if longest > max_line && !state.flagged_long {
            state.flagged_long = true;
            self.queue
                .push_back(Token::Defect(Defect::LineTooLong { limit: max_line }));
        }
        if !state.flagged_8bit && !raw[name_start..].is_ascii() {
            state.flagged_8bit = true;
            self.queue.push_back(Token::Defect(Defect::EightBitHeader));
        }
        let value_end = end - trailing_break(raw);
        let Some(FieldName {
            end: name_end,
            colon,
        }) = name
        else {
            self.queue
                .push_back(Token::Defect(Defect::InvalidHeaderLine));
            return self.emit(Token::Malformed {
                len: end,
                content_end: value_end,
            });
        };
        let name = &raw[name_start..name_end];
        let value = &raw[colon + 1..value_end];
        if name.eq_ignore_ascii_case(b"content-type") && state.content_type.is_none() {
            let options = ParseOptions {
                max_parameters: self.limits.max_parameters,
                ..ParseOptions::default()
            };
            state.content_type = Some(ContentType::parse_with(value, &options));
        } else if name.eq_ignore_ascii_case(b"content-transfer-encoding")
            && state.identity_encoding.is_none()
        {
            let cte = ContentTransferEncoding::parse(&String::from_utf8_lossy(value));
            state.identity_encoding = Some(cte.is_identity());
        }
        self.emit(Token::Field {
            len: end,
            name_start,
            name_end,
            value_start: colon + 1,
            value_end,
        })
    }

    /// What the complete first line of a field is: `None` when it ends the header block (a
    /// delimiter of an open multipart, or a line that starts the body).
    fn first_line(&mut self, line: &[u8]) -> Option<FirstLine> {
        let root = self.stack.len() == 1;
        if self.delimiter_in_scope(line, true).is_some() {
            return None;
        }
        let count = self.header_state().count;
        let root_first = root && count == 0;
        // A UTF-8 byte order mark before the first field is kept in its raw bytes only.
        let name_start = if root_first && line.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let continuation = matches!(line[0], b' ' | b'\t');
        let name = if continuation {
            None
        } else {
            field_name(&line[name_start..]).map(|FieldName { end, colon }| FieldName {
                end: name_start + end,
                colon: name_start + colon,
            })
        };
        // Lines that are not fields but stay in the header block: a continuation line first,
        // an mbox `From ` line first, and (as MimeKit does) a single word after some fields,
        // the usual shape of a value whose folding lost its indentation. Anything else (prose,
        // a `--` line) starts the body.
        let keep = || {
            continuation
                || root_first && line[name_start..].starts_with(b"From ")
                || count > 0
                    && !line.starts_with(b"--")
                    && !line
                        .trim_ascii_end()
                        .iter()
                        .any(|&b| b == b' ' || b == b'\t')
        };
        (name.is_some() || keep()).then_some(FirstLine { name_start, name })
    }

    /// The window holds no complete field: wait, unless it already exceeds the budget (then the
    /// field cannot fit whatever follows).
    fn need_more_headers(&mut self, w: &[u8], budget: usize) -> Step {
        if w.len() > budget {
            let limit = self.limits.max_header_bytes.min(MAX_FIELD);
            self.end_headers(0, Some(Defect::HeaderBlockTooLarge { limit }))
        } else {
            Step::NeedMore
        }
    }

    /// Queues `t` after any pending defects and returns the first queued token. Inlined, as
    /// the queue is almost always empty: then `t` is returned as is.
    #[inline]
    fn emit(&mut self, t: Token) -> Step {
        if self.queue.is_empty() {
            Step::Token(t)
        } else {
            self.emit_queued(t)
        }
    }

    /// [`emit`](Self::emit) when defects are pending.
    fn emit_queued(&mut self, t: Token) -> Step {
        self.queue.push_back(t);
        Step::Token(self.queue.pop_front().unwrap_or(Token::EntityEnd))
    }

    /// Ends the header block with a `len`-byte separator, deciding what the body is.
    fn end_headers(&mut self, len: usize, defect: Option<Defect>) -> Step {
        let Some(Open::Headers(state, default_type)) = self.stack.pop() else {
            unreachable!("end_headers runs only in header mode")
        };
        self.queue.extend(defect.map(Token::Defect));
        let content_type = match state.content_type {
            Some(Some(ct)) => {
                self.queue.extend(
                    ct.parameters
                        .defects
                        .iter()
                        .cloned()
                        .map(|d| Token::Defect(Defect::Parameter(d))),
                );
                ct
            }
            Some(None) => {
                self.queue
                    .push_back(Token::Defect(Defect::InvalidContentType));
                default_content_type(default_type)
            }
            None => default_content_type(default_type),
        };
        let depth_ok = self.stack.len() < self.limits.max_depth;
        let (open, kind) = if content_type.is_multipart() {
            match content_type.boundary().filter(|b| !b.is_empty()) {
                None => self.leaf_with(Defect::MissingBoundaryParameter),
                Some(b) if b.len() > self.limits.max_boundary_length => {
                    let limit = self.limits.max_boundary_length;
                    self.leaf_with(Defect::BoundaryTooLong { limit })
                }
                Some(_) if !depth_ok => {
                    let limit = self.limits.max_depth;
                    self.leaf_with(Defect::DepthLimit { limit })
                }
                Some(b) => (
                    Open::Multipart {
                        boundary: b.as_bytes().into(),
                        phase: Phase::Preamble,
                        digest: content_type.subtype == "digest",
                    },
                    EntityKind::Multipart {
                        boundary: b.to_owned(),
                    },
                ),
            }
        } else if content_type.is_message() && state.identity_encoding != Some(false) {
            if !depth_ok {
                let limit = self.limits.max_depth;
                self.leaf_with(Defect::DepthLimit { limit })
            } else if self.parts >= self.limits.max_parts {
                let limit = self.limits.max_parts;
                self.leaf_with(Defect::TooManyParts { limit })
            } else {
                (Open::Message, EntityKind::Message)
            }
        } else {
            (Open::Leaf, EntityKind::Leaf)
        };
        let message = matches!(open, Open::Message);
        self.stack.push(open);
        self.bol = true;
        self.queue.push_back(Token::HeadersEnd {
            len,
            kind,
            content_type: Box::new(content_type),
        });
        if message {
            self.open_entity(DefaultType::TextPlain);
        }
        Step::Token(self.queue.pop_front().unwrap_or(Token::EntityEnd))
    }
}

impl Tokenizer {
    /// A leaf entity, with a defect explaining why it is not a container.
    fn leaf_with(&mut self, defect: Defect) -> (Open, EntityKind) {
        self.queue.push_back(Token::Defect(defect));
        (Open::Leaf, EntityKind::Leaf)
    }

    /// Opens a new entity in header mode.
    fn open_entity(&mut self, default_type: DefaultType) {
        self.parts += 1;
        self.stack
            .push(Open::Headers(HeaderState::default(), default_type));
        self.queue.push_back(Token::EntityStart(default_type));
    }

    /// Whether `line` is a delimiter of an open multipart: `(stack index, close)` of the
    /// innermost that matches, or `Err(())` when a partial line could still become one.
    fn classify(&self, line: &[u8], complete: bool) -> Result<Option<(usize, bool)>, ()> {
        let mut maybe = false;
        for (i, open) in self.stack.iter().enumerate().rev() {
            if let Open::Multipart {
                boundary, phase, ..
            } = open
            {
                if *phase == Phase::Epilogue {
                    continue;
                }
                match match_line(line, boundary, complete, self.limits.max_line_length) {
                    LineMatch::Delimiter { close } => return Ok(Some((i, close))),
                    LineMatch::Maybe => maybe = true,
                    LineMatch::No => {}
                }
            }
        }
        if maybe { Err(()) } else { Ok(None) }
    }

    /// Whether a complete line is a delimiter of an open multipart.
    fn delimiter_in_scope(&self, line: &[u8], complete: bool) -> Option<(usize, bool)> {
        self.classify(line, complete).ok().flatten()
    }

    fn has_boundaries(&self) -> bool {
        self.stack
            .iter()
            .any(|o| matches!(o, Open::Multipart { phase, .. } if *phase != Phase::Epilogue))
    }

    fn region(&self) -> Region {
        match self.stack.last() {
            Some(Open::Multipart {
                phase: Phase::Epilogue,
                ..
            }) => Region::Epilogue,
            Some(Open::Multipart { .. }) => Region::Preamble,
            _ => Region::Leaf,
        }
    }

    fn body_step(&mut self, w: &[u8], eof: bool) -> Step {
        if w.is_empty() {
            return if eof { self.end_all() } else { Step::NeedMore };
        }
        let region = self.region();
        if !self.has_boundaries() {
            return self.body(w, w.len(), region);
        }
        // Candidate line starts: 0 when at the beginning of a line, then after each "\n--".
        let mut candidate = if self.bol { Some(0) } else { None };
        let mut search = 0;
        loop {
            let p = match candidate.take() {
                Some(p) => p,
                None => match self.finder.find(&w[search..]) {
                    Some(i) => search + i + 1,
                    None => break,
                },
            };
            search = p;
            let nl = memchr::memchr(b'\n', &w[p..]).map(|i| p + i);
            let complete = nl.is_some() || eof;
            let line = &w[p..nl.unwrap_or(w.len())];
            let lb_start = p - line_break_before(w, p);
            match self.classify(line, complete) {
                Ok(None) => continue,
                Err(()) => {
                    return if lb_start > 0 {
                        self.body(w, lb_start, region)
                    } else {
                        Step::NeedMore
                    };
                }
                Ok(Some((index, close))) => {
                    if lb_start > 0 {
                        return self.body(w, lb_start, region);
                    }
                    let line_len = nl.map_or(w.len(), |n| n + 1);
                    let close_len = p + line.strip_suffix(b"\r").unwrap_or(line).len();
                    return self.delimiter(index, close, if close { close_len } else { line_len });
                }
            }
        }
        if eof {
            return self.body(w, w.len(), region);
        }
        // Hold back what could still begin a delimiter: a line break followed by "", "-"; a
        // final CR.
        let hold = match memchr::memrchr(b'\n', w) {
            Some(q) if w.len() - q - 1 < 2 && b"--".starts_with(&w[q + 1..]) => {
                q - usize::from(q > 0 && w[q - 1] == b'\r')
            }
            None if self.bol && w.len() < 2 && b"--".starts_with(w) => 0,
            _ => w.len() - usize::from(w.ends_with(b"\r")),
        };
        if hold == 0 {
            Step::NeedMore
        } else {
            self.body(w, hold, region)
        }
    }

    /// Body bytes `w[..len]`.
    fn body(&mut self, w: &[u8], len: usize, region: Region) -> Step {
        self.bol = w[len - 1] == b'\n';
        Step::Token(Token::Body { len, region })
    }

    /// A delimiter of the multipart at stack `index`, `len` bytes at the start of the window.
    fn delimiter(&mut self, index: usize, close: bool, len: usize) -> Step {
        while self.stack.len() > index + 1 {
            self.close_top();
        }
        let digest = match self.stack.last_mut() {
            Some(Open::Multipart { phase, digest, .. }) => {
                if close {
                    *phase = Phase::Epilogue;
                } else if self.parts >= self.limits.max_parts {
                    // No more parts: the rest of this multipart is its epilogue.
                    *phase = Phase::Epilogue;
                    let limit = self.limits.max_parts;
                    return self.emit(Token::Defect(Defect::TooManyParts { limit }));
                } else {
                    *phase = Phase::Parts;
                }
                *digest
            }
            _ => unreachable!("delimiters match only open multiparts"),
        };
        self.queue.push_back(Token::Delimiter { len, close });
        if close {
            self.bol = false;
        } else {
            self.bol = true;
            self.open_entity(if digest {
                DefaultType::MessageRfc822
            } else {
                DefaultType::TextPlain
            });
        }
        Step::Token(self.queue.pop_front().unwrap_or(Token::EntityEnd))
    }

    /// Closes the innermost open entity (queueing its defects and end).
    fn close_top(&mut self) {
        if let Some(Open::Multipart { phase, .. }) = self.stack.pop() {
            match phase {
                Phase::Preamble => self
                    .queue
                    .push_back(Token::Defect(Defect::StartBoundaryNotFound)),
                Phase::Parts => self
                    .queue
                    .push_back(Token::Defect(Defect::MissingClosingBoundary)),
                Phase::Epilogue => {}
            }
        }
        self.queue.push_back(Token::EntityEnd);
    }

    /// End of input in body mode: close everything.
    fn end_all(&mut self) -> Step {
        while !self.stack.is_empty() {
            self.close_top();
        }
        match self.queue.pop_front() {
            Some(t) => Step::Token(t),
            None => Step::Done,
        }
    }
}

fn header_state(stack: &mut [Open]) -> &mut HeaderState {
    match stack.last_mut() {
        Some(Open::Headers(state, _)) => state,
        _ => unreachable!("header mode has a header state on top"),
    }
}

fn default_content_type(default_type: DefaultType) -> ContentType {
    match default_type {
        DefaultType::TextPlain => ContentType::text_plain_default(),
        DefaultType::MessageRfc822 => ContentType::message_rfc822(),
    }
}

/// The end (after `\n`) of the line being scanned, looking from `*search` on; at end of input
/// the rest is the line; `None` when more input is needed (then `*search` moves to the end,
/// so that the next call does not scan the same bytes again).
fn find_line_end(w: &[u8], search: &mut usize, eof: bool) -> Option<usize> {
    match memchr::memchr(b'\n', &w[*search..]) {
        Some(i) => Some(*search + i + 1),
        None => {
            *search = w.len();
            eof.then_some(w.len())
        }
    }
}

/// The length of the line break (`\r\n`, `\n`, or none) that ends just before `p`.
fn line_break_before(w: &[u8], p: usize) -> usize {
    if p == 0 || w[p - 1] != b'\n' {
        0
    } else if p >= 2 && w[p - 2] == b'\r' {
        2
    } else {
        1
    }
}

/// The length of the line break at the end of `raw`.
#[inline]
fn trailing_break(raw: &[u8]) -> usize {
    if raw.ends_with(b"\r\n") {
        2
    } else {
        usize::from(raw.ends_with(b"\n"))
    }
}

/// The field name when `line` starts with `name:` (optional whitespace before the colon,
/// RFC 5322 obsolete syntax); the name is printable US-ASCII without a colon. One pass over
/// the name, rather than a search for the colon and a check of what comes before it.
fn field_name(line: &[u8]) -> Option<FieldName> {
    let end = name_len(line);
    let colon = end
        + line[end..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len() - end);
    (end > 0 && line.get(colon) == Some(&b':')).then_some(FieldName { end, colon })
}

/// Whether `b` may be in a field name: printable US-ASCII but the colon.
fn is_name_byte(b: u8) -> bool {
    (33..=126).contains(&b) && b != b':'
}

/// How many bytes at the start of `line` may be in a field name. Eight bytes at a time (names
/// are often longer than that): in a little-endian word, a byte's high bit is set below for
/// each byte under 33, over 126 or a colon, with false positives only above a true one (the
/// borrows of the subtractions come from true ones), so the lowest set bit is the answer.
fn name_len(line: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // High bit set for each zero byte (exact for the lowest).
    let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGH;
    let mut chunks = line.chunks_exact(8);
    let mut len = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let below_or_high = (x.wrapping_sub(ONES * 33) | x) & HIGH;
        let stop = below_or_high | zero(x ^ (ONES * u64::from(b':'))) | zero(x ^ (ONES * 127));
        if stop != 0 {
            return len + (stop.trailing_zeros() / 8) as usize;
        }
        len += 8;
    }
    let rest = chunks.remainder();
    len + rest
        .iter()
        .position(|&b| !is_name_byte(b))
        .unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::QuickCheck;

    /// What [`name_len`] computes, a byte at a time.
    fn name_len_naive(line: &[u8]) -> usize {
        line.iter()
            .position(|&b| !is_name_byte(b))
            .unwrap_or(line.len())
    }

    #[test]
    fn name_len_stops_at_every_byte_that_is_not_a_name_byte() {
        for b in 0..=255u8 {
            for at in 0..20 {
                let mut line = vec![b'x'; at];
                line.push(b);
                line.extend_from_slice(b"xxx");
                assert_eq!(name_len(&line), name_len_naive(&line), "{b} at {at}");
            }
        }
    }

    #[test]
    fn prop_name_len_is_the_run_of_name_bytes() {
        // Mostly name bytes, so that runs cross word boundaries; any byte otherwise.
        fn prop(picks: Vec<(u8, u8)>) -> bool {
            let line: Vec<u8> = picks
                .iter()
                .map(|&(pick, b)| if pick < 224 { b'a' + pick % 26 } else { b })
                .collect();
            name_len(&line) == name_len_naive(&line)
        }
        QuickCheck::new()
            .tests(2000)
            .quickcheck(prop as fn(Vec<(u8, u8)>) -> bool);
    }

    #[test]
    fn prop_field_name_is_the_trimmed_text_before_the_first_colon() {
        fn prop(picks: Vec<u8>) -> bool {
            // Bytes drawn from those that matter, so that names and colons are common.
            let line: Vec<u8> = picks
                .iter()
                .map(|&p| b"ab:~ \t\r\n\x7f\x0c\xe9"[usize::from(p) % 11])
                .collect();
            let expected = memchr::memchr(b':', &line).and_then(|colon| {
                let name = line[..colon].trim_ascii_end();
                let valid = !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b));
                valid.then_some((name.len(), colon))
            });
            field_name(&line).map(|n| (n.end, n.colon)) == expected
        }
        QuickCheck::new().quickcheck(prop as fn(Vec<u8>) -> bool);
        assert_eq!(
            field_name(b"Subject: x").map(|n| (n.end, n.colon)),
            Some((7, 7))
        );
        assert_eq!(
            field_name(b"Subject \t: x").map(|n| (n.end, n.colon)),
            Some((7, 9))
        );
        assert!(field_name(b"Sub ject: x").is_none());
    }
}
