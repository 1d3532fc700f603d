//! Why a subcommand failed, its exit status, and the one `error: ...` line it prints.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success (`send`: accepted for at least one recipient; `pop3 dele`: removed at QUIT) |
//! | 1 | [`Failure::Failed`]: the server refused (message, login, command), or the connection, TLS or the protocol failed |
//! | 2 | [`Failure::Usage`]: the command line cannot be carried out (also clap's own errors); nothing was sent |

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use mail_kit::smtp::{RecipientResult, Stage};

use crate::one_line::one_line;

/// Exit status when the operation was attempted and failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status for usage errors; clap uses the same for the errors it reports itself.
pub const EXIT_USAGE: u8 = 2;

/// Why a subcommand failed.
#[derive(Debug)]
pub enum Failure {
    /// The arguments are invalid or do not fit together, or the input cannot be read:
    /// detected before anything was sent (exit status 2).
    Usage(String),
    /// The operation was attempted and did not succeed (exit status 1).
    Failed(mail_kit::Error),
}

impl Failure {
    /// A usage error with this message.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// The process exit status for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Failed(_) => EXIT_FAILED,
        })
    }

    /// Writes the single line `error: ...` to stderr (line breaks and control characters in
    /// the message neutralized).
    pub fn report(&self) {
        say(&format!("error: {}", one_line(&self.to_string())));
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(message) => f.write_str(message),
            Failure::Failed(err) => {
                write!(f, "{err}")?;
                if let mail_kit::Error::NotAccepted(report) = err
                    && report.stage == Stage::Recipients
                {
                    write_refusals(f, &report.recipients)?;
                }
                Ok(())
            }
        }
    }
}

/// How many refused recipients the error line names.
const MAX_NAMED_RECIPIENTS: usize = 5;

/// Appends ` (ADDR: REPLY; ADDR: REPLY; and N more)`: when every recipient was refused, the
/// library's message holds at most the last reply (none without pipelining; the reply to
/// `DATA`, "no valid recipients", with it), while the reasons are in the `RCPT` replies.
fn write_refusals(f: &mut fmt::Formatter<'_>, recipients: &[RecipientResult]) -> fmt::Result {
    if recipients.is_empty() {
        return Ok(());
    }
    f.write_str(" (")?;
    for (i, recipient) in recipients.iter().take(MAX_NAMED_RECIPIENTS).enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{}: {}", recipient.address, recipient.reply)?;
    }
    if recipients.len() > MAX_NAMED_RECIPIENTS {
        write!(f, "; and {} more", recipients.len() - MAX_NAMED_RECIPIENTS)?;
    }
    f.write_str(")")
}

impl From<mail_kit::Error> for Failure {
    fn from(err: mail_kit::Error) -> Self {
        Failure::Failed(err)
    }
}

/// Writes one line to stderr. A closed stderr is ignored rather than a panic.
pub fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

#[cfg(test)]
mod tests {
    use mail_kit::smtp::{Reply, SendReport};

    use super::*;

    fn refused(count: usize, last: Option<Reply>) -> Failure {
        let recipients = (0..count)
            .map(|i| RecipientResult {
                address: format!("r{i}@example.org"),
                reply: Reply::new(550, "5.1.1 unknown"),
            })
            .collect();
        let report = SendReport {
            stage: Stage::Recipients,
            mail: Reply::new(250, "2.1.0 Ok"),
            recipients,
            last,
        };
        Failure::from(mail_kit::Error::NotAccepted(Box::new(report)))
    }

    #[test]
    fn the_error_names_the_refused_recipients() {
        assert_eq!(
            refused(2, None).to_string(),
            "message not accepted: every recipient was refused \
             (r0@example.org: 550 5.1.1 unknown; r1@example.org: 550 5.1.1 unknown)"
        );
        let pipelined = refused(1, Some(Reply::new(554, "5.5.1 Error: no valid recipients")));
        assert_eq!(
            pipelined.to_string(),
            "message not accepted: every recipient was refused: 554 5.5.1 Error: no valid \
             recipients (r0@example.org: 550 5.1.1 unknown)"
        );
        let many = refused(7, None).to_string();
        assert!(
            many.ends_with("r4@example.org: 550 5.1.1 unknown; and 2 more)"),
            "{many}"
        );
    }

    #[test]
    fn exit_statuses() {
        assert_eq!(Failure::usage("x").exit_code(), ExitCode::from(2));
        let refused = Failure::from(mail_kit::Error::Refused(Reply::new(550, "no")));
        assert_eq!(refused.exit_code(), ExitCode::from(1));
        assert_eq!(
            refused.to_string(),
            "the server refused the command: 550 no"
        );
    }
}
