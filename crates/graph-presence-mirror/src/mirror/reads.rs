//! Reading presences: the coalesced reads of basic notifications, the reconciliation's batches,
//! and the bulk reads themselves, under the shared rate limit.

use super::{Mirror, Report};
use crate::error::MirrorError;
use crate::subscription::{RETRY_DELAY, later};
use graph_presence_client::MAX_IDS_PER_SUBSCRIPTION;
use std::collections::BTreeSet;

impl Mirror {
    pub(super) fn queue(&mut self, users: BTreeSet<String>) {
        if users.is_empty() {
            return;
        }
        self.pending.extend(users);
        if self.pending_since.is_none() {
            self.pending_since = Some(self.now());
        }
    }

    /// The reconciliation: every user read again each interval, in batches of at most the
    /// budget's calls, spread evenly over the interval so that its load is steady.
    pub(super) async fn reconcile_due(&mut self, now: jiff::Timestamp) -> Report {
        let batch_size = self.settings.reconcile_budget * MAX_IDS_PER_SUBSCRIPTION;
        if self.reconcile_left.is_empty() && self.reconcile_at <= now {
            self.reconcile_left = self.users().into_iter().collect();
            self.reconcile_at = later(now, self.settings.reconcile_interval);
            self.reconcile_batch_at = now;
            let batches = self.reconcile_left.len().div_ceil(batch_size).max(1);
            self.reconcile_spacing =
                self.settings.reconcile_interval / u32::try_from(batches).unwrap_or(u32::MAX);
        }
        if self.reconcile_left.is_empty() || self.reconcile_batch_at > now {
            return Report::default();
        }
        let take = batch_size.min(self.reconcile_left.len());
        let batch: BTreeSet<String> = self.reconcile_left.drain(..take).collect();
        self.reconcile_batch_at = later(now, self.reconcile_spacing);
        self.read(batch).await
    }

    /// Reads `users` with getPresencesByUserId, at most 650 a call, each call under the shared
    /// rate limit, as the identity that holds them. Users whose read failed are read again a
    /// minute later.
    pub(super) async fn read(&mut self, users: BTreeSet<String>) -> Report {
        let mut report = Report::default();
        let mut failed = BTreeSet::new();
        for slot in self.slots.values() {
            let mine: Vec<&String> = slot.users.iter().filter(|u| users.contains(*u)).collect();
            for chunk in mine.chunks(MAX_IDS_PER_SUBSCRIPTION) {
                self.settings.acquire(&slot.identity).await;
                let sent_at = self.store.generation();
                let bulk = slot
                    .identity
                    .client()
                    .presences_of(chunk)
                    .concurrency(1)
                    .send()
                    .await;
                let now = slot.identity.client().clock().now();
                report.users_read += bulk.presences.len();
                for presence in bulk.presences.into_values() {
                    self.store.apply_read(presence, now, sent_at);
                }
                for failure in bulk.failures {
                    failed.extend(failure.ids.iter().map(|id| id.to_ascii_lowercase()));
                    report.failures.push(MirrorError::Request {
                        identity: slot.identity.name().to_owned(),
                        action: "read presences",
                        source: Box::new(failure.error),
                    });
                }
            }
        }
        if !failed.is_empty() {
            self.failed_reads.extend(failed);
            if self.failed_reads_at.is_none() {
                self.failed_reads_at = Some(later(self.now(), RETRY_DELAY));
            }
        }
        report
    }
}
