//! The receiver served by axum: every request goes to the sans-IO [`Receiver`], its response
//! is sent back, and its events go to the app through a bounded tokio channel.
//!
//! Graph wants `202` within about three seconds and retries, then gives up on, an endpoint
//! that is slow. So the answer never waits for the app: events are offered with `try_send`,
//! and when the channel is full (the app is behind by `capacity` events) those that do not
//! fit are dropped and counted ([`Webhook::dropped_events`]); Graph still gets `202`. Presence
//! is state, not a log: an app that sees the counter move resynchronises with
//! `getPresencesByUserId`, as it does on a `missed` lifecycle event.
//!
//! Decrypting is CPU work (an RSA decryption per `dataKey`), so the receiver runs on tokio's
//! blocking pool, and requests do not wait for each other's: each is prepared
//! ([`Receiver::prepare`]) under a read lock that any number of requests share, a large batch
//! on several threads, and only the comparison with the sequence numbers held
//! ([`Receiver::apply`]) takes a lock of its own, for microseconds. A basic notification
//! arriving while a batch of a thousand rich ones is decrypted is answered at once.
//! Replacing the receiver's keys ([`Webhook::with_receiver`], a signing key refetch) takes the
//! write lock: it waits for the decryptions in progress, and requests arriving meanwhile wait
//! for it.
//!
//! A webhook faces the internet, so a request is held to limits chosen against Graph's
//! delivery window (Graph counts an answer slower than about three seconds as a failure, so
//! nothing is lost by ending slower requests sooner): its body must arrive within
//! [`BODY_TIMEOUT`] (`408`), a `Content-Length` past the receiver's body limit is refused
//! before any body is read (`413`), and at most [`MAX_CONCURRENT_REQUESTS`] are handled at
//! once, more being answered `503` at once so that Graph retries them. Serve the router with
//! [`serve`], whose header read timeout and bound on connections `axum::serve` lacks.
//!
//! With the `fetch-keys` feature, `Webhook::refetch_signing_keys` keeps validation tokens
//! verifying across Microsoft's key rotations: a batch whose token names a key the receiver
//! lacks makes the webhook fetch the key set again and answer with the new keys.
//!
//! ```no_run
//! use graph_presence_notifications::{Receiver, axum::{ServeSettings, Webhook}};
//!
//! # async fn example() -> std::io::Result<()> {
//! let (webhook, mut events) = Webhook::new(Receiver::new("a secret"), 1024);
//! let app = webhook.router("/api/presence");
//! tokio::spawn(async move {
//!     while let Some(event) = events.recv().await {
//!         println!("{event:?}");
//!     }
//! });
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! graph_presence_notifications::axum::serve(listener, app, ServeSettings::default()).await;
//! # Ok(())
//! # }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request as HttpRequest, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::sync::{Semaphore, mpsc};

use crate::{Event, Handled, Receiver, Request};

/// Serves a router over HTTP/1 with a header read timeout and a bound on open connections
/// (the server runtime's `serve`); [`ServeSettings::default`] reads headers within 10 s and
/// holds up to 1,024 connections.
pub use openapi_server_runtime::{ServeSettings, serve};

/// How long a request's body may take to arrive (default): Graph sends a whole batch at
/// once and wants the answer within about three seconds.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many requests the webhook handles at once (default); more are answered `503`.
pub const MAX_CONCURRENT_REQUESTS: usize = 256;

/// The shared state of the webhook route: the receiver, the channel to the app and the count
/// of events dropped because it was full. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// Read-locked while requests are handled (they share it), write-locked to change keys.
    receiver: Arc<RwLock<Receiver>>,
    events: mpsc::Sender<Event>,
    dropped: Arc<AtomicU64>,
    limits: openapi_server_runtime::Settings,
    in_flight: Arc<Semaphore>,
    #[cfg(feature = "fetch-keys")]
    refetch: Option<Arc<keys::Refetch>>,
}

impl Webhook {
    /// The webhook around `receiver`, and the app's end of a channel holding up to
    /// `capacity` events (at least one).
    pub fn new(receiver: Receiver, capacity: usize) -> (Self, mpsc::Receiver<Event>) {
        let (events, app) = mpsc::channel(capacity.max(1));
        let max_body_len = receiver.body_limit();
        let webhook = Webhook {
            receiver: Arc::new(RwLock::new(receiver)),
            events,
            dropped: Arc::new(AtomicU64::new(0)),
            // The receiver's limit, plus one so that it, not the reading, tells a too-large
            // body apart (with its own message).
            limits: openapi_server_runtime::Settings::default()
                .body_limit(max_body_len.saturating_add(1))
                .body_timeout(BODY_TIMEOUT),
            in_flight: Arc::new(Semaphore::new(MAX_CONCURRENT_REQUESTS)),
            #[cfg(feature = "fetch-keys")]
            refetch: None,
        };
        (webhook, app)
    }

    /// How long a request's body may take to arrive ([`BODY_TIMEOUT`] unless set): a slower
    /// one, or one shorter than its `Content-Length`, is answered `408`.
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.limits = self.limits.body_timeout(timeout);
        self
    }

    /// How many requests are handled at once ([`MAX_CONCURRENT_REQUESTS`] unless set, at
    /// least one); a request beyond them is answered `503` at once, and Graph sends it again.
    #[must_use]
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.in_flight = Arc::new(Semaphore::new(requests.max(1)));
        self
    }

    /// When a batch's validation token names a signing key the receiver lacks, fetch the key
    /// set from `url` ([`MICROSOFT_KEYS_URL`](crate::MICROSOFT_KEYS_URL)) with `http` and
    /// answer the batch with the new keys.
    ///
    /// Anyone can send a made-up key id, so fetches are spaced: one per
    /// [`KEY_REFETCH_INTERVAL`] after a fetch that brought keys, one per
    /// [`KEY_RETRY_INTERVAL`] after one that failed; requests in between are answered with the
    /// keys held. The price is a delay, never a loss: a genuine rotation that lands inside the
    /// interval gets `401`s until it ends, and Graph delivers those batches again. Requests
    /// that arrive during a fetch wait for it instead of starting their own.
    ///
    /// Graph wants an answer within about three seconds, so a request waits for keys at most
    /// [`KEY_WAIT`] from its arrival and is then answered with the keys held; the fetch runs
    /// on as a task of its own, for the requests after it, and is itself cut off after
    /// `KEY_WAIT`. It runs on the runtime's timer, which `#[tokio::main]` turns on. A failed
    /// fetch keeps the old keys and is reported once as [`Event::SigningKeysNotFetched`].
    #[cfg(feature = "fetch-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
    pub fn refetch_signing_keys(mut self, http: reqwest::Client, url: impl Into<String>) -> Self {
        self.refetch = Some(Arc::new(keys::Refetch::new(http, url.into())));
        self
    }

    /// Offers `event` to the app, counting it as dropped when the channel is full.
    fn send(&self, event: Event) {
        if self.events.try_send(event).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A router serving the webhook at `path` (any method: the receiver answers `405` to all
    /// but POST). Route the notification URL and the lifecycle notification URL to it alike,
    /// or nest it in the app's router.
    pub fn router(self, path: &str) -> Router {
        Router::new().route(path, any(handle)).with_state(self)
    }

    /// How many events were dropped because the app's channel was full.
    pub fn dropped_events(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Runs `f` on the receiver (to replace the signing keys, or record resynced presences
    /// in its sequence tracker). It has the receiver alone: it waits for the requests being
    /// decrypted, and requests arriving meanwhile wait for it.
    pub fn with_receiver<T>(&self, f: impl FnOnce(&mut Receiver) -> T) -> T {
        let mut receiver = self
            .receiver
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut receiver)
    }
}

/// The handler: the body read under the webhook's limits, the request to the receiver, the
/// events to the channel, the response back.
pub async fn handle(State(webhook): State<Webhook>, request: HttpRequest) -> Response {
    let Ok(_slot) = Arc::clone(&webhook.in_flight).try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        )
            .into_response();
    };
    let (parts, body) = request.into_parts();
    let body = match webhook.limits.read_body(&parts.headers, body).await {
        Ok(body) => body,
        // Graph reads only the status; the reason is for a person reading a log.
        Err(failure) => return (failure.status(), failure.to_string()).into_response(),
    };
    received(webhook, parts.method, parts.uri, body).await
}

async fn received(webhook: Webhook, method: Method, uri: Uri, body: Bytes) -> Response {
    #[cfg(feature = "fetch-keys")]
    let (arrived, keys_seen) = (
        tokio::time::Instant::now(),
        webhook.refetch.as_ref().map(|refetch| refetch.generation()),
    );
    let Ok(handled) = answer(&webhook, method.clone(), uri.clone(), body.clone()).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    #[cfg(feature = "fetch-keys")]
    let handled = match (&webhook.refetch, keys_seen) {
        (Some(refetch), Some(seen)) if handled.names_unknown_signing_key() => {
            let refresh = tokio::spawn(Arc::clone(refetch).refresh(webhook.clone(), seen));
            match tokio::time::timeout_at(arrived + KEY_WAIT, refresh).await {
                // The same request again, with the keys a fetch (this one's, or one that
                // finished while this one waited) brought.
                Ok(Ok(true)) => match answer(&webhook, method, uri, body).await {
                    Ok(again) => again,
                    Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                },
                // No new keys (too soon, or the fetch failed and reported it), or no time left.
                _ => handled,
            }
        }
        _ => handled,
    };
    for event in handled.events {
        webhook.send(event);
    }
    let response = handled.response;
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut http = (status, response.body).into_response();
    let headers = http.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(response.content_type),
    );
    // The echoed validation token is the sender's text: never rendered as anything else.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    http
}

/// The request handled by the receiver on tokio's blocking pool (`Err` if it panicked).
async fn answer(
    webhook: &Webhook,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Result<Handled, tokio::task::JoinError> {
    let receiver = Arc::clone(&webhook.receiver);
    let now = jiff::Timestamp::now();
    tokio::task::spawn_blocking(move || {
        let request = Request {
            method: method.as_str(),
            query: uri.query(),
            body: &body,
        };
        // Shared with the other requests: decryption here does not hold them up. A panic
        // under the write lock (in `with_receiver`) cannot have left the receiver
        // half-updated in a way that matters more than refusing every later request would.
        let receiver = receiver.read().unwrap_or_else(PoisonError::into_inner);
        let prepared = receiver.prepare(request, now);
        receiver.apply(prepared)
    })
    .await
}

/// The shortest time between a fetch of the signing keys that brought a key set and the next
/// (Microsoft rotates them every few weeks).
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
pub const KEY_REFETCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The shortest time between a failed fetch of the signing keys and the next.
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
pub const KEY_RETRY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a request waits for signing keys, from its arrival, and how long a fetch may take:
/// Graph wants the answer within about three seconds.
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
pub const KEY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[cfg(feature = "fetch-keys")]
mod keys {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    use super::{KEY_REFETCH_INTERVAL, KEY_RETRY_INTERVAL, KEY_WAIT, Webhook};
    use crate::{Event, FetchError, JwkSet};

    /// Where the keys come from, and how the last fetch went.
    #[derive(Debug)]
    pub(super) struct Refetch {
        http: reqwest::Client,
        url: String,
        /// Held across a fetch, so that requests that need one wait for it instead of
        /// starting their own.
        last: tokio::sync::Mutex<Option<Attempt>>,
        /// How many fetched key sets the receiver has been given.
        generation: AtomicU64,
    }

    #[derive(Debug, Clone, Copy)]
    struct Attempt {
        at: Instant,
        failed: bool,
    }

    impl Refetch {
        pub(super) fn new(http: reqwest::Client, url: String) -> Self {
            Refetch {
                http,
                url,
                last: tokio::sync::Mutex::new(None),
                generation: AtomicU64::new(0),
            }
        }

        /// Which key set the receiver holds; read before a request is handled, so that
        /// [`Refetch::refresh`] can tell whether keys came since.
        pub(super) fn generation(&self) -> u64 {
            self.generation.load(Ordering::Acquire)
        }

        /// Whether the receiver holds newer keys than generation `seen`: fetched now, or by
        /// a fetch that finished while this one waited. Fetches only when the last attempt is
        /// old enough. A failure is reported to the app here, once, since the request that
        /// started the fetch may have been answered (or dropped) before it ends.
        pub(super) async fn refresh(self: Arc<Self>, webhook: Webhook, seen: u64) -> bool {
            let mut last = self.last.lock().await;
            if self.generation() != seen {
                return true;
            }
            if let Some(attempt) = *last {
                let wait = if attempt.failed {
                    KEY_RETRY_INTERVAL
                } else {
                    KEY_REFETCH_INTERVAL
                };
                if attempt.at.elapsed() < wait {
                    return false;
                }
            }
            let fetched = tokio::time::timeout(KEY_WAIT, JwkSet::fetch(&self.http, &self.url))
                .await
                .map_err(|_| FetchError::TimedOut)
                .and_then(|fetched| fetched);
            *last = Some(Attempt {
                at: Instant::now(),
                failed: fetched.is_err(),
            });
            match fetched {
                Ok(keys) => {
                    webhook.with_receiver(|receiver| receiver.set_signing_keys(keys));
                    self.generation.fetch_add(1, Ordering::AcqRel);
                    true
                }
                Err(error) => {
                    webhook.send(Event::SigningKeysNotFetched(error));
                    false
                }
            }
        }
    }
}
