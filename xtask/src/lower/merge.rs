//! A property that several `allOf` parts define is one field, of the most specific type every
//! definition allows (their intersection, as `allOf` means): a paged base's `items: {}` or
//! `items: {type: array, items: {}}` redefined as an array of `Thing` is `Vec<Thing>`; the same
//! type twice is that type; a `number` redefined as an `integer` is the integer. `null` is a
//! value only if every definition allows it (any JSON value does). The field is required if
//! any part requires it, and its docs are those of the more specific definition (the other's
//! when it has none). Only definitions that no value satisfies both (a `string` and an
//! `integer`) are a warning, and then the earlier definition is kept.

use super::Lowering;
use crate::emit_models::ty_text;
use crate::model::{Field, Ty};

/// The most specific type that both `a` and `b` allow, or `None` if no value is both.
pub(super) fn intersect(a: &Ty, b: &Ty) -> Option<Ty> {
    if a == b {
        return Some(a.clone());
    }
    Some(match (a, b) {
        (Ty::Any, other) | (other, Ty::Any) => other.clone(),
        (Ty::Array(x), Ty::Array(y)) => Ty::Array(Box::new(intersect(x, y)?)),
        (Ty::Map(x), Ty::Map(y)) => Ty::Map(Box::new(intersect(x, y)?)),
        (Ty::Option(x), Ty::Option(y)) => Ty::Option(Box::new(intersect(x, y)?)),
        // `null` or a value, and a value: that value.
        (Ty::Option(x), other) | (other, Ty::Option(x)) => intersect(x, other)?,
        // A number that is an integer is the integer.
        (Ty::F64, int) | (int, Ty::F64) if int.integer().is_some() => int.clone(),
        // A string with a format is more specific than a string.
        (Ty::String, t @ (Ty::Timestamp | Ty::Duration))
        | (t @ (Ty::Timestamp | Ty::Duration), Ty::String) => t.clone(),
        // Two integer formats: the one whose range is within the other's, else the earlier
        // (any integer both allow decodes as either, so this is not a conflict).
        (x, y) if x.integer().is_some() && y.integer().is_some() => {
            if within(y, x) {
                y.clone()
            } else {
                x.clone()
            }
        }
        _ => return None,
    })
}

/// Whether every value of integer type `inner` is a value of integer type `outer`.
fn within(inner: &Ty, outer: &Ty) -> bool {
    let (a, b) = (range(inner), range(outer));
    b.0 <= a.0 && a.1 <= b.1
}

fn range(ty: &Ty) -> (i128, i128) {
    match ty {
        Ty::I8 => (i8::MIN.into(), i8::MAX.into()),
        Ty::I16 => (i16::MIN.into(), i16::MAX.into()),
        Ty::I32 => (i32::MIN.into(), i32::MAX.into()),
        Ty::U8 => (0, u8::MAX.into()),
        Ty::U16 => (0, u16::MAX.into()),
        Ty::U32 => (0, u32::MAX.into()),
        Ty::U64 => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// Whether `null` is a value of a field: nullable, or any JSON value.
fn admits_null(field: &Field) -> bool {
    field.nullable || field.ty == Ty::Any
}

impl Lowering<'_> {
    /// Merges `later`, another `allOf` part's definition of `earlier`'s property (at
    /// `pointer`), into `earlier`.
    pub(super) fn merge_field(&mut self, earlier: &mut Field, later: Field, pointer: &str) {
        let Some(ty) = intersect(&earlier.ty, &later.ty) else {
            self.report.warning(
                pointer,
                format!(
                    "property `{}` is defined by an earlier `allOf` part as `{}` and here as `{}`, which no value can be both: the earlier definition (`{}`) is kept",
                    earlier.wire,
                    ty_text(&earlier.ty),
                    ty_text(&later.ty),
                    ty_text(&earlier.ty),
                ),
            );
            earlier.required |= later.required;
            return;
        };
        let nullable = if ty == Ty::Any {
            earlier.nullable && later.nullable
        } else {
            admits_null(earlier) && admits_null(&later)
        };
        // The later definition is the more specific one when the merge is it and not the
        // earlier; otherwise the earlier's docs stay, the later's filling what it lacks.
        let later_wins = (ty == later.ty && nullable == later.nullable)
            && !(ty == earlier.ty && nullable == earlier.nullable);
        let (first, second) = if later_wins {
            (later.clone(), earlier.clone())
        } else {
            (earlier.clone(), later.clone())
        };
        earlier.ty = ty;
        earlier.nullable = nullable;
        earlier.required |= later.required;
        earlier.read_only = first.read_only;
        earlier.write_only = first.write_only;
        earlier.description = first.description.or(second.description);
        earlier.default = first.default.or(second.default);
        earlier.max_items = first.max_items.or(second.max_items);
    }
}
