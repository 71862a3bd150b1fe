//! Credentials besides the bearer token, on the wire (`fixtures/valid/auth_schemes.yaml`): each
//! API key where its scheme puts it (a header, the query, a cookie, `Authorization: Bot …`),
//! HTTP basic, the alternatives of an operation's `security` and `security: []`; a missing
//! credential stops the request before it is sent; the secrets stay out of errors and traces.

use std::fmt;
use std::sync::{Arc, Mutex};
use tests::fixtures::auth_schemes::client::{BearerToken, Client, ClientBuilder, Error};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "k3y/secret value";

async fn server(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(BearerToken::new("the-token"))
        .base_url(server.uri())
        .retry(tests::fixtures::auth_schemes::client::RetryPolicy::none())
}

/// The one request the server received.
async fn received(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "one request");
    requests.remove(0)
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn each_api_key_goes_where_its_scheme_says() {
    let server = server(204).await;
    let client = builder(&server)
        .api_key("headerKey", KEY.replace(' ', "-"))
        .build()
        .expect("a client");
    client.default().get().send().await.expect("sent");
    let request = received(&server).await;
    assert_eq!(header(&request, "x-api-key"), Some(KEY.replace(' ', "-")));
    assert_eq!(header(&request, "authorization"), None, "no bearer token");

    let server = self::server(204).await;
    let client = builder(&server)
        .api_key("queryKey", KEY)
        .build()
        .expect("a client");
    client.query().get().q("a b").send().await.expect("sent");
    let request = received(&server).await;
    assert_eq!(
        request.url.query(),
        Some("q=a%20b&api_key=k3y%2Fsecret%20value")
    );
    assert_eq!(header(&request, "authorization"), None);

    let server = self::server(204).await;
    let client = builder(&server)
        .api_key("cookieKey", "abc;1")
        .build()
        .expect("a client");
    client
        .cookie()
        .get()
        .theme("dark")
        .send()
        .await
        .expect("sent");
    let request = received(&server).await;
    assert_eq!(
        header(&request, "cookie"),
        Some("theme=dark; session=abc%3B1".to_owned())
    );
    assert_eq!(header(&request, "authorization"), None);
}

#[tokio::test]
async fn basic_and_a_prefixed_authorization_key_are_sent_whole() {
    let server = server(204).await;
    let client = builder(&server)
        .basic_auth("basic", "Aladdin", "open sesame")
        .build()
        .expect("a client");
    client.basic().get().send().await.expect("sent");
    assert_eq!(
        header(&received(&server).await, "authorization"),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_owned())
    );

    for client in [
        builder(&server).api_key("bot", "Bot xyz"),
        builder(&server).api_key_with_prefix("bot", "Bot", "xyz"),
    ] {
        let server = self::server(204).await;
        let client = client.base_url(server.uri()).build().expect("a client");
        client.bot().get().send().await.expect("sent");
        assert_eq!(
            header(&received(&server).await, "authorization"),
            Some("Bot xyz".to_owned())
        );
    }
}

#[tokio::test]
async fn alternatives_take_the_configured_one_and_public_operations_send_nothing() {
    // Both keys of the second alternative, configured: preferred to the bearer token.
    let server = server(204).await;
    let client = builder(&server)
        .api_key("queryKey", "q")
        .api_key("headerKey", "h")
        .build()
        .expect("a client");
    client.either().get().send().await.expect("sent");
    let request = received(&server).await;
    assert_eq!(request.url.query(), Some("api_key=q"));
    assert_eq!(header(&request, "x-api-key"), Some("h".to_owned()));
    assert_eq!(header(&request, "authorization"), None);

    // Only half of it: the OAuth alternative, the token provider's bearer token.
    let server = self::server(204).await;
    let client = builder(&server)
        .api_key("queryKey", "q")
        .build()
        .expect("a client");
    client.either().get().send().await.expect("sent");
    let request = received(&server).await;
    assert_eq!(
        header(&request, "authorization"),
        Some("Bearer the-token".to_owned())
    );
    assert_eq!(request.url.query(), None);

    // `security: []`: nothing, whatever is configured.
    let server = self::server(204).await;
    let client = builder(&server)
        .api_key("headerKey", "h")
        .basic_auth("basic", "u", "p")
        .build()
        .expect("a client");
    client.public().get().send().await.expect("sent");
    let request = received(&server).await;
    for name in ["authorization", "x-api-key", "cookie"] {
        assert_eq!(header(&request, name), None, "{name}");
    }
    assert_eq!(request.url.query(), None);

    // `[{}, {headerKey: []}]`: the key when configured, else nothing.
    let server = self::server(204).await;
    let client = builder(&server).build().expect("a client");
    client.optional().get().send().await.expect("sent");
    let request = received(&server).await;
    assert_eq!(header(&request, "authorization"), None);
    assert_eq!(header(&request, "x-api-key"), None);
    let server = self::server(204).await;
    let client = builder(&server)
        .api_key("headerKey", "h")
        .build()
        .expect("a client");
    client.optional().get().send().await.expect("sent");
    assert_eq!(
        header(&received(&server).await, "x-api-key"),
        Some("h".to_owned())
    );
}

#[tokio::test]
async fn a_missing_credential_stops_the_request_and_names_the_scheme() {
    let server = server(204).await;
    let client = builder(&server).build().expect("a client");
    let error = client.basic().get().send().await.expect_err("not sent");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("`getBasic`") && text.contains("`basic` (HTTP basic credentials)"),
        "{text}"
    );
    // A credential of the other kind is not one.
    let client = builder(&server)
        .api_key("basic", "k")
        .build()
        .expect("a client");
    client.basic().get().send().await.expect_err("not sent");
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

/// Everything traced, as text.
#[derive(Clone, Default)]
struct Traces(Arc<Mutex<String>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Traces {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        attrs.record(&mut Text(&mut self.0.lock().expect("not poisoned")));
    }
    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        values.record(&mut Text(&mut self.0.lock().expect("not poisoned")));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        event.record(&mut Text(&mut self.0.lock().expect("not poisoned")));
    }
}

/// A 500 whose body echoes the URL, key and all: the error names the path only, so the key
/// is not in its text, nor in its `Debug`, nor in the client's or the builder's, nor in traces.
#[tokio::test]
async fn a_key_in_the_query_is_in_no_error_and_no_trace() {
    let traces = Traces::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(traces.clone()));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &Request| {
            ResponseTemplate::new(500).set_body_string(format!("failed: {}", request.url.path()))
        })
        .mount(&server)
        .await;
    let client = builder(&server)
        .api_key("queryKey", KEY)
        .basic_auth("basic", "user", KEY)
        .build()
        .expect("a client");
    let error = client.query().get().send().await.expect_err("a 500");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    let request = received(&server).await;
    assert!(request.url.query().is_some_and(|q| q.contains("api_key=")));
    let encoded = "k3y%2Fsecret%20value";
    let texts = [
        error.to_string(),
        format!("{error:?}"),
        format!("{client:?}"),
        traces.0.lock().expect("not poisoned").clone(),
    ];
    for text in &texts {
        assert!(!text.contains(KEY) && !text.contains(encoded), "{text}");
    }
    assert!(texts[0].contains("/query"), "{}", texts[0]);
}

/// Credentials go only to the base URL's origin: a redirect elsewhere drops the key's header
/// and cookie (and the query is the target's own); one within the origin keeps the header and
/// sends the query key again.
#[tokio::test]
async fn a_redirect_elsewhere_drops_the_keys_and_one_within_the_origin_keeps_them() {
    let target = server(204).await;
    let origin = MockServer::start().await;
    // localhost vs 127.0.0.1, and another port: another origin, still on loopback.
    let location = format!("http://localhost:{}/elsewhere", target.address().port());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", location.as_str()))
        .mount(&origin)
        .await;
    let client = builder(&origin)
        .api_key("queryKey", "q")
        .api_key("headerKey", "h")
        .build()
        .expect("a client");
    client.either().get().send().await.expect("followed");
    let request = received(&target).await;
    assert_eq!(request.url.path(), "/elsewhere");
    assert_eq!(request.url.query(), None);
    assert_eq!(header(&request, "x-api-key"), None);
    assert_eq!(header(&request, "authorization"), None);

    let same = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/either"))
        .respond_with(ResponseTemplate::new(308).insert_header("Location", "/moved"))
        .mount(&same)
        .await;
    Mock::given(wiremock::matchers::path("/moved"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&same)
        .await;
    let client = builder(&same)
        .api_key("queryKey", "q")
        .api_key("headerKey", "h")
        .build()
        .expect("a client");
    client.either().get().send().await.expect("followed");
    let requests = same.received_requests().await.unwrap_or_default();
    let moved = requests.last().expect("the redirect followed");
    assert_eq!(moved.url.path(), "/moved");
    assert_eq!(moved.url.query(), Some("api_key=q"));
    assert_eq!(header(moved, "x-api-key"), Some("h".to_owned()));
}
