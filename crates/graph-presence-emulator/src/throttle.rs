//! Throttling as Graph does it (RULES.md §3): requests counted per application per tenant in
//! a sliding window, one limit per class of request, a refused request answered `429` with
//! `Retry-After` and Graph's `TooManyRequests` error. Limits are settings: Microsoft's pages
//! give two figures for presence, both offered as presets.

use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// At most `requests` in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests admitted in any window.
    pub requests: u32,
    /// The window's length.
    pub window: Duration,
}

/// The classes of request Graph limits separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    /// Presence reads and writes.
    Presence,
    /// `POST`, `PATCH` and `DELETE /subscriptions`.
    SubscriptionWrites,
    /// `GET /subscriptions` (the list, and one subscription).
    SubscriptionReads,
}

/// The longest window [`ThrottleSettings::check`] takes.
const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// The limit of each class (`None`: not limited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Presence reads and writes.
    pub presence: Option<Limit>,
    /// Creating, renewing and deleting subscriptions.
    pub subscription_writes: Option<Limit>,
    /// Listing and reading subscriptions.
    pub subscription_reads: Option<Limit>,
}

impl ThrottleSettings {
    /// The presence pages' figure: 1,500 requests per 30 seconds per app per tenant, and the
    /// throttling-limits page's subscription limits (500 writes and 25 list requests per 20
    /// seconds).
    pub const PRESENCE_PAGES: ThrottleSettings = ThrottleSettings {
        presence: Some(Limit {
            requests: 1_500,
            window: Duration::from_secs(30),
        }),
        subscription_writes: Some(Limit {
            requests: 500,
            window: Duration::from_secs(20),
        }),
        subscription_reads: Some(Limit {
            requests: 25,
            window: Duration::from_secs(20),
        }),
    };

    /// The service-specific throttling-limits page's later figure for presence: 10,000 per 30
    /// seconds, with the same subscription limits.
    pub const THROTTLING_LIMITS_PAGE: ThrottleSettings = ThrottleSettings {
        presence: Some(Limit {
            requests: 10_000,
            window: Duration::from_secs(30),
        }),
        ..ThrottleSettings::PRESENCE_PAGES
    };

    /// Nothing limited.
    pub const NONE: ThrottleSettings = ThrottleSettings {
        presence: None,
        subscription_writes: None,
        subscription_reads: None,
    };

    /// The presets by the names the binary's `--throttle` and the admin API take.
    pub const PRESETS: [(&'static str, ThrottleSettings); 3] = [
        ("presencePages", ThrottleSettings::PRESENCE_PAGES),
        (
            "throttlingLimitsPage",
            ThrottleSettings::THROTTLING_LIMITS_PAGE,
        ),
        ("off", ThrottleSettings::NONE),
    ];

    /// The preset named `name` ([`ThrottleSettings::PRESETS`]), in any letter case.
    pub fn preset(name: &str) -> Option<ThrottleSettings> {
        ThrottleSettings::PRESETS
            .iter()
            .find(|(preset, _)| preset.eq_ignore_ascii_case(name))
            .map(|&(_, settings)| settings)
    }

    /// Refuses a limit that admits nothing, or a window of nothing or of more than a day
    /// (Graph's windows are seconds long): what is wrong, naming the class.
    pub fn check(&self) -> Result<(), String> {
        for (name, limit) in [
            ("presence", self.presence),
            ("subscriptionWrites", self.subscription_writes),
            ("subscriptionReads", self.subscription_reads),
        ] {
            let Some(limit) = limit else { continue };
            if limit.requests == 0 {
                return Err(format!("{name}: requests must be at least 1"));
            }
            if limit.window.is_zero() || limit.window > MAX_WINDOW {
                return Err(format!(
                    "{name}: the window must be longer than zero and at most {} seconds",
                    MAX_WINDOW.as_secs()
                ));
            }
        }
        Ok(())
    }

    fn limit(&self, class: Class) -> Option<Limit> {
        match class {
            Class::Presence => self.presence,
            Class::SubscriptionWrites => self.subscription_writes,
            Class::SubscriptionReads => self.subscription_reads,
        }
    }
}

impl Default for ThrottleSettings {
    /// The presence pages' figures, the stricter.
    fn default() -> Self {
        ThrottleSettings::PRESENCE_PAGES
    }
}

/// The requests admitted in each window, by class, tenant and application.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    settings: Option<ThrottleSettings>,
    admitted: HashMap<(Class, String, String), VecDeque<Timestamp>>,
    /// Requests refused so far, by class.
    refused: HashMap<Class, u64>,
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Throttle {
        Throttle {
            settings: Some(settings),
            ..Throttle::default()
        }
    }

    pub fn settings(&self) -> ThrottleSettings {
        self.settings.unwrap_or_default()
    }

    /// New limits; what was counted stays counted.
    pub fn set(&mut self, settings: ThrottleSettings) {
        self.settings = Some(settings);
    }

    /// Counts a request of `class` by `app` in `tenant` at `now`, or refuses it with how long
    /// to wait until one more would be admitted.
    pub fn admit(
        &mut self,
        class: Class,
        tenant: &str,
        app: &str,
        now: Timestamp,
    ) -> Result<(), Duration> {
        let Some(limit) = self.settings().limit(class) else {
            return Ok(());
        };
        let window = SignedDuration::try_from(limit.window).unwrap_or(SignedDuration::MAX);
        let log = self
            .admitted
            .entry((class, tenant.to_owned(), app.to_owned()))
            .or_default();
        while log
            .front()
            .is_some_and(|&t| t.saturating_add(window).is_ok_and(|end| end <= now))
        {
            log.pop_front();
        }
        if log.len() < limit.requests as usize {
            log.push_back(now);
            return Ok(());
        }
        *self.refused.entry(class).or_default() += 1;
        let oldest = log.front().copied().unwrap_or(now);
        let free_at = oldest.saturating_add(window).unwrap_or(Timestamp::MAX);
        Err(now.duration_until(free_at).unsigned_abs())
    }

    /// Requests refused so far, by class.
    pub fn refused(&self, class: Class) -> u64 {
        self.refused.get(&class).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::{Class, Limit, Throttle, ThrottleSettings};
    use jiff::{SignedDuration, Timestamp};
    use std::time::Duration;

    #[test]
    fn a_window_admits_its_limit_then_says_when_to_come_back() {
        let settings = ThrottleSettings {
            presence: Some(Limit {
                requests: 3,
                window: Duration::from_secs(30),
            }),
            ..ThrottleSettings::NONE
        };
        let mut throttle = Throttle::new(settings);
        let t0: Timestamp = "2026-12-01T09:00:00Z".parse().expect("a timestamp");
        let at = |s: i64| t0 + SignedDuration::from_secs(s);
        for s in [0, 10, 20] {
            assert_eq!(throttle.admit(Class::Presence, "t", "app", at(s)), Ok(()));
        }
        assert_eq!(
            throttle.admit(Class::Presence, "t", "app", at(25)),
            Err(Duration::from_secs(5))
        );
        // Another app, another tenant and another class count on their own.
        assert_eq!(
            throttle.admit(Class::Presence, "t", "other", at(25)),
            Ok(())
        );
        assert_eq!(throttle.admit(Class::Presence, "u", "app", at(25)), Ok(()));
        assert_eq!(
            throttle.admit(Class::SubscriptionWrites, "t", "app", at(25)),
            Ok(())
        );
        // The first request leaves the window at 30 s.
        assert_eq!(throttle.admit(Class::Presence, "t", "app", at(30)), Ok(()));
        assert_eq!(throttle.refused(Class::Presence), 1);
    }

    #[test]
    fn presets_are_found_by_name_and_useless_limits_refused() {
        assert_eq!(
            ThrottleSettings::preset("presencepages"),
            Some(ThrottleSettings::PRESENCE_PAGES)
        );
        assert_eq!(
            ThrottleSettings::preset("off"),
            Some(ThrottleSettings::NONE)
        );
        assert_eq!(ThrottleSettings::preset("fast"), None);
        for (_, preset) in ThrottleSettings::PRESETS {
            assert_eq!(preset.check(), Ok(()));
        }
        let limited = |requests, seconds| ThrottleSettings {
            subscription_reads: Some(Limit {
                requests,
                window: Duration::from_secs(seconds),
            }),
            ..ThrottleSettings::NONE
        };
        assert!(
            limited(0, 20)
                .check()
                .is_err_and(|e| e.contains("subscriptionReads"))
        );
        assert!(limited(5, 0).check().is_err());
        assert!(limited(5, 86_401).check().is_err());
        assert_eq!(limited(5, 86_400).check(), Ok(()));
    }

    #[test]
    fn the_presets_are_the_documented_figures() {
        let limit = |s: ThrottleSettings| s.presence.map(|l| (l.requests, l.window.as_secs()));
        assert_eq!(limit(ThrottleSettings::PRESENCE_PAGES), Some((1_500, 30)));
        assert_eq!(
            limit(ThrottleSettings::THROTTLING_LIMITS_PAGE),
            Some((10_000, 30))
        );
        assert_eq!(
            ThrottleSettings::default().subscription_reads,
            Some(Limit {
                requests: 25,
                window: Duration::from_secs(20)
            })
        );
    }
}
