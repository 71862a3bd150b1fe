//! `multipart/form-data` bodies, typed: the generated client sends a form of the multipart
//! fixture to the generated server on loopback, which hands its handler the same form: text,
//! number, open enum, JSON field, a file with its name and content type and bytes that look
//! like a delimiter or are not UTF-8, and a list of files as repeated parts. A malformed body
//! is a 400 that says what is wrong; a schema that is not an object stays a `MultipartBody`.
//! A file streamed from a `Stream` or a reader (32 MiB, made chunk by chunk) arrives intact; it
//! is sent once (no retry after a 503 or a timeout, no re-send on a 307), and a stream that
//! fails cuts the request off with `Error::RequestBody`.

use futures_util::StreamExt;
use openapi_client_runtime::{BearerToken, Error, RetryPolicy};
use std::sync::{Arc, Mutex};
use tests::fixtures::multipart::client::Client;
use tests::fixtures::multipart::server::*;
use tests::fixtures::multipart::{
    FilePart, Meta, Receipt, SetRequestBodyForm, UploadForm, from_str,
};

/// Keeps each form it receives.
#[derive(Clone, Default)]
struct Inbox(
    Arc<Mutex<Vec<UploadForm>>>,
    Arc<Mutex<Vec<SetRequestBodyForm>>>,
);

impl Inbox {
    fn take(&self) -> Vec<UploadForm> {
        std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Api for Inbox {
    async fn documents_upload(
        &self,
        request: DocumentsUploadRequest,
        _: Context,
    ) -> Result<DocumentsUploadResponse, Failure> {
        let receipt: Receipt = from_str(&format!(
            r#"{{"fileSize": {}}}"#,
            request.body.file.bytes.len()
        ))
        .expect("a receipt");
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request.body);
        Ok(DocumentsUploadResponse::Ok { body: receipt })
    }

    async fn documents_replace(
        &self,
        request: DocumentsReplaceRequest,
        _: Context,
    ) -> Result<DocumentsReplaceResponse, Failure> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request.body);
        Ok(DocumentsReplaceResponse::NoContent)
    }

    async fn avatars_set(
        &self,
        request: AvatarsSetRequest,
        _: Context,
    ) -> Result<AvatarsSetResponse, Failure> {
        if let Some(form) = request.body {
            self.1
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(form);
        }
        Ok(AvatarsSetResponse::NoContent)
    }
}

/// The generated server over `inbox` on a loopback port, with a body limit of 64 MiB; its
/// base URL.
async fn serve_inbox(inbox: Inbox) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("an address");
    let app = router_with(inbox, Settings::default().body_limit(64 * 1024 * 1024));
    tokio::spawn(serve(listener, app, ServeSettings::default()));
    format!("http://{address}")
}

fn client(base_url: &str) -> Client {
    Client::builder(BearerToken::new("test-token"))
        .base_url(base_url)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

fn upload(file: FilePart, attachments: Vec<FilePart>) -> UploadForm {
    UploadForm {
        title: "Quarterly \"report\"\r\n".to_owned(),
        pages: Some(12),
        kind: Some("memo".into()),
        meta: Some(from_str::<Meta>(r#"{"author": "Ann", "reviewed": true}"#).expect("meta")),
        file,
        attachments: Some(attachments),
        tags: Some(vec!["a".to_owned(), "007".to_owned()]),
    }
}

#[tokio::test]
async fn a_form_arrives_with_its_fields_and_files_intact() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    // Bytes that look like a delimiter, a CRLF, and bytes that are not UTF-8.
    let mut pdf = b"%PDF\r\n--\r\n--graph-\r\n\r\n".to_vec();
    pdf.extend(0..=255_u8);
    let file = FilePart::new(pdf.clone())
        .file_name("q3 \"final\".pdf")
        .content_type("application/x-pdf");
    let attachments = vec![
        FilePart::new(b"one".to_vec()).file_name("1.txt"),
        FilePart::new(vec![0xff, 0xfe, 0x00]),
    ];
    let sent = upload(file, attachments);
    let receipt = client(&base)
        .documents()
        .post(sent.clone())
        .send()
        .await
        .expect("uploaded");
    assert_eq!(receipt.file_size, Some(pdf.len() as i64));
    let received = inbox.take();
    assert_eq!(received.len(), 1);
    let mut expected = sent;
    // A file without a content type is sent with the document's `encoding.contentType`.
    if let Some(attachments) = &mut expected.attachments {
        for a in attachments {
            a.content_type = Some("text/plain".to_owned());
        }
    }
    assert_eq!(received[0], expected);
    assert_eq!(received[0].file.bytes, pdf);
}

#[tokio::test]
async fn absent_optional_parts_stay_absent_and_a_default_content_type_applies() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let form = UploadForm {
        title: "t".to_owned(),
        pages: None,
        kind: None,
        meta: None,
        file: FilePart::new(b"x".to_vec()),
        attachments: None,
        tags: None,
    };
    client(&base)
        .documents()
        .by_id("d1")
        .put(form.clone())
        .send()
        .await
        .expect("replaced");
    let received = inbox.take();
    let mut expected = form;
    expected.file.content_type = Some("application/pdf".to_owned());
    assert_eq!(received, [expected]);
}

#[tokio::test]
async fn a_file_of_several_megabytes_arrives_intact() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let mut big = Vec::with_capacity(8 * 1024 * 1024);
    let mut state = 0x2545_f491_u32;
    while big.len() < 8 * 1024 * 1024 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        big.extend_from_slice(&state.to_le_bytes());
    }
    let form = upload(FilePart::new(big.clone()).file_name("big.bin"), Vec::new());
    client(&base)
        .documents()
        .post(form)
        .send()
        .await
        .expect("uploaded");
    let received = inbox.take();
    assert_eq!(received.len(), 1);
    assert!(received[0].file.bytes == big, "the file changed on the way");
    assert_eq!(
        received[0].attachments, None,
        "no attachment parts were sent"
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_400_saying_what_is_wrong() {
    let base = serve_inbox(Inbox::default()).await;
    let http = reqwest::Client::new();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT",
            "the multipart body ends before its closing delimiter",
        ),
        (
            "multipart/form-data",
            b"--b--",
            "a multipart body's `Content-Type` needs a boundary",
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n--b--",
            "the multipart body: the part `file` is missing",
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nF\r\n--b\r\nContent-Disposition: form-data; name=\"pages\"\r\n\r\nmany\r\n--b--",
            "the multipart body: the part `pages` does not decode",
        ),
    ];
    for (content_type, body, message) in cases {
        let response = http
            .post(format!("{base}/documents"))
            .header("content-type", content_type)
            .body(body.to_vec())
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 400, "{message}");
        let text = response.text().await.expect("a body");
        assert!(text.contains(message), "{text} lacks {message}");
    }
}

#[tokio::test]
async fn an_inline_form_with_a_3_1_content_media_type_is_a_file() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let form = SetRequestBodyForm {
        image: Some(FilePart::new(vec![0x89, b'P', b'N', b'G']).content_type("image/png")),
        caption: None,
    };
    client(&base)
        .avatars(form.clone())
        .send()
        .await
        .expect("set");
    let received = std::mem::take(&mut *inbox.1.lock().expect("not poisoned"));
    assert_eq!(received, [form]);
}

/// A deterministic file of `chunks` chunks of 64 KiB (xorshift), made one chunk at a time as
/// the client reads it, never whole.
fn generated_chunks(
    chunks: usize,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::iter((0..chunks).map(|i| Ok(generated_chunk(i))))
}

fn generated_chunk(index: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_u32 ^ (index as u32).wrapping_mul(0x85eb_ca6b) | 1;
    let mut chunk = Vec::with_capacity(64 * 1024);
    while chunk.len() < 64 * 1024 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        chunk.extend_from_slice(&state.to_le_bytes());
    }
    chunk
}

/// FNV-1a, to compare 32 MiB without a second copy.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[tokio::test]
async fn a_32_mib_file_streamed_chunk_by_chunk_arrives_intact() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let chunks = 512; // 32 MiB
    let file = FilePart::from_stream(generated_chunks(chunks)).file_name("big.bin");
    assert!(file.is_streamed() && file.bytes.is_empty());
    let receipt = client(&base)
        .documents()
        .post(upload(file, vec![FilePart::new(b"beside".to_vec())]))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(receipt.file_size, Some(32 * 1024 * 1024));
    let received = inbox.take();
    assert_eq!(received.len(), 1);
    let got = &received[0].file;
    assert_eq!(got.bytes.len(), 32 * 1024 * 1024);
    assert_eq!(got.file_name.as_deref(), Some("big.bin"));
    assert_eq!(got.content_type.as_deref(), Some("application/pdf"));
    let expected = (0..chunks).fold(0xcbf2_9ce4_8422_2325, |h, i| fnv(h, &generated_chunk(i)));
    assert_eq!(fnv(0xcbf2_9ce4_8422_2325, &got.bytes), expected);
    assert_eq!(got.bytes[..16], generated_chunk(0)[..16]);
    assert_eq!(
        got.bytes[got.bytes.len() - 7..],
        generated_chunk(511)[64 * 1024 - 7..]
    );
    // The parts after the stream follow it intact.
    let attachments = received[0].attachments.as_deref().expect("attachments");
    assert_eq!(attachments[0].bytes, b"beside");
    assert_eq!(
        received[0].tags.as_deref(),
        Some(&["a".to_owned(), "007".to_owned()][..])
    );
}

#[tokio::test]
async fn a_file_from_a_reader_with_its_length_arrives_intact() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let content: Vec<u8> = (0..300_000_u32).map(|i| (i % 251) as u8).collect();
    let reader = std::io::Cursor::new(content.clone());
    let file = FilePart::from_reader(reader, Some(content.len() as u64)).content_type("image/png");
    client(&base)
        .avatars(SetRequestBodyForm {
            image: Some(file),
            caption: Some("me".to_owned()),
        })
        .send()
        .await
        .expect("set");
    let received = std::mem::take(&mut *inbox.1.lock().expect("not poisoned"));
    let image = received[0].image.as_ref().expect("an image");
    assert!(image.bytes == content, "the file changed on the way");
    assert_eq!(image.content_type.as_deref(), Some("image/png"));
    assert_eq!(received[0].caption.as_deref(), Some("me"));
}

#[tokio::test]
async fn a_stream_that_fails_midway_is_a_request_body_error_and_nothing_arrives() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let failing = generated_chunks(3).chain(futures_util::stream::iter([Err(
        std::io::Error::other("disk\ngone"),
    )]));
    let form = upload(FilePart::from_stream(failing), Vec::new());
    let error = client(&base)
        .documents()
        .post(form)
        .send()
        .await
        .expect_err("cut off");
    assert!(matches!(error, Error::RequestBody(_)), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("the request body failed: the stream of part `file` failed after 196608 bytes: disk\\ngone"),
        "{text}"
    );
    assert_eq!(error.request().map(|r| r.attempts), Some(1));
    let source = std::error::Error::source(&error).and_then(std::error::Error::source);
    assert_eq!(
        source.map(ToString::to_string).as_deref(),
        Some("disk\ngone")
    );
    // A stream shorter than it declared is cut off too.
    let short = FilePart::from_stream_with_length(generated_chunks(1), 64 * 1024 + 1);
    let error = client(&base)
        .documents()
        .post(upload(short, Vec::new()))
        .send()
        .await
        .expect_err("too short");
    assert!(
        error
            .to_string()
            .contains("the stream of part `file` gave 65536 bytes, but declared 65537"),
        "{error}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(inbox.take().is_empty(), "the server saw a complete request");
}

#[tokio::test]
async fn a_streamed_upload_is_sent_once_never_retried_nor_re_sent_by_a_redirect() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/documents/d1"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/documents"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/elsewhere"))
        .mount(&server)
        .await;
    let clock = tests::FakeClock::new();
    let retrying = Client::builder(BearerToken::new("test-token"))
        .base_url(server.uri())
        .clock(clock.clone())
        .retry(RetryPolicy::default())
        .build()
        .expect("valid");
    let count = |method: &'static str| {
        let server = &server;
        async move {
            let requests = server.received_requests().await.unwrap_or_default();
            requests
                .iter()
                .filter(|r| r.method.as_str() == method)
                .count()
        }
    };
    // In memory, the idempotent PUT is retried after a 503 ...
    let in_memory = upload(FilePart::new(b"x".to_vec()), Vec::new());
    let error = retrying.documents().by_id("d1").put(in_memory).send().await;
    assert_eq!(
        error.expect_err("503").status().map(|s| s.as_u16()),
        Some(503)
    );
    let retried = count("PUT").await;
    assert!(retried > 1, "in memory, it was sent {retried} times");
    // ... but a streamed one is sent once, and its 503 returned.
    let streamed = FilePart::from_stream_with_length(generated_chunks(2), 128 * 1024);
    let streamed = upload(streamed, Vec::new());
    let error = retrying
        .documents()
        .by_id("d1")
        .put(streamed.clone())
        .send()
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.request().map(|r| r.attempts), Some(1));
    assert_eq!(count("PUT").await, retried + 1);
    // Its length was declared, so the body has a `Content-Length`.
    let requests = server.received_requests().await.unwrap_or_default();
    let last = requests.last().expect("a request");
    let length = last.headers.get("content-length").map(|v| v.as_bytes());
    assert_eq!(length, Some(last.body.len().to_string().as_bytes()));
    assert!(last.body.len() > 128 * 1024);
    // Its stream was read: a clone of the form cannot be sent again.
    let again = retrying.documents().by_id("d1").put(streamed).send().await;
    let again = again.expect_err("read once").to_string();
    assert!(
        again.contains("the stream of part `file` was sent already"),
        "{again}"
    );
    assert_eq!(count("PUT").await, retried + 1);
    // A 307 would re-send the stream: it is the answer, not followed.
    let streamed = upload(FilePart::from_stream(generated_chunks(2)), Vec::new());
    let error = retrying.documents().post(streamed).send().await;
    assert_eq!(
        error.expect_err("307").status().map(|s| s.as_u16()),
        Some(307)
    );
    assert_eq!(count("POST").await, 1);
    let requests = server.received_requests().await.unwrap_or_default();
    let post = requests.last().expect("the POST");
    assert!(post.headers.get("content-length").is_none(), "chunked");
    // A 303 drops the body (a GET follows), so it is followed.
    Mock::given(method("POST"))
        .and(path("/avatars"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/done"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/done"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let avatar = SetRequestBodyForm {
        image: Some(FilePart::from_stream(generated_chunks(1))),
        caption: None,
    };
    retrying
        .avatars(avatar)
        .send()
        .await
        .expect("followed to a 204");
    assert_eq!(count("GET").await, 1);
    // With a declared length too: the GET carries neither the body nor its length.
    let avatar = SetRequestBodyForm {
        image: Some(FilePart::from_stream_with_length(
            generated_chunks(1),
            64 * 1024,
        )),
        caption: None,
    };
    retrying
        .avatars(avatar)
        .send()
        .await
        .expect("followed to a 204");
    assert_eq!(count("GET").await, 2);
    let requests = server.received_requests().await.unwrap_or_default();
    let get = requests.last().expect("the GET");
    assert_eq!(get.method.as_str(), "GET");
    let length = get.headers.get("content-length").map(|v| v.as_bytes());
    assert!(length.is_none() || length == Some(b"0"), "{length:?}");
    assert!(clock.sleeps().len() == retried - 1, "{:?}", clock.sleeps());
}

#[tokio::test]
async fn backslashes_in_names_arrive_as_sent() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let file = FilePart::new(b"x".to_vec()).file_name("C:\\dir\\");
    let attachments = vec![FilePart::new(b"y".to_vec()).file_name("a\\b \"c\".txt")];
    let sent = upload(file, attachments);
    client(&base)
        .documents()
        .post(sent.clone())
        .send()
        .await
        .expect("uploaded");
    let received = inbox.take();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].file.file_name.as_deref(), Some("C:\\dir\\"));
    let attachments = received[0].attachments.as_deref().unwrap_or_default();
    assert_eq!(
        attachments.first().and_then(|a| a.file_name.as_deref()),
        Some("a\\b \"c\".txt")
    );
}

#[test]
fn a_streamed_part_has_no_request_to_build_without_sending() {
    use openapi_client_runtime::Operation;
    let form = upload(FilePart::from_stream(generated_chunks(1)), Vec::new());
    let error = client("http://127.0.0.1:1")
        .documents()
        .post(form.clone())
        .to_request()
        .expect_err("no bytes to build");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("the part `file` is streamed, so the request has no bytes to build"),
        "{error}"
    );
    // A clone shares the stream and equals the form; another stream does not.
    assert_eq!(form.clone(), form);
    let other = upload(FilePart::from_stream(generated_chunks(1)), Vec::new());
    assert_ne!(other, form);
    // In-memory parts still build.
    let built = client("http://127.0.0.1:1")
        .documents()
        .post(upload(FilePart::new(b"x".to_vec()), Vec::new()))
        .to_request()
        .expect("built");
    assert!(!built.body().is_empty());
}

#[tokio::test]
async fn a_stream_that_never_yields_ends_in_the_timeout_not_a_hang() {
    let inbox = Inbox::default();
    let base = serve_inbox(inbox.clone()).await;
    let stalled = generated_chunks(1).chain(futures_util::stream::pending());
    let client = Client::builder(BearerToken::new("test-token"))
        .base_url(&base)
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .expect("valid");
    let error = client
        .documents()
        .by_id("d1")
        .put(upload(FilePart::from_stream(stalled), Vec::new()))
        .send()
        .await
        .expect_err("timed out");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    // Idempotent as the PUT is, the stream was read: one attempt.
    assert_eq!(error.request().map(|r| r.attempts), Some(1));
    assert!(inbox.take().is_empty());
}
