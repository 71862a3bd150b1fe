//! The round trip a generated crate's example test runs on each embedded example: decode it
//! into its generated type, encode it again, and compare the two as JSON. The generated test
//! only names the types (a dispatch table); the algorithm is here, tested in place.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Checks every example of a generated crate's `tests/examples.json`, a JSON array of
/// `[pointer, type, value]`, with `check` (the test's dispatch on the type's name, which
/// calls [`round_trip`]). `Ok` gives how many were checked; `Err` a report: a count line, then
/// one `round-trip failure: {pointer} ({type}): {error}` line per failure.
pub fn check_examples(
    data: &str,
    check: impl Fn(&str, &str) -> Result<(), String>,
) -> Result<usize, String> {
    let examples: Vec<(String, String, Box<serde_json::value::RawValue>)> =
        serde_json::from_str(data).map_err(|e| format!("the examples file does not read: {e}"))?;
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|(pointer, rust_type, json)| {
            let error = check(rust_type, json.get()).err()?;
            Some(format!(
                "round-trip failure: {pointer} ({rust_type}): {error}"
            ))
        })
        .collect();
    if failures.is_empty() {
        return Ok(examples.len());
    }
    Err(format!(
        "{} of {} examples do not round-trip:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    ))
}

/// Decodes `json` as a `T`, encodes it again, and compares the two as JSON values: the error
/// says why it does not decode, or the JSON pointer where the two differ.
pub fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Result<(), String> {
    let value: T = crate::from_str(json).map_err(|e| e.to_string())?;
    let again = serde_json::to_value(&value).map_err(|e| e.to_string())?;
    let sent: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    match difference(&sent, &again, String::new()) {
        None => Ok(()),
        Some(at) => Err(format!("decodes, but encodes differently at `{at}`")),
    }
}

/// Whether a value agrees with a documented example: encoded, it equals the example as JSON
/// (an integer equal to its exact float); the error names where they first differ.
pub fn agrees<T: Serialize + ?Sized>(value: &T, example: &str) -> Result<(), String> {
    let value = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let example: Value = serde_json::from_str(example).map_err(|e| e.to_string())?;
    match difference(&example, &value, String::new()) {
        None => Ok(()),
        Some(at) => Err(format!("differs from the example at `{at}`")),
    }
}

/// Whether bytes received decode as a `T` that agrees with the example ([`agrees`]).
pub fn decodes_to<T: DeserializeOwned + Serialize>(
    received: &[u8],
    example: &str,
) -> Result<(), String> {
    let value: T = crate::from_slice(received).map_err(|e| e.to_string())?;
    agrees(&value, example)
}

/// The JSON pointer of the first place where `sent` and `again` differ, below `at`.
fn difference(sent: &Value, again: &Value, at: String) -> Option<String> {
    use Value::{Array, Number, Object};
    match (sent, again) {
        (Object(a), Object(b)) => a
            .iter()
            .find_map(|(key, value)| match b.get(key) {
                Some(other) => difference(value, other, format!("{at}/{key}")),
                None => Some(format!("{at}/{key} (dropped)")),
            })
            .or_else(|| {
                let added = b.keys().find(|key| !a.contains_key(*key))?;
                Some(format!("{at}/{added} (added)"))
            }),
        (Array(a), Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, format!("{at}/{i}"))),
        _ if sent == again => None,
        (Number(a), Number(b)) if same_integer(a, b) || same_integer(b, a) => None,
        _ => Some(if at.is_empty() { "/".to_owned() } else { at }),
    }
}

/// An integer and a float of exactly its value: a `number` property is an `f64`, which keeps
/// the value `2` and writes it as `2.0`. Only exact integers below 2^53 count, so a value the
/// float lost (`1e-400` read as `0.0`) is still a difference.
fn same_integer(int: &serde_json::Number, float: &serde_json::Number) -> bool {
    match (int.as_i64(), float.as_f64()) {
        (Some(i), Some(f)) if float.is_f64() => {
            f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 && f as i64 == i
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{agrees, check_examples, decodes_to, difference, round_trip};
    use serde_json::{Value, json};

    fn differ(a: Value, b: Value) -> Option<String> {
        difference(&a, &b, String::new())
    }

    #[test]
    fn the_first_difference_is_named_by_its_pointer() {
        assert_eq!(
            differ(json!({"a": [1, {"b": 2}]}), json!({"a": [1, {"b": 2}]})),
            None
        );
        assert_eq!(
            differ(json!({"a": [1, {"b": 2}]}), json!({"a": [1, {"b": 3}]})),
            Some("/a/1/b".to_owned())
        );
        assert_eq!(
            differ(json!({"a": 1, "b": 2}), json!({"a": 1})),
            Some("/b (dropped)".to_owned())
        );
        assert_eq!(
            differ(json!({"a": 1}), json!({"a": 1, "c": 3})),
            Some("/c (added)".to_owned())
        );
        assert_eq!(differ(json!([1, 2]), json!([1])), Some("/".to_owned()));
        assert_eq!(differ(json!("x"), json!(null)), Some("/".to_owned()));
    }

    #[test]
    fn an_integer_equals_its_exact_float_and_nothing_else() {
        assert_eq!(differ(json!(2), json!(2.0)), None);
        assert_eq!(differ(json!(2.0), json!(2)), None);
        assert_eq!(differ(json!(2), json!(2.5)), Some("/".to_owned()));
        // Beyond 2^53 a float no longer holds every integer.
        assert_eq!(
            differ(
                json!(9_007_199_254_740_993_i64),
                json!(9_007_199_254_740_992.0)
            ),
            Some("/".to_owned())
        );
    }

    #[test]
    fn round_trips_report_decoding_and_encoding_differences() {
        assert_eq!(round_trip::<Value>(r#"{"a":[1,2]}"#), Ok(()));
        assert_eq!(round_trip::<i64>("2"), Ok(()));
        let error = round_trip::<i64>(r#""2""#).unwrap_err();
        assert!(error.contains("invalid type: string"), "{error}");
        // A type that keeps less than the value: an f32 writes 0.1 back as 0.10000000149….
        assert_eq!(
            round_trip::<Vec<f32>>("[1, 0.1]"),
            Err("decodes, but encodes differently at `/1`".to_owned())
        );
    }

    #[test]
    fn values_and_received_bytes_agree_with_examples_or_say_where_not() {
        assert_eq!(agrees(&vec![1, 2], "[1, 2.0]"), Ok(()));
        assert_eq!(
            agrees(&vec![1, 3], "[1, 2]"),
            Err("differs from the example at `/1`".to_owned())
        );
        assert_eq!(decodes_to::<Vec<i64>>(b"[1,2]", "[1,2]"), Ok(()));
        let error = decodes_to::<Vec<i64>>(b"[\"a\"]", "[1]").unwrap_err();
        assert!(error.contains("invalid type"), "{error}");
    }

    #[test]
    fn a_report_counts_and_lists_each_failure() {
        let data = r#"[["/x/example", "i64", 1], ["/y/example", "i64", "no"]]"#;
        let check = |rust_type: &str, json: &str| match rust_type {
            "i64" => round_trip::<i64>(json),
            other => Err(format!("no type `{other}`")),
        };
        let report = check_examples(data, check).unwrap_err();
        assert!(
            report.starts_with("1 of 2 examples do not round-trip:\n"),
            "{report}"
        );
        assert!(
            report.contains("\nround-trip failure: /y/example (i64): invalid type: string"),
            "{report}"
        );
        assert_eq!(
            check_examples(r#"[["/x/example", "i64", 1]]"#, check),
            Ok(1)
        );
        assert!(check_examples("[", check).is_err());
    }
}
