//! The installed tool, run as a user runs it: from a folder outside this repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tool(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openapi-to-rust"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the tool runs")
}

/// A fresh folder outside the repository.
fn outside(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openapi-to-rust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_names_every_version_it_reads() {
    let dir = outside("help");
    for args in [&["--help"][..], &[], &["generate", "--help"]] {
        let output = tool(&dir, args);
        assert!(output.status.success());
        let help = text(&output.stdout);
        assert!(help.contains("OpenAPI 3.0, 3.1 or 3.2"), "{help}");
        assert!(help.contains("generate DOC --out DIR"), "{help}");
        assert!(help.contains("--flavour graph|plain"), "{help}");
        assert!(help.contains("--tag-features auto|always|never"), "{help}");
    }
    let version = tool(&dir, &["--version"]);
    assert!(text(&version.stdout).starts_with("openapi-to-rust 0."));
}

#[test]
fn a_document_gives_a_workspace_in_a_folder_outside_the_repository() {
    let dir = outside("petstore");
    let document = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/real-world/oai-v3.0-petstore.yaml");
    std::fs::copy(&document, dir.join("petstore.yaml")).expect("copied");
    let output = tool(&dir, &["generate", "petstore.yaml", "--out", "pets"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let manifest = std::fs::read_to_string(dir.join("pets/Cargo.toml")).expect("a workspace");
    assert!(manifest.contains("[workspace]"), "{manifest}");
    for (folder, package) in [
        ("models", "pets-models"),
        ("client", "pets-client"),
        ("server", "pets-server"),
    ] {
        let path = dir.join("pets").join(folder).join("Cargo.toml");
        let crate_manifest =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{folder}: {e}"));
        let named = format!("name = \"{package}\"");
        assert!(crate_manifest.contains(&named), "{crate_manifest}");
    }
    assert!(
        dir.join("pets/runtime").is_dir(),
        "the runtime crates are vendored"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_document_gets_its_errors_with_pointers_and_nothing_is_written() {
    let dir = outside("broken");
    std::fs::write(
        dir.join("broken.yaml"),
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    )
    .expect("written");
    let output = tool(&dir, &["generate", "broken.yaml", "--out", "out"]);
    assert_eq!(output.status.code(), Some(1));
    let errors = text(&output.stderr);
    assert!(errors.contains("/paths/~1a/get/responses/200"), "{errors}");
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn usage_mistakes_are_refused_with_the_usage() {
    let dir = outside("usage");
    for (args, says) in [
        (&["generate", "doc.yaml"][..], "needs --out"),
        (&["generate", "--out", "x"], "needs a document"),
        (
            &["generate", "a.yaml", "b.yaml", "--out", "x"],
            "one document",
        ),
        (&["generate", "a.yaml", "--out"], "--out needs a value"),
        (
            &["generate", "a.yaml", "--out", "x", "--flavour"],
            "--flavour needs a value",
        ),
        (
            &["generate", "a.yaml", "--out", "x", "--tag-features"],
            "--tag-features needs a value",
        ),
        (
            &["generate", "a.yaml", "--out", "x", "--bogus\u{1b}[2J"],
            "unknown argument",
        ),
        (&["make"], "unknown command"),
    ] {
        let output = tool(&dir, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let errors = text(&output.stderr);
        assert!(
            errors.contains(says) && errors.contains("usage:"),
            "{errors}"
        );
        assert!(
            !errors.contains('\u{1b}'),
            "no raw control characters: {errors:?}"
        );
    }
}
