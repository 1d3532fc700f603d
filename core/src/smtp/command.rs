//! What an application asks the SMTP machine to do.

use bytes::Bytes;

use super::address::Address;
use super::params::{BodyType, MailParameters, RcptParameters};
use crate::sasl::Credentials;

/// A command for [`SmtpClient::enqueue`](super::SmtpClient::enqueue).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Command {
    /// Authenticate with SASL (`AUTH`).
    Authenticate(Auth),
    /// Send one message: `MAIL`, `RCPT`…, then `DATA` or `BDAT`.
    Send(Transaction),
    /// `NOOP`.
    Noop,
    /// `RSET`.
    Rset,
    /// `VRFY` a user name or address.
    Vrfy(String),
    /// `EXPN` a mailing list.
    Expn(String),
    /// `QUIT`, then close.
    Quit,
}

/// How to authenticate.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Who and with which secret (password or OAuth token). Never printed by `Debug`.
    pub credentials: Credentials,
    /// Force one mechanism (e.g. `"LOGIN"`) instead of the strongest one both sides support.
    pub mechanism: Option<String>,
    /// Allow mechanisms that reveal the password (PLAIN, LOGIN) on a connection without TLS.
    pub allow_plaintext: bool,
}

impl Auth {
    /// Authenticates with the strongest mechanism both sides support; never reveals the
    /// password on a connection without TLS.
    pub fn new(credentials: Credentials) -> Self {
        Auth {
            credentials,
            mechanism: None,
            allow_plaintext: false,
        }
    }

    /// Forces a mechanism by name.
    pub fn with_mechanism(mut self, name: impl Into<String>) -> Self {
        self.mechanism = Some(name.into());
        self
    }
}

/// One recipient and its DSN parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The forward path.
    pub address: Address,
    /// `NOTIFY` and `ORCPT` (RFC 3461).
    pub params: RcptParameters,
}

impl From<Address> for Recipient {
    fn from(address: Address) -> Self {
        Recipient {
            address,
            params: RcptParameters::default(),
        }
    }
}

/// The SMTP envelope: reverse path, recipients and `MAIL FROM` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope {
    /// The reverse path; `None` sends the null path `<>` (bounces).
    pub from: Option<Address>,
    /// The forward paths, at least one.
    pub recipients: Vec<Recipient>,
    /// `RET`, `ENVID`, `REQUIRETLS`, `SMTPUTF8` requests.
    pub params: MailParameters,
}

impl Envelope {
    /// An envelope from `from` to `recipients` with default parameters.
    pub fn new(from: Option<Address>, recipients: impl IntoIterator<Item = Address>) -> Self {
        Envelope {
            from,
            recipients: recipients.into_iter().map(Recipient::from).collect(),
            params: MailParameters::default(),
        }
    }
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// The envelope.
    pub envelope: Envelope,
    /// The message bytes (headers and body) as RFC 5322 text. Line ends are normalized to
    /// CRLF and lines starting with `.` are stuffed on the way out; the caller never does it.
    pub message: Bytes,
    /// The body type; `None` detects it: 8-bit bytes give `8BITMIME`, NUL bytes `BINARYMIME`.
    pub body_type: Option<BodyType>,
}

impl Transaction {
    /// A transaction sending `message` with `envelope`.
    pub fn new(envelope: Envelope, message: impl Into<Bytes>) -> Self {
        Transaction {
            envelope,
            message: message.into(),
            body_type: None,
        }
    }
}
