//! Request bodies, responses (with their headers) and `content` maps, read into views.

use super::{Example, Position, Reader, RefOr, Schema};
use crate::document::child;
use serde_norway::Value;

#[derive(Debug)]
pub struct RequestBody {
    pub pointer: String,
    pub required: bool,
    pub content: Content,
}

#[derive(Debug)]
pub struct Response {
    pub pointer: String,
    pub description: Option<String>,
    pub content: Option<Content>,
    /// Its headers, in document order (`Content-Type` left out).
    pub headers: Vec<(String, RefOr<Header>)>,
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
    /// `encoding`: each property's `contentType`, in document order (a multipart body's).
    pub encoding: Vec<(String, String)>,
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

/// A response header (`headers` of a response, or `components/headers`).
#[derive(Debug)]
pub struct Header {
    pub pointer: String,
    pub required: bool,
    pub description: Option<String>,
    /// `schema`, or the schema of its `content`'s one media type.
    pub schema: Option<Schema>,
    pub examples: Vec<Example>,
}

impl Reader<'_> {
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

    pub(super) fn responses(
        &mut self,
        node: &Value,
        pointer: &str,
    ) -> Vec<(String, RefOr<Response>)> {
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
        let description = map
            .get("description")
            .and_then(|d| {
                self.report
                    .string(d, &child(pointer, "description"), "`description`")
            })
            .map(str::to_owned);
        let headers = map
            .get("headers")
            .map(|h| self.headers(h, &child(pointer, "headers")))
            .unwrap_or_default();
        Some(Response {
            pointer: pointer.to_owned(),
            description,
            content,
            headers,
        })
    }

    pub(super) fn content(&mut self, node: &Value, pointer: &str) -> Content {
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
                &[
                    "schema",
                    "examples",
                    "example",
                    "encoding",
                    "itemSchema",
                    "itemEncoding",
                    "prefixEncoding",
                ],
            );
            for key in ["itemSchema", "itemEncoding", "prefixEncoding"] {
                if media_map.get(key).is_some() {
                    // 3.2's streamed bodies (JSON Lines, server-sent events…): each item's schema.
                    self.report.warning(&child(&at, key), format!("`{key}` (OpenAPI 3.2, a streamed body's items) is not read: the body is read as its `schema` says, or as bytes without one"));
                }
            }
            let examples = self.value_examples(media_map, &at);
            let encoding = self.encoding(media_map, &at);
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
                encoding,
            });
        }
        content
    }
    /// A media type's `encoding` map: each property's `contentType`. Its other keys (`headers`,
    /// `style`, `explode`, `allowReserved`) are warnings that they are not applied.
    fn encoding(
        &mut self,
        media_map: &serde_norway::Mapping,
        pointer: &str,
    ) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let Some(node) = media_map.get("encoding") else {
            return found;
        };
        let at = child(pointer, "encoding");
        let Some(map) = self.report.object(node, &at, "`encoding`") else {
            return found;
        };
        for (property, node) in self.report.entries(map, &at) {
            let here = child(&at, &property);
            let Some(entry) = self.report.object(node, &here, "an encoding") else {
                continue;
            };
            let applied = ["headers", "style", "explode", "allowReserved"];
            let mut known = vec!["contentType"];
            known.extend(applied);
            self.report
                .ignore_unknown_keys(entry, &here, "an encoding", &known);
            for key in applied.into_iter().filter(|k| entry.get(*k).is_some()) {
                self.report.warning(
                    &child(&here, key),
                    format!("`{key}` of an encoding is not applied: the part is sent with its `Content-Type` only"),
                );
            }
            if let Some(content_type) = entry.get("contentType").and_then(Value::as_str) {
                found.push((property, content_type.trim().to_owned()));
            }
        }
        found
    }

    /// A Header Object: a parameter without `name` and `in`. Its value is described by
    /// `schema`, or by `content` (one media type).
    pub(super) fn header(&mut self, node: &Value, pointer: &str) -> Option<Header> {
        let map = self.report.object(node, pointer, "a header")?;
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "a header",
            &[
                "description",
                "required",
                "deprecated",
                "schema",
                "content",
                "style",
                "explode",
                "example",
                "examples",
            ],
        );
        let required = self.report.flag(map, pointer, "required");
        let description = map
            .get("description")
            .and_then(|d| {
                self.report
                    .string(d, &child(pointer, "description"), "`description`")
            })
            .map(str::to_owned);
        let schema = match (map.get("schema"), map.get("content")) {
            (Some(schema), _) => {
                Some(self.schema(schema, &child(pointer, "schema"), Position::Inline))
            }
            (None, Some(content)) => {
                let content = self.content(content, &child(pointer, "content"));
                content.media.into_iter().next().and_then(|m| m.schema)
            }
            (None, None) => None,
        };
        let examples = self.value_examples(map, pointer);
        Some(Header {
            pointer: pointer.to_owned(),
            required,
            description,
            schema,
            examples,
        })
    }

    /// A response's `headers`: name → header or `$ref` to `components/headers`, in document
    /// order. `Content-Type` is left out, as OpenAPI says (the media type says it).
    fn headers(&mut self, node: &Value, pointer: &str) -> Vec<(String, RefOr<Header>)> {
        let Some(map) = self.report.object(node, pointer, "`headers`") else {
            return Vec::new();
        };
        let mut headers = Vec::new();
        for (name, node) in self.report.entries(map, pointer) {
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let at = child(pointer, &name);
            if let Some(header) = self.ref_or(node, &at, "#/components/headers/", Self::header) {
                headers.push((name, header));
            }
        }
        headers
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
