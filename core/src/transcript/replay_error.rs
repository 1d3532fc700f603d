//! [`ReplayError`]: how a replay did not match its transcript.

use crate::Error;

/// How a replay did not match its transcript. Bytes are shown escaped as in transcript text
/// (cut after 200 bytes); line numbers are those of the transcript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The machine sent bytes that differ from the transcript's client bytes.
    #[error(
        "transcript line {line}, byte {column}: the machine sent other client bytes: expected `{expected}`, got `{got}`"
    )]
    ClientMismatch {
        /// The `C:` line where the first difference is.
        line: usize,
        /// The 1-based byte position of the first difference within that line.
        column: usize,
        /// The whole expected line.
        expected: String,
        /// What the machine sent for that line (up to the end of its line).
        got: String,
    },
    /// The transcript expects client bytes here, but the machine is idle without sending them.
    #[error(
        "transcript line {line}: the machine did not send the expected client bytes: expected `{expected}`, got `{got}`{}",
        failure(.machine_error)
    )]
    MissingClientBytes {
        /// The `C:` line whose bytes are missing.
        line: usize,
        /// The whole expected line.
        expected: String,
        /// The part of it the machine did send.
        got: String,
        /// The machine's fatal error, when that is why the bytes are missing.
        machine_error: Option<Error>,
    },
    /// The machine sent client bytes after all the transcript's client bytes.
    #[error("the machine sent client bytes the transcript does not have ({}): `{got}`", after(.after_line))]
    UnexpectedClientBytes {
        /// The last server line, wait, `* TLS` or `* EOF` processed before, if any.
        after_line: Option<usize>,
        /// The unexpected bytes.
        got: String,
    },
    /// Strict order: the machine sent a `C:` line's bytes before an earlier line was processed.
    #[error(
        "strict order: the machine sent the client bytes of transcript line {line} before line {waiting_for} was processed: `{got}`"
    )]
    ClientBytesTooEarly {
        /// The `C:` line whose bytes came too early.
        line: usize,
        /// The first earlier line that was not processed yet.
        waiting_for: usize,
        /// The bytes the machine sent.
        got: String,
    },
    /// The machine asked for [`Output::StartTls`](crate::Output::StartTls) where the next transcript line is not `* TLS`
    /// (or asked twice).
    #[error("the machine asked for STARTTLS where the transcript has no `* TLS` ({})", after(.after_line))]
    UnexpectedStartTls {
        /// The last server line, wait, `* TLS` or `* EOF` processed before, if any.
        after_line: Option<usize>,
    },
    /// The transcript has `* TLS`, but the machine did not ask for [`Output::StartTls`](crate::Output::StartTls).
    #[error("transcript line {line}: `* TLS`, but the machine did not ask for STARTTLS")]
    MissingStartTls {
        /// The `* TLS` line.
        line: usize,
    },
    /// A `T+` step takes the clock beyond what [`Instant`](std::time::Instant) can represent.
    #[error("transcript line {line}: the time step overflows the clock")]
    TimeOverflow {
        /// The `T+` line.
        line: usize,
    },
    /// The machine kept producing outputs without ever becoming idle.
    #[error("the machine produced more than {limit} outputs without becoming idle ({})", after(.after_line))]
    TooManyOutputs {
        /// The last server line, wait, `* TLS` or `* EOF` processed before, if any.
        after_line: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// [`Replay::check_all_splits`](super::Replay::check_all_splits): the replay failed with the server bytes split this way.
    #[error("with the server bytes split {splits}: {source}")]
    Split {
        /// How the server runs were split.
        splits: String,
        /// The failure.
        source: Box<ReplayError>,
    },
    /// [`Replay::check_all_splits`](super::Replay::check_all_splits): the replay succeeded with the server bytes split this way,
    /// but the outcome differs from the unsplit replay's.
    #[error("with the server bytes split {splits}, the outcome differs: {difference}")]
    SplitVariance {
        /// How the server runs were split.
        splits: String,
        /// What differs.
        difference: String,
    },
}

fn after(line: &Option<usize>) -> String {
    match line {
        Some(line) => format!("after transcript line {line}"),
        None => "before any transcript line was processed".to_owned(),
    }
}

fn failure(error: &Option<Error>) -> String {
    match error {
        Some(error) => format!(" (the machine failed: {error})"),
        None => String::new(),
    }
}
