//! Request builders for Microsoft Graph's presence API, generated from `schema/presence.yaml`.
//!
//! Navigation mirrors the URL, as in Microsoft's own SDKs; required inputs are arguments,
//! optional ones are named setters:
//!
//! ```no_run
//! use graph_presence_client::{BearerToken, Client};
//! use graph_presence_models::{Activity, Availability};
//!
//! # async fn example() -> Result<(), graph_presence_client::Error> {
//! let client = Client::new(BearerToken::new("eyJ0eX…"));
//! let me = client.me().presence().get().send().await?;
//! let other = client.users().by_id("66825e03-7ef5-42da-9069-724602c31f6b").presence().get()
//!     .select(["availability", "activity"]).send().await?;
//! client.users().by_id("66825e03-7ef5-42da-9069-724602c31f6b").presence()
//!     .set_presence(Availability::Busy, Activity::InACall)
//!     .session_id("22553876-f5ab-4529-bffb-cfe50aa89f87")
//!     .send().await?;
//! # Ok(()) }
//! ```
//!
//! With the default `reqwest` feature a builder is also a future (`IntoFuture`): `.await` on
//! it sends it, as `.send().await` does. The future is `Send`, so it can be spawned:
//!
//! ```no_run
//! # async fn example(client: graph_presence_client::Client) -> Result<(), graph_presence_client::Error> {
//! let me = client.me().presence().get().await?;
//! println!("{:?}", me.availability);
//! # Ok(()) }
//! ```
//!
//! Every builder can produce its `http::Request` without a network
//! ([`Operation::to_request`]) and read an `http::Response` ([`Operation::parse_response`]);
//! `send()` (the default `reqwest` feature) does both around one HTTP exchange.
//!
//! The generated code re-exports the client runtime (`graph-client-runtime`): the executor,
//! auth, errors, retries and the sans-IO request building are compiled and tested there.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "reqwest")]
mod bulk;
#[cfg(feature = "reqwest")]
mod subscribe;

#[rustfmt::skip]
mod generated;

#[cfg(feature = "reqwest")]
pub use bulk::{
    BulkPresenceRequest, BulkPresences, ChunkFailure, ChunkPresences, MAX_IDS_PER_REQUEST,
};
pub use generated::*;
#[cfg(feature = "reqwest")]
pub use subscribe::{
    DEFAULT_RENEWAL_MARGIN, LifecycleError, LifecycleReaction, MAX_IDS_PER_SUBSCRIPTION,
    MAX_SUBSCRIPTION_LIFETIME, PresenceSubscriptions, PresenceSubscriptionsRequest, Recreated,
    RejectedId, SubscriptionAction, SubscriptionError, SubscriptionFailure, SubscriptionReport,
    TrackedSubscription,
};
