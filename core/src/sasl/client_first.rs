//! The one-message exchange of ANONYMOUS and EXTERNAL: [`ClientFirst`].

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
