//! The POP3 machine driven by hand: secrets never leave through `Debug` or errors, misuse is a
//! `UsageError` that writes nothing, TLS and deadlines behave as the `Machine` contract says.

use std::time::{Duration, Instant};

use mail_kit_core::pop3::{Auth, Command, Event, Pop3Client, Pop3Config};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::{Error, Machine, Output, TlsInfo, TlsPolicy, UsageError};

const SECRET: &str = "s3cret-Pa55";

struct Peer {
    pop: Pop3Client,
    now: Instant,
    wire: Vec<u8>,
    events: Vec<Event>,
    starttls: bool,
    deadline: Option<Instant>,
}

impl Peer {
    fn new(policy: TlsPolicy) -> Peer {
        let now = Instant::now();
        let mut pop = Pop3Client::new(Pop3Config::new(policy));
        pop.handle_timeout(now);
        Peer {
            pop,
            now,
            wire: Vec::new(),
            events: Vec::new(),
            starttls: false,
            deadline: None,
        }
    }

    fn drain(&mut self) -> Result<(), Error> {
        loop {
            match self.pop.poll_output()? {
                Output::Transmit(b) => self.wire.extend_from_slice(&b),
                Output::Event(e) => self.events.push(e),
                Output::StartTls => self.starttls = true,
                Output::Close => {}
                Output::Idle { deadline } => {
                    self.deadline = deadline;
                    return Ok(());
                }
            }
        }
    }

    fn server(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.pop.handle_input(self.now, bytes);
        self.drain()
    }

    fn take_wire(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.wire)).unwrap()
    }

    /// Greeting and CAPA (with `caps` lines) answered: the machine is ready.
    fn ready(policy: TlsPolicy, caps: &str) -> Peer {
        let mut p = Peer::new(policy);
        p.server(b"+OK ready <1.2@host>\r\n").unwrap();
        assert_eq!(p.take_wire(), "CAPA\r\n");
        p.server(format!("+OK\r\n{caps}.\r\n").as_bytes()).unwrap();
        assert!(p.pop.is_ready());
        p
    }
}

fn password_auth() -> Auth {
    Auth::new(Credentials::password("alice", SECRET))
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let mut p = Peer::ready(TlsPolicy::Implicit, "USER\r\n");
    p.pop.enqueue(Command::UserPass(password_auth())).unwrap();
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "USER alice\r\n");
    // The PASS line waits inside the machine: not in its Debug.
    assert!(!format!("{:?}", p.pop).contains(SECRET));
    p.server(b"+OK\r\n").unwrap();
    assert_eq!(p.take_wire(), format!("PASS {SECRET}\r\n"));
    p.server(b"-ERR [AUTH] bad password\r\n+OK\r\n")
        .unwrap_err();
    let error = p.pop.poll_output().unwrap_err();
    assert!(!error.to_string().contains(SECRET));
    assert!(!format!("{:?} {:?}", p.pop, p.events).contains(SECRET));
}

#[test]
fn injection_in_arguments_writes_nothing_and_keeps_the_machine_usable() {
    let mut p = Peer::ready(TlsPolicy::Implicit, "USER\r\nLANG\r\n");
    for (command, what) in [
        (
            Command::UserPass(Auth::new(Credentials::password("al\r\nDELE 1", "x"))),
            "user name",
        ),
        (
            Command::UserPass(Auth::new(Credentials::password("alice", "x\r\nDELE 1"))),
            "password",
        ),
        (Command::Lang(Some("en\r\nDELE 1".into())), "language tag"),
    ] {
        assert_eq!(
            p.pop.enqueue(command),
            Err(UsageError::ForbiddenCharacter { what })
        );
    }
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "");
    assert!(p.pop.enqueue(Command::UserPass(password_auth())).is_ok());
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "USER alice\r\n");
}

#[test]
fn one_login_at_a_time_and_none_after_login() {
    let mut p = Peer::ready(TlsPolicy::Implicit, "USER\r\n");
    p.pop.enqueue(Command::UserPass(password_auth())).unwrap();
    assert_eq!(
        p.pop.enqueue(Command::Login(password_auth())).unwrap_err(),
        UsageError::WrongState("a login is already in progress")
    );
    p.drain().unwrap();
    p.server(b"+OK\r\n").unwrap();
    p.server(b"+OK\r\n").unwrap();
    assert!(p.pop.is_authenticated());
    assert_eq!(
        p.pop.enqueue(Command::Login(password_auth())).unwrap_err(),
        UsageError::WrongState("already logged in")
    );
    assert_eq!(
        p.pop.enqueue(Command::Utf8).unwrap_err(),
        UsageError::NotSupported("UTF8")
    );
    assert_eq!(
        p.pop.enqueue(Command::Dele(0)).unwrap_err(),
        UsageError::InvalidArgument {
            what: "message number",
            reason: "message numbers start at 1"
        }
    );
    p.pop.enqueue(Command::Quit).unwrap();
    assert_eq!(p.pop.enqueue(Command::Noop), Err(UsageError::Closed));
}

#[test]
fn plaintext_login_needs_tls_or_permission() {
    let mut p = Peer::ready(TlsPolicy::None, "USER\r\nSASL PLAIN\r\n");
    assert!(matches!(
        p.pop.enqueue(Command::UserPass(password_auth())),
        Err(UsageError::NoMechanism(_))
    ));
    // The greeting has a timestamp: APOP does not reveal the password.
    p.pop.enqueue(Command::Login(password_auth())).unwrap();
    p.drain().unwrap();
    assert!(p.take_wire().starts_with("APOP alice "));
    let mut p = Peer::ready(TlsPolicy::None, "USER\r\n");
    let mut allowed = password_auth();
    allowed.allow_plaintext = true;
    p.pop.enqueue(Command::UserPass(allowed)).unwrap();
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "USER alice\r\n");
}

#[test]
fn quit_before_ready_waits_for_the_session() {
    let mut p = Peer::new(TlsPolicy::Implicit);
    assert_eq!(
        p.pop.enqueue(Command::Stat),
        Err(UsageError::WrongState("the session is not ready yet"))
    );
    p.pop.enqueue(Command::Quit).unwrap();
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "");
    p.server(b"+OK hi\r\n").unwrap();
    assert_eq!(p.take_wire(), "CAPA\r\n");
    p.server(b"-ERR\r\n").unwrap();
    assert_eq!(p.take_wire(), "QUIT\r\n");
}

#[test]
fn tls_established_without_stls_is_an_error_except_for_implicit_tls() {
    let mut p = Peer::new(TlsPolicy::Implicit);
    let info = TlsInfo {
        protocol: Some("TLSv1.3".into()),
        ..TlsInfo::default()
    };
    p.pop.handle_tls_established(p.now, info.clone());
    p.drain().unwrap();
    assert_eq!(p.pop.tls_info(), Some(&info));
    assert!(p.pop.is_secure());
    let mut p = Peer::ready(TlsPolicy::None, "");
    p.pop.handle_tls_established(p.now, info);
    assert!(matches!(p.drain(), Err(Error::UnexpectedReply(_))));
}

#[test]
fn stls_then_capa_again_then_ready() {
    let mut p = Peer::new(TlsPolicy::Required);
    p.server(b"+OK ready\r\n").unwrap();
    p.server(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n").unwrap();
    assert_eq!(p.take_wire(), "CAPA\r\nSTLS\r\n");
    p.server(b"+OK go\r\n").unwrap();
    assert!(p.starttls);
    assert!(p.pop.capabilities().is_none());
    p.pop.handle_tls_established(p.now, TlsInfo::default());
    p.drain().unwrap();
    assert_eq!(p.take_wire(), "CAPA\r\n");
    p.server(b"+OK\r\nUSER\r\n.\r\n").unwrap();
    assert!(p.pop.is_ready() && p.pop.is_secure());
    assert!(!p.pop.capabilities().unwrap().stls);
}

#[test]
fn deadlines_follow_the_command_in_flight() {
    let mut p = Peer::new(TlsPolicy::Implicit);
    p.drain().unwrap();
    assert_eq!(p.deadline, Some(p.now + Duration::from_secs(120)));
    p.server(b"+OK\r\n").unwrap();
    assert_eq!(p.deadline, Some(p.now + Duration::from_secs(300)));
    p.server(b"-ERR\r\n").unwrap();
    assert_eq!(p.deadline, None, "nothing in flight");
    p.now += Duration::from_secs(299);
    p.pop.handle_timeout(p.now);
    p.drain().unwrap();
}
