//! Whole-model analyses, run once every type and operation is lowered: which fields must be
//! boxed (recursion), which traits each struct can derive (through every type it holds), and
//! which operations use each type (reachability).

use crate::model::{Additional, Derives, Operation, Ty, TypeDef};
use std::collections::{BTreeMap, BTreeSet};

/// A field whose type contains its own struct without indirection (directly or through
/// other structs) is boxed, or the type would have infinite size. Arrays and maps are
/// indirection already.
pub fn mark_recursive_fields(types: &mut BTreeMap<String, TypeDef>) {
    let direct: BTreeMap<String, Vec<String>> = types
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
    for (name, def) in types.iter_mut() {
        if let TypeDef::Struct(s) = def {
            for field in &mut s.fields {
                if let Ty::Named(target) = &field.ty {
                    field.boxed = reaches(target, name);
                }
            }
        }
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
            if let TypeDef::Struct(s) = def
                && !has_float.contains(name)
                && held_types(s).any(|t| ty_has_float(t, &has_float))
            {
                has_float.insert(name.clone());
            }
        }
        if has_float.len() == before {
            break;
        }
    }
    for (name, def) in types.iter_mut() {
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

/// Records in each type the operations that use it: through a parameter, the request
/// body or the 2XX response, directly or through the types those hold. Listed in operation
/// order.
pub fn record_users(types: &mut BTreeMap<String, TypeDef>, operations: &[Operation]) {
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
                    if let Some(TypeDef::Struct(s)) = types.get(name) {
                        stack.extend(held_types(s));
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
        }
    }
}

/// The types a struct's values hold: its fields' and its typed extension values'.
fn held_types(s: &crate::model::StructDef) -> impl Iterator<Item = &Ty> {
    let extra = match &s.additional {
        Additional::Typed(t) => Some(t),
        _ => None,
    };
    s.fields.iter().map(|f| &f.ty).chain(extra)
}

fn ty_has_float(ty: &Ty, floats: &BTreeSet<String>) -> bool {
    match ty {
        Ty::F64 => true,
        Ty::Array(t) | Ty::Map(t) | Ty::Option(t) => ty_has_float(t, floats),
        Ty::Named(n) => floats.contains(n),
        _ => false,
    }
}
