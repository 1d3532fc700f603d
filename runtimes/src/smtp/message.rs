//! Sending a parsed or built [`Message`]: the envelope and the content come from the message
//! and are adapted to what the server announced (see [`mail_kit_mime::submission`]).

use mail_kit_core::smtp::{Address, BodyType, Capabilities, Envelope, Transaction};
use mail_kit_mime::Message;
use mail_kit_mime::encoding::TransportConstraint;
use mail_kit_mime::submission::{self, ServerSupport};

use crate::Error;

/// The transaction that sends `message` to a server with `caps`: envelope from
/// `Sender`/`From` and `To`/`Cc`/`Bcc` (or `Resent-*`), `Bcc` removed, `BODY=` and
/// `SMTPUTF8` from the content, parts re-encoded only when the server needs it (never for a
/// DKIM- or ARC-signed message: [`Error::Message`]). `send_message` on each client uses it;
/// use it directly to send messages with `send_many`.
pub fn transaction_for_message(
    message: &Message,
    caps: &Capabilities,
) -> Result<Transaction, Error> {
    let envelope = submission::envelope(message)?;
    let support = ServerSupport {
        body: if caps.binary_mime && caps.chunking {
            TransportConstraint::Binary
        } else if caps.eight_bit_mime {
            TransportConstraint::EightBit
        } else {
            TransportConstraint::SevenBit
        },
        smtp_utf8: caps.smtp_utf8,
    };
    let prepared = submission::prepare(message, support)?;
    let recipients = envelope
        .recipients
        .iter()
        .map(|r| Address::new(r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut smtp_envelope = Envelope::new(Some(Address::new(&envelope.from)?), recipients);
    smtp_envelope.params.smtputf8 = prepared.smtp_utf8;
    let mut transaction = Transaction::new(smtp_envelope, prepared.bytes);
    transaction.body_type = match prepared.body {
        TransportConstraint::SevenBit => None,
        TransportConstraint::EightBit => Some(BodyType::EightBitMime),
        TransportConstraint::Binary => Some(BodyType::BinaryMime),
    };
    Ok(transaction)
}
