//! Any valid JSON decodes and re-encodes to an equal document, in a build with serde_json's
//! default features: unknown properties are kept as their exact text, so numbers of any size
//! or precision, and duplicate keys inside unknown values, come back as they were sent.

use graph_presence_models::{Presence, from_str};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// This suite only proves something if serde_json's float parser is the default one, which is
/// not correctly rounded: `float_roundtrip` (turned on by jsonschema in the main workspace)
/// would hide the drift this suite guards against.
#[test]
fn this_build_has_the_default_float_parser() {
    // The issue's example: `978152.54328439290` re-encoded as `978152.5432843929`, which the
    // default parser reads one unit in the last place off (and re-encodes as `…28`).
    let text = "978152.5432843929";
    let std_parse: f64 = text.parse().expect("a number");
    let serde_parse: f64 = serde_json::from_str(text).expect("a number");
    assert_ne!(
        serde_parse.to_bits(),
        std_parse.to_bits(),
        "serde_json's float_roundtrip is on in this build: the suite no longer tests what users get"
    );
}

fn round_trip(text: &str) -> String {
    let presence: Presence = from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    serde_json::to_string(&presence).expect("encodes")
}

#[test]
fn the_values_that_used_to_drift_come_back_byte_for_byte() {
    for unknown in [
        "978152.54328439290",
        "123456789012345678901234567890",
        "-123456789012345678901234567890.000000000000000000001",
        "1e-400",
        "1E+400",
        "0.1",
        "-0",
        "-0.0",
        r#"{"k":1,"k":2}"#,
        r#"[{"a":{"a":{"a":[1e999]}}}]"#,
        r#""\u00e9\ud83d\ude00\n""#,
    ] {
        let text = format!(r#"{{"id":"a","x":{unknown}}}"#);
        assert_eq!(round_trip(&text), text, "{unknown}");
        // And again: a second cycle changes nothing either.
        assert_eq!(round_trip(&round_trip(&text)), text, "{unknown}");
    }
}

/// Compact JSON text of any shape, with the numbers and keys that break a `Value` round trip.
fn json_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        "-?(0|[1-9][0-9]{0,40})",
        "-?(0|[1-9][0-9]{0,20})\\.[0-9]{1,30}",
        "-?[1-9](\\.[0-9]{1,20})?[eE][+-]?[0-9]{1,4}",
    ];
    let string = "[a-z\\\\\"\u{e9}\u{1f600} ]{0,8}"
        .prop_map(|s| serde_json::to_string(&s).expect("a string"));
    let leaf = prop_oneof![
        number,
        string.clone(),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("null".to_owned()),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|items| format!("[{}]", items.join(","))),
            // Keys from a small set, so that duplicates are common.
            prop::collection::vec(("[abk]{1,2}", inner), 0..5).prop_map(|entries| {
                let entries: Vec<String> = entries
                    .into_iter()
                    .map(|(k, v)| format!(r#""{k}":{v}"#))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }),
        ]
    })
}

#[test]
fn any_unknown_value_survives_at_any_depth() {
    let mut runner = TestRunner::new(Config {
        cases: 3_000,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (json_text(), json_text(), json_text());
    runner
        .run(&strategy, |(top, in_status, in_settings)| {
            // Known properties first, in schema order, so the re-encoded text is comparable
            // byte for byte; unknown ones at the top level and inside nested objects.
            let text = format!(
                r#"{{"id":"a","outOfOfficeSettings":{{"isOutOfOffice":true,"later":{in_settings}}},"statusMessage":{{"publishedDateTime":"9999-12-31T23:59:60.1234567891Z","extra":{in_status}}},"x":{top},"y":{top}}}"#
            );
            prop_assert_eq!(round_trip(&text), text);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
