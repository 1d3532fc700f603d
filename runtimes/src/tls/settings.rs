//! Which certificates to trust, built once into a shared rustls configuration.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::TlsError;
use super::danger::AcceptAnyCertificate;

/// Where the trusted root certificates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Roots {
    /// Mozilla's root program, compiled in (the `webpki-roots` crate). Works the same
    /// everywhere, including minimal containers.
    #[default]
    WebPki,
    /// The operating system's certificate store (`rustls-native-certs`; honours `SSL_CERT_FILE`
    /// and `SSL_CERT_DIR`).
    Native,
    /// No built-in roots: only the CA files added with [`TlsSettings::add_ca_file`].
    None,
}

/// How TLS connections check the server: trusted roots, extra CA files, or (dangerously) no
/// checks at all.
///
/// The rustls [`ClientConfig`] is built once, on first use, and shared by every clone of the
/// settings (so by every connection made with the same options).
///
/// ```
/// use mail_kit::{Roots, TlsSettings};
///
/// // The default: Mozilla's roots, host names always checked.
/// let config = TlsSettings::new().client_config().unwrap();
/// # let _ = config;
///
/// // A private CA on top of the operating system's store.
/// let settings = TlsSettings::new()
///     .roots(Roots::Native)
///     .add_ca_file("/etc/mail/ca.pem");
/// # let _ = settings;
/// ```
#[derive(Clone, Default)]
pub struct TlsSettings {
    roots: Roots,
    ca_files: Vec<PathBuf>,
    accept_invalid_certs: bool,
    custom: bool,
    config: Arc<OnceLock<Arc<ClientConfig>>>,
}

impl TlsSettings {
    /// Mozilla's roots ([`Roots::WebPki`]), no extra CA, full certificate checks.
    pub fn new() -> Self {
        TlsSettings::default()
    }

    /// Uses a rustls configuration built elsewhere (client certificates, ALPN, another
    /// crypto provider...). The other settings are then ignored.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let config = mail_kit::TlsSettings::new().client_config().unwrap();
    /// let settings = mail_kit::TlsSettings::from_client_config(Arc::clone(&config));
    /// assert!(Arc::ptr_eq(&settings.client_config().unwrap(), &config));
    /// ```
    pub fn from_client_config(config: Arc<ClientConfig>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(config);
        TlsSettings {
            custom: true,
            config: Arc::new(cell),
            ..TlsSettings::default()
        }
    }

    /// Chooses where the trusted roots come from.
    pub fn roots(mut self, roots: Roots) -> Self {
        self.roots = roots;
        self.changed()
    }

    /// Also trusts the CA certificates of a PEM file (one or more `CERTIFICATE` blocks).
    /// The file is read when the configuration is built; a missing or empty file is an error.
    pub fn add_ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_files.push(path.as_ref().to_path_buf());
        self.changed()
    }

    /// **Dangerous**: accepts *any* server certificate — expired, self-signed, issued for
    /// another host, or forged.
    ///
    /// The connection is still encrypted, but anyone on the path can impersonate the server
    /// and read the credentials and messages sent over it. Use this only against a test
    /// server you control, never in production; prefer [`TlsSettings::add_ca_file`] with
    /// the test server's CA.
    ///
    /// ```
    /// let insecure = mail_kit::TlsSettings::new().danger_accept_invalid_certs();
    /// assert!(insecure.accepts_invalid_certs());
    /// ```
    pub fn danger_accept_invalid_certs(mut self) -> Self {
        self.accept_invalid_certs = true;
        self.changed()
    }

    /// Whether [`TlsSettings::danger_accept_invalid_certs`] is on.
    pub fn accepts_invalid_certs(&self) -> bool {
        self.accept_invalid_certs
    }

    /// The rustls configuration, built on the first call and shared afterwards.
    ///
    /// Fails when a CA file cannot be loaded, the OS store is unusable, or there is no trust
    /// anchor at all.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        if let Some(config) = self.config.get() {
            return Ok(Arc::clone(config));
        }
        let built = Arc::new(self.build()?);
        Ok(Arc::clone(self.config.get_or_init(|| built)))
    }

    fn changed(mut self) -> Self {
        self.custom = false;
        self.config = Arc::new(OnceLock::new());
        self
    }

    fn build(&self) -> Result<ClientConfig, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?;
        if self.accept_invalid_certs {
            let verifier = AcceptAnyCertificate::new(&provider);
            return Ok(builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth());
        }
        let roots = self.root_store()?;
        Ok(builder.with_root_certificates(roots).with_no_client_auth())
    }

    fn root_store(&self) -> Result<RootCertStore, TlsError> {
        let mut store = RootCertStore::empty();
        match self.roots {
            Roots::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Roots::Native => add_native_roots(&mut store)?,
            Roots::None => {}
        }
        for path in &self.ca_files {
            add_ca_file(&mut store, path)?;
        }
        if store.is_empty() {
            return Err(TlsError::NoRootCertificates);
        }
        Ok(store)
    }
}

fn add_native_roots(store: &mut RootCertStore) -> Result<(), TlsError> {
    let loaded = rustls_native_certs::load_native_certs();
    let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
    if added == 0 {
        let reason = match loaded.errors.first() {
            Some(err) => err.to_string(),
            None => "no certificates found".to_owned(),
        };
        return Err(TlsError::NativeRoots { reason });
    }
    Ok(())
}

fn add_ca_file(store: &mut RootCertStore, path: &Path) -> Result<(), TlsError> {
    let ca_error = |source: Box<dyn std::error::Error + Send + Sync>| TlsError::CaFile {
        path: path.to_path_buf(),
        source,
    };
    let mut added = 0;
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| ca_error(Box::new(e)))? {
        let cert = cert.map_err(|e| ca_error(Box::new(e)))?;
        store.add(cert).map_err(|e| ca_error(Box::new(e)))?;
        added += 1;
    }
    if added == 0 {
        return Err(ca_error("no CERTIFICATE block in the file".into()));
    }
    Ok(())
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.custom {
            return f.write_str("TlsSettings { custom rustls ClientConfig }");
        }
        f.debug_struct("TlsSettings")
            .field("roots", &self.roots)
            .field("ca_files", &self.ca_files)
            .field("danger_accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_build_with_webpki_roots() {
        let settings = TlsSettings::new();
        let config = settings.client_config().unwrap();
        // Built once, shared by clones.
        assert!(Arc::ptr_eq(
            &config,
            &settings.clone().client_config().unwrap()
        ));
    }

    #[test]
    fn missing_ca_file_is_a_typed_error() {
        let path = std::env::temp_dir().join("mail-kit-no-such-ca-file.pem");
        let err = TlsSettings::new()
            .add_ca_file(&path)
            .client_config()
            .unwrap_err();
        match err {
            TlsError::CaFile { path: p, .. } => assert_eq!(p, path),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ca_file_without_certificates_is_an_error() {
        let path =
            std::env::temp_dir().join(format!("mail-kit-empty-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = TlsSettings::new()
            .roots(Roots::None)
            .add_ca_file(&path)
            .client_config()
            .unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(err, TlsError::CaFile { .. }), "{err:?}");
    }

    #[test]
    fn no_roots_at_all_is_an_error() {
        let err = TlsSettings::new()
            .roots(Roots::None)
            .client_config()
            .unwrap_err();
        assert!(matches!(err, TlsError::NoRootCertificates));
    }

    #[test]
    fn danger_mode_builds_without_roots() {
        let settings = TlsSettings::new()
            .roots(Roots::None)
            .danger_accept_invalid_certs();
        assert!(settings.client_config().is_ok());
        assert!(format!("{settings:?}").contains("danger_accept_invalid_certs: true"));
    }

    #[test]
    fn changing_settings_rebuilds() {
        let a = TlsSettings::new();
        let first = a.client_config().unwrap();
        let b = a.clone().danger_accept_invalid_certs();
        assert!(!Arc::ptr_eq(&first, &b.client_config().unwrap()));
    }
}
