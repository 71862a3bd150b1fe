//! Valid documents that were once refused whole, read now: what has a meaning is generated,
//! what does not is a warning at its pointer. Each reads a fixture of `tests/fixtures/valid`,
//! which the tests crate also generates and compiles.

use crate::document::Problem;
use crate::model::{Model, Ty, TypeDef};

fn fixture(name: &str) -> String {
    let path = crate::workspace_root()
        .join("tests/fixtures/valid")
        .join(format!("{name}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn model(text: &str) -> Model {
    crate::model_from_text(text, None).unwrap_or_else(|problems| {
        let list: Vec<String> = problems.iter().map(Problem::to_string).collect();
        panic!("{}", list.join("\n"))
    })
}

fn warnings(model: &Model) -> Vec<String> {
    model.warnings.iter().map(Problem::to_string).collect()
}

fn operation_ids(model: &Model) -> Vec<&str> {
    model
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect()
}

#[test]
fn openapi_3_2_is_read_and_its_additions_are_warnings_at_their_pointers() {
    let m = model(&fixture("openapi_3_2"));
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1pets/get/responses/200/content/application~1jsonl/itemSchema: `itemSchema` (OpenAPI 3.2, a streamed body's items) is not read: the body is read as its `schema` says, or as bytes without one",
            "/paths/~1pets/query: a `query` operation (OpenAPI 3.2) is not generated: skipped",
            "/paths/~1pets/additionalOperations/PURGE: the `PURGE` operation (OpenAPI 3.2 `additionalOperations`) is not generated: skipped",
            "/paths/~1search/get/parameters/0/in: parameter `filter` is `in: querystring` (OpenAPI 3.2), which the generator does not implement: the parameter is skipped",
            "/components/schemas/Pet/discriminator/defaultMapping: unknown keyword `defaultMapping` on a discriminator: ignored",
        ]
    );
    assert_eq!(operation_ids(&m), ["listPets", "search"]);
}

#[test]
fn integers_past_64_bits_in_keywords_are_read() {
    let m = model(&fixture("wide_numbers"));
    assert_eq!(warnings(&m), Vec::<String>::new());
    let Some(TypeDef::Struct(limits)) = m.types.get("Limits") else {
        panic!("no struct Limits: {:?}", m.types.get("Limits"));
    };
    let types: Vec<&Ty> = limits.fields.iter().map(|f| &f.ty).collect();
    assert_eq!(types, [&Ty::I64, &Ty::I64, &Ty::F64]);
}

#[test]
fn unknown_schema_keywords_are_warnings_in_3_0_and_3_1() {
    let text = fixture("unknown_keywords");
    let expected = [
        "/components/schemas/Tree/$dynamicAnchor: unsupported keyword `$dynamicAnchor` is ignored: the schema is read without it",
        "/components/schemas/Tree/properties/children/min_items: unknown keyword `min_items` on a schema: ignored",
        "/components/schemas/Tree/properties/children/items/$dynamicRef: unsupported keyword `$dynamicRef` is ignored: the schema is read without it",
        "/components/schemas/Tree/properties/label/vendorHint: unknown keyword `vendorHint` on a schema: ignored",
    ];
    assert_eq!(warnings(&model(&text)), expected);
    let text = text.replace("openapi: 3.0.3", "openapi: 3.1.0");
    assert_eq!(warnings(&model(&text)), expected);
    assert!(model(&text).types.contains_key("Tree"));
}
