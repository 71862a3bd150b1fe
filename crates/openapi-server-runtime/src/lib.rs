//! The runtime that generated servers call.
//!
//! A generated server crate declares, per operation, a method of its `Api` trait with a typed
//! request and a typed response, and states the facts of the operation (its path, method,
//! parameters and their styles, the body's media type, each response's status, body and
//! headers). This crate does the rest, once, compiled and tested in place: the axum router
//! over an implementation of the trait, the reading of a request into its typed inputs as the
//! exact inverse of how the generated client writes them, errors in the document's shape
//! (an error object `{"error": {"code", "message"}}`, or RFC 9457 problem details), limits
//! and read timeouts ([`Settings`], [`serve`] with [`ServeSettings`]), and what the
//! generated mock answers.
//!
//! This page is the user-facing surface, which a generated server crate re-exports by name:
//! [`Context`] and [`OperationInfo`] (what a handler knows besides its typed inputs),
//! [`Failure`] (an error answer), [`Multipart`], [`Settings`], [`serve`], [`ServeSettings`] and
//! [`Router`]. What generated code reaches besides is in a hidden module. `cargo xtask codegen
//! --out` vendors this crate, unchanged, beside the crates it writes.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod context;
mod failure;
mod incoming;
mod mock;
mod multipart;
mod outgoing;
mod routes;
mod serve;
mod text;

pub use axum::Router;
pub use context::{Context, OperationInfo, Permissions};
pub use failure::Failure;
pub use incoming::Multipart;
pub use routes::Settings;
pub use serve::{ServeSettings, serve};

/// What generated code reaches, and users do not: reading a request (`Incoming`), writing an
/// answer (`Outgoing`), the routes, the error shapes, the mock's choices, and the crates
/// generated code names (so a generated crate needs no dependency of its own on them).
#[doc(hidden)]
pub mod __private {
    pub use crate::failure::ErrorShape;
    pub use crate::incoming::{Incoming, present};
    pub use crate::mock::{MockChoice, MockResponse, StatusKey, choose};
    pub use crate::outgoing::Outgoing;
    pub use crate::routes::Routes;
    pub use crate::text::from_text;
    pub use axum;
    pub use http;
}
