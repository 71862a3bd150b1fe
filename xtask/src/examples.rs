//! Every example embedded in a document (`example` and `examples` on schemas, parameters and
//! media types, through `$ref` to `components/examples` and `externalValue` files), each with
//! the generated type that holds it. Standalone output turns the list into a test of the
//! models crate ([`test_files`]): each example is decoded into its type, encoded again, and
//! must come back equal as JSON (issue 9, "Tests").
//!
//! An example that cannot be checked is counted under the reason why (a media type that is
//! not JSON, a position the generator gives no type, any JSON value, …), never dropped
//! silently.
//!
//! The type of a schema position is found from the views and the model: a type the model
//! names for that position (a component, or an inline type by its origin or, when lowering
//! reused one for an identical body, by its schema text), else what lowering makes of a
//! reference, the nullable wrapper, an array, a map or a scalar there. `tests` checks this
//! against every field of every struct lowering made.

use crate::document::{Report, child};
use crate::model::{Model, Ty, TypeDef};
use crate::openapi::{
    AdditionalProperties, Content, Document, JsonType, MediaKind, MediaType, Parameter, RefOr,
    Response, Schema,
};
use serde_norway::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// One example to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Where it is: the JSON pointer of its `example`, or of its entry in `examples`.
    pub pointer: String,
    /// Its type as the models module names it (`Pet`, `Vec<Pet>`, `Option<i64>`).
    pub rust_type: String,
    /// The example as JSON text.
    pub json: String,
}

/// Every example of a document: those to check, in document order and without repeats of the
/// same value for the same type, and how many were skipped for each reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Examples {
    pub checked: Vec<Example>,
    pub skipped: BTreeMap<&'static str, usize>,
    /// Examples equal (value and type) to one listed earlier.
    pub repeated: usize,
}

const NOT_JSON: &str = "a media type that is not JSON";
const NO_TYPE: &str = "no generated type at its position (an `allOf` part, or a body or schema the generator does not type)";
const ANY: &str = "any JSON value (`RawJson`): nothing to check";
const NO_SCHEMA: &str = "a media type without a schema";
const URL: &str = "an `externalValue` URL (not fetched)";
const NOT_JSON_FILE: &str = "an `externalValue` file that is not JSON, or is missing";
const NOT_JSON_VALUE: &str =
    "a YAML value JSON cannot hold (a non-text key, a tag, a non-finite number)";
const NO_VALUE: &str = "an Example Object without `value` or `externalValue`";

/// Collects every example of a parsed document whose model is `model`. `base_dir` is the
/// document's folder, for `externalValue` files.
pub fn collect(doc: &Value, model: &Model, base_dir: Option<&Path>) -> Examples {
    // The views again (reading is cheap next to lowering); their problems were reported when
    // the model was made.
    let document = crate::openapi::read(doc, base_dir, &mut Report::default());
    let types = Types::new(&document, model);
    let mut collector = Collector {
        doc,
        base_dir,
        types: &types,
        out: Examples::default(),
        seen: HashSet::new(),
    };
    walk(&document, &mut collector);
    collector.out
}

struct Collector<'a> {
    doc: &'a Value,
    base_dir: Option<&'a Path>,
    types: &'a Types<'a>,
    out: Examples,
    seen: HashSet<(String, String)>,
}

impl Positions<'_> for Collector<'_> {
    fn schema(&mut self, schema: &Schema) {
        let ty = self.types.of(schema);
        self.examples_at(&schema.pointer, &ty, false);
    }

    fn parameter(&mut self, parameter: &Parameter) {
        let ty = self.types.of(&parameter.schema);
        self.examples_at(&parameter.pointer, &ty, true);
    }

    fn media(&mut self, media: &MediaType) {
        let ty = match (&media.kind, &media.schema) {
            (MediaKind::Json, Some(schema)) => self.types.of(schema),
            (MediaKind::Json, None) => Err(NO_SCHEMA),
            _ => Err(NOT_JSON),
        };
        self.examples_at(&media.pointer, &ty, true);
    }
}

impl Collector<'_> {
    /// The `example` and `examples` of the node at `pointer` (see [`values_at`]).
    fn examples_at(&mut self, pointer: &str, ty: &Result<Ty, &'static str>, objects: bool) {
        values_at(
            self.doc,
            self.base_dir,
            pointer,
            objects,
            |at, json| match json {
                Ok(json) => self.push(at, ty, json),
                Err(reason) => self.skip(reason),
            },
        );
    }

    fn push(&mut self, pointer: String, ty: &Result<Ty, &'static str>, json: String) {
        let ty = match ty {
            Ok(Ty::Any) => return self.skip(ANY),
            Ok(Ty::Option(inner)) if **inner == Ty::Any => return self.skip(ANY),
            Ok(ty) => ty,
            Err(reason) => return self.skip(reason),
        };
        let rust_type = crate::emit_models::ty_text(ty);
        if !self.seen.insert((rust_type.clone(), json.clone())) {
            self.out.repeated += 1;
            return;
        }
        self.out.checked.push(Example {
            pointer,
            rust_type,
            json,
        });
    }

    fn skip(&mut self, reason: &'static str) {
        *self.out.skipped.entry(reason).or_default() += 1;
    }
}

/// The example values documented at `pointer` (a schema, parameter or media type), in
/// document order: its `example`, then each of its `examples`, given to `each` with its own
/// pointer as JSON text, or with the reason it cannot be used. On a parameter or media type
/// (`objects`), `examples` is a map of Example Objects (inline, a `$ref` to
/// `components/examples`, or an `externalValue` file in `base_dir`); on a schema (OpenAPI
/// 3.1), an array of values.
fn values_at(
    doc: &Value,
    base_dir: Option<&Path>,
    pointer: &str,
    objects: bool,
    mut each: impl FnMut(String, Result<String, &'static str>),
) {
    let Some(node) = at(doc, pointer) else {
        return;
    };
    if let Some(value) = node.get("example") {
        each(child(pointer, "example"), json_text(value));
    }
    match node.get("examples") {
        Some(Value::Mapping(map)) if objects => {
            for (name, example) in map {
                let Some(name) = crate::document::key_text(name) else {
                    continue;
                };
                let at = child(&child(pointer, "examples"), &name);
                if let Some(json) = example_object(doc, base_dir, example) {
                    each(at, json);
                }
            }
        }
        Some(Value::Sequence(items)) if !objects => {
            for (i, value) in items.iter().enumerate() {
                each(
                    child(&child(pointer, "examples"), &i.to_string()),
                    json_text(value),
                );
            }
        }
        _ => {}
    }
}

/// The value of an Example Object, or of the one a `$ref` to `components/examples` names, as
/// JSON text; `None` for a dangling reference (reported when the document is read).
fn example_object(
    doc: &Value,
    base_dir: Option<&Path>,
    node: &Value,
) -> Option<Result<String, &'static str>> {
    let target = match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => at(doc, reference.strip_prefix('#')?)?,
        None => node,
    };
    if let Some(value) = target.get("value") {
        return Some(json_text(value));
    }
    let Some(file) = target.get("externalValue").and_then(Value::as_str) else {
        return Some(Err(NO_VALUE));
    };
    if file.contains("://") {
        return Some(Err(URL));
    }
    let text = base_dir.and_then(|dir| std::fs::read_to_string(dir.join(file)).ok());
    Some(
        text.and_then(|t| serde_json::from_str::<Box<serde_json::value::RawValue>>(&t).ok())
            .map(|json| json.get().to_owned())
            .ok_or(NOT_JSON_FILE),
    )
}

fn json_text(value: &Value) -> Result<String, &'static str> {
    serde_json::to_string(value).map_err(|_| NOT_JSON_VALUE)
}

/// The documented examples of each operation's request body (the media type lowering chose,
/// [`crate::model::Operation::request_media`]), as JSON text in document order, those that
/// cannot be used left out: what the client's doc examples fill the body with.
pub fn attach_request_examples(doc: &Value, base_dir: Option<&Path>, model: &mut Model) {
    for operation in &mut model.operations {
        let Some(pointer) = &operation.request_media else {
            continue;
        };
        let mut found = Vec::new();
        values_at(doc, base_dir, pointer, true, |_, json| {
            found.extend(json.ok())
        });
        operation.request_examples = found;
    }
}

/// The node at a JSON pointer.
fn at<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut node = root;
    for part in pointer.split('/').skip(1) {
        let key = part.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Mapping(map) => map
                .iter()
                .find(|(k, _)| crate::document::key_text(k).as_deref() == Some(&key))
                .map(|(_, v)| v)?,
            Value::Sequence(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The generated type at each schema position.
struct Types<'a> {
    document: &'a Document,
    /// Types by the pointer of the schema they were made from (components and inline types).
    by_pointer: HashMap<String, &'a str>,
    /// Inline types by their schema's text, for a body lowering reused for an identical one.
    by_source: HashMap<&'a str, &'a str>,
    /// A polymorphic base's union (`AnyDirectoryObject`), by the base's pointer: what a
    /// `$ref` to the base stands for.
    polymorphic: HashMap<String, &'a str>,
}

impl<'a> Types<'a> {
    fn new(document: &'a Document, model: &'a Model) -> Self {
        let mut by_pointer = HashMap::new();
        let mut polymorphic = HashMap::new();
        for def in model.types.values() {
            let (name, origin) = match def {
                TypeDef::Struct(s) => (s.name.as_str(), s.origin.as_str()),
                TypeDef::Enum(e) => (e.name.as_str(), e.origin.as_str()),
                TypeDef::Union(u) => (u.name.as_str(), u.origin.as_str()),
            };
            let pointer = if origin.starts_with('/') {
                origin.to_owned()
            } else {
                child("/components/schemas", origin)
            };
            // A union made for a component key (not a pointer) is a polymorphic base's: the
            // component itself stays its struct.
            if matches!(def, TypeDef::Union(_)) && !origin.starts_with('/') {
                polymorphic.insert(pointer, name);
            } else {
                by_pointer.insert(pointer, name);
            }
        }
        /// The schema text of every inline type, by its origin pointer.
        struct Sources<'m, 'n>(&'m HashMap<String, &'n str>, Vec<(&'n str, &'n str)>);
        impl<'n> Positions<'n> for Sources<'_, 'n> {
            fn schema(&mut self, schema: &'n Schema) {
                if !schema.source.is_empty()
                    && let Some(name) = self.0.get(&schema.pointer)
                {
                    self.1.push((schema.source.as_str(), *name));
                }
            }
        }
        let mut sources = Sources(&by_pointer, Vec::new());
        walk(document, &mut sources);
        let mut by_source = HashMap::new();
        for (source, name) in sources.1 {
            by_source.entry(source).or_insert(name);
        }
        Types {
            document,
            by_pointer,
            by_source,
            polymorphic,
        }
    }

    /// The type an example at this schema has: nullable positions take `null` too.
    fn of(&self, schema: &Schema) -> Result<Ty, &'static str> {
        let (ty, nullable) = self.lowered(schema, 0)?;
        Ok(if nullable && !matches!(ty, Ty::Option(_)) {
            Ty::Option(Box::new(ty))
        } else {
            ty
        })
    }

    /// What lowering makes of a schema position, and whether it is nullable.
    fn lowered(&self, schema: &Schema, depth: usize) -> Result<(Ty, bool), &'static str> {
        if depth > 64 {
            return Err(NO_TYPE); // a reference loop, reported when lowering
        }
        if let Some(name) = self.by_pointer.get(&schema.pointer) {
            // A union with an alternative that only admits `null` is nullable too.
            let null_alternative = schema
                .union_parts()
                .is_some_and(|parts| parts.iter().any(Schema::is_null_only));
            return Ok((
                flags_or_named(schema, name),
                schema.nullable || null_alternative,
            ));
        }
        if let Some(reference) = &schema.reference {
            let key = reference.key.as_deref().ok_or(NO_TYPE)?;
            if let Some(name) = self.polymorphic.get(&child("/components/schemas", key)) {
                return Ok((Ty::Named((*name).to_owned()), schema.nullable));
            }
            let target = self
                .document
                .components
                .schemas
                .get(key)
                .flatten()
                .ok_or(NO_TYPE)?;
            // Nullable if the reference says so or its target does.
            let (ty, nullable) = self.lowered(target, depth + 1)?;
            return Ok((ty, schema.nullable || nullable));
        }
        // `allOf: [X]` (usually to document a reference) is X.
        if let Some([part]) = schema.all_of.as_deref()
            && schema.properties.is_none()
            && (part.reference.is_some() || !part.is_object_like())
        {
            let (ty, nullable) = self.lowered(part, depth + 1)?;
            return Ok((ty, nullable || schema.nullable));
        }
        if let Some(target) = schema.nullable_wrapper() {
            return Ok((self.lowered(target, depth + 1)?.0, true));
        }
        if let Some(parts) = schema.union_parts() {
            // One alternative beside those that only admit `null` (Kiota's nullable wrapper,
            // `oneOf: [X, {type: 'null'}]`) is that alternative, nullable; a real union made a
            // type at this pointer (found above).
            let kept: Vec<&Schema> = parts
                .iter()
                .filter(|p| !p.null_placeholder && !p.is_null_only())
                .collect();
            let nullable = kept.len() < parts.len() || schema.nullable;
            return match kept.as_slice() {
                [one] => {
                    let (ty, inner) = self.lowered(one, depth + 1)?;
                    Ok((ty, nullable || inner))
                }
                _ => Err(NO_TYPE),
            };
        }
        if schema.is_type_shaped() {
            let name = self.by_source.get(schema.source.as_str()).ok_or(NO_TYPE)?;
            return Ok((flags_or_named(schema, name), schema.nullable));
        }
        let item = |inner: &Schema| -> Result<Ty, &'static str> {
            let (ty, nullable) = self.lowered(inner, depth + 1)?;
            Ok(if nullable {
                Ty::Option(Box::new(ty))
            } else {
                ty
            })
        };
        let ty = match schema.json_type {
            // JSON Schema: an array without `items` holds any values.
            Some(JsonType::Array) => Ty::Array(Box::new(match schema.items.as_deref() {
                Some(items) => item(items)?,
                None => Ty::Any,
            })),
            Some(JsonType::Object) | None => match &schema.additional {
                Some(AdditionalProperties::Schema(values)) => Ty::Map(Box::new(item(values)?)),
                _ => Ty::Any,
            },
            _ => crate::lower::scalar_ty(schema.scalar.ok_or(NO_TYPE)?),
        };
        Ok((ty, schema.nullable))
    }
}

/// The type of a position holding the enum or struct `name`: for an `x-ms-enum-flags` enum, a
/// set of its members (as lowering decides it).
fn flags_or_named(schema: &Schema, name: &str) -> Ty {
    match &schema.enumeration {
        Some(e) if e.flags => Ty::Flags(Box::new(Ty::Named(name.to_owned()))),
        _ => Ty::Named(name.to_owned()),
    }
}

/// The positions examples can be at: every schema (nested ones included), parameter and media
/// type of a document, each met once where it is defined (not through references).
trait Positions<'d> {
    fn schema(&mut self, schema: &'d Schema);
    fn parameter(&mut self, _parameter: &'d Parameter) {}
    fn media(&mut self, _media: &'d MediaType) {}
}

/// Meets every position of the document, in document order.
fn walk<'d>(document: &'d Document, visit: &mut dyn Positions<'d>) {
    let components = &document.components;
    for (_, schema) in components.schemas.iter() {
        if let Some(schema) = schema {
            schema_tree(schema, visit);
        }
    }
    for (_, parameter) in components.parameters.iter() {
        if let Some(parameter) = parameter {
            walk_parameter(parameter, visit);
        }
    }
    for (_, body) in components.request_bodies.iter() {
        if let Some(body) = body {
            walk_content(&body.content, visit);
        }
    }
    for (_, response) in components.responses.iter() {
        if let Some(content) = response.and_then(|r| r.content.as_ref()) {
            walk_content(content, visit);
        }
    }
    for item in &document.paths {
        let parameters = item
            .parameters
            .iter()
            .chain(item.operations.iter().flat_map(|o| &o.parameters));
        for parameter in parameters {
            if let RefOr::Item(parameter) = parameter {
                walk_parameter(parameter, visit);
            }
        }
        for operation in &item.operations {
            if let Some(RefOr::Item(body)) = &operation.request_body {
                walk_content(&body.content, visit);
            }
            for (_, response) in &operation.responses {
                if let RefOr::Item(Response {
                    content: Some(content),
                    ..
                }) = response
                {
                    walk_content(content, visit);
                }
            }
        }
    }
}

fn walk_parameter<'d>(parameter: &'d Parameter, visit: &mut dyn Positions<'d>) {
    schema_tree(&parameter.schema, visit);
    visit.parameter(parameter);
}

fn walk_content<'d>(content: &'d Content, visit: &mut dyn Positions<'d>) {
    for media in &content.media {
        if let Some(schema) = &media.schema {
            schema_tree(schema, visit);
        }
        visit.media(media);
    }
}

fn schema_tree<'d>(schema: &'d Schema, visit: &mut dyn Positions<'d>) {
    visit.schema(schema);
    for part in schema.all_of.iter().chain(&schema.any_of).flatten() {
        schema_tree(part, visit);
    }
    for (_, property) in schema.properties.iter().flatten() {
        schema_tree(property, visit);
    }
    if let Some(items) = &schema.items {
        schema_tree(items, visit);
    }
    if let Some(AdditionalProperties::Schema(values)) = &schema.additional {
        schema_tree(values, visit);
    }
}

/// The models crate's test of its examples: `tests/examples.rs`, one dispatch arm per type,
/// and its data, `tests/examples.json` (every example with its pointer and type, read when
/// the test runs, so even thousands of examples add little to the build). `None` when there is
/// nothing to check.
pub fn test_files(
    examples: &Examples,
    models_crate: &str,
    schema_label: &str,
) -> Option<Result<(String, String), syn::Error>> {
    if examples.checked.is_empty() {
        return None;
    }
    Some(test_source(examples, models_crate, schema_label).map(|rs| (rs, data(examples))))
}

fn test_source(
    examples: &Examples,
    models_crate: &str,
    schema_label: &str,
) -> Result<String, syn::Error> {
    use quote::quote;
    let types: std::collections::BTreeSet<&str> = examples
        .checked
        .iter()
        .map(|e| e.rust_type.as_str())
        .collect();
    let arms = types
        .iter()
        .map(|name| {
            let ty: syn::Type = syn::parse_str(name)?;
            Ok(quote! { #name => check::<#ty>(json), })
        })
        .collect::<Result<Vec<_>, syn::Error>>()?;
    let mut summary = format!(
        " Every example embedded in the document ({} to check, of {} types), decoded into its\n generated type and encoded again: it must come back equal as JSON.",
        examples.checked.len(),
        types.len()
    );
    if examples.repeated > 0 {
        summary.push_str(&format!(
            "\n\n {} more repeat one of these (same value, same type).",
            examples.repeated
        ));
    }
    if !examples.skipped.is_empty() {
        summary.push_str("\n\n Not checked:");
        for (reason, n) in &examples.skipped {
            summary.push_str(&format!("\n - {n}: {reason}"));
        }
    }
    let models = syn::Ident::new(models_crate, proc_macro2::Span::call_site());
    let doc_lines = summary.lines().map(|line| quote! { #![doc = #line] });
    let items = [
        quote! {
            #(#doc_lines)*
            use #models::*;
        },
        quote! {
        #[test]
        fn examples_round_trip() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/examples.json");
            let text = std::fs::read_to_string(path).expect("tests/examples.json is readable");
            let examples: Vec<(String, String, Box<serde_json::value::RawValue>)> =
                serde_json::from_str(&text).expect("tests/examples.json lists examples");
            let failures: Vec<String> = examples
                .iter()
                .filter_map(|(pointer, rust_type, json)| {
                    let error = round_trip(rust_type, json.get()).err()?;
                    Some(format!("round-trip failure: {pointer} ({rust_type}): {error}"))
                })
                .collect();
            assert!(
                failures.is_empty(),
                "{} of {} examples do not round-trip:\n{}",
                failures.len(),
                examples.len(),
                failures.join("\n")
            );
        }
        },
        quote! {
        /// Checks one example as the type its data names.
        fn round_trip(rust_type: &str, json: &str) -> Result<(), String> {
            match rust_type {
                #(#arms)*
                other => Err(format!("no type `{other}` in this crate")),
            }
        }
        },
        quote! {
        /// Decodes `json` as a `T`, encodes it again, and compares the two as JSON values.
        fn check<T: graph_models_runtime::serde::de::DeserializeOwned + graph_models_runtime::serde::Serialize>(json: &str) -> Result<(), String> {
            let value: T = from_str(json).map_err(|e| e.to_string())?;
            let again = serde_json::to_value(&value).map_err(|e| e.to_string())?;
            let sent: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
            match difference(&sent, &again, String::new()) {
                None => Ok(()),
                Some(at) => Err(format!("decodes, but encodes differently at `{at}`")),
            }
        }
        },
        quote! {
        /// The JSON pointer of the first place where `sent` and `again` differ.
        fn difference(sent: &serde_json::Value, again: &serde_json::Value, at: String) -> Option<String> {
            use serde_json::Value::{Array, Object};
            match (sent, again) {
                (Object(a), Object(b)) => a
                    .iter()
                    .find_map(|(key, value)| match b.get(key) {
                        Some(other) => difference(value, other, format!("{at}/{key}")),
                        None => Some(format!("{at}/{key} (dropped)")),
                    })
                    .or_else(|| {
                        let added = b.keys().find(|key| !a.contains_key(*key))?;
                        Some(format!("{at}/{added} (added)"))
                    }),
                (Array(a), Array(b)) if a.len() == b.len() => a
                    .iter()
                    .zip(b)
                    .enumerate()
                    .find_map(|(i, (x, y))| difference(x, y, format!("{at}/{i}"))),
                _ if sent == again => None,
                (serde_json::Value::Number(a), serde_json::Value::Number(b))
                    if same_integer(a, b) || same_integer(b, a) => None,
                _ => Some(if at.is_empty() { "/".to_owned() } else { at }),
            }
        }
        },
        quote! {
        /// An integer and a float of exactly its value: a `number` property is an `f64`, which
        /// keeps the value `2` and writes it as `2.0`. Only exact integers below 2^53 count, so
        /// a value the float lost (`1e-400` read as `0.0`) is still a difference.
        fn same_integer(int: &serde_json::Number, float: &serde_json::Number) -> bool {
            match (int.as_i64(), float.as_f64()) {
                (Some(i), Some(f)) if float.is_f64() => {
                    f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 && f as i64 == i
                }
                _ => false,
            }
        }
        },
    ];
    let mut out = crate::write::header("//", schema_label);
    for item in items {
        out.push('\n');
        out.push_str(&crate::write::format_item(item)?);
    }
    Ok(out)
}

/// `[pointer, type, value]` per example, one a line.
fn data(examples: &Examples) -> String {
    let mut out = String::from("[\n");
    for (i, example) in examples.checked.iter().enumerate() {
        let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
        out.push_str(&format!(
            "[{}, {}, {}]{}\n",
            quoted(&example.pointer),
            quoted(&example.rust_type),
            example.json,
            if i + 1 < examples.checked.len() {
                ","
            } else {
                ""
            }
        ));
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every schema view by its pointer.
    struct ByPointer<'d>(HashMap<String, &'d Schema>);
    impl<'d> Positions<'d> for ByPointer<'d> {
        fn schema(&mut self, schema: &'d Schema) {
            self.0.insert(schema.pointer.clone(), schema);
        }
    }

    /// The type this module finds for each property agrees with the field lowering made of
    /// it, in every valid fixture and every real-world document that lowers.
    #[test]
    fn property_types_agree_with_lowering() {
        let root = crate::workspace_root();
        let mut documents = Vec::new();
        for folder in ["tests/fixtures/valid", "tests/fixtures/real-world"] {
            for entry in std::fs::read_dir(root.join(folder))
                .expect("fixtures")
                .flatten()
            {
                let path = entry.path();
                if path.extension().is_some_and(|e| e != "md") && path.is_file() {
                    documents.push(path);
                }
            }
        }
        let mut compared = 0;
        for path in documents {
            let text = std::fs::read_to_string(&path).expect("readable");
            let Ok(doc) = crate::document::parse(&text) else {
                continue;
            };
            let Ok(model) = crate::lower::lower(&doc, path.parent()) else {
                continue;
            };
            let document = crate::openapi::read(&doc, path.parent(), &mut Report::default());
            let types = Types::new(&document, &model);
            let mut views = ByPointer(HashMap::new());
            walk(&document, &mut views);
            for def in model.types.values() {
                let TypeDef::Struct(s) = def else { continue };
                let origin = if s.origin.starts_with('/') {
                    s.origin.clone()
                } else {
                    child("/components/schemas", &s.origin)
                };
                for field in &s.fields {
                    let candidates = std::iter::once(origin.clone())
                        .chain((0..8).map(|i| child(&child(&origin, "allOf"), &i.to_string())));
                    let Some(view) = candidates
                        .map(|at| child(&child(&at, "properties"), &field.wire))
                        .find_map(|at| views.0.get(&at))
                    else {
                        continue; // inherited from a component base: checked there
                    };
                    assert_eq!(
                        types.lowered(view, 0),
                        Ok((field.ty.clone(), field.nullable)),
                        "{}: {}",
                        path.display(),
                        view.pointer
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 300, "only {compared} properties compared");
    }
}
