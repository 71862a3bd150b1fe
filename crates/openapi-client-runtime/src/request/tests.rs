use super::*;

fn path_of(value: &str) -> String {
    let mut spec = RequestSpec::new(Method::GET);
    spec.segment("users");
    spec.parameter("user-id", value).expect("not empty");
    spec.segment("presence");
    spec.build("https://graph.microsoft.com/beta", DEFAULT_USER_AGENT)
        .expect("builds")
        .uri()
        .path()
        .to_owned()
}

#[test]
fn a_path_parameter_is_always_one_segment() {
    assert_eq!(
        path_of("66825e03-7ef5-42da-9069-724602c31f6b"),
        "/beta/users/66825e03-7ef5-42da-9069-724602c31f6b/presence"
    );
    assert_eq!(path_of("../me"), "/beta/users/%2E%2E%2Fme/presence");
    assert_eq!(path_of(".."), "/beta/users/%2E%2E/presence");
    assert_eq!(path_of("a/b?c#d"), "/beta/users/a%2Fb%3Fc%23d/presence");
    assert_eq!(path_of("x%2Fy"), "/beta/users/x%252Fy/presence");
    assert_eq!(
        path_of("é 😀"),
        "/beta/users/%C3%A9%20%F0%9F%98%80/presence"
    );
}

fn response(status: u16, body: &[u8]) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .body(body.to_vec())
        .expect("a response")
}

#[test]
fn a_text_body_parses_as_its_scalar() {
    let count = text_response::<i64>(response(200, b"42\n")).expect("an integer");
    assert_eq!(*count.body(), 42);
    let text = text_response::<String>(response(200, b"hello")).expect("text");
    assert_eq!(text.body(), "hello");
    let Err(Error::Text(failure)) = text_response::<i64>(response(200, b"many")) else {
        panic!("`many` is not an integer");
    };
    assert_eq!(failure.body, b"many");
    assert!(failure.to_string().contains("i64"), "{failure}");
    assert!(matches!(
        text_response::<String>(response(200, &[0xff])),
        Err(Error::Text(_))
    ));
}

#[test]
fn a_status_declared_without_a_body_is_none() {
    let read = |status, body: &[u8]| {
        json_response_or_empty::<Vec<u8>>(response(status, body), &[202, 204])
            .map(Response::into_body)
    };
    assert_eq!(read(200, b"[1,2]").ok(), Some(Some(vec![1, 2])));
    assert_eq!(read(202, b"").ok(), Some(None));
    assert_eq!(read(204, b"ignored").ok(), Some(None));
    assert!(matches!(read(201, b""), Err(Error::Decode(_))));
    assert!(read(404, b"").is_err());
}

#[test]
fn bytes_come_back_unchanged() {
    let bytes = bytes_response(response(200, &[0, 159, 146, 150])).expect("bytes");
    assert_eq!(bytes.body(), &[0, 159, 146, 150]);
    assert!(bytes_response(response(404, b"")).is_err());
}

fn built(spec: RequestSpec) -> Request<Vec<u8>> {
    spec.build("https://example.com", DEFAULT_USER_AGENT)
        .expect("builds")
}

#[test]
fn a_raw_body_carries_its_content_type_and_accept_is_settable() {
    let mut spec = RequestSpec::new(Method::PUT);
    spec.raw_body("image/png", vec![137, 80, 78, 71]);
    spec.accept("text/plain");
    let request = built(spec);
    assert_eq!(request.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(request.headers()[ACCEPT], "text/plain");
    assert_eq!(request.body(), &[137, 80, 78, 71]);
    let mut spec = RequestSpec::new(Method::PUT);
    spec.raw_body("bad\ncontent type", Vec::new());
    assert!(matches!(
        spec.build("https://example.com", DEFAULT_USER_AGENT),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn a_form_body_is_encoded_in_order() {
    let mut spec = RequestSpec::new(Method::POST);
    let body = serde_json::json!({"zeta": "a b&c=d/é", "alpha": 2, "on": true, "gone": null, "many": ["x", 1]});
    spec.form_body(&body).expect("a form");
    let request = built(spec);
    assert_eq!(
        request.headers()[CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    let text = String::from_utf8(request.body().clone()).expect("ASCII");
    let mut pairs: Vec<&str> = text.split('&').collect();
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        [
            "alpha=2",
            "many=1",
            "many=x",
            "on=true",
            "zeta=a+b%26c%3Dd%2F%C3%A9"
        ]
    );
    let mut spec = RequestSpec::new(Method::POST);
    assert!(matches!(
        spec.form_body(&serde_json::json!({"nested": {"a": 1}})),
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        spec.form_body(&"not an object"),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn header_parameters_are_sent_and_checked() {
    let mut spec = RequestSpec::new(Method::GET);
    spec.header("If-Match", "W/\"1\"");
    spec.header("ConsistencyLevel", "eventual");
    spec.header("User-Agent", "mine/1");
    let request = built(spec);
    assert_eq!(request.headers()["if-match"], "W/\"1\"");
    assert_eq!(request.headers()["consistencylevel"], "eventual");
    assert_eq!(request.headers().get_all(USER_AGENT).iter().count(), 1);
    assert_eq!(request.headers()[USER_AGENT], "mine/1");
    for bad in ["a\r\nX-Injected: 1", "a\nb", "nul\0"] {
        let mut spec = RequestSpec::new(Method::GET);
        spec.header("Prefer", bad);
        let Err(Error::InvalidRequest(message)) =
            spec.build("https://example.com", DEFAULT_USER_AGENT)
        else {
            panic!("{bad:?} is refused");
        };
        assert!(!message.contains("Injected"), "{message}");
    }
    let mut spec = RequestSpec::new(Method::GET);
    spec.header("Bad Name", "x");
    assert!(matches!(
        spec.build("https://example.com", DEFAULT_USER_AGENT),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn cookies_go_in_one_header_encoded() {
    let mut spec = RequestSpec::new(Method::GET);
    spec.cookie("session", "a b;c=d,\"e\"\r\n%é");
    spec.cookie("theme", "dark");
    let request = built(spec);
    assert_eq!(
        request.headers()[http::header::COOKIE],
        "session=a%20b%3Bc=d%2C%22e%22%0D%0A%25%C3%A9; theme=dark"
    );
    let mut spec = RequestSpec::new(Method::GET);
    spec.cookie("bad;name", "x");
    assert!(matches!(
        spec.build("https://example.com", DEFAULT_USER_AGENT),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn a_multipart_body_carries_its_boundary() {
    let mut spec = RequestSpec::new(Method::POST);
    let body = MultipartBody::new("b0undary", b"--b0undary\r\n\r\nx\r\n--b0undary--".to_vec());
    spec.multipart_body("multipart/form-data", &body)
        .expect("a valid boundary");
    let request = built(spec);
    assert_eq!(
        request.headers()[CONTENT_TYPE],
        "multipart/form-data; boundary=\"b0undary\""
    );
    assert_eq!(request.body(), body.bytes());
    for bad in ["", "a\r\nb", "quote\"", "trailing ", &"x".repeat(71)] {
        let mut spec = RequestSpec::new(Method::POST);
        assert!(
            spec.multipart_body("multipart/form-data", &MultipartBody::new(bad, Vec::new()))
                .is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn an_empty_path_parameter_is_refused() {
    let mut spec = RequestSpec::new(Method::GET);
    assert!(matches!(
        spec.parameter("user-id", ""),
        Err(Error::InvalidRequest(_))
    ));
}
