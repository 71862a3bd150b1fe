//! The mirror: the pool's subscriptions kept alive, the store kept converged, the registry
//! kept on disk. Nothing here runs on its own: [`Mirror::handle`] takes the webhook's events,
//! [`Mirror::tick`] does what is due by the clock, and [`Mirror::run`] loops over both.
//! Keeping the pool's subscriptions is in `keeping.rs`, reading presences in `reads.rs`.

mod keeping;
mod reads;
mod sharing;

pub use sharing::UNSTORED_CAP;

use crate::error::MirrorError;
use crate::identity::Identity;
use crate::placement::{self, Placement};
use crate::registry::{Registry, Saved, SavedIdentity, SavedSubscription};
use crate::settings::MirrorSettings;
use crate::store::PresenceStore;
use crate::subscription::{self, Action, Held, later};
use graph_presence_notifications::Event;
use sharing::{Lease, Sharing};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The most events [`Mirror::run`] handles together.
const RUN_BATCH: usize = 1000;

/// One identity, its users, and the subscription Graph holds for it.
#[derive(Debug)]
struct Slot {
    identity: Identity,
    /// The signed-in user's object id, when the token says it.
    signed_in: Option<String>,
    /// The users it should watch.
    users: BTreeSet<String>,
    subscription: Option<Held>,
    /// After a failed create: not before this.
    retry_at: Option<jiff::Timestamp>,
    /// When a notification (of any kind) last came through its subscription.
    last_delivery: Option<jiff::Timestamp>,
    /// Its subscription as the reconciliation first saw it, and when: a subscription is
    /// judged quiet only over a whole pass it was alive for.
    seen_by_reconciliation: Option<(String, jiff::Timestamp)>,
    /// Whether this instance acts on its subscription (always, alone).
    lease: Lease,
}

impl Slot {
    /// Its subscription does not watch exactly its users.
    fn needs_change(&self) -> bool {
        match &self.subscription {
            Some(held) => held.users != self.users,
            None => !self.users.is_empty(),
        }
    }
}

/// What a call did, by identity, and what failed (each identity goes on whatever another's
/// requests did).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Report {
    /// Subscription requests that succeeded: identity name and action.
    pub actions: Vec<(String, Action)>,
    /// Users whose presence was read.
    pub users_read: usize,
    /// What failed.
    pub failures: Vec<MirrorError>,
    /// Identities whose subscription delivered nothing over a whole reconciliation pass while
    /// the reconciliation found its users changed: each was recreated (see the `actions`).
    pub quiet: Vec<String>,
}

impl Report {
    /// How many times `action` was done.
    pub fn count(&self, action: Action) -> usize {
        self.actions.iter().filter(|(_, a)| *a == action).count()
    }

    fn merge(&mut self, other: Report) {
        self.actions.extend(other.actions);
        self.users_read += other.users_read;
        self.failures.extend(other.failures);
        self.quiet.extend(other.quiet);
    }
}

/// What [`Mirror::shutdown`] does with the subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Keep them: the next start from the registry renews them.
    Keep,
    /// Delete them; the registry keeps the users, so the next start subscribes them again.
    Delete,
}

/// Presence of many users, followed over a pool of identities and mirrored locally.
#[derive(Debug)]
pub struct Mirror {
    slots: BTreeMap<String, Slot>,
    settings: MirrorSettings,
    registry: Registry,
    store: PresenceStore,
    /// Users to read, from basic notifications, and when the first of them came.
    pending: BTreeSet<String>,
    pending_since: Option<jiff::Timestamp>,
    /// Users whose read failed, read again a minute later (not at every window: the failure
    /// may last, and each try costs a share of the rate limit).
    failed_reads: BTreeSet<String>,
    failed_reads_at: Option<jiff::Timestamp>,
    /// The webhook's dropped-event count last seen.
    dropped_seen: u64,
    /// When the next reconciliation starts, the users it has left, when its next batch is
    /// due and how far apart its batches are (spread over the interval).
    reconcile_at: jiff::Timestamp,
    reconcile_left: Vec<String>,
    reconcile_batch_at: jiff::Timestamp,
    reconcile_spacing: Duration,
    /// When the reconciliation's current pass began, and the one before.
    reconcile_pass_started: jiff::Timestamp,
    reconcile_previous_pass_started: jiff::Timestamp,
    /// What the registry holds, so that a save with nothing new writes nothing.
    last_saved: Option<Saved>,
    /// Where the state lives: here, or shared through Redis.
    sharing: Sharing,
}

impl Mirror {
    /// Starts the mirror over `identities`: each token is checked (an app-only one is refused
    /// before anything is sent), and the registry, if there is one, is resumed. Its
    /// subscriptions still alive are renewed (not created again), those Graph no longer has are
    /// created again, and every user is read once. Users of identities no longer in the pool
    /// are placed over the others. Follow more users with [`Mirror::add`].
    pub async fn start(
        identities: Vec<Identity>,
        settings: MirrorSettings,
    ) -> Result<(Mirror, Report), MirrorError> {
        if identities.is_empty() {
            return Err(MirrorError::NotEnoughIdentities {
                users: 0,
                needed: 1,
                have: 0,
                missing: 1,
            });
        }
        let mut slots = BTreeMap::new();
        for identity in identities {
            let signed_in = identity.signed_in_user().await?;
            let name = identity.name().to_owned();
            let slot = Slot {
                identity,
                signed_in: signed_in.map(|s| s.to_ascii_lowercase()),
                users: BTreeSet::new(),
                subscription: None,
                retry_at: None,
                last_delivery: None,
                seen_by_reconciliation: None,
                lease: Lease::Alone,
            };
            if slots.insert(name.clone(), slot).is_some() {
                return Err(MirrorError::DuplicateIdentity(name));
            }
        }
        let registry = Registry::in_directory(&settings.registry_directory);
        let saved = registry.load()?;
        let store = PresenceStore::default();
        let mut mirror = Mirror {
            slots,
            settings,
            registry,
            store,
            pending: BTreeSet::new(),
            pending_since: None,
            failed_reads: BTreeSet::new(),
            failed_reads_at: None,
            dropped_seen: 0,
            reconcile_at: jiff::Timestamp::MIN,
            reconcile_left: Vec::new(),
            reconcile_batch_at: jiff::Timestamp::MIN,
            reconcile_spacing: Duration::ZERO,
            reconcile_pass_started: jiff::Timestamp::MIN,
            reconcile_previous_pass_started: jiff::Timestamp::MIN,
            last_saved: None,
            sharing: Sharing::default(),
        };
        mirror.reconcile_at = later(mirror.now(), mirror.settings.reconcile_interval);
        #[cfg(feature = "redis")]
        if let Some(redis) = mirror.settings.redis.clone() {
            let report = mirror.start_shared(redis).await?;
            return Ok((mirror, report));
        }
        let mut report = Report::default();
        let mut orphans = BTreeSet::new();
        if let Some(saved) = saved {
            // Subscriptions made with another URL or client state are not renewed: marking
            // them as watching nobody makes the next change delete and create them.
            let same = saved.notification_url == mirror.settings.notification_url
                && saved.client_state == mirror.settings.client_state;
            mirror.store.restore(saved.sequences);
            for (name, saved) in saved.identities {
                let Some(slot) = mirror.slots.get_mut(&name) else {
                    tracing::warn!(
                        identity = %name,
                        users = saved.users.len(),
                        "presence mirror: a saved identity is not in the pool; its users are placed over the others and its subscription lapses"
                    );
                    orphans.extend(saved.users);
                    continue;
                };
                slot.users = saved.users;
                slot.subscription = saved.subscription.map(|s| Held {
                    id: s.id,
                    users: if same { s.users } else { BTreeSet::new() },
                    expires: s.expires,
                    granted: s.expires,
                    retry_at: None,
                });
            }
            report.merge(mirror.resume().await);
            // Saved before the orphans are placed, which may be refused.
            mirror.save(&mut report);
        }
        if !orphans.is_empty() {
            report.merge(mirror.add(&orphans).await?);
        }
        mirror.save(&mut report);
        Ok((mirror, report))
    }

    /// The store: snapshot, per-user lookups, changes. Cheap to clone and read elsewhere.
    pub fn store(&self) -> &PresenceStore {
        &self.store
    }

    /// The registry file.
    pub fn registry_path(&self) -> &std::path::Path {
        self.registry.path()
    }

    /// Every user followed (lowercase).
    pub fn users(&self) -> BTreeSet<String> {
        self.slots
            .values()
            .flat_map(|s| s.users.iter().cloned())
            .collect()
    }

    /// The identities whose subscription this instance keeps: all of them alone; shared, those
    /// whose lease it holds.
    pub fn owned(&self) -> BTreeSet<String> {
        self.slots
            .iter()
            .filter(|(_, slot)| slot.lease.owned())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Each identity's subscription id (`None` while it has none).
    pub fn subscriptions(&self) -> BTreeMap<String, Option<String>> {
        self.slots
            .iter()
            .map(|(name, slot)| {
                (
                    name.clone(),
                    slot.subscription.as_ref().map(|h| h.id.clone()),
                )
            })
            .collect()
    }

    /// Follows more users. Ids no filter can carry are refused, and users that do not fit in
    /// the pool (650 per identity) are refused with how many identities are missing, in both
    /// cases before anything is sent. The new users go to the identities with the most room,
    /// so few subscriptions change; a subscription's resource cannot be patched, so each
    /// identity that takes users has its subscription deleted and created again, and its
    /// users are read (a change in between would be lost otherwise).
    pub async fn add<I: AsRef<str>>(
        &mut self,
        ids: impl IntoIterator<Item = I>,
    ) -> Result<Report, MirrorError> {
        let ids = self.checked(ids)?;
        // Against the placement as it is when written: shared, another instance may have
        // placed some of them since.
        let changed = self
            .change_placement(|placement| {
                let new: BTreeSet<String> = ids
                    .iter()
                    .filter(|id| !placement.values().any(|users| users.contains(*id)))
                    .cloned()
                    .collect();
                placement::add(placement, &new)
            })
            .await?;
        let mut report = self.converge(&changed).await;
        self.persist(&mut report).await;
        Ok(report)
    }

    /// Stops following users: only the identities that held them have their subscription
    /// created again (or deleted, when no user is left).
    pub async fn remove<I: AsRef<str>>(&mut self, ids: impl IntoIterator<Item = I>) -> Report {
        let gone: BTreeSet<String> = ids
            .into_iter()
            .map(|id| id.as_ref().to_ascii_lowercase())
            .collect();
        let changed = self
            .change_placement(|placement| Ok(placement::remove(placement, &gone)))
            .await;
        let changed = match changed {
            Ok(changed) => changed,
            Err(error) => {
                return Report {
                    failures: vec![error],
                    ..Report::default()
                };
            }
        };
        self.store.forget(&gone);
        self.forget_shared(&gone).await;
        self.pending.retain(|u| !gone.contains(u));
        let mut report = self.converge(&changed).await;
        self.persist(&mut report).await;
        report
    }

    /// Takes one of the webhook's events: a rich notification's presence goes to the store
    /// (unless older than the one held), a basic one queues its user for the next coalesced
    /// read, and a lifecycle event is acted on: `reauthorizationRequired` reauthorizes,
    /// `subscriptionRemoved` creates the subscription again and `missed` reads its users.
    ///
    /// Sequence numbers reach the registry at the next [`Mirror::tick`], not at every
    /// notification (one write per change would be one fsync per change); a crash in between
    /// loses nothing, because a start reads every user again.
    pub async fn handle(&mut self, event: Event) -> Report {
        let mut report = Report::default();
        match event {
            Event::PresenceChanged {
                presence,
                subscription_id,
                ..
            } => {
                self.delivered(&subscription_id);
                self.store_notifications(vec![*presence]).await;
            }
            Event::ResourceChanged {
                subscription_id,
                user_id,
                resource,
            } => {
                self.delivered(&subscription_id);
                let users = match (user_id, resource) {
                    (Some(user), _) => BTreeSet::from([user.to_ascii_lowercase()]),
                    (None, Some(resource)) => subscription::resource_users(&resource),
                    (None, None) => self.users_of(&subscription_id),
                };
                self.queue(users);
            }
            Event::Lifecycle(notification) => {
                let Some(event) = notification.lifecycle_event.as_option() else {
                    return report;
                };
                report = self.lifecycle(&notification.subscription_id, event).await;
                self.persist(&mut report).await;
            }
            Event::Stale { .. } => {}
            other => tracing::warn!(event = ?other, "presence mirror: webhook event not used"),
        }
        report
    }

    /// [`Mirror::handle`] for several events: the rich notifications' presences are stored
    /// together (shared, in one round trip to Redis instead of one each).
    pub async fn handle_all(&mut self, events: impl IntoIterator<Item = Event>) -> Report {
        let mut report = Report::default();
        let mut presences = Vec::new();
        for event in events {
            match event {
                Event::PresenceChanged {
                    presence,
                    subscription_id,
                    ..
                } => {
                    self.delivered(&subscription_id);
                    presences.push(*presence);
                }
                other => report.merge(self.handle(other).await),
            }
        }
        self.store_notifications(presences).await;
        report
    }

    /// The webhook's count of events dropped because its channel was full
    /// (`Webhook::dropped_events`): when it moved, any change may be lost, so every user is
    /// read.
    pub async fn observe_dropped_events(&mut self, dropped: u64) -> Report {
        if dropped <= self.dropped_seen {
            return Report::default();
        }
        tracing::warn!(
            dropped = dropped - self.dropped_seen,
            "presence mirror: the webhook dropped events; reading every user"
        );
        self.dropped_seen = dropped;
        let everyone = self.users();
        self.read(everyone).await
    }

    /// Does what is due by the clock: creates subscriptions that failed before (a minute
    /// later), renews those due (each identity with its own token; one failing does not stop
    /// the others), reads the users of basic notifications once the coalescing window has
    /// passed, and spends the reconciliation's budget.
    pub async fn tick(&mut self) -> Report {
        let mut report = self.refresh_shared().await;
        report.merge(self.store_unstored().await);
        let now = self.now();
        let margin = self.settings.margin();
        let retry: BTreeSet<String> = self
            .slots
            .iter()
            .filter(|(_, s)| s.lease.owned())
            .filter(|(_, s)| s.needs_change() && s.retry_at.is_none_or(|at| at <= now))
            .map(|(name, _)| name.clone())
            .collect();
        report.merge(self.converge(&retry).await);
        let due: Vec<String> = self
            .slots
            .iter()
            .filter(|(_, s)| {
                s.lease.owned()
                    && s.subscription
                        .as_ref()
                        .is_some_and(|h| h.due(margin) <= now)
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            report.merge(self.renew(&name).await);
        }
        if self
            .pending_since
            .is_some_and(|since| later(since, self.settings.coalesce_window) <= now)
        {
            report.merge(self.flush().await);
        }
        if self.failed_reads_at.is_some_and(|at| at <= now) {
            let users = std::mem::take(&mut self.failed_reads);
            self.failed_reads_at = None;
            report.merge(self.read(users).await);
        }
        report.merge(self.reconcile_due(now).await);
        self.persist(&mut report).await;
        report
    }

    /// Reads the users of basic notifications now, without waiting for the window.
    pub async fn flush(&mut self) -> Report {
        let users = std::mem::take(&mut self.pending);
        self.pending_since = None;
        self.read(users).await
    }

    /// Starts a reconciliation at the next [`Mirror::tick`] (one under way goes on at once):
    /// every user is read again, within the budget per batch.
    pub fn reconcile_now(&mut self) {
        self.reconcile_at = jiff::Timestamp::MIN;
        self.reconcile_batch_at = jiff::Timestamp::MIN;
    }

    /// When [`Mirror::tick`] next has something to do.
    pub fn next_due(&self) -> jiff::Timestamp {
        let margin = self.settings.margin();
        let renewals = self
            .slots
            .values()
            .filter(|s| s.lease.owned())
            .filter_map(|s| s.subscription.as_ref().map(|h| h.due(margin)));
        let retries = self
            .slots
            .values()
            .filter(|s| s.lease.owned() && s.needs_change())
            .map(|s| s.retry_at.unwrap_or(jiff::Timestamp::MIN));
        let pending = self
            .pending_since
            .map(|since| later(since, self.settings.coalesce_window))
            .into_iter()
            .chain(self.failed_reads_at);
        let reconcile = if self.reconcile_left.is_empty() {
            self.reconcile_at
        } else {
            self.reconcile_batch_at
        };
        let due = renewals
            .chain(retries)
            .chain(pending)
            .chain([reconcile])
            .min()
            .unwrap_or(reconcile);
        due.min(self.leases_due())
    }

    /// Runs until `events` closes: each event handled as it comes, the webhook's dropped
    /// count (`dropped`, for example `|| webhook.dropped_events()`) looked at after each, and
    /// [`Mirror::tick`] at [`Mirror::next_due`] by the identities' clock. Failures are traced
    /// and tried again later.
    pub async fn run(
        &mut self,
        events: &mut tokio::sync::mpsc::Receiver<Event>,
        dropped: impl Fn() -> u64,
    ) {
        loop {
            let wait =
                Duration::try_from(self.next_due().duration_since(self.now())).unwrap_or_default();
            let sleep = self.clock_client().clock().sleep(wait);
            let report = tokio::select! {
                event = events.recv() => match event {
                    Some(event) => {
                        // With whatever else is waiting, up to a batch.
                        let mut batch = vec![event];
                        while batch.len() < RUN_BATCH
                            && let Ok(event) = events.try_recv()
                        {
                            batch.push(event);
                        }
                        let mut report = self.handle_all(batch).await;
                        report.merge(self.observe_dropped_events(dropped()).await);
                        report
                    }
                    None => return,
                },
                () = sleep => self.tick().await,
            };
            for failure in &report.failures {
                tracing::warn!(error = %failure, "presence mirror: will try again");
            }
        }
    }

    /// Stops: the registry is saved with the subscriptions ([`Shutdown::Keep`], for the next
    /// start to renew) or without them, after deleting them ([`Shutdown::Delete`]).
    pub async fn shutdown(mut self, what: Shutdown) -> Report {
        let mut report = Report::default();
        if what == Shutdown::Delete {
            for slot in self.slots.values_mut().filter(|s| s.lease.owned()) {
                let Some(held) = slot.subscription.take() else {
                    continue;
                };
                match subscription::delete(&slot.identity, &self.settings, &held.id).await {
                    Ok(()) => report
                        .actions
                        .push((slot.identity.name().to_owned(), Action::Deleted)),
                    Err(error) => {
                        report.failures.push(error);
                        slot.subscription = Some(held);
                    }
                }
            }
        }
        self.save(&mut report);
        self.save_shared(&mut report).await;
        self.release_leases().await;
        report
    }

    // ----------------------------------------------------------------------------------------

    fn now(&self) -> jiff::Timestamp {
        self.clock_client().clock().now()
    }

    /// The client whose clock the mirror tells the time by: the first identity's.
    fn clock_client(&self) -> &graph_presence_client::Client {
        // `start` refuses an empty pool, so there is always a first.
        match self.slots.values().next() {
            Some(slot) => slot.identity.client(),
            None => unreachable!("a mirror has at least one identity"),
        }
    }

    /// The ids lowercase, refused by the client's own rules for a filter.
    fn checked<I: AsRef<str>>(
        &self,
        ids: impl IntoIterator<Item = I>,
    ) -> Result<BTreeSet<String>, MirrorError> {
        let request = self.clock_client().presence_subscriptions(
            ids,
            &self.settings.notification_url,
            &self.settings.client_state,
        );
        if let Some(first) = request.rejected().first() {
            return Err(MirrorError::InvalidIds {
                count: request.rejected().len(),
                first: format!("{} ({})", crate::error::cut(&first.id), first.reason),
            });
        }
        Ok(request
            .ids()
            .iter()
            .map(|id| id.to_ascii_lowercase())
            .collect())
    }

    fn placement(&self) -> Placement {
        self.slots
            .iter()
            .map(|(name, slot)| (name.clone(), slot.users.clone()))
            .collect()
    }

    fn set_placement(&mut self, placement: Placement) {
        for (name, users) in placement {
            if let Some(slot) = self.slots.get_mut(&name) {
                slot.users = users;
            }
        }
    }

    /// A notification came through `subscription_id`: its identity's subscription is alive.
    fn delivered(&mut self, subscription_id: &str) {
        let now = self.now();
        let slot = self.slots.values_mut().find(|slot| {
            slot.subscription
                .as_ref()
                .is_some_and(|held| held.id.eq_ignore_ascii_case(subscription_id))
        });
        if let Some(slot) = slot {
            slot.last_delivery = Some(now);
        }
    }

    fn users_of(&self, subscription_id: &str) -> BTreeSet<String> {
        self.slots
            .values()
            .find(|s| {
                s.subscription
                    .as_ref()
                    .is_some_and(|h| h.id == subscription_id)
            })
            .map(|s| s.users.clone())
            .unwrap_or_default()
    }

    /// Saves what changed: the registry file alone, the owned records when shared.
    async fn persist(&mut self, report: &mut Report) {
        self.save(report);
        self.save_shared(report).await;
    }

    /// Writes the registry file when what it would hold changed (alone only: shared, the
    /// records are in Redis); a failure is reported, and the next save tries again.
    fn save(&mut self, report: &mut Report) {
        if self.shared() {
            return;
        }
        let saved = Saved {
            version: 0,
            client_state: self.settings.client_state.clone(),
            notification_url: self.settings.notification_url.clone(),
            identities: self
                .slots
                .iter()
                .map(|(name, slot)| {
                    let saved = SavedIdentity {
                        users: slot.users.clone(),
                        subscription: slot.subscription.as_ref().map(|h| SavedSubscription {
                            id: h.id.clone(),
                            users: h.users.clone(),
                            expires: h.expires,
                        }),
                    };
                    (name.clone(), saved)
                })
                .collect(),
            sequences: self.store.sequence_numbers(),
        };
        if self.last_saved.as_ref() == Some(&saved) {
            return;
        }
        match self.registry.save(&saved) {
            Ok(()) => self.last_saved = Some(saved),
            Err(error) => report.failures.push(error),
        }
    }
}
