//! Schema Objects, read once into a typed [`Schema`]. Every keyword is checked here, where it
//! is read: unknown keys, wrong types, keywords the generator does not implement. A format
//! it does not know is the base type, as OpenAPI says. What a schema *means* (a struct, an
//! enum, a wrapper) is decided by lowering.

use super::scalar::{is_known_format, scalar};
use super::{Enumeration, Reader, Reference, Scalar};
use crate::document::{child, key_text, kind};
use serde_norway::{Mapping, Value};

/// The prefix of a reference to a component schema.
pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "discriminator",
    "title",
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "default",
    "example",
    "examples",
    "externalDocs",
    "x-graph-known-values",
    // Validation the generated types do not enforce (documented where it matters): decoding
    // takes more than these allow, never less, and the published JSON Schema leaves them out.
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "maxLength",
    "minLength",
    "multipleOf",
    "maxProperties",
    "minProperties",
    "xml",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "propertyNames",
    // 3.1 (JSON Schema 2020-12) annotations and identifiers: nothing to generate.
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "contentMediaType",
    "contentEncoding",
    // Identifiers only, whose meaning is in the `$dynamicRef` or `$recursiveRef` that names
    // them (a warning where it stands).
    "$recursiveAnchor",
];

/// 3.1 keywords whose meaning the generator does not implement: each is a warning that it is
/// ignored, and the rest of the schema is read as if it were absent.
const IGNORED_SCHEMA_KEYWORDS: &[&str] = &[
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$vocabulary",
    "prefixItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "patternProperties",
    "dependentSchemas",
    "contentSchema",
    "if",
    "then",
    "else",
];

/// What may stand next to `$ref` and is read there (OpenAPI 3.1 allows siblings; 3.0
/// documents write `nullable: true` beside a reference often enough to honour it too).
/// Anything else next to `$ref` is a warning that it is ignored.
const REF_SIBLINGS: &[&str] = &[
    "$ref",
    "description",
    "title",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "default",
    "example",
    "examples",
    "$comment",
];

/// What may stand beside `type: 'null'` in an alternative that only admits `null`.
const NULL_ANNOTATIONS: &[&str] = &[
    "type",
    "nullable",
    "description",
    "title",
    "$comment",
    "deprecated",
    "example",
    "examples",
];

/// A schema, with every keyword the generator understands. A node that is not an object is
/// reported and read as an empty schema (any JSON value), so lowering never sees raw YAML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub pointer: String,
    /// `$ref`. Of its siblings, those in `REF_SIBLINGS` are read (`nullable: true` makes the
    /// reference nullable); any other is a warning that it is ignored.
    pub reference: Option<Reference>,
    /// `allOf`: each entry a whole schema; what it contributes is decided by lowering.
    pub all_of: Option<Vec<Schema>>,
    pub any_of: Option<Vec<Schema>>,
    pub one_of: Option<Vec<Schema>>,
    pub discriminator: Option<Discriminator>,
    /// Trimmed; `None` when absent or blank. Names a union's variant.
    pub title: Option<String>,
    /// `type`; `None` when absent, `"null"` alone, or several types (any JSON value).
    pub json_type: Option<JsonType>,
    /// What a `string`, `integer`, `number` or `boolean` schema holds, given its `format`.
    pub scalar: Option<Scalar>,
    /// Trimmed; `None` when absent or blank.
    pub description: Option<String>,
    /// In schema order.
    pub properties: Option<Vec<(String, Schema)>>,
    /// Each required name with the pointer of its entry in `required`.
    pub required: Vec<(String, String)>,
    pub additional: Option<AdditionalProperties>,
    pub items: Option<Box<Schema>>,
    /// `enum`, `const` or `x-graph-known-values` (an open set of strings or integers).
    pub enumeration: Option<Enumeration>,
    /// `nullable: true`, `"null"` in a `type` array, or `null` in `enum` or `const`.
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// `default`, as JSON text.
    pub default: Option<String>,
    pub max_items: Option<u64>,
    /// What a property's docs add about its value that its type does not say: a `format` the
    /// generator does not know ("format `uri-template`: a plain `String`"), the values a
    /// boolean or number enum lists, a `const` that is not a string or an integer.
    pub notes: Vec<String>,
    /// Only `type` and `nullable: true`: the second entry of Kiota's nullable wrapper.
    pub null_placeholder: bool,
    /// The schema's text, for an inline schema that becomes a type: the same text under the
    /// same name hint is one type. Empty otherwise.
    pub source: String,
    /// `example`, and (3.1) each item of `examples`, in document order.
    pub examples: Vec<super::Example>,
    /// A string of bytes rather than text: `format: binary` (3.0) or a `contentMediaType` or
    /// `contentEncoding` (3.1). A file part in a multipart body; a `String` elsewhere.
    pub binary: bool,
}

/// `discriminator`: the property whose value names the alternative, and the explicit names.
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    pub property: String,
    /// `mapping`, in document order: tag value → the component schema it names.
    pub mapping: Vec<(String, Reference)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Boolean,
    Integer,
    Number,
    Array,
    Object,
}

impl JsonType {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "string" => JsonType::String,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdditionalProperties {
    /// `true`, Graph's `{type: object}` idiom ("any other property"), or a value of the wrong
    /// kind (reported).
    Any,
    /// `false`.
    Deny,
    /// Every other property is this schema.
    Schema(Box<Schema>),
}

/// Where a schema stands, which changes what it may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A component schema.
    Component,
    /// Anywhere else a schema can be: a property, an item, a body, a part of `allOf`.
    Inline,
}

impl Schema {
    /// No `$ref`, and `enum`, `x-graph-known-values`, `allOf` (other than a lone part, see
    /// [`Self::single_part`]), `properties`, `oneOf` or `anyOf` (other than Kiota's nullable
    /// wrapper): a schema that becomes a type of its own wherever it stands.
    pub fn is_type_shaped(&self) -> bool {
        self.reference.is_none()
            && self.single_part().is_none()
            && self.nullable_wrapper().is_none()
            && (self.enumeration.is_some()
                || self.all_of.is_some()
                || self.properties.is_some()
                || self.union_parts().is_some())
    }

    /// `allOf: [X]` and nothing that adds to it (a description or `nullable` may stand beside
    /// it, or in parts of their own, folded in when read; a `oneOf` beside it is not
    /// enforced), where X is a `$ref` or anything but an
    /// object (`{type: string, format: uuid}`): the usual way to document a schema, which is
    /// just X. (A lone inline object part is merged into a struct, as before.)
    pub fn single_part(&self) -> Option<&Schema> {
        match self.all_of.as_deref() {
            Some([part])
                if self.properties.is_none()
                    && self.additional.is_none()
                    && self.required.is_empty()
                    && self.enumeration.is_none() =>
            {
                let object = part.reference.is_none()
                    && part.single_part().is_none()
                    && part.is_object_like();
                (!object).then_some(part)
            }
            _ => None,
        }
    }

    /// Nothing that constrains a value: only annotations (`description`, `title`, `default`,
    /// examples, `readOnly`, …) and perhaps `nullable: true`.
    pub fn is_annotation_only(&self) -> bool {
        self.reference.is_none()
            && self.all_of.is_none()
            && self.any_of.is_none()
            && self.one_of.is_none()
            && self.discriminator.is_none()
            && self.json_type.is_none()
            && self.scalar.is_none()
            && self.properties.is_none()
            && self.required.is_empty()
            && self.additional.is_none()
            && self.items.is_none()
            && self.enumeration.is_none()
    }

    /// [`Self::single_part`] when that part is a `$ref`.
    pub fn single_reference(&self) -> Option<&Reference> {
        self.single_part().and_then(|p| p.reference.as_ref())
    }

    /// Nothing that makes it other than an object: no union, enumeration or items, and type
    /// `object` or none.
    pub fn is_object_like(&self) -> bool {
        self.union_parts().is_none()
            && self.enumeration.is_none()
            && self.items.is_none()
            && matches!(self.json_type, None | Some(JsonType::Object))
    }

    /// Kiota's nullable reference `anyOf: [{$ref}, {type: object, nullable: true}]` (either
    /// order): the reference.
    pub fn nullable_wrapper(&self) -> Option<&Schema> {
        match self.any_of.as_deref() {
            Some([a, b]) if self.one_of.is_none() => match (a.null_placeholder, b.null_placeholder)
            {
                (false, true) if a.reference.is_some() => Some(a),
                (true, false) if b.reference.is_some() => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    /// The alternatives of a union: `oneOf`, else `anyOf` unless it is Kiota's wrapper.
    pub fn union_parts(&self) -> Option<&[Schema]> {
        match (&self.one_of, &self.any_of) {
            (Some(parts), _) => Some(parts),
            (None, Some(parts)) if self.nullable_wrapper().is_none() => Some(parts),
            _ => None,
        }
    }

    /// An alternative that only admits `null`: `type: 'null'`, or only `nullable: true`
    /// (with `type`).
    pub fn is_null_only(&self) -> bool {
        self.null_placeholder
    }

    /// A `{type: object}` with typed `additionalProperties`: a map, not a struct.
    pub fn is_map(&self) -> bool {
        matches!(self.json_type, Some(JsonType::Object) | None)
            && matches!(self.additional, Some(AdditionalProperties::Schema(_)))
    }
}

impl Reader<'_> {
    pub(super) fn schema(&mut self, node: &Value, pointer: &str, position: Position) -> Schema {
        let mut schema = Schema {
            pointer: pointer.to_owned(),
            ..Schema::default()
        };
        let Some(map) = self.report.object(node, pointer, "a schema") else {
            return schema;
        };
        self.check_schema_keys(map, pointer);
        let text = |key: &str| map.get(key).and_then(Value::as_str);
        schema.description = text("description")
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        schema.read_only = map.get("readOnly").and_then(Value::as_bool) == Some(true);
        schema.write_only = map.get("writeOnly").and_then(Value::as_bool) == Some(true);
        schema.default = map.get("default").map(json_text);
        schema.max_items = map.get("maxItems").and_then(Value::as_u64);
        schema.nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
        schema.title = text("title")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        schema.examples = self.schema_examples(map, pointer);
        if let Some(reference) = map.get("$ref") {
            schema.reference = Some(self.reference(reference, pointer, SCHEMA_PREFIX));
            return schema;
        }
        let (json_type, null_type) = self.json_type(map, pointer);
        schema.json_type = json_type;
        schema.nullable |= null_type;
        let kiota_placeholder = map.len() <= 2
            && map.iter().all(|(k, v)| {
                matches!(
                    (key_text(k).as_deref(), v),
                    (Some("nullable"), _) | (Some("type"), Value::String(_))
                )
            });
        // 3.1's `{type: 'null'}`, perhaps documented (`{type: 'null', description: …}`).
        let only_null = null_type
            && json_type.is_none()
            && map
                .iter()
                .all(|(k, _)| key_text(k).is_some_and(|k| NULL_ANNOTATIONS.contains(&k.as_str())));
        schema.null_placeholder = schema.nullable && (kiota_placeholder || only_null);
        self.composition(map, pointer, &mut schema);
        self.enumeration(map, pointer, &mut schema);
        self.object_keywords(map, pointer, &mut schema);
        // Without `items`, JSON Schema allows any items: a `Vec` of any JSON value.
        if let Some(items) = map.get("items") {
            let items = self.schema(items, &child(pointer, "items"), Position::Inline);
            schema.items = Some(Box::new(items));
        }
        super::enumeration::const_alternatives(&mut schema);
        let scalar_shaped =
            !schema.is_type_shaped() && schema.any_of.is_none() && schema.all_of.is_none();
        // OpenAPI says a tool that does not know a `format` treats the value as its base
        // type: so does this one, without a warning; a property's docs name the format.
        schema.scalar = schema.json_type.and_then(|t| scalar(t, text("format")));
        schema.binary = schema.json_type == Some(JsonType::String)
            && (text("format") == Some("binary")
                || map.get("contentMediaType").is_some()
                || map.get("contentEncoding").is_some());
        if let (Some(scalar), Some(format)) = (schema.scalar, text("format"))
            && scalar_shaped
            && !is_known_format(schema.json_type, format)
        {
            schema.notes.push(format!(
                "Format `{format}` (not known to the generator: a plain `{}`).",
                scalar.rust_name()
            ));
        }
        if position == Position::Inline && schema.is_type_shaped() {
            schema.source = serde_norway::to_string(node).unwrap_or_default();
        }
        schema
    }

    /// `type`: a name, or (3.1) an array of names. `"null"` among them makes the schema
    /// nullable; the others must be one type (`integer` with `number` is a number), or the
    /// value is any JSON, with a warning. Also reports the value's problems.
    fn json_type(&mut self, map: &Mapping, pointer: &str) -> (Option<JsonType>, bool) {
        let Some(node) = map.get("type") else {
            return (None, false);
        };
        let at = child(pointer, "type");
        let names: Vec<(String, &Value)> = match node {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (child(&at, &i.to_string()), item))
                .collect(),
            _ => vec![(at.clone(), node)],
        };
        let mut null = false;
        let mut types: Vec<JsonType> = Vec::new();
        for (at, node) in names {
            let Some(name) = self.report.string(node, &at, "`type`") else {
                continue;
            };
            match JsonType::parse(name) {
                Some(t) if !types.contains(&t) => types.push(t),
                Some(_) => {}
                None if name == "null" => null = true,
                None => self.report.problem(&at, format!("unknown type `{name}`")),
            }
        }
        if types.contains(&JsonType::Integer) && types.contains(&JsonType::Number) {
            types.retain(|t| *t != JsonType::Integer);
        }
        match types.as_slice() {
            [] => (None, null),
            [one] => (Some(*one), null),
            many => {
                let names: Vec<String> = many.iter().map(|t| format!("`{}`", t.as_str())).collect();
                self.report.warning(
                    &at,
                    format!(
                        "a value of type {} is kept as any JSON value (`RawJson`)",
                        names.join(" or ")
                    ),
                );
                (None, null)
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf`, `discriminator` and `not`.
    fn composition(&mut self, map: &Mapping, pointer: &str, schema: &mut Schema) {
        for key in ["allOf", "anyOf", "oneOf"] {
            let Some(node) = map.get(key) else {
                continue;
            };
            let at = child(pointer, key);
            let Value::Sequence(parts) = node else {
                // Reported, and read as an object without parts.
                self.report.problem(
                    &at,
                    format!("`{key}` must be an array, found {}", kind(node)),
                );
                if key == "allOf" {
                    schema.all_of = Some(Vec::new());
                }
                continue;
            };
            if parts.is_empty() && key != "allOf" {
                self.report
                    .problem(&at, format!("`{key}` needs at least one entry"));
            }
            let parts = parts
                .iter()
                .enumerate()
                .map(|(i, part)| self.schema(part, &child(&at, &i.to_string()), Position::Inline))
                .collect();
            match key {
                "allOf" => schema.all_of = Some(fold_annotation_parts(schema, parts)),
                "anyOf" => schema.any_of = Some(parts),
                _ => schema.one_of = Some(parts),
            }
        }
        if let Some(node) = map.get("discriminator") {
            schema.discriminator = self.discriminator(node, &child(pointer, "discriminator"));
        }
        if let Some(node) = map.get("not") {
            let at = child(pointer, "not");
            if self.report.object(node, &at, "`not`").is_some() {
                self.report.warning(
                    &at,
                    "`not` is not enforced: the value decodes as if `not` were absent",
                );
            }
        }
    }

    /// `discriminator`: `propertyName` and an optional `mapping` of tag values to component
    /// schemas (a `$ref`, or a component's name as OpenAPI allows).
    fn discriminator(&mut self, node: &Value, pointer: &str) -> Option<Discriminator> {
        let map = self.report.object(node, pointer, "`discriminator`")?;
        // 3.2's `defaultMapping` (the schema of an unmapped tag) is not read: a warning.
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "a discriminator",
            &["propertyName", "mapping"],
        );
        let at = child(pointer, "propertyName");
        let property = match map.get("propertyName") {
            Some(name) => self.report.string(name, &at, "`propertyName`")?.to_owned(),
            None => {
                self.report
                    .problem(pointer, "a discriminator needs `propertyName`");
                return None;
            }
        };
        let mut mapping = Vec::new();
        if let Some(node) = map.get("mapping") {
            let at = child(pointer, "mapping");
            if let Some(entries) = self.report.object(node, &at, "`mapping`") {
                for (tag, target) in self.report.entries(entries, &at) {
                    let entry = child(&at, &tag);
                    let Some(text) = self.report.string(target, &entry, "a mapping target") else {
                        continue;
                    };
                    let text = if text.starts_with('#') {
                        text.to_owned()
                    } else {
                        format!("{SCHEMA_PREFIX}{text}")
                    };
                    let mut reference = self.reference(&Value::String(text), &entry, SCHEMA_PREFIX);
                    reference.pointer = entry;
                    mapping.push((tag, reference));
                }
            }
        }
        Some(Discriminator { property, mapping })
    }

    /// `required`, `properties` and `additionalProperties`.
    fn object_keywords(&mut self, map: &Mapping, pointer: &str, schema: &mut Schema) {
        if let Some(node) = map.get("required") {
            let at = child(pointer, "required");
            let names = self.report.strings(node, &at, "`required`");
            schema.required = names
                .into_iter()
                .enumerate()
                .map(|(i, name)| (name, child(&at, &i.to_string())))
                .collect();
        }
        if let Some(node) = map.get("properties") {
            let at = child(pointer, "properties");
            let mut properties = Vec::new();
            if let Some(props) = self.report.object(node, &at, "`properties`") {
                for (wire, node) in self.report.entries(props, &at) {
                    let property = self.schema(node, &child(&at, &wire), Position::Inline);
                    properties.push((wire, property));
                }
            }
            schema.properties = Some(properties);
        }
        if let Some(node) = map.get("additionalProperties") {
            let at = child(pointer, "additionalProperties");
            schema.additional = Some(match node {
                Value::Bool(true) => AdditionalProperties::Any,
                Value::Bool(false) => AdditionalProperties::Deny,
                Value::Mapping(m) if is_graph_open_object(m) => AdditionalProperties::Any,
                Value::Mapping(_) => {
                    AdditionalProperties::Schema(Box::new(self.schema(node, &at, Position::Inline)))
                }
                other => {
                    self.report.problem(
                        &at,
                        format!(
                            "`additionalProperties` must be a boolean or a schema, found {}",
                            kind(other)
                        ),
                    );
                    AdditionalProperties::Any
                }
            });
        }
    }

    fn check_schema_keys(&mut self, map: &Mapping, pointer: &str) {
        let allowed: Vec<&str> = SCHEMA_KEYWORDS
            .iter()
            .chain(IGNORED_SCHEMA_KEYWORDS)
            .copied()
            .collect();
        // JSON Schema reads a keyword it does not know as an annotation, so an unknown one (a
        // vendor's without `x-`, a typo like `min_items`) never refuses the document: it is
        // ignored, with a warning in case it was meant to say something.
        self.report
            .ignore_unknown_keys(map, pointer, "a schema", &allowed);
        let reference = map.get("$ref").is_some();
        for (key, _) in self.report.entries(map, pointer) {
            let at = child(pointer, &key);
            if reference
                && SCHEMA_KEYWORDS.contains(&key.as_str())
                && !REF_SIBLINGS.contains(&key.as_str())
            {
                self.report.warning(
                    &at,
                    format!(
                        "`{key}` next to `$ref` is ignored: the referenced schema is used as it is"
                    ),
                );
            } else if IGNORED_SCHEMA_KEYWORDS.contains(&key.as_str()) {
                self.report.warning(
                    &at,
                    format!(
                        "unsupported keyword `{key}` is ignored: the schema is read without it"
                    ),
                );
            }
        }
        for (key, what) in [
            ("nullable", "`nullable`"),
            ("readOnly", "`readOnly`"),
            ("writeOnly", "`writeOnly`"),
            ("uniqueItems", "`uniqueItems`"),
            ("deprecated", "`deprecated`"),
        ] {
            if let Some(node) = map.get(key) {
                self.report.boolean(node, &child(pointer, key), what);
            }
        }
        for key in ["title", "description", "pattern", "format"] {
            if let Some(node) = map.get(key) {
                self.report
                    .string(node, &child(pointer, key), &format!("`{key}`"));
            }
        }
        for key in ["maxItems", "minItems", "maxLength", "minLength"] {
            if let Some(node) = map.get(key) {
                self.report
                    .count(node, &child(pointer, key), &format!("`{key}`"));
            }
        }
    }
}

/// `allOf: [{$ref: X}, {description: …}]` (or `{nullable: true}`, a title, a default):
/// parts that only annotate annotate the schema itself (its own annotations first), so
/// what remains is X alone, which [`Schema::single_part`] then reads as X. Parts that all
/// only annotate stay, as before.
fn fold_annotation_parts(schema: &mut Schema, parts: Vec<Schema>) -> Vec<Schema> {
    if parts.iter().all(Schema::is_annotation_only) {
        return parts;
    }
    let (notes, kept): (Vec<Schema>, Vec<Schema>) =
        parts.into_iter().partition(Schema::is_annotation_only);
    for part in notes {
        schema.description = schema.description.take().or(part.description);
        schema.title = schema.title.take().or(part.title);
        schema.default = schema.default.take().or(part.default);
        schema.max_items = schema.max_items.or(part.max_items);
        schema.nullable |= part.nullable;
        schema.read_only |= part.read_only;
        schema.write_only |= part.write_only;
        schema.notes.extend(part.notes);
        schema.examples.extend(part.examples);
    }
    kept
}

/// A YAML value as JSON text (`default`), as compact as serde_json writes it.
pub(super) fn json_text(node: &Value) -> String {
    serde_json::to_string(node).unwrap_or_else(|_| "null".to_owned())
}

/// Graph writes `additionalProperties: {type: object}` on every type; its SDKs read it as
/// "any other property" (an extension map), and so does this generator.
fn is_graph_open_object(map: &Mapping) -> bool {
    map.iter().all(|(k, v)| match key_text(k).as_deref() {
        Some("type") => v.as_str() == Some("object"),
        Some("description") => true,
        _ => false,
    })
}
