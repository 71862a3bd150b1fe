//! The two impls every struct gets (its constructor and setters, and `rt::Record`), written as
//! text in prettyplease's layout rather than quoted, parsed and pretty-printed: their shape
//! is fixed, and parsing their expressions was most of the generator's time on large
//! documents. What comes from the schema reaches this text only as sanitized identifiers,
//! escaped string literals and sanitized doc lines.

use super::{Shape, shape};
use crate::model::*;
use proc_macro2::Literal;
use std::fmt::Write as _;

/// Lines at an indentation depth.
#[derive(Default)]
pub(super) struct Code {
    pub(super) text: String,
    depth: usize,
}

impl Code {
    fn line(&mut self, line: &str) {
        for _ in 0..self.depth {
            self.text.push_str("    ");
        }
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn open(&mut self, line: &str) {
        self.line(line);
        self.depth += 1;
    }

    fn close(&mut self, line: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(line);
    }

    /// `///` lines for text that may hold schema values (see `crate::docs`).
    fn doc(&mut self, text: &str) {
        for line in crate::docs::lines(text) {
            if line.is_empty() {
                self.line("///");
            } else {
                self.line(&format!("/// {line}"));
            }
        }
    }
}

/// A Rust string literal, escaped.
fn literal(text: &str) -> String {
    Literal::string(text).to_string()
}

/// A type as the models module names it (see `rust_ty`).
pub(crate) fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".to_owned(),
        Ty::Bool => "bool".to_owned(),
        Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 => {
            ty.integer().unwrap_or_default().to_owned()
        }
        Ty::F64 => "f64".to_owned(),
        Ty::Timestamp => "Timestamp".to_owned(),
        Ty::Duration => "IsoDuration".to_owned(),
        Ty::Any => "RawJson".to_owned(),
        Ty::Array(item) => format!("Vec<{}>", ty_text(item)),
        Ty::Map(value) => format!("PropertyMap<{}>", ty_text(value)),
        Ty::Option(inner) => format!("Option<{}>", ty_text(inner)),
        Ty::Flags(member) => format!("Flags<{}>", ty_text(member)),
        Ty::Named(name) => name.clone(),
    }
}

/// The value type of a field (boxed if recursive), without the Option/Nullable wrapper.
pub(super) fn value_ty_text(field: &Field) -> String {
    let ty = ty_text(&field.ty);
    if field.boxed {
        format!("Box<{ty}>")
    } else {
        ty
    }
}

/// `new(required…)` plus a setter per optional field, so request bodies can be built without
/// naming every field (and stay source-compatible when the schema adds one).
pub(super) fn constructor(def: &StructDef, extras: Option<&str>, code: &mut Code) {
    let required: Vec<&Field> = def.constructor_args().collect();
    code.open(&format!("impl {} {{", def.name));
    if def.derives.default {
        code.doc("A value with every optional property absent.");
        code.open("pub fn new() -> Self {");
        code.line("Self::default()");
        code.close("}");
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        code.doc(&format!(
            "A value with the required properties ({}) and every optional one absent.",
            names.join(", ")
        ));
        code.line("#[allow(clippy::too_many_arguments)]");
        let params: Vec<String> = required
            .iter()
            .map(|f| match shape(f) {
                Shape::RequiredNullable => format!("{}: Option<{}>", f.name, value_ty_text(f)),
                _ => format!("{}: impl Into<{}>", f.name, value_ty_text(f)),
            })
            .collect();
        code.open(&format!("pub fn new({}) -> Self {{", params.join(", ")));
        code.open("Self {");
        for f in &def.fields {
            code.line(&match shape(f) {
                Shape::Plain => format!("{0}: {0}.into(),", f.name),
                Shape::RequiredNullable => format!("{},", f.name),
                Shape::Optional => format!("{}: None,", f.name),
                Shape::Nullable => format!("{}: Nullable::Absent,", f.name),
            });
        }
        if let Some(e) = extras {
            code.line(&format!("{e}: Default::default(),"));
        }
        code.close("}");
        code.close("}");
    }
    for f in def.setter_fields() {
        code.doc(&format!("Sets `{}`.", f.wire));
        code.open(&format!(
            "pub fn {}(mut self, value: impl Into<{}>) -> Self {{",
            f.setter(),
            value_ty_text(f)
        ));
        code.line(&match shape(f) {
            Shape::Nullable => format!("self.{} = Nullable::Value(value.into());", f.name),
            _ => format!("self.{} = Some(value.into());", f.name),
        });
        code.line("self");
        code.close("}");
    }
    code.close("}");
}

/// The `impl rt::Record`: the type's facts, and the moves between its fields and the slots the
/// runtime's decoding loop fills.
pub(super) fn record(def: &StructDef, extras: Option<&str>, extra_ty: &str, code: &mut Code) {
    code.open(&format!("impl rt::Record for {} {{", def.name));
    code.open("const INFO: &'static rt::RecordInfo = &rt::RecordInfo {");
    code.line(&format!("origin: {},", literal(&def.origin)));
    match &def.description {
        Some(d) => code.line(&format!("description: Some({}),", literal(d))),
        None => code.line("description: None,"),
    }
    code.open("fields: &[");
    for f in &def.fields {
        let ty = value_ty_text(f);
        let ty = if f.nullable {
            format!("Nullable<{ty}>")
        } else {
            ty
        };
        let kind = if f.required { "required" } else { "optional" };
        let mut info = format!("rt::{kind}::<{ty}>({})", literal(&f.wire));
        if f.read_only {
            info.push_str(".read_only()");
        }
        if f.write_only {
            info.push_str(".write_only()");
        }
        if let Some(default) = &f.default {
            let _ = write!(info, ".default({})", literal(default));
        }
        code.line(&format!("{info},"));
    }
    code.close("],");
    code.close("};");
    code.line(&format!("type Extra = {extra_ty};"));
    code.open("fn decode<'de, A: rt::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {");
    let visit = if def.fields.is_empty() {
        "Self::visit(map, |_, _| Ok(true))?".to_owned()
    } else {
        // One slot per field, `Option` or `Nullable` (their types are inferred from the
        // moves), filled by the runtime's loop through `read_slot`.
        if def.fields.len() > 7 * TUPLE_MAX {
            // Clippy scores the slots' nested tuples 10 + 20 per group + 1 per `_`: above
            // 250 (more than 84 fields) it calls the type too complex.
            code.line("#[allow(clippy::type_complexity)]");
        }
        code.line(&format!(
            "let mut s: {} = Default::default();",
            slot_shape(def.fields.len())
        ));
        code.open("let read = |i, map: &mut A| match i {");
        for (i, slot) in slot_paths(def.fields.len()).iter().enumerate() {
            code.line(&format!("{i} => rt::read_slot(map, &mut {slot}),"));
        }
        code.line("_ => Ok(true),");
        code.close("};");
        "Self::visit(map, read)?".to_owned()
    };
    let paths = slot_paths(def.fields.len());
    let moves = def
        .fields
        .iter()
        .zip(&paths)
        .map(|(f, slot)| match shape(f) {
            Shape::Plain | Shape::RequiredNullable => format!(
                "{}: rt::required_value::<A, _>({slot}, {})?,",
                f.name,
                literal(&f.wire)
            ),
            _ => format!("{}: {slot},", f.name),
        });
    match extras {
        // A struct literal evaluates its fields in the order written, so the loop (which
        // fills the slots) runs before the moves out of them.
        Some(e) => {
            code.open("Ok(Self {");
            code.line(&format!("{e}: {visit},"));
        }
        None => {
            code.line(&format!("{visit};"));
            code.open("Ok(Self {");
        }
    }
    for line in moves {
        code.line(&line);
    }
    code.close("})");
    code.close("}");
    // A closed struct without properties writes nothing into the map.
    let map = if def.fields.is_empty() && extras.is_none() {
        "_map"
    } else {
        "map"
    };
    code.open(&format!(
        "fn encode<M: rt::SerializeMap>(&self, {map}: &mut M) -> Result<(), M::Error> {{"
    ));
    for f in &def.fields {
        let write = match shape(f) {
            Shape::Plain | Shape::RequiredNullable => "write_always",
            _ => "write_present",
        };
        code.line(&format!(
            "rt::{write}(map, {}, &self.{})?;",
            literal(&f.wire),
            f.name
        ));
    }
    match extras {
        Some(e) => code.line(&format!("rt::Extra::write(&self.{e}, map)")),
        None => code.line("Ok(())"),
    }
    code.close("}");
    code.close("}");
}

/// Tuples implement `Default` up to 12 elements, so the slots of a larger struct nest: field
/// `i` of 30 lives at `s.(i / 12).(i % 12)`.
const TUPLE_MAX: usize = 12;

/// The place of each field's slot (`s.3`, or `s.1.4` when nested).
fn slot_paths(count: usize) -> Vec<String> {
    let depth = nesting_depth(count);
    (0..count)
        .map(|i| {
            let mut digits = Vec::with_capacity(depth);
            let mut rest = i;
            for _ in 0..depth {
                digits.push(rest % TUPLE_MAX);
                rest /= TUPLE_MAX;
            }
            let mut path = String::from("s");
            for d in digits.iter().rev() {
                let _ = write!(path, ".{d}");
            }
            path
        })
        .collect()
}

/// How many tuple levels `count` slots need.
fn nesting_depth(count: usize) -> usize {
    let mut depth = 1;
    let mut capacity = TUPLE_MAX;
    while capacity < count {
        depth += 1;
        capacity *= TUPLE_MAX;
    }
    depth
}

/// The slots' type with every element inferred: `(_, _, _)`, or nested tuples of at most
/// twelve.
fn slot_shape(count: usize) -> String {
    fn level(count: usize, depth: usize) -> String {
        if depth == 1 {
            // A one-element tuple needs its trailing comma.
            return match count {
                1 => "(_,)".to_owned(),
                n => format!("({})", vec!["_"; n].join(", ")),
            };
        }
        let per_child = TUPLE_MAX.pow(depth as u32 - 1);
        let children: Vec<String> = (0..count.div_ceil(per_child))
            .map(|c| level((count - c * per_child).min(per_child), depth - 1))
            .collect();
        match children.len() {
            1 => format!("({},)", children[0]),
            _ => format!("({})", children.join(", ")),
        }
    }
    level(count, nesting_depth(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_nest_past_twelve() {
        assert_eq!(slot_shape(1), "(_,)");
        assert_eq!(slot_shape(3), "(_, _, _)");
        assert_eq!(slot_paths(3), ["s.0", "s.1", "s.2"]);
        let shape = slot_shape(13);
        assert_eq!(shape, format!("(({}), (_,))", ["_"; 12].join(", ")));
        assert_eq!(slot_paths(13)[12], "s.1.0");
        assert_eq!(slot_paths(13)[11], "s.0.11");
        // Past 144, a third level.
        assert_eq!(slot_paths(145)[144], "s.1.0.0");
        assert!(slot_shape(145).starts_with("((("), "{}", slot_shape(145));
    }

    #[test]
    fn doc_lines_cannot_break_out_of_the_comment() {
        let mut code = Code::default();
        code.doc("Sets `a\n```\nfn injected() {}\r`.");
        assert_eq!(
            code.text,
            "/// Sets `a\n/// \\```\n/// fn injected() {}\\r`.\n"
        );
    }
}
