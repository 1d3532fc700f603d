//! `Received`, `Message-ID`, `References` and `In-Reply-To` fields from MimeKit's test messages
//! (`$MAILKIT_CORPUS/mimekit/messages/`), nested messages included.
//!
//! Without `MAILKIT_CORPUS` these tests say so and pass, unless `CI` or `MAILKIT_REQUIRE_SERVERS`
//! is set: then a missing corpus is a failure, so CI never passes by skipping.

mod common;

use std::path::PathBuf;

use mail_kit_mime::header::{msg_id, received};

fn messages_dir() -> Option<PathBuf> {
    common::corpus("mimekit/messages", "header corpus tests")
}

/// Every field named `name` found at the start of a line anywhere in the corpus (so nested
/// messages count too), with its continuation lines: `(file, value)`.
fn fields(name: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let dir = messages_dir()?;
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if line.len() < prefix.len()
                || !line[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            {
                continue;
            }
            let mut value = line[prefix.len()..].to_vec();
            while i < lines.len() && lines[i].first().is_some_and(|&b| b == b' ' || b == b'\t') {
                value.extend_from_slice(b"\n");
                value.extend_from_slice(lines[i]);
                i += 1;
            }
            out.push((file.clone(), value));
        }
    }
    Some(out)
}

#[test]
fn received_fields_parse() {
    let Some(fields) = fields("Received") else {
        return;
    };
    assert!(
        fields.len() >= 20,
        "only {} Received fields found",
        fields.len()
    );
    let mut with_for = 0;
    for (file, value) in &fields {
        let r = received::parse(value);
        let shown = String::from_utf8_lossy(value);
        // qmail writes only a comment: `(qmail 21619 invoked from network); date`.
        assert!(
            r.by().is_some() || r.from().is_some() || !r.clauses[0].comments.is_empty(),
            "{file}: {shown}"
        );
        assert!(r.date.is_some(), "{file}: no date in {shown}");
        assert!(!r.defect, "{file}: defect in {shown}");
        if let Some(host) = r.by() {
            // issue358.txt has `by  with SMTP`: an empty host, kept as such.
            assert!(!host.contains(' '), "{file}: by {host:?}");
        }
        with_for += usize::from(r.for_recipient().is_some_and(|f| f.contains('@')));
    }
    assert!(with_for >= 5, "only {with_for} `for` clauses read");
}

#[test]
fn message_id_fields_parse() {
    let Some(ids) = fields("Message-ID") else {
        return;
    };
    assert!(ids.len() >= 10);
    for (file, value) in &ids {
        let id = msg_id::parse(value).unwrap_or_else(|| panic!("{file}: no id"));
        assert!(id.as_str().contains('@'), "{file}: {id}");
        let written = id.to_header_string();
        assert_eq!(msg_id::parse(written.as_bytes()).as_ref(), Some(&id));
    }
    let mut lists = fields("References").unwrap();
    lists.extend(fields("In-Reply-To").unwrap());
    assert!(!lists.is_empty());
    for (file, value) in &lists {
        let parsed = msg_id::parse_list(value);
        assert!(!parsed.ids.is_empty(), "{file}");
        assert!(
            parsed.ids.iter().all(|id| id.as_str().contains('@')),
            "{file}"
        );
    }
}
