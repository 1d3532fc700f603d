//! The command line, parsed with clap's derive API: `mailkit <COMMAND> [OPTIONS]`.
//!
//! Each subcommand is one variant of [`Command`] with its own argument struct; options that
//! several subcommands share (TLS, timeouts, logging) are flattened argument groups.
//!
//! The doc comments of arguments are their `--help` texts: plain text, not Markdown (so
//! `smtp://HOST[:PORT]` is not a broken link).
#![allow(rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit statuses, shown at the end of `--help`.
const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success (for send: the message was accepted for at least one recipient)
  1  the operation failed: the server refused the message or the login, or the connection,
     TLS or the protocol failed
  2  usage error: invalid or conflicting arguments, or missing input; nothing was sent";

/// Email from the command line, with the mail-kit library.
#[derive(Debug, Parser)]
#[command(
    name = "mailkit",
    version,
    about = "Email from the command line: send mail over SMTP, read it over POP3, with mail-kit",
    propagate_version = true,
    arg_required_else_help = true,
    after_help = EXIT_STATUS_HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send one raw message (RFC 5322 text) over SMTP
    #[command(
        long_about = "Send one raw message (RFC 5322 text, headers and body) over SMTP.\n\n\
            The message is read from FILE, or from standard input when FILE is '-' or \
            absent. Line ends are normalized to CRLF and lines starting with '.' are \
            escaped on the way out; the headers are sent as they are (nothing is added).\n\n\
            Recipients the server refuses are listed on standard error, one line each \
            ('rejected: ADDR: REPLY'); the command succeeds when at least one recipient \
            accepted the message.",
        after_help = SEND_AFTER_HELP,
        after_long_help = SEND_AFTER_LONG_HELP
    )]
    Send(SendArgs),
    /// Read, download or delete mail over POP3
    #[command(
        long_about = "Read, download or delete mail over POP3 (RFC 1939).\n\n\
            Logs in as --user (password from MAILKIT_PASSWORD) with the strongest method both \
            sides support, runs one COMMAND and says QUIT. Listings go to standard output, \
            one line per message; 'retr' and 'top' write the message bytes exactly as stored \
            (dot-unstuffed, CRLF line ends) to standard output or --out FILE.",
        after_help = POP3_AFTER_HELP,
        after_long_help = POP3_AFTER_LONG_HELP
    )]
    Pop3(Pop3Args),
    /// Show the MIME structure of a message or of an mbox file
    #[command(
        long_about = "Show the MIME structure of a message (or, with --mbox, of every message \
            of an mbox file), read in bounded memory through the streaming parser.\n\n\
            --summary (the default) prints one line per entity, 'Content-Type: type/subtype', \
            indented 3 spaces per nesting level, each message after its mbox 'From ' line. \
            --json prints one JSON object per message and line: decoded headers, the tree, \
            each leaf's size, decoded size and file name, and the defects found.",
        after_help = "Examples:\n  mailkit parse message.eml\n  mailkit parse --mbox --json INBOX.mbox | jq ."
    )]
    Parse(ParseArgs),
}

/// `mailkit parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The input is an mbox file (mboxrd quoting): report every message
    #[arg(long)]
    pub mbox: bool,
    /// One line per entity, indented by nesting (the default)
    #[arg(long, conflicts_with = "json")]
    pub summary: bool,
    /// One JSON object per message: headers, tree, sizes, file names, defects
    #[arg(long)]
    pub json: bool,
    /// The message or mbox file; standard input when '-' or absent
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

/// Shown after `mailkit send -h`.
const SEND_AFTER_HELP: &str = "\
Password: set MAILKIT_PASSWORD in the environment (there is no password option).

Exit status: 0 accepted for at least one recipient, 1 failed, 2 usage error.";

/// Shown after `mailkit send --help`.
const SEND_AFTER_LONG_HELP: &str = "\
Environment:
  MAILKIT_PASSWORD  the password for --user (required with --user; there is deliberately
                    no command-line option for it: command lines are visible to other users)

Exit status:
  0  the message was accepted for at least one recipient (refused ones are listed on stderr)
  1  the message was not sent: the server refused it (every recipient, MAIL, DATA or the
     content) or the login, or the connection, TLS or the protocol failed;
     stderr holds exactly one line 'error: ...'
  2  usage error (invalid or conflicting arguments, unreadable message, MAILKIT_PASSWORD
     unset); nothing was sent

Examples:
  mailkit send --server smtp://mail.example.org --user alice \\
      --from alice@example.org --to bob@example.org message.eml
  mailkit send --server smtps://mail.example.org:465 --ca-file ca.pem \\
      --from alice@example.org --to bob@example.org --to carol@example.org - < message.eml";

/// Shown after `mailkit pop3 -h`.
const POP3_AFTER_HELP: &str = "\
Password: set MAILKIT_PASSWORD in the environment (there is no password option).

Exit status: 0 done, 1 failed (refused or connection error), 2 usage error.";

/// Shown after `mailkit pop3 --help`.
const POP3_AFTER_LONG_HELP: &str = "\
Environment:
  MAILKIT_PASSWORD  the password for --user (required; there is deliberately no
                    command-line option for it: command lines are visible to other users)

Exit status:
  0  the command succeeded (for dele: the server removed the message at QUIT)
  1  the server refused the command or the login, or the connection, TLS or the protocol
     failed; stderr holds exactly one line 'error: ...'
  2  usage error (invalid or conflicting arguments, --out not writable, MAILKIT_PASSWORD
     unset); nothing was changed on the server

Examples:
  MAILKIT_PASSWORD=... mailkit pop3 --server pop3s://mail.example.org --user alice list
  MAILKIT_PASSWORD=... mailkit pop3 --server pop3://mail.example.org --user alice \\
      retr 1 --out message.eml";

/// `mailkit send`: one message to one or more recipients.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Where to connect and how.
    #[command(flatten)]
    pub server: SmtpServerArgs,

    /// Who logs in.
    #[command(flatten)]
    pub login: LoginArgs,

    /// The envelope sender (MAIL FROM)
    ///
    /// Bounces go to this address. An empty string sends the null sender <> (for bounces
    /// and auto-replies).
    #[arg(long, value_name = "ADDR", help_heading = "Envelope")]
    pub from: String,

    /// An envelope recipient (RCPT TO); repeat for more recipients
    ///
    /// The headers of the message (To:, Cc:, Bcc:) are not read: exactly these addresses
    /// receive it.
    #[arg(long, value_name = "ADDR", required = true, help_heading = "Envelope")]
    pub to: Vec<String>,

    /// The message to send; '-' or absent reads standard input
    #[arg(
        value_name = "FILE|-",
        help_heading = "Message",
        conflicts_with_all = ["text", "html", "attachments"]
    )]
    pub message: Option<PathBuf>,

    /// Build the message instead of reading one.
    #[command(flatten)]
    pub compose: ComposeArgs,
}

/// `mailkit send --text/--html/--attach`: the message is built (From: --from, To: each --to).
#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The subject of the built message
    #[arg(long, value_name = "TEXT", help_heading = "Build the message")]
    pub subject: Option<String>,
    /// The plain-text body (UTF-8), from FILE
    #[arg(long, value_name = "FILE", help_heading = "Build the message")]
    pub text: Option<PathBuf>,
    /// The HTML body (UTF-8), from FILE; with --text both go as multipart/alternative
    #[arg(long, value_name = "FILE", help_heading = "Build the message")]
    pub html: Option<PathBuf>,
    /// Attach FILE (content type from its name); repeat for more
    #[arg(
        long = "attach",
        value_name = "FILE",
        help_heading = "Build the message"
    )]
    pub attachments: Vec<PathBuf>,
}

impl ComposeArgs {
    /// Whether the message is to be built.
    pub fn is_set(&self) -> bool {
        self.text.is_some() || self.html.is_some() || !self.attachments.is_empty()
    }
}

/// `mailkit pop3`: one command on a POP3 mailbox.
#[derive(Debug, Args)]
pub struct Pop3Args {
    /// Where to connect and how.
    #[command(flatten)]
    pub server: Pop3ServerArgs,

    /// Who logs in.
    #[command(flatten)]
    pub login: LoginArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Pop3Command,
}

/// The commands of `mailkit pop3`. Message numbers start at 1, as `list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Pop3Command {
    /// Print the number of messages and the mailbox size in octets: 'COUNT SIZE'
    Stat,
    /// Print each message's number and size: 'N SIZE' per line
    List,
    /// Print each message's number and unique id: 'N UID' per line
    Uidl,
    /// Download message N exactly as stored (CRLF line ends) to stdout or --out FILE
    Retr {
        /// The message number
        #[arg(value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        message: u32,
        /// Write the message to FILE (created or truncated) instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the header of message N and the first LINES lines of its body
    Top {
        /// The message number
        #[arg(value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        message: u32,
        /// How many lines of the body
        #[arg(value_name = "LINES")]
        lines: u32,
    },
    /// Delete message N (the server removes it when the session ends)
    Dele {
        /// The message number
        #[arg(value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        message: u32,
    },
}

/// The POP3 server and the connection's settings.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct Pop3ServerArgs {
    /// The server: pop3://HOST[:PORT] (STLS, port 110) or pop3s://HOST[:PORT] (TLS, 995)
    ///
    /// pop3:// upgrades the connection with STLS as --tls says; pop3s:// uses TLS from the
    /// first byte. IPv6 hosts go in brackets: pop3://[::1]:110.
    #[arg(long, value_name = "URL")]
    pub server: String,

    /// TLS, timeout and logging.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The SMTP server and the connection's settings.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct SmtpServerArgs {
    /// The server: smtp://HOST[:PORT] (STARTTLS, port 587) or smtps://HOST[:PORT] (TLS, 465)
    ///
    /// smtp:// upgrades the connection with STARTTLS as --tls says; smtps:// uses TLS from
    /// the first byte. IPv6 hosts go in brackets: smtp://[::1]:25.
    #[arg(long, value_name = "URL")]
    pub server: String,

    /// TLS, timeout and logging.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// What every subcommand's connection has besides its server URL: TLS, the timeout and the
/// protocol log.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// TLS settings.
    #[command(flatten)]
    pub tls: TlsArgs,

    /// Timeout in seconds for connecting and for each server reply
    ///
    /// It applies to opening the connection, to each TLS handshake and to each server
    /// reply; fractions are allowed (0.5). [default: 30 seconds to connect; the protocol's
    /// own timeouts (minutes) for replies]
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Log the protocol session on stderr (credentials redacted)
    ///
    /// One 'C: ' line per line the client sends and one 'S: ' line per line the server
    /// sends, in transcript format (unprintable bytes escaped). Credentials and SASL
    /// exchanges are redacted; message contents are shown.
    #[arg(long, short)]
    pub verbose: bool,
}

/// How TLS is used and which certificates are trusted.
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// STARTTLS (STLS) for smtp:// and pop3:// URLs [default: required]
    ///
    /// 'required' never sends credentials or mail in plaintext and fails if the server
    /// offers no STARTTLS (POP3: STLS); 'opportunistic' then goes on in plaintext (an
    /// attacker on the path can strip the offer); 'none' never uses TLS. smtps:// and
    /// pop3s:// are always TLS: this option changes nothing there, and 'none' is an error.
    #[arg(long, value_enum, value_name = "MODE")]
    pub tls: Option<TlsArg>,

    /// Also trust the CA certificates in this PEM file (may be repeated)
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_files: Vec<PathBuf>,

    /// DANGEROUS: accept any server certificate (test servers only)
    ///
    /// Expired, self-signed, issued for another host or forged: any certificate passes. The
    /// session is still encrypted, but anyone on the path can pose as the server and read
    /// the password and the message. Prefer --ca-file. Prints a warning.
    #[arg(long)]
    pub insecure: bool,
}

/// The values of `--tls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsArg {
    /// Upgrade with STARTTLS (STLS) and fail if the server does not offer it.
    Required,
    /// Upgrade with STARTTLS (STLS) when offered, go on in plaintext otherwise.
    Opportunistic,
    /// Never use TLS.
    None,
}

/// Authentication.
#[derive(Debug, Args)]
#[command(next_help_heading = "Authentication")]
pub struct LoginArgs {
    /// Log in as NAME, with the password from $MAILKIT_PASSWORD
    ///
    /// There is no option for the password: command lines are visible to other users. The
    /// strongest mechanism both sides support is used; those that reveal the password
    /// (PLAIN, LOGIN, POP3's USER/PASS) only over TLS.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Use only this SASL mechanism (SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN...)
    ///
    /// Instead of the strongest mechanism both sides support. The server must offer it;
    /// PLAIN and LOGIN are still refused without TLS. For POP3 also USER (USER/PASS) and
    /// APOP.
    #[arg(long, value_name = "MECH", requires = "user")]
    pub auth: Option<String>,
}

/// Parses a positive number of seconds (`30`, `0.5`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds".to_owned())?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err("the timeout must be greater than zero".to_owned());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| "the timeout is too large".to_owned())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seconds_parse() {
        assert_eq!(parse_seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "NaN", "inf", "", "ten", "1e30"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn send_arguments_parse() {
        let cli = Cli::try_parse_from([
            "mailkit",
            "send",
            "--server",
            "smtp://localhost:2525",
            "--tls",
            "none",
            "--from",
            "a@example.org",
            "--to",
            "b@example.org",
            "--to",
            "c@example.org",
            "-",
        ])
        .unwrap();
        let Command::Send(args) = cli.command else {
            panic!("not send: {:?}", cli.command);
        };
        assert_eq!(args.to, ["b@example.org", "c@example.org"]);
        assert_eq!(args.server.connection.tls.tls, Some(TlsArg::None));
        assert_eq!(args.message, Some(PathBuf::from("-")));
        assert!(args.login.user.is_none());
    }

    #[test]
    fn pop3_arguments_parse() {
        let parse = |extra: &[&str]| {
            let base = ["mailkit", "pop3", "--server", "pop3s://h", "--user", "u"];
            Cli::try_parse_from(base.iter().chain(extra).copied()).map(|cli| cli.command)
        };
        let Ok(Command::Pop3(args)) = parse(&["retr", "3", "--out", "m.eml"]) else {
            panic!("retr does not parse");
        };
        assert_eq!(
            args.command,
            Pop3Command::Retr {
                message: 3,
                out: Some(PathBuf::from("m.eml"))
            }
        );
        assert_eq!(args.login.user.as_deref(), Some("u"));
        let Ok(Command::Pop3(args)) = parse(&["top", "1", "0"]) else {
            panic!("top does not parse");
        };
        assert_eq!(
            args.command,
            Pop3Command::Top {
                message: 1,
                lines: 0
            }
        );
        for bad in [
            &["retr", "0"][..],
            &["dele"],
            &["top", "1"],
            &["stat", "x"],
            &["frob"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn there_is_no_password_option_and_auth_needs_a_user() {
        let base = [
            "mailkit", "send", "--server", "smtp://h", "--from", "a@b.c", "--to", "d@e.f",
        ];
        let with = |extra: &[&str]| {
            Cli::try_parse_from(base.iter().chain(extra).copied())
                .map(|_| ())
                .map_err(|e| e.kind())
        };
        assert_eq!(
            with(&["--password", "x"]),
            Err(clap::error::ErrorKind::UnknownArgument)
        );
        assert_eq!(
            with(&["--auth", "PLAIN"]),
            Err(clap::error::ErrorKind::MissingRequiredArgument)
        );
        assert_eq!(with(&["--user", "u", "--auth", "PLAIN"]), Ok(()));
    }
}
