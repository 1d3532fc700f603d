//! One SASL exchange over a line protocol, shared by SMTP `AUTH` (RFC 4954) and POP3 `AUTH`
//! (RFC 5034), which frame it the same way: `AUTH MECH [initial-response]` (an empty initial
//! response is `=`), one base64 line per response, `*` to cancel.
//!
//! The protocol machine maps its replies to a [`ServerStep`] and writes what [`Step::Send`]
//! gives; the mechanisms to try (strongest first), the challenge limits and the wire lines live
//! here once.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use super::{Mechanism, lenient_base64};
use crate::error::Error;

/// Bounds on what the server may send during one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExchangeLimits {
    /// Longest decoded challenge in bytes.
    pub max_challenge_len: usize,
    /// Most challenges in one exchange.
    pub max_rounds: usize,
}

/// A server reply during the exchange, as the protocol machine classified it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerStep<'a> {
    /// A challenge: the base64 text after `334 ` / `+ `.
    Challenge(&'a [u8]),
    /// The server accepted the authentication.
    Success,
    /// The server does not support the mechanism (SMTP 504): the next one may be tried.
    MechanismRefused,
    /// The server refused the authentication.
    Failure,
}

/// What the protocol machine does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Write this line and wait for the next reply.
    Send(Bytes),
    /// Authenticated with this mechanism.
    Authenticated(&'static str),
    /// Refused; the mechanism tried last.
    Failed(&'static str),
}

/// A fatal end of the exchange: write `*` first when `cancel` (the server waits for a
/// response), then fail with `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Abort {
    /// The server is waiting for a response: cancel the exchange with `*`.
    pub cancel: bool,
    /// The fatal error.
    pub error: Error,
}

/// A running exchange over the mechanisms to try, strongest first.
pub(crate) struct SaslExchange {
    mechanisms: Vec<Box<dyn Mechanism>>,
    current: usize,
    rounds: usize,
    limits: ExchangeLimits,
}

/// Names the mechanisms, never their credentials.
impl std::fmt::Debug for SaslExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.mechanisms.iter().map(|m| m.name()).collect();
        f.debug_struct("SaslExchange")
            .field("mechanisms", &names)
            .field("current", &self.current)
            .finish()
    }
}

impl SaslExchange {
    /// An exchange that tries `mechanisms` in order.
    pub(crate) fn new(mechanisms: Vec<Box<dyn Mechanism>>, limits: ExchangeLimits) -> Self {
        SaslExchange {
            mechanisms,
            current: 0,
            rounds: 0,
            limits,
        }
    }

    /// The mechanism being tried.
    pub(crate) fn name(&self) -> &'static str {
        self.mechanisms
            .get(self.current)
            .map_or("none", |m| m.name())
    }

    fn error(&self, reason: impl Into<String>) -> Error {
        Error::Sasl {
            mechanism: self.name(),
            reason: reason.into(),
        }
    }

    /// The `AUTH` line for the current mechanism.
    pub(crate) fn start(&mut self) -> Result<Bytes, Error> {
        self.rounds = 0;
        let Some(mech) = self.mechanisms.get_mut(self.current) else {
            return Err(Error::Sasl {
                mechanism: "none",
                reason: "no mechanism left to try".into(),
            });
        };
        let name = mech.name();
        match mech.initial_response() {
            Ok(ir) => Ok(auth_line(name, ir.as_deref())),
            Err(e) => Err(Error::Sasl {
                mechanism: name,
                reason: e.to_string(),
            }),
        }
    }

    /// Handles one server reply.
    pub(crate) fn on_reply(&mut self, reply: ServerStep<'_>) -> Result<Step, Abort> {
        let fatal = |error| Abort {
            cancel: false,
            error,
        };
        match reply {
            ServerStep::Challenge(text) => self.on_challenge(text),
            ServerStep::Success => {
                let name = self.name();
                let Some(mech) = self.mechanisms.get_mut(self.current) else {
                    return Err(fatal(self.error("no mechanism")));
                };
                match mech.finish(None) {
                    Ok(()) => Ok(Step::Authenticated(name)),
                    Err(e) => Err(fatal(self.error(e.to_string()))),
                }
            }
            ServerStep::MechanismRefused if self.current + 1 < self.mechanisms.len() => {
                self.current += 1;
                self.start().map(Step::Send).map_err(fatal)
            }
            ServerStep::MechanismRefused | ServerStep::Failure => Ok(Step::Failed(self.name())),
        }
    }

    fn on_challenge(&mut self, text: &[u8]) -> Result<Step, Abort> {
        let cancel = |error| Abort {
            cancel: true,
            error,
        };
        self.rounds += 1;
        if self.rounds > self.limits.max_rounds {
            return Err(cancel(self.error("too many challenges")));
        }
        let text = text.trim_ascii();
        if text.len() / 4 * 3 > self.limits.max_challenge_len {
            return Err(cancel(self.error("challenge too long")));
        }
        let challenge =
            lenient_base64(text).ok_or_else(|| cancel(self.error("challenge is not base64")))?;
        let Some(mech) = self.mechanisms.get_mut(self.current) else {
            return Err(cancel(self.error("no mechanism")));
        };
        match mech.respond(&challenge) {
            Ok(response) => Ok(Step::Send(response_line(&response))),
            Err(e) => Err(cancel(self.error(e.to_string()))),
        }
    }
}

/// `AUTH MECH` or `AUTH MECH initial-response`; an empty initial response is `=`.
///
/// `mechanism` is a registered SASL name (`A-Z`, digits, `-`, `_`); any other byte is
/// dropped, so nothing but a name can reach the line.
pub(crate) fn auth_line(mechanism: &str, initial: Option<&[u8]>) -> Bytes {
    let mut line: String = mechanism
        .chars()
        .filter(|&c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .collect();
    line.insert_str(0, "AUTH ");
    match initial {
        None => {}
        Some([]) => line.push_str(" ="),
        Some(data) => {
            line.push(' ');
            STANDARD.encode_string(data, &mut line);
        }
    }
    line.push_str("\r\n");
    Bytes::from(line)
}

/// A SASL response line: base64 and CRLF (an empty response is just CRLF).
pub(crate) fn response_line(data: &[u8]) -> Bytes {
    let mut line = STANDARD.encode(data);
    line.push_str("\r\n");
    Bytes::from(line)
}

/// Cancels a SASL exchange: `*`.
pub(crate) fn cancel_line() -> Bytes {
    Bytes::from_static(b"*\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{Credentials, Login, Plain};

    fn limits() -> ExchangeLimits {
        ExchangeLimits {
            max_challenge_len: 64,
            max_rounds: 2,
        }
    }

    #[test]
    fn lines() {
        assert_eq!(auth_line("LOGIN", None), "AUTH LOGIN\r\n");
        assert_eq!(auth_line("EXTERNAL", Some(b"")), "AUTH EXTERNAL =\r\n");
        assert_eq!(
            auth_line("PLAIN", Some(b"\0user\0pass")),
            "AUTH PLAIN AHVzZXIAcGFzcw==\r\n"
        );
        // Nothing but a mechanism name can get through.
        assert_eq!(auth_line("PLAIN\r\nQUIT", None), "AUTH PLAINQUIT\r\n");
        assert_eq!(response_line(b"user"), "dXNlcg==\r\n");
        assert_eq!(response_line(b""), "\r\n");
        assert_eq!(cancel_line(), "*\r\n");
    }

    #[test]
    fn next_mechanism_then_challenges_then_limit() {
        let c = Credentials::password("tim", "secret");
        let mechs: Vec<Box<dyn Mechanism>> = vec![
            Box::new(Plain::new(&c).unwrap()),
            Box::new(Login::new(&c).unwrap()),
        ];
        let mut x = SaslExchange::new(mechs, limits());
        assert_eq!(x.start().unwrap(), "AUTH PLAIN AHRpbQBzZWNyZXQ=\r\n");
        assert_eq!(
            x.on_reply(ServerStep::MechanismRefused).unwrap(),
            Step::Send(Bytes::from_static(b"AUTH LOGIN\r\n"))
        );
        assert_eq!(
            x.on_reply(ServerStep::Challenge(b"VXNlcm5hbWU6")).unwrap(),
            Step::Send(Bytes::from_static(b"dGlt\r\n"))
        );
        assert_eq!(
            x.on_reply(ServerStep::Challenge(b"UGFzc3dvcmQ6")).unwrap(),
            Step::Send(Bytes::from_static(b"c2VjcmV0\r\n"))
        );
        let abort = x.on_reply(ServerStep::Challenge(b"")).unwrap_err();
        assert!(abort.cancel);
        assert_eq!(
            abort.error,
            Error::Sasl {
                mechanism: "LOGIN",
                reason: "too many challenges".into()
            }
        );
    }

    #[test]
    fn refusal_of_the_last_mechanism_fails() {
        let c = Credentials::password("tim", "secret");
        let mut x = SaslExchange::new(vec![Box::new(Plain::new(&c).unwrap())], limits());
        x.start().unwrap();
        assert_eq!(
            x.on_reply(ServerStep::MechanismRefused).unwrap(),
            Step::Failed("PLAIN")
        );
        let mut x = SaslExchange::new(vec![Box::new(Plain::new(&c).unwrap())], limits());
        x.start().unwrap();
        let abort = x.on_reply(ServerStep::Challenge(b"!!!")).unwrap_err();
        assert!(abort.cancel);
        let big = "QUFB".repeat(40);
        let mut x = SaslExchange::new(vec![Box::new(Login::new(&c).unwrap())], limits());
        x.start().unwrap();
        let abort = x
            .on_reply(ServerStep::Challenge(big.as_bytes()))
            .unwrap_err();
        assert_eq!(
            abort.error,
            Error::Sasl {
                mechanism: "LOGIN",
                reason: "challenge too long".into()
            }
        );
    }
}
