//! Per-tag cargo features (xtask/src/tags.rs) on a small document with three tags: which
//! feature compiles which operation and which type, as the feature graph and as the emitted
//! code and manifests say it. (That the gating compiles, one tag alone, is the real-world
//! gate's check on GitHub's description: `tests/real-world.sh`.)

use std::collections::BTreeSet;
use xtask::tags::TagFeatures;

/// `pets` and `stores` share `Address` (through `Owner` and `Store`); `Collar` is reached
/// only from a pet; `Health` only by the untagged operation, `Shared` by it and by a pet;
/// `Orphan` by nothing. `Pet Stores` and `pet-stores` become one feature.
const DOCUMENT: &str = r#"
openapi: 3.0.3
info: {title: tagged, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
  /stores:
    get:
      operationId: listStores
      tags: [Pet Stores, pet-stores]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Store'}}}}
  /stores/{id}/pets:
    post:
      operationId: adoptPet
      tags: [pets, Pet Stores]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '204': {description: adopted}
  /health:
    get:
      operationId: health
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Health'}}}}
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {$ref: '#/components/schemas/Owner'}
        collar: {$ref: '#/components/schemas/Collar'}
        shared: {$ref: '#/components/schemas/Shared'}
    Owner:
      type: object
      properties: {address: {$ref: '#/components/schemas/Address'}}
    Store:
      type: object
      properties: {address: {$ref: '#/components/schemas/Address'}}
    Address:
      type: object
      properties: {street: {type: string}}
    Collar:
      type: object
      properties: {colour: {type: string}}
    Health:
      type: object
      properties: {shared: {$ref: '#/components/schemas/Shared'}}
    Shared:
      type: object
      properties: {note: {type: string}}
    Orphan:
      type: object
      properties: {x: {type: string}}
"#;

fn set(features: &[&str]) -> Option<BTreeSet<String>> {
    Some(features.iter().map(|f| f.to_string()).collect())
}

#[test]
fn each_type_compiles_with_the_tags_whose_operations_reach_it() {
    let model = xtask::model_from_text(DOCUMENT, None).expect("lowers");
    let features = TagFeatures::of(&model).expect("the document has tags");
    let names: Vec<(&str, Vec<&str>)> = features
        .features
        .iter()
        .map(|(f, tags)| (f.as_str(), tags.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        names,
        [
            ("pet-stores", vec!["Pet Stores", "pet-stores"]),
            ("pets", vec!["pets"])
        ]
    );
    let gate = |name: &str| features.type_gate(name);
    assert_eq!(gate("Collar"), set(&["pets"]), "only a pet reaches it");
    assert_eq!(gate("Owner"), set(&["pets"]));
    assert_eq!(gate("Store"), set(&["pet-stores"]));
    assert_eq!(
        gate("Address"),
        set(&["pet-stores", "pets"]),
        "both reach it"
    );
    assert_eq!(gate("Health"), None, "the untagged operation reaches it");
    assert_eq!(gate("Shared"), None, "an untagged operation reaches it too");
    assert_eq!(gate("Orphan"), None, "no operation reaches it");
    let ops: Vec<(&str, _)> = model
        .operations
        .iter()
        .zip(&features.operations)
        .map(|(op, gate)| (op.operation_id.as_str(), gate.clone()))
        .collect();
    assert_eq!(
        ops,
        [
            ("listPets", set(&["pets"])),
            ("listStores", set(&["pet-stores"])),
            ("adoptPet", set(&["pet-stores", "pets"])),
            ("health", None),
        ]
    );
    // Four operations are far below the threshold: by default, no features.
    assert!(TagFeatures::decide(&model).is_none());
}

/// The item right after a `cfg` line, for each `cfg` line of `code`: (attribute, item line).
fn gated_items(code: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut items = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("#[cfg(") && line.contains("feature = \"p") {
            let item = lines[i + 1..]
                .iter()
                .find(|l| {
                    let l = l.trim_start();
                    !l.starts_with("///") && !l.starts_with("#[")
                })
                .expect("an item follows");
            items.push((line.trim().to_owned(), item.trim().to_owned()));
        }
    }
    items
}

#[test]
fn the_emitted_models_and_client_carry_the_gates() {
    let model = xtask::model_from_text(DOCUMENT, None).expect("lowers");
    let features = TagFeatures::of(&model).expect("the document has tags");
    let models = xtask::models_from_model_tagged(&model, "t.yaml", Some(&features)).expect("emits");
    let items = gated_items(&models);
    let pets = "#[cfg(feature = \"pets\")]";
    let both = "#[cfg(any(feature = \"pet-stores\", feature = \"pets\"))]";
    for (attribute, item) in [
        (pets, "pub struct Collar {"),
        (pets, "impl Collar {"),
        (pets, "impl rt::Record for Collar {"),
        (pets, "rt::record!(Collar);"),
        (both, "pub struct Address {"),
        (both, "rt::record!(Address);"),
    ] {
        assert!(
            items.contains(&(attribute.to_owned(), item.to_owned())),
            "{item} is not under {attribute}: {items:#?}"
        );
    }
    for ungated in ["Health", "Shared", "Orphan"] {
        assert!(
            !items.iter().any(|(_, item)| item.contains(ungated)),
            "{ungated} is gated: {items:#?}"
        );
        assert!(models.contains(&format!("pub struct {ungated} {{")));
    }

    let context = xtask::emit_client::ClientContext {
        models_path: "::tagged_models",
        example_models: "tagged_models",
        example_client: "tagged_client",
    };
    let client = xtask::client_from_model_tagged(&model, "t.yaml", &context, Some(&features))
        .expect("emits");
    let items = gated_items(&client);
    for (attribute, item) in [
        (pets, "pub struct ListPetsRequest {"),
        (
            pets,
            "impl ::openapi_client_runtime::Operation for ListPetsRequest {",
        ),
        (pets, "pub fn get(&self) -> ListPetsRequest {"),
        (both, "pub struct AdoptPetRequest {"),
        // A navigation type compiles when anything under it does.
        (pets, "pub fn pets(&self) -> PetsResource {"),
        (pets, "pub struct PetsResource {"),
        (both, "pub fn stores(&self) -> StoresResource {"),
        (both, "pub struct StoresResource {"),
    ] {
        assert!(
            items.contains(&(attribute.to_owned(), item.to_owned())),
            "{item} is not under {attribute}: {items:#?}"
        );
    }
    assert!(
        !items.iter().any(|(_, item)| item.contains("Health")),
        "the untagged operation is gated: {items:#?}"
    );
}

#[test]
fn the_manifests_list_a_feature_per_tag_all_on_by_default() {
    let dir = std::env::temp_dir().join(format!("graph-presence-tags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creates the folder");
    let schema = dir.join("tagged.yaml");
    std::fs::write(&schema, DOCUMENT).expect("writes");
    let out = dir.join("out");
    let generated = |tag_features| {
        xtask::standalone_outputs(
            &schema,
            &out,
            xtask::Standalone {
                name: Some("tagged"),
                runtime: None,
                flavour: None,
                tag_features,
            },
        )
        .expect("generates")
    };
    let file = |generated: &xtask::Generated, path: &str| {
        generated
            .files
            .iter()
            .find(|f| f.path.ends_with(path))
            .map(|f| f.text.clone())
            .expect("written")
    };
    let tagged = generated(Some(true));
    let models = file(&tagged, "models/Cargo.toml");
    assert!(
        models.contains("default = [\"all-tags\"]\nall-tags = [\"pet-stores\", \"pets\"]\n# Tag Pet Stores, pet-stores.\npet-stores = []\npets = []\n"),
        "{models}"
    );
    let client = file(&tagged, "client/Cargo.toml");
    for line in [
        "tagged-models = { path = \"../models\", default-features = false }",
        "default = [\"rustls\", \"all-tags\"]",
        "pets = [\"tagged-models/pets\"]",
        "pet-stores = [\"tagged-models/pet-stores\"]",
    ] {
        assert!(
            client.lines().any(|l| l == line),
            "no `{line}` in\n{client}"
        );
    }
    let docs = file(&tagged, "client/src/lib.rs");
    assert!(
        docs.contains("//! - `pet-stores`: tag `Pet Stores`, `pet-stores`\n//! - `pets`\n"),
        "{docs}"
    );
    // The server keeps every model: it depends on the models' default features.
    let server = file(&tagged, "server/Cargo.toml");
    assert!(
        server.contains("tagged-models = { path = \"../models\" }"),
        "{server}"
    );
    // By default, a document this small has none.
    let plain = generated(None);
    assert!(!file(&plain, "client/Cargo.toml").contains("all-tags"));
    assert!(!file(&plain, "models/src/generated.rs").contains("#[cfg(feature"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// What always compiles holds only types that always compile: `Orphan` (no operation reaches
/// it) holds `Tag`, which otherwise only `pets` reaches, and the form of `printLabel` (forms
/// are not gated) holds `Label`, which otherwise only `pets` reaches.
#[test]
fn what_always_compiles_never_holds_a_gated_type() {
    let document = r#"
openapi: 3.0.3
info: {title: tagged, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
  /labels:
    post:
      operationId: printLabel
      tags: [stores]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                label: {$ref: '#/components/schemas/Label'}
                image: {type: string, format: binary}
      responses:
        '204': {description: printed}
components:
  schemas:
    Pet:
      type: object
      properties:
        tag: {$ref: '#/components/schemas/Tag'}
        label: {$ref: '#/components/schemas/Label'}
        collar: {$ref: '#/components/schemas/Collar'}
    Tag:
      type: object
      properties: {name: {type: string}}
    Label:
      type: object
      properties: {text: {type: string}}
    Collar:
      type: object
      properties: {colour: {type: string}}
    Orphan:
      type: object
      properties: {tag: {$ref: '#/components/schemas/Tag'}}
"#;
    let model = xtask::model_from_text(document, None).expect("lowers");
    let features = TagFeatures::of(&model).expect("the document has tags");
    let gate = |name: &str| features.type_gate(name);
    assert_eq!(gate("Collar"), set(&["pets"]), "only a pet reaches it");
    assert_eq!(gate("Pet"), set(&["pets"]));
    assert_eq!(gate("Tag"), None, "the orphan holds it");
    assert_eq!(gate("Label"), None, "a form holds it");
    assert_eq!(gate("Orphan"), None);
}
