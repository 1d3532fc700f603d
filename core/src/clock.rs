//! A machine's sense of time, shared by SMTP and POP3 (and later IMAP): the last `now` its
//! driver gave it, and the wait that runs ([`Clock`]).

use std::time::{Duration, Instant};

/// The last `now` a driver gave, and the running wait: when it ends, and how long it is.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Clock {
    now: Option<Instant>,
    deadline: Option<(Instant, Duration)>,
}

impl Clock {
    /// The driver says it is `now`.
    pub(crate) fn tick(&mut self, now: Instant) {
        self.now = Some(now);
    }

    /// Starts a wait of `length` from the last `now`, unless a wait runs or no time was given
    /// yet.
    pub(crate) fn start(&mut self, length: Duration) {
        if let (None, Some(now)) = (self.deadline, self.now) {
            self.deadline = Some((now + length, length));
        }
    }

    /// Ends the running wait.
    pub(crate) fn stop(&mut self) {
        self.deadline = None;
    }

    /// The length of the running wait when it is over at the last `now`.
    pub(crate) fn expired(&self) -> Option<Duration> {
        match (self.deadline, self.now) {
            (Some((deadline, length)), Some(now)) if now >= deadline => Some(length),
            _ => None,
        }
    }

    /// When the running wait ends.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline.map(|(deadline, _)| deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_starts_once_from_the_last_now_and_expires_at_its_end() {
        let t0 = Instant::now();
        let mut clock = Clock::default();
        clock.start(Duration::from_secs(5));
        assert_eq!(clock.deadline(), None, "no time given yet");
        clock.tick(t0);
        clock.start(Duration::from_secs(5));
        clock.start(Duration::from_secs(1));
        assert_eq!(clock.deadline(), Some(t0 + Duration::from_secs(5)));
        clock.tick(t0 + Duration::from_secs(4));
        assert_eq!(clock.expired(), None);
        clock.tick(t0 + Duration::from_secs(5));
        assert_eq!(clock.expired(), Some(Duration::from_secs(5)));
        clock.stop();
        assert_eq!((clock.deadline(), clock.expired()), (None, None));
    }
}
