//! `multipart/form-data` bodies, typed: the generated client sends a form of the multipart
//! fixture to the generated server on loopback, which hands its handler the same form: text,
//! number, open enum, JSON field, a file with its name and content type and bytes that look
//! like a delimiter or are not UTF-8, and a list of files as repeated parts. A malformed body
//! is a 400 that says what is wrong; a schema that is not an object stays a `MultipartBody`.

use graph_client_runtime::{BearerToken, RetryPolicy};
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
