//! Valid documents that were once refused whole, read now: what has a meaning is generated,
//! what does not is a warning at its pointer. Each reads a fixture of `tests/fixtures/valid`,
//! which the tests crate also generates and compiles.

use crate::document::Problem;
use crate::emit_client::ClientContext;
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

fn client(model: &Model) -> String {
    let context = ClientContext {
        models_path: "crate::models",
        example_models: "models",
        example_client: "client",
    };
    crate::client_from_model(model, "t.yaml", &context).expect("emits")
}

#[test]
fn a_fixed_query_is_sent_and_a_fragment_or_a_split_segment_skips_only_its_operation() {
    let m = model(&fixture("path_keys"));
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1things~1{thing_id}#label: path `/things/{thing_id}#label` has a fragment (`#label`), which is never sent over HTTP: the path and its operations are skipped",
            "/paths/~1files~1{name}.json/get: unsupported path segment `{name}.json` in `/files/{name}.json`: a parameter must be a whole segment, so the operation is skipped",
        ]
    );
    assert_eq!(operation_ids(&m), ["getBetaItem", "getFile"]);
    let beta = &m.operations[0];
    assert_eq!(beta.path.as_str(), "/items/{item_id}");
    let fixed: Vec<(&str, &str)> = beta
        .fixed_query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(fixed, [("beta", "true"), ("view", "full text")]);
    let source = client(&m);
    assert!(
        source.contains("spec.query(\"beta\", \"true\");")
            && source.contains("spec.query(\"view\", \"full text\");"),
        "{source}"
    );
}

#[test]
fn a_path_told_apart_only_by_its_fixed_query_is_a_warning_for_the_server() {
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items:
    get: {operationId: list, responses: {'204': {description: d}}}
  /items?beta=true:
    get: {operationId: listBeta, responses: {'204': {description: d}}}
";
    let m = model(text);
    assert_eq!(operation_ids(&m), ["list", "listBeta"]);
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1items?beta=true/get: `GET /items` is also another path's operation, told apart only by the fixed query: the client sends it, the server routes the request to the path declared first"
        ]
    );
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
fn a_parameter_with_content_is_text_in_its_media_type() {
    let m = model(&fixture("content_parameters"));
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1search/get/parameters/0/content: parameter `filter` is described by `content`: it is a `String` holding the value already written as `application/json`, sent as it is",
            "/paths/~1search/get/parameters/1/content: parameter `X-Trace` is described by `content`: it is a `String` holding the value already written as `application/json`, sent as it is",
        ]
    );
    let params: Vec<(&str, &Ty, bool)> = m.operations[0]
        .params
        .iter()
        .map(|p| (p.wire.as_str(), &p.ty, p.required))
        .collect();
    assert_eq!(
        params,
        [
            ("filter", &Ty::String, true),
            ("X-Trace", &Ty::String, false)
        ]
    );
    // Still a document error: neither `schema` nor `content`.
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters: [{name: q, in: query}]
      responses: {'204': {description: d}}
";
    let problems: Vec<String> = match crate::model_from_text(text, None) {
        Ok(_) => Vec::new(),
        Err(list) => list.iter().map(Problem::to_string).collect(),
    };
    assert_eq!(
        problems,
        ["/paths/~1a/get/parameters/0: parameter `q` needs a `schema` or a `content`"]
    );
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

#[test]
fn mismatched_path_parameters_and_a_scheme_in_another_document_are_warnings() {
    let text = "openapi: 3.2.0
info: {title: t, version: '1'}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
paths:
  /pets/{id}:
    put:
      operationId: updatePet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      security:
        - basic: []
        - 'otherapi#/components/securitySchemes/generic_auth': []
        - '#/components/securitySchemes/basic': []
      responses:
        '204': {description: updated}
";
    let m = model(text);
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1pets~1{id}/put: path parameter `{id}` of `/pets/{id}` is not declared in `parameters`: it is taken as a required string",
            "/paths/~1pets~1{id}/put: path parameter `petId` does not appear in `/pets/{id}`: it is left out (it could not be sent)",
            "/paths/~1pets~1{id}/put/security/1/otherapi#~1components~1securitySchemes~1generic_auth: security scheme `otherapi#/components/securitySchemes/generic_auth` is in another document, which is not read: this alternative of the requirement is left out",
        ]
    );
    let op = &m.operations[0];
    assert_eq!(op.path.parameters().collect::<Vec<_>>(), ["id"]);
    assert!(op.params.is_empty(), "{:?}", op.params);
    // The two alternatives of this document: `basic`, named twice (by name and by URI).
    let security = op.security.as_ref().expect("basic is not a bearer token");
    let names: Vec<Vec<&str>> = security
        .iter()
        .map(|alt| alt.iter().map(|s| s.name.as_str()).collect())
        .collect();
    assert_eq!(names, [["basic"], ["basic"]]);
    let client = client(&m);
    assert!(client.contains("\"updatePet\""), "{client}");
}

#[test]
fn a_requirement_met_only_in_another_document_says_no_credential_is_sent() {
    let text = "openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      security:
        - 'otherapi#/components/securitySchemes/generic_auth': []
      responses:
        '204': {description: listed}
";
    let m = model(text);
    assert_eq!(
        warnings(&m),
        [
            "/paths/~1pets/get/security: every alternative of this requirement names a scheme in another document: the client sends no credential for it",
            "/paths/~1pets/get/security/0/otherapi#~1components~1securitySchemes~1generic_auth: security scheme `otherapi#/components/securitySchemes/generic_auth` is in another document, which is not read: this alternative of the requirement is left out",
        ]
    );
}
