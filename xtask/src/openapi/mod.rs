//! The document read once into typed views. Each view carries the JSON pointer of the node it
//! was read from, and every keyword check happens here, reported to the [`Report`]: unknown
//! keys, values of the wrong type, keywords the generator does not implement. Nothing after
//! this step looks at raw keys (`structure_tests` holds that).
//!
//! A view read from a node with problems is still returned, filled as far as it could be
//! read: the problems are reported, so its model is never used, and lowering can carry on and
//! find the document's other problems.
//!
//! What is read, and how leniently:
//! - OpenAPI 3.0.x, 3.1.x and 3.2.x ([`Version`]). 3.1's schema keywords are read in every
//!   version: a `type` array with `"null"` is nullable, several types are any JSON (a
//!   warning), `const` is a one-value enum (and a `oneOf` of them one open enum, see
//!   `enumeration.rs`); `webhooks` and `jsonSchemaDialect` are accepted,
//!   and `paths` and `responses` are optional from 3.1. 3.2's additions the generator does not
//!   implement (`query` operations, `additionalOperations`, `itemSchema`, the `querystring`
//!   location, `components/mediaTypes`) are warnings by pointer; tags (and their `parent`)
//!   name nothing generated and are not read.
//! - An `x-` extension is accepted anywhere. Those read: `x-graph-permissions`,
//!   `x-graph-known-values`, `x-graph-idempotent`, and AutoRest's `x-ms-enum`,
//!   `x-ms-enum-flags` and `x-ms-pageable`; the others are ignored.
//! - An unknown `format` is its base type (a property's docs name it, no warning). Validation
//!   keywords (`pattern`, `minimum`, `multipleOf`, `xml`…) are accepted and not enforced:
//!   decoding takes more than they allow, never less. 2020-12 keywords whose meaning the
//!   generator does not implement (`$defs`, `prefixItems`, `if`…) and `not` are warnings that
//!   they are ignored. A keyword a schema may not hold at all (`min_items`, a vendor's without
//!   `x-`) is an annotation to JSON Schema: a warning, in every version, never an error.
//! - Beside a `$ref`: `description`, `nullable`, `readOnly`, `writeOnly`, `default` and the
//!   annotations are read; anything else is a warning that it is ignored.
//! - An unknown key on a response, parameter or media type is a warning; a `content` key that
//!   is not a media type (`form-data`) is a warning, its body bytes.
//! - Examples are read where they stand ([`Example`]): a `$ref` to `components/examples`
//!   (read first) and an `externalValue` file beside the document are resolved.
//! - A `security` requirement naming an undefined scheme is an error; a required scheme the
//!   client cannot apply (anything but a bearer token, an API key or HTTP basic) is one
//!   warning at its definition.
//!
//! (The `openapiv3` crate was considered for this layer and rejected: it deserializes with
//! serde, so it stops at the first error and its errors carry no JSON pointer.)

mod body;
mod enumeration;
mod example;
mod operation;
mod path;
mod receiver;
mod scalar;
mod schema;
mod security;
mod server;
mod version;

pub use body::{Content, Header, MediaKind, MediaType, RequestBody, Response};
pub use enumeration::{EnumKind, EnumValue, Enumeration, Wire};
pub use example::{Example, Unusable};
pub use operation::{Location, Operation, Pageable, Parameter, PathItem};
pub use path::{HttpMethod, PathTemplate, Segment};
pub use receiver::{Callback, Webhook};
pub use scalar::Scalar;
pub use schema::{AdditionalProperties, Discriminator, JsonType, Position, SCHEMA_PREFIX, Schema};
pub use server::Server;
pub use version::Version;

use crate::document::{Report, child, kind};
use crate::model::Permissions;
use serde_norway::Value;
use std::collections::HashMap;
use std::path::Path;

/// The document: its title, its components and its paths, in document order.
#[derive(Debug, Default)]
pub struct Document {
    pub title: String,
    /// The document's `servers` (empty when it has none).
    pub servers: Vec<Server>,
    pub components: Components,
    pub paths: Vec<PathItem>,
    /// 3.1 `webhooks`, in document order.
    pub webhooks: Vec<Webhook>,
}

/// The component index: every `$ref` is resolved through it.
#[derive(Debug, Default)]
pub struct Components {
    pub schemas: Index<Schema>,
    pub responses: Index<Response>,
    pub parameters: Index<Parameter>,
    pub request_bodies: Index<RequestBody>,
    pub headers: Index<Header>,
}

/// The components of one kind, in document order and by key. A component that could not be
/// read at all (its problems are reported) is present without a value.
#[derive(Debug)]
pub struct Index<T> {
    entries: Vec<(String, Option<T>)>,
    positions: HashMap<String, usize>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            entries: Vec::new(),
            positions: HashMap::new(),
        }
    }
}

impl<T> Index<T> {
    fn insert(&mut self, key: String, value: Option<T>) {
        self.positions.insert(key.clone(), self.entries.len());
        self.entries.push((key, value));
    }

    /// `None`: no such component. `Some(None)`: present, but unreadable (already reported).
    pub fn get(&self, key: &str) -> Option<Option<&T>> {
        self.positions.get(key).map(|&i| self.entries[i].1.as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&T>)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_ref()))
    }
}

/// A `$ref` to a component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reference {
    /// The reference as written.
    pub text: String,
    /// The component's key, or `None` if the reference is not one this position supports
    /// (reported).
    pub key: Option<String>,
    /// The pointer of the `$ref` itself.
    pub pointer: String,
}

/// A node that is either the thing itself or a `$ref` to a component of its kind.
#[derive(Debug, Clone)]
pub enum RefOr<T> {
    Item(T),
    Ref(Reference),
}

/// Reads the parsed document into views, reporting every problem on the way. `base_dir` is
/// the document's folder, for checking that `externalValue` example files exist (`None`
/// skips that check).
pub fn read(doc: &Value, base_dir: Option<&Path>, report: &mut Report) -> Document {
    let mut reader = Reader {
        report,
        base_dir,
        component_examples: HashMap::new(),
        schemes: security::Schemes::default(),
        receiver_components: receiver::ReceiverComponents::new(doc.get("components")),
        in_receiver: false,
        // An unreadable version is reported below, and read by 3.0's rules.
        version: doc
            .get("openapi")
            .and_then(Value::as_str)
            .and_then(Version::parse)
            .unwrap_or(Version::V3_0),
    };
    reader.document(doc)
}

pub(crate) struct Reader<'r> {
    pub(crate) report: &'r mut Report,
    base_dir: Option<&'r Path>,
    /// `components/examples`, read before anything that refers to them.
    component_examples: example::ComponentExamples,
    /// `components/securitySchemes`, which `security` requirements must name.
    schemes: security::Schemes,
    /// `components/callbacks` and `components/pathItems`, read where they are used.
    receiver_components: receiver::ReceiverComponents,
    /// Reading a webhook's or a callback's path item (whose own callbacks are not read).
    in_receiver: bool,
    /// The document's `openapi` version: from 3.1, `paths` and `responses` are optional.
    pub(crate) version: Version,
}

impl Reader<'_> {
    fn document(&mut self, doc: &Value) -> Document {
        let mut document = Document::default();
        let Some(root) = self.report.object(doc, "", "the document") else {
            return document;
        };
        self.report.only_keys(
            root,
            "",
            "the document",
            &[
                "openapi",
                "info",
                "servers",
                "paths",
                "components",
                "security",
                "tags",
                "externalDocs",
                // 3.1: the schemas' default dialect (the generator reads OpenAPI's own), and
                // webhooks (a receiver each).
                "jsonSchemaDialect",
                "webhooks",
                // 3.2: the document's own URI, a base for references the reader does not
                // follow (only local ones are read).
                "$self",
            ],
        );
        match root.get("openapi") {
            Some(Value::String(v)) if Version::parse(v).is_some() => {}
            Some(Value::String(v)) => self.report.problem(
                "/openapi",
                format!(
                    "unsupported OpenAPI version `{v}`: supported are {}",
                    version::SUPPORTED
                ),
            ),
            Some(other) => self.report.problem(
                "/openapi",
                format!("`openapi` must be a string, found {}", kind(other)),
            ),
            None => self.report.problem(
                "",
                format!("missing `openapi` (expected {})", version::SUPPORTED),
            ),
        }
        match root.get("info") {
            Some(node) => {
                if let Some(info) = self.report.object(node, "/info", "`info`") {
                    match info.get("title") {
                        Some(title) => {
                            document.title = self
                                .report
                                .string(title, "/info/title", "`title`")
                                .unwrap_or_default()
                                .to_owned();
                        }
                        None => self.report.problem("/info", "missing `title`"),
                    }
                    if let Some(d) = info.get("description") {
                        self.report.string(d, "/info/description", "`description`");
                    }
                }
            }
            None => self.report.problem("", "missing `info`"),
        }
        if let Some(servers) = root.get("servers") {
            document.servers = self.servers(servers, "/servers");
        }
        if let Some(node) = root.get("components") {
            document.components = self.components(node);
        }
        if let Some(node) = root
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
        {
            self.schemes = self.security_schemes(node, "/components/securitySchemes");
        }
        if let Some(node) = root.get("security") {
            self.document_security(node, "/security");
        }
        match root.get("paths") {
            Some(node) => document.paths = self.paths(node),
            // 3.1 made `paths` optional (a document of components or webhooks only).
            None if self.version >= Version::V3_1 => {}
            None => self.report.problem("", "missing `paths`"),
        }
        if let Some(webhooks) = root.get("webhooks") {
            document.webhooks = self.webhooks(webhooks);
        }
        // Last: it takes the schemes, which webhooks' `security` is checked against too.
        self.warn_unsupported_schemes();
        document
    }

    fn components(&mut self, node: &Value) -> Components {
        let mut components = Components::default();
        let Some(map) = self.report.object(node, "/components", "`components`") else {
            return components;
        };
        self.report.only_keys(
            map,
            "/components",
            "`components`",
            &[
                "schemas",
                "responses",
                "parameters",
                "examples",
                "requestBodies",
                "headers",
                "securitySchemes",
                "links",
                "callbacks",
                "pathItems",
                "mediaTypes",
            ],
        );
        if map.get("mediaTypes").is_some() {
            // 3.2: media types to `$ref`, which the reader does not follow.
            self.report.warning(
                "/components/mediaTypes",
                "`mediaTypes` (OpenAPI 3.2) is not read: a media type that refers to one is read without it",
            );
        }
        // Examples first: parameters, bodies and responses refer to them.
        for section in [
            "examples",
            "schemas",
            "headers",
            "responses",
            "parameters",
            "requestBodies",
        ] {
            let at = child("/components", section);
            let Some(section_map) = map
                .get(section)
                .and_then(|n| self.report.object(n, &at, &format!("`{section}`")))
            else {
                continue;
            };
            for (key, node) in self.report.entries(section_map, &at) {
                let pointer = child(&at, &key);
                match section {
                    "schemas" => {
                        let schema = self.schema(node, &pointer, Position::Component);
                        components.schemas.insert(key, Some(schema));
                    }
                    "responses" => {
                        let response = self.response(node, &pointer);
                        components.responses.insert(key, response);
                    }
                    "parameters" => {
                        let parameter = self.parameter(node, &pointer);
                        components.parameters.insert(key, parameter);
                    }
                    "examples" => {
                        let value = self.example(node, &pointer);
                        self.component_examples.insert(key, value);
                    }
                    "headers" => {
                        let header = self.header(node, &pointer);
                        components.headers.insert(key, header);
                    }
                    _ => {
                        let body = self.request_body(node, &pointer);
                        components.request_bodies.insert(key, body);
                    }
                }
            }
        }
        components
    }

    /// A `$ref`'s reference (`node` is its value, `pointer` the node holding it): it must be a
    /// string pointing into `section`.
    fn reference(&mut self, node: &Value, pointer: &str, section: &str) -> Reference {
        let at = child(pointer, "$ref");
        let mut reference = Reference {
            pointer: at.clone(),
            ..Reference::default()
        };
        let Some(text) = self.report.string(node, &at, "`$ref`") else {
            return reference;
        };
        reference.text = text.to_owned();
        match text.strip_prefix(section) {
            Some(key) => {
                reference.key = Some(key.replace("~1", "/").replace("~0", "~"));
            }
            None if section == SCHEMA_PREFIX => self.report.problem(&at, format!("unsupported `$ref` `{text}`: only local references to `{section}…` are supported here")),
            None => self.report.problem(
                &at,
                format!(
                    "`$ref` `{text}` must point into `{}`",
                    section.trim_end_matches('/')
                ),
            ),
        }
        reference
    }

    /// A node that may be a `$ref` to a component in `section` instead of the thing itself.
    fn ref_or<T>(
        &mut self,
        node: &Value,
        pointer: &str,
        section: &str,
        read: impl FnOnce(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<RefOr<T>> {
        let Some(target) = node.get("$ref") else {
            return read(self, node, pointer).map(RefOr::Item);
        };
        if let Some(map) = node.as_mapping() {
            self.report.only_keys(
                map,
                pointer,
                "a reference",
                &["$ref", "description", "summary"],
            );
        }
        Some(RefOr::Ref(self.reference(target, pointer, section)))
    }

    fn permissions(&mut self, node: &Value, pointer: &str) -> Permissions {
        let mut permissions = Permissions::default();
        let Some(map) = self.report.object(node, pointer, "`x-graph-permissions`") else {
            return permissions;
        };
        for (key, value) in self.report.entries(map, pointer) {
            let at = child(pointer, &key);
            match key.as_str() {
                "delegated" => permissions.delegated = self.report.strings(value, &at, "`delegated`"),
                "application" => permissions.application = self.report.strings(value, &at, "`application`"),
                other => self.report.problem(&at, format!("unknown key `{other}` in `x-graph-permissions` (expected `delegated`, `application`)")),
            }
        }
        permissions
    }
}
