//! Restarts: the registry brings the subscriptions back without creating more.

use crate::support::{
    App, MINUTE, all_users, availability, emulator, identities, registry_directory, settings,
};
use graph_presence_mirror::{Action, Mirror, MirrorError, Shutdown};
use graph_presence_models::Availability;
use std::time::Duration;

#[tokio::test]
async fn a_second_start_from_the_registry_creates_no_subscription_and_reads_everyone() {
    let emulator = emulator(1_000).await;
    let app = App::serve(4096).await;
    let dir = registry_directory("restart");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 2), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let before = mirror.subscriptions();
    mirror.shutdown(Shutdown::Keep).await;

    // While it is down a user changes; the notification reaches nobody.
    emulator.teams(&users[500]).expect("a user").start_call();
    emulator.advance(5 * MINUTE);

    let (mut mirror, report) = Mirror::start(identities(&emulator, 2), settings(&app, &dir))
        .await
        .expect("resumed");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Created), 0, "{report:?}");
    assert_eq!(report.count(Action::Renewed), 2, "{report:?}");
    assert_eq!(mirror.subscriptions(), before);
    assert_eq!(emulator.subscription_count(), 2);
    assert_eq!(report.users_read, users.len(), "every user read once");
    assert_eq!(availability(&mirror, &users[500]), Some(Availability::Busy));
    let again = mirror.add(&users).await.expect("fits");
    assert!(again.actions.is_empty(), "already followed: {again:?}");
}

#[tokio::test]
async fn a_start_after_the_subscriptions_lapsed_creates_them_again() {
    let emulator = emulator(700).await;
    let app = App::serve(4096).await;
    let dir = registry_directory("lapsed");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 2), settings(&app, &dir))
        .await
        .expect("started");
    mirror.add(all_users(&emulator)).await.expect("fits");
    drop(mirror); // a crash: nothing but the registry is left
    emulator.advance(61 * MINUTE);
    let waited = std::time::Instant::now();
    while emulator.subscription_count() > 0 {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "expired in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let (mirror, report) = Mirror::start(identities(&emulator, 2), settings(&app, &dir))
        .await
        .expect("resumed");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Recreated), 2, "{report:?}");
    assert_eq!(report.users_read, 700, "every user read once, not twice");
    assert_eq!(emulator.subscription_count(), 2);
    assert_eq!(mirror.users().len(), 700);
}

#[tokio::test]
async fn a_corrupt_registry_is_an_error_at_start_not_a_panic() {
    let emulator = emulator(10).await;
    let app = App::serve(16).await;
    let dir = registry_directory("corrupt");
    std::fs::create_dir_all(&dir).expect("a directory");
    std::fs::write(
        dir.join("presence-mirror.json"),
        b"{\"version\":1,\"identit",
    )
    .expect("written");
    let error = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect_err("corrupt");
    assert!(
        matches!(error, MirrorError::RegistryCorrupt { .. }),
        "{error:?}"
    );
    assert_eq!(emulator.subscription_count(), 0);
}

#[tokio::test]
async fn shutdown_delete_removes_the_subscriptions_and_a_later_start_subscribes_again() {
    let emulator = emulator(100).await;
    let app = App::serve(256).await;
    let dir = registry_directory("delete");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("started");
    mirror.add(all_users(&emulator)).await.expect("fits");
    let report = mirror.shutdown(Shutdown::Delete).await;
    assert_eq!(report.count(Action::Deleted), 1);
    assert_eq!(emulator.subscription_count(), 0);

    let (mirror, report) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("resumed");
    assert_eq!(report.count(Action::Created), 1, "{report:?}");
    assert_eq!(mirror.users().len(), 100);
}
