//! Unions (`oneOf`, `anyOf`, `discriminator`) and general `allOf`, through the generated code
//! of the `one_of`, `discriminator` and `all_of_composition` fixtures: each alternative
//! decodes as its variant, what none accepts is kept in the catch-all, every value is written
//! back byte for byte, and the JSON Schemas list the alternatives.

use openapi_models_runtime::from_str;
use serde_json::{Value, json};
use tests::fixtures::{all_of_composition as composition, discriminator as tagged, one_of};

/// Decodes, re-encodes, and asserts the text comes back byte for byte.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> T {
    let value: T = from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(serde_json::to_string(&value).expect("encodes"), text);
    value
}

fn schema_of<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("a schema is JSON")
}

#[test]
fn untagged_scalars_decode_by_json_kind_in_schema_order() {
    use one_of::StringOrNumber as S;
    assert_eq!(round_trip::<S>(r#""five""#), S::String("five".to_owned()));
    assert_eq!(round_trip::<S>("5"), S::I64(5));
    assert_eq!(round_trip::<S>("5.5"), S::F64(5.5));
    assert_eq!(round_trip::<S>("true"), S::Bool(true));
    let other = round_trip::<S>(r#"{"a": [1,  2]}"#);
    assert_eq!(other, S::Other(raw(r#"{"a": [1,  2]}"#)));
    assert!(!other.is_known());
}

/// A `RawJson` with exactly this text.
fn raw(text: &str) -> one_of::RawJson {
    one_of::RawJson::from_json(text).expect("valid JSON")
}

#[test]
fn open_objects_prefer_the_alternative_that_names_every_property() {
    use one_of::Shape;
    // Both structs are open (they keep unknown properties), so both decode either object:
    // the one that names every property wins, whatever its place.
    let square: Shape = round_trip(r#"{"side":2,"color":"red"}"#);
    assert!(matches!(&square, Shape::Square(s) if s.side == 2));
    let circle: Shape = round_trip(r#"{"radius":1}"#);
    assert!(matches!(&circle, Shape::Circle(c) if c.radius == 1));
    // Neither names `extra`: the first that decodes at all, with `extra` kept.
    let first: Shape = round_trip(r#"{"radius":1,"extra":true}"#);
    assert!(matches!(&first, Shape::Circle(c) if c.additional_properties.len() == 1));
    // Neither decodes (a required property is missing in both): the catch-all, as sent.
    let other: Shape = round_trip(r#"{"color":"red"}"#);
    assert_eq!(other, Shape::Other(raw(r#"{"color":"red"}"#)));
}

#[test]
fn unions_nest_in_arrays_and_properties_and_may_be_null() {
    use one_of::{Drawing, DrawingEither, DrawingTag, DrawingTagString, Nullable, Shape};
    let text = r#"{"shapes":[{"radius":1},{"side":2},7],"label":3,"tag":"draft","maybe":null,"either":"2024-01-01T00:00:00Z"}"#;
    let drawing: Drawing = round_trip(text);
    let shapes = drawing.shapes.as_deref().expect("shapes");
    assert!(matches!(shapes[0], Shape::Circle(_)));
    assert!(matches!(shapes[1], Shape::Square(_)));
    assert!(matches!(shapes[2], Shape::Other(_)));
    assert_eq!(drawing.label, Some(one_of::StringOrNumber::I64(3)));
    assert_eq!(
        drawing.tag,
        Nullable::Value(DrawingTag::String(DrawingTagString::Draft))
    );
    assert!(drawing.maybe.is_null());
    assert!(matches!(drawing.either, Some(DrawingEither::Timestamp(_))));

    let text = r#"{"tag":null,"either":"not a time"}"#;
    let drawing: Drawing = round_trip(text);
    assert!(drawing.tag.is_null());
    assert!(matches!(drawing.either, Some(DrawingEither::Other(_))));

    // A closed object alternative refuses unknown properties, so this is the catch-all.
    let drawing: Drawing = round_trip(r#"{"tag":{"custom":"x","more":1}}"#);
    assert!(matches!(drawing.tag, Nullable::Value(DrawingTag::Other(_))));
    // A string the enum does not list is still the enum (open), not the catch-all.
    let drawing: Drawing = round_trip(r#"{"tag":"archived"}"#);
    assert!(matches!(
        drawing.tag,
        Nullable::Value(DrawingTag::String(DrawingTagString::Other(_)))
    ));
}

#[test]
fn recursion_through_a_union_decodes_and_round_trips() {
    use one_of::Tree;
    let text = r#"["a",["b",{"name":"n","child":["c"]}],{"name":"m"}]"#;
    let tree: Tree = round_trip(text);
    let Tree::Array(items) = &tree else {
        panic!("an array: {tree:?}")
    };
    assert_eq!(items[0], Tree::Leaf("a".to_owned()));
    let Tree::Array(inner) = &items[1] else {
        panic!("nested: {tree:?}")
    };
    let Tree::Node(node) = &inner[1] else {
        panic!("a node: {tree:?}")
    };
    assert_eq!(
        node.child.as_deref(),
        Some(&Tree::Array(vec![Tree::Leaf("c".to_owned())]))
    );
}

#[test]
fn a_union_schema_lists_its_alternatives_and_the_catch_all() {
    let schema = schema_of::<one_of::StringOrNumber>();
    let any_of = schema["anyOf"].as_array().expect("anyOf");
    assert_eq!(any_of.len(), 5, "{schema}");
    assert_eq!(any_of[0], json!({"type": "string"}));
    assert_eq!(any_of[1]["type"], "integer");
    assert_eq!(any_of[2], json!({"type": "number", "format": "double"}));
    assert_eq!(any_of[3], json!({"type": "boolean"}));
    assert!(
        any_of[4].get("type").is_none(),
        "the catch-all is any value"
    );
    assert_eq!(schema["description"], "A label or a count.");
    let shape = schema_of::<one_of::Shape>();
    assert_eq!(shape["anyOf"][0]["$ref"], "#/$defs/Circle", "{shape}");
    assert_eq!(shape["anyOf"][1]["$ref"], "#/$defs/Square");
}

#[test]
fn a_tag_chooses_the_variant_through_the_mapping_or_the_component_name() {
    use tagged::{Pet, Reptile};
    let cat: Pet = round_trip(r#"{"petType":"cat","lives":9}"#);
    assert!(matches!(&cat, Pet::Cat(c) if c.lives == Some(9)));
    let kitten: Pet = round_trip(r#"{"petType":"kitten"}"#);
    assert!(matches!(kitten, Pet::Cat(_)), "two tags map to Cat");
    let dog: Pet = round_trip(r#"{"petType":"dog","bark":true}"#);
    assert!(matches!(dog, Pet::Dog(_)));
    // The tag decides, not the shape: a cat's properties under a dog tag are a dog's extras.
    let odd: Pet = round_trip(r#"{"petType":"dog","lives":9}"#);
    assert!(matches!(&odd, Pet::Dog(d) if d.additional_properties.len() == 1));
    // Unknown, absent or non-string tag: the catch-all, as sent.
    for text in [
        r#"{"petType":"hamster"}"#,
        r#"{"lives":9}"#,
        r#"{"petType":1}"#,
        "3",
    ] {
        let pet: Pet = round_trip(text);
        assert!(!pet.is_known(), "{text}: {pet:?}");
    }
    let snake: Reptile = round_trip(r#"{"kind":"Snake","venomous":true}"#);
    assert!(matches!(snake, Reptile::Snake(_)));
    let lizard: Reptile = round_trip(r#"{"kind":"Lizard"}"#);
    assert!(matches!(lizard, Reptile::Lizard(_)));
    let keeper: tagged::Keeper =
        round_trip(r#"{"pets":[{"petType":"cat"},{"petType":"emu"}],"reptile":{"kind":"Snake"}}"#);
    let pets = keeper.pets.as_deref().expect("pets");
    assert!(pets[0].is_known() && !pets[1].is_known());
}

#[test]
fn graph_polymorphism_holds_the_derived_type_the_odata_type_names() {
    use tagged::{AnyDirectoryObject, AnyEntity};
    let text = r##"{"id":"1","@odata.type":"#microsoft.graph.user","deletedDateTime":null,"displayName":"Ada"}"##;
    let object: AnyDirectoryObject = round_trip(text);
    let AnyDirectoryObject::User(user) = &object else {
        panic!("a user: {object:?}")
    };
    assert_eq!(user.display_name.as_deref(), Some("Ada"));
    assert_eq!(user.id, "1", "inherited through a three-level chain");

    // A group whose members are directory objects of any kind, and whose manager is a user.
    let text = r##"{"id":"g","@odata.type":"#microsoft.graph.group","manager":{"id":"m","@odata.type":"#microsoft.graph.user"},"members":[{"id":"u","@odata.type":"#microsoft.graph.user"},{"id":"d"},{"id":"x","@odata.type":"#microsoft.graph.device","extra":1}]}"##;
    let group: AnyEntity = round_trip(text);
    let AnyEntity::Group(group) = &group else {
        panic!("a group: {group:?}")
    };
    assert!(matches!(
        group.manager.as_deref(),
        Some(AnyDirectoryObject::User(_))
    ));
    let members = group.members.as_deref().expect("members");
    assert!(matches!(members[0], AnyDirectoryObject::User(_)));
    // No tag, or a tag the document does not map: the base, which keeps what it does not name.
    assert!(matches!(members[1], AnyDirectoryObject::DirectoryObject(_)));
    let AnyDirectoryObject::DirectoryObject(unknown) = &members[2] else {
        panic!("the base: {members:?}")
    };
    assert_eq!(unknown.additional_properties.len(), 1);

    // The base itself cannot decode a value without its required `id`: the catch-all.
    let other: AnyEntity = round_trip(r##"{"@odata.type":"#microsoft.graph.user"}"##);
    assert!(!other.is_known());
}

#[test]
fn a_tagged_schema_lists_the_variants() {
    let schema = schema_of::<tagged::AnyEntity>();
    let refs: Vec<&str> = schema["anyOf"]
        .as_array()
        .expect("anyOf")
        .iter()
        .filter_map(|s| s["$ref"].as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "#/$defs/Entity",
            "#/$defs/DirectoryObject",
            "#/$defs/User",
            "#/$defs/Group"
        ]
    );
}

#[test]
fn all_of_a_single_reference_is_that_type_and_parts_merge() {
    use composition::{Holder, Leaf, NameOrCount, State};
    let text = r#"{"name":"ada","state":"on","choice":4,"leaf":{"id":"1","note":"n","level":3,"leaf":true},"documented":"x","anything":[1]}"#;
    let holder: Holder = round_trip(text);
    // `name` and `documented` are plain strings, `state` the enum, `choice` the union.
    let name: &String = &holder.name;
    assert_eq!(name, "ada");
    assert_eq!(holder.documented.as_deref(), Some("x"));
    assert_eq!(holder.state, Some(State::On));
    assert_eq!(holder.choice.as_option(), Some(&NameOrCount::I64(4)));
    let leaf: &Leaf = holder.leaf.as_ref().expect("leaf");
    assert_eq!((leaf.level, leaf.leaf), (Some(3), Some(true)));
    // `note` is redefined by the last part, which also makes it required: one field.
    let missing = from_str::<Leaf>(r#"{"id":"1"}"#).expect_err("note is required");
    assert!(
        missing.to_string().contains("missing field `note`"),
        "{missing}"
    );
    let uuid: Holder = round_trip(r#"{"name":"c","uuid":"0a0a"}"#);
    assert_eq!(uuid.uuid.as_deref(), Some("0a0a"));
    let choice: Holder = round_trip(r#"{"name":"b","choice":null}"#);
    assert!(
        choice.choice.is_null(),
        "`nullable` beside a lone `allOf` reference"
    );
}

/// `oneOf` / `anyOf` of one value each (`const`, `enum: [x]`, 3.0's typed `enum`) is one
/// open enum: an unknown value is the catch-all, never the first member, and is written back
/// as sent; members are named by their alternatives' titles.
#[test]
fn alternatives_of_one_value_each_are_an_open_enum() {
    use tests::fixtures::const_enums::{Account, AccountMode, Level, Mixed, Plan, Status};
    assert_eq!(round_trip::<Status>(r#""suspended""#), Status::Suspended);
    assert_eq!(round_trip::<Status>(r#""active""#), Status::Active);
    // Named by `title`: `closed` is `Shut`.
    assert_eq!(round_trip::<Status>(r#""closed""#), Status::Shut);
    let unknown = round_trip::<Status>(r#""brand-new""#);
    assert_eq!(unknown, Status::Other("brand-new".to_owned()));
    assert!(!matches!(unknown, Status::Active));
    assert_eq!(round_trip::<Plan>(r#""pro""#), Plan::Professional);
    assert_eq!(round_trip::<Plan>(r#""free""#), Plan::Free);
    assert_eq!(round_trip::<Level>("2"), Level::High);
    assert_eq!(round_trip::<Level>("7"), Level::Other(7));
    // Alternatives that are not all values stay a union.
    assert!(matches!(round_trip::<Mixed>("3"), Mixed::I64(3)));
    let account: Account = round_trip(
        r#"{"status":"gone","plan":"free","level":1,"colour":null,"size":"auto","mode":"fast"}"#,
    );
    assert_eq!(account.status, Some(Status::Other("gone".to_owned())));
    assert_eq!(account.mode, Some(AccountMode::Quick));
}
