//! One generator run on a synthetic document, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_generate 1000`
fn main() {
    let objects = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let text = benches::synthetic_document(objects);
    let context = xtask::emit_client::ClientContext {
        models_path: "::models",
        example_models: "models",
        example_client: "client",
    };
    let model = xtask::model_from_text(&text, None).expect("valid");
    let models = xtask::models_from_model(&model, "profile").expect("emits");
    let client = xtask::client_from_model(&model, "profile", &context).expect("emits");
    println!("{} bytes of code", models.len() + client.len());
}
