//! Several instances sharing one mirror through a real Redis: each subscription kept by one
//! instance, every change reaching every instance once, and what happens when an instance
//! dies, Redis restarts empty, Redis cannot be reached, or one instance is cut off from it.

use crate::instances::{Instance, LEASE, RoundRobin};
use crate::support::{CLIENT_STATE, MINUTE, PATIENCE, all_users, emulator, identities, summary};
use graph_presence_emulator::{Emulator, Fault};
use graph_presence_mirror::testing::RedisServer;
use graph_presence_mirror::{Mirror, MirrorSettings, RedisStore};
use graph_presence_models::{Availability, Presence};
use graph_presence_notifications::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

fn redis() -> RedisServer {
    RedisServer::start().expect("redis-server starts (apt-get install redis-server)")
}

/// Waits until `done` holds, or fails the test saying `what`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let waited = Instant::now();
    while !done() {
        assert!(waited.elapsed() < PATIENCE, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn availability(instance: &Instance, user: &str) -> Option<Availability> {
    instance
        .store
        .get(user)
        .and_then(|u| u.presence)
        .and_then(|p| p.availability.as_option().cloned())
}

/// Every identity is kept by exactly one of `instances`.
fn owned_once(instances: &[&Instance], identities: usize) -> bool {
    let mut seen = BTreeSet::new();
    for instance in instances {
        for name in instance.owned() {
            if !seen.insert(name) {
                return false;
            }
        }
    }
    seen.len() == identities
}

async fn conflicts(emulator: &Emulator) -> u64 {
    summary(emulator).await["counters"]["statuses"]["409"]
        .as_u64()
        .unwrap_or(0)
}

/// Starts a call for each of `users`; waits until every instance shows them busy.
async fn change_and_converge(emulator: &Emulator, instances: &[&Instance], users: &[String]) {
    for user in users {
        emulator.teams(user).expect("a user").start_call();
    }
    converge(emulator, instances, "sees every change", |instance| {
        users
            .iter()
            .all(|u| availability(instance, u) == Some(Availability::Busy))
    })
    .await;
}

/// Waits until `done` holds for every instance, moving the emulator's clock a second at a time
/// so that the basic notifications' coalesced reads (a 2 s window on that clock) are made.
async fn converge(
    emulator: &Emulator,
    instances: &[&Instance],
    what: &str,
    done: impl Fn(&Instance) -> bool,
) {
    converge_within(PATIENCE, emulator, instances, what, done).await;
}

/// [`converge`], waiting up to `patience`.
async fn converge_within(
    patience: Duration,
    emulator: &Emulator,
    instances: &[&Instance],
    what: &str,
    done: impl Fn(&Instance) -> bool,
) {
    let waited = Instant::now();
    while !instances.iter().all(|i| done(i)) {
        let behind: Vec<&str> = instances
            .iter()
            .filter(|i| !done(i))
            .map(|i| i.name.as_str())
            .collect();
        assert!(waited.elapsed() < patience, "never: {behind:?} {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        emulator.advance(Duration::from_secs(1));
    }
}

/// Two instances over `users` users and two identities, each identity kept by one of them.
struct Pair {
    emulator: Emulator,
    redis: RedisServer,
    proxy: RoundRobin,
    users: Vec<String>,
    a: Instance,
    b: Instance,
}

impl Pair {
    async fn start(users: usize) -> Pair {
        let emulator = emulator(users).await;
        let redis = redis();
        let proxy = RoundRobin::start("/presence").await;
        let users = all_users(&emulator);
        let a = Instance::start("a", &emulator, 2, redis.address(), &proxy, &users).await;
        let b = Instance::start("b", &emulator, 2, redis.address(), &proxy, &users).await;
        eventually("owned once", || owned_once(&[&a, &b], 2)).await;
        Pair {
            emulator,
            redis,
            proxy,
            users,
            a,
            b,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_share_one_mirror_of_ten_thousand_users_and_survive_a_kill() {
    const IDENTITIES: usize = 16;
    let emulator = emulator(10_000).await;
    let redis = redis();
    let proxy = RoundRobin::start("/presence").await;
    let users = all_users(&emulator);
    // Started at the same moment: each subscription must still be created once.
    let (a, b, c) = tokio::join!(
        Instance::start("a", &emulator, IDENTITIES, redis.address(), &proxy, &users),
        Instance::start("b", &emulator, IDENTITIES, redis.address(), &proxy, &users),
        Instance::start("c", &emulator, IDENTITIES, redis.address(), &proxy, &users),
    );
    eventually("each identity kept by one instance", || {
        owned_once(&[&a, &b, &c], IDENTITIES)
    })
    .await;
    // The placement may be written by an instance that owns none: each owner creates its
    // subscription at its next tick.
    eventually("a subscription per identity", || {
        emulator.subscription_count() == IDENTITIES
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emulator.subscription_count(), IDENTITIES, "none doubled");
    assert_eq!(conflicts(&emulator).await, 0, "no 409");

    // Changes delivered to any instance reach all three, each once, in order.
    // Once each has loaded everyone (the start's reads are changes too), the feeds are read.
    // Each loads 10,000 users: in a debug build, beside the other tests on two cores, this
    // takes longer than a change does.
    let sync = PATIENCE * 3;
    converge_within(
        sync,
        &emulator,
        &[&a, &b, &c],
        "holds every user",
        |instance| {
            instance
                .store
                .snapshot()
                .values()
                .filter(|u| u.presence.is_some())
                .count()
                == users.len()
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let changed: Vec<String> = users.iter().step_by(37).cloned().collect();
    let mut feeds: Vec<_> = [&a, &b, &c]
        .map(|i| (i.name.clone(), i.store.changes()))
        .into();
    change_and_converge(&emulator, &[&a, &b, &c], &changed).await;
    for (name, feed) in &mut feeds {
        let mut busy: BTreeMap<String, usize> = BTreeMap::new();
        loop {
            let change = match feed.try_recv() {
                Ok(change) => change,
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                    panic!("{name}: the test read its feed too late ({n} missed)")
                }
                Err(_) => break,
            };
            if change.presence.availability.as_option() == Some(&Availability::Busy) {
                *busy.entry(change.user_id.clone()).or_default() += 1;
            }
        }
        assert_eq!(busy.len(), changed.len(), "{name}: every change");
        assert!(busy.values().all(|n| *n == 1), "{name}: once each");
    }

    // kill -9 the instance that keeps the most: the others take its identities over within
    // the lease, and renew them before they expire.
    let victim = [&a, &b, &c]
        .into_iter()
        .max_by_key(|i| i.owned().len())
        .map(|i| i.name.clone())
        .expect("three");
    let (dead, alive): (Vec<&Instance>, Vec<&Instance>) =
        [&a, &b, &c].into_iter().partition(|i| i.name == victim);
    // Changes in flight when it dies (users every instance holds as Busy sign out): some are
    // delivered to it and never stored.
    let in_flight: Vec<String> = changed.iter().step_by(3).cloned().collect();
    for user in &in_flight {
        emulator.teams(user).expect("a user").sign_out();
    }
    dead[0].kill();
    let killed = Instant::now();
    eventually("the survivors keep every identity", || {
        owned_once(&alive, IDENTITIES)
    })
    .await;
    assert!(killed.elapsed() < LEASE * 3, "taken over within the lease");
    // The new owner read the users of what it took over: nothing in flight is lost.
    converge(
        &emulator,
        &alive,
        "holds the changes in flight at the kill",
        |instance| {
            in_flight
                .iter()
                .all(|u| availability(instance, u) == Some(Availability::Offline))
        },
    )
    .await;
    emulator.advance(55 * MINUTE);
    tokio::time::sleep(Duration::from_secs(2)).await;
    emulator.advance(10 * MINUTE); // past the expiry the dead instance last granted
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        emulator.subscription_count(),
        IDENTITIES,
        "all renewed, none doubled"
    );
    assert_eq!(conflicts(&emulator).await, 0, "no 409 storm");
    let later: Vec<String> = users.iter().skip(5).step_by(101).cloned().collect();
    for user in &later {
        emulator.teams(user).expect("a user").end_call();
    }
    converge(
        &emulator,
        &alive,
        "sees a change after the takeover",
        |instance| {
            later
                .iter()
                .all(|u| availability(instance, u) != Some(Availability::Busy))
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_redis_restarts_empty_everything_converges_again() {
    let Pair {
        emulator,
        mut redis,
        proxy,
        users,
        a,
        b,
    } = Pair::start(1_300).await;

    redis.restart().expect("restarted");
    eventually("owned once again", || owned_once(&[&a, &b], 2)).await;
    let changed: Vec<String> = users.iter().step_by(29).cloned().collect();
    change_and_converge(&emulator, &[&a, &b], &changed).await;
    assert_eq!(emulator.subscription_count(), 2);
    assert_eq!(conflicts(&emulator).await, 0);
    // The shared state was written again: a third instance joining now sees every presence.
    let c = Instance::start("c", &emulator, 2, redis.address(), &proxy, &users).await;
    converge(&emulator, &[&c], "loads the rebuilt state", |instance| {
        changed
            .iter()
            .all(|u| availability(instance, u) == Some(Availability::Busy))
    })
    .await;
    assert_eq!(
        emulator.subscription_count(),
        2,
        "the newcomer created none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn while_redis_cannot_be_reached_the_webhook_answers_and_nothing_is_lost() {
    let Pair {
        emulator,
        redis: _redis,
        proxy: _proxy,
        users,
        a,
        b,
    } = Pair::start(700).await;

    a.link.cut();
    b.link.cut();
    let changed: Vec<String> = users.iter().step_by(13).cloned().collect();
    for user in &changed {
        emulator.teams(user).expect("a user").start_call();
    }
    // Graph's deliveries are answered while Redis is away: none is failing or retried.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let failed = summary(&emulator).await["counters"]["deliveries"]["openBatches"].clone();
    assert_eq!(failed, serde_json::json!(0), "every delivery answered");

    a.link.heal();
    b.link.heal();
    // The reads that could not be stored are tried again a minute later.
    emulator.advance(2 * MINUTE);
    converge(
        &emulator,
        &[&a, &b],
        "stores every change once Redis answers",
        |instance| {
            changed
                .iter()
                .all(|u| availability(instance, u) == Some(Availability::Busy))
        },
    )
    .await;
    assert_eq!(emulator.subscription_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_cut_off_from_redis_stops_acting_and_another_takes_over() {
    let Pair {
        emulator,
        redis: _redis,
        proxy: _proxy,
        users,
        a,
        b,
    } = Pair::start(1_300).await;
    let (cut, other) = if a.owned().is_empty() {
        (&b, &a)
    } else {
        (&a, &b)
    };

    cut.link.cut();
    eventually("the other keeps both identities", || {
        other.owned().len() == 2
    })
    .await;
    eventually("the cut-off one keeps none", || cut.owned().is_empty()).await;
    // Renewals come due: only the owner sends them; the cut-off one's token is stale.
    emulator.advance(55 * MINUTE);
    tokio::time::sleep(Duration::from_secs(2)).await;
    emulator.advance(10 * MINUTE);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emulator.subscription_count(), 2);
    assert_eq!(conflicts(&emulator).await, 0);

    cut.link.heal();
    tokio::time::sleep(LEASE * 2).await;
    assert!(
        owned_once(&[&a, &b], 2),
        "healed, the leases stay where they are"
    );
    assert_eq!(other.owned().len(), 2);
    let changed: Vec<String> = users.iter().step_by(41).cloned().collect();
    change_and_converge(&emulator, &[&a, &b], &changed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_mid_renewal_is_taken_over_before_the_subscriptions_expire() {
    let Pair {
        emulator,
        redis: _redis,
        proxy: _proxy,
        users,
        a,
        b,
    } = Pair::start(1_300).await;
    eventually("two subscriptions", || emulator.subscription_count() == 2).await;
    let (owner, other) = if a.owned().is_empty() {
        (&b, &a)
    } else {
        (&a, &b)
    };

    // Renewals take 3 s to be answered; the owner is killed while they are in flight.
    emulator
        .set_faults(vec![Fault {
            route: "subscription_UpdateSubscription".into(),
            latency_ms: 3_000,
            server_error_rate: 0.0,
            reset_rate: 0.0,
        }])
        .expect("faults");
    emulator.advance(52 * MINUTE);
    tokio::time::sleep(Duration::from_secs(1)).await;
    owner.kill();
    emulator.set_faults(Vec::new()).expect("no faults");
    eventually("the other keeps both", || other.owned().len() == 2).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    emulator.advance(10 * MINUTE); // past the expiry granted before the kill
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emulator.subscription_count(), 2, "renewed, none doubled");
    assert_eq!(conflicts(&emulator).await, 0);
    let changed: Vec<String> = users.iter().step_by(43).cloned().collect();
    change_and_converge(&emulator, &[other], &changed).await;
}

#[tokio::test]
async fn two_instances_receiving_one_users_updates_in_opposite_orders_keep_the_newest() {
    let emulator = emulator(10).await;
    let redis = redis();
    let mut mirrors = Vec::new();
    for name in ["a", "b"] {
        let store = RedisStore::connect(&redis.url())
            .await
            .expect("Redis answers")
            .instance(name);
        let settings = MirrorSettings::new("https://hook.example/p", CLIENT_STATE, "/nonexistent")
            .redis(store);
        let (mirror, _) = Mirror::start(identities(&emulator, 1), settings)
            .await
            .expect("started");
        mirrors.push(mirror);
    }
    let update = |sequence: u32, availability: Availability| Event::PresenceChanged {
        subscription_id: "s".into(),
        user_id: "u1".into(),
        presence: Box::new(
            Presence::new("u1")
                .availability(availability)
                .sequence_number(format!("{sequence}")),
        ),
    };
    // a gets 1, 3, 2; b gets 3, 2, 1, 10 and 9 interleaved with a's.
    let order = [
        (0, 1, Availability::Available),
        (1, 3, Availability::Busy),
        (0, 3, Availability::Busy),
        (1, 2, Availability::Away),
        (0, 2, Availability::Away),
        (1, 10, Availability::DoNotDisturb),
        (0, 9, Availability::Available),
        (1, 1, Availability::Available),
    ];
    for (instance, sequence, availability) in order {
        mirrors[instance]
            .handle(update(sequence, availability))
            .await;
    }
    for mirror in &mirrors {
        eventually("the newest everywhere", || {
            mirror.store().get("u1").and_then(|u| u.sequence_number) == Some("10".into())
        })
        .await;
        let held = mirror.store().get("u1").and_then(|u| u.presence);
        assert_eq!(
            held.and_then(|p| p.availability.as_option().cloned()),
            Some(Availability::DoNotDisturb)
        );
    }
    // A user no longer followed leaves every instance's store.
    let report = mirrors[0].remove(["u1"]).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    for mirror in &mirrors {
        eventually("forgotten everywhere", || {
            mirror.store().get("u1").is_none()
        })
        .await;
    }
}
