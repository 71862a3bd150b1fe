//! The server side of Microsoft Graph's presence API, generated from `schema/presence.yaml`,
//! the description the client is generated from.
//!
//! Implement [`Api`] (one method per operation, each taking its typed request and the
//! request's [`Context`], and answering one of the operation's documented responses or a
//! [`Failure`]), then serve it: [`router`] is an axum router, [`serve`] runs it with a header
//! read timeout and a bound on connections. Requests are read as the exact inverse of how the
//! client writes them, and what the document does not allow is refused in Graph's error shape
//! (`400` naming what is wrong, `415`, `413`, `404`, `405`).
//!
//! ```no_run
//! use graph_presence_server::{
//!     Api, Context, Failure, MeGetPresenceRequest, MeGetPresenceResponse, ServeSettings, router,
//!     serve,
//! };
//! # use graph_presence_server::Mock;
//!
//! # async fn example() -> std::io::Result<()> {
//! // With the `mock` feature (the default), `Mock` answers every operation with the
//! // documented examples: a Graph to test a client against, with no tenant.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("http://{}", listener.local_addr()?);
//! serve(listener, router(Mock), ServeSettings::default()).await;
//! # Ok(()) }
//! ```
//!
//! `cargo run -p graph-presence-server --example mock` runs the mock on 127.0.0.1.

#![deny(missing_docs)]

#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;

pub use generated::*;
