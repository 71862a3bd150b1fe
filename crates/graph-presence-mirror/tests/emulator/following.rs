//! Following many users over a pool of identities: placement, refusals, 409s, removed
//! subscriptions, lost notifications, the rate limit.

use crate::support::{
    App, CLIENT_STATE, MINUTE, PATIENCE, all_users, availability, emulator, identities,
    registry_directory, settings, throttled,
};
use graph_presence_client::RateLimit;
use graph_presence_emulator::{APP_ID, Limit, TENANT_ID, ThrottleSettings, TokenRequest};
use graph_presence_mirror::{Action, Identity, Mirror, MirrorError};
use graph_presence_models::Availability;
use std::time::{Duration, Instant};

/// Every one of `step`-th user starts a call; the mirror must see them all Busy.
async fn follow(users: usize, pool: usize, step: usize) {
    let started = Instant::now();
    let emulator = emulator(users).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory(&format!("follow-{users}"));
    let (mut mirror, _) = Mirror::start(identities(&emulator, pool), settings(&app, &dir))
        .await
        .expect("started");
    let everyone = all_users(&emulator);
    let report = mirror.add(&everyone).await.expect("fits");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Created), pool);
    assert_eq!(emulator.subscription_count(), pool);
    assert_eq!(
        report.users_read, users,
        "each new subscription's users are read"
    );
    assert_eq!(mirror.store().snapshot().len(), users);

    let changed: Vec<String> = everyone.iter().step_by(step).cloned().collect();
    for user in &changed {
        emulator.teams(user).expect("a user").start_call();
    }
    app.pump_until_notified(&mut mirror, &changed).await;
    for user in &changed {
        assert_eq!(
            availability(&mirror, user),
            Some(Availability::Busy),
            "{user}"
        );
    }
    assert_eq!(
        availability(&mirror, &everyone[1]),
        Some(Availability::Offline),
        "a user who did nothing"
    );
    eprintln!(
        "{users} users over {pool} identities, {} changes: {:?}",
        changed.len(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_users_over_four_identities_and_every_change_reaches_the_mirror() {
    follow(2_000, 4, 37).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_users_over_sixteen_identities_and_every_change_reaches_the_mirror() {
    follow(10_000, 16, 211).await;
}

#[tokio::test]
async fn too_few_identities_are_refused_with_the_count_before_anything_is_sent() {
    let emulator = emulator(2_000).await;
    let app = App::serve(16).await;
    let dir = registry_directory("too-few");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 2), settings(&app, &dir))
        .await
        .expect("started");
    let error = mirror
        .add(all_users(&emulator))
        .await
        .expect_err("too many");
    match &error {
        MirrorError::NotEnoughIdentities { missing, have, .. } => {
            assert_eq!((*missing, *have), (2, 2));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("2 more identities"), "{error}");
    assert_eq!(emulator.subscription_count(), 0);
    assert!(mirror.users().is_empty());
}

#[tokio::test]
async fn an_application_token_is_refused_before_anything_is_sent() {
    let emulator = emulator(10).await;
    let app = App::serve(16).await;
    let dir = registry_directory("app-token");
    let client =
        emulator.client_as(TokenRequest::app_only(TENANT_ID, APP_ID).roles(["Presence.Read.All"]));
    let error = Mirror::start(vec![Identity::new("daemon", client)], settings(&app, &dir))
        .await
        .expect_err("app-only");
    assert!(
        matches!(&error, MirrorError::AppOnlyToken { identity } if identity == "daemon"),
        "{error:?}"
    );
    assert!(error.to_string().contains("delegated"), "{error}");
    assert_eq!(emulator.subscription_count(), 0);
}

#[tokio::test]
async fn a_subscription_the_identity_holds_already_is_adopted_when_ours_and_replaced_when_not() {
    let emulator = emulator(100).await;
    let app = App::serve(256).await;
    let users = all_users(&emulator);
    let pool = identities(&emulator, 1);

    // Ours (a crash after the create, before the registry was written): adopted.
    let (held, report) = pool[0]
        .client()
        .presence_subscriptions(&users, &app.url, CLIENT_STATE)
        .lifecycle_notification_url(&app.url)
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    let ours = held.subscriptions()[0].id().to_owned();
    let dir = registry_directory("adopt");
    let (mut mirror, _) = Mirror::start(pool.clone(), settings(&app, &dir))
        .await
        .expect("started");
    let report = mirror.add(&users).await.expect("fits");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Adopted), 1, "{report:?}");
    assert_eq!(
        mirror.subscriptions()["watcher-00"].as_deref(),
        Some(&*ours)
    );
    assert_eq!(emulator.subscription_count(), 1);
    assert_eq!(
        report.users_read,
        users.len(),
        "an adopted subscription's users are read"
    );
    drop(mirror);

    // Another program's (another URL) under the same identity: deleted, ours created.
    let other = App::serve(16).await;
    pool[0]
        .client()
        .subscriptions()
        .by_id(ours.as_str())
        .delete()
        .send()
        .await
        .expect("deleted");
    let (theirs, _) = pool[0]
        .client()
        .presence_subscriptions(&users, &other.url, "their state")
        .create()
        .await;
    let theirs = theirs.subscriptions()[0].id().to_owned();
    let dir = registry_directory("replace");
    let (mut mirror, _) = Mirror::start(pool, settings(&app, &dir))
        .await
        .expect("started");
    let report = mirror.add(&users).await.expect("fits");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Recreated), 1, "{report:?}");
    let now_held = mirror.subscriptions()["watcher-00"].clone().expect("one");
    assert_ne!(now_held, theirs);
    assert_eq!(emulator.subscription_count(), 1);
}

#[tokio::test]
async fn a_removed_subscription_is_created_again_and_its_users_read() {
    let emulator = emulator(1_000).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("removed");
    let pool = identities(&emulator, 2);
    let (mut mirror, _) = Mirror::start(pool.clone(), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let gone = mirror.subscriptions()["watcher-00"].clone().expect("held");
    pool[0]
        .client()
        .subscriptions()
        .by_id(gone.as_str())
        .delete()
        .send()
        .await
        .expect("deleted as that identity");

    // A change nobody is told of: watcher-00's subscription is gone. Watcher-01's user
    // changes too, and is notified.
    let unwatched = users
        .iter()
        .find(|u| !mirror_holds(&mirror, "watcher-01", u))
        .cloned()
        .expect("a user of watcher-00");
    emulator.teams(&unwatched).expect("a user").start_call();
    let watched = users
        .iter()
        .find(|u| mirror_holds(&mirror, "watcher-01", u))
        .cloned()
        .expect("a user of watcher-01");
    emulator.teams(&watched).expect("a user").start_call();
    app.pump_until_notified(&mut mirror, std::slice::from_ref(&watched))
        .await;
    assert_ne!(availability(&mirror, &unwatched), Some(Availability::Busy));

    // At its renewal Graph answers 404: it is created again and its users read.
    emulator.advance(51 * MINUTE);
    let report = mirror.tick().await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Recreated), 1, "{report:?}");
    assert_eq!(
        report.count(Action::Renewed),
        1,
        "the other identity's, renewed"
    );
    assert_ne!(
        mirror.subscriptions()["watcher-00"].as_deref(),
        Some(&*gone)
    );
    assert_eq!(emulator.subscription_count(), 2);
    assert_eq!(availability(&mirror, &unwatched), Some(Availability::Busy));
}

/// Whether `identity`'s subscription names `user`, as the emulator sees it (by notifications
/// it would deliver): here, by the mirror's own placement, which the registry file shows.
fn mirror_holds(mirror: &Mirror, identity: &str, user: &str) -> bool {
    let text = std::fs::read_to_string(mirror.registry_path()).expect("the registry");
    let saved: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    saved["identities"][identity]["users"]
        .as_array()
        .is_some_and(|users| users.iter().any(|u| u == user))
}

#[tokio::test]
async fn events_the_webhook_dropped_make_every_user_read() {
    let emulator = emulator(100).await;
    let app = App::serve(1).await;
    let dir = registry_directory("dropped");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let changed: Vec<String> = users.iter().skip(10).take(5).cloned().collect();
    for user in &changed {
        emulator.teams(user).expect("a user").start_call();
    }
    // Nobody reads the channel of one: all but the first event are dropped.
    let waited = Instant::now();
    while app.webhook.dropped_events() < 4 {
        assert!(waited.elapsed() < PATIENCE, "events dropped in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let report = mirror
        .observe_dropped_events(app.webhook.dropped_events())
        .await;
    assert_eq!(report.users_read, users.len());
    for user in &changed {
        assert_eq!(
            availability(&mirror, user),
            Some(Availability::Busy),
            "{user}"
        );
    }
    let again = mirror
        .observe_dropped_events(app.webhook.dropped_events())
        .await;
    assert_eq!(again.users_read, 0, "only a moving count triggers a read");
}

#[tokio::test]
async fn adding_and_removing_users_changes_only_the_subscriptions_concerned() {
    let emulator = emulator(1_400).await;
    let app = App::serve(4096).await;
    let dir = registry_directory("add-remove");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 3), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    let report = mirror.add(&users[..1_300]).await.expect("fits");
    assert_eq!(report.count(Action::Created), 2, "two full identities");
    let before = mirror.subscriptions();

    let report = mirror.add(&users[1_300..1_310]).await.expect("fits");
    assert_eq!(report.actions.len(), 1, "{report:?}");
    assert_eq!(report.count(Action::Created), 1);
    assert_eq!(emulator.subscription_count(), 3);
    let after = mirror.subscriptions();
    assert_eq!(
        before
            .iter()
            .filter(|(name, id)| after[*name] == **id)
            .count(),
        2,
        "the full identities' subscriptions are untouched"
    );

    let report = mirror.remove(&users[1_300..1_305]).await;
    assert_eq!(report.actions.len(), 1, "{report:?}");
    assert_eq!(report.count(Action::Recreated), 1);
    assert_eq!(mirror.users().len(), 1_305);
    assert!(mirror.store().get(&users[1_300]).is_none());
    assert_eq!(emulator.subscription_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_run_stays_under_the_rate_limit_and_is_never_throttled() {
    let emulator = emulator(1_300).await;
    // Graph's limit, scaled down so that the run reaches it: 40 presence requests per 30 s.
    emulator.set_throttle(ThrottleSettings {
        presence: Some(Limit {
            requests: 40,
            window: Duration::from_secs(30),
        }),
        ..ThrottleSettings::PRESENCE_PAGES
    });
    let mut app = App::serve(4096).await;
    let dir = registry_directory("steady");
    let settings = settings(&app, &dir).rate_limit(RateLimit::new(30, Duration::from_secs(30)));
    let (mut mirror, _) = Mirror::start(identities(&emulator, 2), settings)
        .await
        .expect("started");
    // The clock runs on its own, a second every 2 ms, for the mirror's waits on its limit.
    let clock = emulator.clock().clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            clock.advance(Duration::from_secs(1));
        }
    });
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    for round in 0..15 {
        let changed = [users[round * 7].clone(), users[650 + round * 7].clone()];
        for user in &changed {
            emulator.teams(user).expect("a user").start_call();
        }
        app.pump_until_notified(&mut mirror, &changed).await;
        mirror.reconcile_now();
        let report = mirror.tick().await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
    }
    ticker.abort();
    let summary = crate::support::summary(&emulator).await;
    let reads = summary["counters"]["requests"]["communications_getPresencesByUserId"]
        .as_u64()
        .unwrap_or(0);
    assert!(reads > 40, "more reads ({reads}) than one window admits");
    assert_eq!(
        throttled(&emulator).await,
        0,
        "no request answered 429: {summary}"
    );
}

#[tokio::test]
async fn an_identity_that_fails_does_not_stop_the_others_and_is_tried_again_later() {
    let emulator = emulator(700).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("isolation");
    let users = all_users(&emulator);
    // watcher-00 signed in without a presence scope: Graph answers its create 403.
    let mut pool = identities(&emulator, 2);
    pool[0] = Identity::new(
        "watcher-00",
        emulator
            .client_as(TokenRequest::delegated(TENANT_ID, APP_ID, &users[0]).scopes(["User.Read"])),
    );
    let (mut mirror, _) = Mirror::start(pool, settings(&app, &dir))
        .await
        .expect("started");
    let report = mirror.add(&users).await.expect("fits");
    assert_eq!(report.count(Action::Created), 1, "{report:?}");
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert!(
        report.failures[0].to_string().contains("watcher-00"),
        "{}",
        report.failures[0]
    );
    assert_eq!(emulator.subscription_count(), 1);

    // watcher-01's users are followed all the same.
    let theirs = users
        .iter()
        .find(|u| mirror.store().get(u).is_some())
        .cloned()
        .expect("a user read through watcher-01");
    emulator.teams(&theirs).expect("a user").start_call();
    app.pump_until_notified(&mut mirror, std::slice::from_ref(&theirs))
        .await;
    assert_eq!(availability(&mirror, &theirs), Some(Availability::Busy));

    // A minute later the failed create is tried again (and fails again), nothing else.
    assert!(mirror.tick().await.actions.is_empty());
    emulator.advance(MINUTE + Duration::from_secs(1));
    let report = mirror.tick().await;
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert!(report.actions.is_empty(), "{report:?}");
}
