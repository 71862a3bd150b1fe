//! Query parameters, built without a network. `fixtures/valid/query_styles.yaml`: required
//! ones are arguments, scalars keep their types, enum items are the enum, and each array is
//! written in its `style` and `explode`. `path_keys.yaml` and `content_parameters.yaml`: a query
//! fixed in the path key, and parameters described by `content`.

use tests::fixtures::query_styles::OrderbyItem;
use tests::fixtures::query_styles::client::{BearerToken, Client, Operation};

#[test]
fn query_parameters_follow_their_types_and_styles() {
    let client = Client::new(BearerToken::new("t"));
    let request = client
        .estimates()
        .get(51.5, [3, 4])
        .seats(2_i64)
        .shared(true)
        .orderby([OrderbyItem::PriceDesc, OrderbyItem::Eta])
        .tags(["a b", "c"])
        .zones(["x", "y|z"])
        .kinds(["k1", "k2"])
        .to_request()
        .expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://api.example.com/v1/estimates?latitude=51.5&seats=2&shared=true\
         &$orderby=price%20desc,eta&ids=3&ids=4&tags=a%20b%20c&zones=x%7Cy%7Cz&kinds=k1&kinds=k2"
    );
}

/// `fixtures/valid/path_keys.yaml`: the query written into a path's key is sent after the
/// operation's own parameters, percent-encoded like them; the path is the template's.
#[test]
fn a_fixed_query_in_the_path_key_is_sent_with_every_request() {
    use tests::fixtures::path_keys::client::{BearerToken, Client, Operation};
    let client = Client::new(BearerToken::new("t"));
    let request = client
        .items()
        .by_id("a/b")
        .get()
        .limit(3_i64)
        .to_request()
        .expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://api.example.com/items/a%2Fb?limit=3&beta=true&view=full%20text"
    );
    let request = client
        .items()
        .by_id("a")
        .get()
        .to_request()
        .expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://api.example.com/items/a?beta=true&view=full%20text"
    );
}

/// `fixtures/valid/content_parameters.yaml`: a parameter described by `content` takes the
/// text already written in its media type, and sends it as any text is sent.
#[test]
fn a_content_parameter_sends_its_text() {
    use tests::fixtures::content_parameters::client::{BearerToken, Client, Operation};
    let client = Client::new(BearerToken::new("t"));
    let request = client
        .search()
        .get(r#"{"name":"a b"}"#)
        .x_trace("[1,2]")
        .to_request()
        .expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://api.example.com/search?filter=%7B%22name%22:%22a%20b%22%7D"
    );
    assert_eq!(
        request
            .headers()
            .get("X-Trace")
            .and_then(|v| v.to_str().ok()),
        Some("[1,2]")
    );
}

/// The generated server routes the request with the fixed query to its operation: the route
/// is the template's, and the fixed query is not an input, so nothing refuses it.
#[tokio::test]
async fn a_fixed_query_request_reaches_its_operation_on_the_server() {
    use tests::fixtures::path_keys::client::{BearerToken, Client, Operation};
    use tests::fixtures::path_keys::server::{Mock, router};
    use tower_service::Service;
    let client = Client::new(BearerToken::new("t"));
    let request = client
        .items()
        .by_id("a")
        .get()
        .to_request()
        .expect("builds");
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, axum::body::Body::from(body));
    let mut app = router(Mock);
    let response = app.call(request).await.expect("the router answers");
    assert_eq!(response.status().as_u16(), 204);
}
