//! The algorithm behind every generated object type, written once: the decoding loop, the
//! duplicate checks, unknown properties, encoding and the JSON Schema. A generated type only
//! states its facts ([`RecordInfo`]) and moves values between its fields and the slots the
//! loop fills ([`Record`]).

use crate::decode::Text;
use crate::extensions::{KeyIndex, PropertyMap};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, MapAccess};
use serde::ser::{Serialize, SerializeMap};
use std::fmt;
use std::marker::PhantomData;

/// What a generated object type says about itself.
pub struct RecordInfo {
    /// Where it comes from in the OpenAPI document (a component key or a pointer).
    pub origin: &'static str,
    /// The schema's description, for the JSON Schema.
    pub description: Option<&'static str>,
    /// The named properties, in schema order (the order they are written in).
    pub fields: &'static [FieldInfo],
}

/// One named property.
pub struct FieldInfo {
    /// The JSON property name.
    pub wire: &'static str,
    /// Absence is an error.
    pub required: bool,
    /// The property's JSON Schema (`null` included where the property may be `null`).
    pub schema: fn(&mut SchemaGenerator) -> Schema,
    /// `readOnly`: set by the service (published in the JSON Schema; decoding and encoding
    /// treat it like any other property).
    pub read_only: bool,
    /// `writeOnly`: sent by clients, never returned (likewise only published).
    pub write_only: bool,
    /// `default`, as JSON text: published, never filled in (absence stays absence).
    pub default: Option<&'static str>,
}

impl FieldInfo {
    /// A property that must be present, with the schema of `T`.
    pub const fn required<T: JsonSchema>(wire: &'static str) -> Self {
        FieldInfo {
            wire,
            required: true,
            schema: schema::<T>,
            read_only: false,
            write_only: false,
            default: None,
        }
    }

    /// A property that may be absent, with the schema of `T`.
    pub const fn optional<T: JsonSchema>(wire: &'static str) -> Self {
        FieldInfo {
            wire,
            required: false,
            schema: schema::<T>,
            read_only: false,
            write_only: false,
            default: None,
        }
    }

    /// Marks the property `readOnly`.
    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Marks the property `writeOnly`.
    pub const fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// The property's `default`, as JSON text.
    pub const fn default(mut self, json: &'static str) -> Self {
        self.default = Some(json);
        self
    }
}

/// [`FieldInfo::required`], shorter for generated tables.
pub const fn required<T: JsonSchema>(wire: &'static str) -> FieldInfo {
    FieldInfo::required::<T>(wire)
}

/// [`FieldInfo::optional`], shorter for generated tables.
pub const fn optional<T: JsonSchema>(wire: &'static str) -> FieldInfo {
    FieldInfo::optional::<T>(wire)
}

/// The schema of `T`, as a function a [`FieldInfo`] can hold.
pub fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// A generated object type. The serde and schemars impls come from [`crate::record!`].
pub trait Record: Sized {
    /// The type's facts: its name, fields (wire names, kinds, which are required) and extras.
    const INFO: &'static RecordInfo;
    /// What happens to properties the schema does not name.
    type Extra: Extra;

    /// Decodes the object's entries (calls [`visit`] with a function that reads field `i`
    /// into its slot, then moves the slots into the fields).
    fn decode<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;

    /// Writes the object's entries (with [`write_present`] and [`write_always`]), then its extra
    /// properties.
    fn encode<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// The decoding loop for this type (see [`visit`]).
    fn visit<'de, A: MapAccess<'de>>(
        map: A,
        read: impl FnMut(usize, &mut A) -> Result<bool, A::Error>,
    ) -> Result<Self::Extra, A::Error> {
        visit::<Self, A>(map, read)
    }
}

/// The decoding loop: each key is matched against the type's property names; a named
/// property is read by `read` (which reports whether its slot was still empty), any other
/// goes to the type's [`Extra`]. Required properties are checked by the caller's
/// [`missing_field`].
pub fn visit<'de, R, A>(
    mut map: A,
    mut read: impl FnMut(usize, &mut A) -> Result<bool, A::Error>,
) -> Result<R::Extra, A::Error>
where
    R: Record,
    A: MapAccess<'de>,
{
    let fields = R::INFO.fields;
    let mut extra = R::Extra::default();
    let mut seen = KeyIndex::default();
    while let Some(key) = map.next_key::<Text<'de>>()? {
        match fields.iter().position(|f| f.wire == key.0) {
            Some(i) => {
                if !read(i, &mut map)? {
                    return Err(de::Error::duplicate_field(fields[i].wire));
                }
            }
            None => extra.read_entry::<R, A>(key, &mut map, &mut seen)?,
        }
    }
    Ok(extra)
}

/// Where a property's value is held while an object is decoded: `Option<T>` (empty until read)
/// or [`crate::Nullable`] (absent until read).
pub trait Slot<'de> {
    /// Reads the value unless the slot is full already (a duplicate key): then `false`.
    fn read<A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<bool, A::Error>;
}

impl<'de, T: Deserialize<'de>> Slot<'de> for Option<T> {
    fn read<A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<bool, A::Error> {
        if self.is_some() {
            return Ok(false);
        }
        *self = Some(map.next_value()?);
        Ok(true)
    }
}

impl<'de, T: Deserialize<'de>> Slot<'de> for crate::Nullable<T> {
    fn read<A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<bool, A::Error> {
        if !self.is_absent() {
            return Ok(false);
        }
        *self = map.next_value()?;
        Ok(true)
    }
}

/// Reads a value into its slot (see [`visit`]). (Not `read`: no export repeats a std name,
/// `std::fs::read` here.)
pub fn read_slot<'de, A: MapAccess<'de>, S: Slot<'de>>(
    map: &mut A,
    slot: &mut S,
) -> Result<bool, A::Error> {
    slot.read(map)
}

/// The "missing field" error of the map being decoded: the first of the required properties,
/// in schema order, whose slot is empty (`(empty, wire name)`). Generated code matches every
/// required slot at once and calls this when one is empty.
pub fn missing_field<'de, A: MapAccess<'de>>(required: &[(bool, &'static str)]) -> A::Error {
    let wire = required
        .iter()
        .find(|(empty, _)| *empty)
        .map_or("", |(_, wire)| wire);
    de::Error::missing_field(wire)
}

/// A value that is written only when present: `Option` (not `None`) and
/// [`crate::Nullable`] (not absent; `null` is written).
pub trait Present {
    /// The value written when the field is present.
    type Value: Serialize + ?Sized;
    /// The value to write, or `None` when the field is absent (and is left out).
    fn present(&self) -> Option<&Self::Value>;
}

impl<T: Serialize> Present for Option<T> {
    type Value = T;
    fn present(&self) -> Option<&T> {
        self.as_ref()
    }
}

impl<T: Serialize> Present for crate::Nullable<T> {
    type Value = Self;
    fn present(&self) -> Option<&Self> {
        (!self.is_absent()).then_some(self)
    }
}

/// Writes an optional property when it is present.
pub fn write_present<M: SerializeMap, P: Present>(
    map: &mut M,
    wire: &'static str,
    value: &P,
) -> Result<(), M::Error> {
    match value.present() {
        Some(value) => map.serialize_entry(wire, value),
        None => Ok(()),
    }
}

/// Writes a required property (a required nullable one as `null` when it has no value).
pub fn write_always<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    wire: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    map.serialize_entry(wire, value)
}

/// What an object does with properties its schema does not name.
pub trait Extra: Default {
    #[doc(hidden)]
    fn read_entry<'de, R: Record, A: MapAccess<'de>>(
        &mut self,
        key: Text<'de>,
        map: &mut A,
        seen: &mut KeyIndex,
    ) -> Result<(), A::Error>;
    /// Writes them back, after the named properties.
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
    /// The schema's `additionalProperties`.
    fn schema(generator: &mut SchemaGenerator) -> serde_json::Value;
}

/// Kept, each decoded as `V` ([`RawJson`](crate::RawJson) for "anything", as the text sent).
impl<V: for<'de> Deserialize<'de> + Serialize + JsonSchema> Extra for PropertyMap<V> {
    fn read_entry<'de, R: Record, A: MapAccess<'de>>(
        &mut self,
        key: Text<'de>,
        map: &mut A,
        seen: &mut KeyIndex,
    ) -> Result<(), A::Error> {
        PropertyMap::read_entry(self, key.0, map, seen)
    }

    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.write_entries(map)
    }

    fn schema(generator: &mut SchemaGenerator) -> serde_json::Value {
        generator.subschema_for::<V>().to_value()
    }
}

/// Refused: `additionalProperties: false`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Closed;

impl Extra for Closed {
    fn read_entry<'de, R: Record, A: MapAccess<'de>>(
        &mut self,
        key: Text<'de>,
        _: &mut A,
        _: &mut KeyIndex,
    ) -> Result<(), A::Error> {
        // serde's own wording, with the record's names (which are only known at run time here).
        let names: Vec<String> = R::INFO
            .fields
            .iter()
            .map(|f| format!("`{}`", f.wire))
            .collect();
        let expected = match names.as_slice() {
            [] => "there are no fields".to_owned(),
            [one] => format!("expected {one}"),
            many => format!("expected one of {}", many.join(", ")),
        };
        Err(de::Error::custom(format_args!(
            "unknown field {}, {expected}",
            crate::decode::quote(&key.0)
        )))
    }

    fn write<M: SerializeMap>(&self, _: &mut M) -> Result<(), M::Error> {
        Ok(())
    }

    fn schema(_: &mut SchemaGenerator) -> serde_json::Value {
        serde_json::Value::Bool(false)
    }
}

/// `Serialize` for a record: its entries as one JSON object.
pub fn serialize<R: Record, S: serde::Serializer>(
    record: &R,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    record.encode(&mut map)?;
    map.end()
}

/// `Deserialize` for a record.
pub fn deserialize<'de, R: Record, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<R, D::Error> {
    struct RecordVisitor<R>(PhantomData<R>);

    impl<'de, R: Record> de::Visitor<'de> for RecordVisitor<R> {
        type Value = R;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a `{}` object", R::INFO.origin)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
            R::decode(map)
        }
    }

    deserializer.deserialize_map(RecordVisitor(PhantomData))
}

/// The JSON Schema of a record: what [`deserialize`] accepts, but for duplicate keys (which
/// JSON Schema cannot see) and, in integer and number properties, integral floats such as
/// `1.0` and numbers beyond `f64`'s range (which JSON Schema takes as numbers, and Rust's
/// integer and float types refuse).
pub fn json_schema<R: Record>(generator: &mut SchemaGenerator) -> Schema {
    record_schema(R::INFO, R::Extra::schema, generator)
}

/// [`json_schema`]'s body, not generic: compiled once here, not once per type in each
/// generated crate.
fn record_schema(
    info: &RecordInfo,
    extra: fn(&mut SchemaGenerator) -> serde_json::Value,
    generator: &mut SchemaGenerator,
) -> Schema {
    let mut properties = serde_json::Map::new();
    for field in info.fields {
        let mut schema = (field.schema)(generator).to_value();
        bound_integers(&mut schema);
        annotate(&mut schema, field);
        properties.insert(field.wire.to_owned(), schema);
    }
    let required: Vec<&str> = info
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.wire)
        .collect();
    let mut additional = extra(generator);
    bound_integers(&mut additional);
    let mut schema = schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": additional,
    });
    if let Some(description) = info.description {
        schema.insert("description".to_owned(), description.into());
    }
    schema
}

/// A property's annotations, beside its type's schema.
fn annotate(schema: &mut serde_json::Value, field: &FieldInfo) {
    let serde_json::Value::Object(map) = schema else {
        return;
    };
    if field.read_only {
        map.insert("readOnly".to_owned(), true.into());
    }
    if field.write_only {
        map.insert("writeOnly".to_owned(), true.into());
    }
    // The generator writes valid JSON here; anything else is left out rather than guessed.
    if let Some(default) = field.default.and_then(|d| serde_json::from_str(d).ok()) {
        map.insert("default".to_owned(), default);
    }
}

/// schemars publishes some integer widths without their full ranges (`i32`, `i64`, `u32`,
/// `u64` lack a bound); decoding refuses what is out of range, so the schema says so too.
fn bound_integers(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            let signed = |min: i64, max: i64| Some((min.into(), max.into()));
            let unsigned = |max: u64| Some((0.into(), max.into()));
            let range: Option<(serde_json::Value, serde_json::Value)> =
                match map.get("format").and_then(|f| f.as_str()) {
                    Some("int8") => signed(i8::MIN.into(), i8::MAX.into()),
                    Some("int16") => signed(i16::MIN.into(), i16::MAX.into()),
                    Some("int32") => signed(i32::MIN.into(), i32::MAX.into()),
                    Some("int64") => signed(i64::MIN, i64::MAX),
                    Some("uint8") => unsigned(u8::MAX.into()),
                    Some("uint16") => unsigned(u16::MAX.into()),
                    Some("uint32") => unsigned(u32::MAX.into()),
                    Some("uint64") => unsigned(u64::MAX),
                    _ => None,
                };
            if let Some((min, max)) = range {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(bound_integers);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// The `JsonSchema` impl of a generated type: its name, an id unique in the crate, and the
/// schema `$crate::$module::json_schema` (or `$function`) builds. Shared by [`crate::record!`] and
/// `open_enum!`.
#[doc(hidden)]
#[macro_export]
macro_rules! json_schema_impl {
    ($type:ty, $module:ident) => {
        $crate::json_schema_impl!($type, $module, json_schema);
    };
    ($type:ty, $module:ident, $function:ident) => {
        impl $crate::__private::schemars::JsonSchema for $type {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::stringify!($type))
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(
                    ::std::module_path!(),
                    "::",
                    ::std::stringify!($type)
                ))
            }

            fn json_schema(
                generator: &mut $crate::__private::schemars::SchemaGenerator,
            ) -> $crate::__private::schemars::Schema {
                $crate::$module::$function::<$type>(generator)
            }
        }
    };
}

/// The serde and schemars impls of a generated object type, which all call the functions
/// above.
#[doc(hidden)]
#[macro_export]
macro_rules! record {
    ($type:ty) => {
        impl $crate::__private::serde::Serialize for $type {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::__private::record::serialize(self, serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::record::deserialize(deserializer)
            }
        }

        $crate::json_schema_impl!($type, record);
    };
}

#[cfg(test)]
mod tests {
    use crate::__private as rt;
    use crate::{Extensions, Nullable};

    /// What the generator writes for `{required: [id], properties: {id: string, note:
    /// {type: string, nullable: true}}}`, by hand.
    #[derive(Debug, PartialEq)]
    struct Note {
        id: String,
        note: Nullable<String>,
        extra: Extensions,
    }

    impl rt::Record for Note {
        const INFO: &'static rt::RecordInfo = &rt::RecordInfo {
            origin: "note",
            description: None,
            fields: &[
                rt::required::<String>("id"),
                rt::optional::<Nullable<String>>("note"),
            ],
        };
        type Extra = Extensions;
        fn decode<'de, A: rt::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
            let mut s: (_, _) = Default::default();
            let read = |i, map: &mut A| match i {
                0 => rt::read_slot(map, &mut s.0),
                1 => rt::read_slot(map, &mut s.1),
                _ => Ok(true),
            };
            let extra = Self::visit(map, read)?;
            match (s.0,) {
                (Some(id),) => Ok(Self {
                    extra,
                    id,
                    note: s.1,
                }),
                (id,) => Err(rt::missing_field::<A>(&[(id.is_none(), "id")])),
            }
        }
        fn encode<M: rt::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
            rt::write_always(map, "id", &self.id)?;
            rt::write_present(map, "note", &self.note)?;
            rt::Extra::write(&self.extra, map)
        }
    }
    crate::record!(Note);

    fn decode(text: &str) -> Result<Note, String> {
        crate::from_str::<Note>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_loop_fills_fields_keeps_the_rest_and_writes_both_back() {
        let text = r##"{"x":[1e400],"note":null,"id":"a","@odata.type":"#n"}"##;
        let note = decode(text).expect("decodes");
        assert_eq!(note.id, "a");
        assert!(note.note.is_null());
        assert_eq!(note.extra.keys().collect::<Vec<_>>(), ["x", "@odata.type"]);
        // Named properties first, in schema order; the rest as sent.
        let again = serde_json::to_string(&note).expect("encodes");
        assert_eq!(
            again,
            r##"{"id":"a","note":null,"x":[1e400],"@odata.type":"#n"}"##
        );
    }

    #[test]
    fn the_loop_refuses_what_cannot_be_kept() {
        assert_eq!(
            decode(r#"{"note":"n"}"#).unwrap_err(),
            "missing field `id` at line 1 column 12"
        );
        let duplicate = decode(r#"{"id":"a","id":"b"}"#).unwrap_err();
        assert!(duplicate.starts_with("duplicate field `id`"), "{duplicate}");
        let unknown_twice = decode(r#"{"id":"a","x":1,"x":1}"#).unwrap_err();
        assert!(
            unknown_twice.contains("duplicate field `x`"),
            "{unknown_twice}"
        );
        let not_an_object = decode("[]").unwrap_err();
        assert!(
            not_an_object.contains("expected a `note` object"),
            "{not_an_object}"
        );
    }

    #[test]
    fn the_schema_says_what_the_loop_does() {
        let schema = serde_json::to_value(schemars::schema_for!(Note)).expect("json");
        assert_eq!(schema["required"], serde_json::json!(["id"]));
        assert_eq!(schema["additionalProperties"], serde_json::json!(true));
        assert_eq!(
            schema["properties"]["note"]["anyOf"][1],
            serde_json::json!({"type": "null"})
        );
    }
}
