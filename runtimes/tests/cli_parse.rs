//! `mailkit parse` end to end: the binary on files and standard input, `--summary` (the
//! default), `--json`, `--mbox`, and its usage errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The binary under test.
const MAILKIT: &str = env!("CARGO_BIN_EXE_mailkit");

/// A nested message: mixed > (alternative > plain, html), a base64 attachment, a forwarded
/// message whose body is itself a multipart.
const NESTED: &str = "From: =?utf-8?Q?Ren=C3=A9e?= <renee@example.org>\r\n\
To: bob@example.org\r\n\
Subject: =?utf-8?B?Q2Fmw6kgbWVudQ==?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=outer\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
caf=C3=A9\r\n\
--inner\r\n\
Content-Type: text/html\r\n\
\r\n\
<p>cafe</p>\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=utf-8''men%C3%BC.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
Subject: inner\r\n\
Content-Type: multipart/mixed; boundary=deep\r\n\
\r\n\
--deep\r\n\
\r\n\
no content type here\r\n\
--deep--\r\n\
--outer--\r\n";

const NESTED_SUMMARY: &str = "Content-Type: multipart/mixed
   Content-Type: multipart/alternative
      Content-Type: text/plain
      Content-Type: text/html
   Content-Type: application/pdf
   Content-Type: message/rfc822
      Content-Type: multipart/mixed
         Content-Type: text/plain
";

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailkit-cli-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn mailkit(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(MAILKIT)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mailkit runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn summary_is_the_default_and_indents_by_nesting() {
    let path = temp_file("nested.eml", NESTED.as_bytes());
    let path = path.to_str().unwrap();
    assert_eq!(stdout_of(&mailkit(&["parse", path], b"")), NESTED_SUMMARY);
    assert_eq!(
        stdout_of(&mailkit(&["parse", "--summary", path], b"")),
        NESTED_SUMMARY
    );
}

#[test]
fn standard_input_with_dash_or_nothing() {
    assert_eq!(
        stdout_of(&mailkit(&["parse", "-"], NESTED.as_bytes())),
        NESTED_SUMMARY
    );
    assert_eq!(
        stdout_of(&mailkit(&["parse"], NESTED.as_bytes())),
        NESTED_SUMMARY
    );
}

#[test]
fn mbox_summary_prints_each_from_line_first() {
    let mut mbox = Vec::new();
    mbox.extend_from_slice(b"From renee@example.org Fri Dec  4 18:00:00 2026\n");
    mbox.extend_from_slice(NESTED.as_bytes());
    mbox.extend_from_slice(b"\nFrom bob@example.org Fri Dec  4 18:00:01 2026\n");
    mbox.extend_from_slice(b"Subject: plain\n\n>From the body\n\n");
    let path = temp_file("two.mbox", &mbox);
    let out = stdout_of(&mailkit(&["parse", "--mbox", path.to_str().unwrap()], b""));
    assert_eq!(
        out,
        format!(
            "From renee@example.org Fri Dec  4 18:00:00 2026\n{NESTED_SUMMARY}\
             From bob@example.org Fri Dec  4 18:00:01 2026\nContent-Type: text/plain\n"
        )
    );
}

#[test]
fn json_has_decoded_headers_tree_sizes_file_names_and_defects() {
    let out = stdout_of(&mailkit(&["parse", "--json", "-"], NESTED.as_bytes()));
    assert_eq!(out.lines().count(), 1, "one object per message and line");
    let root: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(root["content_type"], "multipart/mixed");
    let header = |entity: &serde_json::Value, name: &str| {
        entity["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .map(|h| h["value"].as_str().unwrap().to_owned())
    };
    assert_eq!(header(&root, "Subject").as_deref(), Some("Café menu"));
    assert_eq!(
        header(&root, "From").as_deref(),
        Some("Renée <renee@example.org>")
    );
    let parts = root["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    let plain = &parts[0]["parts"][0];
    assert_eq!(plain["content_type"], "text/plain");
    // The line break before a delimiter belongs to the delimiter: "café" is 5 bytes.
    assert_eq!(plain["decoded_size"], 5);
    let pdf = &parts[1];
    assert_eq!(pdf["filename"], "menü.pdf");
    assert_eq!(pdf["size"], 12);
    assert_eq!(pdf["decoded_size"], 9, "base64 decoded: %PDF-1.4\\n");
    let forwarded = &parts[2];
    assert_eq!(forwarded["content_type"], "message/rfc822");
    assert_eq!(
        forwarded["parts"][0]["parts"][0]["content_type"],
        "text/plain"
    );
    assert_eq!(root["defects"].as_array().unwrap().len(), 0);
}

#[test]
fn json_reports_defects() {
    let broken = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nQUJD*!\r\n";
    let out = stdout_of(&mailkit(&["parse", "--json"], broken));
    let root: serde_json::Value = serde_json::from_str(&out).unwrap();
    let defects = root["defects"].as_array().unwrap();
    assert!(
        defects
            .iter()
            .any(|d| d.as_str().unwrap().contains("closing boundary")),
        "{defects:?}"
    );
    let part_defects = root["parts"][0]["defects"].as_array().unwrap();
    assert!(
        part_defects
            .iter()
            .any(|d| d == "malformed transfer encoding"),
        "{part_defects:?}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let both = mailkit(&["parse", "--summary", "--json", "-"], b"");
    assert_eq!(both.status.code(), Some(2));
    let missing = mailkit(&["parse", "/nonexistent/mailkit-no-such-file.eml"], b"");
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.starts_with("error: cannot read /nonexistent/"),
        "{stderr}"
    );
}
