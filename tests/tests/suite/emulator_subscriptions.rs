//! Following presence end to end (RULES.md §1 and §2): the client's subscription helper creates
//! and renews against the emulator, the emulator validates our webhook and delivers to it, and
//! the notifications crate's `Webhook` (served by axum on 127.0.0.1) decrypts what comes. The
//! emulated clock is advanced by hand, so an hour passes at once.

use crate::emulator_support::{
    App, CLIENT_STATE, certificate, failing_endpoint, first_user, graph_error, receiver,
    verifying_receiver,
};
use graph_presence_client::{Error, SubscriptionAction, SubscriptionError};
use graph_presence_emulator::{Directory, Emulator, Outcome};
use graph_presence_models::{Activity, Availability, LifecycleEventType};
use graph_presence_notifications::Event;
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// Graph's answer to a second presence subscription of one user for one app (RULES.md §1),
/// typos included.
const CONFLICT_MESSAGE: &str = "Operation: Create; Exception:[Status Code: Conflict; Reason: A subscripton already exists. It must be deleted before a another can be made.]";

fn ids_of(emulator: &Emulator, range: std::ops::Range<usize>) -> Vec<String> {
    emulator.users()[range]
        .iter()
        .map(|u| u.id.clone())
        .collect()
}

/// Moves the clock past every subscription's expiry and waits until the emulator's ticker has
/// removed them, as Graph removes subscriptions that were not renewed.
async fn expire_all(emulator: &Emulator) {
    emulator.advance(61 * MINUTE);
    for _ in 0..500 {
        if emulator.subscription_count() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("subscriptions left after their expiry");
}

#[tokio::test]
async fn a_change_arrives_as_a_rich_notification_our_receiver_decrypts_and_verifies() {
    let emulator = Emulator::start().await.expect("started");
    let mut app = App::serve(verifying_receiver(&emulator).await).await;
    let watched = ids_of(&emulator, 1..4);
    let certificate = certificate();
    let (subscriptions, report) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .lifecycle_notification_url(&app.lifecycle_url)
        .include_resource_data(
            certificate.certificate_base64(),
            &certificate.certificate_id,
        )
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.created.len(), 1);
    assert_eq!(emulator.subscription_count(), 1);
    let subscription_id = subscriptions.subscriptions()[0].id().to_owned();

    emulator.teams(&watched[1]).expect("a user").start_call();
    match app.next_event().await {
        Event::PresenceChanged {
            subscription_id: through,
            user_id,
            presence,
        } => {
            assert_eq!(through, subscription_id);
            assert_eq!(user_id, watched[1]);
            assert_eq!(
                (
                    presence.availability.as_option(),
                    presence.activity.as_option()
                ),
                (Some(&Availability::Busy), Some(&Activity::InACall))
            );
        }
        other => panic!("not a decrypted presence: {other:?}"),
    }
    emulator
        .wait_for_deliveries(|records| {
            records
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Delivered { .. }))
        })
        .await;

    // A user nobody follows changes: nothing is sent for them.
    emulator
        .teams(&first_user(&emulator))
        .expect("a user")
        .sign_in();
    emulator.teams(&watched[1]).expect("a user").end_call();
    match app.next_event().await {
        Event::PresenceChanged { user_id, .. } => assert_eq!(user_id, watched[1]),
        other => panic!("not a decrypted presence: {other:?}"),
    }
}

#[tokio::test]
async fn the_helper_renews_on_the_advanced_clock_and_the_subscription_outlives_its_first_hour() {
    let emulator = Emulator::start().await.expect("started");
    let mut app = App::serve(receiver()).await;
    let watched = ids_of(&emulator, 1..3);
    let (mut subscriptions, report) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    let first_expiry = subscriptions.subscriptions()[0].expires();
    assert_eq!(
        first_expiry,
        emulator.clock().now() + jiff::SignedDuration::from_mins(60),
        "an hour, the most Graph allows"
    );

    emulator.advance(49 * MINUTE);
    assert!(
        subscriptions.renew_due().await.renewed.is_empty(),
        "not due"
    );
    emulator.advance(MINUTE + Duration::from_secs(1));
    let report = subscriptions.renew_due().await;
    assert_eq!(report.renewed.len(), 1, "{report:?}");
    let renewed = subscriptions.subscriptions()[0].expires();
    assert!(renewed > first_expiry, "{renewed} after {first_expiry}");

    // Past the first expiry, Graph still has it, and it still delivers.
    emulator.advance(20 * MINUTE);
    assert_eq!(emulator.subscription_count(), 1);
    emulator.teams(&watched[0]).expect("a user").start_call();
    assert!(
        matches!(app.next_event().await, Event::ResourceChanged { user_id: Some(u), .. } if u == watched[0]),
        "a basic notification"
    );
}

/// Moved from wiremock (client_subscriptions.rs): a subscription Graph no longer has (here it
/// expired unrenewed, and the emulator removed it as Graph does) is answered 404 on renewal,
/// and the helper creates it again for the same ids.
#[tokio::test]
async fn a_subscription_graph_no_longer_has_is_created_again_when_renewed() {
    let emulator = Emulator::start().await.expect("started");
    let app = App::serve(receiver()).await;
    let watched = ids_of(&emulator, 1..4);
    let (mut subscriptions, _) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .create()
        .await;
    let old = subscriptions.subscriptions()[0].id().to_owned();
    expire_all(&emulator).await;

    let report = subscriptions.renew_due().await;
    assert!(report.renewed.is_empty());
    assert_eq!(report.recreated.len(), 1, "{report:?}");
    assert_eq!(report.recreated[0].previous_id, old);
    let tracked = &subscriptions.subscriptions()[0];
    assert_eq!(tracked.id(), report.recreated[0].subscription_id);
    assert_eq!(tracked.ids(), watched, "the same ids");
    assert_eq!(emulator.subscription_count(), 1);
}

#[tokio::test]
async fn delete_all_deletes_and_one_graph_no_longer_has_counts_as_deleted() {
    let emulator = Emulator::start().await.expect("started");
    let app = App::serve(receiver()).await;
    let watched = ids_of(&emulator, 1..3);
    let (mut subscriptions, _) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .create()
        .await;
    let id = subscriptions.subscriptions()[0].id().to_owned();
    let report = subscriptions.delete_all().await;
    assert_eq!(report.deleted, [id]);
    assert_eq!(emulator.subscription_count(), 0);
    assert_eq!(subscriptions.next_renewal(), None);

    // Gone already (expired unrenewed): Graph's 404 on the delete counts as deleted.
    let (mut subscriptions, _) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .create()
        .await;
    expire_all(&emulator).await;
    let report = subscriptions.delete_all().await;
    assert_eq!(report.deleted.len(), 1, "{report:?}");
    assert!(report.failures.is_empty());
    assert!(subscriptions.subscriptions().is_empty());
}

#[tokio::test]
async fn reauthorization_required_reaches_the_lifecycle_url_and_the_helper_reauthorizes() {
    let emulator = Emulator::start().await.expect("started");
    let mut app = App::serve(receiver()).await;
    let watched = ids_of(&emulator, 1..3);
    let (mut subscriptions, report) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .lifecycle_notification_url(&app.lifecycle_url)
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    let id = subscriptions.subscriptions()[0].id().to_owned();

    // The token it was made with expires in an hour; the notice comes before.
    emulator.advance(51 * MINUTE);
    let notification = match app.next_event().await {
        Event::Lifecycle(notification) => notification,
        other => panic!("not a lifecycle notification: {other:?}"),
    };
    assert_eq!(notification.subscription_id, id);
    assert_eq!(
        notification.lifecycle_event.as_option(),
        Some(&LifecycleEventType::ReauthorizationRequired)
    );
    let reaction = subscriptions
        .handle_lifecycle(&notification)
        .await
        .expect("acted on");
    assert_eq!(reaction.report.reauthorized, [id], "{reaction:?}");
    assert!(reaction.report.failures.is_empty());
    assert_eq!(emulator.subscription_count(), 1);
}

#[tokio::test]
async fn more_than_650_users_under_one_identity_get_graphs_409_on_the_second_create() {
    let emulator = Emulator::builder()
        .directory(Directory::synthetic(700))
        .start()
        .await
        .expect("started");
    let app = App::serve(receiver()).await;
    let watched = ids_of(&emulator, 0..700);
    let (subscriptions, report) = emulator
        .client()
        .presence_subscriptions(&watched, &app.notification_url, CLIENT_STATE)
        .concurrency(1)
        .create()
        .await;
    assert_eq!(report.created.len(), 1, "the first 650");
    assert_eq!(subscriptions.subscriptions()[0].ids().len(), 650);
    assert_eq!(report.failures.len(), 1, "{report:?}");
    let failure = &report.failures[0];
    assert_eq!(failure.action, SubscriptionAction::Create);
    assert_eq!(failure.ids, watched[650..], "the other 50 are not followed");
    assert_eq!(report.unsubscribed_ids().count(), 50);
    let SubscriptionError::Request(error) = &failure.error else {
        panic!("not a request error: {:?}", failure.error)
    };
    let error = graph_error(error);
    assert_eq!(error.status, 409);
    assert_eq!(error.code, "ExtensionError");
    assert_eq!(error.message, CONFLICT_MESSAGE);
    assert_eq!(emulator.subscription_count(), 1);
}

#[tokio::test]
async fn a_failing_validation_handshake_fails_the_create() {
    let emulator = Emulator::start().await.expect("started");
    let (url, _server) = failing_endpoint().await;
    let (subscriptions, report) = emulator
        .client()
        .presence_subscriptions(ids_of(&emulator, 1..2), &url, CLIENT_STATE)
        .create()
        .await;
    assert!(subscriptions.subscriptions().is_empty());
    assert_eq!(report.failures.len(), 1, "{report:?}");
    let SubscriptionError::Request(error) = &report.failures[0].error else {
        panic!("not a request error")
    };
    let error = graph_error(error);
    assert_eq!(error.status, 400);
    assert!(
        error
            .message
            .starts_with("Subscription validation request failed"),
        "{}",
        error.message
    );
    assert_eq!(emulator.subscription_count(), 0);
}

/// Moved from wiremock (client_cycle.rs): a presence subscription's whole life, each call
/// answered by the emulator as Graph answers it.
#[tokio::test]
async fn a_subscription_is_created_listed_read_renewed_reauthorized_and_deleted() {
    let emulator = Emulator::start().await.expect("started");
    let app = App::serve(receiver()).await;
    let client = emulator.client();
    let user = ids_of(&emulator, 1..2).remove(0);
    let resource = format!("communications/presences/{user}");
    let in_minutes = |minutes: i64| -> graph_presence_models::Timestamp {
        (emulator.clock().now() + jiff::SignedDuration::from_mins(minutes)).into()
    };
    let subscription = client
        .subscriptions()
        .post(graph_presence_models::required::Subscription {
            change_type: "updated".into(),
            expiration_date_time: in_minutes(30),
            notification_url: app.notification_url.clone(),
            resource: resource.clone(),
        })
        .client_state(CLIENT_STATE)
        .lifecycle_notification_url(&app.lifecycle_url)
        .send()
        .await
        .expect("created");
    let id = subscription.id.clone().expect("an id");
    assert_eq!(subscription.resource, resource);
    assert_eq!(subscription.change_type, "updated");
    assert_eq!(
        subscription.creator_id.as_option(),
        Some(&first_user(&emulator))
    );
    assert_eq!(
        subscription.application_id.as_option().map(String::as_str),
        Some(graph_presence_emulator::APP_ID)
    );
    assert!(subscription.encryption_certificate.is_null());

    let list = client.subscriptions().get().send().await.expect("listed");
    assert_eq!(list.value.as_deref().map(<[_]>::len), Some(1));
    let read = client
        .subscriptions()
        .by_id(&id)
        .get()
        .send()
        .await
        .expect("read");
    assert_eq!(read.id.as_deref(), Some(id.as_str()));

    let later = in_minutes(60);
    let renewal = client
        .subscriptions()
        .by_id(&id)
        .patch(later.clone())
        .send()
        .await
        .expect("renewed");
    assert_eq!(
        renewal.expiration_date_time.instant().expect("a time"),
        later.instant().expect("a time")
    );
    let too_late = client
        .subscriptions()
        .by_id(&id)
        .patch(in_minutes(61))
        .send()
        .await
        .expect_err("over an hour");
    assert_eq!(graph_error(&too_late).status, 400);

    client
        .subscriptions()
        .by_id(&id)
        .reauthorize()
        .send()
        .await
        .expect("reauthorized");
    client
        .subscriptions()
        .by_id(&id)
        .delete()
        .send()
        .await
        .expect("deleted");
    assert_eq!(emulator.subscription_count(), 0);
    let gone = client
        .subscriptions()
        .by_id(&id)
        .delete()
        .send()
        .await
        .expect_err("deleted already");
    assert!(
        matches!(&gone, Error::Api(e) if e.status == 404),
        "{gone:?}"
    );
}
