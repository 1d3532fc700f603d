//! Header fields as read: ordered, duplicates kept, raw bytes preserved, case-insensitive lookup.

use bytes::Bytes;

/// Whether a header is as parsed or was changed since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderState {
    /// As read from the input: [`Header::raw`] is written back verbatim.
    Parsed,
    /// A parsed header whose value was replaced: written canonically.
    Modified,
    /// Added after parsing (or built): written canonically.
    New,
}

/// One header field.
///
/// A parsed field keeps the input bytes of the whole field ([`raw`](Header::raw): name, colon,
/// value with its folding, and the final line ending) as one zero-copy slice, and where in it
/// the [`name`](Header::name) (as written) and the [`value`](Header::value) (everything after
/// the colon up to, not including, the final line ending; folding kept) are. A line of the
/// header block that is not a field (an mbox `From ` line, a continuation line first, a
/// folded value that lost its indentation) is kept as a *malformed* field with an empty name,
/// so that the block still round-trips; name lookups never match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The raw field when parsed; the name alone for a new field.
    bytes: Bytes,
    name: (u32, u32),
    value: (u32, u32),
    /// The value set after parsing (or for a new field).
    replaced: Option<Bytes>,
    state: HeaderState,
}

impl Header {
    /// A new header (state [`HeaderState::New`]); `value` is what follows the colon, written
    /// as given by the canonical writer (which refuses a CR, LF or NUL outside a fold), so
    /// encode and fold it first (the typed setters of [`HeaderList`] do).
    pub fn new(name: impl Into<Bytes>, value: impl Into<Bytes>) -> Self {
        let bytes = name.into();
        Header {
            name: (0, bytes.len() as u32),
            value: (0, 0),
            bytes,
            replaced: Some(value.into()),
            state: HeaderState::New,
        }
    }

    /// A parsed field: `raw` is the whole field, `name` and `value` ranges in it (used by the
    /// parser, which keeps fields under 4 GiB).
    pub(crate) fn parsed(raw: Bytes, name: (usize, usize), value: (usize, usize)) -> Self {
        Header {
            bytes: raw,
            name: (name.0 as u32, name.1 as u32),
            value: (value.0 as u32, value.1 as u32),
            replaced: None,
            state: HeaderState::Parsed,
        }
    }

    /// The field name as written (empty for a malformed line).
    pub fn name(&self) -> &[u8] {
        &self.bytes[self.name.0 as usize..self.name.1 as usize]
    }

    /// The field name as text (empty for a malformed line; names are printable ASCII).
    pub fn name_str(&self) -> &str {
        std::str::from_utf8(self.name()).unwrap_or("")
    }

    /// The raw value: the bytes after the colon, folding kept, without the final line ending
    /// (for a malformed line: the whole line without its line ending).
    pub fn value(&self) -> &[u8] {
        match &self.replaced {
            Some(value) => value,
            None => &self.bytes[self.value.0 as usize..self.value.1 as usize],
        }
    }

    /// The raw value as a zero-copy [`Bytes`].
    pub fn value_bytes(&self) -> Bytes {
        match &self.replaced {
            Some(value) => value.clone(),
            None => self
                .bytes
                .slice(self.value.0 as usize..self.value.1 as usize),
        }
    }

    /// The whole field as read (name to line ending), or `None` once modified or for a new
    /// field.
    pub fn raw(&self) -> Option<&Bytes> {
        (self.state == HeaderState::Parsed).then_some(&self.bytes)
    }

    /// Whether the name is `name` (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.1 > self.name.0 && self.name().eq_ignore_ascii_case(name.as_bytes())
    }

    /// Whether this is a line of the header block that is not a field.
    pub fn is_malformed(&self) -> bool {
        self.name.1 == self.name.0
    }

    /// Parsed, modified or new.
    pub fn state(&self) -> HeaderState {
        self.state
    }

    /// Replaces the value (what follows the colon); the header becomes
    /// [`HeaderState::Modified`] (or stays [`HeaderState::New`]).
    pub fn set_value(&mut self, value: impl Into<Bytes>) {
        self.replaced = Some(value.into());
        if self.state == HeaderState::Parsed {
            self.state = HeaderState::Modified;
        }
    }
}

/// The header block of an entity: fields in order, plus the separator that ended the block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderList {
    pub(crate) fields: Vec<Header>,
    /// The blank line that ended the block as read (`\r\n`, `\n`, or empty when missing).
    pub(crate) separator: Bytes,
    /// Set when fields were inserted, removed or reordered (each field's own state says
    /// whether its value changed).
    pub(crate) reordered: bool,
}

impl HeaderList {
    /// An empty list (for building).
    pub fn new() -> Self {
        HeaderList {
            reordered: true,
            ..HeaderList::default()
        }
    }

    /// A parsed (pristine) list with room for `n` fields.
    pub(crate) fn with_capacity(n: usize) -> Self {
        HeaderList {
            fields: Vec::with_capacity(n),
            ..HeaderList::default()
        }
    }

    /// All fields in order (malformed lines included).
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.fields.iter()
    }

    /// Number of fields (malformed lines included).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The first field named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Header> {
        self.fields.iter().find(|h| h.is(name))
    }

    /// The raw value of the first field named `name`.
    pub fn value(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(Header::value)
    }

    /// Every field named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.fields.iter().filter(move |h| h.is(name))
    }

    /// The blank line that ended the block as read (empty when it was missing).
    pub fn separator(&self) -> &Bytes {
        &self.separator
    }

    /// Whether every field is as parsed, in the parsed order: the block is then written back
    /// byte for byte.
    pub fn is_pristine(&self) -> bool {
        !self.reordered && self.fields.iter().all(|h| h.state == HeaderState::Parsed)
    }

    /// Appends a field (the block is no longer pristine).
    pub fn push(&mut self, header: Header) {
        self.reordered = true;
        self.fields.push(header);
    }

    /// Mutable access to the fields; the block is then treated as changed.
    pub fn fields_mut(&mut self) -> &mut Vec<Header> {
        self.reordered = true;
        &mut self.fields
    }
}

impl<'a> IntoIterator for &'a HeaderList {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}
