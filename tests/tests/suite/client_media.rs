//! Bodies that are not JSON, against a real HTTP server on loopback (wiremock), through the
//! client generated from `fixtures/valid/media_types.yaml`: a text `$count` decoded as its
//! integer, text and bytes in and out unchanged, a form body encoded, and the media types sent
//! (`Content-Type` from the document, `Accept` for what the operation answers with), and a
//! success status declared without a body read as `None`.

use serde_json::json;
use tests::fixtures::media_types::client::{
    BearerToken, Client, Error, MultipartBody, RetryPolicy,
};
use tests::fixtures::media_types::{Note, Token};
use wiremock::matchers::{body_bytes, body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_for(server: &MockServer) -> Client {
    Client::builder(BearerToken::new("test-token"))
        .base_url(format!("{}/v1.0", server.uri()))
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

/// Every byte value, so nothing is read as text on the way.
fn all_bytes() -> Vec<u8> {
    (0..=255).collect()
}

#[tokio::test]
async fn a_text_count_decodes_as_its_integer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/$count"))
        .and(header("accept", "text/plain"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("1234", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let count: i32 = client_for(&server)
        .users()
        .count()
        .get()
        .send()
        .await
        .expect("a count");
    assert_eq!(count, 1234);
}

#[tokio::test]
async fn a_text_count_that_is_not_an_integer_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/$count"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("lots", "text/plain"))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .users()
        .count()
        .get()
        .send()
        .await
        .expect_err("not an integer");
    let Error::Text(failure) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (failure.status.as_u16(), failure.body.as_slice()),
        (200, &b"lots"[..])
    );
    assert_eq!(failure.expected, "i32");
}

#[tokio::test]
async fn text_goes_out_and_comes_back_as_text() {
    let server = MockServer::start().await;
    let name = "Adele Vance & co — ✓";
    Mock::given(method("PUT"))
        .and(path("/v1.0/users/a%2Fb/displayName"))
        .and(header("content-type", "text/plain"))
        .and(body_string(name))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/a%2Fb/displayName"))
        .and(header("accept", "text/plain; charset=utf-8"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(name, "text/plain; charset=utf-8"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let user = client.users().by_id("a/b");
    user.display_name().put(name).send().await.expect("set");
    let read = user.display_name().get().send().await.expect("read");
    assert_eq!(read, name);
}

#[tokio::test]
async fn bytes_go_out_and_come_back_unchanged() {
    let server = MockServer::start().await;
    let photo = all_bytes();
    let kept: Vec<u8> = photo.iter().rev().copied().collect();
    Mock::given(method("PUT"))
        .and(path("/v1.0/users/u1/photo/$value"))
        .and(header("content-type", "image/png"))
        .and(header("accept", "application/octet-stream"))
        .and(body_bytes(photo.clone()))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(kept.clone(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/u1/photo/$value"))
        .and(header("accept", "image/*"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(photo.clone(), "image/png"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/downloads/report-1"))
        .and(header("accept", "*/*"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(kept.clone(), "application/x-anything"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let value = client.users().by_id("u1").photo().value();
    let answered = value.put(photo.clone()).send().await.expect("put");
    assert_eq!(answered, kept);
    assert_eq!(value.get().send().await.expect("get"), photo);
    let download = client
        .downloads()
        .by_id("report-1")
        .get()
        .send()
        .await
        .expect("download");
    assert_eq!(download, kept);
}

#[tokio::test]
async fn a_form_body_is_encoded_and_sent_as_a_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/tokens"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        // The response's media type as the document declares it.
        .and(header("accept", "application/json; charset=utf-8"))
        .and(body_string(
            "grant_type=urn%3Aietf%3Aparams+x&scope=User.Read+Mail.Send&attempts=3",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"t0k"}"#,
            "application/json; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let token: Token = client_for(&server)
        .tokens("urn:ietf:params x")
        .scope("User.Read Mail.Send")
        .attempts(3)
        .send()
        .await
        .expect("a token");
    assert_eq!(token.access_token, "t0k");
}

#[tokio::test]
async fn a_status_declared_without_a_body_is_none_and_json_is_chosen_over_xml() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    Mock::given(method("POST"))
        .and(path("/v1.0/notes"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"text": "hello"})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_raw(r#"{"text":"kept"}"#, "application/problem+json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created: Option<Note> = client.notes("hello").send().await.expect("created");
    assert_eq!(created.map(|n| n.text), Some("kept".to_owned()));

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/notes"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let accepted = client.notes("hello").send().await.expect("accepted");
    assert_eq!(accepted, None, "202 is declared without a body");
}

#[tokio::test]
async fn another_request_media_type_is_sent_as_bytes_when_chosen() {
    let server = MockServer::start().await;
    let xml = b"<note><text>hello</text></note>".to_vec();
    Mock::given(method("POST"))
        .and(path("/v1.0/notes"))
        .and(header("content-type", "application/xml"))
        .and(body_bytes(xml.clone()))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let accepted = client_for(&server)
        .notes("ignored")
        .body_xml(xml)
        .send()
        .await
        .expect("accepted");
    assert_eq!(accepted, None);
}

#[tokio::test]
async fn another_response_media_type_is_asked_for_and_comes_back_as_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/archive/n1"))
        .and(header("accept", "application/xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<note/>", "application/xml"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/archive/n1"))
        .and(header("accept", "application/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"text":"json"}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let xml = client
        .archive()
        .by_id("n1")
        .get()
        .accept_xml()
        .send_with_response()
        .await
        .expect("xml");
    assert_eq!(xml.headers()["content-type"], "application/xml");
    assert_eq!(xml.body(), b"<note/>");
    let note: Note = client
        .archive()
        .by_id("n1")
        .get()
        .send()
        .await
        .expect("json");
    assert_eq!(note.text, "json");
}

/// `.await` on a request for another media type sends it, as `send()` does.
#[tokio::test]
async fn another_media_type_can_be_awaited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/archive/n1"))
        .and(header("accept", "application/xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<note/>", "application/xml"))
        .expect(1)
        .mount(&server)
        .await;
    let xml = tokio::spawn(
        client_for(&server)
            .archive()
            .by_id("n1")
            .get()
            .accept_xml()
            .into_future(),
    );
    assert_eq!(xml.await.expect("joins").expect("xml"), b"<note/>");
}

#[tokio::test]
async fn a_multipart_body_is_sent_with_its_boundary() {
    let server = MockServer::start().await;
    let encoded =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nbytes\r\n--XyZ--\r\n";
    Mock::given(method("POST"))
        .and(path("/v1.0/uploads"))
        .and(header(
            "content-type",
            "multipart/form-data; boundary=\"XyZ\"",
        ))
        .and(body_bytes(encoded.to_vec()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client_for(&server)
        .uploads(MultipartBody::new("XyZ", encoded.to_vec()))
        .send()
        .await
        .expect("uploaded");
    let refused = client_for(&server)
        .uploads(MultipartBody::new("bad\r\nboundary", Vec::new()))
        .send()
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidRequest(_))),
        "{refused:?}"
    );
}
