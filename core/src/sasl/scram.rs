//! SCRAM (RFC 5802, RFC 7677): salted challenge-response with mutual authentication, and the
//! `-PLUS` variants that bind the exchange to the TLS channel.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::{Zeroize, Zeroizing};

use super::lenient_base64;
use super::{
    ChannelBinding, Credentials, Mechanism, SaslError, SaslLimits, ScramHash, random, saslprep,
};

/// A SCRAM mechanism: SCRAM-SHA-1, SCRAM-SHA-256 or SCRAM-SHA-512, each with or without
/// `-PLUS` (channel binding).
///
/// Client-first. The user name and password are prepared with SASLprep (RFC 4013). The
/// server's iteration count is bounded by [`SaslLimits::max_scram_iterations`]. The server's
/// signature (`v=`) is checked when it arrives, as a challenge or as the success data given to
/// [`finish`](Mechanism::finish); `finish` without a verified signature is
/// [`SaslError::ServerNotVerified`], and a server `e=` is [`SaslError::ServerError`].
///
/// ```
/// use mail_kit_core::sasl::{Credentials, Mechanism, SaslLimits, Scram, ScramHash};
///
/// // RFC 5802 §5.
/// let credentials = Credentials::password("user", "pencil")
///     .with_fixed_nonce("fyko+d2lbbFgONRv9qkxdawL"); // known-answer test only
/// let mut scram = Scram::new(&credentials, ScramHash::Sha1, SaslLimits::default()).unwrap();
/// assert_eq!(
///     scram.initial_response().unwrap().unwrap(),
///     b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
/// );
/// let last = scram
///     .respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
///     .unwrap();
/// assert!(last.ends_with(b",p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="));
/// scram.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).unwrap();
/// ```
pub struct Scram {
    hash: ScramHash,
    binding: Binding,
    authzid: Option<String>,
    user: String,
    password: Zeroizing<String>,
    client_nonce: Option<String>,
    limits: SaslLimits,
    state: State,
}

/// What the GS2 header says about channel binding (RFC 5802 §6).
#[derive(Clone)]
enum Binding {
    /// `n`: the client has no binding data.
    None,
    /// `y`: the client has binding data but the server did not offer a `-PLUS` mechanism.
    SupportedNotUsed,
    /// `p=TYPE`: the `-PLUS` mechanism, with this data.
    Used(ChannelBinding),
}

enum State {
    Start,
    /// The client-first message went out.
    SentFirst {
        gs2_header: String,
        client_first_bare: String,
    },
    /// The client-final message went out; the server's signature is expected.
    SentFinal {
        server_signature: Zeroizing<Vec<u8>>,
    },
    Verified,
    Failed,
}

impl Scram {
    /// SCRAM without channel binding (GS2 flag `n`) for these credentials; `None` for an OAuth
    /// token or credentials without a password.
    pub fn new(credentials: &Credentials, hash: ScramHash, limits: SaslLimits) -> Option<Self> {
        let password = credentials.password_str()?;
        Some(Scram {
            hash,
            binding: Binding::None,
            authzid: credentials.authzid().map(str::to_owned),
            user: credentials.user().to_owned(),
            password: Zeroizing::new(password.to_owned()),
            client_nonce: credentials.fixed_nonce().map(str::to_owned),
            limits,
            state: State::Start,
        })
    }

    /// The `-PLUS` variant, bound to this TLS channel (GS2 flag `p=tls-exporter` or
    /// `p=tls-server-end-point`).
    pub fn with_channel_binding(mut self, binding: ChannelBinding) -> Self {
        self.binding = Binding::Used(binding);
        self
    }

    /// Says that the client could bind to the channel but the server offers no `-PLUS`
    /// mechanism (GS2 flag `y`): a server that does support channel binding then knows the
    /// offer was stripped and fails the exchange (RFC 5802 §6). Ignored by the `-PLUS` variant.
    pub fn with_binding_not_offered(mut self) -> Self {
        if !matches!(self.binding, Binding::Used(_)) {
            self.binding = Binding::SupportedNotUsed;
        }
        self
    }

    /// Uses this client nonce instead of a random one (see [`Credentials::with_fixed_nonce`]).
    #[cfg(test)]
    pub(crate) fn with_client_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.client_nonce = Some(nonce.into());
        self
    }

    fn gs2_header(&self) -> String {
        let mut header = String::from(match &self.binding {
            Binding::None => "n",
            Binding::SupportedNotUsed => "y",
            Binding::Used(cb) => cb.kind(),
        });
        if let Binding::Used(_) = self.binding {
            header.insert_str(0, "p=");
        }
        header.push(',');
        if let Some(authzid) = &self.authzid {
            header.push_str("a=");
            push_saslname(&mut header, authzid);
        }
        header.push(',');
        header
    }

    fn client_first(&mut self) -> Result<Vec<u8>, SaslError> {
        let user = saslprep(&self.user, "user name")?;
        let nonce = match &self.client_nonce {
            Some(nonce) if valid_nonce(nonce) => nonce.clone(),
            Some(_) => return Err(SaslError::WrongCredentials),
            None => random::nonce()?,
        };
        let mut client_first_bare = String::from("n=");
        push_saslname(&mut client_first_bare, &user);
        client_first_bare.push_str(",r=");
        client_first_bare.push_str(&nonce);
        self.client_nonce = Some(nonce);
        let gs2_header = self.gs2_header();
        let message = format!("{gs2_header}{client_first_bare}").into_bytes();
        self.state = State::SentFirst {
            gs2_header,
            client_first_bare,
        };
        Ok(message)
    }

    fn client_final(
        &mut self,
        server_first: &[u8],
        gs2_header: &str,
        client_first_bare: &str,
    ) -> Result<Vec<u8>, SaslError> {
        let server_first = std::str::from_utf8(server_first)
            .map_err(|_| SaslError::InvalidChallenge("SCRAM server-first is not UTF-8"))?;
        let first = ServerFirst::parse(server_first)?;
        let client_nonce = self.client_nonce.as_deref().unwrap_or_default();
        if !first.nonce.starts_with(client_nonce) || first.nonce.len() == client_nonce.len() {
            return Err(SaslError::InvalidChallenge(
                "SCRAM server nonce does not extend the client nonce",
            ));
        }
        if first.iterations > u64::from(self.limits.max_scram_iterations) {
            return Err(SaslError::TooManyIterations {
                requested: first.iterations,
                limit: self.limits.max_scram_iterations,
            });
        }
        let iterations = u32::try_from(first.iterations)
            .map_err(|_| SaslError::InvalidChallenge("SCRAM iteration count out of range"))?;
        let password = Zeroizing::new(saslprep(&self.password, "password")?.into_owned());
        // The password is needed once: only the derived keys remain.
        self.password.zeroize();

        let mut cbind_input = gs2_header.as_bytes().to_vec();
        if let Binding::Used(cb) = &self.binding {
            cbind_input.extend_from_slice(cb.data());
        }
        let without_proof = format!("c={},r={}", STANDARD.encode(&cbind_input), first.nonce);
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");

        let hash = self.hash;
        let salted = hash.salted_password(password.as_bytes(), &first.salt, iterations);
        let client_key = hash.hmac(&salted, b"Client Key");
        let stored_key = hash.digest(&client_key);
        let client_signature = hash.hmac(&stored_key, auth_message.as_bytes());
        let proof: Zeroizing<Vec<u8>> = Zeroizing::new(
            client_key
                .iter()
                .zip(client_signature.iter())
                .map(|(k, s)| k ^ s)
                .collect(),
        );
        let server_key = hash.hmac(&salted, b"Server Key");
        let server_signature = hash.hmac(&server_key, auth_message.as_bytes());
        self.state = State::SentFinal { server_signature };
        Ok(format!("{without_proof},p={}", STANDARD.encode(&proof)).into_bytes())
    }

    /// Checks the server-final message.
    fn verify(&mut self, server_final: &[u8]) -> Result<(), SaslError> {
        let State::SentFinal { server_signature } = &self.state else {
            return Err(SaslError::TooManySteps);
        };
        let text = String::from_utf8_lossy(server_final);
        let first = text.split(',').next().unwrap_or_default();
        if let Some(error) = first.strip_prefix("e=") {
            let error = error
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect();
            self.state = State::Failed;
            return Err(SaslError::ServerError(error));
        }
        let verified = first
            .strip_prefix("v=")
            .and_then(|v| lenient_base64(v.as_bytes()))
            .is_some_and(|v| constant_time_eq(&v, server_signature));
        if verified {
            self.state = State::Verified;
            Ok(())
        } else {
            self.state = State::Failed;
            Err(SaslError::ServerNotVerified)
        }
    }
}

impl Mechanism for Scram {
    fn name(&self) -> &'static str {
        self.hash
            .mechanism_name(matches!(self.binding, Binding::Used(_)))
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        match self.state {
            State::Start => self.client_first().map(Some),
            _ => Err(SaslError::TooManySteps),
        }
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            // No initial response was sent: the empty challenge asks for it.
            State::Start if challenge.is_empty() => self.client_first(),
            State::Start => Err(SaslError::InvalidChallenge(
                "SCRAM is client-first: the first challenge must be empty",
            )),
            State::SentFirst {
                gs2_header,
                client_first_bare,
            } => self.client_final(challenge, &gs2_header, &client_first_bare),
            state @ State::SentFinal { .. } => {
                self.state = state;
                self.verify(challenge).map(|()| Vec::new())
            }
            State::Verified | State::Failed => Err(SaslError::TooManySteps),
        }
    }

    fn finish(&mut self, additional: Option<&[u8]>) -> Result<(), SaslError> {
        if let Some(data) = additional.filter(|d| !d.is_empty()) {
            if matches!(self.state, State::SentFinal { .. }) {
                return self.verify(data);
            }
        }
        match self.state {
            State::Verified => Ok(()),
            _ => Err(SaslError::ServerNotVerified),
        }
    }
}

impl fmt::Debug for Scram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Start => "start",
            State::SentFirst { .. } => "sent client-first",
            State::SentFinal { .. } => "sent client-final",
            State::Verified => "verified",
            State::Failed => "failed",
        };
        f.debug_struct("Scram")
            .field("mechanism", &self.name())
            .field("user", &self.user)
            .field("authzid", &self.authzid)
            .field("password", &format_args!("<redacted>"))
            .field("state", &state)
            .finish()
    }
}

/// The server-first message: `[m=…,]r=NONCE,s=SALT,i=COUNT[,extensions]`.
struct ServerFirst<'a> {
    nonce: &'a str,
    salt: Vec<u8>,
    iterations: u64,
}

impl<'a> ServerFirst<'a> {
    fn parse(text: &'a str) -> Result<Self, SaslError> {
        let mut attributes = text.split(',');
        let mut next = |key: &str, what: &'static str| {
            let attribute = attributes.next().unwrap_or_default();
            if let Some(error) = attribute.strip_prefix("e=") {
                let error = error.chars().filter(|c| !c.is_control()).take(200);
                return Err(SaslError::ServerError(error.collect()));
            }
            if attribute.starts_with("m=") {
                return Err(SaslError::InvalidChallenge(
                    "SCRAM mandatory extension not supported",
                ));
            }
            attribute
                .strip_prefix(key)
                .ok_or(SaslError::InvalidChallenge(what))
        };
        let nonce = next("r=", "SCRAM server-first has no nonce")?;
        let salt = next("s=", "SCRAM server-first has no salt")?;
        let iterations = next("i=", "SCRAM server-first has no iteration count")?;
        if !valid_nonce(nonce) {
            return Err(SaslError::InvalidChallenge("SCRAM nonce is not printable"));
        }
        let salt = lenient_base64(salt.as_bytes())
            .filter(|s| !s.is_empty())
            .ok_or(SaslError::InvalidChallenge("SCRAM salt is not base64"))?;
        if iterations.is_empty() || !iterations.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SaslError::InvalidChallenge(
                "SCRAM iteration count is not a number",
            ));
        }
        // Digits only: a parse failure is an overflow, i.e. a count far too high.
        let iterations = iterations.parse::<u64>().unwrap_or(u64::MAX);
        if iterations == 0 {
            return Err(SaslError::InvalidChallenge("SCRAM iteration count is 0"));
        }
        Ok(ServerFirst {
            nonce,
            salt,
            iterations,
        })
    }
}

/// A nonce: printable ASCII except `,` (RFC 5802 §7).
fn valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce
            .bytes()
            .all(|b| (0x21..0x7f).contains(&b) && b != b',')
}

/// Appends `name` with `,` and `=` escaped as RFC 5802 §5.1 `saslname` requires.
pub(super) fn push_saslname(out: &mut String, name: &str) {
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[path = "scram_tests.rs"]
mod tests;
