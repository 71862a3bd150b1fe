//! Media types sent as the document declares them: JSON of another media type
//! (`fixtures/valid/json_variants.yaml`) with that `Content-Type` and `Accept`, and a key that
//! is not a media type (`invalid_media_type.yaml`, a warning) as bytes with it.

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

#[test]
fn a_key_that_is_not_a_media_type_is_bytes_sent_with_it() {
    use tests::fixtures::invalid_media_type::client::Client as UploadClient;
    let client = UploadClient::new(BearerToken::new("t"));
    let request = client
        .uploads(b"--x\r\n".to_vec())
        .to_request()
        .expect("builds");
    assert_eq!(request.headers()["content-type"], "form-data");
    assert_eq!(request.body(), b"--x\r\n");
}
