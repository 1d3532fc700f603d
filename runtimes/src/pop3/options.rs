//! Where and how to connect to a POP3 server: [`Pop3Options`].

use std::fmt;

use crate::endpoint::{Endpoint, Schemes, endpoint_methods};
use crate::error::Error;
use mail_kit_core::pop3::{Pop3Config, Pop3Timeouts};

/// The POP3 port, upgraded with `STLS` (RFC 1939, RFC 2595).
pub const POP3_PORT: u16 = 110;
/// The POP3 port with implicit TLS (RFC 8314).
pub const POP3S_PORT: u16 = 995;

/// The POP3 schemes: `pop3://` on 110 with `STLS`, `pop3s://` on 995.
const POP3_SCHEMES: Schemes = Schemes {
    plain: "pop3",
    tls: "pop3s",
    wrong_scheme: "the scheme must be pop3 or pop3s",
    plain_port: POP3_PORT,
    tls_port: POP3S_PORT,
};

/// Where and how to connect to a POP3 server.
///
/// `pop3://host[:port]` upgrades with `STLS` and fails if the server does not offer it
/// ([`TlsMode::Required`](crate::TlsMode::Required), port 110); `pop3s://host[:port]` is TLS
/// from the first byte (port 995). Cheap to clone.
///
/// ```
/// use std::time::Duration;
/// use mail_kit::{Pop3Options, TlsMode, TlsSettings};
///
/// let options = Pop3Options::from_url("pop3://mail.example.org")?
///     .connect_timeout(Duration::from_secs(10))
///     .command_timeout(Duration::from_secs(60))
///     .tls_settings(TlsSettings::new().add_ca_file("ca.pem"));
/// assert_eq!((options.get_port(), options.get_tls_mode()), (110, TlsMode::Required));
/// let options = Pop3Options::from_url("pop3s://[2001:db8::110]")?;
/// assert_eq!((options.host(), options.get_port()), ("2001:db8::110", 995));
/// assert!(Pop3Options::from_url("smtp://mail.example.org").is_err());
/// # Ok::<(), mail_kit::Error>(())
/// ```
#[derive(Clone)]
pub struct Pop3Options {
    endpoint: Endpoint,
    pipelining: bool,
}

endpoint_methods!(Pop3Options, "POP3");

impl Pop3Options {
    /// Connects to `host` (a name or an IP address; IPv6 with or without brackets) on
    /// `port`, with `STLS` required.
    ///
    /// ```
    /// let options = mail_kit::Pop3Options::new("[::1]", 1110)?;
    /// assert_eq!((options.host(), options.get_port()), ("::1", 1110));
    /// # Ok::<(), mail_kit::Error>(())
    /// ```
    pub fn new(host: &str, port: u16) -> Result<Self, Error> {
        Endpoint::new(POP3_SCHEMES, host, port).map(Pop3Options::with_endpoint)
    }

    /// Parses `pop3://host[:port]` (`STLS` required, port 110 by default) or
    /// `pop3s://host[:port]` (implicit TLS, port 995 by default). IPv6 hosts go in brackets.
    pub fn from_url(url: &str) -> Result<Self, Error> {
        Endpoint::from_url(POP3_SCHEMES, url).map(Pop3Options::with_endpoint)
    }

    fn with_endpoint(endpoint: Endpoint) -> Self {
        Pop3Options {
            endpoint,
            pipelining: true,
        }
    }

    /// Whether to pipeline commands when the server offers PIPELINING (on by default):
    /// [`retrieve_many`](crate::blocking::Pop3Client::retrieve_many) then writes many `RETR`
    /// commands ahead of their replies.
    pub fn pipelining(mut self, on: bool) -> Self {
        self.pipelining = on;
        self
    }
}

used_by_clients! {
    impl Pop3Options {
        /// The machine's configuration.
        pub(crate) fn pop3_config(&self) -> Pop3Config {
            let mut config = Pop3Config::new(self.endpoint.tls_mode.into());
            config.wall_clock = Some(std::time::SystemTime::now());
            config.pipelining = self.pipelining;
            config.server_host = Some(self.endpoint.host.clone());
            if let Some(timeout) = self.endpoint.command_timeout {
                config.timeouts = Pop3Timeouts::all(timeout);
            }
            config
        }
    }
}

impl fmt::Debug for Pop3Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Pop3Options");
        self.endpoint.debug_fields(&mut f);
        f.field("pipelining", &self.pipelining).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use mail_kit_core::TlsPolicy;

    use super::*;
    use crate::TlsMode;

    #[test]
    fn default_ports_follow_the_mode() {
        let o = Pop3Options::from_url("pop3://mail.example.org").unwrap();
        assert_eq!((o.get_port(), o.get_tls_mode()), (110, TlsMode::Required));
        let o = Pop3Options::from_url("POP3S://mail.example.org/").unwrap();
        assert_eq!((o.get_port(), o.get_tls_mode()), (995, TlsMode::Implicit));
        let o = Pop3Options::from_url("pop3://mail.example.org")
            .unwrap()
            .tls_mode(TlsMode::Implicit);
        assert_eq!(o.get_port(), 995);
        let o = Pop3Options::from_url("pop3://127.0.0.1:10110").unwrap();
        assert_eq!((o.host(), o.get_port()), ("127.0.0.1", 10110));
    }

    #[test]
    fn other_schemes_and_bad_hosts_are_refused() {
        for url in [
            "smtp://mail.example.org",
            "imap://mail.example.org",
            "pop://mail.example.org",
            "pop3://user:secret@mail.example.org",
            "pop3://host\r\nUSER x",
            "pop3://host:0",
        ] {
            let err = Pop3Options::from_url(url).unwrap_err();
            assert!(matches!(err, Error::InvalidUrl { .. }), "{url}");
            assert!(!err.to_string().contains("secret"));
        }
        assert!(Pop3Options::new("host\n", 110).is_err());
    }

    #[test]
    fn the_machine_config_follows_the_options() {
        let o = Pop3Options::from_url("pop3s://h")
            .unwrap()
            .command_timeout(Duration::from_secs(7))
            .pipelining(false);
        let config = o.pop3_config();
        assert_eq!(config.tls, TlsPolicy::Implicit);
        assert!(!config.pipelining);
        assert_eq!(config.timeouts, Pop3Timeouts::all(Duration::from_secs(7)));
        assert_eq!(config.server_host.as_deref(), Some("h"));
        let debug = format!("{o:?}");
        assert!(debug.contains("port: 995"), "{debug}");
    }
}
