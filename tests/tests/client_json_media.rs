//! JSON of a declared media type (`fixtures/valid/json_variants.yaml`) is sent with that
//! `Content-Type` and asked for with that `Accept`.

use tests::fixtures::json_variants::client::{BearerToken, Client, Operation};

const ANNOTATION: &str = "application/vnd.example.annotation+json; charset=utf-8";

#[test]
fn a_declared_json_media_type_is_content_type_and_accept() {
    let client = Client::new(BearerToken::new("t"));
    // A POST that no other path extends is an action: a method of the client.
    let post = client.annotations_2("note").to_request().expect("builds");
    assert_eq!(post.headers()["content-type"], ANNOTATION);
    assert_eq!(post.headers()["accept"], ANNOTATION);
    assert_eq!(post.body(), br#"{"text":"note"}"#);
    let get = client.annotations().get().to_request().expect("builds");
    assert_eq!(get.headers()["accept"], "application/json; charset=utf-8");
}
