//! The generator behind `cargo xtask codegen`: a Graph-flavoured OpenAPI 3.0 document in,
//! Rust crates out.
//!
//! Pipeline: [`document`] parses, [`lower`] validates and lowers into the [`model`] (every
//! problem reported at once, with JSON pointers), [`emit_models`] turns the model into tokens,
//! and [`write`] formats and writes only what changed.

pub mod cli;
pub mod document;
pub mod emit_models;
pub mod lower;
pub mod model;
pub mod names;
pub mod write;

use document::{Problem, Problems};
use std::path::{Path, PathBuf};
use write::Output;

/// The workspace root (the xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The bundled schema and the crate generated from it, relative to the workspace root.
pub const BUNDLED_SCHEMA: &str = "schema/presence.yaml";
pub const BUNDLED_MODELS_CRATE: &str = "crates/graph-presence-models";

/// Validates and lowers a document's text. `base_dir` is the folder example files are
/// resolved against (`None`: not checked).
pub fn model_from_text(text: &str, base_dir: Option<&Path>) -> Result<model::Model, Vec<Problem>> {
    let doc = document::parse(text).map_err(|p| vec![p])?;
    lower::lower(&doc, base_dir)
}

/// The models module's source for a document's text, as written to `generated.rs`.
pub fn models_source(
    text: &str,
    base_dir: Option<&Path>,
    schema_label: &str,
) -> Result<String, Vec<Problem>> {
    let model = model_from_text(text, base_dir)?;
    let tokens = emit_models::models(&model).map_err(|e| internal(&e))?;
    write::rust_file(tokens, schema_label).map_err(|e| internal(&e))
}

/// A generator bug (emitted tokens that do not parse) reported like a problem, not a panic.
fn internal(error: &syn::Error) -> Vec<Problem> {
    vec![Problem {
        pointer: String::new(),
        message: format!("internal generator error (please report): {error}"),
    }]
}

fn read_schema(schema: &Path) -> Result<String, Problems> {
    std::fs::read_to_string(schema).map_err(|e| Problems {
        file: schema.display().to_string(),
        list: vec![Problem {
            pointer: String::new(),
            message: format!("cannot read the file: {e}"),
        }],
    })
}

/// The generated files of the bundled crates.
pub fn bundled_outputs(root: &Path) -> Result<Vec<Output>, Problems> {
    let schema = root.join(BUNDLED_SCHEMA);
    let text = read_schema(&schema)?;
    let source =
        models_source(&text, schema.parent(), BUNDLED_SCHEMA).map_err(|list| Problems {
            file: BUNDLED_SCHEMA.to_owned(),
            list,
        })?;
    Ok(vec![Output {
        path: root.join(BUNDLED_MODELS_CRATE).join("src/generated.rs"),
        text: source,
    }])
}

/// A standalone models crate for any document: `Cargo.toml`, `src/lib.rs` and
/// `src/generated.rs` in `out`, named after the folder.
pub fn standalone_outputs(schema: &Path, out: &Path) -> Result<Vec<Output>, Problems> {
    let text = read_schema(schema)?;
    let label = schema
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let problems = |list| Problems {
        file: schema.display().to_string(),
        list,
    };
    let source = models_source(&text, schema.parent(), &label).map_err(problems)?;
    let model = model_from_text(&text, None).map_err(problems)?;
    let crate_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "graph-models".to_owned());
    let title = model.title.replace('"', "'");
    Ok(vec![
        Output {
            path: out.join("Cargo.toml"),
            text: standalone_manifest(&crate_name, &title, &label),
        },
        Output {
            path: out.join("src/lib.rs"),
            text: lib_rs(&title, &label),
        },
        Output {
            path: out.join("src/generated.rs"),
            text: source,
        },
    ])
}

/// The crate root of a standalone crate. Generated code lives in `generated.rs`, included
/// with `#[rustfmt::skip]` so that `cargo fmt` never rewrites it.
fn lib_rs(title: &str, label: &str) -> String {
    format!(
        "{}\n//! Models for {title}, generated from `{label}`.\n\n#[rustfmt::skip]\nmod generated;\n\npub use generated::*;\n",
        write::header("//", label)
    )
}

/// The dependencies of a generated models crate, with the versions pinned in the workspace
/// manifest (read from it, so they are written down in one place).
const MODELS_DEPENDENCIES: &[&str] = &[
    "serde",
    "serde_json",
    "serde_path_to_error",
    "schemars",
    "jiff",
];

fn standalone_manifest(name: &str, title: &str, label: &str) -> String {
    let workspace = include_str!("../../Cargo.toml");
    let mut out = write::header("#", label);
    out.push_str(&format!("[package]\nname = \"{name}\"\ndescription = \"Models for {title}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n# A crate of its own, even when generated inside another workspace.\n[workspace]\n\n[dependencies]\n"));
    for dep in MODELS_DEPENDENCIES {
        let line = workspace
            .lines()
            .find(|l| l.split('=').next().map(str::trim) == Some(dep))
            .unwrap_or_default();
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}
