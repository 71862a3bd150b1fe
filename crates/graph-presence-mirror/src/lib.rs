//! Following the presence of a whole organisation with Microsoft Graph.
//!
//! Graph allows one presence subscription per user per application (a second create is
//! `409`), and a subscription watches at most 650 users. Following more users takes more
//! signed-in accounts: a pool of [`Identity`]s, each holding one subscription. The
//! [`Mirror`] places the users over the pool, keeps every subscription alive on the clients'
//! clock, and keeps a [`PresenceStore`] of every user's latest presence that converges after
//! anything that can lose a change.
//!
//! - **Placement.** [`Mirror::add`] and [`Mirror::remove`] change as few subscriptions as they
//!   can. A subscription's resource cannot be patched, so moving users means deleting and
//!   creating that identity's subscription. Users that do not fit are refused before anything
//!   is sent, with how many identities are missing; an app-only token is refused when the
//!   mirror starts (decoding the JWT's claims) or when Graph answers `403`.
//! - **A `409`** means the identity already holds a presence subscription for the app: it is
//!   listed as that identity and adopted when it is ours (same notification URL, the same
//!   client state when Graph shows it, the same users), else deleted and created again.
//! - **Renewal, reauthorization, recreation** are per subscription, each identity with its own
//!   token; a failure on one does not stop the others ([`Mirror::tick`]).
//! - **The store** is ordered by `sequenceNumber` (see [`PresenceStore`] for reads, which have
//!   none). Whatever can lose a change makes the users concerned be read again: a subscription
//!   created, recreated or adopted; `subscriptionRemoved`; `missed`; events the webhook
//!   dropped; a restart. Basic notifications are coalesced into bulk reads
//!   (getPresencesByUserId, 650 ids a call), and a reconciliation reads everyone on a
//!   schedule, a few calls per tick. A subscription that delivers nothing while the
//!   reconciliation finds its users changed is reported ([`Report::quiet`]) and replaced.
//!   Everything the mirror sends counts against one rate limit, which adapts down on `429`.
//! - **The registry**, a file in a directory you name, is written atomically after every
//!   change, so a restart ([`Mirror::start`] again) renews the subscriptions instead of
//!   creating more, and a corrupt file is an error, not a panic.
//!
//! - **Several instances** (feature `redis`) share one mirror through Redis or Valkey
//!   (`MirrorSettings::redis` with a `RedisStore`): behind a load balancer, each answers the
//!   webhook and stores what it receives with an atomic compare-and-set on `sequenceNumber`,
//!   each identity's subscription is kept by the instance holding its lease (a fencing token
//!   stops one whose lease lapsed), and every instance's store follows the shared one, so its
//!   `changes()` carry every change once. An owner that dies is replaced within the lease
//!   (15 s by default); Redis restarted empty is written again from the instances' memory;
//!   while Redis is away the webhook goes on answering Graph (see `UNSTORED_CAP`).
//!
//! Renewal follows the client's `presence_subscriptions` helper: its constants
//! (`DEFAULT_RENEWAL_MARGIN`, `MAX_SUBSCRIPTION_LIFETIME`, `MAX_IDS_PER_SUBSCRIPTION`), its
//! rule for when a renewal is due (the margin before expiry, or half-way through a shorter
//! grant; never within 30 s of a grant; a minute after a failure), and its create, which is
//! never retried. The helper cannot take over a subscription it did not make (after a `409`,
//! or from the registry), so renewals, reauthorizations and deletes are sent here.
//!
//! ```no_run
//! use graph_presence_mirror::{Identity, Mirror, MirrorSettings, Shutdown};
//! # async fn example(clients: Vec<graph_presence_client::Client>, users: Vec<String>,
//! #     mut events: tokio::sync::mpsc::Receiver<graph_presence_notifications::Event>)
//! #     -> Result<(), graph_presence_mirror::MirrorError> {
//! let identities = clients
//!     .into_iter()
//!     .enumerate()
//!     .map(|(i, client)| Identity::new(format!("watcher-{i}"), client))
//!     .collect();
//! let settings = MirrorSettings::new(
//!     "https://webhook.contoso.com/api/presence",
//!     "a secret of yours",
//!     "/var/lib/presence-mirror",
//! )
//! .lifecycle_notification_url("https://webhook.contoso.com/api/lifecycle");
//! let (mut mirror, _report) = Mirror::start(identities, settings).await?;
//! mirror.add(&users).await?;
//! let store = mirror.store().clone(); // read it anywhere: snapshot, get, changes
//! mirror.run(&mut events, || 0).await;
//! mirror.shutdown(Shutdown::Keep).await;
//! # let _ = store; Ok(()) }
//! ```

#![deny(missing_docs)]

mod error;
mod identity;
mod mirror;
mod placement;
#[cfg(feature = "redis")]
mod redis_store;
mod registry;
mod settings;
mod store;
mod subscription;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::MirrorError;
pub use identity::Identity;
pub use mirror::{Mirror, Report, Shutdown, UNSTORED_CAP};
#[cfg(feature = "redis")]
pub use redis_store::{DEFAULT_LEASE, RedisStore};
pub use settings::MirrorSettings;
pub use store::{Change, PresenceStore, Source, UserPresence};
pub use subscription::Action;
