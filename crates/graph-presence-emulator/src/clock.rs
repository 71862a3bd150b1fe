//! The emulated clock: every rule with a time in it (sessions fading and expiring,
//! subscriptions expiring, tokens, delivery retries, throttling windows) reads this clock, so
//! a test can move time by hand ([`Clock::manual`]) or let an hour pass in seconds
//! ([`Clock::accelerated`]).

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The emulator's time. Clones share it.
#[derive(Clone)]
pub struct Clock(Arc<Inner>);

struct Inner {
    /// Emulated time passes this many times faster than real time (0: only by hand).
    factor: f64,
    state: Mutex<State>,
    /// Bumped on every jump, so that sleepers look at the time again.
    jumps: watch::Sender<u64>,
}

#[derive(Clone, Copy)]
struct State {
    /// The emulated time at `real`.
    at: Timestamp,
    real: Instant,
}

impl Clock {
    /// A clock that moves only when told to ([`Clock::advance`]), starting at `start`.
    pub fn manual(start: Timestamp) -> Clock {
        Clock::new(start, 0.0)
    }

    /// A clock that runs `factor` times faster than real time from `start` (`60.0`: an hour in
    /// a minute), and can also be moved by hand. A factor that is not a positive finite
    /// number is taken as 1.
    pub fn accelerated(start: Timestamp, factor: f64) -> Clock {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        Clock::new(start, factor)
    }

    /// Real time.
    pub fn real() -> Clock {
        Clock::new(Timestamp::now(), 1.0)
    }

    fn new(start: Timestamp, factor: f64) -> Clock {
        Clock(Arc::new(Inner {
            factor,
            state: Mutex::new(State {
                at: start,
                real: Instant::now(),
            }),
            jumps: watch::channel(0).0,
        }))
    }

    /// How much faster than real time it runs (0 for a manual clock).
    pub fn factor(&self) -> f64 {
        self.0.factor
    }

    /// The emulated time now.
    pub fn now(&self) -> Timestamp {
        let state = *self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .at
            .saturating_add(self.scaled(state.real.elapsed()))
            .unwrap_or(Timestamp::MAX)
    }

    /// Moves the time forward by `by` (a negative span is ignored: time does not go back),
    /// waking everything that waits for a time now reached.
    pub fn advance(&self, by: Duration) {
        {
            let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
            let now = state
                .at
                .saturating_add(self.scaled(state.real.elapsed()))
                .unwrap_or(Timestamp::MAX);
            let step = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
            *state = State {
                at: now.saturating_add(step).unwrap_or(Timestamp::MAX),
                real: Instant::now(),
            };
        }
        self.0.jumps.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Waits until the emulated time is at least `at`: by real time scaled by the factor, or
    /// by [`Clock::advance`], whichever gets there first.
    pub async fn sleep_until(&self, at: Timestamp) {
        let mut jumps = self.0.jumps.subscribe();
        loop {
            jumps.mark_unchanged();
            let now = self.now();
            if now >= at {
                return;
            }
            let left = now.duration_until(at).unsigned_abs();
            if self.0.factor > 0.0 {
                // Real time to wait, rounded up so a wake-up is never early.
                let real = left.div_f64(self.0.factor) + Duration::from_micros(1);
                tokio::select! {
                    _ = tokio::time::sleep(real) => {}
                    _ = jumps.changed() => {}
                }
            } else if jumps.changed().await.is_err() {
                // The clock is gone: nothing will ever move it.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits `duration` of emulated time.
    pub async fn sleep(&self, duration: Duration) {
        let step = SignedDuration::try_from(duration).unwrap_or(SignedDuration::MAX);
        let at = self.now().saturating_add(step).unwrap_or(Timestamp::MAX);
        self.sleep_until(at).await;
    }

    /// Real time elapsed, as emulated time.
    fn scaled(&self, real: Duration) -> SignedDuration {
        SignedDuration::try_from(real.mul_f64(self.0.factor)).unwrap_or(SignedDuration::MAX)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("now", &self.now())
            .field("factor", &self.0.factor)
            .finish()
    }
}

/// The client's retries, timeouts and subscription renewals run on the same emulated time.
impl graph_presence_client::Clock for Clock {
    fn now(&self) -> Timestamp {
        Clock::now(self)
    }

    fn sleep(&self, duration: Duration) -> graph_presence_client::Sleep {
        let clock = self.clone();
        Box::pin(async move { clock.sleep(duration).await })
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use jiff::Timestamp;
    use std::time::Duration;

    fn start() -> Timestamp {
        "2026-12-01T09:00:00Z".parse().expect("a timestamp")
    }

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_told_and_wakes_sleepers() {
        let clock = Clock::manual(start());
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(clock.now(), start());
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            let at = "2026-12-01T09:10:00Z".parse().expect("a timestamp");
            async move { clock.sleep_until(at).await }
        });
        clock.advance(Duration::from_secs(300));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(300));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woken by the advance")
            .expect("the sleeper ends");
        assert_eq!(
            clock.now(),
            "2026-12-01T09:10:00Z".parse().expect("a timestamp")
        );
    }

    #[tokio::test]
    async fn an_accelerated_clock_passes_an_hour_in_well_under_a_second() {
        let clock = Clock::accelerated(start(), 36_000.0);
        let real = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3600)).await;
        assert!(
            real.elapsed() < Duration::from_secs(2),
            "{:?}",
            real.elapsed()
        );
        assert!(clock.now() >= "2026-12-01T10:00:00Z".parse().expect("a timestamp"));
    }

    #[test]
    fn time_never_goes_back() {
        let clock = Clock::accelerated(start(), f64::NAN);
        assert_eq!(clock.factor(), 1.0);
        let before = clock.now();
        clock.advance(Duration::ZERO);
        assert!(clock.now() >= before);
    }
}
