//! The parsed tree, built with numbers of any size. serde_norway's own `Value` refuses an
//! integer outside `i64` and `u64` (`minimum: -9223372036854776000`, `maximum:
//! 18446744073709551616`): the whole document would fail to parse for one keyword. Here such
//! an integer is read as the nearest `f64`, which is what a JSON reader makes of it too. Only
//! keywords the generator does not enforce (`minimum`, `maximum`, `multipleOf`) or values it
//! keeps as JSON (`default`, examples) hold numbers that large in practice, so nothing
//! generated changes meaning. Everything else is built exactly as serde_norway builds it:
//! key order kept, a duplicate key refused with serde_norway's own message (which
//! `parse_problem` reads), tags kept.

use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};
use serde_norway::value::{Tag, TaggedValue};
use serde_norway::{Mapping, Number, Value};
use std::fmt;

/// A parsed node: deserializing one builds the tree below it.
pub(super) struct Node(pub Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor).map(Node)
    }
}

struct NodeVisitor;

impl<'de> de::Visitor<'de> for NodeVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    // The nearest `f64`, as a JSON reader reads an integer past 64 bits.
    #[allow(clippy::cast_precision_loss)]
    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Value, E> {
        Ok(Value::Number(Number::from(i as f64)))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Value, E> {
        Ok(Value::Number(Number::from(u as f64)))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Number(f.into()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Node::deserialize(deserializer).map(|node| node.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut sequence = Vec::with_capacity(items.size_hint().unwrap_or(0).min(1024));
        while let Some(Node(item)) = items.next_element()? {
            sequence.push(item);
        }
        Ok(Value::Sequence(sequence))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut mapping = Mapping::new();
        while let Some(Node(key)) = entries.next_key()? {
            if mapping.contains_key(&key) {
                return Err(de::Error::custom(duplicate_entry(&key)));
            }
            let Node(value) = entries.next_value()?;
            mapping.insert(key, value);
        }
        Ok(Value::Mapping(mapping))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (tag, contents): (String, _) = data.variant()?;
        if tag.is_empty() {
            return Err(de::Error::custom("empty YAML tag is not allowed"));
        }
        let Node(value) = contents.newtype_variant()?;
        Ok(Value::Tagged(Box::new(TaggedValue {
            tag: Tag::new(tag),
            value,
        })))
    }
}

/// serde_norway's text for a duplicate key, word for word: `duplicate_key` reads it back.
fn duplicate_entry(key: &Value) -> String {
    match key {
        Value::Null => "duplicate entry with null key".to_owned(),
        Value::Bool(b) => format!("duplicate entry with key `{b}`"),
        Value::Number(n) => format!("duplicate entry with key {n}"),
        Value::String(s) => format!("duplicate entry with key {s:?}"),
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => {
            "duplicate entry in YAML map".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use serde_norway::Value;

    #[test]
    fn integers_past_64_bits_are_read_as_the_nearest_float() {
        let doc = parse("min: -9223372036854776000\nmax: 18446744073709551616\nsmall: -3\nbig: 18446744073709551615\n")
            .expect("parses");
        let number = |key: &str| doc.get(key).and_then(Value::as_f64);
        assert_eq!(number("min"), Some(-9.223_372_036_854_776e18));
        assert_eq!(number("max"), Some(1.844_674_407_370_955_2e19));
        assert_eq!(doc.get("small").and_then(Value::as_i64), Some(-3));
        assert_eq!(
            doc.get("big").and_then(Value::as_u64),
            Some(18_446_744_073_709_551_615)
        );
        // Past 128 bits too (the parser reads those as floats itself), and in JSON.
        let doc = parse(r#"{"a": 340282366920938463463374607431768211456}"#).expect("parses");
        assert!(doc.get("a").and_then(Value::as_f64).is_some());
    }

    #[test]
    fn tags_and_key_order_are_kept() {
        let doc = parse("b: !custom 1\na: [1, {c: d}]\n").expect("parses");
        let keys: Vec<&str> = doc
            .as_mapping()
            .map(|m| m.keys().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["b", "a"]);
        assert!(matches!(doc.get("b"), Some(Value::Tagged(_))));
    }
}
