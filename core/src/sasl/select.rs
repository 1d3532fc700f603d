//! Choosing mechanisms: the strongest ones both sides support and the credentials suit.

use std::time::SystemTime;

use super::{
    Anonymous, ChannelBinding, CramMd5, Credentials, DigestMd5, External, Login, Mechanism, Ntlm,
    OAuthBearer, Plain, SaslLimits, Scram, ScramHash, XOAuth2,
};
use crate::UsageError;
use crate::tls::TlsInfo;

/// Where a mechanism may be used.
///
/// ```
/// use mail_kit_core::sasl::SelectOptions;
///
/// let opts = SelectOptions::new(true, false).with_service("pop", Some("pop.example.org"));
/// assert!(opts.tls);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectOptions<'a> {
    /// The connection is encrypted (implicit TLS or after STARTTLS).
    pub tls: bool,
    /// The user explicitly allows mechanisms that reveal the password (PLAIN, LOGIN) on a
    /// connection without TLS.
    pub allow_plaintext: bool,
    /// What the TLS handshake produced: with channel-binding data the `-PLUS` mechanisms
    /// qualify and rank first.
    pub tls_info: Option<&'a TlsInfo>,
    /// The protocol's GSSAPI service name for DIGEST-MD5's `digest-uri`: `"smtp"`, `"pop"` or
    /// `"imap"`.
    pub service: &'static str,
    /// The server's host name for DIGEST-MD5's `digest-uri`; when `None` the realm the server
    /// names is used.
    pub host: Option<&'a str>,
    /// Bounds on what the server may ask of a mechanism.
    pub limits: SaslLimits,
    /// The wall-clock time, for NTLMv2 when the server sends no timestamp of its own (core
    /// reads no clock: the caller passes it in). `None` sends a zero timestamp.
    pub wall_clock: Option<SystemTime>,
}

impl<'a> SelectOptions<'a> {
    /// Options for SMTP without TLS information, DIGEST-MD5 host or custom limits.
    pub const fn new(tls: bool, allow_plaintext: bool) -> Self {
        SelectOptions {
            tls,
            allow_plaintext,
            tls_info: None,
            service: "smtp",
            host: None,
            limits: SaslLimits::DEFAULT,
            wall_clock: None,
        }
    }

    /// Sets what the TLS handshake produced (for the `-PLUS` mechanisms).
    pub fn with_tls_info(mut self, info: Option<&'a TlsInfo>) -> Self {
        self.tls_info = info;
        self
    }

    /// Sets the service name and server host for DIGEST-MD5.
    pub fn with_service(mut self, service: &'static str, host: Option<&'a str>) -> Self {
        self.service = service;
        self.host = host;
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: SaslLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the wall-clock time (see [`SelectOptions::wall_clock`]).
    pub fn with_wall_clock(mut self, time: Option<SystemTime>) -> Self {
        self.wall_clock = time;
        self
    }
}

/// Everything a mechanism is built from.
struct Setup<'a> {
    credentials: &'a Credentials,
    opts: &'a SelectOptions<'a>,
    binding: Option<ChannelBinding>,
    offered: &'a [String],
}

/// Builds one mechanism; `None` when the credentials (or the channel) do not suit it.
type Build = fn(&Setup<'_>) -> Option<Box<dyn Mechanism>>;

/// Every mechanism we implement, strongest first. Adding a mechanism is one line here.
/// Mechanisms for OAuth tokens, passwords, ANONYMOUS and EXTERNAL never build from the same
/// credentials, so one list ranks them all.
const RANKING: &[(&str, Build)] = &[
    ("OAUTHBEARER", |s| boxed(OAuthBearer::new(s.credentials))),
    ("XOAUTH2", |s| boxed(XOAuth2::new(s.credentials))),
    ("SCRAM-SHA-512-PLUS", |s| scram_plus(s, ScramHash::Sha512)),
    ("SCRAM-SHA-512", |s| scram(s, ScramHash::Sha512)),
    ("SCRAM-SHA-256-PLUS", |s| scram_plus(s, ScramHash::Sha256)),
    ("SCRAM-SHA-256", |s| scram(s, ScramHash::Sha256)),
    ("SCRAM-SHA-1-PLUS", |s| scram_plus(s, ScramHash::Sha1)),
    ("SCRAM-SHA-1", |s| scram(s, ScramHash::Sha1)),
    ("NTLM", |s| {
        boxed(Ntlm::new(s.credentials).map(|n| n.with_wall_clock(s.opts.wall_clock)))
    }),
    ("DIGEST-MD5", |s| {
        let host = s.opts.host.map(str::to_owned);
        boxed(DigestMd5::new(s.credentials, s.opts.service, host))
    }),
    ("CRAM-MD5", |s| boxed(CramMd5::new(s.credentials))),
    ("PLAIN", |s| boxed(Plain::new(s.credentials))),
    ("LOGIN", |s| boxed(Login::new(s.credentials))),
    ("EXTERNAL", |s| boxed(External::new(s.credentials))),
    ("ANONYMOUS", |s| boxed(Anonymous::new(s.credentials))),
];

/// The name of every mechanism this crate implements, strongest first: the order in which
/// [`select`] tries them.
///
/// ```
/// let names: Vec<&str> = mail_kit_core::sasl::mechanism_names().collect();
/// assert_eq!(names[2], "SCRAM-SHA-512-PLUS");
/// assert!(names.contains(&"PLAIN"));
/// ```
pub fn mechanism_names() -> impl ExactSizeIterator<Item = &'static str> {
    RANKING.iter().map(|(name, _)| *name)
}

fn boxed<M: Mechanism + 'static>(mechanism: Option<M>) -> Option<Box<dyn Mechanism>> {
    mechanism.map(|m| Box::new(m) as Box<dyn Mechanism>)
}

/// SCRAM without channel binding: GS2 flag `y` when the client has binding data but the
/// server does not offer the `-PLUS` variant (a stripped offer is then detected), `n`
/// otherwise (no binding data, or the caller forced the plain variant of an offered `-PLUS`).
fn scram(s: &Setup<'_>, hash: ScramHash) -> Option<Box<dyn Mechanism>> {
    let mut scram = Scram::new(s.credentials, hash, s.opts.limits)?;
    let plus_offered = s
        .offered
        .iter()
        .any(|o| same_name(o, hash.mechanism_name(true)));
    if s.binding.is_some() && !plus_offered {
        scram = scram.with_binding_not_offered();
    }
    boxed(Some(scram))
}

/// SCRAM-…-PLUS: only with channel-binding data.
fn scram_plus(s: &Setup<'_>, hash: ScramHash) -> Option<Box<dyn Mechanism>> {
    let binding = s.binding.clone()?;
    boxed(Scram::new(s.credentials, hash, s.opts.limits).map(|m| m.with_channel_binding(binding)))
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Decodes base64 as servers write it (padding optional); `None` when it is not base64.
pub(crate) fn lenient_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::DecodePaddingMode;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(text).ok()
}

/// Builds the mechanism called `name` (case-insensitive) for these credentials and options;
/// `None` when the name is unknown or the credentials do not suit it (an OAuth token for a
/// password mechanism or the reverse, a `-PLUS` mechanism without channel-binding data).
///
/// This does not apply the plaintext rule of [`select`]. `offered` is what the server
/// advertised (it decides SCRAM's GS2 flag `y`).
pub fn mechanism_by_name(
    name: &str,
    credentials: &Credentials,
    opts: &SelectOptions<'_>,
    offered: &[String],
) -> Option<Box<dyn Mechanism>> {
    let setup = Setup {
        credentials,
        opts,
        binding: opts.tls_info.and_then(ChannelBinding::from_tls),
        offered,
    };
    build_named(name, &setup)
}

fn build_named(name: &str, setup: &Setup<'_>) -> Option<Box<dyn Mechanism>> {
    RANKING
        .iter()
        .find(|(known, _)| same_name(known, name))
        .and_then(|(_, build)| build(setup))
}

/// Picks the mechanisms to try, strongest first, among those the server offers (`offered`:
/// names as the server wrote them, in any case; unknown names are ignored).
///
/// With an OAuth token only OAUTHBEARER and XOAUTH2 qualify; with a password SCRAM-SHA-512 >
/// SCRAM-SHA-256 > SCRAM-SHA-1 (each `-PLUS` first when `opts.tls_info` has channel-binding
/// data) > NTLM > DIGEST-MD5 > CRAM-MD5 > PLAIN > LOGIN; ANONYMOUS and EXTERNAL only with
/// their own credentials. Mechanisms that reveal the password (PLAIN, LOGIN, the OAuth ones)
/// are left out unless `opts.tls` or `opts.allow_plaintext`.
///
/// `forced` names the only mechanism to use: it must be offered by the server, suit the
/// credentials and obey the same plaintext rule.
///
/// # Errors
///
/// [`UsageError::NoMechanism`] when nothing is left to try; the reason says why.
///
/// ```
/// use mail_kit_core::sasl::{select, Credentials, SelectOptions};
///
/// let offered = ["LOGIN".to_string(), "plain".into(), "CRAM-MD5".into(), "SCRAM-SHA-1".into()];
/// let credentials = Credentials::password("tim", "tanstaaftanstaaf");
/// let chosen = select(&offered, &credentials, SelectOptions::new(true, false), None).unwrap();
/// let names: Vec<_> = chosen.iter().map(|m| m.name()).collect();
/// assert_eq!(names, ["SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"]);
/// ```
pub fn select(
    offered: &[String],
    credentials: &Credentials,
    opts: SelectOptions<'_>,
    forced: Option<&str>,
) -> Result<Vec<Box<dyn Mechanism>>, UsageError> {
    let names = [Some(credentials.user()), credentials.authzid()];
    if names
        .into_iter()
        .flatten()
        .any(|n| n.contains(['\r', '\n', '\0']))
    {
        return Err(UsageError::ForbiddenCharacter { what: "user name" });
    }
    let plaintext_allowed = opts.tls || opts.allow_plaintext;
    let is_offered = |name: &str| offered.iter().any(|o| same_name(o, name));
    let setup = Setup {
        credentials,
        opts: &opts,
        binding: opts.tls_info.and_then(ChannelBinding::from_tls),
        offered,
    };

    if let Some(forced) = forced {
        if !is_offered(forced) {
            return Err(UsageError::NoMechanism(
                "forced mechanism not offered by the server",
            ));
        }
        let mechanism = build_named(forced, &setup).ok_or(UsageError::NoMechanism(
            "forced mechanism is not supported or does not suit the credentials",
        ))?;
        if mechanism.sends_plaintext_password() && !plaintext_allowed {
            return Err(UsageError::NoMechanism(
                "forced mechanism sends the secret in plaintext and the connection is not encrypted",
            ));
        }
        return Ok(vec![mechanism]);
    }

    let mut chosen = Vec::new();
    let mut known_offered = false;
    let mut refused_plaintext = false;
    for (name, build) in RANKING {
        if !is_offered(name) {
            continue;
        }
        known_offered = true;
        let Some(mechanism) = build(&setup) else {
            continue;
        };
        if mechanism.sends_plaintext_password() && !plaintext_allowed {
            refused_plaintext = true;
            continue;
        }
        chosen.push(mechanism);
    }

    if !chosen.is_empty() {
        Ok(chosen)
    } else if refused_plaintext {
        Err(UsageError::NoMechanism(
            "only mechanisms that reveal the secret are offered and the connection is not encrypted",
        ))
    } else if known_offered {
        Err(UsageError::NoMechanism(
            "no mechanism the server offers suits these credentials",
        ))
    } else {
        Err(UsageError::NoMechanism(
            "the server offers no mechanism we support",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TLS: SelectOptions = SelectOptions::new(true, false);
    const PLAIN_TEXT: SelectOptions = SelectOptions::new(false, false);
    const PLAIN_TEXT_ALLOWED: SelectOptions = SelectOptions::new(false, true);

    fn offered(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn password() -> Credentials {
        Credentials::password("tim", "tanstaaftanstaaf")
    }

    fn token() -> Credentials {
        Credentials::oauth_token("tim@example.com", "ya29.token")
    }

    fn by_name(name: &str, credentials: &Credentials) -> Option<Box<dyn Mechanism>> {
        mechanism_by_name(name, credentials, &TLS, &[])
    }

    fn names(
        result: Result<Vec<Box<dyn Mechanism>>, UsageError>,
    ) -> Result<Vec<&'static str>, UsageError> {
        result.map(|chosen| chosen.iter().map(|m| m.name()).collect())
    }

    #[test]
    fn ranking_is_strongest_first_whatever_the_server_order() {
        let all = offered(&["LOGIN", "PLAIN", "XOAUTH2", "CRAM-MD5", "OAUTHBEARER"]);
        assert_eq!(
            names(select(&all, &password(), TLS, None)),
            Ok(vec!["CRAM-MD5", "PLAIN", "LOGIN"])
        );
        assert_eq!(
            names(select(&all, &token(), TLS, None)),
            Ok(vec!["OAUTHBEARER", "XOAUTH2"])
        );
        // A bearer token is as replayable as a password: not without TLS.
        assert!(matches!(
            select(&all, &token(), PLAIN_TEXT, None),
            Err(UsageError::NoMechanism(_))
        ));
    }

    #[test]
    fn names_are_case_insensitive() {
        let mixed = offered(&["login", "Plain", "cram-md5", "xoauth2"]);
        assert_eq!(
            names(select(&mixed, &password(), TLS, None)),
            Ok(vec!["CRAM-MD5", "PLAIN", "LOGIN"])
        );
        assert_eq!(
            names(select(&mixed, &token(), TLS, Some("XOAuth2"))),
            Ok(vec!["XOAUTH2"])
        );
        assert_eq!(
            by_name("cRaM-Md5", &password()).map(|m| m.name()),
            Some("CRAM-MD5")
        );
    }

    #[test]
    fn plaintext_mechanisms_need_tls_or_permission() {
        let both = offered(&["PLAIN", "LOGIN"]);
        assert_eq!(
            names(select(&both, &password(), PLAIN_TEXT, None)),
            Err(UsageError::NoMechanism(
                "only mechanisms that reveal the secret are offered and the connection is not encrypted"
            ))
        );
        assert_eq!(
            names(select(&both, &password(), PLAIN_TEXT_ALLOWED, None)),
            Ok(vec!["PLAIN", "LOGIN"])
        );
        let with_cram = offered(&["PLAIN", "LOGIN", "CRAM-MD5"]);
        assert_eq!(
            names(select(&with_cram, &password(), PLAIN_TEXT, None)),
            Ok(vec!["CRAM-MD5"])
        );
    }

    #[test]
    fn forced_mechanism() {
        let all = offered(&["PLAIN", "LOGIN", "CRAM-MD5"]);
        assert_eq!(
            names(select(&all, &password(), TLS, Some("login"))),
            Ok(vec!["LOGIN"])
        );
        assert_eq!(
            names(select(&all, &password(), TLS, Some("XOAUTH2"))),
            Err(UsageError::NoMechanism(
                "forced mechanism not offered by the server"
            ))
        );
        // Forcing does not lift the plaintext rule.
        assert!(matches!(
            names(select(&all, &password(), PLAIN_TEXT, Some("PLAIN"))),
            Err(UsageError::NoMechanism(_))
        ));
        assert_eq!(
            names(select(&all, &password(), PLAIN_TEXT_ALLOWED, Some("PLAIN"))),
            Ok(vec!["PLAIN"])
        );
        assert_eq!(
            names(select(&all, &password(), PLAIN_TEXT, Some("CRAM-MD5"))),
            Ok(vec!["CRAM-MD5"])
        );
        // Offered, but unknown to us or unsuitable for the credentials.
        let odd = offered(&["GSSAPI", "CRAM-MD5"]);
        assert!(matches!(
            names(select(&odd, &password(), TLS, Some("GSSAPI"))),
            Err(UsageError::NoMechanism(_))
        ));
        assert!(matches!(
            names(select(&odd, &token(), TLS, Some("CRAM-MD5"))),
            Err(UsageError::NoMechanism(_))
        ));
    }

    #[test]
    fn credentials_filter_mechanisms() {
        let password_only = offered(&["CRAM-MD5", "PLAIN", "LOGIN"]);
        assert_eq!(
            names(select(&password_only, &token(), TLS, None)),
            Err(UsageError::NoMechanism(
                "no mechanism the server offers suits these credentials"
            ))
        );
        let oauth_only = offered(&["XOAUTH2", "OAUTHBEARER"]);
        assert!(matches!(
            names(select(&oauth_only, &password(), TLS, None)),
            Err(UsageError::NoMechanism(_))
        ));
        assert!(by_name("XOAUTH2", &password()).is_none());
        assert!(by_name("PLAIN", &token()).is_none());
        assert!(by_name("LOGIN", &token()).is_none());
        assert!(by_name("CRAM-MD5", &token()).is_none());
        assert!(by_name("OAUTHBEARER", &password()).is_none());
    }

    #[test]
    fn unknown_names_are_ignored() {
        assert_eq!(
            names(select(&[], &password(), TLS, None)),
            Err(UsageError::NoMechanism(
                "the server offers no mechanism we support"
            ))
        );
        let unknown = offered(&["GSSAPI", "NTLM-ISH", "", " ", "PLAINX", "X-PLAIN"]);
        assert_eq!(
            names(select(&unknown, &password(), TLS, None)),
            Err(UsageError::NoMechanism(
                "the server offers no mechanism we support"
            ))
        );
        assert!(by_name("GSSAPI", &password()).is_none());
        assert!(by_name("", &password()).is_none());
        let some = offered(&["GSSAPI", "LOGIN", "KERBEROS_V4"]);
        assert_eq!(
            names(select(&some, &password(), TLS, None)),
            Ok(vec!["LOGIN"])
        );
    }

    #[test]
    fn sixty_offered_names() {
        let mut long: Vec<String> = (0..55).map(|i| format!("X-UNKNOWN-{i}")).collect();
        long.extend(offered(&["login", "PLAIN", "Login", "CRAM-MD5", "plain"]));
        assert_eq!(long.len(), 60);
        assert_eq!(
            names(select(&long, &password(), TLS, None)),
            Ok(vec!["CRAM-MD5", "PLAIN", "LOGIN"])
        );
        assert_eq!(
            names(select(&long, &password(), PLAIN_TEXT, None)),
            Ok(vec!["CRAM-MD5"])
        );
        assert_eq!(
            names(select(&long, &password(), TLS, Some("plain"))),
            Ok(vec!["PLAIN"])
        );
        assert!(matches!(
            names(select(&long, &token(), TLS, None)),
            Err(UsageError::NoMechanism(_))
        ));
    }

    #[test]
    fn every_ranked_name_builds_its_own_mechanism() {
        for (name, build) in RANKING {
            let credentials = match *name {
                "OAUTHBEARER" | "XOAUTH2" => token(),
                "ANONYMOUS" => Credentials::anonymous("trace"),
                "EXTERNAL" => Credentials::external(""),
                _ => password(),
            };
            let info = TlsInfo {
                tls_exporter: Some(vec![7; 32]),
                ..TlsInfo::default()
            };
            let opts = TLS.with_tls_info(Some(&info));
            let setup = Setup {
                credentials: &credentials,
                opts: &opts,
                binding: ChannelBinding::from_tls(&info),
                offered: &[],
            };
            let mechanism = build(&setup).expect("builds");
            assert_eq!(mechanism.name(), *name);
        }
    }

    #[test]
    fn no_mechanism_panics_on_arbitrary_challenges() {
        fn prop(
            user: String,
            secret: String,
            authzid: String,
            ir: bool,
            challenges: Vec<Vec<u8>>,
        ) -> bool {
            let password =
                Credentials::password(user.clone(), secret.clone()).with_authzid(&authzid);
            let token = Credentials::oauth_token(user, secret).with_authzid(authzid);
            let info = bound();
            let opts = TLS.with_tls_info(Some(&info));
            for (name, _) in RANKING {
                for credentials in [&password, &token] {
                    // -PLUS mechanisms build too: binding data is given.
                    let Some(mut mechanism) = mechanism_by_name(name, credentials, &opts, &[])
                    else {
                        continue;
                    };
                    if ir {
                        let _ = mechanism.initial_response();
                    }
                    for challenge in &challenges {
                        let _ = mechanism.respond(challenge);
                    }
                    let _ = mechanism.finish(challenges.first().map(Vec::as_slice));
                }
            }
            true
        }
        quickcheck::QuickCheck::new()
            .tests(500)
            .quickcheck(prop as fn(String, String, String, bool, Vec<Vec<u8>>) -> bool);
    }

    #[test]
    fn oauth_mechanisms_do_not_panic_on_json_like_challenges() {
        fn prop(prefix: String, value: String, suffix: String, quoted: bool) -> bool {
            let q = if quoted { "\"" } else { "" };
            let challenge = format!("{prefix}\"status\"{prefix}:{q}{value}{suffix}");
            for name in ["XOAUTH2", "OAUTHBEARER"] {
                let mut mechanism = by_name(name, &token()).expect("builds");
                let _ = mechanism.respond(challenge.as_bytes());
                let _ = mechanism.finish(None);
            }
            true
        }
        quickcheck::QuickCheck::new()
            .tests(500)
            .quickcheck(prop as fn(String, String, String, bool) -> bool);
    }

    fn bound() -> TlsInfo {
        TlsInfo {
            tls_exporter: Some(vec![9; 32]),
            tls_server_end_point: Some(vec![8; 32]),
            protocol: Some("TLSv1.3".into()),
        }
    }

    fn gs2_flag(mechanism: &mut Box<dyn Mechanism>) -> String {
        let first = mechanism.initial_response().unwrap().unwrap();
        let first = String::from_utf8(first).unwrap();
        first.split(',').next().unwrap().to_owned()
    }

    #[test]
    fn full_ranking_with_and_without_channel_binding() {
        let all = offered(&[
            "LOGIN",
            "PLAIN",
            "CRAM-MD5",
            "DIGEST-MD5",
            "NTLM",
            "SCRAM-SHA-1",
            "SCRAM-SHA-1-PLUS",
            "SCRAM-SHA-256",
            "SCRAM-SHA-256-PLUS",
            "SCRAM-SHA-512",
            "SCRAM-SHA-512-PLUS",
            "ANONYMOUS",
            "EXTERNAL",
            "XOAUTH2",
        ]);
        let info = bound();
        assert_eq!(
            names(select(
                &all,
                &password(),
                TLS.with_tls_info(Some(&info)),
                None
            )),
            Ok(vec![
                "SCRAM-SHA-512-PLUS",
                "SCRAM-SHA-512",
                "SCRAM-SHA-256-PLUS",
                "SCRAM-SHA-256",
                "SCRAM-SHA-1-PLUS",
                "SCRAM-SHA-1",
                "NTLM",
                "DIGEST-MD5",
                "CRAM-MD5",
                "PLAIN",
                "LOGIN",
            ])
        );
        // Without binding data no -PLUS is chosen (a downgrade), and without TLS no plain text.
        let hashing = [
            "SCRAM-SHA-512",
            "SCRAM-SHA-256",
            "SCRAM-SHA-1",
            "NTLM",
            "DIGEST-MD5",
            "CRAM-MD5",
        ];
        assert_eq!(
            names(select(&all, &password(), TLS, None)),
            Ok([&hashing[..], &["PLAIN", "LOGIN"]].concat())
        );
        assert_eq!(
            names(select(&all, &password(), PLAIN_TEXT, None)),
            Ok(hashing.to_vec())
        );
        let empty = TlsInfo::default();
        let chosen = select(&all, &password(), TLS.with_tls_info(Some(&empty)), None).unwrap();
        assert_eq!(chosen[0].name(), "SCRAM-SHA-512");
        // A -PLUS mechanism cannot be forced without binding data.
        assert!(select(&all, &password(), TLS, Some("SCRAM-SHA-256-PLUS")).is_err());
        // ANONYMOUS and EXTERNAL only with their credentials.
        assert_eq!(
            names(select(
                &all,
                &Credentials::anonymous("me"),
                PLAIN_TEXT,
                None
            )),
            Ok(vec!["ANONYMOUS"])
        );
        assert_eq!(
            names(select(&all, &Credentials::external(""), TLS, None)),
            Ok(vec!["EXTERNAL"])
        );
    }

    #[test]
    fn gs2_flag_follows_binding_data_and_the_offer() {
        let info = bound();
        let with_binding = TLS.with_tls_info(Some(&info));
        // Binding data, the server offers -PLUS: p=tls-exporter.
        let plus = offered(&["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"]);
        let mut chosen = select(&plus, &password(), with_binding, None).unwrap();
        assert_eq!(gs2_flag(&mut chosen[0]), "p=tls-exporter");
        // TLS 1.2: tls-server-end-point.
        let tls12 = TlsInfo {
            tls_exporter: None,
            ..bound()
        };
        let mut chosen = select(&plus, &password(), TLS.with_tls_info(Some(&tls12)), None).unwrap();
        assert_eq!(gs2_flag(&mut chosen[0]), "p=tls-server-end-point");
        // Binding data but no -PLUS offered (stripped?): y.
        let plain = offered(&["SCRAM-SHA-256"]);
        let mut chosen = select(&plain, &password(), with_binding, None).unwrap();
        assert_eq!(gs2_flag(&mut chosen[0]), "y");
        // No binding data: n.
        let mut chosen = select(&plus, &password(), TLS, None).unwrap();
        assert_eq!(chosen[0].name(), "SCRAM-SHA-256");
        assert_eq!(gs2_flag(&mut chosen[0]), "n");
        // The plain variant forced while -PLUS is offered: n (y would make the server fail).
        let mut chosen = select(&plus, &password(), with_binding, Some("scram-sha-256")).unwrap();
        assert_eq!(gs2_flag(&mut chosen[0]), "n");
        // Via mechanism_by_name as well.
        let mut m = mechanism_by_name("SCRAM-SHA-1", &password(), &with_binding, &[]).unwrap();
        assert_eq!(gs2_flag(&mut m), "y");
    }
}
