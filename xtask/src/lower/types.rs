//! Schemas → types: component and inline objects become structs (with `allOf` parts merged
//! in, a property several parts define merged by [`super::merge`]), `enum` and `x-graph-known-values` become open enums, `oneOf` / `anyOf` unions (see
//! [`super::unions`]), scalars, arrays and maps become [`Ty`]s, Kiota's `anyOf` wrapper makes
//! a reference nullable, and `allOf: [X]` is X (unless X is an inline object).

use super::naming::{self, FieldNames};
use super::{Lowering, unions};
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
    if schema.reference.is_some()
        || schema.single_part().is_some()
        || schema.nullable_wrapper().is_some()
    {
        return false;
    }
    if unions::is_union(schema) {
        // One alternative beside `null` is that alternative, nullable.
        return unions::alternatives(schema).0.len() > 1;
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
    pub(super) fn component(&mut self, key: &str) {
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
        // The component's own position is its type (a polymorphic base's struct, not the
        // union a reference to it stands for).
        let nullable =
            schema.nullable || (unions::is_union(schema) && unions::alternatives(schema).1);
        self.positions.insert(
            schema.pointer.clone(),
            (flags_or_named(schema, name.clone()), nullable),
        );
        self.types.insert(name, def);
    }

    /// A schema that becomes a type of its own (object or enum) with the given name.
    fn named(&mut self, schema: &Schema, name: &str, origin: &str) -> TypeDef {
        if unions::is_union(schema) {
            return TypeDef::Union(self.union(schema, name, origin));
        }
        self.union_not_enforced(schema);
        match &schema.enumeration {
            Some(enumeration) => {
                let (variants, other) = naming::variants(&enumeration.values);
                TypeDef::Enum(EnumDef {
                    name: name.to_owned(),
                    origin: origin.to_owned(),
                    description: schema.description.clone(),
                    title: schema.title.clone(),
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
            title: schema.title.clone(),
            fields: Vec::new(),
            additional: Additional::Any,
            derives: Derives::default(),
            used_by: Vec::new(),
        };
        let mut parts = Parts::default();
        for part in schema.all_of.iter().flatten() {
            self.merge_part(part, name, &mut def, &mut parts);
        }
        self.own_properties(schema, name, &mut def, &mut parts);
        if def.description.is_none() {
            def.description = parts.base_description.take();
        }
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

    /// Merges one `allOf` part into `def`: a base's fields (inherited first), or an inline
    /// part's properties (and its own `allOf` parts, however deep). A part that is not an
    /// object is not merged, with a warning.
    fn merge_part(&mut self, part: &Schema, name: &str, def: &mut StructDef, parts: &mut Parts) {
        if let Some(reference) = part.reference.as_ref().or(part.single_reference()) {
            let Some(base) = self.base_struct(reference) else {
                return;
            };
            for field in base.fields {
                if let Some(i) = def.fields.iter().position(|f| f.wire == field.wire) {
                    // Inherited twice (a diamond: the same field), or defined by another part.
                    let mut merged = def.fields[i].clone();
                    self.merge_field(&mut merged, field, &reference.pointer);
                    def.fields[i] = merged;
                    continue;
                }
                parts.names.take(&field.name);
                parts.declared.insert(field.wire.clone());
                def.fields.push(field);
            }
            def.additional = base.additional;
            // A base's description describes the base: the heir's own parts' come first.
            parts.base_description = parts.base_description.take().or(base.description);
            return;
        }
        if !part.is_object_like() {
            self.report.warning(
                &part.pointer,
                "an `allOf` part that is not an object is not merged: the object decodes by its other parts, and this part's type is not enforced",
            );
            return;
        }
        if def.description.is_none() {
            def.description = part.description.clone();
        }
        for inner in part.all_of.iter().flatten() {
            self.merge_part(inner, name, def, parts);
        }
        self.own_properties(part, name, def, parts);
    }

    /// The fields of an `allOf` base, lowering it first if needed. A base that is not an
    /// object (a string, an enum, a union) is not merged, with a warning.
    fn base_struct(&mut self, reference: &Reference) -> Option<StructDef> {
        let key = self.alias_target(reference)?;
        if self.in_progress.contains(&key) {
            self.report.problem(
                &reference.pointer,
                format!("inheritance cycle: `{key}` inherits from itself through `allOf`"),
            );
            return None;
        }
        let not_merged = format!(
            "`allOf` base `{key}` is not an object schema: it is not merged, and the object decodes by its other parts"
        );
        let Some(name) = self.names.component(&key).map(str::to_owned) else {
            self.report.warning(&reference.pointer, not_merged);
            return None;
        };
        self.component(&key);
        match self.types.get(&name) {
            Some(TypeDef::Struct(base)) => Some(base.clone()),
            Some(_) => {
                self.report.warning(&reference.pointer, not_merged);
                None
            }
            None => None,
        }
    }

    /// The component a reference names, through components that are only `allOf: [{$ref}]`
    /// (a documented reference), so a base given that way is still a base.
    fn alias_target(&mut self, reference: &Reference) -> Option<String> {
        let mut key = self.schema_ref_key(reference)?;
        let mut seen = BTreeSet::new();
        while let Some(Some(schema)) = self.doc.components.schemas.get(&key) {
            let Some(next) = schema.single_reference() else {
                break;
            };
            if !seen.insert(key.clone()) {
                self.report.problem(
                    &reference.pointer,
                    format!("reference cycle through `{key}`"),
                );
                return None;
            }
            key = self.schema_ref_key(next)?;
        }
        Some(key)
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
            let earlier = def.fields.iter().position(|f| f.wire == *wire);
            parts.declared.insert(wire.clone());
            let Some(lowered) = self.ty(property, &naming::property_hint(name, wire)) else {
                continue;
            };
            let field = Field {
                name: String::new(),
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
            };
            if let Some(i) = earlier {
                // Redefined by a later `allOf` part: one field, of the type both allow.
                let mut merged = def.fields[i].clone();
                self.merge_field(&mut merged, field, &property.pointer);
                def.fields[i] = merged;
                continue;
            }
            def.fields.push(Field {
                name: parts.names.field(wire),
                ..field
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
    /// become types named from `hint`. The type is recorded at the schema's pointer, where
    /// its examples find it.
    pub(super) fn ty(&mut self, schema: &Schema, hint: &str) -> Option<Lowered> {
        let lowered = self.position(schema, hint)?;
        self.positions.insert(
            schema.pointer.clone(),
            (lowered.ty.clone(), lowered.nullable),
        );
        Some(lowered)
    }

    fn position(&mut self, schema: &Schema, hint: &str) -> Option<Lowered> {
        if let Some(reference) = &schema.reference {
            // Nullable if the reference says so (`nullable: true` beside it) or its target does.
            let target = self.schema_ref(reference)?;
            return Some(Lowered {
                ty: target.ty,
                nullable: schema.nullable || target.nullable,
            });
        }
        if let Some(part) = schema.single_part() {
            self.union_not_enforced(schema);
            let lowered = self.ty(part, hint)?;
            return Some(Lowered {
                ty: lowered.ty,
                nullable: schema.nullable || lowered.nullable,
            });
        }
        if let Some(target) = schema.nullable_wrapper() {
            let lowered = self.ty(target, hint)?;
            return Some(Lowered {
                ty: lowered.ty,
                nullable: true,
            });
        }
        if unions::is_union(schema) {
            let (alternatives, nullable) = unions::alternatives(schema);
            let nullable = nullable || schema.nullable;
            if let [only] = alternatives.as_slice() {
                let lowered = self.ty(only, hint)?;
                return Some(Lowered {
                    ty: lowered.ty,
                    nullable: nullable || lowered.nullable,
                });
            }
            let name = self.inline_type(schema, hint);
            return Some(Lowered {
                ty: Ty::Named(name),
                nullable,
            });
        }
        let nullable = schema.nullable;
        self.union_not_enforced(schema);
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
            _ => scalar_ty(schema.scalar?),
        };
        Some(Lowered { ty, nullable })
    }

    /// An inline object or enum: one type per distinct (hint, schema), so the same inline body
    /// on several paths is one type, and different ones with the same hint get numbered names.
    pub(super) fn inline_type(&mut self, schema: &Schema, hint: &str) -> String {
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
    pub(super) fn schema_ref_key(&mut self, reference: &Reference) -> Option<String> {
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
    /// nullable (`nullable: true`, a `null` type or enum member, a union with a `null`
    /// alternative). A polymorphic base stands for its union.
    pub(super) fn schema_ref(&mut self, reference: &Reference) -> Option<Lowered> {
        let key = self.schema_ref_key(reference)?;
        let doc = self.doc;
        let nullable = doc
            .components
            .schemas
            .get(&key)
            .flatten()
            .is_some_and(|s| s.nullable || (unions::is_union(s) && unions::alternatives(s).1));
        if let Some(name) = self.polymorphic.get(&key) {
            return Some(Lowered {
                ty: Ty::Named(name.clone()),
                nullable,
            });
        }
        if let Some(name) = self.names.component(&key) {
            let schema = doc.components.schemas.get(&key).flatten();
            return Some(Lowered {
                ty: match schema {
                    Some(schema) => flags_or_named(schema, name.to_owned()),
                    None => Ty::Named(name.to_owned()),
                },
                nullable,
            });
        }
        // A scalar, array or map component is used inline. Guard against a reference loop
        // through such components (which has no Rust representation), reported once.
        if self.cyclic.contains(&key) {
            return None;
        }
        if !self.in_progress.insert(key.clone()) {
            self.report.problem(
                &reference.pointer,
                format!("reference cycle through `{key}`"),
            );
            let looped = self
                .in_progress
                .iter()
                .filter(|k| self.names.component(k).is_none());
            self.cyclic.extend(looped.cloned().collect::<Vec<_>>());
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
    /// The first base's description: the type's own when none of its own parts has one.
    base_description: Option<String>,
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

/// The Rust type of a scalar. `format: float` is held as f64 too: an f32 would turn 1e39 into
/// infinity (written back as `null`) and 16777217 into 16777216.
fn scalar_ty(scalar: Scalar) -> Ty {
    match scalar {
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
        Scalar::F32 | Scalar::F64 => Ty::F64,
    }
}
