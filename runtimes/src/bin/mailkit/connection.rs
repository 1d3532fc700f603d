//! From connection arguments to library options: [`SmtpOptions`] with TLS, timeouts and the
//! protocol log, and the credentials from the environment.

use mail_kit::core::transcript::TranscriptLogger;
use mail_kit::smtp::Auth;
use mail_kit::{Credentials, SmtpOptions, TlsMode, TlsSettings};

use crate::args::{LoginArgs, SmtpServerArgs, TlsArg};
use crate::failure::{Failure, say};
use crate::progress::Progress;

/// The environment variable that holds the password (never a command-line option: command
/// lines are visible to every user of the machine).
pub const PASSWORD_VAR: &str = "MAILKIT_PASSWORD";

/// The options to connect with, checked before anything touches the network: URL, TLS mode,
/// CA files. With `--verbose`, the session is logged on stderr through `progress`'s writer.
///
/// Prints the `--insecure` warning.
pub fn smtp_options(args: &SmtpServerArgs, progress: &Progress) -> Result<SmtpOptions, Failure> {
    let mut options =
        SmtpOptions::from_url(&args.server).map_err(|err| Failure::usage(err.to_string()))?;
    let implicit = options.get_tls_mode() == TlsMode::Implicit;
    match (args.tls.tls, implicit) {
        (Some(TlsArg::None), true) => {
            return Err(Failure::usage(
                "--tls none cannot be used with smtps:// (implicit TLS); use smtp:// instead",
            ));
        }
        // smtps:// is always TLS: the other modes change nothing.
        (_, true) | (None, false) => {}
        (Some(mode), false) => options = options.tls_mode(tls_mode(mode)),
    }
    if options.get_tls_mode() != TlsMode::None {
        options = options.tls_settings(tls_settings(args)?);
    }
    if args.tls.insecure {
        say(
            "warning: --insecure: the server's certificate is not checked; anyone on the path \
             can read and change this session",
        );
    }
    if let Some(timeout) = args.timeout {
        options = options.connect_timeout(timeout).command_timeout(timeout);
    }
    if args.verbose {
        let stderr = progress.stderr();
        options = options.wire_observer(move || Box::new(TranscriptLogger::smtp(stderr.clone())));
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
fn tls_settings(args: &SmtpServerArgs) -> Result<TlsSettings, Failure> {
    let mut settings = TlsSettings::new();
    for file in &args.tls.ca_files {
        settings = settings.add_ca_file(file);
    }
    if args.tls.insecure {
        settings = settings.danger_accept_invalid_certs();
    }
    settings
        .client_config()
        .map_err(|err| Failure::usage(err.to_string()))?;
    Ok(settings)
}

/// The authentication to perform: `None` without `--user`; with it, the password from
/// [`PASSWORD_VAR`] (a usage error when unset or not UTF-8). Password-revealing mechanisms
/// are left to the TLS policy: never allowed on a plaintext connection.
pub fn login(args: &LoginArgs) -> Result<Option<Auth>, Failure> {
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
    let mut auth = Auth::new(Credentials::password(user.as_str(), password));
    if let Some(mechanism) = &args.auth {
        auth = auth.with_mechanism(mechanism.as_str());
    }
    Ok(Some(auth))
}
