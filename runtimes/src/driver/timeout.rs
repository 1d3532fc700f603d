//! Racing a future against a runtime's timer.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::runtime::Runtime;

/// Runs `fut` for at most `after`; `None` when the time ran out first.
pub(crate) async fn timeout<R: Runtime, F: Future>(
    runtime: &R,
    after: Duration,
    fut: F,
) -> Option<F::Output> {
    let mut sleep = Instant::now()
        .checked_add(after)
        .map(|deadline| runtime.sleep_until(deadline));
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        if let Poll::Ready(output) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if let Some(sleep) = &mut sleep
            && Pin::new(sleep).poll(cx).is_ready()
        {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
