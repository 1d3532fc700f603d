//! Every SASL mechanism fed arbitrary challenges: the first byte picks the mechanism, the
//! second the options (initial response or not, TLS channel binding, success data), the rest is
//! cut into length-prefixed challenges. Nothing may panic. The client nonce is fixed so the
//! fuzzer can echo it and reach the later steps of SCRAM; the iteration limit is low so that
//! reaching PBKDF2 stays cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_kit_core::TlsInfo;
use mail_kit_core::sasl::{
    Credentials, SaslLimits, SelectOptions, mechanism_by_name, mechanism_names,
};

fuzz_target!(|data: &[u8]| {
    let [pick, flags, rest @ ..] = data else {
        return;
    };
    let mut names = mechanism_names();
    let Some(name) = names.nth(usize::from(*pick) % names.len()) else {
        return;
    };
    let credentials = match name {
        "XOAUTH2" | "OAUTHBEARER" => Credentials::oauth_token("user@example.org", "token"),
        "ANONYMOUS" => Credentials::anonymous("trace"),
        "EXTERNAL" => Credentials::external("admin"),
        _ => Credentials::password("DOMAIN\\user", "pencil").with_authzid("admin"),
    }
    .with_fixed_nonce("fuzz");
    let info = TlsInfo {
        tls_exporter: (flags & 2 != 0).then(|| vec![0x2a; 32]),
        tls_server_end_point: Some(vec![0x17; 32]),
        protocol: None,
    };
    let mut limits = SaslLimits::default();
    limits.max_scram_iterations = 64;
    let opts = SelectOptions::new(true, false)
        .with_tls_info(Some(&info))
        .with_service("imap", Some("imap.example.org"))
        .with_limits(limits);
    let offered = [name.to_owned()];
    let Some(mut mechanism) = mechanism_by_name(name, &credentials, &opts, &offered) else {
        return;
    };
    if flags & 1 != 0 {
        let _ = mechanism.initial_response();
    }
    let mut rest = rest;
    let mut last = &[][..];
    while let [len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (challenge, tail) = tail.split_at(len);
        let _ = mechanism.respond(challenge);
        last = challenge;
        rest = tail;
    }
    let _ = mechanism.finish((flags & 4 != 0).then_some(last));
});
