//! One SMTP `AUTH` exchange (RFC 4954): SMTP's reply codes mapped onto the shared
//! [`SaslExchange`](crate::sasl::exchange::SaslExchange).

use bytes::Bytes;

use super::config::SmtpLimits;
use super::event::Event;
use super::reply::Reply;
use crate::machine::Handle;
use crate::sasl::Mechanism;
use crate::sasl::exchange::{Abort, ExchangeLimits, SaslExchange, ServerStep, Step as SaslStep};

/// What the machine does after a reply to `AUTH` or to a SASL response.
pub(crate) enum Step {
    /// Write this line and wait for the next reply.
    Send(Bytes),
    /// The exchange is over; report this event.
    Done(Event),
}

/// A running `AUTH` exchange.
#[derive(Debug)]
pub(crate) struct AuthExchange {
    handle: Handle,
    exchange: SaslExchange,
}

impl AuthExchange {
    pub(crate) fn new(
        handle: Handle,
        mechanisms: Vec<Box<dyn Mechanism>>,
        limits: SmtpLimits,
    ) -> Self {
        let limits = ExchangeLimits {
            max_challenge_len: limits.max_challenge_len,
            max_rounds: limits.max_sasl_rounds,
        };
        AuthExchange {
            handle,
            exchange: SaslExchange::new(mechanisms, limits),
        }
    }

    /// The `AUTH` line for the current mechanism.
    pub(crate) fn start(&mut self) -> Result<Bytes, crate::Error> {
        self.exchange.start()
    }

    /// Handles one reply. On `Err`, write `*` first when `cancel`, then fail.
    pub(crate) fn on_reply(&mut self, reply: &Reply) -> Result<Step, Abort> {
        let step = match reply.code {
            334 => ServerStep::Challenge(reply.lines.first().map_or(&[][..], |l| &l[..])),
            235 => ServerStep::Success,
            504 => ServerStep::MechanismRefused,
            _ => ServerStep::Failure,
        };
        Ok(match self.exchange.on_reply(step)? {
            SaslStep::Send(line) => Step::Send(line),
            SaslStep::Authenticated(mechanism) => Step::Done(Event::Authenticated {
                handle: self.handle,
                mechanism,
            }),
            SaslStep::Failed(mechanism) => Step::Done(Event::AuthenticationFailed {
                handle: self.handle,
                mechanism,
                reply: reply.clone(),
            }),
        })
    }
}
