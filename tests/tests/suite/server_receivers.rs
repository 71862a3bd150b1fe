//! Webhooks and callbacks received: the `receivers` fixture's generated `Webhooks` trait,
//! served by `webhooks_router` under the prefix a user would give the API, takes each
//! request at its route, typed (query, header and body), and refuses what the document does
//! not allow as the operations' router does.

use axum::body::Body;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tests::fixtures::receivers::server::*;
use tests::fixtures::receivers::{ChangeBatch, Subscription};
use tower_service::Service;

/// Records what arrives, typed, and answers the first documented success.
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<Vec<String>>>);

impl Inbox {
    fn push(&self, what: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(what);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Webhooks for Inbox {
    async fn subscription_expired(
        &self,
        request: SubscriptionExpiredRequest,
        context: Context,
    ) -> Result<SubscriptionExpiredResponse, Failure> {
        let Subscription { id, resource, .. } = request.body;
        self.push(format!("{}: {id} {resource}", context.operation().id));
        Ok(SubscriptionExpiredResponse::NoContent)
    }

    async fn ping(&self, _: PingRequest, _: Context) -> Result<PingResponse, Failure> {
        Ok(PingResponse::Ok {
            body: "pong".to_owned(),
        })
    }

    async fn create_subscription_changed(
        &self,
        request: CreateSubscriptionChangedRequest,
        context: Context,
    ) -> Result<CreateSubscriptionChangedResponse, Failure> {
        let ChangeBatch { value, .. } = &request.body;
        self.push(format!(
            "{}: token {:?}, attempt {:?}, {} changes, first by {}",
            context.operation().id,
            request.validation_token,
            request.x_delivery_attempt,
            value.len(),
            value
                .first()
                .map_or("nobody", |c| c.subscription_id.as_str()),
        ));
        if request.validation_token.as_deref() == Some("gone") {
            return Ok(CreateSubscriptionChangedResponse::Gone {
                body: serde_json::from_value(json!({"reason": "unsubscribed"}))
                    .expect("a Gone body"),
            });
        }
        Ok(CreateSubscriptionChangedResponse::Accepted)
    }

    async fn create_subscription_lifecycle(
        &self,
        request: CreateSubscriptionLifecycleRequest,
        _: Context,
    ) -> Result<CreateSubscriptionLifecycleResponse, Failure> {
        self.push(format!("lifecycle: {:?}", request.body));
        Ok(CreateSubscriptionLifecycleResponse::Ok)
    }
}

/// Sends one request to the app and gives the status, the content type and the body.
async fn send(
    app: &mut axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Body::from(body.to_owned()))
        .expect("a request");
    let response = app.call(request).await.expect("the router answers");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    (status, media, String::from_utf8_lossy(&bytes).into_owned())
}

const JSON: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn webhooks_and_callbacks_arrive_typed_at_their_routes() {
    let inbox = Inbox::default();
    // The user gives the API `https://app.example/hooks/changed` as the notification URL;
    // the API appends `/changes`.
    let mut app = axum::Router::new().nest("/hooks", webhooks_router(inbox.clone()));
    let batch = json!({"value": [{"subscriptionId": "s-1", "changeType": "updated"}]}).to_string();

    let answer = send(
        &mut app,
        "POST",
        "/hooks/changed/changes?validationToken=t%20k",
        &[JSON, ("x-delivery-attempt", "2")],
        &batch,
    )
    .await;
    assert_eq!(answer.0, 202, "{answer:?}");
    let answer = send(
        &mut app,
        "POST",
        "/hooks/changed/changes?validationToken=gone",
        &[JSON],
        &batch,
    )
    .await;
    assert_eq!(answer.0, 410, "{answer:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&answer.2).ok(),
        Some(json!({"reason": "unsubscribed"}))
    );
    let example =
        r#"{"id":"sub-1","resource":"/users/1/presence","expiresAt":"2026-12-06T10:00:00Z"}"#;
    let answer = send(
        &mut app,
        "POST",
        "/hooks/subscriptionExpired",
        &[JSON],
        example,
    )
    .await;
    assert_eq!(answer.0, 204, "{answer:?}");
    let answer = send(
        &mut app,
        "POST",
        "/hooks/lifecycle/lifecycle",
        &[("content-type", "text/plain")],
        "reauthorizationRequired",
    )
    .await;
    assert_eq!(answer.0, 200, "{answer:?}");
    let answer = send(&mut app, "GET", "/hooks/ping", &[], "").await;
    assert_eq!(
        (answer.0, answer.1.as_str(), answer.2.as_str()),
        (200, "text/plain", "pong")
    );
    assert_eq!(
        inbox.take(),
        [
            "CreateSubscriptionChanged: token Some(\"t k\"), attempt Some(2), 1 changes, first by s-1",
            "CreateSubscriptionChanged: token Some(\"gone\"), attempt None, 1 changes, first by s-1",
            "SubscriptionExpired: sub-1 /users/1/presence",
            "lifecycle: Some(\"reauthorizationRequired\")",
        ]
    );
    assert_eq!(
        WEBHOOKS
            .iter()
            .map(|w| format!("{} {}", w.method, w.path))
            .collect::<Vec<_>>(),
        [
            "POST /subscriptionExpired",
            "GET /ping",
            "POST /changed/changes",
            "POST /lifecycle/lifecycle",
        ]
    );
}

#[tokio::test]
async fn a_receiver_refuses_what_the_document_does_not_allow() {
    let inbox = Inbox::default();
    let mut app = webhooks_router(inbox.clone());
    let refused = [
        // Not a route of any receiver (the operations' paths are not receivers').
        ("POST", "/subscriptions", JSON, "{}", 404, ""),
        ("POST", "/changes", JSON, "{}", 404, ""),
        // A receiver's route with another method.
        ("GET", "/subscriptionExpired", JSON, "", 405, ""),
        // The body breaks its schema (`value` is required), or is not JSON at all.
        ("POST", "/changed/changes", JSON, "{}", 400, "value"),
        (
            "POST",
            "/changed/changes",
            JSON,
            "{\"value\": [",
            400,
            "line 1",
        ),
        // Another media type than the document's.
        (
            "POST",
            "/changed/changes",
            ("content-type", "text/plain"),
            "{}",
            415,
            "",
        ),
        // JSON of another shape.
        ("POST", "/subscriptionExpired", JSON, "[]", 400, ""),
    ];
    for (method, uri, header, body, status, names) in refused {
        let answer = send(&mut app, method, uri, &[header], body).await;
        assert_eq!(answer.0, status, "{method} {uri} {body}: {answer:?}");
        assert!(
            answer.2.contains(names),
            "{method} {uri} {body}: the answer names `{names}`: {answer:?}"
        );
        assert!(
            answer.1.contains("json"),
            "{method} {uri}: an error in the document's shape: {answer:?}"
        );
    }
    let answer = send(
        &mut app,
        "POST",
        "/changed/changes",
        &[JSON, ("x-delivery-attempt", "second")],
        r#"{"value": []}"#,
    )
    .await;
    assert_eq!(answer.0, 400, "{answer:?}");
    assert!(answer.2.contains("X-Delivery-Attempt"), "{answer:?}");
    assert!(
        inbox.take().is_empty(),
        "nothing refused reaches the receiver"
    );
}

#[tokio::test]
async fn the_mock_receives_webhooks_with_the_documented_answers() {
    let mut app = webhooks_router(Mock);
    let answer = send(&mut app, "GET", "/ping", &[], "").await;
    assert_eq!((answer.0, answer.2.as_str()), (200, "pong"));
    let answer = send(
        &mut app,
        "POST",
        "/changed/changes",
        &[JSON, ("prefer", "code=410")],
        r#"{"value": []}"#,
    )
    .await;
    assert_eq!(answer.0, 410, "{answer:?}");
}
