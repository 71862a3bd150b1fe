//! The webhook, without I/O: a request in (method, query, body, the time), the response to
//! send and typed events out. One [`Receiver`] serves the notification URL and the lifecycle
//! notification URL alike: their handshakes and batches have the same shape.
//!
//! A batch is answered `202` however many of its notifications are refused: each bad one is
//! an [`Event::Rejected`] and the rest are processed. Only a batch that cannot be read at all
//! (malformed JSON, too large) or whose validation tokens do not verify gets an error status,
//! and then no notification of it is processed.
//!
//! No request header changes the answer: Graph's `Content-Type` is not checked, so a proxy
//! that rewrites it breaks nothing.
//!
//! A request is handled in two phases, so that a server can decrypt several batches at once
//! and hold a lock only for what cannot be shared ([`Receiver::handle`] runs both):
//!
//! 1. [`Receiver::prepare`] (`&self`): everything that reads only the receiver's settings and
//!    keys: the handshake, the batch's shape, validation tokens, client states, decryption.
//!    A large batch is decrypted on several threads, and a `dataKey` it repeats is unwrapped
//!    once. It changes nothing, so any number of requests can run it at the same time.
//! 2. [`Receiver::apply`]: the decrypted presences against the sequence numbers held, in
//!    batch order (an update older than one applied before, from this batch or another, is
//!    [`Event::Stale`]). It takes the sequence tracker's own short lock, not the receiver
//!    exclusively, so it need not wait for other requests' decryption either.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use graph_presence_models::{ChangeNotification, ChangeNotificationEncryptedContent, Presence};
use jiff::Timestamp;
use openapi_models_runtime::{DecodeError, excerpt};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::crypto::DataKeyCache;
use crate::sequence::{Freshness, SequenceTracker};
use crate::{DecryptionKeys, EncryptedContent, Error, JwkSet, ValidationTokenRules};

mod events;
pub use events::{BatchError, Event, NotificationError};

/// The largest batch body accepted unless set otherwise: 1 MiB. Graph batches up to a few
/// hundred notifications of a few KB each.
pub const DEFAULT_MAX_BODY_LEN: usize = 1024 * 1024;

/// The longest validation token echoed (Graph's are about 150 characters).
pub const MAX_VALIDATION_TOKEN_LEN: usize = 4096;

/// How many characters of the sender's text a `Debug` shows (as the errors' messages do).
const SHOWN: usize = 80;

/// What to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

/// The request's parts the receiver reads.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method (`POST`).
    pub method: &'a str,
    /// The query string without `?`, if any.
    pub query: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// The response and the events of one request.
#[derive(Debug)]
pub struct Handled {
    /// What to send back.
    pub response: Response,
    /// What it meant, in batch order.
    pub events: Vec<Event>,
}

impl Handled {
    /// Whether the batch was refused because a validation token names a signing key the
    /// receiver's set lacks: Microsoft has rotated its keys since they were read. Fetch them
    /// again ([`Receiver::set_signing_keys`]) and handle the same request once more (the
    /// receiver changed nothing while refusing it). The `axum` webhook does this itself.
    pub fn names_unknown_signing_key(&self) -> bool {
        self.events.iter().any(|event| {
            matches!(
                event,
                Event::BatchRejected(BatchError::ValidationToken {
                    error: Error::UnknownKeyId { .. },
                    ..
                })
            )
        })
    }
}

/// A `changeNotificationCollection` with each notification still JSON text, so that one
/// notification of the wrong shape is refused alone.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    value: Vec<Box<RawValue>>,
    #[serde(default)]
    validation_tokens: Option<Vec<String>>,
}

/// A request through [`Receiver::prepare`]: its response, and its notifications read,
/// checked and decrypted, waiting for [`Receiver::apply`] to compare the presences with the
/// sequence numbers held.
#[derive(Debug)]
#[must_use = "apply it to get the events"]
pub struct Prepared {
    response: Response,
    outcomes: Vec<Outcome>,
}

impl Prepared {
    /// What to send back (`apply` does not change it).
    pub fn response(&self) -> &Response {
        &self.response
    }
}

/// What one notification came to in the pure phase.
#[derive(Debug)]
enum Outcome {
    /// Its event, final.
    Event(Event),
    /// A decrypted presence, changed or stale depending on the sequence numbers held.
    Presence {
        subscription_id: String,
        presence: Box<Presence>,
    },
}

/// The fewest notifications worth a thread of their own: starting one costs about what
/// decoding a few basic notifications does, one RSA unwrap many times that.
const MIN_PER_THREAD: usize = 16;

/// The webhook's state: the client state to expect, the keys, the rules, and the sequence
/// numbers seen (behind a lock of their own, see [`Receiver::apply`]).
#[derive(Debug)]
pub struct Receiver {
    client_state: String,
    decryption_keys: Option<DecryptionKeys>,
    validation: Option<(ValidationTokenRules, JwkSet)>,
    sequences: Mutex<SequenceTracker>,
    max_body_len: usize,
    threads: NonZeroUsize,
}

impl Receiver {
    /// A receiver for notifications carrying `client_state` (the secret the subscriptions
    /// were created with): basic notifications only until keys are added.
    pub fn new(client_state: impl Into<String>) -> Self {
        Receiver {
            client_state: client_state.into(),
            decryption_keys: None,
            validation: None,
            sequences: Mutex::new(SequenceTracker::new()),
            max_body_len: DEFAULT_MAX_BODY_LEN,
            threads: std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
        }
    }

    /// Decrypt rich notifications with these keys.
    pub fn decryption_keys(mut self, keys: DecryptionKeys) -> Self {
        self.decryption_keys = Some(keys);
        self
    }

    /// Require and verify validation tokens on batches with encrypted content, against these
    /// rules and signing keys (Microsoft's published JWKS).
    pub fn validation_tokens(mut self, rules: ValidationTokenRules, keys: JwkSet) -> Self {
        self.validation = Some((rules, keys));
        self
    }

    /// Replace the signing keys (Microsoft rotates them; fetch them again when a token names
    /// an unknown `kid`). Does nothing when no rules are set.
    pub fn set_signing_keys(&mut self, keys: JwkSet) {
        if let Some((_, held)) = &mut self.validation {
            *held = keys;
        }
    }

    /// Use this sequence tracker (its capacity, or what an earlier receiver saw).
    pub fn sequence_tracker(mut self, tracker: SequenceTracker) -> Self {
        self.sequences = Mutex::new(tracker);
        self
    }

    /// Decrypt a large batch on up to this many threads (at least one; the machine's
    /// available parallelism unless set). Each thread takes a run of at least
    /// 16 notifications, so small batches are handled on the calling thread alone.
    pub fn decryption_threads(mut self, threads: usize) -> Self {
        self.threads = NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN);
        self
    }

    /// Refuse bodies longer than this many bytes (`413`).
    pub fn max_body_len(mut self, max: usize) -> Self {
        self.max_body_len = max;
        self
    }

    /// The largest body accepted.
    pub fn body_limit(&self) -> usize {
        self.max_body_len
    }

    /// The sequence numbers seen, to record presences read otherwise (a resync after
    /// `missed`) so that older notifications arriving later are dropped.
    pub fn sequences_mut(&mut self) -> &mut SequenceTracker {
        self.sequences
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers one request at time `now` (when validation tokens are checked): [`prepare`]
    /// then [`apply`].
    ///
    /// [`prepare`]: Receiver::prepare
    /// [`apply`]: Receiver::apply
    pub fn handle(&mut self, request: Request<'_>, now: Timestamp) -> Handled {
        let prepared = self.prepare(request, now);
        self.apply(prepared)
    }

    /// The first phase of [`Receiver::handle`]: the request read, checked and decrypted,
    /// without changing the receiver, so that several requests can be prepared at once (a
    /// server keeps the receiver behind a read lock, or an `Arc`, for this phase).
    pub fn prepare(&self, request: Request<'_>, now: Timestamp) -> Prepared {
        if request.method != "POST" {
            return refused(BatchError::Method {
                method: request.method.to_owned(),
            });
        }
        if let Some(token) = request.query.and_then(validation_token) {
            return match token {
                Ok(token) => Prepared {
                    response: Response {
                        status: 200,
                        content_type: "text/plain",
                        body: token,
                    },
                    outcomes: Vec::new(),
                },
                Err(error) => refused(error),
            };
        }
        if request.body.len() > self.max_body_len {
            return refused(BatchError::TooLarge {
                len: request.body.len(),
                max: self.max_body_len,
            });
        }
        let batch: Batch = match openapi_models_runtime::from_slice(request.body) {
            Ok(batch) => batch,
            Err(error) => return refused(BatchError::Malformed(error)),
        };
        if let Err(error) = self.check_validation_tokens(&batch, now) {
            return refused(error);
        }
        let data_keys = DataKeyCache::default();
        let outcomes = in_order_on_threads(&batch.value, self.threads, |index, json| {
            match openapi_models_runtime::from_str::<ChangeNotification>(json.get()) {
                Ok(notification) => self.notification(index, notification, &data_keys),
                Err(error) => Outcome::Event(Event::Rejected {
                    index,
                    subscription_id: subscription_id_of(json),
                    error: NotificationError::Shape(error),
                }),
            }
        });
        Prepared {
            response: Response::text(202, ""),
            outcomes,
        }
    }

    /// The second phase of [`Receiver::handle`]: the prepared presences compared with the
    /// sequence numbers held, in batch order, and recorded. Presences prepared at the same
    /// time can be applied in any order: whichever is older by `sequenceNumber` comes out
    /// [`Event::Stale`], applied first or last.
    ///
    /// It takes `&self` so that a server holding the receiver behind a read lock applies
    /// without waiting for other requests' decryption: the sequence numbers have a lock of
    /// their own, held for the comparisons only.
    pub fn apply(&self, prepared: Prepared) -> Handled {
        let Prepared { response, outcomes } = prepared;
        if outcomes.is_empty() {
            return Handled {
                response,
                events: Vec::new(),
            };
        }
        // A panic while it was held cannot have left a sequence number half-written.
        let mut sequences = self
            .sequences
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let events = outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Event(event) => event,
                Outcome::Presence {
                    subscription_id,
                    presence,
                } => {
                    let sequence = presence.sequence_number.as_option().map(String::as_str);
                    match sequences.observe(&presence.id, sequence) {
                        Freshness::Stale { held } => Event::Stale {
                            subscription_id,
                            user_id: presence.id.clone(),
                            sequence_number: sequence.unwrap_or_default().to_owned(),
                            held,
                        },
                        Freshness::Newer | Freshness::Untracked => Event::PresenceChanged {
                            subscription_id,
                            user_id: presence.id.clone(),
                            presence,
                        },
                    }
                }
            })
            .collect();
        Handled { response, events }
    }

    /// With rules set, a batch carrying encrypted content or tokens needs every token valid.
    /// A batch of basic notifications carries none (Graph sends them with rich notifications
    /// only) and is checked by its client state alone.
    fn check_validation_tokens(&self, batch: &Batch, now: Timestamp) -> Result<(), BatchError> {
        let Some((rules, keys)) = &self.validation else {
            return Ok(());
        };
        let tokens = batch.validation_tokens.as_deref().unwrap_or_default();
        let encrypted = batch.value.iter().any(|json| has_encrypted_content(json));
        if tokens.is_empty() {
            return if encrypted {
                Err(BatchError::MissingValidationTokens)
            } else {
                Ok(())
            };
        }
        for (index, token) in tokens.iter().enumerate() {
            rules
                .verify(token, keys, now)
                .map_err(|error| BatchError::ValidationToken { index, error })?;
        }
        Ok(())
    }

    fn notification(
        &self,
        index: usize,
        notification: ChangeNotification,
        data_keys: &DataKeyCache,
    ) -> Outcome {
        let subscription_id = notification.subscription_id.clone();
        let rejected = |error| {
            Outcome::Event(Event::Rejected {
                index,
                subscription_id: subscription_id.clone(),
                error,
            })
        };
        if !notification.has_client_state(&self.client_state) {
            return rejected(NotificationError::ClientState);
        }
        if notification.lifecycle_event.as_option().is_some() {
            return Outcome::Event(Event::Lifecycle(Box::new(notification)));
        }
        let Some(content) = notification.encrypted_content.as_option() else {
            let resource_data = notification.resource_data.as_option();
            return Outcome::Event(Event::ResourceChanged {
                subscription_id,
                user_id: resource_data.and_then(|data| data.id.clone()),
                resource: notification.resource,
            });
        };
        let Some(keys) = &self.decryption_keys else {
            return rejected(NotificationError::NoDecryptionKeys);
        };
        match keys
            .decrypt_in_batch(&EncryptedContent::from(content), data_keys)
            .map_err(NotificationError::Decryption)
            .and_then(|plain| {
                openapi_models_runtime::from_slice(plain.as_bytes())
                    .map_err(NotificationError::Presence)
            }) {
            Ok(presence) => Outcome::Presence {
                subscription_id,
                presence: Box::new(presence),
            },
            Err(error) => rejected(error),
        }
    }
}

/// `each` over `items` with their indexes, the results in the items' order: on the calling
/// thread for a short list, else in contiguous runs on up to `threads` scoped threads (a run
/// whose thread cannot be started is done on the calling thread).
fn in_order_on_threads<T: Sync, U: Send>(
    items: &[T],
    threads: NonZeroUsize,
    each: impl Fn(usize, &T) -> U + Sync,
) -> Vec<U> {
    let threads = threads.get().min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| each(i, item))
            .collect();
    }
    let run_len = items.len().div_ceil(threads);
    let each = &each;
    let run = move |first: usize, run: &[T]| -> Vec<U> {
        run.iter()
            .enumerate()
            .map(|(i, item)| each(first + i, item))
            .collect()
    };
    std::thread::scope(|scope| {
        let mut runs = items.chunks(run_len).enumerate();
        // The first run is the calling thread's own, done while the others run.
        let first = runs.next();
        let started: Vec<Result<_, Vec<U>>> = runs
            .map(|(n, items)| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || run(n * run_len, items))
                    .map_err(|_| run(n * run_len, items))
            })
            .collect();
        let mut out = first.map_or_else(Vec::new, |(_, items)| run(0, items));
        out.reserve(items.len().saturating_sub(out.len()));
        for rest in started {
            match rest {
                Ok(thread) => match thread.join() {
                    Ok(results) => out.extend(results),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(done_here) => out.extend(done_here),
            }
        }
        out
    })
}

impl<'a> From<&'a ChangeNotificationEncryptedContent> for EncryptedContent<'a> {
    fn from(content: &'a ChangeNotificationEncryptedContent) -> Self {
        let thumbprint = content.encryption_certificate_thumbprint.as_str();
        EncryptedContent {
            data: &content.data,
            data_signature: &content.data_signature,
            data_key: &content.data_key,
            encryption_certificate_id: &content.encryption_certificate_id,
            encryption_certificate_thumbprint: (!thumbprint.is_empty()).then_some(thumbprint),
        }
    }
}

/// Whether a notification carries `encryptedContent` (read loosely: the check must not depend
/// on the rest of its shape).
fn has_encrypted_content(json: &RawValue) -> bool {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(rename = "encryptedContent", borrow)]
        encrypted_content: Option<&'a RawValue>,
    }
    serde_json::from_str::<Probe<'_>>(json.get())
        .map(|probe| probe.encrypted_content.is_some_and(|c| c.get() != "null"))
        // Not even an object: it will be refused alone, so it cannot need a token.
        .unwrap_or(false)
}

/// A notification's `subscriptionId` when it is a string, else empty.
fn subscription_id_of(json: &RawValue) -> String {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "subscriptionId")]
        subscription_id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Probe>(json.get()) {
        Ok(Probe {
            subscription_id: Some(serde_json::Value::String(id)),
        }) => id,
        _ => String::new(),
    }
}

fn refused(error: BatchError) -> Prepared {
    // The body says what was wrong in general terms; the event has the details.
    let body = match &error {
        BatchError::Malformed(_) => "malformed notification batch",
        BatchError::MissingValidationTokens | BatchError::ValidationToken { .. } => {
            "validation tokens do not verify"
        }
        BatchError::Method { .. } => "POST only",
        BatchError::TooLarge { .. } => "body too large",
        BatchError::ValidationTokenTooLong => "validation token too long",
    };
    Prepared {
        response: Response::text(error.status(), body),
        outcomes: vec![Outcome::Event(Event::BatchRejected(error))],
    }
}

/// The `validationToken` query parameter, decoded as a form value (`+` is a space, then
/// percent-escapes), if present.
fn validation_token(query: &str) -> Option<Result<Vec<u8>, BatchError>> {
    let value = query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_form(name.as_bytes()) == b"validationToken").then_some(value)
    })?;
    // Three bytes (`%XX`) decode to at least one: longer is refused before it is decoded.
    if value.len() > 3 * MAX_VALIDATION_TOKEN_LEN {
        return Some(Err(BatchError::ValidationTokenTooLong));
    }
    let token = decode_form(value.as_bytes());
    Some(if token.len() > MAX_VALIDATION_TOKEN_LEN {
        Err(BatchError::ValidationTokenTooLong)
    } else {
        Ok(token)
    })
}

fn decode_form(text: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}
