//! DIGEST-MD5 (RFC 2831), authentication only (`qop=auth`), with the server's `rspauth` checked.

use std::fmt;

use md5::{Digest, Md5};
use zeroize::{Zeroize, Zeroizing};

use super::{Credentials, Mechanism, SaslError, hex, random};

/// The DIGEST-MD5 mechanism (RFC 2831, historic since RFC 6331 but still offered by Dovecot,
/// Cyrus and old Exchange), authentication only.
///
/// Server-first: the first challenge (realm, nonce, `qop`, `algorithm=md5-sess`, `charset`) is
/// answered with the digest response; the second carries `rspauth`, the server's proof that it
/// knows the password, which is checked (a wrong one is [`SaslError::ServerNotVerified`]) and
/// answered with an empty response. [`finish`](Mechanism::finish) without a checked `rspauth`
/// (given as a challenge or as success data) is also `ServerNotVerified`.
///
/// The `digest-uri` is `SERVICE/HOST` with HOST the first realm the server names, else the
/// host given to [`DigestMd5::new`]. RFC 2831 predates SASLprep: the user name and password
/// are hashed as given, in ISO 8859-1 when they fit in it (§2.1.2.1), in UTF-8 otherwise when
/// the server announced `charset=utf-8`.
pub struct DigestMd5 {
    authzid: Option<String>,
    user: String,
    password: Zeroizing<String>,
    service: &'static str,
    host: Option<String>,
    cnonce: Option<String>,
    state: State,
}

enum State {
    Start,
    /// The response went out; this `rspauth` is expected.
    Sent {
        rspauth: Vec<u8>,
    },
    Verified,
    Failed,
}

/// What the first challenge says.
#[derive(Debug, Default)]
struct Challenge {
    realm: Option<String>,
    nonce: Option<String>,
    qop_auth: Option<bool>,
    utf8: bool,
    md5_sess: bool,
}

impl DigestMd5 {
    /// DIGEST-MD5 for these credentials with this GSSAPI service name (`"smtp"`, `"pop"`,
    /// `"imap"`) and server host (used when the server names no realm); `None` for an OAuth
    /// token or credentials without a password.
    pub fn new(
        credentials: &Credentials,
        service: &'static str,
        host: Option<String>,
    ) -> Option<Self> {
        let password = credentials.password_str()?;
        Some(DigestMd5 {
            authzid: credentials.authzid().map(str::to_owned),
            user: credentials.user().to_owned(),
            password: Zeroizing::new(password.to_owned()),
            service,
            host,
            cnonce: credentials.fixed_nonce().map(str::to_owned),
            state: State::Start,
        })
    }

    /// Uses this client nonce instead of a random one (see [`Credentials::with_fixed_nonce`]).
    #[cfg(test)]
    pub(crate) fn with_cnonce(mut self, cnonce: impl Into<String>) -> Self {
        self.cnonce = Some(cnonce.into());
        self
    }

    fn answer(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let challenge = parse(challenge)?;
        let nonce = challenge.nonce.ok_or(SaslError::InvalidChallenge(
            "DIGEST-MD5 challenge has no nonce",
        ))?;
        if challenge.qop_auth == Some(false) {
            return Err(SaslError::InvalidChallenge(
                "DIGEST-MD5 server does not offer qop=auth",
            ));
        }
        if !challenge.md5_sess {
            return Err(SaslError::InvalidChallenge(
                "DIGEST-MD5 challenge lacks algorithm=md5-sess",
            ));
        }
        let cnonce = match &self.cnonce {
            Some(c)
                if !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_graphic() && !b"\"\\,".contains(&b)) =>
            {
                c.clone()
            }
            Some(_) => return Err(SaslError::WrongCredentials),
            None => random::nonce()?,
        };
        let realm = challenge.realm.unwrap_or_default();
        let host = if realm.is_empty() {
            self.host.as_deref().unwrap_or("localhost")
        } else {
            &realm
        };
        let digest_uri = format!("{}/{host}", self.service);

        let user = encode(&self.user, challenge.utf8)?;
        let realm_bytes = encode(&realm, challenge.utf8)?;
        let password = Zeroizing::new(encode(&self.password, challenge.utf8)?);
        self.password.zeroize();
        let mut inner = Md5::new();
        inner.update(&user);
        inner.update(b":");
        inner.update(&realm_bytes);
        inner.update(b":");
        inner.update(&*password);
        let mut a1 = Zeroizing::new(inner.finalize().to_vec());
        a1.extend_from_slice(format!(":{nonce}:{cnonce}").as_bytes());
        if let Some(authzid) = &self.authzid {
            a1.push(b':');
            a1.extend_from_slice(authzid.as_bytes());
        }
        let ha1 = Zeroizing::new(hex::lower(&Md5::digest(&*a1)));
        let kd = |a2: &str| {
            let ha2 = hex::lower(&Md5::digest(a2.as_bytes()));
            let mut md5 = Md5::new();
            md5.update(&*ha1);
            md5.update(format!(":{nonce}:00000001:{cnonce}:auth:").as_bytes());
            md5.update(&ha2);
            hex::lower(&md5.finalize())
        };
        let response = kd(&format!("AUTHENTICATE:{digest_uri}"));
        let rspauth = kd(&format!(":{digest_uri}"));
        self.state = State::Sent { rspauth };

        let mut out = String::from("username=");
        push_quoted(&mut out, &self.user);
        if !realm.is_empty() {
            out.push_str(",realm=");
            push_quoted(&mut out, &realm);
        }
        out.push_str(",nonce=");
        push_quoted(&mut out, &nonce);
        out.push_str(&format!(
            ",cnonce=\"{cnonce}\",nc=00000001,qop=\"auth\",digest-uri="
        ));
        push_quoted(&mut out, &digest_uri);
        out.push_str(",response=");
        out.push_str(std::str::from_utf8(&response).unwrap_or_default());
        if challenge.utf8 {
            out.push_str(",charset=utf-8");
        }
        out.push_str(",algorithm=md5-sess");
        if let Some(authzid) = &self.authzid {
            out.push_str(",authzid=");
            push_quoted(&mut out, authzid);
        }
        Ok(out.into_bytes())
    }

    fn verify(&mut self, data: &[u8]) -> Result<(), SaslError> {
        let State::Sent { rspauth } = &self.state else {
            return Err(SaslError::TooManySteps);
        };
        let ok = data
            .strip_prefix(b"rspauth=")
            .map(|v| v.trim_ascii())
            .is_some_and(|v| v.eq_ignore_ascii_case(rspauth));
        self.state = if ok { State::Verified } else { State::Failed };
        if ok {
            Ok(())
        } else {
            Err(SaslError::ServerNotVerified)
        }
    }
}

impl Mechanism for DigestMd5 {
    fn name(&self) -> &'static str {
        "DIGEST-MD5"
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        Ok(None)
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Start => self.answer(challenge),
            state @ State::Sent { .. } => {
                self.state = state;
                self.verify(challenge).map(|()| Vec::new())
            }
            State::Verified | State::Failed => Err(SaslError::TooManySteps),
        }
    }

    fn finish(&mut self, additional: Option<&[u8]>) -> Result<(), SaslError> {
        if let Some(data) = additional.filter(|d| !d.is_empty()) {
            if matches!(self.state, State::Sent { .. }) {
                return self.verify(data);
            }
        }
        match self.state {
            State::Verified => Ok(()),
            _ => Err(SaslError::ServerNotVerified),
        }
    }
}

impl fmt::Debug for DigestMd5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestMd5")
            .field("user", &self.user)
            .field("authzid", &self.authzid)
            .field("password", &format_args!("<redacted>"))
            .field("service", &self.service)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// `s` in ISO 8859-1 when every character fits, else in UTF-8 if the server allows it.
fn encode(s: &str, utf8: bool) -> Result<Vec<u8>, SaslError> {
    if s.chars().all(|c| u32::from(c) < 0x100) {
        // Each char fits in one byte: the truncation is exact.
        Ok(s.chars().map(|c| u32::from(c) as u8).collect())
    } else if utf8 {
        Ok(s.as_bytes().to_vec())
    } else {
        Err(SaslError::WrongCredentials)
    }
}

/// Appends `value` as a quoted-string, escaping `"` and `\`.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Reads the first challenge: `key=value` pairs, values tokens or quoted-strings, separated by
/// commas (empty elements allowed). Linear in the challenge, which the protocol machine bounds.
fn parse(challenge: &[u8]) -> Result<Challenge, SaslError> {
    let text = std::str::from_utf8(challenge)
        .map_err(|_| SaslError::InvalidChallenge("DIGEST-MD5 challenge is not UTF-8"))?;
    let mut out = Challenge::default();
    let mut rest = text;
    let mut seen_charset = false;
    let mut seen_algorithm = false;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            break;
        }
        let eq = rest
            .find(['=', ','])
            .filter(|&i| rest.as_bytes()[i] == b'=')
            .ok_or(SaslError::InvalidChallenge(
                "DIGEST-MD5 directive without a value",
            ))?;
        let key = rest[..eq].trim();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => v.push(e),
                        None => break,
                    },
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => v.push(c),
                }
            }
            let end = end.ok_or(SaslError::InvalidChallenge(
                "DIGEST-MD5 quoted value not terminated",
            ))?;
            rest = &quoted[end..];
            value = v;
        } else {
            let end = rest.find([',', ' ', '\t']).unwrap_or(rest.len());
            value = rest[..end].to_owned();
            rest = &rest[end..];
        }
        let once = |seen: &mut bool| {
            if std::mem::replace(seen, true) {
                Err(SaslError::InvalidChallenge("DIGEST-MD5 directive repeated"))
            } else {
                Ok(())
            }
        };
        match key.to_ascii_lowercase().as_str() {
            // Several realms may be offered: the first is used.
            "realm" if out.realm.is_none() => out.realm = Some(value),
            "nonce" => {
                if out.nonce.is_some() {
                    return Err(SaslError::InvalidChallenge("DIGEST-MD5 nonce repeated"));
                }
                if value.is_empty() || value.contains(char::is_control) {
                    return Err(SaslError::InvalidChallenge("DIGEST-MD5 nonce unusable"));
                }
                out.nonce = Some(value);
            }
            "qop" => {
                let auth = value
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"));
                out.qop_auth = Some(out.qop_auth.unwrap_or(false) || auth);
            }
            "charset" => {
                once(&mut seen_charset)?;
                out.utf8 = value.eq_ignore_ascii_case("utf-8");
            }
            "algorithm" => {
                once(&mut seen_algorithm)?;
                out.md5_sess = value.eq_ignore_ascii_case("md5-sess");
            }
            // Further realms, stale, maxbuf, cipher and unknown directives do not matter for
            // qop=auth.
            _ => {}
        }
        // Only a separator may follow a value.
        let after = rest.trim_start();
        if !after.is_empty() && !after.starts_with(',') {
            return Err(SaslError::InvalidChallenge(
                "DIGEST-MD5 garbage after a value",
            ));
        }
        rest = after;
    }
    Ok(out)
}

#[cfg(test)]
#[path = "digest_md5_tests.rs"]
mod tests;
