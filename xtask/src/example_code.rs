//! Rust code that builds a JSON value as the generated type at its position, for the client's
//! doc examples: a struct through `new` (its required properties) and its setters (the others
//! the value has), an open enum as a listed variant or its catch-all, a union as the variant
//! the value is, scalars as literals, timestamps and durations parsed from their text, arrays,
//! maps, and any JSON (`RawJson`) from its text. A part no constructor call can express (a
//! property the struct keeps in its extensions map, an explicit `null` no setter writes) is
//! decoded from its JSON text with the models' `from_str`, that value only, bound to a name
//! before the code (`let author: Author = from_str(r#"…"#)?;`). A value that is not
//! of its type at all (a string where the schema says integer, a required property missing) is
//! a [`Misfit`]: the example contradicts its schema and the caller picks another.
//!
//! The values come from the document: every string reaches the code as an escaped literal
//! ([`crate::docs::rust_string`]) or as JSON in a raw string, escaped the same way
//! ([`Json::text`]), so each stays on its line and no text can end the doc example.
//!
//! Names: types as the models module names them ([`crate::emit_models::ty_text`]), setters as
//! [`Field::setter`] names them; the code's `use` line imports what [`Writer::uses`] lists.

use crate::docs::{json_string, rust_raw_string, rust_string};
use crate::emit_models::ty_text;
use crate::model::{EnumKind, Field, Model, StructDef, Ty, TypeDef, UnionDef, Wire};
use crate::names::{Case, Scope, ident};
use std::collections::BTreeSet;

/// A JSON value with its object keys in document order (serde_json's own map sorts them, and
/// the order is what a reader of the example compares with the documentation).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses JSON text (`None` if it is not JSON).
    pub fn parse(text: &str) -> Option<Json> {
        serde_json::from_str(text).ok()
    }

    /// Compact JSON text, with every control, line-separating or bidirectional-formatting
    /// character escaped ([`json_string`]): one line that a raw string can hold.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::String(s) => out.push_str(&json_string(s)),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&json_string(key));
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// How many scalar values it holds: how much of its type an example shows.
    pub fn leaves(&self) -> usize {
        match self {
            Json::Array(items) => items.iter().map(Json::leaves).sum(),
            Json::Object(entries) => entries.iter().map(|(_, v)| v.leaves()).sum(),
            _ => 1,
        }
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(n)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("not a finite number"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::String(s.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A value that is not of the type at its position; says where and why (for tests and for
/// reading a generator's decisions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit(pub String);

fn misfit<T>(what: impl Into<String>) -> Result<T, Misfit> {
    Err(Misfit(what.into()))
}

/// How deep a value may nest before it is decoded from its text instead (a recursive schema's
/// example is finite, but code for a deep one helps nobody).
const MAX_DEPTH: usize = 12;

/// The constructor call and setters of a struct value, each part as code; or, when a part
/// cannot be written as a call, `decoded`: the value must be decoded from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructParts {
    /// The arguments of `new` (or of a builder's starting method), in constructor order.
    pub args: Vec<String>,
    /// The setters to call: the index into [`StructDef::setter_fields`] and the argument.
    pub setters: Vec<(usize, String)>,
    /// Some property is one no call can set (kept in the extensions map, or an explicit `null`
    /// no setter writes): the value must be decoded from its text, and `setters` is empty.
    pub decoded: bool,
}

/// How a struct's required properties are passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    /// To the models' `new`: each `impl Into<T>` (an array `impl Into<Vec<T>>`).
    Constructor,
    /// To a request builder's starting method, where an array is
    /// `impl IntoIterator<Item = impl Into<T>>`.
    Builder,
}

/// Writes values of one model as code, collecting what the code needs from the models crate.
pub struct Writer<'m> {
    model: &'m Model,
    /// The names the code uses from the models crate (types, `from_str`), for its `use` line.
    pub uses: BTreeSet<String>,
    /// The code has a `?` (a parse or a decode), so the example's function must return an
    /// error type those convert into.
    pub fallible: bool,
    /// Statements that go before the code: each value decoded from text, bound to a name
    /// (`let author: Author = from_str(r#"…"#)?;`), which the code uses in its place.
    pub lets: Vec<String>,
    /// The names `lets` has taken, and those the example uses itself.
    bindings: Scope,
}

/// What [`Writer`] has collected, to undo an attempt that did not fit (a union's variant).
struct Saved {
    uses: BTreeSet<String>,
    fallible: bool,
    lets: usize,
    bindings: Scope,
}

/// Names an example binds itself (its client, its response) or imports in snake case.
const EXAMPLE_NAMES: &[&str] = &["client", "response", "from_str"];

impl<'m> Writer<'m> {
    pub fn new(model: &'m Model) -> Self {
        Writer {
            model,
            uses: BTreeSet::new(),
            fallible: false,
            lets: Vec::new(),
            bindings: Scope::with_taken(EXAMPLE_NAMES.iter().copied()),
        }
    }

    fn save(&self) -> Saved {
        Saved {
            uses: self.uses.clone(),
            fallible: self.fallible,
            lets: self.lets.len(),
            bindings: self.bindings.clone(),
        }
    }

    fn restore(&mut self, saved: Saved) {
        self.uses = saved.uses;
        self.fallible = saved.fallible;
        self.lets.truncate(saved.lets);
        self.bindings = saved.bindings;
    }

    /// An expression of exactly type `ty` that holds `value`.
    pub fn exact(&mut self, value: &Json, ty: &Ty) -> Result<String, Misfit> {
        self.value(value, ty, false, 0)
    }

    /// An argument for a parameter `impl Into<ty>`: like [`Writer::exact`], except that a
    /// string is its literal and an integer says its width (`5_u64`), since nothing else does
    /// there.
    pub fn argument(&mut self, value: &Json, ty: &Ty) -> Result<String, Misfit> {
        self.argument_at(value, ty, 0)
    }

    fn argument_at(&mut self, value: &Json, ty: &Ty, depth: usize) -> Result<String, Misfit> {
        match (value, ty) {
            (Json::String(s), Ty::String) => Ok(rust_string(s)),
            (Json::Number(_), _) if ty.integer().is_some() => {
                let digits = self.value(value, ty, false, depth)?;
                Ok(match ty {
                    Ty::I32 => digits,
                    _ => format!("{digits}_{}", ty.integer().unwrap_or_default()),
                })
            }
            _ => self.value(value, ty, false, depth),
        }
    }

    /// `value` decoded from its JSON text as `ty` (the models' `from_str`), for what no
    /// constructor call can express: a binding in [`Writer::lets`] (its type written on it,
    /// which reads better than a turbofish), and its name as the code.
    pub fn decoded(&mut self, value: &Json, ty: &Ty) -> String {
        self.fallible = true;
        self.uses.insert("from_str".to_owned());
        self.use_ty(ty);
        let name = self.bindings.unique(&binding_name(ty), Case::Snake);
        self.lets.push(format!(
            "let {name}: {} = from_str({})?;",
            ty_text(ty),
            rust_raw_string(&value.text())
        ));
        name
    }

    /// `value` decoded from its JSON text where the parameter takes exactly one type (a
    /// builder's `body`), which names it: `from_str(r#"…"#)?`.
    pub fn decoded_in_place(&mut self, value: &Json) -> String {
        self.fallible = true;
        self.uses.insert("from_str".to_owned());
        format!("from_str({})?", rust_raw_string(&value.text()))
    }

    /// `value` as a struct's required arguments (passed as `args` says) and setters, checked
    /// against every property.
    pub fn struct_parts(
        &mut self,
        def: &StructDef,
        value: &Json,
        args: Args,
    ) -> Result<StructParts, Misfit> {
        self.parts(def, value, args, false, 0)
    }

    /// `required::Name { field: value.into(), … }`: the struct of a type's required properties
    /// ([`StructDef::takes_named_args`]), from their arguments as written for a positional
    /// `new` ([`Args::Constructor`]).
    pub fn named_required(&mut self, def: &StructDef, args: &[String]) -> String {
        self.uses.insert("required".to_owned());
        let fields: Vec<String> = def
            .constructor_args()
            .zip(args)
            .map(|(field, arg)| {
                // A constructor argument is the field's type already, but for a string
                // literal (`impl Into<String>`) and a boxed value (`impl Into<Box<T>>`).
                let literal =
                    arg.starts_with('"') || arg.starts_with("r#") || arg.starts_with("r\"");
                if !field.nullable && (literal || field.boxed) {
                    format!("{}: {arg}.into()", field.name)
                } else {
                    format!("{}: {arg}", field.name)
                }
            })
            .collect();
        format!("required::{} {{ {} }}", def.name, fields.join(", "))
    }

    /// [`Writer::struct_parts`]; `strict`: a property the struct does not name is a misfit (a
    /// union's first pass, which looks for an exact fit).
    fn parts(
        &mut self,
        def: &StructDef,
        value: &Json,
        args: Args,
        strict: bool,
        depth: usize,
    ) -> Result<StructParts, Misfit> {
        let Json::Object(entries) = value else {
            return misfit(format!("`{}` is an object", def.name));
        };
        let mut seen = BTreeSet::new();
        for (key, _) in entries {
            if !seen.insert(key.as_str()) {
                return misfit(format!("`{key}` twice in one object"));
            }
        }
        let mut parts = StructParts {
            args: Vec::new(),
            setters: Vec::new(),
            decoded: false,
        };
        for field in def.constructor_args() {
            let Some(v) = value.get(&field.wire) else {
                return misfit(format!(
                    "`{}` lacks the required `{}`",
                    def.name, field.wire
                ));
            };
            parts.args.push(self.required(field, v, args, depth)?);
        }
        let after_args = self.save();
        for (i, field) in def.setter_fields().enumerate() {
            match value.get(&field.wire) {
                None => {}
                // No setter writes an explicit `null`.
                Some(Json::Null) if field.nullable || field.ty == Ty::Any => parts.decoded = true,
                Some(Json::Null) => {
                    return misfit(format!("`{}` is not nullable", field.wire));
                }
                Some(v) => {
                    let arg = self.field_argument(field, v, depth)?;
                    parts.setters.push((i, arg));
                }
            }
        }
        // Properties the schema does not name go to the extensions map, which no call fills.
        for (key, v) in entries {
            if def.fields.iter().any(|f| &f.wire == key) {
                continue;
            }
            match &def.additional {
                crate::model::Additional::Deny => {
                    return misfit(format!("`{}` takes no property `{key}`", def.name));
                }
                _ if strict => return misfit(format!("`{}` names no `{key}`", def.name)),
                crate::model::Additional::Typed(ty) => {
                    self.value(v, ty, false, depth + 1)?;
                }
                crate::model::Additional::Any => {}
            }
            parts.decoded = true;
        }
        if parts.decoded {
            // The setters are not called, so neither is what they name.
            self.restore(after_args);
            parts.setters.clear();
        }
        Ok(parts)
    }

    /// A required property's argument.
    fn required(
        &mut self,
        field: &Field,
        value: &Json,
        args: Args,
        depth: usize,
    ) -> Result<String, Misfit> {
        if field.nullable {
            // `Option<T>`: `None` sends `null`.
            return match value {
                Json::Null => Ok("None".to_owned()),
                v => Ok(format!("Some({})", self.boxed(field, v, depth)?)),
            };
        }
        match (&field.ty, args, value) {
            (ty, _, Json::Null) if *ty != Ty::Any => {
                misfit(format!("`{}` is not nullable", field.wire))
            }
            (Ty::Array(item), Args::Builder, Json::Array(items)) if !field.boxed => {
                if items.is_empty() {
                    self.use_ty(item);
                    return Ok(format!("Vec::<{}>::new()", ty_text(item)));
                }
                let items = items
                    .iter()
                    .map(|v| self.argument_at(v, item, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(format!("[{}]", items.join(", ")))
            }
            _ => self.field_argument(field, value, depth),
        }
    }

    /// A field's value where the models take `impl Into<T>` (`impl Into<Box<T>>` when boxed).
    fn field_argument(
        &mut self,
        field: &Field,
        value: &Json,
        depth: usize,
    ) -> Result<String, Misfit> {
        if field.boxed {
            self.value(value, &field.ty, false, depth + 1)
        } else {
            self.argument_at(value, &field.ty, depth + 1)
        }
    }

    /// A field's value of exactly its declared value type (`Box<T>` when boxed).
    fn boxed(&mut self, field: &Field, value: &Json, depth: usize) -> Result<String, Misfit> {
        let code = self.value(value, &field.ty, false, depth + 1)?;
        Ok(match field.boxed {
            true => format!("Box::new({code})"),
            false => code,
        })
    }

    /// An expression of exactly `ty`. `strict`: only an exact fit (a union's first pass).
    fn value(
        &mut self,
        value: &Json,
        ty: &Ty,
        strict: bool,
        depth: usize,
    ) -> Result<String, Misfit> {
        if depth > MAX_DEPTH {
            return Ok(self.decoded(value, ty));
        }
        match (ty, value) {
            (Ty::String, Json::String(s)) => Ok(format!("{}.to_owned()", rust_string(s))),
            (Ty::Bool, Json::Bool(b)) => Ok(b.to_string()),
            (Ty::F64, Json::Number(n)) => Ok(float(n)),
            (Ty::Timestamp | Ty::Duration, Json::String(s)) => {
                // Checked when parsed, as decoding checks it.
                self.fallible = true;
                self.use_ty(ty);
                Ok(format!("{}::parse({})?", ty_text(ty), rust_string(s)))
            }
            (Ty::Any, v) => {
                self.fallible = true;
                self.use_ty(ty);
                Ok(format!(
                    "{}::from_json({})?",
                    ty_text(ty),
                    rust_raw_string(&v.text())
                ))
            }
            (Ty::Option(_), Json::Null) => Ok("None".to_owned()),
            (Ty::Option(inner), v) => Ok(format!("Some({})", self.value(v, inner, strict, depth)?)),
            (Ty::Array(item), Json::Array(items)) => {
                let items = items
                    .iter()
                    .map(|v| self.value(v, item, false, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(format!("vec![{}]", items.join(", ")))
            }
            (Ty::Map(values), Json::Object(entries)) => {
                self.uses.insert("PropertyMap".to_owned());
                if entries.is_empty() {
                    return Ok("PropertyMap::new()".to_owned());
                }
                let mut seen = BTreeSet::new();
                let mut pairs = Vec::new();
                for (key, v) in entries {
                    if !seen.insert(key.as_str()) {
                        return misfit(format!("`{key}` twice in one object"));
                    }
                    let v = self.value(v, values, false, depth + 1)?;
                    pairs.push(format!("({}, {v})", rust_string(key)));
                }
                Ok(format!("PropertyMap::from_iter([{}])", pairs.join(", ")))
            }
            (Ty::Flags(_), Json::String(s)) => {
                // The set as its wire text, which it keeps exactly.
                self.uses.insert("Flags".to_owned());
                Ok(format!("Flags::from_text({})", rust_string(s)))
            }
            (Ty::Named(name), v) => self.named(name, v, strict, depth),
            (int, Json::Number(n)) if int.integer().is_some() => integer(n, int),
            (ty, v) => misfit(format!("{} is not a `{}`", v.text(), ty_text(ty))),
        }
    }

    fn named(
        &mut self,
        name: &str,
        value: &Json,
        strict: bool,
        depth: usize,
    ) -> Result<String, Misfit> {
        match self.model.types.get(name) {
            Some(TypeDef::Struct(def)) => {
                let before = self.save();
                let parts = self.parts(def, value, Args::Constructor, strict, depth)?;
                if parts.decoded {
                    self.restore(before);
                    return Ok(self.decoded(value, &Ty::Named(name.to_owned())));
                }
                self.uses.insert(name.to_owned());
                let setters: Vec<&Field> = def.setter_fields().collect();
                let mut code = if def.takes_named_args() {
                    format!("{name}::new({})", self.named_required(def, &parts.args))
                } else {
                    format!("{name}::new({})", parts.args.join(", "))
                };
                for (i, arg) in parts.setters {
                    code.push_str(&format!(".{}({arg})", setters[i].setter()));
                }
                Ok(code)
            }
            Some(TypeDef::Enum(def)) => {
                let wire = match (def.kind, value) {
                    (EnumKind::String, Json::String(s)) => Wire::String(s.clone()),
                    (EnumKind::Integer, Json::Number(n)) if let Some(i) = n.as_i64() => {
                        Wire::Integer(i)
                    }
                    _ => return misfit(format!("{} is not a `{name}`", value.text())),
                };
                self.uses.insert(name.to_owned());
                match def.variants.iter().find(|v| v.wire == wire) {
                    Some(variant) => Ok(format!("{name}::{}", variant.name)),
                    None if strict => misfit(format!("`{name}` does not list {wire}")),
                    None => Ok(match &wire {
                        Wire::String(text) => {
                            format!("{name}::{}({}.to_owned())", def.other, rust_string(text))
                        }
                        Wire::Integer(i) => format!("{name}::{}({i})", def.other),
                    }),
                }
            }
            Some(TypeDef::Union(def)) => self.union(def, value, depth),
            None => misfit(format!("no type `{name}`")),
        }
    }

    /// The variant the runtime decodes `value` as: by its tag in a tagged union (an absent or
    /// unknown tag is the default variant); else the first that fits exactly, then the first
    /// that fits at all; else the catch-all, holding the value as sent.
    fn union(&mut self, def: &UnionDef, value: &Json, depth: usize) -> Result<String, Misfit> {
        self.uses.insert(def.name.clone());
        let tried: Vec<(usize, bool)> = match &def.tag {
            Some(tag) => {
                let by_tag = match value.get(tag) {
                    Some(Json::String(t)) => def.variants.iter().position(|v| v.tags.contains(t)),
                    _ => None,
                };
                by_tag
                    .or(def.default)
                    .map(|i| (i, false))
                    .into_iter()
                    .collect()
            }
            None => (0..def.variants.len())
                .map(|i| (i, true))
                .chain((0..def.variants.len()).map(|i| (i, false)))
                .collect(),
        };
        for (i, strict) in tried {
            let variant = &def.variants[i];
            let saved = self.save();
            match self.value(value, &variant.ty, strict, depth + 1) {
                Ok(code) if variant.boxed => {
                    return Ok(format!("{}::{}(Box::new({code}))", def.name, variant.name));
                }
                Ok(code) => return Ok(format!("{}::{}({code})", def.name, variant.name)),
                Err(_) => self.restore(saved),
            }
        }
        let raw = self.value(value, &Ty::Any, false, depth + 1)?;
        Ok(format!("{}::{}({raw})", def.name, def.other))
    }

    /// Adds the models' names a type's text uses.
    fn use_ty(&mut self, ty: &Ty) {
        match ty {
            Ty::Named(name) => {
                self.uses.insert(name.clone());
            }
            Ty::Array(inner) | Ty::Option(inner) => self.use_ty(inner),
            Ty::Map(inner) => {
                self.uses.insert("PropertyMap".to_owned());
                self.use_ty(inner);
            }
            Ty::Flags(inner) => {
                self.uses.insert("Flags".to_owned());
                self.use_ty(inner);
            }
            Ty::Timestamp | Ty::Duration | Ty::Any => {
                self.uses.insert(ty_text(ty));
            }
            _ => {}
        }
    }
}

/// What a value of `ty` decoded from text is called: its type's name in snake case (`author`),
/// plural for an array (`authors`).
fn binding_name(ty: &Ty) -> String {
    match ty {
        Ty::Named(name) => ident(name, Case::Snake),
        Ty::Array(item) => format!("{}s", binding_name(item)),
        Ty::Option(inner) | Ty::Map(inner) | Ty::Flags(inner) => binding_name(inner),
        _ => "value".to_owned(),
    }
}

/// A float literal (`2.0`, `0.25`, `1e300`).
fn float(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => format!("{i}.0"),
        (_, Some(u)) => format!("{u}.0"),
        _ => format!("{:?}", n.as_f64().unwrap_or_default()),
    }
}

/// An integer literal, if the number is an integer in the type's range (decoding refuses
/// `1.0` and values out of range).
fn integer(n: &serde_json::Number, ty: &Ty) -> Result<String, Misfit> {
    let fits = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => match ty {
            Ty::I8 => i8::try_from(i).is_ok(),
            Ty::I16 => i16::try_from(i).is_ok(),
            Ty::I32 => i32::try_from(i).is_ok(),
            Ty::I64 => true,
            Ty::U8 => u8::try_from(i).is_ok(),
            Ty::U16 => u16::try_from(i).is_ok(),
            Ty::U32 => u32::try_from(i).is_ok(),
            _ => u64::try_from(i).is_ok(),
        },
        (_, Some(_)) => *ty == Ty::U64,
        _ => false,
    };
    match fits {
        true => Ok(n.to_string()),
        false => misfit(format!("{n} is not a `{}`", ty_text(ty))),
    }
}

mod sample;
pub use sample::sample;

#[cfg(test)]
mod tests;
