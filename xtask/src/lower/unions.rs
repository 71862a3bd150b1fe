//! `oneOf` and `anyOf` → unions, tagged through `discriminator` or untagged; and Graph's
//! `@odata.type` polymorphism: a base whose `discriminator.mapping` names its derived types
//! gets a union of them, used wherever the base is referenced (but as an `allOf` base).
//! Which alternative a value decodes as is the runtime's rule (`openapi_models_runtime::union`);
//! this file states the facts: the alternatives in order, their names, their tags.

use super::Lowering;
use super::naming;
use crate::model::{Derives, Ty, TypeDef, UnionDef, UnionVariant};
use crate::names::{Case, Scope, ident};
use crate::openapi::{Discriminator, JsonType, Reference, Scalar, Schema};

/// A schema that is a union: `oneOf`, or `anyOf` other than Kiota's nullable wrapper, with
/// nothing beside it that makes it an object (then the alternatives are not enforced, see
/// [`Lowering::union_not_enforced`]).
pub(super) fn is_union(schema: &Schema) -> bool {
    schema.union_parts().is_some()
        && schema.reference.is_none()
        && schema.properties.is_none()
        && schema.all_of.is_none()
        && schema.enumeration.is_none()
}

/// The discriminator that makes an object a polymorphic base: its own, or (as Graph writes
/// its derived types) that of an inline `allOf` part; only one with a `mapping`.
pub(super) fn polymorphic_discriminator(schema: &Schema) -> Option<&Discriminator> {
    if is_union(schema) || schema.enumeration.is_some() {
        return None;
    }
    let parts = schema
        .all_of
        .iter()
        .flatten()
        .filter(|p| p.reference.is_none());
    std::iter::once(schema)
        .chain(parts)
        .filter_map(|s| s.discriminator.as_ref())
        .find(|d| !d.mapping.is_empty())
}

/// A union's alternatives other than those that only admit `null`, and whether there was
/// such an alternative (the union is then nullable).
pub(super) fn alternatives(schema: &Schema) -> (Vec<&Schema>, bool) {
    let parts = schema.union_parts().unwrap_or_default();
    let kept: Vec<&Schema> = parts.iter().filter(|p| !p.is_null_only()).collect();
    let nullable = kept.len() < parts.len();
    (kept, nullable)
}

impl Lowering<'_> {
    /// A `oneOf` / `anyOf` beside properties or `allOf` describes the same object in more
    /// than one way; the object is generated from its properties and the alternatives are
    /// not checked (they are usually `required` variations).
    pub(super) fn union_not_enforced(&mut self, schema: &Schema) {
        if schema.union_parts().is_some() && !is_union(schema) && schema.reference.is_none() {
            let key = if schema.one_of.is_some() {
                "oneOf"
            } else {
                "anyOf"
            };
            self.report.warning(
                &crate::document::child(&schema.pointer, key),
                format!("`{key}` beside `properties`, `allOf` or `enum` is not enforced: the value decodes by those alone"),
            );
        }
    }

    /// The union a `oneOf` / `anyOf` schema becomes.
    pub(super) fn union(&mut self, schema: &Schema, name: &str, origin: &str) -> UnionDef {
        let (parts, _) = alternatives(schema);
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let discriminator = schema.discriminator.as_ref();
        let mut mapping: Vec<(String, Reference)> =
            discriminator.map(|d| d.mapping.clone()).unwrap_or_default();
        for part in parts {
            let variant_name = scope.unique(&self.variant_hint(part), Case::Pascal);
            let target = part.reference.as_ref().or(part.single_reference());
            let mut tags = Vec::new();
            let ty = match (discriminator, target) {
                (Some(_), Some(reference)) => {
                    let Some(key) = self.schema_ref_key(reference) else {
                        continue;
                    };
                    // The explicit tags, else the component's name (OpenAPI's implicit tag).
                    mapping.retain(|(tag, r)| {
                        let same = r.key.as_deref() == Some(key.as_str());
                        if same {
                            tags.push(tag.clone());
                        }
                        !same
                    });
                    if tags.is_empty() {
                        tags.push(key.clone());
                    }
                    match self.names.component(&key) {
                        // The struct itself, not the union of its own derived types: the tag
                        // names exactly this type.
                        Some(struct_name) => Ty::Named(struct_name.to_owned()),
                        None => match self.schema_ref(reference) {
                            Some(lowered) if lowered.nullable => Ty::Option(Box::new(lowered.ty)),
                            Some(lowered) => lowered.ty,
                            None => continue,
                        },
                    }
                }
                _ => {
                    if discriminator.is_some() {
                        self.report.warning(
                            &part.pointer,
                            "an inline alternative has no tag to be chosen by: a value reaches it only through the catch-all, as sent",
                        );
                    }
                    let hint = format!("{name}{variant_name}");
                    let Some(lowered) = self.ty(part, &hint) else {
                        continue;
                    };
                    if lowered.nullable {
                        Ty::Option(Box::new(lowered.ty))
                    } else {
                        lowered.ty
                    }
                }
            };
            variants.push(UnionVariant {
                name: variant_name,
                ty,
                tags,
                boxed: false,
            });
        }
        // Mapping entries that name a schema outside the alternatives are alternatives too.
        for (tag, reference) in mapping {
            self.mapped_variant(&mut variants, &mut scope, tag, &reference);
        }
        UnionDef {
            name: name.to_owned(),
            origin: origin.to_owned(),
            description: schema.description.clone(),
            title: schema.title.clone(),
            variants,
            tag: discriminator.map(|d| d.property.clone()),
            default: None,
            other: scope.unique("Other", Case::Pascal),
            any_of: schema.one_of.is_none(),
            derives: Derives::default(),
            used_by: Vec::new(),
        }
    }

    /// Adds the struct a mapping entry names as a tagged variant (or the tag to its variant).
    fn mapped_variant(
        &mut self,
        variants: &mut Vec<UnionVariant>,
        scope: &mut Scope,
        tag: String,
        reference: &Reference,
    ) {
        let Some(key) = self.schema_ref_key(reference) else {
            return;
        };
        let Some(struct_name) = self.names.component(&key).map(str::to_owned) else {
            self.report.warning(
                &reference.pointer,
                format!("mapping target `{key}` is not an object schema: values with tag `{tag}` are kept in the catch-all, as sent"),
            );
            return;
        };
        let ty = Ty::Named(struct_name.clone());
        if let Some(variant) = variants.iter_mut().find(|v| v.ty == ty) {
            variant.tags.push(tag);
            return;
        }
        variants.push(UnionVariant {
            name: scope.unique(&struct_name, Case::Pascal),
            ty,
            tags: vec![tag],
            boxed: false,
        });
    }

    /// Graph's polymorphism: for each component object with a `discriminator.mapping`, a
    /// union of the base struct (its own tag, and any tag it does not map) and the structs
    /// its mapping names. Built once every component is lowered, so the derived types, which
    /// inherit from the base, exist.
    pub(super) fn polymorphic_unions(&mut self) {
        let doc = self.doc;
        let bases: Vec<(String, String)> = self
            .polymorphic
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, name) in bases {
            let Some(Some(schema)) = doc.components.schemas.get(&key) else {
                continue;
            };
            let Some(discriminator) = polymorphic_discriminator(schema) else {
                continue;
            };
            let Some(base) = self.names.component(&key).map(str::to_owned) else {
                continue;
            };
            let mut scope = Scope::default();
            let mut variants = vec![UnionVariant {
                name: scope.unique(&base, Case::Pascal),
                ty: Ty::Named(base.clone()),
                tags: Vec::new(),
                boxed: false,
            }];
            for (tag, reference) in &discriminator.mapping {
                self.mapped_variant(&mut variants, &mut scope, tag.clone(), reference);
            }
            let def = UnionDef {
                name: name.clone(),
                origin: key.clone(),
                description: Some(format!(
                    "`{base}` or one of the types derived from it, chosen by `{}` (an unknown or absent value is `{base}`, which keeps the properties it does not name).",
                    discriminator.property
                )),
                title: None,
                variants,
                tag: Some(discriminator.property.clone()),
                default: Some(0),
                other: scope.unique("Other", Case::Pascal),
                any_of: false,
                derives: Derives::default(),
                used_by: Vec::new(),
            };
            self.types.insert(name, TypeDef::Union(def));
        }
    }

    /// The name an alternative's variant asks for: the referenced type's name, the title,
    /// a tag-like property's single value or an object's only property, else its shape.
    fn variant_hint(&self, part: &Schema) -> String {
        if let Some(reference) = part.reference.as_ref().or(part.single_reference())
            && let Some(key) = &reference.key
        {
            return match self.names.component(key) {
                Some(name) => name.to_owned(),
                None => naming::component_hint(key),
            };
        }
        if let Some(title) = &part.title {
            return title.clone();
        }
        if let Some(values) = part.enumeration.as_ref().map(|e| &e.values) {
            return match values.as_slice() {
                [only] => only.name.clone().unwrap_or_else(|| only.wire.to_string()),
                _ => "String".to_owned(),
            };
        }
        if let Some(properties) = &part.properties {
            // serde's internally tagged shape: `{type: {enum: [volume]}, …}` → `Volume`.
            let tag = properties
                .iter()
                .find_map(|(_, p)| match p.enumeration.as_ref() {
                    Some(e) if e.values.len() == 1 => e.values.first().map(|v| v.wire.to_string()),
                    _ => None,
                });
            if let Some(tag) = tag {
                return tag;
            }
            // serde's externally tagged shape: `{Attached: …}` → `Attached`.
            if let [(wire, _)] = properties.as_slice() {
                return ident(wire, Case::Pascal);
            }
            return "Object".to_owned();
        }
        if part.union_parts().is_some() {
            return "Union".to_owned();
        }
        match (part.json_type, part.scalar) {
            (Some(JsonType::Array), _) => "Array".to_owned(),
            (Some(JsonType::Object), _) => "Object".to_owned(),
            (_, Some(Scalar::String)) => "String".to_owned(),
            (_, Some(scalar)) => ident(scalar.rust_name(), Case::Pascal),
            _ => "Value".to_owned(),
        }
    }
}
