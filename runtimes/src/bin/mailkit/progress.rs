//! The transfer progress bar on stderr, shown only for transfers longer than a second and
//! only when stderr is a terminal.
//!
//! The bar is made lazily: the client reports `(sent, total)` as message bytes go out, and
//! the first report starts the clock; once a report comes a second or more later with the
//! transfer unfinished, the bar appears. Lines the protocol log writes meanwhile go through
//! [`ProgressBar::suspend`] (see [`Progress::stderr`]), so log and bar do not garble each
//! other.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a transfer runs before the bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// The bar's look: spinner, bar (as wide as the terminal allows), bytes, rate, time left.
const TEMPLATE: &str = "{spinner} {msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}";

/// The progress display of one command: either off (stderr is not a terminal) or a bar that
/// appears once a transfer has lasted a second.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Whether a bar may be drawn at all.
    enabled: bool,
    /// What the bar says the transfer is ("sending", "receiving").
    verb: &'static str,
    /// The bar, once it is shown.
    bar: Arc<OnceLock<ProgressBar>>,
}

impl Progress {
    /// A progress display on stderr, enabled when stderr is a terminal; the bar is labelled
    /// `verb` ("sending", "receiving").
    pub fn on_stderr(verb: &'static str) -> Self {
        Progress {
            enabled: io::stderr().is_terminal(),
            verb,
            bar: Arc::new(OnceLock::new()),
        }
    }

    /// A callback taking `(done, total)` byte counts of a transfer, to hand to a client's
    /// progress hook; `None` when the display is off.
    pub fn watch(&self) -> Option<impl FnMut(u64, u64) + Send + use<>> {
        if !self.enabled {
            return None;
        }
        let slot = Arc::clone(&self.bar);
        let verb = self.verb;
        let mut clock = LazyBar::default();
        Some(
            move |done, total| match clock.update(Instant::now(), done, total) {
                Step::Wait => {}
                Step::Show => {
                    let _ = slot.set(new_bar(verb, done, total));
                }
                Step::Update => {
                    if let Some(bar) = slot.get() {
                        bar.set_position(done);
                    }
                }
                Step::Done => {
                    if let Some(bar) = slot.get() {
                        bar.finish_and_clear();
                    }
                }
            },
        )
    }

    /// Removes the bar, if one is shown (call before printing the outcome).
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }

    /// A writer to stderr that hides the bar while it writes (for the protocol log).
    pub fn stderr(&self) -> ProgressAwareStderr {
        ProgressAwareStderr {
            bar: Arc::clone(&self.bar),
        }
    }
}

/// A new bar labelled `verb` for a transfer of `total` bytes of which `sent` are done,
/// redrawn ten times a second.
fn new_bar(verb: &'static str, sent: u64, total: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_message(verb);
    bar.set_position(sent);
    // The rate and ETA count from here, not from zero bytes a moment ago.
    bar.reset_eta();
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// Writes to stderr; while a progress bar is shown, the bar is hidden around each write.
#[derive(Debug, Clone)]
pub struct ProgressAwareStderr {
    bar: Arc<OnceLock<ProgressBar>>,
}

impl Write for ProgressAwareStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.bar.get() {
            Some(bar) if !bar.is_finished() => bar.suspend(|| io::stderr().write_all(buf))?,
            _ => io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// What to do with the bar after a progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Nothing yet (no bar, the transfer is young).
    Wait,
    /// Create and show the bar.
    Show,
    /// Move the shown bar.
    Update,
    /// The transfer is complete: remove the bar if there is one.
    Done,
}

/// The decision when to show the bar, apart from the clock and the terminal.
#[derive(Debug, Default)]
struct LazyBar {
    /// When the first report of the transfer came.
    started: Option<Instant>,
    /// Whether the bar was shown.
    shown: bool,
}

impl LazyBar {
    /// Takes the report `(sent, total)` made at `now`.
    fn update(&mut self, now: Instant, sent: u64, total: u64) -> Step {
        let started = *self.started.get_or_insert(now);
        if sent >= total {
            // Ready for a next transfer on the same connection.
            *self = LazyBar::default();
            return Step::Done;
        }
        if self.shown {
            Step::Update
        } else if now.duration_since(started) >= SHOW_AFTER {
            self.shown = true;
            Step::Show
        } else {
            Step::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_appears_after_a_second_of_unfinished_transfer() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut lazy = LazyBar::default();
        assert_eq!(lazy.update(at(0), 0, 100), Step::Wait);
        assert_eq!(lazy.update(at(500), 10, 100), Step::Wait);
        assert_eq!(lazy.update(at(1000), 20, 100), Step::Show);
        assert_eq!(lazy.update(at(1500), 50, 100), Step::Update);
        assert_eq!(lazy.update(at(2000), 100, 100), Step::Done);
        // A next transfer starts its own clock.
        assert_eq!(lazy.update(at(5000), 0, 100), Step::Wait);
    }

    #[test]
    fn a_fast_transfer_never_shows_a_bar() {
        let t0 = Instant::now();
        let mut lazy = LazyBar::default();
        assert_eq!(lazy.update(t0, 0, 100), Step::Wait);
        assert_eq!(
            lazy.update(t0 + Duration::from_millis(900), 60, 100),
            Step::Wait
        );
        // Finished after more than a second: no bar for a transfer that is over.
        assert_eq!(
            lazy.update(t0 + Duration::from_secs(2), 100, 100),
            Step::Done
        );
    }

    #[test]
    fn the_writer_works_without_a_bar() {
        let progress = Progress {
            enabled: false,
            verb: "receiving",
            bar: Arc::new(OnceLock::new()),
        };
        let mut out = progress.stderr();
        assert_eq!(out.write(b"").unwrap(), 0);
        progress.finish();
    }
}
