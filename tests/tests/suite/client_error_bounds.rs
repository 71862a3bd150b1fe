//! Whatever a server sends, the client's errors print short, one-line text: a 10 MB value of
//! the wrong type, a 10 MB error message or page, a huge next link, shown cut and escaped in
//! `Display`, in `Debug` and down the source chain, and kept whole in the fields.

use graph_presence_client::{Error, RetryPolicy};
use serde_json::json;
use std::error::Error as _;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The most bytes an error's `Display` may have.
const DISPLAY_BOUND: usize = 1_000;
/// The most bytes an error's `Debug` may have (it adds the headers and the body's start).
const DEBUG_BOUND: usize = 4_000;

/// A 10 MB string that opens with a terminal sequence, a line break and a bidi override.
fn hostile() -> String {
    format!(
        "\u{1b}]0;pwned\u{7}\r\nforged\u{202e}{}",
        "x".repeat(10_000_000)
    )
}

/// Short, and no raw control or bidi-override character: the error, its `Debug` and every
/// source in its chain.
fn assert_bounded(error: &Error) {
    let shown = |text: &str, bound: usize| {
        assert!(text.len() < bound, "{} bytes: {}", text.len(), &text[..300]);
        assert!(
            !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{text:?}"
        );
    };
    shown(&error.to_string(), DISPLAY_BOUND);
    shown(&format!("{error:?}"), DEBUG_BOUND);
    let mut source = error.source();
    while let Some(cause) = source {
        shown(&cause.to_string(), DISPLAY_BOUND);
        source = cause.source();
    }
}

/// What `GET /me/presence` gives when the server answers `status` with `body`.
async fn error_for(status: u16, body: String, content_type: &str) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, content_type))
        .mount(&server)
        .await;
    let client = tests::local_graph(&server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    client
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("fails")
}

#[tokio::test]
async fn a_huge_string_of_the_wrong_type_in_a_success_is_a_short_decode_error() {
    let body = json!({"id": "a", "outOfOfficeSettings": hostile()}).to_string();
    let error = error_for(200, body.clone(), "application/json").await;
    assert_bounded(&error);
    let Error::Decode(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failure.source.path(), "outOfOfficeSettings");
    assert_eq!(failure.source.column(), body.len() - 1);
    assert_eq!(failure.body, body.as_bytes(), "the body is kept whole");
}

#[tokio::test]
async fn a_graph_error_with_a_huge_message_is_short() {
    // Under the 16 MiB limit: the message is 10 MB, the other strings 1 MB each.
    let short: String = hostile().chars().take(1_000_000).collect();
    let body = json!({"error": {
        "code": short, "message": hostile(),
        "innerError": {"request-id": short}, "details": [{"message": short}],
    }})
    .to_string();
    let error = error_for(404, body, "application/json").await;
    assert_bounded(&error);
    assert!(
        matches!(&error, Error::Api(e) if e.message == hostile()),
        "the message is kept whole"
    );
}

#[tokio::test]
async fn a_huge_page_that_is_not_a_graph_error_is_short() {
    let error = error_for(502, hostile(), "text/html").await;
    assert_bounded(&error);
    assert!(matches!(&error, Error::UnexpectedBody(e) if e.body == hostile().as_bytes()));
}

#[test]
fn a_huge_text_body_that_does_not_parse_is_short() {
    let response = http::Response::builder()
        .status(200)
        .body(hostile().into_bytes())
        .expect("a response");
    let error =
        openapi_client_runtime::__private::text_response::<i64>(response).expect_err("not a count");
    assert_bounded(&error);
}

#[tokio::test]
async fn a_huge_next_link_is_short() {
    let server = MockServer::start().await;
    let link = format!("http://[::1{}", hostile());
    let page = json!({"value": [{"id": "a"}], "@odata.nextLink": link});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let client = tests::local_graph(&server.uri()).build().expect("valid");
    let mut pages = client.communications().presences().get().pages();
    pages.next().await.expect("a page").expect("the first page");
    let error = pages
        .next()
        .await
        .expect("an error")
        .expect_err("not followed");
    assert_bounded(&error);
    assert!(matches!(&error, Error::NextLink(e) if e.link == link));
}
