//! A live presence board: follows users' Microsoft Graph presence with
//! `graph-presence-mirror` and serves it on 127.0.0.1.
//!
//! - `GET /presence`: every followed user's latest presence, with when Graph last confirmed it
//!   (`{"users": [Tile…]}`, see [`api::Tile`]);
//! - `GET /presence/{id}`: one user (404 with a JSON error for anyone not followed);
//! - `GET /presence/stream`: server-sent events, a `presence` event per change whose data is
//!   the user's tile, `resync` when the subscriber fell behind, and a keep-alive comment;
//! - `GET /`: a self-contained page (inline CSS and script) that draws a tile per user and
//!   follows the stream;
//! - `POST /notifications`: the webhook the subscriptions deliver to.
//!
//! By default the board starts an emulator of its own with generated users whose presence
//! changes over time ([`demo`]); with `--config` it follows real users on Graph
//! ([`config`]). With `--config` and `--redis URL`, several boards share one mirror through
//! Redis: every board shows every user, the subscriptions are spread over them, and each
//! serves the webhook behind the load balancer the configuration's `notificationUrl` names
//! (see [`board`]); not with the emulator, which is each board's own. The binary is a thin
//! shell over [`cli::parse`] and [`board::start`], which the tests call in process.

#![deny(missing_docs)]

pub mod api;
pub mod board;
pub mod cli;
pub mod config;
pub mod demo;
