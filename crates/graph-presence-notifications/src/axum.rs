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
//! Decrypting is CPU work (an RSA decryption per notification), so the receiver runs on
//! tokio's blocking pool, one request at a time (it holds the sequence numbers).
//!
//! With the `fetch-keys` feature, [`Webhook::refetch_signing_keys`] keeps validation tokens
//! verifying across Microsoft's key rotations: a batch whose token names a key the receiver
//! lacks makes the webhook fetch the key set again and answer with the new keys.
//!
//! ```no_run
//! use graph_presence_notifications::{Receiver, axum::Webhook};
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
//! axum::serve(listener, app).await
//! # }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::sync::mpsc;

use crate::{Event, Handled, Receiver, Request};

/// The shared state of the webhook route: the receiver, the channel to the app and the count
/// of events dropped because it was full. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Webhook {
    receiver: Arc<Mutex<Receiver>>,
    events: mpsc::Sender<Event>,
    dropped: Arc<AtomicU64>,
    max_body_len: usize,
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
            receiver: Arc::new(Mutex::new(receiver)),
            events,
            dropped: Arc::new(AtomicU64::new(0)),
            max_body_len,
            #[cfg(feature = "fetch-keys")]
            refetch: None,
        };
        (webhook, app)
    }

    /// When a batch's validation token names a signing key the receiver lacks, fetch the key
    /// set from `url` ([`MICROSOFT_KEYS_URL`](crate::MICROSOFT_KEYS_URL)) with `http` and
    /// answer the batch with the new keys. At most one fetch per [`KEY_REFETCH_INTERVAL`],
    /// so made-up key ids cannot turn the webhook into a fetcher; each fetch waits at most
    /// two seconds, since Graph waits for the answer (on the runtime's timer, which
    /// `#[tokio::main]` turns on). A failed fetch keeps the old keys, the
    /// batch is answered `401` (Graph delivers it again) and the app gets
    /// [`Event::SigningKeysNotFetched`].
    #[cfg(feature = "fetch-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
    pub fn refetch_signing_keys(mut self, http: reqwest::Client, url: impl Into<String>) -> Self {
        self.refetch = Some(Arc::new(keys::Refetch::new(http, url.into())));
        self
    }

    /// A router serving the webhook at `path` (any method: the receiver answers `405` to all
    /// but POST). Route the notification URL and the lifecycle notification URL to it alike,
    /// or nest it in the app's router.
    pub fn router(self, path: &str) -> Router {
        // The receiver's limit, plus one so that it, not axum, tells a too-large body apart.
        let limit = DefaultBodyLimit::max(self.max_body_len.saturating_add(1));
        Router::new()
            .route(path, any(handle))
            .layer(limit)
            .with_state(self)
    }

    /// How many events were dropped because the app's channel was full.
    pub fn dropped_events(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Runs `f` on the receiver (to replace the signing keys, or record resynced presences
    /// in its sequence tracker).
    pub fn with_receiver<T>(&self, f: impl FnOnce(&mut Receiver) -> T) -> T {
        let mut receiver = self.receiver.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut receiver)
    }
}

/// The handler: the request to the receiver, the events to the channel, the response back.
pub async fn handle(
    State(webhook): State<Webhook>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Ok(handled) = answer(&webhook, method.clone(), uri.clone(), body.clone()).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    #[cfg(feature = "fetch-keys")]
    let handled = match &webhook.refetch {
        Some(refetch) if handled.names_unknown_signing_key() => {
            match refetch.refresh(&webhook.receiver).await {
                // The same request again, now with the keys the fetch (this one's, or one
                // that finished while this one waited) brought.
                Ok(()) => match answer(&webhook, method, uri, body).await {
                    Ok(again) => again,
                    Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                },
                Err(error) => {
                    let mut handled = handled;
                    handled.events.push(Event::SigningKeysNotFetched(error));
                    handled
                }
            }
        }
        _ => handled,
    };
    for event in handled.events {
        if webhook.events.try_send(event).is_err() {
            webhook.dropped.fetch_add(1, Ordering::Relaxed);
        }
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
        // A panic while the lock was held cannot have left the receiver half-updated in a
        // way that matters more than refusing every later notification would.
        let mut receiver = receiver.lock().unwrap_or_else(PoisonError::into_inner);
        receiver.handle(request, now)
    })
    .await
}

/// The shortest time between two fetches of the signing keys for unknown key ids (Microsoft
/// rotates them every few weeks).
#[cfg(feature = "fetch-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-keys")))]
pub const KEY_REFETCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

#[cfg(feature = "fetch-keys")]
mod keys {
    use std::sync::{Mutex, PoisonError};
    use std::time::{Duration, Instant};

    use super::KEY_REFETCH_INTERVAL;
    use crate::{FetchError, JwkSet, Receiver};

    /// How long a fetch may take: Graph wants the batch answered within about three seconds.
    const FETCH_TIMEOUT: Duration = Duration::from_secs(2);

    /// Where the keys come from, and when they were last fetched.
    #[derive(Debug)]
    pub(super) struct Refetch {
        http: reqwest::Client,
        url: String,
        /// Held across a fetch, so that requests that need one wait for it instead of
        /// starting their own.
        last: tokio::sync::Mutex<Option<Instant>>,
    }

    impl Refetch {
        pub(super) fn new(http: reqwest::Client, url: String) -> Self {
            Refetch {
                http,
                url,
                last: tokio::sync::Mutex::new(None),
            }
        }

        /// Fetches the keys into `receiver`, unless they were fetched less than
        /// [`KEY_REFETCH_INTERVAL`] ago (then the set held is the newest there is). A failed
        /// fetch counts too, so that an unreachable key endpoint is not asked per request.
        pub(super) async fn refresh(&self, receiver: &Mutex<Receiver>) -> Result<(), FetchError> {
            let mut last = self.last.lock().await;
            if last.is_some_and(|at| at.elapsed() < KEY_REFETCH_INTERVAL) {
                return Ok(());
            }
            *last = Some(Instant::now());
            let fetched = tokio::time::timeout(FETCH_TIMEOUT, JwkSet::fetch(&self.http, &self.url))
                .await
                .map_err(|_| FetchError::TimedOut)??;
            receiver
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .set_signing_keys(fetched);
            Ok(())
        }
    }
}
