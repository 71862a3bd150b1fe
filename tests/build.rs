//! Generates the models and the client code of every valid generator fixture
//! (tests/fixtures/valid) into OUT_DIR, so that `src/lib.rs` compiles it: a fixture whose
//! generated code does not compile fails the build of the tests. Fixture `NAME`'s models are
//! the module `fixtures::NAME`, its client `fixtures::NAME::client`, its server
//! `fixtures::NAME::server`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let fixtures = Path::new("fixtures/valid");
    println!("cargo::rerun-if-changed={}", fixtures.display());
    println!("cargo::rerun-if-changed=../xtask/src");
    println!("cargo::rerun-if-changed=../xtask/templates");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut entries: Vec<_> = std::fs::read_dir(fixtures)
        .expect("tests/fixtures/valid exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    let mut modules = String::new();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("fixture names are UTF-8")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let label = format!("tests/fixtures/valid/{name}.yaml");
        let model = xtask::model_from_text(&text, path.parent()).unwrap_or_else(|problems| {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            panic!("valid fixture {name} has problems:\n{}", list.join("\n"));
        });
        let models_path = format!("crate::fixtures::{name}");
        let example_models = format!("tests::fixtures::{name}");
        let example_client = format!("tests::fixtures::{name}::client");
        let context = xtask::emit_client::ClientContext {
            models_path: &models_path,
            example_models: &example_models,
            example_client: &example_client,
        };
        let sources = [
            xtask::models_from_model(&model, &label),
            xtask::client_from_model(&model, &label, &context),
            xtask::server_from_model(&model, &label, &context),
        ];
        for (source, file) in sources.into_iter().zip([
            format!("{name}.rs"),
            format!("{name}_client.rs"),
            format!("{name}_server.rs"),
        ]) {
            let source = source.unwrap_or_else(|p| panic!("{name}: {p:?}"));
            std::fs::write(Path::new(&out_dir).join(file), source).expect("OUT_DIR is writable");
        }
        writeln!(
            modules,
            "pub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\")); pub mod client {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}_client.rs\")); }} pub mod server {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}_server.rs\")); }} }}"
        )
        .expect("writing to a String");
    }
    std::fs::write(Path::new(&out_dir).join("fixtures.rs"), modules).expect("OUT_DIR is writable");
    presence_agreement(&out_dir);
}

/// The presence schema's client and mock held to each other (`tests/suite/agreement.rs`
/// includes it): the test standalone output writes as `client/tests/agreement.rs`.
fn presence_agreement(out_dir: &str) {
    let schema = Path::new("../schema/presence.yaml");
    println!("cargo::rerun-if-changed=../schema");
    let text = std::fs::read_to_string(schema).expect("the presence schema is readable");
    let model =
        xtask::model_from_text(&text, schema.parent()).expect("the presence schema is valid");
    let context = xtask::emit_client::ClientContext {
        models_path: "::graph_presence_models",
        example_models: "graph_presence_models",
        example_client: "graph_presence_client",
    };
    let crates = xtask::agreement::Crates {
        client: "graph_presence_client",
        server: "graph_presence_server",
        models: "::graph_presence_models",
    };
    let (source, _) =
        xtask::agreement_from_model(&model, "schema/presence.yaml", &context, &crates)
            .unwrap_or_else(|p| panic!("presence agreement: {p:?}"))
            .expect("the presence schema documents response examples");
    // Inner attributes and docs are the test file's; as a module's they would not be first.
    let source: String = source
        .lines()
        .filter(|l| !l.starts_with("//!") && !l.starts_with("#!["))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(Path::new(out_dir).join("presence_agreement.rs"), source)
        .expect("OUT_DIR is writable");
}
