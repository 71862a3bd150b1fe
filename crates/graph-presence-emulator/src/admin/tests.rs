//! The admin API's endpoints, called over HTTP on 127.0.0.1 as curl or a test in another
//! language calls them: what each shows and changes, and Graph's errors for bad bodies (400
//! naming the problem) and unknown ids (404).

use crate::Emulator;
use crate::delivery::{BatchKind, Outcome};
use axum::extract::RawQuery;
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// A user no directory holds.
const UNKNOWN: &str = "00000000-0000-4000-8000-0000000fffff";

struct Admin {
    http: reqwest::Client,
    emulator: Emulator,
}

impl Admin {
    async fn start() -> Admin {
        Admin {
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a client"),
            emulator: Emulator::start().await.expect("started"),
        }
    }

    /// The status and JSON body (`null` when empty) of a request to `path` under the base URL.
    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.base_url()));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("a body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    fn user(&self, n: usize) -> String {
        self.emulator.users()[n].id.clone()
    }
}

/// Graph's error: its status and code, and its message containing `words`.
#[track_caller]
fn assert_error(answer: &(u16, Value), status: u16, code: &str, words: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(message.contains(words), "`{message}` lacks `{words}`");
}

/// A webhook on 127.0.0.1 that passes every validation handshake and accepts every
/// notification: its base URL (`…/changes` and `…/lifecycle` both answer).
async fn webhook() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let answer = |RawQuery(query): RawQuery| async move {
        let token = crate::routes::form_pairs(query.unwrap_or_default().as_bytes())
            .into_iter()
            .find(|(name, _)| name == "validationToken");
        match token {
            Some((_, token)) => (StatusCode::OK, token).into_response(),
            None => StatusCode::ACCEPTED.into_response(),
        }
    };
    let app = axum::Router::new().route("/{kind}", axum::routing::post(answer));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

#[tokio::test]
async fn the_summary_and_the_counters_count_graph_requests() {
    let admin = Admin::start().await;
    let presence = admin.emulator.client().me().presence().get().await;
    assert!(presence.is_ok());
    let (status, counters) = admin.get("/_emulator/counters").await;
    assert_eq!(status, 200);
    assert_eq!(counters["requests"]["me_GetPresence"], 1);
    assert_eq!(counters["statuses"]["200"], 1);
    assert_eq!(counters["throttled"]["presence"], 0);
    assert_eq!(
        counters["injected"],
        json!({"serverErrors": 0, "resets": 0})
    );
    let (status, summary) = admin.get("/_emulator").await;
    assert_eq!(status, 200);
    assert_eq!(summary["users"], 6);
    assert_eq!(summary["subscriptions"], 0);
    assert_eq!(summary["counters"], counters);
}

#[tokio::test]
async fn users_are_listed_with_their_presence_and_shown_in_detail() {
    let admin = Admin::start().await;
    let (status, users) = admin.get("/_emulator/users").await;
    assert_eq!(status, 200);
    let users = users["value"].as_array().expect("a list");
    assert_eq!(users.len(), 6);
    assert_eq!(
        users[0],
        json!({
            "id": admin.user(0),
            "displayName": "Ada Okafor",
            "userPrincipalName": "ada@contoso.example",
            "availability": "Offline",
            "activity": "Offline",
        })
    );
    // Any letter case finds the user, as Graph's ids do.
    let (status, ada) = admin
        .get(&format!(
            "/_emulator/users/{}",
            admin.user(0).to_uppercase()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ada["id"], admin.user(0));
    assert_eq!(ada["presence"]["availability"], "Offline");
    assert_eq!(ada["sessions"], json!([]));
    assert_eq!(ada["preferred"], Value::Null);
    assert_error(
        &admin.get(&format!("/_emulator/users/{UNKNOWN}")).await,
        404,
        "ResourceNotFound",
        UNKNOWN,
    );
    assert_error(
        &admin.get("/_emulator/users/%FF").await,
        400,
        "BadRequest",
        "path",
    );
}

#[tokio::test]
async fn teams_actions_change_presence_as_a_teams_client_does() {
    let admin = Admin::start().await;
    let path = format!("/_emulator/users/{}/teams", admin.user(1));
    let (status, bruno) = admin
        .call("POST", &path, Some(r#"{"action": "signIn"}"#))
        .await;
    assert_eq!(status, 200, "{bruno}");
    assert_eq!(bruno["presence"]["availability"], "Available");
    assert_eq!(bruno["sessions"][0]["id"], "teams");
    let (_, bruno) = admin
        .call("POST", &path, Some(r#"{"action": "startCall"}"#))
        .await;
    assert_eq!(
        (
            &bruno["presence"]["availability"],
            &bruno["presence"]["activity"]
        ),
        (&json!("Busy"), &json!("InACall"))
    );
    // What Graph answers is what the admin API set.
    let seen = admin
        .emulator
        .client()
        .users()
        .by_id(admin.user(1))
        .presence()
        .get()
        .await
        .expect("a presence");
    assert_eq!(
        seen.activity.as_option().map(|a| a.as_str()),
        Some("InACall")
    );
    for action in ["endCall", "goIdle", "signOut"] {
        let body = json!({ "action": action }).to_string();
        let (status, _) = admin.call("POST", &path, Some(&body)).await;
        assert_eq!(status, 200, "{action}");
    }
    let (_, bruno) = admin
        .get(&format!("/_emulator/users/{}", admin.user(1)))
        .await;
    assert_eq!(bruno["presence"]["availability"], "Offline");

    assert_error(
        &admin
            .call("POST", &path, Some(r#"{"action": "dance"}"#))
            .await,
        400,
        "BadRequest",
        "unknown variant `dance`",
    );
    assert_error(
        &admin
            .call("POST", &path, Some(r#"{"action": "signIn""#))
            .await,
        400,
        "BadRequest",
        "line 1 column",
    );
    assert_error(
        &admin.call("POST", &path, None).await,
        400,
        "BadRequest",
        "empty",
    );
    assert_error(
        &admin
            .call(
                "POST",
                &format!("/_emulator/users/{UNKNOWN}/teams"),
                Some(r#"{"action": "signIn"}"#),
            )
            .await,
        404,
        "ResourceNotFound",
        UNKNOWN,
    );
}

#[tokio::test]
async fn out_of_office_is_turned_on_and_off() {
    let admin = Admin::start().await;
    let path = format!("/_emulator/users/{}/outOfOffice", admin.user(2));
    let (status, chiara) = admin
        .call(
            "POST",
            &path,
            Some(r#"{"on": true, "message": "On leave"}"#),
        )
        .await;
    assert_eq!(status, 200, "{chiara}");
    assert_eq!(
        chiara["presence"]["outOfOfficeSettings"],
        json!({"isOutOfOffice": true, "message": "On leave"})
    );
    let (_, chiara) = admin.call("POST", &path, Some(r#"{"on": false}"#)).await;
    assert_eq!(
        chiara["presence"]["outOfOfficeSettings"]["isOutOfOffice"],
        false
    );
    assert_error(
        &admin.call("POST", &path, Some(r#"{"on": "yes"}"#)).await,
        400,
        "BadRequest",
        "invalid type",
    );
    assert_error(
        &admin
            .call("POST", &path, Some(r#"{"on": true, "until": 5}"#))
            .await,
        400,
        "BadRequest",
        "unknown field `until`",
    );
}

#[tokio::test]
async fn subscriptions_are_listed_and_removed_with_their_deliveries_shown() {
    let admin = Admin::start().await;
    let hook = webhook().await;
    let user = admin.user(3);
    let expires = admin.emulator.clock().now() + jiff::SignedDuration::from_mins(30);
    let body = json!({
        "changeType": "updated",
        "notificationUrl": format!("{hook}/changes"),
        "lifecycleNotificationUrl": format!("{hook}/lifecycle"),
        "resource": format!("/communications/presences/{user}"),
        "expirationDateTime": expires.to_string(),
        "clientState": "not shown",
    });
    let token = admin
        .emulator
        .user_token(&admin.user(0), &["Presence.Read.All"]);
    let created = admin
        .http
        .post(format!("{}/subscriptions", admin.emulator.graph_url()))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(created.status().as_u16(), 201);

    let (status, listed) = admin.get("/_emulator/subscriptions").await;
    assert_eq!(status, 200);
    let listed = &listed["value"][0];
    let id = listed["id"].as_str().expect("an id").to_owned();
    assert_eq!(listed["applicationId"], crate::APP_ID);
    assert_eq!(listed["creatorId"], admin.user(0));
    assert_eq!(listed["userCount"], 1);
    assert_eq!(listed["expirationDateTime"], expires.to_string());
    assert!(listed.get("clientState").is_none(), "{listed}");

    // A change to the covered user is delivered, and shown by subscription.
    let teams = format!("/_emulator/users/{user}/teams");
    admin
        .call("POST", &teams, Some(r#"{"action": "signIn"}"#))
        .await;
    let delivered = |kind: BatchKind| {
        move |records: &[crate::DeliveryRecord]| {
            records
                .iter()
                .any(|r| r.kind == kind && matches!(r.outcome, Outcome::Delivered { .. }))
        }
    };
    tokio::time::timeout(
        Duration::from_secs(10),
        admin
            .emulator
            .wait_for_deliveries(delivered(BatchKind::Changes)),
    )
    .await
    .expect("delivered");
    let (status, deliveries) = admin
        .get(&format!("/_emulator/deliveries?subscription={id}"))
        .await;
    assert_eq!(status, 200);
    let first = &deliveries["value"][0];
    assert_eq!(first["kind"], "changes");
    assert_eq!(first["subscriptionIds"], json!([id]));
    assert_eq!(first["outcome"]["result"], "delivered");
    let (_, to_url) = admin
        .get(&format!("/_emulator/deliveries?url={hook}/changes"))
        .await;
    assert_eq!(to_url["value"], deliveries["value"]);
    let (_, elsewhere) = admin
        .get("/_emulator/deliveries?subscription=another")
        .await;
    assert_eq!(elsewhere["value"], json!([]));
    assert_error(
        &admin.get("/_emulator/deliveries?user=x").await,
        400,
        "BadRequest",
        "`user`",
    );

    // `missed`, sent when asked: the lifecycle URL is told and the subscription stays.
    let path = format!("/_emulator/subscriptions/{id}");
    let (status, _) = admin.call("POST", &format!("{path}/missed"), None).await;
    assert_eq!(status, 202);
    assert_eq!(admin.emulator.subscription_count(), 1);
    let lifecycle_delivered = |count: usize| {
        move |records: &[crate::DeliveryRecord]| {
            records
                .iter()
                .filter(|r| {
                    r.kind == BatchKind::Lifecycle && matches!(r.outcome, Outcome::Delivered { .. })
                })
                .count()
                >= count
        }
    };
    tokio::time::timeout(
        Duration::from_secs(10),
        admin.emulator.wait_for_deliveries(lifecycle_delivered(1)),
    )
    .await
    .expect("missed delivered");
    assert_error(
        &admin
            .call("POST", "/_emulator/subscriptions/unknown/missed", None)
            .await,
        404,
        "ResourceNotFound",
        "unknown",
    );

    // Removed as its expiry removes it, telling its lifecycle URL as asked.
    assert_error(
        &admin
            .call("DELETE", &format!("{path}?lifecycleEvent=missed"), None)
            .await,
        400,
        "BadRequest",
        "only subscriptionRemoved",
    );
    let (status, _) = admin
        .call(
            "DELETE",
            &format!("{path}?lifecycleEvent=subscriptionRemoved"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(admin.emulator.subscription_count(), 0);
    tokio::time::timeout(
        Duration::from_secs(10),
        admin.emulator.wait_for_deliveries(lifecycle_delivered(2)),
    )
    .await
    .expect("the lifecycle notification delivered");
    assert_error(
        &admin.call("DELETE", &path, None).await,
        404,
        "ResourceNotFound",
        &id,
    );
}

#[tokio::test]
async fn endpoints_show_their_state() {
    let admin = Admin::start().await;
    let (status, endpoints) = admin.get("/_emulator/endpoints").await;
    assert_eq!((status, endpoints), (200, json!({"value": []})));
    let (status, one) = admin
        .get("/_emulator/endpoints?url=https://example.com/hook")
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["value"][0]["state"], "normal");
    assert_eq!(one["value"][0]["answers"], 0);
    assert_error(
        &admin.get("/_emulator/endpoints?url=a&url=b").await,
        400,
        "BadRequest",
        "more than once",
    );
}

#[tokio::test]
async fn faults_are_shown_set_and_refused_when_bad() {
    let admin = Admin::start().await;
    assert_eq!(admin.get("/_emulator/faults").await, (200, json!([])));
    let faults = r#"[{"route": "me_GetPresence", "serverErrorRate": 1}]"#;
    let (status, set) = admin.call("PUT", "/_emulator/faults", Some(faults)).await;
    assert_eq!(status, 200);
    assert_eq!(
        set,
        json!([{"route": "me_GetPresence", "latencyMs": 0, "serverErrorRate": 1.0, "resetRate": 0.0}])
    );
    assert_eq!(admin.get("/_emulator/faults").await, (200, set));
    let graph = admin
        .http
        .get(format!("{}/me/presence", admin.emulator.graph_url()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(graph.status().as_u16(), 503);
    let (_, counters) = admin.get("/_emulator/counters").await;
    assert_eq!(counters["injected"]["serverErrors"], 1);

    assert_error(
        &admin
            .call(
                "PUT",
                "/_emulator/faults",
                Some(r#"[{"route": "*", "resetRate": 2}]"#),
            )
            .await,
        400,
        "BadRequest",
        "resetRate of route `*` must be between 0 and 1",
    );
    assert_error(
        &admin
            .call(
                "PUT",
                "/_emulator/faults",
                Some(r#"[{"route": "*", "rate": 1}]"#),
            )
            .await,
        400,
        "BadRequest",
        "unknown field `rate`",
    );
    assert_error(
        &admin
            .call("PUT", "/_emulator/faults", Some(r#"{"route": "*"}"#))
            .await,
        400,
        "BadRequest",
        "expected a sequence",
    );
    // A refused list leaves the faults in force as they were.
    assert_eq!(
        admin.get("/_emulator/faults").await.1[0]["route"],
        "me_GetPresence"
    );
    assert_eq!(
        admin.call("PUT", "/_emulator/faults", Some("[]")).await,
        (200, json!([]))
    );
}

#[tokio::test]
async fn the_throttle_takes_a_preset_or_limits_and_refuses_useless_ones() {
    let admin = Admin::start().await;
    let (status, limits) = admin.get("/_emulator/throttle").await;
    assert_eq!(status, 200);
    assert_eq!(
        limits["presence"],
        json!({"requests": 1500, "windowSeconds": 30.0})
    );
    let (status, off) = admin
        .call("PUT", "/_emulator/throttle", Some(r#""off""#))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        off,
        json!({"presence": null, "subscriptionWrites": null, "subscriptionReads": null})
    );
    let (status, _) = admin
        .call(
            "PUT",
            "/_emulator/throttle",
            Some(r#""throttlingLimitsPage""#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.get("/_emulator/throttle").await.1["presence"]["requests"],
        10_000
    );

    let two = r#"{"presence": {"requests": 2, "windowSeconds": 30}}"#;
    let (status, set) = admin.call("PUT", "/_emulator/throttle", Some(two)).await;
    assert_eq!(status, 200);
    assert_eq!(set["subscriptionReads"], Value::Null);
    let client = admin.emulator.client();
    for _ in 0..2 {
        client.me().presence().get().await.expect("admitted");
    }
    let graph = admin
        .http
        .get(format!("{}/me/presence", admin.emulator.graph_url()))
        .bearer_auth(
            admin
                .emulator
                .user_token(&admin.user(0), &["Presence.Read"]),
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(graph.status().as_u16(), 429);
    let (_, counters) = admin.get("/_emulator/counters").await;
    assert_eq!(counters["throttled"]["presence"], 1);

    for (body, words) in [
        (r#""fast""#, "`fast` is not a preset (presencePages"),
        (
            r#"{"presence": {"requests": 0, "windowSeconds": 30}}"#,
            "presence: requests must be at least 1",
        ),
        (
            r#"{"subscriptionReads": {"requests": 5, "windowSeconds": -1}}"#,
            "subscriptionReads: windowSeconds must be a positive number",
        ),
        (r#"{"presense": null}"#, "unknown field `presense`"),
        ("5", "neither a preset's name"),
    ] {
        assert_error(
            &admin.call("PUT", "/_emulator/throttle", Some(body)).await,
            400,
            "BadRequest",
            words,
        );
    }
}

#[tokio::test]
async fn tokens_and_the_clock_are_served() {
    let admin = Admin::start().await;
    let before = admin.emulator.clock().now();
    let (status, summary) = admin
        .call(
            "POST",
            "/_emulator/clock/advance",
            Some(r#"{"seconds": 90}"#),
        )
        .await;
    assert_eq!(status, 200);
    let now: jiff::Timestamp = summary["now"]
        .as_str()
        .expect("a time")
        .parse()
        .expect("a time");
    assert!(now >= before + jiff::SignedDuration::from_secs(90));
    assert_error(
        &admin
            .call(
                "POST",
                "/_emulator/clock/advance",
                Some(r#"{"seconds": -1}"#),
            )
            .await,
        400,
        "BadRequest",
        "seconds",
    );
    let body = json!({ "user": admin.user(4) }).to_string();
    let (status, token) = admin.call("POST", "/_emulator/tokens", Some(&body)).await;
    assert_eq!(status, 200);
    let graph = admin
        .http
        .get(format!("{}/me/presence", admin.emulator.graph_url()))
        .bearer_auth(token["access_token"].as_str().expect("a token"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(graph.status().as_u16(), 200);
    // No body: an app-only token.
    assert_eq!(admin.call("POST", "/_emulator/tokens", None).await.0, 200);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_answered_in_graphs_shape() {
    let admin = Admin::start().await;
    assert_error(
        &admin.get("/_emulator/nothing").await,
        404,
        "NotFound",
        "/_emulator/nothing",
    );
    assert_error(&admin.get("/nothing").await, 404, "NotFound", "/nothing");
    assert_error(
        &admin.call("DELETE", "/_emulator/users", None).await,
        405,
        "MethodNotAllowed",
        "DELETE",
    );
    let (status, too_large) = admin
        .call(
            "POST",
            &format!("/{}/oauth2/v2.0/token", admin.emulator.tenant()),
            Some(&"x".repeat(3 << 20)),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(too_large["error"], "invalid_request");
    assert_error(
        &admin
            .call("PUT", "/_emulator/faults", Some(&"x".repeat(3 << 20)))
            .await,
        413,
        "RequestEntityTooLarge",
        "length limit",
    );
    assert_error(
        &admin.get("/%FF/oauth2/v2.0/token").await,
        405,
        "MethodNotAllowed",
        "GET",
    );
}
