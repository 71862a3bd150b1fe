//! Validation and lowering: the OpenAPI document becomes a [`Model`], or every problem in it
//! is reported at once, each with its JSON pointer.
//!
//! Lowering happens in two passes: first every component schema gets its Rust name (so a
//! `$ref` resolves to a name without lowering its target, and recursion needs no special
//! case), then schemas and operations are lowered in document order.

use crate::document::{Problem, Report, child, key_text, kind, resolve};
use crate::model::*;
use crate::names::{Case, Scope, ident};
use serde_norway::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "allOf",
    "anyOf",
    "title",
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "format",
    "nullable",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "readOnly",
    "writeOnly",
    "deprecated",
    "default",
    "example",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "maxLength",
    "minLength",
    "externalDocs",
    "x-graph-known-values",
];

/// Keywords that exist in OpenAPI 3.0 but whose meaning the generator does not implement; they
/// get a message saying so rather than "unknown".
const UNSUPPORTED_SCHEMA_KEYWORDS: &[&str] = &[
    "oneOf",
    "not",
    "discriminator",
    "xml",
    "multipleOf",
    "maxProperties",
    "minProperties",
];

/// Lowers a parsed document. `base_dir` is the document's folder, for checking that
/// `externalValue` example files exist; `None` skips that check.
pub fn lower(doc: &Value, base_dir: Option<&Path>) -> Result<Model, Vec<Problem>> {
    let mut lowering = Lowering {
        doc,
        base_dir,
        report: Report::default(),
        component_names: BTreeMap::new(),
        types: BTreeMap::new(),
        type_names: Scope::with_taken(crate::names::RESERVED_TYPE_NAMES.iter().copied()),
        lowered_components: BTreeSet::new(),
        in_progress: BTreeSet::new(),
        inline_sources: BTreeMap::new(),
    };
    let model = lowering.document();
    if lowering.report.problems.is_empty() {
        Ok(model)
    } else {
        Err(lowering.report.problems)
    }
}

struct Lowering<'a> {
    doc: &'a Value,
    base_dir: Option<&'a Path>,
    report: Report,
    /// Component key → Rust name, for component schemas that become types.
    component_names: BTreeMap<String, String>,
    types: BTreeMap<String, TypeDef>,
    type_names: Scope,
    lowered_components: BTreeSet<String>,
    /// Components being lowered right now (to catch `allOf` cycles).
    in_progress: BTreeSet<String>,
    /// Inline schemas already lowered, by (name hint, schema source), so that the same inline
    /// body repeated on several paths becomes one type.
    inline_sources: BTreeMap<(String, String), String>,
}

/// What a schema position lowers to.
struct Lowered {
    ty: Ty,
    nullable: bool,
}

impl<'a> Lowering<'a> {
    fn document(&mut self) -> Model {
        let doc = self.doc;
        let mut model = Model {
            title: String::new(),
            types: BTreeMap::new(),
            operations: Vec::new(),
        };
        let Some(root) = self.report.object(doc, "", "the document") else {
            return model;
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
            ],
        );
        match get(root, "openapi") {
            Some(Value::String(v)) if v.starts_with("3.0.") => {}
            Some(Value::String(v)) => self.report.problem(
                "/openapi",
                format!("only OpenAPI 3.0.x is supported, found `{v}`"),
            ),
            Some(other) => self.report.problem(
                "/openapi",
                format!("`openapi` must be a string, found {}", kind(other)),
            ),
            None => self
                .report
                .problem("", "missing `openapi` (expected 3.0.x)"),
        }
        if let Some(info) = get(root, "info").and_then(|n| self.report.object(n, "/info", "`info`"))
        {
            match get(info, "title") {
                Some(title) => {
                    model.title = self
                        .report
                        .string(title, "/info/title", "`title`")
                        .unwrap_or_default()
                        .to_owned()
                }
                None => self.report.problem("/info", "missing `title`"),
            }
            if let Some(d) = get(info, "description") {
                self.report.string(d, "/info/description", "`description`");
            }
        } else if get(root, "info").is_none() {
            self.report.problem("", "missing `info`");
        }
        if let Some(servers) = get(root, "servers") {
            match servers {
                // The base URL is the client's setting (beta by default), not the document's.
                Value::Sequence(_) => {}
                other => self.report.problem(
                    "/servers",
                    format!("`servers` must be an array, found {}", kind(other)),
                ),
            }
        }

        self.name_components(root);
        self.components(root);
        model.operations = self.paths(root);
        self.mark_recursive_fields();
        self.decide_derives();
        model.types = std::mem::take(&mut self.types);
        model
    }

    /// Pass one: every component schema that becomes a type gets its Rust name. The name is
    /// the last dotted segment (`microsoft.graph.presence` → `Presence`); where two components
    /// share it, each uses its namespace too (`CallRecordsCallRecord`).
    fn name_components(&mut self, root: &Mapping) {
        let Some(schemas) = get(root, "components").and_then(|c| get_map(c, "schemas")) else {
            return;
        };
        let keys: Vec<String> = schemas
            .keys()
            .filter_map(key_text)
            .filter(|k| becomes_type(schemas_get(schemas, k)))
            .collect();
        let short = |key: &str| ident(key.rsplit('.').next().unwrap_or(key), Case::Pascal);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for key in &keys {
            *counts.entry(short(key)).or_default() += 1;
        }
        for key in &keys {
            let raw = if counts[&short(key)] > 1 {
                key.strip_prefix("microsoft.graph.")
                    .unwrap_or(key)
                    .to_owned()
            } else {
                key.rsplit('.').next().unwrap_or(key).to_owned()
            };
            let name = self.type_names.unique(&raw, Case::Pascal);
            self.component_names.insert(key.clone(), name);
        }
    }

    fn components(&mut self, root: &'a Mapping) {
        let Some(node) = get(root, "components") else {
            return;
        };
        let Some(components) = self.report.object(node, "/components", "`components`") else {
            return;
        };
        self.report.only_keys(
            components,
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
            ],
        );
        if let Some(schemas) = get(components, "schemas")
            .and_then(|n| self.report.object(n, "/components/schemas", "`schemas`"))
        {
            for (key, schema) in self.report.entries(schemas, "/components/schemas") {
                let pointer = child("/components/schemas", &key);
                if self.component_names.contains_key(&key) {
                    self.component(&key);
                } else {
                    // A primitive or array component: it is inlined wherever it is referenced,
                    // but checked here once.
                    self.ty(schema, &pointer, &ident(&key, Case::Pascal));
                }
            }
        }
        for section in ["responses", "parameters", "examples", "requestBodies"] {
            let at = child("/components", section);
            let Some(map) = get(components, section)
                .and_then(|n| self.report.object(n, &at, &format!("`{section}`")))
            else {
                continue;
            };
            for (key, node) in self.report.entries(map, &at) {
                let pointer = child(&at, &key);
                match section {
                    "responses" => {
                        self.response(node, &pointer, &ident(&key, Case::Pascal));
                    }
                    "parameters" => {
                        self.parameter(node, &pointer);
                    }
                    "examples" => self.example(node, &pointer),
                    _ => {
                        self.request_body(node, &pointer, &ident(&key, Case::Pascal));
                    }
                }
            }
        }
    }

    /// Lowers a component schema into `self.types` (once).
    fn component(&mut self, key: &str) {
        if self.lowered_components.contains(key) {
            return;
        }
        let name = self.component_names[key].clone();
        let pointer = child("/components/schemas", key);
        let Some(schema) = get_map(self.doc, "components")
            .and_then(|c| get(c, "schemas"))
            .and_then(|s| s.as_mapping())
            .map(|s| schemas_get(s, key))
        else {
            return;
        };
        self.in_progress.insert(key.to_owned());
        if let Some(map) = schema.as_mapping() {
            self.check_schema_keys(map, &pointer);
        }
        let def = self.named(schema, &pointer, &name, key);
        self.in_progress.remove(key);
        self.lowered_components.insert(key.to_owned());
        if let Some(def) = def {
            self.types.insert(name, def);
        }
    }

    /// Lowers a schema that becomes a type of its own (object or enum) with the given name.
    fn named(
        &mut self,
        schema: &'a Value,
        pointer: &str,
        name: &str,
        origin: &str,
    ) -> Option<TypeDef> {
        // The caller has checked the keywords (`component`, or `ty` for an inline type).
        let map = self.report.object(schema, pointer, "a schema")?;
        if get(map, "enum").is_some() || get(map, "x-graph-known-values").is_some() {
            return self
                .enumeration(map, pointer, name, origin)
                .map(TypeDef::Enum);
        }
        self.structure(map, pointer, name, origin)
            .map(TypeDef::Struct)
    }

    fn check_schema_keys(&mut self, map: &Mapping, pointer: &str) {
        for (key, _) in self.report.entries(map, pointer) {
            if UNSUPPORTED_SCHEMA_KEYWORDS.contains(&key.as_str()) {
                self.report.problem(
                    &child(pointer, &key),
                    format!("unsupported keyword `{key}`: the generator does not implement it"),
                );
            }
        }
        let allowed: Vec<&str> = SCHEMA_KEYWORDS
            .iter()
            .chain(UNSUPPORTED_SCHEMA_KEYWORDS)
            .copied()
            .collect();
        self.report.only_keys(map, pointer, "a schema", &allowed);
        if get(map, "$ref").is_some() {
            for (key, _) in self.report.entries(map, pointer) {
                if key != "$ref" && key != "description" && !key.starts_with("x-") {
                    self.report.problem(&child(pointer, &key), format!("`{key}` next to `$ref` has no effect in OpenAPI 3.0 (wrap the reference in `anyOf` or `allOf`)"));
                }
            }
        }
        for (key, what) in [
            ("nullable", "`nullable`"),
            ("readOnly", "`readOnly`"),
            ("writeOnly", "`writeOnly`"),
            ("uniqueItems", "`uniqueItems`"),
            ("deprecated", "`deprecated`"),
        ] {
            if let Some(node) = get(map, key) {
                self.report.boolean(node, &child(pointer, key), what);
            }
        }
        for key in ["title", "description", "pattern", "format"] {
            if let Some(node) = get(map, key) {
                self.report
                    .string(node, &child(pointer, key), &format!("`{key}`"));
            }
        }
        for key in ["maxItems", "minItems", "maxLength", "minLength"] {
            if let Some(node) = get(map, key) {
                self.report
                    .count(node, &child(pointer, key), &format!("`{key}`"));
            }
        }
        if let Some(node) = get(map, "type")
            && let Some(t) = self.report.string(node, &child(pointer, "type"), "`type`")
            && !["string", "boolean", "integer", "number", "array", "object"].contains(&t)
        {
            self.report
                .problem(&child(pointer, "type"), format!("unknown type `{t}`"));
        }
    }

    fn enumeration(
        &mut self,
        map: &Mapping,
        pointer: &str,
        name: &str,
        origin: &str,
    ) -> Option<EnumDef> {
        match get(map, "type").and_then(Value::as_str) {
            Some("string") | None => {}
            Some(other) => {
                self.report.problem(
                    &child(pointer, "type"),
                    format!("only string enums are supported, found type `{other}`"),
                );
                return None;
            }
        }
        let (key, declared_enum) = if get(map, "enum").is_some() {
            ("enum", true)
        } else {
            ("x-graph-known-values", false)
        };
        let at = child(pointer, key);
        let Some(Value::Sequence(values)) = get(map, key) else {
            self.report
                .problem(&at, format!("`{key}` must be an array of strings"));
            return None;
        };
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, value) in values.iter().enumerate() {
            match value {
                Value::String(wire) => {
                    if !seen.insert(wire.clone()) {
                        self.report.problem(
                            &child(&at, &i.to_string()),
                            format!("duplicate value `{wire}`"),
                        );
                        continue;
                    }
                    variants.push(Variant {
                        name: scope.unique(wire, Case::Pascal),
                        wire: wire.clone(),
                    });
                }
                // Kiota lists `null` among the members of a nullable enum; nullability is
                // carried by the property, so the member is skipped.
                Value::Null => {}
                other => self.report.problem(
                    &child(&at, &i.to_string()),
                    format!("enum values must be strings, found {}", kind(other)),
                ),
            }
        }
        let other = scope.unique("Other", Case::Pascal);
        Some(EnumDef {
            name: name.to_owned(),
            origin: origin.to_owned(),
            description: description(map),
            variants,
            other,
            declared_enum,
        })
    }

    fn structure(
        &mut self,
        map: &'a Mapping,
        pointer: &str,
        name: &str,
        origin: &str,
    ) -> Option<StructDef> {
        let mut def = StructDef {
            name: name.to_owned(),
            origin: origin.to_owned(),
            description: description(map),
            fields: Vec::new(),
            additional: Additional::Any,
            derives: Derives::default(),
        };
        let mut scope = Scope::default();
        let mut required: Vec<(String, String)> = Vec::new();
        let mut declared = BTreeSet::new();
        if let Some(all_of) = get(map, "allOf") {
            let at = child(pointer, "allOf");
            let Value::Sequence(parts) = all_of else {
                self.report.problem(
                    &at,
                    format!("`allOf` must be an array, found {}", kind(all_of)),
                );
                return None;
            };
            for (i, part) in parts.iter().enumerate() {
                let part_at = child(&at, &i.to_string());
                let Some(part_map) = self.report.object(part, &part_at, "an `allOf` entry") else {
                    continue;
                };
                if let Some(reference) = get(part_map, "$ref") {
                    self.check_schema_keys(part_map, &part_at);
                    let Some(base) = self.base_struct(reference, &child(&part_at, "$ref")) else {
                        continue;
                    };
                    for field in base.fields {
                        scope.take(&field.name);
                        declared.insert(field.wire.clone());
                        def.fields.push(field);
                    }
                    def.additional = base.additional;
                    if def.description.is_none() {
                        def.description = base.description;
                    }
                } else {
                    self.check_schema_keys(part_map, &part_at);
                    // An inline part contributes properties; anything that would make it
                    // something other than an object would be lost, so it is reported.
                    for key in [
                        "allOf",
                        "anyOf",
                        "enum",
                        "items",
                        "x-graph-known-values",
                        "format",
                    ] {
                        if get(part_map, key).is_some() {
                            self.report.problem(&child(&part_at, key), format!("unsupported `{key}` in an inline `allOf` entry: only object properties can be combined"));
                        }
                    }
                    if let Some(t) = get(part_map, "type")
                        .and_then(Value::as_str)
                        .filter(|t| *t != "object")
                    {
                        self.report.problem(
                            &child(&part_at, "type"),
                            format!("an inline `allOf` entry must be an object, found type `{t}`"),
                        );
                    }
                    if def.description.is_none() {
                        def.description = description(part_map);
                    }
                    self.own_properties(
                        part_map,
                        &part_at,
                        name,
                        &mut def,
                        &mut scope,
                        &mut required,
                        &mut declared,
                    );
                }
            }
        }
        self.own_properties(
            map,
            pointer,
            name,
            &mut def,
            &mut scope,
            &mut required,
            &mut declared,
        );
        for (wire, at) in required {
            match def.fields.iter_mut().find(|f| f.wire == wire) {
                Some(field) => field.required = true,
                None if declared.contains(&wire) => {} // its schema's problem is reported already
                None => self.report.problem(
                    &at,
                    format!("required property `{wire}` is not defined in `properties`"),
                ),
            }
        }
        Some(def)
    }

    /// The fields of an `allOf` base, lowering it first if needed.
    fn base_struct(&mut self, reference: &Value, pointer: &str) -> Option<StructDef> {
        let key = self.schema_ref_key(reference, pointer)?;
        if self.in_progress.contains(&key) {
            self.report.problem(
                pointer,
                format!("inheritance cycle: `{key}` inherits from itself through `allOf`"),
            );
            return None;
        }
        let Some(name) = self.component_names.get(&key).cloned() else {
            self.report.problem(
                pointer,
                format!("`allOf` base `{key}` is not an object schema"),
            );
            return None;
        };
        self.component(&key);
        match self.types.get(&name) {
            Some(TypeDef::Struct(base)) => Some(base.clone()),
            Some(TypeDef::Enum(_)) => {
                self.report.problem(
                    pointer,
                    format!("`allOf` base `{key}` is an enum, not an object schema"),
                );
                None
            }
            None => None,
        }
    }

    /// `declared` collects every property name, including those whose schema had a problem, so
    /// that a bad property is reported once rather than again as an undefined required one.
    #[allow(clippy::too_many_arguments)]
    fn own_properties(
        &mut self,
        map: &'a Mapping,
        pointer: &str,
        name: &str,
        def: &mut StructDef,
        scope: &mut Scope,
        required: &mut Vec<(String, String)>,
        declared: &mut BTreeSet<String>,
    ) {
        if let Some(node) = get(map, "required") {
            let at = child(pointer, "required");
            for (i, wire) in self
                .report
                .strings(node, &at, "`required`")
                .into_iter()
                .enumerate()
            {
                required.push((wire, child(&at, &i.to_string())));
            }
        }
        if let Some(node) = get(map, "properties") {
            let at = child(pointer, "properties");
            if let Some(props) = self.report.object(node, &at, "`properties`") {
                for (wire, schema) in self.report.entries(props, &at) {
                    let prop_at = child(&at, &wire);
                    if def.fields.iter().any(|f| f.wire == wire) {
                        self.report.problem(
                            &prop_at,
                            format!("property `{wire}` is already defined by an `allOf` base"),
                        );
                        continue;
                    }
                    let hint = format!("{name}{}", ident(&wire, Case::Pascal));
                    declared.insert(wire.clone());
                    let Some(lowered) = self.ty(schema, &prop_at, &hint) else {
                        continue;
                    };
                    let prop_map = schema.as_mapping();
                    let flag = |k: &str| {
                        prop_map
                            .and_then(|m| get(m, k))
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                    };
                    def.fields.push(Field {
                        name: scope.unique(&wire, Case::Snake),
                        wire: wire.clone(),
                        ty: lowered.ty,
                        required: false,
                        nullable: lowered.nullable,
                        boxed: false,
                        read_only: flag("readOnly"),
                        description: prop_map.and_then(description),
                        max_items: prop_map
                            .and_then(|m| get(m, "maxItems"))
                            .and_then(Value::as_u64),
                    });
                }
            }
        }
        if let Some(node) = get(map, "additionalProperties") {
            let at = child(pointer, "additionalProperties");
            def.additional = match node {
                Value::Bool(true) => Additional::Any,
                Value::Bool(false) => Additional::Deny,
                Value::Mapping(m) if is_graph_open_object(m) => Additional::Any,
                Value::Mapping(_) => match self.ty(node, &at, &format!("{name}Value")) {
                    Some(lowered) => Additional::Typed(nullable_item(lowered)),
                    None => Additional::Any,
                },
                other => {
                    self.report.problem(
                        &at,
                        format!(
                            "`additionalProperties` must be a boolean or a schema, found {}",
                            kind(other)
                        ),
                    );
                    Additional::Any
                }
            };
        }
    }

    /// Lowers a schema in a property (or item, or body) position. Inline objects and enums
    /// become types named from `hint`.
    fn ty(&mut self, schema: &'a Value, pointer: &str, hint: &str) -> Option<Lowered> {
        let map = self.report.object(schema, pointer, "a schema")?;
        self.check_schema_keys(map, pointer);
        let nullable = get(map, "nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(reference) = get(map, "$ref") {
            let ty = self.schema_ref(reference, &child(pointer, "$ref"))?;
            return Some(Lowered {
                ty,
                nullable: false,
            });
        }
        if let Some(any_of) = get(map, "anyOf") {
            return self.nullable_wrapper(any_of, &child(pointer, "anyOf"), hint);
        }
        if get(map, "enum").is_some()
            || get(map, "x-graph-known-values").is_some()
            || get(map, "allOf").is_some()
            || get(map, "properties").is_some()
        {
            let name = self.inline_type(schema, pointer, hint)?;
            return Some(Lowered {
                ty: Ty::Named(name),
                nullable,
            });
        }
        let format = get(map, "format").and_then(Value::as_str);
        let format_at = child(pointer, "format");
        let ty = match get(map, "type").and_then(Value::as_str) {
            Some("string") => match format {
                None
                | Some(
                    "uuid" | "base64url" | "byte" | "date" | "time" | "email" | "uri" | "hostname"
                    | "password",
                ) => Ty::String,
                Some("date-time") => Ty::Timestamp,
                Some("duration") => Ty::Duration,
                Some(other) => return self.unsupported_format(&format_at, other, "string"),
            },
            Some("boolean") => Ty::Bool,
            Some("integer") => match format {
                Some("int8" | "int16" | "int32" | "uint8") => Ty::I32,
                None | Some("int64") => Ty::I64,
                Some(other) => return self.unsupported_format(&format_at, other, "integer"),
            },
            Some("number") => match format {
                Some("float") => Ty::F32,
                None | Some("double" | "decimal") => Ty::F64,
                Some("int32") => Ty::I32,
                Some("int64") => Ty::I64,
                Some(other) => return self.unsupported_format(&format_at, other, "number"),
            },
            Some("array") => {
                let Some(items) = get(map, "items") else {
                    self.report
                        .problem(pointer, "an array schema needs `items`");
                    return None;
                };
                let item = self.ty(items, &child(pointer, "items"), &format!("{hint}Item"))?;
                Ty::Array(Box::new(nullable_item(item)))
            }
            Some("object") | None => match get(map, "additionalProperties") {
                Some(Value::Mapping(m)) if !is_graph_open_object(m) => {
                    let value = self.ty(
                        get(map, "additionalProperties")?,
                        &child(pointer, "additionalProperties"),
                        &format!("{hint}Value"),
                    )?;
                    Ty::Map(Box::new(nullable_item(value)))
                }
                _ => Ty::Any,
            },
            Some(_) => return None, // reported by check_schema_keys
        };
        Some(Lowered { ty, nullable })
    }

    fn unsupported_format(&mut self, pointer: &str, format: &str, ty: &str) -> Option<Lowered> {
        self.report.problem(
            pointer,
            format!("unsupported format `{format}` for type `{ty}`"),
        );
        None
    }

    /// Graph's (Kiota flavour) nullable reference: `anyOf: [{$ref}, {type: object, nullable: true}]`.
    fn nullable_wrapper(
        &mut self,
        any_of: &'a Value,
        pointer: &str,
        hint: &str,
    ) -> Option<Lowered> {
        const SHAPE: &str = "only the nullable wrapper `anyOf: [{$ref: …}, {type: object, nullable: true}]` is supported";
        let Value::Sequence(parts) = any_of else {
            self.report.problem(
                pointer,
                format!("`anyOf` must be an array, found {}", kind(any_of)),
            );
            return None;
        };
        let is_null_part = |v: &Value| {
            v.as_mapping().is_some_and(|m| {
                get(m, "nullable").and_then(Value::as_bool) == Some(true)
                    && m.len() <= 2
                    && m.iter().all(|(k, v)| {
                        matches!(
                            (key_text(k).as_deref(), v),
                            (Some("nullable"), _) | (Some("type"), Value::String(_))
                        )
                    })
            })
        };
        if parts.len() != 2 {
            self.report.problem(
                pointer,
                format!("unsupported `anyOf` with {} entries: {SHAPE}", parts.len()),
            );
            return None;
        }
        let (i, target) = match (is_null_part(&parts[0]), is_null_part(&parts[1])) {
            (false, true) => (0, &parts[0]),
            (true, false) => (1, &parts[1]),
            _ => {
                self.report
                    .problem(pointer, format!("unsupported `anyOf`: {SHAPE}"));
                return None;
            }
        };
        let target_at = child(pointer, &i.to_string());
        if target.get("$ref").is_none() {
            self.report
                .problem(&target_at, format!("unsupported `anyOf`: {SHAPE}"));
            return None;
        }
        let lowered = self.ty(target, &target_at, hint)?;
        Some(Lowered {
            ty: lowered.ty,
            nullable: true,
        })
    }

    /// An inline object or enum: one type per distinct (hint, schema), so the same inline body
    /// on several paths is one type, and different ones with the same hint get numbered names.
    fn inline_type(&mut self, schema: &'a Value, pointer: &str, hint: &str) -> Option<String> {
        let source = serde_norway::to_string(schema).unwrap_or_default();
        if let Some(name) = self.inline_sources.get(&(hint.to_owned(), source.clone())) {
            return Some(name.clone());
        }
        let name = self.type_names.unique(hint, Case::Pascal);
        let def = self.named(schema, pointer, &name, pointer)?;
        self.inline_sources
            .insert((hint.to_owned(), source), name.clone());
        self.types.insert(name.clone(), def);
        Some(name)
    }

    fn schema_ref_key(&mut self, reference: &Value, pointer: &str) -> Option<String> {
        let text = self.report.string(reference, pointer, "`$ref`")?;
        let Some(key) = text.strip_prefix(SCHEMA_PREFIX) else {
            self.report.problem(pointer, format!("unsupported `$ref` `{text}`: only local references to `{SCHEMA_PREFIX}…` are supported here"));
            return None;
        };
        let key = key.replace("~1", "/").replace("~0", "~");
        // A hashed look-up (the mapping is an IndexMap): documents have thousands of refs.
        let exists = get_map(self.doc, "components")
            .and_then(|c| get(c, "schemas"))
            .and_then(Value::as_mapping)
            .is_some_and(|s| s.contains_key(key.as_str()));
        if !exists {
            self.report
                .problem(pointer, format!("dangling `$ref`: `{text}` is not defined"));
            return None;
        }
        Some(key)
    }

    /// The type a `$ref` to a component schema stands for.
    fn schema_ref(&mut self, reference: &Value, pointer: &str) -> Option<Ty> {
        let key = self.schema_ref_key(reference, pointer)?;
        if let Some(name) = self.component_names.get(&key) {
            return Some(Ty::Named(name.clone()));
        }
        // A primitive or array component is used inline. Guard against a reference loop
        // through such components (which has no Rust representation).
        if !self.in_progress.insert(key.clone()) {
            self.report
                .problem(pointer, format!("reference cycle through `{key}`"));
            return None;
        }
        let schema = get_map(self.doc, "components")
            .and_then(|c| get(c, "schemas"))
            .and_then(Value::as_mapping)
            .map(|s| schemas_get(s, &key))?;
        let lowered = self.ty(
            schema,
            &child("/components/schemas", &key),
            &ident(&key, Case::Pascal),
        );
        self.in_progress.remove(&key);
        lowered.map(|l| l.ty)
    }

    fn paths(&mut self, root: &'a Mapping) -> Vec<Operation> {
        let mut operations = Vec::new();
        let Some(node) = get(root, "paths") else {
            self.report.problem("", "missing `paths`");
            return operations;
        };
        let Some(paths) = self.report.object(node, "/paths", "`paths`") else {
            return operations;
        };
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in self.report.entries(paths, "/paths") {
            let item_at = child("/paths", &path);
            if !path.starts_with('/') {
                self.report
                    .problem(&item_at, format!("path `{path}` must start with `/`"));
            }
            let Some(item_map) = self.report.object(item, &item_at, "a path item") else {
                continue;
            };
            const METHODS: &[&str] = &[
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ];
            let allowed: Vec<&str> = METHODS
                .iter()
                .copied()
                .chain(["summary", "description", "parameters", "servers"])
                .collect();
            self.report
                .only_keys(item_map, &item_at, "a path item", &allowed);
            let shared = get(item_map, "parameters")
                .map(|p| self.parameters(p, &child(&item_at, "parameters")))
                .unwrap_or_default();
            for method in METHODS {
                let Some(op) = get(item_map, method) else {
                    continue;
                };
                let op_at = child(&item_at, method);
                if let Some(operation) = self.operation(op, &op_at, &path, method, &shared) {
                    if let Some(first) = ids.get(&operation.operation_id) {
                        self.report.problem(
                            &child(&op_at, "operationId"),
                            format!(
                                "duplicate operationId `{}` (first used at {first})",
                                operation.operation_id
                            ),
                        );
                        continue;
                    }
                    ids.insert(operation.operation_id.clone(), op_at.clone());
                    operations.push(operation);
                }
            }
        }
        operations
    }

    fn operation(
        &mut self,
        node: &'a Value,
        pointer: &str,
        path: &str,
        method: &str,
        shared: &[(Param, String)],
    ) -> Option<Operation> {
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
                "deprecated",
                "security",
                "servers",
                "x-graph-permissions",
                "x-graph-idempotent",
            ],
        );
        for key in ["summary", "description"] {
            if let Some(n) = get(map, key) {
                self.report
                    .string(n, &child(pointer, key), &format!("`{key}`"));
            }
        }
        if let Some(tags) = get(map, "tags") {
            self.report.strings(tags, &child(pointer, "tags"), "`tags`");
        }
        let operation_id = match get(map, "operationId") {
            Some(id) => self
                .report
                .string(id, &child(pointer, "operationId"), "`operationId`")
                .map(str::to_owned),
            None => {
                self.report.problem(pointer, "missing `operationId`");
                None
            }
        };
        let action = operation_id
            .as_deref()
            .map(|id| id.rsplit(['_', '.']).next().unwrap_or(id).to_owned())
            .unwrap_or_default();
        let hint = ident(&action, Case::Pascal);

        let mut params: Vec<(Param, String)> = shared.to_vec();
        if let Some(p) = get(map, "parameters") {
            for (param, location) in self.parameters(p, &child(pointer, "parameters")) {
                params.retain(|(q, l)| !(q.wire == param.wire && *l == location));
                params.push((param, location));
            }
        }
        // A parameter is a whole segment (`/users/{user-id}`); one inside a segment
        // (`/files/x{name}`) is not supported, and is reported rather than sent raw.
        let mut template: Vec<&str> = Vec::new();
        for segment in path.split('/') {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !name.is_empty() && !name.contains(['{', '}']) => template.push(name),
                _ if segment.contains(['{', '}']) => self.report.problem(pointer, format!("unsupported path segment `{segment}` in `{path}`: a parameter must be a whole segment")),
                _ => {}
            }
        }
        for name in &template {
            if !params.iter().any(|(p, l)| l == "path" && p.wire == *name) {
                self.report.problem(
                    pointer,
                    format!(
                        "path parameter `{{{name}}}` of `{path}` is not declared in `parameters`"
                    ),
                );
            }
        }
        for (param, location) in &params {
            if location == "path" && !template.contains(&param.wire.as_str()) {
                self.report.problem(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in `{path}`",
                        param.wire
                    ),
                );
            }
        }
        let request_body = get(map, "requestBody").and_then(|b| {
            self.request_body(
                b,
                &child(pointer, "requestBody"),
                &format!("{hint}RequestBody"),
            )
        });
        let response = match get(map, "responses") {
            Some(responses) => self.responses(
                responses,
                &child(pointer, "responses"),
                &format!("{hint}Response"),
            ),
            None => {
                self.report.problem(pointer, "missing `responses`");
                None
            }
        };
        let marked_idempotent = get(map, "x-graph-idempotent")
            .and_then(|n| {
                self.report.boolean(
                    n,
                    &child(pointer, "x-graph-idempotent"),
                    "`x-graph-idempotent`",
                )
            })
            .unwrap_or(false);
        let idempotent =
            marked_idempotent || matches!(method, "get" | "head" | "put" | "delete" | "options");
        let permissions = get(map, "x-graph-permissions")
            .map(|p| self.permissions(p, &child(pointer, "x-graph-permissions")))
            .unwrap_or_default();
        // Path parameters are read from the path template by the client emitter; headers are
        // set by the runtime, and Graph uses no cookies.
        let query_params = params
            .into_iter()
            .filter(|(_, location)| location == "query")
            .map(|(param, _)| param)
            .collect();
        Some(Operation {
            name: ident(&action, Case::Snake),
            operation_id: operation_id?,
            method: method.to_uppercase(),
            path: path.to_owned(),
            summary: get(map, "summary")
                .and_then(Value::as_str)
                .map(str::to_owned),
            description: get(map, "description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            query_params,
            request_body,
            response,
            permissions,
            idempotent,
        })
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

    /// Parameters with their location (`path`, `query`, `header`, `cookie`).
    fn parameters(&mut self, node: &'a Value, pointer: &str) -> Vec<(Param, String)> {
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
            .filter_map(|(i, item)| self.parameter(item, &child(pointer, &i.to_string())))
            .collect()
    }

    fn parameter(&mut self, node: &'a Value, pointer: &str) -> Option<(Param, String)> {
        let (node, pointer) = self.follow(node, pointer, "#/components/parameters/")?;
        let map = self.report.object(node, &pointer, "a parameter")?;
        self.report.only_keys(
            map,
            &pointer,
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
        let wire = match get(map, "name") {
            Some(n) => self
                .report
                .string(n, &child(&pointer, "name"), "`name`")?
                .to_owned(),
            None => {
                self.report.problem(&pointer, "a parameter needs a `name`");
                return None;
            }
        };
        let location = match get(map, "in").and_then(Value::as_str) {
            Some(l @ ("path" | "query" | "header" | "cookie")) => l.to_owned(),
            Some(other) => {
                self.report.problem(
                    &child(&pointer, "in"),
                    format!("unknown parameter location `{other}`"),
                );
                return None;
            }
            None => {
                self.report
                    .problem(&pointer, format!("parameter `{wire}` needs `in`"));
                return None;
            }
        };
        let required = get(map, "required")
            .and_then(|r| {
                self.report
                    .boolean(r, &child(&pointer, "required"), "`required`")
            })
            .unwrap_or(false);
        if location == "path" && !required {
            self.report.problem(
                &pointer,
                format!("path parameter `{wire}` must have `required: true`"),
            );
        }
        let ty = match get(map, "schema") {
            Some(schema) => {
                self.ty(
                    schema,
                    &child(&pointer, "schema"),
                    &ident(&wire, Case::Pascal),
                )?
                .ty
            }
            None => {
                self.report
                    .problem(&pointer, format!("parameter `{wire}` needs a `schema`"));
                return None;
            }
        };
        if let Some(examples) = get(map, "examples") {
            self.examples(examples, &child(&pointer, "examples"));
        }
        let param = Param {
            name: ident(&wire, Case::Snake),
            wire,
            ty,
            required,
            description: get(map, "description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        Some((param, location))
    }

    fn request_body(&mut self, node: &'a Value, pointer: &str, hint: &str) -> Option<Body> {
        let (node, pointer) = self.follow(node, pointer, "#/components/requestBodies/")?;
        let map = self.report.object(node, &pointer, "a request body")?;
        self.report.only_keys(
            map,
            &pointer,
            "a request body",
            &["description", "content", "required"],
        );
        let required = get(map, "required")
            .and_then(|r| {
                self.report
                    .boolean(r, &child(&pointer, "required"), "`required`")
            })
            .unwrap_or(false);
        let Some(content) = get(map, "content") else {
            self.report
                .problem(&pointer, "a request body needs `content`");
            return None;
        };
        let ty = self.content(content, &child(&pointer, "content"), hint)?;
        Some(Body { ty, required })
    }

    /// The type of the first 2xx response with a JSON body.
    fn responses(&mut self, node: &'a Value, pointer: &str, hint: &str) -> Option<Body> {
        let map = self.report.object(node, pointer, "`responses`")?;
        let mut success = None;
        for (code, response) in self.report.entries(map, pointer) {
            let at = child(pointer, &code);
            let valid = code == "default" || is_status_key(&code);
            if !valid && !code.starts_with("x-") {
                self.report.problem(
                    &at,
                    format!("`{code}` is not a status code, a range like `2XX`, or `default`"),
                );
                continue;
            }
            let ty = self.response(response, &at, hint);
            if code.starts_with('2') && success.is_none() {
                success = ty;
            }
        }
        success.map(|ty| Body { ty, required: true })
    }

    fn response(&mut self, node: &'a Value, pointer: &str, hint: &str) -> Option<Ty> {
        let (node, pointer) = self.follow(node, pointer, "#/components/responses/")?;
        let map = self.report.object(node, &pointer, "a response")?;
        self.report.only_keys(
            map,
            &pointer,
            "a response",
            &["description", "content", "headers", "links"],
        );
        if get(map, "description").is_none() {
            self.report
                .problem(&pointer, "a response needs a `description`");
        }
        let content = get(map, "content")?;
        self.content(content, &child(&pointer, "content"), hint)
    }

    /// A `content` map; only JSON media types carry a typed body.
    fn content(&mut self, node: &'a Value, pointer: &str, hint: &str) -> Option<Ty> {
        let map = self.report.object(node, pointer, "`content`")?;
        let mut ty = None;
        for (media, media_node) in self.report.entries(map, pointer) {
            let at = child(pointer, &media);
            let Some(media_map) = self.report.object(media_node, &at, "a media type") else {
                continue;
            };
            self.report.only_keys(
                media_map,
                &at,
                "a media type",
                &["schema", "examples", "example", "encoding"],
            );
            if let Some(examples) = get(media_map, "examples") {
                self.examples(examples, &child(&at, "examples"));
            }
            let is_json = media == "application/json"
                || media.ends_with("+json")
                || media.starts_with("application/json;");
            if !is_json {
                self.report.problem(
                    &at,
                    format!("unsupported media type `{media}`: only JSON bodies are generated"),
                );
                continue;
            }
            if let Some(schema) = get(media_map, "schema")
                && let Some(lowered) = self.ty(schema, &child(&at, "schema"), hint)
            {
                ty.get_or_insert(lowered.ty);
            }
        }
        ty
    }

    fn examples(&mut self, node: &'a Value, pointer: &str) {
        let Some(map) = self.report.object(node, pointer, "`examples`") else {
            return;
        };
        for (name, example) in self.report.entries(map, pointer) {
            self.example(example, &child(pointer, &name));
        }
    }

    fn example(&mut self, node: &'a Value, pointer: &str) {
        let Some((node, pointer)) = self.follow(node, pointer, "#/components/examples/") else {
            return;
        };
        let Some(map) = self.report.object(node, &pointer, "an example") else {
            return;
        };
        self.report.only_keys(
            map,
            &pointer,
            "an example",
            &["summary", "description", "value", "externalValue"],
        );
        if get(map, "value").is_some() && get(map, "externalValue").is_some() {
            self.report.problem(
                &pointer,
                "an example has either `value` or `externalValue`, not both",
            );
        }
        if let Some(external) = get(map, "externalValue") {
            let at = child(&pointer, "externalValue");
            if let (Some(file), Some(dir)) = (
                self.report.string(external, &at, "`externalValue`"),
                self.base_dir,
            ) && !file.contains("://")
                && !dir.join(file).is_file()
            {
                self.report.problem(
                    &at,
                    format!("example file `{file}` does not exist next to the document"),
                );
            }
        }
    }

    /// Follows a `$ref` to a component of the given section; other nodes pass through.
    fn follow(
        &mut self,
        node: &'a Value,
        pointer: &str,
        section: &str,
    ) -> Option<(&'a Value, String)> {
        let Some(reference) = node.get("$ref") else {
            return Some((node, pointer.to_owned()));
        };
        let at = child(pointer, "$ref");
        let text = self.report.string(reference, &at, "`$ref`")?;
        if let Some(map) = node.as_mapping() {
            self.report.only_keys(
                map,
                pointer,
                "a reference",
                &["$ref", "description", "summary"],
            );
        }
        if !text.starts_with(section) {
            self.report.problem(
                &at,
                format!(
                    "`$ref` `{text}` must point into `{}`",
                    section.trim_end_matches('/')
                ),
            );
            return None;
        }
        match resolve(self.doc, text) {
            Some(target) => Some((target, text.trim_start_matches('#').to_owned())),
            None => {
                self.report
                    .problem(&at, format!("dangling `$ref`: `{text}` is not defined"));
                None
            }
        }
    }

    /// `Eq` and `Hash` hold unless a float is reachable through fields, items, map values and
    /// referenced types (a fixpoint, so recursive types settle); `Default` needs no required
    /// property.
    fn decide_derives(&mut self) {
        let mut has_float: BTreeSet<String> = BTreeSet::new();
        loop {
            let before = has_float.len();
            for (name, def) in &self.types {
                if let TypeDef::Struct(s) = def {
                    let extra = match &s.additional {
                        Additional::Typed(t) => Some(t),
                        _ => None,
                    };
                    if s.fields
                        .iter()
                        .map(|f| &f.ty)
                        .chain(extra)
                        .any(|t| ty_has_float(t, &has_float))
                    {
                        has_float.insert(name.clone());
                    }
                }
            }
            if has_float.len() == before {
                break;
            }
        }
        for (name, def) in self.types.iter_mut() {
            if let TypeDef::Struct(s) = def {
                let exact = !has_float.contains(name);
                s.derives = Derives {
                    eq: exact,
                    hash: exact,
                    default: s.fields.iter().all(|f| !f.required),
                };
            }
        }
    }

    /// A field whose type contains its own struct without indirection (directly or through
    /// other structs) is boxed, or the type would have infinite size.
    fn mark_recursive_fields(&mut self) {
        let direct: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .filter_map(|(name, def)| match def {
                TypeDef::Struct(s) => Some((
                    name.clone(),
                    s.fields
                        .iter()
                        .filter_map(|f| match &f.ty {
                            Ty::Named(n) => Some(n.clone()),
                            _ => None,
                        })
                        .collect(),
                )),
                TypeDef::Enum(_) => None,
            })
            .collect();
        let reaches = |from: &str, to: &str| {
            let mut stack = vec![from.to_owned()];
            let mut seen = BTreeSet::new();
            while let Some(next) = stack.pop() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.extend(direct.get(&next).into_iter().flatten().cloned());
                }
            }
            false
        };
        for (name, def) in self.types.iter_mut() {
            if let TypeDef::Struct(s) = def {
                for field in &mut s.fields {
                    if let Ty::Named(target) = &field.ty {
                        field.boxed = reaches(target, name);
                    }
                }
            }
        }
    }
}

fn ty_has_float(ty: &Ty, floats: &BTreeSet<String>) -> bool {
    match ty {
        Ty::F32 | Ty::F64 => true,
        Ty::Array(t) | Ty::Map(t) | Ty::Option(t) => ty_has_float(t, floats),
        Ty::Named(n) => floats.contains(n),
        _ => false,
    }
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

/// An array item or map value: `Option<T>` when it may be `null`.
fn nullable_item(lowered: Lowered) -> Ty {
    if lowered.nullable {
        Ty::Option(Box::new(lowered.ty))
    } else {
        lowered.ty
    }
}

fn get<'m>(map: &'m Mapping, key: &str) -> Option<&'m Value> {
    map.get(key)
}

fn get_map<'m>(node: &'m Value, key: &str) -> Option<&'m Mapping> {
    node.get(key).and_then(Value::as_mapping)
}

fn schemas_get<'m>(schemas: &'m Mapping, key: &str) -> &'m Value {
    schemas.get(key).unwrap_or(&Value::Null)
}

fn description(map: &Mapping) -> Option<String> {
    get(map, "description")
        .and_then(Value::as_str)
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
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

/// Whether a component schema becomes a named type (an object or enum) rather than being
/// inlined where it is used (a primitive or an array).
fn becomes_type(schema: &Value) -> bool {
    let Some(map) = schema.as_mapping() else {
        return false;
    };
    let has = |k: &str| map.get(k).is_some();
    if has("$ref") || has("anyOf") {
        return false;
    }
    if has("enum") || has("x-graph-known-values") || has("allOf") || has("properties") {
        return true;
    }
    match map.get("type").and_then(Value::as_str) {
        Some("object") => {
            !matches!(map.get("additionalProperties"), Some(Value::Mapping(m)) if !is_graph_open_object(m))
        }
        None => has("additionalProperties"),
        _ => false,
    }
}
