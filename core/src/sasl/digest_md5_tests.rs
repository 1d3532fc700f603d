use super::*;

const SECRET: &str = "Zq9-distinctive-SECRET-7xK";
const RFC_CHALLENGE: &[u8] =
    b"realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";

fn chris(service: &'static str) -> DigestMd5 {
    DigestMd5::new(&Credentials::password("chris", "secret"), service, None)
        .unwrap()
        .with_cnonce("OA6MHXh6VqTrRk")
}

fn directive<'a>(response: &'a str, key: &str) -> Option<&'a str> {
    response
        .split(',')
        .find_map(|d| d.strip_prefix(key).and_then(|d| d.strip_prefix('=')))
}

#[test]
fn rfc2831_example() {
    // RFC 2831 §4, the IMAP example: response and rspauth.
    let mut m = chris("imap");
    assert_eq!(m.name(), "DIGEST-MD5");
    assert_eq!(m.initial_response(), Ok(None));
    let response = String::from_utf8(m.respond(RFC_CHALLENGE).unwrap()).unwrap();
    assert_eq!(
        directive(&response, "response"),
        Some("d388dad90d4bbd760a152321f2143af7")
    );
    assert_eq!(
        directive(&response, "digest-uri"),
        Some("\"imap/elwood.innosoft.com\"")
    );
    assert_eq!(
        m.respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")
            .unwrap(),
        b""
    );
    assert_eq!(m.finish(None), Ok(()));
    assert_eq!(m.respond(b""), Err(SaslError::TooManySteps));
}

#[test]
fn mailkit_smtp_response_byte_for_byte() {
    // MailKit's SMTP test of the same example (corpus comcast-auth-digest-md5.txt).
    let mut m = chris("smtp");
    assert_eq!(
        m.respond(RFC_CHALLENGE).unwrap(),
        &b"username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",cnonce=\"OA6MHXh6VqTrRk\",nc=00000001,qop=\"auth\",digest-uri=\"smtp/elwood.innosoft.com\",response=52ff44907f72314481b5c098c708ebf3,charset=utf-8,algorithm=md5-sess"[..]
    );
    // The corpus server's rspauth is all f: not the proof.
    assert_eq!(
        m.respond(b"rspauth=ffffffffffffffffffffffffffffffff"),
        Err(SaslError::ServerNotVerified)
    );
    assert_eq!(m.finish(None), Err(SaslError::ServerNotVerified));
}

#[test]
fn rspauth_with_success_data_or_missing() {
    let mut m = chris("imap");
    m.respond(RFC_CHALLENGE).unwrap();
    assert_eq!(
        m.finish(Some(b"rspauth=EA40F60335C427B5527B84DBABCDFFFD")),
        Ok(())
    );
    let mut m = chris("imap");
    m.respond(RFC_CHALLENGE).unwrap();
    assert_eq!(m.finish(None), Err(SaslError::ServerNotVerified));
    let mut m = chris("imap");
    m.respond(RFC_CHALLENGE).unwrap();
    assert_eq!(
        m.respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffe"),
        Err(SaslError::ServerNotVerified)
    );
}

#[test]
fn no_realm_uses_the_host_and_authzid_is_sent() {
    let credentials = Credentials::password("bob", "pw").with_authzid("ad\"min");
    let mut m = DigestMd5::new(&credentials, "pop", Some("pop.example.org".into()))
        .unwrap()
        .with_cnonce("c");
    let response = String::from_utf8(
        m.respond(b"nonce=\"n\",qop=\"auth,auth-int\",algorithm=md5-sess")
            .unwrap(),
    )
    .unwrap();
    assert!(
        response.starts_with("username=\"bob\",nonce=\"n\","),
        "{response}"
    );
    assert_eq!(
        directive(&response, "digest-uri"),
        Some("\"pop/pop.example.org\"")
    );
    assert!(
        response.ends_with(",algorithm=md5-sess,authzid=\"ad\\\"min\""),
        "{response}"
    );
    assert!(!response.contains("charset"));
}

#[test]
fn charset_rules() {
    // Without charset=utf-8 a name outside ISO 8859-1 cannot be sent.
    let credentials = Credentials::password("j\u{2168}", "pw");
    let mut m = DigestMd5::new(&credentials, "imap", None).unwrap();
    assert_eq!(
        m.respond(b"nonce=\"n\",algorithm=md5-sess"),
        Err(SaslError::WrongCredentials)
    );
    let mut m = DigestMd5::new(&credentials, "imap", None).unwrap();
    assert!(
        m.respond(b"nonce=\"n\",algorithm=md5-sess,charset=utf-8")
            .is_ok()
    );
    // ISO 8859-1 names are hashed in ISO 8859-1 even with charset=utf-8: "é" hashes as 0xE9.
    let latin = |user: &str| {
        let mut m = DigestMd5::new(&Credentials::password(user, "pw"), "imap", None)
            .unwrap()
            .with_cnonce("c");
        let r = String::from_utf8(
            m.respond(b"nonce=\"n\",algorithm=md5-sess,charset=utf-8")
                .unwrap(),
        )
        .unwrap();
        directive(&r, "response").unwrap().to_owned()
    };
    assert_ne!(latin("\u{e9}"), latin("e"));
}

#[test]
fn hostile_challenges() {
    let bad = |c: &[u8]| {
        let mut m = chris("smtp");
        matches!(m.respond(c), Err(SaslError::InvalidChallenge(_)))
    };
    assert!(bad(b""));
    assert!(bad(b"algorithm=md5-sess")); // no nonce
    assert!(bad(b"nonce=\"a\"")); // no algorithm
    assert!(bad(b"nonce=\"a\",algorithm=md5")); // wrong algorithm
    assert!(bad(b"nonce=\"a\",nonce=\"b\",algorithm=md5-sess"));
    assert!(bad(b"nonce=\"a\",algorithm=md5-sess,algorithm=md5-sess"));
    assert!(bad(
        b"nonce=\"a\",algorithm=md5-sess,charset=utf-8,charset=utf-8"
    ));
    assert!(bad(b"nonce=\"a,algorithm=md5-sess")); // unterminated quote
    assert!(bad(b"nonce=\"a\\")); // escape at the end
    assert!(bad(b"nonce=\"a\"x,algorithm=md5-sess"));
    assert!(bad(b"nonce,algorithm=md5-sess"));
    assert!(bad(b"nonce=\"\",algorithm=md5-sess"));
    assert!(bad(b"nonce=\"a\",qop=\"auth-conf\",algorithm=md5-sess"));
    assert!(bad(b"nonce=\"a\",algorithm=md5-sess\xff"));
    // Tolerated: spaces, empty list elements, unknown directives, several realms, escapes.
    let mut m = chris("smtp");
    let r = m
        .respond(b" , realm=\"a\\\"b\" ,realm=\"second\",, nonce = \"x\\y\" ,stale=true,maxbuf=65536,x-new=\"q,r\",algorithm=MD5-SESS ")
        .unwrap();
    let r = String::from_utf8(r).unwrap();
    assert!(r.contains("realm=\"a\\\"b\",nonce=\"xy\""), "{r}");
    // 10,000 realms: linear, no panic.
    let many = "realm=\"r\",".repeat(10_000) + "nonce=\"n\",algorithm=md5-sess";
    assert!(chris("smtp").respond(many.as_bytes()).is_ok());
}

#[test]
fn unsuitable_and_debug() {
    assert!(DigestMd5::new(&Credentials::oauth_token("u", "t"), "smtp", None).is_none());
    let m = DigestMd5::new(&Credentials::password("u", SECRET), "smtp", None).unwrap();
    assert!(!format!("{m:?}").contains(SECRET));
    let mut m = DigestMd5::new(&Credentials::password("u", "p"), "smtp", None).unwrap();
    // Random cnonce.
    let r = String::from_utf8(m.respond(RFC_CHALLENGE).unwrap()).unwrap();
    assert_eq!(directive(&r, "cnonce").unwrap().len(), 34);
}
