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
//! Every builder can produce its `http::Request` without a network
//! ([`Operation::to_request`]) and read an `http::Response` ([`Operation::parse_response`]);
//! `send()` (the default `reqwest` feature) does both around one HTTP exchange.

mod auth;
#[cfg(feature = "reqwest")]
mod bulk;
mod client;
mod error;
mod request;
mod retry;

#[rustfmt::skip]
mod generated;

pub use auth::{AccessToken, BearerToken, BoxError, TokenFuture, TokenProvider};
#[cfg(feature = "reqwest")]
pub use bulk::{BulkPresenceRequest, BulkPresences, ChunkFailure, MAX_IDS_PER_REQUEST};
pub use client::{ApiVersion, Client, ClientBuilder, RETRY_ATTEMPT};
pub use error::{DecodeFailure, Error, GraphError, UnexpectedBody};
pub use generated::*;
pub use request::{CLIENT_REQUEST_ID, Operation, RequestSpec, empty_response, json_response};
#[cfg(feature = "reqwest")]
pub use retry::SystemClock;
pub use retry::{Clock, RateLimit, RetryPolicy, Sleep, is_retryable_status, retry_after};
