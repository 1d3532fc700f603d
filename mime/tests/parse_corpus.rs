//! The parser on real messages: MimeKit's test messages (`$MAILKIT_CORPUS/mimekit/`) and
//! MailKit's message payloads (`$MAILKIT_CORPUS/mailkit-transcripts/imap/common/*.msg`).
//!
//! Every message parses without panic, writes back byte for byte, gives the same model when
//! streamed in small chunks, and its top header block matches a header-only parse; for a
//! handful of files the tree is checked against what the file holds.
//!
//! Without `MAILKIT_CORPUS` these tests say so and pass, unless `CI` or
//! `MAILKIT_REQUIRE_SERVERS` is set: then a missing corpus is a failure.

mod common;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use mail_kit_mime::parser::{KeepInMemory, MessageStream};
use mail_kit_mime::{Defect, Entity, parse, parse_headers};

fn corpus() -> Option<PathBuf> {
    common::corpus("", "parser corpus tests")
}

/// Message files (`.eml`, `.msg`, `.txt`) in `dir`, sorted.
fn messages_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("eml" | "msg" | "txt")
            )
        })
        .collect();
    files.sort();
    files
}

/// One line per entity: indentation, `type/subtype`, and its defects when any.
fn tree(entity: &Entity) -> Vec<String> {
    entity
        .walk()
        .map(|(depth, e)| {
            let mut line = format!("{}{}", "   ".repeat(depth), e.content_type().mime_type());
            if !e.defects().is_empty() {
                line += &format!(" {:?}", e.defects());
            }
            line
        })
        .collect()
}

#[test]
fn every_corpus_message_parses_round_trips_and_streams_alike() {
    let Some(root) = corpus() else { return };
    let dirs = [
        "mimekit/messages",
        "mimekit/dkim",
        "mimekit/partial",
        "mimekit/openpgp",
        "mimekit/yenc",
        "mailkit-transcripts/imap/common",
    ];
    let mut count = 0;
    for dir in dirs {
        for path in messages_in(&root.join(dir)) {
            let data = std::fs::read(&path).unwrap();
            let name = path.display();
            let whole = parse(Bytes::from(data.clone()));
            assert_eq!(whole.to_bytes().unwrap(), data, "{name}: round trip");
            for chunk in [7, 4096] {
                let mut stream = MessageStream::new(KeepInMemory);
                for piece in data.chunks(chunk) {
                    stream.feed(piece);
                }
                assert_eq!(
                    stream.finish().0,
                    whole,
                    "{name}: streamed in {chunk}-byte chunks"
                );
            }
            assert_eq!(
                &parse_headers(data.clone()),
                whole.headers(),
                "{name}: header-only"
            );
            let ranges = whole.ranges().unwrap();
            assert_eq!(
                (ranges.header_start, ranges.end),
                (0, data.len() as u64),
                "{name}"
            );
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} corpus messages found");
}

fn corpus_tree(file: &str) -> Option<Vec<String>> {
    let data = std::fs::read(corpus()?.join("mimekit").join(file)).unwrap();
    Some(tree(&parse(data)))
}

#[test]
fn known_trees() {
    let expected: &[(&str, &[&str])] = &[
        (
            "messages/simple-embedded-message.eml",
            &[
                "multipart/mixed",
                "   text/plain",
                "   message/rfc822",
                "      text/plain",
            ],
        ),
        (
            "messages/rfc2060.txt",
            &[
                "multipart/mixed",
                "   text/plain",
                "   application/octet-stream",
                "   message/rfc822",
                "      multipart/mixed",
                "         text/plain",
                "         application/octet-stream",
                "   multipart/mixed [MissingClosingBoundary]",
                "      image/gif",
                "      message/rfc822",
                "         multipart/mixed",
                "            text/plain",
                "            multipart/alternative",
                "               text/plain",
                "               text/richtext",
            ],
        ),
        (
            // An mbox `From ` line first; digest parts default to message/rfc822.
            "messages/multipart-digest.txt",
            &[
                "message/rfc822 [InvalidHeaderLine]",
                "   multipart/digest",
                "      message/rfc822",
                "         text/plain",
                "      message/rfc822",
                "         text/plain",
            ],
        ),
        (
            "messages/empty-multipart.txt",
            &[
                "multipart/mixed",
                "   multipart/alternative [StartBoundaryNotFound]",
                "   text/plain",
            ],
        ),
        (
            // A folded value that lost its indentation stays in the header block.
            "messages/issue358.txt",
            &[
                "multipart/alternative [InvalidHeaderLine]",
                "   text/plain",
                "   text/html",
            ],
        ),
        (
            // A UTF-8 byte order mark before the first field.
            "messages/feedback-report.txt",
            &[
                "multipart/report",
                "   text/plain",
                "   message/feedback-report",
                "   message/rfc822",
                "      text/plain",
            ],
        ),
        (
            "messages/missing-subtype.txt",
            &["text/plain [InvalidContentType]"],
        ),
        (
            "dkim/multipart-no-end-boundary.msg",
            &[
                "multipart/alternative [MissingClosingBoundary]",
                "   text/plain",
                "   text/html",
            ],
        ),
        (
            "openpgp/[Announce] GnuPG 2.1.20 released.eml",
            &[
                "multipart/mixed",
                "   multipart/signed",
                "      text/plain",
                "      application/pgp-signature",
                "   text/plain",
            ],
        ),
    ];
    for (file, tree) in expected {
        let Some(got) = corpus_tree(file) else { return };
        assert_eq!(got, *tree, "{file}");
    }
}

#[test]
fn known_contents() {
    let Some(root) = corpus() else { return };
    let read = |f: &str| parse(std::fs::read(root.join("mimekit/messages").join(f)).unwrap());
    let m = read("simple-multipart.eml");
    let mail_kit_mime::Body::Multipart(mp) = m.body() else {
        panic!("simple-multipart.eml is not a multipart")
    };
    assert_eq!(mp.preamble.len(), 32);
    assert_eq!(mp.epilogue.len(), 34);
    let m = read("epilogue.txt");
    let mail_kit_mime::Body::Multipart(mp) = m.body() else {
        panic!("epilogue.txt is not a multipart")
    };
    assert_eq!(mp.epilogue.len(), 108);
    let m = read("delivery-status-multiple-blank-lines.txt");
    assert_eq!(m.defects(), [Defect::MissingClosingBoundary]);
    let m = read("japanese.txt");
    assert!(
        m.text_body()
            .unwrap()
            .chars()
            .any(|c| ('\u{3040}'..'\u{30ff}').contains(&c))
    );
}
