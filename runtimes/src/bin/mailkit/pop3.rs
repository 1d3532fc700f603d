//! `mailkit pop3`: one command on a POP3 mailbox (`stat`, `list`, `uidl`, `retr`, `top`,
//! `dele`), after a login.
//!
//! Everything that can be checked locally is checked before connecting (URL, TLS settings,
//! the password, `--out`), so a usage error never touches the mailbox.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use mail_kit::blocking::Pop3Client;
use mail_kit::pop3::{Auth, MessageSink};
use mail_kit::{Error, Pop3Options};

use crate::args::{Pop3Args, Pop3Command};
use crate::connection::{Login, login, server_options};
use crate::failure::Failure;
use crate::one_line::one_line;
use crate::progress::Progress;

/// Runs `mailkit pop3`.
pub fn run(args: Pop3Args) -> Result<(), Failure> {
    let auth = login(&args.login)?
        .map(pop3_auth)
        .ok_or_else(|| Failure::usage("mailkit pop3 needs --user (and MAILKIT_PASSWORD)"))?;
    let progress = Progress::on_stderr("receiving");
    let options: Pop3Options =
        server_options(&args.server.server, &args.server.connection, &progress)?;
    let mut out = Output::open(&args.command)?;

    let mut client = Pop3Client::connect(&options)?;
    let done = (|| {
        client.authenticate_with(auth)?;
        command(&mut client, &args.command, &mut out, &progress)
    })();
    progress.finish();
    // Say goodbye whatever happened: after a `dele`, QUIT is when the server removes the
    // message, so its answer is the command's outcome.
    let quit = if client.is_closed() {
        Ok(())
    } else {
        client.quit().map(drop)
    };
    let outcome = done.and(quit);
    out.close(outcome.is_ok());
    Ok(outcome?)
}

/// POP3 login for `--user` (and `--auth`: a SASL mechanism, or `USER` / `APOP`).
fn pop3_auth(login: Login) -> Auth {
    let auth = Auth::new(login.credentials);
    match login.mechanism {
        Some(mechanism) => auth.with_mechanism(mechanism),
        None => auth,
    }
}

/// Runs the one command after the login.
fn command(
    client: &mut Pop3Client,
    command: &Pop3Command,
    out: &mut Output,
    progress: &Progress,
) -> Result<(), Error> {
    match *command {
        Pop3Command::Stat => {
            let (count, size) = client.stat()?;
            out.line(&format!("{count} {size}"))
        }
        Pop3Command::List => {
            for entry in client.list()? {
                out.line(&format!("{} {}", entry.message, entry.size))?;
            }
            Ok(())
        }
        Pop3Command::Uidl => {
            for entry in client.uidl()? {
                out.line(&one_line(&format!("{} {}", entry.message, entry.uid)))?;
            }
            Ok(())
        }
        Pop3Command::Retr { message, .. } => {
            let sink = progress_sink(out.writer(), progress);
            client.retrieve(message, sink).map(drop)
        }
        Pop3Command::Top { message, lines } => {
            let sink = progress_sink(out.writer(), progress);
            client.top(message, lines, sink).map(drop)
        }
        Pop3Command::Dele { message } => client.delete(message),
    }
}

/// Where the output goes: standard output, or the `--out` file of `retr` (created before
/// connecting; removed again when the command fails, so a failed download leaves nothing).
enum Output {
    Stdout(io::Stdout),
    File {
        path: PathBuf,
        file: BufWriter<File>,
    },
}

impl Output {
    fn open(command: &Pop3Command) -> Result<Output, Failure> {
        let Pop3Command::Retr {
            out: Some(path), ..
        } = command
        else {
            return Ok(Output::Stdout(io::stdout()));
        };
        let file = File::create(path).map_err(|err| {
            Failure::usage(format!(
                "cannot create --out {:?}: {err}",
                path.display().to_string()
            ))
        })?;
        Ok(Output::File {
            path: path.clone(),
            file: BufWriter::new(file),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(stdout) => stdout,
            Output::File { file, .. } => file,
        }
    }

    fn line(&mut self, line: &str) -> Result<(), Error> {
        Ok(writeln!(self.writer(), "{line}")?)
    }

    /// Flushes; removes the `--out` file unless the command succeeded.
    fn close(self, succeeded: bool) {
        match self {
            Output::Stdout(mut stdout) => {
                let _ = stdout.flush();
            }
            Output::File { path, file } => {
                drop(file);
                if !succeeded {
                    remove(&path);
                }
            }
        }
    }
}

fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Writes the message to `out` and moves the progress bar by the size the server announced.
struct ProgressSink<'a, F> {
    out: &'a mut dyn Write,
    watch: Option<F>,
    total: Option<u64>,
    done: u64,
}

/// A sink writing to `out` with `progress`'s bar.
fn progress_sink<'a>(
    out: &'a mut dyn Write,
    progress: &Progress,
) -> ProgressSink<'a, impl FnMut(u64, u64) + use<>> {
    ProgressSink {
        out,
        watch: progress.watch(),
        total: None,
        done: 0,
    }
}

impl<F: FnMut(u64, u64)> ProgressSink<'_, F> {
    fn report(&mut self) {
        if let (Some(watch), Some(total)) = (&mut self.watch, self.total) {
            watch(self.done.min(total), total);
        }
    }
}

impl<F: FnMut(u64, u64)> MessageSink for ProgressSink<'_, F> {
    fn start(&mut self, octets: Option<u64>) -> io::Result<()> {
        self.total = octets;
        self.report();
        Ok(())
    }

    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.done += bytes.len() as u64;
        self.report();
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        // The announced size counts the wire's bytes; the bar ends at 100% whatever it said.
        if let Some(total) = self.total {
            self.done = total;
            self.report();
        }
        self.out.flush()
    }
}
