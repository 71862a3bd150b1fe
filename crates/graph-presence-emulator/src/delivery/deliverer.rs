//! The deliverer: tokio tasks that batch queued notifications by URL, POST them, retry them on
//! the emulated clock, delay or drop them for slow endpoints, and record every attempt.
//!
//! - [`Deliverer::notify`] and [`Deliverer::notify_lifecycle`] queue a notification (a rich one
//!   is encrypted there, once: a retry sends the same ciphertext).
//! - One dispatcher task takes what is queued, groups it by URL (change and lifecycle
//!   notifications apart) in queue order, cuts groups at `max_batch_len`, and starts one task
//!   per batch.
//! - A batch task looks at its endpoint's state (normal, slow: wait `slow_delay`, drop: record
//!   it dropped), then POSTs; each attempt signs fresh validation tokens (so a retry hours
//!   later carries valid ones). A 2xx within the timeout is delivered; anything else is
//!   retried after 30 s, 1 min, 2 min… (at most `backoff_max`) until `retry_for` after the
//!   first attempt, then dropped.
//! - Dropping the last clone of the [`Deliverer`] stops every task.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use tokio::sync::{mpsc, watch};

use super::body::{Change, LifecycleNotification, Prepared, batch_body};
use super::encryption::EncryptError;
use super::endpoint::{AnswerTime, Endpoint, EndpointState, EndpointStatus};
use super::handshake::{self, HandshakeError, check_url, error_chain};
use super::later;
use super::settings::DeliverySettings;
use super::tokens::{TokenSigner, ValidationClaims};
use crate::Clock;

/// Which URL of a subscription a batch goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchKind {
    /// Change notifications, to `notificationUrl`.
    Changes,
    /// Lifecycle notifications, to `lifecycleNotificationUrl`.
    Lifecycle,
}

/// One delivery attempt, or what happened to a batch instead of one.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    /// The batch (numbered from 1 in the order batches were formed).
    pub batch: u64,
    /// Where it goes.
    pub url: String,
    /// Change or lifecycle notifications.
    pub kind: BatchKind,
    /// The subscriptions with a notification in the batch, in batch order, without repeats.
    pub subscription_ids: Vec<String>,
    /// How many notifications the batch holds.
    pub notifications: usize,
    /// 1 for the first POST, 2 for the first retry…; 0 for a batch delayed or dropped before
    /// any POST; for a batch dropped after its retries, the number of attempts made.
    pub attempt: u32,
    /// The emulated time of the attempt (or of the delay or drop).
    pub at: Timestamp,
    /// What happened.
    pub outcome: Outcome,
}

/// What happened to one attempt or batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A 2xx within the timeout.
    Delivered {
        /// The status.
        status: u16,
        /// How long the answer took (real time).
        latency: Duration,
    },
    /// The attempt failed; the batch is retried unless this was its last chance (then a
    /// `Dropped` record follows).
    Failed(AttemptFailure),
    /// The endpoint is slow: the batch waits until `until` (emulated) before its first attempt.
    Delayed {
        /// When it is sent.
        until: Timestamp,
    },
    /// The batch is dropped: its notifications are never sent again.
    Dropped(DropReason),
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptFailure {
    /// A status other than 2xx.
    Status {
        /// The status.
        status: u16,
        /// How long it took (real time).
        latency: Duration,
    },
    /// No answer within the attempt's timeout (real time).
    Timeout {
        /// The timeout.
        after: Duration,
    },
    /// The connection failed (refused, reset…).
    Unreachable {
        /// What failed, from the HTTP client's error chain (at most 300 characters).
        message: String,
    },
}

/// Why a batch was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// The endpoint is in the drop state.
    EndpointDropping,
    /// Every retry failed for `retry_for` after the first attempt.
    RetriesExhausted,
    /// The URL is not one the emulator POSTs to (see `check_url`).
    UrlRefused {
        /// Why.
        message: String,
    },
}

/// Sends change and lifecycle notifications as Graph does. Cheap to clone; clones share the
/// queue, the records and the endpoints' states.
#[derive(Clone)]
pub struct Deliverer {
    handle: Arc<Handle>,
}

/// What the last clone drops: the queue (ending the dispatcher) and the stop signal (ending
/// the batch tasks).
struct Handle {
    shared: Arc<Shared>,
    queue: mpsc::UnboundedSender<Queued>,
    _stop: watch::Sender<()>,
}

struct Shared {
    clock: Clock,
    settings: DeliverySettings,
    http: reqwest::Client,
    signer: Arc<dyn TokenSigner>,
    book: Mutex<Book>,
    /// Bumped on every record.
    recorded: watch::Sender<u64>,
}

#[derive(Default)]
struct Book {
    records: VecDeque<DeliveryRecord>,
    evicted: u64,
    endpoints: HashMap<String, Endpoint>,
    batches: u64,
    open_batches: usize,
}

struct Queued {
    url: String,
    kind: BatchKind,
    notification: Prepared,
}

struct Batch {
    id: u64,
    url: String,
    kind: BatchKind,
    notifications: Vec<Prepared>,
    subscription_ids: Vec<String>,
}

/// What one POST came to.
struct Attempt {
    outcome: Outcome,
    answer: Option<AnswerTime>,
}

impl Deliverer {
    /// A deliverer on `clock` with these settings, signing validation tokens with `signer`.
    /// Starts its dispatcher task: call it within a tokio runtime. Fails only when the HTTP
    /// client cannot be built (no TLS roots, say).
    pub fn new(
        clock: Clock,
        settings: DeliverySettings,
        signer: Arc<dyn TokenSigner>,
    ) -> Result<Deliverer, reqwest::Error> {
        let http = reqwest::Client::builder()
            // Webhooks in tests are on loopback: no proxy from the environment in between.
            .no_proxy()
            // A redirect is not a 2xx: it fails the attempt, as it fails Graph's.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let shared = Arc::new(Shared {
            clock,
            settings,
            http,
            signer,
            book: Mutex::new(Book::default()),
            recorded: watch::channel(0).0,
        });
        let (queue, queued) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(());
        tokio::spawn(dispatch(shared.clone(), queued, stopped));
        Ok(Deliverer {
            handle: Arc::new(Handle {
                shared,
                queue,
                _stop: stop,
            }),
        })
    }

    /// Queues a change notification for its subscription's `notificationUrl` (encrypting its
    /// resource data now when the subscription is rich).
    pub fn notify(&self, change: &Change) -> Result<(), EncryptError> {
        let notification = change.prepare()?;
        self.queue(Queued {
            url: change.notification_url.clone(),
            kind: BatchKind::Changes,
            notification,
        });
        Ok(())
    }

    /// Queues a lifecycle notification for its subscription's `lifecycleNotificationUrl`;
    /// it is delivered, retried, delayed and dropped by the same rules.
    pub fn notify_lifecycle(&self, notification: &LifecycleNotification) {
        self.queue(Queued {
            url: notification.lifecycle_url.clone(),
            kind: BatchKind::Lifecycle,
            notification: notification.prepare(),
        });
    }

    /// The validation handshake with `url`, with this deliverer's HTTP client and settings.
    pub async fn validate(&self, url: &str) -> Result<(), HandshakeError> {
        let shared = self.shared();
        handshake::validate(&shared.http, url, &shared.settings).await
    }

    /// Every delivery record kept, oldest first (at most `history_cap`).
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared().book().records.iter().cloned().collect()
    }

    /// The records of batches to `url`, oldest first.
    pub fn deliveries_to(&self, url: &str) -> Vec<DeliveryRecord> {
        let book = self.shared().book();
        book.records
            .iter()
            .filter(|r| r.url == url)
            .cloned()
            .collect()
    }

    /// The records of batches with a notification of subscription `id`, oldest first.
    pub fn deliveries_of(&self, id: &str) -> Vec<DeliveryRecord> {
        let book = self.shared().book();
        book.records
            .iter()
            .filter(|r| r.subscription_ids.iter().any(|s| s == id))
            .cloned()
            .collect()
    }

    /// How many records were dropped from the history to keep it at `history_cap`.
    pub fn evicted_records(&self) -> u64 {
        self.shared().book().evicted
    }

    /// Batches formed and not yet delivered or dropped (waiting, in flight or between
    /// retries).
    pub fn open_batches(&self) -> usize {
        self.shared().book().open_batches
    }

    /// The state of the endpoint at `url` now (normal with no answers when nothing was sent
    /// there).
    pub fn endpoint(&self, url: &str) -> EndpointStatus {
        let shared = self.shared();
        let now = shared.clock.now();
        let mut book = shared.book();
        match book.endpoints.get_mut(url) {
            Some(endpoint) => endpoint.status(url, now, &shared.settings),
            None => Endpoint::new().status(url, now, &shared.settings),
        }
    }

    /// The state of every endpoint that has answers in the window or is not normal, by URL.
    pub fn endpoints(&self) -> Vec<EndpointStatus> {
        let shared = self.shared();
        let now = shared.clock.now();
        let mut book = shared.book();
        let mut all: Vec<EndpointStatus> = book
            .endpoints
            .iter_mut()
            .map(|(url, endpoint)| endpoint.status(url, now, &shared.settings))
            .filter(|status| status.answers > 0 || status.state != EndpointState::Normal)
            .collect();
        all.sort_by(|a, b| a.url.cmp(&b.url));
        all
    }

    /// Waits until `done` holds for the records (checked now and after each new record).
    /// `done` runs under the deliverer's lock: it must not call the deliverer. Real time is
    /// not bounded here: wrap it in a timeout.
    pub async fn wait_for(&self, mut done: impl FnMut(&[DeliveryRecord]) -> bool) {
        let shared = self.shared();
        let mut recorded = shared.recorded.subscribe();
        loop {
            recorded.mark_unchanged();
            {
                let mut book = shared.book();
                if done(book.records.make_contiguous()) {
                    return;
                }
            }
            if recorded.changed().await.is_err() {
                return;
            }
        }
    }

    fn queue(&self, queued: Queued) {
        // The dispatcher ends only when the last handle is dropped, and this is one.
        let _ = self.handle.queue.send(queued);
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shared = self.shared();
        let book = shared.book();
        f.debug_struct("Deliverer")
            .field("clock", &shared.clock)
            .field("records", &book.records.len())
            .field("open_batches", &book.open_batches)
            .finish_non_exhaustive()
    }
}

/// Takes what is queued, batches it and starts a task per batch, until the queue closes.
async fn dispatch(
    shared: Arc<Shared>,
    mut queued: mpsc::UnboundedReceiver<Queued>,
    stop: watch::Receiver<()>,
) {
    while let Some(first) = queued.recv().await {
        if shared.settings.batch_window.is_zero() {
            // Let whoever is queueing finish what it queues in one go.
            tokio::task::yield_now().await;
        } else {
            shared.clock.sleep(shared.settings.batch_window).await;
        }
        let mut pending = vec![first];
        while let Ok(more) = queued.try_recv() {
            pending.push(more);
        }
        for batch in shared.batches(pending) {
            let shared = shared.clone();
            let mut stop = stop.clone();
            tokio::spawn(async move {
                tokio::select! {
                    () = shared.deliver(&batch) => {}
                    _ = stop.changed() => {}
                }
            });
        }
    }
}

impl Shared {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Groups by (URL, kind) in order of first appearance, each group cut at `max_batch_len`.
    fn batches(&self, pending: Vec<Queued>) -> Vec<Batch> {
        let mut groups: Vec<(String, BatchKind, Vec<Prepared>)> = Vec::new();
        let mut index: HashMap<(String, BatchKind), usize> = HashMap::new();
        for queued in pending {
            let key = (queued.url, queued.kind);
            let i = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key.0.clone(), key.1, Vec::new()));
                groups.len() - 1
            });
            groups[i].2.push(queued.notification);
        }
        let max = self.settings.max_batch_len.max(1);
        let mut book = self.book();
        let mut batches = Vec::new();
        for (url, kind, notifications) in groups {
            let mut notifications = notifications.into_iter().peekable();
            while notifications.peek().is_some() {
                let chunk: Vec<Prepared> = notifications.by_ref().take(max).collect();
                let mut subscription_ids: Vec<String> = Vec::new();
                for n in &chunk {
                    if !subscription_ids.contains(&n.subscription_id) {
                        subscription_ids.push(n.subscription_id.clone());
                    }
                }
                book.batches += 1;
                book.open_batches += 1;
                batches.push(Batch {
                    id: book.batches,
                    url: url.clone(),
                    kind,
                    notifications: chunk,
                    subscription_ids,
                });
            }
        }
        batches
    }

    /// A batch's whole life: the endpoint's state, the attempts, the retries.
    async fn deliver(&self, batch: &Batch) {
        let url = match check_url(&batch.url, self.settings.allow_http_loopback) {
            Ok(url) => url,
            Err(error) => {
                let reason = DropReason::UrlRefused {
                    message: error.to_string(),
                };
                self.settle(batch, 0, self.clock.now(), Outcome::Dropped(reason));
                return;
            }
        };
        let now = self.clock.now();
        let state = self
            .book()
            .endpoints
            .entry(batch.url.clone())
            .or_insert_with(Endpoint::new)
            .state(now, &self.settings);
        match state {
            EndpointState::Normal => {}
            EndpointState::Drop => {
                let outcome = Outcome::Dropped(DropReason::EndpointDropping);
                self.settle(batch, 0, now, outcome);
                return;
            }
            EndpointState::Slow => {
                let until = later(now, self.settings.slow_delay);
                self.record(batch, 0, now, Outcome::Delayed { until });
                self.clock.sleep_until(until).await;
            }
        }

        let deadline = later(self.clock.now(), self.settings.retry_for);
        let mut wait = self.settings.backoff_initial;
        let mut attempt = 1;
        loop {
            let timeout = if attempt == 1 {
                self.settings.first_attempt_timeout
            } else {
                self.settings.retry_timeout
            };
            let at = self.clock.now();
            let result = self.post(url.clone(), self.body(batch, at), timeout).await;
            let now = self.clock.now();
            if let Some(answer) = result.answer {
                self.book()
                    .endpoints
                    .entry(batch.url.clone())
                    .or_insert_with(Endpoint::new)
                    .record(now, answer, &self.settings);
            }
            if matches!(result.outcome, Outcome::Delivered { .. }) {
                self.settle(batch, attempt, at, result.outcome);
                return;
            }
            // The next attempt's time is fixed before the failure is recorded, so that whoever
            // waits for the record and then moves a manual clock cannot move it.
            let next = later(now, wait);
            self.record(batch, attempt, at, result.outcome);
            if next > deadline {
                self.clock.sleep_until(deadline).await;
                let outcome = Outcome::Dropped(DropReason::RetriesExhausted);
                self.settle(batch, attempt, self.clock.now(), outcome);
                return;
            }
            self.clock.sleep_until(next).await;
            wait = wait.saturating_mul(2).min(self.settings.backoff_max);
            attempt += 1;
        }
    }

    /// The body of an attempt at `now`: the notifications and, for the rich ones, a fresh
    /// validation token per app and tenant.
    fn body(&self, batch: &Batch, now: Timestamp) -> Vec<u8> {
        let mut audiences: Vec<(&str, &str)> = Vec::new();
        for n in batch.notifications.iter().filter(|n| n.rich) {
            let pair = (n.app_id.as_str(), n.tenant_id.as_str());
            if !audiences.contains(&pair) {
                audiences.push(pair);
            }
        }
        let expires_at = later(now, self.settings.validation_token_lifetime);
        let tokens: Vec<String> = audiences
            .into_iter()
            .map(|(app_id, tenant_id)| {
                self.signer.sign(&ValidationClaims {
                    app_id: app_id.to_owned(),
                    tenant_id: tenant_id.to_owned(),
                    issued_at: now,
                    expires_at,
                })
            })
            .collect();
        batch_body(&batch.notifications, &tokens)
    }

    /// One POST, waiting at most `timeout` (real time) for the status.
    async fn post(&self, url: Url, body: Vec<u8>, timeout: Duration) -> Attempt {
        let started = Instant::now();
        let request = self
            .http
            .post(url)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )
            .body(body)
            .send();
        match tokio::time::timeout(timeout, request).await {
            Err(_) => Attempt {
                outcome: Outcome::Failed(AttemptFailure::Timeout { after: timeout }),
                answer: Some(AnswerTime::TimedOut(timeout)),
            },
            Ok(Err(error)) => Attempt {
                outcome: Outcome::Failed(AttemptFailure::Unreachable {
                    message: openapi_models_runtime::excerpt(&error_chain(&error), 300),
                }),
                answer: None,
            },
            Ok(Ok(response)) => {
                let latency = started.elapsed();
                let status = response.status().as_u16();
                let outcome = if response.status().is_success() {
                    Outcome::Delivered { status, latency }
                } else {
                    Outcome::Failed(AttemptFailure::Status { status, latency })
                };
                Attempt {
                    outcome,
                    answer: Some(AnswerTime::Answered(latency)),
                }
            }
        }
    }

    /// Records the batch's last record: it is no longer open.
    fn settle(&self, batch: &Batch, attempt: u32, at: Timestamp, outcome: Outcome) {
        {
            let mut book = self.book();
            book.open_batches = book.open_batches.saturating_sub(1);
            // An endpoint with nothing in its window and nothing pending is forgotten, so the
            // map does not grow with every URL ever used.
            let idle = book
                .endpoints
                .get(&batch.url)
                .is_some_and(Endpoint::is_idle);
            if idle {
                book.endpoints.remove(&batch.url);
            }
        }
        self.record(batch, attempt, at, outcome);
    }

    fn record(&self, batch: &Batch, attempt: u32, at: Timestamp, outcome: Outcome) {
        {
            let mut book = self.book();
            let cap = self.settings.history_cap;
            while cap > 0 && book.records.len() >= cap {
                book.records.pop_front();
                book.evicted += 1;
            }
            if cap > 0 {
                book.records.push_back(DeliveryRecord {
                    batch: batch.id,
                    url: batch.url.clone(),
                    kind: batch.kind,
                    subscription_ids: batch.subscription_ids.clone(),
                    notifications: batch.notifications.len(),
                    attempt,
                    at,
                    outcome,
                });
            } else {
                book.evicted += 1;
            }
        }
        self.recorded.send_modify(|n| *n = n.wrapping_add(1));
    }
}
