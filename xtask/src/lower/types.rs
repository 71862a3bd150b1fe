//! Schemas → types: component and inline objects become structs (with `allOf` bases
//! flattened in), `enum` and `x-graph-known-values` become open enums, scalars, arrays and
//! maps become [`Ty`]s, and Kiota's `anyOf` wrapper makes a reference nullable.

use super::Lowering;
use super::naming::{self, FieldNames};
use crate::model::{self, Additional, Derives, EnumDef, Field, StructDef, Ty, TypeDef};
use crate::openapi::{AdditionalProperties, EnumKind, JsonType, Reference, Scalar, Schema};
use std::collections::BTreeSet;

/// What a schema position lowers to.
pub(super) struct Lowered {
    pub ty: Ty,
    pub nullable: bool,
}

/// Whether a component schema becomes a named type (an object or enum) rather than being
/// inlined where it is used (a scalar, an array or a map).
pub(super) fn becomes_type(schema: &Schema) -> bool {
    if schema.reference.is_some() || schema.any_of.is_some() {
        return false;
    }
    if schema.is_type_shaped() {
        return true;
    }
    match schema.json_type {
        Some(JsonType::Object) => !schema.is_map(),
        None => schema.additional.is_some() && !schema.is_map(),
        _ => false,
    }
}

impl Lowering<'_> {
    /// Every component schema, in document order: types are lowered into `self.types`;
    /// scalars and arrays are lowered once here too, so their problems are found even if
    /// nothing refers to them.
    pub(super) fn component_schemas(&mut self) {
        let doc = self.doc;
        for (key, schema) in doc.components.schemas.iter() {
            let Some(schema) = schema else { continue };
            if self.names.component(key).is_some() {
                self.component(key);
            } else {
                self.ty(schema, &naming::component_hint(key));
            }
        }
    }

    /// Lowers a component schema into `self.types` (once).
    fn component(&mut self, key: &str) {
        if self.lowered_components.contains(key) {
            return;
        }
        let Some(name) = self.names.component(key).map(str::to_owned) else {
            return;
        };
        let Some(Some(schema)) = self.doc.components.schemas.get(key) else {
            return;
        };
        self.in_progress.insert(key.to_owned());
        let def = self.named(schema, &name, key);
        self.in_progress.remove(key);
        self.lowered_components.insert(key.to_owned());
        self.types.insert(name, def);
    }

    /// A schema that becomes a type of its own (object or enum) with the given name.
    fn named(&mut self, schema: &Schema, name: &str, origin: &str) -> TypeDef {
        match &schema.enumeration {
            Some(enumeration) => {
                let (variants, other) = naming::variants(&enumeration.values);
                TypeDef::Enum(EnumDef {
                    name: name.to_owned(),
                    origin: origin.to_owned(),
                    description: schema.description.clone(),
                    variants,
                    other,
                    declared_enum: enumeration.declared,
                    kind: match enumeration.kind {
                        EnumKind::String => model::EnumKind::String,
                        EnumKind::Integer => model::EnumKind::Integer,
                    },
                    flags: enumeration.flags,
                    used_by: Vec::new(),
                })
            }
            None => TypeDef::Struct(self.structure(schema, name, origin)),
        }
    }

    fn structure(&mut self, schema: &Schema, name: &str, origin: &str) -> StructDef {
        let mut def = StructDef {
            name: name.to_owned(),
            origin: origin.to_owned(),
            description: schema.description.clone(),
            fields: Vec::new(),
            additional: Additional::Any,
            derives: Derives::default(),
            used_by: Vec::new(),
        };
        let mut parts = Parts::default();
        for part in schema.all_of.iter().flatten() {
            match &part.reference {
                Some(reference) => {
                    let Some(base) = self.base_struct(reference) else {
                        continue;
                    };
                    for field in base.fields {
                        parts.names.take(&field.name);
                        parts.declared.insert(field.wire.clone());
                        def.fields.push(field);
                    }
                    def.additional = base.additional;
                    if def.description.is_none() {
                        def.description = base.description;
                    }
                }
                None => {
                    if def.description.is_none() {
                        def.description = part.description.clone();
                    }
                    self.own_properties(part, name, &mut def, &mut parts);
                }
            }
        }
        self.own_properties(schema, name, &mut def, &mut parts);
        for (wire, at) in parts.required {
            match def.fields.iter_mut().find(|f| f.wire == wire) {
                Some(field) => field.required = true,
                None if parts.declared.contains(&wire) => {} // its schema's problem is reported
                None => {
                    // Required, so it is on the wire; with no schema, any JSON value.
                    self.report.warning(
                        &at,
                        format!("required property `{wire}` is not defined in `properties`: it is a required field holding any JSON value (`RawJson`)"),
                    );
                    def.fields.push(Field {
                        name: parts.names.field(&wire),
                        wire: wire.clone(),
                        ty: Ty::Any,
                        required: true,
                        nullable: false,
                        boxed: false,
                        read_only: false,
                        write_only: false,
                        default: None,
                        description: None,
                        max_items: None,
                    });
                    parts.declared.insert(wire);
                }
            }
        }
        def
    }

    /// The fields of an `allOf` base, lowering it first if needed.
    fn base_struct(&mut self, reference: &Reference) -> Option<StructDef> {
        let key = self.schema_ref_key(reference)?;
        if self.in_progress.contains(&key) {
            self.report.problem(
                &reference.pointer,
                format!("inheritance cycle: `{key}` inherits from itself through `allOf`"),
            );
            return None;
        }
        let Some(name) = self.names.component(&key).map(str::to_owned) else {
            self.report.problem(
                &reference.pointer,
                format!("`allOf` base `{key}` is not an object schema"),
            );
            return None;
        };
        self.component(&key);
        match self.types.get(&name) {
            Some(TypeDef::Struct(base)) => Some(base.clone()),
            Some(TypeDef::Enum(_)) => {
                self.report.problem(
                    &reference.pointer,
                    format!("`allOf` base `{key}` is an enum, not an object schema"),
                );
                None
            }
            None => None,
        }
    }

    /// Adds a schema's own properties, `required` names and `additionalProperties` to `def`.
    fn own_properties(
        &mut self,
        schema: &Schema,
        name: &str,
        def: &mut StructDef,
        parts: &mut Parts,
    ) {
        parts.required.extend(schema.required.iter().cloned());
        for (wire, property) in schema.properties.iter().flatten() {
            if def.fields.iter().any(|f| f.wire == *wire) {
                self.report.problem(
                    &property.pointer,
                    format!("property `{wire}` is already defined by an `allOf` base"),
                );
                continue;
            }
            parts.declared.insert(wire.clone());
            let Some(lowered) = self.ty(property, &naming::property_hint(name, wire)) else {
                continue;
            };
            def.fields.push(Field {
                name: parts.names.field(wire),
                wire: wire.clone(),
                ty: lowered.ty,
                required: false,
                nullable: lowered.nullable,
                boxed: false,
                read_only: property.read_only,
                write_only: property.write_only,
                default: property.default.clone(),
                description: property_docs(property),
                max_items: property.max_items,
            });
        }
        match &schema.additional {
            None => {}
            Some(AdditionalProperties::Any) => def.additional = Additional::Any,
            Some(AdditionalProperties::Deny) => def.additional = Additional::Deny,
            Some(AdditionalProperties::Schema(values)) => {
                def.additional = match self.ty(values, &naming::value_hint(name)) {
                    Some(lowered) => Additional::Typed(nullable_item(lowered)),
                    None => Additional::Any,
                }
            }
        }
    }

    /// Lowers a schema in a property (or item, or body) position. Inline objects and enums
    /// become types named from `hint`.
    pub(super) fn ty(&mut self, schema: &Schema, hint: &str) -> Option<Lowered> {
        if let Some(reference) = &schema.reference {
            // Nullable if the reference says so (`nullable: true` beside it) or its target does.
            let target = self.schema_ref(reference)?;
            return Some(Lowered {
                ty: target.ty,
                nullable: schema.nullable || target.nullable,
            });
        }
        if let Some(parts) = &schema.any_of {
            return self.nullable_wrapper(parts, schema, hint);
        }
        let nullable = schema.nullable;
        if schema.is_type_shaped() {
            // `x-ms-enum`'s name names an inline enum (the same name and schema on several
            // properties is one type).
            let hint = match schema.enumeration.as_ref().and_then(|e| e.name.as_deref()) {
                Some(name) => naming::component_hint(name),
                None => hint.to_owned(),
            };
            let name = self.inline_type(schema, &hint);
            return Some(Lowered {
                ty: flags_or_named(schema, name),
                nullable,
            });
        }
        let ty = match schema.json_type {
            Some(JsonType::Array) => match schema.items.as_deref() {
                Some(items) => {
                    let item = self.ty(items, &naming::item_hint(hint))?;
                    Ty::Array(Box::new(nullable_item(item)))
                }
                // JSON Schema: an array without `items` holds any values.
                None => Ty::Array(Box::new(Ty::Any)),
            },
            Some(JsonType::Object) | None => match &schema.additional {
                Some(AdditionalProperties::Schema(values)) => {
                    let value = self.ty(values, &naming::value_hint(hint))?;
                    Ty::Map(Box::new(nullable_item(value)))
                }
                _ => Ty::Any,
            },
            // A scalar; `None` if its type or format is unknown (reported when read).
            _ => match schema.scalar? {
                Scalar::String => Ty::String,
                Scalar::Timestamp => Ty::Timestamp,
                Scalar::Duration => Ty::Duration,
                Scalar::Bool => Ty::Bool,
                Scalar::I8 => Ty::I8,
                Scalar::I16 => Ty::I16,
                Scalar::I32 => Ty::I32,
                Scalar::I64 => Ty::I64,
                Scalar::U8 => Ty::U8,
                Scalar::U16 => Ty::U16,
                Scalar::U32 => Ty::U32,
                Scalar::U64 => Ty::U64,
                // `format: float` is held as f64 too: an f32 would turn 1e39 into infinity
                // (written back as `null`) and 16777217 into 16777216.
                Scalar::F32 | Scalar::F64 => Ty::F64,
            },
        };
        Some(Lowered { ty, nullable })
    }

    /// Graph's (Kiota flavour) nullable reference: `anyOf: [{$ref}, {type: object, nullable: true}]`.
    fn nullable_wrapper(
        &mut self,
        parts: &[Schema],
        schema: &Schema,
        hint: &str,
    ) -> Option<Lowered> {
        const SHAPE: &str = "only the nullable wrapper `anyOf: [{$ref: …}, {type: object, nullable: true}]` is supported";
        let at = format!("{}/anyOf", schema.pointer);
        let [first, second] = parts else {
            self.report.problem(
                &at,
                format!("unsupported `anyOf` with {} entries: {SHAPE}", parts.len()),
            );
            return None;
        };
        let target = match (first.null_placeholder, second.null_placeholder) {
            (false, true) => first,
            (true, false) => second,
            _ => {
                self.report
                    .problem(&at, format!("unsupported `anyOf`: {SHAPE}"));
                return None;
            }
        };
        if target.reference.is_none() {
            self.report
                .problem(&target.pointer, format!("unsupported `anyOf`: {SHAPE}"));
            return None;
        }
        let lowered = self.ty(target, hint)?;
        Some(Lowered {
            ty: lowered.ty,
            nullable: true,
        })
    }

    /// An inline object or enum: one type per distinct (hint, schema), so the same inline body
    /// on several paths is one type, and different ones with the same hint get numbered names.
    fn inline_type(&mut self, schema: &Schema, hint: &str) -> String {
        let key = (hint.to_owned(), schema.source.clone());
        if let Some(name) = self.inline_sources.get(&key) {
            return name.clone();
        }
        let name = self.names.inline(hint);
        let def = self.named(schema, &name, &schema.pointer);
        self.inline_sources.insert(key, name.clone());
        self.types.insert(name.clone(), def);
        name
    }

    /// The key of the component schema a reference names, if it exists.
    fn schema_ref_key(&mut self, reference: &Reference) -> Option<String> {
        let key = reference.key.as_ref()?; // an unsupported reference is reported when read
        if self.doc.components.schemas.get(key).is_none() {
            self.report.problem(
                &reference.pointer,
                format!("dangling `$ref`: `{}` is not defined", reference.text),
            );
            return None;
        }
        Some(key.clone())
    }

    /// The type a `$ref` to a component schema stands for, and whether the component is
    /// nullable (`nullable: true`, a `null` type or enum member).
    fn schema_ref(&mut self, reference: &Reference) -> Option<Lowered> {
        let key = self.schema_ref_key(reference)?;
        let doc = self.doc;
        if let Some(name) = self.names.component(&key) {
            let schema = doc.components.schemas.get(&key).flatten();
            return Some(Lowered {
                ty: match schema {
                    Some(schema) => flags_or_named(schema, name.to_owned()),
                    None => Ty::Named(name.to_owned()),
                },
                nullable: schema.is_some_and(|s| s.nullable),
            });
        }
        // A scalar, array or map component is used inline. Guard against a reference loop
        // through such components (which has no Rust representation).
        if !self.in_progress.insert(key.clone()) {
            self.report.problem(
                &reference.pointer,
                format!("reference cycle through `{key}`"),
            );
            return None;
        }
        let schema = doc.components.schemas.get(&key).flatten();
        let lowered = schema.and_then(|s| self.ty(s, &naming::component_hint(&key)));
        self.in_progress.remove(&key);
        lowered
    }
}

/// What the parts of an object (its `allOf` entries and itself) add up to while it is built.
#[derive(Default)]
struct Parts {
    names: FieldNames,
    /// Every `required` name, with its pointer.
    required: Vec<(String, String)>,
    /// Every property name, including those whose schema had a problem, so that a bad
    /// property is reported once rather than again as an undefined required one.
    declared: BTreeSet<String>,
}

/// A property's description, then what its notes add (an unknown format, listed values).
fn property_docs(property: &Schema) -> Option<String> {
    let parts: Vec<&str> = property
        .description
        .iter()
        .chain(&property.notes)
        .map(String::as_str)
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The type a position holding the enum or struct `name` has: the enum itself, or for an
/// `x-ms-enum-flags` enum a set of its members.
fn flags_or_named(schema: &Schema, name: String) -> Ty {
    match &schema.enumeration {
        Some(e) if e.flags => Ty::Flags(Box::new(Ty::Named(name))),
        _ => Ty::Named(name),
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
