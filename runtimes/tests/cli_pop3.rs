//! `mailkit pop3` end to end: the binary against the real Dovecot when
//! `tests/servers/start.sh` runs (a message is first delivered through Postfix with the
//! library's SMTP client), and its usage errors without any server.
//!
//! The contract checked here: `stat`, `list`, `uidl` print one plain line per item; `retr`
//! writes the message exactly as stored (the Maildir file with CRLF line ends) to stdout or
//! `--out`; `top N 0` the header; `dele` removes the message at QUIT. Exit 0 on success, 1
//! with exactly one `error: ...` line when the server refused or the connection failed (a
//! failed `retr --out` leaves no file), 2 for usage errors; the password only from
//! `MAILKIT_PASSWORD` and never on stderr.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cli_run::{Run, mailkit};
use mail_kit::blocking::SmtpClient;
use mail_kit::smtp::{Address, Envelope};
use mail_kit::{Credentials, Roots, SmtpOptions, TlsSettings};

mod cli_run;

/// The mailbox the CLI tests read and delete mail of.
const USER: &str = "carol";
const PASSWORD: &str = "carol-secret";

/// Where `tests/servers/start.sh` put the real servers.
struct Dovecot {
    pop3: u16,
    pop3s: u16,
    submission: u16,
    ca_file: String,
    maildir: PathBuf,
}

/// The real servers from the environment; `None` (after saying so) when they are not
/// running, unless `MAILKIT_REQUIRE_SERVERS` makes that a failure.
fn dovecot() -> Option<Dovecot> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(pop3) = var("MAILKIT_POP3_PORT") else {
        assert!(
            var("MAILKIT_REQUIRE_SERVERS").is_none(),
            "MAILKIT_REQUIRE_SERVERS is set but the real servers are not running \
             (MAILKIT_POP3_PORT is unset)"
        );
        eprintln!("real servers not running: skipping");
        return None;
    };
    let need = |name: &str| var(name).unwrap_or_else(|| panic!("{name} is not set"));
    let port = |name: &str| need(name).parse().unwrap_or_else(|_| panic!("{name}"));
    Some(Dovecot {
        pop3: pop3.parse().expect("MAILKIT_POP3_PORT"),
        pop3s: port("MAILKIT_POP3S_PORT"),
        submission: port("MAILKIT_SMTP_SUBMISSION_PORT"),
        ca_file: need("MAILKIT_CA_FILE"),
        maildir: Path::new(&need("MAILKIT_MAILDIR_ROOT"))
            .join(USER)
            .join("Maildir"),
    })
}

/// A delivered message as POP3 serves it.
struct Stored {
    /// The `UIDL` unique id: the Maildir file's base name.
    uid: String,
    /// The Maildir file (LF line ends) with CRLF line ends.
    bytes: Vec<u8>,
}

impl Dovecot {
    fn pop3s_url(&self) -> String {
        format!("pop3s://localhost:{}", self.pop3s)
    }

    fn pop3_url(&self) -> String {
        format!("pop3://localhost:{}", self.pop3)
    }

    /// `mailkit pop3 --server URL --ca-file CA --user carol ARGS` with `password`.
    fn pop3(&self, url: &str, args: &[&str], password: &str) -> Run {
        let mut all = vec!["pop3", "--server", url, "--ca-file", &self.ca_file];
        all.extend_from_slice(&["--user", USER]);
        all.extend_from_slice(args);
        mailkit(&all, b"", &[("MAILKIT_PASSWORD", password)])
    }

    /// Sends a message carrying `token` to carol through Postfix and reads it back from
    /// the Maildir.
    fn deliver(&self, token: &str) -> Stored {
        let tls = TlsSettings::new()
            .roots(Roots::None)
            .add_ca_file(&self.ca_file);
        let options = SmtpOptions::new("localhost", self.submission)
            .unwrap()
            .tls_settings(tls);
        let mut smtp = SmtpClient::connect(&options).expect("SMTP connect");
        smtp.authenticate(Credentials::password("alice", "alice-secret"))
            .expect("SMTP login");
        let envelope = Envelope::new(
            Some(Address::new("alice@example.org").unwrap()),
            [Address::new("carol@example.org").unwrap()],
        );
        let message = format!(
            "Subject: {token}\r\nFrom: <alice@example.org>\r\nMessage-ID: <{token}@cli>\r\n\r\n\
             .\r\n..two dots\r\n.leading dot\r\nlast line\r\n"
        );
        smtp.send_raw(&envelope, message).expect("sent");
        smtp.quit().expect("SMTP QUIT");
        self.read_delivered(token)
    }

    /// Waits for the message with `token` and reads it (a POP3 session elsewhere may move
    /// the file from `new/` to `cur/` meanwhile: then it is looked up again).
    fn read_delivered(&self, token: &str) -> Stored {
        let deadline = Instant::now() + Duration::from_secs(10);
        let needle = format!("<{token}@cli>");
        while Instant::now() < deadline {
            for dir in ["new", "cur"] {
                let Ok(entries) = std::fs::read_dir(self.maildir.join(dir)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let Ok(file) = std::fs::read(entry.path()) else {
                        continue;
                    };
                    if file.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let uid = name.split(':').next().unwrap_or(&name).to_owned();
                        return Stored {
                            uid,
                            bytes: lf_to_crlf(&file),
                        };
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the message {token} was not delivered to {}", USER);
    }
}

fn lf_to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// A token unique to this run and test.
fn unique_token(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("mailkit-pop3-{test}-{}-{nanos}", std::process::id())
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mailkit-cli-pop3-{}-{name}", std::process::id()))
}

/// Asserts success with nothing on stderr.
fn assert_ok(what: &str, run: &Run) {
    assert_eq!(run.code, Some(0), "{what}: stderr: {}", run.stderr);
    assert_eq!(run.stderr, "", "{what}");
}

/// The message number of `uid` in the output of `mailkit pop3 uidl`.
fn number_in_uidl(run: &Run, uid: &str) -> Option<u32> {
    run.stdout.lines().find_map(|line| {
        let (n, id) = line.split_once(' ')?;
        (id == uid).then(|| n.parse().expect("a message number"))
    })
}

#[test]
fn every_command_against_dovecot() {
    let Some(dovecot) = dovecot() else { return };
    let stored = dovecot.deliver(&unique_token("commands"));
    let url = dovecot.pop3s_url();

    let run = dovecot.pop3(&url, &["uidl"], PASSWORD);
    assert_ok("uidl", &run);
    let n = number_in_uidl(&run, &stored.uid).expect("the message in UIDL");
    let n_text = n.to_string();

    let run = dovecot.pop3(&url, &["stat"], PASSWORD);
    assert_ok("stat", &run);
    let fields: Vec<u64> = run
        .stdout
        .split_whitespace()
        .map(|f| f.parse().expect("numbers"))
        .collect();
    assert_eq!(fields.len(), 2, "{}", run.stdout);
    assert!(fields[0] >= u64::from(n) && fields[1] >= stored.bytes.len() as u64);

    let run = dovecot.pop3(&url, &["list"], PASSWORD);
    assert_ok("list", &run);
    let line = format!("{n} {}", stored.bytes.len());
    assert!(
        run.stdout.lines().any(|l| l == line),
        "{line} in {}",
        run.stdout
    );

    let out = temp_path("retr.eml");
    let out_text = out.to_str().unwrap();
    let run = dovecot.pop3(&url, &["retr", &n_text, "--out", out_text], PASSWORD);
    assert_ok("retr --out", &run);
    assert_eq!(run.stdout, "");
    let written = std::fs::read(&out).expect("the --out file");
    std::fs::remove_file(&out).unwrap();
    assert!(
        written == stored.bytes,
        "retr --out differs from the stored message"
    );

    // STLS this time, and the message on stdout.
    let run = dovecot.pop3(&dovecot.pop3_url(), &["retr", &n_text], PASSWORD);
    assert_ok("retr", &run);
    assert!(run.stdout_bytes == stored.bytes, "retr differs on stdout");

    let run = dovecot.pop3(&url, &["top", &n_text, "0"], PASSWORD);
    assert_ok("top", &run);
    let header_end = stored
        .bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap()
        + 4;
    assert!(run.stdout_bytes == stored.bytes[..header_end], "top N 0");

    let run = dovecot.pop3(&url, &["dele", &n_text], PASSWORD);
    assert_ok("dele", &run);
    let run = dovecot.pop3(&url, &["uidl"], PASSWORD);
    assert_ok("uidl after dele", &run);
    assert_eq!(
        number_in_uidl(&run, &stored.uid),
        None,
        "deleted, yet listed"
    );
}

#[test]
fn a_wrong_password_exits_1_without_showing_it() {
    let Some(dovecot) = dovecot() else { return };
    let wrong = "Not-Carol-9q!";
    let run = dovecot.pop3(&dovecot.pop3s_url(), &["stat"], wrong);
    let line = run.assert_one_error(1);
    assert!(line.contains("[AUTH]"), "{line}");
    assert!(!run.stderr.contains(wrong) && !run.stdout.contains(wrong));
}

#[test]
fn a_refused_retr_exits_1_and_leaves_no_file() {
    let Some(dovecot) = dovecot() else { return };
    let out = temp_path("missing.eml");
    let out_text = out.to_str().unwrap();
    let args = ["retr", "4000000", "--out", out_text];
    let run = dovecot.pop3(&dovecot.pop3s_url(), &args, PASSWORD);
    let line = run.assert_one_error(1);
    assert!(line.contains("-ERR"), "{line}");
    assert!(!out.exists(), "a failed retr left {out_text}");
    let run = dovecot.pop3(&dovecot.pop3s_url(), &["dele", "4000000"], PASSWORD);
    run.assert_one_error(1);
}

#[test]
fn verbose_logs_the_session_with_the_password_redacted() {
    let Some(dovecot) = dovecot() else { return };
    let args = ["--auth", "USER", "--verbose", "stat"];
    let run = dovecot.pop3(&dovecot.pop3_url(), &args, PASSWORD);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for line in [
        "C: STLS",
        "* TLS",
        "C: USER carol",
        "C: PASS <redacted>",
        "C: QUIT",
    ] {
        assert!(
            run.stderr.lines().any(|l| l == line),
            "{line} in {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains(PASSWORD));
}

#[test]
fn an_untrusted_certificate_exits_1() {
    let Some(dovecot) = dovecot() else { return };
    let url = dovecot.pop3s_url();
    let args = ["pop3", "--server", &url, "--user", USER, "stat"];
    let run = mailkit(&args, b"", &[("MAILKIT_PASSWORD", PASSWORD)]);
    let line = run.assert_one_error(1);
    assert!(line.contains("certificate"), "{line}");
}

/// Arguments, environment, and a text stderr must contain.
type UsageCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn usage_errors_exit_2_before_connecting() {
    // Port 9 (discard) on loopback: nothing listens, and nothing may be tried anyway.
    let url = "pop3://127.0.0.1:9";
    let with_password = [("MAILKIT_PASSWORD", "x")];
    let cases: [UsageCase; 7] = [
        (&["pop3", "--server", url, "stat"], &with_password, "--user"),
        (
            &["pop3", "--server", url, "--user", "u", "stat"],
            &[],
            "MAILKIT_PASSWORD",
        ),
        (
            &["pop3", "--server", "pop3s://127.0.0.1:9", "--tls", "none"],
            &with_password,
            "",
        ),
        (
            &[
                "pop3",
                "--server",
                "pop3s://h:9",
                "--tls",
                "none",
                "--user",
                "u",
                "stat",
            ],
            &with_password,
            "--tls none cannot be used with pop3s://",
        ),
        (
            &["pop3", "--server", "smtp://h", "--user", "u", "stat"],
            &with_password,
            "pop3 or pop3s",
        ),
        (
            &[
                "pop3",
                "--server",
                url,
                "--user",
                "u",
                "retr",
                "1",
                "--out",
                "/nonexistent-dir/m.eml",
            ],
            &with_password,
            "--out",
        ),
        (
            &["pop3", "--server", url, "--user", "u", "retr", "0"],
            &with_password,
            "",
        ),
    ];
    for (args, env, needle) in cases {
        let run = mailkit(args, b"", env);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    let run = mailkit(
        &[
            "pop3",
            "--server",
            url,
            "--password",
            "x",
            "--user",
            "u",
            "stat",
        ],
        b"",
        &[],
    );
    assert_eq!(run.code, Some(2), "there is no --password option");
}

#[test]
fn an_unreachable_server_exits_1() {
    let args = [
        "pop3",
        "--server",
        "pop3://127.0.0.1:9",
        "--user",
        "u",
        "stat",
    ];
    let run = mailkit(&args, b"", &[("MAILKIT_PASSWORD", "x")]);
    let line = run.assert_one_error(1);
    assert!(line.contains("127.0.0.1:9"), "{line}");
}

#[test]
fn help_lists_the_commands() {
    let run = mailkit(&["pop3", "--help"], b"", &[]);
    assert_eq!(run.code, Some(0));
    for needle in [
        "stat",
        "list",
        "uidl",
        "retr",
        "top",
        "dele",
        "MAILKIT_PASSWORD",
    ] {
        assert!(run.stdout.contains(needle), "{needle} in {}", run.stdout);
    }
}
