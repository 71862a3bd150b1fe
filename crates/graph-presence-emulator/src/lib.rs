//! A local Microsoft Graph for presence, for tests and for trying the crates without a tenant
//! (issue 19, being built): the presence schema's HTTP surface, keeping the rules a real
//! tenant enforces, on an emulated [`Clock`] that a test can drive by hand or run faster than
//! real time.

#![deny(missing_docs)]

mod clock;
mod directory;
// The API layer (being built) draws from it.
#[allow(dead_code)]
mod faults;
// The API layer (being built) counts requests with it.
#[allow(dead_code)]
mod throttle;
// The API layer (being built) keeps subscriptions in it.
#[allow(dead_code)]
mod subscriptions;
// The API layer (being built) calls it; until then only its tests do.
#[allow(dead_code)]
mod presence;
// Tokens and permissions: the API layer (not yet written) serves the key set, the OpenID
// configuration and the token endpoint, and verifies and checks each request's token; until it
// does, nothing outside the module's tests calls it.
#[allow(dead_code)]
mod identity;
// The subscription module (being built) hands it what to send: unused until then, its
// re-exports included.
#[allow(dead_code, unused_imports)]
mod delivery;

pub use clock::Clock;
pub use directory::{Directory, DirectoryError, User};
pub use faults::Fault;
pub use throttle::{Limit, ThrottleSettings};
