//! NTLM (MS-NLMP) as a SASL mechanism, as Exchange offers it: NTLMv2 with a MIC.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;
use zeroize::{Zeroize, Zeroizing};

use super::ntlm_messages::{
    AV_FLAG_MIC, AV_FLAGS, Authenticate, CLIENT_FLAGS, Challenge, MIC_OFFSET, NEGOTIATE_UNICODE,
    encode_av_pairs, negotiate,
};
use super::{Credentials, Mechanism, SaslError, random};

/// The NTLM mechanism: NEGOTIATE as the initial response, then the server's CHALLENGE is
/// answered with an AUTHENTICATE message carrying an NTLMv2 response (MS-NLMP §3.3.2).
///
/// The user name may be `DOMAIN\user` (the domain is then sent and hashed) or `user@domain`
/// (sent as it is, with an empty domain). When the server's target information has a
/// timestamp (MsvAvTimestamp, as every Windows server sends), the LM response is empty and a
/// MIC over the three messages is added (MsvAvFlags bit 0x2). No session key is exchanged:
/// SASL NTLM only authenticates. The password never crosses the wire, though the exchange
/// allows an offline guessing attack: prefer TLS anyway.
pub struct Ntlm {
    domain: String,
    user: String,
    password: Zeroizing<String>,
    workstation: String,
    client_challenge: Option<[u8; 8]>,
    time: Option<u64>,
    negotiate: Option<Vec<u8>>,
    done: bool,
}

impl Ntlm {
    /// NTLM for these credentials; `None` for an OAuth token or credentials without a
    /// password.
    pub fn new(credentials: &Credentials) -> Option<Self> {
        let password = credentials.password_str()?;
        let (domain, user) = match credentials.user().split_once('\\') {
            Some((domain, user)) => (domain, user),
            None => ("", credentials.user()),
        };
        let ntlm = Ntlm {
            domain: domain.to_owned(),
            user: user.to_owned(),
            password: Zeroizing::new(password.to_owned()),
            workstation: String::new(),
            client_challenge: None,
            time: None,
            negotiate: None,
            done: false,
        };
        Some(match credentials.fixed_nonce() {
            Some(nonce) => {
                let mut challenge = [0u8; 8];
                for (c, b) in challenge.iter_mut().zip(nonce.bytes()) {
                    *c = b;
                }
                ntlm.with_fixed_inputs(challenge, 0)
            }
            None => ntlm,
        })
    }

    /// Sends this workstation name (empty by default).
    pub fn with_workstation(mut self, name: impl Into<String>) -> Self {
        self.workstation = name.into();
        self
    }

    /// Uses `time` as the client's timestamp when the server sends none (NTLMv2 needs one;
    /// core reads no clock, so the protocol machines pass the time their caller gave them).
    pub fn with_wall_clock(mut self, time: Option<SystemTime>) -> Self {
        if self.time.is_none() {
            self.time = time.map(filetime);
        }
        self
    }

    /// Uses this client challenge and, when the server sends no timestamp, this time (a
    /// FILETIME: 100 ns units since 1601) instead of random bytes and the clock: for
    /// known-answer tests only.
    pub fn with_fixed_inputs(mut self, client_challenge: [u8; 8], time: u64) -> Self {
        self.client_challenge = Some(client_challenge);
        self.time = Some(time);
        self
    }

    fn negotiate_message(&mut self) -> Vec<u8> {
        self.negotiate.get_or_insert_with(negotiate).clone()
    }

    fn authenticate(&mut self, challenge_message: &[u8]) -> Result<Vec<u8>, SaslError> {
        let challenge = Challenge::parse(challenge_message)?;
        let client_challenge = match self.client_challenge {
            Some(c) => c,
            None => random::bytes::<8>()?,
        };
        let server_time = challenge.timestamp();
        let time = match (server_time, self.time) {
            (Some(t), _) => t,
            (None, Some(t)) => t.to_le_bytes(),
            // No clock in core: without a wall-clock time from the caller, zero.
            (None, None) => [0; 8],
        };
        // With a server timestamp the client signals its MIC in MsvAvFlags (§3.1.5.1.2).
        let mut av_pairs = challenge.av_pairs.clone();
        if server_time.is_some() {
            let mut flags = AV_FLAG_MIC;
            if let Some(pos) = av_pairs.iter().position(|(id, _)| *id == AV_FLAGS) {
                let (_, old) = av_pairs.remove(pos);
                flags |= old.try_into().map_or(0, u32::from_le_bytes);
            }
            av_pairs.push((AV_FLAGS, flags.to_le_bytes().to_vec()));
        }
        let target_info = encode_av_pairs(&av_pairs);

        let key = ntowf_v2(&self.password, &self.user, &self.domain);
        self.password.zeroize();
        let (nt_response, proof) = nt_v2_response(
            &key,
            &challenge.server_challenge,
            &client_challenge,
            &time,
            &target_info,
        );
        let lm_response = if server_time.is_some() {
            vec![0u8; 24]
        } else {
            lm_v2_response(&key, &challenge.server_challenge, &client_challenge)
        };
        let session_key = hmac_md5(&*key, &[&*proof]);

        let domain = utf16le(&self.domain);
        let user = utf16le(&self.user);
        let workstation = utf16le(&self.workstation);
        let mut message = Authenticate {
            flags: (challenge.flags & CLIENT_FLAGS) | NEGOTIATE_UNICODE,
            lm_response: &lm_response,
            nt_response: &nt_response,
            domain: &domain,
            user: &user,
            workstation: &workstation,
        }
        .encode()?;
        if server_time.is_some() {
            let negotiate = self.negotiate_message();
            let mic = hmac_md5(&*session_key, &[&negotiate, challenge_message, &message]);
            message[MIC_OFFSET..MIC_OFFSET + 16].copy_from_slice(&*mic);
        }
        Ok(message)
    }
}

impl Mechanism for Ntlm {
    fn name(&self) -> &'static str {
        "NTLM"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        if self.negotiate.is_some() {
            return Err(SaslError::TooManySteps);
        }
        Ok(Some(self.negotiate_message()))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        if self.done {
            return Err(SaslError::TooManySteps);
        }
        if self.negotiate.is_none() {
            // No initial response was sent: the empty challenge asks for NEGOTIATE.
            if challenge.is_empty() {
                return Ok(self.negotiate_message());
            }
            return Err(SaslError::InvalidChallenge(
                "NTLM CHALLENGE before the NEGOTIATE message",
            ));
        }
        self.done = true;
        self.authenticate(challenge)
    }
}

impl fmt::Debug for Ntlm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ntlm")
            .field("domain", &self.domain)
            .field("user", &self.user)
            .field("password", &format_args!("<redacted>"))
            .field("workstation", &self.workstation)
            .field("done", &self.done)
            .finish()
    }
}

/// `time` as a FILETIME (100 ns units since 1601-01-01).
fn filetime(time: SystemTime) -> u64 {
    const UNIX_TO_1601: u64 = 11_644_473_600;
    let since_unix = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    (since_unix.as_secs() + UNIX_TO_1601) * 10_000_000 + u64::from(since_unix.subsec_nanos() / 100)
}

fn utf16le(s: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(s.encode_utf16().flat_map(u16::to_le_bytes).collect())
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 16]> {
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// NTOWFv2 (MS-NLMP §3.3.2): HMAC-MD5 keyed with MD4(UTF-16LE(password)) over
/// UTF-16LE(UPPERCASE(user) ‖ domain).
fn ntowf_v2(password: &str, user: &str, domain: &str) -> Zeroizing<[u8; 16]> {
    let nt_hash: Zeroizing<[u8; 16]> = Zeroizing::new(Md4::digest(&*utf16le(password)).into());
    let identity = utf16le(&format!("{}{domain}", user.to_uppercase()));
    hmac_md5(&*nt_hash, &[&identity])
}

/// The NTLMv2 response and its NTProofStr.
fn nt_v2_response(
    key: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
    time: &[u8; 8],
    target_info: &[u8],
) -> (Vec<u8>, Zeroizing<[u8; 16]>) {
    let mut temp = vec![1, 1, 0, 0, 0, 0, 0, 0];
    temp.extend_from_slice(time);
    temp.extend_from_slice(client_challenge);
    temp.extend_from_slice(&[0; 4]);
    temp.extend_from_slice(target_info);
    temp.extend_from_slice(&[0; 4]);
    let proof = hmac_md5(key, &[server_challenge, &temp]);
    let mut response = proof.to_vec();
    response.extend_from_slice(&temp);
    (response, proof)
}

/// The LMv2 response.
fn lm_v2_response(
    key: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> Vec<u8> {
    let mut response = hmac_md5(key, &[server_challenge, client_challenge]).to_vec();
    response.extend_from_slice(client_challenge);
    response
}

#[cfg(test)]
#[path = "ntlm_tests.rs"]
mod tests;
