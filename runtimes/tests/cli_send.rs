//! `mailkit send` end to end: the binary against a scripted SMTP server on loopback (plain
//! TCP, `--tls none`), and against the real Postfix when `tests/servers/start.sh` runs.
//!
//! The contract checked here: exit 0 when at least one recipient accepted the message (the
//! refused ones listed on stderr as `rejected: ADDR: REPLY`), exit 1 with exactly one
//! `error: ...` line when the message was not sent, exit 2 for usage errors; the password
//! only from `MAILKIT_PASSWORD` and never on stderr.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cli_run::{Run, mailkit};

mod cli_run;

/// A CRAM-MD5 challenge (RFC 2195), base64.
const CRAM_CHALLENGE: &str = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";

// --- the scripted server ------------------------------------------------------------------

/// How the scripted server behaves.
#[derive(Debug, Clone, Default)]
struct Script {
    /// Extra EHLO keywords (e.g. `AUTH CRAM-MD5`, `PIPELINING`).
    extensions: Vec<&'static str>,
    /// Recipients refused at RCPT.
    refuse: Vec<&'static str>,
    /// The raw refusal for them (with CRLFs); a one-line `550 5.1.1` by default.
    refusal: Option<&'static str>,
}

/// What the server received on its one connection.
#[derive(Debug, Default)]
struct Received {
    /// Whether a client connected at all.
    connected: bool,
    /// Every command line, without CRLF (SASL responses included).
    commands: Vec<String>,
    /// The DATA content as it came over the wire (dot-stuffed, CRLF), without the final
    /// `.` line.
    data: Vec<u8>,
}

impl Received {
    fn has_command(&self, verb: &str) -> bool {
        self.commands
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with(verb))
    }
}

/// A one-connection SMTP server on 127.0.0.1 in a thread.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Received>,
}

impl Server {
    fn start(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                // Checked before accepting: a client that connected before `finish` is
                // still served from the backlog.
                let last_try = stopped.load(Ordering::SeqCst);
                match listener.accept() {
                    Ok((stream, _)) => return serve(stream, &script),
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                        if last_try || Instant::now() > deadline {
                            return Received::default();
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(err) => panic!("accept failed: {err}"),
                }
            }
        });
        Server { port, stop, thread }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits for the session to end (call after the client exited).
    fn finish(self) -> Received {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("the scripted server failed")
    }
}

/// Plays the script on one connection.
fn serve(stream: TcpStream, script: &Script) -> Received {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut out = stream.try_clone().unwrap();
    let mut input = BufReader::new(stream);
    let mut received = Received {
        connected: true,
        ..Received::default()
    };
    let mut send = |text: &str| out.write_all(text.as_bytes()).unwrap();
    send("220 mx.test ESMTP scripted\r\n");
    let mut accepted = 0;
    let mut sasl = false;
    loop {
        let mut line = Vec::new();
        if input
            .read_until(b'\n', &mut line)
            .expect("server read (the client went silent?)")
            == 0
        {
            return received;
        }
        let line = String::from_utf8(line).unwrap();
        let line = line.strip_suffix("\r\n").expect("a line ends with CRLF");
        received.commands.push(line.to_owned());
        if sasl {
            sasl = false;
            send("235 2.7.0 Authentication successful\r\n");
            continue;
        }
        let upper = line.to_ascii_uppercase();
        let verb = upper.split(' ').next().unwrap_or_default();
        match verb {
            "EHLO" => {
                let mut reply = String::from("250-mx.test\r\n");
                for extension in &script.extensions {
                    reply.push_str(&format!("250-{extension}\r\n"));
                }
                reply.push_str("250 8BITMIME\r\n");
                send(&reply);
            }
            "AUTH" if upper == "AUTH CRAM-MD5" => {
                sasl = true;
                send(&format!("334 {CRAM_CHALLENGE}\r\n"));
            }
            "AUTH" => send("504 5.5.4 mechanism not supported\r\n"),
            "MAIL" => {
                accepted = 0;
                send("250 2.1.0 Ok\r\n");
            }
            "RCPT" => {
                let address = line
                    .split_once('<')
                    .and_then(|(_, rest)| rest.split_once('>'))
                    .map(|(address, _)| address)
                    .unwrap_or_default();
                if script.refuse.contains(&address) {
                    match script.refusal {
                        Some(refusal) => send(refusal),
                        None => send(&format!(
                            "550 5.1.1 <{address}>: Recipient address rejected: User unknown\r\n"
                        )),
                    }
                } else {
                    accepted += 1;
                    send("250 2.1.5 Ok\r\n");
                }
            }
            "DATA" if accepted == 0 => send("554 5.5.1 Error: no valid recipients\r\n"),
            "DATA" => {
                send("354 End data with <CR><LF>.<CR><LF>\r\n");
                loop {
                    let mut data_line = Vec::new();
                    if input
                        .read_until(b'\n', &mut data_line)
                        .expect("server read during DATA (the client went silent?)")
                        == 0
                    {
                        panic!("client closed during DATA");
                    }
                    if data_line == b".\r\n" {
                        break;
                    }
                    received.data.extend_from_slice(&data_line);
                }
                send("250 2.0.0 Ok: queued as 4BCD\r\n");
            }
            "RSET" | "NOOP" => send("250 2.0.0 Ok\r\n"),
            "QUIT" => {
                send("221 2.0.0 Bye\r\n");
                return received;
            }
            _ => send("502 5.5.2 Error: command not recognized\r\n"),
        }
    }
}

/// `send` to the scripted server over plain TCP, from alice, with `extra` arguments.
fn send_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "send",
        "--server",
        url,
        "--tls",
        "none",
        "--timeout",
        "20",
        "--from",
        "alice@example.org",
    ];
    args.extend_from_slice(extra);
    args
}

/// A message with bare LF line ends and lines starting with dots.
const MESSAGE: &[u8] = b"From: alice@example.org\n\
To: bob@example.org\n\
Subject: dots\n\
\n\
.leading dot\n\
..two dots\n\
.\n\
last line without end";

/// [`MESSAGE`] as it must appear between `DATA` and the final `.`: CRLF line ends, every
/// line that starts with a dot stuffed, a CRLF added at the end.
const MESSAGE_ON_THE_WIRE: &[u8] = b"From: alice@example.org\r\n\
To: bob@example.org\r\n\
Subject: dots\r\n\
\r\n\
..leading dot\r\n\
...two dots\r\n\
..\r\n\
last line without end\r\n";

/// A unique temporary file path.
fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mailkit-cli-{}-{name}", std::process::id()))
}

// --- scripted-server tests -----------------------------------------------------------------

#[test]
fn one_refused_recipient_of_two_exits_0_and_is_listed() {
    let server = Server::start(Script {
        refuse: vec!["nobody@example.org"],
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(
            &url,
            &["--to", "bob@example.org", "--to", "nobody@example.org"],
        ),
        MESSAGE,
        &[],
    );
    let received = server.finish();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(
        run.stderr_lines(),
        [
            "rejected: nobody@example.org: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"
        ]
    );
    assert_eq!(run.stdout, "");
    assert_eq!(received.data, MESSAGE_ON_THE_WIRE);
    assert!(received.has_command("QUIT"), "{:?}", received.commands);
}

#[test]
fn every_recipient_refused_exits_1_with_one_error_line() {
    let server = Server::start(Script {
        refuse: vec!["nobody@example.org", "ghost@example.org"],
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(
            &url,
            &["--to", "nobody@example.org", "--to", "ghost@example.org"],
        ),
        MESSAGE,
        &[],
    );
    let received = server.finish();
    let line = run.assert_one_error(1);
    assert!(line.contains("every recipient was refused"), "{line}");
    assert!(line.contains("nobody@example.org: 550 5.1.1"), "{line}");
    assert!(line.contains("ghost@example.org: 550 5.1.1"), "{line}");
    assert!(received.data.is_empty());
}

#[test]
fn multi_line_server_text_with_controls_gives_one_clean_error_line() {
    let server = Server::start(Script {
        refuse: vec!["nobody@example.org"],
        refusal: Some(
            "550-5.1.1 first line \x1b[2J\x1b]0;owned\x07 here\r\n\
             550-5.1.1 second line\r\n\
             550 5.1.1 error: injected third line\r\n",
        ),
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(&url, &["--to", "nobody@example.org"]),
        MESSAGE,
        &[],
    );
    server.finish();
    let line = run.assert_one_error(1);
    assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line:?}");
    assert!(line.contains("first line"), "{line}");
    assert!(!run.stderr.contains("injected"), "{}", run.stderr);
}

#[test]
fn message_from_stdin_arrives_crlf_normalized_and_dot_stuffed() {
    for file_argument in [None, Some("-")] {
        let server = Server::start(Script::default());
        let url = server.url();
        let mut args = send_args(&url, &["--to", "bob@example.org"]);
        args.extend(file_argument);
        let run = mailkit(&args, MESSAGE, &[]);
        let received = server.finish();
        assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
        // Not a terminal: no progress bar, nothing at all on stderr.
        assert_eq!(run.stderr, "");
        assert_eq!(received.data, MESSAGE_ON_THE_WIRE, "{file_argument:?}");
        assert!(
            received
                .commands
                .contains(&"RCPT TO:<bob@example.org>".to_owned())
        );
    }
}

#[test]
fn message_from_a_file_arrives_intact() {
    let path = temp_file("message.eml");
    std::fs::write(&path, MESSAGE).unwrap();
    let server = Server::start(Script::default());
    let url = server.url();
    let file = path.to_str().unwrap();
    // Standard input is ignored when a file is given.
    let run = mailkit(
        &send_args(&url, &["--to", "bob@example.org", file]),
        b"Subject: not this one\r\n\r\nstdin\r\n",
        &[],
    );
    let received = server.finish();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(received.data, MESSAGE_ON_THE_WIRE);
}

/// A message of about 1 MiB (many DATA pieces) with LF line ends, and how it must arrive.
#[test]
fn a_built_message_has_text_html_and_the_attachment() {
    let (text, html, pdf) = (
        temp_file("body.txt"),
        temp_file("body.html"),
        temp_file("report.pdf"),
    );
    std::fs::write(&text, "Hello Bob,\n.the report is attached.\n").unwrap();
    std::fs::write(&html, "<p>Hello Bob,</p>").unwrap();
    std::fs::write(&pdf, b"%PDF-1.4\n\x00\xff").unwrap();
    let server = Server::start(Script::default());
    let url = server.url();
    let files = [
        text.to_str().unwrap(),
        html.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ];
    let run = mailkit(
        &send_args(
            &url,
            &[
                "--to",
                "bob@example.org",
                "--subject",
                "Quarterly report \u{2014} caf\u{e9}",
                "--text",
                files[0],
                "--html",
                files[1],
                "--attach",
                files[2],
            ],
        ),
        b"",
        &[],
    );
    let received = server.finish();
    for path in [&text, &html, &pdf] {
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let unstuffed: Vec<u8> = received
        .data
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| line.strip_prefix(b".").unwrap_or(line).to_vec())
        .collect();
    let message = mail_kit::mime::parse(unstuffed);
    let tree: Vec<String> = message
        .root()
        .walk()
        .map(|(depth, e)| format!("{depth} {}", e.content_type().mime_type()))
        .collect();
    assert_eq!(
        tree,
        [
            "0 multipart/mixed",
            "1 multipart/alternative",
            "2 text/plain",
            "2 text/html",
            "1 application/pdf"
        ]
    );
    assert_eq!(
        message.text_body().as_deref(),
        Some("Hello Bob,\r\n.the report is attached.\r\n")
    );
    assert_eq!(message.html_body().as_deref(), Some("<p>Hello Bob,</p>"));
    let attachment = message.attachments().next().unwrap();
    assert!(attachment.filename().unwrap().ends_with("report.pdf"));
    assert_eq!(
        attachment.decoded_body().unwrap().bytes,
        b"%PDF-1.4\n\x00\xff"
    );
    let subject =
        mail_kit::mime::header::encoded_word::decode(message.headers().value("subject").unwrap());
    assert_eq!(subject.text.trim(), "Quarterly report \u{2014} caf\u{e9}");
    assert!(
        received
            .commands
            .iter()
            .any(|c| c == "RCPT TO:<bob@example.org>"),
        "{:?}",
        received.commands
    );
}

#[test]
fn a_file_and_build_options_conflict() {
    let run = mailkit(
        &send_args(
            "smtp://127.0.0.1:9",
            &["--to", "b@example.org", "--text", "x", "m.eml"],
        ),
        b"",
        &[],
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
}

fn large_message() -> (Vec<u8>, Vec<u8>) {
    let mut message = b"Subject: large\n\n".to_vec();
    for i in 0..15_000 {
        message.extend_from_slice(format!("line {i:05} {}\n", "x".repeat(60)).as_bytes());
    }
    let on_the_wire = String::from_utf8(message.clone())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    (message, on_the_wire)
}

/// Sends [`large_message`] to a server with these EHLO extensions.
fn assert_large_message_arrives(extensions: Vec<&'static str>) {
    let (message, on_the_wire) = large_message();
    let server = Server::start(Script {
        extensions,
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(&url, &["--to", "bob@example.org"]),
        &message,
        &[],
    );
    let received = server.finish();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(received.data.len(), on_the_wire.len());
    assert!(received.data == on_the_wire);
}

#[test]
fn a_large_message_arrives_whole_with_pipelining() {
    assert_large_message_arrives(vec!["PIPELINING"]);
}

#[test]
fn a_large_message_arrives_whole_without_pipelining() {
    assert_large_message_arrives(Vec::new());
}

#[test]
fn unreadable_or_empty_message_is_a_usage_error() {
    let server = Server::start(Script::default());
    let url = server.url();
    let missing = temp_file("does-not-exist.eml");
    let run = mailkit(
        &send_args(
            &url,
            &["--to", "bob@example.org", missing.to_str().unwrap()],
        ),
        b"",
        &[],
    );
    run.assert_one_error(2);
    let run = mailkit(&send_args(&url, &["--to", "bob@example.org"]), b"", &[]);
    let line = run.assert_one_error(2);
    assert!(line.contains("empty"), "{line}");
    assert!(!server.finish().connected);
}

#[test]
fn verbose_logs_the_session_and_redacts_cram_md5() {
    let password = "tanstaaf-Secret-42";
    let server = Server::start(Script {
        extensions: vec!["AUTH CRAM-MD5"],
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(
            &url,
            &["--verbose", "--user", "alice", "--to", "bob@example.org"],
        ),
        MESSAGE,
        &[("MAILKIT_PASSWORD", password)],
    );
    let received = server.finish();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = run.stderr_lines();
    assert!(
        lines.contains(&"S: 220 mx.test ESMTP scripted"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("C: EHLO ")), "{lines:?}");
    assert!(lines.contains(&"C: AUTH CRAM-MD5"), "{lines:?}");
    assert!(lines.contains(&"C: <redacted>"), "{lines:?}");
    assert!(lines.contains(&"C: RCPT TO:<bob@example.org>"), "{lines:?}");
    assert!(lines.contains(&"C: ..leading dot"), "{lines:?}");
    assert!(lines.contains(&"S: 221 2.0.0 Bye"), "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("C:") || l.starts_with("S:")),
        "{lines:?}"
    );
    // The CRAM response went to the server ("alice <digest>" in base64)...
    let auth = received
        .commands
        .iter()
        .position(|c| c == "AUTH CRAM-MD5")
        .expect("AUTH CRAM-MD5 was sent");
    let response = &received.commands[auth + 1];
    assert!(response.starts_with("YWxpY2Ug"), "{response}");
    assert!(!response.contains(password));
    // ...but never to stderr, and neither did the password.
    assert!(!run.stderr.contains(response.as_str()), "{}", run.stderr);
    assert!(!run.stderr.contains(password), "{}", run.stderr);
}

#[test]
fn plaintext_mechanisms_are_refused_without_tls() {
    let password = "do-not-leak-me";
    let server = Server::start(Script {
        extensions: vec!["AUTH PLAIN LOGIN"],
        ..Script::default()
    });
    let url = server.url();
    let run = mailkit(
        &send_args(&url, &["--user", "alice", "--to", "bob@example.org"]),
        MESSAGE,
        &[("MAILKIT_PASSWORD", password)],
    );
    let received = server.finish();
    let line = run.assert_one_error(1);
    assert!(line.contains("authentication mechanism"), "{line}");
    assert!(!received.has_command("AUTH"), "{:?}", received.commands);
    assert!(!received.has_command("MAIL"), "{:?}", received.commands);
    assert!(!run.stderr.contains(password));
}

#[test]
fn there_is_no_password_option() {
    let run = mailkit(
        &send_args(
            "smtp://127.0.0.1:1",
            &[
                "--user",
                "alice",
                "--password",
                "secret",
                "--to",
                "bob@example.org",
            ],
        ),
        MESSAGE,
        &[],
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("--password"), "{}", run.stderr);
}

#[test]
fn user_without_mailkit_password_is_a_usage_error() {
    let server = Server::start(Script::default());
    let url = server.url();
    let run = mailkit(
        &send_args(&url, &["--user", "alice", "--to", "bob@example.org"]),
        MESSAGE,
        &[],
    );
    let line = run.assert_one_error(2);
    assert!(line.contains("MAILKIT_PASSWORD"), "{line}");
    assert!(!server.finish().connected);
}

#[test]
fn tls_none_with_smtps_is_refused() {
    let server = Server::start(Script::default());
    let url = format!("smtps://127.0.0.1:{}", server.port);
    let run = mailkit(&send_args(&url, &["--to", "bob@example.org"]), MESSAGE, &[]);
    let line = run.assert_one_error(2);
    assert!(line.contains("--tls none"), "{line}");
    assert!(!server.finish().connected);
}

#[test]
fn crlf_in_an_address_is_refused_before_any_rcpt() {
    let injected = "bob@example.org\r\nRCPT TO:<eve@example.org>";
    for args in [
        vec!["--to", "carol@example.org", "--to", injected],
        vec!["--to", "bob@example.org\nDATA"],
    ] {
        let server = Server::start(Script::default());
        let url = server.url();
        let run = mailkit(&send_args(&url, &args), MESSAGE, &[]);
        let received = server.finish();
        let line = run.assert_one_error(2);
        assert!(line.contains("--to"), "{line}");
        assert!(!received.has_command("RCPT"), "{:?}", received.commands);
        assert!(!received.connected);
    }
    let server = Server::start(Script::default());
    let url = server.url();
    let mut args = send_args(&url, &["--to", "bob@example.org"]);
    args[8] = "alice@example.org\r\nRCPT TO:<eve@example.org>";
    let run = mailkit(&args, MESSAGE, &[]);
    run.assert_one_error(2);
    assert!(!server.finish().has_command("RCPT"));
}

#[test]
fn insecure_prints_one_warning_line() {
    let server = Server::start(Script::default());
    let url = server.url();
    let run = mailkit(
        &send_args(&url, &["--insecure", "--to", "bob@example.org"]),
        MESSAGE,
        &[],
    );
    server.finish();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("warning: --insecure"), "{lines:?}");
}

#[test]
fn an_unreachable_server_exits_1() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let run = mailkit(&send_args(&url, &["--to", "bob@example.org"]), MESSAGE, &[]);
    let line = run.assert_one_error(1);
    assert!(line.contains("cannot connect"), "{line}");
}

#[test]
fn help_and_version() {
    let run = mailkit(&["--help"], b"", &[]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("send"), "{}", run.stdout);
    assert!(run.stdout.contains("Exit status"), "{}", run.stdout);

    let run = mailkit(&["send", "--help"], b"", &[]);
    assert_eq!(run.code, Some(0));
    for needle in [
        "--server",
        "--tls",
        "--ca-file",
        "--insecure",
        "--user",
        "--auth",
        "--timeout",
        "--verbose",
        "--from",
        "--to",
        "MAILKIT_PASSWORD",
        "Exit status",
    ] {
        assert!(run.stdout.contains(needle), "{needle} in {}", run.stdout);
    }
    assert!(!run.stdout.contains("--password"));

    let run = mailkit(&["--version"], b"", &[]);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stdout.trim(),
        format!("mailkit {}", env!("CARGO_PKG_VERSION"))
    );

    // No subcommand: help on stderr, usage status.
    let run = mailkit(&[], b"", &[]);
    assert_eq!(run.code, Some(2));
}

// --- the real Postfix ------------------------------------------------------------------

/// Where `tests/servers/start.sh` put the real servers.
struct RealServers {
    submission: u16,
    smtps: u16,
    ca_file: String,
    maildir_root: PathBuf,
}

/// The real servers from the environment; `None` (after saying so) when they are not
/// running, unless `MAILKIT_REQUIRE_SERVERS` makes that a failure.
fn real_servers() -> Option<RealServers> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(submission) = var("MAILKIT_SMTP_SUBMISSION_PORT") else {
        assert!(
            var("MAILKIT_REQUIRE_SERVERS").is_none(),
            "MAILKIT_REQUIRE_SERVERS is set but the real servers are not running \
             (MAILKIT_SMTP_SUBMISSION_PORT is unset)"
        );
        eprintln!("real servers not running: skipping");
        return None;
    };
    let need = |name: &str| var(name).unwrap_or_else(|| panic!("{name} is not set"));
    Some(RealServers {
        submission: submission.parse().expect("MAILKIT_SMTP_SUBMISSION_PORT"),
        smtps: need("MAILKIT_SMTPS_PORT")
            .parse()
            .expect("MAILKIT_SMTPS_PORT"),
        ca_file: need("MAILKIT_CA_FILE"),
        maildir_root: PathBuf::from(need("MAILKIT_MAILDIR_ROOT")),
    })
}

impl RealServers {
    /// The submission port (STARTTLS).
    fn submission_url(&self) -> String {
        format!("smtp://localhost:{}", self.submission)
    }

    /// The implicit TLS port.
    fn smtps_url(&self) -> String {
        format!("smtps://localhost:{}", self.smtps)
    }

    /// [`send_as_alice`] to `url`, trusting the test CA, with `extra` arguments.
    fn send(&self, url: &str, extra: &[&str], message: &str, password: &str) -> Run {
        let mut args = vec!["--server", url, "--ca-file", &self.ca_file];
        args.extend_from_slice(extra);
        send_as_alice(&args, message, password)
    }
}

/// `mailkit send --user alice --from alice@example.org` and `args`, with `message` on stdin
/// and `password` as alice's password.
fn send_as_alice(args: &[&str], message: &str, password: &str) -> Run {
    let mut all = vec!["send", "--user", "alice", "--from", "alice@example.org"];
    all.extend_from_slice(args);
    mailkit(&all, message.as_bytes(), &[("MAILKIT_PASSWORD", password)])
}

/// A token unique to this run and test.
fn unique_token(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("mailkit-cli-{test}-{}-{nanos}", std::process::id())
}

/// A message from alice to bob carrying `token`, with a dot line and a LF-only line end.
fn real_message(token: &str) -> String {
    format!(
        "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: {token}\r\n\
         Message-ID: <{token}@example.org>\r\n\r\nHello Bob,\r\n.a line with a leading dot\n\
         the end {token}\r\n"
    )
}

/// Waits (up to 30 s) for a message holding `token` in `user`'s Maildir and returns it,
/// line ends normalized to LF.
fn delivered(root: &Path, user: &str, token: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for sub in ["new", "cur"] {
            let dir = root.join(user).join("Maildir").join(sub);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(bytes) = std::fs::read(entry.path()) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                if text.contains(token) {
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no message with {token} in {user}'s Maildir"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Checks the delivered body: intact, dot unstuffed, line ends normalized.
fn assert_body_intact(text: &str, token: &str) {
    assert!(
        text.contains(&format!(
            "\n\nHello Bob,\n.a line with a leading dot\nthe end {token}\n"
        )),
        "{text}"
    );
}

/// Standard base64, for checking that encoded credentials do not leak.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_helper_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"alice "), "YWxpY2Ug");
}

#[test]
fn real_postfix_submission_with_starttls_lists_the_refused_recipient() {
    let Some(real) = real_servers() else {
        return;
    };
    let token = unique_token("starttls");
    let run = real.send(
        &real.submission_url(),
        &[
            "--timeout",
            "30",
            "--to",
            "bob@example.org",
            "--to",
            "nobody@example.org",
        ],
        &real_message(&token),
        "alice-secret",
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("rejected: nobody@example.org: 550 5.1.1"),
        "{lines:?}"
    );
    let text = delivered(&real.maildir_root, "bob", &token);
    assert_body_intact(&text, &token);
}

#[test]
fn real_postfix_smtps_with_plain_is_logged_redacted() {
    let Some(real) = real_servers() else {
        return;
    };
    let token = unique_token("smtps");
    let run = real.send(
        &real.smtps_url(),
        &[
            "--auth",
            "PLAIN",
            "--verbose",
            "--to",
            "bob@example.org",
            "-",
        ],
        &real_message(&token),
        "alice-secret",
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = run.stderr_lines();
    assert!(lines.contains(&"C: AUTH PLAIN <redacted>"), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("S: 235")), "{lines:?}");
    assert!(!run.stderr.contains("alice-secret"));
    assert!(!run.stderr.contains(&base64(b"\0alice\0alice-secret")));
    assert!(!run.stderr.contains(&base64(b"alice\0alice\0alice-secret")));
    assert!(!lines.iter().any(|l| l.starts_with("rejected:")));
    let text = delivered(&real.maildir_root, "bob", &token);
    assert_body_intact(&text, &token);
}

#[test]
fn real_postfix_every_recipient_refused_exits_1() {
    let Some(real) = real_servers() else {
        return;
    };
    let run = real.send(
        &real.submission_url(),
        &["--to", "nobody@example.org"],
        &real_message(&unique_token("refused")),
        "alice-secret",
    );
    let line = run.assert_one_error(1);
    assert!(line.contains("every recipient was refused"), "{line}");
    assert!(line.contains("nobody@example.org: 550 5.1.1"), "{line}");
}

#[test]
fn real_postfix_refuses_a_wrong_password_with_exit_1() {
    let Some(real) = real_servers() else {
        return;
    };
    let run = real.send(
        &real.submission_url(),
        &["--to", "bob@example.org"],
        &real_message(&unique_token("badpass")),
        "wrong-password",
    );
    let line = run.assert_one_error(1);
    assert!(line.contains("authentication"), "{line}");
    assert!(!run.stderr.contains("wrong-password"));
}

#[test]
fn real_postfix_with_an_untrusted_certificate_exits_1() {
    let Some(real) = real_servers() else {
        return;
    };
    // Without --ca-file the test CA is unknown: the certificate is refused before AUTH.
    let run = send_as_alice(
        &["--server", &real.smtps_url(), "--to", "bob@example.org"],
        &real_message(&unique_token("untrusted")),
        "alice-secret",
    );
    let line = run.assert_one_error(1);
    assert!(line.contains("certificate"), "{line}");
}
