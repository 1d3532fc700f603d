//! Addresses (RFC 5322 mailboxes and groups, RFC 6532 UTF-8, IDN).
//!
//! Parsing ([`parse_address_list`]) is lenient and never fails: problems are reported as
//! [`AddressDefect`]s and the rest of the list is still parsed. It runs in linear time without
//! recursion (nested comments are counted, not recursed into), so hostile inputs such as
//! 100,000 nested comments cost one pass and a defect.
//!
//! Building ([`Mailbox::new`]) is strict: control characters (CR, LF, NUL, ...) are rejected
//! anywhere, so a built mailbox can never inject header lines, and the address must be a valid
//! `addr-spec`. [`Mailbox::to_header_string`] quotes or RFC 2047-encodes display names as
//! needed.

use std::borrow::Cow;

use base64::Engine as _;

use crate::header::encoded_word;

/// A single mailbox: an optional display name and an address.
///
/// A parsed mailbox borrows its text from the header value wherever that is the text as
/// written (the usual case); [`Mailbox::into_owned`] detaches it. A built one owns its text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox<'a> {
    /// The display name, RFC 2047-decoded. `None` when absent or empty.
    pub name: Option<Cow<'a, str>>,
    /// The local part, unquoted (`"john smith"@x` gives `john smith`).
    pub local_part: Cow<'a, str>,
    /// The domain as written (U-labels are kept; see [`Mailbox::domain_ascii`]). A domain
    /// literal keeps its brackets. Empty for a bare `user` (reported as a defect).
    pub domain: Cow<'a, str>,
    /// The obsolete source route (`<@a,@b:user@c>` gives `["a", "b"]`). Not written back.
    pub route: Vec<Cow<'a, str>>,
}

/// A named group of mailboxes (`Friends: a@b, c@d;`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group<'a> {
    /// The group's display name, RFC 2047-decoded.
    pub name: Cow<'a, str>,
    /// The members. Groups nested inside this one (not allowed by RFC 5322) are flattened here.
    pub members: Vec<Mailbox<'a>>,
}

/// An element of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address<'a> {
    /// A single mailbox.
    Mailbox(Mailbox<'a>),
    /// A group of mailboxes.
    Group(Group<'a>),
}

/// A list of addresses, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressList<'a>(pub Vec<Address<'a>>);

/// A problem found while parsing an address list. The list is still parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum AddressDefect {
    /// A comment nested deeper than [`ParseOptions::max_comment_depth`]; it was skipped.
    #[error("comment nested too deeply")]
    CommentTooDeep,
    /// A `(` without its `)`; the `(` was ignored.
    #[error("unclosed comment")]
    UnclosedComment,
    /// A `)` without a `(`; it was ignored.
    #[error("unmatched `)`")]
    UnmatchedParen,
    /// A `"` without its closing `"`; the `"` was ignored.
    #[error("unclosed quoted string")]
    UnclosedQuotedString,
    /// A `[` without its `]`; the `[` was ignored.
    #[error("unclosed domain literal")]
    UnclosedDomainLiteral,
    /// `<user@host` without the `>`.
    #[error("missing `>`")]
    MissingAngleClose,
    /// An address without `@domain`; kept with an empty domain.
    #[error("address without a domain")]
    MissingDomain,
    /// An address without a local part before `@`; dropped.
    #[error("address without a local part")]
    MissingLocalPart,
    /// Words in a local part not separated by dots (`john smith@host`); they were joined.
    #[error("invalid local part")]
    InvalidLocalPart,
    /// `<>`: an empty (null) address; dropped.
    #[error("empty address `<>`")]
    EmptyAddress,
    /// A malformed obsolete route (`<@a,@b:user@c>`).
    #[error("malformed route")]
    InvalidRoute,
    /// An unquoted address used as a display name (`a@b <a@b>`); it was kept as the name.
    #[error("unquoted `@` in display name")]
    UnquotedDisplayName,
    /// Text that fits nowhere (e.g. a missing comma); skipped up to the next comma.
    #[error("unexpected text in address")]
    UnexpectedText,
    /// A group inside a group deeper than [`ParseOptions::max_group_depth`]; its members were
    /// flattened into the enclosing group.
    #[error("nested group")]
    NestedGroup,
    /// A group without its closing `;`.
    #[error("unclosed group")]
    UnclosedGroup,
    /// A `;` outside a group; ignored.
    #[error("unexpected `;`")]
    UnexpectedSemicolon,
    /// More than [`ParseOptions::max_addresses`] mailboxes; the rest was not parsed.
    #[error("too many addresses")]
    TooManyAddresses,
}

/// An error building a [`Mailbox`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// A control character (CR, LF, NUL, ...) in the display name or address.
    #[error("control character in display name or address")]
    ControlCharacter,
    /// The address has no `@`.
    #[error("address without `@`")]
    MissingAt,
    /// The local part is not a dot-atom or a quoted string.
    #[error("invalid local part")]
    InvalidLocalPart,
    /// The domain is not a valid dot-atom, domain literal or IDN.
    #[error("invalid domain")]
    InvalidDomain,
}

/// Limits for [`parse_address_list_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Maximum number of mailboxes (group members included); parsing stops after them with
    /// [`AddressDefect::TooManyAddresses`].
    pub max_addresses: usize,
    /// Comments nested deeper than this are skipped with [`AddressDefect::CommentTooDeep`].
    pub max_comment_depth: usize,
    /// Groups nested deeper than this give [`AddressDefect::NestedGroup`]. RFC 5322 groups do
    /// not nest, so the default is 1; 0 reports every group (members become plain mailboxes).
    pub max_group_depth: usize,
    /// Maximum number of defects recorded; further ones are dropped.
    pub max_defects: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_addresses: 10_000,
            max_comment_depth: 64,
            max_group_depth: 1,
            max_defects: 1_000,
        }
    }
}

/// The result of [`parse_address_list`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedAddresses<'a> {
    /// The addresses that could be parsed, borrowing from the input where they can.
    pub addresses: AddressList<'a>,
    /// What was wrong with the input.
    pub defects: Vec<AddressDefect>,
}

/// Parses an RFC 5322 `address-list` (obsolete syntax and RFC 6532 UTF-8 included) with
/// default limits. See [`parse_address_list_with`].
pub fn parse_address_list(input: &[u8]) -> ParsedAddresses<'_> {
    parse_address_list_with(input, &ParseOptions::default())
}

/// Parses an RFC 5322 `address-list`, leniently and in linear time.
///
/// - Mailboxes (`addr-spec`, `name <addr-spec>`), groups (`name: a@b, c@d;`), empty list
///   elements (`a@b,,c@d`), obsolete routes (`<@a,@b:user@c>`) and obsolete local parts
///   (CFWS between dots).
/// - Display names made of atoms, quoted strings and RFC 2047 encoded words, decoded. Without
///   a display name, a comment next to the address is used (`user@host (Name)`).
/// - Comments, nested up to [`ParseOptions::max_comment_depth`].
/// - UTF-8 anywhere; invalid UTF-8 is decoded lossily.
/// - Real-world garbage: a missing `>`, unbalanced quotes and parentheses, missing commas, a bare
///   `user` without domain — each gives a defect and at worst loses its own element.
pub fn parse_address_list_with<'a>(input: &'a [u8], options: &ParseOptions) -> ParsedAddresses<'a> {
    let mut parser = Parser {
        lex: Lexer::new(input, LexState::default(), options, true),
        text: std::str::from_utf8(input).ok(),
        peeked: None,
        options,
        out: Vec::new(),
        count: 0,
        stopped: false,
        group: None,
        extra_depth: 0,
    };
    parser.run();
    ParsedAddresses {
        addresses: AddressList(parser.out),
        defects: parser.lex.defects,
    }
}

impl Mailbox<'_> {
    /// Builds a mailbox from a display name and an `addr-spec` such as `user@example.com`,
    /// `"john smith"@example.com`, `用户@例子.广告` or `user@[192.0.2.1]`.
    ///
    /// Rejects control characters (CR, LF, NUL, tab, ...) in both arguments, and addresses that
    /// are not a valid `addr-spec` (no CFWS or comments allowed). An empty name is no name.
    pub fn new(name: Option<&str>, address: &str) -> Result<Mailbox<'static>, AddressError> {
        if name.is_some_and(|n| n.chars().any(char::is_control))
            || address.chars().any(char::is_control)
        {
            return Err(AddressError::ControlCharacter);
        }
        let (local_part, domain) = if let Some(rest) = address.strip_prefix('"') {
            let mut local = String::new();
            let mut chars = rest.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => local.push(e),
                        None => return Err(AddressError::InvalidLocalPart),
                    },
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    _ => local.push(c),
                }
            }
            let end = end.ok_or(AddressError::InvalidLocalPart)?;
            let domain = rest[end..]
                .strip_prefix('@')
                .ok_or(AddressError::MissingAt)?;
            (local, domain)
        } else {
            let (local, domain) = address.split_once('@').ok_or(AddressError::MissingAt)?;
            if !is_dot_atom(local) {
                return Err(AddressError::InvalidLocalPart);
            }
            (local.to_owned(), domain)
        };
        let valid_domain =
            if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
                !inner.contains(['[', ']', '\\'])
            } else {
                is_dot_atom(domain) && (domain.is_ascii() || idna::domain_to_ascii(domain).is_ok())
            };
        if !valid_domain {
            return Err(AddressError::InvalidDomain);
        }
        Ok(Mailbox {
            name: name
                .filter(|n| !n.is_empty())
                .map(|n| Cow::Owned(n.to_owned())),
            local_part: Cow::Owned(local_part),
            domain: Cow::Owned(domain.to_owned()),
            route: Vec::new(),
        })
    }

    /// The same mailbox owning its text.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            name: self.name.map(owned),
            local_part: owned(self.local_part),
            domain: owned(self.domain),
            route: self.route.into_iter().map(owned).collect(),
        }
    }

    /// The `addr-spec`: the local part (quoted when it is not a dot-atom) `@` the domain as
    /// written. Just the local part when the domain is empty.
    pub fn addr_spec(&self) -> String {
        let mut out = if is_dot_atom(&self.local_part) {
            self.local_part.to_string()
        } else {
            quote(&self.local_part)
        };
        if !self.domain.is_empty() {
            out.push('@');
            out.push_str(&self.domain);
        }
        out
    }

    /// Writes the mailbox as a header value: `addr-spec`, or `name <addr-spec>` with the name
    /// as atoms, a quoted string, or RFC 2047 encoded words (UTF-8) when it is not ASCII. The
    /// obsolete route is not written. The result never contains CR or LF (the domain and
    /// local part of a parsed mailbox never do; a built one was checked).
    pub fn to_header_string(&self) -> String {
        match &self.name {
            None => self.addr_spec(),
            Some(name) => format!("{} <{}>", encode_phrase(name), self.addr_spec()),
        }
    }

    /// The domain with IDN U-labels converted to A-labels (`例子.广告` → `xn--fsqu00a.xn--...`),
    /// as SMTP without SMTPUTF8 needs. Domain literals are returned unchanged.
    pub fn domain_ascii(&self) -> Result<String, AddressError> {
        if self.domain.starts_with('[') {
            return Ok(self.domain.to_string());
        }
        idna::domain_to_ascii(&self.domain).map_err(|_| AddressError::InvalidDomain)
    }

    /// The domain with A-labels (`xn--...`) converted to Unicode, for display. Returned as
    /// written when it is not a valid IDN or is a domain literal.
    pub fn domain_unicode(&self) -> String {
        if self.domain.starts_with('[') {
            return self.domain.to_string();
        }
        match idna::domain_to_unicode(&self.domain) {
            (s, Ok(())) => s,
            _ => self.domain.to_string(),
        }
    }
}

impl Group<'_> {
    /// The same group owning its text.
    pub fn into_owned(self) -> Group<'static> {
        Group {
            name: owned(self.name),
            members: self.members.into_iter().map(Mailbox::into_owned).collect(),
        }
    }

    /// Writes the group as a header value: `name: member, member;`.
    pub fn to_header_string(&self) -> String {
        let mut out = encode_phrase(&self.name);
        out.push(':');
        for (i, m) in self.members.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(&m.to_header_string());
        }
        out.push(';');
        out
    }
}

impl Address<'_> {
    /// The same address owning its text.
    pub fn into_owned(self) -> Address<'static> {
        match self {
            Address::Mailbox(m) => Address::Mailbox(m.into_owned()),
            Address::Group(g) => Address::Group(g.into_owned()),
        }
    }

    /// Writes the address as a header value.
    pub fn to_header_string(&self) -> String {
        match self {
            Address::Mailbox(m) => m.to_header_string(),
            Address::Group(g) => g.to_header_string(),
        }
    }
}

impl<'a> From<Mailbox<'a>> for Address<'a> {
    fn from(mailbox: Mailbox<'a>) -> Address<'a> {
        Address::Mailbox(mailbox)
    }
}

impl<'a> AddressList<'a> {
    /// The same list owning its text.
    pub fn into_owned(self) -> AddressList<'static> {
        AddressList(self.0.into_iter().map(Address::into_owned).collect())
    }

    /// Writes the list as a header value, elements separated by `, ` (unfolded).
    pub fn to_header_string(&self) -> String {
        let mut out = String::new();
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&a.to_header_string());
        }
        out
    }

    /// All mailboxes, group members included, in order.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox<'a>> {
        self.0.iter().flat_map(|a| match a {
            Address::Mailbox(m) => std::slice::from_ref(m).iter(),
            Address::Group(g) => g.members.iter(),
        })
    }
}

/// `text` owning its text.
fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

// ---------------------------------------------------------------------------------------------
// Writing helpers.

fn is_atext_ascii(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// A dot-atom whose atoms are ASCII atext or non-ASCII (RFC 6532) characters.
fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    if c.is_ascii() {
                        is_atext_ascii(c as u8)
                    } else {
                        !c.is_control()
                    }
                })
        })
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Writes a display name as a phrase that parses back to `name`.
fn encode_phrase(name: &str) -> String {
    // Words too long to fold are encoded too: encoded words split them.
    let needs_encoding = !name.is_ascii()
        || name.chars().any(char::is_control)
        || name.contains("=?")
        || name.split(' ').any(|w| w.len() > 60);
    if !needs_encoding {
        let atoms = !name.is_empty()
            && name
                .split(' ')
                .all(|w| !w.is_empty() && w.bytes().all(is_atext_ascii));
        return if atoms { name.to_owned() } else { quote(name) };
    }
    let encoded = encoded_word::encode(name).replace("\r\n", "");
    let safe = encoded.split(' ').all(|w| {
        if w.len() > 4 && w.starts_with("=?") && w.ends_with("?=") {
            w.bytes().all(|b| is_atext_ascii(b) && b != b'\'')
        } else {
            !w.is_empty() && !w.contains("=?") && w.bytes().all(is_atext_ascii)
        }
    });
    if safe {
        return encoded;
    }
    // Fallback: the whole name as B-encoded UTF-8 words, never splitting a character.
    let mut out = String::new();
    let mut start = 0;
    while start < name.len() {
        let mut end = start;
        for (i, c) in name[start..].char_indices() {
            if i + c.len_utf8() > 45 {
                break;
            }
            end = start + i + c.len_utf8();
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("=?utf-8?B?");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(&name[start..end]));
        out.push_str("?=");
        start = end;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lexer.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of atext (and 8-bit) bytes.
    Word,
    /// A quoted string; the span excludes the quotes.
    Quoted,
    /// A domain literal; the span includes the brackets.
    Literal,
    /// One of `< > @ , : ; .`.
    Special(u8),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Whitespace or a comment precedes the token.
    ws_before: bool,
    /// The content of the first comment before the token, if it was well-formed.
    comment: Option<(usize, usize)>,
}

impl Token {
    /// Position after the token: after the closing quote of a quoted string.
    fn raw_end(&self) -> usize {
        self.end + usize::from(self.kind == Kind::Quoted)
    }
}

/// Where the lexer is; once a quote, parenthesis or bracket turned out unclosed, later ones are
/// ignored, so no scan to the end of the input is done twice (linear time).
#[derive(Debug, Clone, Copy, Default)]
struct LexState {
    pos: usize,
    quotes_broken: bool,
    comments_broken: bool,
    literals_broken: bool,
}

struct Lexer<'a> {
    input: &'a [u8],
    st: LexState,
    max_comment_depth: usize,
    max_defects: usize,
    record: bool,
    defects: Vec<AddressDefect>,
}

/// A byte that may appear in a [`Kind::Word`].
const ATOM: u8 = 1;
/// An [`ATOM`] byte or `.`.
const DOT_ATOM: u8 = 2;
/// A C0 control, DEL, or the first byte of a UTF-8 C1 control (0xC2).
const CONTROL: u8 = 4;

/// The classes of each byte, as a lookup table for the hot loops.
static BYTE_CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let atom = b > b' '
            && b != 0x7f
            && !matches!(
                b,
                b'(' | b')' | b'<' | b'>' | b'[' | b'@' | b',' | b':' | b';' | b'.' | b'"'
            );
        if atom {
            table[i] |= ATOM | DOT_ATOM;
        }
        if b == b'.' {
            table[i] |= DOT_ATOM;
        }
        if b < b' ' || b == 0x7f || b == 0xc2 {
            table[i] |= CONTROL;
        }
        i += 1;
    }
    table
};

fn is(class: u8, b: u8) -> bool {
    BYTE_CLASSES[usize::from(b)] & class != 0
}

fn is_atom_byte(b: u8) -> bool {
    is(ATOM, b)
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8], st: LexState, options: &ParseOptions, record: bool) -> Self {
        Lexer {
            input,
            st,
            max_comment_depth: options.max_comment_depth,
            max_defects: options.max_defects,
            record,
            defects: Vec::new(),
        }
    }

    fn defect(&mut self, d: AddressDefect) {
        if self.record && self.defects.len() < self.max_defects {
            self.defects.push(d);
        }
    }

    fn next(&mut self) -> Token {
        let input = self.input;
        let mut ws_before = false;
        let mut comment = None;
        loop {
            let pos = self.st.pos;
            let token = move |kind, start, end| Token {
                kind,
                start,
                end,
                ws_before,
                comment,
            };
            let Some(&b) = input.get(pos) else {
                return token(Kind::End, pos, pos);
            };
            match b {
                b'(' if !self.st.comments_broken => {
                    ws_before = true;
                    if let Some(span) = self.comment() {
                        comment = comment.or(span);
                    }
                }
                b')' => {
                    self.defect(AddressDefect::UnmatchedParen);
                    ws_before = true;
                    self.st.pos += 1;
                }
                b'"' if !self.st.quotes_broken => {
                    if let Some(i) = find_close(input, pos + 1, b'"') {
                        self.st.pos = i + 1;
                        return token(Kind::Quoted, pos + 1, i);
                    }
                    self.defect(AddressDefect::UnclosedQuotedString);
                    self.st.quotes_broken = true;
                    ws_before = true;
                    self.st.pos += 1;
                }
                b'[' if !self.st.literals_broken => {
                    if let Some(i) = find_close(input, pos + 1, b']') {
                        self.st.pos = i + 1;
                        return token(Kind::Literal, pos, i + 1);
                    }
                    self.defect(AddressDefect::UnclosedDomainLiteral);
                    self.st.literals_broken = true;
                    ws_before = true;
                    self.st.pos += 1;
                }
                b'<' | b'>' | b'@' | b',' | b':' | b';' | b'.' => {
                    self.st.pos += 1;
                    return token(Kind::Special(b), pos, pos + 1);
                }
                _ if is_atom_byte(b) => {
                    let end = input[pos..]
                        .iter()
                        .position(|&c| !is_atom_byte(c))
                        .map_or(input.len(), |n| pos + n);
                    self.st.pos = end;
                    return token(Kind::Word, pos, end);
                }
                // Whitespace, controls, and ignored (broken) `(`, `"`, `[`.
                _ => {
                    ws_before = true;
                    // A fold is one step, not three.
                    self.st.pos += 1 + input[pos + 1..]
                        .iter()
                        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                        .count();
                }
            }
        }
    }

    /// Skips a run of atom bytes and dots (the tokens of a dot-atom written without CFWS);
    /// returns its bounds.
    fn dot_atom_run(&mut self) -> (usize, usize) {
        let start = self.st.pos;
        let rest = &self.input[start..];
        let len = rest
            .iter()
            .position(|&b| !is(DOT_ATOM, b))
            .unwrap_or(rest.len());
        self.st.pos = start + len;
        (start, self.st.pos)
    }

    /// Skips a comment starting at `(`, counting depth instead of recursing. Returns `None` when
    /// it was unclosed (the `(` is then skipped alone), `Some(None)` when too deep.
    fn comment(&mut self) -> Option<Option<(usize, usize)>> {
        let input = self.input;
        let start = self.st.pos + 1;
        let mut i = start;
        let mut depth = 1usize;
        let mut too_deep = false;
        while let Some(n) = input
            .get(i..)
            .and_then(|rest| memchr::memchr3(b'\\', b'(', b')', rest))
        {
            i += n;
            match input[i] {
                b'\\' => i += 1,
                b'(' => {
                    depth += 1;
                    too_deep |= depth > self.max_comment_depth;
                }
                // `)`
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        self.st.pos = i + 1;
                        if too_deep {
                            self.defect(AddressDefect::CommentTooDeep);
                            return Some(None);
                        }
                        return Some(Some((start, i)));
                    }
                }
            }
            i += 1;
        }
        self.defect(AddressDefect::UnclosedComment);
        self.st.comments_broken = true;
        self.st.pos += 1;
        None
    }
}

/// Text assembled from pieces of the input. It stays a borrowed slice while each piece is the
/// next bytes of the input (the usual case: one token, or tokens with nothing to unquote and
/// single spaces or dots between them) and is copied only once a piece is not.
struct Gather<'a> {
    input: &'a [u8],
    start: usize,
    end: usize,
    owned: Option<Vec<u8>>,
}

impl<'a> Gather<'a> {
    fn new(input: &'a [u8]) -> Self {
        Gather {
            input,
            start: 0,
            end: 0,
            owned: None,
        }
    }

    /// Appends `input[start..end]`.
    fn push(&mut self, start: usize, end: usize) {
        if start == end {
            return;
        }
        let piece = &self.input[start..end];
        match &mut self.owned {
            Some(out) => out.extend_from_slice(piece),
            None if self.start == self.end => (self.start, self.end) = (start, end),
            None if start == self.end => self.end = end,
            None => self.make_owned().extend_from_slice(piece),
        }
    }

    /// Appends one byte (a separator).
    fn push_byte(&mut self, b: u8) {
        match &mut self.owned {
            Some(out) => out.push(b),
            None if self.start < self.end && self.input.get(self.end) == Some(&b) => self.end += 1,
            None => self.make_owned().push(b),
        }
    }

    /// Appends the content of a quoted string or comment (`input[start..end]`) unescaped.
    fn push_unescaped(&mut self, start: usize, end: usize) {
        let input = self.input;
        let raw = &input[start..end];
        if needs_unescape(raw) {
            unescape(raw, self.make_owned());
        } else {
            self.push(start, end);
        }
    }

    /// Switches to an owned copy (once) and returns it.
    fn make_owned(&mut self) -> &mut Vec<u8> {
        let (input, start, end) = (self.input, self.start, self.end);
        self.owned.get_or_insert_with(|| input[start..end].to_vec())
    }

    /// Appends a token's text: a quoted string unescaped, anything else as written.
    fn push_token(&mut self, t: Token) {
        match t.kind {
            Kind::Quoted => self.push_unescaped(t.start, t.end),
            _ => self.push(t.start, t.end),
        }
    }

    /// The text as [`without_controls`] gives it; `whole` as for [`piece_text`].
    fn into_text(self, whole: Option<&'a str>) -> Cow<'a, str> {
        let text = match self.owned {
            Some(out) => match String::from_utf8(out) {
                Ok(s) => Cow::Owned(s),
                Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            },
            None => piece_text(self.input, whole, self.start, self.end),
        };
        without_controls(text)
    }

    fn finish(self) -> Cow<'a, [u8]> {
        match self.owned {
            Some(out) => Cow::Owned(out),
            None => Cow::Borrowed(&self.input[self.start..self.end]),
        }
    }
}

/// The position of the `close` byte ending a quoted string or domain literal whose content
/// starts at `from`, quoted pairs skipped.
fn find_close(input: &[u8], mut from: usize, close: u8) -> Option<usize> {
    loop {
        from += memchr::memchr2(b'\\', close, input.get(from..)?)?;
        if input[from] == close {
            return Some(from);
        }
        from += 2;
    }
}

/// Whether [`unescape`] would change `raw`.
fn needs_unescape(raw: &[u8]) -> bool {
    raw.iter().any(|&b| matches!(b, b'\\' | b'\r' | b'\n' | 0))
}

/// The content of a quoted string or comment: quoted pairs unescaped, CR, LF and NUL dropped.
fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let mut b = raw[i];
        if b == b'\\' && i + 1 < raw.len() {
            i += 1;
            b = raw[i];
        }
        if !matches!(b, b'\r' | b'\n' | 0) {
            out.push(b);
        }
        i += 1;
    }
}

/// `input[start..end]` as text, bad UTF-8 replaced. `whole` is the input when it is valid UTF-8
/// (checked once per list), so that a piece of it needs no check of its own.
fn piece_text<'a>(
    input: &'a [u8],
    whole: Option<&'a str>,
    start: usize,
    end: usize,
) -> Cow<'a, str> {
    match whole.and_then(|w| w.get(start..end)) {
        Some(text) => Cow::Borrowed(text),
        None => String::from_utf8_lossy(&input[start..end]),
    }
}

/// `text` without control characters; clean text (the usual case) is returned as it is.
fn without_controls(text: Cow<'_, str>) -> Cow<'_, str> {
    // C0 controls and DEL are single bytes; C1 controls start with 0xC2.
    if !text.bytes().any(|b| is(CONTROL, b)) {
        return text;
    }
    Cow::Owned(text.chars().filter(|c| !c.is_control()).collect())
}

/// The RFC 2047 decoding of `raw`, borrowing from the input when `raw` does and the decoding
/// changes nothing.
fn decode_words(raw: Cow<'_, [u8]>) -> Cow<'_, str> {
    match raw {
        Cow::Borrowed(raw) => encoded_word::decode(raw).text,
        Cow::Owned(raw) => Cow::Owned(encoded_word::decode(&raw).text.into_owned()),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser.

/// A run of words (atoms, quoted strings, dots) re-lexed on demand, so an element of any size
/// costs no token buffer.
#[derive(Clone, Copy)]
struct Span {
    state: LexState,
    end: usize,
    /// Where the text is in the input when it is as written (the usual case): atoms and dots
    /// with nothing between them, or one quoted string with nothing to unescape. Phrase and
    /// local part alike are then that slice, with no re-lexing.
    as_written: Option<(usize, usize)>,
}

struct Parser<'a, 'o> {
    lex: Lexer<'a>,
    /// The input when it is valid UTF-8 (the usual case).
    text: Option<&'a str>,
    peeked: Option<(LexState, Token)>,
    options: &'o ParseOptions,
    out: Vec<Address<'a>>,
    count: usize,
    stopped: bool,
    group: Option<Group<'a>>,
    /// Open groups beyond the one in `group` (flattened).
    extra_depth: usize,
}

impl<'a> Parser<'a, '_> {
    /// The next token (lexed once) and the lexer state before it, by reference: most callers
    /// only look at its kind.
    fn peek_full(&mut self) -> &(LexState, Token) {
        let lex = &mut self.lex;
        self.peeked.get_or_insert_with(|| (lex.st, lex.next()))
    }

    fn peek(&mut self) -> Token {
        self.peek_full().1
    }

    fn peek_kind(&mut self) -> Kind {
        self.peek_full().1.kind
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        self.peeked = None;
        t
    }

    fn defect(&mut self, d: AddressDefect) {
        self.lex.defect(d);
    }

    fn run(&mut self) {
        while !self.stopped {
            match self.peek_kind() {
                Kind::End => break,
                Kind::Special(b',') => {
                    self.bump();
                }
                Kind::Special(b';') => {
                    self.bump();
                    self.end_group();
                }
                _ => self.element(),
            }
        }
        if let Some(g) = self.group.take() {
            if !self.stopped {
                self.defect(AddressDefect::UnclosedGroup);
            }
            self.out.push(Address::Group(g));
        }
    }

    fn end_group(&mut self) {
        if self.extra_depth > 0 {
            self.extra_depth -= 1;
        } else if let Some(g) = self.group.take() {
            self.out.push(Address::Group(g));
        } else {
            self.defect(AddressDefect::UnexpectedSemicolon);
        }
    }

    fn start_group(&mut self, name: Option<Span>) {
        let depth = 1 + usize::from(self.group.is_some()) + self.extra_depth;
        if depth > self.options.max_group_depth {
            self.defect(AddressDefect::NestedGroup);
            self.extra_depth += 1;
        } else if self.group.is_some() {
            self.extra_depth += 1;
        } else {
            self.group = Some(Group {
                name: name.and_then(|s| self.phrase(s)).unwrap_or_default(),
                members: Vec::new(),
            });
        }
    }

    fn push(&mut self, m: Mailbox<'a>) {
        if self.count >= self.options.max_addresses {
            self.defect(AddressDefect::TooManyAddresses);
            self.stopped = true;
            return;
        }
        self.count += 1;
        match &mut self.group {
            Some(g) => g.members.push(m),
            None => self.out.push(Address::Mailbox(m)),
        }
    }

    /// Skips to the next `,`, `;` or the end (not consumed).
    fn skip_element(&mut self) {
        while !matches!(
            self.peek_kind(),
            Kind::End | Kind::Special(b',') | Kind::Special(b';')
        ) {
            self.bump();
        }
    }

    /// Consumes words, dots and quoted strings; returns their span if any.
    fn words(&mut self) -> Option<Span> {
        let (state, first) = *self.peek_full();
        let input = self.lex.input;
        let mut end = None;
        let mut as_written = Some((first.start, first.start));
        while let Kind::Word | Kind::Quoted | Kind::Special(b'.') = self.peek_kind() {
            let t = self.bump();
            // Nothing after a quoted string starts where its text ends (its `"` is there).
            as_written = as_written
                .filter(|&(_, end)| {
                    end == t.start
                        && !(t.kind == Kind::Quoted && needs_unescape(&input[t.start..t.end]))
                })
                .map(|(start, _)| (start, t.end));
            end = Some(t.raw_end());
        }
        end.map(|end| Span {
            state,
            end,
            as_written,
        })
    }

    fn relex(&self, span: Span, mut f: impl FnMut(Token)) {
        let mut lex = Lexer::new(self.lex.input, span.state, self.options, false);
        while lex.st.pos < span.end {
            let t = lex.next();
            if t.kind == Kind::End {
                break;
            }
            f(t);
        }
    }

    /// A display name: words joined by single spaces where whitespace was, RFC 2047-decoded.
    fn phrase(&self, span: Span) -> Option<Cow<'a, str>> {
        let raw = if let Some((start, end)) = span.as_written {
            Cow::Borrowed(&self.lex.input[start..end])
        } else {
            let mut raw = Gather::new(self.lex.input);
            let mut first = true;
            self.relex(span, |t| {
                if t.ws_before && !first {
                    raw.push_byte(b' ');
                }
                first = false;
                raw.push_token(t);
            });
            raw.finish()
        };
        let text = decode_words(raw);
        (!text.is_empty()).then_some(text)
    }

    /// A local part: words and dots concatenated, quoted strings unquoted.
    fn local_part(&mut self, span: Span) -> Cow<'a, str> {
        if let Some((start, end)) = span.as_written {
            // Two words are never adjacent there, so the local part is valid.
            return without_controls(piece_text(self.lex.input, self.text, start, end));
        }
        let mut raw = Gather::new(self.lex.input);
        let mut prev_word = false;
        let mut bad = false;
        self.relex(span, |t| {
            let is_word = t.kind != Kind::Special(b'.');
            bad |= is_word && prev_word;
            prev_word = is_word;
            raw.push_token(t);
        });
        if bad {
            self.defect(AddressDefect::InvalidLocalPart);
        }
        raw.into_text(self.text)
    }

    /// A domain: labels and dots (CFWS allowed between), or a domain literal.
    fn domain(&mut self) -> Cow<'a, str> {
        let mut out = Gather::new(self.lex.input);
        let mut prev_label = false;
        if self.peeked.is_none() {
            // Labels and dots with nothing between them (the usual case) are what the loop
            // below takes, token by token; one scan takes them at once.
            let (start, end) = self.lex.dot_atom_run();
            out.push(start, end);
            prev_label = end > start && self.lex.input[end - 1] != b'.';
        }
        loop {
            let t = self.peek();
            match t.kind {
                Kind::Word | Kind::Literal if !prev_label => prev_label = true,
                Kind::Special(b'.') => prev_label = false,
                _ => break,
            }
            self.bump();
            out.push(t.start, t.end);
        }
        out.into_text(self.text)
    }

    fn comment_name(&self, comment: Option<(usize, usize)>) -> Option<Cow<'a, str>> {
        let (start, end) = comment?;
        let mut raw = Gather::new(self.lex.input);
        raw.push_unescaped(start, end);
        match decode_words(raw.finish()) {
            Cow::Borrowed(text) => Some(Cow::Borrowed(text.trim())),
            Cow::Owned(text) if text.trim().len() == text.len() => Some(Cow::Owned(text)),
            Cow::Owned(text) => Some(Cow::Owned(text.trim().to_owned())),
        }
        .filter(|name| !name.is_empty())
    }

    fn element(&mut self) {
        let first_comment = self.peek_full().1.comment;
        let words = self.words();
        let t = self.peek();
        match t.kind {
            Kind::Special(b'<') => {
                self.bump();
                let name = words.and_then(|s| self.phrase(s));
                self.angle(name);
            }
            Kind::Special(b':') => {
                self.bump();
                self.start_group(words);
            }
            Kind::Special(b'@') => {
                self.bump();
                let Some(words) = words else {
                    self.defect(AddressDefect::MissingLocalPart);
                    self.skip_element();
                    return;
                };
                let local_part = self.local_part(words);
                let domain = self.domain();
                if domain.is_empty() {
                    self.defect(AddressDefect::MissingDomain);
                }
                let next = self.peek();
                match next.kind {
                    Kind::Special(b'<') => {
                        self.bump();
                        self.defect(AddressDefect::UnquotedDisplayName);
                        let name = self
                            .phrase(words)
                            .map(|n| Cow::Owned(format!("{n}@{domain}")));
                        self.angle(name);
                    }
                    kind => {
                        let name = self
                            .comment_name(next.comment)
                            .or_else(|| self.comment_name(first_comment));
                        self.push(Mailbox {
                            name,
                            local_part,
                            domain,
                            route: Vec::new(),
                        });
                        if !matches!(kind, Kind::End | Kind::Special(b',') | Kind::Special(b';')) {
                            self.defect(AddressDefect::UnexpectedText);
                            self.skip_element();
                        }
                    }
                }
            }
            Kind::End | Kind::Special(b',') | Kind::Special(b';') => {
                if let Some(words) = words {
                    self.defect(AddressDefect::MissingDomain);
                    let local_part = self.local_part(words);
                    let name = self
                        .comment_name(t.comment)
                        .or_else(|| self.comment_name(first_comment));
                    self.push(Mailbox {
                        name,
                        local_part,
                        domain: Cow::Borrowed(""),
                        route: Vec::new(),
                    });
                }
            }
            _ => {
                self.defect(AddressDefect::UnexpectedText);
                self.bump();
                self.skip_element();
            }
        }
    }

    /// After `<`: `[route:] addr-spec >`.
    fn angle(&mut self, name: Option<Cow<'a, str>>) {
        let mut route = Vec::new();
        if self.peek_kind() == Kind::Special(b'@') {
            loop {
                self.bump();
                let d = self.domain();
                if !d.is_empty() {
                    route.push(d);
                }
                while self.peek_kind() == Kind::Special(b',') {
                    self.bump();
                }
                match self.peek_kind() {
                    Kind::Special(b'@') => {}
                    Kind::Special(b':') => {
                        self.bump();
                        break;
                    }
                    _ => {
                        self.defect(AddressDefect::InvalidRoute);
                        break;
                    }
                }
            }
        }
        let local_part = self.words().map(|s| self.local_part(s));
        let mut domain = Cow::Borrowed("");
        if self.peek_kind() == Kind::Special(b'@') {
            self.bump();
            domain = self.domain();
        }
        let mut junk = false;
        loop {
            match self.peek_kind() {
                Kind::Special(b'>') => {
                    self.bump();
                    break;
                }
                Kind::End | Kind::Special(b',') | Kind::Special(b';') => {
                    self.defect(AddressDefect::MissingAngleClose);
                    break;
                }
                _ => {
                    junk = true;
                    self.bump();
                }
            }
        }
        if junk {
            self.defect(AddressDefect::UnexpectedText);
        }
        match local_part {
            None if domain.is_empty() => self.defect(AddressDefect::EmptyAddress),
            None => self.defect(AddressDefect::MissingLocalPart),
            Some(local_part) => {
                if domain.is_empty() {
                    self.defect(AddressDefect::MissingDomain);
                }
                self.push(Mailbox {
                    name,
                    local_part,
                    domain,
                    route,
                });
            }
        }
        if !matches!(
            self.peek_kind(),
            Kind::End | Kind::Special(b',') | Kind::Special(b';')
        ) {
            self.defect(AddressDefect::UnexpectedText);
            self.skip_element();
        }
    }
}

#[cfg(test)]
#[path = "address/tests.rs"]
mod tests;
