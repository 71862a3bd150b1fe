//! The generator behind `cargo xtask codegen`: an OpenAPI 3.0, 3.1 or 3.2 document in,
//! Rust crates out.
//!
//! Pipeline: [`document`] parses; [`openapi`] reads the document once into typed views and
//! checks every keyword; [`lower`] turns the views into the [`model`] and runs the
//! whole-model analyses (every problem of both steps reported at once, with JSON pointers, in
//! document order); [`emit_models`] turns the model into tokens; [`client_model`] lowers it
//! into the client model that [`emit_client`] prints; and [`write`] formats them and writes
//! only the files that changed (or, with `--check`, reports them as stale). Standalone output
//! (`--schema F --out D`) is a workspace with a models crate, a client crate and the vendored
//! runtime crates.

pub mod agreement;
pub mod cli;
pub mod client_model;
pub mod docs;
pub mod document;
pub mod emit_client;
pub mod emit_models;
pub mod emit_types;
pub mod example_code;
pub mod examples;
pub mod lower;
pub mod model;
pub mod names;
pub mod openapi;
pub mod runtime_api;
pub mod server;
#[cfg(test)]
mod structure_tests;
pub mod tags;
pub mod write;

use document::{Problem, Problems};
use serde_norway::Value;
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
pub const BUNDLED_CLIENT_CRATE: &str = "crates/graph-presence-client";
pub const BUNDLED_SERVER_CRATE: &str = "crates/graph-presence-server";

/// Validates and lowers a document's text: the model (its `warnings` say what could not be
/// represented faithfully), or every problem. `base_dir` is the folder example files are
/// resolved against (`None`: not read).
pub fn model_from_text(text: &str, base_dir: Option<&Path>) -> Result<model::Model, Vec<Problem>> {
    let doc = document::parse(text).map_err(|p| vec![p])?;
    model_from_document(&doc, base_dir).map_err(|rejected| rejected.problems)
}

/// The pipeline up to the model: a parsed document read into views (every keyword checked)
/// and lowered. The model with its warnings, or every problem with the warnings found beside
/// them, each list in document order. Nothing after [`openapi`] sees the parsed tree.
pub fn model_from_document(doc: &Value, base_dir: Option<&Path>) -> Result<model::Model, Rejected> {
    let mut report = document::Report::default();
    let views = openapi::read(doc, base_dir, &mut report);
    let mut model = lower::lower(&views, &mut report);
    let warnings = document::in_document_order(doc, report.warnings);
    if report.problems.is_empty() {
        model.warnings = warnings;
        Ok(model)
    } else {
        Err(Rejected {
            problems: document::in_document_order(doc, report.problems),
            warnings,
        })
    }
}

/// A document with errors: every error, and the warnings found beside them (so the CLI can
/// show them after the errors), each list in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// The models module's source for a document's text, as written to `generated.rs`.
pub fn models_source(
    text: &str,
    base_dir: Option<&Path>,
    schema_label: &str,
) -> Result<String, Vec<Problem>> {
    let model = model_from_text(text, base_dir)?;
    models_from_model(&model, schema_label)
}

/// The models source of a lowered model. Types are emitted and formatted in parallel.
pub fn models_from_model(model: &model::Model, schema_label: &str) -> Result<String, Vec<Problem>> {
    models_from_model_tagged(model, schema_label, None)
}

/// The models source of a lowered model, each type under the cargo features of the tags
/// that reach it when `features` are given ([`tags`]).
pub fn models_from_model_tagged(
    model: &model::Model,
    schema_label: &str,
    features: Option<&tags::TagFeatures>,
) -> Result<String, Vec<Problem>> {
    let types: Vec<&model::TypeDef> = model.types.values().collect();
    let gate = |name: &str| features.and_then(|f| tags::cfg_text(&f.type_gate(name)));
    let alternatives = emit_models::union_alternatives(&types);
    let mut source = write::rust_file(
        schema_label,
        emit_models::prelude(!types.is_empty(), features.is_some()),
        &types,
        |def| {
            let text = emit_models::type_item(def, alternatives.contains(def.name()))?;
            Ok(match gate(def.name()) {
                Some(cfg) => tags::gate_text(&text, &cfg),
                None => text,
            })
        },
    )
    .map_err(|e| internal(&e))?;
    for form in model.forms.values() {
        source.push('\n');
        source.push_str(&emit_models::form_item(model, form).map_err(|e| internal(&e))?);
    }
    source.push_str(&emit_models::required_module(&types, gate).map_err(|e| internal(&e))?);
    Ok(source)
}

/// The client module's source (the `Client` and request builders) for a document's text.
pub fn client_source(
    text: &str,
    base_dir: Option<&Path>,
    schema_label: &str,
    context: &emit_client::ClientContext,
) -> Result<String, Vec<Problem>> {
    let model = model_from_text(text, base_dir)?;
    client_from_model(&model, schema_label, context)
}

/// The client source of a lowered model.
pub fn client_from_model(
    model: &model::Model,
    schema_label: &str,
    context: &emit_client::ClientContext,
) -> Result<String, Vec<Problem>> {
    client_from_model_tagged(model, schema_label, context, None)
}

/// The client source of a lowered model, each builder (and navigation type) under the cargo
/// features of its tags when `features` are given ([`tags`]).
pub fn client_from_model_tagged(
    model: &model::Model,
    schema_label: &str,
    context: &emit_client::ClientContext,
    features: Option<&tags::TagFeatures>,
) -> Result<String, Vec<Problem>> {
    let client = client_model::lower(model, context);
    let gates = features.map(|f| f.client_gates(&client));
    let items = emit_client::items(&client);
    write::rust_file(
        schema_label,
        emit_client::prelude(model.flavour),
        &items,
        |item| write::format_item(emit_client::item(&client, context, gates.as_ref(), item)),
    )
    .map_err(|e| internal(&e))
}

/// The server module's source (the `Api` trait, requests, responses, router and mock) of a
/// lowered model, named after its client model (see [`server`]).
pub fn server_from_model(
    model: &model::Model,
    schema_label: &str,
    context: &emit_client::ClientContext,
) -> Result<String, Vec<Problem>> {
    let client = client_model::lower(model, context);
    let server = server::lower(model, &client);
    let items = server::emit::items(&server);
    write::rust_file(schema_label, server::emit::prelude(), &items, |item| {
        write::format_item(server::emit::item(&server, context.models_path, item))
    })
    .map_err(|e| internal(&e))
}

/// The test holding the client and the mock of a lowered model to each other
/// ([`agreement`]), with how many examples it checks; `None` when there are none.
pub fn agreement_from_model(
    model: &model::Model,
    schema_label: &str,
    context: &emit_client::ClientContext,
    crates: &agreement::Crates,
) -> Result<Option<(String, usize)>, Vec<Problem>> {
    let client = client_model::lower(model, context);
    let server = server::lower(model, &client);
    let cases = agreement::cases(model, &client, &server);
    let count = cases.len();
    match agreement::test_source(&cases, &client, &server, crates, schema_label) {
        None => Ok(None),
        Some(Ok(source)) => Ok(Some((source, count))),
        Some(Err(e)) => Err(internal(&e)),
    }
}

/// A generator bug (emitted tokens that do not parse) reported like a problem, not a panic.
fn internal(error: &syn::Error) -> Vec<Problem> {
    vec![Problem {
        pointer: String::new(),
        message: format!("internal generator error (please report): {error}"),
    }]
}

/// A document file's model; or every problem in it (with the warnings found beside them).
fn checked_model(schema: &Path, file: &str) -> Result<model::Model, Problems> {
    let text = document::read_text(schema)?;
    let rejected = |problems, warnings| Problems {
        file: file.to_owned(),
        list: problems,
        warnings,
    };
    let doc = document::parse(&text).map_err(|p| rejected(vec![p], Vec::new()))?;
    model_from_document(&doc, schema.parent()).map_err(|r| rejected(r.problems, r.warnings))
}

/// What one run generates: the files, and the warnings about the document they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub files: Vec<Output>,
    /// Empty when the document has none.
    pub warnings: Problems,
}

/// The generated files of the bundled crates.
pub fn bundled_outputs(root: &Path) -> Result<Generated, Problems> {
    let schema = root.join(BUNDLED_SCHEMA);
    let model = checked_model(&schema, BUNDLED_SCHEMA)?;
    let problems = |list| Problems {
        file: BUNDLED_SCHEMA.to_owned(),
        list,
        warnings: Vec::new(),
    };
    let models = models_from_model(&model, BUNDLED_SCHEMA).map_err(problems)?;
    let context = emit_client::ClientContext {
        models_path: "::graph_presence_models",
        example_models: "graph_presence_models",
        example_client: "graph_presence_client",
    };
    let client = client_from_model(&model, BUNDLED_SCHEMA, &context).map_err(problems)?;
    let server = server_from_model(&model, BUNDLED_SCHEMA, &context).map_err(problems)?;
    let files = vec![
        Output {
            path: root.join(BUNDLED_MODELS_CRATE).join("src/generated.rs"),
            text: models,
        },
        Output {
            path: root.join(BUNDLED_CLIENT_CRATE).join("src/generated.rs"),
            text: client,
        },
        Output {
            path: root.join(BUNDLED_SERVER_CRATE).join("src/generated.rs"),
            text: server,
        },
    ];
    Ok(Generated {
        files,
        warnings: problems(model.warnings),
    })
}

/// How standalone output is set up besides its document and folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standalone<'a> {
    /// The crates' name stem (checked by the caller with `names::check_package_stem`); `None`:
    /// the folder's name made a valid package name (`names::package_stem`).
    pub name: Option<&'a str>,
    /// A folder holding the runtime crates (`openapi-models-runtime`, `openapi-client-runtime`),
    /// which the crates then depend on where they are; `None`: vendored into `out/runtime/`.
    /// Several generated workspaces (or a repository's own copy) then share one runtime,
    /// compiled once in a shared target directory.
    pub runtime: Option<&'a Path>,
    /// Whether the crates carry Graph's layer; `None`: as the document says
    /// ([`lower::flavour`]).
    pub flavour: Option<model::Flavour>,
    /// Per-tag cargo features ([`tags`]): `None` when the document is large enough
    /// ([`tags::TagFeatures::decide`]), `Some(true)` whenever it has tags, `Some(false)` never.
    pub tag_features: Option<bool>,
}

/// Standalone crates for any document, in `out`: `out/models` (`NAME-models`), `out/client`
/// (`NAME-client`, the request builders) and `out/runtime/*`, the runtime crates they call,
/// vendored whole (or, with [`Standalone::runtime`], depended on where they are).
pub fn standalone_outputs(
    schema: &Path,
    out: &Path,
    options: Standalone,
) -> Result<Generated, Problems> {
    let label = schema
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut model = checked_model(schema, &schema.display().to_string())?;
    if let Some(flavour) = options.flavour {
        model.flavour = flavour;
    }
    let problems = |list| Problems {
        file: schema.display().to_string(),
        list,
        warnings: Vec::new(),
    };
    let runtime_dir = match options.runtime {
        Some(dir) => shared_runtime(dir, out)?,
        None => PathBuf::from("../runtime"),
    };
    let runtime_path = |krate: &str| toml_path(&runtime_dir.join(krate));
    let name = match options.name {
        Some(name) => name.to_owned(),
        None => names::package_stem(&out.file_name().unwrap_or_default().to_string_lossy()),
    };
    let (models_name, client_name) = (format!("{name}-models"), format!("{name}-client"));
    let server_name = format!("{name}-server");
    let models_ident = models_name.replace('-', "_");
    let client_ident = client_name.replace('-', "_");
    let server_ident = server_name.replace('-', "_");
    let features = match options.tag_features {
        None => tags::TagFeatures::decide(&model),
        Some(true) => tags::TagFeatures::of(&model),
        Some(false) => None,
    };
    let features = features.as_ref();
    let feature_docs = |client| features.map(|f| f.crate_doc(client)).unwrap_or_default();
    let models = models_from_model_tagged(&model, &label, features).map_err(problems)?;
    let models_path = format!("::{models_ident}");
    let context = emit_client::ClientContext {
        models_path: &models_path,
        example_models: &models_ident,
        example_client: &client_ident,
    };
    let client = client_from_model_tagged(&model, &label, &context, features).map_err(problems)?;
    let server = server_from_model(&model, &label, &context).map_err(problems)?;
    // Whitespace runs become one space; `lib_rs` and `manifest` escape the rest.
    let title = model.title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut outputs = vec![
        Output {
            path: out.join("Cargo.toml"),
            text: format!(
                "{}[workspace]\nresolver = \"3\"\nmembers = [\"models\", \"client\", \"server\"{}]\n",
                write::header("#", &label),
                if options.runtime.is_some() {
                    ""
                } else {
                    ", \"runtime/*\""
                }
            ),
        },
        Output {
            path: out.join("models/Cargo.toml"),
            text: manifest(
                &models_name,
                &format!("Models for {title}"),
                &label,
                &format!(
                    "openapi-models-runtime = {{ path = {} }}\n{}",
                    runtime_path("openapi-models-runtime"),
                    features.map(|f| f.models_manifest()).unwrap_or_default()
                ),
            ),
        },
        Output {
            path: out.join("models/src/lib.rs"),
            text: lib_rs(&format!("Models for {title}"), &label, &feature_docs(false)),
        },
        Output {
            path: out.join("models/src/generated.rs"),
            text: models,
        },
        Output {
            path: out.join("client/Cargo.toml"),
            text: manifest(
                &client_name,
                &format!("Request builders for {title}"),
                &label,
                &client_dependencies(
                    model.flavour,
                    &runtime_path("openapi-client-runtime"),
                    &models_name,
                    features,
                ),
            ),
        },
        Output {
            path: out.join("client/src/lib.rs"),
            text: lib_rs(
                &format!("Request builders for {title}"),
                &label,
                &feature_docs(true),
            ),
        },
        Output {
            path: out.join("client/src/generated.rs"),
            text: client,
        },
        Output {
            path: out.join("server/Cargo.toml"),
            text: manifest(
                &server_name,
                &format!("The server side of {title}"),
                &label,
                &format!(
                    "openapi-server-runtime = {{ path = {} }}\n{models_name} = {{ path = \"../models\" }}\n\n[features]\ndefault = [\"mock\"]\n# `Mock`: an implementation of `Api` that answers with the document's examples.\nmock = []\n\n[dev-dependencies]\n# The mock example's runtime.\ntokio = {{ version = \"1.44\", default-features = false, features = [\"macros\", \"rt-multi-thread\", \"net\"] }}\n\n[[example]]\nname = \"mock\"\nrequired-features = [\"mock\"]\n",
                    runtime_path("openapi-server-runtime")
                ),
            ),
        },
        Output {
            path: out.join("server/src/lib.rs"),
            text: lib_rs(&format!("The server side of {title}"), &label, ""),
        },
        Output {
            path: out.join("server/src/generated.rs"),
            text: server,
        },
        Output {
            path: out.join("server/examples/mock.rs"),
            text: mock_example(&server_ident, &label),
        },
    ];
    // The examples embedded in the document, as a test of the models crate.
    if let Some(files) = examples::test_files(&model.examples, &models_ident, &label) {
        let (test, data) = files.map_err(|e| problems(internal(&e)))?;
        outputs.push(Output {
            path: out.join("models/tests/examples.rs"),
            text: test,
        });
        outputs.push(Output {
            path: out.join("models/tests/examples.json"),
            text: data,
        });
    }
    // The client and the mock held to each other, as a test of the client crate.
    let crates = agreement::Crates {
        client: &client_ident,
        server: &server_ident,
        models: &format!("::{models_ident}"),
    };
    if let Some((test, _)) =
        agreement_from_model(&model, &label, &context, &crates).map_err(problems)?
    {
        outputs.push(Output {
            path: out.join("client/tests/agreement.rs"),
            text: test,
        });
        if let Some(manifest) = outputs
            .iter_mut()
            .find(|o| o.path.ends_with("client/Cargo.toml"))
        {
            manifest.text.push_str(&format!(
                "\n[dev-dependencies]\n# The agreement test: the mock, the comparison, a runtime.\n{server_name} = {{ path = \"../server\" }}\nopenapi-models-runtime = {{ path = {} }}\ntokio = {{ version = \"1.44\", default-features = false, features = [\"macros\", \"rt-multi-thread\", \"net\"] }}\n",
                runtime_path("openapi-models-runtime")
            ));
        }
    }
    if options.runtime.is_none() {
        for runtime in RUNTIME_CRATES {
            outputs.extend(vendored_runtime(&workspace_root(), runtime, out)?);
        }
    }
    Ok(Generated {
        files: outputs,
        warnings: problems(model.warnings),
    })
}

/// A client crate's dependencies and features: the client runtime (with Graph's layer for a
/// Graph document, and then its `azure_identity` feature), the models, the TLS features.
fn client_dependencies(
    flavour: model::Flavour,
    runtime: &str,
    models_name: &str,
    features: Option<&tags::TagFeatures>,
) -> String {
    let (graph, azure) = match flavour {
        model::Flavour::Graph => (
            ", features = [\"graph\"]",
            "# `AzureCredential`: sign-in through any `azure_identity` credential.\nazure_identity = [\"openapi-client-runtime/azure_identity\"]\n",
        ),
        model::Flavour::Plain => ("", ""),
    };
    // With per-tag features the models crate compiles only the tags this crate turns on.
    let (models_features, all_tags, tag_features) = match features {
        Some(f) => (
            ", default-features = false",
            ", \"all-tags\"",
            f.client_manifest(models_name),
        ),
        None => ("", "", String::new()),
    };
    format!(
        "openapi-client-runtime = {{ path = {runtime}, default-features = false{graph} }}\n{models_name} = {{ path = \"../models\"{models_features} }}\n\n[features]\ndefault = [\"rustls\"{all_tags}]\n# The executor: `send()` on every builder, with reqwest; each TLS feature implies it.\nreqwest = [\"openapi-client-runtime/reqwest\"]\nrustls = [\"reqwest\", \"openapi-client-runtime/rustls\"]\nrustls-ring = [\"reqwest\", \"openapi-client-runtime/rustls-ring\"]\nnative-tls = [\"reqwest\", \"openapi-client-runtime/native-tls\"]\n{azure}{tag_features}"
    )
}

/// The runtime crates generated code calls, relative to the workspace root. Standalone output
/// vendors each one whole and unchanged into `OUT/runtime/NAME/`, so their manifests do not
/// inherit from this workspace and their path dependencies on each other stay valid there.
pub const RUNTIME_CRATES: &[&str] = &[
    "crates/openapi-models-runtime",
    "crates/openapi-client-runtime",
    "crates/openapi-server-runtime",
];

/// Every file of a runtime crate (its manifest and `src/`), copied as it is into `out`.
fn vendored_runtime(root: &Path, crate_dir: &str, out: &Path) -> Result<Vec<Output>, Problems> {
    let source = root.join(crate_dir);
    let name = Path::new(crate_dir).file_name().unwrap_or_default();
    let mut files = vec![source.join("Cargo.toml")];
    let mut dirs = vec![source.join("src")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| cannot_read(&dir, &e))?;
        for entry in entries {
            let path = entry.map_err(|e| cannot_read(&dir, &e))?.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|e| cannot_read(&file, &e))?;
            let relative = file.strip_prefix(&source).unwrap_or(&file);
            Ok(Output {
                path: out.join("runtime").join(name).join(relative),
                text,
            })
        })
        .collect()
}

/// The path of a shared runtime folder as the generated crates (in `out/models`,
/// `out/client`) reach it: relative to them when both are relative to the same folder or
/// both absolute, else absolute. The folder must hold both runtime crates.
fn shared_runtime(dir: &Path, out: &Path) -> Result<PathBuf, Problems> {
    for runtime in RUNTIME_CRATES {
        let name = Path::new(runtime).file_name().unwrap_or_default();
        let manifest = dir.join(name).join("Cargo.toml");
        if !manifest.is_file() {
            return Err(Problems {
                file: dir.display().to_string(),
                list: vec![Problem {
                    pointer: String::new(),
                    message: format!("--runtime: no runtime crate at `{}`", manifest.display()),
                }],
                warnings: Vec::new(),
            });
        }
    }
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (dir, crate_dir) = (absolute(dir), absolute(&out.join("models")));
    Ok(relative_path(&crate_dir, &dir).unwrap_or(dir))
}

/// `to` as a path relative to the folder `from` (both absolute, compared by components).
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    use std::path::Component;
    fn clean(p: &Path) -> Vec<Component<'_>> {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    }
    let (from, to) = (clean(from), clean(to));
    if from
        .iter()
        .chain(&to)
        .any(|c| matches!(c, Component::ParentDir))
    {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for component in &to[common..] {
        relative.push(component);
    }
    Some(relative)
}

/// A path as a TOML string (forward slashes, escaped).
fn toml_path(path: &Path) -> String {
    docs::toml_string(&path.to_string_lossy().replace('\\', "/"))
}

fn cannot_read(path: &Path, error: &std::io::Error) -> Problems {
    Problems {
        file: path.display().to_string(),
        list: vec![Problem {
            pointer: String::new(),
            message: format!("cannot read the runtime crate's file: {error}"),
        }],
        warnings: Vec::new(),
    }
}

/// The crate root of a standalone crate. Generated code lives in `generated.rs`, included
/// with `#[rustfmt::skip]` so that `cargo fmt` never rewrites it. The title and the label come
/// from the input: each is one line with its control characters escaped. `more` is further
/// `//!` lines (the cargo features, [`tags::TagFeatures::crate_doc`]).
fn lib_rs(title: &str, label: &str, more: &str) -> String {
    let title = docs::one_line(title);
    let label_line = docs::one_line(label);
    format!(
        "{}\n//! {title}, generated from `{label_line}`.\n{more}\n#[rustfmt::skip]\nmod generated;\n\npub use generated::*;\n",
        write::header("//", label)
    )
}

/// The server crate's example that runs its mock on 127.0.0.1 (`PORT`, default any free one).
fn mock_example(server_crate: &str, label: &str) -> String {
    format!(
        "{}//! This document's mock on 127.0.0.1, answering every operation with its documented\n//! examples: `cargo run -p {} --example mock` (`PORT` picks the port).\n\nuse {server_crate}::{{Mock, ServeSettings, router, serve}};\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {{\n    let port: u16 = std::env::var(\"PORT\").ok().and_then(|p| p.parse().ok()).unwrap_or(0);\n    let listener = tokio::net::TcpListener::bind((\"127.0.0.1\", port)).await?;\n    println!(\"the mock: http://{{}}\", listener.local_addr()?);\n    serve(listener, router(Mock), ServeSettings::default()).await;\n    Ok(())\n}}\n",
        write::header("//", label),
        server_crate.replace('_', "-")
    )
}

/// A standalone crate's manifest: its dependencies are path dependencies on the vendored
/// runtime (and, for the client, the models crate), given in `dependencies`. The description
/// comes from the input and is written as an escaped TOML string.
fn manifest(name: &str, description: &str, label: &str, dependencies: &str) -> String {
    let description = docs::toml_string(description);
    format!(
        "{}[package]\nname = \"{name}\"\ndescription = {description}\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}",
        write::header("#", label)
    )
}
