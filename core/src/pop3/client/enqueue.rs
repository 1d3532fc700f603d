//! Checking a command and queueing it: everything decided before a byte is written.

use super::*;

impl Pop3Client {
    /// Checks `cmd` and queues it; it goes out when the commands before it allow.
    ///
    /// Everything that can be checked locally is checked here, before any byte is produced:
    /// CR/LF/NUL in every argument, message numbers, the session state, the capability the
    /// command needs, and the login method (never a password in plaintext without TLS unless
    /// allowed).
    pub fn enqueue(&mut self, cmd: Command) -> Result<Handle, UsageError> {
        if self.outbox.error().is_some() || matches!(self.phase, Phase::Closing | Phase::Closed) {
            return Err(UsageError::Closed);
        }
        let set_up = self.is_set_up();
        if !matches!(cmd, Command::Quit) && !set_up {
            return Err(UsageError::WrongState("the session is not ready yet"));
        }
        let authorization = self.phase == Phase::Authorization;
        let transaction = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(UsageError::WrongState("not logged in"))
            }
        };
        let caps = self.caps.clone().unwrap_or_default();
        let handle = self.handles.next();
        let line = |line: Result<Bytes, UsageError>, kind: Kind| Ok(Queued::Line(line?, kind));
        let queued = match cmd {
            Command::Login(ref auth)
            | Command::UserPass(ref auth)
            | Command::Apop(ref auth)
            | Command::Authenticate(ref auth) => {
                if !authorization {
                    return Err(UsageError::WrongState("already logged in"));
                }
                if self.login_pending {
                    return Err(UsageError::WrongState("a login is already in progress"));
                }
                let context = Context {
                    caps: self.caps.as_ref(),
                    timestamp: self
                        .greeting
                        .as_ref()
                        .and_then(|g| g.apop_timestamp.as_deref()),
                    secure: self.tls.secure,
                    tls: self.tls.info.as_ref(),
                    limits: self.config.limits,
                    host: self.config.server_host.as_deref(),
                    wall_clock: self.config.wall_clock,
                };
                let method = match cmd {
                    Command::UserPass(_) => context.user_pass(auth),
                    Command::Apop(_) => context.apop(auth),
                    Command::Authenticate(_) => context.sasl(auth),
                    _ => context.best(auth),
                }?;
                self.login_pending = true;
                Ok(Queued::Login(method))
            }
            Command::Capa => line(Ok(encode::simple("CAPA")), Kind::Capa(Some(handle))),
            Command::Stat => transaction(!authorization)
                .and_then(|()| line(Ok(encode::simple("STAT")), Kind::Stat(handle))),
            Command::List(n) => transaction(!authorization).and_then(|()| match n {
                None => line(Ok(encode::simple("LIST")), Kind::List(handle, None)),
                Some(n) => line(
                    encode::numbers("LIST", n, None),
                    Kind::List(handle, Some(n)),
                ),
            }),
            Command::Uidl(n) => transaction(!authorization).and_then(|()| match n {
                None => line(Ok(encode::simple("UIDL")), Kind::Uidl(handle, None)),
                Some(n) => line(
                    encode::numbers("UIDL", n, None),
                    Kind::Uidl(handle, Some(n)),
                ),
            }),
            Command::Retr(n) => transaction(!authorization)
                .and_then(|()| line(encode::numbers("RETR", n, None), Kind::Message(handle))),
            Command::Top { message, lines } => transaction(!authorization).and_then(|()| {
                line(
                    encode::numbers("TOP", message, Some(lines)),
                    Kind::Message(handle),
                )
            }),
            Command::Dele(n) => transaction(!authorization)
                .and_then(|()| line(encode::numbers("DELE", n, None), Kind::Dele(handle, n))),
            Command::Rset => transaction(!authorization)
                .and_then(|()| line(Ok(encode::simple("RSET")), Kind::Simple(handle))),
            Command::Noop => transaction(!authorization)
                .and_then(|()| line(Ok(encode::simple("NOOP")), Kind::Simple(handle))),
            Command::Utf8 => {
                if !caps.utf8 {
                    return Err(UsageError::NotSupported("UTF8"));
                }
                if !authorization || self.login_pending {
                    return Err(UsageError::WrongState("UTF8 is only valid before login"));
                }
                line(Ok(encode::simple("UTF8")), Kind::Simple(handle))
            }
            Command::Lang(tag) => {
                if !caps.lang {
                    return Err(UsageError::NotSupported("LANG"));
                }
                match tag {
                    None => line(Ok(encode::simple("LANG")), Kind::Languages(handle)),
                    Some(tag) => line(encode::lang(&tag), Kind::Simple(handle)),
                }
            }
            Command::Quit => {
                self.phase = Phase::Closing;
                Ok(Queued::Line(encode::simple("QUIT"), Kind::Quit(handle)))
            }
        }?;
        self.queue.push_back((handle, queued));
        self.start_commands();
        Ok(handle)
    }
}
