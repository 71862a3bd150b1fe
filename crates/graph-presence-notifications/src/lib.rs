//! Receiving Microsoft Graph presence change notifications. The core does no I/O: no HTTP, no
//! clock (the time is passed in), no key fetching.
//!
//! - [`Receiver`] is the webhook: a request's method, query and body in, the [`Response`] to
//!   send and typed [`Event`]s out. It answers the validation handshake, checks each
//!   notification's `clientState` in constant time, verifies the batch's validation tokens,
//!   decrypts rich notifications to a `Presence`, drops stale updates by `sequenceNumber`
//!   ([`SequenceTracker`]), and refuses a bad notification without stopping its batch.
//! - `axum::Webhook` (feature `axum`) serves it and sends the events to the app through a
//!   bounded channel.
//! - `JwkSet::fetch_microsoft` (feature `fetch-keys`) fetches Microsoft's signing keys with the
//!   caller's `reqwest::Client`.
//!
//! ```
//! use graph_presence_notifications::{Event, Receiver, Request};
//!
//! let mut receiver = Receiver::new("a secret");
//! let body = br#"{"value":[{"subscriptionId":"s1","tenantId":"t1","clientState":"a secret",
//!   "changeType":"updated","resourceData":{"id":"u1"}}]}"#;
//! let handled = receiver.handle(Request { method: "POST", query: None, body }, jiff::Timestamp::now());
//! assert_eq!(handled.response.status, 202);
//! assert!(matches!(&handled.events[..], [Event::ResourceChanged { user_id: Some(id), .. }] if id == "u1"));
//! ```
//!
//! Underneath, its security core:
//!
//! - [`DecryptionKeys`] decrypts a rich notification's `encryptedContent` with the app's
//!   certificate keys, picked by `encryptionCertificateId`: RSA-OAEP (SHA-1) unwraps the
//!   symmetric key, HMAC-SHA256 of `data` is checked in constant time before anything else,
//!   then AES-256-CBC with PKCS#7 padding gives the resource JSON.
//! - [`ValidationTokenRules`] verifies the JWTs of a batch's `validationTokens` against a key
//!   set the caller supplies ([`JwkSet`], Microsoft's published JWKS): RS256 only, the key by
//!   `kid`, then audience, issuer (tenant), authorized party (Graph's change-tracking app) and
//!   time.
//!
//! Every failure is an [`Error`] variant of its own; none carries key material or plaintext.
//! The cryptography is `aws-lc-rs`, the constant-time implementation rustls uses.
//!
//! ```no_run
//! use graph_presence_notifications::{
//!     DecryptionKey, DecryptionKeys, EncryptedContent, JwkSet, ValidationTokenRules,
//! };
//!
//! # use graph_presence_notifications::Error;
//! # fn example(pem: &[u8], jwks: &[u8], token: &str) -> Result<(), Error> {
//! let keys = DecryptionKeys::new().key("presence-cert-2025", DecryptionKey::from_pem(pem)?);
//! let presence_json = keys.decrypt(&EncryptedContent {
//!     data: "…",
//!     data_signature: "…",
//!     data_key: "…",
//!     encryption_certificate_id: "presence-cert-2025",
//!     encryption_certificate_thumbprint: None,
//! })?;
//! println!("{}", presence_json.to_str()?);
//!
//! let rules = ValidationTokenRules::new(
//!     "11111111-2222-3333-4444-555555555555", // the app's id
//!     "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", // the tenant it subscribed in
//! );
//! rules.verify(token, &JwkSet::from_json(jwks)?, jiff::Timestamp::now())?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod crypto;
mod error;
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
mod fetch;
mod receiver;
mod sequence;
mod validation_token;

pub use crypto::{DecryptedContent, DecryptionKey, DecryptionKeys, EncryptedContent};
pub use error::Error;
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
pub use fetch::{FetchError, MICROSOFT_KEYS_URL};
pub use receiver::{
    BatchError, DEFAULT_MAX_BODY_LEN, Event, Handled, MAX_VALIDATION_TOKEN_LEN, NotificationError,
    Receiver, Request, Response,
};
pub use sequence::{
    DEFAULT_TRACKED_USERS, Freshness, SequenceTracker, compare as compare_sequence_numbers,
};
pub use validation_token::{
    DEFAULT_CLOCK_SKEW, GLOBAL_ISSUERS, GRAPH_CHANGE_TRACKING_APP_ID, JwkSet, ValidationTokenRules,
    VerifiedToken,
};
