//! MailKit's test corpus (`$MAILKIT_CORPUS/mailkit-transcripts`, see `shared/corpora/README.md`):
//! where it is, and its `replay-pairs.tsv` (each row: a command MailKit's test wrote and the
//! server file its scripted stream answered with).

use std::path::{Path, PathBuf};

/// `$MAILKIT_CORPUS/mailkit-transcripts`, or `None` (after saying so) when the variable is not
/// set. Under CI (`CI` or `MAILKIT_REQUIRE_SERVERS` set) a missing corpus is a failure.
pub fn mailkit_transcripts() -> Option<PathBuf> {
    match std::env::var_os("MAILKIT_CORPUS") {
        Some(dir) => {
            let dir = PathBuf::from(dir).join("mailkit-transcripts");
            assert!(
                dir.join("replay-pairs.tsv").is_file(),
                "MAILKIT_CORPUS is set but {} has no replay-pairs.tsv",
                dir.display()
            );
            Some(dir)
        }
        None => {
            let required = ["MAILKIT_REQUIRE_SERVERS", "CI"]
                .iter()
                .find(|v| std::env::var_os(v).is_some());
            if let Some(var) = required {
                panic!("MAILKIT_CORPUS not set, and {var} is: CI never passes by skipping");
            }
            println!("MAILKIT_CORPUS not set: skipping corpus tests");
            None
        }
    }
}

/// One row of `replay-pairs.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRow {
    /// The command bytes MailKit wrote (unescaped; empty for a greeting).
    pub command: Vec<u8>,
    /// The server file that answered, e.g. `gmail.retr1.txt` (`<dir>.<file>`).
    pub resource: String,
    /// The row's extra arguments column.
    pub extra: String,
}

/// The rows of `protocol`, grouped into sessions: a row with no command (the greeting) starts
/// one; rows before the first greeting are dropped.
pub fn pair_sessions(dir: &Path, protocol: &str) -> Vec<Vec<PairRow>> {
    let tsv = std::fs::read_to_string(dir.join("replay-pairs.tsv")).expect("replay-pairs.tsv");
    let mut sessions: Vec<Vec<PairRow>> = Vec::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.first() != Some(&protocol) {
            continue;
        }
        let row = PairRow {
            command: unescape(cols.get(2).copied().unwrap_or("")),
            resource: cols.get(3).copied().unwrap_or("").to_owned(),
            extra: cols.get(4).copied().unwrap_or("").to_owned(),
        };
        if row.command.is_empty() {
            sessions.push(vec![row]);
        } else if let Some(session) = sessions.last_mut() {
            session.push(row);
        }
    }
    sessions
}

/// Undoes the TSV's C escapes.
pub fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some(other) => {
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    out
}
