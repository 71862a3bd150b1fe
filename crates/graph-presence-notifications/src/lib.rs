//! Receiving Microsoft Graph presence change notifications. The core does no I/O: no HTTP, no
//! clock (the time is passed in), no key fetching, so it fits any server.
//!
//! - [`Receiver`] is the webhook: a request's method, query and body in, the [`Response`] to
//!   send and typed [`Event`]s out. It answers the validation handshake, checks each
//!   notification's `clientState` in constant time, verifies the batch's validation tokens,
//!   decrypts rich notifications to a `Presence`, drops stale updates by `sequenceNumber`
//!   ([`SequenceTracker`]), and refuses a bad notification without stopping its batch. For a
//!   server that handles requests at once, `handle` splits into [`Receiver::prepare`]
//!   (`&self`: reading, checking, decrypting, on several threads for a large batch) and
//!   [`Receiver::apply`] (the sequence numbers, under a short lock of their own).
//! - `axum::Webhook` (feature `axum`) serves it and sends the events to the app through a
//!   bounded channel.
//! - `JwkSet::fetch_microsoft` (feature `fetch-keys`) fetches Microsoft's signing keys with the
//!   caller's `reqwest::Client`.
//!
//! ```toml
//! [dependencies]
//! graph-presence-notifications = { path = "crates/graph-presence-notifications", features = ["axum"] }
//! ```
//!
//! ```
//! use graph_presence_notifications::{Event, Receiver, Request};
//!
//! let mut receiver = Receiver::new("a secret"); // the client state the subscriptions carry
//!
//! // The handshake Graph makes before it creates a subscription.
//! let handled = receiver.handle(
//!     Request { method: "POST", query: Some("validationToken=Validation%3a+Testing"), body: b"" },
//!     jiff::Timestamp::now(),
//! );
//! assert_eq!((handled.response.status, handled.response.content_type), (200, "text/plain"));
//! assert_eq!(handled.response.body, b"Validation: Testing");
//!
//! // A batch with one basic notification.
//! let body = br#"{"value":[{"subscriptionId":"s1","tenantId":"t1","clientState":"a secret",
//!   "changeType":"updated","resourceData":{"id":"u1"}}]}"#;
//! let handled = receiver.handle(Request { method: "POST", query: None, body }, jiff::Timestamp::now());
//! assert_eq!(handled.response.status, 202);
//! assert!(matches!(&handled.events[..], [Event::ResourceChanged { user_id: Some(id), .. }] if id == "u1"));
//! ```
//!
//! # What `handle` answers
//!
//! For the notification URL and the lifecycle notification URL alike:
//!
//! - `POST ?validationToken=…` (the handshake): `200`, `text/plain`, the decoded token as
//!   sent (a token over 4 KiB is a `400`).
//! - A batch: `202`, and one event per notification, in order. Each notification's
//!   `clientState` is compared in constant time; then a lifecycle notification is
//!   `Event::Lifecycle` (give it to the client's `PresenceSubscriptions::handle_lifecycle`), a
//!   basic one is `Event::ResourceChanged` with the user's id (fetch the presence), and a
//!   rich one is decrypted to `Event::PresenceChanged` with the `Presence`, or `Event::Stale`
//!   when its `sequenceNumber` is not newer than the last one delivered for that user. A
//!   notification that fails (wrong client state, tampered content, unknown certificate, not a
//!   presence, not a change notification) is `Event::Rejected` with its index and a typed
//!   error, and the rest of the batch goes on.
//! - Refused whole, with one `Event::BatchRejected`: a method other than POST `405`, a body
//!   over `max_body_len` (1 MiB by default) `413`, malformed JSON `400` (the error has line
//!   and column), and, when `validation_tokens(rules, jwks)` is set, a batch whose
//!   `validationTokens` do not all verify, or that has encrypted content and none, `401`.
//!   401 rather than 202: nothing of such a batch is processed, since nothing shows it came
//!   from Graph; and if it did come from Graph, signed say with a key rotated in since the app
//!   read Microsoft's keys, Graph retries it, giving the app time to fetch
//!   `https://login.microsoftonline.com/common/discovery/v2.0/keys` again
//!   ([`Receiver::set_signing_keys`]; [`Handled::names_unknown_signing_key`] says when).
//!   Graph sends validation tokens with rich notifications only; a batch of basic ones is
//!   checked by its client state.
//!
//! No request header changes the answer: a proxy that rewrites `Content-Type` breaks nothing.
//!
//! # Sequence numbers
//!
//! `sequenceNumber` sorts in update order (strings of digits are compared as numbers, anything
//! else as strings, as Graph documents). The [`SequenceTracker`] remembers 100,000 users
//! unless told otherwise ([`Receiver::sequence_tracker`]), forgetting the one recorded first
//! when full; record the presences a resync reads (`sequences_mut().observe(id, sequence)`) so
//! that older notifications still on their way are dropped.
//!
//! # The axum webhook
//!
//! With the `axum` feature, `Webhook::new(receiver, capacity)` gives the webhook and the app's
//! end of a bounded channel of events; `webhook.router(path)` serves it (route the
//! notification URL and the lifecycle URL to it alike). The answer never waits for the app:
//! Graph wants `202` within about three seconds. When the channel is full the events that do
//! not fit are dropped and counted (`dropped_events()`), and Graph still gets `202`; presence
//! is state, so an app that sees the count move reads everyone again, as after `missed`.
//! Decrypting is CPU work, so the receiver runs on tokio's blocking pool.
//!
//! With the `fetch-keys` feature too, `webhook.refetch_signing_keys(reqwest_client,
//! MICROSOFT_KEYS_URL)` follows Microsoft's key rotations: a batch whose token names a key the
//! receiver lacks makes the webhook fetch the keys again and answer the batch with them.
//! Anyone can send a made-up key id, so fetches are spaced (five minutes after one that
//! brought keys, 30 seconds after a failed one; in between such a batch is answered `401`,
//! and Graph delivers it again), and a request waits at most two seconds for keys. A failed
//! fetch keeps the old keys and is reported as `Event::SigningKeysNotFetched`.
//!
//! `examples/presence_changes.rs` is the whole loop: it serves the webhook, subscribes a list
//! of users with the client's helper, renews on schedule, reacts to lifecycle events
//! (resyncing on `missed`) and prints each change. It is configured by environment variables:
//! `GRAPH_TOKEN` (a delegated token with `Presence.Read.All`), `PRESENCE_USER_IDS`
//! (comma-separated object ids), `PUBLIC_URL` (the HTTPS address Graph reaches, a tunnel to
//! `LISTEN_ADDR`, default `127.0.0.1:8080`) and `CLIENT_STATE`; for rich notifications
//! `NOTIFY_CERT`, `NOTIFY_KEY` (PEM files) and `NOTIFY_CERT_ID`; to verify validation tokens
//! `APP_ID` and `TENANT_ID` (Microsoft's keys are fetched at start and again when rotated, or
//! read from `JWKS_FILE`).
//!
//! ```text
//! cargo run -p graph-presence-notifications --features axum,fetch-keys --example presence_changes
//! ```
//!
//! # The security core
//!
//! Usable on its own:
//!
//! - **Rich notifications.** [`DecryptionKeys`] holds the app's certificate keys (PKCS#8 or
//!   PKCS#1, PEM or DER) by `encryptionCertificateId`, several during a rotation, and decrypts
//!   `encryptedContent` as Graph encrypts it: RSA-OAEP (SHA-1) unwraps the symmetric
//!   `dataKey`, `dataSignature` (HMAC-SHA256 of `data`) is checked in constant time before
//!   anything else, then AES-256-CBC with PKCS#7 padding gives the resource JSON.
//!   [`EncryptedContent`] borrows the five fields of a notification's
//!   `ChangeNotificationEncryptedContent` (`EncryptedContent::from(&content)`); the result is
//!   the presence JSON, for `graph_presence_models::from_slice`.
//! - **Validation tokens.** [`ValidationTokenRules`]: `ValidationTokenRules::new(app_id,
//!   tenant_id).verify(token, &keys, now)` checks a `validationTokens` JWT against Microsoft's published key set
//!   ([`JwkSet`], which the app fetches): RS256 only, the key by `kid`, the audience, the
//!   issuer's tenant, Graph's change-tracking app as `azp`, and `exp`/`nbf` with five minutes
//!   of skew. The global cloud's issuers are accepted; a national cloud's is added as its
//!   OpenID configuration spells it
//!   (`.also_issuer("https://login.microsoftonline.us/{tenantid}/v2.0")?`), with that cloud's
//!   keys (`JwkSet::fetch(&http, its_jwks_uri)`).
//!
//! Every failure is an [`Error`] variant of its own (a tampered `data` or `dataSignature`, a
//! wrong key, bad padding, an unknown certificate id, an expired token, a wrong audience…),
//! and none carries key material or plaintext. The cryptography is `aws-lc-rs`, the
//! constant-time implementation rustls uses (not the `rsa` crate, RUSTSEC-2023-0071). With the
//! `fetch-keys` feature, `JwkSet::fetch_microsoft(&reqwest_client)` fetches Microsoft's
//! signing keys (your client, your TLS; an answer over 1 MiB is refused); they rotate every
//! few weeks, so fetch them daily and when a token names a `kid` the set lacks
//! (`Error::UnknownKeyId`).
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
    Prepared, Receiver, Request, Response,
};
pub use sequence::{
    DEFAULT_TRACKED_USERS, Freshness, SequenceTracker, compare as compare_sequence_numbers,
};
pub use validation_token::{
    DEFAULT_CLOCK_SKEW, GLOBAL_ISSUERS, GRAPH_CHANGE_TRACKING_APP_ID, JwkSet, ValidationTokenRules,
    VerifiedToken,
};
