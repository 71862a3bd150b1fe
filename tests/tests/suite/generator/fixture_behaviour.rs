//! The generated fixture code works, not only compiles: a few behaviours per construct.

use serde_json::json;
use tests::fixtures::*;

#[test]
fn a_type_wider_than_a_tuple_decodes_every_property() {
    let mut value = serde_json::Map::new();
    for i in 0..30 {
        let v = match i % 3 {
            0 => json!(format!("s{i}")),
            1 => json!(i),
            _ => json!(true),
        };
        value.insert(format!("p{i}"), v);
    }
    value.insert("p29".to_owned(), json!(null));
    let text = serde_json::Value::Object(value);
    assert!(
        serde_json::from_value::<wide::Wide>(text.clone()).is_err(),
        "p29 is not nullable"
    );
    let mut fixed = text.clone();
    fixed["p29"] = json!(false);
    let wide: wide::Wide = serde_json::from_value(fixed.clone()).expect("decodes");
    assert_eq!(wide.p12, "s12");
    assert_eq!(wide.p24.as_deref(), Some("s24"));
    assert_eq!(wide.p25, Some(25));
    assert_eq!(wide.p13.as_option(), Some(&13));
    assert_eq!(serde_json::to_value(&wide).expect("encodes"), fixed);
    let mut missing = fixed.clone();
    missing.as_object_mut().map(|m| m.remove("p25"));
    let error = serde_json::from_value::<wide::Wide>(missing).expect_err("p25 is required");
    assert!(error.to_string().contains("missing field `p25`"), "{error}");
}

#[test]
fn a_task_holding_a_float_decodes_and_compares() {
    let text =
        json!({"id": "t", "title": "Ship", "progress": {"percentComplete": 62.5, "note": null}});
    let task: nested_float::PlannerTask = serde_json::from_value(text.clone()).expect("decodes");
    let progress = task.progress.as_option().expect("present");
    assert_eq!(progress.percent_complete.as_option(), Some(&62.5));
    assert_eq!(task.clone(), task, "PartialEq without Eq");
    assert_eq!(serde_json::to_value(&task).expect("encodes"), text);
}

#[test]
fn inheritance_flattens_base_properties_in_order() {
    let group: all_of_inheritance::Group =
        serde_json::from_value(json!({"id": "g", "displayName": "Team", "deletedDateTime": null}))
            .expect("decodes");
    assert_eq!(group.id, "g");
    assert!(group.deleted_date_time.is_null());
    assert!(
        serde_json::from_value::<all_of_inheritance::Group>(json!({"id": "g"})).is_err(),
        "displayName is required"
    );
}

#[test]
fn closed_objects_reject_unknown_properties_and_open_ones_keep_them() {
    let err =
        serde_json::from_value::<additional_properties::Closed>(json!({"name": "a", "extra": 1}))
            .expect_err("closed");
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
    let counters: additional_properties::Counters =
        serde_json::from_value(json!({"name": "a", "x": 1, "y": 2})).expect("typed map");
    assert_eq!(counters.additional_properties.get("y"), Some(&2));
    assert!(
        serde_json::from_value::<additional_properties::Counters>(json!({"x": "one"})).is_err()
    );
    let open: additional_properties::OpenByDefault =
        serde_json::from_value(json!({"name": "a", "x": [1]})).expect("open");
    let kept = open.additional_properties.get("x").map(|v| v.get());
    assert_eq!(kept, Some("[1]"));
}

#[test]
fn awkward_names_keep_their_wire_names() {
    let value = json!({"type": "t", "self": "s", "@odata.type": "#x", "odataType": "y", "request-id": "r", "2fa": true, "additionalProperties": "a", "@odata.context": "c"});
    let awkward: awkward_names::Awkward = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(awkward.type_.as_deref(), Some("t"));
    assert_eq!(awkward.odata_type_2.as_deref(), Some("y"));
    assert_eq!(awkward._2fa, Some(true));
    assert_eq!(awkward.additional_properties.as_deref(), Some("a"));
    let context = awkward.additional_properties_2.get("@odata.context");
    assert_eq!(context.map(|v| v.get()), Some(r#""c""#));
    assert_eq!(serde_json::to_value(&awkward).expect("encodes"), value);
    let _renamed: awkward_names::IsoDuration2 = awkward_names::IsoDuration2::new();
    let _namespaced = (
        awkward_names::CallRecordsSession::new(),
        awkward_names::Session::new(),
    );
}

/// Schemas named like the generated code's own names (generic parameters, `rt`, locals,
/// prelude types, `Client`) compile (build.rs) and work.
#[test]
fn schemas_named_like_generated_names_round_trip() {
    use generator_names as g;
    let value = json!({"rt": {"map": {"k": {"result": {"client": {"extensions": {"s": "m"}}}}}}, "a": [{"s": "d", "m": {"read": {"string": {"value": "v"}}}}]});
    let d: g::D = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(d.a.as_ref().map(|a| a[0].s.clone()), Some(Some(g::S::D)));
    assert_eq!(serde_json::to_value(&d).expect("encodes"), value);
    let _types = (
        g::Client::new(),
        g::Option2::new(),
        g::String2::new(),
        g::Result2::new(),
    );
}

/// Properties named like methods the struct or the builder already has: their setters
/// take a trailing `_` (on the builder too: its own `send` makes the body's `send_`), and every
/// method keeps working, called the way users call it.
#[test]
fn setters_never_shadow_the_methods_a_value_answers_to() {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};
    use setter_names::Thing;
    use setter_names::client::{BearerToken, Client, Operation};
    use std::fmt::{self, Debug};
    use std::hash::{DefaultHasher, Hash};

    let thing = Thing::new()
        .note("n")
        .clone_("c")
        .new_("n")
        .default_("d")
        .eq_(true)
        .hash_("h")
        .fmt_("f")
        .into_("i")
        .serialize_("s")
        .json_schema_("j")
        .visit_("v")
        .send("s")
        .type_("t");
    assert_eq!(thing.clone.as_deref(), Some("c"));
    assert_eq!(thing.type_.as_deref(), Some("t"));
    let copy = thing.clone();
    assert!(copy.eq(&thing) && !copy.ne(&thing));
    assert!(Thing::default().eq(&Thing::new()));
    copy.hash(&mut DefaultHasher::new());
    struct Show<'a>(&'a Thing);
    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }
    assert!(Show(&thing).to_string().starts_with("Thing {"));
    let json = thing
        .serialize(serde_json::value::Serializer)
        .expect("encodes");
    assert_eq!(json["jsonSchema"], "j");
    assert_eq!(Thing::deserialize(&json).expect("decodes"), thing);
    let schema = Thing::json_schema(&mut schemars::SchemaGenerator::default());
    assert!(schema.get("properties").is_some(), "{schema:?}");
    assert_eq!(Thing::schema_name(), "Thing");
    // The reflexive conversions every type has, called as users call them.
    #[allow(clippy::useless_conversion)]
    let converted: Thing = thing.clone().into();
    #[allow(clippy::useless_conversion)]
    let back = Thing::from(converted);
    assert_eq!(back.to_owned(), thing);

    let client = Client::builder(BearerToken::new("t"))
        .build()
        .expect("the document's server");
    let builder = client
        .things()
        .clone_query("q")
        .clone_("c")
        .send_("s")
        .note("n");
    let request = builder.clone().to_request().expect("builds");
    assert_eq!(request.uri(), "https://example.com/v1/things?clone=q");
    let body: serde_json::Value = serde_json::from_slice(request.body()).expect("JSON");
    assert_eq!(body, json!({"note": "n", "clone": "c", "send": "s"}));
    assert!(format!("{builder:?}").contains("ThingsCreateRequest"));
}

/// `things_GetThings` on `/things/{thing-id}` builds a `ThingsGetThingRequest`, and so on:
/// the type annotations are the test.
#[test]
fn item_operations_are_named_in_the_singular() {
    use item_operations::client::{
        BearerToken, BoxesGetBoxRequest, BoxesGetBoxesRequest, Client, NotesGetNotesRequest,
        Operation, ThingsDeleteThingRequest, ThingsGetThingRequest, ThingsListThingsRequest,
        ThingsUpdateThingRequest,
    };
    let client = Client::builder(BearerToken::new("t"))
        .build()
        .expect("the document's server");
    let thing = client.things().by_id("t 1");
    let get: ThingsGetThingRequest = thing.get();
    let _: ThingsUpdateThingRequest = thing.patch().name("n");
    let _: ThingsDeleteThingRequest = thing.delete();
    let _: ThingsListThingsRequest = client.things().get();
    let _: NotesGetNotesRequest = client.notes().by_id("n").get();
    let _: BoxesGetBoxesRequest = client.boxes().by_id("b").get();
    let _: BoxesGetBoxRequest = client.boxes().default().get();
    let request = get.to_request().expect("builds");
    assert_eq!(request.uri(), "https://example.com/v1/things/t%201");
}

#[test]
fn dotted_names_outside_graph_keep_every_segment() {
    let value =
        json!({"error": {"code": "c", "message": "m", "details": [{"code": "d", "target": null}]}});
    let error: dotted_names::OdataError = serde_json::from_value(value.clone()).expect("decodes");
    let main: &dotted_names::OdataErrorMain = &error.error;
    let detail: Option<&dotted_names::OdataErrorDetail> =
        main.details.as_ref().and_then(|d| d.first());
    assert_eq!(detail.and_then(|d| d.code.as_deref()), Some("d"));
    assert_eq!(serde_json::to_value(&error).expect("encodes"), value);
    let _graph = (
        dotted_names::Presence::new(),
        dotted_names::ComExamplePet::new(),
    );
}

#[test]
fn recursive_types_are_boxed_and_round_trip() {
    let value = json!({"code": "a", "innerError": {"code": "b", "innerError": null}});
    let inner: recursion::InnerError = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        inner
            .inner_error
            .as_option()
            .and_then(|i| i.code.as_deref()),
        Some("b")
    );
    assert_eq!(serde_json::to_value(&inner).expect("encodes"), value);
}

#[test]
fn case_collisions_in_enums_stay_distinct() {
    assert_eq!(open_enums::Mood::from("Happy"), open_enums::Mood::Happy);
    assert_eq!(open_enums::Mood::from("happy"), open_enums::Mood::Happy2);
    assert_eq!(open_enums::Mood::from("Other"), open_enums::Mood::Other);
    assert_eq!(
        open_enums::Mood::from("Grumpy"),
        open_enums::Mood::Other2("Grumpy".to_owned())
    );
    assert_eq!(open_enums::Mood::Other2("Grumpy".into()).as_str(), "Grumpy");
}

#[test]
fn repeated_inline_bodies_become_one_type() {
    let body = operations::FrobRequestBody::new(3).note("hi");
    assert_eq!(
        serde_json::to_value(&body).expect("encodes"),
        json!({"level": 3, "note": "hi"})
    );
    let _response = operations::FrobResponse::new();
}
