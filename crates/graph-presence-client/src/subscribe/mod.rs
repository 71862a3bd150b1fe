//! Presence change notifications for any number of users: the ids are de-duplicated and split
//! into subscriptions of at most 650 ids each, every subscription is renewed before it expires
//! (on the client's [`Clock`](crate::Clock), so tests drive it with a fake one), and the
//! lifecycle notifications Graph sends are acted on (`lifecycle.rs`).
//!
//! Creating is never retried, here or by the client: a second POST would make a second
//! subscription. A chunk whose create fails is reported with its ids, and the caller decides
//! (see [`SubscriptionFailure`]). Renewing, reauthorizing and deleting are idempotent and
//! the client retries them as it retries any such request.

mod calls;
mod event_hub;
mod lifecycle;
mod resource;

pub use event_hub::{EventHubDestination, EventHubUrlError, check_notification_url};
pub use lifecycle::{LifecycleError, LifecycleReaction};
pub use resource::RejectedId;

use crate::{Client, Error, MAX_IDS_PER_REQUEST, Sleep};
use calls::Step;
use futures_util::stream::{self, StreamExt};
use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

/// The most users one presence subscription watches. Graph documents the same limit for a
/// subscription's `id in (…)` filter as for getPresencesByUserId, whose schema `maxItems`
/// this is.
pub const MAX_IDS_PER_SUBSCRIPTION: usize = MAX_IDS_PER_REQUEST;

/// The longest a presence subscription lasts before it must be renewed: 60 minutes.
pub const MAX_SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The shortest lifetime [`PresenceSubscriptionsRequest::lifetime`] sets.
const MIN_SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(60);

/// How long before its expiry a subscription is renewed, unless set otherwise.
pub const DEFAULT_RENEWAL_MARGIN: Duration = Duration::from_secs(10 * 60);

/// How long a subscription whose renewal failed waits before the next attempt, so that a
/// renewal loop does not spin on an error.
pub const RENEWAL_RETRY_DELAY: Duration = Duration::from_secs(60);

/// The least time between two renewals of one subscription, whatever Graph grants, so that
/// a short grant cannot make a renewal loop spin.
pub const MIN_RENEWAL_SPACING: Duration = Duration::from_secs(30);

/// When a subscription whose expiry `expires` Graph granted at `granted` is due for renewal:
/// `margin` before it expires, or half-way through a grant shorter than twice the margin;
/// never sooner than [`MIN_RENEWAL_SPACING`] after the grant; and not before `retry_at`
/// (set [`RENEWAL_RETRY_DELAY`] after a failed renewal). The one renewal rule, for this
/// module's [`PresenceSubscriptions`] and for whatever else keeps subscriptions alive.
pub fn renewal_due(
    granted: jiff::Timestamp,
    expires: jiff::Timestamp,
    margin: Duration,
    retry_at: Option<jiff::Timestamp>,
) -> jiff::Timestamp {
    let grant = Duration::try_from(expires.duration_since(granted)).unwrap_or_default();
    let due = earlier(expires, margin.min(grant / 2));
    let due = due.max(later(granted, MIN_RENEWAL_SPACING));
    retry_at.map_or(due, |retry_at| due.max(retry_at))
}

impl Client {
    /// Subscribes to presence changes of any number of users, by object id: duplicates (in
    /// any letter case) are dropped, ids no filter can carry are refused
    /// ([`RejectedId`]), and the rest are split into subscriptions of at most
    /// [`MAX_IDS_PER_SUBSCRIPTION`] ids (2,000 users are 4 subscriptions). Graph POSTs each
    /// change to `notification_url` with `client_state`, a secret of yours (at most 128
    /// characters) to compare with the one in each notification. An Event Hub is given as an
    /// [`EventHubDestination`], or as its `EventHub:` text, which is checked before sending.
    ///
    /// ```no_run
    /// # async fn example(client: graph_presence_client::Client, ids: Vec<String>) {
    /// let (mut subscriptions, report) = client
    ///     .presence_subscriptions(&ids, "https://webhook.contoso.com/api/presence", "a secret")
    ///     .lifecycle_notification_url("https://webhook.contoso.com/api/lifecycle")
    ///     .create()
    ///     .await;
    /// for failure in &report.failures {
    ///     eprintln!("{} ids have no subscription: {}", failure.ids.len(), failure.error);
    /// }
    /// loop {
    ///     subscriptions.renewal_sleep().await;
    ///     subscriptions.renew_due().await;
    /// }
    /// # }
    /// ```
    pub fn presence_subscriptions<I: AsRef<str>>(
        &self,
        ids: impl IntoIterator<Item = I>,
        notification_url: impl Into<String>,
        client_state: impl Into<String>,
    ) -> PresenceSubscriptionsRequest {
        let (ids, rejected) = resource::sort_ids(ids, &mut HashSet::new());
        PresenceSubscriptionsRequest {
            client: self.clone(),
            ids,
            rejected,
            settings: Settings {
                notification_url: notification_url.into(),
                client_state: client_state.into(),
                lifecycle_notification_url: None,
                lifetime: MAX_SUBSCRIPTION_LIFETIME,
                certificate: None,
                renewal_margin: DEFAULT_RENEWAL_MARGIN,
                concurrency: 4,
            },
        }
    }
}

/// What every subscription of a [`PresenceSubscriptions`] is created and renewed with.
#[derive(Clone)]
struct Settings {
    notification_url: String,
    /// A secret: never traced nor shown by `Debug`.
    client_state: String,
    lifecycle_notification_url: Option<String>,
    lifetime: Duration,
    certificate: Option<Certificate>,
    renewal_margin: Duration,
    concurrency: usize,
}

#[derive(Clone)]
struct Certificate {
    base64_der: String,
    id: String,
}

impl Settings {
    /// At most half the lifetime, so that a renewal always buys time.
    fn margin(&self) -> Duration {
        self.renewal_margin.min(self.lifetime / 2)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("notification_url", &self.notification_url)
            .field("client_state", &"<secret>")
            .field(
                "lifecycle_notification_url",
                &self.lifecycle_notification_url,
            )
            .field("lifetime", &self.lifetime)
            .field("include_resource_data", &self.certificate.is_some())
            .field("renewal_margin", &self.margin())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

/// Presence subscriptions about to be created; see [`Client::presence_subscriptions`].
#[derive(Debug, Clone)]
#[must_use = "nothing is subscribed until `create` is awaited"]
pub struct PresenceSubscriptionsRequest {
    client: Client,
    ids: Vec<String>,
    rejected: Vec<RejectedId>,
    settings: Settings,
}

impl PresenceSubscriptionsRequest {
    /// Where Graph sends lifecycle notifications (reauthorization required, subscription
    /// removed, notifications missed); pass them to [`PresenceSubscriptions::handle_lifecycle`].
    /// Graph validates it as it does the notification URL, and it can only be set at creation.
    pub fn lifecycle_notification_url(mut self, url: impl Into<String>) -> Self {
        self.settings.lifecycle_notification_url = Some(url.into());
        self
    }

    /// How long each subscription lasts from its creation or renewal, by the client's clock
    /// (default and most: [`MAX_SUBSCRIPTION_LIFETIME`], which a longer value is cut to; at
    /// least a minute, so renewals cannot follow each other without pause). Graph counts
    /// from its own clock: if creates fail because the expiry is too far away, this machine's
    /// clock is ahead, and a shorter lifetime allows for it.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.lifetime =
            lifetime.clamp(MIN_SUBSCRIPTION_LIFETIME, MAX_SUBSCRIPTION_LIFETIME);
        self
    }

    /// Rich notifications: each carries the changed presence, encrypted for this certificate
    /// (`includeResourceData`). `certificate` is the certificate with its public key only, DER
    /// in base64; `certificate_id` is your name for it, repeated in each notification so the
    /// receiver can pick the private key.
    pub fn include_resource_data(
        mut self,
        certificate: impl Into<String>,
        certificate_id: impl Into<String>,
    ) -> Self {
        self.settings.certificate = Some(Certificate {
            base64_der: certificate.into(),
            id: certificate_id.into(),
        });
        self
    }

    /// How long before its expiry a subscription is due for renewal (default
    /// [`DEFAULT_RENEWAL_MARGIN`]; at most half the lifetime).
    pub fn renewal_margin(mut self, margin: Duration) -> Self {
        self.settings.renewal_margin = margin;
        self
    }

    /// How many requests are in flight at once when creating or renewing (default 4, at
    /// least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.settings.concurrency = concurrency.max(1);
        self
    }

    /// The unique ids that will be subscribed, in first-seen order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The ids refused because no filter can carry them.
    pub fn rejected(&self) -> &[RejectedId] {
        &self.rejected
    }

    /// The number of subscriptions this creates.
    pub fn subscription_count(&self) -> usize {
        self.ids.len().div_ceil(MAX_IDS_PER_SUBSCRIPTION)
    }

    /// Creates the subscriptions (each once: creating is never retried) and returns the ones
    /// made, to renew and react to lifecycle events, with a report of what failed.
    pub async fn create(self) -> (PresenceSubscriptions, SubscriptionReport) {
        let mut subscriptions = PresenceSubscriptions {
            client: self.client,
            settings: self.settings,
            tracked: Vec::new(),
        };
        let mut report = SubscriptionReport::default();
        subscriptions.report_rejected(&mut report, self.rejected);
        subscriptions.create_chunks(&mut report, self.ids).await;
        (subscriptions, report)
    }
}

/// The presence subscriptions made by [`PresenceSubscriptionsRequest::create`]: each one's id,
/// users and expiry, and what renews them and reacts to their lifecycle notifications.
///
/// Methods that send take `&mut self`; an application that renews in one task and receives
/// lifecycle notifications in another shares it behind an async mutex, and holds the lock
/// across a call but not across [`PresenceSubscriptions::renewal_sleep`].
#[derive(Debug)]
pub struct PresenceSubscriptions {
    client: Client,
    settings: Settings,
    tracked: Vec<TrackedSubscription>,
}

/// One subscription as [`PresenceSubscriptions`] knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedSubscription {
    id: String,
    ids: Vec<String>,
    expires: jiff::Timestamp,
    /// When Graph granted `expires` (by the client's clock): the grant's length decides how
    /// early the renewal comes, and the next renewal is not before a floor after it.
    granted: jiff::Timestamp,
    /// After a failed renewal: not renewed again before this.
    retry_at: Option<jiff::Timestamp>,
}

impl TrackedSubscription {
    /// The subscription's id, as Graph gave it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The users it watches, as given.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// When it expires, as Graph last said.
    pub fn expires(&self) -> jiff::Timestamp {
        self.expires
    }

    /// When it is due for renewal: `margin` before it expires, or half-way through a grant
    /// shorter than twice the margin; never sooner than [`MIN_RENEWAL_SPACING`] after the
    /// grant, and later after a failure.
    fn due(&self, margin: Duration) -> jiff::Timestamp {
        let grant =
            Duration::try_from(self.expires.duration_since(self.granted)).unwrap_or_default();
        let due = earlier(self.expires, margin.min(grant / 2));
        let due = due.max(later(self.granted, MIN_RENEWAL_SPACING));
        self.retry_at.map_or(due, |retry_at| due.max(retry_at))
    }
}

impl PresenceSubscriptions {
    /// The subscriptions, in the order their chunks were made.
    pub fn subscriptions(&self) -> &[TrackedSubscription] {
        &self.tracked
    }

    /// A subscription by its id.
    pub fn get(&self, subscription_id: &str) -> Option<&TrackedSubscription> {
        self.tracked.iter().find(|t| t.id == subscription_id)
    }

    /// Subscribes more users with the same settings: ids already watched (in any letter case)
    /// are skipped. This is also how the ids of a failed create get a subscription, once you
    /// have decided to try again (see [`SubscriptionFailure`]).
    pub async fn subscribe<I: AsRef<str>>(
        &mut self,
        ids: impl IntoIterator<Item = I>,
    ) -> SubscriptionReport {
        let mut known: HashSet<String> = self
            .tracked
            .iter()
            .flat_map(|t| t.ids.iter().map(|id| id.to_ascii_lowercase()))
            .collect();
        let (ids, rejected) = resource::sort_ids(ids, &mut known);
        let mut report = SubscriptionReport::default();
        self.report_rejected(&mut report, rejected);
        self.create_chunks(&mut report, ids).await;
        report
    }

    /// When the next subscription is due for renewal (`None` without subscriptions).
    pub fn next_renewal(&self) -> Option<jiff::Timestamp> {
        let margin = self.settings.margin();
        self.tracked.iter().map(|t| t.due(margin)).min()
    }

    /// A sleep on the client's clock until the next renewal is due (none if one is due now;
    /// the renewal margin when there is nothing to renew). It borrows nothing, so a lock
    /// around `self` need not be held while it runs.
    pub fn renewal_sleep(&self) -> Sleep {
        let clock = self.client.clock();
        let wait = match self.next_renewal() {
            Some(due) => Duration::try_from(due.duration_since(clock.now())).unwrap_or_default(),
            None => self.settings.margin(),
        };
        clock.sleep(wait)
    }

    /// Renews (`PATCH expirationDateTime`, to the lifetime from now) every subscription
    /// that expires within the renewal margin, by the client's clock. One Graph no longer
    /// has (404) is created again for the same ids. One whose renewal failed otherwise is
    /// kept and tried again a minute later, or at the next call after that.
    pub async fn renew_due(&mut self) -> SubscriptionReport {
        let now = self.client.clock().now();
        let margin = self.settings.margin();
        let due: Vec<TrackedSubscription> = self
            .tracked
            .iter()
            .filter(|t| t.due(margin) <= now)
            .cloned()
            .collect();
        let (client, settings) = (&self.client, &self.settings);
        let steps = self.run(due, |t| calls::renew(client, settings, t)).await;
        self.apply_all(steps)
    }

    /// Deletes every subscription (one Graph no longer has counts as deleted); those that
    /// could not be deleted stay, to try again.
    pub async fn delete_all(&mut self) -> SubscriptionReport {
        let all = self.tracked.clone();
        let client = &self.client;
        let steps = self.run(all, |t| calls::delete(client, t)).await;
        self.apply_all(steps)
    }

    fn report_rejected(&self, report: &mut SubscriptionReport, rejected: Vec<RejectedId>) {
        if !rejected.is_empty() {
            tracing::warn!(
                ids = rejected.len(),
                "presence subscriptions: ids refused, no filter can carry them"
            );
        }
        report.rejected.extend(rejected);
    }

    async fn create_chunks(&mut self, report: &mut SubscriptionReport, ids: Vec<String>) {
        let chunks: Vec<Vec<String>> = ids
            .chunks(MAX_IDS_PER_SUBSCRIPTION)
            .map(<[String]>::to_vec)
            .collect();
        let (client, settings) = (&self.client, &self.settings);
        let steps = self
            .run(chunks, |ids| calls::create(client, settings, ids))
            .await;
        let created = self.apply_all(steps);
        report.merge(created);
    }

    /// Runs one call per job, at most `concurrency` at once; the steps in job order.
    async fn run<J, F, Fut>(&self, jobs: Vec<J>, call: F) -> Vec<Step>
    where
        F: Fn(J) -> Fut,
        Fut: std::future::Future<Output = Step>,
    {
        let mut steps: Vec<(usize, Step)> = stream::iter(jobs.into_iter().enumerate())
            .map(|(i, job)| {
                let step = call(job);
                async move { (i, step.await) }
            })
            .buffer_unordered(self.settings.concurrency)
            .collect()
            .await;
        steps.sort_by_key(|(i, _)| *i);
        steps.into_iter().map(|(_, step)| step).collect()
    }

    fn apply_all(&mut self, steps: Vec<Step>) -> SubscriptionReport {
        let mut report = SubscriptionReport::default();
        for step in steps {
            self.apply(step, &mut report);
        }
        report
    }

    /// The one place a step changes the state, the report and the traces.
    fn apply(&mut self, step: Step, report: &mut SubscriptionReport) {
        match step {
            Step::Created(new) => {
                tracing::info!(
                    subscription_id = %new.id,
                    ids = new.ids.len(),
                    expires = %new.expires,
                    "presence subscription created"
                );
                report.created.push(new.id.clone());
                self.tracked.push(new);
            }
            Step::Renewed {
                id,
                expires,
                granted,
            } => {
                if let Some(t) = self.tracked.iter_mut().find(|t| t.id == id) {
                    tracing::info!(
                        subscription_id = %id,
                        ids = t.ids.len(),
                        expires = %expires,
                        "presence subscription renewed"
                    );
                    t.expires = expires;
                    t.granted = granted;
                    t.retry_at = None;
                }
                report.renewed.push(id);
            }
            Step::Reauthorized { id } => {
                let ids = self.get(&id).map_or(0, |t| t.ids.len());
                tracing::info!(subscription_id = %id, ids, "presence subscription reauthorized");
                report.reauthorized.push(id);
            }
            Step::Recreated { previous_id, new } => {
                tracing::info!(
                    subscription_id = %new.id,
                    previous_id = %previous_id,
                    ids = new.ids.len(),
                    expires = %new.expires,
                    "presence subscription recreated"
                );
                report.recreated.push(Recreated {
                    previous_id: previous_id.clone(),
                    subscription_id: new.id.clone(),
                });
                match self.tracked.iter_mut().find(|t| t.id == previous_id) {
                    Some(t) => *t = new,
                    None => self.tracked.push(new),
                }
            }
            Step::Deleted { id } => {
                let ids = self.get(&id).map_or(0, |t| t.ids.len());
                tracing::info!(subscription_id = %id, ids, "presence subscription deleted");
                self.tracked.retain(|t| t.id != id);
                report.deleted.push(id);
            }
            Step::Failed(failure) => {
                tracing::warn!(
                    subscription_id = failure.subscription_id.as_deref().unwrap_or_default(),
                    action = failure.action.as_str(),
                    ids = failure.ids.len(),
                    unsubscribed = failure.unsubscribed(),
                    error = %failure.error,
                    "presence subscription: {} failed",
                    failure.action.as_str()
                );
                let retry_at = later(self.client.clock().now(), RENEWAL_RETRY_DELAY);
                match (&failure.action, &failure.subscription_id) {
                    (SubscriptionAction::Recreate, Some(id)) => {
                        self.tracked.retain(|t| &t.id != id)
                    }
                    (SubscriptionAction::Renew, Some(id)) => {
                        if let Some(t) = self.tracked.iter_mut().find(|t| &t.id == id) {
                            t.retry_at = Some(retry_at);
                        }
                    }
                    _ => {}
                }
                report.failures.push(failure);
            }
        }
    }
}

/// What one call of [`PresenceSubscriptions`] did, by subscription.
#[derive(Debug, Default)]
pub struct SubscriptionReport {
    /// The ids of the subscriptions created.
    pub created: Vec<String>,
    /// The subscriptions renewed.
    pub renewed: Vec<String>,
    /// The subscriptions reauthorized.
    pub reauthorized: Vec<String>,
    /// Subscriptions Graph no longer had, created again for the same ids.
    pub recreated: Vec<Recreated>,
    /// The subscriptions deleted.
    pub deleted: Vec<String>,
    /// Ids refused before anything was sent.
    pub rejected: Vec<RejectedId>,
    /// What failed, with the ids concerned.
    pub failures: Vec<SubscriptionFailure>,
}

impl SubscriptionReport {
    /// True when nothing failed and no id was refused.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.rejected.is_empty()
    }

    /// The ids that have no subscription now: refused, or whose create failed.
    pub fn unsubscribed_ids(&self) -> impl Iterator<Item = &str> {
        let refused = self.rejected.iter().map(|r| r.id.as_str());
        let failed = self
            .failures
            .iter()
            .filter(|f| f.unsubscribed())
            .flat_map(|f| f.ids.iter().map(String::as_str));
        refused.chain(failed)
    }

    fn merge(&mut self, other: SubscriptionReport) {
        self.created.extend(other.created);
        self.renewed.extend(other.renewed);
        self.reauthorized.extend(other.reauthorized);
        self.recreated.extend(other.recreated);
        self.deleted.extend(other.deleted);
        self.rejected.extend(other.rejected);
        self.failures.extend(other.failures);
    }
}

/// A subscription Graph no longer had (removed, or expired before its renewal), created again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recreated {
    /// The id of the subscription that is gone.
    pub previous_id: String,
    /// The id of the one that replaces it.
    pub subscription_id: String,
}

/// What was being done when a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionAction {
    /// Creating a subscription for ids that had none.
    Create,
    /// Renewing a subscription (also after a failed reauthorization).
    Renew,
    /// Creating again a subscription Graph no longer has.
    Recreate,
    /// Deleting a subscription.
    Delete,
}

impl SubscriptionAction {
    /// The action's name, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionAction::Create => "create",
            SubscriptionAction::Renew => "renew",
            SubscriptionAction::Recreate => "recreate",
            SubscriptionAction::Delete => "delete",
        }
    }
}

/// A request about a subscription that failed (after the client's retries, for those it
/// retries).
///
/// When the ids are left without a subscription ([`SubscriptionFailure::unsubscribed`]: a
/// create or recreate failed) nothing is tried again for them, because a create whose answer
/// was lost may have made a subscription, and a second POST would make another. Pass
/// the ids to [`PresenceSubscriptions::subscribe`] when you decide to try again; a
/// subscription made by a lost answer is never renewed, so it lapses within the lifetime
/// (or find it with `client.subscriptions().get()` and delete it). A failed renewal keeps the
/// subscription and is tried again by a later [`PresenceSubscriptions::renew_due`].
#[derive(Debug)]
pub struct SubscriptionFailure {
    /// The subscription concerned (`None` for a create).
    pub subscription_id: Option<String>,
    /// What was being done.
    pub action: SubscriptionAction,
    /// The users of the subscription, as given.
    pub ids: Vec<String>,
    /// Why it failed.
    pub error: SubscriptionError,
}

impl SubscriptionFailure {
    /// True when the ids have no subscription now (a create or recreate failed).
    pub fn unsubscribed(&self) -> bool {
        matches!(
            self.action,
            SubscriptionAction::Create | SubscriptionAction::Recreate
        )
    }
}

/// Why a subscription request failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// The request failed (the client's error, status and body included).
    Request(Error),
    /// Graph answered a create without the subscription's id, so it cannot be renewed (it
    /// lapses at its expiry) nor told apart in lifecycle notifications.
    NoSubscriptionId,
    /// Graph answered a renewal with an expiry that is not after now (by the client's
    /// clock): the renewal is treated as failed, and tried again later.
    ExpiryNotAhead {
        /// The expiry Graph answered.
        expires: jiff::Timestamp,
        /// The client's clock when the answer came.
        now: jiff::Timestamp,
    },
    /// A URL written as an Event Hubs destination (`EventHub:…`) is not one of the forms Graph
    /// documents (see [`check_notification_url`]): refused before anything was sent.
    EventHubUrl {
        /// Which URL: `notificationUrl` or `lifecycleNotificationUrl`.
        field: &'static str,
        /// What is wrong with it.
        error: EventHubUrlError,
    },
}

impl fmt::Display for SubscriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubscriptionError::Request(error) => error.fmt(f),
            SubscriptionError::NoSubscriptionId => {
                f.write_str("Graph answered the create without a subscription id")
            }
            SubscriptionError::ExpiryNotAhead { expires, now } => write!(
                f,
                "Graph answered the renewal with expirationDateTime {expires}, not after now ({now})"
            ),
            SubscriptionError::EventHubUrl { field, error } => write!(f, "{field}: {error}"),
        }
    }
}

impl std::error::Error for SubscriptionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SubscriptionError::Request(error) => Some(error),
            SubscriptionError::EventHubUrl { error, .. } => Some(error),
            SubscriptionError::NoSubscriptionId | SubscriptionError::ExpiryNotAhead { .. } => None,
        }
    }
}

/// `at + wait`, or the latest time there is.
fn later(at: jiff::Timestamp, wait: Duration) -> jiff::Timestamp {
    jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|wait| at.checked_add(wait).ok())
        .unwrap_or(jiff::Timestamp::MAX)
}

/// `at - wait`, or the earliest time there is.
fn earlier(at: jiff::Timestamp, wait: Duration) -> jiff::Timestamp {
    jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|wait| at.checked_sub(wait).ok())
        .unwrap_or(jiff::Timestamp::MIN)
}
