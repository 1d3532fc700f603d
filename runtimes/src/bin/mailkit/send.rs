//! `mailkit send`: one raw message to one or more recipients, or one built from
//! `--text`, `--html` and `--attach` files.
//!
//! Everything that can be checked locally is checked before connecting (addresses, TLS
//! settings, the password, the message), so a usage error never leaves a half-done session.

use std::io::Read;
use std::path::Path;

use mail_kit::SmtpOptions;
use mail_kit::blocking::SmtpClient;
use mail_kit::smtp::{Address, Auth, Envelope, SendReport};

use mail_kit::mime::builder::{Attachment, MessageBuilder};
use mail_kit::mime::header::address::Mailbox;

use crate::args::{ComposeArgs, SendArgs};
use crate::connection::{Login, login, server_options};
use crate::failure::{Failure, say};
use crate::one_line::one_line;
use crate::progress::Progress;

/// Runs `mailkit send`: `Ok` when the message was accepted for at least one recipient (the
/// refused ones are listed on stderr).
pub fn run(args: SendArgs) -> Result<(), Failure> {
    let envelope = envelope(&args.from, &args.to)?;
    let auth = login(&args.login)?.map(smtp_auth);
    let message = if args.compose.is_set() {
        compose(&args.compose, &args.from, &args.to)?
    } else {
        read_message(args.message.as_deref())?
    };
    let progress = Progress::on_stderr("sending");
    let options: SmtpOptions =
        server_options(&args.server.server, &args.server.connection, &progress)?;

    let mut client = SmtpClient::connect(&options)?;
    let sent = (|| {
        if let Some(auth) = auth {
            client.authenticate_with(auth)?;
        }
        if let Some(watch) = progress.watch() {
            client.on_progress(watch);
        }
        client.send_raw(&envelope, message)
    })();
    progress.finish();
    // Say goodbye whatever happened; the outcome is already known.
    if !client.is_closed() {
        let _ = client.quit();
    }
    let report = sent?;
    list_rejected(&report);
    Ok(())
}

/// SMTP `AUTH` for `--user` (and `--auth`).
fn smtp_auth(login: Login) -> Auth {
    let auth = Auth::new(login.credentials);
    match login.mechanism {
        Some(mechanism) => auth.with_mechanism(mechanism),
        None => auth,
    }
}

/// The envelope from the `--from` and `--to` arguments. An empty `--from` is the null sender.
fn envelope(from: &str, to: &[String]) -> Result<Envelope, Failure> {
    let from = match from {
        "" => None,
        from => Some(address("--from", from)?),
    };
    let recipients = to
        .iter()
        .map(|to| address("--to", to))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Envelope::new(from, recipients))
}

/// Validates one address argument; the error shows it escaped, never raw.
fn address(option: &str, text: &str) -> Result<Address, Failure> {
    Address::new(text).map_err(|err| Failure::usage(format!("{option} {text:?}: {err}")))
}

/// Reads the whole message from `path`, or from stdin for `-` or no path. An empty message
/// is refused: it is nearly always a mistake (a forgotten redirection).
fn read_message(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let mut message = Vec::new();
    let (name, read) = match path {
        None => ("standard input".to_owned(), read_stdin(&mut message)),
        Some(path) if path.as_os_str() == "-" => {
            ("standard input".to_owned(), read_stdin(&mut message))
        }
        Some(path) => (
            format!("{:?}", path.display().to_string()),
            std::fs::read(path).map(|bytes| message = bytes),
        ),
    };
    read.map_err(|err| Failure::usage(format!("cannot read the message from {name}: {err}")))?;
    if message.is_empty() {
        return Err(Failure::usage(format!("the message from {name} is empty")));
    }
    Ok(message)
}

/// Builds the message for `--text`, `--html`, `--attach` (From: `from`, To: each of `to`).
fn compose(args: &ComposeArgs, from: &str, to: &[String]) -> Result<Vec<u8>, Failure> {
    let usage = |what: &str, err: &dyn std::fmt::Display| Failure::usage(format!("{what}: {err}"));
    let mailbox = |option: &str, text: &str| {
        Mailbox::new(None, text).map_err(|e| usage(&format!("{option} {text:?}"), &e))
    };
    let read_text = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| usage(&format!("cannot read {:?}", path.display().to_string()), &e))
    };
    let mut builder = MessageBuilder::new().from(mailbox("--from", from)?);
    for to in to {
        builder = builder.to(mailbox("--to", to)?);
    }
    if let Some(subject) = &args.subject {
        builder = builder.subject(subject);
    }
    if let Some(path) = &args.text {
        builder = builder.text(&read_text(path)?);
    }
    if let Some(path) = &args.html {
        builder = builder.html(&read_text(path)?);
    }
    for path in &args.attachments {
        let attachment = Attachment::from_path(path)
            .map_err(|e| usage(&format!("cannot read {:?}", path.display().to_string()), &e))?;
        builder = builder.attachment(attachment);
    }
    let message = builder
        .build()
        .map_err(|e| usage("cannot build the message", &e))?;
    message
        .to_bytes()
        .map_err(|e| usage("cannot write the message", &e))
}

/// Reads all of stdin into `into`.
fn read_stdin(into: &mut Vec<u8>) -> std::io::Result<()> {
    std::io::stdin().lock().read_to_end(into).map(drop)
}

/// Lists each refused recipient on stderr: `rejected: ADDR: 550 5.1.1 ...`.
fn list_rejected(report: &SendReport) {
    for recipient in report.rejected() {
        say(&one_line(&format!(
            "rejected: {}: {}",
            recipient.address, recipient.reply
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_never_echoed_raw() {
        let to = vec!["bob@example.org".to_owned()];
        let env = envelope("", &to).unwrap();
        assert!(env.from.is_none());
        assert_eq!(env.recipients.len(), 1);

        let bad = vec!["bob@example.org\r\nRCPT TO:<eve@example.org>".to_owned()];
        let err = envelope("alice@example.org", &bad).unwrap_err();
        assert!(matches!(err, Failure::Usage(_)));
        let text = err.to_string();
        assert!(!text.contains(['\r', '\n']), "{text}");
        assert!(
            text.starts_with("--to \"bob@example.org\\r\\nRCPT"),
            "{text}"
        );
        assert!(envelope("not an address", &to).is_err());
    }

    #[test]
    fn a_missing_or_empty_file_is_a_usage_error() {
        let dir = std::env::temp_dir();
        let missing = dir.join(format!("mailkit-missing-{}.eml", std::process::id()));
        assert!(matches!(
            read_message(Some(&missing)),
            Err(Failure::Usage(_))
        ));
        let empty = dir.join(format!("mailkit-empty-{}.eml", std::process::id()));
        std::fs::write(&empty, b"").unwrap();
        let err = read_message(Some(&empty)).unwrap_err();
        std::fs::remove_file(&empty).unwrap();
        assert!(err.to_string().contains("is empty"), "{err}");
    }
}
