//! Receiving change notifications: a batch of 100 presence notifications through the sans-IO
//! `Receiver`, basic (client state only) against rich (each one RSA-unwrapped, HMAC-checked and
//! AES-decrypted), with and without a validation token to verify. Graph wants the answer
//! within about three seconds, so the rich batch is judged against that budget.
//!
//!
//! Then a mixed load (issue 20): small basic batches arriving every few milliseconds while a
//! batch of 1,000 rich notifications is decrypted on another thread, each small one timed
//! from its arrival to its answer; before (the webhook's old way: `handle` under one
//! `Mutex<Receiver>`, on one thread) and after (`prepare` and `apply` on a shared receiver,
//! the large batch on several threads). And the large batch's own time with a `dataKey` per
//! notification against one `dataKey` for the whole batch (unwrapped once).
//!
//! `cargo bench -p benches --bench receive`

#[path = "../../crates/graph-presence-notifications/tests/suite/support/mod.rs"]
mod support;

use base64::Engine;
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, JwkSet, Receiver, Request, ValidationTokenRules,
};
use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::*;

/// Notifications per batch.
const BATCH: usize = 100;
const CERT_ID: &str = "bench-cert";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";
/// Graph's wait for the answer, and the share of it a batch may take.
const BUDGET: Duration = Duration::from_secs(3);
const TARGET_SHARE: f64 = 0.1;

struct Batches {
    basic: Vec<u8>,
    rich: Vec<u8>,
    rich_with_token: Vec<u8>,
    signing_keys: JwkSet,
}

/// A basic notification for `user`.
fn notification(user: usize) -> Value {
    json!({
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "clientState": CLIENT_STATE,
        "changeType": "updated",
        "tenantId": TENANT_ID,
        "resource": format!("communications/presences/user-{user}"),
        "resourceData": {"@odata.type": "#microsoft.graph.presence", "id": format!("user-{user}")},
    })
}

/// `user`'s presence as a rich notification, sealed by `encrypt`.
fn rich_notification(user: usize, encrypt: impl FnOnce(&[u8]) -> Encrypted) -> Value {
    // No sequenceNumber: every round delivers every presence as a change.
    let presence = json!({
        "@odata.type": "#microsoft.graph.presence",
        "id": format!("user-{user}"),
        "availability": "Busy",
        "activity": "InACall",
        "statusMessage": null,
    });
    let sent = encrypt(presence.to_string().as_bytes());
    let mut rich = notification(user);
    rich["encryptedContent"] = json!({
        "data": sent.data,
        "dataSignature": sent.data_signature,
        "dataKey": sent.data_key,
        "encryptionCertificateId": CERT_ID,
        "encryptionCertificateThumbprint": "",
    });
    rich
}

/// Each notification under a `dataKey` of its own.
fn own_data_key(plaintext: &[u8]) -> Encrypted {
    encrypt_like_graph(certificate_key(), plaintext)
}

static BATCHES: LazyLock<Batches> = LazyLock::new(|| {
    let basic: Vec<Value> = (0..BATCH).map(notification).collect();
    let rich: Vec<Value> = (0..BATCH)
        .map(|user| rich_notification(user, own_data_key))
        .collect();
    let signing = SigningKey::new("bench-kid");
    let token = signing.sign(
        &signing.header(),
        &claims(jiff::Timestamp::now().as_second()),
    );
    Batches {
        basic: serde_json::to_vec(&json!({ "value": basic })).expect("json"),
        rich: serde_json::to_vec(&json!({ "value": rich })).expect("json"),
        rich_with_token: serde_json::to_vec(&json!({ "value": rich, "validationTokens": [token] }))
            .expect("json"),
        signing_keys: JwkSet::from_json(&jwks(&[&signing])).expect("jwks"),
    }
});

fn receiver(tokens: bool) -> Receiver {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    let receiver =
        Receiver::new(CLIENT_STATE).decryption_keys(DecryptionKeys::new().key(CERT_ID, key));
    if tokens {
        receiver.validation_tokens(
            ValidationTokenRules::new(APP_ID, TENANT_ID),
            BATCHES.signing_keys.clone(),
        )
    } else {
        receiver
    }
}

fn post(body: &[u8]) -> Request<'_> {
    Request {
        method: "POST",
        query: None,
        body: black_box(body),
    }
}

/// Handles `body`, checking that all `BATCH` notifications came through as `expected` says.
fn handle(receiver: &mut Receiver, body: &[u8], expected: fn(&Event) -> bool) {
    let handled = receiver.handle(post(body), jiff::Timestamp::now());
    assert_eq!(handled.response.status, 202);
    assert!(handled.events.len() == BATCH && handled.events.iter().all(expected));
    black_box(handled);
}

fn changed(event: &Event) -> bool {
    matches!(event, Event::PresenceChanged { .. })
}

fn resource(event: &Event) -> bool {
    matches!(event, Event::ResourceChanged { .. })
}

#[divan::bench]
fn basic_batch(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(false))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.basic, resource));
}

#[divan::bench]
fn rich_batch(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(false))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.rich, changed));
}

#[divan::bench]
fn rich_batch_with_validation_token(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(true))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.rich_with_token, changed));
}

fn main() {
    divan::main();
    if !benches::benchmarking() {
        return;
    }
    receive_one_batch();
    mixed_load();
}

fn receive_one_batch() {
    let (mut basic, mut rich, mut tokens) = (receiver(false), receiver(false), receiver(true));
    let t = benches::compare(
        &format!("one batch of {BATCH} presence notifications through the Receiver"),
        21,
        5,
        &mut [
            ("basic (client state only)", &mut || {
                handle(&mut basic, &BATCHES.basic, resource)
            }),
            ("rich (decrypted)", &mut || {
                handle(&mut rich, &BATCHES.rich, changed)
            }),
            ("rich, and a validation token verified", &mut || {
                handle(&mut tokens, &BATCHES.rich_with_token, changed)
            }),
        ],
    );
    let per_notification = t[2] / BATCH as u32;
    println!(
        "  rich with token: {per_notification:.1?} per notification, about {} notifications in Graph's {BUDGET:?} on one core",
        (BUDGET.as_secs_f64() / per_notification.as_secs_f64()) as u64
    );
    benches::verdict(
        &format!(
            "a rich batch of {BATCH} answered within {:.0}% of Graph's {BUDGET:?}",
            TARGET_SHARE * 100.0
        ),
        t[2].as_secs_f64() <= BUDGET.as_secs_f64() * TARGET_SHARE,
        &format!("{:.1?}", t[2]),
    );
}

/// Notifications in the mixed load's large batch (issue 20's had 1,145).
const LARGE: usize = 1000;
/// How often a small batch arrives while the large one is handled.
const SMALL_EVERY: Duration = Duration::from_millis(5);

/// A large batch, `LARGE` rich notifications sealed by `encrypt`.
fn large_batch(mut encrypt: impl FnMut(&[u8]) -> Encrypted) -> Vec<u8> {
    let value: Vec<Value> = (0..LARGE)
        .map(|user| rich_notification(user, &mut encrypt))
        .collect();
    serde_json::to_vec(&json!({ "value": value })).expect("json")
}

/// How the webhook holds the receiver.
enum Server {
    /// Before issue 20: `handle` under one lock, decryption included.
    OneLock(Mutex<Receiver>),
    /// After: `prepare` shared, `apply` under the sequence numbers' own lock.
    Split(Receiver),
}

impl Server {
    fn answer(&self, body: &[u8]) -> graph_presence_notifications::Handled {
        let now = jiff::Timestamp::now();
        match self {
            Server::OneLock(receiver) => receiver.lock().expect("lock").handle(post(body), now),
            Server::Split(receiver) => receiver.apply(receiver.prepare(post(body), now)),
        }
    }
}

/// One round of the mixed load: `large` handled on a thread of its own while a small batch
/// arrives every `SMALL_EVERY` (from the large one's start until its end) and is answered in
/// turn on this one. Each small batch's latency is from its arrival to its answer, so one that
/// waits for a lock counts all of the wait, and those arriving meanwhile queue behind it.
fn small_latencies_during(server: &Server, large: &[u8], small: &[u8]) -> Vec<Duration> {
    let large_done = OnceLock::new();
    let started = std::sync::Barrier::new(2);
    let mut latencies = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            started.wait();
            let handled = server.answer(large);
            large_done.set(Instant::now()).expect("once");
            assert!(handled.events.len() == LARGE && handled.events.iter().all(changed));
        });
        started.wait();
        let start = Instant::now();
        for arrival in (1..).map(|n| start + SMALL_EVERY * n) {
            if let Some(wait) = arrival.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if large_done.get().is_some_and(|done| *done <= arrival) {
                break;
            }
            let handled = server.answer(small);
            latencies.push(arrival.elapsed());
            assert!(matches!(
                &handled.events[..],
                [Event::ResourceChanged { .. }]
            ));
        }
    });
    latencies
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn mixed_load() {
    const ROUNDS: usize = 7;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let own_keys = large_batch(own_data_key);
    let (key, data_key) = {
        let key = random_key();
        let wrapped = wrap_key(certificate_key(), &key);
        (
            key,
            base64::engine::general_purpose::STANDARD.encode(wrapped),
        )
    };
    let shared_key = large_batch(|plaintext| encrypt_under(&key, &data_key, plaintext));
    let small = serde_json::to_vec(&json!({ "value": [notification(0)] })).expect("json");

    let servers = [
        (
            "before: handle under one lock, 1 thread",
            Server::OneLock(Mutex::new(receiver(false).decryption_threads(1))),
        ),
        (
            "after: prepare/apply, 1 thread",
            Server::Split(receiver(false).decryption_threads(1)),
        ),
        (
            "after: prepare/apply, default threads",
            Server::Split(receiver(false)),
        ),
    ];
    let mut samples = vec![Vec::new(); servers.len()];
    let mut large_times = vec![Vec::new(); servers.len()];
    for _ in 0..ROUNDS {
        for (i, (_, server)) in servers.iter().enumerate() {
            let start = Instant::now();
            samples[i].extend(small_latencies_during(server, &own_keys, &small));
            large_times[i].push(start.elapsed());
        }
    }
    println!(
        "\nmixed load: a basic batch of 1 arriving every {SMALL_EVERY:?} while a rich batch of {LARGE} (a dataKey each) is handled, {ROUNDS} interleaved rounds, {threads} available threads"
    );
    let medians: Vec<Duration> = samples.iter().cloned().map(median).collect();
    for (((name, _), samples), (median_latency, large)) in servers
        .iter()
        .zip(&samples)
        .zip(medians.iter().zip(large_times))
    {
        let mut sorted = samples.clone();
        sorted.sort();
        let p90 = sorted
            .get(sorted.len() * 9 / 10)
            .copied()
            .unwrap_or_default();
        println!(
            "  {name:<42} small: median {median_latency:>10.3?}, p90 {p90:>10.3?}, {:>5} answered, the first's median {:>7.0}x this; large: median {:>9.1?}",
            samples.len(),
            medians[0].as_secs_f64() / median_latency.as_secs_f64(),
            median(large),
        );
    }

    let (mut one_thread, mut own, mut shared) = (
        receiver(false).decryption_threads(1),
        receiver(false),
        receiver(false),
    );
    let handle_large = |receiver: &mut Receiver, body: &[u8]| {
        let handled = receiver.handle(post(body), jiff::Timestamp::now());
        assert!(handled.events.len() == LARGE && handled.events.iter().all(changed));
        black_box(handled);
    };
    benches::compare(
        &format!("the large batch alone: {LARGE} rich notifications through handle"),
        ROUNDS,
        1,
        &mut [
            ("a dataKey each, 1 thread (as before)", &mut || {
                handle_large(&mut one_thread, &own_keys)
            }),
            (&format!("a dataKey each, {threads} threads"), &mut || {
                handle_large(&mut own, &own_keys)
            }),
            (&format!("one dataKey, {threads} threads"), &mut || {
                handle_large(&mut shared, &shared_key)
            }),
        ],
    );
}
