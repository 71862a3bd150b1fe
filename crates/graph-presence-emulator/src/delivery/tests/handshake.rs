//! The validation handshake against an app's endpoints.

use super::*;

// --- The handshake ---

#[tokio::test]
async fn the_handshake_passes_when_the_token_comes_back() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let deliverer = deliverer(&clock, loopback());
    deliverer.validate(&hook.url).await.expect("validated");

    let seen = hook.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert!(seen[0].body.is_empty());
    let query = seen[0].query.as_deref().expect("a query");
    assert!(
        query.starts_with(
            "validationToken=Validation%3A%20Testing%20client%20application%20reachability%20for%20subscription%20Request-Id%3A%20"
        ),
        "{query}"
    );

    // A URL with a query of its own keeps it; any token text survives the round trip.
    let with_query = format!("{}?tenant=contoso", hook.url);
    crate::delivery::validate_with_token(
        &reqwest::Client::new(),
        &with_query,
        "a+b&c=d %2F é ✓",
        &loopback(),
    )
    .await
    .expect("validated");
    let query = hook.seen()[1].query.clone().expect("a query");
    assert!(
        query.starts_with("tenant=contoso&validationToken="),
        "{query}"
    );
}

#[tokio::test]
async fn a_wrong_answer_fails_the_handshake_saying_what_was_wrong() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Text("not the token")).await;
    let deliverer = deliverer(&clock, loopback());

    let error = deliverer
        .validate(&hook.url)
        .await
        .expect_err("a wrong echo");
    assert!(
        matches!(&error, HandshakeError::Mismatch { answered, .. } if answered == "not the token")
    );
    let message = error.to_string();
    assert!(
        message.contains("the answer `not the token` is not the validation token"),
        "{message}"
    );
    assert!(message.len() < 400, "{message}");

    hook.answer(Answer::Status(500));
    let error = deliverer.validate(&hook.url).await.expect_err("a 500");
    assert!(matches!(error, HandshakeError::Status { status: 500, .. }));
    assert!(
        error.to_string().contains("answered 500, not 200"),
        "{error}"
    );

    hook.answer(Answer::EchoAs("text/html"));
    let error = deliverer.validate(&hook.url).await.expect_err("HTML");
    assert!(
        matches!(&error, HandshakeError::ContentType { content_type: Some(c), .. } if c == "text/html"),
        "{error:?}"
    );
    let lenient = DeliverySettings {
        handshake_requires_text_plain: false,
        ..loopback()
    };
    crate::delivery::validate(&reqwest::Client::new(), &hook.url, &lenient)
        .await
        .expect("the token is right");
}

#[tokio::test]
async fn a_handshake_without_an_answer_in_time_times_out() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::After(Duration::from_secs(3))).await;
    let settings = DeliverySettings {
        handshake_timeout: Duration::from_millis(100),
        ..loopback()
    };
    let deliverer = deliverer(&clock, settings);
    let real = Instant::now();
    let error = deliverer.validate(&hook.url).await.expect_err("too slow");
    assert!(
        real.elapsed() < Duration::from_secs(1),
        "{:?}",
        real.elapsed()
    );
    assert!(
        matches!(error, HandshakeError::Timeout { after, .. } if after == Duration::from_millis(100))
    );
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed_and_to_loopback() {
    for allowed in [
        "https://webhook.contoso.com/api?x=1",
        "http://127.0.0.1:8080/hook",
        "http://127.9.9.9/hook",
        "http://[::1]:8080/hook",
        "http://localhost:8080/hook",
        "http://LOCALHOST/hook",
    ] {
        check_url(allowed, true).unwrap_or_else(|e| panic!("{allowed}: {e}"));
    }
    assert!(check_url("https://webhook.contoso.com/api", false).is_ok());
    for (url, allow) in [
        ("http://127.0.0.1:8080/hook", false),
        ("http://webhook.contoso.com/api", true),
        ("http://10.0.0.1/hook", true),
        ("http://localhost.contoso.com/hook", true),
    ] {
        assert!(
            matches!(check_url(url, allow), Err(UrlError::HttpRefused { .. })),
            "{url}"
        );
    }
    assert!(matches!(
        check_url("ftp://127.0.0.1/x", true),
        Err(UrlError::NotHttps { .. })
    ));
    assert!(matches!(
        check_url("/relative", true),
        Err(UrlError::Malformed { .. })
    ));

    // Nothing is sent to a refused URL.
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let deliverer = deliverer(&clock, DeliverySettings::default());
    let error = deliverer
        .validate(&hook.url)
        .await
        .expect_err("http refused");
    assert!(matches!(
        error,
        HandshakeError::Url(UrlError::HttpRefused { .. })
    ));
    assert!(
        error
            .to_string()
            .contains("plain http is allowed only to a loopback host"),
        "{error}"
    );
    assert!(hook.seen().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    drop(listener);
    let clock = Clock::manual(start());
    let error = deliverer(&clock, loopback())
        .validate(&url)
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(error, HandshakeError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().len() < 500);
}
