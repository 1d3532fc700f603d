use super::*;

const SECRET: &str = "Zq9-distinctive-SECRET-7xK";
const RFC7677_FIRST: &[u8] =
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

fn scram(hash: ScramHash, nonce: &str) -> Scram {
    Scram::new(
        &Credentials::password("user", "pencil"),
        hash,
        SaslLimits::default(),
    )
    .unwrap()
    .with_client_nonce(nonce)
}

#[test]
fn rfc5802_sha1_example() {
    // RFC 5802 §5.
    let mut m = scram(ScramHash::Sha1, "fyko+d2lbbFgONRv9qkxdawL");
    assert_eq!(m.name(), "SCRAM-SHA-1");
    assert!(!m.sends_plaintext_password());
    assert_eq!(
        m.initial_response().unwrap().unwrap(),
        b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
    );
    assert_eq!(
        m.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap(),
        b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    // SMTP: the server signature comes as a challenge, answered with an empty response.
    assert_eq!(m.respond(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap(), b"");
    assert_eq!(m.finish(None), Ok(()));
    assert_eq!(m.respond(b""), Err(SaslError::TooManySteps));
}

#[test]
fn rfc7677_sha256_example() {
    // RFC 7677 §3.
    let mut m = scram(ScramHash::Sha256, "rOprNGfwEbeRWgbNEkqO");
    assert_eq!(m.name(), "SCRAM-SHA-256");
    assert_eq!(
        m.initial_response().unwrap().unwrap(),
        b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    );
    assert_eq!(
        m.respond(RFC7677_FIRST).unwrap(),
        &b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="[..]
    );
    // POP3/IMAP: the signature comes with the success reply.
    assert_eq!(
        m.finish(Some(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
        Ok(())
    );
}

/// SCRAM-SHA-512 has no RFC example. These values were computed independently with Python's
/// `hashlib.pbkdf2_hmac` and `hmac` (the same one-off script reproduces RFC 5802 §5 exactly),
/// with the inputs of RFC 7677 §3.
#[test]
fn sha512_vector_computed_with_python() {
    let mut m = scram(ScramHash::Sha512, "rOprNGfwEbeRWgbNEkqO");
    assert_eq!(m.name(), "SCRAM-SHA-512");
    m.initial_response().unwrap();
    assert_eq!(
        m.respond(RFC7677_FIRST).unwrap(),
        &b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ=="[..]
    );
    assert_eq!(
        m.finish(Some(b"v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==")),
        Ok(())
    );
}

/// SCRAM-SHA-512-PLUS with `tls-exporter` data of 32 bytes 0x2a, computed by the same script.
#[test]
fn sha512_plus_vector_computed_with_python() {
    let mut m = scram(ScramHash::Sha512, "rOprNGfwEbeRWgbNEkqO")
        .with_channel_binding(ChannelBinding::tls_exporter(vec![0x2a; 32]))
        .with_binding_not_offered(); // ignored by -PLUS
    assert_eq!(m.name(), "SCRAM-SHA-512-PLUS");
    assert_eq!(
        m.initial_response().unwrap().unwrap(),
        b"p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    );
    assert_eq!(
        m.respond(RFC7677_FIRST).unwrap(),
        &b"c=cD10bHMtZXhwb3J0ZXIsLCoqKioqKioqKioqKioqKioqKioqKioqKioqKioqKioq,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=5XmYk+bEzvsL7ZGe+SYxOiwhVFPvZRWhtl/fBNDK8SPfrz/dtYMUYEmGC4FfalGk4QNBjjEvsqzGZg+g898FYw=="[..]
    );
    assert_eq!(
        m.finish(Some(b"v=mE6dSUshh1MJPz8v6ERUZKjzY7WZ9Xz7szofUc0UDUhKNgSpqxJxlCQpZi12nC3qV4tIDYmj1cmIkGv3jVg6Lg==")),
        Ok(())
    );
}

#[test]
fn gs2_flags_and_authzid() {
    let credentials = Credentials::password("us,er=", "pw").with_authzid("ad=m,in");
    let build = || {
        Scram::new(&credentials, ScramHash::Sha256, SaslLimits::default())
            .unwrap()
            .with_client_nonce("abc")
    };
    assert_eq!(
        build().initial_response().unwrap().unwrap(),
        b"n,a=ad=3Dm=2Cin,n=us=2Cer=3D,r=abc"
    );
    let mut y = build().with_binding_not_offered();
    assert_eq!(y.name(), "SCRAM-SHA-256");
    assert_eq!(
        y.initial_response().unwrap().unwrap(),
        b"y,a=ad=3Dm=2Cin,n=us=2Cer=3D,r=abc"
    );
    let mut p = build().with_channel_binding(ChannelBinding::tls_server_end_point(vec![1, 2, 3]));
    assert_eq!(p.name(), "SCRAM-SHA-256-PLUS");
    assert_eq!(
        p.initial_response().unwrap().unwrap(),
        b"p=tls-server-end-point,a=ad=3Dm=2Cin,n=us=2Cer=3D,r=abc"
    );
    // The y flag goes into c= as well.
    let reply = y.respond(b"r=abcdef,s=c2FsdA==,i=1").unwrap();
    let c = format!("c={},", STANDARD.encode("y,a=ad=3Dm=2Cin,"));
    assert!(reply.starts_with(c.as_bytes()), "{reply:?}");
}

#[test]
fn without_initial_response_an_empty_challenge_asks_for_it() {
    let mut m = scram(ScramHash::Sha1, "fyko+d2lbbFgONRv9qkxdawL");
    assert_eq!(
        m.respond(b"").unwrap(),
        b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
    );
    assert_eq!(m.initial_response(), Err(SaslError::TooManySteps));
    let mut m = scram(ScramHash::Sha1, "x");
    assert!(matches!(
        m.respond(b"r=x1,s=c2FsdA==,i=1"),
        Err(SaslError::InvalidChallenge(_))
    ));
}

#[test]
fn server_signature_must_be_right_and_present() {
    let run = |last: Option<&[u8]>, success: Option<&[u8]>| {
        let mut m = scram(ScramHash::Sha1, "fyko+d2lbbFgONRv9qkxdawL");
        m.initial_response().unwrap();
        m.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap();
        if let Some(last) = last {
            m.respond(last)?;
        }
        m.finish(success)
    };
    let good: &[u8] = b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
    assert_eq!(run(Some(good), None), Ok(()));
    assert_eq!(run(None, Some(good)), Ok(()));
    // Missing v=: success without proof is not success.
    assert_eq!(run(None, None), Err(SaslError::ServerNotVerified));
    assert_eq!(run(None, Some(b"")), Err(SaslError::ServerNotVerified));
    // Wrong, truncated, not base64.
    for bad in [
        &b"v=rmF9pqV8S7suAoZWja4dJRkFs"[..],
        b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        b"v=!!!",
        b"v=",
        b"x=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    ] {
        assert_eq!(run(Some(bad), None), Err(SaslError::ServerNotVerified));
        assert_eq!(run(None, Some(bad)), Err(SaslError::ServerNotVerified));
    }
    assert_eq!(
        run(Some(b"e=invalid-proof"), None),
        Err(SaslError::ServerError("invalid-proof".into()))
    );
    assert_eq!(
        run(None, Some(b"e=other-error\r\n")),
        Err(SaslError::ServerError("other-error".into()))
    );
}

#[test]
fn hostile_server_first() {
    let first = |challenge: &[u8]| {
        let mut m = scram(ScramHash::Sha256, "abc");
        m.initial_response().unwrap();
        m.respond(challenge)
    };
    let invalid = |c: &[u8]| matches!(first(c), Err(SaslError::InvalidChallenge(_)));
    assert!(invalid(b""));
    assert!(invalid(b"r=abc,s=c2FsdA==,i=1")); // nonce not extended
    assert!(invalid(b"r=xyzabc,s=c2FsdA==,i=1")); // nonce not ours
    assert!(invalid(b"r=abcd,s=,i=1"));
    assert!(invalid(b"r=abcd,s=%%%,i=1"));
    assert!(invalid(b"r=abcd,s=c2FsdA==,i=0"));
    assert!(invalid(b"r=abcd,s=c2FsdA==,i=-1"));
    assert!(invalid(b"r=abcd,s=c2FsdA==,i=4k"));
    assert!(invalid(b"r=abcd,s=c2FsdA==,i="));
    assert!(invalid(b"r=abcd,s=c2FsdA=="));
    assert!(invalid(b"s=c2FsdA==,r=abcd,i=1"));
    assert!(invalid(b"m=ext,r=abcd,s=c2FsdA==,i=1"));
    assert!(invalid(b"r=abc\x01d,s=c2FsdA==,i=1"));
    assert!(invalid(b"r=abcd,s=c2FsdA==,i=1\xff"));
    assert_eq!(
        first(b"e=unknown-user"),
        Err(SaslError::ServerError("unknown-user".into()))
    );
    // Extensions after i= are ignored.
    assert!(first(b"r=abcd,s=c2FsdA==,i=2,x=ext").is_ok());
}

#[test]
fn hostile_iteration_count_is_capped_without_computing() {
    for i in ["4000000000", "1000001", "99999999999999999999999999"] {
        let challenge = format!("r=abcd,s=c2FsdA==,i={i}");
        let mut m = scram(ScramHash::Sha512, "abc");
        m.initial_response().unwrap();
        assert!(
            matches!(
                m.respond(challenge.as_bytes()),
                Err(SaslError::TooManyIterations {
                    limit: 1_000_000,
                    ..
                })
            ),
            "{i}"
        );
        assert_eq!(m.finish(None), Err(SaslError::ServerNotVerified));
    }
    let limits = SaslLimits {
        max_scram_iterations: 10,
    };
    let mut m = Scram::new(&Credentials::password("u", "p"), ScramHash::Sha1, limits)
        .unwrap()
        .with_client_nonce("n");
    m.initial_response().unwrap();
    assert_eq!(
        m.respond(b"r=nn,s=c2FsdA==,i=11"),
        Err(SaslError::TooManyIterations {
            requested: 11,
            limit: 10
        })
    );
}

#[test]
fn saslprep_applies_to_user_and_password() {
    // U+2168 ROMAN NUMERAL NINE becomes "IX"; U+00AD SOFT HYPHEN disappears.
    let mut m = Scram::new(
        &Credentials::password("\u{2168}", "pen\u{00AD}cil"),
        ScramHash::Sha1,
        SaslLimits::default(),
    )
    .unwrap()
    .with_client_nonce("fyko+d2lbbFgONRv9qkxdawL");
    assert_eq!(
        m.initial_response().unwrap().unwrap(),
        b"n,,n=IX,r=fyko+d2lbbFgONRv9qkxdawL"
    );
    let mut bad = Scram::new(
        &Credentials::password("us\u{0007}er", "pw"),
        ScramHash::Sha1,
        SaslLimits::default(),
    )
    .unwrap();
    assert_eq!(
        bad.initial_response(),
        Err(SaslError::Saslprep { what: "user name" })
    );
    let mut bad = Scram::new(
        &Credentials::password("user", "p\u{0000}w"),
        ScramHash::Sha1,
        SaslLimits::default(),
    )
    .unwrap()
    .with_client_nonce("n");
    bad.initial_response().unwrap();
    assert_eq!(
        bad.respond(b"r=nn,s=c2FsdA==,i=1"),
        Err(SaslError::Saslprep { what: "password" })
    );
}

#[test]
fn random_nonce_and_no_secret_in_debug() {
    let mut m = Scram::new(
        &Credentials::password("user", SECRET),
        ScramHash::Sha256,
        SaslLimits::default(),
    )
    .unwrap();
    let first = m.initial_response().unwrap().unwrap();
    assert!(first.starts_with(b"n,,n=user,r="));
    assert_eq!(first.len(), "n,,n=user,r=".len() + 32);
    assert!(!format!("{m:?}").contains(SECRET));
    assert!(
        Scram::new(
            &Credentials::oauth_token("u", "t"),
            ScramHash::Sha1,
            SaslLimits::default()
        )
        .is_none()
    );
}

#[test]
fn unusable_fixed_nonce_is_refused() {
    for nonce in ["a,b", "", "caf\u{e9}", "a b"] {
        let credentials = Credentials::password("user", "pencil").with_fixed_nonce(nonce);
        let mut m = Scram::new(&credentials, ScramHash::Sha1, SaslLimits::default()).unwrap();
        assert_eq!(
            m.initial_response(),
            Err(SaslError::WrongCredentials),
            "{nonce:?}"
        );
    }
    let credentials = Credentials::password("chris", "secret").with_fixed_nonce("a\"b");
    let mut m = super::super::DigestMd5::new(&credentials, "smtp", None).unwrap();
    assert_eq!(
        m.respond(b"nonce=\"n\",algorithm=md5-sess"),
        Err(SaslError::WrongCredentials)
    );
}
