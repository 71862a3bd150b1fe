//! Properties a schema does not name: [`PropertyMap`], an insertion-ordered map backed by a
//! vector, and [`RawJson`], a value kept as its exact JSON text.

use serde::de::{Deserialize, Deserializer, MapAccess};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use thin_vec::ThinVec;

/// A JSON value kept as the exact text it was read from: numbers of any size or precision,
/// duplicate keys inside objects and white space all survive a round trip.
///
/// Equality compares the text. Reading the text needs serde_json's deserializer (it is
/// serde_json's `RawValue`): decode generated types with `from_str`, `from_slice` or
/// `serde_json::from_*`, not another serde format.
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text of a serializable value.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawJson)
    }

    /// Checks that `json` is one JSON value and keeps it as it is.
    pub fn from_json(json: impl Into<String>) -> Result<Self, serde_json::Error> {
        RawValue::from_string(json.into()).map(RawJson)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Decodes the text into a type (`serde_json::Value` for a generic view).
    pub fn decode<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

/// A `serde_json::Value` as JSON text (`json!({...})` wherever a `RawJson` is taken).
impl From<serde_json::Value> for RawJson {
    fn from(value: serde_json::Value) -> Self {
        // Writing a Value cannot fail (its keys are strings), and its text is valid JSON.
        let text = value.to_string();
        RawJson(RawValue::from_string(text).unwrap_or_else(|_| null()))
    }
}

fn null() -> Box<RawValue> {
    RawValue::NULL.to_owned()
}

impl Clone for RawJson {
    fn clone(&self) -> Self {
        RawJson(self.0.clone())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

impl Hash for RawJson {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawJson)
    }
}

impl schemars::JsonSchema for RawJson {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "AnyValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::from(true)
    }
}

/// Properties keyed by name, in the order they were read or inserted. Keys are unique.
///
/// A vector, not a tree: the objects Graph sends carry one or two such properties
/// (`@odata.type`, a property newer than the schema), and a vector costs one allocation for
/// them and keeps their order. A thin one: an empty map is one null pointer wide.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PropertyMap<V> {
    entries: ThinVec<(Key, V)>,
}

/// A property name: OData's annotations, which nearly every Graph object carries, are static
/// strings, so keeping them costs no allocation; any other name is owned.
type Key = Cow<'static, str>;

/// The annotation names Graph writes on objects (OData JSON format, section 4.5).
const ANNOTATIONS: &[&str] = &[
    "@odata.type",
    "@odata.context",
    "@odata.id",
    "@odata.etag",
    "@odata.editLink",
    "@odata.readLink",
    "@odata.nextLink",
    "@odata.deltaLink",
    "@odata.count",
    "@odata.mediaContentType",
    "@odata.mediaEditLink",
    "@odata.mediaReadLink",
    "@odata.mediaEtag",
];

fn key(name: Cow<'_, str>) -> Key {
    match ANNOTATIONS.iter().find(|a| **a == name) {
        Some(annotation) => Cow::Borrowed(annotation),
        None => Cow::Owned(name.into_owned()),
    }
}

/// The properties an open object does not name, each kept as its JSON text.
pub type Extensions = PropertyMap<RawJson>;

impl<V> PropertyMap<V> {
    /// An empty map (no allocation).
    pub fn new() -> Self {
        PropertyMap {
            entries: ThinVec::new(),
        }
    }

    /// How many properties there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of a property.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The value of a property, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    /// True when the property is there.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets a property, keeping its place if it was there already; returns the old value.
    pub fn insert(&mut self, key: impl Into<String>, value: V) -> Option<V> {
        let key = key.into();
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.entries.push((self::key(Cow::Owned(key)), value));
                None
            }
        }
    }

    /// Removes a property, keeping the order of the rest.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    /// The properties in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// The names in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| **k == *key)
    }
}

impl<V> Default for PropertyMap<V> {
    fn default() -> Self {
        PropertyMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for PropertyMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V> FromIterator<(K, V)> for PropertyMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = PropertyMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Into<String>, V> Extend<(K, V)> for PropertyMap<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<V> IntoIterator for PropertyMap<V> {
    type Item = (String, V);
    type IntoIter = std::iter::Map<thin_vec::IntoIter<(Key, V)>, fn((Key, V)) -> (String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().map(|(k, v)| (k.into_owned(), v))
    }
}

impl<V: schemars::JsonSchema> schemars::JsonSchema for PropertyMap<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let values = generator.subschema_for::<V>();
        schemars::json_schema!({ "type": "object", "additionalProperties": values })
    }
}

impl<V: Serialize> Serialize for PropertyMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        self.write_entries(&mut map)?;
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for PropertyMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for MapVisitor<V> {
            type Value = PropertyMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = PropertyMap::new();
                let mut seen = KeyIndex::default();
                while let Some(key) = access.next_key::<crate::decode::Text<'de>>()? {
                    map.read_entry(key.0, &mut access, &mut seen)?;
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

impl<V> PropertyMap<V> {
    /// Reads one property's value while decoding; a name read twice is an error (a JSON object
    /// with a duplicate key cannot be kept losslessly).
    pub(crate) fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: Cow<'de, str>,
        access: &mut A,
        seen: &mut KeyIndex,
    ) -> Result<(), A::Error>
    where
        V: Deserialize<'de>,
    {
        if seen.is_duplicate(&key, &self.entries) {
            return Err(serde::de::Error::custom(format_args!(
                "duplicate field {}",
                crate::decode::quote(&key)
            )));
        }
        let value = access.next_value()?;
        if self.entries.is_empty() {
            // Most objects carry one such property: room for exactly one, not thin-vec's four.
            self.entries.reserve_exact(1);
        }
        self.entries.push((self::key(key), value));
        Ok(())
    }

    pub(crate) fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>
    where
        V: Serialize,
    {
        for (key, value) in &self.entries {
            map.serialize_entry(&**key, value)?;
        }
        Ok(())
    }
}

/// Finds duplicate names while decoding: a scan for the first few, then hashes, so that an
/// object with thousands of unknown properties does not cost quadratic time.
#[derive(Default)]
#[doc(hidden)]
pub struct KeyIndex {
    hashes: Option<(RandomState, HashSet<u64>)>,
}

impl KeyIndex {
    const SCAN: usize = 16;

    fn is_duplicate<V>(&mut self, key: &str, entries: &[(Key, V)]) -> bool {
        if entries.len() < Self::SCAN {
            return entries.iter().any(|(k, _)| **k == *key);
        }
        let (state, hashes) = self.hashes.get_or_insert_with(|| {
            let state = RandomState::new();
            let hashes = entries.iter().map(|(k, _)| state.hash_one(&**k)).collect();
            (state, hashes)
        });
        // A repeated hash is checked by a scan: collisions are rare, repeats are errors.
        !hashes.insert(state.hash_one(key)) && entries.iter().any(|(k, _)| **k == *key)
    }
}

#[cfg(test)]
mod tests {
    use super::{Extensions, PropertyMap, RawJson};

    #[test]
    fn keeps_order_and_text_and_refuses_duplicates_at_any_size() {
        for count in [1, 15, 16, 17, 200] {
            let entries: Vec<String> = (0..count).map(|i| format!(r#""k{i}":{i}.50"#)).collect();
            let text = format!("{{{}}}", entries.join(","));
            let map: Extensions = serde_json::from_str(&text).expect("decodes");
            assert_eq!(map.len(), count);
            assert_eq!(
                serde_json::to_string(&map).expect("encodes"),
                text,
                "order and text"
            );
            // The same name again, first and last, past the scan and into the hashes.
            for again in ["k0", &format!("k{}", count - 1)] {
                let duplicate = format!("{},\"{again}\":1}}", &text[..text.len() - 1]);
                let error = serde_json::from_str::<Extensions>(&duplicate).expect_err("duplicate");
                assert!(error.to_string().contains("duplicate field"), "{error}");
            }
        }
    }

    #[test]
    fn a_map_is_edited_in_place() {
        let mut map = PropertyMap::new();
        assert!(map.insert("b", 1).is_none());
        assert!(map.insert("a", 2).is_none());
        assert_eq!(map.insert("b", 3), Some(1), "replaced where it was");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(map.remove("b"), Some(3));
        assert_eq!(map.get("a"), Some(&2));
        assert!(!map.contains_key("b"));
    }

    #[test]
    fn raw_values_compare_and_convert() {
        let raw = RawJson::from_json("[1, 2.50]").expect("valid");
        assert_eq!(raw.get(), "[1, 2.50]");
        assert_eq!(raw.decode::<Vec<f64>>().expect("numbers"), [1.0, 2.5]);
        assert!(RawJson::from_json("[1,").is_err());
        assert_eq!(
            RawJson::from(serde_json::json!({"a": 1})).get(),
            r#"{"a":1}"#
        );
        assert_eq!(
            std::mem::size_of::<Extensions>(),
            std::mem::size_of::<usize>()
        );
    }
}
