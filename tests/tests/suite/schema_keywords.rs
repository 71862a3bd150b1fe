//! Schema keywords beyond objects, on the generated code of their fixtures
//! (tests/fixtures/valid): enums of integers and with `null`, `x-ms-enum` names and flags,
//! `readOnly`/`writeOnly`/`default`/`const`, `nullable` in every position, and OpenAPI 3.1's
//! type arrays. Every value decodes and encodes back to the same bytes, and unknown values
//! are kept.

use serde_json::json;
use tests::fixtures::{keywords, nullable_everywhere, openapi_3_1, scalar_enums, x_ms_enum};

/// Decodes, re-encodes, and asserts the JSON text comes back byte for byte.
fn round_trip_exact<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> T {
    let value: T = openapi_models_runtime::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(serde_json::to_string(&value).expect("encodes"), text);
    value
}

fn schema_of<T: schemars::JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("json")
}

#[test]
fn integer_enums_are_open_and_round_trip() {
    use scalar_enums::{BlockSize, Disk, DiskPriority, Offset, Untyped};
    let text = r#"{"size":512,"offset":-1,"untyped":7,"pinned":false,"toggle":null,"ratio":2.5,"level":null,"priority":3,"mixed":{"a":[1]}}"#;
    let disk: Disk = round_trip_exact(text);
    assert_eq!(disk.size, BlockSize::V512);
    assert_eq!(disk.offset, Some(Offset::Minus1));
    // Values the schema does not list are kept, typed.
    assert_eq!(disk.untyped, Some(Untyped::Other(7)));
    assert!(!Untyped::from(7).is_known());
    assert_eq!(disk.priority.as_option(), Some(&DiskPriority::Other(3)));
    // `null` in an enum (a component's, through a reference) makes the property nullable.
    assert!(disk.level.is_null());
    assert!(disk.toggle.is_null());
    assert_eq!(BlockSize::from(4096), BlockSize::V4096);
    assert_eq!(BlockSize::V2048.value(), 2048);
    assert_eq!(BlockSize::KNOWN_VALUES, [512, 2048, 4096]);
    assert_eq!(BlockSize::Other(1).to_string(), "1");
    let unknown: Disk = round_trip_exact(r#"{"size":1024}"#);
    assert_eq!(unknown.size, BlockSize::Other(1024));
    // Not an integer: refused, with the path.
    let error = openapi_models_runtime::from_str::<Disk>(r#"{"size":"512"}"#).unwrap_err();
    assert!(error.to_string().starts_with("at `size`: "), "{error}");
    let error = openapi_models_runtime::from_str::<Disk>(r#"{"size":1.5}"#).unwrap_err();
    assert!(error.to_string().starts_with("at `size`: "), "{error}");
}

#[test]
fn integer_enums_publish_their_values_and_any_i64() {
    let schema = schema_of::<scalar_enums::BlockSize>();
    assert_eq!(
        schema["anyOf"][0],
        json!({"type": "integer", "enum": [512, 2048, 4096]})
    );
    assert_eq!(schema["anyOf"][1]["type"], "integer");
    assert_eq!(schema["anyOf"][1]["maximum"], json!(i64::MAX));
    let disk = schema_of::<scalar_enums::Disk>();
    let level = &disk["properties"]["level"]["anyOf"];
    assert_eq!(level[1], json!({"type": "null"}), "{disk}");
}

#[test]
fn flags_keep_their_text_and_read_as_members() {
    use x_ms_enum::{Label, LabelChannels, SensitivityLabelTarget as Target};
    let text = r##"{"targets":"email,site,hologram","previousTargets":null,"color":"#00f","backgroundColor":"plaid","size":2,"channels":" mail , chat"}"##;
    let label: Label = round_trip_exact(text);
    let members: Vec<Target> = label.targets.iter().collect();
    assert_eq!(
        members,
        [
            Target::Email,
            Target::Site,
            Target::Other("hologram".to_owned())
        ]
    );
    assert!(label.targets.contains(&Target::Site));
    assert!(!label.targets.contains(&Target::Teamwork));
    assert!(label.previous_targets.is_null());
    // Spacing is kept on the wire, and ignored when reading members.
    let channels = label.channels.as_ref().expect("present");
    assert_eq!(channels.as_str(), " mail , chat");
    assert_eq!(
        channels.iter().collect::<Vec<_>>(),
        [LabelChannels::Mail, LabelChannels::Chat]
    );
    // Built from members: joined with commas, each once.
    let mut built = x_ms_enum::Flags::from(vec![Target::Email, Target::UnifiedGroup]);
    built.insert(Target::Email);
    built.insert(Target::from("future"));
    assert_eq!(built.as_str(), "email,unifiedGroup,future");
    let label = Label::new(Target::Teamwork);
    assert_eq!(
        serde_json::to_string(&label).expect("encodes"),
        r#"{"targets":"teamwork"}"#
    );
    let empty: Label = round_trip_exact(r#"{"targets":""}"#);
    assert_eq!(empty.targets.iter().count(), 0);
}

#[test]
fn x_ms_enum_names_variants_and_shares_one_type() {
    use x_ms_enum::{Label, LabelColor, LabelSize};
    let label: Label =
        round_trip_exact(r##"{"targets":"site","color":"red","backgroundColor":"#00f","size":1}"##);
    assert_eq!(label.color, Some(LabelColor::Crimson));
    // Two properties with the same `x-ms-enum` name and schema are one type.
    assert_eq!(label.background_color, Some(LabelColor::Blue));
    assert_eq!(label.size, Some(LabelSize::Small));
    assert_eq!(LabelColor::Blue.as_str(), "#00f");
    let schema = schema_of::<Label>();
    assert_eq!(
        schema["properties"]["targets"]["type"], "string",
        "{schema}"
    );
}

#[test]
fn read_only_write_only_and_default_are_published() {
    use keywords::{Account, AccountKind, AccountRegion};
    let schema = schema_of::<Account>();
    let properties = &schema["properties"];
    assert_eq!(properties["id"]["readOnly"], true, "{schema}");
    assert_eq!(properties["password"]["writeOnly"], true);
    assert_eq!(properties["pageSize"]["default"], 20);
    assert_eq!(properties["region"]["default"], "eu");
    assert_eq!(properties["tags"]["default"], json!([]));
    assert_eq!(properties["settings"]["default"], json!({"theme": "dark"}));
    // A default is documented, never filled in: absence stays absence.
    let account: Account = round_trip_exact(r#"{"id":"a","password":"p"}"#);
    assert_eq!(account.page_size, None);
    assert_eq!(account.region, None::<AccountRegion>);
    // `const` is a one-value open enum; an array without `items` holds any JSON.
    let text = r#"{"id":"a","password":"p","kind":"account","history":[1,"two",null,{"x":[]}]}"#;
    let account: Account = round_trip_exact(text);
    assert_eq!(account.kind, Some(AccountKind::Account));
    assert_eq!(account.history.as_ref().map(Vec::len), Some(4));
    let other: Account = round_trip_exact(r#"{"id":"a","password":"p","kind":"admin"}"#);
    assert_eq!(other.kind, Some(AccountKind::Other("admin".to_owned())));
}

#[test]
fn nullable_reaches_every_position() {
    use nullable_everywhere::{Holder, NullableUser};
    let text = r#"{"owner":null,"assignee":{"login":"a"},"name":null,"color":null,"reviewer":null,"author":{"login":"b"},"users":[null,{"login":"c"}],"names":[null,"x"],"scores":{"a":null,"b":1},"byId":{"x":null},"levels":[null,"low"]}"#;
    let holder: Holder = round_trip_exact(text);
    // A required property whose component is nullable: must be present, may be null.
    let owner: Option<NullableUser> = holder.owner;
    assert_eq!(owner, None);
    assert!(holder.name.is_null());
    assert!(holder.color.is_null());
    assert!(holder.reviewer.is_null());
    assert_eq!(holder.users.as_ref().map(|u| u[0].is_none()), Some(true));
    assert!(openapi_models_runtime::from_str::<Holder>("{}").is_err());
    // `author` is not nullable: `null` is refused.
    assert!(openapi_models_runtime::from_str::<Holder>(r#"{"owner":null,"author":null}"#).is_err());
}

#[test]
fn openapi_3_1_type_arrays_const_and_siblings() {
    use openapi_3_1::{Pet, PetKind, PetSchemaVersion};
    let text = r#"{"id":"p1","kind":"cat","schemaVersion":2,"live":false,"nickname":null,"age":null,"weight":1.5,"tags":["a",null],"code":7,"owner":{"name":"x"},"formerOwner":null,"photo":"aGk=","coordinates":[1,2]}"#;
    let pet: Pet = round_trip_exact(text);
    assert_eq!(pet.kind, PetKind::Other("cat".to_owned()));
    assert_eq!(pet.schema_version, Some(PetSchemaVersion::V2));
    assert!(pet.nickname.is_null());
    assert!(pet.age.is_null());
    assert!(pet.former_owner.is_null());
    assert_eq!(pet.tags, Some(vec![Some("a".to_owned()), None]));
    let pet: Pet = round_trip_exact(r#"{"id":"p2","kind":"dog","code":"seven"}"#);
    assert_eq!(pet.kind, PetKind::Dog);
    let pet = Pet::new("p3", PetKind::Dog);
    assert_eq!(
        serde_json::to_string(&pet).expect("encodes"),
        r#"{"id":"p3","kind":"dog"}"#
    );
}
