//! Graph's throttling of slow endpoints (RULES.md §2), per notification URL, without I/O: the
//! answers of the last 10 emulated minutes, the shares of slow ones, and the state they put
//! the endpoint in.
//!
//! How the documentation is read here:
//!
//! - An *answer* is an attempt that got an HTTP status, or got none within its timeout. A
//!   connection that failed (refused, reset) is not an answer: it says nothing of how fast the
//!   endpoint answers, and it is retried like any failure.
//! - It is *slow* when it took longer than `slow_answer_time` (current docs: the 3-second
//!   allowance), or no answer came within a timeout at least that long. It *counts toward
//!   drop* when it took longer than `drop_answer_time` (the 10-second retry allowance), or no
//!   answer came within a timeout at least that long. With the current values a first
//!   attempt that times out after 3 s is slow; a retry that times out after 10 s is both.
//! - More than `slow_share` slow answers makes the endpoint **slow**: new batches wait
//!   `slow_delay` before their first attempt. It is normal again once the share is below
//!   `slow_share` (exactly at it, it stays as it was).
//! - More than `drop_share` answers counting toward drop makes it **drop**: new batches are
//!   dropped. It leaves that state once the share is below `drop_share`, and at the latest
//!   after `drop_for`, when the answers from before are forgotten (Graph then "sends a small
//!   number of notifications" to probe; here the next batches are simply sent).
//! - Batches already being retried go on being retried in either state: only new ones are
//!   delayed or dropped.

use std::collections::VecDeque;
use std::time::Duration;

use jiff::Timestamp;

use super::later;
use super::settings::DeliverySettings;

/// What Graph does with new notifications for an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointState {
    /// Sent at once.
    Normal,
    /// Sent after `slow_delay`.
    Slow,
    /// Dropped.
    Drop,
}

/// An endpoint's state and the shares behind it, at one emulated time.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointStatus {
    /// The notification URL.
    pub url: String,
    /// Its state.
    pub state: EndpointState,
    /// Answers in the window.
    pub answers: usize,
    /// The share of them that were slow (0 to 1).
    pub slow_share: f64,
    /// The share of them counting toward drop (0 to 1).
    pub drop_share: f64,
    /// In the drop state: when it ends at the latest.
    pub drop_until: Option<Timestamp>,
}

/// How long one attempt took to be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AnswerTime {
    /// A status came after this long.
    Answered(Duration),
    /// None came within this timeout.
    TimedOut(Duration),
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Timestamp,
    slow: bool,
    toward_drop: bool,
}

/// One endpoint's answers and state.
#[derive(Debug)]
pub(super) struct Endpoint {
    samples: VecDeque<Sample>,
    state: EndpointState,
    /// In the drop state: when it began and when it ends at the latest.
    drop_period: Option<(Timestamp, Timestamp)>,
}

impl Endpoint {
    pub(super) fn new() -> Self {
        Endpoint {
            samples: VecDeque::new(),
            state: EndpointState::Normal,
            drop_period: None,
        }
    }

    /// Takes an answer into account.
    pub(super) fn record(
        &mut self,
        at: Timestamp,
        answer: AnswerTime,
        settings: &DeliverySettings,
    ) {
        let longer_than = |limit: Duration| match answer {
            AnswerTime::Answered(took) => took > limit,
            AnswerTime::TimedOut(timeout) => timeout >= limit,
        };
        self.samples.push_back(Sample {
            at,
            slow: longer_than(settings.slow_answer_time),
            toward_drop: longer_than(settings.drop_answer_time),
        });
        self.evaluate(at, settings);
    }

    /// The state at `now` (forgetting answers older than the window).
    pub(super) fn state(&mut self, now: Timestamp, settings: &DeliverySettings) -> EndpointState {
        self.evaluate(now, settings);
        self.state
    }

    /// The state and shares at `now`.
    pub(super) fn status(
        &mut self,
        url: &str,
        now: Timestamp,
        settings: &DeliverySettings,
    ) -> EndpointStatus {
        self.evaluate(now, settings);
        let (slow_share, drop_share) = self.shares(settings);
        EndpointStatus {
            url: url.to_owned(),
            state: self.state,
            answers: self.samples.len(),
            slow_share,
            drop_share,
            drop_until: self.drop_period.map(|(_, until)| until),
        }
    }

    /// Whether it holds nothing worth keeping (no answers in the window, normal).
    pub(super) fn is_idle(&self) -> bool {
        self.samples.is_empty() && self.state == EndpointState::Normal
    }

    fn evaluate(&mut self, now: Timestamp, settings: &DeliverySettings) {
        let window = jiff::SignedDuration::try_from(settings.share_window)
            .unwrap_or(jiff::SignedDuration::MAX);
        let oldest = now.saturating_sub(window).unwrap_or(Timestamp::MIN);
        while self.samples.front().is_some_and(|s| s.at <= oldest) {
            self.samples.pop_front();
        }

        if let Some((began, until)) = self.drop_period {
            if now >= until {
                // The drop period is over: what made it is forgotten.
                self.samples.retain(|s| s.at > began);
                self.leave_drop();
            } else if self.shares(settings).1 < settings.drop_share {
                self.leave_drop();
            } else {
                return;
            }
        }

        let (slow_share, drop_share) = self.shares(settings);
        if drop_share > settings.drop_share {
            self.state = EndpointState::Drop;
            self.drop_period = Some((now, later(now, settings.drop_for)));
            return;
        }
        self.state = match self.state {
            EndpointState::Normal if slow_share > settings.slow_share => EndpointState::Slow,
            EndpointState::Slow if slow_share < settings.slow_share => EndpointState::Normal,
            state => state,
        };
    }

    fn leave_drop(&mut self) {
        self.drop_period = None;
        self.state = EndpointState::Normal;
    }

    /// (slow, toward drop) shares of the answers held; 0 under `min_answers`.
    fn shares(&self, settings: &DeliverySettings) -> (f64, f64) {
        let answers = self.samples.len();
        if answers == 0 || answers < settings.min_answers {
            return (0.0, 0.0);
        }
        let count = |f: fn(&Sample) -> bool| self.samples.iter().filter(|s| f(s)).count();
        let share = |n: usize| n as f64 / answers as f64;
        (share(count(|s| s.slow)), share(count(|s| s.toward_drop)))
    }
}

#[cfg(test)]
mod tests {
    use super::{AnswerTime, Endpoint, EndpointState};
    use crate::delivery::settings::DeliverySettings;
    use jiff::Timestamp;
    use std::time::Duration;

    fn at(minute: i64, second: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60 + second).expect("a time")
    }

    const FAST: AnswerTime = AnswerTime::Answered(Duration::from_millis(40));
    const FIRST_TIMEOUT: AnswerTime = AnswerTime::TimedOut(Duration::from_secs(3));
    const RETRY_TIMEOUT: AnswerTime = AnswerTime::TimedOut(Duration::from_secs(10));

    #[test]
    fn more_than_ten_percent_slow_is_slow_and_it_ends_when_they_age_out() {
        let settings = DeliverySettings::default();
        let mut endpoint = Endpoint::new();
        for second in 0..9 {
            endpoint.record(at(0, second), FAST, &settings);
        }
        // 1 in 10 is not more than 10 %.
        endpoint.record(at(0, 9), FIRST_TIMEOUT, &settings);
        assert_eq!(endpoint.state(at(0, 10), &settings), EndpointState::Normal);
        // 2 in 11 is; a first attempt's 3-second timeout counts as slow, not toward drop.
        endpoint.record(at(0, 10), FIRST_TIMEOUT, &settings);
        let status = endpoint.status("u", at(0, 11), &settings);
        assert_eq!(status.state, EndpointState::Slow);
        assert_eq!(status.answers, 11);
        assert!((status.slow_share - 2.0 / 11.0).abs() < 1e-9);
        assert_eq!(status.drop_share, 0.0);
        // Ten minutes after the slow answers they are out of the window.
        assert_eq!(endpoint.state(at(10, 9), &settings), EndpointState::Slow);
        assert_eq!(endpoint.state(at(10, 10), &settings), EndpointState::Normal);
    }

    #[test]
    fn exactly_at_the_threshold_the_state_holds() {
        let settings = DeliverySettings::default();
        let mut endpoint = Endpoint::new();
        endpoint.record(at(0, 0), FIRST_TIMEOUT, &settings);
        assert_eq!(endpoint.state(at(0, 0), &settings), EndpointState::Slow);
        for second in 1..10 {
            endpoint.record(at(0, second), FAST, &settings);
        }
        // 1 in 10: not below 10 %, so still slow.
        assert_eq!(endpoint.state(at(0, 10), &settings), EndpointState::Slow);
        endpoint.record(at(0, 10), FAST, &settings);
        assert_eq!(endpoint.state(at(0, 11), &settings), EndpointState::Normal);
    }

    #[test]
    fn more_than_fifteen_percent_past_the_retry_allowance_drops_for_at_most_ten_minutes() {
        let settings = DeliverySettings {
            // A longer window than the drop period, so that the period is what ends it.
            share_window: Duration::from_secs(3600),
            ..DeliverySettings::default()
        };
        let mut endpoint = Endpoint::new();
        for second in 0..5 {
            endpoint.record(at(0, second), FAST, &settings);
        }
        endpoint.record(at(0, 5), RETRY_TIMEOUT, &settings);
        let status = endpoint.status("u", at(0, 6), &settings);
        assert_eq!(status.state, EndpointState::Drop, "{status:?}");
        assert_eq!(status.drop_until, Some(at(10, 5)));
        assert_eq!(endpoint.state(at(10, 4), &settings), EndpointState::Drop);
        let status = endpoint.status("u", at(10, 5), &settings);
        assert_eq!(status.state, EndpointState::Normal, "{status:?}");
        assert_eq!(
            status.answers, 0,
            "the answers before the drop are forgotten"
        );
    }

    #[test]
    fn the_drop_state_ends_when_the_share_falls_below() {
        let settings = DeliverySettings::default();
        let mut endpoint = Endpoint::new();
        endpoint.record(at(0, 0), RETRY_TIMEOUT, &settings);
        assert_eq!(endpoint.state(at(0, 1), &settings), EndpointState::Drop);
        // Retries already under way still answer (fast now): 1 in 7 is below 15 % but above
        // 10 %, so it is slow.
        for second in 1..7 {
            endpoint.record(at(0, second), FAST, &settings);
        }
        assert_eq!(endpoint.state(at(0, 8), &settings), EndpointState::Slow);
    }

    #[test]
    fn the_earlier_revision_counts_ten_seconds_for_both() {
        let settings = DeliverySettings::earlier_revision();
        let mut endpoint = Endpoint::new();
        endpoint.record(
            at(0, 0),
            AnswerTime::Answered(Duration::from_secs(5)),
            &settings,
        );
        assert_eq!(endpoint.state(at(0, 1), &settings), EndpointState::Normal);
        endpoint.record(at(0, 1), RETRY_TIMEOUT, &settings);
        assert_eq!(endpoint.state(at(0, 2), &settings), EndpointState::Drop);
    }

    #[test]
    fn fewer_answers_than_the_minimum_decide_nothing() {
        let settings = DeliverySettings {
            min_answers: 5,
            ..DeliverySettings::default()
        };
        let mut endpoint = Endpoint::new();
        endpoint.record(at(0, 0), RETRY_TIMEOUT, &settings);
        assert_eq!(endpoint.state(at(0, 1), &settings), EndpointState::Normal);
    }
}
