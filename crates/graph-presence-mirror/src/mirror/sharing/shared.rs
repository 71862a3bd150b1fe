//! The mirror's side of sharing through Redis: leases taken and renewed, the placement and the
//! subscription records read and written, and what other instances asked of this one.

use super::super::{Mirror, Report};
use super::Lease;
use crate::error::MirrorError;
use crate::placement::Placement;
use crate::redis_store::{Fenced, RedisStore, Update};
use crate::registry::SavedSubscription;
use crate::store::Applied;
use crate::subscription::Held;
use graph_presence_models::Presence;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How many times a placement change is tried when other instances keep changing it.
const PLACEMENT_TRIES: usize = 20;

/// What this instance knows of the shared state.
#[derive(Debug)]
pub(in crate::mirror) struct Shared {
    pub store: RedisStore,
    /// The placement's epoch and version as last read or written.
    epoch: String,
    version: u64,
    /// Each owned identity's record as last written.
    written: BTreeMap<String, Option<SavedSubscription>>,
    /// The task that keeps this instance's copy of the presences.
    follower: tokio::task::JoinHandle<()>,
    /// When the leases are next renewed.
    pub leases_due: Instant,
    /// The takeovers counted when last read.
    takeovers: u64,
    /// The leases held, kept alive by `keeper` between ticks.
    kept: Kept,
    keeper: tokio::task::JoinHandle<()>,
}

/// The leases this instance holds: token, and until when it may act on it.
type Kept = Arc<Mutex<BTreeMap<String, (u64, Arc<Mutex<Instant>>)>>>;

impl Drop for Shared {
    fn drop(&mut self) {
        self.follower.abort();
        self.keeper.abort();
    }
}

/// Extends the leases held every third of their length, whatever the mirror is doing; one
/// that is no longer this instance's lapses here at once.
fn keep_leases(store: RedisStore, kept: Kept) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(store.lease / 3).await;
            let held: Vec<(String, u64, Arc<Mutex<Instant>>)> = lock(&kept)
                .iter()
                .map(|(name, (token, until))| (name.clone(), *token, until.clone()))
                .collect();
            for (name, token, until) in held {
                let asked_at = Instant::now();
                match store.fenced(&name, token, Fenced::Extend).await {
                    Ok(true) => *lock(&until) = asked_at + store.lease * 2 / 3,
                    Ok(false) => *lock(&until) = asked_at,
                    // Unreachable: it lapses here on its own.
                    Err(_) => {}
                }
            }
        }
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(in crate::mirror) async fn apply(
        &self,
        presences: Vec<Presence>,
        now: jiff::Timestamp,
        read_sent_at: Option<u64>,
    ) -> Result<Vec<Applied>, MirrorError> {
        let updates: Vec<Update> = presences
            .into_iter()
            .map(|presence| Update {
                user: presence.id.to_ascii_lowercase(),
                sequence_number: presence.sequence_number.as_option().cloned(),
                json: serde_json::to_string(&presence).unwrap_or_default(),
                read_sent_at,
            })
            .collect();
        self.store.apply(&updates, now).await
    }
}

impl Mirror {
    /// Joins the shared state: this instance's copy of the presences starts following it, the
    /// placement is read (a mirror with another notification URL under the same prefix is
    /// refused), and the free identities are leased, resumed, and their users read.
    pub(in crate::mirror) async fn start_shared(
        &mut self,
        store: RedisStore,
    ) -> Result<Report, MirrorError> {
        let (placement, _) = store.load(std::iter::empty()).await?;
        if let Some(url) = &placement.notification_url
            && *url != self.settings.notification_url
        {
            return Err(MirrorError::Store {
                action: "start",
                reason: format!(
                    "the prefix is used by a mirror with notification URL {}",
                    crate::error::cut(url)
                ),
            });
        }
        let follower = crate::redis_store::follow(store.clone(), self.store.clone());
        let kept = Kept::default();
        let keeper = keep_leases(store.clone(), kept.clone());
        self.sharing.redis = Some(Shared {
            kept,
            keeper,
            store,
            epoch: placement.epoch,
            version: placement.version,
            takeovers: placement.takeovers,
            written: BTreeMap::new(),
            follower,
            leases_due: Instant::now(),
        });
        for slot in self.slots.values_mut() {
            slot.lease = Lease::Elsewhere;
        }
        Ok(self.refresh_shared().await)
    }

    /// Renews or takes the leases, reads the placement and the records of identities owned
    /// elsewhere, notices a Redis that restarted empty (and writes the placement again), and
    /// acts on what other instances asked. Identities just taken over are resumed and their
    /// users read.
    pub(in crate::mirror) async fn refresh_shared(&mut self) -> Report {
        let mut report = Report::default();
        let Some(shared) = &mut self.sharing.redis else {
            return report;
        };
        let store = shared.store.clone();
        let kept = shared.kept.clone();
        let lease = store.lease;
        shared.leases_due = Instant::now() + lease / 3;
        let mut taken = BTreeSet::new();
        for (name, slot) in &mut self.slots {
            let asked_at = Instant::now();
            match store.lease_identity(name).await {
                Ok(Some((token, newly))) => {
                    let deadline = asked_at + lease * 2 / 3;
                    match &slot.lease {
                        Lease::Held { token: held, until } if *held == token => {
                            *lock(until) = deadline;
                        }
                        _ => {
                            let until = Arc::new(Mutex::new(deadline));
                            lock(&kept).insert(name.clone(), (token, until.clone()));
                            slot.lease = Lease::Held { token, until };
                        }
                    }
                    if newly {
                        taken.insert(name.clone());
                    }
                }
                Ok(None) => {
                    lock(&kept).remove(name);
                    slot.lease = Lease::Elsewhere;
                }
                // Kept until it lapses here: nobody else can take it sooner.
                Err(error) => {
                    report.failures.push(error);
                    break;
                }
            }
        }
        if !report.failures.is_empty() {
            return report;
        }
        for (name, what) in std::mem::take(&mut self.sharing.unsent_asks) {
            report.merge(self.ask_owner(&name, what).await);
        }
        let loaded = store.load(self.slots.keys()).await;
        let (placement, records) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                report.failures.push(error);
                return report;
            }
        };
        let Some(shared) = &mut self.sharing.redis else {
            return report;
        };
        let emptied = placement.version == 0 && shared.version > 0;
        // An instance died or was cut off: what it had received and not stored may concern
        // any identity, so every instance reads the users it owns.
        let taken_over = placement.takeovers > shared.takeovers;
        shared.takeovers = placement.takeovers;
        let rebuilt_elsewhere = !emptied && placement.epoch != shared.epoch && shared.version > 0;
        if emptied {
            tracing::warn!(
                "presence mirror: Redis lost the shared state (restarted empty); writing the placement again and reading every owned user"
            );
            let mine = self.placement();
            let epoch = new_epoch();
            match store
                .write_placement(0, &epoch, &self.settings.notification_url, &mine)
                .await
            {
                Ok(Some(version)) => {
                    if let Some(shared) = &mut self.sharing.redis {
                        (shared.epoch, shared.version) = (epoch, version);
                        shared.written.clear();
                    }
                }
                // Another instance wrote it first: taken at the next refresh.
                Ok(None) => {}
                Err(error) => report.failures.push(error),
            }
        } else {
            shared.epoch = placement.epoch;
            shared.version = placement.version;
            if rebuilt_elsewhere {
                shared.written.clear();
            }
            for (name, slot) in &mut self.slots {
                slot.users = placement.identities.get(name).cloned().unwrap_or_default();
            }
        }
        let lifetime = self.settings.lifetime;
        for (name, slot) in &mut self.slots {
            let record = records.get(name);
            let adopt = !slot.lease.owned() || taken.contains(name);
            if adopt && !emptied {
                slot.subscription = record.map(|saved| Held {
                    id: saved.id.clone(),
                    users: saved.users.clone(),
                    expires: saved.expires,
                    granted: saved.expires - lifetime,
                    retry_at: None,
                });
                slot.retry_at = None;
            }
        }
        let mut to_read: BTreeSet<String> = BTreeSet::new();
        if emptied || rebuilt_elsewhere || taken_over {
            to_read.extend(self.owned_users());
        }
        // Taken over: renewed if due, recreated if Graph lost it, and its users read.
        for name in &taken {
            if let Some(slot) = self.slots.get(name) {
                tracing::info!(identity = %name, "presence mirror: this instance owns the identity now");
                to_read.extend(slot.users.iter().cloned());
            }
        }
        for name in self.slots.keys().cloned().collect::<Vec<_>>() {
            let owned = self.slots.get(&name).is_some_and(|s| s.lease.owned());
            if !owned {
                continue;
            }
            match store.take_asked(&name).await {
                Ok(asked) => {
                    for what in asked {
                        report.merge(self.asked(&name, &what).await);
                    }
                }
                Err(error) => report.failures.push(error),
            }
        }
        report.merge(self.read(to_read).await);
        report
    }

    /// Does what another instance asked of this identity's owner.
    async fn asked(&mut self, name: &str, what: &str) -> Report {
        match what {
            "recreate" => self.recreate(name).await,
            "reauthorize" => {
                let id = self
                    .slots
                    .get(name)
                    .and_then(|s| s.subscription.as_ref().map(|h| h.id.clone()));
                match id {
                    Some(id) => {
                        self.lifecycle(
                            &id,
                            &graph_presence_models::LifecycleEventType::ReauthorizationRequired,
                        )
                        .await
                    }
                    None => Report::default(),
                }
            }
            _ => Report::default(),
        }
    }

    /// Passes a lifecycle action for an identity owned elsewhere to its owner; one that cannot
    /// be passed now is kept and passed at the next refresh.
    pub(in crate::mirror) async fn ask_owner(&mut self, name: &str, what: &'static str) -> Report {
        let mut report = Report::default();
        if let Some(shared) = &self.sharing.redis
            && let Err(error) = shared.store.ask_owner(name, what).await
        {
            report.failures.push(error);
            self.sharing.unsent_asks.insert((name.to_owned(), what));
        }
        report
    }

    /// Changes the shared placement with `change`, read fresh and written only if nobody
    /// changed it in between (tried again otherwise). The identities whose users changed.
    pub(in crate::mirror) async fn change_placement(
        &mut self,
        change: impl Fn(&mut Placement) -> Result<BTreeSet<String>, MirrorError>,
    ) -> Result<BTreeSet<String>, MirrorError> {
        let Some(shared) = &self.sharing.redis else {
            let mut placement = self.placement();
            let changed = change(&mut placement)?;
            self.set_placement(placement);
            return Ok(changed);
        };
        let store = shared.store.clone();
        for _ in 0..PLACEMENT_TRIES {
            let (held, _) = store.load(std::iter::empty()).await?;
            let mut placement: Placement = self
                .slots
                .keys()
                .map(|name| {
                    let users = held.identities.get(name).cloned().unwrap_or_default();
                    (name.clone(), users)
                })
                .collect();
            let changed = change(&mut placement)?;
            let epoch = if held.epoch.is_empty() {
                new_epoch()
            } else {
                held.epoch.clone()
            };
            if changed.is_empty() {
                self.set_placement(placement);
                return Ok(changed);
            }
            let written = store
                .write_placement(
                    held.version,
                    &epoch,
                    &self.settings.notification_url,
                    &placement,
                )
                .await?;
            if let Some(version) = written {
                if let Some(shared) = &mut self.sharing.redis {
                    (shared.epoch, shared.version) = (epoch, version);
                }
                self.set_placement(placement);
                return Ok(changed);
            }
        }
        Err(MirrorError::Store {
            action: "change the placement",
            reason: format!("other instances changed it {PLACEMENT_TRIES} times in a row"),
        })
    }

    /// Whether this instance may act on `name`'s subscription now: alone always; shared, while
    /// its lease is held here and Redis confirms the token (a partition or a pause may have
    /// let it pass to another instance).
    pub(in crate::mirror) async fn may_act(&mut self, name: &str) -> bool {
        let Some(slot) = self.slots.get_mut(name) else {
            return false;
        };
        match &slot.lease {
            Lease::Alone => true,
            Lease::Elsewhere => false,
            &Lease::Held { token, .. } => {
                if !slot.lease.owned() {
                    return false;
                }
                let Some(shared) = &self.sharing.redis else {
                    return true;
                };
                match shared.store.fenced(name, token, Fenced::Check).await {
                    Ok(true) => true,
                    Ok(false) | Err(_) => {
                        slot.lease = Lease::Elsewhere;
                        false
                    }
                }
            }
        }
    }

    /// Writes the records of owned identities that changed, each under its lease's token; a
    /// record refused means the lease passed to another instance.
    pub(in crate::mirror) async fn save_shared(&mut self, report: &mut Report) {
        let Some(shared) = &mut self.sharing.redis else {
            return;
        };
        for (name, slot) in &mut self.slots {
            let &Lease::Held { token, .. } = &slot.lease else {
                continue;
            };
            let record = slot.subscription.as_ref().map(|h| SavedSubscription {
                id: h.id.clone(),
                users: h.users.clone(),
                expires: h.expires,
            });
            if shared.written.get(name) == Some(&record) {
                continue;
            }
            match shared
                .store
                .fenced(name, token, Fenced::Write(record.as_ref()))
                .await
            {
                Ok(true) => {
                    shared.written.insert(name.clone(), record);
                }
                Ok(false) => {
                    tracing::warn!(identity = %name, "presence mirror: the lease passed to another instance; its record was not written");
                    slot.lease = Lease::Elsewhere;
                }
                Err(error) => report.failures.push(error),
            }
        }
    }

    /// Gives up every lease held, so that other instances take the identities at once.
    pub(in crate::mirror) async fn release_leases(&mut self) {
        let Some(shared) = &self.sharing.redis else {
            return;
        };
        for (name, slot) in &mut self.slots {
            if let &Lease::Held { token, .. } = &slot.lease {
                lock(&shared.kept).remove(name);
                let _ = shared.store.fenced(name, token, Fenced::Release).await;
                slot.lease = Lease::Elsewhere;
            }
        }
    }
}

impl Mirror {
    /// Removes users no longer followed from the shared presences.
    pub(in crate::mirror) async fn forget_shared(&mut self, users: &BTreeSet<String>) {
        if let Some(shared) = &self.sharing.redis
            && let Err(error) = shared.store.forget(users).await
        {
            tracing::warn!(%error, "presence mirror: removed users stay in Redis until the next removal");
        }
    }

    /// When the leases are next renewed (never, alone).
    pub(in crate::mirror) fn leases_due(&self) -> jiff::Timestamp {
        match &self.sharing.redis {
            Some(shared) => {
                let wait = shared.leases_due.saturating_duration_since(Instant::now());
                crate::subscription::later(self.now(), wait)
            }
            None => jiff::Timestamp::MAX,
        }
    }
}

fn new_epoch() -> String {
    format!("{:016x}", fastrand::u64(..))
}
