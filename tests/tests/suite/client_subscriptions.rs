//! Presence subscriptions for many users against a local Graph that keeps subscriptions:
//! chunking and quoting, renewal on a fake clock, recreation of lost subscriptions, the
//! lifecycle events, and failures reported with their ids.

use graph_presence_client::{
    Client, Clock, EventHubDestination, LifecycleError, MAX_IDS_PER_SUBSCRIPTION,
    PresenceSubscriptions, SubscriptionAction, SubscriptionError, SubscriptionReport,
};
use graph_presence_models::{ChangeNotification, LifecycleEventType};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::{FakeClock, user_ids};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const NOTIFY: &str = "https://webhook.contoso.com/api/presence";
const LIFECYCLE: &str = "https://webhook.contoso.com/api/lifecycle";
const CLIENT_STATE: &str = "9c1e7d55-secret-client-state";

/// A request as the local Graph saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    body: Value,
}

/// What the local Graph holds and how it misbehaves.
#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    created: usize,
    /// Subscriptions it no longer has: renew, reauthorize and delete answer 404.
    gone: HashSet<String>,
    /// A create whose filter holds this id is answered with this status.
    poison: Option<(String, u16)>,
    /// Reauthorize is answered with 403.
    refuse_reauthorize: bool,
    /// Renewals are answered with 403.
    refuse_renew: bool,
}

#[derive(Clone, Default)]
struct Graph(Arc<Mutex<State>>);

impl Graph {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().expect("not poisoned")
    }

    fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut self.state().seen)
    }
}

fn graph_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"code": code, "message": "no"}}))
}

impl Respond for Graph {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let path = request.url.path().to_owned();
        state.seen.push(Seen {
            method: request.method.to_string(),
            path: path.clone(),
            body: body.clone(),
        });
        let segments: Vec<&str> = path.trim_start_matches("/beta/").split('/').collect();
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["subscriptions"]) => {
                let resource = body["resource"].as_str().unwrap_or_default();
                if let Some((id, status)) = &state.poison
                    && filter_ids(resource).contains(id)
                {
                    return graph_error(*status, "ServiceUnavailable");
                }
                state.created += 1;
                let mut created = body.clone();
                created["id"] = json!(format!("sub-{}", state.created));
                ResponseTemplate::new(201).set_body_json(created)
            }
            ("PATCH", ["subscriptions", id]) if state.gone.contains(*id) => {
                graph_error(404, "ResourceNotFound")
            }
            ("PATCH", ["subscriptions", _]) if state.refuse_renew => graph_error(403, "Forbidden"),
            ("PATCH", ["subscriptions", id]) => ResponseTemplate::new(200).set_body_json(json!({
                "id": id,
                "changeType": "updated",
                "notificationUrl": NOTIFY,
                "resource": "/communications/presences?$filter=id in ('…')",
                "expirationDateTime": body["expirationDateTime"],
            })),
            ("POST", ["subscriptions", id, "reauthorize"]) if state.gone.contains(*id) => {
                graph_error(404, "ResourceNotFound")
            }
            ("POST", ["subscriptions", _, "reauthorize"]) if state.refuse_reauthorize => {
                graph_error(403, "Forbidden")
            }
            ("POST", ["subscriptions", _, "reauthorize"]) => ResponseTemplate::new(204),
            ("DELETE", ["subscriptions", id]) => {
                if state.gone.insert((*id).to_owned()) {
                    ResponseTemplate::new(204)
                } else {
                    graph_error(404, "ResourceNotFound")
                }
            }
            ("POST", ["communications", "getPresencesByUserId"]) => {
                let value: Vec<Value> = tests::requested_ids(&request.body)
                    .iter()
                    .map(|id| json!({"id": id, "availability": "Away", "activity": "Away"}))
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({ "value": value }))
            }
            _ => ResponseTemplate::new(418),
        }
    }
}

/// The ids of a `$filter=id in ('a','b')` resource, with OData's doubled quotes undone.
fn filter_ids(resource: &str) -> Vec<String> {
    let Some(list) = resource
        .strip_prefix("/communications/presences?$filter=id in (")
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return Vec::new();
    };
    let (mut ids, mut current, mut chars) = (Vec::new(), String::new(), list.chars().peekable());
    let mut inside = false;
    while let Some(c) = chars.next() {
        match (inside, c) {
            (false, '\'') => inside = true,
            (true, '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                current.push('\'');
            }
            (true, '\'') => {
                inside = false;
                ids.push(std::mem::take(&mut current));
            }
            (true, c) => current.push(c),
            (false, ',') => {}
            (false, c) => panic!("unexpected {c:?} outside a literal in {resource}"),
        }
    }
    assert!(!inside, "an unterminated literal in {resource}");
    ids
}

async fn local_graph() -> (MockServer, Graph) {
    let server = MockServer::start().await;
    let graph = Graph::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(graph.clone())
        .mount(&server)
        .await;
    (server, graph)
}

fn client(server: &MockServer, clock: &FakeClock) -> Client {
    tests::local_client(&server.uri(), clock)
}

fn after(clock: &FakeClock, minutes: i64) -> jiff::Timestamp {
    clock.now() + jiff::SignedDuration::from_mins(minutes)
}

fn timestamp(value: &Value) -> jiff::Timestamp {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("a date-time: {value}"))
}

/// Subscriptions made one at a time, so the local Graph numbers them in chunk order.
async fn subscribe(client: &Client, ids: &[String]) -> (PresenceSubscriptions, SubscriptionReport) {
    client
        .presence_subscriptions(ids, NOTIFY, CLIENT_STATE)
        .lifecycle_notification_url(LIFECYCLE)
        .concurrency(1)
        .create()
        .await
}

fn lifecycle(subscription_id: &str, event: &str, client_state: &str) -> ChangeNotification {
    graph_presence_models::from_str(
        &json!({
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": "2026-11-22T11:00:00Z",
            "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95",
            "clientState": client_state,
            "lifecycleEvent": event,
        })
        .to_string(),
    )
    .expect("a lifecycle notification")
}

#[tokio::test]
async fn two_thousand_users_are_four_subscriptions_with_their_filters_and_an_hour_at_most() {
    assert_eq!(MAX_IDS_PER_SUBSCRIPTION, 650);
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(2_000);
    let request = client(&server, &clock)
        .presence_subscriptions(&ids, NOTIFY, CLIENT_STATE)
        .lifecycle_notification_url(LIFECYCLE)
        .lifetime(Duration::from_secs(3 * 3600));
    assert_eq!(request.subscription_count(), 4);
    let (subscriptions, report) = request.create().await;
    assert!(report.is_complete(), "{report:?}");
    let mut created = report.created.clone();
    created.sort();
    assert_eq!(created, ["sub-1", "sub-2", "sub-3", "sub-4"]);

    // Sent four at a time, so in any order: put them in id order.
    let mut seen = graph.seen();
    seen.sort_by_key(|s| filter_ids(s.body["resource"].as_str().unwrap_or_default()));
    assert_eq!(seen.len(), 4, "one create per chunk, nothing else");
    let mut subscribed = Vec::new();
    for (request, size) in seen.iter().zip([650, 650, 650, 50]) {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/beta/subscriptions")
        );
        let body = &request.body;
        assert_eq!(body["changeType"], "updated");
        assert_eq!(body["notificationUrl"], NOTIFY);
        assert_eq!(body["lifecycleNotificationUrl"], LIFECYCLE);
        assert_eq!(body["clientState"], CLIENT_STATE);
        assert!(body.get("includeResourceData").is_none());
        // Three hours asked for, the 60 minutes Graph allows sent.
        assert_eq!(timestamp(&body["expirationDateTime"]), after(&clock, 60));
        let chunk = filter_ids(body["resource"].as_str().expect("a resource"));
        assert_eq!(chunk.len(), size);
        subscribed.extend(chunk);
    }
    assert!(subscribed == ids, "every id once, in order");
    let tracked = subscriptions.subscriptions();
    assert_eq!(tracked.len(), 4);
    assert!(tracked[3].ids() == &ids[1950..], "the chunks in order");
    assert_eq!(tracked[0].expires(), after(&clock, 60));
    assert_eq!(
        subscriptions.next_renewal(),
        Some(after(&clock, 50)),
        "ten minutes before the expiry"
    );
}

#[tokio::test]
async fn duplicates_are_subscribed_once_quotes_doubled_and_impossible_ids_refused() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = [
        "ABC-1",
        "abc-1",
        "o'brien",
        "has space",
        "x#y",
        "50%",
        "",
        "o'Brien",
    ];
    let (subscriptions, report) = subscribe(&client(&server, &clock), &ids.map(String::from)).await;
    let seen = graph.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].body["resource"],
        "/communications/presences?$filter=id in ('ABC-1','o''brien')"
    );
    assert_eq!(subscriptions.subscriptions()[0].ids(), ["ABC-1", "o'brien"]);
    let refused: Vec<&str> = report.rejected.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(refused, ["has space", "x#y", "50%", ""]);
    assert!(!report.is_complete());
    assert_eq!(report.unsubscribed_ids().count(), 4);
}

#[tokio::test]
async fn rich_notifications_send_the_certificate_and_its_id() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let (_, report) = client(&server, &clock)
        .presence_subscriptions(user_ids(3), NOTIFY, CLIENT_STATE)
        .include_resource_data("MIIBszCCAVmgAwIBAgIU", "presence-cert-2026")
        .lifetime(Duration::from_secs(30 * 60))
        .create()
        .await;
    assert!(report.is_complete());
    let body = &graph.seen()[0].body;
    assert_eq!(body["includeResourceData"], true);
    assert_eq!(body["encryptionCertificate"], "MIIBszCCAVmgAwIBAgIU");
    assert_eq!(body["encryptionCertificateId"], "presence-cert-2026");
    assert!(body.get("lifecycleNotificationUrl").is_none());
    assert_eq!(timestamp(&body["expirationDateTime"]), after(&clock, 30));
}

#[tokio::test]
async fn an_event_hub_destination_is_sent_as_the_exact_notification_url() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let hub = EventHubDestination::new("contoso-presence", "presence", "contoso.onmicrosoft.com")
        .expect("a valid destination");
    let url = "EventHub:https://contoso-presence.servicebus.windows.net/eventhubname/presence?tenantId=contoso.onmicrosoft.com";
    let lifecycle = "EventHub:https://contoso-kv.vault.azure.net/secrets/lifecycle-hub?tenantId=84bd8158-6d4d-4958-8b9f-9d6445542f95";
    let (subscriptions, report) = client(&server, &clock)
        .presence_subscriptions(user_ids(700), hub, CLIENT_STATE)
        .lifecycle_notification_url(lifecycle)
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(subscriptions.subscriptions().len(), 2);
    let seen = graph.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.body["notificationUrl"], url);
        assert_eq!(request.body["lifecycleNotificationUrl"], lifecycle);
    }
}

#[tokio::test]
async fn a_malformed_event_hub_url_is_refused_before_anything_is_sent() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(700);
    let cases = [
        // (notification URL, lifecycle URL, the field refused)
        (
            "EventHub:http://ns.servicebus.windows.net/eventhubname/hub?tenantId=contoso.com",
            LIFECYCLE,
            "notificationUrl",
        ),
        (
            "EventHub:https://ns.servicebus.windows.net/eventhubname/hub",
            LIFECYCLE,
            "notificationUrl",
        ),
        (
            NOTIFY,
            "EventHub:https://ns.example.com/eventhubname/\u{1b}hub?tenantId=contoso.com",
            "lifecycleNotificationUrl",
        ),
    ];
    for (notify, lifecycle, refused) in cases {
        let (subscriptions, report) = client(&server, &clock)
            .presence_subscriptions(&ids, notify, CLIENT_STATE)
            .lifecycle_notification_url(lifecycle)
            .create()
            .await;
        assert!(subscriptions.subscriptions().is_empty());
        assert_eq!(report.failures.len(), 2, "each chunk reported with its ids");
        assert_eq!(report.unsubscribed_ids().count(), ids.len());
        for failure in &report.failures {
            assert!(
                matches!(&failure.error, SubscriptionError::EventHubUrl { field, .. } if *field == refused),
                "{:?}",
                failure.error
            );
            let text = failure.error.to_string();
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
    }
    assert!(graph.seen().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn a_failed_create_is_reported_with_its_ids_sent_once_and_subscribed_when_asked_again() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(2_000);
    graph.state().poison = Some((ids[700].clone(), 503));
    let (mut subscriptions, report) = subscribe(&client(&server, &clock), &ids).await;
    assert_eq!(report.created.len(), 3);
    assert_eq!(report.failures.len(), 1);
    let failure = &report.failures[0];
    assert_eq!(failure.action, SubscriptionAction::Create);
    assert_eq!(failure.subscription_id, None);
    assert!(failure.unsubscribed());
    assert!(failure.ids == ids[650..1300], "the second chunk's ids");
    assert!(
        matches!(&failure.error, SubscriptionError::Request(e) if e.status().map(|s| s.as_u16()) == Some(503))
    );
    assert_eq!(
        graph.seen().len(),
        4,
        "a 503 on a create is not retried: a second POST could make a second subscription"
    );
    assert_eq!(subscriptions.subscriptions().len(), 3);

    // The caller decides to try again: only those ids, once.
    graph.state().poison = None;
    graph.take_seen();
    let failed = failure.ids.clone();
    let again = subscriptions
        .subscribe(failed.iter().chain(&ids[..10]))
        .await;
    assert!(again.is_complete(), "{again:?}");
    assert_eq!(again.created, ["sub-4"]);
    let seen = graph.seen();
    assert_eq!(
        seen.len(),
        1,
        "ids already watched are not subscribed again"
    );
    assert!(filter_ids(seen[0].body["resource"].as_str().unwrap_or_default()) == failed);
    assert_eq!(subscriptions.subscriptions().len(), 4);
}

#[tokio::test]
async fn only_subscriptions_within_the_margin_are_renewed_at_the_clocks_time() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let client = client(&server, &clock);
    let ids = user_ids(700);
    let (mut subscriptions, _) = subscribe(&client, &ids[..650]).await;
    let start = clock.now();

    // Half an hour later, a second subscription.
    clock.sleep(Duration::from_secs(30 * 60)).await;
    subscriptions.subscribe(&ids[650..]).await;
    graph.take_seen();
    let renewed = subscriptions.renew_due().await;
    assert!(
        renewed.renewed.is_empty() && graph.seen().is_empty(),
        "none is due yet"
    );

    // The sleep ends when the first is due: 50 minutes after it was made.
    subscriptions.renewal_sleep().await;
    assert_eq!(clock.now(), start + jiff::SignedDuration::from_mins(50));
    let report = subscriptions.renew_due().await;
    assert_eq!(report.renewed, ["sub-1"]);
    let seen = graph.take_seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PATCH", "/beta/subscriptions/sub-1")
    );
    assert_eq!(
        timestamp(&seen[0].body["expirationDateTime"]),
        after(&clock, 60)
    );
    let first = subscriptions.get("sub-1").expect("tracked");
    assert_eq!(first.expires(), after(&clock, 60));

    // Next is the second one, made at +30: due at +80.
    assert_eq!(
        subscriptions.next_renewal(),
        Some(start + jiff::SignedDuration::from_mins(80))
    );
    subscriptions.renewal_sleep().await;
    let report = subscriptions.renew_due().await;
    assert_eq!(report.renewed, ["sub-2"]);
    assert_eq!(graph.take_seen().len(), 1);
}

#[tokio::test]
async fn a_failed_renewal_keeps_the_subscription_and_tries_again_a_minute_later() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &user_ids(5)).await;
    graph.state().refuse_renew = true;
    clock.sleep(Duration::from_secs(51 * 60)).await;
    let report = subscriptions.renew_due().await;
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].action, SubscriptionAction::Renew);
    assert!(!report.failures[0].unsubscribed());
    assert_eq!(subscriptions.subscriptions().len(), 1);
    assert_eq!(subscriptions.next_renewal(), Some(after(&clock, 1)));
    graph.take_seen();
    assert!(
        subscriptions.renew_due().await.failures.is_empty(),
        "not before the minute"
    );
    assert!(graph.seen().is_empty());
    graph.state().refuse_renew = false;
    subscriptions.renewal_sleep().await;
    assert_eq!(subscriptions.renew_due().await.renewed, ["sub-1"]);
}

#[tokio::test]
async fn reauthorization_required_reauthorizes_or_else_renews_or_else_recreates() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(3);
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &ids).await;
    graph.take_seen();

    let reaction = subscriptions
        .handle_lifecycle(&lifecycle("sub-1", "reauthorizationRequired", CLIENT_STATE))
        .await
        .expect("acted on");
    assert_eq!(reaction.event, LifecycleEventType::ReauthorizationRequired);
    assert_eq!(reaction.report.reauthorized, ["sub-1"]);
    let seen = graph.take_seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/beta/subscriptions/sub-1/reauthorize")
    );

    graph.state().refuse_reauthorize = true;
    let reaction = subscriptions
        .handle_lifecycle(&lifecycle("sub-1", "reauthorizationRequired", CLIENT_STATE))
        .await
        .expect("acted on");
    assert_eq!(
        reaction.report.renewed,
        ["sub-1"],
        "renewing reauthorizes too"
    );
    let methods: Vec<String> = graph.take_seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, ["POST", "PATCH"]);

    graph.state().gone.insert("sub-1".to_owned());
    let reaction = subscriptions
        .handle_lifecycle(&lifecycle("sub-1", "reauthorizationRequired", CLIENT_STATE))
        .await
        .expect("acted on");
    assert_eq!(reaction.report.recreated[0].subscription_id, "sub-2");
    let methods: Vec<String> = graph.take_seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, ["POST", "PATCH", "POST"]);
}

#[tokio::test]
async fn subscription_removed_creates_it_again_for_the_same_ids() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(800);
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &ids).await;
    graph.take_seen();
    let reaction = subscriptions
        .handle_lifecycle(&lifecycle("sub-2", "subscriptionRemoved", CLIENT_STATE))
        .await
        .expect("acted on");
    assert_eq!(reaction.report.recreated[0].previous_id, "sub-2");
    assert_eq!(reaction.report.recreated[0].subscription_id, "sub-3");
    let seen = graph.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        filter_ids(seen[0].body["resource"].as_str().unwrap_or_default()) == ids[650..],
        "the same ids"
    );
    assert!(subscriptions.get("sub-2").is_none());
    assert!(subscriptions.get("sub-3").expect("tracked").ids() == &ids[650..]);

    // A second notice about the removed one names a subscription no longer held.
    let error = subscriptions
        .handle_lifecycle(&lifecycle("sub-2", "subscriptionRemoved", CLIENT_STATE))
        .await
        .expect_err("sub-2 is gone");
    assert_eq!(
        error,
        LifecycleError::UnknownSubscription {
            subscription_id: "sub-2".into()
        }
    );
}

#[tokio::test]
async fn missed_reads_the_subscriptions_users_presence_again() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let ids = user_ids(700);
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &ids).await;
    graph.take_seen();
    let reaction = subscriptions
        .handle_lifecycle(&lifecycle("sub-2", "missed", CLIENT_STATE))
        .await
        .expect("acted on");
    let presences = reaction.presences.expect("a resync");
    assert!(presences.is_complete());
    assert_eq!(presences.presences.len(), 50);
    assert_eq!(
        presences.get(&ids[699]).map(|p| p.id.as_str()),
        Some(ids[699].as_str())
    );
    let seen = graph.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/beta/communications/getPresencesByUserId");
    assert_eq!(seen[0].body["ids"], json!(&ids[650..]));
    assert_eq!(
        subscriptions.subscriptions().len(),
        2,
        "nothing else changes"
    );
}

#[tokio::test]
async fn notifications_that_cannot_be_acted_on_are_errors_and_send_nothing() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &user_ids(2)).await;
    graph.take_seen();
    let cases = [
        (
            lifecycle("sub-1", "somethingNew", CLIENT_STATE),
            LifecycleError::UnknownEvent {
                subscription_id: "sub-1".into(),
                event: "somethingNew".into(),
            },
        ),
        (
            lifecycle("sub-9", "missed", CLIENT_STATE),
            LifecycleError::UnknownSubscription {
                subscription_id: "sub-9".into(),
            },
        ),
        (
            lifecycle("sub-1", "subscriptionRemoved", "9c1e7d55-secret-client-statE"),
            LifecycleError::ClientStateMismatch {
                subscription_id: "sub-1".into(),
            },
        ),
        (
            graph_presence_models::from_str(
                r#"{"subscriptionId":"sub-1","tenantId":"t","clientState":"9c1e7d55-secret-client-state","resource":"communications/presences/a"}"#,
            )
            .expect("a change notification"),
            LifecycleError::NotLifecycle {
                subscription_id: "sub-1".into(),
            },
        ),
    ];
    for (notification, expected) in cases {
        let error = subscriptions
            .handle_lifecycle(&notification)
            .await
            .expect_err("not acted on");
        assert_eq!(error, expected);
        assert!(!error.to_string().contains(CLIENT_STATE));
    }
    assert!(graph.seen().is_empty(), "nothing was sent");
    assert_eq!(subscriptions.subscriptions().len(), 1);
}

#[tokio::test]
async fn delete_all_deletes_each_and_forgets_them() {
    let (server, graph) = local_graph().await;
    let clock = FakeClock::new();
    let (mut subscriptions, _) = subscribe(&client(&server, &clock), &user_ids(1_400)).await;
    graph.state().gone.insert("sub-2".to_owned());
    graph.take_seen();
    let report = subscriptions.delete_all().await;
    assert_eq!(
        report.deleted,
        ["sub-1", "sub-2", "sub-3"],
        "gone already counts"
    );
    assert!(report.failures.is_empty());
    let deletes: Vec<String> = graph
        .seen()
        .into_iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(
        deletes,
        [
            "DELETE /beta/subscriptions/sub-1",
            "DELETE /beta/subscriptions/sub-2",
            "DELETE /beta/subscriptions/sub-3"
        ]
    );
    assert!(subscriptions.subscriptions().is_empty());
    assert_eq!(subscriptions.next_renewal(), None);
}

#[tokio::test]
async fn debug_output_keeps_the_client_state_and_certificate_secret() {
    let (server, _graph) = local_graph().await;
    let clock = FakeClock::new();
    let (subscriptions, _) = client(&server, &clock)
        .presence_subscriptions(user_ids(2), NOTIFY, CLIENT_STATE)
        .include_resource_data("MIIBszCCAVmgAwIBAgIU", "presence-cert-2026")
        .create()
        .await;
    let debug = format!("{subscriptions:?}");
    assert!(!debug.contains(CLIENT_STATE), "{debug}");
    assert!(!debug.contains("MIIBszCC"), "{debug}");
    assert!(debug.contains("sub-1"));
}
