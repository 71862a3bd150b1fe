//! The Lua scripts' rules, against a real redis-server.

use super::*;
use crate::testing::RedisServer;
use graph_presence_models::{Availability, Presence};

fn redis() -> RedisServer {
    RedisServer::start().expect("redis-server starts (apt-get install redis-server)")
}

async fn store(redis: &RedisServer, instance: &str) -> RedisStore {
    RedisStore::connect(&redis.url())
        .await
        .expect("Redis answers")
        .instance(instance)
        .lease(Duration::from_millis(300))
}

fn update(availability: Availability, sequence: Option<&str>, read_sent_at: Option<u64>) -> Update {
    let mut presence = Presence::new("u").availability(availability);
    if let Some(sequence) = sequence {
        presence = presence.sequence_number(sequence);
    }
    Update {
        user: "u".into(),
        json: serde_json::to_string(&presence).expect("JSON"),
        sequence_number: sequence.map(str::to_owned),
        read_sent_at,
    }
}

fn applied(newer: bool, replaced: bool) -> Vec<Applied> {
    vec![Applied { newer, replaced }]
}

#[tokio::test]
async fn sequence_numbers_order_notifications_and_generations_order_reads() {
    let redis = redis();
    let store = store(&redis, "a").await;
    let now = jiff::Timestamp::UNIX_EPOCH;
    let apply = |u| {
        let store = store.clone();
        async move { store.apply(&[u], now).await.expect("applied") }
    };
    assert_eq!(
        apply(update(Availability::Busy, Some("10"), None)).await,
        applied(true, false)
    );
    // Older, and equal: refused. Numeric order, not text order ("9" < "10").
    assert_eq!(
        apply(update(Availability::Away, Some("9"), None)).await,
        applied(false, false)
    );
    assert_eq!(
        apply(update(Availability::Away, Some("010"), None)).await,
        applied(false, false)
    );
    // A read sent before the last update does not overwrite it; one sent after does, and
    // keeps the sequence number held.
    let before = store.generation().await.expect("generation") - 1;
    assert_eq!(
        apply(update(Availability::Offline, None, Some(before))).await,
        applied(false, false)
    );
    let after = store.generation().await.expect("generation");
    assert_eq!(
        apply(update(Availability::Away, None, Some(after))).await,
        applied(true, true)
    );
    assert_eq!(
        apply(update(Availability::Busy, Some("9"), None)).await,
        applied(false, false)
    );
    assert_eq!(
        apply(update(Availability::Busy, Some("11"), None)).await,
        applied(true, true)
    );
    // Non-numeric stamps compare as bytes.
    assert_eq!(
        apply(update(Availability::Away, Some("b"), None)).await,
        applied(true, true)
    );
    assert_eq!(
        apply(update(Availability::Busy, Some("a9"), None)).await,
        applied(false, false)
    );
}

#[tokio::test]
async fn a_lapsed_lease_holder_cannot_write_check_or_extend_with_its_old_token() {
    let redis = redis();
    let (a, b) = (store(&redis, "a").await, store(&redis, "b").await);
    let (token_a, taken) = a.lease_identity("id").await.expect("asked").expect("free");
    assert!(taken);
    assert_eq!(
        b.lease_identity("id").await.expect("asked"),
        None,
        "held by a"
    );
    assert_eq!(
        a.lease_identity("id").await.expect("asked"),
        Some((token_a, false))
    );
    // a pauses past its lease; b takes it with a larger token.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (token_b, taken) = b
        .lease_identity("id")
        .await
        .expect("asked")
        .expect("lapsed");
    assert!(taken && token_b > token_a);
    let record = SavedSubscription {
        id: "s".into(),
        users: BTreeSet::from(["u".to_owned()]),
        expires: jiff::Timestamp::UNIX_EPOCH,
    };
    for what in [
        Fenced::Write(Some(&record)),
        Fenced::Check,
        Fenced::Extend,
        Fenced::Release,
    ] {
        assert!(
            !a.fenced("id", token_a, what).await.expect("asked"),
            "a's stale token"
        );
    }
    assert!(
        b.fenced("id", token_b, Fenced::Write(Some(&record)))
            .await
            .expect("asked")
    );
    let (_, records) = b
        .load([&"id".to_owned()].into_iter())
        .await
        .expect("loaded");
    assert_eq!(records.get("id"), Some(&record));
    // Even b cannot act with a's token.
    assert!(!b.fenced("id", token_a, Fenced::Check).await.expect("asked"));
}

#[tokio::test]
async fn the_placement_is_replaced_only_from_the_version_read() {
    let redis = redis();
    let store = store(&redis, "a").await;
    let placement = BTreeMap::from([("id".to_owned(), BTreeSet::from(["u".to_owned()]))]);
    assert_eq!(
        store
            .write_placement(0, "e", "https://hook", &placement)
            .await
            .expect("written"),
        Some(1)
    );
    // Two instances read version 1; the second write is refused.
    assert_eq!(
        store
            .write_placement(1, "e", "https://hook", &placement)
            .await
            .expect("written"),
        Some(2)
    );
    assert_eq!(
        store
            .write_placement(1, "e", "https://hook", &BTreeMap::new())
            .await
            .expect("asked"),
        None
    );
    let (held, _) = store.load(std::iter::empty()).await.expect("loaded");
    assert_eq!((held.version, held.identities), (2, placement));
}
