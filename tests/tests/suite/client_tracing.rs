//! What the client tells `tracing`: a span per request with the operation's facts, an event
//! per retry, rate-limit wait and redirect, bulk progress, each page, presence subscriptions, and
//! never a token, a body or a client state.

use graph_presence_client::{BearerToken, Clock, RateLimit, RetryPolicy};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::FakeClock;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A span or an event as recorded: its name (the message, for events), its level and fields,
/// and for an event the name of the span it happened in.
#[derive(Debug, Clone, Default)]
struct Recorded {
    name: String,
    level: String,
    fields: BTreeMap<String, String>,
    parent: Option<String>,
}

#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<BTreeMap<u64, Recorded>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Collector {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut span = Recorded {
            name: attrs.metadata().name().to_owned(),
            level: attrs.metadata().level().to_string(),
            ..Recorded::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.spans
            .lock()
            .expect("not poisoned")
            .insert(id.into_u64(), span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(span) = self
            .spans
            .lock()
            .expect("not poisoned")
            .get_mut(&id.into_u64())
        {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let mut recorded = Recorded {
            level: event.metadata().level().to_string(),
            parent: context.event_span(event).map(|span| span.name().to_owned()),
            ..Recorded::default()
        };
        event.record(&mut Fields(&mut recorded.fields));
        recorded.name = recorded.fields.remove("message").unwrap_or_default();
        self.events.lock().expect("not poisoned").push(recorded);
    }
}

impl Collector {
    fn spans(&self) -> Vec<Recorded> {
        self.spans
            .lock()
            .expect("not poisoned")
            .values()
            .cloned()
            .collect()
    }
    fn events(&self) -> Vec<Recorded> {
        self.events.lock().expect("not poisoned").clone()
    }
    /// Everything recorded, as one text, to search for what must never be there.
    fn everything(&self) -> String {
        format!("{:?}{:?}", self.spans(), self.events())
    }
}

const SECRET: &str = "eyJ0eXAiOiJKV1Qi.secret-token";

/// Answers getPresencesByUserId with a presence per id, except that the first request for the
/// chunk holding `throttled` gets a 429 with `Retry-After: 2`.
struct Throttling {
    throttled: String,
    hit: Mutex<bool>,
}

impl Respond for Throttling {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids = tests::requested_ids(&request.body);
        let mut hit = self.hit.lock().expect("not poisoned");
        if ids.contains(&self.throttled) && !*hit {
            *hit = true;
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "2")
                .set_body_raw(
                    r#"{"error":{"code":"TooManyRequests","message":"Please retry."}}"#,
                    "application/json",
                );
        }
        let value: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "availability": "Busy", "activity": "InACall"}))
            .collect();
        ResponseTemplate::new(200)
            .insert_header("request-id", "7e9b3a6c-0000-4000-8000-000000000001")
            .set_body_json(json!({ "value": value }))
    }
}

#[tokio::test]
async fn a_throttled_bulk_run_is_traced_without_secrets() {
    let collector = Collector::default();
    let subscriber = tracing_subscriber::registry().with(collector.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let ids: Vec<String> = (0..1_500)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/beta/communications/getPresencesByUserId"))
        .respond_with(Throttling {
            throttled: ids[700].clone(),
            hit: Mutex::new(false),
        })
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = tests::local_graph_as(&server.uri(), BearerToken::new(SECRET))
        .clock(clock.clone())
        .retry(RetryPolicy::default())
        .rate_limit(RateLimit::new(3, Duration::from_secs(30)))
        .build()
        .expect("valid");
    let result = client.presences_of(&ids).concurrency(1).send().await;
    assert!(result.is_complete());
    assert_eq!(result.presences.len(), 1_500);

    // One span per chunk request, with the operation's facts and its outcome.
    let spans: Vec<Recorded> = collector
        .spans()
        .into_iter()
        .filter(|s| s.name == "api.request")
        .collect();
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for span in &spans {
        assert_eq!(span.level, "INFO");
        assert_eq!(
            span.fields["operation_id"],
            "communications_getPresencesByUserId"
        );
        assert_eq!(span.fields["method"], "POST");
        assert_eq!(
            span.fields["path_template"],
            "/communications/getPresencesByUserId"
        );
        assert_eq!(span.fields["status"], "200");
        assert_eq!(
            span.fields["request_id"],
            "7e9b3a6c-0000-4000-8000-000000000001"
        );
        assert_eq!(span.fields["client_request_id"].len(), 36, "a UUID");
    }
    let attempts: Vec<&str> = spans
        .iter()
        .map(|s| s.fields["attempts"].as_str())
        .collect();
    assert_eq!(
        attempts,
        ["1", "2", "1"],
        "the second chunk was retried once"
    );

    let events = collector.events();
    // The retry: why, and how long, inside its request's span.
    let retries: Vec<&Recorded> = events
        .iter()
        .filter(|e| e.name == "retrying after a wait")
        .collect();
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert_eq!(retries[0].level, "WARN");
    assert_eq!(retries[0].fields["status"], "429");
    assert_eq!(retries[0].fields["reason"], "status with Retry-After");
    assert_eq!(retries[0].fields["wait_ms"], "2000");
    assert_eq!(retries[0].parent.as_deref(), Some("api.request"));
    // Three requests fit the window; the fourth (the third chunk) waited for it.
    let waits: Vec<&Recorded> = events
        .iter()
        .filter(|e| e.name == "rate limit reached: waiting")
        .collect();
    assert_eq!(waits.len(), 1, "{events:#?}");
    assert_eq!(waits[0].fields["max_requests"], "3");
    // Progress: chunk k of n, with the ids done so far.
    let progress: Vec<(String, String, String)> = events
        .iter()
        .filter(|e| e.name.starts_with("bulk presence: chunk"))
        .map(|e| {
            (
                e.fields["chunk"].clone(),
                e.fields["chunks"].clone(),
                e.fields["ids_done"].clone(),
            )
        })
        .collect();
    assert_eq!(
        progress,
        [
            ("1".into(), "3".into(), "650".into()),
            ("2".into(), "3".into(), "1300".into()),
            ("3".into(), "3".into(), "1500".into())
        ]
    );
    assert_eq!(
        clock.sleeps().len(),
        2,
        "the retry wait and the rate-limit wait"
    );

    // Never the token, never a body (request ids or response presences).
    let everything = collector.everything();
    assert!(!everything.contains("secret-token"), "the token leaked");
    assert!(
        !everything.contains("Bearer"),
        "the Authorization header leaked"
    );
    assert!(!everything.contains(&ids[0]), "a request body leaked");
    assert!(!everything.contains("InACall"), "a response body leaked");
}

#[tokio::test]
async fn a_redirect_is_an_event_without_its_query() {
    let collector = Collector::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(collector.clone()));
    let server = MockServer::start().await;
    Mock::given(path("/beta/me/presence"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", "/moved/presence?sig=s3cr3t"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/moved/presence"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":"a"}"#, "application/json"))
        .mount(&server)
        .await;
    let client = tests::local_graph_as(&server.uri(), BearerToken::new(SECRET))
        .build()
        .expect("valid");
    client.me().presence().get().send().await.expect("followed");
    let events = collector.events();
    let redirect = events
        .iter()
        .find(|e| e.name == "following a redirect")
        .expect("a redirect event");
    assert_eq!(redirect.fields["status"], "307");
    assert_eq!(
        redirect.fields["to"],
        format!("{}/moved/presence", server.uri())
    );
    assert_eq!(redirect.fields["cross_origin"], "false");
    assert!(!collector.everything().contains("s3cr3t"));
}

/// Creates a subscription per request (its id `sub-N`), except for a resource that names
/// `refused`, which gets a 400; renews any.
struct Subscriptions {
    refused: String,
    created: Mutex<usize>,
}

impl Respond for Subscriptions {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if request.method.as_str() == "PATCH" {
            return ResponseTemplate::new(200).set_body_json(json!({
                "id": request.url.path().rsplit('/').next(),
                "changeType": "updated",
                "notificationUrl": "https://webhook.contoso.com/api/presence",
                "resource": "/communications/presences",
                "expirationDateTime": body["expirationDateTime"],
            }));
        }
        if body["resource"]
            .as_str()
            .is_some_and(|r| r.contains(&self.refused))
        {
            return ResponseTemplate::new(400).set_body_raw(
                r#"{"error":{"code":"InvalidRequest","message":"Subscription validation request failed."}}"#,
                "application/json",
            );
        }
        let mut created = self.created.lock().expect("not poisoned");
        *created += 1;
        body["id"] = json!(format!("sub-{created}"));
        ResponseTemplate::new(201).set_body_json(body)
    }
}

#[tokio::test]
async fn subscriptions_are_traced_by_id_and_count_without_the_client_state_or_certificate() {
    let collector = Collector::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(collector.clone()));
    let ids: Vec<String> = (0..700)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect();
    let server = MockServer::start().await;
    Mock::given(path_regex("^/beta/subscriptions"))
        .respond_with(Subscriptions {
            refused: ids[699].clone(),
            created: Mutex::new(0),
        })
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = tests::local_graph_as(&server.uri(), BearerToken::new(SECRET))
        .clock(clock.clone())
        .build()
        .expect("valid");
    let (mut subscriptions, report) = client
        .presence_subscriptions(
            &ids,
            "https://webhook.contoso.com/api/presence",
            "client-state-s3cr3t",
        )
        .include_resource_data("MIIcertificate-bytes", "cert-2026")
        .create()
        .await;
    assert_eq!((report.created.len(), report.failures.len()), (1, 1));
    clock.sleep(Duration::from_secs(55 * 60)).await;
    assert_eq!(subscriptions.renew_due().await.renewed, ["sub-1"]);

    let events = collector.events();
    let find = |name: &str| {
        events
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {name:?} in {events:#?}"))
    };
    let created = find("presence subscription created");
    assert_eq!(created.level, "INFO");
    assert_eq!(created.fields["subscription_id"], "sub-1");
    assert_eq!(created.fields["ids"], "650");
    let failed = find("presence subscription: create failed");
    assert_eq!(failed.level, "WARN");
    assert_eq!(failed.fields["ids"], "50");
    assert_eq!(failed.fields["unsubscribed"], "true");
    assert!(failed.fields["error"].contains("InvalidRequest"));
    let renewed = find("presence subscription renewed");
    assert_eq!(renewed.level, "INFO");
    assert_eq!(renewed.fields["subscription_id"], "sub-1");
    assert_eq!(renewed.fields["ids"], "650");

    let everything = collector.everything();
    assert!(!everything.contains("s3cr3t"), "the client state leaked");
    assert!(
        !everything.contains("MIIcertificate"),
        "the certificate leaked"
    );
    assert!(!everything.contains(&ids[0]), "a user id leaked");
}

/// Each page of a paged answer is a request of its own, with its span: the operation's facts,
/// the page's number, and never the next link (its query holds ids and tokens).
#[tokio::test]
async fn each_page_has_its_span() {
    let collector = Collector::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(collector.clone()));
    let server = MockServer::start().await;
    let next = |token: &str| {
        format!(
            "{}/beta/communications/presences?$skiptoken={token}",
            server.uri()
        )
    };
    let pages = [
        json!({"value": [{"id": "a"}], "@odata.nextLink": next("s3cr3t-p2")}),
        json!({"value": [{"id": "b"}], "@odata.nextLink": next("s3cr3t-p3")}),
        json!({"value": [{"id": "c"}]}),
    ];
    for (i, body) in pages.iter().enumerate() {
        let token = match i {
            0 => None,
            n => Some(format!("s3cr3t-p{}", n + 1)),
        };
        let mock = Mock::given(path("/beta/communications/presences"));
        let mock = match token {
            Some(token) => mock.and(wiremock::matchers::query_param("$skiptoken", token)),
            None => mock.and(wiremock::matchers::query_param_is_missing("$skiptoken")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let client = tests::local_graph_as(&server.uri(), BearerToken::new(SECRET))
        .build()
        .expect("valid");
    let all = client
        .communications()
        .presences()
        .get()
        .items()
        .collect_all()
        .await
        .expect("three pages");
    assert_eq!(all.len(), 3);
    let spans: Vec<Recorded> = collector
        .spans()
        .into_iter()
        .filter(|s| s.name == "api.request")
        .collect();
    let facts: Vec<(&str, &str, &str, &str, &str)> = spans
        .iter()
        .map(|s| {
            (
                s.fields["operation_id"].as_str(),
                s.fields["method"].as_str(),
                s.fields["path_template"].as_str(),
                s.fields["page"].as_str(),
                s.fields["status"].as_str(),
            )
        })
        .collect();
    let page = |n| {
        (
            "communications_ListPresences",
            "GET",
            "/communications/presences",
            n,
            "200",
        )
    };
    assert_eq!(facts, [page("1"), page("2"), page("3")]);
    assert!(
        !collector.everything().contains("s3cr3t"),
        "a next link leaked"
    );
}
