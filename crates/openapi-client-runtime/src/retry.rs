//! Staying within a server's limits: which failures are retried and after how long, the clock
//! that waits (injectable, so tests never sleep for real), and an optional client-side rate
//! limit.

use http::{HeaderMap, StatusCode};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// How failed requests are retried. Only operations that are safe to send twice are retried
/// (reads, and actions the schema marks idempotent), and only after a 429, 503 or 504, or a
/// failure that produced no response (connection refused or reset, timeout).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// No retry starts later than this after the first attempt began.
    pub total_deadline: Duration,
    /// The first backoff when the server gives no `Retry-After`; doubled each retry.
    pub base_delay: Duration,
    /// The longest backoff (a server's `Retry-After` is honoured even when longer).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            total_deadline: Duration::from_secs(120),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Exponential backoff with jitter for retry number `retry` (1 for the first retry), with
    /// `random` in `[0, 1)`: between half and all of `base × 2^(retry-1)`, at most `max_delay`.
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        self.exponential(retry)
            .mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0)
    }

    /// The wait before retry number `retry` when the server said how long: its `Retry-After`,
    /// but never less than the shortest backoff for that retry (half of `base × 2^(retry-1)`),
    /// so that a `Retry-After` of `0`, `0.001` or a date in the past cannot make the retries
    /// a burst.
    pub fn server_wait(&self, retry: u32, retry_after: Duration) -> Duration {
        retry_after.max(self.exponential(retry) / 2)
    }

    fn exponential(&self, retry: u32) -> Duration {
        self.base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_delay)
    }
}

/// The statuses that mean "try again later".
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// How long the server asked to wait: `Retry-After` as whole or fractional seconds (Graph's
/// documented sample is `2.128`) or as an HTTP-date in any of the three forms RFC 9110 lists
/// (IMF-fixdate, RFC 850, asctime), relative to `now`. A date in the past means "now". A wait
/// too long to represent (`inf`, `1e30`, a date in year 9999) is [`Duration::MAX`], so it is
/// past any deadline and ends the retries; an unreadable or negative value is ignored.
pub fn retry_after(headers: &HeaderMap, now: jiff::Timestamp) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return match seconds {
            s if s.is_nan() || s < 0.0 => None,
            s => Some(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)),
        };
    }
    let date = http_date(value, now)?;
    let wait = date.duration_since(now);
    if wait.is_negative() {
        return Some(Duration::ZERO);
    }
    Some(Duration::try_from(wait).unwrap_or(Duration::MAX))
}

/// An HTTP-date (RFC 9110 section 5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime's `Sun Nov  6 08:49:37 1994`.
fn http_date(value: &str, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
    if let Ok(date) = jiff::fmt::rfc2822::parse(value) {
        return Some(date.timestamp());
    }
    let words: Vec<&str> = value.split_whitespace().collect();
    let (day, month, year, time) = match words.as_slice() {
        // RFC 850: weekday, DD-Mon-YY HH:MM:SS GMT
        [_, date, time, "GMT"] => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            let year = two_digit_year(year.parse().ok()?, now);
            (day, month, year, *time)
        }
        // IMF-fixdate that jiff refused: a date past the end of its range (year 9999).
        [_, day, month, year, time, "GMT"] if year.len() == 4 => {
            (*day, *month, year.parse().ok()?, *time)
        }
        // asctime: Www Mon D HH:MM:SS YYYY
        [_, month, day, time, year] if year.len() == 4 => (*day, *month, year.parse().ok()?, *time),
        _ => return None,
    };
    let month = 1 + [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)?;
    let mut clock = time.split(':').map(str::parse::<i8>);
    let (hour, minute, second) = (
        clock.next()?.ok()?,
        clock.next()?.ok()?,
        clock.next()?.ok()?,
    );
    if clock.next().is_some() {
        return None;
    }
    let civil = jiff::civil::DateTime::new(
        year,
        i8::try_from(month).ok()?,
        day.parse().ok()?,
        hour,
        minute,
        second,
        0,
    )
    .ok()?;
    // A valid date beyond jiff's range (the end of year 9999) is as late as it can be.
    Some(
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_or(jiff::Timestamp::MAX, |z| z.timestamp()),
    )
}

/// RFC 9110: a two-digit year that would be more than 50 years in the future is the most recent
/// past year with those digits.
fn two_digit_year(digits: i16, now: jiff::Timestamp) -> i16 {
    let this_year = now.to_zoned(jiff::tz::TimeZone::UTC).year();
    let year = this_year - this_year % 100 + digits;
    if year > this_year + 50 {
        year - 100
    } else {
        year
    }
}

/// A wait in whole milliseconds, for traces (saturating: `Duration::MAX` is `u64::MAX`).
pub(crate) fn millis(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)
}

/// The future a [`Clock`] returns from `sleep`.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The time source and the sleeping used for retries and rate limiting. Replace it in tests
/// with one that records waits and returns at once.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> jiff::Timestamp;
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock (tokio's timer).
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(feature = "reqwest")]
impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// At most `max_requests` requests in any `window`, counted on this client (with the `graph`
/// feature, `RateLimit::graph_presence` is Graph's presence limit).
///
/// It adapts down when the server throttles anyway (other apps or clients share its budget): each `429` the client gets halves the requests allowed per window (to one at
/// least), and each window without one doubles them again, up to `max_requests`.
#[derive(Debug)]
pub struct RateLimit {
    max_requests: usize,
    window: Duration,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    sent: VecDeque<jiff::Timestamp>,
    /// Requests allowed per window now: `max_requests`, or less after a `429`.
    allowed: usize,
    /// When `allowed` doubles again, if it is below `max_requests`.
    recover_at: Option<jiff::Timestamp>,
}

impl RateLimit {
    /// At most `max_requests` (at least 1) in any `window`.
    pub fn new(max_requests: usize, window: Duration) -> Self {
        let max_requests = max_requests.max(1);
        RateLimit {
            max_requests,
            window,
            state: Mutex::new(Window {
                sent: VecDeque::new(),
                allowed: max_requests,
                recover_at: None,
            }),
        }
    }

    /// 1,500 requests per 30 seconds, the presence limit per application and tenant that the
    /// presence API's own pages state (several clients of one application share it; give
    /// each a share).
    #[cfg(feature = "graph")]
    pub fn graph_presence() -> Self {
        RateLimit::new(1500, Duration::from_secs(30))
    }

    /// 10,000 requests per 30 seconds, the presence figure later revisions of Graph's
    /// service-specific throttling-limits page give (the pages disagree; neither is
    /// guaranteed, and a `429` makes either adapt down).
    #[cfg(feature = "graph")]
    pub fn graph_presence_throttling_limits_page() -> Self {
        RateLimit::new(10_000, Duration::from_secs(30))
    }

    /// The requests allowed per window now (below the maximum after a `429`).
    pub fn allowed(&self) -> usize {
        self.lock().allowed
    }

    /// The server answered `429` at `now`: half as many requests per window from now on, until a
    /// window passes without another. The client calls it for each `429` it gets; call it for
    /// `429`s this limit's requests met elsewhere.
    pub fn throttled(&self, now: jiff::Timestamp) {
        let mut state = self.lock();
        state.allowed = (state.allowed / 2).max(1);
        state.recover_at = Some(later(now, self.window));
        tracing::warn!(
            allowed = state.allowed,
            max_requests = self.max_requests,
            "throttled (429): fewer requests per window"
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until one more request fits in the window, then counts it.
    pub async fn acquire(&self, clock: &dyn Clock) {
        loop {
            let (wait, allowed) = {
                let now = clock.now();
                let mut state = self.lock();
                if let Some(at) = state.recover_at
                    && now >= at
                {
                    state.allowed = state.allowed.saturating_mul(2).min(self.max_requests);
                    state.recover_at =
                        (state.allowed < self.max_requests).then(|| later(now, self.window));
                }
                let window = self.window;
                while state.sent.front().is_some_and(|t| {
                    Duration::try_from(now.duration_since(*t)).is_ok_and(|age| age >= window)
                }) {
                    state.sent.pop_front();
                }
                if state.sent.len() < state.allowed {
                    state.sent.push_back(now);
                    return;
                }
                // The oldest request the window must forget before one more fits.
                let index = state.sent.len() - state.allowed;
                let oldest = state.sent.get(index).copied().unwrap_or(now);
                let age = Duration::try_from(now.duration_since(oldest)).unwrap_or(Duration::ZERO);
                let wait = self
                    .window
                    .saturating_sub(age)
                    .max(Duration::from_millis(1));
                (wait, state.allowed)
            };
            tracing::info!(
                wait_ms = millis(wait),
                allowed,
                max_requests = self.max_requests,
                window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX),
                "rate limit reached: waiting"
            );
            clock.sleep(wait).await;
        }
    }
}

/// `at + wait`, or the latest time there is.
fn later(at: jiff::Timestamp, wait: Duration) -> jiff::Timestamp {
    jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|wait| at.checked_add(wait).ok())
        .unwrap_or(jiff::Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            http::header::RETRY_AFTER,
            value.parse().expect("header value"),
        );
        map
    }

    #[test]
    fn retry_after_in_every_form() {
        let now: jiff::Timestamp = "2026-11-22T10:00:00Z".parse().expect("valid");
        assert_eq!(
            retry_after(&headers("3"), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers("2.128"), now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(retry_after(&headers(" 0 "), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&headers("Sun, 22 Nov 2026 10:00:07 GMT"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("Sun, 22 Nov 2026 09:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&headers("-1"), now), None);
        assert_eq!(retry_after(&headers("NaN"), now), None);
        // RFC 850 and asctime, both obsolete but required of recipients.
        assert_eq!(
            retry_after(&headers("Sunday, 22-Nov-26 10:00:09 GMT"), now),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            retry_after(&headers("Sun Nov 22 10:00:11 2026"), now),
            Some(Duration::from_secs(11))
        );
        assert_eq!(
            retry_after(&headers("Sun Nov  2 10:00:00 2026"), now),
            Some(Duration::ZERO)
        );
        // `-94` is 1994, not 2094 (more than 50 years ahead): in the past, so now.
        assert_eq!(
            retry_after(&headers("Sunday, 06-Nov-94 08:49:37 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers("Sunday, 06-Nov-94 08:49 GMT"), now),
            None
        );
        assert_eq!(retry_after(&headers("Sun Nov 31 10:00:00 2026"), now), None);
    }

    #[test]
    fn a_wait_too_long_to_represent_is_the_longest_wait() {
        let now: jiff::Timestamp = "2026-11-22T10:00:00Z".parse().expect("valid");
        for value in [
            "1e400",
            "inf",
            "18446744073709551616",
            "1e30",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Friday, 31-Dec-75 23:59:59 GMT",
        ] {
            let wait = retry_after(&headers(value), now).expect(value);
            assert!(
                wait > Duration::from_secs(40 * 365 * 86_400),
                "{value}: {wait:?}"
            );
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    /// A clock that sleeps by moving its time.
    struct Manual(Mutex<jiff::Timestamp>);

    impl Clock for Manual {
        fn now(&self) -> jiff::Timestamp {
            *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }

        fn sleep(&self, duration: Duration) -> Sleep {
            let mut now = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *now = later(*now, duration);
            Box::pin(std::future::ready(()))
        }
    }

    /// Runs a future whose waits are all ready (the manual clock's), to its end.
    fn ready<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }

    #[test]
    fn a_429_halves_the_allowance_and_quiet_windows_restore_it() {
        ready(halving_and_restoring());
    }

    async fn halving_and_restoring() {
        let clock = Manual(Mutex::new(jiff::Timestamp::UNIX_EPOCH));
        let limit = RateLimit::new(8, Duration::from_secs(30));
        let start = clock.now();
        for _ in 0..8 {
            limit.acquire(&clock).await;
        }
        assert_eq!(clock.now(), start, "eight fit in the first window");
        limit.throttled(clock.now());
        limit.throttled(clock.now());
        assert_eq!(limit.allowed(), 2);
        // The window forgets the eight after 30 s; the allowance doubles once, to four.
        for _ in 0..4 {
            limit.acquire(&clock).await;
        }
        assert_eq!(clock.now(), later(start, Duration::from_secs(30)));
        assert_eq!(limit.allowed(), 4);
        // Another quiet window: back to eight, and no further.
        limit.acquire(&clock).await;
        assert_eq!(clock.now(), later(start, Duration::from_secs(60)));
        assert_eq!(limit.allowed(), 8);
        for _ in 0..10 {
            limit.throttled(clock.now());
        }
        assert_eq!(limit.allowed(), 1, "never below one");
    }

    #[test]
    fn a_servers_wait_is_honoured_but_never_shorter_than_the_backoffs_floor() {
        let policy = RetryPolicy::default();
        let ms = Duration::from_millis;
        assert_eq!(policy.server_wait(1, Duration::ZERO), ms(250));
        assert_eq!(policy.server_wait(1, ms(1)), ms(250));
        assert_eq!(policy.server_wait(3, ms(1)), ms(1_000));
        assert_eq!(policy.server_wait(1, ms(7_000)), ms(7_000));
        assert_eq!(
            policy.server_wait(20, ms(1)),
            ms(15_000),
            "half the ceiling"
        );
        let total: Duration = (1..5).map(|retry| policy.server_wait(retry, ms(1))).sum();
        assert_eq!(total, ms(3_750), "four retries of a 1 ms Retry-After");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(policy.backoff(3, 1.0), Duration::from_secs(2));
        assert_eq!(policy.backoff(40, 1.0), Duration::from_secs(30));
        assert_eq!(policy.backoff(u32::MAX, 0.5), Duration::from_millis(22_500));
    }
}
