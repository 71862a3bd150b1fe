//! The mirror shared through Redis (issue 21) against the embedded one, side by side in one
//! run, with a real redis-server on loopback:
//!
//! - updates per second through `Mirror::handle` for the same stream of rich notifications
//!   (20,000 updates of 2,000 users, sequence numbers increasing), and the added latency per
//!   update (median, p99): each update in Redis is one Lua compare-and-set, one round trip;
//! - convergence after an instance is killed: from the kill until the other instance owns
//!   every identity, against the lease's length.
//!
//! `cargo bench -p benches --bench shared_mirror`

use graph_presence_emulator::{ALL_SCOPES, APP_ID, Directory, Emulator, TENANT_ID, TokenRequest};
use graph_presence_mirror::testing::RedisServer;
use graph_presence_mirror::{Identity, Mirror, MirrorSettings, RedisStore};
use graph_presence_models::{Availability, Presence};
use graph_presence_notifications::Event;
use std::time::{Duration, Instant};

const USERS: usize = 2_000;
const UPDATES: usize = 20_000;

fn identities(emulator: &Emulator, count: usize) -> Vec<Identity> {
    emulator.users()[..count]
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let client = emulator
                .client_as(TokenRequest::delegated(TENANT_ID, APP_ID, &user.id).scopes(ALL_SCOPES));
            Identity::new(format!("watcher-{i:02}"), client)
        })
        .collect()
}

fn settings(directory: &str) -> MirrorSettings {
    let dir = std::env::temp_dir().join(format!("{directory}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    MirrorSettings::new("https://hook.example/presence", "bench-client-state", dir)
}

/// The stream, round `round`: every update newer than all of the rounds before (a stale
/// update is refused early, which would flatter a round that repeats one).
fn events(round: usize) -> Vec<Event> {
    let states = [
        Availability::Available,
        Availability::Busy,
        Availability::Away,
    ];
    (0..UPDATES)
        .map(|n| {
            let user = format!("user-{}", n % USERS);
            Event::PresenceChanged {
                subscription_id: "s".into(),
                user_id: user.clone(),
                presence: Box::new(
                    Presence::new(&user)
                        .availability(states[(n / USERS) % states.len()].clone())
                        .sequence_number(format!("{:020}", round * UPDATES + n + 1)),
                ),
            }
        })
        .collect()
}

/// Feeds every event through `handle` one at a time; updates per second and per-update
/// latencies sorted.
async fn feed(mirror: &mut Mirror, events: Vec<Event>) -> (f64, Vec<Duration>) {
    let mut latencies = Vec::with_capacity(events.len());
    let started = Instant::now();
    for event in events {
        let one = Instant::now();
        mirror.handle(event).await;
        latencies.push(one.elapsed());
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    (rate, latencies)
}

/// Feeds the events through `handle_all` in batches of `size` (as `Mirror::run` does with what
/// the webhook has queued); updates per second.
async fn feed_batches(mirror: &mut Mirror, events: Vec<Event>, size: usize) -> f64 {
    let count = events.len();
    let started = Instant::now();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let batch: Vec<Event> = events.by_ref().take(size).collect();
        mirror.handle_all(batch).await;
    }
    count as f64 / started.elapsed().as_secs_f64()
}

fn at(sorted: &[Duration], quantile: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * quantile) as usize]
}

async fn takeover(
    emulator: &Emulator,
    redis: &RedisServer,
    lease: Duration,
    run: usize,
) -> Duration {
    let start = |name: &str| {
        let name = format!("{name}-{run}");
        async move {
            let store = RedisStore::connect(&redis.url())
                .await
                .expect("Redis answers")
                .instance(&name)
                .prefix(&format!("takeover-{run}"))
                .lease(lease);
            let (mirror, _) = Mirror::start(
                identities(emulator, 4),
                settings("bench-takeover").redis(store),
            )
            .await
            .expect("started");
            mirror
        }
    };
    let first = start("first").await;
    assert_eq!(first.owned().len(), 4, "the first owns every identity");
    let mut second = start("second").await;
    let first = tokio::spawn(async move {
        let mut first = first;
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            first.tick().await;
        }
    });
    tokio::time::sleep(lease).await;
    first.abort(); // kill -9: nothing released
    let killed = Instant::now();
    while second.owned().len() < 4 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        second.tick().await;
    }
    killed.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let emulator = Emulator::builder()
        .directory(Directory::synthetic(10))
        .start()
        .await
        .expect("emulator");
    let redis = RedisServer::start().expect("redis-server (apt-get install redis-server)");

    let (mut embedded, _) = Mirror::start(identities(&emulator, 1), settings("bench-embedded"))
        .await
        .expect("embedded");
    let store = RedisStore::connect(&redis.url())
        .await
        .expect("Redis answers");
    let (mut shared, _) = Mirror::start(
        identities(&emulator, 1),
        settings("bench-shared").redis(store),
    )
    .await
    .expect("shared");
    // Warm both (allocations, the script cache), then measure each on the same stream.
    feed(&mut embedded, events(0).into_iter().take(1000).collect()).await;
    feed(&mut shared, events(0).into_iter().take(1000).collect()).await;
    let (embedded_rate, embedded_latency) = feed(&mut embedded, events(1)).await;
    let (shared_rate, shared_latency) = feed(&mut shared, events(1)).await;
    println!("updates through Mirror::handle ({UPDATES} rich notifications of {USERS} users):");
    for (name, rate, latency) in [
        ("embedded", embedded_rate, &embedded_latency),
        ("redis", shared_rate, &shared_latency),
    ] {
        println!(
            "  {name:9} {rate:>10.0} updates/s   median {:>8.1?}   p99 {:>8.1?}",
            at(latency, 0.5),
            at(latency, 0.99)
        );
    }
    println!(
        "  redis/embedded throughput {:.3}; added latency median {:.1?}, p99 {:.1?}",
        shared_rate / embedded_rate,
        at(&shared_latency, 0.5).saturating_sub(at(&embedded_latency, 0.5)),
        at(&shared_latency, 0.99).saturating_sub(at(&embedded_latency, 0.99)),
    );

    println!(
        "the same stream through handle_all, in batches (as Mirror::run takes what is queued):"
    );
    for (round, size) in [(2, 10), (3, 100), (4, 1000)] {
        let embedded_rate = feed_batches(&mut embedded, events(round), size).await;
        let shared_rate = feed_batches(&mut shared, events(round), size).await;
        println!(
            "  batches of {size:>4}: embedded {embedded_rate:>10.0}/s   redis {shared_rate:>9.0}/s   redis/embedded {:.3}",
            shared_rate / embedded_rate
        );
    }

    println!("takeover after kill -9 (4 identities, median of 3):");
    for lease in [
        Duration::from_secs(1),
        Duration::from_secs(3),
        Duration::from_secs(6),
    ] {
        let mut runs = Vec::new();
        for run in 0..3 {
            runs.push(
                takeover(
                    &emulator,
                    &redis,
                    lease,
                    run + lease.as_secs() as usize * 10,
                )
                .await,
            );
        }
        runs.sort();
        println!(
            "  lease {lease:?}: new owner after {:.2?} ({:.2} leases)",
            runs[1],
            runs[1].as_secs_f64() / lease.as_secs_f64()
        );
    }
}
