//! Values made from the schema alone, for a body no example documents.

use super::{Json, MAX_DEPTH};
use crate::model::{EnumKind, Model, Ty, TypeDef, Wire};

/// A value of `ty` made from the schema alone, for a body no example documents: required
/// properties only, an enum's first listed value, a string naming its property (`name`), a
/// format's canonical sample, one item for an array or a map.
pub fn sample(model: &Model, ty: &Ty, name: &str) -> Json {
    sample_at(model, ty, name, 0)
}

fn sample_at(model: &Model, ty: &Ty, name: &str, depth: usize) -> Json {
    let number = |n: i64| Json::Number(n.into());
    match ty {
        Ty::String => Json::String(name.to_owned()),
        Ty::Bool => Json::Bool(true),
        Ty::F64 => number(1),
        Ty::Timestamp => Json::String("2025-01-01T00:00:00Z".to_owned()),
        Ty::Duration => Json::String("PT1H".to_owned()),
        Ty::Any => Json::Object(Vec::new()),
        Ty::Array(item) => Json::Array(vec![sample_at(model, item, name, depth + 1)]),
        Ty::Map(value) => Json::Object(vec![(
            "key".to_owned(),
            sample_at(model, value, name, depth + 1),
        )]),
        Ty::Option(inner) | Ty::Flags(inner) => sample_at(model, inner, name, depth),
        Ty::Named(type_name) => match model.types.get(type_name) {
            Some(TypeDef::Struct(def)) if depth < MAX_DEPTH => Json::Object(
                def.constructor_args()
                    .map(|f| (f.wire.clone(), sample_at(model, &f.ty, &f.wire, depth + 1)))
                    .collect(),
            ),
            Some(TypeDef::Enum(def)) => match (def.kind, def.variants.first().map(|v| &v.wire)) {
                (_, Some(Wire::String(s))) => Json::String(s.clone()),
                (_, Some(Wire::Integer(i))) => number(*i),
                (EnumKind::String, None) => Json::String(name.to_owned()),
                (EnumKind::Integer, None) => number(0),
            },
            Some(TypeDef::Union(def)) if depth < MAX_DEPTH => {
                let Some(variant) = def.variants.first() else {
                    return Json::Null;
                };
                let mut value = sample_at(model, &variant.ty, name, depth + 1);
                // A tagged union's value names its variant.
                if let (Some(tag), Some(first), Json::Object(entries)) =
                    (&def.tag, variant.tags.first(), &mut value)
                {
                    entries.retain(|(k, _)| k != tag);
                    entries.insert(0, (tag.clone(), Json::String(first.clone())));
                }
                value
            }
            _ => Json::Object(Vec::new()),
        },
        int => {
            debug_assert!(int.integer().is_some());
            number(1)
        }
    }
}
