//! Whole-model analyses, run once every type and operation is lowered: which fields and union
//! variants must be boxed (recursion), which traits each struct and union can derive (through
//! every type it holds), and which operations use each type (reachability).

use crate::model::{Additional, Derives, Operation, Ty, TypeDef};
use std::collections::{BTreeMap, BTreeSet};

/// A field or union variant whose type contains its own type without indirection (directly
/// or through other structs and unions) is boxed, or the type would have infinite size.
/// Arrays and maps are indirection already; `Option` is not.
pub fn mark_recursive_fields(types: &mut BTreeMap<String, TypeDef>) {
    let direct: BTreeMap<String, Vec<String>> = types
        .iter()
        .map(|(name, def)| {
            let held = held_types(def).filter_map(direct_name).map(str::to_owned);
            (name.clone(), held.collect())
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
    for (name, def) in types.iter_mut() {
        match def {
            TypeDef::Struct(s) => {
                for field in &mut s.fields {
                    if let Some(target) = direct_name(&field.ty) {
                        field.boxed = reaches(target, name);
                    }
                }
            }
            TypeDef::Union(u) => {
                for variant in &mut u.variants {
                    if let Some(target) = direct_name(&variant.ty) {
                        variant.boxed = reaches(target, name);
                    }
                }
            }
            TypeDef::Enum(_) => {}
        }
    }
}

/// The generated type a value of `ty` holds inline (not behind a `Vec` or a map).
fn direct_name(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Named(name) => Some(name),
        Ty::Option(inner) => direct_name(inner),
        _ => None,
    }
}

/// `Eq` and `Hash` hold unless a float is reachable through fields, items, map values and
/// referenced types (a fixpoint, so recursive types settle); inherited fields are flattened
/// into each struct, so inheritance is covered too. `Default` needs no required property.
pub fn decide_derives(types: &mut BTreeMap<String, TypeDef>) {
    let mut has_float: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = has_float.len();
        for (name, def) in types.iter() {
            if !has_float.contains(name) && held_types(def).any(|t| ty_has_float(t, &has_float)) {
                has_float.insert(name.clone());
            }
        }
        if has_float.len() == before {
            break;
        }
    }
    for (name, def) in types.iter_mut() {
        let exact = !has_float.contains(name);
        match def {
            TypeDef::Struct(s) => {
                s.derives = Derives {
                    eq: exact,
                    hash: exact,
                    default: s.fields.iter().all(|f| !f.required),
                }
            }
            TypeDef::Union(u) => {
                u.derives = Derives {
                    eq: exact,
                    hash: exact,
                    default: false,
                }
            }
            TypeDef::Enum(_) => {}
        }
    }
}

/// Records in each type the operations that use it: through a parameter, the request
/// body or the 2XX response, directly or through the types those hold. Listed in operation
/// order.
pub fn record_users<'o>(
    types: &mut BTreeMap<String, TypeDef>,
    operations: impl Iterator<Item = &'o Operation>,
) {
    let mut used_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for operation in operations {
        let mut stack: Vec<&Ty> = operation
            .params
            .iter()
            .map(|p| &p.ty)
            .chain(operation.request_body.iter().map(|b| &b.ty))
            .chain(operation.response.iter().map(|b| &b.ty))
            .collect();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(ty) = stack.pop() {
            match ty {
                Ty::Array(t) | Ty::Map(t) | Ty::Option(t) | Ty::Flags(t) => stack.push(t),
                Ty::Named(name) if seen.insert(name) => {
                    used_by
                        .entry(name.clone())
                        .or_default()
                        .push(operation.operation_id.clone());
                    if let Some(def) = types.get(name) {
                        stack.extend(held_types(def));
                    }
                }
                _ => {}
            }
        }
    }
    for (name, def) in types.iter_mut() {
        let users = used_by.remove(name).unwrap_or_default();
        match def {
            TypeDef::Struct(s) => s.used_by = users,
            TypeDef::Enum(e) => e.used_by = users,
            TypeDef::Union(u) => u.used_by = users,
        }
    }
}

/// The types a type's values hold: a struct's fields and typed extension values, a union's
/// alternatives.
fn held_types(def: &TypeDef) -> Box<dyn Iterator<Item = &Ty> + '_> {
    match def {
        TypeDef::Struct(s) => {
            let extra = match &s.additional {
                Additional::Typed(t) => Some(t),
                _ => None,
            };
            Box::new(s.fields.iter().map(|f| &f.ty).chain(extra))
        }
        TypeDef::Union(u) => Box::new(u.variants.iter().map(|v| &v.ty)),
        TypeDef::Enum(_) => Box::new(std::iter::empty()),
    }
}

fn ty_has_float(ty: &Ty, floats: &BTreeSet<String>) -> bool {
    match ty {
        Ty::F64 => true,
        Ty::Array(t) | Ty::Map(t) | Ty::Option(t) => ty_has_float(t, floats),
        Ty::Named(n) => floats.contains(n),
        _ => false,
    }
}
