//! What the SMTP client writes, whatever the application gives it: a full send through the
//! machine against an in-memory server, and checks on the whole wire image (RFC 5321 §4.1.1.4,
//! §4.5.2, §4.5.3.1; security cases 26 to 33 and 37).

use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{
    Address, Auth, ClientName, Command, Envelope, Event, RcptParameters, Recipient, SmtpClient,
    Stage, Transaction,
};
use mail_kit_core::{Handle, TlsPolicy, UsageError};
use mail_kit_tests::smtp_peer::{ClientUnit, Conversation, accepting, converse, show};
use mail_kit_tests::transcripts::config;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

const GREETING: &[u8] = b"220 mx.example.org ESMTP\r\n";
const EHLO: &[u8] = b"EHLO client.example\r\n";

fn envelope() -> Envelope {
    Envelope::new(
        Some(Address::new("a@example.org").unwrap()),
        [Address::new("b@example.org").unwrap()],
    )
}

/// Runs a session with `ehlo` capabilities, enqueues `commands` on Ready, and returns the
/// conversation with the result of each enqueue.
fn session(tls: TlsPolicy, ehlo: &'static str, commands: Vec<Command>) -> Conversation {
    let mut smtp = SmtpClient::new(config(tls));
    converse(&mut smtp, GREETING, accepting(ehlo), |q, event| {
        if matches!(event, Event::Ready { .. }) {
            for c in &commands {
                let _ = q.command(c.clone());
            }
        }
    })
}

fn send_body(ehlo: &'static str, body: &[u8]) -> Conversation {
    session(
        TlsPolicy::None,
        ehlo,
        vec![Command::Send(Transaction::new(envelope(), body.to_vec()))],
    )
}

/// What a line-end-normalizing sender must put on the wire for `body` (before stuffing): every
/// CRLF, bare CR and bare LF as CRLF, and a final CRLF if the body does not end with one.
fn normalize(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        match b {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The first line of `body` over 998 octets after normalization (line end excluded), as its
/// 1-based number and length; otherwise `(0, longest length)`.
fn longest_line(body: &[u8]) -> (usize, usize) {
    let normalized = normalize(body);
    let mut longest = 0;
    for (i, line) in normalized.split(|&b| b == b'\n').enumerate() {
        let len = line.strip_suffix(b"\r").unwrap_or(line).len();
        if len > 998 {
            return (i + 1, len);
        }
        longest = longest.max(len);
    }
    (0, longest)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Every CR is followed by LF and every LF preceded by CR.
fn bare_cr_or_lf(wire: &[u8]) -> Option<usize> {
    (0..wire.len()).find(|&i| match wire[i] {
        b'\r' => wire.get(i + 1) != Some(&b'\n'),
        b'\n' => i == 0 || wire[i - 1] != b'\r',
        _ => false,
    })
}

/// The longest line of `wire` in octets, its CRLF excluded, and not counting the leading dot
/// duplicated for transparency (RFC 5321 §4.5.3.1.6 does not count it either).
fn longest_wire_line(wire: &[u8]) -> usize {
    wire.split(|&b| b == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            l.len() - usize::from(l.starts_with(b".."))
        })
        .max()
        .unwrap_or(0)
}

fn accepted(c: &Conversation) -> bool {
    c.events
        .iter()
        .any(|e| matches!(e, Event::Sent { report, .. } if report.stage == Stage::Accepted))
}

/// A message body made mostly of the bytes that matter here: CR, LF, '.', and some text;
/// sometimes a line near the 998-octet limit. Never NUL.
#[derive(Debug, Clone)]
struct Body(Vec<u8>);

impl Arbitrary for Body {
    fn arbitrary(g: &mut Gen) -> Self {
        const PICKS: &[u8] = b"\r\n\r\n..  .aZ\xc3\xa9\t";
        let n = usize::arbitrary(g) % (g.size() * 2 + 1);
        let mut body = Vec::with_capacity(n);
        for _ in 0..n {
            match u8::arbitrary(g) % 16 {
                0 => body.push(u8::arbitrary(g).max(1)),
                1 if u8::arbitrary(g) % 8 == 0 => {
                    let len = 990 + usize::arbitrary(g) % 20;
                    body.extend(std::iter::repeat_n(b'x', len));
                }
                k => body.push(PICKS[usize::from(k) % PICKS.len()]),
            }
        }
        Body(body)
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(
            self.0
                .shrink()
                .map(|b| Body(b.into_iter().map(|x| x.max(1)).collect())),
        )
    }
}

const DATA_SERVER: &str = "250-mx.example.org\n250 8BITMIME\n";

/// With DATA: no bare CR or LF anywhere, every content line starting with '.' stuffed, the
/// terminator the only `CRLF.CRLF`, no line over 998 octets; or, for a longer line, a
/// `LineTooLong` at enqueue and not a byte written.
fn data_wire_rules(body: Body) -> TestResult {
    let body = body.0;
    let c = send_body(DATA_SERVER, &body);
    let (line_no, longest) = longest_line(&body);
    if longest > 998 {
        if c.enqueued != [Err(UsageError::LineTooLong { line: line_no })] {
            return TestResult::error(format!("{:?} for a {longest}-octet line", c.enqueued));
        }
        return TestResult::from_bool(c.wire == EHLO);
    }
    if c.error.is_some() || !accepted(&c) {
        return TestResult::error(format!("{:?} {:?}", c.error, c.events));
    }
    if let Some(at) = bare_cr_or_lf(&c.wire) {
        return TestResult::error(format!("bare CR/LF at {at}: {}", show(&c.wire)));
    }
    if longest_wire_line(&c.wire) > 998 {
        return TestResult::error("a line over 998 octets");
    }
    let contents: Vec<&Vec<u8>> = c
        .units
        .iter()
        .filter_map(|u| match u {
            ClientUnit::Content(b) => Some(b),
            _ => None,
        })
        .collect();
    let [content] = contents.as_slice() else {
        return TestResult::error(format!("{} content units", contents.len()));
    };
    let Some(text) = content
        .strip_suffix(b".\r\n")
        .filter(|t| t.is_empty() || t.ends_with(b"\r\n"))
    else {
        return TestResult::error("content does not end with the terminator");
    };
    // The terminator is the only CRLF.CRLF, in the content and in the whole wire.
    if count(&[b"\r\n", &content[..]].concat(), b"\r\n.\r\n") != 1
        || count(&c.wire, b"\r\n.\r\n") != 1
    {
        return TestResult::error(format!("early terminator: {}", show(content)));
    }
    let mut unstuffed = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") && !line.starts_with(b"..") {
            return TestResult::error(format!("unstuffed line {}", show(line)));
        }
        unstuffed.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
    }
    if unstuffed != normalize(&body) {
        return TestResult::error(format!(
            "content {} is not body {}",
            show(&unstuffed),
            show(&body)
        ));
    }
    // Exactly the envelope, then the content.
    let mail = if body.is_ascii() {
        "MAIL FROM:<a@example.org>\r\n"
    } else {
        "MAIL FROM:<a@example.org> BODY=8BITMIME\r\n"
    };
    let head = format!("EHLO client.example\r\n{mail}RCPT TO:<b@example.org>\r\nDATA\r\n");
    TestResult::from_bool(
        c.wire == [head.as_bytes(), &content[..]].concat() && c.leftover.is_empty(),
    )
}

#[test]
fn quickcheck_data_wire_image() {
    QuickCheck::new()
        .tests(3000)
        .quickcheck(data_wire_rules as fn(Body) -> TestResult);
}

const BDAT_SERVER: &str =
    "250-mx.example.org\n250-PIPELINING\n250-SIZE\n250-8BITMIME\n250 CHUNKING\n";

/// With BDAT: the chunks carry the normalized body, unstuffed, no terminator; each chunk's
/// size is its `BDAT` count, the last says LAST; `SIZE=` is the exact byte count.
fn bdat_wire_rules(body: Body, chunk: u16) -> TestResult {
    let body = body.0;
    if longest_line(&body).1 > 998 || body.is_empty() {
        return TestResult::discard();
    }
    let mut smtp = SmtpClient::new({
        let mut c = config(TlsPolicy::None);
        c.chunk_size = 512 + usize::from(chunk % 1024);
        c
    });
    let c = converse(&mut smtp, GREETING, accepting(BDAT_SERVER), |q, e| {
        if matches!(e, Event::Ready { .. }) {
            let _ = q.command(Command::Send(Transaction::new(envelope(), body.clone())));
        }
    });
    if c.error.is_some() || !accepted(&c) {
        return TestResult::error(format!("{:?} {:?}", c.error, c.events));
    }
    let mut content = Vec::new();
    let mut lasts = Vec::new();
    for unit in &c.units {
        if let ClientUnit::Bdat {
            header,
            chunk,
            last,
        } = unit
        {
            let expected = format!(
                "BDAT {}{}\r\n",
                chunk.len(),
                if *last { " LAST" } else { "" }
            );
            if *header != expected.as_bytes() {
                return TestResult::error(format!("{} vs {expected}", show(header)));
            }
            content.extend_from_slice(chunk);
            lasts.push(*last);
        }
    }
    let normalized = normalize(&body);
    let size = format!(" SIZE={}", normalized.len());
    let mail_ok = c.units.iter().any(|u| {
        u.verb() == "MAIL" && String::from_utf8_lossy(u.line().unwrap_or_default()).contains(&size)
    });
    TestResult::from_bool(
        content == normalized
            && lasts.last() == Some(&true)
            && lasts.iter().filter(|l| **l).count() == 1
            && mail_ok
            && bare_cr_or_lf(&content).is_none(),
    )
}

#[test]
fn quickcheck_bdat_wire_image() {
    QuickCheck::new()
        .tests(1000)
        .quickcheck(bdat_wire_rules as fn(Body, u16) -> TestResult);
}

#[test]
fn line_of_998_octets_goes_999_does_not() {
    let ok = [vec![b'x'; 998], b"\r\n".to_vec()].concat();
    let c = send_body(DATA_SERVER, &ok);
    assert!(accepted(&c));
    assert_eq!(longest_wire_line(&c.wire), 998);
    // A dot-stuffed line of 998 octets: 999 on the wire, which RFC 5321 allows.
    let dotted = [b"a\n.".to_vec(), vec![b'x'; 997]].concat();
    let c = send_body(DATA_SERVER, &dotted);
    assert!(accepted(&c));
    let stuffed = [b"..".to_vec(), vec![b'x'; 997], b"\r\n".to_vec()].concat();
    assert_eq!(count(&c.wire, &stuffed), 1);

    for body in [
        vec![b'x'; 999],
        [b"a\nb\rc\r\n".to_vec(), vec![b'.'; 999]].concat(),
        [b"ok\r\n".to_vec(), vec![b'y'; 10_000], b"\r\n".to_vec()].concat(),
    ] {
        let (line, _) = longest_line(&body);
        let c = send_body(DATA_SERVER, &body);
        assert_eq!(c.enqueued, [Err(UsageError::LineTooLong { line })]);
        assert_eq!(c.wire, EHLO, "nothing written after the refused enqueue");
    }
}

// ---------------------------------------------------------------------------------------------
// Exact wire images, security cases 26 to 30.

fn data_image(body: &[u8]) -> Vec<u8> {
    let c = send_body("250 mx.example.org\n", body);
    assert!(accepted(&c), "{:?} {:?}", c.error, c.events);
    c.wire
}

fn expected_image(content: &[u8]) -> Vec<u8> {
    [
        &b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
            [..],
        content,
    ]
    .concat()
}

#[test]
fn smuggling_and_stuffing_exact_wire_images() {
    let cases: &[(&str, &[u8], &[u8])] = &[
        (
            "26 bare LF end of data",
            b"Hi\n.\nMAIL FROM:<ceo@victim.example>\nRCPT TO:<x@y>\nDATA\nforged\n.\n",
            b"Hi\r\n..\r\nMAIL FROM:<ceo@victim.example>\r\nRCPT TO:<x@y>\r\nDATA\r\nforged\r\n..\r\n.\r\n",
        ),
        (
            "27 LF.CRLF",
            b"a\n.\r\nMAIL FROM:<x@evil>\r\n",
            b"a\r\n..\r\nMAIL FROM:<x@evil>\r\n.\r\n",
        ),
        ("28 CR.CRLF", b"\r.\r\n", b"\r\n..\r\n.\r\n"),
        ("28 CRLF.CR", b"\r\n.\r", b"\r\n..\r\n.\r\n"),
        ("28 LF LF.CRLF", b"\n\n.\r\n", b"\r\n\r\n..\r\n.\r\n"),
        (
            "29 dot after an empty line",
            b"a\r\n\r\n.\r\nQUIT\r\n",
            b"a\r\n\r\n..\r\nQUIT\r\n.\r\n",
        ),
        ("29 dot first", b".hidden", b"..hidden\r\n.\r\n"),
        ("30 no final CRLF", b"abc", b"abc\r\n.\r\n"),
        ("30 final bare CR", b"abc\r", b"abc\r\n.\r\n"),
        ("empty body", b"", b".\r\n"),
    ];
    for (name, body, content) in cases {
        assert_eq!(
            show(&data_image(body)),
            show(&expected_image(content)),
            "security case {name}"
        );
    }
}

#[test]
fn smuggling_with_nul_needs_binarymime() {
    for body in [&b"\r\n\x00.\r\n"[..], b"\r\n.\x00\r\n"] {
        // No BINARYMIME: refused at enqueue, nothing written.
        let c = send_body("250 mx.example.org\n", body);
        assert_eq!(
            c.enqueued,
            [Err(UsageError::NotSupported("BINARYMIME"))],
            "{}",
            show(body)
        );
        assert_eq!(c.wire, EHLO);
        // BINARYMIME with CHUNKING: the bytes go untouched inside a counted BDAT chunk.
        let c = send_body("250-mx\n250-BINARYMIME\n250 CHUNKING\n", body);
        assert!(accepted(&c));
        let expected = [
            &b"EHLO client.example\r\nMAIL FROM:<a@example.org> BODY=BINARYMIME\r\n\
               RCPT TO:<b@example.org>\r\nBDAT 6 LAST\r\n"[..],
            body,
        ]
        .concat();
        assert_eq!(show(&c.wire), show(&expected));
    }
}

// ---------------------------------------------------------------------------------------------
// CR, LF and NUL in any argument: a UsageError and not one byte (security cases 31 to 33).

/// An arbitrary string with a CR, LF or NUL inserted somewhere.
#[derive(Debug, Clone)]
struct Injected(String);

impl Arbitrary for Injected {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut s: Vec<char> = String::arbitrary(g).chars().collect();
        let bad = *g.choose(&['\r', '\n', '\0', '\r', '\n']).unwrap();
        let at = usize::arbitrary(g) % (s.len() + 1);
        s.insert(at, bad);
        if bool::arbitrary(g) {
            // Often shaped like an attack: a valid prefix and a command after the break.
            let mut attack: Vec<char> = "user@example.org".chars().collect();
            attack.push(bad);
            attack.extend("RCPT TO:<victim@evil.example>".chars());
            s = attack;
        }
        Injected(s.into_iter().collect())
    }
}

const INJECTION_SERVER: &str =
    "250-mx.example.org\n250-DSN\n250-SMTPUTF8\n250-8BITMIME\n250 AUTH PLAIN LOGIN\n";

/// Runs a session where `command` is enqueued on Ready; requires a UsageError and that the
/// client wrote nothing but its EHLO, then that a NOOP still works.
fn refused_without_bytes(command: Command) -> Result<(), String> {
    let mut smtp = SmtpClient::new(config(TlsPolicy::Implicit));
    let mut before_noop = None;
    let c = converse(&mut smtp, GREETING, accepting(INJECTION_SERVER), |q, e| {
        if matches!(e, Event::Ready { .. }) {
            let _ = q.command(command.clone());
            before_noop = Some(q.machine().is_ready());
            let _ = q.command(Command::Noop);
        }
    });
    match c.enqueued.as_slice() {
        [Err(_), Ok(_)] => {}
        other => return Err(format!("enqueue gave {other:?}")),
    }
    if c.wire != [EHLO, b"NOOP\r\n"].concat() {
        return Err(format!("wire: {}", show(&c.wire)));
    }
    if before_noop != Some(true) {
        return Err("machine not usable after the usage error".into());
    }
    Ok(())
}

fn check_injection(s: &Injected, what: &str, result: Result<(), String>) -> TestResult {
    match result {
        Ok(()) => TestResult::passed(),
        Err(e) => TestResult::error(format!("{what} {:?}: {e}", s.0)),
    }
}

fn injection_in_arguments(s: Injected) -> TestResult {
    let text = s.0.as_str();
    if !matches!(
        Address::new(text),
        Err(UsageError::ForbiddenCharacter { .. })
    ) {
        return TestResult::error(format!("Address::new({text:?}) = {:?}", Address::new(text)));
    }
    if ClientName::new(text).is_ok() {
        return TestResult::error(format!("ClientName::new({text:?}) accepted"));
    }
    let checks = [
        (
            "VRFY",
            refused_without_bytes(Command::Vrfy(text.to_owned())),
        ),
        (
            "EXPN",
            refused_without_bytes(Command::Expn(text.to_owned())),
        ),
        ("ENVID", {
            let mut e = envelope();
            e.params.envid = Some(text.to_owned());
            refused_without_bytes(Command::Send(Transaction::new(e, &b"hi"[..])))
        }),
        ("ORCPT", {
            let mut e = envelope();
            e.recipients = vec![Recipient {
                address: Address::new("b@example.org").unwrap(),
                params: RcptParameters {
                    notify: None,
                    orcpt: Some(text.to_owned()),
                },
            }];
            refused_without_bytes(Command::Send(Transaction::new(e, &b"hi"[..])))
        }),
        (
            "forced mechanism",
            refused_without_bytes(Command::Authenticate(
                Auth::new(Credentials::password("u", "p")).with_mechanism(text),
            )),
        ),
    ];
    for (what, result) in checks {
        let r = check_injection(&s, what, result);
        if r.is_failure() {
            return r;
        }
    }
    TestResult::passed()
}

#[test]
fn quickcheck_cr_lf_nul_in_arguments_never_reach_the_wire() {
    QuickCheck::new()
        .tests(500)
        .quickcheck(injection_in_arguments as fn(Injected) -> TestResult);
}

fn injection_in_auth_user(s: Injected) -> TestResult {
    let result = refused_without_bytes(Command::Authenticate(Auth::new(Credentials::password(
        s.0.clone(),
        "p",
    ))));
    check_injection(&s, "AUTH user", result)
}

#[test]
fn quickcheck_cr_lf_nul_in_auth_user_is_a_usage_error() {
    QuickCheck::new()
        .tests(300)
        .quickcheck(injection_in_auth_user as fn(Injected) -> TestResult);
}

#[test]
fn nul_in_auth_user_is_a_usage_error() {
    let c = refused_without_bytes(Command::Authenticate(Auth::new(Credentials::password(
        "al\0ice", "p",
    ))));
    assert_eq!(c, Ok(()));
}

#[test]
fn ehlo_name_with_crlf_cannot_be_built() {
    for bad in [
        "x\r\nMAIL FROM:<x@evil>",
        "client.example\n",
        "\rclient",
        "a\0b",
    ] {
        assert_eq!(
            ClientName::new(bad),
            Err(UsageError::ForbiddenCharacter {
                what: "client name"
            })
        );
    }
}

/// Security case 31: the exact wire when the application tries to inject through a recipient:
/// the address cannot be built, and a session using only valid values writes only them.
#[test]
fn recipient_injection_exact_wire() {
    let rcpt = "a@b.example>\r\nDATA\r\nInjected\r\n.\r\nQUIT\r\n";
    assert_eq!(
        Address::new(rcpt),
        Err(UsageError::ForbiddenCharacter { what: "address" })
    );
    assert_eq!(
        Address::new("x@y\rinvalid"),
        Err(UsageError::ForbiddenCharacter { what: "address" })
    );
    let c = session(
        TlsPolicy::None,
        "250 mx.example.org\n",
        vec![Command::Vrfy("postmaster\r\nRSET".into()), Command::Quit],
    );
    assert_eq!(show(&c.wire), show(b"EHLO client.example\r\nQUIT\r\n"));
    assert!(matches!(
        c.enqueued[0],
        Err(UsageError::ForbiddenCharacter { .. })
    ));
    assert!(c.closed);
}

/// The handles of refused commands are never reused for later ones, and a refused command
/// never produces an event.
#[test]
fn refused_enqueue_produces_no_event() {
    let c = session(
        TlsPolicy::None,
        "250 mx.example.org\n",
        vec![
            Command::Expn("a\nb".into()),
            Command::Noop,
            Command::Vrfy("x\0".into()),
            Command::Noop,
        ],
    );
    let handles: Vec<Handle> = c.enqueued.iter().filter_map(|r| r.clone().ok()).collect();
    assert_eq!(handles.len(), 2);
    let answered: Vec<Handle> = c
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Reply { handle, .. } | Event::Refused { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(answered, handles);
    assert_eq!(c.wire, [EHLO, b"NOOP\r\nNOOP\r\n"].concat());
}
