//! The runtime that generated Graph request builders call.
//!
//! Generated code states facts (path steps, query options, the body, the output type, whether
//! the operation is idempotent); everything else lives here, once, compiled and tested in this
//! crate: the sans-IO request building and response reading ([`RequestSpec`], [`Operation`],
//! [`json_response`], [`json_response_or_empty`], [`text_response`], [`bytes_response`],
//! [`empty_response`]), the reqwest executor behind the default `reqwest` feature
//! ([`Client::send`]: retries, timeouts, redirects, the size limit), the retry rules,
//! [`RateLimit`] and the injectable [`Clock`], tokens ([`TokenProvider`]), the one [`Error`],
//! the plumbing every builder shares ([`RequestBase`], [`request_builder!`], [`client!`],
//! and [`AcceptAs`], a request for another of an operation's response media types), and
//! paging ([`Pageable`], [`pageable!`], and with the executor the `Pages` and `Items` streams
//! that follow `@odata.nextLink` to the base URL's origin only).
//!
//! A generated client crate re-exports all of it (`pub use graph_client_runtime::*`).
//! `cargo xtask codegen --out` vendors this crate, unchanged, beside the crates it writes.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
#[cfg(feature = "azure_identity")]
mod azure;
mod builder;
mod client;
mod client_builder;
mod cloud;
mod error;
#[cfg(feature = "reqwest")]
mod executor;
mod paging;
mod request;
mod retry;

pub use auth::{AccessToken, BearerToken, BoxError, TokenFuture, TokenProvider};
#[cfg(feature = "azure_identity")]
pub use azure::{AzureCredential, REFRESH_MARGIN};
pub use builder::{AcceptAs, RequestBase, RequestBuilder};
pub use client::{Client, RETRY_ATTEMPT};
pub use client_builder::ClientBuilder;
pub use cloud::{ApiVersion, Cloud};
pub use error::{
    DecodeFailure, Error, GraphError, NextLinkError, NextLinkProblem, RequestInfo, SendFailure,
    TextFailure, TimeoutFailure, UnexpectedBody,
};
pub use paging::Pageable;
#[cfg(feature = "reqwest")]
pub use paging::{Items, Pages};
pub use request::{
    CLIENT_REQUEST_ID, DEFAULT_USER_AGENT, MultipartBody, Operation, RequestSpec, bytes_response,
    delimited, empty_response, json_response, json_response_or_empty, text_response,
};
#[cfg(feature = "reqwest")]
pub use retry::SystemClock;
pub use retry::{Clock, RateLimit, RetryPolicy, Sleep, is_retryable_status, retry_after};

/// What generated code and the macros reach through this crate, so that a generated crate
/// needs no dependency of its own on them.
#[doc(hidden)]
pub mod __private {
    pub use crate::paging::{ItemsField, NextLinkField};
    pub use http;
    pub use serde_json;
}
