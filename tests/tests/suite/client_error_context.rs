//! An error from `send()` or a paging stream names its request: the operation, the method,
//! the URL's path (never its query) and how many times it was sent; its source chain still
//! leads to the cause.

use graph_presence_client::{
    BearerToken, Client, Error, RequestInfo, RetryPolicy, TokenFuture, TokenProvider,
};
use serde_json::json;
use std::error::Error as _;
use tests::FakeClock;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Put in a query option: it must show nowhere in an error.
const SECRET: &str = "secret-in-the-query";

/// Every text an error gives: its `Display`, its `Debug` and each source's `Display`.
fn every_text(error: &Error) -> String {
    let mut text = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}"));
        source = cause.source();
    }
    text
}

fn request_of(error: &Error) -> &RequestInfo {
    error
        .request()
        .unwrap_or_else(|| panic!("no request: {error:?}"))
}

#[tokio::test]
async fn a_failure_after_retries_names_operation_method_path_and_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(
            r#"{"error":{"code":"serviceNotAvailable","message":"Try later."}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let client = tests::local_client(&server.uri(), &FakeClock::new());
    let error = client
        .communications()
        .presences()
        .get()
        .filter(format!("id eq '{SECRET}'"))
        .send()
        .await
        .expect_err("503 three times");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    let request = request_of(&error);
    assert_eq!(
        (
            request.operation_id,
            request.method.as_str(),
            request.path.as_str(),
            request.attempts
        ),
        (
            "communications_ListPresences",
            "GET",
            "/beta/communications/presences",
            3
        )
    );
    assert!(
        error.to_string().starts_with(
            "`communications_ListPresences` GET /beta/communications/presences, 3 attempts: HTTP 503"
        ),
        "{error}"
    );
    assert!(!every_text(&error).contains(SECRET), "{error:?}");
}

#[tokio::test]
async fn a_connection_error_names_its_request_and_keeps_its_cause() {
    // A port nothing listens on: bind, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let client = Client::builder(BearerToken::new("t"))
        .base_url(format!("http://127.0.0.1:{port}/beta"))
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = client
        .users()
        .by_id("u1")
        .presence()
        .get()
        .select([SECRET])
        .send()
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert!(
        error.to_string().starts_with(
            "`user_GetPresence` GET /beta/users/u1/presence, 1 attempt: connection error: "
        ),
        "{error}"
    );
    assert!(error.source().is_some(), "reqwest's error is the source");
    // reqwest's own text carries the URL; the client drops it (the query can hold ids).
    assert!(
        !every_text(&error).contains(SECRET),
        "{}",
        every_text(&error)
    );
}

#[tokio::test]
async fn a_token_failure_names_the_request_it_kept_from_being_sent() {
    struct Failing;
    impl TokenProvider for Failing {
        fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
            Box::pin(async { Err("the identity service is down".into()) })
        }
    }
    let server = MockServer::start().await;
    let client = tests::local_graph_as(&server.uri(), Failing)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = client
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("no token");
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "`me_GetPresence` GET /beta/me/presence, not sent: could not get an access token: the identity service is down"
    );
    let cause = error.source().map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("the identity service is down"));
}

#[tokio::test]
async fn a_request_refused_before_sending_names_its_operation() {
    let server = MockServer::start().await;
    let client = tests::local_graph(&server.uri()).build().expect("valid");
    let error = client
        .users()
        .by_id("")
        .presence()
        .get()
        .send()
        .await
        .expect_err("an empty id");
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m == "`user_GetPresence`: path parameter `user-id` is empty"),
        "{error:?}"
    );
    // A redirect to plain http off loopback is refused after the first attempt.
    Mock::given(path("/beta/me/presence"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", "http://graph.example/beta/me"),
        )
        .mount(&server)
        .await;
    let error = client
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::InvalidRequest(m)
            if m.starts_with("`me_GetPresence` GET /beta/me/presence, 1 attempt: refusing to send to `http://graph.example/beta/me`")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_next_link_names_the_request_whose_page_held_it() {
    let server = MockServer::start().await;
    let page = json!({
        "value": [{"id": "a"}],
        "@odata.nextLink": "https://elsewhere.example/beta/communications/presences?$skiptoken=2",
    });
    Mock::given(path("/beta/communications/presences"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let client = tests::local_client(&server.uri(), &FakeClock::new());
    let mut pages = client
        .communications()
        .presences()
        .get()
        .filter(format!("id eq '{SECRET}'"))
        .pages();
    pages.next().await.expect("a page").expect("the first page");
    let error = pages
        .next()
        .await
        .expect("an error")
        .expect_err("not followed");
    assert!(matches!(error, Error::NextLink(_)), "{error:?}");
    assert_eq!(request_of(&error).attempts, 1);
    assert!(
        error.to_string().starts_with(
            "`communications_ListPresences` GET /beta/communications/presences, 1 attempt: not following"
        ),
        "{error}"
    );
    assert!(!every_text(&error).contains(SECRET), "{error:?}");
}

/// The sans-IO reader sees no request: its error names none, and reads as it always did.
#[test]
fn a_response_read_without_sending_names_no_request() {
    let response = http::Response::builder()
        .status(200)
        .body(br#"{"availability": "Busy"}"#.to_vec())
        .expect("a response");
    let error =
        openapi_client_runtime::__private::json_response::<graph_presence_models::Presence>(
            response,
        )
        .expect_err("no id");
    assert!(error.request().is_none());
    assert_eq!(
        error.to_string(),
        "the 200 OK response body does not decode: missing field `id` at line 1 column 24"
    );
}
