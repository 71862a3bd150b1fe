//! A local Microsoft Graph for presence, for tests and for trying the crates without a tenant
//! (issue 19, being built): the presence schema's HTTP surface, keeping the rules a real
//! tenant enforces, on an emulated [`Clock`] that a test can drive by hand or run faster than
//! real time.

#![deny(missing_docs)]

mod clock;
// The subscription module (being built) hands it what to send: unused until then, its
// re-exports included.
#[allow(dead_code, unused_imports)]
mod delivery;

pub use clock::Clock;
