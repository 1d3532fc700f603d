//! The server side of SCRAM (RFC 5802, RFC 7677), written independently of the client in
//! `mail-kit-core`, for scripted peers: it checks the GS2 header, the channel binding (`c=`
//! must be the header followed by the binding data *this* server was given), the nonce and the
//! client proof, and answers with its signature.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// The hash of the SCRAM variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SCRAM-SHA-1.
    Sha1,
    /// SCRAM-SHA-256.
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

impl Hash {
    fn h(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).unwrap();
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Hash::Sha1 => run::<Hmac<Sha1>>(key, data),
            Hash::Sha256 => run::<Hmac<Sha256>>(key, data),
            Hash::Sha512 => run::<Hmac<Sha512>>(key, data),
        }
    }

    fn hi(self, password: &[u8], salt: &[u8], i: u32) -> Vec<u8> {
        let mut out = vec![0u8; self.h(b"").len()];
        match self {
            Hash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, i, &mut out),
            Hash::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, i, &mut out),
            Hash::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, i, &mut out),
        }
        out
    }
}

/// One server-side SCRAM exchange.
#[derive(Debug, Clone)]
pub struct ScramServer {
    hash: Hash,
    user: String,
    password: String,
    salt: Vec<u8>,
    iterations: u32,
    server_nonce: String,
    /// The binding this server sees on its side of TLS: (type, data); `None` without TLS.
    binding: Option<(String, Vec<u8>)>,
    /// Whether the server advertised the -PLUS variant.
    plus_advertised: bool,
    state: Option<(String, String)>,
}

impl ScramServer {
    /// A server for `user`/`password`, salt `salt`, `iterations`, appending `server_nonce`.
    pub fn new(hash: Hash, user: &str, password: &str, server_nonce: &str) -> Self {
        ScramServer {
            hash,
            user: user.into(),
            password: password.into(),
            salt: b"mail-kit salt".to_vec(),
            iterations: 1000,
            server_nonce: server_nonce.into(),
            binding: None,
            plus_advertised: false,
            state: None,
        }
    }

    /// The channel binding on the server's side of TLS, and whether -PLUS is advertised.
    pub fn with_binding(mut self, kind: &str, data: &[u8], plus_advertised: bool) -> Self {
        self.binding = Some((kind.into(), data.to_vec()));
        self.plus_advertised = plus_advertised;
        self
    }

    /// Answers the client-first message with server-first, or says why not.
    pub fn server_first(&mut self, client_first: &[u8]) -> Result<String, String> {
        let text = std::str::from_utf8(client_first).map_err(|e| e.to_string())?;
        let mut parts = text.splitn(3, ',');
        let flag = parts.next().ok_or("no gs2 flag")?;
        let authzid = parts.next().ok_or("no authzid field")?;
        let bare = parts.next().ok_or("no client-first-bare")?;
        match (flag, &self.binding) {
            ("n", _) => {}
            ("y", Some(_)) if self.plus_advertised => {
                return Err("e=server-does-support-channel-binding".into());
            }
            ("y", _) => {}
            (p, Some((kind, _))) if p.strip_prefix("p=") == Some(kind) => {}
            (p, _) => return Err(format!("e=unsupported-channel-binding-type ({p})")),
        }
        let gs2_header = format!("{flag},{authzid},");
        let (user, nonce) = bare
            .strip_prefix("n=")
            .and_then(|b| b.split_once(",r="))
            .ok_or("bad client-first-bare")?;
        if user != self.user {
            return Err("e=unknown-user".into());
        }
        let server_first = format!(
            "r={nonce}{},s={},i={}",
            self.server_nonce,
            BASE64.encode(&self.salt),
            self.iterations
        );
        self.state = Some((gs2_header, format!("{bare},{server_first}")));
        Ok(server_first)
    }

    /// Checks the client-final message and answers with server-final (`v=`), or says why not
    /// (`e=…`, as the server-final error).
    pub fn server_final(&mut self, client_final: &[u8]) -> Result<String, String> {
        let (gs2_header, first_messages) = self.state.take().ok_or("no exchange")?;
        let text = std::str::from_utf8(client_final).map_err(|e| e.to_string())?;
        let (without_proof, proof) = text.rsplit_once(",p=").ok_or("no proof")?;
        // The channel binding: the header, then this server's binding data when bound.
        let mut cbind = gs2_header.clone().into_bytes();
        if gs2_header.starts_with("p=") {
            cbind.extend_from_slice(&self.binding.as_ref().ok_or("no binding")?.1);
        }
        let expected_c = format!("c={}", BASE64.encode(&cbind));
        let (c, rest) = without_proof.split_once(',').ok_or("no c=")?;
        if c != expected_c {
            return Err("e=channel-bindings-dont-match".into());
        }
        if !rest.starts_with("r=") || !rest.ends_with(&self.server_nonce) {
            return Err("e=other-error (nonce)".into());
        }
        let auth_message = format!("{first_messages},{without_proof}");
        let h = self.hash;
        let salted = h.hi(self.password.as_bytes(), &self.salt, self.iterations);
        let client_key = h.hmac(&salted, b"Client Key");
        let stored_key = h.h(&client_key);
        let signature = h.hmac(&stored_key, auth_message.as_bytes());
        let proof = BASE64.decode(proof).map_err(|e| e.to_string())?;
        let recovered: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        if h.h(&recovered) != stored_key {
            return Err("e=invalid-proof".into());
        }
        let server_key = h.hmac(&salted, b"Server Key");
        let v = h.hmac(&server_key, auth_message.as_bytes());
        Ok(format!("v={}", BASE64.encode(v)))
    }
}
