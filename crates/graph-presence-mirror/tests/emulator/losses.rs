//! Every way the mirror can lose a change, produced by the emulator and reaching the mirror
//! through its real webhook: nothing here makes an event by hand or throws one away.

use crate::support::{
    App, MINUTE, PATIENCE, admin, all_users, availability, emulator, identities,
    registry_directory, settings,
};
use graph_presence_emulator::{
    ALL_SCOPES, APP_ID, BatchKind, DropReason, Emulator, Outcome, TENANT_ID, TokenRequest,
};
use graph_presence_mirror::{Action, Identity, Mirror, MirrorError, Report};
use graph_presence_models::{Availability, LifecycleEventType};
use graph_presence_notifications::Event;
use reqwest::Method;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Hands the mirror every event until a lifecycle notification of `expected` has come, and
/// gives the report of that one.
async fn handle_until_lifecycle(
    app: &mut App,
    mirror: &mut Mirror,
    expected: LifecycleEventType,
) -> Report {
    loop {
        let event = app.next_event().await;
        let this_one = matches!(
            &event,
            Event::Lifecycle(n) if n.lifecycle_event.as_option() == Some(&expected)
        );
        let report = mirror.handle(event).await;
        if this_one {
            return report;
        }
    }
}

/// Waits until the emulator has recorded a batch of `kind` that `matches`.
async fn wait_for_outcome(emulator: &Emulator, kind: BatchKind, matches: fn(&Outcome) -> bool) {
    tokio::time::timeout(
        PATIENCE,
        emulator.wait_for_deliveries(|records| {
            records
                .iter()
                .any(|r| r.kind == kind && matches(&r.outcome))
        }),
    )
    .await
    .expect("the emulator recorded it in time");
}

#[tokio::test]
async fn subscription_removed_by_graph_reaches_the_webhook_and_the_subscription_is_recreated() {
    let emulator = emulator(300).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("removed-notice");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let removed = mirror.subscriptions()["watcher-00"].clone().expect("held");

    // Graph removes it and says so; a change made after it reaches nobody.
    let path = format!("/subscriptions/{removed}?lifecycleEvent=subscriptionRemoved");
    assert_eq!(admin(&emulator, Method::DELETE, &path).await, 204);
    emulator.teams(&users[7]).expect("a user").start_call();

    let report = handle_until_lifecycle(
        &mut app,
        &mut mirror,
        LifecycleEventType::SubscriptionRemoved,
    )
    .await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.count(Action::Recreated), 1, "{report:?}");
    assert_eq!(report.users_read, users.len());
    assert_eq!(emulator.subscription_count(), 1);
    assert_ne!(
        mirror.subscriptions()["watcher-00"].as_deref(),
        Some(&*removed)
    );
    assert_eq!(availability(&mirror, &users[7]), Some(Availability::Busy));
}

#[tokio::test]
async fn missed_from_the_emulator_makes_the_subscription_s_users_read() {
    let emulator = emulator(300).await;
    let mut app = App::serve(4096).await;
    let dir = registry_directory("missed");
    let (mut mirror, _) = Mirror::start(identities(&emulator, 1), settings(&app, &dir))
        .await
        .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let held = mirror.subscriptions()["watcher-00"].clone().expect("held");

    // The endpoint refuses the change's delivery (its retry waits on the manual clock)...
    app.refuse_deliveries(true);
    emulator.teams(&users[8]).expect("a user").start_call();
    wait_for_outcome(&emulator, BatchKind::Changes, |o| {
        matches!(o, Outcome::Failed(_))
    })
    .await;
    app.refuse_deliveries(false);

    // ...and Graph says notifications were missed: every user of the subscription is read.
    let path = format!("/subscriptions/{held}/missed");
    assert_eq!(admin(&emulator, Method::POST, &path).await, 202);
    let report = handle_until_lifecycle(&mut app, &mut mirror, LifecycleEventType::Missed).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.users_read, users.len());
    assert_eq!(availability(&mirror, &users[8]), Some(Availability::Busy));
    assert_eq!(
        mirror.subscriptions()["watcher-00"].as_deref(),
        Some(&*held),
        "missed keeps the subscription"
    );
}

#[tokio::test]
async fn changes_whose_deliveries_the_emulator_lost_are_found_by_the_scheduled_reconciliation() {
    let emulator = emulator(1_000).await;
    let app = App::serve(4096).await;
    let dir = registry_directory("reconcile");
    // Past Graph's 4-hour retry window before the first reconciliation; one call of 650 users
    // a batch, so it takes two batches spread over the interval.
    let interval = 6 * 60 * MINUTE;
    let (mut mirror, _) = Mirror::start(
        identities(&emulator, 2),
        settings(&app, &dir).reconcile(interval, 1),
    )
    .await
    .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");

    app.refuse_deliveries(true);
    let changed: Vec<String> = users.iter().step_by(97).cloned().collect();
    for user in &changed {
        emulator.teams(user).expect("a user").start_call();
    }
    // Four hours and more pass, ten minutes at a time: the subscriptions are renewed, and every
    // retry of the changes is refused until Graph gives up on them.
    let mut read = Vec::new();
    let mut step = 0;
    while !emulator.deliveries().iter().any(|r| {
        r.kind == BatchKind::Changes && r.outcome == Outcome::Dropped(DropReason::RetriesExhausted)
    }) {
        assert!(step < 36, "the emulator gives up within its retry window");
        emulator.advance(10 * MINUTE);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let report = mirror.tick().await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        assert_eq!(report.count(Action::Recreated), 0, "{report:?}");
        read.push(report.users_read);
        step += 1;
    }
    app.refuse_deliveries(false);
    assert!(read.iter().all(|n| *n == 0), "nothing read yet: {read:?}");
    assert!(
        changed
            .iter()
            .all(|u| availability(&mirror, u) == Some(Availability::Offline)),
        "the changes were lost"
    );

    // The reconciliation comes: two batches, half the interval apart, find every change.
    let mut batches = Vec::new();
    while batches.len() < 2 {
        emulator.advance(10 * MINUTE);
        let report = mirror.tick().await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        if report.users_read > 0 {
            batches.push(report.users_read);
        }
    }
    assert_eq!(batches, [650, 350]);
    for user in &changed {
        assert_eq!(
            availability(&mirror, user),
            Some(Availability::Busy),
            "{user}"
        );
    }
}

/// A delegated token for the first request (the mirror's check at start), app-only ones after:
/// an account whose sign-in was swapped for the app's own credentials.
struct TurnsAppOnly {
    delegated: String,
    app_only: String,
    asked: AtomicUsize,
}

impl graph_presence_client::TokenProvider for TurnsAppOnly {
    fn token<'a>(&'a self, _scope: &'a str) -> graph_presence_client::TokenFuture<'a> {
        let token = if self.asked.fetch_add(1, Ordering::SeqCst) == 0 {
            &self.delegated
        } else {
            &self.app_only
        };
        let token = graph_presence_client::AccessToken::new(token.clone());
        Box::pin(async move { Ok(token) })
    }
}

#[tokio::test]
async fn graph_s_403_for_an_app_only_token_is_reported_as_one() {
    let emulator = emulator(10).await;
    let app = App::serve(16).await;
    let dir = registry_directory("app-only-403");
    let first = emulator.users()[0].id.clone();
    let tokens = TurnsAppOnly {
        delegated: emulator
            .token(&TokenRequest::delegated(TENANT_ID, APP_ID, &first).scopes(ALL_SCOPES)),
        app_only: emulator.app_token(&["Presence.Read.All"]),
        asked: AtomicUsize::new(0),
    };
    let client = graph_presence_client::Client::builder(tokens)
        .base_url(emulator.graph_url())
        .clock(emulator.clock().clone())
        .build_unchecked();
    let (mut mirror, _) =
        Mirror::start(vec![Identity::new("turned", client)], settings(&app, &dir))
            .await
            .expect("the start's check saw a delegated token");

    let report = mirror.add(all_users(&emulator)).await.expect("fits");
    assert!(
        report
            .failures
            .iter()
            .any(|e| matches!(e, MirrorError::AppOnlyToken { identity } if identity == "turned")),
        "{:?}",
        report.failures
    );
    assert_eq!(emulator.subscription_count(), 0);
}

#[tokio::test]
async fn a_subscription_that_delivers_nothing_while_its_users_change_is_reported_and_recreated() {
    let emulator = emulator(700).await;
    let app = App::serve(4096).await;
    let dir = registry_directory("quiet");
    // One batch a pass (two calls of 650 cover everyone), passes six hours apart.
    let interval = 6 * 60 * MINUTE;
    let (mut mirror, _) = Mirror::start(
        identities(&emulator, 2),
        settings(&app, &dir).reconcile(interval, 2),
    )
    .await
    .expect("started");
    let users = all_users(&emulator);
    mirror.add(&users).await.expect("fits");
    let before = mirror.subscriptions();

    // The first pass: nothing to judge yet (it is where the subscriptions are first seen).
    let first = tick_until_read(&emulator, &mut mirror).await;
    assert!(first.quiet.is_empty(), "{first:?}");

    // Users change, and every delivery of it fails until Graph gives up: from the mirror's
    // side, its subscriptions say nothing while their users change.
    app.refuse_deliveries(true);
    let changed: Vec<String> = users.iter().step_by(50).cloned().collect();
    for user in &changed {
        emulator.teams(user).expect("a user").start_call();
    }
    let mut step = 0;
    while !emulator.deliveries().iter().any(|r| {
        r.kind == BatchKind::Changes && r.outcome == Outcome::Dropped(DropReason::RetriesExhausted)
    }) {
        assert!(step < 36, "the emulator gives up within its retry window");
        emulator.advance(10 * MINUTE);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let report = mirror.tick().await;
        assert!(
            report.quiet.is_empty(),
            "not before the next pass: {report:?}"
        );
        step += 1;
    }
    app.refuse_deliveries(false);

    // The second pass finds the changes no notification told of: the quiet subscriptions
    // are reported and made again (the handshake answered now), and the changes are in.
    let second = tick_until_read(&emulator, &mut mirror).await;
    assert!(!second.quiet.is_empty(), "{second:?}");
    assert_eq!(
        second.count(Action::Recreated),
        second.quiet.len(),
        "{second:?}"
    );
    let after = mirror.subscriptions();
    for identity in &second.quiet {
        assert_ne!(
            before.get(identity),
            after.get(identity),
            "{identity}: a new subscription"
        );
    }
    assert_eq!(emulator.subscription_count(), 2, "one per identity, still");
    for user in &changed {
        assert_eq!(
            availability(&mirror, user),
            Some(Availability::Busy),
            "{user}"
        );
    }
}

/// Moves the emulator's clock ten minutes at a time, ticking the mirror, until a tick reads
/// users (a reconciliation batch); that tick's report.
async fn tick_until_read(emulator: &Emulator, mirror: &mut Mirror) -> Report {
    for _ in 0..80 {
        emulator.advance(10 * MINUTE);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let report = mirror.tick().await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        if report.users_read > 0 {
            return report;
        }
    }
    panic!("no reconciliation within 80 ticks");
}
