//! From connection arguments to library options ([`SmtpOptions`], [`Pop3Options`]) with TLS,
//! timeouts and the protocol log, and the credentials from the environment.

use std::time::Duration;

use mail_kit::core::transcript::TranscriptLogger;
use mail_kit::{Credentials, Pop3Options, SmtpOptions, TlsMode, TlsSettings};

use crate::args::{ConnectionArgs, LoginArgs, TlsArg, TlsArgs};
use crate::failure::{Failure, say};
use crate::progress::{Progress, ProgressAwareStderr};

/// The environment variable that holds the password (never a command-line option: command
/// lines are visible to every user of the machine).
pub const PASSWORD_VAR: &str = "MAILKIT_PASSWORD";

/// What the command line sets on the options of any protocol ([`SmtpOptions`],
/// [`Pop3Options`]): one definition of `--tls`, `--ca-file`, `--insecure`, `--timeout` and
/// `--verbose` for every subcommand.
pub trait ServerOptions: Sized {
    /// The scheme with an in-band TLS upgrade (`smtp`, `pop3`).
    const PLAIN_SCHEME: &'static str;
    /// The implicit-TLS scheme (`smtps`, `pop3s`).
    const TLS_SCHEME: &'static str;
    /// Parses the server URL.
    fn from_url(url: &str) -> Result<Self, mail_kit::Error>;
    /// The TLS mode (from the URL, then `--tls`).
    fn get_tls_mode(&self) -> TlsMode;
    /// Sets the TLS mode.
    fn tls_mode(self, mode: TlsMode) -> Self;
    /// Sets the trusted certificates.
    fn tls_settings(self, settings: TlsSettings) -> Self;
    /// Sets the connect and the reply timeouts.
    fn timeout(self, timeout: Duration) -> Self;
    /// Logs the session (redacted) to `out`.
    fn log_to(self, out: ProgressAwareStderr) -> Self;
}

/// Implements [`ServerOptions`] for an options type whose session is logged by the
/// transcript logger `$logger`.
macro_rules! server_options {
    ($options:ty, $plain:literal, $tls:literal, $logger:path) => {
        impl ServerOptions for $options {
            const PLAIN_SCHEME: &'static str = $plain;
            const TLS_SCHEME: &'static str = $tls;
            fn from_url(url: &str) -> Result<Self, mail_kit::Error> {
                <$options>::from_url(url)
            }
            fn get_tls_mode(&self) -> TlsMode {
                self.get_tls_mode()
            }
            fn tls_mode(self, mode: TlsMode) -> Self {
                self.tls_mode(mode)
            }
            fn tls_settings(self, settings: TlsSettings) -> Self {
                self.tls_settings(settings)
            }
            fn timeout(self, timeout: Duration) -> Self {
                self.connect_timeout(timeout).command_timeout(timeout)
            }
            fn log_to(self, out: ProgressAwareStderr) -> Self {
                self.wire_observer(move || Box::new($logger(out.clone())))
            }
        }
    };
}

server_options!(SmtpOptions, "smtp", "smtps", TranscriptLogger::smtp);
server_options!(Pop3Options, "pop3", "pop3s", TranscriptLogger::pop3);

/// The options to connect to `server` with, checked before anything touches the network:
/// URL, TLS mode, CA files. With `--verbose`, the session is logged on stderr through
/// `progress`'s writer.
///
/// Prints the `--insecure` warning.
pub fn server_options<O: ServerOptions>(
    server: &str,
    args: &ConnectionArgs,
    progress: &Progress,
) -> Result<O, Failure> {
    let mut options = O::from_url(server).map_err(|err| Failure::usage(err.to_string()))?;
    let implicit = options.get_tls_mode() == TlsMode::Implicit;
    match (args.tls.tls, implicit) {
        (Some(TlsArg::None), true) => {
            return Err(Failure::usage(format!(
                "--tls none cannot be used with {}:// (implicit TLS); use {}:// instead",
                O::TLS_SCHEME,
                O::PLAIN_SCHEME
            )));
        }
        // Implicit TLS is always TLS: the other modes change nothing.
        (_, true) | (None, false) => {}
        (Some(mode), false) => options = options.tls_mode(tls_mode(mode)),
    }
    if options.get_tls_mode() != TlsMode::None {
        options = options.tls_settings(tls_settings(&args.tls)?);
    }
    if args.tls.insecure {
        say(
            "warning: --insecure: the server's certificate is not checked; anyone on the path \
             can read and change this session",
        );
    }
    if let Some(timeout) = args.timeout {
        options = options.timeout(timeout);
    }
    if args.verbose {
        options = options.log_to(progress.stderr());
    }
    Ok(options)
}

/// The library's mode for a `--tls` value.
fn tls_mode(mode: TlsArg) -> TlsMode {
    match mode {
        TlsArg::Required => TlsMode::Required,
        TlsArg::Opportunistic => TlsMode::Opportunistic,
        TlsArg::None => TlsMode::None,
    }
}

/// The trusted certificates, built now so that an unreadable CA file is a usage error.
fn tls_settings(args: &TlsArgs) -> Result<TlsSettings, Failure> {
    let mut settings = TlsSettings::new();
    for file in &args.ca_files {
        settings = settings.add_ca_file(file);
    }
    if args.insecure {
        settings = settings.danger_accept_invalid_certs();
    }
    settings
        .client_config()
        .map_err(|err| Failure::usage(err.to_string()))?;
    Ok(settings)
}

/// Who logs in, and with which mechanism if `--auth` forces one.
#[derive(Debug)]
pub struct Login {
    /// The user name and the password from [`PASSWORD_VAR`] (never shown by `Debug`).
    pub credentials: Credentials,
    /// The mechanism named with `--auth`.
    pub mechanism: Option<String>,
}

/// The authentication to perform: `None` without `--user`; with it, the password from
/// [`PASSWORD_VAR`] (a usage error when unset or not UTF-8). Password-revealing mechanisms
/// are left to the TLS policy: never allowed on a plaintext connection.
pub fn login(args: &LoginArgs) -> Result<Option<Login>, Failure> {
    let Some(user) = &args.user else {
        return Ok(None);
    };
    let password = match std::env::var(PASSWORD_VAR) {
        Ok(password) => password,
        Err(std::env::VarError::NotPresent) => {
            return Err(Failure::usage(format!(
                "--user needs the password in the environment variable {PASSWORD_VAR}"
            )));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Failure::usage(format!(
                "the environment variable {PASSWORD_VAR} is not valid UTF-8"
            )));
        }
    };
    if user.is_empty() || user.chars().any(char::is_control) {
        return Err(Failure::usage(
            "invalid --user: empty or contains a control character",
        ));
    }
    Ok(Some(Login {
        credentials: Credentials::password(user.as_str(), password),
        mechanism: args.auth.clone(),
    }))
}
