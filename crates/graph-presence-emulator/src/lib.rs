//! A local Microsoft Graph for presence, for tests and for trying the presence crates without
//! a tenant. [`Emulator::start`] serves the presence schema's operations on 127.0.0.1 (under
//! `/v1.0` and `/beta`) and keeps the rules a real tenant enforces:
//!
//! - **Presence** as Graph aggregates it: each app's session (`setPresence`) fades from
//!   Available to AvailableInactive and Away and expires; the user-preferred presence shows
//!   over the sessions; status messages expire; work location and out of office are kept. A
//!   Teams client's sign-in, calls, idling and sign-out come from [`Teams`].
//! - **Tokens and permissions**: an emulated identity platform (Microsoft's token endpoint,
//!   OpenID configuration and keys, per tenant) issues RS256 tokens; every request's token is
//!   verified and checked against its operation's permissions (delegated scopes, application
//!   roles), as Graph answers 401 and 403.
//! - **Subscriptions**: one user or a filter of at most 650, at most 60 minutes, one per
//!   signed-in user per app (Graph's 409), a validation handshake with each endpoint, renewal,
//!   reauthorization and expiry.
//! - **Change notifications** delivered as Graph delivers them: batched, retried with backoff
//!   for up to 4 hours, rich ones encrypted for the subscription's certificate, slow endpoints
//!   delayed then dropped, `reauthorizationRequired` before a subscription's token expires.
//! - **Throttling** per app per tenant in sliding windows (`429` with `Retry-After`), with
//!   Microsoft's published figures as presets ([`ThrottleSettings`]).
//! - **Faults** on demand ([`Fault`]): latency, `503`s and cut connections, drawn from a seed so
//!   that a run fails the same way twice.
//!
//! Everything with a time in it reads one emulated [`Clock`]: by default a manual one that a
//! test moves with [`Emulator::advance`], or one running faster than real time.
//!
//! # In a test
//!
//! ```
//! use graph_presence_emulator::Emulator;
//! use graph_presence_models::{Activity, Availability};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let emulator = Emulator::start().await?;
//!     // A client signed in as the first user, with fresh tokens on the emulated clock.
//!     let client = emulator.client();
//!     let me = client.me().presence().get().await?;
//!     assert_eq!(me.availability.as_option(), Some(&Availability::Offline));
//!
//!     // The user's Teams client signs in, then sits idle for ten emulated minutes.
//!     let teams = emulator.teams(&me.id).ok_or("a user of the directory")?;
//!     teams.sign_in();
//!     let me = client.me().presence().get().await?;
//!     assert_eq!(me.availability.as_option(), Some(&Availability::Available));
//!     teams.go_idle();
//!     emulator.advance(Duration::from_secs(10 * 60));
//!     let me = client.me().presence().get().await?;
//!     assert_eq!(me.activity.as_option(), Some(&Activity::Away));
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```
//!
//! [`Emulator::builder`] sets the users ([`Directory`]: built-in, a JSON file or synthetic),
//! the clock, more apps, the throttling, the delivery settings, the faults' seed and the port.
//!
//! # The binary
//!
//! `cargo run -p graph-presence-emulator` serves on `127.0.0.1:5010` until Ctrl-C and prints
//! the Graph URL, how to get tokens (a `curl` line for the token endpoint's client
//! credentials, and one for the admin API), a delegated token for the first user, the users,
//! and the `GRAPH_BASE_URL`/`GRAPH_TOKEN` lines and client code a new app needs. Its clock
//! runs in real time. Flags: `--port N` (`0`: any free port), `--users FILE`,
//! `--synthetic N`, `--accelerate FACTOR`, `--seed N`, `--throttle PRESET` (`presencePages`,
//! `throttlingLimitsPage` or `off`), `--help`. A mistake in them exits with status 2.
//!
//! # The admin API
//!
//! JSON under `/_emulator`, unauthenticated (it is local), for tests in other languages and
//! for trying things with `curl`. Bad input gets Graph's error JSON naming the problem
//! (`400 BadRequest`); an unknown user or subscription, `404 ResourceNotFound`.
//!
//! | endpoint | what it does |
//! |---|---|
//! | `GET /_emulator` | the clock, the counts and the counters |
//! | `GET /_emulator/counters` | requests by operation and by status, presence changes, throttled requests, injected faults, open delivery batches |
//! | `POST /_emulator/tokens` `{"user"?, "scopes"?, "roles"?, "appId"?}` | a token: delegated for `user` (every presence scope unless `scopes`), else app-only |
//! | `POST /_emulator/clock/advance` `{"seconds": n}` | moves the clock forward |
//! | `GET /_emulator/users` | every user with their availability and activity |
//! | `GET /_emulator/users/{id}` | one user's presence as they see it, with the sessions and the preferred presence behind it |
//! | `POST /_emulator/users/{id}/teams` `{"action"}` | acts as the user's Teams client: `signIn`, `startCall`, `endCall`, `goIdle`, `signOut` |
//! | `POST /_emulator/users/{id}/outOfOffice` `{"on", "message"?}` | turns out of office on or off |
//! | `GET /_emulator/subscriptions` | every app's subscriptions: owner app and user, resource, user count, expiry |
//! | `DELETE /_emulator/subscriptions/{id}` | removes one silently, as its expiry does; `?lifecycleEvent=subscriptionRemoved` tells its lifecycle URL |
//! | `POST /_emulator/subscriptions/{id}/missed` | sends `missed` to its lifecycle URL and keeps it (`202`): Graph sends `missed` for other resources, not for presence (RULES.md §1), so only when asked, for trying an app's handling of it |
//! | `GET /_emulator/deliveries` | every delivery attempt, oldest first; `?subscription=id`, `?url=…` filter them |
//! | `GET /_emulator/endpoints` | the webhook endpoints that answered or are slow or dropping; `?url=…` for one |
//! | `GET`, `PUT /_emulator/faults` | the injected faults: `[{"route", "latencyMs"?, "serverErrorRate"?, "resetRate"?}]` |
//! | `GET`, `PUT /_emulator/throttle` | the limits: `{"presence", "subscriptionWrites", "subscriptionReads"}`, each `{"requests", "windowSeconds"}` or `null`; `PUT` also takes a preset's name as a JSON string |
//!
//! ```text
//! curl -s -X POST localhost:5010/_emulator/users/00000000-0000-4000-8000-000000000001/teams \
//!      -H 'content-type: application/json' -d '{"action": "startCall"}'
//! curl -s -X PUT localhost:5010/_emulator/throttle -d '"off"'
//! ```

#![deny(missing_docs)]

mod admin;
mod api;
mod clock;
mod delivery;
mod directory;
mod emulator;
mod faults;
mod identity;
mod presence;
mod routes;
mod state;
mod subscriptions;
pub mod testing;
mod throttle;

pub use clock::Clock;
pub use delivery::{
    AttemptFailure, BatchKind, DeliveryRecord, DeliverySettings, DropReason, EndpointState,
    EndpointStatus, Outcome,
};
pub use directory::{Directory, DirectoryError, User};
pub use emulator::{ALL_SCOPES, APP_ID, Emulator, EmulatorBuilder, TENANT_ID, Teams};
pub use faults::Fault;
pub use identity::{App, Identity, TokenRequest};
pub use throttle::{Limit, ThrottleSettings};
