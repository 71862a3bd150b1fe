//! Faults only a raw connection can make: resets, silence, bodies cut off or too large, slow
//! answers, redirects, malformed heads; and the messages that report them.

use super::*;

#[tokio::test]
async fn a_connection_reset_before_the_response_is_retried() {
    let (base, connections) = raw_server(vec![None, Some(http_response(PRESENCE))]).await;
    let clock = FakeClock::new();
    let presence = client(&base, &clock, RetryPolicy::default())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("second connection answers");
    assert_eq!(presence.id, "a");
    assert_eq!(*connections.lock().expect("not poisoned"), 2);
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn a_connection_that_never_answers_ends_as_a_connection_error() {
    let (base, connections) = raw_server(vec![None, None, None]).await;
    let clock = FakeClock::new();
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let error = client(&base, &clock, policy)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("no response");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert_eq!(*connections.lock().expect("not poisoned"), 3);
}

#[tokio::test]
async fn a_body_cut_off_mid_json_is_a_transport_error() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n{\"id\":\"a\",\"availab".to_vec();
    let (base, connections) = raw_server(vec![Some(cut)]).await;
    let clock = FakeClock::new();
    let error = client(&base, &clock, RetryPolicy::default())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("cut off");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(
        *connections.lock().expect("not poisoned"),
        1,
        "a response began: not retried"
    );
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(PRESENCE, "application/json")
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = Client::builder(BearerToken::new("t"))
        .base_url(server.uri())
        .clock(clock.clone())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        })
        .build()
        .expect("valid");
    let error = client
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("too slow");
    assert!(
        matches!(&error, Error::Timeout(t) if t.after == Duration::from_millis(100)),
        "{error:?}"
    );
    assert_eq!(
        requests(&server).await.len(),
        2,
        "a timeout is retried for an idempotent read"
    );
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_an_error_not_an_allocation() {
    let big = format!(r#"{{"id":"a","x":"{}"}}"#, "y".repeat(50_000));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(big.clone(), "application/json"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let limited = |base: String| {
        Client::builder(BearerToken::new("t"))
            .base_url(base)
            .clock(clock.clone())
            .max_response_bytes(10_000)
            .build()
            .expect("valid")
    };
    let error = limited(server.uri())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 10_000, .. }),
        "{error:?}"
    );
    // Without a Content-Length (chunked), the limit stops the read as it goes.
    let chunks: String = big
        .as_bytes()
        .chunks(4096)
        .map(|c| format!("{:x}\r\n{}\r\n", c.len(), String::from_utf8_lossy(c)))
        .collect();
    let chunked = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}0\r\n\r\n"
    );
    let (base, _) = raw_server(vec![Some(chunked.into_bytes())]).await;
    let error = limited(base)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 10_000, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elsewhere/me/presence"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PRESENCE, "application/json"))
        .mount(&target)
        .await;
    let origin = MockServer::start().await;
    // localhost vs 127.0.0.1, and another port: another origin, still on loopback.
    let location = format!(
        "http://localhost:{}/elsewhere/me/presence",
        target.address().port()
    );
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer t"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", location.as_str()))
        .mount(&origin)
        .await;
    let clock = FakeClock::new();
    let presence = client(&origin.uri(), &clock, RetryPolicy::none())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("follows the redirect");
    assert_eq!(presence.id, "a");
    let received = requests(&target).await;
    assert_eq!(received.len(), 1);
    assert!(
        received[0].headers.get("authorization").is_none(),
        "the token must not follow a redirect to another host"
    );

    // A redirect within the origin keeps it.
    let same = MockServer::start().await;
    Mock::given(path("/beta/me/presence"))
        .respond_with(ResponseTemplate::new(308).insert_header("Location", "/moved/me/presence"))
        .mount(&same)
        .await;
    Mock::given(path("/moved/me/presence"))
        .and(header("authorization", "Bearer t"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PRESENCE, "application/json"))
        .mount(&same)
        .await;
    client(&same.uri(), &clock, RetryPolicy::none())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("same-origin redirect keeps the token");
}

#[tokio::test]
async fn plain_http_is_refused_except_to_loopback() {
    for base in [
        "http://graph.microsoft.com/beta",
        "http://10.0.0.1/beta",
        "http://example.com",
    ] {
        let error = Client::builder(BearerToken::new("t"))
            .base_url(base)
            .build()
            .expect_err("refused");
        assert!(error.to_string().contains("only https"), "{base}: {error}");
    }
    for base in [
        "https://graph.microsoft.com/beta",
        "http://127.0.0.1:1/beta",
        "http://localhost:1",
        "http://[::1]:1/beta",
    ] {
        assert!(
            Client::builder(BearerToken::new("t"))
                .base_url(base)
                .build()
                .is_ok(),
            "{base}"
        );
    }
    // A redirect to plain http elsewhere is refused before anything is sent there.
    let origin = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", "http://example.com/steal"),
        )
        .mount(&origin)
        .await;
    let error = client(&origin.uri(), &FakeClock::new(), RetryPolicy::none())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("only https")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_in_any_form_ends_the_retries() {
    for value in [
        "1e9",
        "inf",
        "18446744073709551616",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = server_failing_first(u64::MAX, throttled(Some(value))).await;
        let clock = FakeClock::new();
        let error = client(&server.uri(), &clock, RetryPolicy::default())
            .me()
            .presence()
            .get()
            .send()
            .await
            .expect_err("throttled");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{value}");
        assert_eq!(clock.sleeps(), Vec::<Duration>::new(), "{value}");
        assert_eq!(requests(&server).await.len(), 1, "{value}");
    }
}

#[tokio::test]
async fn a_malformed_response_head_is_a_transport_error_and_not_retried() {
    let impossible_length = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12, 13\r\nConnection: close\r\n\r\n{}".to_vec();
    let mut huge_headers = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..2000 {
        huge_headers.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "v".repeat(200)).as_bytes());
    }
    huge_headers.extend_from_slice(b"Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    for (what, reply) in [
        ("impossible Content-Length", impossible_length),
        ("oversized headers", huge_headers),
    ] {
        let (base, connections) = raw_server(vec![Some(reply.clone()), Some(reply)]).await;
        let clock = FakeClock::new();
        let error = client(&base, &clock, RetryPolicy::default())
            .me()
            .presence()
            .get()
            .send()
            .await
            .expect_err(what);
        assert!(matches!(error, Error::Transport(_)), "{what}: {error:?}");
        assert_eq!(*connections.lock().expect("not poisoned"), 1, "{what}");
    }
}

#[test]
fn a_base_url_with_a_query_fragment_or_user_information_is_refused() {
    for (base, why) in [
        ("https://graph.microsoft.com/beta?x=", "query"),
        ("https://graph.microsoft.com/beta#frag", "fragment"),
        (
            "https://user:secret@graph.microsoft.com/beta",
            "user information",
        ),
    ] {
        let error = Client::builder(BearerToken::new("t"))
            .base_url(base)
            .build()
            .expect_err(base);
        assert!(
            matches!(&error, Error::InvalidRequest(m) if m.contains(why)),
            "{base}: {error}"
        );
    }
}

#[tokio::test]
async fn error_messages_escape_control_characters_and_stay_short() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let body = format!(
        r#"{{"error":{{"code":"Bad\r\nInjected: yes","message":"{huge}","innerError":{{"request-id":"id\u001b[31m"}}}}}}"#
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let error = client(&server.uri(), &FakeClock::new(), RetryPolicy::none())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("400");
    let shown = error.to_string();
    assert!(shown.len() < 1_000, "{} bytes", shown.len());
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains(r"Bad\r\nInjected: yes"), "{shown}");
    let Error::Api(graph) = error else {
        panic!("a Graph error")
    };
    assert_eq!(graph.message.len(), huge.len(), "the whole message is kept");
    assert_eq!(graph.code, "Bad\r\nInjected: yes");
}

#[test]
fn a_refused_client_request_id_is_quoted_safely_and_briefly() {
    let client = Client::new(BearerToken::new("t"));
    let injected = format!("id\r\nX-Injected: yes{}", "x".repeat(10 * 1024 * 1024));
    let error = client
        .me()
        .presence()
        .get()
        .client_request_id(injected)
        .to_request()
        .expect_err("CR LF refused");
    let shown = error.to_string();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains(r"id\r\nX-Injected: yes"), "{shown}");
    assert!(shown.len() < 300, "{} bytes", shown.len());
}
