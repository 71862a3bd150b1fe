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
    ty_text_from(ty, "")
}

/// [`ty_text`], each named type written with `prefix` (`super::` from the `required` module,
/// where a struct of required properties shadows the type of the same name).
fn ty_text_from(ty: &Ty, prefix: &str) -> String {
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
        Ty::Array(item) => format!("Vec<{}>", ty_text_from(item, prefix)),
        Ty::Map(value) => format!("PropertyMap<{}>", ty_text_from(value, prefix)),
        Ty::Option(inner) => format!("Option<{}>", ty_text_from(inner, prefix)),
        Ty::Flags(member) => format!("Flags<{}>", ty_text_from(member, prefix)),
        Ty::Named(name) => format!("{prefix}{name}"),
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
/// naming every field (and stay source-compatible when the schema adds one). The required
/// ones are positional, or one struct of named fields when they cannot be ordered safely
/// ([`StructDef::takes_named_args`], [`required_struct`]).
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
        let named = def.takes_named_args();
        if named {
            code.open(&format!(
                "pub fn new(required: required::{}) -> Self {{",
                def.name
            ));
        } else {
            let params: Vec<String> = required
                .iter()
                .map(|f| match shape(f) {
                    Shape::RequiredNullable => {
                        format!("{}: Option<{}>", f.name, value_ty_text(f))
                    }
                    _ => format!("{}: impl Into<{}>", f.name, value_ty_text(f)),
                })
                .collect();
            code.open(&format!("pub fn new({}) -> Self {{", params.join(", ")));
        }
        code.open("Self {");
        for f in &def.fields {
            code.line(&match shape(f) {
                Shape::Plain | Shape::RequiredNullable if named => {
                    format!("{0}: required.{0},", f.name)
                }
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
        // One slot per field, `Option` or `Nullable` (its type inferred from the move out
        // of it below), filled by the runtime's loop through `read_slot`. Field `i`'s slot is
        // `s{i}` and a required field's value `v{i}`: no other local in `decode` is so named.
        for i in 0..def.fields.len() {
            code.line(&format!("let mut s{i} = Default::default();"));
        }
        code.open("let read = |i, map: &mut A| match i {");
        for i in 0..def.fields.len() {
            code.line(&format!("{i} => rt::read_slot(map, &mut s{i}),"));
        }
        code.line("_ => Ok(true),");
        code.close("};");
        "Self::visit(map, read)?".to_owned()
    };
    let is_required = |f: &Field| matches!(shape(f), Shape::Plain | Shape::RequiredNullable);
    // The indices of the required fields: their slots `s{i}` are matched against `Some(v{i})`.
    let required: Vec<usize> = (0..def.fields.len())
        .filter(|&i| is_required(&def.fields[i]))
        .collect();
    let tuple = |item: &dyn Fn(usize) -> String| match required.as_slice() {
        [one] => format!("({},)", item(*one)),
        many => format!(
            "({})",
            many.iter().map(|&i| item(i)).collect::<Vec<_>>().join(", ")
        ),
    };
    match extras {
        Some(e) => code.line(&format!("let {e} = {visit};")),
        None => code.line(&format!("{visit};")),
    }
    // The required slots are checked in one `match`, not one `?` each: every early return
    // would drop the values moved so far, and those drops grow with the square of the number
    // of properties in the compiled code.
    if required.is_empty() {
        code.open("Ok(Self {");
    } else {
        code.open(&format!("match {} {{", tuple(&|i| format!("s{i}"))));
        code.open(&format!(
            "{} => Ok(Self {{",
            tuple(&|i| format!("Some(v{i})"))
        ));
    }
    if let Some(e) = extras {
        code.line(&format!("{e},"));
    }
    for (i, f) in def.fields.iter().enumerate() {
        let value = if is_required(f) { 'v' } else { 's' };
        code.line(&format!("{}: {value}{i},", f.name));
    }
    if required.is_empty() {
        code.close("})");
    } else {
        code.close("}),");
        let missing: Vec<String> = required
            .iter()
            .map(|&i| format!("(s{i}.is_none(), {})", literal(&def.fields[i].wire)))
            .collect();
        let missing = missing.join(", ");
        code.line(&format!(
            "{} => Err(rt::missing_field::<A>(&[{missing}])),",
            tuple(&|i| format!("s{i}"))
        ));
        code.close("}");
    }
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

/// The struct of a type's required properties, by name, for a `new` that takes them so
/// ([`StructDef::takes_named_args`]): an item of the models' `required` module.
pub(super) fn required_struct(def: &StructDef) -> String {
    let mut code = Code::default();
    code.doc(&format!(
        "The required properties of [`super::{0}`], by name: [`super::{0}::new`] takes them together.",
        def.name
    ));
    code.line("#[derive(Clone, Debug, PartialEq)]");
    code.open(&format!("pub struct {} {{", def.name));
    for f in def.constructor_args() {
        code.doc(&format!("`{}`.", f.wire));
        let ty = ty_text_from(&f.ty, "super::");
        let ty = if f.boxed { format!("Box<{ty}>") } else { ty };
        code.line(&match shape(f) {
            Shape::RequiredNullable => format!("pub {}: Option<{ty}>,", f.name),
            _ => format!("pub {}: {ty},", f.name),
        });
    }
    code.close("}");
    code.text
}

#[cfg(test)]
mod tests {
    use super::*;

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
