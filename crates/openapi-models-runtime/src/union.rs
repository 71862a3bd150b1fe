//! The behaviour every generated union (`oneOf`, `anyOf`, a `discriminator`) shares, written
//! once: which alternative a value decodes as, and the catch-all that keeps a value no
//! alternative accepts, as sent.
//!
//! The order, for a union without a tag (the generated type's docs repeat it):
//! 1. the first alternative, in schema order, that decodes the value *exactly*: an object
//!    whose every property the alternative names, a string an open enum lists, an array whose
//!    every item fits exactly (scalars fit exactly when they decode at all);
//! 2. else the first alternative that decodes it at all (an open object keeps the properties
//!    it does not name);
//! 3. else the catch-all, which keeps the JSON text.
//!
//! A tagged union (`discriminator`) reads its tag property and decodes the alternative the
//! tag names; an absent or unknown tag goes to its default alternative if it has one (the
//! base type of Graph's `@odata.type` polymorphism), and a value the chosen alternative does
//! not decode goes to the catch-all. Decoding a union never fails: whatever is not an
//! alternative is kept.

use crate::extensions::{PropertyMap, RawJson};
use crate::open_enum::{OpenEnum, OpenIntEnum};
use crate::record::Record;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

/// What a generated union says about itself.
pub struct UnionInfo {
    /// Where it comes from in the OpenAPI document.
    pub origin: &'static str,
    /// The schema's description, for the JSON Schema.
    pub description: Option<&'static str>,
    /// The tag property (`discriminator.propertyName`), for a tagged union.
    pub tag: Option<&'static str>,
    /// The alternative an absent or unknown tag decodes as, if any.
    pub default: Option<usize>,
    /// The alternatives, in the order they are tried.
    pub variants: &'static [VariantInfo],
}

/// One alternative.
pub struct VariantInfo {
    /// The Rust variant's name.
    pub name: &'static str,
    /// The tag values that choose it (tagged unions).
    pub tags: &'static [&'static str],
    /// Its JSON Schema.
    pub schema: fn(&mut SchemaGenerator) -> Schema,
}

/// An alternative holding a `T`, for generated tables.
pub const fn variant<T: JsonSchema>(
    name: &'static str,
    tags: &'static [&'static str],
) -> VariantInfo {
    VariantInfo {
        name,
        tags,
        schema: crate::record::schema::<T>,
    }
}

/// A value decoded as one alternative, and whether it fits that alternative exactly (see the
/// module docs).
pub struct Attempt<T> {
    /// The decoded value.
    pub value: T,
    /// Whether it fits exactly (nothing left over, every value a listed one).
    pub exact: bool,
}

impl<T> Attempt<T> {
    /// The same attempt holding `f(value)` (a variant constructor).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attempt<U> {
        Attempt {
            value: f(self.value),
            exact: self.exact,
        }
    }
}

/// A type a union alternative can hold: it says whether a JSON text decodes as it, and how
/// well. Implemented for the types generated code uses (records, open enums and unions
/// through their macros).
pub trait Alternative: Sized {
    /// `None` when `json` does not decode as this type.
    fn attempt(json: &RawJson) -> Option<Attempt<Self>>;
}

/// `T::attempt`, shorter for generated code.
pub fn attempt<T: Alternative>(json: &RawJson) -> Option<Attempt<T>> {
    T::attempt(json)
}

fn decoded<T: DeserializeOwned>(
    json: &RawJson,
    exact: impl FnOnce(&T) -> bool,
) -> Option<Attempt<T>> {
    let value: T = json.decode().ok()?;
    let exact = exact(&value);
    Some(Attempt { value, exact })
}

macro_rules! exact_when_decoded {
    ($($type:ty),*) => {$(
        impl Alternative for $type {
            fn attempt(json: &RawJson) -> Option<Attempt<Self>> {
                decoded(json, |_| true)
            }
        }
    )*};
}

exact_when_decoded!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f64,
    RawJson,
    crate::Timestamp,
    crate::IsoDuration
);

impl<V: DeserializeOwned> Alternative for PropertyMap<V> {
    fn attempt(json: &RawJson) -> Option<Attempt<Self>> {
        decoded(json, |_| true)
    }
}

/// Exact when every item is.
impl<T: Alternative> Alternative for Vec<T> {
    fn attempt(json: &RawJson) -> Option<Attempt<Self>> {
        let items: Vec<RawJson> = json.decode().ok()?;
        let mut exact = true;
        let mut values = Vec::with_capacity(items.len());
        for item in &items {
            let attempt = T::attempt(item)?;
            exact &= attempt.exact;
            values.push(attempt.value);
        }
        Some(Attempt {
            value: values,
            exact,
        })
    }
}

/// `null`, or a `T`.
impl<T: Alternative> Alternative for Option<T> {
    fn attempt(json: &RawJson) -> Option<Attempt<Self>> {
        if json.get().trim() == "null" {
            return Some(Attempt {
                value: None,
                exact: true,
            });
        }
        T::attempt(json).map(|a| a.map(Some))
    }
}

impl<T: Alternative> Alternative for Box<T> {
    fn attempt(json: &RawJson) -> Option<Attempt<Self>> {
        T::attempt(json).map(|a| a.map(Box::new))
    }
}

/// A record fits exactly when the object has no property the record does not name.
pub fn attempt_record<R: Record + DeserializeOwned>(json: &RawJson) -> Option<Attempt<R>> {
    decoded(json, |_| {
        object_keys(json.get()).is_some_and(|keys| {
            keys.keys()
                .all(|k| R::INFO.fields.iter().any(|f| f.wire == k))
        })
    })
}

/// An open enum fits exactly when it lists the value.
pub fn attempt_enum<E: OpenEnum + DeserializeOwned>(json: &RawJson) -> Option<Attempt<E>> {
    let text: String = json.decode().ok()?;
    let value: E = json.decode().ok()?;
    Some(Attempt {
        exact: E::listed(&text).is_some(),
        value,
    })
}

/// An open enum of integers fits exactly when it lists the value.
pub fn attempt_int_enum<E: OpenIntEnum + DeserializeOwned>(json: &RawJson) -> Option<Attempt<E>> {
    let number: i64 = json.decode().ok()?;
    let value: E = json.decode().ok()?;
    Some(Attempt {
        exact: E::listed(number).is_some(),
        value,
    })
}

/// A nested union is an alternative when it does not fall back to its catch-all, and fits as
/// exactly as the alternative it chose.
pub fn attempt_union<U: Union>(json: &RawJson) -> Option<Attempt<U>> {
    choose::<U>(json)
}

/// A generated union. Its serde and schemars impls come from [`crate::union!`].
pub trait Union: Sized {
    /// The union's facts: origin, description, tag and alternatives.
    const INFO: &'static UnionInfo;
    /// Decodes `json` as alternative `i` (see [`Alternative`]).
    fn attempt(i: usize, json: &RawJson) -> Option<Attempt<Self>>;
    /// The catch-all variant, holding `json` as sent.
    fn fallback(json: RawJson) -> Self;
    /// Writes the value of whichever variant this is.
    fn encode<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// The alternative `json` decodes as, by the rules in the module docs; `None` means the
/// catch-all.
fn choose<U: Union>(json: &RawJson) -> Option<Attempt<U>> {
    let info = U::INFO;
    if let Some(tag) = info.tag {
        let named = tag_value(json.get(), tag).and_then(|value| {
            info.variants
                .iter()
                .position(|v| v.tags.contains(&value.as_str()))
        });
        return U::attempt(named.or(info.default)?, json);
    }
    let mut first = None;
    for i in 0..info.variants.len() {
        if let Some(attempt) = U::attempt(i, json) {
            if attempt.exact {
                return Some(attempt);
            }
            first = first.or(Some(attempt));
        }
    }
    first
}

/// Decodes a union (see the module docs).
pub fn deserialize<'de, U: Union, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<U, D::Error> {
    let json = RawJson::deserialize(deserializer)?;
    Ok(match choose::<U>(&json) {
        Some(attempt) => attempt.value,
        None => U::fallback(json),
    })
}

/// A union's value as text (a query or header parameter): a JSON string's content, or the
/// JSON text of anything else.
pub fn write_text<U: Union>(value: &U, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let json = serde_json::to_value(UnionValue(value)).map_err(|_| std::fmt::Error)?;
    match json {
        serde_json::Value::String(text) => f.write_str(&text),
        other => write!(f, "{other}"),
    }
}

struct UnionValue<'a, U>(&'a U);

impl<U: Union> serde::Serialize for UnionValue<'_, U> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.encode(serializer)
    }
}

/// The JSON Schema of a union: any of its alternatives, or (the catch-all) any other value.
pub fn json_schema<U: Union>(generator: &mut SchemaGenerator) -> Schema {
    union_schema(U::INFO, generator)
}

/// [`json_schema`]'s body, not generic: compiled once here, not once per union.
fn union_schema(info: &UnionInfo, generator: &mut SchemaGenerator) -> Schema {
    let mut alternatives: Vec<serde_json::Value> = info
        .variants
        .iter()
        .map(|v| (v.schema)(generator).to_value())
        .collect();
    alternatives.push(serde_json::json!({
        "description": "A value no alternative accepts, kept as sent."
    }));
    let mut schema = schemars::json_schema!({ "anyOf": alternatives });
    if let Some(description) = info.description {
        schema.insert("description".to_owned(), description.into());
    }
    schema
}

/// The names of an object's properties (`None` for anything but an object).
fn object_keys(json: &str) -> Option<PropertyMap<IgnoredAny>> {
    serde_json::from_str(json).ok()
}

/// The string value of an object's `tag` property, if it has one.
fn tag_value(json: &str, tag: &str) -> Option<String> {
    let entries: PropertyMap<RawJson> = serde_json::from_str(json).ok()?;
    entries.get(tag)?.decode().ok()
}

/// The [`Alternative`] impl of a generated type that is a union's variant (or inside one, in
/// an array or an option), with the runtime's `attempt_record`, `attempt_enum`,
/// `attempt_int_enum` or `attempt_union`. Emitted only for those types: the impl decodes from
/// JSON text, and compiling that for every type would cost every generated crate dearly.
#[doc(hidden)]
#[macro_export]
macro_rules! alternative {
    ($type:ty, $attempt:ident) => {
        impl $crate::__private::union::Alternative for $type {
            fn attempt(
                json: &$crate::RawJson,
            ) -> ::std::option::Option<$crate::__private::union::Attempt<Self>> {
                $crate::__private::union::$attempt(json)
            }
        }
    };
}

/// The API and impls of a generated union `$type` whose catch-all variant is `$other`.
#[doc(hidden)]
#[macro_export]
macro_rules! union {
    ($type:ident, $other:ident) => {
        impl $type {
            /// True unless this is the catch-all: a value no alternative accepts.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::$other(_))
            }
        }

        /// The value as a parameter's text: a string as it is, anything else as its JSON.
        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::__private::union::write_text(self, f)
            }
        }

        impl $crate::__private::serde::Serialize for $type {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::__private::Union::encode(self, serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::union::deserialize(deserializer)
            }
        }

        $crate::json_schema_impl!($type, union);
    };
}

#[cfg(test)]
mod tests {
    use crate::__private as rt;
    use crate::RawJson;

    /// What the generator writes for `oneOf: [integer, array of strings, string]`, by hand.
    #[derive(Debug, PartialEq)]
    enum Value {
        I64(i64),
        Strings(Vec<String>),
        String(String),
        Other(RawJson),
    }

    impl rt::Union for Value {
        const INFO: &'static rt::UnionInfo = &rt::UnionInfo {
            origin: "value",
            description: None,
            tag: None,
            default: None,
            variants: &[
                rt::union::variant::<i64>("I64", &[]),
                rt::union::variant::<Vec<String>>("Strings", &[]),
                rt::union::variant::<String>("String", &[]),
            ],
        };
        fn attempt(i: usize, json: &RawJson) -> Option<rt::Attempt<Self>> {
            match i {
                0 => rt::union::attempt(json).map(|a| a.map(Self::I64)),
                1 => rt::union::attempt(json).map(|a| a.map(Self::Strings)),
                2 => rt::union::attempt(json).map(|a| a.map(Self::String)),
                _ => None,
            }
        }
        fn fallback(json: RawJson) -> Self {
            Self::Other(json)
        }
        fn encode<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Self::I64(v) => serde::Serialize::serialize(v, serializer),
                Self::Strings(v) => serde::Serialize::serialize(v, serializer),
                Self::String(v) => serde::Serialize::serialize(v, serializer),
                Self::Other(v) => serde::Serialize::serialize(v, serializer),
            }
        }
    }
    crate::union!(Value, Other);

    fn round_trip(text: &str) -> Value {
        let value: Value = crate::from_str(text).expect("a union always decodes");
        assert_eq!(serde_json::to_string(&value).expect("encodes"), text);
        value
    }

    #[test]
    fn each_json_kind_finds_its_alternative_and_the_rest_is_kept() {
        assert_eq!(round_trip("7"), Value::I64(7));
        assert_eq!(round_trip(r#"["a"]"#), Value::Strings(vec!["a".to_owned()]));
        assert_eq!(round_trip(r#""a""#), Value::String("a".to_owned()));
        let other = round_trip(r#"[1, {"x":1e400}]"#);
        assert!(!other.is_known());
        assert!(crate::from_str::<Value>("[1,").is_err(), "not JSON at all");
        assert_eq!(Value::String("a b".to_owned()).to_string(), "a b");
        assert_eq!(Value::I64(7).to_string(), "7");
    }

    #[test]
    fn the_schema_is_any_of_the_alternatives_or_anything() {
        let schema = serde_json::to_value(schemars::schema_for!(Value)).expect("json");
        let any_of = schema["anyOf"].as_array().expect("anyOf");
        assert_eq!(any_of.len(), 4);
        assert_eq!(any_of[1]["type"], "array");
    }
}
