//! Path items, operations, parameters, request bodies, responses and media types, read into
//! views (examples are checked on the way and not kept).

use super::path::PathKey;
use super::{HttpMethod, PathTemplate, Position, Reader, RefOr, RequestBody, Response, Schema};
use crate::document::{child, kind};
use crate::model::Permissions;
use serde_norway::Value;

#[derive(Debug)]
pub struct PathItem {
    pub pointer: String,
    pub path: PathTemplate,
    /// Parameters shared by every operation on the path.
    pub parameters: Vec<RefOr<Parameter>>,
    /// In method order (`get`, `put`, `post`, …), not document order.
    pub operations: Vec<Operation>,
    /// The path's own `servers` (empty when it has none).
    pub servers: Vec<super::Server>,
    /// The query written into the path's key (`/items/{id}?beta=true`), in key order: every
    /// operation of the path sends it.
    pub fixed_query: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Operation {
    pub pointer: String,
    pub method: HttpMethod,
    /// `None` when missing (lowering names the operation after its method and path).
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub parameters: Vec<RefOr<Parameter>>,
    pub request_body: Option<RefOr<RequestBody>>,
    /// Status code (or range, or `default`) and response, in document order. Extension keys
    /// (`x-…`) are not included.
    pub responses: Vec<(String, RefOr<Response>)>,
    /// `x-graph-idempotent: true`.
    pub marked_idempotent: bool,
    /// `x-graph-permissions` (`None`: absent).
    pub permissions: Option<Permissions>,
    /// The operation's own `servers` (empty when it has none).
    pub servers: Vec<super::Server>,
    /// AutoRest's `x-ms-pageable` (`None`: absent or unusable, which is reported).
    pub pageable: Option<Pageable>,
    /// The credentials it requires, resolved (see [`crate::model::Operation::security`]).
    pub security: Option<Vec<Vec<crate::model::AuthScheme>>>,
    /// The requests the API makes back, in document order (none in a receiver's own
    /// operations).
    pub callbacks: Vec<super::Callback>,
    /// `tags`, in document order (the client's cargo features, see [`crate::tags`]).
    pub tags: Vec<String>,
}

/// AutoRest's `x-ms-pageable`: which properties of the response hold the next page's link and
/// the items. `operationName` (the operation that fetches a next page) is accepted and
/// ignored: a next page is always a GET of the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pageable {
    pub pointer: String,
    /// `nextLinkName`; `None` for `null`, which AutoRest defines as one page without a link.
    pub next_link: Option<String>,
    /// `itemName` (default `value`).
    pub items: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug)]
pub struct Parameter {
    pub pointer: String,
    pub name: String,
    pub location: Location,
    pub required: bool,
    pub description: Option<String>,
    /// `style` and `explode` as written (`None`: absent, OpenAPI's default for the location).
    pub style: Option<String>,
    pub explode: Option<bool>,
    pub schema: Schema,
    /// `example` and `examples`, in document order.
    pub examples: Vec<super::Example>,
}

impl Reader<'_> {
    pub(super) fn paths(&mut self, node: &Value) -> Vec<PathItem> {
        let mut items: Vec<PathItem> = Vec::new();
        let Some(paths) = self.report.object(node, "/paths", "`paths`") else {
            return items;
        };
        for (path, node) in self.report.entries(paths, "/paths") {
            let pointer = child("/paths", &path);
            if path.starts_with("x-") {
                // An extension, which OpenAPI allows here: accepted and ignored.
                continue;
            }
            if !path.starts_with('/') {
                self.report
                    .problem(&pointer, format!("path `{path}` must start with `/`"));
            }
            let key = PathKey::parse(&path);
            if let Some(fragment) = key.fragment {
                // A fragment stays in the browser: no request reaches it, so nothing can be
                // generated for it, but the rest of the document is.
                self.report.warning(&pointer, format!("path `{path}` has a fragment (`#{fragment}`), which is never sent over HTTP: the path and its operations are skipped"));
                continue;
            }
            let Some(mut item) = self.path_item(node, &pointer, key.route) else {
                continue;
            };
            item.fixed_query = key.fixed_query;
            if !item.fixed_query.is_empty() {
                self.warn_shared_routes(&items, &item);
            }
            items.push(item);
        }
        items
    }

    /// A path told apart from another only by its fixed query (`/items/{id}?beta=true` beside
    /// `/items/{id}`) shares its route: the client sends each, but a server routes a method
    /// to the first path that declares it.
    fn warn_shared_routes(&mut self, earlier: &[PathItem], item: &PathItem) {
        for op in &item.operations {
            let shared = earlier.iter().any(|other| {
                other.path.as_str() == item.path.as_str()
                    && other.operations.iter().any(|o| o.method == op.method)
            });
            if shared {
                self.report.warning(&op.pointer, format!("`{} {}` is also another path's operation, told apart only by the fixed query: the client sends it, the server routes the request to the path declared first", op.method, item.path));
            }
        }
    }

    /// A path item at path `path` (a key of `paths`, or the route of a webhook or callback).
    pub(super) fn path_item(
        &mut self,
        node: &Value,
        pointer: &str,
        path: &str,
    ) -> Option<PathItem> {
        let map = self.report.object(node, pointer, "a path item")?;
        let allowed: Vec<&str> = HttpMethod::ALL
            .iter()
            .map(|m| m.key())
            .chain(["summary", "description", "parameters", "servers"])
            .chain(["query", "additionalOperations"])
            .collect();
        self.report.only_keys(map, pointer, "a path item", &allowed);
        self.warn_skipped_operations(map, pointer);
        let parameters = map
            .get("parameters")
            .map(|p| self.parameters(p, &child(pointer, "parameters")))
            .unwrap_or_default();
        let (template, unsupported) = PathTemplate::parse(path);
        let mut operations = Vec::new();
        for method in HttpMethod::ALL {
            if let Some(op) = map.get(method.key())
                && let Some(op) = self.operation(op, &child(pointer, method.key()), method)
            {
                // Valid OpenAPI the path model cannot carry (a parameter and text in one
                // segment): reported per operation, which is left out, not the document.
                if let Some(segment) = unsupported.first() {
                    self.report.warning(&op.pointer, format!("unsupported path segment `{segment}` in `{path}`: a parameter must be a whole segment, so the operation is skipped"));
                    continue;
                }
                operations.push(op);
            }
        }
        let servers = map
            .get("servers")
            .map(|s| self.servers(s, &child(pointer, "servers")))
            .unwrap_or_default();
        Some(PathItem {
            pointer: pointer.to_owned(),
            path: template,
            parameters,
            operations,
            servers,
            fixed_query: Vec::new(),
        })
    }

    /// 3.2's `query` operation and `additionalOperations` (methods beyond OpenAPI's eight):
    /// methods the client and server do not implement, so each is a warning that it is
    /// skipped.
    fn warn_skipped_operations(&mut self, map: &serde_norway::Mapping, pointer: &str) {
        if map.get("query").is_some() {
            self.report.warning(
                &child(pointer, "query"),
                "a `query` operation (OpenAPI 3.2) is not generated: skipped",
            );
        }
        let at = child(pointer, "additionalOperations");
        let Some(extra) = map
            .get("additionalOperations")
            .and_then(|node| self.report.object(node, &at, "`additionalOperations`"))
        else {
            return;
        };
        for (method, _) in self.report.entries(extra, &at) {
            self.report.warning(&child(&at, &method), format!("the `{method}` operation (OpenAPI 3.2 `additionalOperations`) is not generated: skipped"));
        }
    }

    fn operation(&mut self, node: &Value, pointer: &str, method: HttpMethod) -> Option<Operation> {
        let map = self.report.object(node, pointer, "an operation")?;
        self.report.only_keys(
            map,
            pointer,
            "an operation",
            &[
                "tags",
                "summary",
                "description",
                "externalDocs",
                "operationId",
                "parameters",
                "requestBody",
                "responses",
                "callbacks",
                "deprecated",
                "security",
                "servers",
                "x-graph-permissions",
                "x-graph-idempotent",
            ],
        );
        let mut text = |key: &str| {
            let node = map.get(key)?;
            self.report
                .string(node, &child(pointer, key), &format!("`{key}`"))
                .map(str::to_owned)
        };
        let summary = text("summary");
        let description = text("description");
        let tags = map
            .get("tags")
            .map(|tags| self.report.strings(tags, &child(pointer, "tags"), "`tags`"))
            .unwrap_or_default();
        let operation_id = map.get("operationId").and_then(|id| {
            self.report
                .string(id, &child(pointer, "operationId"), "`operationId`")
                .map(str::to_owned)
        });
        let callbacks = map
            .get("callbacks")
            .map(|c| self.callbacks(c, &child(pointer, "callbacks")))
            .unwrap_or_default();
        let parameters = map
            .get("parameters")
            .map(|p| self.parameters(p, &child(pointer, "parameters")))
            .unwrap_or_default();
        let request_body = map.get("requestBody").and_then(|b| {
            self.ref_or(
                b,
                &child(pointer, "requestBody"),
                "#/components/requestBodies/",
                Self::request_body,
            )
        });
        let responses = match map.get("responses") {
            Some(node) => self.responses(node, &child(pointer, "responses")),
            // 3.1 made `responses` optional: nothing is known of the answer.
            None if self.version >= super::Version::V3_1 => {
                self.report.warning(pointer, "no `responses` (optional in OpenAPI 3.1): the output is `()` and the body is not read; `send_with_response` gives the status and headers");
                Vec::new()
            }
            None => {
                self.report.problem(pointer, "missing `responses`");
                Vec::new()
            }
        };
        let marked_idempotent = self.report.flag(map, pointer, "x-graph-idempotent");
        let permissions = map
            .get("x-graph-permissions")
            .map(|p| self.permissions(p, &child(pointer, "x-graph-permissions")));
        let own_security = map
            .get("security")
            .map(|security| self.security(security, &child(pointer, "security")));
        let security = self.resolved_security(own_security);
        let servers = map
            .get("servers")
            .map(|s| self.servers(s, &child(pointer, "servers")))
            .unwrap_or_default();
        let pageable = map
            .get("x-ms-pageable")
            .and_then(|p| self.pageable(p, &child(pointer, "x-ms-pageable")));
        Some(Operation {
            pointer: pointer.to_owned(),
            method,
            operation_id,
            summary,
            description,
            parameters,
            request_body,
            responses,
            marked_idempotent,
            permissions,
            servers,
            pageable,
            security,
            callbacks,
            tags,
        })
    }

    /// AutoRest's `x-ms-pageable`. Without `nextLinkName`, which AutoRest requires, it is read
    /// as one page, with a warning; keys of the wrong type are errors.
    fn pageable(&mut self, node: &Value, pointer: &str) -> Option<Pageable> {
        let map = self.report.object(node, pointer, "`x-ms-pageable`")?;
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "`x-ms-pageable`",
            &["nextLinkName", "itemName", "operationName"],
        );
        let mut text = |key: &str| {
            let node = map.get(key)?;
            self.report
                .string(node, &child(pointer, key), &format!("`{key}`"))
                .map(str::to_owned)
        };
        let items = text("itemName");
        let _operation_name = text("operationName");
        let next_link = match map.get("nextLinkName") {
            Some(Value::Null) => None,
            Some(_) => Some(text("nextLinkName")?),
            None => {
                self.report.warning(
                    pointer,
                    "`x-ms-pageable` without `nextLinkName`: read as `nextLinkName: null` (one page), the operation is not paged",
                );
                None
            }
        };
        Some(Pageable {
            pointer: pointer.to_owned(),
            next_link,
            items: items.unwrap_or_else(|| "value".to_owned()),
        })
    }

    fn parameters(&mut self, node: &Value, pointer: &str) -> Vec<RefOr<Parameter>> {
        let Value::Sequence(items) = node else {
            self.report.problem(
                pointer,
                format!("`parameters` must be an array, found {}", kind(node)),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                self.ref_or(
                    item,
                    &child(pointer, &i.to_string()),
                    "#/components/parameters/",
                    Self::parameter,
                )
            })
            .collect()
    }

    pub(super) fn parameter(&mut self, node: &Value, pointer: &str) -> Option<Parameter> {
        let map = self.report.object(node, pointer, "a parameter")?;
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "a parameter",
            &[
                "name",
                "in",
                "description",
                "required",
                "style",
                "explode",
                "schema",
                "content",
                "deprecated",
                "example",
                "examples",
                "allowEmptyValue",
                "allowReserved",
            ],
        );
        let name = match map.get("name") {
            Some(n) => self
                .report
                .string(n, &child(pointer, "name"), "`name`")?
                .to_owned(),
            None => {
                self.report.problem(pointer, "a parameter needs a `name`");
                return None;
            }
        };
        let location = match map.get("in").and_then(Value::as_str) {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("header") => Location::Header,
            Some("cookie") => Location::Cookie,
            Some("querystring") => {
                // 3.2: the whole query string as one value, described by `content`.
                self.report.warning(&child(pointer, "in"), format!("parameter `{name}` is `in: querystring` (OpenAPI 3.2), which the generator does not implement: the parameter is skipped"));
                return None;
            }
            Some(other) => {
                self.report.problem(
                    &child(pointer, "in"),
                    format!("unknown parameter location `{other}`"),
                );
                return None;
            }
            None => {
                self.report
                    .problem(pointer, format!("parameter `{name}` needs `in`"));
                return None;
            }
        };
        let required = self.report.flag(map, pointer, "required");
        if location == Location::Path && !required {
            self.report.problem(
                pointer,
                format!("path parameter `{name}` must have `required: true`"),
            );
        }
        let description = map
            .get("description")
            .and_then(|d| {
                self.report
                    .string(d, &child(pointer, "description"), "`description`")
            })
            .map(str::to_owned);
        let schema = match (map.get("schema"), map.get("content")) {
            (Some(schema), _) => self.schema(schema, &child(pointer, "schema"), Position::Inline),
            (None, Some(content)) => self.parameter_content(content, pointer, &name),
            (None, None) => {
                self.report.problem(
                    pointer,
                    format!("parameter `{name}` needs a `schema` or a `content`"),
                );
                return None;
            }
        };
        let examples = self.value_examples(map, pointer);
        let style = map
            .get("style")
            .and_then(|s| self.report.string(s, &child(pointer, "style"), "`style`"))
            .map(str::to_owned);
        let explode = map.get("explode").and_then(|e| {
            self.report
                .boolean(e, &child(pointer, "explode"), "`explode`")
        });
        Some(Parameter {
            pointer: pointer.to_owned(),
            name,
            location,
            required,
            description,
            style,
            explode,
            schema,
            examples,
        })
    }

    /// A parameter described by `content` (one media type holding the schema) instead of
    /// `schema`: its value is text in that media type (`{"a":1}` in the query for
    /// `application/json`). The generator does not serialize values into a media type, so the
    /// parameter is a `String` holding that text, with a warning saying so; the schema is
    /// still read, for its problems.
    fn parameter_content(&mut self, node: &Value, pointer: &str, name: &str) -> Schema {
        let at = child(pointer, "content");
        let content = self.content(node, &at);
        if content.media.len() != 1 {
            self.report.warning(
                &at,
                format!(
                    "parameter `{name}`'s `content` should hold exactly one media type, found {}",
                    content.media.len()
                ),
            );
        }
        let media = content
            .media
            .first()
            .map_or("its media type", |m| m.name.as_str());
        self.report.warning(&at, format!("parameter `{name}` is described by `content`: it is a `String` holding the value already written as `{media}`, sent as it is"));
        Schema {
            pointer: at,
            json_type: Some(super::JsonType::String),
            scalar: super::scalar::scalar(super::JsonType::String, None),
            ..Schema::default()
        }
    }
}
