//! The generator itself (parse, validate, lower, emit both crates, format), not the cargo
//! build of the xtask: on the bundled schema and on synthetic Graph-flavoured documents of
//! 100, 1,000 and 4,000 object schemas.
//!
//! `cargo bench -p benches --bench generate`

use divan::Bencher;
use std::hint::black_box;
use xtask::emit_client::ClientContext;

const CONTEXT: ClientContext<'static> = ClientContext {
    models_path: "::models",
    example_models: "models",
    example_client: "client",
};

/// What `cargo xtask codegen` does for a document: parse and lower once, then both crates.
fn generate(text: &str) -> usize {
    let model = xtask::model_from_text(text, None).expect("valid");
    let models = xtask::models_from_model(&model, "bench").expect("emits");
    let client = xtask::client_from_model(&model, "bench", &CONTEXT).expect("emits");
    models.len() + client.len()
}

#[divan::bench]
fn bundled_schema(b: Bencher) {
    let text = std::fs::read_to_string(xtask::workspace_root().join(xtask::BUNDLED_SCHEMA))
        .expect("readable");
    b.bench(|| generate(black_box(&text)));
}

#[divan::bench(args = [100, 1000, 4000], sample_count = 5, sample_size = 1)]
fn synthetic(b: Bencher, objects: usize) {
    let text = benches::synthetic_document(objects);
    b.bench(|| generate(black_box(&text)));
}

fn main() {
    divan::main();
    if !benches::benchmarking() {
        return;
    }
    let docs: Vec<(usize, String)> = [100, 1000, 4000]
        .into_iter()
        .map(|n| (n, benches::synthetic_document(n)))
        .collect();
    let mut runs: Vec<(String, Box<dyn FnMut()>)> = docs
        .iter()
        .map(|(n, text)| {
            (
                format!("{n} object schemas"),
                Box::new(move || {
                    black_box(generate(text));
                }) as Box<dyn FnMut()>,
            )
        })
        .collect();
    let mut candidates: Vec<(&str, &mut dyn FnMut())> = runs
        .iter_mut()
        .map(|(name, run)| (name.as_str(), run.as_mut() as &mut dyn FnMut()))
        .collect();
    let t = benches::compare("generation", 5, 1, &mut candidates);
    let growth = t[2].as_secs_f64() / t[1].as_secs_f64();
    benches::verdict(
        "4,000 schemas in under 1 s",
        t[2].as_secs_f64() < 1.0,
        &format!("{:.3} s", t[2].as_secs_f64()),
    );
    benches::verdict(
        "4x input at most 4.4x time (1,000 -> 4,000)",
        growth <= 4.4,
        &format!("{growth:.2}x"),
    );
}
