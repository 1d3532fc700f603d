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
/// A parsed field keeps three views of the same input bytes: [`raw`](Header::raw) (the whole
/// field: name, colon, value with its folding, and the final line ending), [`name`](Header::name)
/// as written, and [`value`](Header::value) (everything after the colon up to, not including,
/// the final line ending; folding kept). A line of the header block that is not a field (an
/// mbox `From ` line, a continuation line first) is kept as a *malformed* field with an empty
/// name, so that the block still round-trips; name lookups never match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub(crate) raw: Bytes,
    pub(crate) name: Bytes,
    pub(crate) value: Bytes,
    pub(crate) state: HeaderState,
}

impl Header {
    /// A new header (state [`HeaderState::New`]); `value` is what follows the colon, written
    /// as given by the canonical writer (callers encode and fold it; it must not contain bare
    /// CR or LF except as folding).
    pub fn new(name: impl Into<Bytes>, value: impl Into<Bytes>) -> Self {
        Header {
            raw: Bytes::new(),
            name: name.into(),
            value: value.into(),
            state: HeaderState::New,
        }
    }

    /// A parsed field from its raw bytes and the lengths of its parts (used by the parser).
    pub(crate) fn parsed(name: Bytes, value: Bytes, raw: Bytes) -> Self {
        Header {
            raw,
            name,
            value,
            state: HeaderState::Parsed,
        }
    }

    /// The field name as written (empty for a malformed line).
    pub fn name(&self) -> &[u8] {
        &self.name
    }

    /// The field name as text (lossy for 8-bit names, which the parser never produces).
    pub fn name_str(&self) -> &str {
        std::str::from_utf8(&self.name).unwrap_or("")
    }

    /// The raw value: the bytes after the colon, folding kept, without the final line ending.
    pub fn value(&self) -> &Bytes {
        &self.value
    }

    /// The whole field as read (name to line ending), or `None` once modified or for a new
    /// field.
    pub fn raw(&self) -> Option<&Bytes> {
        (self.state == HeaderState::Parsed).then_some(&self.raw)
    }

    /// Whether the name is `name` (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        !self.name.is_empty() && self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// Whether this is a line of the header block that is not a field.
    pub fn is_malformed(&self) -> bool {
        self.name.is_empty()
    }

    /// Parsed, modified or new.
    pub fn state(&self) -> HeaderState {
        self.state
    }

    /// Replaces the value (what follows the colon); the header becomes
    /// [`HeaderState::Modified`] (or stays [`HeaderState::New`]).
    pub fn set_value(&mut self, value: impl Into<Bytes>) {
        self.value = value.into();
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
    pub fn value(&self, name: &str) -> Option<&Bytes> {
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
