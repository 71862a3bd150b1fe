//! What the emulator holds, behind one lock: the directory and each user's presence, the
//! subscriptions, the throttle, the faults and the counters; and the timers that say when a
//! user's presence next changes by time alone (a fade, an expiry), so that a change reaches
//! the subscriptions covering that user whether a request caused it or the clock did.

use crate::directory::Directory;
use crate::faults::Faults;
use crate::presence::UserPresence;
use crate::subscriptions::{Record, Subscriptions};
use crate::throttle::Throttle;
use graph_presence_models::Presence;
use jiff::Timestamp;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::collections::BinaryHeap;

/// One user's presence changed: what the subscriptions covering them are sent.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// The new presence, as another user sees it.
    pub presence: Presence,
    /// The subscriptions covering the user when it changed.
    pub subscriptions: Vec<Record>,
}

/// Requests and what became of them, for the admin API.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Counters {
    /// Requests answered, by operationId.
    pub requests: BTreeMap<String, u64>,
    /// Answers by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Presence changes observed.
    pub changes: u64,
}

pub(crate) struct State {
    pub directory: Directory,
    /// Each user's presence, by directory index.
    pub users: Vec<UserPresence>,
    /// The last sequence number handed out.
    pub sequence: u64,
    /// When each user's presence may next change by time alone (stale entries are harmless:
    /// observing an unchanged user changes nothing).
    timers: BinaryHeap<Reverse<(Timestamp, usize)>>,
    pub subscriptions: Subscriptions,
    pub throttle: Throttle,
    pub faults: Faults,
    pub counters: Counters,
}

impl State {
    pub fn new(directory: Directory, throttle: Throttle, faults: Faults) -> State {
        let users = vec![UserPresence::default(); directory.len()];
        State {
            directory,
            users,
            sequence: 0,
            timers: BinaryHeap::new(),
            subscriptions: Subscriptions::default(),
            throttle,
            faults,
            counters: Counters::default(),
        }
    }

    /// After user `index` was acted on (or a timer of theirs fell due): their change, if
    /// anything another reader sees changed, with the subscriptions to tell; and the next
    /// time their presence changes by time alone, scheduled.
    pub fn observe(&mut self, index: usize, now: Timestamp) -> Option<Change> {
        let user = self.directory.user(index)?;
        let presence = self.users[index].observe(&user.id, now, &mut self.sequence);
        if let Some(next) = self.users[index].next_change(now) {
            self.timers.push(Reverse((next, index)));
        }
        let presence = presence?;
        self.counters.changes += 1;
        let subscriptions = self.subscriptions.covering(index).cloned().collect();
        Some(Change {
            presence,
            subscriptions,
        })
    }

    /// The earliest timer.
    pub fn next_timer(&self) -> Option<Timestamp> {
        self.timers.peek().map(|Reverse((at, _))| *at)
    }

    /// Every user whose timer fell due by `now`, observed.
    pub fn due(&mut self, now: Timestamp) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut due = Vec::new();
        while let Some(Reverse((at, index))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            if !due.contains(&index) {
                due.push(index);
            }
        }
        for index in due {
            changes.extend(self.observe(index, now));
        }
        changes
    }

    /// Counts an answer.
    pub fn count(&mut self, operation: &str, status: u16) {
        *self
            .counters
            .requests
            .entry(operation.to_owned())
            .or_default() += 1;
        *self.counters.statuses.entry(status).or_default() += 1;
    }
}
