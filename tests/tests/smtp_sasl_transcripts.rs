//! SMTP transcripts of the SASL mechanisms added with the complete suite
//! (`tests/transcripts/smtp/sasl/*.txt`): SCRAM-SHA-1/256/512 and -PLUS, the GS2 `y` flag,
//! server signatures wrong, missing or replaced by an error, a hostile iteration count,
//! DIGEST-MD5 with its `rspauth`, and NTLM. Each is replayed under every split. Nonces are fixed
//! through `Credentials::with_fixed_nonce`; the expected bytes of the SCRAM and DIGEST-MD5
//! files were computed independently (Python's hashlib/hmac) and the NTLM answer is checked here
//! by an independent NTLMv2 verifier.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use mail_kit_core::sasl::Credentials;
use mail_kit_core::smtp::{Auth, Command, Event};
use mail_kit_core::{Error, TlsInfo, TlsPolicy};
use mail_kit_tests::find_event;
use mail_kit_tests::transcripts::{Replayed, Scenario, list, load};
use md4::{Digest, Md4};
use md5::Md5;

const RFC5802_NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";
const RFC7677_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const NTLM_NONCE: &str = "mailkit!";

fn auth(credentials: Credentials) -> Command {
    Command::Authenticate(Auth::new(credentials))
}

fn user_pencil(nonce: &str) -> Command {
    auth(Credentials::password("user", "pencil").with_fixed_nonce(nonce))
}

/// TLS 1.3 whose `tls-exporter` data is 32 bytes 0x2a.
fn exporter() -> TlsInfo {
    TlsInfo {
        tls_exporter: Some(vec![0x2a; 32]),
        tls_server_end_point: Some(vec![0x01; 32]),
        protocol: Some("TLSv1.3".into()),
    }
}

fn scenario(name: &str) -> Scenario {
    let file = name
        .trim_start_matches("smtp/sasl/")
        .trim_end_matches(".txt");
    let implicit = Scenario::new(TlsPolicy::Implicit);
    match file {
        "auth-scram-sha-1"
        | "auth-scram-server-signature-wrong"
        | "auth-scram-server-signature-missing"
        | "auth-scram-server-error"
        | "auth-scram-iterations-hostile" => implicit.then(user_pencil(RFC5802_NONCE)),
        "auth-scram-sha-256" => implicit.then(user_pencil(RFC7677_NONCE)),
        "auth-scram-sha-512-plus" | "auth-scram-plus-stripped" => implicit
            .with_tls_info(exporter())
            .then(user_pencil(RFC7677_NONCE)),
        "auth-digest-md5" | "auth-digest-md5-rspauth-wrong" => implicit.then(auth(
            Credentials::password("chris", "secret").with_fixed_nonce("OA6MHXh6VqTrRk"),
        )),
        "auth-ntlm" => implicit.then(auth(
            Credentials::password("MAILKIT\\alice", "alice-secret").with_fixed_nonce(NTLM_NONCE),
        )),
        other => panic!("no scenario for {other:?}"),
    }
}

fn check(name: &str) -> Replayed {
    let file = load(&format!("smtp/sasl/{name}"));
    scenario(&file.name)
        .check_all_splits(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.name))
}

fn authenticated(r: &Replayed) -> &'static str {
    assert_eq!(r.error(), None);
    find_event!(r.events(), Event::Authenticated { mechanism, .. } => *mechanism)
}

fn sasl_error(r: &Replayed) -> (&'static str, &str) {
    match r.error() {
        Some(Error::Sasl { mechanism, reason }) => (*mechanism, reason.as_str()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_file_has_a_scenario_and_replays_under_every_split() {
    let names = list("smtp/sasl");
    assert!(names.len() >= 11, "{names:?}");
    for name in names {
        let file = load(&name);
        scenario(&file.name)
            .check_all_splits(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn scram_known_answers() {
    assert_eq!(authenticated(&check("auth-scram-sha-1")), "SCRAM-SHA-1");
    assert_eq!(authenticated(&check("auth-scram-sha-256")), "SCRAM-SHA-256");
    assert_eq!(
        authenticated(&check("auth-scram-sha-512-plus")),
        "SCRAM-SHA-512-PLUS"
    );
    assert_eq!(
        authenticated(&check("auth-scram-plus-stripped")),
        "SCRAM-SHA-256"
    );
}

#[test]
fn scram_server_signature_wrong_missing_or_error() {
    let r = check("auth-scram-server-signature-wrong");
    assert_eq!(
        sasl_error(&r),
        ("SCRAM-SHA-1", "server authentication failed")
    );
    let r = check("auth-scram-server-signature-missing");
    assert_eq!(
        sasl_error(&r),
        ("SCRAM-SHA-1", "server authentication failed")
    );
    assert!(
        !r.events()
            .iter()
            .any(|e| matches!(e, Event::Authenticated { .. }))
    );
    let r = check("auth-scram-server-error");
    assert_eq!(
        sasl_error(&r),
        ("SCRAM-SHA-1", "server reported: invalid-proof")
    );
}

#[test]
fn scram_hostile_iteration_count_is_cancelled() {
    let r = check("auth-scram-iterations-hostile");
    assert_eq!(
        sasl_error(&r),
        (
            "SCRAM-SHA-1",
            "server asks for 4000000000 SCRAM iterations, the limit is 1000000"
        )
    );
}

#[test]
fn digest_md5_rfc2831_and_rspauth() {
    assert_eq!(authenticated(&check("auth-digest-md5")), "DIGEST-MD5");
    let r = check("auth-digest-md5-rspauth-wrong");
    assert_eq!(
        sasl_error(&r),
        ("DIGEST-MD5", "server authentication failed")
    );
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The payload of the security buffer at `at`.
fn field(message: &[u8], at: usize) -> &[u8] {
    let len = u16::from_le_bytes([message[at], message[at + 1]]) as usize;
    let offset = u32::from_le_bytes(message[at + 4..at + 8].try_into().unwrap()) as usize;
    &message[offset..offset + len]
}

#[test]
fn ntlm_answer_verified_like_a_server() {
    assert_eq!(authenticated(&check("auth-ntlm")), "NTLM");
    // Verify the recorded AUTHENTICATE as a domain controller would (MS-NLMP §3.3.2).
    let file = load("smtp/sasl/auth-ntlm");
    let client = String::from_utf8(file.transcript.client_bytes()).unwrap();
    let server = String::from_utf8(file.transcript.server_bytes()).unwrap();
    let negotiate = BASE64
        .decode(
            client
                .lines()
                .nth(1)
                .unwrap()
                .strip_prefix("AUTH NTLM ")
                .unwrap(),
        )
        .unwrap();
    let challenge = BASE64
        .decode(server.lines().find_map(|l| l.strip_prefix("334 ")).unwrap())
        .unwrap();
    let authenticate = BASE64.decode(client.lines().nth(2).unwrap()).unwrap();
    assert_eq!(&authenticate[..12], b"NTLMSSP\0\x03\0\0\0");
    assert_eq!(field(&authenticate, 28), utf16("MAILKIT"));
    assert_eq!(field(&authenticate, 36), utf16("alice"));
    assert_eq!(field(&authenticate, 12), [0u8; 24]); // timestamp given: no LMv2
    let nt = field(&authenticate, 20);
    let (proof, blob) = nt.split_at(16);
    assert_eq!(&blob[16..24], NTLM_NONCE.as_bytes()); // the client challenge
    assert_eq!(
        &blob[8..16],
        &challenge[challenge.len() - 12..challenge.len() - 4]
    ); // server time
    let nt_hash = Md4::digest(utf16("alice-secret"));
    let key = hmac_md5(&nt_hash, &[&utf16("ALICEMAILKIT")]);
    let server_challenge = &challenge[24..32];
    assert_eq!(hmac_md5(&key, &[server_challenge, blob]), proof);
    let session_key = hmac_md5(&key, &[proof]);
    let mut zeroed = authenticate.clone();
    zeroed[72..88].fill(0);
    let mic = hmac_md5(&session_key, &[&negotiate, &challenge, &zeroed]);
    assert_eq!(&authenticate[72..88], &mic[..]);
}
