//! What the mirror is configured with.

use crate::identity::Identity;
use graph_presence_client::{DEFAULT_RENEWAL_MARGIN, RateLimit};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How the mirror subscribes, reads and saves. Required: the notification URL, the client
/// state, the registry's directory; the rest have defaults.
#[derive(Clone)]
pub struct MirrorSettings {
    pub(crate) notification_url: String,
    /// A secret: never traced nor shown by `Debug`.
    pub(crate) client_state: String,
    pub(crate) lifecycle_notification_url: Option<String>,
    /// For rich notifications: the certificate (base64 DER) and its id.
    pub(crate) certificate: Option<(String, String)>,
    pub(crate) registry_directory: PathBuf,
    pub(crate) rate_limit: Arc<RateLimit>,
    pub(crate) coalesce_window: Duration,
    pub(crate) reconcile_interval: Duration,
    pub(crate) reconcile_budget: usize,
    pub(crate) lifetime: Duration,
    pub(crate) renewal_margin: Duration,
    /// Shared with other instances through Redis, or alone.
    #[cfg(feature = "redis")]
    pub(crate) redis: Option<crate::RedisStore>,
}

impl std::fmt::Debug for MirrorSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MirrorSettings")
            .field("notification_url", &self.notification_url)
            .field("client_state", &"<secret>")
            .field(
                "lifecycle_notification_url",
                &self.lifecycle_notification_url,
            )
            .field("include_resource_data", &self.certificate.is_some())
            .field("registry_directory", &self.registry_directory)
            .field("coalesce_window", &self.coalesce_window)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("reconcile_budget", &self.reconcile_budget)
            .field("lifetime", &self.lifetime)
            .field("renewal_margin", &self.renewal_margin)
            .field("shared", &self.shared())
            .finish_non_exhaustive()
    }
}

impl MirrorSettings {
    /// Graph POSTs changes to `notification_url` with `client_state` (a secret of yours, at
    /// most 128 characters); the registry is kept in `registry_directory`.
    pub fn new(
        notification_url: impl Into<String>,
        client_state: impl Into<String>,
        registry_directory: impl Into<PathBuf>,
    ) -> Self {
        MirrorSettings {
            notification_url: notification_url.into(),
            client_state: client_state.into(),
            lifecycle_notification_url: None,
            certificate: None,
            registry_directory: registry_directory.into(),
            // Half of Graph's 1,500 per 30 s: the rest is the application's own.
            rate_limit: Arc::new(RateLimit::new(750, Duration::from_secs(30))),
            coalesce_window: Duration::from_secs(2),
            reconcile_interval: Duration::from_secs(15 * 60),
            reconcile_budget: 4,
            lifetime: crate::subscription::LIFETIME,
            renewal_margin: DEFAULT_RENEWAL_MARGIN,
            #[cfg(feature = "redis")]
            redis: None,
        }
    }

    /// Shares the mirror with every instance that names the same Redis and prefix (feature
    /// `redis`): presences, placement, subscription records and a change feed live there, and
    /// each identity's subscription is kept by one instance at a time (see [`crate::RedisStore`]).
    /// The registry directory is not used then. Every instance must have the same identities,
    /// notification URL, client state and certificate.
    #[cfg(feature = "redis")]
    pub fn redis(mut self, store: crate::RedisStore) -> Self {
        self.redis = Some(store);
        self
    }

    /// Where Graph sends lifecycle notifications (set at creation only).
    pub fn lifecycle_notification_url(mut self, url: impl Into<String>) -> Self {
        self.lifecycle_notification_url = Some(url.into());
        self
    }

    /// Rich notifications: each carries the changed presence (with its `sequenceNumber`),
    /// encrypted for this certificate (public key only, DER in base64; `certificate_id` is your
    /// name for it), so no read follows a change. Without it, notifications are basic and
    /// their users are read in coalesced bulk calls.
    pub fn include_resource_data(
        mut self,
        certificate: impl Into<String>,
        certificate_id: impl Into<String>,
    ) -> Self {
        self.certificate = Some((certificate.into(), certificate_id.into()));
        self
    }

    /// The one limit everything the mirror sends counts against, every identity included
    /// (default: 750 requests per 30 s, half of Graph's presence limit per application). It
    /// adapts down when a read is still throttled (`429`) after the client's retries; give
    /// each identity's client a `RateLimit` of its own too, and it adapts to every `429`.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Arc::new(rate_limit);
        self
    }

    /// How long basic notifications are gathered before their users are read in one bulk call
    /// (default 2 s).
    pub fn coalesce_window(mut self, window: Duration) -> Self {
        self.coalesce_window = window;
        self
    }

    /// How often every user is read again, whatever the notifications said (default 15
    /// minutes), and how many bulk calls of 650 users a batch may spend (default 4, at least
    /// 1). The batches are spread evenly over the interval: a reconciliation of 10,000 users
    /// is 16 calls, 4 batches of 4 calls, one every 3¾ minutes by default.
    pub fn reconcile(mut self, interval: Duration, calls_per_tick: usize) -> Self {
        self.reconcile_interval = interval;
        self.reconcile_budget = calls_per_tick.max(1);
        self
    }

    /// How long each subscription lasts from its creation or renewal (default and most: 60
    /// minutes; at least a minute).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.clamp(Duration::from_secs(60), crate::subscription::LIFETIME);
        self
    }

    /// How long before its expiry a subscription is renewed (default 10 minutes; at most half
    /// the lifetime).
    pub fn renewal_margin(mut self, margin: Duration) -> Self {
        self.renewal_margin = margin;
        self
    }

    fn shared(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.redis.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    pub(crate) fn margin(&self) -> Duration {
        self.renewal_margin.min(self.lifetime / 2)
    }

    /// Waits until one more request fits under the shared limit.
    pub(crate) async fn acquire(&self, identity: &Identity) {
        self.rate_limit.acquire(identity.client().clock()).await;
    }
}
