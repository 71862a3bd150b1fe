//! `reauthorizationRequired`, rich notifications, and the mirror running on its own
//! (`subscriptionRemoved` and `missed` are with the other losses, in `losses.rs`).

use crate::support::{
    App, CLIENT_STATE, MINUTE, PATIENCE, all_users, availability, emulator, identities,
    registry_directory, settings,
};
use graph_presence_mirror::{Action, Mirror};
use graph_presence_models::Availability;
use graph_presence_notifications::Event;
use std::time::{Duration, Instant};

#[tokio::test]
async fn reauthorization_required_from_the_emulator_reauthorizes() {
    let emulator = emulator(300).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("lifecycle");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");

    // reauthorizationRequired, from the emulator ten minutes before the expiry.
    emulator.advance(50 * MINUTE + Duration::from_secs(1));
    loop {
        let event = app.next_event().await;
        let is_lifecycle = matches!(event, Event::Lifecycle(_));
        let report = mirror.handle(event).await;
        if is_lifecycle {
            assert!(report.failures.is_empty(), "{:?}", report.failures);
            assert_eq!(report.count(Action::Reauthorized), 1, "{report:?}");
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_reads_basic_notifications_after_the_window_and_renews_on_the_clock() {
    let emulator = emulator(700).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("run");
    // No reconciliation in these two hours: only renewals are due.
    let settings = settings(&app, &dir).reconcile(3 * 60 * MINUTE, 1);
    let (mut mirror, _) = Mirror::start(identities(&emulator, 2), settings)
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let before = mirror.subscriptions();
    let registry = mirror.registry_path().to_owned();
    let store = mirror.store().clone();
    let mut events = std::mem::replace(&mut app.events, tokio::sync::mpsc::channel(1).1);
    let webhook = app.webhook.clone();
    let running = tokio::spawn(async move {
        mirror.run(&mut events, || webhook.dropped_events()).await;
    });

    let mut changes = store.changes();
    emulator.teams(&users[100]).expect("a user").start_call();
    emulator.teams(&users[690]).expect("a user").start_call();
    // The coalescing window (2 s) passes on the emulated clock, in steps.
    let waited = Instant::now();
    while [100, 690].iter().any(|i| {
        store
            .get(&users[*i])
            .and_then(|u| u.presence)
            .and_then(|p| p.availability.as_option().cloned())
            != Some(Availability::Busy)
    }) {
        assert!(waited.elapsed() < PATIENCE, "read in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
        emulator.advance(Duration::from_secs(1));
    }
    let change = changes.try_recv().expect("a change broadcast");
    assert!([&users[100], &users[690]].contains(&&change.user_id));

    // Two hours pass, a minute at a time: both subscriptions are renewed as they fall due, so
    // the same two are still there (the registry, saved after each tick, names them).
    for _ in 0..120 {
        emulator.advance(MINUTE);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    running.abort();
    assert_eq!(emulator.subscription_count(), 2);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(registry).expect("saved")).expect("JSON");
    for (name, id) in before {
        assert_eq!(
            saved["identities"][&name]["subscription"]["id"].as_str(),
            id.as_deref(),
            "{name}'s subscription renewed, not recreated"
        );
    }
}

#[tokio::test]
async fn rich_notifications_reach_the_store_in_sequence_without_a_read() {
    use graph_presence_emulator::testing::TestCertificate;
    use graph_presence_mirror::Source;
    use graph_presence_notifications::{DecryptionKey, DecryptionKeys, Receiver};

    let certificate = TestCertificate::generate();
    let key = DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
        .expect("the test key")
        .certificate_der(&certificate.certificate_der);
    let receiver = Receiver::new(CLIENT_STATE)
        .decryption_keys(DecryptionKeys::new().key(certificate.certificate_id.clone(), key));
    let emulator = emulator(50).await;
    let mut app = App::serve_with(receiver, 256).await;
    let dir = registry_directory("rich");
    let settings = settings(&app, &dir).include_resource_data(
        certificate.certificate_base64(),
        &certificate.certificate_id,
    );
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings)
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let held = mirror.store().get(&users[3]).expect("read once");
    let mut changes = mirror.store().changes();

    emulator.teams(&users[3]).expect("a user").start_call();
    let event = app.next_event().await;
    assert!(matches!(event, Event::PresenceChanged { .. }), "{event:?}");
    let report = mirror.handle(event).await;
    assert_eq!(
        report.users_read, 0,
        "the presence came with the notification"
    );
    let change = changes.try_recv().expect("a change");
    assert_eq!(
        (change.user_id.as_str(), change.source),
        (users[3].as_str(), Source::Notification)
    );
    let now = mirror.store().get(&users[3]).expect("held");
    assert_eq!(availability(&mirror, &users[3]), Some(Availability::Busy));
    let (before, after) = (
        held.sequence_number.expect("reads carry one here"),
        now.sequence_number.expect("notifications carry one"),
    );
    assert_eq!(
        graph_presence_notifications::compare_sequence_numbers(&after, &before),
        std::cmp::Ordering::Greater
    );
}
