//! Success bodies of `fixtures/valid/response_bodies.yaml` that the schema says little about
//! are kept: JSON without a schema is `RawJson`, `*/*` (as `default`, with no `2XX`) is bytes.

use tests::fixtures::response_bodies::RawJson;
use tests::fixtures::response_bodies::client::{BearerToken, Client, Operation};

fn client() -> Client {
    Client::new(BearerToken::new("t"))
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap_or_default()
}

#[test]
fn json_without_a_schema_is_kept_as_raw_json() {
    let body = r#"{"versions": [{"id": "v2"}]}"#;
    let versions = client().versions().get();
    let versions: RawJson = versions
        .parse_response(response(200, body))
        .expect("any JSON decodes")
        .into_body();
    assert_eq!(versions.get(), body);
    let anything = client().anything().get();
    let anything: RawJson = anything
        .parse_response(response(200, "[1, 2]"))
        .expect("decodes")
        .into_body();
    assert_eq!(anything.get(), "[1, 2]");
}

#[test]
fn a_default_star_body_is_bytes_and_a_redirect_gives_unit() {
    let stream = client().stream().get();
    let bytes: Vec<u8> = stream
        .parse_response(response(200, "\u{1}raw"))
        .expect("bytes")
        .into_body();
    assert_eq!(bytes, b"\x01raw");
    let fetch = client().exports().by_id("2026-01-01").get();
    let (): () = fetch
        .parse_response(response(200, ""))
        .expect("no body read")
        .into_body();
}
