//! MailKit's POP3 test corpus (`$MAILKIT_CORPUS/mailkit-transcripts/pop3`, server replies only,
//! LF line ends; `replay-pairs.tsv` says which command each file answered) against our machine.
//!
//! (a) Every server file is fed to a logged-in machine as the answer to its command, and what
//! the machine makes of it is checked against an independent reading of the file (message bytes,
//! listings, counts, capabilities). (b) Every `pop3` session of `replay-pairs.tsv` is replayed
//! as a transcript: our client must write what MailKit wrote, up to the allowances below, and
//! reach the outcome MailKit's test expected.
//!
//! Files whose outcome differs from MailKit's, each explained:
//!
//! * `gmail/uidl-error2.txt` (`1 101`, `2 102`, `4 103`): MailKit rejects message 4 after STAT
//!   said 3 messages; we accept it. Numbers of deleted messages leave gaps, a listing may name a
//!   number above the count of undeleted messages, and RFC 1939 does not forbid one above a count
//!   taken earlier: only the syntax of each line is checked.
//! * `gmail/retr1-parse-error.txt`: MailKit's error is its MIME parser's (the body is a fragment
//!   of base64); the POP3 framing is sound, and the bytes are delivered as they are.
//!
//! Allowances in the replays (b):
//!
//! * **A1 SASL-IR**: MailKit sends `AUTH PLAIN`, waits for `+ ` and sends the response; we send
//!   the initial response with the command (RFC 5034 §4): `AUTH PLAIN <response>`, then the
//!   file that answered the response.
//! * **A2 a session ends at its first fatal error**: MailKit's tests go on after a protocol
//!   exception on the same scripted stream; for us a malformed reply is fatal, so the replay stops
//!   there (the later files are covered by (a)).
//! * **A3 rows without a greeting** (the UIDL rows after `common.err-greeting.txt`) belong to a
//!   test that starts from a scripted stream in the middle of a session: they are covered by (a),
//!   and the session replayed is the refusing greeting alone.
//! * **A4 a greeting alone**: MailKit's test ends the session after the greeting; our client has
//!   sent its CAPA by then, which stays unanswered.

use std::path::Path;

use bytes::Bytes;
use mail_kit_core::pop3::{Auth, Capabilities, Command, Event, QuitResult, StatusLine};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::transcript::{Line, Transcript};
use mail_kit_core::{Error, TlsPolicy};
use mail_kit_tests::corpus::{PairRow, mailkit_transcripts, pair_sessions};
use mail_kit_tests::smtp_peer::crlf;
use mail_kit_tests::transcripts::{Pop3, Replayed, Scenario, TranscriptFile, assert_bad_reply};

/// A server file (`gmail.retr1.txt` names `pop3/gmail/retr1.txt`) with CRLF line ends.
fn resource(dir: &Path, name: &str) -> Vec<u8> {
    let (group, file) = name.split_once('.').expect("group.file");
    let path = dir.join("pop3").join(group).join(file);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut bytes = crlf(&text);
    if !bytes.ends_with(b"\r\n") {
        bytes.extend_from_slice(b"\r\n");
    }
    bytes
}

/// Every file under `pop3/`, as `group.file` names.
fn all_files(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for group in std::fs::read_dir(dir.join("pop3")).unwrap() {
        let group = group.unwrap();
        for file in std::fs::read_dir(group.path()).unwrap() {
            let file = file.unwrap().file_name().into_string().unwrap();
            names.push(format!(
                "{}.{file}",
                group.file_name().into_string().unwrap()
            ));
        }
    }
    names.sort();
    names
}

/// The command lines a file answered in `replay-pairs.tsv` (first use), `[]` for a greeting.
fn command_for(dir: &Path, name: &str) -> Vec<String> {
    let tsv = std::fs::read_to_string(dir.join("replay-pairs.tsv")).unwrap();
    let row = tsv
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|cols| cols.first() == Some(&"pop3") && cols.get(3) == Some(&name))
        .unwrap_or_else(|| panic!("{name} is not in replay-pairs.tsv"));
    mail_kit_tests::corpus::unescape(row[2])
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

fn password() -> Credentials {
    Credentials::password("username", "password")
}

/// Our command for one of MailKit's command lines (`None` for SASL responses and the
/// handshake's CAPA, which the machine writes itself).
fn command(line: &str) -> Option<Command> {
    let words: Vec<&str> = line.split(' ').collect();
    let n = |i: usize| words.get(i).map(|w| w.parse::<u32>().expect("a number"));
    Some(match words[0] {
        "CAPA" => Command::Capa,
        "STAT" => Command::Stat,
        "NOOP" => Command::Noop,
        "RSET" => Command::Rset,
        "QUIT" => Command::Quit,
        "UTF8" => Command::Utf8,
        "LIST" => Command::List(n(1)),
        "UIDL" => Command::Uidl(n(1)),
        "RETR" => Command::Retr(n(1)?),
        "DELE" => Command::Dele(n(1)?),
        "TOP" => Command::Top {
            message: n(1)?,
            lines: n(2)?,
        },
        "LANG" => Command::Lang(words.get(1).map(|w| (*w).to_owned())),
        "APOP" => Command::Apop(Auth::new(password())),
        "AUTH" => Command::Authenticate(Auth::new(password()).with_mechanism(words[1])),
        _ => return None,
    })
}

/// What the machine must make of a file, read independently from the file itself.
#[derive(Debug, PartialEq)]
enum Expected {
    Ready,
    GreetingRefused,
    Ok,
    Challenge,
    Stat(u32, u64),
    Entries(usize),
    Messages(Vec<Vec<u8>>),
    Capabilities(Vec<String>),
    Languages(usize),
    Deleted(usize),
    Closed,
    Fatal,
}

/// The body lines of a multi-line reply: between the status line and the `.` line.
fn body_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    lines[1..lines.len() - 1].to_vec()
}

/// The messages in a file of one or more `+OK` / body / `.` replies, unstuffed by hand.
fn messages(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut inside = false;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if !inside {
            assert!(line.starts_with(b"+OK"));
            out.push(Vec::new());
            inside = true;
        } else if line == b".\r\n" {
            inside = false;
        } else {
            let line = if line.starts_with(b"..") {
                &line[1..]
            } else {
                line
            };
            out.last_mut().unwrap().extend_from_slice(line);
        }
    }
    out
}

fn expected(name: &str, command: &[String], bytes: &[u8]) -> Expected {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("");
    let verb = command.first().map_or("", |c| c.split(' ').next().unwrap());
    if matches!(
        name,
        "gmail.uidl-error1.txt" | "gmail.uidl1-error1.txt" | "gmail.uidl1-error2.txt"
    ) {
        return Expected::Fatal;
    }
    match verb {
        "" if first.starts_with("-ERR") => Expected::GreetingRefused,
        "" => Expected::Ready,
        _ if first == "+" || first.starts_with("+ ") => Expected::Challenge,
        "STAT" => {
            let w: Vec<&str> = first.split(' ').collect();
            Expected::Stat(w[1].parse().unwrap(), w[2].parse().unwrap())
        }
        "LIST" | "UIDL" if command[0].contains(' ') => Expected::Entries(1),
        "LIST" | "UIDL" => Expected::Entries(body_lines(bytes).len()),
        "RETR" | "TOP" => Expected::Messages(messages(bytes)),
        "CAPA" => Expected::Capabilities(
            body_lines(bytes)
                .iter()
                .map(|l| String::from_utf8_lossy(l).trim().to_owned())
                .collect(),
        ),
        "LANG" if command[0] == "LANG" => Expected::Languages(body_lines(bytes).len()),
        "DELE" => Expected::Deleted(command.len()),
        "QUIT" => Expected::Closed,
        _ => Expected::Ok,
    }
}

/// The greeting of the sessions in (a): `lang/greeting.txt`'s timestamp, so that MailKit's
/// recorded `APOP` line is the one our client computes.
const GREETING: &[u8] = b"+OK ready <apop-token@example.com>\r\n";
/// The capabilities of the sessions in (a): UTF8 and LANG need theirs, AUTH its mechanism,
/// several commands in one row PIPELINING.
const CAPS: &[u8] = b"+OK\r\nUSER\r\nPIPELINING\r\nUTF8\r\nLANG\r\nSASL PLAIN LOGIN\r\n.\r\n";

/// (a) for one file: the transcript and scenario that put it after its command.
fn file_session(lines: &[String], bytes: &[u8]) -> (Vec<Line>, Scenario<Pop3>) {
    let server = |b: &[u8]| Line::Server(Bytes::copy_from_slice(b));
    let client = |l: &str| Line::Client(format!("{l}\r\n").into());
    let scenario = Scenario::pop3(TlsPolicy::Implicit);
    if lines.is_empty() {
        let mut t = vec![server(bytes)];
        if bytes.starts_with(b"+OK") {
            t.extend([client("CAPA"), server(b"-ERR\r\n")]);
        }
        return (t, scenario);
    }
    let mut t = vec![server(GREETING), client("CAPA"), server(CAPS)];
    let verb = lines[0].split(' ').next().unwrap_or("");
    match command(&lines[0]) {
        Some(cmd @ (Command::Utf8 | Command::Apop(_))) => {
            t.extend([client(&lines[0]), server(bytes)]);
            (t, scenario.then(cmd))
        }
        // The answer to a SASL response (or to `AUTH` itself): replayed as the answer to
        // `AUTH PLAIN` with its initial response (A1).
        None | Some(Command::Authenticate(_)) => {
            assert!(verb != "AUTH" || bytes.starts_with(b"+OK"));
            t.extend([client("AUTH PLAIN AHVzZXJuYW1lAHBhc3N3b3Jk"), server(bytes)]);
            let auth = Auth::new(password()).with_mechanism("PLAIN");
            (t, scenario.then(Command::Authenticate(auth)))
        }
        Some(_) => {
            t.extend([
                client("USER username"),
                server(b"+OK\r\n"),
                client("PASS password"),
                server(b"+OK\r\n"),
            ]);
            let mut scenario = scenario.then(Command::UserPass(Auth::new(password())));
            for line in lines {
                t.push(client(line));
                scenario = scenario.after_login(command(line).expect("a command"));
            }
            t.push(server(bytes));
            (t, scenario)
        }
    }
}

/// (a): every file, as the answer to its command.
#[test]
fn every_pop3_file_is_read_as_the_answer_to_its_command() {
    let Some(dir) = mailkit_transcripts() else {
        return;
    };
    let files = all_files(&dir);
    assert_eq!(files.len(), 47, "{files:?}");
    for name in files {
        let bytes = resource(&dir, &name);
        let lines = command_for(&dir, &name);
        let want = expected(&name, &lines, &bytes);
        if want == Expected::Challenge {
            // A SASL continuation (`+ ` or a bare `+`): meaningful only inside an exchange,
            // which the sessions (b) replay; here its status line is read as one.
            let line = bytes.strip_suffix(b"\r\n").unwrap_or(&bytes);
            assert!(
                matches!(StatusLine::parse(line), Ok(StatusLine::Continue(_))),
                "{name}"
            );
            continue;
        }
        let (transcript, scenario) = file_session(&lines, &bytes);
        let file = TranscriptFile {
            name: name.clone(),
            transcript: Transcript { lines: transcript },
            line_numbers: Vec::new(),
        };
        let r = scenario
            .run(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_file(&name, &want, &r);
    }
}

fn check_file(name: &str, want: &Expected, r: &Replayed<Pop3>) {
    let events = r.events();
    let got = match want {
        Expected::Fatal => {
            assert_bad_reply(name, r);
            return;
        }
        Expected::GreetingRefused => {
            assert!(
                matches!(r.error(), Some(Error::GreetingRefused(_))),
                "{name}"
            );
            return;
        }
        _ => {
            assert_eq!(r.error(), None, "{name}: {events:#?}");
            events.last()
        }
    };
    match (want, got) {
        (Expected::Ready, Some(Event::Ready { .. })) => {}
        (Expected::Ok, Some(Event::Ok { .. } | Event::Authenticated { .. })) => {}
        (Expected::Stat(c, s), Some(Event::Stat { count, size, .. })) => {
            assert_eq!((c, s), (count, size), "{name}");
        }
        (Expected::Entries(n), Some(Event::Listing { entries, .. })) => {
            assert_eq!(*n, entries.len(), "{name}")
        }
        (Expected::Entries(n), Some(Event::UniqueIds { entries, .. })) => {
            assert_eq!(*n, entries.len(), "{name}")
        }
        (Expected::Messages(bodies), Some(Event::MessageEnd { .. })) => {
            let got: Vec<Vec<u8>> = events
                .iter()
                .filter_map(|e| match e {
                    Event::MessageData { data, .. } => Some(data.to_vec()),
                    _ => None,
                })
                .collect();
            assert_eq!(&got, bodies, "{name}");
            let sizes: Vec<u64> = events
                .iter()
                .filter_map(|e| match e {
                    Event::MessageEnd { size, .. } => Some(*size),
                    _ => None,
                })
                .collect();
            let lens: Vec<u64> = bodies.iter().map(|b| b.len() as u64).collect();
            assert_eq!(sizes, lens, "{name}");
        }
        (Expected::Capabilities(tags), Some(Event::Capabilities { capabilities, .. })) => {
            assert_eq!(capabilities, &Capabilities::parse(tags), "{name}");
            let sasl = tags.iter().find_map(|t| t.strip_prefix("SASL "));
            let want: Vec<String> = sasl
                .map(|s| s.split(' ').map(str::to_owned).collect())
                .unwrap_or_default();
            assert_eq!(capabilities.sasl, want, "{name}");
            assert_eq!(
                capabilities.pipelining,
                tags.iter().any(|t| t == "PIPELINING"),
                "{name}"
            );
        }
        (Expected::Languages(n), Some(Event::Languages { languages, .. })) => {
            assert_eq!(*n, languages.len(), "{name}")
        }
        (Expected::Deleted(n), Some(Event::Deleted { .. })) => {
            let count = events
                .iter()
                .filter(|e| matches!(e, Event::Deleted { .. }))
                .count();
            assert_eq!(*n, count, "{name}");
        }
        (Expected::Closed, Some(Event::Closed { result, .. })) => {
            assert!(matches!(result, QuitResult::Done(_)), "{name}");
        }
        (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// (b) The sessions.

/// The files after which MailKit's test saw a protocol error (A2).
const FATAL: [&str; 3] = [
    "gmail.uidl-error1.txt",
    "gmail.uidl1-error1.txt",
    "gmail.uidl1-error2.txt",
];

/// One session as a transcript and a scenario.
fn session(dir: &Path, rows: &[PairRow]) -> (Transcript, Scenario<Pop3>, bool) {
    let mut lines = vec![Line::Server(resource(dir, &rows[0].resource).into())];
    let mut scenario = Scenario::pop3(TlsPolicy::Implicit);
    let mut logged_in = false;
    let mut fatal = false;
    if rows.len() == 1 && !rows[0].resource.contains("err-greeting") {
        lines.push(Line::Client("CAPA\r\n".into())); // A4
    }
    let mut rows = rows[1..].iter();
    let mut first_capa = true;
    while let Some(row) = rows.next() {
        let text = String::from_utf8_lossy(&row.command).into_owned();
        let mut answer = resource(dir, &row.resource);
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            if line == "CAPA" && first_capa {
                first_capa = false;
                lines.push(Line::Client("CAPA\r\n".into()));
                continue;
            }
            let Some(cmd) = command(line) else {
                // A SASL response (AUTH LOGIN's user name and password): the mechanism writes it.
                lines.push(Line::Client(format!("{line}\r\n").into()));
                continue;
            };
            let login = matches!(cmd, Command::Authenticate(_) | Command::Apop(_));
            if line == "AUTH PLAIN" {
                // A1: initial response with the command; the response row's file answers it.
                let response = rows.next().expect("the PLAIN response row");
                lines.push(Line::Client(
                    format!("AUTH PLAIN {}", String::from_utf8_lossy(&response.command)).into(),
                ));
                answer = resource(dir, &response.resource);
            } else {
                lines.push(Line::Client(format!("{line}\r\n").into()));
            }
            scenario = if logged_in {
                scenario.after_login(cmd)
            } else {
                scenario.then(cmd)
            };
            logged_in |= login;
        }
        lines.push(Line::Server(answer.into()));
        if FATAL.contains(&row.resource.as_str()) {
            fatal = true;
            break;
        }
    }
    (Transcript { lines }, scenario, fatal)
}

#[test]
fn mailkit_pop3_sessions_replay() {
    let Some(dir) = mailkit_transcripts() else {
        return;
    };
    let sessions = pair_sessions(&dir, "pop3");
    assert!(sessions.len() >= 30, "{} sessions", sessions.len());
    let mut replayed = 0;
    for (i, rows) in sessions.iter().enumerate() {
        let greeting_refused = rows[0].resource.contains("err-greeting");
        let rows = if greeting_refused {
            &rows[..1]
        } else {
            &rows[..]
        }; // A3
        let (transcript, scenario, fatal) = session(&dir, rows);
        let file = TranscriptFile {
            name: format!("pop3 session {i} ({})", rows[0].resource),
            transcript,
            line_numbers: Vec::new(),
        };
        let r = scenario
            .run(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
        replayed += 1;
        if greeting_refused {
            assert!(
                matches!(r.error(), Some(Error::GreetingRefused(_))),
                "{}",
                file.name
            );
            continue;
        }
        if rows.len() == 1 {
            assert_eq!((r.error(), r.ready_count), (None, 0), "{}", file.name);
            continue;
        }
        if fatal {
            assert_bad_reply(&file.name, &r);
            continue;
        }
        assert_eq!(r.error(), None, "{}: {:#?}", file.name, r.events());
        assert_eq!(r.ready_count, 1, "{}", file.name);
        assert!(
            r.on_ready
                .iter()
                .chain(&r.on_authenticated)
                .all(Result::is_ok),
            "{}: {:?} {:?}",
            file.name,
            r.on_ready,
            r.on_authenticated
        );
        let logs_in = rows
            .iter()
            .any(|row| row.command.starts_with(b"AUTH") || row.command.starts_with(b"APOP"));
        assert_eq!(
            r.events()
                .iter()
                .any(|e| matches!(e, Event::Authenticated { .. })),
            logs_in,
            "{}",
            file.name
        );
        assert!(
            r.outcome.closed,
            "{}: every session ends with QUIT",
            file.name
        );
    }
    assert_eq!(replayed, sessions.len());
}
