//! Paging, decided in lowering: `x-ms-pageable` in its forms, Graph's shape (through `allOf`,
//! inline, on a POST), and what is a warning or an error.

use crate::model::{Model, PageField, Paging, Ty};

const DOCUMENT: &str = r#"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /declared:
    get:
      operationId: declared
      x-ms-pageable: {nextLinkName: nextLink, itemName: entries, operationName: declaredNext}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}}
  /one-page:
    get:
      operationId: onePage
      x-ms-pageable: {nextLinkName: null}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Users'}}}}}
  /graph:
    get:
      operationId: graph
      responses: {2XX: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Users'}}}}}
  /action:
    post:
      operationId: action
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  value: {type: array, items: {type: string}}
                  '@odata.nextLink': {type: string}
  /no-link:
    get:
      operationId: noLink
      responses:
        2XX:
          description: a value array alone is one page
          content:
            application/json:
              schema: {type: object, properties: {value: {type: array, items: {type: string}}}}
  /no-array:
    get:
      operationId: noArray
      responses:
        2XX:
          description: a link beside a value that is not an array is not Graph's shape
          content:
            application/json:
              schema: {type: object, properties: {value: {type: string}, '@odata.nextLink': {type: string}}}
  /unnamed:
    get:
      operationId: unnamed
      x-ms-pageable: {itemName: value, pageSize: 10}
      responses: {2XX: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Users'}}}}}
  /not-a-string:
    get:
      operationId: notAString
      x-ms-pageable: {nextLinkName: '@odata.count'}
      responses: {2XX: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Users'}}}}}
  /no-body:
    get:
      operationId: noBody
      x-ms-pageable: {nextLinkName: nextLink}
      responses: {'204': {description: nothing}}
components:
  schemas:
    Page:
      type: object
      required: [entries]
      properties:
        entries: {type: array, items: {type: integer, format: int32}}
        nextLink: {type: string, format: uri}
    Base:
      type: object
      properties:
        '@odata.count': {type: integer, format: int64}
        '@odata.nextLink': {type: string, nullable: true}
    Users:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            value: {type: array, items: {type: string}}
"#;

fn paging<'m>(model: &'m Model, id: &str) -> Option<&'m Paging> {
    model
        .operations
        .iter()
        .find(|o| o.operation_id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
        .paging
        .as_ref()
}

fn field(name: &str, wire: &str) -> PageField {
    PageField {
        name: name.to_owned(),
        wire: wire.to_owned(),
    }
}

#[test]
fn pages_are_declared_or_recognised_once_in_lowering() {
    let model = crate::model_from_text(DOCUMENT, None).expect("valid");
    assert_eq!(
        paging(&model, "declared"),
        Some(&Paging {
            next_link: field("next_link", "nextLink"),
            items: field("entries", "entries"),
            item: Ty::I32,
        })
    );
    let graph = Paging {
        next_link: field("odata_next_link", "@odata.nextLink"),
        items: field("value", "value"),
        item: Ty::String,
    };
    // Graph's shape, with the link inherited through `allOf`, and on an inline POST answer.
    assert_eq!(paging(&model, "graph"), Some(&graph));
    assert_eq!(paging(&model, "action"), Some(&graph));
    // `nextLinkName: null` is one page, whatever the shape says.
    assert_eq!(paging(&model, "onePage"), None);
    for id in ["noLink", "noArray", "unnamed", "notAString", "noBody"] {
        assert_eq!(paging(&model, id), None, "{id}");
    }
    let warnings: Vec<String> = model.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "/paths/~1unnamed/get/x-ms-pageable: `x-ms-pageable` without `nextLinkName`: read as `nextLinkName: null` (one page), the operation is not paged",
            "/paths/~1unnamed/get/x-ms-pageable/pageSize: unknown keyword `pageSize` on `x-ms-pageable`: ignored",
            "/paths/~1not-a-string/get/x-ms-pageable: `x-ms-pageable`: `@odata.count` of the response type `Users` is not a string: the operation is not paged",
            "/paths/~1no-body/get/x-ms-pageable: `x-ms-pageable`: the success response has no JSON body: the operation is not paged",
        ]
    );
}

#[test]
fn a_pageable_extension_of_the_wrong_type_is_an_error() {
    let text = r#"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: a
      x-ms-pageable: {nextLinkName: 7, itemName: [value]}
      responses: {'204': {description: nothing}}
  /b:
    get:
      operationId: b
      x-ms-pageable: true
      responses: {'204': {description: nothing}}
"#;
    let problems: Vec<String> = crate::model_from_text(text, None)
        .expect_err("wrong types")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "/paths/~1a/get/x-ms-pageable/nextLinkName: `nextLinkName` must be a string, found a number",
            "/paths/~1a/get/x-ms-pageable/itemName: `itemName` must be a string, found an array",
            "/paths/~1b/get/x-ms-pageable: `x-ms-pageable` must be an object, found a boolean",
        ]
    );
}
