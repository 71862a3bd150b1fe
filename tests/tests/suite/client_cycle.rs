//! Every operation, sent to a real HTTP server on loopback (wiremock): the server checks the
//! method, path, token, headers and body; the client decodes the documented response. Error
//! bodies (Graph's, the 429 sample, an HTML proxy page) become the right error values. The
//! subscription cycle, whose answers are Graph's behaviour rather than a documented example,
//! runs against the emulator (`emulator_subscriptions.rs`).

use graph_presence_client::{
    AccessToken, BearerToken, Client, Error, RetryPolicy, TokenFuture, TokenProvider,
};
use graph_presence_models::{Activity, Availability};
use serde_json::{Value, json};
use tests::root;
use wiremock::matchers::{body_json, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = "66825e03-7ef5-42da-9069-724602c31f6b";

fn example(file: &str) -> String {
    std::fs::read_to_string(root().join("schema/examples/beta").join(file)).expect("example")
}

/// No retries here: these tests are about each exchange (retries are in `client_faults.rs`).
fn client_for(server: &MockServer) -> Client {
    tests::local_graph_as(&server.uri(), BearerToken::new("test-token"))
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

/// Mounts a mock that answers one request to `verb path` (checking token and headers, and the
/// JSON body when given) with `status` and `body`.
async fn expect(
    server: &MockServer,
    verb: &str,
    route: &str,
    request_body: Option<Value>,
    status: u16,
    body: &str,
) {
    let mut mock = Mock::given(method(verb))
        .and(path(format!("/beta{route}")))
        .and(header("authorization", "Bearer test-token"))
        .and(header_exists("client-request-id"))
        .and(header("accept", "application/json"));
    if let Some(expected) = request_body {
        mock = mock
            .and(body_json(expected))
            .and(header("content-type", "application/json"));
    }
    let response =
        ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json");
    mock.respond_with(response).expect(1).mount(server).await;
}

#[tokio::test]
async fn get_operations_decode_the_documented_responses() {
    let server = MockServer::start().await;
    let client = client_for(&server);

    expect(
        &server,
        "GET",
        "/me/presence",
        None,
        200,
        &example("get-your-presence.response.json"),
    )
    .await;
    let me = client.me().presence().get().send().await.expect("me");
    assert_eq!(
        (me.id.as_str(), me.availability.as_option()),
        (
            "fa8bf3dc-eca7-46b7-bad1-db199b62afc3",
            Some(&Availability::Available)
        )
    );

    expect(
        &server,
        "GET",
        &format!("/users/{USER}/presence"),
        None,
        200,
        &example("get-user-presence.response.json"),
    )
    .await;
    let user = client
        .users()
        .by_id(USER)
        .presence()
        .get()
        .send()
        .await
        .expect("user");
    assert_eq!(user.activity.as_option(), Some(&Activity::Presenting));

    expect(
        &server,
        "GET",
        &format!("/communications/presences/{USER}"),
        None,
        200,
        &example("get-user-presence.response.json"),
    )
    .await;
    let by_id = client
        .communications()
        .presences()
        .by_id(USER)
        .get()
        .send()
        .await
        .expect("by id");
    assert_eq!(by_id.id, USER);

    Mock::given(method("GET"))
        .and(path("/beta/communications/presences"))
        .and(query_param(
            "$filter",
            "id in ('dc74d9bb-6afe-433d-8eaa-e39d80d3a647')",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            example("get-user-presences.response.json"),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let list = client
        .communications()
        .presences()
        .get()
        .filter("id in ('dc74d9bb-6afe-433d-8eaa-e39d80d3a647')")
        .send()
        .await
        .expect("list");
    assert_eq!(list.value.as_deref().map(<[_]>::len), Some(1));

    let ids = [
        "fa8bf3dc-eca7-46b7-bad1-db199b62afc3",
        "66825e03-7ef5-42da-9069-724602c31f6b",
    ];
    expect(
        &server,
        "POST",
        "/communications/getPresencesByUserId",
        Some(json!({"ids": ids})),
        200,
        &example("get-presence-multiple-users.response.json"),
    )
    .await;
    let response = client
        .communications()
        .get_presences_by_user_id(ids)
        .send_with_response()
        .await
        .expect("bulk");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let presences = response.body().value.as_deref().unwrap_or_default();
    assert_eq!(presences.len(), 2);
    assert_eq!(
        presences[1]
            .out_of_office_settings
            .as_option()
            .and_then(|o| o.is_out_of_office.as_option()),
        Some(&true)
    );
}

/// Every action, on every path, with 200 and with 204, both with no body.
#[tokio::test]
async fn every_action_succeeds_with_200_or_204_and_no_body() {
    let server = MockServer::start().await;
    let c = client_for(&server);
    let users = format!("/users/{USER}/presence");
    let comms = format!("/communications/presences/{USER}");
    let mut n = 0u16;
    let mut status = || {
        n += 1;
        if n.is_multiple_of(2) { 204 } else { 200 }
    };
    macro_rules! action {
        ($route:expr, $body:expr, $call:expr) => {{
            expect(&server, "POST", &$route, $body, status(), "").await;
            $call
                .send()
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", $route));
        }};
    }
    let presence = json!({"sessionId": "app", "availability": "Busy", "activity": "InACall", "expirationDuration": "PT5M"});
    let duration = || {
        "PT5M"
            .parse::<graph_presence_models::IsoDuration>()
            .expect("ISO 8601")
    };
    action!(
        "/me/presence/setPresence",
        Some(presence.clone()),
        c.me()
            .presence()
            .set_presence(Availability::Busy, Activity::InACall)
            .session_id("app")
            .expiration_duration(duration())
    );
    action!(
        format!("{users}/setPresence"),
        Some(presence),
        c.users()
            .by_id(USER)
            .presence()
            .set_presence("Busy", "InACall")
            .session_id("app")
            .expiration_duration(duration())
    );
    action!(
        "/me/presence/clearPresence",
        Some(json!({"sessionId": "app"})),
        c.me().presence().clear_presence().session_id("app")
    );
    action!(
        format!("{users}/clearPresence"),
        Some(json!({"sessionId": "app"})),
        c.users()
            .by_id(USER)
            .presence()
            .clear_presence()
            .session_id("app")
    );
    let preferred = json!({"availability": "DoNotDisturb", "activity": "DoNotDisturb"});
    action!(
        "/me/presence/setUserPreferredPresence",
        Some(preferred.clone()),
        c.me()
            .presence()
            .set_user_preferred_presence("DoNotDisturb", "DoNotDisturb")
    );
    action!(
        format!("{users}/setUserPreferredPresence"),
        Some(preferred),
        c.users()
            .by_id(USER)
            .presence()
            .set_user_preferred_presence("DoNotDisturb", "DoNotDisturb")
    );
    action!(
        "/me/presence/clearUserPreferredPresence",
        Some(json!({})),
        c.me().presence().clear_user_preferred_presence()
    );
    action!(
        format!("{users}/clearUserPreferredPresence"),
        Some(json!({})),
        c.users()
            .by_id(USER)
            .presence()
            .clear_user_preferred_presence()
    );
    let status_text: Value =
        serde_json::from_str(&example("setstatusmessage.request.json")).expect("json");
    let status_message = || {
        graph_presence_models::from_str::<graph_presence_models::SetStatusMessageRequestBody>(
            &example("setstatusmessage.request.json"),
        )
        .expect("decodes")
    };
    action!(
        "/me/presence/setStatusMessage",
        Some(status_text.clone()),
        c.me()
            .presence()
            .set_status_message()
            .body(status_message())
    );
    action!(
        format!("{users}/setStatusMessage"),
        Some(status_text),
        c.users()
            .by_id(USER)
            .presence()
            .set_status_message()
            .body(status_message())
    );
    let location =
        json!({"workLocationType": "office", "placeId": "eb706f15-137e-4722-b4d1-b601481d9251"});
    for prefix in ["/me/presence".to_owned(), users.clone(), comms.clone()] {
        expect(
            &server,
            "POST",
            &format!("{prefix}/setAutomaticLocation"),
            Some(location.clone()),
            status(),
            "",
        )
        .await;
        expect(
            &server,
            "POST",
            &format!("{prefix}/setManualLocation"),
            Some(json!({"workLocationType": "remote"})),
            status(),
            "",
        )
        .await;
        expect(
            &server,
            "POST",
            &format!("{prefix}/clearAutomaticLocation"),
            None,
            status(),
            "",
        )
        .await;
        expect(
            &server,
            "POST",
            &format!("{prefix}/clearLocation"),
            None,
            status(),
            "",
        )
        .await;
    }
    let place = "eb706f15-137e-4722-b4d1-b601481d9251";
    c.me()
        .presence()
        .set_automatic_location("office")
        .place_id(place)
        .send()
        .await
        .expect("me auto");
    c.me()
        .presence()
        .set_manual_location("remote")
        .send()
        .await
        .expect("me manual");
    c.me()
        .presence()
        .clear_automatic_location()
        .send()
        .await
        .expect("me clear auto");
    c.me()
        .presence()
        .clear_location()
        .send()
        .await
        .expect("me clear");
    let user = c.users().by_id(USER).presence();
    user.set_automatic_location("office")
        .place_id(place)
        .send()
        .await
        .expect("user auto");
    user.set_manual_location("remote")
        .send()
        .await
        .expect("user manual");
    user.clear_automatic_location()
        .send()
        .await
        .expect("user clear auto");
    user.clear_location().send().await.expect("user clear");
    let item = c.communications().presences().by_id(USER);
    item.set_automatic_location("office")
        .place_id(place)
        .send()
        .await
        .expect("comms auto");
    item.set_manual_location("remote")
        .send()
        .await
        .expect("comms manual");
    item.clear_automatic_location()
        .send()
        .await
        .expect("comms clear auto");
    item.clear_location().send().await.expect("comms clear");
    server.verify().await;
}

#[tokio::test]
async fn graph_error_bodies_become_graph_errors() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    expect(
        &server,
        "POST",
        "/me/presence/clearPresence",
        None,
        404,
        &example("example-error-response.json"),
    )
    .await;
    let Error::Api(error) = client
        .me()
        .presence()
        .clear_presence()
        .send()
        .await
        .expect_err("404")
    else {
        panic!("not a Graph error")
    };
    assert_eq!(
        (error.status.as_u16(), error.code.as_str()),
        (404, "invalidRange")
    );
    assert_eq!(
        error.message,
        "Uploaded fragment overlaps with existing data."
    );
    assert_eq!(
        error.request_id.as_deref(),
        Some("request-id"),
        "the docs' `requestId` spelling is read too"
    );
    assert_eq!(error.date.as_deref(), Some("date-time"));

    expect(
        &server,
        "GET",
        "/me/presence",
        None,
        429,
        &example("throttling-429-sample.response.json"),
    )
    .await;
    let Error::Api(error) = client.me().presence().get().send().await.expect_err("429") else {
        panic!("not a Graph error")
    };
    assert_eq!(
        (error.status.as_u16(), error.code.as_str()),
        (429, "TooManyRequests")
    );
    assert_eq!(
        error.request_id.as_deref(),
        Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
    );
    assert_eq!(error.date.as_deref(), Some("2020-08-18T12:51:51"));
    assert_eq!(
        error.error["innerError"]["status"], "429",
        "every field Graph sent is kept"
    );
    let typed: graph_presence_models::ODataError = error.decode().expect("decodes as the model");
    assert_eq!(typed.error.code, "TooManyRequests");
    insta::assert_snapshot!("error_display_429", Error::Api(error).to_string());
}

#[tokio::test]
async fn graph_error_with_request_ids_and_401() {
    let server = MockServer::start().await;
    let body = r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2023-09-04T05:47:56","request-id":"43067534-c43a-4df8-a4d1-30660b99ac76","client-request-id":"b041e97f-24d2-bf6a-1731-7e0de686464c"}}}"#;
    expect(&server, "GET", "/me/presence", None, 401, body).await;
    let error = client_for(&server)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("401");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let Error::Api(error) = error else {
        panic!("not a Graph error")
    };
    assert_eq!(
        error.client_request_id.as_deref(),
        Some("b041e97f-24d2-bf6a-1731-7e0de686464c")
    );
    assert_eq!(
        error.request_id.as_deref(),
        Some("43067534-c43a-4df8-a4d1-30660b99ac76")
    );
}

#[tokio::test]
async fn an_html_error_page_is_still_a_useful_error() {
    let server = MockServer::start().await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("502");
    let Error::UnexpectedBody(unexpected) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(unexpected.status, 502);
    assert_eq!(unexpected.content_type.as_deref(), Some("text/html"));
    assert_eq!(unexpected.body, page.as_bytes());
    insta::assert_snapshot!("error_display_html_502", error.to_string());
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_is_a_decode_error() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        "/me/presence",
        None,
        200,
        r#"{"availability": "Busy"}"#,
    )
    .await;
    let error = client_for(&server)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("no id");
    let Error::Decode(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failure.status, 200);
    assert_eq!(failure.body, br#"{"availability": "Busy"}"#);
    insta::assert_snapshot!("error_display_decode", error.to_string());
}

#[tokio::test]
async fn transport_and_auth_failures_are_their_own_variants() {
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
    assert!(matches!(
        client.me().presence().get().send().await,
        Err(Error::Connection(_))
    ));

    struct Failing;
    impl TokenProvider for Failing {
        fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
            Box::pin(async { Err("the identity service is down".into()) })
        }
    }
    let server = MockServer::start().await;
    let client = Client::builder(Failing)
        .base_url(server.uri())
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
    assert!(matches!(&error, Error::Auth(_)), "{error:?}");
    assert!(error.to_string().contains("identity service is down"));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn a_token_provider_is_asked_for_every_request() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counting(AtomicUsize);
    impl TokenProvider for Counting {
        fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok(AccessToken::new(format!("token-{n}"))) })
        }
    }
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(Counting(AtomicUsize::new(0)))
        .base_url(server.uri())
        .build()
        .expect("valid");
    client
        .me()
        .presence()
        .clear_location()
        .send()
        .await
        .expect("first");
    client
        .me()
        .presence()
        .clear_location()
        .send()
        .await
        .expect("second");
}
