use super::*;

/// The error of a response with this status and body (what every reader returns).
fn error_of(status: u16, body: &[u8]) -> Error {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html"),
    );
    let status = StatusCode::from_u16(status).expect("a status");
    from_response(status, headers, body.to_vec())
}

#[test]
fn a_request_is_its_operation_method_path_and_attempts() {
    let mut info = RequestInfo {
        operation_id: "me_GetPresence",
        method: Method::GET,
        path: "/beta/me/presence".to_owned(),
        attempts: 3,
    };
    assert_eq!(
        info.to_string(),
        "`me_GetPresence` GET /beta/me/presence, 3 attempts"
    );
    info.attempts = 1;
    assert!(info.to_string().ends_with(", 1 attempt"), "{info}");
    info.attempts = 0;
    assert!(info.to_string().ends_with(", not sent"), "{info}");
    info.operation_id = "";
    assert_eq!(info.to_string(), "GET /beta/me/presence, not sent");
    info.path = format!("/users/{}\u{1b}", "x".repeat(10_000));
    for text in [info.to_string(), format!("{info:?}")] {
        assert!(text.len() < 400, "{} bytes", text.len());
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
}

/// Without a request (the sans-IO readers), the text is what it always was.
#[test]
fn without_a_request_the_text_has_no_prefix() {
    let error = error_of(502, b"<h1>down</h1>");
    assert!(error.request().is_none());
    assert_eq!(
        error.to_string(),
        "HTTP 502 Bad Gateway with a body that is not an error object (text/html): <h1>down</h1>"
    );
}

/// Every body-carrying error shows its body as bounded, escaped text in `Debug` (not a
/// byte array), with its length; the fields keep it all.
#[test]
fn debug_shows_a_body_as_short_escaped_text() {
    let page = format!("<h1>\u{1b}[2J\r\n{}</h1>", "x".repeat(1_000_000));
    let error = error_of(502, page.as_bytes());
    let debug = format!("{error:?}");
    assert!(debug.len() < 2_000, "{} bytes", debug.len());
    assert!(!debug.chars().any(char::is_control), "{debug:?}");
    assert!(
        debug.contains(&format!("({} bytes)", page.len())),
        "{debug}"
    );
    assert!(
        debug.contains(r#"body: "<h1>\\u{1b}[2J\\r\\nxxx"#),
        "{debug}"
    );
    let Error::UnexpectedBody(unexpected) = error else {
        panic!("{debug}")
    };
    assert_eq!(unexpected.body, page.as_bytes());

    let huge = "y".repeat(1_000_000);
    let graph = serde_json::json!({"error": {"code": "c", "message": huge, "details": [huge]}});
    let body = graph.to_string();
    let error = error_of(400, body.as_bytes());
    let debug = format!("{error:?}");
    assert!(debug.len() < 4_000, "{} bytes", debug.len());
    assert!(matches!(&error, Error::Api(e) if e.message == huge));
}
