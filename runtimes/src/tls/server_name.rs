//! The TLS server name checked against the certificate.

use rustls_pki_types::ServerName;

use super::TlsError;

/// The server name for `host`: a DNS name, or an IP address (IPv6 without brackets).
///
/// ```
/// let name = mail_kit::tls::server_name("mail.example.org").unwrap();
/// assert_eq!(name.to_str(), "mail.example.org");
/// assert!(mail_kit::tls::server_name("::1").is_ok());
/// assert!(mail_kit::tls::server_name("bad host").is_err());
/// ```
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(host.to_owned()).map_err(|_| TlsError::InvalidServerName {
        host: host.to_owned(),
    })
}
