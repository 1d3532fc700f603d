//! Where and how to connect to an SMTP server: [`SmtpOptions`]; and [`TlsMode`], for every
//! protocol.

use std::fmt;

use mail_kit_core::TlsPolicy;
use mail_kit_core::smtp::{ClientName, SmtpConfig, SmtpTimeouts};

use crate::endpoint::{Endpoint, Schemes, endpoint_methods};
use crate::error::Error;

/// The submission port with `STARTTLS` (RFC 6409).
pub const SUBMISSION_PORT: u16 = 587;
/// The submission port with implicit TLS (RFC 8314).
pub const SUBMISSIONS_PORT: u16 = 465;

/// How the connection is protected.
///
/// ```
/// use mail_kit::{SmtpOptions, TlsMode};
///
/// let options = SmtpOptions::from_url("smtp://mail.example.org").unwrap();
/// assert_eq!(options.get_tls_mode(), TlsMode::Required);
/// let options = SmtpOptions::from_url("smtps://mail.example.org").unwrap();
/// assert_eq!(options.get_tls_mode(), TlsMode::Implicit);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
    /// Upgrade with `STARTTLS` and fail if the server does not offer it: credentials and mail
    /// never travel in plaintext. The default for `smtp://`.
    #[default]
    Required,
    /// Upgrade with `STARTTLS` when the server offers it, go on in plaintext otherwise.
    /// A man in the middle can strip the offer: choose this only on purpose.
    Opportunistic,
    /// Never use TLS.
    None,
}

impl From<TlsMode> for TlsPolicy {
    fn from(mode: TlsMode) -> Self {
        match mode {
            TlsMode::Implicit => TlsPolicy::Implicit,
            TlsMode::Required => TlsPolicy::Required,
            TlsMode::Opportunistic => TlsPolicy::Opportunistic,
            TlsMode::None => TlsPolicy::None,
        }
    }
}

/// Where and how to connect to an SMTP server.
///
/// Cheap to clone; the TLS configuration inside is built once and shared.
///
/// ```
/// use std::time::Duration;
/// use mail_kit::{SmtpOptions, TlsMode, TlsSettings};
///
/// let options = SmtpOptions::from_url("smtp://mail.example.org")?
///     .tls_mode(TlsMode::Required)
///     .connect_timeout(Duration::from_secs(10))
///     .command_timeout(Duration::from_secs(60))
///     .tls_settings(TlsSettings::new().add_ca_file("ca.pem"));
/// assert_eq!(options.get_port(), 587);
/// # Ok::<(), mail_kit::Error>(())
/// ```
///
/// A protocol logger sees every byte from the greeting on:
///
/// ```
/// struct Stderr;
/// impl mail_kit::core::WireObserver for Stderr {
///     fn client_bytes(&mut self, bytes: &[u8]) { eprint!("C: {}", String::from_utf8_lossy(bytes)) }
///     fn server_bytes(&mut self, bytes: &[u8]) { eprint!("S: {}", String::from_utf8_lossy(bytes)) }
/// }
/// let options = mail_kit::SmtpOptions::new("localhost", 25)?.wire_observer(|| Box::new(Stderr));
/// # Ok::<(), mail_kit::Error>(())
/// ```
#[derive(Clone)]
pub struct SmtpOptions {
    endpoint: Endpoint,
    client_name: Option<ClientName>,
    pipelining: bool,
    chunking: bool,
}

/// The SMTP schemes: `smtp://` on 587 with `STARTTLS`, `smtps://` on 465.
const SMTP_SCHEMES: Schemes = Schemes {
    plain: "smtp",
    tls: "smtps",
    wrong_scheme: "the scheme must be smtp or smtps",
    plain_port: SUBMISSION_PORT,
    tls_port: SUBMISSIONS_PORT,
};

endpoint_methods!(SmtpOptions, "SMTP");

impl SmtpOptions {
    /// Connects to `host` (a name or an IP address; IPv6 with or without brackets) on
    /// `port`, with `STARTTLS` required.
    ///
    /// ```
    /// let options = mail_kit::SmtpOptions::new("::1", 2525)?;
    /// assert_eq!((options.host(), options.get_port()), ("::1", 2525));
    /// # Ok::<(), mail_kit::Error>(())
    /// ```
    pub fn new(host: &str, port: u16) -> Result<Self, Error> {
        Endpoint::new(SMTP_SCHEMES, host, port).map(SmtpOptions::with_endpoint)
    }

    /// Parses `smtp://host[:port]` (`STARTTLS`, [`TlsMode::Required`], port 587 by default)
    /// or `smtps://host[:port]` (implicit TLS, port 465 by default). IPv6 hosts go in
    /// brackets: `smtp://[::1]:25`.
    ///
    /// ```
    /// let options = mail_kit::SmtpOptions::from_url("smtps://[2001:db8::25]")?;
    /// assert_eq!((options.host(), options.get_port()), ("2001:db8::25", 465));
    /// assert!(mail_kit::SmtpOptions::from_url("smtp://bad\r\nhost").is_err());
    /// # Ok::<(), mail_kit::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<Self, Error> {
        Endpoint::from_url(SMTP_SCHEMES, url).map(SmtpOptions::with_endpoint)
    }

    fn with_endpoint(endpoint: Endpoint) -> Self {
        SmtpOptions {
            endpoint,
            client_name: None,
            pipelining: true,
            chunking: true,
        }
    }

    /// The name sent with `EHLO`. By default it is the local address of the connection as
    /// an address literal, e.g. `[192.0.2.1]`.
    ///
    /// ```
    /// use mail_kit::core::smtp::ClientName;
    /// let options = mail_kit::SmtpOptions::new("mail.example.org", 587)?
    ///     .client_name(ClientName::new("laptop.example.org")?);
    /// # Ok::<(), mail_kit::Error>(())
    /// ```
    pub fn client_name(mut self, name: ClientName) -> Self {
        self.client_name = Some(name);
        self
    }

    /// Whether to pipeline commands when the server offers PIPELINING (on by default).
    pub fn pipelining(mut self, on: bool) -> Self {
        self.pipelining = on;
        self
    }

    /// Whether to send with `BDAT` when the server offers CHUNKING (on by default).
    pub fn chunking(mut self, on: bool) -> Self {
        self.chunking = on;
        self
    }
}

used_by_clients! {
    impl SmtpOptions {
        /// The machine's configuration, with the EHLO name chosen for this connection.
        pub(crate) fn smtp_config(&self, local_ip: Option<std::net::IpAddr>) -> SmtpConfig {
            let name = match (&self.client_name, local_ip) {
                (Some(name), _) => name.clone(),
                (None, Some(ip)) => ClientName::from_ip(ip),
                (None, None) => ClientName::from_ip(std::net::Ipv4Addr::LOCALHOST.into()),
            };
            let mut config = SmtpConfig::new(name, self.endpoint.tls_mode.into());
            config.wall_clock = Some(std::time::SystemTime::now());
            config.pipelining = self.pipelining;
            config.prefer_chunking = self.chunking;
            if let Some(timeout) = self.endpoint.command_timeout {
                config.timeouts = SmtpTimeouts::all(timeout);
            }
            config
        }
    }
}

impl fmt::Debug for SmtpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("SmtpOptions");
        self.endpoint.debug_fields(&mut f);
        f.field("client_name", &self.client_name)
            .field("pipelining", &self.pipelining)
            .field("chunking", &self.chunking)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn default_ports_follow_the_mode() {
        let o = SmtpOptions::from_url("smtp://mail.example.org").unwrap();
        assert_eq!((o.get_port(), o.get_tls_mode()), (587, TlsMode::Required));
        let o = SmtpOptions::from_url("smtps://mail.example.org").unwrap();
        assert_eq!((o.get_port(), o.get_tls_mode()), (465, TlsMode::Implicit));
        let o = SmtpOptions::from_url("smtp://mail.example.org")
            .unwrap()
            .tls_mode(TlsMode::Implicit);
        assert_eq!(o.get_port(), 465);
        let o = SmtpOptions::from_url("smtp://mail.example.org:25")
            .unwrap()
            .tls_mode(TlsMode::Opportunistic);
        assert_eq!(
            (o.get_port(), o.get_tls_mode()),
            (25, TlsMode::Opportunistic)
        );
    }

    #[test]
    fn other_schemes_are_refused() {
        for url in [
            "http://mail.example.org",
            "imap://mail.example.org",
            "smtp+tls://x",
        ] {
            assert!(
                matches!(SmtpOptions::from_url(url), Err(Error::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn new_validates_the_host() {
        assert!(SmtpOptions::new("mail.example.org\r\n", 25).is_err());
        assert!(SmtpOptions::new("", 25).is_err());
        assert!(SmtpOptions::new("host", 0).is_err());
        assert_eq!(SmtpOptions::new("[::1]", 25).unwrap().host(), "::1");
    }

    #[test]
    fn command_timeout_sets_every_machine_timeout() {
        let o = SmtpOptions::new("h", 25)
            .unwrap()
            .command_timeout(Duration::from_secs(7));
        let config = o.smtp_config(None);
        assert_eq!(config.timeouts, SmtpTimeouts::all(Duration::from_secs(7)));
        assert_eq!(config.tls, TlsPolicy::Required);
    }
}
