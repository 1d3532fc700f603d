//! What the POP3 machine does with each reply.

use super::*;

impl Pop3Client {
    /// Handles the status line of the reply to `front`.
    pub(super) fn on_status(&mut self, front: InFlight, status: StatusLine) {
        let kind = front.kind;
        match status {
            StatusLine::Continue(text) => match kind {
                Kind::Auth(handle) => self.on_sasl(handle, ServerStep::Challenge(&text), None),
                _ => self.outbox.fail(Error::UnexpectedReply(format!(
                    "a SASL continuation while waiting for {}",
                    kind.waiting_for()
                ))),
            },
            StatusLine::Ok(text) if front.multiline => self.start_multiline(kind, &text),
            StatusLine::Ok(text) => self.on_ok(kind, text),
            StatusLine::Err(refusal) => self.on_err(kind, refusal),
        }
    }

    fn start_multiline(&mut self, kind: Kind, text: &[u8]) {
        let lines = match kind {
            Kind::Message(handle) => {
                let octets = listing::octets(text);
                self.outbox.event(Event::MessageStart { handle, octets });
                None
            }
            _ => Some(Lines::new(
                self.config.limits.max_line_len,
                self.config.limits.max_reply_lines,
                self.config.limits.max_reply_size,
            )),
        };
        self.receiving = Some(Receiving {
            kind,
            decoder: DotDecoder::new(),
            size: 0,
            lines,
        });
    }

    fn on_ok(&mut self, kind: Kind, text: Bytes) {
        match kind {
            Kind::Greeting => {
                self.greeting = Some(Greeting::parse(&text));
                self.phase = Phase::Handshake;
                self.outbox.send(&encode::simple("CAPA"));
                self.expect(Kind::Capa(None));
            }
            Kind::Stls => {
                if let Err(e) = tls::check_upgrade_buffer(&self.inbuf) {
                    return self.outbox.fail(e);
                }
                // RFC 2595 §4: forget everything learned before TLS.
                self.caps = None;
                self.phase = Phase::TlsHandshake;
                self.outbox.emit(Output::StartTls);
            }
            Kind::User(handle) => match self.login.take() {
                Some(LoginState::Pass(pass)) => {
                    self.outbox.send(&pass);
                    self.login = Some(LoginState::Final);
                    self.expect(Kind::Pass(handle));
                }
                _ => self
                    .outbox
                    .fail(Error::UnexpectedReply("a reply to USER out of turn".into())),
            },
            Kind::Pass(handle) => self.login_done(Event::Authenticated {
                handle,
                mechanism: "USER",
            }),
            Kind::Apop(handle) => self.login_done(Event::Authenticated {
                handle,
                mechanism: "APOP",
            }),
            Kind::Auth(handle) => self.on_sasl(handle, ServerStep::Success, None),
            Kind::Stat(handle) => match listing::stat(&text) {
                Ok((count, size)) => self.outbox.event(Event::Stat {
                    handle,
                    count,
                    size,
                }),
                Err(e) => self.outbox.fail(e),
            },
            Kind::List(handle, asked) => {
                match listing::list_entry(&text).and_then(|e| same_message(asked, e.message, e)) {
                    Ok(entry) => self.outbox.event(Event::Listing {
                        handle,
                        entries: vec![entry],
                    }),
                    Err(e) => self.outbox.fail(e),
                }
            }
            Kind::Uidl(handle, asked) => {
                match listing::uid_entry(&text).and_then(|e| same_message(asked, e.message, e)) {
                    Ok(entry) => self.outbox.event(Event::UniqueIds {
                        handle,
                        entries: vec![entry],
                    }),
                    Err(e) => self.outbox.fail(e),
                }
            }
            Kind::Dele(handle, message) => self.outbox.event(Event::Deleted { handle, message }),
            Kind::Simple(handle) => self.outbox.event(Event::Ok { handle, text }),
            Kind::Quit(handle) => self.closed(handle, QuitResult::Done(text)),
            // Multi-line kinds never get here: `on_status` sends them to `start_multiline`.
            Kind::Capa(_) | Kind::Message(_) | Kind::Languages(_) => self
                .outbox
                .fail(Error::UnexpectedReply("a single-line reply".into())),
        }
        self.start_commands();
    }

    fn on_err(&mut self, kind: Kind, refusal: Refusal) {
        match kind {
            Kind::Greeting => self
                .outbox
                .fail(Error::GreetingRefused(refusal.to_string())),
            // A server without CAPA (RFC 2449 is optional): no capabilities known.
            Kind::Capa(None) => {
                self.caps = None;
                self.after_capa();
            }
            Kind::Stls if self.config.tls == TlsPolicy::Opportunistic => self.ready(),
            Kind::Stls => self
                .outbox
                .fail(Error::StartTlsRefused(refusal.to_string())),
            Kind::User(handle) | Kind::Pass(handle) => {
                self.login_done(Event::AuthenticationFailed {
                    handle,
                    mechanism: "USER",
                    refusal,
                })
            }
            Kind::Apop(handle) => self.login_done(Event::AuthenticationFailed {
                handle,
                mechanism: "APOP",
                refusal,
            }),
            Kind::Auth(handle) => self.on_sasl(handle, ServerStep::Failure, Some(refusal)),
            Kind::Quit(handle) if self.logged_in => {
                self.closed(handle, QuitResult::DeletionsFailed(refusal))
            }
            Kind::Quit(handle) => self.closed(handle, QuitResult::Refused(refusal)),
            Kind::Capa(Some(handle))
            | Kind::Stat(handle)
            | Kind::List(handle, _)
            | Kind::Uidl(handle, _)
            | Kind::Message(handle)
            | Kind::Dele(handle, _)
            | Kind::Simple(handle)
            | Kind::Languages(handle) => self.outbox.event(Event::Refused { handle, refusal }),
        }
        self.start_commands();
    }

    /// One step of a SASL exchange; `refusal` is the `-ERR` of a failure.
    fn on_sasl(&mut self, handle: Handle, step: ServerStep<'_>, refusal: Option<Refusal>) {
        let Some(LoginState::Sasl(exchange)) = self.login.as_mut() else {
            return self
                .outbox
                .fail(Error::UnexpectedReply("a reply to AUTH out of turn".into()));
        };
        match exchange.on_reply(step) {
            Ok(Step::Send(line)) => {
                self.outbox.send(&line);
                self.expect(Kind::Auth(handle));
            }
            Ok(Step::Authenticated(mechanism)) => {
                self.login_done(Event::Authenticated { handle, mechanism })
            }
            Ok(Step::Failed(mechanism)) => self.login_done(Event::AuthenticationFailed {
                handle,
                mechanism,
                refusal: refusal.unwrap_or_else(|| Refusal::parse(b"")),
            }),
            Err(abort) => {
                if abort.cancel {
                    self.outbox.send(&exchange::cancel_line());
                }
                self.login = None;
                self.outbox.fail(abort.error);
            }
        }
    }

    /// A multi-line reply ended.
    pub(super) fn on_multiline_end(&mut self, rx: Receiving) {
        let lines = match rx.lines.map(Lines::finish).transpose() {
            Ok(lines) => lines.unwrap_or_default(),
            Err(e) => return self.outbox.fail(e),
        };
        let parsed = match rx.kind {
            Kind::Message(handle) => Ok(Event::MessageEnd {
                handle,
                size: rx.size,
            }),
            Kind::Capa(None) => {
                self.caps = Some(Capabilities::parse(&lines));
                self.after_capa();
                return;
            }
            Kind::Capa(Some(handle)) => {
                let capabilities = Capabilities::parse(&lines);
                self.caps = Some(capabilities.clone());
                Ok(Event::Capabilities {
                    handle,
                    capabilities,
                })
            }
            Kind::List(handle, _) => lines
                .iter()
                .map(|l| listing::list_entry(l))
                .collect::<Result<_, _>>()
                .map(|entries| Event::Listing { handle, entries }),
            Kind::Uidl(handle, _) => lines
                .iter()
                .map(|l| listing::uid_entry(l))
                .collect::<Result<_, _>>()
                .map(|entries| Event::UniqueIds { handle, entries }),
            Kind::Languages(handle) => lines
                .iter()
                .map(|l| listing::language(l))
                .collect::<Result<_, _>>()
                .map(|languages| Event::Languages { handle, languages }),
            _ => Err(Error::UnexpectedReply("a multi-line reply".into())),
        };
        match parsed {
            Ok(event) => self.outbox.event(event),
            Err(e) => return self.outbox.fail(e),
        }
        self.start_commands();
    }
}

/// A single-line `LIST n` / `UIDL n` reply must be about message `n`.
fn same_message<T>(asked: Option<u32>, got: u32, entry: T) -> Result<T, Error> {
    match asked {
        Some(n) if n != got => Err(Error::UnexpectedReply(format!(
            "listing of message {got} in reply to a command about message {n}"
        ))),
        _ => Ok(entry),
    }
}
