//! Path items, operations, parameters, request bodies, responses and media types, read into
//! views (examples are checked on the way and not kept).

use super::{HttpMethod, PathTemplate, Position, Reader, RefOr, Schema};
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

#[derive(Debug)]
pub struct RequestBody {
    pub pointer: String,
    pub required: bool,
    pub content: Content,
}

#[derive(Debug)]
pub struct Response {
    pub pointer: String,
    pub content: Option<Content>,
}

/// A `content` map: its media types, in document order.
#[derive(Debug, Default)]
pub struct Content {
    pub pointer: String,
    pub media: Vec<MediaType>,
}

/// One media type of a `content` map.
#[derive(Debug)]
pub struct MediaType {
    pub pointer: String,
    /// As written (`application/json; charset=utf-8`).
    pub name: String,
    pub kind: MediaKind,
    pub schema: Option<Schema>,
    /// `example` and `examples`, in document order.
    pub examples: Vec<super::Example>,
}

/// How a body of a media type is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json`, with parameters, `*+json`, `application/json+…`.
    Json,
    /// `text/*`: a string, or the scalar its schema names.
    Text,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/*`.
    Multipart,
    /// Anything else (`application/octet-stream`, `image/*`, `*/*`): bytes.
    Binary,
}

impl MediaKind {
    /// The kind of a media type (type and subtype compared without case, parameters ignored).
    pub fn of(media: &str) -> MediaKind {
        let essence = media.split(';').next().unwrap_or_default().trim();
        let essence = essence.to_ascii_lowercase();
        if essence == "application/json"
            || essence.ends_with("+json")
            || essence.starts_with("application/json+")
        {
            MediaKind::Json
        } else if essence.starts_with("text/") {
            MediaKind::Text
        } else if essence == "application/x-www-form-urlencoded" {
            MediaKind::Form
        } else if essence.starts_with("multipart/") {
            MediaKind::Multipart
        } else {
            MediaKind::Binary
        }
    }
}

impl Reader<'_> {
    pub(super) fn paths(&mut self, node: &Value) -> Vec<PathItem> {
        let mut items = Vec::new();
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
            let Some(map) = self.report.object(node, &pointer, "a path item") else {
                continue;
            };
            let allowed: Vec<&str> = HttpMethod::ALL
                .iter()
                .map(|m| m.key())
                .chain(["summary", "description", "parameters", "servers"])
                .collect();
            self.report
                .only_keys(map, &pointer, "a path item", &allowed);
            let parameters = map
                .get("parameters")
                .map(|p| self.parameters(p, &child(&pointer, "parameters")))
                .unwrap_or_default();
            let (template, unsupported) = PathTemplate::parse(&path);
            let mut operations = Vec::new();
            for method in HttpMethod::ALL {
                if let Some(op) = map.get(method.key())
                    && let Some(op) = self.operation(op, &child(&pointer, method.key()), method)
                {
                    // Reported per operation, where the template is used.
                    for segment in &unsupported {
                        self.report.problem(&op.pointer, format!("unsupported path segment `{segment}` in `{path}`: a parameter must be a whole segment"));
                    }
                    operations.push(op);
                }
            }
            let servers = map
                .get("servers")
                .map(|s| self.servers(s, &child(&pointer, "servers")))
                .unwrap_or_default();
            items.push(PathItem {
                pointer,
                path: template,
                parameters,
                operations,
                servers,
            });
        }
        items
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
        if let Some(tags) = map.get("tags") {
            self.report.strings(tags, &child(pointer, "tags"), "`tags`");
        }
        let operation_id = map.get("operationId").and_then(|id| {
            self.report
                .string(id, &child(pointer, "operationId"), "`operationId`")
                .map(str::to_owned)
        });
        if let Some(callbacks) = map.get("callbacks") {
            let at = child(pointer, "callbacks");
            if let Some(callbacks) = self.report.object(callbacks, &at, "`callbacks`") {
                for (name, _) in self.report.entries(callbacks, &at) {
                    if name.starts_with("x-") {
                        continue;
                    }
                    // A callback is a request the server makes: nothing a client sends.
                    self.report.warning(
                        &child(&at, &name),
                        format!("callback `{name}` is not generated (the server sends it; a client does not)"),
                    );
                }
            }
        }
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
            None if self.version_3_1 => {
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
        if let Some(security) = map.get("security") {
            self.security(security, &child(pointer, "security"));
        }
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
        let schema = match map.get("schema") {
            Some(schema) => self.schema(schema, &child(pointer, "schema"), Position::Inline),
            None => {
                self.report
                    .problem(pointer, format!("parameter `{name}` needs a `schema`"));
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

    pub(super) fn request_body(&mut self, node: &Value, pointer: &str) -> Option<RequestBody> {
        let map = self.report.object(node, pointer, "a request body")?;
        self.report.only_keys(
            map,
            pointer,
            "a request body",
            &["description", "content", "required"],
        );
        let required = self.report.flag(map, pointer, "required");
        let Some(content) = map.get("content") else {
            self.report
                .problem(pointer, "a request body needs `content`");
            return None;
        };
        let content = self.content(content, &child(pointer, "content"));
        Some(RequestBody {
            pointer: pointer.to_owned(),
            required,
            content,
        })
    }

    fn responses(&mut self, node: &Value, pointer: &str) -> Vec<(String, RefOr<Response>)> {
        let Some(map) = self.report.object(node, pointer, "`responses`") else {
            return Vec::new();
        };
        let mut responses = Vec::new();
        for (code, response) in self.report.entries(map, pointer) {
            let at = child(pointer, &code);
            let valid = code == "default" || is_status_key(&code);
            if code.starts_with("x-") {
                // An extension, which OpenAPI allows anywhere: accepted and ignored.
                continue;
            }
            if !valid {
                self.report.problem(
                    &at,
                    format!("`{code}` is not a status code, a range like `2XX`, or `default`"),
                );
                continue;
            }
            if let Some(response) =
                self.ref_or(response, &at, "#/components/responses/", Self::response)
            {
                responses.push((code, response));
            }
        }
        responses
    }

    pub(super) fn response(&mut self, node: &Value, pointer: &str) -> Option<Response> {
        let map = self.report.object(node, pointer, "a response")?;
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "a response",
            &["description", "content", "headers", "links"],
        );
        if map.get("description").is_none() {
            self.report
                .problem(pointer, "a response needs a `description`");
        }
        let content = map
            .get("content")
            .map(|c| self.content(c, &child(pointer, "content")));
        Some(Response {
            pointer: pointer.to_owned(),
            content,
        })
    }

    fn content(&mut self, node: &Value, pointer: &str) -> Content {
        let mut content = Content {
            pointer: pointer.to_owned(),
            media: Vec::new(),
        };
        let Some(map) = self.report.object(node, pointer, "`content`") else {
            return content;
        };
        for (media, node) in self.report.entries(map, pointer) {
            let at = child(pointer, &media);
            let Some(media_map) = self.report.object(node, &at, "a media type") else {
                continue;
            };
            self.report.ignore_unknown_keys(
                media_map,
                &at,
                "a media type",
                &["schema", "examples", "example", "encoding"],
            );
            let examples = self.value_examples(media_map, &at);
            let mut schema = media_map
                .get("schema")
                .map(|schema| self.schema(schema, &child(&at, "schema"), Position::Inline));
            if !is_media_type(&media) {
                // Read and checked, then dropped: nothing decodes or encodes the body through
                // it, so its type would be generated unused.
                schema = None;
                self.report.warning(
                    &at,
                    format!("`{media}` is not a media type (`type/subtype`): the body is bytes sent or read as they are, with `{media}` as its media type, and its schema is not generated"),
                );
            }
            content.media.push(MediaType {
                kind: MediaKind::of(&media),
                pointer: at,
                name: media,
                schema,
                examples,
            });
        }
        content
    }
}

/// Whether a `content` key is a media type or range: `type/subtype` (each a token or `*`),
/// then any parameters.
fn is_media_type(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    let token = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
    };
    matches!(essence.split_once('/'), Some((kind, sub)) if token(kind) && token(sub))
}

/// A status code (`200`) or range (`2XX`), 1xx to 5xx.
fn is_status_key(code: &str) -> bool {
    let chars: Vec<char> = code.chars().collect();
    match chars.as_slice() {
        ['1'..='5', rest @ ..] if rest.len() == 2 => {
            rest.iter().all(char::is_ascii_digit)
                || rest.iter().all(|c| c.eq_ignore_ascii_case(&'x'))
        }
        _ => false,
    }
}
