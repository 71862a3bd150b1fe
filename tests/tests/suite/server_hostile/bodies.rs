//! Media types and bodies: checked before decoding, and limits on size and depth.

use super::*;

// ---------------------------------------------------------------------------------------
// Media types and bodies

/// `Content-Type` values, and whether a JSON body operation takes them.
const MEDIA_TYPES: [(Option<&[u8]>, bool); 19] = [
    (None, false),
    (Some(b"application/json"), true),
    (Some(b"application/json; charset=utf-8"), true),
    (Some(b"Application/JSON"), true),
    (Some(b"application/json ;odata.metadata=minimal"), true),
    (Some(b" application/json"), true),
    (Some(b"application/vnd.api+json"), true),
    (Some(b"text/plain"), false),
    (Some(b"application/xml"), false),
    (Some(b"application/jsonx"), false),
    (Some(b"json"), false),
    (Some(b""), false),
    (Some(b";"), false),
    (Some(b"application/x-www-form-urlencoded"), false),
    (Some(b"multipart/form-data; boundary=x"), false),
    (Some(b"*/*"), false),
    (Some(b"application/*"), false),
    (Some(b"\xff\xfe"), false),
    (Some(b"application/json\x80"), false),
];

/// Bodies, and whether they decode as the operation's request body.
const BODIES: [(&[u8], bool); 11] = [
    (IDS_BODY, true),
    (br#"{"ids":[]}"#, true),
    (
        br##"{"ids":["a"],"@odata.type":"#x","extra":{"deep":[1]}}"##,
        true,
    ),
    (br#"{"ids":"a"}"#, false),
    (br#"{"ids":[1]}"#, false),
    (b"[]", false),
    (b"null", false),
    (b"{}", false),
    (br#"{"ids":["a"]} trailing"#, false),
    (b"\xff\xfe{", false),
    (b" \n ", false),
];

#[test]
fn media_types_and_bodies_are_checked_before_decoding() {
    let router = router(Mock);
    let runtime = runtime();
    // A body from the list, or the valid one cut short (or empty: `cut` 0).
    let strategy = (0..MEDIA_TYPES.len(), 0..BODIES.len() + 1, 0..IDS_BODY.len());
    let seen = Seen::default();
    runner(256)
        .run(&strategy, |(media, body, cut)| {
            let (content_type, accepted) = MEDIA_TYPES[media];
            let (body, decodes) = BODIES
                .get(body)
                .copied()
                .unwrap_or((&IDS_BODY[..cut], false));
            let mut request = http::Request::post("/communications/getPresencesByUserId");
            if let Some(content_type) = content_type {
                let value = http::HeaderValue::from_bytes(content_type).expect("a header value");
                request = request.header("content-type", value);
            }
            let request = request.body(Body::from(body.to_vec())).expect("a request");
            let answer = runtime.block_on(call(&router, request));
            seen.count(answer.status);
            let context = format!(
                "{:?} {:?}: {answer:?}",
                content_type.map(String::from_utf8_lossy),
                String::from_utf8_lossy(body)
            );
            if body.is_empty() {
                prop_assert_eq!(answer.status, 400, "{}", context);
                prop_assert_eq!(answer.error("BadRequest"), "a request body is required");
            } else if !accepted {
                prop_assert_eq!(answer.status, 415, "{}", context);
                let message = answer.error("UnsupportedMediaType");
                prop_assert!(message.contains("application/json"), "{}", context);
            } else if !decodes {
                prop_assert_eq!(answer.status, 400, "{}", context);
                let message = answer.error("BadRequest");
                prop_assert!(
                    message.contains("line ") && message.contains("column "),
                    "{}",
                    context
                );
            } else {
                prop_assert_eq!(answer.status, 200, "{}", context);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    seen.at_least(&[200, 400, 415], 10);
    runtime.block_on(still_answers(&router));
}

#[tokio::test]
async fn ten_megabytes_are_refused_under_the_default_limit() {
    let router = router(Mock);
    let body = vec![b' '; 10 * 1024 * 1024];
    for announced in [true, false] {
        let mut request = http::Request::post("/communications/getPresencesByUserId")
            .header("content-type", "application/json");
        if announced {
            request = request.header("content-length", body.len());
        }
        let request = request.body(Body::from(body.clone())).expect("a request");
        let answer = call(&router, request).await;
        assert_eq!(answer.status, 413, "announced {announced}: {answer:?}");
        let message = answer.error("RequestEntityTooLarge");
        assert_eq!(message, "the request body is larger than 4194304 bytes");
        still_answers(&router).await;
    }
}

#[tokio::test]
async fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let router = router(Mock);
    let deep = "[".repeat(100_000);
    for body in [
        format!(r#"{{"ids":["a"],"extra":{deep}"#),
        format!(r#"{{"ids":{deep}"#),
        format!(r#"{{"ids":["a"],"extra":{}"#, r#"{"a":"#.repeat(50_000)),
    ] {
        let request = http::Request::post("/communications/getPresencesByUserId")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("a request");
        let answer = call(&router, request).await;
        assert_eq!(answer.status, 400, "{answer:?}");
        let message = answer.error("BadRequest");
        assert!(message.contains("line 1 column "), "{message}");
    }
    still_answers(&router).await;
}
