//! Graph's flavour (issue 22): a Graph document's crates carry Graph's layer of the client
//! runtime (clouds, API versions, the presence rate limit, `azure_identity`, the `GraphError`
//! name) and any other document's carry nothing of Graph's, in their code, docs or manifests.
//! Which documents are Graph's is held here too: the bundled schema and the vendored Graph
//! modules are, every other vendored document is not; `--flavour` overrides it.

use std::path::Path;
use tests::root;
use xtask::model::Flavour;

/// What must not appear in a plain document's output (case-sensitive): Graph's settings by
/// name, Graph, Azure, Microsoft and OData in any text, and Graph's name in an identifier, a
/// crate or a span (`graph_`, `graph-`, `graph.`: the runtime crates are `openapi-*-runtime`).
const GRAPH_WORDS: &[&str] = &[
    "Graph",
    "graph_",
    "graph-",
    "graph.",
    "ApiVersion",
    "Cloud",
    "azure",
    "Azure",
    "Microsoft",
    "@odata",
    "OData",
    "features = [\"graph\"]",
];

/// The text of every generated `.rs` file and manifest of a document's standalone output
/// (depending on this repository's runtime crates, so none is vendored), by path.
fn generated(document: &str, flavour: Option<Flavour>) -> Vec<(String, String)> {
    let schema = root().join("tests/fixtures/real-world").join(document);
    let runtime = root().join("crates");
    let out = std::env::temp_dir()
        .join("flavour-never-written")
        .join("api");
    let options = xtask::Standalone {
        name: Some("api"),
        runtime: Some(&runtime),
        flavour,
        tag_features: None,
    };
    let generated = xtask::standalone_outputs(&schema, &out, options)
        .unwrap_or_else(|problems| panic!("{document}: {problems}"));
    let files: Vec<(String, String)> = generated
        .files
        .into_iter()
        .filter(|o| o.path.extension().is_some_and(|e| e == "rs") || o.path.ends_with("Cargo.toml"))
        .map(|o| (o.path.display().to_string(), o.text))
        .collect();
    assert!(
        files.iter().any(|(p, _)| p.ends_with("client/Cargo.toml")),
        "{document}: a client manifest"
    );
    files
}

/// Each Graph word found in the files, with the first file it is in.
fn graph_words_in(files: &[(String, String)]) -> Vec<(&'static str, String)> {
    GRAPH_WORDS
        .iter()
        .filter_map(|word| {
            files
                .iter()
                .find(|(_, text)| text.contains(word))
                .map(|(path, _)| (*word, path.clone()))
        })
        .collect()
}

#[test]
fn a_plain_documents_crates_carry_nothing_of_graphs() {
    for document in [
        "oai-v3.0-petstore.yaml",
        "oai-v3.2-mega.yaml",
        "redocly-museum.yaml",
        "twilio_bulkexports_v1.json",
    ] {
        let files = generated(document, None);
        assert_eq!(graph_words_in(&files), [], "{document}");
        let manifest = &files
            .iter()
            .find(|(p, _)| p.ends_with("client/Cargo.toml"))
            .expect("a client manifest")
            .1;
        assert!(
            manifest.contains("openapi-client-runtime = {"),
            "{manifest}"
        );
    }
}

#[test]
fn a_graph_documents_crates_carry_graphs_layer() {
    let files = generated("graph-v1.0-Places.yml", None);
    let found: Vec<&str> = graph_words_in(&files).into_iter().map(|(w, _)| w).collect();
    for word in [
        "Graph",
        "ApiVersion",
        "Cloud",
        "azure",
        "Azure",
        "features = [\"graph\"]",
    ] {
        assert!(found.contains(&word), "{word} missing: {found:?}");
    }
    let client = &files
        .iter()
        .find(|(p, _)| p.ends_with("client/src/generated.rs"))
        .expect("a client")
        .1;
    assert!(
        client.contains("ApiVersion, Cloud, GraphError"),
        "the layer's names"
    );
    assert!(
        client.contains("AzureCredential, REFRESH_MARGIN"),
        "and the feature's"
    );
}

#[test]
fn the_flavour_can_be_forced_either_way() {
    let plain = generated("graph-v1.0-Places.yml", Some(Flavour::Plain));
    let words: Vec<&str> = graph_words_in(&plain).into_iter().map(|(w, _)| w).collect();
    for word in [
        "ApiVersion",
        "Cloud",
        "azure",
        "Azure",
        "features = [\"graph\"]",
    ] {
        assert!(!words.contains(&word), "{word} in a forced plain output");
    }
    let graph = generated("oai-v3.0-petstore.yaml", Some(Flavour::Graph));
    let words: Vec<&str> = graph_words_in(&graph).into_iter().map(|(w, _)| w).collect();
    for word in ["ApiVersion", "Cloud", "azure", "features = [\"graph\"]"] {
        assert!(
            words.contains(&word),
            "{word} missing from a forced Graph output"
        );
    }
}

/// The rule on every vendored document: Graph's modules (`graph-*.yml`) and the bundled
/// schema are Graph's, the rest are not.
#[test]
fn graphs_documents_and_only_they_are_detected_as_graphs() {
    let flavour = |path: &Path| {
        let text = std::fs::read_to_string(path).expect("readable");
        let doc = xtask::document::parse(&text).expect("parses");
        match xtask::model_from_document(&doc, path.parent()) {
            Ok(model) => Some(model.flavour),
            // A document the generator rejects has no crates to flavour.
            Err(_) => None,
        }
    };
    assert_eq!(
        flavour(&root().join(xtask::BUNDLED_SCHEMA)),
        Some(Flavour::Graph)
    );
    let dir = root().join("tests/fixtures/real-world");
    let mut seen = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("the vendored documents") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let expected = if name.starts_with("graph-") {
            seen.0 += 1;
            Flavour::Graph
        } else {
            seen.1 += 1;
            Flavour::Plain
        };
        if let Some(found) = flavour(&path) {
            assert_eq!(found, expected, "{name}");
        }
    }
    assert!(seen.0 >= 5 && seen.1 >= 30, "{seen:?}");
}

/// `--flavour` takes `graph` or `plain`, and goes with `--out` only.
#[test]
fn the_flavour_flag_is_checked() {
    let schema = root().join("tests/fixtures/real-world/oai-v3.0-petstore.yaml");
    let schema = schema.to_string_lossy();
    let out = std::env::temp_dir().join("flavour-never-written-either");
    let out = out.to_string_lossy();
    let run = |args: &[&str]| {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = xtask::cli::run(args.iter().map(|a| a.to_string()), &mut stdout, &mut stderr);
        (code, String::from_utf8_lossy(&stderr).into_owned())
    };
    let (code, err) = run(&[
        "codegen",
        "--schema",
        &schema,
        "--out",
        &out,
        "--flavour",
        "azure",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--flavour needs `graph` or `plain`"), "{err}");
    let (code, err) = run(&["codegen", "--flavour", "plain"]);
    assert_eq!(code, 1);
    assert!(err.contains("go with --schema and --out"), "{err}");
    assert!(!Path::new(&*out).exists(), "nothing written");
}
