//! Header, cookie and colliding parameters (`fixtures/valid/parameters.yaml`) and the paths
//! of `fixtures/valid/paths.yaml` (the root, a dotted action, `$count`, operations without an
//! operationId), built without a network: the requests are snapshotted, and a header value
//! that would inject a header is an error, not a panic.

use tests::fixtures::parameters::client::{BearerToken, Client, Error, Operation};
use tests::fixtures::parameters::{Message, required};
use tests::fixtures::paths::client::Client as PathsClient;

const ID: &str = "00000000-0000-4000-8000-000000000000";

fn client() -> Client {
    Client::builder(BearerToken::new("secret-token"))
        .base_url("https://example.com/v1.0")
        .build()
        .expect("valid base URL")
}

/// Method, URL, sorted headers and the body as text.
fn printable(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<String> = request
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    out.push_str(&headers.join("\n"));
    if !request.body().is_empty() {
        out.push_str("\n\n");
        out.push_str(&String::from_utf8_lossy(request.body()));
    }
    out
}

#[test]
fn required_headers_and_cookies_are_arguments_and_optional_ones_setters() {
    let request = client()
        .users()
        .by_id("user 1")
        .messages()
        .by_id("m/1")
        .patch(
            "W/\"etag\"",
            "s3ss;on é",
            required::Message {
                subject: "Hello".into(),
                if_match: "a body field named like a header".into(),
            },
        )
        .prefer("return=minimal")
        .id_query("in the query")
        .id_header(7_i64)
        .theme("dark")
        .importance("high")
        .client_request_id(ID)
        .to_request()
        .expect("builds");
    insta::assert_snapshot!("update_message", printable(&request));
}

#[test]
fn non_string_headers_are_written_as_openapi_simple_style() {
    let request = client()
        .users()
        .get("eventual", 10)
        .x_retry(true)
        .x_max(-3)
        .x_ratio(0.5)
        .x_tags(["a", "b c"])
        .client_query("c")
        .body_query("b")
        .send_header("s")
        .client_request_id_query("q")
        .type_("t")
        .self_("me")
        .new_query("n")
        .client_request_id(ID)
        .to_request()
        .expect("builds");
    insta::assert_snapshot!("list_users", printable(&request));
}

#[test]
fn a_header_value_that_would_inject_a_header_is_an_error() {
    for bad in ["x\r\nAuthorization: stolen", "x\ny", "x\0"] {
        let built = client()
            .users()
            .by_id("u")
            .messages()
            .by_id("m")
            .patch(
                bad,
                "s",
                required::Message {
                    subject: "subject".into(),
                    if_match: "f".into(),
                },
            )
            .to_request();
        let Err(Error::InvalidRequest(message)) = built else {
            panic!("{bad:?} is refused when the request is built");
        };
        assert!(message.contains("If-Match"), "{message}");
        assert!(
            !message.contains("stolen"),
            "the value is not echoed: {message}"
        );
    }
    let built = client().users().get("eventual\r\nX: 1", 1).to_request();
    assert!(matches!(built, Err(Error::InvalidRequest(_))));
}

#[test]
fn the_body_keeps_its_fields_beside_the_parameters() {
    let message = Message::new(required::Message {
        subject: "s".into(),
        if_match: "m".into(),
    })
    .importance("low");
    let request = client()
        .users()
        .by_id("u")
        .messages()
        .by_id("m")
        .patch(
            "e",
            "s",
            required::Message {
                subject: "ignored".into(),
                if_match: "ignored".into(),
            },
        )
        .body(message)
        .to_request()
        .expect("builds");
    let body: serde_json::Value = serde_json::from_slice(request.body()).expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"subject": "s", "if_match": "m", "importance": "low"})
    );
}

#[test]
fn root_dotted_count_and_unnamed_paths() {
    let client: PathsClient = PathsClient::builder(BearerToken::new("secret-token"))
        .base_url("https://example.com/v1.0")
        .build()
        .expect("valid base URL");
    let requests = [
        client.get().to_request(),
        client.subscriptions().by_id("s1").get().to_request(),
        client.subscriptions().by_id("s1").delete().to_request(),
        client
            .subscriptions()
            .by_id("s1")
            .reauthorize()
            .to_request(),
        client.subscriptions().count().get().to_request(),
        client.things().get().to_request(),
        client.things_2().to_request(),
    ];
    let lines: Vec<String> = requests
        .into_iter()
        .map(|r| {
            let r = r.expect("builds");
            format!(
                "{} {} accept: {:?}",
                r.method(),
                r.uri(),
                r.headers()["accept"]
            )
        })
        .collect();
    insta::assert_snapshot!("paths", lines.join("\n"));
    let count = http::Response::builder()
        .status(200)
        .body(b"9007199254740993".to_vec())
        .expect("a response");
    let parsed: i64 = client
        .subscriptions()
        .count()
        .get()
        .parse_response(count)
        .expect("an i64")
        .into_body();
    assert_eq!(parsed, 9_007_199_254_740_993);
}
