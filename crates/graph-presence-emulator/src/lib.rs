//! A local Microsoft Graph for presence, for tests and for trying the crates without a tenant
//! (issue 19, being built): the presence schema's HTTP surface, keeping the rules a real
//! tenant enforces, on an emulated [`Clock`] that a test can drive by hand or run faster than
//! real time.

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
