//! Every response an operation declares reaches the model: its status key, body, headers
//! (inline or through `components/headers`) and examples.

use crate::model::{Media, ResponseHeader, Status, Ty};

const DOCUMENT: &str = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: a page of pets
          headers:
            x-next: {description: the next page, schema: {type: string}}
            X-Rate-Limit: {$ref: '#/components/headers/rate'}
            Content-Type: {schema: {type: string}}
          content:
            application/json:
              schema: {type: array, items: {type: string}}
              examples:
                two: {value: [a, b]}
        4XX:
          description: refused
          content:
            text/plain: {schema: {type: string}}
        default: {$ref: '#/components/responses/error'}
components:
  headers:
    rate:
      required: true
      schema: {type: integer, format: int32}
  responses:
    error:
      description: an error
      content:
        application/json:
          schema: {type: object, properties: {code: {type: string}}}
"#;

#[test]
fn every_response_keeps_its_status_body_headers_and_examples() {
    let model = crate::model_from_text(DOCUMENT, None).expect("valid");
    let responses = &model.operations[0].responses;
    let statuses: Vec<Status> = responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Status::Code(200), Status::Range(4), Status::Default]
    );
    let ok = &responses[0];
    assert_eq!(ok.description.as_deref(), Some("a page of pets"));
    assert_eq!(
        ok.body.as_ref().map(|b| &b.ty),
        Some(&Ty::Array(Box::new(Ty::String)))
    );
    assert_eq!(
        ok.headers,
        [
            ResponseHeader {
                wire: "x-next".to_owned(),
                ty: Ty::String,
                required: false,
                description: Some("the next page".to_owned()),
            },
            ResponseHeader {
                wire: "X-Rate-Limit".to_owned(),
                ty: Ty::I32,
                required: true,
                description: None,
            },
        ],
        "Content-Type is the media type's, not a header"
    );
    assert_eq!(ok.examples.len(), 1);
    assert_eq!(ok.examples[0].name.as_deref(), Some("two"));
    assert_eq!(ok.examples[0].value.as_deref(), Ok(r#"["a","b"]"#));
    let refused = &responses[1];
    assert_eq!(
        refused.body.as_ref().map(|b| &b.media),
        Some(&Media::Text("text/plain".to_owned()))
    );
    let default = &responses[2];
    assert_eq!(default.description.as_deref(), Some("an error"));
    assert!(matches!(
        default.body.as_ref().map(|b| &b.ty),
        Some(Ty::Named(_))
    ));
}

#[test]
fn a_dangling_header_reference_is_an_error() {
    let text = DOCUMENT.replace("#/components/headers/rate", "#/components/headers/missing");
    let problems = crate::model_from_text(&text, None).expect_err("dangling");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].pointer,
        "/paths/~1pets/get/responses/200/headers/X-Rate-Limit/$ref"
    );
    assert!(problems[0].message.starts_with("dangling `$ref`"));
}

#[test]
fn status_keys_parse_codes_ranges_and_default() {
    assert_eq!(Status::parse("204"), Status::Code(204));
    assert_eq!(Status::parse("2XX"), Status::Range(2));
    assert_eq!(Status::parse("5xx"), Status::Range(5));
    assert_eq!(Status::parse("default"), Status::Default);
}
