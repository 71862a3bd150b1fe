//! The runtime that generated request builders call.
//!
//! Generated code states facts (path steps, query options, the body, the output type, whether
//! the operation is idempotent); everything else lives here, once, compiled and tested in this
//! crate: the sans-IO request building and response reading ([`Operation`]), the reqwest
//! executor behind the default `reqwest` feature ([`Client::send`]: retries, timeouts,
//! redirects, the size limit), the retry rules, [`RateLimit`] and the injectable [`Clock`],
//! tokens ([`TokenProvider`]) and the other credentials a document's security schemes name
//! ([`ClientBuilder::api_key`], [`ClientBuilder::basic_auth`]), the one [`Error`], [`AcceptAs`] (a request for another of an
//! operation's response media types), paging ([`Pageable`], and with the executor the
//! `Pages` and `Items` streams that follow a page's next link to the base URL's origin only),
//! and `multipart/form-data` bodies encoded from a generated form's parts.
//!
//! A multipart file part can be streamed (the models runtime's `FilePart::from_stream`, or
//! `FilePart::from_reader` for a tokio reader): its content is read as the request is sent,
//! chunk by chunk, never held whole, with a `Content-Length` when every stream's length is
//! declared and chunked otherwise. Such a request is sent once, by [`Client::send`] only: it is
//! never retried (not after a 429 or 503 either, whose error is returned), never re-sent for a
//! refused token, and a 307/308 redirect is returned rather than followed; a stream's error cuts
//! the request off and is [`Error::RequestBody`]. [`Operation::to_request`], whose body is
//! bytes, refuses such a form with an [`Error::InvalidRequest`] naming the part, with or
//! without the `reqwest` feature; forms of in-memory parts build as always.
//!
//! Graph's layer is the `graph` feature, which a client generated from a Microsoft Graph
//! document enables: Graph's clouds and API versions (`Cloud`, `ApiVersion`, the builder's
//! `cloud` and `version`, and `Client::new` for Graph beta), `RateLimit::graph_presence`,
//! and the `GraphError` name; the `azure_identity` feature (which implies it) adds
//! `AzureCredential`. Without it nothing here is particular to Graph.
//!
//! This page is the user-facing surface, which a generated client crate re-exports by name
//! (beside its own `Client` and `ClientBuilder`, which wrap this crate's). What generated code
//! reaches besides, the builders' shared state and the macros that give generated types their
//! fixed methods, is in a hidden module. `cargo xtask codegen --out` vendors this crate,
//! unchanged, beside the crates it writes.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
#[cfg(feature = "azure_identity")]
mod azure;
mod builder;
mod client;
mod client_builder;
mod client_macro;
#[cfg(feature = "graph")]
mod cloud;
mod credentials;
mod error;
#[cfg(feature = "reqwest")]
mod executor;
mod multipart;
mod paging;
mod request;
mod request_base;
mod retry;
mod streaming;

// The user-facing surface: what a generated client crate re-exports by name, and the two types
// it wraps in its own (`Client` and `ClientBuilder`, which it defines itself).
pub use auth::{AccessToken, BearerToken, BoxError, TokenFuture, TokenProvider};
#[cfg(feature = "azure_identity")]
pub use azure::{AzureCredential, REFRESH_MARGIN};
pub use client::{Client, RETRY_ATTEMPT};
pub use client_builder::ClientBuilder;
#[cfg(feature = "graph")]
pub use cloud::{ApiVersion, Cloud};
#[cfg(feature = "graph")]
pub use error::GraphError;
pub use error::{
    ApiError, DecodeFailure, Error, NextLinkError, NextLinkProblem, RequestInfo, SendFailure,
    TextFailure, TimeoutFailure, UnexpectedBody,
};
#[cfg(feature = "reqwest")]
pub use executor::{OutputFuture, ResponseFuture};
pub use paging::Pageable;
#[cfg(feature = "reqwest")]
pub use paging::{Items, Pages};
pub use request::{CLIENT_REQUEST_ID, MultipartBody, Operation};
pub use request_base::AcceptAs;
#[cfg(feature = "reqwest")]
pub use retry::SystemClock;
pub use retry::{Clock, RateLimit, RetryPolicy, Sleep, is_retryable_status, retry_after};

/// What generated code and this crate's macros reach, and users do not: the state every
/// builder shares, the sans-IO request building and response reading, the paging facts, the
/// macros that give generated types their fixed methods, and `http` and `serde_json` (so that
/// a generated crate needs no dependency of its own on them).
#[doc(hidden)]
pub mod __private {
    pub use crate::credentials::{Scheme, SchemeKind};
    pub use crate::paging::{ItemsField, NextLinkField};
    pub use crate::request::{
        DEFAULT_USER_AGENT, RequestSpec, bytes_response, delimited, empty_response, json_response,
        json_response_or_empty, text_response,
    };
    pub use crate::request_base::{RequestBase, RequestBuilder};
    pub use crate::{client, pageable, request_builder};
    pub use http;
    pub use serde_json;
}
