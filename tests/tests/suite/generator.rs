//! The generator: generated files are fresh, output is deterministic, every construct's output
//! is pinned by a snapshot (and compiled, by build.rs), and every malformed document gets its
//! full list of problems, with pointers, and no file written.

use std::path::Path;
use tests::root;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn fixtures(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = root().join("tests/fixtures").join(folder);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the xtask command line in-process.
fn xtask(args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::cli::run(args.iter().map(|a| a.to_string()), &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn generated_files_are_fresh() {
    let (code, out, err) = xtask(&["codegen", "--check"]);
    assert_eq!(
        code, 0,
        "generated files are stale; run `cargo xtask codegen`\n{out}{err}"
    );
}

#[test]
fn generation_is_deterministic() {
    let first = xtask::bundled_outputs(&root()).expect("the bundled schema is valid");
    let second = xtask::bundled_outputs(&root()).expect("the bundled schema is valid");
    assert_eq!(first, second);
    assert_eq!(first.warnings.list, [], "the bundled schema has warnings");
    for path in fixtures("valid") {
        let text = read(&path);
        let a = xtask::models_source(&text, path.parent(), "x");
        let b = xtask::models_source(&text, path.parent(), "x");
        assert_eq!(a, b, "{}", path.display());
    }
}

#[test]
fn check_mode_names_a_stale_file_and_the_fix() {
    let dir = std::env::temp_dir().join(format!("graph-presence-check-{}", std::process::id()));
    let out = dir.join("stale-models");
    let schema = root().join("tests/fixtures/valid/formats.yaml");
    let (schema, out_str) = (
        schema.to_string_lossy().into_owned(),
        out.to_string_lossy().into_owned(),
    );
    assert_eq!(
        xtask(&["codegen", "--schema", &schema, "--out", &out_str]).0,
        0
    );
    assert_eq!(
        xtask(&["codegen", "--check", "--schema", &schema, "--out", &out_str]).0,
        0
    );
    let generated = out.join("models/src/generated.rs");
    let edited = read(&generated).replace("pub struct Formats", "pub struct Edited");
    std::fs::write(&generated, edited).expect("writable");
    let (code, _, err) = xtask(&["codegen", "--check", "--schema", &schema, "--out", &out_str]);
    assert_eq!(code, 1);
    assert!(
        err.contains("stale")
            && err.contains("generated.rs")
            && err.contains("run `cargo xtask codegen`"),
        "{err}"
    );
    // Write mode repairs it.
    assert_eq!(
        xtask(&["codegen", "--schema", &schema, "--out", &out_str]).0,
        0
    );
    assert_eq!(
        xtask(&["codegen", "--check", "--schema", &schema, "--out", &out_str]).0,
        0
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `cargo fmt --check` must never rewrite generated code (its output would then depend on the
/// toolchain), so the hand-written crate roots include it with `#[rustfmt::skip]`. (The header
/// of generated files is not tested here: `write.rs` adds it to every file by construction,
/// and `check_mode_names_a_stale_file_and_the_fix` covers a generated file edited by hand.)
#[test]
fn bundled_crates_include_generated_code_unformatted() {
    for krate in [xtask::BUNDLED_MODELS_CRATE, xtask::BUNDLED_CLIENT_CRATE] {
        let lib = read(&root().join(krate).join("src/lib.rs"));
        assert!(
            lib.contains("#[rustfmt::skip]\nmod generated;"),
            "{krate}: generated code must be included with #[rustfmt::skip]"
        );
    }
}

/// Request builder type names stay unique when paths or operationIds collide after case
/// conversion (`/a-b` and `/aB/c`, `users.GetUser` and `users_GetUser`).
#[test]
fn client_type_names_are_unique() {
    let path = root().join("tests/fixtures/client_names.yaml");
    let context = xtask::emit_client::ClientContext {
        models_path: "::models",
        example_models: "models",
        example_client: "client",
    };
    let source = xtask::client_source(&read(&path), path.parent(), "client_names.yaml", &context)
        .expect("valid");
    let file = syn::parse_file(&source).expect("parses");
    let mut names: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "duplicate type names: {names:?}");
    assert!(count >= 8, "{names:?}");
}

/// One snapshot per fixture, named after its file (`fixture@arrays.yaml`); `glob!` runs them
/// all and reports every mismatch, so one does not hide the others.
#[test]
fn fixture_output_snapshots() {
    insta::glob!("../../fixtures", "valid/*.yaml", |path| {
        let name = stem(path);
        let source = xtask::models_source(
            &read(path),
            path.parent(),
            &format!("tests/fixtures/valid/{name}.yaml"),
        )
        .unwrap_or_else(|p| panic!("{name}: {p:?}"));
        // The support module is the same template in every fixture; snapshot only the types.
        let types = source.split("pub mod support {").next().unwrap_or_default();
        insta::assert_snapshot!("fixture", types);
    });
}

#[test]
fn malformed_schemas_report_every_problem_with_its_pointer() {
    insta::glob!("../../fixtures", "invalid/*.yaml", |path| {
        let problems = xtask::model_from_text(&read(path), path.parent()).expect_err(&stem(path));
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!("malformed", listed.join("\n"));
    });
}

#[test]
fn three_mistakes_are_all_reported_and_no_file_is_touched() {
    let dir = std::env::temp_dir().join(format!("graph-presence-bad-{}", std::process::id()));
    let out = dir.join("never-written");
    let schema = root().join("tests/fixtures/invalid/three_mistakes.yaml");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &schema.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.contains("has 3 problems"), "{err}");
    for pointer in [
        "/components/schemas/microsoft.graph.presence/properties/statusMessage/$ref: dangling `$ref`",
        "/components/schemas/microsoft.graph.presence/properties/availability/type: unknown type `strnig`",
        "/components/schemas/microsoft.graph.presence/properties/activity/nullable: `nullable` must be a boolean",
    ] {
        assert!(err.contains(pointer), "missing {pointer} in\n{err}");
    }
    assert!(!out.exists(), "nothing may be written for a bad schema");
    assert!(stdout.is_empty());
}

/// A document with errors still shows its warnings, after the errors; nothing is written.
#[test]
fn errors_are_followed_by_the_warnings_and_nothing_is_written() {
    let out = std::env::temp_dir().join(format!("graph-presence-both-{}", std::process::id()));
    let schema = root().join("tests/fixtures/invalid/errors_and_warnings.yaml");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &schema.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 1, "{stdout}{err}");
    let error = err
        .find("/paths/~1things/get/responses/200/content/application~1json/schema/$ref: dangling `$ref`")
        .unwrap_or_else(|| panic!("no error in\n{err}"));
    let warning = err
        .find("warning: /paths/~1things/get/responses/200/unknownKey: unknown keyword `unknownKey` on a response: ignored")
        .unwrap_or_else(|| panic!("no warning in\n{err}"));
    assert!(error < warning, "the errors come first:\n{err}");
    assert!(!out.exists(), "nothing may be written for a bad schema");
}

/// A leading byte order mark is allowed, and bytes that are not UTF-8 are located. (The files
/// are written here from bytes, so that no fixture has to hold them.)
#[test]
fn a_byte_order_mark_is_accepted_and_invalid_utf8_is_located() {
    let dir = std::env::temp_dir().join(format!("graph-presence-bytes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creates the folder");
    let document = "openapi: 3.0.1\ninfo: {title: bytes, version: '1'}\npaths: {}\n";
    let bom = dir.join("bom.yaml");
    std::fs::write(&bom, [b"\xEF\xBB\xBF", document.as_bytes()].concat()).expect("writes");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &bom.to_string_lossy(),
        "--out",
        &dir.join("out").to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    // `by\xFFtes`: one byte that is not UTF-8, in the title on line 2.
    let bad = dir.join("bad.yaml");
    let bytes: Vec<u8> = document
        .replacen("bytes", "by\0tes", 1)
        .bytes()
        .map(|b| if b == 0 { 0xFF } else { b })
        .collect();
    std::fs::write(&bad, bytes).expect("writes");
    let (code, _, err) = xtask(&[
        "codegen",
        "--schema",
        &bad.to_string_lossy(),
        "--out",
        &dir.join("never").to_string_lossy(),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "(document): line 2, column 17 (byte 31): the file is not valid UTF-8 (byte 0xFF)"
        ),
        "{err}"
    );
}

/// Every warning of the valid fixtures, in one snapshot: a new warning is a visible change.
#[test]
fn valid_fixtures_list_their_warnings() {
    let mut listed = Vec::new();
    for path in fixtures("valid") {
        let model = xtask::model_from_text(&read(&path), path.parent())
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", stem(&path)));
        for warning in &model.warnings {
            listed.push(format!("{}: {warning}", stem(&path)));
        }
    }
    insta::assert_snapshot!("valid_fixture_warnings", listed.join("\n"));
}

/// A warning is printed with its pointer and the files are still written; `--strict` makes it
/// an error, and then nothing is written.
#[test]
fn warnings_are_printed_and_strict_makes_them_errors() {
    let dir = std::env::temp_dir().join(format!("graph-presence-warn-{}", std::process::id()));
    let schema = root().join("tests/fixtures/valid/ignored_keys.yaml");
    let schema = schema.to_string_lossy();
    let strict_out = dir.join("strict");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--strict",
        "--schema",
        &schema,
        "--out",
        &strict_out.to_string_lossy(),
    ]);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("has 3 problems"), "{err}");
    assert!(
        !strict_out.exists(),
        "--strict writes nothing when there are warnings"
    );
    let out = dir.join("lenient");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &schema,
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    let expected = "warning: /paths/~1key/get/parameters/0/colour: unknown keyword `colour` on a parameter: ignored\n";
    assert!(err.starts_with(expected), "{err}");
    assert_eq!(err.lines().count(), 3, "{err}");
    assert!(out.join("models/src/generated.rs").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cargo metadata` of a standalone workspace (no dependency is resolved or fetched): Cargo's
/// own reading of its manifests, package names included.
fn cargo_metadata(workspace: &Path) -> Result<serde_json::Value, String> {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON"))
}

fn package_names(metadata: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .filter(|n| !n.starts_with("openapi-") || !n.ends_with("-runtime"))
        .collect();
    names.sort();
    names
}

/// A folder whose name is not a package name still gives valid packages (Cargo reads them),
/// and `--name` sets the name, or is refused with a clear error.
#[test]
fn standalone_package_names_are_valid_whatever_the_folder() {
    let dir = std::env::temp_dir().join(format!("graph-presence-names-{}", std::process::id()));
    let schema = root().join("tests/fixtures/valid/operations.yaml");
    let schema = schema.to_string_lossy();
    for (folder, name, expected) in [
        (
            "graph-v1.0-ChangeNotifications",
            None,
            "graph-v1-0-change-notifications",
        ),
        ("my api", None, "my-api"),
        ("2024", None, "api-2024"),
        ("+++", None, "api"),
        ("graph-v1.0-Mail", Some("mail_v1"), "mail_v1"),
    ] {
        let out = dir.join(folder);
        let mut args = vec!["codegen", "--schema", &schema];
        let out_str = out.to_string_lossy();
        args.extend(["--out", &out_str]);
        args.extend(name.iter().flat_map(|n| ["--name", *n]));
        let (code, stdout, err) = xtask(&args);
        assert_eq!(code, 0, "{folder}: {stdout}{err}");
        let metadata = cargo_metadata(&out).unwrap_or_else(|e| panic!("{folder}: {e}"));
        assert_eq!(
            package_names(&metadata),
            [
                format!("{expected}-client"),
                format!("{expected}-models"),
                format!("{expected}-server")
            ],
            "{folder}"
        );
        let client_lib = read(&out.join("client/src/generated.rs"));
        let models_path = format!("::{}_models", expected.replace('-', "_"));
        assert!(client_lib.contains(&models_path), "{folder}: {models_path}");
    }
    for bad in ["", "1api", "my api", "a.b", "-x", "a\nb"] {
        let out = dir.join("never-written");
        let out_str = out.to_string_lossy();
        let (code, _, err) = xtask(&[
            "codegen", "--schema", &schema, "--out", &out_str, "--name", bad,
        ]);
        assert_eq!(code, 1, "{bad:?}");
        assert!(
            err.starts_with("error: --name: `") && err.contains("is not a valid package name"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!out.exists(), "nothing may be written for a bad --name");
    }
    assert_eq!(
        xtask(&["codegen", "--name", "x"]).0,
        1,
        "--name without --out"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `--runtime DIR`: the crates depend on the runtime crates in DIR where they are (by a path
/// relative to each crate), nothing is vendored, and Cargo reads the workspace; a folder
/// without them is refused before anything is written.
#[test]
fn standalone_crates_can_share_a_runtime_instead_of_vendoring_it() {
    let dir = std::env::temp_dir().join(format!("graph-presence-runtime-{}", std::process::id()));
    let schema = root().join("tests/fixtures/valid/operations.yaml");
    let schema = schema.to_string_lossy();
    let runtime = root().join("crates");
    let out = dir.join("shared");
    let (out_str, runtime_str) = (out.to_string_lossy(), runtime.to_string_lossy());
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &schema,
        "--out",
        &out_str,
        "--runtime",
        &runtime_str,
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(!out.join("runtime").exists(), "nothing vendored");
    for (krate, runtime_crate) in [
        ("models", "openapi-models-runtime"),
        ("client", "openapi-client-runtime"),
    ] {
        let manifest = read(&out.join(krate).join("Cargo.toml"));
        let line = manifest
            .lines()
            .find(|l| l.starts_with(runtime_crate))
            .unwrap_or_else(|| panic!("{krate} depends on {runtime_crate}"));
        let relative = line
            .split('"')
            .nth(1)
            .unwrap_or_else(|| panic!("a path: {line}"));
        assert!(relative.starts_with("../"), "relative to the crate: {line}");
        let reached = out
            .join(krate)
            .join(relative)
            .canonicalize()
            .expect("exists");
        assert_eq!(
            reached,
            runtime.join(runtime_crate).canonicalize().expect("exists")
        );
    }
    let metadata = cargo_metadata(&out).expect("cargo reads the workspace");
    assert_eq!(
        package_names(&metadata),
        ["shared-client", "shared-models", "shared-server"],
        "the runtime is no member of the workspace"
    );
    let missing = dir.join("no-runtime-here");
    std::fs::create_dir_all(&missing).expect("temp dir");
    let never = dir.join("never-written");
    let (missing_str, never_str) = (missing.to_string_lossy(), never.to_string_lossy());
    let (code, _, err) = xtask(&[
        "codegen",
        "--schema",
        &schema,
        "--out",
        &never_str,
        "--runtime",
        &missing_str,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--runtime: no runtime crate at"), "{err}");
    assert!(!never.exists(), "nothing may be written without a runtime");
    assert_eq!(
        xtask(&["codegen", "--runtime", &runtime_str]).0,
        1,
        "--runtime without --out"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A schema file's name and a document's title are input: a newline, a quote, a backslash or
/// `*/` in them must not start a line of code or break out of a comment or a TOML string.
/// (A file name cannot hold `/`, so the file name has `*` and `*\\`, the title `*/`.)
#[test]
fn the_schema_file_name_and_title_reach_no_file_unescaped() {
    let dir = std::env::temp_dir().join(format!("graph-presence-evil-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file_name = "evil\npub fn injected() {}\n\"quoted\" back\\slash *\\ .yaml";
    let schema = dir.join(file_name);
    std::fs::write(
        &schema,
        "openapi: 3.0.1\ninfo: {title: \"Evil \\\" \\\\ */\\ndescription = \\\"x\\\"\", version: '1'}\npaths: {}\ncomponents: {schemas: {microsoft.graph.thing: {type: object, properties: {id: {type: string}}}}}\n",
    )
    .expect("writable");
    let out = dir.join("out");
    let (code, stdout, err) = xtask(&[
        "codegen",
        "--schema",
        &schema.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    for file in [
        "Cargo.toml",
        "models/Cargo.toml",
        "models/src/lib.rs",
        "models/src/generated.rs",
        "client/Cargo.toml",
        "client/src/lib.rs",
        "client/src/generated.rs",
    ] {
        let text = read(&out.join(file));
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("pub fn injected")
                    && !line.trim_start().starts_with("description = \"x"),
                "{file}: injected line {line:?}"
            );
        }
        let header: Vec<&str> = text.lines().take(2).collect();
        let comment = if file.ends_with(".toml") { "# " } else { "// " };
        assert!(
            header[0].starts_with(&format!("{comment}@generated"))
                && header[0]
                    .contains(r#"evil\npub fn injected() {}\n"quoted" back\slash *\ .yaml"#)
                && header[1].starts_with(&format!("{comment}Do not edit")),
            "{file}: {header:?}"
        );
        if file.ends_with(".rs") {
            syn::parse_file(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
    let lib = read(&out.join("models/src/lib.rs"));
    assert!(lib.contains("//! Models for Evil \" \\ */ description = \"x\", generated from `evil\\npub fn injected() {}"), "{lib}");
    let metadata = cargo_metadata(&out).expect("Cargo reads the manifests");
    let mut descriptions: Vec<&str> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| p["description"].as_str())
        .filter(|d| d.contains("Evil"))
        .collect();
    descriptions.sort_unstable();
    assert_eq!(
        descriptions,
        [
            "Models for Evil \" \\ */ description = \"x\"",
            "Request builders for Evil \" \\ */ description = \"x\"",
            "The server side of Evil \" \\ */ description = \"x\""
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_command_lines_are_errors_not_panics() {
    assert_eq!(xtask(&["frobnicate"]).0, 1);
    assert_eq!(xtask(&["codegen", "--schema"]).0, 1);
    assert_eq!(xtask(&["codegen", "--schema", "x.yaml"]).0, 1);
    let (code, _, err) = xtask(&[
        "codegen",
        "--schema",
        "/nonexistent/schema.yaml",
        "--out",
        "/nonexistent/out",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read the file"), "{err}");
}

/// Graph's real metadata fragments (incomplete extracts, copied from the reference) are bad
/// input: each dangling `$ref` is reported precisely. Completed with the missing definitions
/// (fixtures/valid/upstream_*_completed.yaml) they generate code that compiles (build.rs).
#[test]
fn upstream_fragments_report_their_dangling_refs() {
    insta::glob!("../../fixtures", "upstream/*.yaml", |path| {
        let problems = xtask::model_from_text(&read(path), path.parent()).expect_err(&stem(path));
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!("upstream", listed.join("\n"));
    });
}

/// The unseen-document case: a task holding a progress type with a `double`. Lowering must
/// not let the task derive `Eq`/`Hash` (and build.rs compiles the fixture's code).
#[test]
fn a_struct_holding_a_struct_with_a_float_does_not_derive_eq() {
    let path = root().join("tests/fixtures/valid/nested_float.yaml");
    let model = xtask::model_from_text(&read(&path), path.parent()).expect("valid");
    let derives = |name: &str| match &model.types[name] {
        xtask::model::TypeDef::Struct(s) => (s.derives.eq, s.derives.hash),
        xtask::model::TypeDef::Union(u) => (u.derives.eq, u.derives.hash),
        xtask::model::TypeDef::Enum(_) => panic!("{name} is an enum"),
    };
    assert_eq!(derives("PlannerProgress"), (false, false));
    assert_eq!(derives("PlannerTask"), (false, false));
    assert_eq!(derives("PlannerTaskCollectionResponse"), (false, false));
    assert_eq!(derives("Identity"), (true, true));
    assert_eq!(derives("Entity"), (true, true));
}

mod fixture_behaviour;

/// The examples a document embeds, found with their types, and the models crate's test that
/// checks them (standalone output's `models/tests/examples.rs` and `examples.json`).
#[test]
fn embedded_examples_become_a_test_of_the_models_crate() {
    let path = root().join("tests/fixtures/valid/embedded_examples.yaml");
    let doc = xtask::document::parse(&read(&path)).expect("parses");
    let model = xtask::model_from_document(&doc, path.parent()).expect("valid");
    let (test, data) = xtask::examples::test_files(
        &model.examples,
        "embedded_examples_models",
        "embedded_examples.yaml",
    )
    .expect("has examples")
    .expect("formats");
    insta::assert_snapshot!("embedded_examples_test", test);
    insta::assert_snapshot!("embedded_examples_data", data);
}
