//! One SMTP `AUTH` exchange (RFC 4954) over the SASL mechanisms, strongest first.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;

use super::config::SmtpLimits;
use super::encode;
use super::event::Event;
use super::reply::Reply;
use crate::error::Error;
use crate::machine::Handle;
use crate::sasl::Mechanism;

/// Base64 as servers write it: padding optional.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the machine does after a reply to `AUTH` or to a SASL response.
pub(crate) enum Step {
    /// Write this line and wait for the next reply.
    Send(Bytes),
    /// The exchange is over; report this event.
    Done(Event),
}

/// A running `AUTH` exchange.
pub(crate) struct AuthExchange {
    handle: Handle,
    mechanisms: Vec<Box<dyn Mechanism>>,
    current: usize,
    rounds: usize,
    limits: SmtpLimits,
}

impl std::fmt::Debug for AuthExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.mechanisms.iter().map(|m| m.name()).collect();
        f.debug_struct("AuthExchange")
            .field("handle", &self.handle)
            .field("mechanisms", &names)
            .field("current", &self.current)
            .finish()
    }
}

impl AuthExchange {
    pub(crate) fn new(
        handle: Handle,
        mechanisms: Vec<Box<dyn Mechanism>>,
        limits: SmtpLimits,
    ) -> Self {
        AuthExchange {
            handle,
            mechanisms,
            current: 0,
            rounds: 0,
            limits,
        }
    }

    fn name(&self) -> &'static str {
        self.mechanisms
            .get(self.current)
            .map_or("none", |m| m.name())
    }

    fn sasl_error(&self, reason: String) -> Error {
        Error::Sasl {
            mechanism: self.name(),
            reason,
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
            Ok(ir) => Ok(encode::auth(name, ir.as_deref())),
            Err(e) => Err(Error::Sasl {
                mechanism: name,
                reason: e.to_string(),
            }),
        }
    }

    /// Handles one reply. `Err((cancel, error))`: write `*` first when `cancel`, then fail.
    pub(crate) fn on_reply(&mut self, reply: &Reply) -> Result<Step, (bool, Error)> {
        match reply.code {
            334 => self.on_challenge(reply),
            235 => {
                let name = self.name();
                let Some(mech) = self.mechanisms.get_mut(self.current) else {
                    return Err((false, self.sasl_error("no mechanism".into())));
                };
                match mech.finish(None) {
                    Ok(()) => Ok(Step::Done(Event::Authenticated {
                        handle: self.handle,
                        mechanism: name,
                    })),
                    Err(e) => Err((false, self.sasl_error(e.to_string()))),
                }
            }
            504 if self.current + 1 < self.mechanisms.len() => {
                self.current += 1;
                self.start().map(Step::Send).map_err(|e| (false, e))
            }
            _ => Ok(Step::Done(Event::AuthenticationFailed {
                handle: self.handle,
                mechanism: self.name(),
                reply: reply.clone(),
            })),
        }
    }

    fn on_challenge(&mut self, reply: &Reply) -> Result<Step, (bool, Error)> {
        self.rounds += 1;
        if self.rounds > self.limits.max_sasl_rounds {
            return Err((true, self.sasl_error("too many challenges".into())));
        }
        let text = reply
            .lines
            .first()
            .map(|l| l.trim_ascii())
            .unwrap_or_default();
        if text.len() / 4 * 3 > self.limits.max_challenge_len {
            return Err((true, self.sasl_error("challenge too long".into())));
        }
        let challenge = LENIENT
            .decode(text)
            .map_err(|_| (true, self.sasl_error("challenge is not base64".into())))?;
        let Some(mech) = self.mechanisms.get_mut(self.current) else {
            return Err((true, self.sasl_error("no mechanism".into())));
        };
        match mech.respond(&challenge) {
            Ok(response) => Ok(Step::Send(encode::sasl_response(&response))),
            Err(e) => Err((true, self.sasl_error(e.to_string()))),
        }
    }
}
