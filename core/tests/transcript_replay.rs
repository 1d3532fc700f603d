//! Tests of the replay harness (and of a logged session replayed), with the scripted test
//! machine. They live outside `core/src` because they need a real `Instant` ([`start`]): the
//! library itself never reads the clock.

#[path = "common/test_machine.rs"]
mod test_machine;

use std::time::{Duration, Instant};

use mail_kit_core::transcript::{Replay, ReplayError, ReplayOutcome, Transcript, TranscriptLogger};
use mail_kit_core::{Error, Machine, Output, TlsInfo, WireObserver};
use quickcheck::QuickCheck;

use test_machine::{TestEvent, TestMachine, react, start};

fn replay(text: &str) -> Result<ReplayOutcome<TestEvent>, ReplayError> {
    let t = Transcript::parse(text).unwrap();
    Replay::new(&t, start()).run(&mut TestMachine::default(), react)
}

fn line(text: &str) -> TestEvent {
    TestEvent::Line(text.as_bytes().to_vec())
}

const SESSION: &str = "S: 220 hello\n\
                       C: EHLO x\n\
                       S: 250-first\n\
                       S: SEND MAIL FROM:<a@b>\n\
                       C: MAIL FROM:<a@b>\n\
                       S: 221 bye\n";

#[test]
fn matching_session() {
    let outcome = replay(SESSION).unwrap();
    assert_eq!(
        outcome.events,
        [
            line("220 hello"),
            line("250-first"),
            line("SEND MAIL FROM:<a@b>"),
            line("221 bye")
        ]
    );
    assert!(outcome.closed);
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.unprocessed, 0);
}

#[test]
fn consecutive_server_lines_are_fed_as_one_run() {
    let t = Transcript::parse(SESSION).unwrap();
    let mut machine = TestMachine::default();
    Replay::new(&t, start()).run(&mut machine, react).unwrap();
    assert_eq!(
        machine.chunks,
        [
            b"220 hello\r\n".to_vec(),
            b"250-first\r\nSEND MAIL FROM:<a@b>\r\n".to_vec(),
            b"221 bye\r\n".to_vec()
        ]
    );
}

#[test]
fn splits_apply_to_every_run() {
    let t = Transcript::parse(SESSION).unwrap();
    let mut machine = TestMachine::default();
    Replay::new(&t, start())
        .with_splits(vec![15, 0, 3, 3, 1000])
        .run(&mut machine, react)
        .unwrap();
    let chunks: Vec<&[u8]> = machine.chunks.iter().map(Vec::as_slice).collect();
    assert_eq!(
        chunks,
        [
            &b"220"[..],
            b" hello\r\n",
            b"250",
            b"-first\r\nSEND",
            b" MAIL FROM:<a@b>\r\n",
            b"221",
            b" bye\r\n"
        ]
    );

    let mut machine = TestMachine::default();
    Replay::new(&t, start())
        .with_split_fn(|run, bytes| vec![run + 1, bytes.len() - 1])
        .run(&mut machine, react)
        .unwrap();
    assert_eq!(machine.chunks[0], b"2");
    assert_eq!(machine.chunks[3], b"25");
    assert_eq!(machine.chunks[6], b"221");
    assert_eq!(machine.chunks[7], b" bye\r");
}

#[test]
fn how_the_machine_batches_writes_does_not_matter() {
    let outcome = replay(
        "S: SENDRAW AB\n\
         S: SEND CD\n\
         S: SENDRAW E\n\
         C: ABCD\n\
         C| E",
    )
    .unwrap();
    assert_eq!(outcome.events.len(), 3);
}

#[test]
fn mismatch_names_the_line_and_shows_escaped_bytes() {
    // Without line numbers, entry `i` is line `i + 1` (comments do not count).
    let err = replay(
        "# a comment\n\
         S: 220 hello\n\
         C: EHLO y",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ReplayError::ClientMismatch {
            line: 2,
            column: 6,
            expected: "EHLO y\\r\\n".into(),
            got: "EHLO x\\r\\n".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "transcript line 2, byte 6: the machine sent other client bytes: \
         expected `EHLO y\\r\\n`, got `EHLO x\\r\\n`"
    );

    let (t, numbers) =
        Transcript::parse_with_line_numbers("# a comment\n\nS: 220 hello\nC: EHLO\ty").unwrap();
    let err = Replay::new(&t, start())
        .with_line_numbers(numbers)
        .run(&mut TestMachine::default(), react)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "transcript line 4, byte 5: the machine sent other client bytes: \
         expected `EHLO\\ty\\r\\n`, got `EHLO x\\r\\n`"
    );
}

#[test]
fn mismatch_in_a_later_line_of_one_write() {
    // The machine sends "MAIL ...\r\nRCPT ...\r\n" in one write; the second line differs.
    let err = replay(
        "S: SEND MAIL FROM:<a>|RCPT TO:<b>\n\
         C: MAIL FROM:<a>\n\
         C: RCPT TO:<c>",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ReplayError::ClientMismatch {
            line: 3,
            column: 10,
            expected: "RCPT TO:<c>\\r\\n".into(),
            got: "RCPT TO:<b>\\r\\n".into()
        }
    );

    // A line sent in two writes: what was sent before is shown too.
    let err = replay(
        "S: SENDRAW RCPT \n\
         S: SEND TO:<b>\n\
         C: RCPT TO:<c>",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ReplayError::ClientMismatch {
            line: 3,
            column: 10,
            expected: "RCPT TO:<c>\\r\\n".into(),
            got: "RCPT TO:<b>\\r\\n".into()
        }
    );
}

#[test]
fn missing_client_bytes() {
    let err = replay("S: 250 nothing to do\nC: QUIT").unwrap_err();
    assert_eq!(
        err,
        ReplayError::MissingClientBytes {
            line: 2,
            expected: "QUIT\\r\\n".into(),
            got: String::new(),
            machine_error: None
        }
    );
    // A partial line is missing its end.
    let err = replay("S: SENDRAW QU\nC: QUIT").unwrap_err();
    assert_eq!(
        err.to_string(),
        "transcript line 2: the machine did not send the expected client bytes: \
         expected `QUIT\\r\\n`, got `QU`"
    );
}

#[test]
fn unexpected_client_bytes() {
    let err = replay("S: 220 hello").unwrap_err();
    assert_eq!(
        err,
        ReplayError::UnexpectedClientBytes {
            after_line: Some(1),
            got: "EHLO x\\r\\n".into()
        }
    );
    let err = replay("S: 220 hello\nC| EHLO").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the machine sent client bytes the transcript does not have \
         (after transcript line 1): ` x\\r\\n`"
    );
}

#[test]
fn partial_lines() {
    let outcome = replay(
        "S| 220 hel\n\
         S| lo\n\
         S:\n\
         C: EHLO x\n\
         S| SENDRAW DA\n\
         S: TA\n\
         C| DATA",
    )
    .unwrap();
    assert_eq!(outcome.events, [line("220 hello"), line("SENDRAW DATA")]);
}

#[test]
fn pipelining_is_accepted_unless_strict() {
    // The machine sends both lines after the first server line; the transcript puts the
    // second after another server line.
    let text = "S: SEND A|B\n\
                C: A\n\
                S: 250 ok\n\
                C: B";
    let outcome = replay(text).unwrap();
    assert_eq!(outcome.events.len(), 2);

    let t = Transcript::parse(text).unwrap();
    let err = Replay::new(&t, start())
        .strict_order(true)
        .run(&mut TestMachine::default(), react)
        .unwrap_err();
    assert_eq!(
        err,
        ReplayError::ClientBytesTooEarly {
            line: 4,
            waiting_for: 3,
            got: "B\\r\\n".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "strict order: the machine sent the client bytes of transcript line 4 \
         before line 3 was processed: `B\\r\\n`"
    );

    // In the transcript's order, strict mode is happy.
    let t = Transcript::parse(SESSION).unwrap();
    Replay::new(&t, start())
        .strict_order(true)
        .with_chunk_size(1)
        .run(&mut TestMachine::default(), react)
        .unwrap();
}

#[test]
fn waits_advance_now_and_call_handle_timeout() {
    let begin = start();
    let t = Transcript::parse(
        "S: TIMER 30\n\
         T+10s\n\
         T+19999ms\n\
         T+1ms\n\
         C: NOOP\n\
         T+2m",
    )
    .unwrap();
    let outcome = Replay::new(&t, begin)
        .run(&mut TestMachine::default(), react)
        .unwrap();
    assert_eq!(
        outcome.events,
        [
            line("TIMER 30"),
            TestEvent::Timeout(begin + Duration::from_secs(30))
        ]
    );
    assert_eq!(outcome.now, begin + Duration::from_secs(150));
    assert_eq!(outcome.deadline, None);

    // The deadline the machine asked for is visible in the outcome.
    let t = Transcript::parse("S: TIMER 5\nT+1s").unwrap();
    let outcome = Replay::new(&t, begin)
        .run(&mut TestMachine::default(), react)
        .unwrap();
    assert_eq!(outcome.deadline, Some(begin + Duration::from_secs(5)));

    // Too early: no timeout, so the NOOP is missing.
    let err = replay("S: TIMER 30\nT+29s\nC: NOOP").unwrap_err();
    assert!(
        matches!(err, ReplayError::MissingClientBytes { line: 3, .. }),
        "{err}"
    );
}

#[test]
fn huge_wait_is_an_error_not_a_panic() {
    let err = replay("T+18446744073709551615s").unwrap_err();
    assert_eq!(err, ReplayError::TimeOverflow { line: 1 });
}

#[test]
fn tls() {
    let text = "S: 220 hello\n\
                C: EHLO x\n\
                S: 220 go\n\
                * TLS\n\
                C: EHLO again";
    let info = TlsInfo {
        protocol: Some("TLSv1.3".into()),
        ..TlsInfo::default()
    };
    let t = Transcript::parse(text).unwrap();
    let outcome = Replay::new(&t, start())
        .with_tls_info(info.clone())
        .run(&mut TestMachine::default(), react)
        .unwrap();
    assert_eq!(outcome.events.last(), Some(&TestEvent::Tls(info)));

    // The machine asks for TLS, the transcript does not have it.
    let err = replay("S: 220 go").unwrap_err();
    assert_eq!(
        err,
        ReplayError::UnexpectedStartTls {
            after_line: Some(1)
        }
    );
    // The transcript has TLS, the machine did not ask for it.
    let err = replay("S: 250 ok\n* TLS").unwrap_err();
    assert_eq!(err, ReplayError::MissingStartTls { line: 2 });
    assert_eq!(
        err.to_string(),
        "transcript line 2: `* TLS`, but the machine did not ask for STARTTLS"
    );
    // Server bytes between the STARTTLS reply and the handshake: when they arrive in a
    // separate chunk, the StartTls comes too early. (In one chunk with the reply, only the
    // machine can tell: it must fail with `Error::StartTlsBufferNotEmpty`.)
    let t = Transcript::parse("S: 220 go\nS: 250 injected\n* TLS").unwrap();
    let err = Replay::new(&t, start())
        .with_chunk_size(1)
        .run(&mut TestMachine::default(), react)
        .unwrap_err();
    assert!(
        matches!(err, ReplayError::UnexpectedStartTls { .. }),
        "{err}"
    );
}

#[test]
fn eof() {
    let outcome = replay("S: 250 ok\n* EOF").unwrap();
    assert_eq!(outcome.events, [line("250 ok"), TestEvent::Eof]);
    assert!(outcome.closed);
}

#[test]
fn machine_error_is_recorded_and_stops_feeding() {
    let outcome = replay("S: 250 ok\nS: FAIL\nS: 250 never fed\n* EOF").unwrap();
    assert_eq!(outcome.error, Some(Error::MalformedReply("FAIL".into())));
    assert_eq!(outcome.events, [line("250 ok")]);
    assert_eq!(outcome.unprocessed, 1);

    // Client bytes expected after the error are missing, and the message says why.
    let err = replay("S: FAIL\nC: QUIT").unwrap_err();
    assert_eq!(
        err.to_string(),
        "transcript line 2: the machine did not send the expected client bytes: \
         expected `QUIT\\r\\n`, got `` (the machine failed: malformed server reply: FAIL)"
    );
}

#[test]
fn runaway_machine_is_stopped() {
    struct Chatty;
    impl Machine for Chatty {
        type Event = ();
        fn handle_input(&mut self, _: Instant, _: &[u8]) {}
        fn handle_eof(&mut self, _: Instant) {}
        fn handle_timeout(&mut self, _: Instant) {}
        fn handle_tls_established(&mut self, _: Instant, _: TlsInfo) {}
        fn poll_output(&mut self) -> Result<Output<()>, Error> {
            Ok(Output::Event(()))
        }
    }
    let t = Transcript::new();
    let err = Replay::new(&t, start())
        .run(&mut Chatty, |_, _| {})
        .unwrap_err();
    assert!(matches!(
        err,
        ReplayError::TooManyOutputs {
            after_line: None,
            ..
        }
    ));
}

#[test]
fn check_all_splits_passes_and_detects_variance() {
    let t = Transcript::parse(&format!("{SESSION}S: 220 go\n* TLS\nC: EHLO again\n"));
    let t = t.unwrap();
    let outcome = Replay::new(&t, start())
        .check_all_splits(TestMachine::default, react)
        .unwrap();
    assert_eq!(outcome.events.len(), 6);

    // A machine that reacts to chunks instead of lines is caught.
    #[derive(Default)]
    struct ChunkCounter(usize, bool);
    impl Machine for ChunkCounter {
        type Event = usize;
        fn handle_input(&mut self, _: Instant, _: &[u8]) {
            self.0 += 1;
            self.1 = true;
        }
        fn handle_eof(&mut self, _: Instant) {}
        fn handle_timeout(&mut self, _: Instant) {}
        fn handle_tls_established(&mut self, _: Instant, _: TlsInfo) {}
        fn poll_output(&mut self) -> Result<Output<usize>, Error> {
            if std::mem::take(&mut self.1) {
                return Ok(Output::Event(self.0));
            }
            Ok(Output::Idle { deadline: None })
        }
    }
    let t = Transcript::parse("S: 250 ok").unwrap();
    let err = Replay::new(&t, start())
        .check_all_splits(ChunkCounter::default, |_, _| {})
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "with the server bytes split at offset 1, the outcome differs: 2 events instead of 1"
    );
}

/// A session with every kind of line, for the split properties.
fn long_session() -> Transcript {
    let text = format!(
        "{SESSION}S| SEND 25\n\
         S: 0 ok\n\
         C: 250 ok\n\
         S: TIMER 7\n\
         T+7s\n\
         C: NOOP\n\
         S: 220 go\n\
         * TLS\n\
         C: EHLO again\n\
         S: 250 fin\n\
         * EOF\n"
    );
    Transcript::parse(&text).unwrap()
}

#[test]
fn check_all_splits_on_a_long_session() {
    let t = long_session();
    let outcome = Replay::new(&t, start())
        .strict_order(true)
        .check_all_splits(TestMachine::default, react)
        .unwrap();
    assert!(outcome.closed);
    assert_eq!(outcome.events.len(), 11);
}

#[test]
fn quickcheck_random_splits_give_the_same_outcome() {
    fn property(splits: Vec<usize>) -> bool {
        let t = long_session();
        let begin = start();
        let reference = Replay::new(&t, begin)
            .run(&mut TestMachine::default(), react)
            .unwrap();
        let splits: Vec<usize> = splits.into_iter().map(|s| s % 64).collect();
        let outcome = Replay::new(&t, begin)
            .with_splits(splits)
            .strict_order(true)
            .run(&mut TestMachine::default(), react);
        outcome.is_ok_and(|outcome| {
            outcome.events == reference.events && outcome.closed && outcome.error.is_none()
        })
    }
    QuickCheck::new()
        .tests(500)
        .quickcheck(property as fn(Vec<usize>) -> bool);
}

#[test]
fn quickcheck_any_transcript_never_panics() {
    fn property(text: Vec<u8>, splits: Vec<usize>) -> bool {
        // Build a transcript from a small alphabet of meaningful pieces.
        let pieces = [
            "S: 220 hi\n",
            "S: 220 go\n",
            "S: SEND A\n",
            "S| SENDRAW B\n",
            "S: FAIL\n",
            "S: TIMER 1\n",
            "S:\n",
            "C: EHLO x\n",
            "C: A\n",
            "C| B\n",
            "C: NOOP\n",
            "T+1s\n",
            "T+18446744073709551615s\n",
            "* TLS\n",
            "* EOF\n",
            "S: 221 bye\n",
        ];
        let text: String = text
            .iter()
            .map(|b| pieces[usize::from(*b) % pieces.len()])
            .collect();
        let t = Transcript::parse(&text).unwrap();
        for strict in [false, true] {
            let _ = Replay::new(&t, start())
                .with_splits(splits.clone())
                .strict_order(strict)
                .run(&mut TestMachine::default(), react);
        }
        true
    }
    QuickCheck::new()
        .tests(1000)
        .quickcheck(property as fn(Vec<u8>, Vec<usize>) -> bool);
}

/// The text an SMTP [`TranscriptLogger`] writes for these steps (`S`erver bytes, `C`lient bytes,
/// anything else: TLS established).
fn log(steps: &[(char, &[u8])]) -> String {
    let mut logger = TranscriptLogger::smtp(Vec::new());
    for (who, bytes) in steps {
        match who {
            'S' => logger.server_bytes(bytes),
            'C' => logger.client_bytes(bytes),
            _ => logger.tls_established(),
        }
    }
    String::from_utf8(logger.into_inner()).unwrap()
}

#[test]
fn logged_session_parses_and_replays() {
    // What a driver would show the logger for a session with the test machine, in chunks.
    let session: &[(char, &[u8])] = &[
        ('S', b"220 hel"),
        ('S', b"lo\r\n"),
        ('C', b"EHLO x\r\n"),
        ('S', b"250-first\r\nSEND MAIL FROM:<a@b>|RCPT TO:<c@d>\r"),
        ('S', b"\n"),
        ('C', b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
        ('S', b"SENDRAW DA"),
        ('S', b"TA\r\n220 go\r\n"),
        ('C', b"DATA"),
        ('T', b""),
        ('C', b"EHLO again\r\n"),
        ('S', b"221 bye\r\n"),
    ];
    let text = log(session);
    let t = Transcript::parse(&text).unwrap();
    let client: Vec<u8> = session
        .iter()
        .filter(|(who, _)| *who == 'C')
        .flat_map(|(_, bytes)| bytes.iter().copied())
        .collect();
    let server: Vec<u8> = session
        .iter()
        .filter(|(who, _)| *who == 'S')
        .flat_map(|(_, bytes)| bytes.iter().copied())
        .collect();
    assert_eq!(t.client_bytes(), client);
    assert_eq!(t.server_bytes(), server);
    // Not in strict order: the logger sees server bytes in the chunks the socket delivered, so
    // "SENDRAW DATA" and "220 go" arrived together, before the client's answer to the first.
    let outcome = Replay::new(&t, start())
        .check_all_splits(TestMachine::default, react)
        .unwrap();
    assert!(outcome.closed);
}
