//! The client's doc examples fill the request body (issue 10): with the documented example, or
//! one made from the schema. Whether they compile is the doctests' question (the presence
//! crate's, the fixtures' in this crate's `src/lib.rs`, and the standalone crates of the
//! `doc_examples` fixture in CI); here, what they say.

use std::path::{Path, PathBuf};
use xtask::client_model::{ClientContext, ClientModel, RequestBody};
use xtask::example_code::Json;
use xtask::model::{Example, Model, Ty, TypeDef};

fn root() -> PathBuf {
    tests::root()
}

fn client(model: &Model) -> ClientModel {
    let context = ClientContext {
        models_path: "::models",
        example_models: "models",
        example_client: "client",
    };
    xtask::client_model::lower(model, &context)
}

fn model_of(path: &Path) -> Option<Model> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    xtask::model_from_text(&text, path.parent()).ok()
}

/// Every example of the `doc_examples` fixture, by operationId.
#[test]
fn doc_examples_fixture() {
    let path = root().join("tests/fixtures/valid/doc_examples.yaml");
    let client = client(&model_of(&path).expect("valid"));
    let text: Vec<String> = client
        .builders
        .iter()
        .map(|b| format!("{}:\n{}", b.operation_id, b.example.join("\n")))
        .collect();
    insta::assert_snapshot!("doc_examples", text.join("\n\n"));
}

/// The operation's example: its lines, joined.
fn example_of(client: &ClientModel, operation_id: &str) -> String {
    client
        .builders
        .iter()
        .find(|b| b.operation_id == operation_id)
        .unwrap_or_else(|| panic!("no {operation_id}"))
        .example
        .join("\n")
}

/// The presence actions show Microsoft's documented bodies; an action documented on
/// `/users/{id}` only shows the same body on `/me`.
#[test]
fn presence_actions_show_the_documented_bodies() {
    let client = client(&model_of(&root().join(xtask::BUNDLED_SCHEMA)).expect("valid"));
    for (operation, shown) in [
        (
            "me.presence_setStatusMessage",
            &[
                "PresenceStatusMessage::new()",
                "ItemBody::new()",
                r#"("Hey I'm currently in a meeting.")"#,
                "(BodyType::Text)",
                r#"DateTimeTimeZone::new("2022-10-18T17:05:33.2079781")"#,
                r#"("Pacific Standard Time")"#,
            ][..],
        ),
        (
            "user.presence_setPresence",
            &[
                "(Availability::Available, Activity::Available)",
                r#".session_id("22553876-f5ab-4529-bffb-cfe50aa89f87")"#,
                r#"::parse("PT1H")?"#,
            ],
        ),
        (
            "me.presence_setUserPreferredPresence",
            &[
                "(Availability::DoNotDisturb, Activity::DoNotDisturb)",
                r#"::parse("PT8H")?"#,
            ],
        ),
        (
            "me.presence_setAutomaticLocation",
            &[
                "(WorkLocationType::Office)",
                r#".place_id("eb706f15-137e-4722-b4d1-b601481d9251")"#,
            ],
        ),
        (
            "communications.presence_setManualLocation",
            &["(WorkLocationType::Office)"],
        ),
        (
            "communications_getPresencesByUserId",
            &[
                r#""fa8bf3dc-eca7-46b7-bad1-db199b62afc3","#,
                r#""66825e03-7ef5-42da-9069-724602c31f6b","#,
            ],
        ),
    ] {
        let example = example_of(&client, operation);
        for text in shown {
            assert!(
                example.contains(text),
                "{operation}: no {text} in\n{example}"
            );
        }
    }
}

/// Every operation whose body has something to fill fills it, in the presence schema, every
/// valid fixture and every real-world document that generates.
#[test]
fn every_body_is_filled() {
    let mut documents = vec![root().join(xtask::BUNDLED_SCHEMA)];
    for folder in ["tests/fixtures/valid", "tests/fixtures/real-world"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
            .expect("fixtures")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "md"))
            .collect();
        files.sort();
        documents.extend(files);
    }
    let mut filled = 0;
    for path in documents {
        let Some(model) = model_of(&path) else {
            continue;
        };
        let client = client(&model);
        for (builder, op) in client.builders.iter().zip(&model.operations) {
            let empty = match (&builder.body, op.request_body.as_ref().map(|b| &b.ty)) {
                // Nothing to fill: a struct without properties, or any JSON nobody documents
                // beyond the empty object it starts as.
                (Some(RequestBody::Model { type_name, .. }), _) => matches!(
                    model.types.get(type_name),
                    Some(TypeDef::Struct(s)) if s.fields.is_empty()
                ),
                (Some(RequestBody::Json { .. }), Some(Ty::Any)) => {
                    Example::values(&op.request_examples)
                        .iter()
                        .all(|e| Json::parse(e) == Some(Json::Object(Vec::new())))
                }
                (Some(_), _) => false,
                (None, _) => true,
            };
            if empty {
                continue;
            }
            let code: String = builder
                .example
                .iter()
                .flat_map(|l| l.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            let started = format!(".{}()", builder.method);
            assert!(
                !code.contains(&format!("{started}.send()")),
                "{}: {} sends an empty body:\n{}",
                path.display(),
                op.operation_id,
                builder.example.join("\n")
            );
            assert!(!code.contains("todo!()"), "{}: {code}", op.operation_id);
            filled += 1;
        }
    }
    assert!(filled > 300, "only {filled} bodies filled");
}
