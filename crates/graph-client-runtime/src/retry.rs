//! Staying within Graph's limits: which failures are retried and after how long, the clock
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
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        exponential
            .min(self.max_delay)
            .mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0)
    }
}

/// The statuses that mean "try again later".
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// How long the server asked to wait: `Retry-After` as whole or fractional seconds (Graph's
/// documented sample is `2.128`) or as an HTTP-date (RFC 9110), relative to `now`. A date in the
/// past means "now"; an unreadable value is ignored.
pub fn retry_after(headers: &HeaderMap, now: jiff::Timestamp) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = date.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The future a [`Clock`] returns from `sleep`.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The time source and the sleeping used for retries and rate limiting. Replace it in tests
/// with one that records waits and returns at once.
pub trait Clock: Send + Sync {
    fn now(&self) -> jiff::Timestamp;
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

/// At most `max_requests` requests in any `window`, counted on this client. Graph's presence
/// limit is [`RateLimit::graph_presence`].
#[derive(Debug)]
pub struct RateLimit {
    max_requests: usize,
    window: Duration,
    sent: Mutex<VecDeque<jiff::Timestamp>>,
}

impl RateLimit {
    pub fn new(max_requests: usize, window: Duration) -> Self {
        RateLimit {
            max_requests: max_requests.max(1),
            window,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// 1,500 requests per 30 seconds, Graph's documented presence limit per application and
    /// tenant (several clients of one application share it; give each a share).
    pub fn graph_presence() -> Self {
        RateLimit::new(1500, Duration::from_secs(30))
    }

    /// Waits until one more request fits in the window, then counts it.
    pub async fn acquire(&self, clock: &dyn Clock) {
        loop {
            let wait = {
                let now = clock.now();
                let mut sent = self
                    .sent
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                while sent.front().is_some_and(|t| {
                    Duration::try_from(now.duration_since(*t)).is_ok_and(|age| age >= self.window)
                }) {
                    sent.pop_front();
                }
                if sent.len() < self.max_requests {
                    sent.push_back(now);
                    return;
                }
                let oldest = sent.front().copied().unwrap_or(now);
                let age = Duration::try_from(now.duration_since(oldest)).unwrap_or(Duration::ZERO);
                self.window
                    .saturating_sub(age)
                    .max(Duration::from_millis(1))
            };
            clock.sleep(wait).await;
        }
    }
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
        assert_eq!(retry_after(&headers("1e400"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
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
