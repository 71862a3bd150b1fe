//! The latest presence of every user, ordered by `sequenceNumber`.
//!
//! Two kinds of news arrive, in any order: notifications, which carry a `sequenceNumber`, and
//! reads (after a missed notification, a restart, a reconciliation), which may not. The rules:
//!
//! - Between two sequence numbers the newer wins (compared as the notifications crate
//!   compares them); an older or equal one never overwrites.
//! - A read without a sequence number cannot be ordered against a notification, so it is
//!   ordered by when it was sent: the store counts every update it applies (its generation),
//!   a read is stamped with the generation when it was sent, and it does not overwrite a user
//!   whom a notification updated after that (the notification is at least as new as the
//!   read). The user is still recorded as confirmed. A read applied keeps the sequence number
//!   held, so notifications older than that one stay refused.
//!
//! What is left open, and settled by the next read of that user: a notification with a
//! sequence number newer than the one held but older than what a read without one showed.

use graph_presence_models::Presence;
use graph_presence_notifications::compare_sequence_numbers as sequence_compare;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// How many changes the broadcast holds for a slow subscriber before it lags.
const CHANGES_CAPACITY: usize = 4096;

/// What the mirror knows of one user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPresence {
    /// The latest presence (`None` when only its sequence number is known, after a restart and
    /// before the first read).
    pub presence: Option<Presence>,
    /// The newest `sequenceNumber` seen for the user.
    pub sequence_number: Option<String>,
    /// When Graph last confirmed it: a read, or a notification (by the mirror's clock).
    pub confirmed: Option<jiff::Timestamp>,
    /// The store's generation when it was last updated.
    generation: u64,
}

impl UserPresence {
    /// A user of whom nothing is known yet.
    fn unknown() -> Self {
        UserPresence {
            presence: None,
            sequence_number: None,
            confirmed: None,
            generation: 0,
        }
    }
}

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A notification (rich, with the presence in it).
    Notification,
    /// A read (getPresencesByUserId).
    Read,
}

/// A user's presence changed in the mirror.
#[derive(Debug, Clone)]
pub struct Change {
    /// The user (lowercase).
    pub user_id: String,
    /// The new presence.
    pub presence: Arc<Presence>,
    /// Where it came from.
    pub source: Source,
}

/// What applying one presence did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    /// It was newer than the one held, and is held now.
    pub newer: bool,
    /// It replaced a presence held with a different one.
    pub replaced: bool,
}

/// A presence as the shared store (Redis) holds it, for an instance's local copy.
#[cfg(feature = "redis")]
#[derive(Debug)]
pub(crate) struct Replicated {
    pub presence: Presence,
    pub sequence_number: Option<String>,
    /// The shared store's generation when it was applied there.
    pub generation: u64,
    pub confirmed: Option<jiff::Timestamp>,
    pub source: Source,
}

/// The store, shared: cheap to clone, readable while the mirror runs.
#[derive(Debug, Clone)]
pub struct PresenceStore {
    inner: Arc<Mutex<Inner>>,
    changes: broadcast::Sender<Change>,
}

#[derive(Debug, Default)]
struct Inner {
    users: BTreeMap<String, UserPresence>,
    generation: u64,
}

impl Default for PresenceStore {
    fn default() -> Self {
        PresenceStore {
            inner: Arc::default(),
            changes: broadcast::channel(CHANGES_CAPACITY).0,
        }
    }
}

impl PresenceStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One user (any letter case).
    pub fn get(&self, user_id: &str) -> Option<UserPresence> {
        self.lock()
            .users
            .get(&user_id.to_ascii_lowercase())
            .cloned()
    }

    /// Every user, by lowercase id.
    pub fn snapshot(&self) -> BTreeMap<String, UserPresence> {
        self.lock().users.clone()
    }

    /// When Graph last confirmed the user's presence.
    pub fn last_confirmed(&self, user_id: &str) -> Option<jiff::Timestamp> {
        self.get(user_id).and_then(|u| u.confirmed)
    }

    /// Every change from now on. A subscriber that falls more than 4,096 changes behind gets
    /// `Lagged`, and reads [`PresenceStore::snapshot`] to catch up.
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// The generation now: stamp a read with it when it is sent.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The sequence numbers held, for the registry.
    pub(crate) fn sequence_numbers(&self) -> BTreeMap<String, String> {
        self.lock()
            .users
            .iter()
            .filter_map(|(id, u)| Some((id.clone(), u.sequence_number.clone()?)))
            .collect()
    }

    /// Sequence numbers saved before a restart: notifications older than them stay refused.
    pub(crate) fn restore(&self, sequences: BTreeMap<String, String>) {
        let mut inner = self.lock();
        for (id, sequence) in sequences {
            inner
                .users
                .entry(id.to_ascii_lowercase())
                .or_insert_with(UserPresence::unknown)
                .sequence_number = Some(sequence);
        }
    }

    /// Users no longer followed.
    pub(crate) fn forget<'a>(&self, user_ids: impl IntoIterator<Item = &'a String>) {
        let mut inner = self.lock();
        for id in user_ids {
            inner.users.remove(id);
        }
    }

    /// A notification's presence; false when it is older than the one held.
    pub(crate) fn apply_notification(&self, presence: Presence, now: jiff::Timestamp) -> bool {
        self.apply(presence, now, Source::Notification, None).newer
    }

    /// A read's presence, sent at generation `sent_at`; false when a notification held is
    /// newer.
    #[cfg(test)]
    pub(crate) fn apply_read(
        &self,
        presence: Presence,
        now: jiff::Timestamp,
        sent_at: u64,
    ) -> bool {
        self.apply(presence, now, Source::Read, Some(sent_at)).newer
    }

    /// [`PresenceStore::apply_read`], saying also whether it replaced a presence held with a
    /// different one: a change no notification had brought.
    pub(crate) fn apply_read_changes(
        &self,
        presence: Presence,
        now: jiff::Timestamp,
        sent_at: u64,
    ) -> Applied {
        self.apply(presence, now, Source::Read, Some(sent_at))
    }

    /// A presence the shared store applied (and so ordered), kept here unless this copy holds
    /// one it applied later. Subscribers hear of it when it changed the presence held.
    #[cfg(feature = "redis")]
    pub(crate) fn replicate(&self, shared: Replicated) {
        let user_id = shared.presence.id.to_ascii_lowercase();
        let mut inner = self.lock();
        let entry = inner
            .users
            .entry(user_id.clone())
            .or_insert_with(UserPresence::unknown);
        if entry.generation >= shared.generation && entry.presence.is_some() {
            return;
        }
        let changed = entry.presence.as_ref() != Some(&shared.presence);
        entry.generation = shared.generation;
        entry.sequence_number = shared.sequence_number.or(entry.sequence_number.take());
        entry.confirmed = shared.confirmed.max(entry.confirmed);
        entry.presence = Some(shared.presence.clone());
        drop(inner);
        if changed {
            let _ = self.changes.send(Change {
                user_id,
                presence: Arc::new(shared.presence),
                source: shared.source,
            });
        }
    }

    /// The shared store restarted empty: its generations start again, so what this copy holds
    /// no longer outranks what comes next.
    #[cfg(feature = "redis")]
    pub(crate) fn restart_generations(&self) {
        for user in self.lock().users.values_mut() {
            user.generation = 0;
        }
    }

    /// The one place the rules in the module's docs are applied.
    fn apply(
        &self,
        presence: Presence,
        now: jiff::Timestamp,
        source: Source,
        read_sent_at: Option<u64>,
    ) -> Applied {
        let user_id = presence.id.to_ascii_lowercase();
        let incoming = presence.sequence_number.as_option().cloned();
        let mut inner = self.lock();
        inner.generation += 1;
        let generation = inner.generation;
        let entry = inner
            .users
            .entry(user_id.clone())
            .or_insert_with(UserPresence::unknown);
        let newer = match (&incoming, &entry.sequence_number, read_sent_at) {
            (Some(new), Some(held), _) => sequence_compare(new, held) == Ordering::Greater,
            (Some(_), None, _) => true,
            // A read without a sequence number: newer unless a notification came after it
            // was sent.
            (None, _, Some(sent_at)) => entry.generation <= sent_at,
            // A notification without one cannot be ordered: applied, as Graph sent it last.
            (None, _, None) => true,
        };
        let same_or_newer = newer
            || incoming
                .as_deref()
                .zip(entry.sequence_number.as_deref())
                .is_some_and(|(new, held)| sequence_compare(new, held) == Ordering::Equal);
        if same_or_newer || source == Source::Read {
            entry.confirmed = Some(now);
        }
        if !newer {
            return Applied::default();
        }
        if incoming.is_some() {
            entry.sequence_number = incoming;
        }
        let changed = entry.presence.as_ref() != Some(&presence);
        let replaced = changed && entry.presence.is_some();
        entry.generation = generation;
        entry.presence = Some(presence.clone());
        drop(inner);
        if changed {
            // No subscriber is not an error: nobody is listening.
            let _ = self.changes.send(Change {
                user_id,
                presence: Arc::new(presence),
                source,
            });
        }
        Applied {
            newer: true,
            replaced,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph_presence_models::Availability;

    fn presence(id: &str, availability: Availability, sequence: Option<&str>) -> Presence {
        let mut p = Presence::new(id).availability(availability);
        if let Some(s) = sequence {
            p = p.sequence_number(s);
        }
        p
    }

    fn availability(store: &PresenceStore, id: &str) -> Option<Availability> {
        store
            .get(id)
            .and_then(|u| u.presence)
            .and_then(|p| p.availability.as_option().cloned())
    }

    #[test]
    fn an_older_notification_never_overwrites_a_newer_one() {
        let store = PresenceStore::default();
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert!(store.apply_notification(presence("U", Availability::Busy, Some("10")), now));
        assert!(!store.apply_notification(presence("u", Availability::Away, Some("9")), now));
        assert_eq!(availability(&store, "u"), Some(Availability::Busy));
    }

    #[test]
    fn a_read_sent_before_a_notification_does_not_regress_it_but_confirms() {
        let store = PresenceStore::default();
        let t0 = jiff::Timestamp::UNIX_EPOCH;
        let t1 = t0 + jiff::SignedDuration::from_secs(5);
        let sent_at = store.generation();
        store.apply_notification(presence("u", Availability::Busy, Some("3")), t0);
        assert!(!store.apply_read(presence("u", Availability::Available, None), t1, sent_at));
        assert_eq!(availability(&store, "u"), Some(Availability::Busy));
        assert_eq!(store.last_confirmed("u"), Some(t1));
        // A read sent after it applies, and keeps the sequence number held.
        let sent_at = store.generation();
        assert!(store.apply_read(presence("u", Availability::Away, None), t1, sent_at));
        assert_eq!(availability(&store, "u"), Some(Availability::Away));
        assert!(!store.apply_notification(presence("u", Availability::Busy, Some("2")), t1));
    }

    #[test]
    fn restored_sequence_numbers_refuse_older_notifications_after_a_restart() {
        let store = PresenceStore::default();
        store.restore(BTreeMap::from([("u".to_owned(), "7".to_owned())]));
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert!(!store.apply_notification(presence("u", Availability::Busy, Some("6")), now));
        assert!(store.apply_notification(presence("u", Availability::Busy, Some("8")), now));
    }
}
