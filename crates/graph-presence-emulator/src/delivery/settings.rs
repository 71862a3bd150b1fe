//! Every number of Graph's delivery rules, as a setting whose default is the current
//! documentation's (learn.microsoft.com/graph/change-notifications-delivery-webhooks), with the
//! earlier revision's values as a preset.
//!
//! Two clocks are involved, and each setting says which it runs on:
//!
//! - **Real time** for what the webhook itself takes: the answer timeouts and the handshake's.
//!   The endpoint is a real server answering in real time, so an accelerated emulated clock
//!   must not turn a 5 ms answer into a "slow" one (at 1,000x it would be 5 emulated seconds).
//! - **Emulated time** ([`Clock`](crate::Clock)) for everything Graph schedules: the retry
//!   backoff and its 4-hour limit, the 10-minute window of answer times, the slow state's
//!   delay, the drop state's length, the batching window and the validation tokens' times. An
//!   accelerated clock runs four hours of retries in seconds; a manual one holds them until
//!   the test advances it.

use std::time::Duration;

/// How notifications are batched, delivered, retried and throttled.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverySettings {
    /// Real time to wait for the answer to a notification's first POST; a 2xx within it is
    /// delivered. Current docs: 3 s; earlier revision: 10 s.
    pub first_attempt_timeout: Duration,
    /// Real time to wait for the answer to a retry ("for notifications that are retried, the
    /// request timeout is extended to 10 seconds"). Both revisions: 10 s.
    pub retry_timeout: Duration,
    /// Emulated time after the first attempt during which a failed batch is retried, then
    /// dropped. Both revisions: 4 hours.
    pub retry_for: Duration,
    /// Emulated time before the first retry; each next wait doubles. Graph documents
    /// "exponential backoff" without numbers: 30 s, so that the first retries come within
    /// minutes; with `backoff_max` the attempts are at 0, 30 s, 1.5, 3.5, 7.5, 15.5, 31.5 and
    /// 63.5 minutes, then 2:03:30 and 3:03:30, ten in the four hours.
    pub backoff_initial: Duration,
    /// The longest wait between retries (emulated): 1 hour, so that an endpoint back online
    /// gets its missed notifications within the hour, not at the end of the 4 hours.
    pub backoff_max: Duration,
    /// An answer is "slow" when it takes longer than this (real time), or no answer came
    /// within a timeout at least this long. Current docs: 3 s (the first attempt's timeout
    /// allowance); earlier revision: 10 s.
    pub slow_answer_time: Duration,
    /// An answer counts toward the drop state when it takes longer than this (real time), or
    /// no answer came within a timeout at least this long. Current docs: 10 s (the retry
    /// timeout allowance); earlier revision: 10 s.
    pub drop_answer_time: Duration,
    /// The emulated window over which the shares of slow answers are taken: 10 minutes.
    pub share_window: Duration,
    /// More than this share of slow answers in the window marks the endpoint "slow"; it
    /// leaves that state when the share falls below it. 0.10.
    pub slow_share: f64,
    /// More than this share of answers counting toward drop marks the endpoint "drop"; it
    /// leaves that state when the share falls below it, or when [`Self::drop_for`] has
    /// passed. 0.15.
    pub drop_share: f64,
    /// No state is taken from fewer answers than this in the window. Graph states no minimum:
    /// 1, so one timed-out answer of one is 100 %.
    pub min_answers: usize,
    /// How long (emulated) new notifications to a "slow" endpoint wait before their first
    /// attempt. Current docs: 10 minutes ("sent on after a 10-minute delay"); earlier
    /// revision: 10 s ("sent on a 10-second delay").
    pub slow_delay: Duration,
    /// The longest (emulated) an endpoint stays in "drop", dropping new notifications; when it
    /// ends, the answers from before it are forgotten and the endpoint starts afresh. 10
    /// minutes in both revisions.
    pub drop_for: Duration,
    /// After the first notification of a batch is queued, how long (emulated) the sender
    /// waits for more before sending. Zero: a batch is what is queued when the sender runs
    /// (everything one presence change queues for one URL goes together). A non-zero window
    /// on a manual clock holds every batch until the clock is advanced past it.
    pub batch_window: Duration,
    /// The most notifications in one POST. Graph states no maximum; 100 keeps a batch of rich
    /// notifications (about 2 KB each) far below the 1 MiB a receiver takes by default.
    pub max_batch_len: usize,
    /// How many delivery records are kept; the oldest go first.
    pub history_cap: usize,
    /// How long (emulated) a validation token is valid from the attempt that carries it: 1
    /// hour, an Entra access token's usual lifetime.
    pub validation_token_lifetime: Duration,
    /// Real time to wait for the validation handshake's answer: 10 s.
    pub handshake_timeout: Duration,
    /// The handshake's answer must be `text/plain`, as Graph's documentation asks.
    pub handshake_requires_text_plain: bool,
    /// Deliver over plain `http:` to a loopback host (127.0.0.0/8, `::1`, `localhost`); any
    /// other `http:` URL is refused. Off by default: Graph requires HTTPS.
    pub allow_http_loopback: bool,
}

impl Default for DeliverySettings {
    /// The current documentation's values.
    fn default() -> Self {
        DeliverySettings {
            first_attempt_timeout: Duration::from_secs(3),
            retry_timeout: Duration::from_secs(10),
            retry_for: Duration::from_secs(4 * 3600),
            backoff_initial: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            slow_answer_time: Duration::from_secs(3),
            drop_answer_time: Duration::from_secs(10),
            share_window: Duration::from_secs(600),
            slow_share: 0.10,
            drop_share: 0.15,
            min_answers: 1,
            slow_delay: Duration::from_secs(600),
            drop_for: Duration::from_secs(600),
            batch_window: Duration::ZERO,
            max_batch_len: 100,
            history_cap: 10_000,
            validation_token_lifetime: Duration::from_secs(3600),
            handshake_timeout: Duration::from_secs(10),
            handshake_requires_text_plain: true,
            allow_http_loopback: false,
        }
    }
}

impl DeliverySettings {
    /// The earlier revision's values: a 10-second window for every attempt and for slow
    /// answers, and a 10-second delay in the slow state.
    pub fn earlier_revision() -> Self {
        DeliverySettings {
            first_attempt_timeout: Duration::from_secs(10),
            slow_answer_time: Duration::from_secs(10),
            slow_delay: Duration::from_secs(10),
            ..DeliverySettings::default()
        }
    }

    /// Allow plain `http:` to loopback hosts (tests and local tries).
    pub fn allowing_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }
}
