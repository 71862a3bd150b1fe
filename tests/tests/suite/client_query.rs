//! Query parameters of `fixtures/valid/query_styles.yaml`, built without a network: required
//! ones are arguments, scalars keep their types, enum items are the enum, and each array is
//! written in its `style` and `explode`.

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
