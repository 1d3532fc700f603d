use super::super::hex;
use super::*;

const SECRET: &str = "Zq9-distinctive-SECRET-7xK";
const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
const CLIENT_CHALLENGE: [u8; 8] = [0xaa; 8];

fn hex_of(bytes: &[u8]) -> String {
    String::from_utf8(hex::lower(bytes)).unwrap()
}

/// MS-NLMP §4.2.4.1.3 target information: NbDomainName "Domain", NbComputerName "Server".
fn spec_target_info() -> Vec<u8> {
    let mut ti = Vec::new();
    for (id, name) in [(2u16, "Domain"), (1, "Server")] {
        let value = utf16le(name);
        ti.extend_from_slice(&id.to_le_bytes());
        ti.extend_from_slice(&(value.len() as u16).to_le_bytes());
        ti.extend_from_slice(&value);
    }
    ti.extend_from_slice(&[0; 4]);
    ti
}

/// A CHALLENGE message around `target_info`.
fn challenge_message(target_info: &[u8]) -> Vec<u8> {
    let mut m = Vec::from(&b"NTLMSSP\0\x02\0\0\0"[..]);
    m.extend_from_slice(&[0, 0, 0, 0, 56, 0, 0, 0]); // empty target name
    m.extend_from_slice(&0xe28a_8233u32.to_le_bytes()); // §4.2.4.3 flags
    m.extend_from_slice(&SERVER_CHALLENGE);
    m.extend_from_slice(&[0; 8]);
    let len = target_info.len() as u16;
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&56u32.to_le_bytes());
    m.extend_from_slice(&[6, 0, 0x70, 0x17, 0, 0, 0, 15]);
    m.extend_from_slice(target_info);
    m
}

#[test]
fn ms_nlmp_4_2_4_ntlmv2_vectors() {
    // MS-NLMP §4.2.4.1.1 NTOWFv2.
    let key = ntowf_v2("Password", "User", "Domain");
    assert_eq!(hex_of(&*key), "0c868a403bfd7a93a3001ef22ef02e3f");
    // §4.2.4.2.1 LMv2 response.
    assert_eq!(
        hex_of(&lm_v2_response(&key, &SERVER_CHALLENGE, &CLIENT_CHALLENGE)),
        "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
    );
    // §4.2.4.2.2 NTLMv2 response: NTProofStr, then the temp blob (time 0).
    let (response, proof) = nt_v2_response(
        &key,
        &SERVER_CHALLENGE,
        &CLIENT_CHALLENGE,
        &[0; 8],
        &spec_target_info(),
    );
    assert_eq!(hex_of(&*proof), "68cd0ab851e51c96aabc927bebef6a1c");
    assert_eq!(&response[..16], &proof[..]);
    assert_eq!(&response[16..32], b"\x01\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    // §4.2.4.1.2 session base key.
    assert_eq!(
        hex_of(&*hmac_md5(&*key, &[&*proof])),
        "8de40ccadbc14a82f15cb0ad0de95ca3"
    );
}

#[test]
fn whole_exchange_without_timestamp_matches_the_spec() {
    let credentials = Credentials::password("Domain\\User", "Password");
    let mut ntlm = Ntlm::new(&credentials)
        .unwrap()
        .with_workstation("COMPUTER")
        .with_fixed_inputs(CLIENT_CHALLENGE, 0);
    assert_eq!(ntlm.name(), "NTLM");
    assert!(!ntlm.sends_plaintext_password());
    let negotiate = ntlm.initial_response().unwrap().unwrap();
    assert_eq!(&negotiate[..8], b"NTLMSSP\0");
    let auth = ntlm
        .respond(&challenge_message(&spec_target_info()))
        .unwrap();
    assert_eq!(&auth[..12], b"NTLMSSP\0\x03\0\0\0");
    let field = |at: usize| {
        let len = u16::from_le_bytes([auth[at], auth[at + 1]]) as usize;
        let off = u32::from_le_bytes(auth[at + 4..at + 8].try_into().unwrap()) as usize;
        &auth[off..off + len]
    };
    assert_eq!(
        hex_of(field(12)),
        "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
    );
    assert_eq!(hex_of(&field(20)[..16]), "68cd0ab851e51c96aabc927bebef6a1c");
    assert_eq!(field(28), &*utf16le("Domain"));
    assert_eq!(field(36), &*utf16le("User"));
    assert_eq!(field(44), &*utf16le("COMPUTER"));
    assert_eq!(field(52), b"");
    // No timestamp: no MIC.
    assert_eq!(&auth[MIC_OFFSET..MIC_OFFSET + 16], &[0; 16]);
    assert_eq!(ntlm.respond(b""), Err(SaslError::TooManySteps));
}

#[test]
fn timestamp_brings_flags_and_a_mic() {
    let mut ti = Vec::new();
    ti.extend_from_slice(&[2, 0, 2, 0, b'D', 0]);
    ti.extend_from_slice(&[7, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    ti.extend_from_slice(&[6, 0, 4, 0, 1, 0, 0, 0]); // server's MsvAvFlags: 0x1
    ti.extend_from_slice(&[0, 0, 0, 0]);
    let challenge = challenge_message(&ti);
    let mut ntlm = Ntlm::new(&Credentials::password("user@example.com", "pw"))
        .unwrap()
        .with_fixed_inputs(CLIENT_CHALLENGE, 99);
    // Protocols without an initial response: the empty challenge asks for NEGOTIATE.
    let negotiate = ntlm.respond(b"").unwrap();
    let auth = ntlm.respond(&challenge).unwrap();
    let field = |at: usize| {
        let len = u16::from_le_bytes([auth[at], auth[at + 1]]) as usize;
        let off = u32::from_le_bytes(auth[at + 4..at + 8].try_into().unwrap()) as usize;
        auth[off..off + len].to_vec()
    };
    assert_eq!(field(12), vec![0; 24]); // LM response zeroed
    assert_eq!(field(28), b""); // UPN: no domain
    assert_eq!(field(36), *utf16le("user@example.com"));
    let nt = field(20);
    // The server's time, not ours, and the flags with the MIC bit.
    assert_eq!(&nt[24..32], &[1, 2, 3, 4, 5, 6, 7, 8]);
    let blob = &nt[44..];
    assert!(
        blob.windows(8).any(|w| w == [6, 0, 4, 0, 3, 0, 0, 0]),
        "{blob:?}"
    );
    // Recompute the MIC as a server would.
    let key = ntowf_v2("pw", "user@example.com", "");
    let session_key = hmac_md5(&*key, &[&nt[..16]]);
    let mut zeroed = auth.clone();
    zeroed[MIC_OFFSET..MIC_OFFSET + 16].fill(0);
    let mic = hmac_md5(&*session_key, &[&negotiate, &challenge, &zeroed]);
    assert_eq!(&auth[MIC_OFFSET..MIC_OFFSET + 16], &mic[..]);
    assert_ne!(&mic[..], &[0; 16]);
}

#[test]
fn hostile_or_early_challenges() {
    let mut ntlm = Ntlm::new(&Credentials::password("u", "p")).unwrap();
    assert!(matches!(
        ntlm.respond(b"NTLMSSP\0"),
        Err(SaslError::InvalidChallenge(_))
    ));
    let mut ntlm = Ntlm::new(&Credentials::password("u", "p")).unwrap();
    ntlm.initial_response().unwrap();
    assert!(matches!(
        ntlm.respond(b"garbage"),
        Err(SaslError::InvalidChallenge(_))
    ));
    assert_eq!(ntlm.respond(b""), Err(SaslError::TooManySteps));
    assert_eq!(ntlm.initial_response(), Err(SaslError::TooManySteps));
    // A 65,535-byte target information cannot be echoed in a 16-bit field: refused, no panic.
    let mut ti = Vec::new();
    for _ in 0..16 {
        ti.extend_from_slice(&[1, 0, 0xf8, 0x0f]);
        ti.extend_from_slice(&[b'x'; 0x0ff8]);
    }
    let mut ntlm = Ntlm::new(&Credentials::password("u", "p")).unwrap();
    ntlm.initial_response().unwrap();
    let challenge = challenge_message(&ti[..ti.len().min(65_535)]);
    let _ = ntlm.respond(&challenge);
}

#[test]
fn unsuitable_and_debug() {
    assert!(Ntlm::new(&Credentials::oauth_token("u", "t")).is_none());
    let ntlm = Ntlm::new(&Credentials::password("D\\u", SECRET)).unwrap();
    let debug = format!("{ntlm:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("\"D\""), "{debug}");
    // 2020-01-01T00:00:00Z is FILETIME 132223104000000000.
    let new_year = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    assert_eq!(filetime(new_year), 132_223_104_000_000_000);
}

#[test]
fn client_time_comes_from_the_caller_when_the_server_sends_none() {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    for (clock, expected) in [(Some(t), filetime(t).to_le_bytes()), (None, [0; 8])] {
        let mut ntlm = Ntlm::new(&Credentials::password("D\\u", SECRET))
            .unwrap()
            .with_wall_clock(clock);
        ntlm.initial_response().unwrap();
        let authenticate = ntlm.respond(&challenge_message(&[])).unwrap();
        // The NTLMv2 blob: signature 0x0101, four reserved bytes, then the timestamp.
        assert!(
            authenticate
                .windows(16)
                .any(|w| w[..8] == [1, 1, 0, 0, 0, 0, 0, 0] && w[8..] == expected),
            "{clock:?}"
        );
    }
}
