//! Groups of header-like fields, as the bodies of delivery-status and disposition-notification
//! reports hold them.

use crate::header::date::{self, DateTime};
use crate::model::HeaderList;
use crate::parser::parse_headers;

/// One group of fields (blank-line separated in the report body), with lookup by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldGroup {
    headers: HeaderList,
}

/// A field value of the form `type; value` (`dns; mx.example.org`,
/// `rfc822; user@example.org`, `smtp; 550 5.1.1 unknown user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedValue {
    /// The type before the `;`, lowercased (`dns`, `rfc822`, `smtp`, `x-local`, ...); empty
    /// when the value has no `;`.
    pub kind: String,
    /// The value after the `;`, trimmed.
    pub value: String,
}

impl FieldGroup {
    /// The fields as parsed.
    pub fn headers(&self) -> &HeaderList {
        &self.headers
    }

    /// The first field `name`, unfolded and trimmed (lossy UTF-8).
    pub fn get(&self, name: &str) -> Option<String> {
        let raw = self.headers.value(name)?;
        let unfolded: Vec<u8> = raw
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        Some(String::from_utf8_lossy(&unfolded).trim().to_owned())
    }

    /// The first field `name` read as `type; value`.
    pub fn typed(&self, name: &str) -> Option<TypedValue> {
        let text = self.get(name)?;
        Some(match text.split_once(';') {
            Some((kind, value)) => TypedValue {
                kind: kind.trim().to_ascii_lowercase(),
                value: value.trim().to_owned(),
            },
            None => TypedValue {
                kind: String::new(),
                value: text,
            },
        })
    }

    /// The first field `name` read as a date (leniently).
    pub fn date(&self, name: &str) -> Option<DateTime> {
        date::parse_lenient(self.get(name)?.as_bytes()).map(|(d, _)| d)
    }
}

/// Splits a report body into field groups at blank lines (any number of them). A line that
/// starts a field named in `second_kind` also ends the first group when that holds none of
/// them: real reports sometimes omit the blank line between the per-message and the first
/// per-recipient group.
pub(super) fn groups(body: &[u8], second_kind: &[&str]) -> Vec<FieldGroup> {
    let mut out = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut has_second = false;
    let flush = |current: &mut Vec<u8>, out: &mut Vec<FieldGroup>| {
        if !current.is_empty() {
            current.extend_from_slice(b"\r\n");
            out.push(FieldGroup {
                headers: parse_headers(std::mem::take(current)),
            });
        }
    };
    for line in body.split_inclusive(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            flush(&mut current, &mut out);
            has_second = false;
            continue;
        }
        let second = second_kind.iter().any(|name| starts_field(line, name));
        if second && !has_second && !current.is_empty() && out.is_empty() {
            flush(&mut current, &mut out);
        }
        has_second |= second;
        current.extend_from_slice(line);
    }
    flush(&mut current, &mut out);
    out
}

/// Whether `line` starts the field `name` (`Name:` or `Name :`, any case).
fn starts_field(line: &[u8], name: &str) -> bool {
    line.len() > name.len()
        && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && line[name.len()..].trim_ascii_start().starts_with(b":")
}
