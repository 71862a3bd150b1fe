//! Times each generator phase on a synthetic document: `phases 1000`.
use std::time::Instant;

fn main() {
    let objects = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let text = benches::synthetic_document(objects);
    let t = Instant::now();
    let doc = xtask::document::parse(&text).expect("parses");
    println!("parse           {:?}", t.elapsed());
    let t = Instant::now();
    let model = xtask::model_from_document(&doc, None).expect("valid");
    println!("lower           {:?}", t.elapsed());
    let t = Instant::now();
    let models = xtask::models_from_model(&model, "phases").expect("emits");
    println!(
        "models (emit + format, parallel) {:?} ({} bytes)",
        t.elapsed(),
        models.len()
    );
    let context = xtask::emit_client::ClientContext {
        models_path: "::models",
        example_models: "models",
        example_client: "client",
    };
    let t = Instant::now();
    let client = xtask::client_from_model(&model, "phases", &context).expect("emits");
    println!(
        "client (emit + format)           {:?} ({} bytes)",
        t.elapsed(),
        client.len()
    );
}
