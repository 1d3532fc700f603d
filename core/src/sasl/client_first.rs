//! The one-message exchange of ANONYMOUS and EXTERNAL: [`ClientFirst`], and
//! [`client_first_mechanism!`] for their [`Mechanism`](super::Mechanism) impls.

use super::SaslError;

/// A client-first exchange of one message: sent as the initial response or in answer to the
/// first (empty) challenge; a further challenge is [`SaslError::TooManySteps`].
#[derive(Debug)]
pub(crate) struct ClientFirst {
    message: String,
    sent: bool,
}

impl ClientFirst {
    pub(crate) fn new(message: &str) -> Self {
        ClientFirst {
            message: message.to_owned(),
            sent: false,
        }
    }

    /// [`Mechanism::initial_response`](super::Mechanism::initial_response): the message, once.
    pub(crate) fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        if self.sent {
            return Err(SaslError::TooManySteps);
        }
        self.sent = true;
        Ok(Some(self.message.as_bytes().to_vec()))
    }

    /// [`Mechanism::respond`](super::Mechanism::respond): the message, when it was not sent yet.
    pub(crate) fn respond(&mut self) -> Result<Vec<u8>, SaslError> {
        self.initial_response().map(Option::unwrap_or_default)
    }
}

/// Implements [`Mechanism`](super::Mechanism) named `$name` for `$ty`, whose `exchange` field is
/// a [`ClientFirst`].
macro_rules! client_first_mechanism {
    ($ty:ident, $name:literal) => {
        impl $crate::sasl::Mechanism for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn initial_response(&mut self) -> Result<Option<Vec<u8>>, $crate::sasl::SaslError> {
                self.exchange.initial_response()
            }

            fn respond(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, $crate::sasl::SaslError> {
                self.exchange.respond()
            }
        }
    };
}
pub(crate) use client_first_mechanism;
