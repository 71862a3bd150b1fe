//! `allOf` on the generated code of its fixtures (tests/fixtures/valid): properties redefined
//! by several parts are the most specific type every part allows.

use tests::fixtures::all_of_redefinitions;

#[test]
fn a_redefined_property_is_the_most_specific_type() {
    use all_of_redefinitions::{Thing, ThingPage};
    let text = r#"{"total":2,"items":[{"id":"a"},{"id":"b"}],"data":{"id":"c"},"next":"n"}"#;
    let page: ThingPage = graph_models_runtime::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    // The types are the point: these lines compile only if the merge kept the specific ones.
    let total: i64 = page.total;
    let things: &Vec<Thing> = &page.items;
    let data: &Option<Thing> = &page.data;
    let next: &Option<String> = &page.next;
    assert_eq!(total, 2);
    assert_eq!(things[1].id, "b");
    assert_eq!(data.as_ref().map(|d| d.id.as_str()), Some("c"));
    assert_eq!(next.as_deref(), Some("n"));
    assert_eq!(serde_json::to_string(&page).expect("encodes"), text);
    // `items` is required by the later part; an item that is not a `Thing` is refused.
    assert!(graph_models_runtime::from_str::<ThingPage>(r#"{"total":1}"#).is_err());
    assert!(graph_models_runtime::from_str::<ThingPage>(r#"{"total":1,"items":[5]}"#).is_err());
}
