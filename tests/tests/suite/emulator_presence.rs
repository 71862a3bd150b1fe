//! Reading and setting presence with the real client against the emulator (RULES.md §4 and the
//! 650-id limit of getPresencesByUserId): the answers are Graph's rules, kept by the emulator,
//! not hand-written ones. Time moves only when a test advances the emulated clock.

use crate::emulator_support::{
    first_client_once, first_user, graph_error, graph_error_shape, post,
};
use graph_presence_client::{Error, MAX_IDS_PER_REQUEST};
use graph_presence_emulator::{ALL_SCOPES, Directory, Emulator};
use graph_presence_models::{
    Activity, Availability, BodyType, DateTimeTimeZone, IsoDuration, ItemBody, Presence,
    PresenceStatusMessage,
};
use serde_json::json;
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

fn shown(presence: &Presence) -> (Option<&Availability>, Option<&Activity>) {
    (
        presence.availability.as_option(),
        presence.activity.as_option(),
    )
}

fn hour() -> IsoDuration {
    "PT1H".parse().expect("ISO 8601")
}

async fn with_users(count: usize) -> Emulator {
    Emulator::builder()
        .directory(Directory::synthetic(count))
        .start()
        .await
        .expect("started")
}

#[tokio::test]
async fn presence_of_one_user_and_of_several_reads_what_teams_shows() {
    let emulator = Emulator::start().await.expect("started");
    let client = emulator.client();
    let users: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
    emulator.teams(&users[1]).expect("a user").start_call();

    let me = client.me().presence().get().await.expect("my presence");
    assert_eq!(me.id, users[0]);
    assert_eq!(
        shown(&me),
        (Some(&Availability::Offline), Some(&Activity::Offline)),
        "no session: Offline"
    );
    let busy = client
        .users()
        .by_id(&users[1])
        .presence()
        .get()
        .select(["availability", "activity"])
        .await
        .expect("a user's presence");
    assert_eq!(
        shown(&busy),
        (Some(&Availability::Busy), Some(&Activity::InACall))
    );
    assert!(busy.status_message.is_absent(), "$select leaves it out");

    let bulk = client
        .communications()
        .get_presences_by_user_id([users[1].clone(), users[2].clone()])
        .await
        .expect("getPresencesByUserId");
    let value = bulk.value.as_deref().expect("a value");
    assert_eq!(value.len(), 2);
    assert_eq!(
        shown(&value[0]),
        (Some(&Availability::Busy), Some(&Activity::InACall))
    );
    assert_eq!(value[1].id, users[2]);
}

#[tokio::test]
async fn more_than_650_users_are_read_by_the_bulk_helper_in_chunks() {
    let emulator = with_users(1_400).await;
    let ids: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
    let request = emulator.client().presences_of(&ids);
    assert_eq!(request.request_count(), 3, "ceil(1400 / 650)");
    let result = request.send().await;
    assert!(result.is_complete(), "{:?}", result.failures);
    assert_eq!(result.presences.len(), 1_400);
    assert!(result.missing.is_empty());
    assert!(result.get(&ids[1_399]).is_some());
}

/// Moved from wiremock (client_bulk.rs): that Graph leaves unknown users out is Graph's
/// behaviour, which the emulator keeps.
#[tokio::test]
async fn ids_graph_returns_nothing_for_are_listed_as_missing() {
    let emulator = with_users(1_000).await;
    let mut asked: Vec<String> = emulator
        .users()
        .into_iter()
        .map(|u| u.id.to_uppercase())
        .collect();
    let unknown = [
        "0F000000-0000-4000-8000-000000000003".to_owned(),
        "0F000000-0000-4000-8000-000000000700".to_owned(),
    ];
    asked[3] = unknown[0].clone();
    asked[700] = unknown[1].clone();
    let result = emulator.client().presences_of(&asked).send().await;
    assert!(result.is_complete());
    assert_eq!(result.presences.len(), 998);
    let mut missing = result.missing.clone();
    missing.sort();
    assert_eq!(missing, unknown, "as the caller wrote them");
    assert!(result.get(&unknown[0]).is_none());
    assert!(
        result.get(&asked[4].to_lowercase()).is_some(),
        "looked up in any letter case"
    );
}

#[tokio::test]
async fn six_hundred_and_fifty_one_ids_in_one_call_are_a_400() {
    let emulator = with_users(651).await;
    let ids: Vec<String> = emulator.users().into_iter().map(|u| u.id).collect();
    let token = emulator.user_token(&ids[0], &ALL_SCOPES);
    let at_most = post(
        &emulator,
        "/communications/getPresencesByUserId",
        Some(&token),
        &json!({ "ids": &ids[..MAX_IDS_PER_REQUEST] }),
    )
    .await;
    assert_eq!(at_most.status, 200, "{}", at_most.body);
    assert_eq!(at_most.body["value"].as_array().map(Vec::len), Some(650));

    let over = post(
        &emulator,
        "/communications/getPresencesByUserId",
        Some(&token),
        &json!({ "ids": ids }),
    )
    .await;
    assert_eq!(over.status, 400, "{}", over.body);
    let message = graph_error_shape(&over.body, "BadRequest");
    assert!(message.contains("650"), "{message}");
}

#[tokio::test]
async fn a_session_is_set_and_cleared_and_clearing_none_is_a_404() {
    let emulator = Emulator::start().await.expect("started");
    let client = first_client_once(&emulator);
    let me = client.me().presence();
    me.set_presence(Availability::Busy, Activity::InACall)
        .session_id(graph_presence_emulator::APP_ID)
        .expiration_duration(hour())
        .await
        .expect("set");
    let read = me.get().await.expect("read");
    assert_eq!(
        shown(&read),
        (Some(&Availability::Busy), Some(&Activity::InACall))
    );

    me.clear_presence()
        .session_id(graph_presence_emulator::APP_ID)
        .await
        .expect("cleared");
    let read = me.get().await.expect("read");
    assert_eq!(
        shown(&read),
        (Some(&Availability::Offline), Some(&Activity::Offline))
    );

    let error = me
        .clear_presence()
        .session_id(graph_presence_emulator::APP_ID)
        .await
        .expect_err("no session left");
    let error = graph_error(&error);
    assert_eq!(error.status, 404);
    assert!(error.request_id.is_some(), "Graph's innerError");
    assert!(error.message.contains("session"), "{}", error.message);
}

#[tokio::test]
async fn a_sessions_expiry_ends_it() {
    let emulator = Emulator::start().await.expect("started");
    let client = first_client_once(&emulator);
    client
        .me()
        .presence()
        .set_presence(Availability::DoNotDisturb, Activity::Presenting)
        .session_id(graph_presence_emulator::APP_ID)
        .await
        .expect("set, for the default 5 minutes");
    emulator.advance(5 * MINUTE + Duration::from_secs(1));
    let read = emulator.client().me().presence().get().await.expect("read");
    assert_eq!(shown(&read).0, Some(&Availability::Offline));
}

#[tokio::test]
async fn the_preferred_presence_wins_only_while_a_session_exists() {
    let emulator = Emulator::start().await.expect("started");
    let client = first_client_once(&emulator);
    let me = client.me().presence();
    me.set_user_preferred_presence(Availability::DoNotDisturb, Activity::DoNotDisturb)
        .await
        .expect("preferred");
    let read = me.get().await.expect("read");
    assert_eq!(
        shown(&read).0,
        Some(&Availability::Offline),
        "no session: the preferred presence does not show"
    );

    me.set_presence(Availability::Available, Activity::Available)
        .session_id(graph_presence_emulator::APP_ID)
        .expiration_duration(hour())
        .await
        .expect("a session");
    let read = me.get().await.expect("read");
    assert_eq!(
        shown(&read),
        (
            Some(&Availability::DoNotDisturb),
            Some(&Activity::DoNotDisturb)
        ),
        "a session: the preferred presence wins over it"
    );

    me.clear_user_preferred_presence()
        .await
        .expect("preferred cleared");
    let read = me.get().await.expect("read");
    assert_eq!(shown(&read).0, Some(&Availability::Available));
}

#[tokio::test]
async fn a_status_message_shows_until_its_expiry_on_the_clock() {
    let emulator = Emulator::start().await.expect("started");
    let client = first_client_once(&emulator);
    let me = client.me().presence();
    let expiry = emulator.clock().now() + jiff::SignedDuration::from_mins(30);
    let message = PresenceStatusMessage::new()
        .message(
            ItemBody::new()
                .content("On the support line")
                .content_type(BodyType::Text),
        )
        .expiry_date_time(
            DateTimeTimeZone::new(expiry.strftime("%Y-%m-%dT%H:%M:%S").to_string())
                .time_zone("UTC"),
        );
    me.set_status_message()
        .status_message(message)
        .await
        .expect("set");
    let content = |presence: &Presence| {
        presence
            .status_message
            .as_option()
            .and_then(|m| m.message.as_option())
            .and_then(|b| b.content.as_option())
            .cloned()
    };
    let read = me.get().await.expect("read");
    assert_eq!(content(&read).as_deref(), Some("On the support line"));

    emulator.advance(29 * MINUTE);
    let read = me.get().await.expect("read");
    assert_eq!(content(&read).as_deref(), Some("On the support line"));
    emulator.advance(2 * MINUTE);
    let read = me.get().await.expect("read");
    assert_eq!(content(&read), None, "expired: {:?}", read.status_message);
}

#[tokio::test]
async fn available_fades_to_inactive_then_away_on_the_clock() {
    let emulator = Emulator::start().await.expect("started");
    let user = first_user(&emulator);
    let client = emulator.client();
    client
        .users()
        .by_id(&user)
        .presence()
        .set_presence(Availability::Available, Activity::Available)
        .session_id(graph_presence_emulator::APP_ID)
        .expiration_duration(hour())
        .await
        .expect("set");
    let read = || async { client.me().presence().get().await.expect("read") };
    assert_eq!(
        shown(&read().await),
        (Some(&Availability::Available), Some(&Activity::Available))
    );
    emulator.advance(5 * MINUTE + Duration::from_secs(1));
    assert_eq!(
        shown(&read().await),
        (
            Some(&Availability::Available),
            Some(&Activity::AvailableInactive)
        )
    );
    emulator.advance(5 * MINUTE);
    assert_eq!(
        shown(&read().await),
        (Some(&Availability::Away), Some(&Activity::Away))
    );
}

/// Moved from wiremock (client_cycle.rs): awaiting a builder sends it, and a spawned request's
/// Graph error comes back whole; the answers are the emulator's.
#[tokio::test]
async fn awaiting_a_builder_sends_it() {
    let emulator = Emulator::start().await.expect("started");
    let client = first_client_once(&emulator);
    let me = client.me().presence().get().await.expect("me");
    assert_eq!(me.id, first_user(&emulator));

    let nobody = "0f000000-0000-4000-8000-00000000beef";
    let spawned = tokio::spawn(client.users().by_id(nobody).presence().get().into_future());
    let error = spawned.await.expect("joins").expect_err("404");
    assert!(
        matches!(&error, Error::Api(e) if e.status == 404 && e.code == "ResourceNotFound"),
        "{error:?}"
    );
}
