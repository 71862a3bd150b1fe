//! Change notifications delivered as Graph delivers them (RULES.md §2, API.md §3.12): the
//! subscription registry and the presence state decide what to send and where; this module
//! sends it.
//!
//! - [`EncryptionCertificate`] reads a subscription's `encryptionCertificate` (base64 DER) at
//!   create time, refusing what is not an RSA certificate ([`CertificateError`], a `400`), and
//!   encrypts rich notifications' `encryptedContent` exactly as Graph does.
//! - [`TokenSigner`] signs the `validationTokens` of batches with rich notifications; the
//!   identity module implements it with the emulator's published keys. [`ValidationClaims`]
//!   says what the tokens claim.
//! - [`Change`] and [`LifecycleNotification`] are what the subscription module hands over; the
//!   JSON is Microsoft's documented shape (`changeType` `updated`, `resource`
//!   `communications/presences/{id}`, `resourceData`, `organizationId`, `encryptedContent`,
//!   and `lifecycleEvent` for lifecycle notifications).
//! - [`validate`] (or [`Deliverer::validate`]) is the validation handshake a subscription
//!   create or a URL change makes; [`check_url`] is where the emulator may POST at all.
//! - [`Deliverer`] batches, POSTs, retries with exponential backoff on the emulated clock for
//!   up to 4 hours, throttles slow endpoints (delay, drop) and records every attempt
//!   ([`DeliveryRecord`], [`EndpointStatus`]).
//! - [`DeliverySettings`] holds every number, defaulting to the current documentation, with
//!   [`DeliverySettings::earlier_revision`] as a preset. Answer timeouts are real time (the
//!   webhook answers in real time); everything Graph schedules is emulated time.

mod body;
mod deliverer;
mod encryption;
mod endpoint;
mod handshake;
mod settings;
mod tokens;

#[cfg(test)]
mod tests;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

pub use body::{Change, LifecycleEvent, LifecycleNotification, RichContent};
pub use deliverer::{AttemptFailure, BatchKind, Deliverer, DeliveryRecord, DropReason, Outcome};
pub use encryption::EncryptionCertificate;
// The rest of the module's surface: its tests, and what an admin or a test may read.
#[allow(unused_imports)]
pub use encryption::{CertificateError, EncryptError, EncryptedContent};
pub use endpoint::{EndpointState, EndpointStatus};
#[allow(unused_imports)]
pub use handshake::{
    HandshakeError, UrlError, check_url, new_validation_token, validate, validate_with_token,
};
pub use settings::DeliverySettings;
pub use tokens::ValidationClaims;
#[allow(unused_imports)]
pub use tokens::{GRAPH_CHANGE_TRACKING_APP_ID, TokenSigner};

/// `at` plus `by`, saturating at the end of time.
fn later(at: Timestamp, by: Duration) -> Timestamp {
    let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
    at.saturating_add(by).unwrap_or(Timestamp::MAX)
}
