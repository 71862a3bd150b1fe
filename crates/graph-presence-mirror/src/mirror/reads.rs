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
    ///
    /// A presence subscription can go quiet with no lifecycle event. The users of a batch were
    /// last read in the previous pass or since; when a batch finds some of them changed with no
    /// notification telling of it, and their identity's subscription (alive since that pass
    /// began) delivered nothing since then, it is reported in [`Report::quiet`] and created
    /// again.
    pub(super) async fn reconcile_due(&mut self, now: jiff::Timestamp) -> Report {
        let batch_size = self.settings.reconcile_budget * MAX_IDS_PER_SUBSCRIPTION;
        if self.reconcile_left.is_empty() && self.reconcile_at <= now {
            self.reconcile_left = self.owned_users().into_iter().collect();
            self.reconcile_at = later(now, self.settings.reconcile_interval);
            self.reconcile_batch_at = now;
            self.reconcile_previous_pass_started = self.reconcile_pass_started;
            self.reconcile_pass_started = now;
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
        let (mut report, changed) = self.read_changes(batch).await;
        for name in self.quiet_slots(&changed, now) {
            tracing::warn!(
                identity = %name,
                "presence mirror: a subscription delivered nothing while its users changed; creating it again"
            );
            report.quiet.push(name.clone());
            let replaced = self.replace(&name).await;
            report.merge(replaced);
        }
        report
    }

    /// The identities whose subscription is quiet: users of theirs in `changed`, no delivery
    /// since the previous pass began, and the subscription seen by a batch of that pass or
    /// earlier (each is noted the first time a batch sees it, so a new one is judged only from
    /// the pass after).
    fn quiet_slots(&mut self, changed: &BTreeSet<String>, now: jiff::Timestamp) -> Vec<String> {
        let since = self.reconcile_previous_pass_started;
        let mut quiet = Vec::new();
        for (name, slot) in &mut self.slots {
            let Some(held) = &slot.subscription else {
                continue;
            };
            let seen_since = match &slot.seen_by_reconciliation {
                Some((id, at)) if *id == held.id => *at,
                _ => {
                    slot.seen_by_reconciliation = Some((held.id.clone(), now));
                    continue;
                }
            };
            let users_changed = slot.users.iter().any(|user| changed.contains(user));
            let delivered = slot.last_delivery.is_some_and(|at| at >= since);
            if users_changed && !delivered && seen_since <= since {
                quiet.push(name.clone());
            }
        }
        quiet
    }

    /// Reads `users` with getPresencesByUserId, at most 650 a call, each call under the shared
    /// rate limit, as the identity that holds them. Users whose read failed are read again a
    /// minute later.
    pub(super) async fn read(&mut self, users: BTreeSet<String>) -> Report {
        self.read_changes(users).await.0
    }

    /// [`Mirror::read`], and the users whose held presence the read replaced with a different
    /// one: changes no notification had brought.
    async fn read_changes(&mut self, users: BTreeSet<String>) -> (Report, BTreeSet<String>) {
        let mut changed = BTreeSet::new();
        let mut report = Report::default();
        let mut failed = BTreeSet::new();
        let by_identity: Vec<(crate::identity::Identity, Vec<String>)> = self
            .slots
            .values()
            .map(|slot| {
                let mine = slot.users.intersection(&users).cloned().collect();
                (slot.identity.clone(), mine)
            })
            .collect();
        for (identity, mine) in by_identity {
            for chunk in mine.chunks(MAX_IDS_PER_SUBSCRIPTION) {
                self.settings.acquire(&identity).await;
                let sent_at = match self.read_stamp().await {
                    Ok(sent_at) => sent_at,
                    Err(error) => {
                        failed.extend(chunk.iter().cloned());
                        report.failures.push(error);
                        continue;
                    }
                };
                let bulk = identity
                    .client()
                    .presences_of(chunk)
                    .concurrency(1)
                    .send()
                    .await;
                let now = identity.client().clock().now();
                report.users_read += bulk.presences.len();
                let presences: Vec<_> = bulk.presences.into_values().collect();
                let read: Vec<String> = presences
                    .iter()
                    .map(|p| p.id.to_ascii_lowercase())
                    .collect();
                match self.store_reads(presences, now, sent_at).await {
                    Ok(applied) => changed.extend(
                        read.into_iter()
                            .zip(applied)
                            .filter(|(_, applied)| applied.replaced)
                            .map(|(user, _)| user),
                    ),
                    // Read but not stored: read again later, like a failed read.
                    Err(error) => {
                        failed.extend(read);
                        report.failures.push(error);
                    }
                }
                for failure in bulk.failures {
                    // Throttled after the client's own retries: the shared limit allows fewer.
                    if failure.error.status().map(|s| s.as_u16()) == Some(429) {
                        self.settings.rate_limit.throttled(now);
                    }
                    failed.extend(failure.ids.iter().map(|id| id.to_ascii_lowercase()));
                    report.failures.push(MirrorError::Request {
                        identity: identity.name().to_owned(),
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
        (report, changed)
    }
}
