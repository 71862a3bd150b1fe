//! Injected faults, per route: added latency, a share of `503` answers, a share of connections
//! cut before the answer. Drawn from one seeded generator, so a run with the same seed and the
//! same requests in the same order fails the same way.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest latency a fault may add: ten minutes, longer than any client waits, and short
/// enough that a typo does not hold a connection open for ever.
pub(crate) const MAX_LATENCY_MS: u64 = 10 * 60 * 1000;

/// Faults for the requests a route pattern matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// What it applies to: `*` (every Graph request), an operationId (`me_GetPresence`), or
    /// a path prefix after the version (`/communications/`).
    pub route: String,
    /// Added before the request is handled, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// The share of requests answered `503 ServiceNotAvailable` instead (0 to 1).
    #[serde(default)]
    pub server_error_rate: f64,
    /// The share of requests whose connection is cut instead of answered (0 to 1).
    #[serde(default)]
    pub reset_rate: f64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    /// Handled as usual, after `delay`.
    Handle { delay: Duration },
    /// Answered `503`, after `delay`.
    ServerError { delay: Duration },
    /// The connection cut, after `delay`.
    Reset { delay: Duration },
}

/// The faults in force and the generator they draw from.
#[derive(Debug)]
pub(crate) struct Faults {
    rules: Vec<Fault>,
    rng: fastrand::Rng,
    /// Requests answered 503 so far.
    pub injected_errors: u64,
    /// Connections cut so far.
    pub injected_resets: u64,
}

impl Faults {
    /// No faults, drawing from `seed`.
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            rng: fastrand::Rng::with_seed(seed),
            injected_errors: 0,
            injected_resets: 0,
        }
    }

    /// Replaces the faults in force; a rate outside 0..=1 (or not a number), or a latency
    /// longer than [`MAX_LATENCY_MS`], is refused.
    pub fn set(&mut self, rules: Vec<Fault>) -> Result<(), String> {
        for rule in &rules {
            if rule.latency_ms > MAX_LATENCY_MS {
                return Err(format!(
                    "latencyMs of route `{}` must be at most {MAX_LATENCY_MS}",
                    openapi_models_runtime::excerpt(&rule.route, 60)
                ));
            }
            for (name, rate) in [
                ("serverErrorRate", rule.server_error_rate),
                ("resetRate", rule.reset_rate),
            ] {
                if !(0.0..=1.0).contains(&rate) {
                    return Err(format!(
                        "{name} of route `{}` must be between 0 and 1",
                        openapi_models_runtime::excerpt(&rule.route, 60)
                    ));
                }
            }
        }
        self.rules = rules;
        Ok(())
    }

    /// The faults in force.
    pub fn rules(&self) -> &[Fault] {
        &self.rules
    }

    /// Draws the fate of a request for `operation_id` at `path` (after the version prefix):
    /// the first rule that matches decides; no rule, no fault.
    pub fn draw(&mut self, operation_id: &str, path: &str) -> Injected {
        let Some(rule) = self.rules.iter().find(|r| {
            r.route == "*"
                || r.route == operation_id
                || (r.route.starts_with('/') && path.starts_with(&r.route))
        }) else {
            return Injected::Handle {
                delay: Duration::ZERO,
            };
        };
        let delay = Duration::from_millis(rule.latency_ms);
        let draw = self.rng.f64();
        if draw < rule.reset_rate {
            self.injected_resets += 1;
            Injected::Reset { delay }
        } else if draw < rule.reset_rate + rule.server_error_rate {
            self.injected_errors += 1;
            Injected::ServerError { delay }
        } else {
            Injected::Handle { delay }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, Faults, Injected};
    use std::time::Duration;

    fn rule(route: &str, errors: f64, resets: f64) -> Fault {
        Fault {
            route: route.to_owned(),
            latency_ms: 20,
            server_error_rate: errors,
            reset_rate: resets,
        }
    }

    #[test]
    fn the_same_seed_fails_the_same_requests() {
        let run = |seed| {
            let mut faults = Faults::new(seed);
            faults
                .set(vec![rule("/communications/", 0.3, 0.2)])
                .expect("valid rates");
            (0..200)
                .map(|_| faults.draw("x", "/communications/getPresencesByUserId"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let outcomes = run(7);
        let resets = outcomes
            .iter()
            .filter(|o| matches!(o, Injected::Reset { .. }))
            .count();
        let errors = outcomes
            .iter()
            .filter(|o| matches!(o, Injected::ServerError { .. }))
            .count();
        // 200 draws at 20 % and 30 %: far from either bound.
        assert!((20..60).contains(&resets), "{resets}");
        assert!((35..85).contains(&errors), "{errors}");
        assert!(outcomes.iter().all(|o| match o {
            Injected::Handle { delay }
            | Injected::ServerError { delay }
            | Injected::Reset { delay } => *delay == Duration::from_millis(20),
        }));
    }

    #[test]
    fn the_first_matching_rule_decides_and_bad_rates_are_refused() {
        let mut faults = Faults::new(1);
        faults
            .set(vec![rule("me_GetPresence", 1.0, 0.0), rule("*", 0.0, 1.0)])
            .expect("valid");
        assert!(matches!(
            faults.draw("me_GetPresence", "/me/presence"),
            Injected::ServerError { .. }
        ));
        assert!(matches!(
            faults.draw("user_GetPresence", "/users/x/presence"),
            Injected::Reset { .. }
        ));
        assert_eq!((faults.injected_errors, faults.injected_resets), (1, 1));
        assert!(faults.set(vec![rule("*", 1.5, 0.0)]).is_err());
        assert!(faults.set(vec![rule("*", f64::NAN, 0.0)]).is_err());
        let slow = Fault {
            latency_ms: super::MAX_LATENCY_MS + 1,
            ..rule("*", 0.0, 0.0)
        };
        assert!(
            faults
                .set(vec![slow])
                .is_err_and(|e| e.contains("latencyMs"))
        );
        faults.set(Vec::new()).expect("none");
        assert_eq!(
            faults.draw("me_GetPresence", "/me/presence"),
            Injected::Handle {
                delay: Duration::ZERO
            }
        );
    }
}
