//! `allOf` and nullable references on the generated code of their fixtures
//! (tests/fixtures/valid): properties redefined by several parts are the most specific type
//! every part allows; a reference documented or made nullable through `allOf`, or (3.1) an
//! `anyOf`/`oneOf` with `{type: 'null'}`, is the referenced type.

use openapi_models_runtime::Nullable;
use tests::fixtures::{all_of_redefinitions, all_of_references, null_alternatives};

#[test]
fn a_redefined_property_is_the_most_specific_type() {
    use all_of_redefinitions::{Thing, ThingPage};
    let text = r#"{"total":2,"items":[{"id":"a"},{"id":"b"}],"data":{"id":"c"},"next":"n"}"#;
    let page: ThingPage = openapi_models_runtime::from_str(text).unwrap_or_else(|e| panic!("{e}"));
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
    assert!(openapi_models_runtime::from_str::<ThingPage>(r#"{"total":1}"#).is_err());
    assert!(openapi_models_runtime::from_str::<ThingPage>(r#"{"total":1,"items":[5]}"#).is_err());
}

#[test]
fn documented_and_nullable_references_are_the_referenced_type() {
    use all_of_references::{Holder, Kind, Thing};
    let text = r#"{"kind":"small","parent":null,"documented":{"id":"d"},"size":null,"titled":"large","maybe":{"id":"m"},"documentedKind":"large"}"#;
    let holder: Holder = openapi_models_runtime::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    let kind: &Kind = &holder.kind;
    let parent: &Nullable<Thing> = &holder.parent;
    let documented: &Option<Thing> = &holder.documented;
    let size: &Nullable<Kind> = &holder.size;
    let titled: &Option<Kind> = &holder.titled;
    let maybe: &Nullable<Thing> = &holder.maybe;
    let documented_kind: &Option<Kind> = &holder.documented_kind;
    assert_eq!(*kind, Kind::Small);
    assert!(parent.is_null());
    assert_eq!(documented.as_ref().map(|t| t.id.as_str()), Some("d"));
    assert!(size.is_null());
    assert_eq!(*titled, Some(Kind::Large));
    assert_eq!(maybe.as_option().map(|t| t.id.as_str()), Some("m"));
    assert_eq!(*documented_kind, Some(Kind::Large));
    assert_eq!(serde_json::to_string(&holder).expect("encodes"), text);
    // The referenced types are enforced: a number is not a `Kind`, `null` is not a `Thing`.
    assert!(openapi_models_runtime::from_str::<Holder>(r#"{"kind":5}"#).is_err());
    assert!(
        openapi_models_runtime::from_str::<Holder>(r#"{"kind":"small","documented":null}"#)
            .is_err()
    );
}

#[test]
fn a_reference_or_null_is_the_referenced_type_nullable() {
    use null_alternatives::{Holder, Kind, Thing};
    let text = r#"{"parent":null,"owner":{"id":"o"},"kind":"large","size":null,"maybe":null}"#;
    let holder: Holder = openapi_models_runtime::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    let parent: &Nullable<Thing> = &holder.parent;
    let owner: &Nullable<Thing> = &holder.owner;
    let kind: &Nullable<Kind> = &holder.kind;
    let size: &Nullable<Kind> = &holder.size;
    let maybe: &Nullable<Thing> = &holder.maybe;
    assert!(parent.is_null());
    assert_eq!(owner.as_option().map(|t| t.id.as_str()), Some("o"));
    assert_eq!(kind.as_option(), Some(&Kind::Large));
    assert!(size.is_null());
    assert!(maybe.is_null());
    assert_eq!(serde_json::to_string(&holder).expect("encodes"), text);
    let absent: Holder = openapi_models_runtime::from_str("{}").expect("decodes");
    assert!(absent.parent.is_absent());
}
