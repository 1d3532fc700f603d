//! Choosing mechanisms: the strongest ones both sides support and the credentials suit.

use super::{CramMd5, Credentials, Login, Mechanism, OAuthBearer, Plain, XOAuth2};
use crate::UsageError;

/// Where a mechanism may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectOptions {
    /// The connection is encrypted (implicit TLS or after STARTTLS).
    pub tls: bool,
    /// The user explicitly allows mechanisms that reveal the password (PLAIN, LOGIN) on a
    /// connection without TLS.
    pub allow_plaintext: bool,
}

/// Builds one mechanism; `None` when the credentials do not suit it.
type Build = fn(&Credentials) -> Option<Box<dyn Mechanism>>;

/// Every mechanism we implement, strongest first. Adding a mechanism is one line here.
/// Mechanisms for OAuth tokens and for passwords never build from the same credentials, so one
/// list ranks both.
const RANKING: &[(&str, Build)] = &[
    ("OAUTHBEARER", |c| boxed(OAuthBearer::new(c))),
    ("XOAUTH2", |c| boxed(XOAuth2::new(c))),
    ("CRAM-MD5", |c| boxed(CramMd5::new(c))),
    ("PLAIN", |c| boxed(Plain::new(c))),
    ("LOGIN", |c| boxed(Login::new(c))),
];

fn boxed<M: Mechanism + 'static>(mechanism: Option<M>) -> Option<Box<dyn Mechanism>> {
    mechanism.map(|m| Box::new(m) as Box<dyn Mechanism>)
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Builds the mechanism called `name` (case-insensitive) for these credentials; `None` when
/// the name is unknown or the credentials do not suit it (an OAuth token for a password
/// mechanism or the reverse).
///
/// This does not apply the plaintext rule of [`select`].
pub fn mechanism_by_name(name: &str, credentials: &Credentials) -> Option<Box<dyn Mechanism>> {
    RANKING
        .iter()
        .find(|(known, _)| same_name(known, name))
        .and_then(|(_, build)| build(credentials))
}

/// Picks the mechanisms to try, strongest first, among those the server offers (`offered`:
/// names as the server wrote them, in any case; unknown names are ignored).
///
/// With an OAuth token only OAUTHBEARER and XOAUTH2 qualify; with a password CRAM-MD5, PLAIN
/// and LOGIN, in that order. Mechanisms that reveal the password (PLAIN, LOGIN) are left out
/// unless `opts.tls` or `opts.allow_plaintext`.
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
/// let offered = ["LOGIN".to_string(), "plain".into(), "CRAM-MD5".into()];
/// let credentials = Credentials::password("tim", "tanstaaftanstaaf");
/// let opts = SelectOptions { tls: true, allow_plaintext: false };
/// let chosen = select(&offered, &credentials, opts, None).unwrap();
/// let names: Vec<_> = chosen.iter().map(|m| m.name()).collect();
/// assert_eq!(names, ["CRAM-MD5", "PLAIN", "LOGIN"]);
/// ```
pub fn select(
    offered: &[String],
    credentials: &Credentials,
    opts: SelectOptions,
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

    if let Some(forced) = forced {
        if !is_offered(forced) {
            return Err(UsageError::NoMechanism(
                "forced mechanism not offered by the server",
            ));
        }
        let mechanism = mechanism_by_name(forced, credentials).ok_or(UsageError::NoMechanism(
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
        let Some(mechanism) = build(credentials) else {
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

    const TLS: SelectOptions = SelectOptions {
        tls: true,
        allow_plaintext: false,
    };
    const PLAIN_TEXT: SelectOptions = SelectOptions {
        tls: false,
        allow_plaintext: false,
    };
    const PLAIN_TEXT_ALLOWED: SelectOptions = SelectOptions {
        tls: false,
        allow_plaintext: true,
    };

    fn offered(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn password() -> Credentials {
        Credentials::password("tim", "tanstaaftanstaaf")
    }

    fn token() -> Credentials {
        Credentials::oauth_token("tim@example.com", "ya29.token")
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
            mechanism_by_name("cRaM-Md5", &password()).map(|m| m.name()),
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
        assert!(mechanism_by_name("XOAUTH2", &password()).is_none());
        assert!(mechanism_by_name("PLAIN", &token()).is_none());
        assert!(mechanism_by_name("LOGIN", &token()).is_none());
        assert!(mechanism_by_name("CRAM-MD5", &token()).is_none());
        assert!(mechanism_by_name("OAUTHBEARER", &password()).is_none());
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
        assert!(mechanism_by_name("GSSAPI", &password()).is_none());
        assert!(mechanism_by_name("", &password()).is_none());
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
            let credentials = if name.contains("OAUTH") {
                token()
            } else {
                password()
            };
            let mechanism = build(&credentials).expect("builds");
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
            for (name, _) in RANKING {
                for credentials in [&password, &token] {
                    let Some(mut mechanism) = mechanism_by_name(name, credentials) else {
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
                let mut mechanism = mechanism_by_name(name, &token()).expect("builds");
                let _ = mechanism.respond(challenge.as_bytes());
                let _ = mechanism.finish(None);
            }
            true
        }
        quickcheck::QuickCheck::new()
            .tests(500)
            .quickcheck(prop as fn(String, String, String, bool) -> bool);
    }
}
