//! Lowering, one concern at a time: a small document in, the model asserted.

use crate::model::{EnumDef, Model, StructDef, Ty, TypeDef};

pub(super) fn model(paths: &str, schemas: &str) -> Model {
    let text = format!(
        "openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}"
    );
    crate::model_from_text(&text, None).unwrap_or_else(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("{}\n\n{text}", list.join("\n"))
    })
}

pub(super) fn structure<'m>(model: &'m Model, name: &str) -> &'m StructDef {
    match model.types.get(name) {
        Some(TypeDef::Struct(s)) => s,
        other => panic!(
            "no struct {name}: {other:?}; types: {:?}",
            model.types.keys()
        ),
    }
}

pub(super) fn enumeration<'m>(model: &'m Model, name: &str) -> &'m EnumDef {
    match model.types.get(name) {
        Some(TypeDef::Enum(e)) => e,
        other => panic!("no enum {name}: {other:?}; types: {:?}", model.types.keys()),
    }
}

pub(super) fn field_names(s: &StructDef) -> Vec<(&str, &str)> {
    s.fields
        .iter()
        .map(|f| (f.name.as_str(), f.wire.as_str()))
        .collect()
}

pub(super) fn named(name: &str) -> Ty {
    Ty::Named(name.to_owned())
}

#[test]
fn component_names_settle_collisions_and_reserved_names() {
    let m = model(
        "  {}",
        "    microsoft.graph.session: {type: object, properties: {a: {type: string}}}
    microsoft.graph.callRecords.session: {type: object, properties: {b: {type: string}}}
    microsoft.graph.isoDuration: {type: object, properties: {c: {type: string}}}
    microsoft.graph.presence: {type: object, properties: {'@odata.type': {type: string}, odataType: {type: string}}}
",
    );
    let names: Vec<&String> = m.types.keys().collect();
    assert_eq!(
        names,
        ["CallRecordsSession", "IsoDuration2", "Presence", "Session"]
    );
    assert_eq!(
        structure(&m, "CallRecordsSession").origin,
        "microsoft.graph.callRecords.session"
    );
    assert_eq!(
        field_names(structure(&m, "Presence")),
        [("odata_type", "@odata.type"), ("odata_type_2", "odataType")]
    );
}

#[test]
fn all_of_chains_flatten_inherited_fields_first() {
    let m = model(
        "  {}",
        "    microsoft.graph.user:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.directoryObject'
        - type: object
          required: [displayName]
          properties: {displayName: {type: string}}
    microsoft.graph.directoryObject:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.entity'
        - type: object
          properties: {deletedDateTime: {type: string, format: date-time, nullable: true}}
    microsoft.graph.entity:
      type: object
      required: [id]
      properties: {id: {type: string}}
      additionalProperties: false
",
    );
    let user = structure(&m, "User");
    assert_eq!(
        field_names(user),
        [
            ("id", "id"),
            ("deleted_date_time", "deletedDateTime"),
            ("display_name", "displayName")
        ]
    );
    let required: Vec<bool> = user.fields.iter().map(|f| f.required).collect();
    assert_eq!(required, [true, false, true]);
    assert_eq!(user.fields[1].ty, Ty::Timestamp);
    assert!(user.fields[1].nullable);
    assert_eq!(user.additional, crate::model::Additional::Deny, "inherited");
}

#[test]
fn inline_types_are_named_from_their_hints() {
    let m = model(
        "  /things:
    post:
      operationId: things.CreateThing
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {level: {type: integer}}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
  /other:
    post:
      operationId: other_CreateThing
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {size: {type: integer}}}
      responses: {2XX: {description: ok}}",
        "    microsoft.graph.thing:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}}}
        tags: {type: array, items: {type: object, properties: {label: {type: string}}}}
        mood: {type: string, enum: [happy, sad, null]}
",
    );
    let thing = structure(&m, "Thing");
    assert_eq!(thing.fields[0].ty, named("ThingOwner"));
    assert_eq!(
        thing.fields[1].ty,
        Ty::Array(Box::new(named("ThingTagsItem")))
    );
    assert_eq!(thing.fields[2].ty, named("ThingMood"));
    let mood = enumeration(&m, "ThingMood");
    let wires: Vec<String> = mood.variants.iter().map(|v| v.wire.to_string()).collect();
    assert_eq!(wires, ["happy", "sad"], "Kiota's null member is skipped");
    assert_eq!(
        structure(&m, "ThingOwner").origin,
        "/components/schemas/microsoft.graph.thing/properties/owner"
    );
    // Two different bodies under one hint get numbered names; operations keep their order.
    let bodies: Vec<Option<&Ty>> = m
        .operations
        .iter()
        .map(|o| o.request_body.as_ref().map(|b| &b.ty))
        .collect();
    assert_eq!(
        bodies,
        [
            Some(&named("CreateThingRequestBody")),
            Some(&named("CreateThingRequestBody2"))
        ],
        "paths are lowered in document order: /things first"
    );
    assert_eq!(
        m.operations[0].response.as_ref().map(|b| &b.ty),
        Some(&named("CreateThingResponse"))
    );
    assert_eq!(m.operations[1].response, None);
    assert_eq!(m.operations[1].name, "OtherCreateThing");
}

#[test]
fn the_kiota_wrapper_makes_a_reference_nullable() {
    let m = model(
        "  {}",
        "    microsoft.graph.message:
      type: object
      properties:
        body:
          anyOf:
            - $ref: '#/components/schemas/microsoft.graph.itemBody'
            - {type: object, nullable: true}
        plain: {$ref: '#/components/schemas/microsoft.graph.itemBody'}
        bodies:
          type: array
          items:
            anyOf:
              - {type: object, nullable: true}
              - $ref: '#/components/schemas/microsoft.graph.itemBody'
    microsoft.graph.itemBody: {type: object, properties: {content: {type: string}}}
",
    );
    let message = structure(&m, "Message");
    assert_eq!(message.fields[0].ty, named("ItemBody"));
    assert!(message.fields[0].nullable);
    assert!(!message.fields[1].nullable, "a bare $ref is not nullable");
    assert_eq!(
        message.fields[2].ty,
        Ty::Array(Box::new(Ty::Option(Box::new(named("ItemBody")))))
    );
}

#[test]
fn recursion_through_a_field_is_boxed_and_through_an_array_is_not() {
    let m = model(
        "  {}",
        "    microsoft.graph.innerError:
      type: object
      properties:
        code: {type: string}
        innerError:
          anyOf:
            - $ref: '#/components/schemas/microsoft.graph.innerError'
            - {type: object, nullable: true}
        details: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.innerError'}}
        wrapper: {$ref: '#/components/schemas/microsoft.graph.wrapper'}
    microsoft.graph.wrapper:
      type: object
      properties:
        error: {$ref: '#/components/schemas/microsoft.graph.innerError'}
    microsoft.graph.leaf: {type: object, properties: {x: {type: string}}}
    microsoft.graph.holder: {type: object, properties: {leaf: {$ref: '#/components/schemas/microsoft.graph.leaf'}}}
",
    );
    let boxed =
        |name: &str| -> Vec<bool> { structure(&m, name).fields.iter().map(|f| f.boxed).collect() };
    assert_eq!(boxed("InnerError"), [false, true, false, true]);
    assert_eq!(boxed("Wrapper"), [true], "a cycle through two structs");
    assert_eq!(boxed("Holder"), [false]);
}

#[test]
fn derives_are_decided_through_references_and_inheritance() {
    let m = model(
        "  {}",
        "    microsoft.graph.task: {type: object, properties: {progress: {$ref: '#/components/schemas/microsoft.graph.progress'}}}
    microsoft.graph.progress: {type: object, properties: {percent: {type: number, format: double}}}
    microsoft.graph.note: {type: object, properties: {body: {$ref: '#/components/schemas/microsoft.graph.words'}}}
    microsoft.graph.words: {type: object, properties: {content: {type: string}}}
    microsoft.graph.list: {type: object, properties: {tasks: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.task'}}}}
    microsoft.graph.heir:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.progress'
        - {type: object, required: [name], properties: {name: {type: string}}}
    microsoft.graph.scores: {type: object, additionalProperties: {type: number, format: float}}
    microsoft.graph.selfish:
      type: object
      properties:
        next: {$ref: '#/components/schemas/microsoft.graph.selfish'}
        ratio: {type: number}
",
    );
    let derives = |name: &str| {
        let d = structure(&m, name).derives;
        (d.eq, d.hash, d.default)
    };
    assert_eq!(derives("Progress"), (false, false, true));
    assert_eq!(
        derives("Task"),
        (false, false, true),
        "a struct holding a struct with an f64"
    );
    assert_eq!(
        derives("List"),
        (false, false, true),
        "…and through an array of them"
    );
    assert_eq!(derives("Note"), (true, true, true), "only strings inside");
    assert_eq!(derives("Words"), (true, true, true));
    assert_eq!(
        derives("Heir"),
        (false, false, false),
        "inherits the f64 and a required name"
    );
    assert_eq!(
        derives("Selfish"),
        (false, false, true),
        "recursive types settle"
    );
    assert!(
        !m.types.contains_key("Scores"),
        "a map component is inlined, not a struct"
    );
}

#[test]
fn reachability_records_the_operations_that_use_each_type() {
    let m = model(
        "  /tasks:
    get:
      operationId: tasks.ListTasks
      parameters:
        - {name: $filter, in: query, schema: {$ref: '#/components/schemas/microsoft.graph.filter'}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.taskCollection'}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.error'}
  /tasks/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: tasks.GetTask
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.task'}",
        "    microsoft.graph.entity: {type: object, properties: {id: {type: string}}}
    microsoft.graph.task:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.entity'
        - {type: object, properties: {status: {$ref: '#/components/schemas/microsoft.graph.status'}}}
    microsoft.graph.status: {type: string, enum: [open, done]}
    microsoft.graph.taskCollection:
      type: object
      properties:
        value: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.task'}}
    microsoft.graph.filter: {type: string, x-graph-known-values: [all, mine]}
    microsoft.graph.error: {type: object, properties: {message: {type: string}}}
    microsoft.graph.unused: {type: object, properties: {x: {type: string}}}
",
    );
    let used_by = |name: &str| -> Vec<String> {
        match &m.types[name] {
            TypeDef::Struct(s) => s.used_by.clone(),
            TypeDef::Enum(e) => e.used_by.clone(),
            TypeDef::Union(u) => u.used_by.clone(),
        }
    };
    assert_eq!(used_by("TaskCollection"), ["tasks.ListTasks"]);
    assert_eq!(used_by("Task"), ["tasks.ListTasks", "tasks.GetTask"]);
    assert_eq!(
        used_by("Status"),
        ["tasks.ListTasks", "tasks.GetTask"],
        "through Task"
    );
    assert_eq!(used_by("Filter"), ["tasks.ListTasks"], "a query parameter");
    assert!(
        used_by("Entity").is_empty(),
        "an allOf base is copied, not held"
    );
    assert!(
        used_by("Error").is_empty(),
        "only the 2XX body is in the model"
    );
    assert!(used_by("Unused").is_empty());
}

#[test]
fn problems_come_in_document_order_each_once() {
    let text = "openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    parameters: [{$ref: '#/components/parameters/top'}]
    get:
      operationId: a
      parameters: [{$ref: '#/components/parameters/top'}]
      responses: {2XX: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/missing'}}}}}
components:
  parameters:
    top: {name: top, in: query, schema: {type: string}, required: maybe}
  schemas:
    b: {allOf: [{$ref: '#/components/schemas/a'}]}
    a: {type: object, properties: {x: {type: strin}}}
";
    let problems = crate::model_from_text(text, None).expect_err("invalid");
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "/paths/~1a/get/responses/2XX/content/application~1json/schema/$ref: dangling `$ref`: `#/components/schemas/missing` is not defined",
            "/components/parameters/top/required: `required` must be a boolean, found a string",
            "/components/schemas/a/properties/x/type: unknown type `strin`",
        ]
    );
}

#[test]
fn each_body_gets_one_media_type_json_first() {
    let paths = r#"
  /count:
    get:
      operationId: count
      responses:
        '200': {description: ok, content: {text/plain: {schema: {type: integer, format: int64}}}}
  /note:
    put:
      operationId: note
      requestBody:
        content:
          text/plain: {schema: {type: object}}
      responses:
        '200': {description: ok, content: {'*/*': {}}}
  /both:
    post:
      operationId: both
      requestBody:
        content:
          application/octet-stream: {}
          application/vnd.api+json; charset=utf-8: {schema: {type: string}}
      responses:
        '204': {description: ok}
  /form:
    post:
      operationId: form
      requestBody:
        content:
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Form'}}
      responses:
        '204': {description: ok}
  /parts:
    post:
      operationId: parts
      requestBody:
        content:
          multipart/form-data: {schema: {$ref: '#/components/schemas/Form'}}
      responses:
        '204': {description: ok}"#;
    let schemas = "    Form: {type: object, properties: {a: {type: string}}}";
    let m = model(paths, schemas);
    let media = |id: &str, response: bool| {
        let op = m.operations.iter().find(|o| o.operation_id == id);
        let op = op.unwrap_or_else(|| panic!("no operation {id}"));
        let body = if response {
            &op.response
        } else {
            &op.request_body
        };
        body.as_ref().map(|b| (b.media.clone(), b.ty.clone()))
    };
    use crate::model::Media;
    assert_eq!(
        media("count", true),
        Some((Media::Text("text/plain".into()), Ty::I64))
    );
    assert_eq!(
        media("note", false),
        Some((Media::Text("text/plain".into()), Ty::String))
    );
    assert_eq!(
        media("note", true),
        Some((Media::Bytes("*/*".into()), Ty::Any))
    );
    assert_eq!(media("both", false), Some((Media::Json, Ty::String)));
    assert_eq!(
        media("form", false),
        Some((Media::Form, Ty::Named("Form".into())))
    );
    // An object's multipart body is a form of its parts (named after the struct).
    assert_eq!(
        media("parts", false),
        Some((
            Media::Multipart("multipart/form-data".into()),
            Ty::Named("FormForm".into())
        ))
    );
    let form = &m.forms["FormForm"];
    assert_eq!((form.origin.as_str(), form.fields.len()), ("Form", 1));
    assert_eq!(
        (form.fields[0].wire.as_str(), form.fields[0].file),
        ("a", None)
    );
    // The media types not chosen are the user's alternatives.
    let both = m.operations.iter().find(|o| o.operation_id == "both");
    let alternatives = both
        .and_then(|o| o.request_body.as_ref())
        .map(|b| &b.alternatives);
    assert_eq!(
        alternatives,
        Some(&vec!["application/octet-stream".to_owned()])
    );
    let warnings: Vec<String> = m.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "/paths/~1note/put/requestBody/content/text~1plain: a `text/plain` body whose schema is not a string, number or boolean: it is a `String`",
        ]
    );
}

#[test]
fn operations_without_an_operation_id_are_named_from_method_and_path() {
    let m = model(
        r#"  /users/{user-id}:
    get:
      parameters: [{name: user-id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /:
    get:
      responses: {'204': {description: ok}}
  /things:
    get:
      responses: {'204': {description: ok}}
    post:
      operationId: GetThings
      responses: {'204': {description: ok}}"#,
        "    Unused: {type: string}",
    );
    let ids: Vec<(&str, bool)> = m
        .operations
        .iter()
        .map(|o| (o.operation_id.as_str(), o.operation_id_declared))
        .collect();
    assert_eq!(
        ids,
        [
            ("GetUsersByUserId", false),
            ("GetRoot", false),
            ("GetThings2", false),
            ("GetThings", true),
        ]
    );
}

#[test]
fn header_and_cookie_parameters_are_kept_and_accept_is_ignored() {
    use crate::model::ParamLocation;
    let text = r#"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /users:
    parameters:
      - {name: prefer, in: header, schema: {type: string}}
    get:
      operationId: users.list
      parameters:
        - {name: Prefer, in: header, required: true, schema: {type: string}}
        - {name: Accept, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: $top, in: query, schema: {type: integer}}
      responses: {'204': {description: ok}}
"#;
    let m = crate::model_from_text(text, None).expect("valid");
    let params: Vec<(&str, ParamLocation, bool)> = m.operations[0]
        .params
        .iter()
        .map(|p| (p.wire.as_str(), p.location, p.required))
        .collect();
    // The operation's `Prefer` replaces the path item's `prefer` (header names ignore case).
    assert_eq!(
        params,
        [
            ("Prefer", ParamLocation::Header, true),
            ("session", ParamLocation::Cookie, false),
            ("$top", ParamLocation::Query, false),
        ]
    );
    let warnings: Vec<String> = m.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "/paths/~1users/get/parameters/1: header parameter `Accept` is ignored, as OpenAPI says: the client sets it"
        ]
    );
}

#[test]
fn webhooks_and_callbacks_become_receivers_each_at_a_route_of_its_own() {
    let text = r#"openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  newPet:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses: {'200': {description: ok}}
  pet gone: {$ref: '#/components/pathItems/gone'}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  pathItems:
    gone: {delete: {operationId: petGone, responses: {'204': {description: ok}}}}
  callbacks:
    unused: {}
security: [{bearer: []}]
"#;
    let m = crate::model_from_text(text, None).expect("valid");
    assert!(m.operations.is_empty());
    let receivers: Vec<(String, String, String)> = m
        .receivers
        .iter()
        .map(|r| {
            let op = &r.operation;
            (
                op.operation_id.clone(),
                op.method.to_string(),
                op.path.to_string(),
            )
        })
        .collect();
    assert_eq!(
        receivers,
        [
            ("NewPet".to_owned(), "POST".to_owned(), "/newPet".to_owned()),
            (
                "petGone".to_owned(),
                "DELETE".to_owned(),
                "/pet-gone".to_owned()
            ),
        ]
    );
    assert!(m.receivers[0].operation.request_body.is_some());
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);

    let text = r#"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /subscriptions:
    post:
      operationId: subscriptions.create
      security: [{bearer: []}]
      callbacks:
        onEvent:
          '{$request.body#/url}': {post: {responses: {'200': {description: ok}}}}
          '{$request.body#/url}/events/{$request.body#/id}': {post: {responses: {'200': {description: ok}}}}
        audit: {$ref: '#/components/callbacks/audit'}
      responses:
        '201':
          description: ok
          links:
            self: {operationId: subscriptions.create}
  /streams:
    post:
      operationId: streams.create
      callbacks:
        onEvent:
          '{$request.query.url}':
            post:
              callbacks:
                nested: {}
              responses: {'200': {description: ok}}
      responses: {'201': {description: ok}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  callbacks:
    audit:
      'https://audit.example.com/log?id={$request.body#/id}':
        put: {operationId: subscriptions.create, responses: {'200': {description: ok}}}
"#;
    let problems = crate::model_from_text(text, None).expect_err("a repeated operationId");
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "/components/callbacks/audit/https:~1~1audit.example.com~1log?id={$request.body#~1id}/put/operationId: duplicate operationId `subscriptions.create` (first used by an operation of `paths`)"
        ]
    );
    let text = text.replace("put: {operationId: subscriptions.create,", "put: {");
    let m = crate::model_from_text(&text, None).expect("valid");
    assert_eq!(m.operations.len(), 2);
    let receivers: Vec<String> = m
        .receivers
        .iter()
        .map(|r| {
            let op = &r.operation;
            format!("{} {} {}", op.operation_id, op.method, op.path)
        })
        .collect();
    assert_eq!(
        receivers,
        [
            "SubscriptionsCreateOnEvent POST /onEvent",
            "SubscriptionsCreateAudit PUT /log",
            "StreamsCreateOnEvent POST /onEvent-2",
        ]
    );
    assert!(matches!(
        &m.receivers[1].kind,
        crate::model::ReceiverKind::Callback { operation_id, name, expression }
            if operation_id == "subscriptions.create" && name == "audit" && expression.starts_with("https://")
    ));
    let warnings: Vec<String> = m.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "/paths/~1subscriptions/post/callbacks/onEvent/{$request.body#~1url}~1events~1{$request.body#~1id}: callback `onEvent` to `{$request.body#/url}/events/{$request.body#/id}` is not generated: its path `/events/{$request.body#/id}` holds a runtime expression, which a receiver cannot route on",
            "/paths/~1streams/post/callbacks/onEvent/{$request.query.url}/post: route `POST /onEvent` is another receiver's: this one is routed at `/onEvent-2`",
            "/paths/~1streams/post/callbacks/onEvent/{$request.query.url}/post/callbacks/nested: callback `nested` of a webhook or callback is not generated (only the document's own operations' callbacks are)",
        ]
    );
}
