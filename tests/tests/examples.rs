//! Every documented JSON example (schema/examples, v1.0 and beta) against the generated models.
//!
//! The schema document says which type each example illustrates (it references the file from
//! an operation's request or response, the error response, or `components/examples`). For each
//! instance: decode into that type, snapshot the decoded value, re-encode and compare with the
//! original, and validate the original against the type's JSON Schema. Resource
//! representations hold placeholders instead of values: each property they list must be a
//! property of the model. Every file must be accounted for, so a new example cannot be skipped.

use graph_presence_models as models;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::Path;
use tests::root;

/// Examples of things this crate does not model yet (change notifications and subscriptions).
const NOT_YET_COVERED: &[&str] = &[
    "changenotifications-presence-decrypted-resource-data.json",
    "changenotifications-presence-multiple-users-subscription.request.json",
    "changenotifications-presence-rich-notification.json",
    "changenotifications-presence-single-user-subscription.request.json",
];

/// The documented example that is not valid JSON (a trailing comma), with where it breaks.
const INVALID_JSON: (&str, usize, usize) = (
    "changenotifications-presence-basic-notification.json",
    15,
    3,
);

/// Files not referenced from the document that illustrate the same thing as one that is.
const SAME_AS: &[(&str, &str)] = &[(
    // An older revision of the setAutomaticLocation example, with placeholder values (which
    // the open enum and string fields accept as they are).
    "presencethis.setautomaticlocation.request.placeholder-revision.json",
    "presencethis.setautomaticlocation.request.json",
)];

/// What an example file illustrates, according to the schema document.
#[derive(Clone, Debug, PartialEq)]
enum Illustrates {
    /// An instance of this generated type.
    Instance(String),
    /// A request body the schema leaves untyped (an empty object).
    UntypedBody,
    /// A resource representation (placeholders) of this generated type.
    Representation(String),
}

fn schema_document() -> Value {
    let text =
        std::fs::read_to_string(root().join(xtask::BUNDLED_SCHEMA)).expect("schema is readable");
    let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("schema parses");
    serde_json::to_value(yaml).expect("schema is JSON-compatible")
}

/// Example file name → what it illustrates, read from the document's `externalValue`s.
fn illustrated() -> BTreeMap<String, Illustrates> {
    let doc = schema_document();
    let model = xtask::model_from_text(
        &std::fs::read_to_string(root().join(xtask::BUNDLED_SCHEMA)).expect("readable"),
        None,
    )
    .expect("schema is valid");
    let type_of_component = |key: &str| {
        model
            .types
            .values()
            .find(|t| match t {
                xtask::model::TypeDef::Struct(s) => s.origin == key,
                xtask::model::TypeDef::Enum(e) => e.origin == key,
                xtask::model::TypeDef::Union(u) => u.origin == key,
            })
            .map(|t| t.name().to_owned())
            .unwrap_or_else(|| panic!("no type for {key}"))
    };
    let named = |ty: Option<&xtask::model::Ty>| match ty {
        Some(xtask::model::Ty::Named(name)) => Illustrates::Instance(name.clone()),
        Some(xtask::model::Ty::Any) => Illustrates::UntypedBody,
        other => panic!("unexpected body type {other:?}"),
    };
    let mut map = BTreeMap::new();
    let mut add = |examples: &Value, what: Illustrates| {
        for example in examples.as_object().into_iter().flat_map(|m| m.values()) {
            let file = example["externalValue"]
                .as_str()
                .expect("examples use externalValue");
            let name = Path::new(file)
                .file_name()
                .and_then(|n| n.to_str())
                .expect("file name")
                .to_owned();
            if let Some(previous) = map.insert(name.clone(), what.clone()) {
                assert_eq!(previous, what, "{name} illustrates two different things");
            }
        }
    };
    for (_, item) in doc["paths"].as_object().expect("paths") {
        for (_, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId");
            let operation = model
                .operations
                .iter()
                .find(|o| o.operation_id == id)
                .expect("lowered");
            let request = &op["requestBody"]["content"]["application/json"]["examples"];
            if !request.is_null() {
                add(
                    request,
                    named(operation.request_body.as_ref().map(|b| &b.ty)),
                );
            }
            let response = &op["responses"]["2XX"]["content"]["application/json"]["examples"];
            if !response.is_null() {
                add(response, named(operation.response.as_ref().map(|b| &b.ty)));
            }
        }
    }
    let error = &doc["components"]["responses"]["error"]["content"]["application/json"];
    let error_key = error["schema"]["$ref"]
        .as_str()
        .expect("error schema ref")
        .rsplit('/')
        .next()
        .expect("key");
    add(
        &error["examples"],
        Illustrates::Instance(type_of_component(error_key)),
    );
    for (key, example) in doc["components"]["examples"]
        .as_object()
        .expect("components/examples")
    {
        let schema = key
            .strip_suffix(".resource-representation")
            .unwrap_or_else(|| panic!("unexpected component example {key}"));
        add(
            &serde_json::json!({ key: example }),
            Illustrates::Representation(type_of_component(schema)),
        );
    }
    map
}

/// Every example file, as (version folder, file name).
fn example_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for version in ["beta", "v1.0"] {
        let dir = root().join("schema/examples").join(version);
        for entry in std::fs::read_dir(&dir)
            .expect("examples folder")
            .filter_map(Result::ok)
        {
            files.push((
                version.to_owned(),
                entry.file_name().to_string_lossy().into_owned(),
            ));
        }
    }
    files.sort();
    assert!(
        files.len() >= 50,
        "expected every documented example, found {}",
        files.len()
    );
    files
}

fn read_example(version: &str, file: &str) -> String {
    std::fs::read_to_string(root().join("schema/examples").join(version).join(file))
        .expect("readable")
}

/// Decode, snapshot, re-encode, and validate against the JSON Schema.
fn check_instance<T>(snapshot: &str, text: &str)
where
    T: DeserializeOwned + Serialize + schemars::JsonSchema + Debug,
{
    let decoded: T = models::from_str(text).unwrap_or_else(|e| panic!("{snapshot}: {e}"));
    insta::assert_debug_snapshot!(snapshot, decoded);
    let original: Value = serde_json::from_str(text).expect("valid JSON");
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    assert_eq!(
        encoded, original,
        "{snapshot}: re-encoding must give the original JSON"
    );
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the generated JSON Schema is valid");
    let errors: Vec<String> = validator
        .iter_errors(&original)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{snapshot}: the original does not validate against the JSON Schema: {errors:?}"
    );
}

/// Every property a resource representation lists is a property of the type.
fn check_representation<T: schemars::JsonSchema>(file: &str, text: &str) {
    let listed: Value = serde_json::from_str(text).expect("valid JSON");
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema is JSON");
    let properties = schema["properties"].as_object().expect("object schema");
    for key in listed.as_object().expect("an object").keys() {
        if key == "@odata.type" {
            continue; // an annotation, kept as an unknown property
        }
        assert!(
            properties.contains_key(key),
            "{file} lists `{key}`, which the model does not have"
        );
    }
}

macro_rules! by_type_name {
    ($name:expr, $check:ident, $a:expr, $b:expr; $($ty:ident),* $(,)?) => {
        match $name {
            $(stringify!($ty) => $check::<models::$ty>($a, $b),)*
            other => panic!("no test entry for generated type `{other}`: add it to the list"),
        }
    };
}

fn check(what: &Illustrates, snapshot: &str, file: &str, text: &str) {
    match what {
        Illustrates::Instance(name) => by_type_name!(name.as_str(), check_instance, snapshot, text;
            Presence, PresenceCollectionResponse, GetPresencesByUserIdResponse, GetPresencesByUserIdRequestBody,
            ODataError, SetPresenceRequestBody, ClearPresenceRequestBody, SetUserPreferredPresenceRequestBody,
            SetStatusMessageRequestBody, SetAutomaticLocationRequestBody, SetManualLocationRequestBody),
        Illustrates::UntypedBody => {
            let value: Value = models::from_str(text).expect("valid JSON");
            assert!(
                value.as_object().is_some(),
                "{file}: an untyped body is still an object"
            );
        }
        Illustrates::Representation(name) => {
            by_type_name!(name.as_str(), check_representation, file, text;
            Presence, OutOfOfficeSettings, PresenceStatusMessage, UserWorkLocation, DateTimeTimeZone, ItemBody)
        }
    }
}

#[test]
fn every_documented_example_matches_the_models() {
    let illustrated = illustrated();
    let mut covered = 0;
    for (version, file) in example_files() {
        let text = read_example(&version, &file);
        if file == INVALID_JSON.0 || NOT_YET_COVERED.contains(&file.as_str()) {
            continue;
        }
        let key = SAME_AS
            .iter()
            .find(|(alias, _)| *alias == file)
            .map_or(file.as_str(), |(_, same)| *same);
        let Some(what) = illustrated.get(key) else {
            panic!(
                "{version}/{file} is tied to no schema or operation in schema/presence.yaml, and is not listed as not yet covered"
            );
        };
        let snapshot = format!("{version}__{}", file.trim_end_matches(".json"));
        check(what, &snapshot, &file, &text);
        covered += 1;
    }
    assert!(covered >= 40, "only {covered} examples were checked");
}

#[test]
fn every_referenced_example_exists_in_both_listings() {
    let files: Vec<String> = example_files().into_iter().map(|(_, f)| f).collect();
    for name in illustrated().keys() {
        assert!(files.contains(name), "{name} is referenced but missing");
    }
}

#[test]
fn the_invalid_documented_example_fails_with_line_and_column() {
    let (file, line, column) = INVALID_JSON;
    for version in ["beta", "v1.0"] {
        let error =
            models::from_str::<Value>(&read_example(version, file)).expect_err("trailing comma");
        assert_eq!((error.line(), error.column()), (line, column), "{error}");
        insta::assert_snapshot!(format!("{version}__invalid_json"), error.to_string());
    }
}
