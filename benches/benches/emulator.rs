//! The emulator (issue 19) at the scale: 100,000 users with 154 subscriptions of 650
//! users each (every user covered once; even subscriptions basic, odd ones rich), side by side
//! in one run:
//!
//! - memory: live heap bytes (a counting global allocator, as `memory.rs` counts) per user,
//!   idle and signed in to Teams, and per subscription;
//! - `getPresencesByUserId` for 650 ids: the emulator's handling of the request (its whole
//!   router called in process as a tower `Service`: authentication, permission, throttle,
//!   state, encoding) against the generated client's decoding of the same answer, interleaved;
//!   the client's whole exchange on loopback beside them;
//! - a presence change reaching a webhook on 127.0.0.1 (axum, answering through the
//!   notifications crate's `Receiver`): from the change (a Teams hook, or `setPresence`
//!   through the generated client) to the webhook holding the POSTed batch, and to the
//!   receiver having read it (rich ones decrypted and their validation token verified),
//!   basic and rich interleaved; median, p90 and p99.
//!
//! `cargo bench -p benches --bench emulator`

use axum::body::{Body, Bytes};
use axum::extract::State;
use base64::Engine;
use graph_presence_client::{BearerToken, Client};
use graph_presence_emulator::{
    ALL_SCOPES, APP_ID, Clock, DeliverySettings, Directory, Emulator, TENANT_ID, ThrottleSettings,
};
use graph_presence_models::{Activity, Availability, GetPresencesByUserIdResponse};
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, JwkSet, Receiver, ValidationTokenRules,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tower_service::Service;

/// The scale: 100,000 users, and 154 subscriptions of at most 650 users cover them all.
const USERS: usize = 100_000;
/// The most users one presence subscription (and one getPresencesByUserId) names.
const PER_SUBSCRIPTION: usize = 650;
/// The latency target, at the median.
const LATENCY_TARGET: Duration = Duration::from_millis(10);
const CLIENT_STATE: &str = "emulator-bench-client-state";
const CERT_ID: &str = "emulator-bench-cert";

// --- Memory: live bytes, counted only while `COUNTING` is on (so the timings below do not pay
// for the counters). The same counting allocator as memory.rs, with a switch. ---

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Live bytes once the emulator's tasks have settled (what they spawn, they spawn at once).
async fn settled() -> isize {
    tokio::time::sleep(Duration::from_millis(100)).await;
    live()
}

// --- The webhook ---

/// A POST the webhook got: when its body was read, when the receiver had handled it, and what
/// the receiver made of it.
struct Arrival {
    received: Instant,
    read: Instant,
    events: Vec<Event>,
}

struct Hook {
    clock: Clock,
    receiver: Mutex<Receiver>,
    arrivals: mpsc::UnboundedSender<Arrival>,
}

async fn hook(
    State(hook): State<Arc<Hook>>,
    request: axum::extract::Request,
) -> http::Response<Body> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 8 << 20)
        .await
        .unwrap_or_default();
    let received = Instant::now();
    let query = parts.uri.query();
    let handled = hook
        .receiver
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .handle(
            graph_presence_notifications::Request {
                method: parts.method.as_str(),
                query,
                body: &body,
            },
            hook.clock.now(),
        );
    let read = Instant::now();
    if query.is_none() {
        let _ = hook.arrivals.send(Arrival {
            received,
            read,
            events: handled.events,
        });
    }
    http::Response::builder()
        .status(handled.response.status)
        .header(http::header::CONTENT_TYPE, handled.response.content_type)
        .body(Body::from(handled.response.body))
        .expect("a response")
}

/// The webhook on 127.0.0.1: its URL, and the arrivals of notification batches.
async fn start_hook(
    emulator: &Emulator,
    pkcs8: &[u8],
) -> (String, mpsc::UnboundedReceiver<Arrival>) {
    // The emulator's signing keys, for the rich batches' validation tokens.
    let keys = {
        let mut router = emulator.in_process_router();
        let request = http::Request::get(format!("/{TENANT_ID}/discovery/v2.0/keys"))
            .body(Body::empty())
            .expect("a request");
        let response = router.call(request).await.expect("infallible");
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the JWKS")
    };
    let key = DecryptionKey::from_pkcs8_der(pkcs8).expect("the certificate's key");
    let receiver = Receiver::new(CLIENT_STATE)
        .decryption_keys(DecryptionKeys::new().key(CERT_ID, key))
        .validation_tokens(
            ValidationTokenRules::new(APP_ID, TENANT_ID),
            JwkSet::from_json(&keys).expect("a JWKS"),
        );
    let (arrivals, arrived) = mpsc::unbounded_channel();
    let state = Arc::new(Hook {
        clock: emulator.clock().clone(),
        receiver: Mutex::new(receiver),
        arrivals,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = axum::Router::new()
        .route("/hook", axum::routing::any(hook))
        .with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{address}/hook"), arrived)
}

// --- The emulator ---

async fn start(users: usize) -> Emulator {
    Emulator::builder()
        .directory(Directory::synthetic(users))
        // Graph's limits would refuse the thousands of requests timed below (on a manual clock,
        // the window never moves on); throttling is not what is measured.
        .throttle(ThrottleSettings::NONE)
        // The defaults, with plain http: to loopback: Graph's documented figures, and a
        // batching window of zero (Graph documents none; a batch is what is queued when the
        // sender runs).
        .delivery(DeliverySettings::default().allowing_http_loopback())
        .start()
        .await
        .expect("the emulator starts")
}

/// A client of the emulator with one fixed token of `user` (the emulator's own `client()`
/// signs a fresh token for every request, an RSA signature each, which is not what an app
/// pays).
fn client_of(emulator: &Emulator, user: &str) -> Client {
    Client::builder(BearerToken::new(emulator.user_token(user, &ALL_SCOPES)))
        .base_url(emulator.graph_url())
        .build()
        .expect("a client")
}

/// Subscription `k` covers users `650 k ..`; even ones are basic, odd ones rich.
fn rich(k: usize) -> bool {
    k % 2 == 1
}

/// One subscription per 650 users (154 for 100,000), each created by a user of its own (Graph
/// allows one presence subscription per user per app).
async fn subscribe(emulator: &Emulator, users: &[String], url: &str, certificate: &[u8]) -> usize {
    let certificate = base64::engine::general_purpose::STANDARD.encode(certificate);
    let count = users.len().div_ceil(PER_SUBSCRIPTION);
    for (k, chunk) in users.chunks(PER_SUBSCRIPTION).enumerate() {
        let ids: Vec<String> = chunk.iter().map(|id| format!("'{id}'")).collect();
        let resource = format!("communications/presences?$filter=id in ({})", ids.join(","));
        let expires = emulator.clock().now() + jiff::SignedDuration::from_mins(59);
        let client = client_of(emulator, &users[k]);
        let create = client
            .subscriptions()
            .post(graph_presence_models::required::Subscription {
                change_type: "updated".into(),
                expiration_date_time: expires.into(),
                notification_url: url.into(),
                resource,
            })
            .client_state(CLIENT_STATE);
        let create = if rich(k) {
            create
                .include_resource_data(true)
                .encryption_certificate(certificate.clone())
                .encryption_certificate_id(CERT_ID)
        } else {
            create
        };
        create.send().await.expect("a subscription");
    }
    assert_eq!(emulator.subscription_count(), count);
    count
}

// --- getPresencesByUserId ---

/// The POST a client sends for `ids`, with a token of the first user.
fn post(token: &str, body: &Bytes) -> http::Request<Body> {
    http::Request::post("/v1.0/communications/getPresencesByUserId")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.clone()))
        .expect("a request")
}

/// One request through the emulator's router, its answer's body read whole.
async fn answer(router: &mut axum::Router, request: http::Request<Body>) -> Bytes {
    let response = router.call(request).await.expect("infallible");
    assert_eq!(response.status(), 200);
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body")
}

/// [`answer`] on `runtime`, from outside it. Not inlined, so that callgrind can count it alone
/// (`--toggle-collect=emulator::answer_now`).
#[inline(never)]
fn answer_now(
    runtime: &tokio::runtime::Runtime,
    router: &mut axum::Router,
    request: http::Request<Body>,
) -> Bytes {
    runtime.block_on(answer(router, request))
}

/// What the generated client does with the answer's body (`json_response`: the models
/// runtime's `from_slice`, which names the path of a bad value). Not inlined, for callgrind
/// (`--toggle-collect=emulator::decode`).
#[inline(never)]
fn decode(body: &[u8]) -> GetPresencesByUserIdResponse {
    graph_presence_models::from_slice(body).expect("the emulator's answer decodes")
}

fn get_presences_by_user_id(
    runtime: &tokio::runtime::Runtime,
    emulator: &Emulator,
    users: &[String],
    rounds: usize,
    iterations: usize,
) {
    let ids = &users[..PER_SUBSCRIPTION];
    let token = emulator.user_token(&ids[0], &ALL_SCOPES);
    let request =
        Bytes::from(serde_json::to_vec(&serde_json::json!({ "ids": ids })).expect("json"));
    let mut router = emulator.in_process_router();
    let body = answer_now(runtime, &mut router, post(&token, &request));
    let decoded = decode(&body);
    assert_eq!(decoded.value.as_ref().map(Vec::len), Some(PER_SUBSCRIPTION));
    let client = client_of(emulator, &ids[0]);
    let exchange = || async {
        client
            .communications()
            .get_presences_by_user_id(ids.iter().cloned())
            .send()
            .await
            .expect("the emulator answers")
    };
    let over_loopback = runtime.block_on(exchange());
    assert_eq!(
        over_loopback.value.as_ref().map(Vec::len),
        Some(PER_SUBSCRIPTION)
    );
    println!(
        "\ngetPresencesByUserId, {PER_SUBSCRIPTION} ids: the answer is {} bytes",
        body.len()
    );
    let t = benches::compare(
        &format!(
            "getPresencesByUserId, {PER_SUBSCRIPTION} ids in, {PER_SUBSCRIPTION} presences out"
        ),
        rounds,
        iterations,
        &mut [
            ("emulator answers (router, in process)", &mut || {
                black_box(answer_now(runtime, &mut router, post(&token, &request)));
            }),
            ("client decodes the answer", &mut || {
                black_box(decode(black_box(&body)));
            }),
            // What decode.rs measures: serde_json alone, without the path of a bad value.
            ("(serde_json::from_slice alone)", &mut || {
                black_box(
                    serde_json::from_slice::<GetPresencesByUserIdResponse>(black_box(&body))
                        .expect("decodes"),
                );
            }),
            ("client's whole exchange on loopback", &mut || {
                black_box(runtime.block_on(exchange()));
            }),
        ],
    );
    if benches::benchmarking() {
        let ratio = t[0].as_secs_f64() / t[1].as_secs_f64();
        benches::verdict(
            "the emulator answers at least as fast as the client decodes the answer",
            ratio <= 1.0,
            &format!("emulator / decode = {ratio:.2}x"),
        );
    }
}

// --- Latency: a change to the webhook ---

/// How a change is made.
#[derive(Clone, Copy)]
enum Via {
    Teams,
    Api,
}

struct Candidate {
    name: &'static str,
    via: Via,
    rich: bool,
    user: String,
    client: Client,
    received: Vec<Duration>,
    read: Vec<Duration>,
}

/// Makes one change for `candidate` (odd rounds undo even ones), and waits for its
/// notification at the webhook.
async fn one_change(
    emulator: &Emulator,
    arrivals: &mut mpsc::UnboundedReceiver<Arrival>,
    candidate: &Candidate,
    round: usize,
) -> (Duration, Duration) {
    let busy = round.is_multiple_of(2);
    let start = Instant::now();
    match candidate.via {
        Via::Teams => {
            let teams = emulator.teams(&candidate.user).expect("a user");
            if busy {
                teams.start_call();
            } else {
                teams.end_call();
            }
        }
        Via::Api => {
            let (availability, activity) = if busy {
                (Availability::Busy, Activity::InACall)
            } else {
                (Availability::Available, Activity::Available)
            };
            candidate
                .client
                .users()
                .by_id(candidate.user.as_str())
                .presence()
                .set_presence(availability, activity)
                .send()
                .await
                .expect("set");
        }
    }
    let arrival = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
        .await
        .expect("the notification arrives within 10 s")
        .expect("the webhook runs");
    let expected = match (&arrival.events[..], candidate.rich) {
        ([Event::PresenceChanged { user_id, .. }], true) => user_id == &candidate.user,
        ([Event::ResourceChanged { user_id, .. }], false) => {
            user_id.as_deref() == Some(candidate.user.as_str())
        }
        _ => false,
    };
    assert!(
        expected,
        "{}: one notification for {}, got {:?}",
        candidate.name, candidate.user, arrival.events
    );
    (arrival.received - start, arrival.read - start)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn latency(
    emulator: &Emulator,
    arrivals: &mut mpsc::UnboundedReceiver<Arrival>,
    users: &[String],
    rounds: usize,
) -> Vec<Candidate> {
    // Users of the first basic subscription (0) and the first rich one (1), none of them in a
    // call (so that each change below is one).
    let (basic, rich) = (3, PER_SUBSCRIPTION + 3);
    let candidate = |name, via, is_rich, index: usize| {
        let user = users[index].clone();
        Candidate {
            name,
            via,
            rich: is_rich,
            client: client_of(emulator, &user),
            user,
            received: Vec::with_capacity(rounds),
            read: Vec::with_capacity(rounds),
        }
    };
    let mut candidates = [
        candidate("basic, by a Teams hook", Via::Teams, false, basic),
        candidate("rich, by a Teams hook", Via::Teams, true, rich),
        candidate("basic, by setPresence", Via::Api, false, basic + 2),
        candidate("rich, by setPresence", Via::Api, true, rich + 2),
    ];
    // Warm: connections opened (the deliverer's to the webhook, the clients' to the emulator).
    for round in 0..2 {
        for candidate in &candidates {
            one_change(emulator, arrivals, candidate, round).await;
        }
    }
    for round in 0..rounds {
        for candidate in &mut candidates {
            let (received, read) = one_change(emulator, arrivals, candidate, round).await;
            candidate.received.push(received);
            candidate.read.push(read);
        }
    }
    candidates.into_iter().collect()
}

fn report_latency(candidates: &mut [Candidate], rounds: usize) {
    println!(
        "\na presence change to the webhook on 127.0.0.1 ({rounds} interleaved rounds; received: the POST's body read; read: the receiver done, rich ones decrypted and their validation token verified)"
    );
    println!(
        "  {:<26} {:>10} {:>10} {:>10} {:>10}   {:>10} {:>10}",
        "", "median", "p90", "p99", "max", "read, med", "read, p99"
    );
    for candidate in candidates.iter_mut() {
        candidate.received.sort();
        candidate.read.sort();
        let r = &candidate.received;
        println!(
            "  {:<26} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?}   {:>10.2?} {:>10.2?}",
            candidate.name,
            percentile(r, 0.5),
            percentile(r, 0.9),
            percentile(r, 0.99),
            r[r.len() - 1],
            percentile(&candidate.read, 0.5),
            percentile(&candidate.read, 0.99),
        );
    }
    if benches::benchmarking() {
        for candidate in candidates.iter() {
            let median = percentile(&candidate.received, 0.5);
            benches::verdict(
                &format!(
                    "{}: received within {LATENCY_TARGET:?} at the median",
                    candidate.name
                ),
                median <= LATENCY_TARGET,
                &format!("{median:.2?}"),
            );
        }
    }
}

fn main() {
    let full = benches::benchmarking();
    // Quick mode (cargo test --benches): a small tenant, a few of everything, nothing judged.
    let users = if full { USERS } else { 1_300 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let generated = graph_presence_emulator::testing::TestCertificate::generate();
    let (certificate, pkcs8) = (generated.certificate_der, generated.private_key_pkcs8_der);

    // Memory, counted from here to the subscriptions.
    COUNTING.store(true, Ordering::Relaxed);
    let (emulator, ids, subscriptions, mut arrivals) = runtime.block_on(async {
        let before = settled().await;
        let empty = start(0).await;
        let fixed = settled().await - before;
        drop(empty);
        let before = settled().await;
        let emulator = start(users).await;
        let held = settled().await - before;
        let ids: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
        let before = live();
        for id in &ids {
            emulator.teams(id).expect("a user").sign_in();
        }
        let signed_in = settled().await - before;
        // Something to show in getPresencesByUserId's answer: calls and out-of-office messages.
        for (i, id) in ids.iter().enumerate().take(PER_SUBSCRIPTION) {
            let teams = emulator.teams(id).expect("a user");
            if i.is_multiple_of(2) {
                teams.start_call();
            }
            if i.is_multiple_of(3) {
                teams.out_of_office(true, Some("Out until Monday; for urgent matters, the service desk."));
            }
        }
        let (url, arrivals) = start_hook(&emulator, &pkcs8).await;
        let before = settled().await;
        let subscriptions = subscribe(&emulator, &ids, &url, &certificate).await;
        let subscribed = settled().await - before;
        let per_user = (held - fixed) as f64 / users as f64;
        println!(
            "\nmemory (live heap bytes): an emulator with no users {fixed}; with {users} users {held} ({:.1} MB), {per_user:.0} per user",
            held as f64 / 1e6
        );
        println!(
            "  a Teams sign-in of every user: +{signed_in} ({:.0} per user); {:.0} per signed-in user in all",
            signed_in as f64 / users as f64,
            per_user + signed_in as f64 / users as f64
        );
        println!(
            "  {subscriptions} subscriptions ({} basic, {} rich, {PER_SUBSCRIPTION} users each but the last): +{subscribed} ({:.0} per subscription, {:.0} per covered user)",
            subscriptions.div_ceil(2),
            subscriptions / 2,
            subscribed as f64 / subscriptions as f64,
            subscribed as f64 / users as f64
        );
        println!(
            "  in all: {} ({:.1} MB, {:.0} per user)",
            held + signed_in + subscribed,
            (held + signed_in + subscribed) as f64 / 1e6,
            (held + signed_in + subscribed - fixed) as f64 / users as f64
        );
        (emulator, ids, subscriptions, arrivals)
    });
    COUNTING.store(false, Ordering::Relaxed);
    // The start_call and out-of-office changes above came before the subscriptions: nothing
    // was sent for them.
    assert!(arrivals.try_recv().is_err());

    let (rounds, iterations) = if full { (31, 10) } else { (1, 1) };
    get_presences_by_user_id(&runtime, &emulator, &ids, rounds, iterations);

    let rounds = if full { 500 } else { 3 };
    let mut candidates = runtime.block_on(latency(&emulator, &mut arrivals, &ids, rounds));
    report_latency(&mut candidates, rounds);
    println!(
        "\n{users} users, {subscriptions} subscriptions; deliveries recorded: {}",
        emulator.deliveries().len()
    );
    if !full {
        println!("emulator: quick mode ok");
    }
    drop(emulator);
}
