//! `mailkit`: email from the command line, on top of the mail-kit library.
//!
//! `main` only parses the arguments, dispatches to one module per subcommand and turns the
//! outcome into an exit status (see [`failure`]). A new subcommand is a [`Command`] variant
//! in [`args`], a module with a `run` function, and one line in [`run`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod connection;
mod failure;
mod one_line;
mod parse;
mod pop3;
mod progress;
mod send;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    // clap prints help and version (exit 0) and its own usage errors (exit 2) itself.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report();
            failure.exit_code()
        }
    }
}

/// Runs one subcommand.
fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Send(args) => send::run(args),
        Command::Pop3(args) => pop3::run(args),
        Command::Parse(args) => parse::run(args),
    }
}
