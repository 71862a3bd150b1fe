//! The client model of a small document, asserted: navigation names, collisions, actions,
//! query setters and bodies.

use super::*;

/// The name a literal segment gives its navigation method or action.
fn literal_name(segment: &str) -> String {
    Segment::Literal(segment.to_owned()).name().to_owned()
}

const DOCUMENT: &str = r#"
openapi: 3.0.1
info: {title: client model, version: '1'}
paths:
  /groups/{group-id}:
    get:
      operationId: groups_GetGroup
      parameters:
        - {name: group-id, in: path, required: true, schema: {type: string}}
        - {name: $select, in: query, schema: {type: array, items: {type: string}}}
        - {name: send, in: query, schema: {type: boolean}}
        - {name: $top, in: query, schema: {type: integer, format: int32}}
        - {name: clone, in: query, schema: {type: string}}
      responses: {2XX: {description: ok}}
  /groups/{group-id}/archive:
    post:
      operationId: groups_archive
      x-graph-idempotent: true
      parameters:
        - {name: group-id, in: path, required: true, schema: {type: string}}
        - {name: type, in: query, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [reason, ids]
              properties:
                reason: {type: string}
                note: {type: string}
                ids: {type: array, maxItems: 20, items: {type: string}}
                send: {type: boolean}
                clone: {type: string}
                type: {type: string}
      responses: {2XX: {description: ok}}
  /groups/{name}/members:
    get:
      operationId: groups_ListMembers
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
  /tasks:
    post:
      operationId: tasks_Create
      responses: {2XX: {description: ok}}
  /tasks/{task-id}:
    get:
      operationId: tasks_Get
      parameters:
        - {name: task-id, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
"#;

fn client() -> ClientModel {
    client_of(DOCUMENT)
}

/// The client model of the document `text`, its models at `::models`.
fn client_of(text: &str) -> ClientModel {
    let model = crate::model_from_text(text, None).expect("valid");
    let context = ClientContext {
        models_path: "::models",
        example_models: "models",
        example_client: "client",
    };
    lower(&model, &context)
}

fn node<'a>(client: &'a ClientModel, path: &str) -> &'a Node {
    client
        .nodes
        .iter()
        .find(|n| n.path.as_str() == path)
        .unwrap_or_else(|| panic!("no node {path}"))
}

fn children(node: &Node) -> Vec<(&str, Option<&str>)> {
    node.children
        .iter()
        .map(|c| {
            (
                c.method.as_str(),
                c.parameter.as_ref().map(|p| p.field.as_str()),
            )
        })
        .collect()
}

fn builder<'a>(client: &'a ClientModel, type_name: &str) -> &'a Builder {
    client
        .builders
        .iter()
        .find(|b| b.type_name == type_name)
        .unwrap_or_else(|| panic!("no builder {type_name}"))
}

#[test]
fn the_navigation_tree_and_its_names() {
    let client = client();
    let paths: Vec<(&str, Option<&str>)> = client
        .nodes
        .iter()
        .map(|n| (n.path.as_str(), n.type_name.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            ("", None),
            ("/groups", Some("GroupsResource")),
            ("/groups/{group-id}", Some("GroupsItemResource")),
            ("/groups/{name}", Some("GroupsItemResource2")),
            ("/groups/{name}/members", Some("GroupsItemMembersResource")),
            ("/tasks", Some("TasksResource")),
            ("/tasks/{task-id}", Some("TasksItemResource")),
        ]
    );
    assert_eq!(
        children(&client.nodes[0]),
        [("groups", None), ("tasks", None)]
    );
    // Two parameter children: each is named after its parameter.
    assert_eq!(
        children(node(&client, "/groups")),
        [("by_group_id", Some("group_id")), ("by_name", Some("name"))]
    );
    assert_eq!(
        children(node(&client, "/tasks")),
        [("by_id", Some("task_id"))]
    );
    assert_eq!(node(&client, "/groups/{name}/members").fields, ["name"]);
}

#[test]
fn a_post_is_an_action_on_its_parent_unless_another_path_extends_it() {
    let client = client();
    let archive = builder(&client, "GroupsArchiveRequest");
    assert_eq!(archive.method, "archive");
    assert_eq!(
        client.nodes[archive.node].path.as_str(),
        "/groups/{group-id}"
    );
    assert!(archive.idempotent);
    assert_eq!(
        archive.steps,
        [
            Step::Literal("groups".into()),
            Step::Parameter(PathParam {
                wire: "group-id".into(),
                field: "group_id".into()
            }),
            Step::Literal("archive".into()),
        ]
    );
    // `/tasks` is extended by `/tasks/{task-id}`, so its POST hangs on it as `post`.
    let create = builder(&client, "TasksCreateRequest");
    assert_eq!(create.method, "post");
    assert_eq!(client.nodes[create.node].path.as_str(), "/tasks");
    assert!(!create.idempotent);
    let methods: Vec<&str> = node(&client, "/groups/{group-id}")
        .operations
        .iter()
        .map(|&i| client.builders[i].method.as_str())
        .collect();
    assert_eq!(methods, ["get", "archive"]);
    assert_eq!(
        archive.example[2],
        r#"client.groups().by_group_id("group-id").archive("reason", ["ids"]).send().await?;"#
    );
}

#[test]
fn query_setters_never_take_a_fixed_method_name() {
    let client = client();
    let get = builder(&client, "GroupsGetGroupRequest");
    let query: Vec<(&str, &str, ParamTy)> = get
        .params
        .iter()
        .map(|q| (q.wire.as_str(), q.field.as_str(), q.ty.clone()))
        .collect();
    assert_eq!(
        query,
        [
            // No `explode`: OpenAPI's default for a query, `form` with `explode`.
            (
                "$select",
                "select",
                ParamTy::List {
                    item: Box::new(ParamTy::String),
                    style: crate::model::ArrayStyle::Exploded
                }
            ),
            ("send", "send_query", ParamTy::Bool),
            ("$top", "top", ParamTy::I32),
            // The builder derives `Clone`.
            ("clone", "clone_query", ParamTy::String),
        ]
    );
    assert_eq!(get.path_fields().collect::<Vec<_>>(), ["group_id"]);
    assert_eq!(get.output, None);
}

#[test]
fn required_body_fields_are_arguments_and_optional_ones_setters() {
    let client = client();
    let archive = builder(&client, "GroupsArchiveRequest");
    let Some(RequestBody::Model {
        type_name,
        args,
        named_arg: None,
        setters,
        form: false,
    }) = &archive.body
    else {
        panic!("{:?}", archive.body)
    };
    assert_eq!(type_name, "ArchiveRequestBody");
    let args: Vec<(&str, &Ty)> = args.iter().map(|a| (a.name.as_str(), &a.ty)).collect();
    assert_eq!(
        args,
        [
            ("reason", &Ty::String),
            ("ids", &Ty::Array(Box::new(Ty::String)))
        ]
    );
    let setters: Vec<(&str, &str)> = setters
        .iter()
        .map(|s| (s.method.as_str(), s.model_setter.as_str()))
        .collect();
    // The models' setter names, except where the builder has the name already (`send`).
    assert_eq!(
        setters,
        [
            ("note", "note"),
            ("send_", "send"),
            ("clone_", "clone_"),
            // The query parameter `type` has `type_`.
            ("type_2", "type_")
        ]
    );
    assert_eq!(
        archive.limits,
        [Limit {
            name: "IDS_MAX_ITEMS".into(),
            max: 20,
            doc: "The most items `ids` may hold (the schema's `maxItems`).".into()
        }]
    );
}

#[test]
fn namespaced_segments_are_named_by_their_last_part() {
    assert_eq!(literal_name("microsoft.graph.reauthorize"), "reauthorize");
    assert_eq!(literal_name("$count"), "$count");
    assert_eq!(literal_name("v1.0"), "v1.0");
    assert_eq!(literal_name("presence"), "presence");
}

#[test]
fn parameters_that_collide_take_their_location_and_required_ones_are_arguments() {
    let text = r#"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /key/{query}:
    post:
      operationId: key.set
      parameters:
        - {name: query, in: path, required: true, schema: {type: string}}
        - {name: query, in: query, required: true, schema: {type: boolean}}
        - {name: query, in: header, schema: {type: string}}
        - {name: client, in: query, schema: {type: string}}
        - {name: If-Match, in: header, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [if_match]
              properties: {if_match: {type: string}}
      responses: {'204': {description: ok}}
"#;
    let client = client_of(text);
    let set = &client.builders[0];
    let params: Vec<(&str, &str, bool)> = set
        .params
        .iter()
        .map(|p| (p.wire.as_str(), p.field.as_str(), p.required))
        .collect();
    assert_eq!(
        params,
        [
            ("query", "query_query", true),
            ("query", "query_header", false),
            ("client", "client_query", false),
            ("If-Match", "if_match", true),
        ]
    );
    let Some(RequestBody::Model { args, .. }) = &set.body else {
        panic!("a model body: {:?}", set.body);
    };
    assert_eq!(args[0].name, "if_match_body");
    assert_eq!(
        set.example[2],
        r#"client.key().by_id("query").post(true, "…", "if_match").send().await?;"#
    );
}

/// The body a doc example shows: of the documented examples that fit the schema, the one that
/// shows the most; one documented for the same body on another operation; else one made from
/// the schema. An example that contradicts its schema is never shown.
#[test]
fn doc_examples_show_the_fullest_example_that_fits_else_one_made_from_the_schema() {
    let text = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users/{id}/note:
    post:
      operationId: users.note
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/note'}
            examples:
              wrong-type: {value: {title: t, count: seven, pinned: true, extra: 1}}
              missing-required: {value: {count: 1, pinned: true}}
              small: {value: {title: small}}
              full: {value: {title: full, count: 2}}
              same-size: {value: {title: same, pinned: false}}
      responses: {'204': {description: ok}}
  /me/note:
    post:
      operationId: me.note
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/note'}
      responses: {'204': {description: ok}}
  /contradictions:
    post:
      operationId: contradictions
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/claim'}
            example: {title: 7}
      responses: {'204': {description: ok}}
components:
  schemas:
    note:
      type: object
      required: [title]
      properties:
        title: {type: string}
        count: {type: integer, format: int32}
        pinned: {type: boolean}
    claim:
      type: object
      required: [title, at]
      properties:
        title: {type: string}
        at: {type: string, format: date-time}
"#;
    let client = client_of(text);
    let call = |id: &str| {
        let b = client
            .builders
            .iter()
            .find(|b| b.operation_id == id)
            .expect("builder");
        b.example[2..b.example.len() - 2].join("\n")
    };
    assert_eq!(
        call("users.note"),
        r#"client.users().by_id("id").note("full").count(2).send().await?;"#
    );
    // `/me/note` documents nothing: `/users/{id}/note`'s example of the same body.
    assert_eq!(
        call("me.note"),
        r#"client.me().note("full").count(2).send().await?;"#
    );
    assert_eq!(
        call("contradictions"),
        "use models::Timestamp;\nclient\n    .contradictions(\"title\", Timestamp::parse(\"2025-01-01T00:00:00Z\")?)\n    .send()\n    .await?;"
    );
}

/// A body no value fits (a required property of its own type, so no finite JSON is one) still
/// gets an example that compiles: its arguments decoded from text.
#[test]
fn a_body_no_value_fits_is_decoded_from_text() {
    let text = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /nodes:
    post:
      operationId: nodes.create
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/node'}
      responses: {'204': {description: ok}}
components:
  schemas:
    node:
      type: object
      required: [child]
      properties:
        child: {$ref: '#/components/schemas/node'}
"#;
    let client = client_of(text);
    let example = client.builders[0].example.join("\n");
    assert!(example.contains("let node: Node = from_str("), "{example}");
    assert!(example.contains(".nodes(node)"), "{example}");
    assert!(!example.contains("todo!()"), "{example}");
}

/// A PATCH is idempotent when the schema marks it (renewing a subscription), and a date-time or
/// duration constructor argument gets a literal in the doc example (`todo!()` does not compile
/// where `impl Into<Timestamp>` is taken).
#[test]
fn marked_patches_are_idempotent_and_time_arguments_have_literal_examples() {
    let document = r#"
openapi: 3.0.1
info: {title: subscriptions, version: '1'}
paths:
  /subscriptions/{subscription-id}:
    patch:
      operationId: subscription_Update
      x-graph-idempotent: true
      parameters:
        - {name: subscription-id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [expirationDateTime, lifetime]
              properties:
                expirationDateTime: {type: string, format: date-time}
                lifetime: {type: string, format: duration}
      responses: {2XX: {description: ok}}
  /notes/{note-id}:
    patch:
      operationId: notes_Update
      parameters:
        - {name: note-id, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
"#;
    let client = client_of(document);
    let renew = builder(&client, "SubscriptionUpdateRequest");
    assert!(renew.idempotent);
    assert!(!builder(&client, "NotesUpdateRequest").idempotent);
    // Parsed with `?`: the example returns `Box<dyn Error>`.
    assert!(renew.example[1].ends_with("Result<(), Box<dyn std::error::Error>> {"));
    assert_eq!(renew.example[2], "use models::{IsoDuration, Timestamp};");
    assert_eq!(
        renew.example[3..renew.example.len() - 2].join("\n"),
        r#"client
    .subscriptions()
    .by_id("subscription-id")
    .patch(Timestamp::parse("2025-01-01T00:00:00Z")?, IsoDuration::parse("PT1H")?)
    .send()
    .await?;"#
    );
}

/// A pageable builder carries its paging facts, and its `pages` and `items` methods keep their
/// names: a query option called `items` is renamed there, and only there.
#[test]
fn a_paged_builder_keeps_pages_and_items_for_its_methods() {
    let text = r#"
openapi: 3.0.1
info: {title: paging, version: '1'}
paths:
  /users:
    get:
      operationId: users_List
      parameters:
        - {name: items, in: query, schema: {type: integer, format: int32}}
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
  /groups:
    get:
      operationId: groups_List
      parameters:
        - {name: items, in: query, schema: {type: integer, format: int32}}
      responses: {2XX: {description: ok}}
"#;
    let client = client_of(text);
    let users = builder(&client, "UsersListRequest");
    let paging = users.paging.as_ref().expect("users pages");
    assert_eq!(
        (paging.next_link.name.as_str(), paging.items.name.as_str()),
        ("odata_next_link", "value")
    );
    assert_eq!(users.params[0].field, "items_query");
    assert!(
        users.doc.contains(
            "GET of the previous page's `@odata.nextLink`, followed only to the base URL's origin"
        ),
        "{}",
        users.doc
    );
    let groups = builder(&client, "GroupsListRequest");
    assert_eq!(groups.paging, None);
    assert_eq!(groups.params[0].field, "items");
}
