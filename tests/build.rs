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
}
