//! The tests crate's integration tests, one program: one link of the generated fixtures,
//! wiremock, the emulator, tokio, jsonschema and the xtask instead of one per file. Each module
//! is one area; shared helpers (the fake clock, the local client) live in the crate's
//! `src/lib.rs`.
//!
//! What Graph itself defines (its answers, limits and deliveries) is tested against the
//! emulator, in `emulator_*.rs`; wiremock stays for what only a hand-made server can do: an
//! exact malformed or faulty answer, a connection cut at a precise point, or checking the exact
//! bytes the client sends.

mod agreement;
mod all_of;
mod client_auth;
mod client_bulk;
mod client_cycle;
mod client_declared_media;
mod client_doc_examples;
mod client_error_bounds;
mod client_error_context;
mod client_faults;
mod client_hardening;
mod client_media;
mod client_paging;
mod client_parameters;
mod client_query;
mod client_renewal_spacing;
mod client_requests;
mod client_responses;
mod client_servers;
mod client_signin;
mod client_subscriptions;
mod client_tracing;
mod emulator_limits;
mod emulator_presence;
mod emulator_subscriptions;
mod emulator_support;
mod examples;
mod flavour;
mod formats;
mod generator;
mod models;
mod multipart;
mod public_names;
mod real_world;
mod runtime_api;
mod schema_agreement;
mod schema_keywords;
mod schema_text;
mod server_hostile;
mod server_receivers;
mod server_requests;
mod tag_features;
mod unions;
