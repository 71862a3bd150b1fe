//! Generates the models code of every valid generator fixture (tests/fixtures/valid) into
//! OUT_DIR, so that `src/lib.rs` compiles it: a fixture whose generated code does not compile
//! fails the build of the tests.

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
        let source = match xtask::models_source(
            &text,
            path.parent(),
            &format!("tests/fixtures/valid/{name}.yaml"),
        ) {
            Ok(source) => source,
            Err(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                panic!("valid fixture {name} has problems:\n{}", list.join("\n"));
            }
        };
        std::fs::write(Path::new(&out_dir).join(format!("{name}.rs")), source)
            .expect("OUT_DIR is writable");
        writeln!(
            modules,
            "pub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\")); }}"
        )
        .expect("writing to a String");
    }
    std::fs::write(Path::new(&out_dir).join("fixtures.rs"), modules).expect("OUT_DIR is writable");
}
