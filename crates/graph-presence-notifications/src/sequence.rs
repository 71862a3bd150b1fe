//! Dropping stale presence updates by `sequenceNumber`.
//!
//! Graph documents `sequenceNumber` as a string that sorts lexicographically in update order.
//! Two strings of ASCII digits are compared as numbers (length without leading zeros first,
//! then digit by digit), so that `"10"` follows `"9"` should Graph ever send plain counters;
//! anything else is compared byte by byte, as documented.

use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

/// How many users a tracker remembers unless told otherwise.
pub const DEFAULT_TRACKED_USERS: usize = 100_000;

/// Longer user ids or sequence numbers are not remembered (Graph's are GUIDs and short
/// stamps): an update carrying one passes, unrecorded.
const MAX_KEY_LEN: usize = 256;

/// What [`SequenceTracker::observe`] made of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Newer than the one held (or the first seen): it is now the one held.
    Newer,
    /// Older than, or the same as, the one held: drop it.
    Stale {
        /// The sequence number held for the user.
        held: String,
    },
    /// No sequence number to compare (absent, or too long to remember): it passes and nothing
    /// is recorded.
    Untracked,
}

/// The latest `sequenceNumber` seen per user id, so that an update overtaken by a later one
/// is not applied over it.
///
/// Memory is bounded: it remembers at most `capacity` users and, when full, forgets the one
/// it has remembered longest (first recorded), whose next update then passes unchecked. Size it
/// to the number of users subscribed (the default, [`DEFAULT_TRACKED_USERS`], is a little
/// over 150 subscriptions' worth) and nothing is ever forgotten.
#[derive(Debug, Clone)]
pub struct SequenceTracker {
    latest: HashMap<String, String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl Default for SequenceTracker {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_TRACKED_USERS)
    }
}

impl SequenceTracker {
    /// A tracker remembering up to [`DEFAULT_TRACKED_USERS`] users.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tracker remembering up to `capacity` users (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        SequenceTracker {
            latest: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Compares an update's sequence number with the one held for the user (ids compared
    /// case-insensitively, as Graph's GUIDs are) and keeps it when it is newer.
    pub fn observe(&mut self, user_id: &str, sequence_number: Option<&str>) -> Freshness {
        let Some(sequence) = sequence_number else {
            return Freshness::Untracked;
        };
        if user_id.len() > MAX_KEY_LEN || sequence.len() > MAX_KEY_LEN {
            return Freshness::Untracked;
        }
        let key = user_id.to_ascii_lowercase();
        if let Some(held) = self.latest.get_mut(&key) {
            if compare(sequence, held) != Ordering::Greater {
                return Freshness::Stale { held: held.clone() };
            }
            sequence.clone_into(held);
            return Freshness::Newer;
        }
        if self.latest.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.latest.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.latest.insert(key, sequence.to_owned());
        Freshness::Newer
    }

    /// The sequence number held for a user.
    pub fn get(&self, user_id: &str) -> Option<&str> {
        self.latest
            .get(&user_id.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Forgets a user (unsubscribed), so the next update for them passes.
    pub fn forget(&mut self, user_id: &str) {
        let key = user_id.to_ascii_lowercase();
        if self.latest.remove(&key).is_some() {
            self.order.retain(|k| *k != key);
        }
    }

    /// How many users it remembers.
    pub fn len(&self) -> usize {
        self.latest.len()
    }

    /// Whether it remembers no one.
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }
}

/// Update order of two sequence numbers (module docs).
pub fn compare(a: &str, b: &str) -> Ordering {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if digits(a) && digits(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers_and_other_stamps_as_strings() {
        assert_eq!(compare("10", "9"), Ordering::Greater);
        assert_eq!(compare("009", "9"), Ordering::Equal);
        assert_eq!(compare("C0000002", "C0000010"), Ordering::Less);
        assert_eq!(compare("b", "a9"), Ordering::Greater);
        assert_eq!(compare("", "0"), Ordering::Less);
    }

    #[test]
    fn older_and_equal_updates_are_stale() {
        let mut tracker = SequenceTracker::new();
        assert_eq!(tracker.observe("U", Some("5")), Freshness::Newer);
        assert_eq!(
            tracker.observe("u", Some("4")),
            Freshness::Stale { held: "5".into() }
        );
        assert_eq!(
            tracker.observe("u", Some("5")),
            Freshness::Stale { held: "5".into() }
        );
        assert_eq!(tracker.observe("u", Some("12")), Freshness::Newer);
        assert_eq!(tracker.get("U"), Some("12"));
        assert_eq!(tracker.observe("u", None), Freshness::Untracked);
        assert_eq!(
            tracker.observe("u", Some(&"9".repeat(300))),
            Freshness::Untracked
        );
    }

    #[test]
    fn memory_is_bounded_by_forgetting_the_first_recorded() {
        let mut tracker = SequenceTracker::with_capacity(2);
        tracker.observe("a", Some("1"));
        tracker.observe("b", Some("1"));
        tracker.observe("c", Some("1"));
        assert_eq!(tracker.len(), 2);
        assert_eq!(tracker.get("a"), None);
        assert_eq!(tracker.observe("a", Some("0")), Freshness::Newer);
        tracker.forget("c");
        assert_eq!(tracker.get("c"), None);
    }
}
