//! The mirror (issue 20) against the emulator, at the scale: 100,000 users followed over
//! 154 identities (one presence subscription of at most 650 users each), in one run:
//!
//! - initial sync: from `Mirror::start` to every user subscribed and read, on the emulator's
//!   real-time clock, against the floor the mirror's rate limit allows (requests sent ÷ the
//!   limit's sustained rate);
//! - a presence change reaching the mirror's store with rich notifications on 127.0.0.1: from
//!   the change (a Teams hook in the emulator) through the webhook (the notifications crate's
//!   axum `Webhook`, decrypting) and `Mirror::run` to the store's `changes()`; median and p99;
//! - memory: live heap bytes the mirror holds per followed user (a counting global allocator,
//!   as `memory.rs` counts), measured as what dropping the mirror frees;
//! - coalescing: getPresencesByUserId requests spent for 1,000 basic notifications, against one
//!   GET per notification.
//!
//! `cargo bench -p benches --bench mirror`

use graph_presence_client::{BearerToken, Client, RateLimit};
use graph_presence_emulator::{
    ALL_SCOPES, Clock, DeliverySettings, Directory, Emulator, testing::TestCertificate,
};
use graph_presence_mirror::{Identity, Mirror, MirrorSettings, PresenceStore};
use graph_presence_notifications::axum::Webhook;
use graph_presence_notifications::{DecryptionKey, DecryptionKeys, Event, Receiver};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tower_service::Service;

/// The scale: 100,000 users over 154 identities of at most 650 users each.
const USERS: usize = 100_000;
const PER_IDENTITY: usize = 650;
/// The mirror's default rate limit (half of Graph's 1,500 per 30 s). Its window lets a burst of
/// 750 go at once, more than the sync sends, so the sync is also run under a limit that binds.
const RATE: (usize, Duration) = (750, Duration::from_secs(30));
/// A limit the sync's 308 requests cannot burst through: 50 a second.
const BINDING_RATE: (usize, Duration) = (50, Duration::from_secs(1));
/// The target for the initial sync: at most this many times the floor.
const SYNC_TARGET: f64 = 1.2;
const CLIENT_STATE: &str = "mirror-bench-client-state";
/// Basic notifications coalesced in the last part.
const NOTIFICATIONS: usize = 1_000;

// --- Memory: live bytes (the same counting allocator as memory.rs). Always on: what is timed
// here is network-bound, and an atomic add per allocation does not show in it. ---

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live bytes once spawned tasks have settled.
async fn settled() -> isize {
    tokio::time::sleep(Duration::from_millis(200)).await;
    LIVE.load(Ordering::Relaxed)
}

// --- The emulator, the identities and the webhook ---

async fn start(users: usize, clock: Clock) -> Emulator {
    Emulator::builder()
        .directory(Directory::synthetic(users))
        .clock(clock)
        // Graph's documented delivery figures, with plain http: to loopback.
        .delivery(DeliverySettings::default().allowing_http_loopback())
        .start()
        .await
        .expect("the emulator starts")
}

/// `count` identities signed in as the directory's first users, each with one fixed token (the
/// emulator's own `client_as` signs one per request, an RSA signature that an app does not pay).
fn identities(emulator: &Emulator, count: usize) -> Vec<Identity> {
    emulator.users()[..count]
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let client =
                Client::builder(BearerToken::new(emulator.user_token(&user.id, &ALL_SCOPES)))
                    .base_url(emulator.graph_url())
                    .clock(emulator.clock().clone())
                    .build()
                    .expect("a client");
            Identity::new(format!("watcher-{i:03}"), client)
        })
        .collect()
}

/// A webhook on 127.0.0.1 (decrypting rich notifications when `key` is given): its URL and
/// its events.
async fn start_webhook(key: Option<&TestCertificate>) -> (String, Webhook, mpsc::Receiver<Event>) {
    let mut receiver = Receiver::new(CLIENT_STATE);
    if let Some(certificate) = key {
        let key = DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
            .expect("the test key")
            .certificate_der(&certificate.certificate_der);
        receiver = receiver
            .decryption_keys(DecryptionKeys::new().key(certificate.certificate_id.clone(), key));
    }
    let (webhook, events) = Webhook::new(receiver, 64 * 1024);
    let router = webhook.clone().router("/presence");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{address}/presence"), webhook, events)
}

fn settings(url: &str, name: &str, rate: (usize, Duration)) -> MirrorSettings {
    let dir = std::env::temp_dir().join(format!("mirror-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    MirrorSettings::new(url, CLIENT_STATE, dir)
        .lifecycle_notification_url(url)
        .rate_limit(RateLimit::new(rate.0, rate.1))
}

/// The emulator's requests so far, by operation (its admin counters, called in process).
async fn requests(emulator: &Emulator) -> BTreeMap<String, u64> {
    let mut router = emulator.in_process_router();
    let request = http::Request::get("/_emulator/counters")
        .body(axum::body::Body::empty())
        .expect("a request");
    let response = router.call(request).await.expect("infallible");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the counters");
    let counters: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    serde_json::from_value(counters["requests"].clone()).expect("requests by operation")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

// --- The parts ---

/// Starts the mirror over `pool` identities under `rate` and follows everyone; prints the sync
/// against its floor.
async fn initial_sync(
    emulator: &Emulator,
    url: &str,
    certificate: &TestCertificate,
    pool: usize,
    rate: (usize, Duration),
) -> Mirror {
    let users: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
    let settings = settings(url, "sync", rate).include_resource_data(
        certificate.certificate_base64(),
        &certificate.certificate_id,
    );
    let identities = identities(emulator, pool);
    let before = requests(emulator).await;
    let began = Instant::now();
    let (mut mirror, _) = Mirror::start(identities, settings).await.expect("started");
    let report = mirror.add(&users).await.expect("fits");
    let took = began.elapsed();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.users_read, users.len());
    let after = requests(emulator).await;
    let sent: u64 = after
        .iter()
        .map(|(op, n)| n - before.get(op).copied().unwrap_or(0))
        .sum();
    let floor = rate.1.mul_f64(sent as f64 / rate.0 as f64);
    let ratio = took.as_secs_f64() / floor.as_secs_f64();
    println!(
        "\ninitial sync: {} users over {pool} identities in {took:.2?} (real time), {sent} requests ({after:?})",
        users.len()
    );
    println!(
        "  floor at {} per {:?}: {floor:.2?}; {ratio:.2}x the floor",
        rate.0, rate.1
    );
    if benches::benchmarking() {
        benches::verdict(
            &format!(
                "initial sync within {SYNC_TARGET}x the floor of {} per {:?}",
                rate.0, rate.1
            ),
            ratio <= SYNC_TARGET,
            &format!("{ratio:.2}x"),
        );
    }
    mirror
}

/// Runs the mirror on its own, changes `rounds` users one at a time, and times each change to
/// the store; gives the mirror back.
async fn latency(
    emulator: &Emulator,
    mut mirror: Mirror,
    mut events: mpsc::Receiver<Event>,
    webhook: Webhook,
    rounds: usize,
) -> Mirror {
    let store: PresenceStore = mirror.store().clone();
    let mut changes = store.changes();
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        tokio::select! {
            () = mirror.run(&mut events, || webhook.dropped_events()) => {}
            _ = stopped => {}
        }
        mirror
    });
    let users: Vec<String> = emulator
        .users()
        .into_iter()
        .map(|u| u.id.to_ascii_lowercase())
        .collect();
    let mut took = Vec::with_capacity(rounds);
    // Two warm-up rounds: connections opened.
    for round in 0..rounds + 2 {
        // A user of a different subscription each round, never changed before (a call starts).
        let user = &users[(round * (PER_IDENTITY + 1) + 7) % users.len()];
        let began = Instant::now();
        emulator.teams(user).expect("a user").start_call();
        loop {
            let change = tokio::time::timeout(Duration::from_secs(30), changes.recv())
                .await
                .expect("the change reached the store")
                .expect("no lag");
            if change.user_id == *user {
                break;
            }
        }
        if round >= 2 {
            took.push(began.elapsed());
        }
    }
    let _ = stop.send(());
    let mirror = running.await.expect("the mirror's task");
    took.sort();
    println!(
        "\na change to the store, rich notifications on 127.0.0.1 ({rounds} rounds): median {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        took[took.len() - 1]
    );
    mirror
}

/// What dropping the mirror (and every clone of its store) frees, per followed user.
async fn memory(mirror: Mirror) {
    let users = mirror.users().len();
    let before = settled().await;
    drop(mirror);
    let held = before - settled().await;
    println!(
        "\nmemory: the mirror held {held} live heap bytes ({:.1} MB) for {users} users: {:.0} per followed user",
        held as f64 / 1e6,
        held as f64 / users as f64
    );
}

/// A basic mirror of `users` over `pool` identities; `NOTIFICATIONS` users change, their
/// notifications are handled, and the coalesced read follows: getPresencesByUserId requests
/// spent, against one GET each.
async fn coalescing(users: usize, pool: usize, changed: usize) {
    let emulator = start(users, Clock::manual(jiff::Timestamp::now())).await;
    let (url, _webhook, mut events) = start_webhook(None).await;
    let ids: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
    let (mut mirror, _) = Mirror::start(
        identities(&emulator, pool),
        settings(&url, "coalescing", RATE),
    )
    .await
    .expect("started");
    mirror.add(&ids).await.expect("fits");
    let before = requests(&emulator).await;
    // Every `users / changed`-th user, so the changes fall on every identity.
    let step = users / changed;
    for id in ids.iter().step_by(step).take(changed) {
        emulator.teams(id).expect("a user").start_call();
    }
    let mut notified = 0;
    while notified < changed {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("a notification in time")
            .expect("the webhook runs");
        if matches!(event, Event::ResourceChanged { .. }) {
            notified += 1;
        }
        let report = mirror.handle(event).await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
    }
    // The coalescing window passes.
    emulator.advance(Duration::from_secs(3));
    let report = mirror.tick().await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let after = requests(&emulator).await;
    let spent: u64 = after
        .iter()
        .map(|(op, n)| n - before.get(op).copied().unwrap_or(0))
        .sum();
    println!(
        "\ncoalescing: {changed} basic notifications ({users} users over {pool} identities) read in {spent} requests ({} users read), against {changed} GETs: {:.1} requests per 1,000 notifications, {:.0}x fewer",
        report.users_read,
        spent as f64 * 1000.0 / changed as f64,
        changed as f64 / spent.max(1) as f64
    );
}

fn main() {
    let full = benches::benchmarking();
    // Quick mode (cargo test --benches): a small tenant, a few of everything, nothing judged.
    let (users, pool) = if full {
        (USERS, USERS.div_ceil(PER_IDENTITY))
    } else {
        (1_300, 2)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let certificate = TestCertificate::generate();
    runtime.block_on(async {
        // Real time: the sync is timed against a rate limit in real seconds.
        let emulator = start(users, Clock::real()).await;
        let (url, webhook, events) = start_webhook(Some(&certificate)).await;
        let mirror = initial_sync(&emulator, &url, &certificate, pool, RATE).await;
        let rounds = if full { 200 } else { 3 };
        let mirror = latency(&emulator, mirror, events, webhook, rounds).await;
        memory(mirror).await;
        drop(emulator);
        // Again on a fresh tenant, under a limit the sync cannot burst through.
        let binding = if full {
            BINDING_RATE
        } else {
            (2, Duration::from_millis(100))
        };
        let emulator = start(users, Clock::real()).await;
        let (url, _webhook, _events) = start_webhook(Some(&certificate)).await;
        drop(initial_sync(&emulator, &url, &certificate, pool, binding).await);
        drop(emulator);
        let (users, pool) = if full { (10_000, 16) } else { (1_300, 2) };
        coalescing(users, pool, if full { NOTIFICATIONS } else { 100 }).await;
    });
    if !full {
        println!("mirror: quick mode ok");
    }
}
