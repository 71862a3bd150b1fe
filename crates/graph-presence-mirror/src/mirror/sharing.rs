//! Where the mirror's state lives: alone in this process (the store, and the registry file),
//! or shared with other instances through Redis (feature `redis`). Everything that differs
//! between the two is here; the rest of the mirror asks.
//!
//! Shared, each identity has one owner at a time, by lease: only the owner creates, renews,
//! reauthorizes, replaces or deletes its subscription, writes its record (fenced by its token),
//! and reconciles its users. Any instance stores the notifications it receives and reads the
//! users of basic ones. A lifecycle notification for an identity another instance owns is
//! passed to that owner through Redis. When an identity is taken over (its owner died or was
//! cut off), every instance reads the users it owns: the lost instance may have received
//! changes of any identity and not stored them.
//!
//! When Redis cannot be reached, the webhook still answers Graph (it does not touch Redis):
//! rich notifications' presences are held here (at most [`UNSTORED_CAP`]) and stored when Redis
//! answers again; past the cap the oldest are dropped and every owned user is read then. Reads
//! whose results cannot be stored are tried again like failed reads. Leases that cannot be
//! renewed lapse locally two thirds of the way through, so no instance acts on a subscription
//! while another may own it.

use super::{Mirror, Report};
use crate::error::MirrorError;
use crate::store::Applied;
use graph_presence_models::Presence;
use std::collections::VecDeque;

/// The most presences held while Redis cannot be reached.
pub const UNSTORED_CAP: usize = 100_000;

/// An identity's lease, as this instance knows it.
#[derive(Debug, Clone)]
pub(super) enum Lease {
    /// Alone: every identity is this instance's.
    Alone,
    /// This instance holds it with `token` until about `until`.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Held {
        token: u64,
        /// Moved on by the lease keeper (a task of its own, so that a long tick does not let
        /// the lease lapse).
        until: std::sync::Arc<std::sync::Mutex<std::time::Instant>>,
    },
    /// Another instance holds it (or nobody could be asked).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Elsewhere,
}

impl Lease {
    pub(super) fn owned(&self) -> bool {
        match self {
            Lease::Alone => true,
            Lease::Held { until, .. } => {
                let until = *until
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                std::time::Instant::now() < until
            }
            Lease::Elsewhere => false,
        }
    }
}

/// The shared state's handle, and what this instance remembers of it.
#[derive(Debug, Default)]
pub(super) struct Sharing {
    #[cfg(feature = "redis")]
    pub(super) redis: Option<shared::Shared>,
    /// Presences received while Redis could not be reached.
    pub(super) unstored: VecDeque<Presence>,
    /// Some were dropped past the cap: every owned user is read once Redis answers.
    pub(super) dropped_unstored: bool,
    /// Lifecycle actions for identities owned elsewhere, not yet passed to their owner.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(super) unsent_asks: std::collections::BTreeSet<(String, &'static str)>,
}

impl Mirror {
    /// Whether another instance may hold some identities.
    pub(super) fn shared(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.sharing.redis.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    /// Stores notifications' presences: here, or in Redis in one round trip (held when Redis
    /// does not answer).
    pub(super) async fn store_notifications(&mut self, presences: Vec<Presence>) {
        if presences.is_empty() {
            return;
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.sharing.redis {
            let now = self.now();
            // Behind what is held: stored after it, in arrival order.
            if !self.sharing.unstored.is_empty() {
                presences.into_iter().for_each(|p| self.hold_unstored(p));
                return;
            }
            if shared.apply(presences.clone(), now, None).await.is_err() {
                presences.into_iter().for_each(|p| self.hold_unstored(p));
            }
            return;
        }
        let now = self.now();
        for presence in presences {
            self.store.apply_notification(presence, now);
        }
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    fn hold_unstored(&mut self, presence: Presence) {
        if self.sharing.unstored.len() >= UNSTORED_CAP {
            self.sharing.unstored.pop_front();
            self.sharing.dropped_unstored = true;
        }
        self.sharing.unstored.push_back(presence);
    }

    /// The stamp of a read about to be sent (see the store's rules).
    pub(super) async fn read_stamp(&self) -> Result<u64, MirrorError> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.sharing.redis {
            return shared.store.generation().await;
        }
        Ok(self.store.generation())
    }

    /// Stores what a read returned, sent at `sent_at`.
    pub(super) async fn store_reads(
        &mut self,
        presences: Vec<Presence>,
        now: jiff::Timestamp,
        sent_at: u64,
    ) -> Result<Vec<Applied>, MirrorError> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.sharing.redis {
            return shared.apply(presences, now, Some(sent_at)).await;
        }
        Ok(presences
            .into_iter()
            .map(|p| self.store.apply_read_changes(p, now, sent_at))
            .collect())
    }

    /// Stores what was held while Redis did not answer; when some were dropped, every owned
    /// user is read.
    pub(super) async fn store_unstored(&mut self) -> Report {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.sharing.redis
            && !self.sharing.unstored.is_empty()
        {
            let now = self.now();
            let held: Vec<Presence> = self.sharing.unstored.iter().cloned().collect();
            if let Err(error) = shared.apply(held, now, None).await {
                return Report {
                    failures: vec![error],
                    ..Report::default()
                };
            }
            self.sharing.unstored.clear();
            if std::mem::take(&mut self.sharing.dropped_unstored) {
                let owned = self.owned_users();
                return self.read(owned).await;
            }
        }
        Report::default()
    }

    /// The users of the identities this instance owns (all of them, alone).
    pub(super) fn owned_users(&self) -> std::collections::BTreeSet<String> {
        self.slots
            .values()
            .filter(|s| s.lease.owned())
            .flat_map(|s| s.users.iter().cloned())
            .collect()
    }
}

#[cfg(feature = "redis")]
pub(super) mod shared;
#[cfg(not(feature = "redis"))]
#[path = "sharing/alone.rs"]
mod shared;
