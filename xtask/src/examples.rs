//! The models crate's test of the examples a document embeds: `tests/examples.rs`, a dispatch
//! table from each example's type to the runtime's round trip
//! (`openapi_models_runtime::__private::round_trip`: decode, encode again, compare as JSON), and
//! its data, `tests/examples.json`. Which examples there are, and their types, lowering
//! decided ([`crate::model::Examples`]); this file only prints them.

use crate::emit_models::ty_text;
use crate::model::Examples;

/// The models crate's test of its examples: `tests/examples.rs`, one dispatch arm per type,
/// and its data, `tests/examples.json` (every example with its pointer and type, read when
/// the test runs, so even thousands of examples add little to the build). `None` when there is
/// nothing to check.
pub fn test_files(
    examples: &Examples,
    models_crate: &str,
    schema_label: &str,
) -> Option<Result<(String, String), syn::Error>> {
    if examples.checked.is_empty() {
        return None;
    }
    Some(test_source(examples, models_crate, schema_label).map(|rs| (rs, data(examples))))
}

fn test_source(
    examples: &Examples,
    models_crate: &str,
    schema_label: &str,
) -> Result<String, syn::Error> {
    use quote::quote;
    let types: std::collections::BTreeSet<String> =
        examples.checked.iter().map(|e| ty_text(&e.ty)).collect();
    let arms = types
        .iter()
        .map(|name| {
            let ty: syn::Type = syn::parse_str(name)?;
            Ok(quote! { #name => round_trip::<#ty>(json), })
        })
        .collect::<Result<Vec<_>, syn::Error>>()?;
    let mut summary = format!(
        " Every example embedded in the document ({} to check, of {} types), decoded into its\n generated type and encoded again: it must come back equal as JSON.",
        examples.checked.len(),
        types.len()
    );
    if examples.repeated > 0 {
        summary.push_str(&format!(
            "\n\n {} more repeat one of these (same value, same type).",
            examples.repeated
        ));
    }
    if !examples.skipped.is_empty() {
        summary.push_str("\n\n Not checked:");
        for (reason, n) in &examples.skipped {
            summary.push_str(&format!("\n - {n}: {reason}"));
        }
    }
    let models = syn::Ident::new(models_crate, proc_macro2::Span::call_site());
    let doc_lines = summary.lines().map(|line| quote! { #![doc = #line] });
    let items = [
        quote! {
            #(#doc_lines)*
            // Every example may be of a std type (`String`, `Vec<i64>`).
            #[allow(unused_imports)]
            use #models::*;
        },
        quote! {
        #[test]
        fn examples_round_trip() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/examples.json");
            let data = std::fs::read_to_string(path).expect("tests/examples.json is readable");
            if let Err(report) = openapi_models_runtime::__private::check_examples(&data, check) {
                panic!("{report}");
            }
        }
        },
        quote! {
        /// Checks one example as the type its data names.
        fn check(rust_type: &str, json: &str) -> Result<(), String> {
            use openapi_models_runtime::__private::round_trip;
            match rust_type {
                #(#arms)*
                other => Err(format!("no type `{other}` in this crate")),
            }
        }
        },
    ];
    let mut out = crate::write::header("//", schema_label);
    for item in items {
        out.push('\n');
        out.push_str(&crate::write::format_item(item)?);
    }
    Ok(out)
}

/// `[pointer, type, value]` per example, one a line.
fn data(examples: &Examples) -> String {
    let mut out = String::from("[\n");
    for (i, example) in examples.checked.iter().enumerate() {
        let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
        out.push_str(&format!(
            "[{}, {}, {}]{}\n",
            quoted(&example.pointer),
            quoted(&ty_text(&example.ty)),
            example.json,
            if i + 1 < examples.checked.len() {
                ","
            } else {
                ""
            }
        ));
    }
    out.push_str("]\n");
    out
}
