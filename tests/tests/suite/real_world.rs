//! The generator on real-world documents (tests/fixtures/real-world: Graph modules, the
//! documents progenitor's suite uses, GitHub's REST description, OpenAPI examples), in
//! process. One snapshot per document records what the generator does with it today: the
//! full problem (error) list, each with its pointer, or for a document that generates, how
//! much it generates and every warning, so a new warning is a visible change. The snapshots change as issue 9's support grows; a panic fails the test and names
//! the document. Whether the generated crates compile is `tests/real-world.sh`'s question.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// What the generator makes of one document, as the text of its snapshot.
fn outcome(path: &Path) -> String {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let model = match xtask::model_from_text(&text, path.parent()) {
        Ok(model) => model,
        Err(problems) => return problem_list(&problems),
    };
    // The names standalone output gives the crates (`NAME-models`, `NAME-client`).
    let context = xtask::emit_client::ClientContext {
        models_path: "::real_world_models",
        example_models: "real_world_models",
        example_client: "real_world_client",
    };
    let sources = xtask::models_from_model(&model, &label)
        .and_then(|models| Ok((models, xtask::client_from_model(&model, &label, &context)?)));
    let (models, client) = match sources {
        Ok(sources) => sources,
        Err(problems) => return problem_list(&problems),
    };
    let count =
        |kind: fn(&xtask::model::TypeDef) -> bool| model.types.values().filter(|t| kind(t)).count();
    let structs = count(|t| matches!(t, xtask::model::TypeDef::Struct(_)));
    let unions = count(|t| matches!(t, xtask::model::TypeDef::Union(_)));
    let examples = embedded_examples(&model);
    let warnings = model.warnings.len();
    let mut listed = vec![format!(
        "{warnings} warning{}",
        if warnings == 1 { "" } else { "s" }
    )];
    listed.extend(model.warnings.iter().map(ToString::to_string));
    format!(
        "generates\ntypes: {} ({structs} structs, {} enums{})\noperations: {}\nlines: {} models, {} client\n{examples}\n{}",
        model.types.len(),
        model.types.len() - structs - unions,
        if unions > 0 {
            format!(", {unions} unions")
        } else {
            String::new()
        },
        model.operations.len(),
        models.lines().count(),
        client.lines().count(),
        listed.join("\n"),
    )
}

/// What the standalone models crate's example test will check: how many examples, and how
/// many are not checked and why. (Whether they round-trip is `tests/real-world.sh --gate`'s
/// question: it needs the crate compiled.)
fn embedded_examples(model: &xtask::model::Model) -> String {
    let examples = &model.examples;
    let mut lines = vec![format!(
        "examples: {} to check, {} repeated",
        examples.checked.len(),
        examples.repeated
    )];
    for (reason, n) in &examples.skipped {
        lines.push(format!("  not checked: {n}: {reason}"));
    }
    lines.join("\n")
}

fn problem_list(problems: &[xtask::document::Problem]) -> String {
    let n = problems.len();
    let mut listed = vec![format!("{n} problem{}", if n == 1 { "" } else { "s" })];
    listed.extend(problems.iter().map(ToString::to_string));
    listed.join("\n")
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// One snapshot per document (`outcome@progenitor-nexus.json`). A panic is caught, so the
/// other documents still run, and then fails the test with every document that panicked.
#[test]
fn real_world_documents() {
    let mut panicked = Vec::new();
    insta::glob!("../../fixtures", "real-world/*.{json,yaml,yml}", |path| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match catch_unwind(AssertUnwindSafe(|| outcome(path))) {
            Ok(text) => insta::assert_snapshot!("outcome", text),
            Err(payload) => panicked.push(format!("{name}: {}", panic_message(&*payload))),
        }
    });
    assert!(
        panicked.is_empty(),
        "the generator panicked on:\n{}",
        panicked.join("\n")
    );
}
