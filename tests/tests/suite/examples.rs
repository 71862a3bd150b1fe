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

/// The documented example that is not valid JSON (a trailing comma), with where it breaks.
/// The schema ties it to its type like any other; it is checked without the comma.
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
    // A component example is named `{schema}.{example}`: a resource representation of that
    // schema, or an instance of it (Graph's notifications, which no operation of ours returns).
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components/schemas");
    for (key, example) in doc["components"]["examples"]
        .as_object()
        .expect("components/examples")
    {
        let (schema, name) = schemas
            .keys()
            .filter_map(|schema| {
                let name = key.strip_prefix(schema.as_str())?.strip_prefix('.')?;
                Some((schema.as_str(), name))
            })
            .max_by_key(|(schema, _)| schema.len())
            .unwrap_or_else(|| panic!("component example {key} names no schema"));
        let what = if name == "resource-representation" {
            Illustrates::Representation(type_of_component(schema))
        } else {
            Illustrates::Instance(type_of_component(schema))
        };
        add(&serde_json::json!({ key: example }), what);
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
            SetStatusMessageRequestBody, SetAutomaticLocationRequestBody, SetManualLocationRequestBody,
            Subscription, ChangeNotificationCollection),
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
        let key = SAME_AS
            .iter()
            .find(|(alias, _)| *alias == file)
            .map_or(file.as_str(), |(_, same)| *same);
        let Some(what) = illustrated.get(key) else {
            panic!("{version}/{file} is tied to no schema or operation in schema/presence.yaml");
        };
        if file == INVALID_JSON.0 {
            continue; // the two tests below
        }
        let snapshot = format!("{version}__{}", file.trim_end_matches(".json"));
        check(what, &snapshot, &file, &text);
        covered += 1;
    }
    assert_eq!(
        covered, 52,
        "every documented example but the invalid one, twice"
    );
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

#[test]
fn the_invalid_documented_example_is_a_notification_once_its_comma_is_gone() {
    let (file, line, _) = INVALID_JSON;
    assert_eq!(
        illustrated().get(file),
        Some(&Illustrates::Instance(
            "ChangeNotificationCollection".to_owned()
        ))
    );
    for version in ["beta", "v1.0"] {
        let text = read_example(version, file);
        let broken = text
            .lines()
            .nth(line - 2)
            .expect("the line before the error");
        assert!(broken.ends_with(','), "{broken}");
        let mended = text.replacen(broken, broken.trim_end_matches(','), 1);
        check_instance::<models::ChangeNotificationCollection>(
            &format!("{version}__basic_notification_without_trailing_comma"),
            &mended,
        );
    }
}

/// The rich notification's content is typed (not kept as unknown JSON), and its plaintext, the
/// decrypted resource data, is a presence with its OData annotations kept.
#[test]
fn a_rich_notification_carries_typed_encrypted_content_that_decrypts_to_a_presence() {
    let text = read_example(
        "beta",
        "changenotifications-presence-rich-notification.json",
    );
    let notifications: models::ChangeNotificationCollection =
        models::from_str(&text).expect("decodes");
    let notification = &notifications.value[0];
    assert_eq!(notification.change_type, Some(models::ChangeType::Updated));
    assert_eq!(notification.subscription_id, "{Subscription id}");
    assert!(notification.lifecycle_event.is_absent());
    let content = notification
        .encrypted_content
        .as_option()
        .expect("encryptedContent is typed");
    assert_eq!(content.data, "{Encrypted content}");
    assert_eq!(
        content.data_key,
        "{Encrypted data key for encrypting content}"
    );
    assert_eq!(
        content.encryption_certificate_id,
        "{User specified id of encryption certificate}"
    );
    assert!(content.additional_properties.is_empty());
    let resource = notification
        .resource_data
        .as_option()
        .expect("resourceData");
    assert_eq!(
        resource.odata_type.as_deref(),
        Some("#microsoft.graph.presence")
    );
    assert_eq!(resource.id.as_deref(), Some("{User Id}"));
    assert_eq!(
        notification
            .additional_properties
            .keys()
            .collect::<Vec<_>>(),
        ["organizationId"],
        "the one property Graph's metadata does not list"
    );
    assert_eq!(
        notifications.validation_tokens.as_deref(),
        Some(&["{Validation Tokens}".to_owned()][..])
    );

    let plaintext = read_example(
        "beta",
        "changenotifications-presence-decrypted-resource-data.json",
    );
    let presence: models::Presence = models::from_str(&plaintext).expect("a presence");
    assert_eq!(presence.id, "{User Id}");
    assert!(
        !presence
            .availability
            .as_option()
            .expect("availability")
            .is_known()
    );
    assert_eq!(
        presence.additional_properties.keys().collect::<Vec<_>>(),
        ["@odata.id", "@odata.type"]
    );
}

#[test]
fn lifecycle_notifications_decode_without_change_type_or_resource() {
    // The structure Graph's lifecycle-notification docs show (no changeType, resource or
    // resourceData), with the three documented events and one Graph may add.
    for event in [
        "reauthorizationRequired",
        "subscriptionRemoved",
        "missed",
        "somethingNew",
    ] {
        let text = format!(
            r#"{{"value":[{{"subscriptionId":"0d6a1c2e-4b6f-4c8e-9a3b-2f1e5d7c9b10","subscriptionExpirationDateTime":"2026-03-20T11:00:00.0000000Z","tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","clientState":"secretClientState","lifecycleEvent":"{event}"}}]}}"#
        );
        let notifications: models::ChangeNotificationCollection =
            models::from_str(&text).unwrap_or_else(|e| panic!("{event}: {e}"));
        let notification = &notifications.value[0];
        let lifecycle = notification
            .lifecycle_event
            .as_option()
            .expect("lifecycleEvent");
        assert_eq!(lifecycle.to_string(), event);
        assert_eq!(lifecycle.is_known(), event != "somethingNew");
        assert!(notification.change_type.is_none() && notification.resource.is_none());
        assert_eq!(
            serde_json::to_value(&notifications).expect("encodes"),
            serde_json::from_str::<Value>(&text).expect("JSON")
        );
    }
}
