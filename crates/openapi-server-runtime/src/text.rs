//! Values read from text: a query, header or cookie parameter, a text body ([`from_text`]), and
//! a form body's pairs ([`from_form`]). The exact inverse of how the generated client writes
//! them: scalars as their `Display` text, enums as their wire text, an array as one value per
//! item (the caller splits joined ones), a form as `name=value` pairs with repeated names for
//! an array.

use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, Visitor};

/// A value of type `T` from its text. The text is read as JSON when it is a JSON number,
/// `true`, `false` or `null` and `T` takes that, and as a JSON string otherwise: so `5` is an
/// integer for an integer and the text `5` for a string, `Busy` an enum's value, and an
/// integer enum or a union of scalars gets what the client wrote for it.
pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let scalar = matches!(text.as_bytes().first(), Some(b'-' | b'0'..=b'9'))
        || matches!(text, "true" | "false" | "null");
    if scalar && let Ok(value) = serde_json::from_str::<T>(text) {
        return Ok(value);
    }
    let quoted = serde_json::Value::String(text.to_owned()).to_string();
    serde_json::from_str::<T>(&quoted).map_err(|e| without_position(&e))
}

/// serde_json's message without its " at line 1 column 9" (the text is one value, not JSON).
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A form body's `name=value` pairs (decoded) as a `T`: each property's text read as the type
/// the property has (an integer parsed, an enum by its wire text), a name given several times
/// an array. A property with no text form (an object, any JSON) is refused.
pub fn from_form<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, String> {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in pairs {
        match entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => entries.push((name, vec![value])),
        }
    }
    T::deserialize(Form { entries }).map_err(|e: Error| e.0)
}

/// The error of reading text: a message.
#[derive(Debug)]
struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        Error(message.to_string())
    }
}

/// A form: its names in order, each with its values.
struct Form {
    entries: Vec<(String, Vec<String>)>,
}

impl<'de> Deserializer<'de> for Form {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(FormMap {
            entries: self.entries.into_iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct FormMap {
    entries: std::vec::IntoIter<(String, Vec<String>)>,
    value: Option<(String, Vec<String>)>,
}

impl<'de> MapAccess<'de> for FormMap {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((name, values)) = self.entries.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(name.clone().into_deserializer())?;
        self.value = Some((name, values));
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (name, values) = self
            .value
            .take()
            .ok_or_else(|| Error("a value without its name".to_owned()))?;
        let field = openapi_models_runtime::excerpt(&name, 60);
        seed.deserialize(Texts { values })
            .map_err(|Error(message)| Error(format!("`{field}`: {message}")))
    }
}

/// Reads one value as the type asked for (a name given several times is refused).
macro_rules! one_value {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.one()?.$method(visitor)
        }
    )*};
}

/// The values a form gave one name.
struct Texts {
    values: Vec<String>,
}

impl Texts {
    fn one(mut self) -> Result<Text, Error> {
        match self.values.len() {
            1 => Ok(Text(self.values.remove(0))),
            n => Err(Error(format!("given {n} times"))),
        }
    }
}

impl<'de> Deserializer<'de> for Texts {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.one()?.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(de::value::SeqDeserializer::new(
            self.values.into_iter().map(Text),
        ))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.one()?.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.one()?.deserialize_enum(name, variants, visitor)
    }

    one_value! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple tuple_struct map
        struct identifier ignored_any
    }
}

/// One value's text, read as the type asked for.
struct Text(String);

impl<'de> IntoDeserializer<'de, Error> for Text {
    type Deserializer = Text;

    fn into_deserializer(self) -> Text {
        self
    }
}

macro_rules! parse {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let value: $ty = self.0.parse().map_err(|_| {
                Error(format!("expected {}, found `{}`", stringify!($ty), openapi_models_runtime::excerpt(&self.0, 60)))
            })?;
            visitor.$visit(value)
        }
    )*};
}

impl<'de> Deserializer<'de> for Text {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.0)
    }

    parse! {
        deserialize_bool => visit_bool: bool,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0
            .into_deserializer()
            .deserialize_enum(name, variants, visitor)
            .map_err(|e: de::value::Error| Error(e.to_string()))
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::{from_form, from_text};
    use std::collections::BTreeMap;

    #[test]
    fn text_is_read_as_the_type_asks() {
        assert_eq!(from_text::<i32>("5"), Ok(5));
        assert_eq!(from_text::<String>("5"), Ok("5".to_owned()));
        assert_eq!(from_text::<String>(" 5"), Ok(" 5".to_owned()));
        assert_eq!(from_text::<String>("null"), Ok("null".to_owned()));
        assert_eq!(from_text::<bool>("true"), Ok(true));
        assert_eq!(from_text::<f64>("1.5"), Ok(1.5));
        assert_eq!(
            from_text::<String>("a \"quoted\" \\ value"),
            Ok("a \"quoted\" \\ value".to_owned())
        );
        let error = from_text::<i32>("five").unwrap_err();
        assert_eq!(error, "invalid type: string \"five\", expected i32");
        assert!(from_text::<u8>("300").is_err());
    }

    #[test]
    fn a_form_reads_each_field_as_its_type_and_repeated_names_as_arrays() {
        #[derive(Debug, PartialEq)]
        struct Note {
            count: i32,
            tags: Vec<String>,
            flag: Option<bool>,
        }
        // A hand-written record, read as generated ones read a map.
        impl<'de> serde::Deserialize<'de> for Note {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Note;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a note")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Note, A::Error> {
                        let mut note = Note {
                            count: 0,
                            tags: Vec::new(),
                            flag: None,
                        };
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                "count" => note.count = map.next_value()?,
                                "tags" => note.tags = map.next_value()?,
                                "flag" => note.flag = map.next_value()?,
                                _ => return Err(serde::de::Error::unknown_field(&key, &[])),
                            }
                        }
                        Ok(note)
                    }
                }
                d.deserialize_map(V)
            }
        }
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            from_form::<Note>(pairs(&[
                ("count", "3"),
                ("tags", "a"),
                ("flag", "true"),
                ("tags", "b c")
            ])),
            Ok(Note {
                count: 3,
                tags: vec!["a".to_owned(), "b c".to_owned()],
                flag: Some(true),
            })
        );
        let twice = from_form::<Note>(pairs(&[("count", "3"), ("count", "4")])).unwrap_err();
        assert!(twice.contains("given 2 times"), "{twice}");
        let bad = from_form::<Note>(pairs(&[("count", "three")])).unwrap_err();
        assert!(bad.contains("expected i32"), "{bad}");
        let map = from_form::<BTreeMap<String, String>>(pairs(&[("a", "1")]));
        assert_eq!(map.map(|m| m["a"].clone()), Ok("1".to_owned()));
    }
}
