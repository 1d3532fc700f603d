//! Running the `mailkit` binary in the CLI tests: its exit status and output, with a time
//! limit, and `MAILKIT_PASSWORD` only when a test gives it.
// Each test binary that includes this module uses its own part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The binary under test.
const MAILKIT: &str = env!("CARGO_BIN_EXE_mailkit");

/// The outcome of one run.
pub struct Run {
    /// The exit status (`None` when killed).
    pub code: Option<i32>,
    /// Standard output, as text (lossy).
    pub stdout: String,
    /// Standard output, as bytes.
    pub stdout_bytes: Vec<u8>,
    /// Standard error, as text (lossy).
    pub stderr: String,
}

impl Run {
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect()
    }

    /// Asserts exit status 1 or 2 with stderr being exactly one `error:` line; returns it.
    pub fn assert_one_error(&self, code: i32) -> &str {
        assert_eq!(self.code, Some(code), "stderr: {}", self.stderr);
        let lines = self.stderr_lines();
        assert_eq!(lines.len(), 1, "stderr: {:?}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{:?}", lines[0]);
        lines[0]
    }
}

/// Runs `mailkit ARGS` with `stdin` and extra environment (`MAILKIT_PASSWORD` is never
/// inherited).
pub fn mailkit(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(MAILKIT);
    command
        .args(args)
        .env_remove("MAILKIT_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // A child that fails early does not read: ignore a broken pipe.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    // A hanging client fails its test instead of hanging the suite.
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    writer.join().unwrap();
    let stdout_bytes = stdout.join().unwrap();
    let run = Run {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
        stdout_bytes,
        stderr: String::from_utf8_lossy(&stderr.join().unwrap()).into_owned(),
    };
    assert!(
        status.is_some(),
        "mailkit {args:?} did not finish within {RUN_LIMIT:?}; stderr: {}",
        run.stderr
    );
    run
}

/// How long one run of the binary may take.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// Reads a child's pipe to the end in a thread.
fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).unwrap();
        bytes
    })
}
