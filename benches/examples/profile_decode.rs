//! Decodes the 650-presence response repeatedly, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_decode models` (or `minimal`,
//! `value`, or `runtime`: the runtime's `from_str`, which the client calls).
fn main() {
    let input = benches::presences_response(650);
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models".to_owned());
    for _ in 0..20 {
        match which.as_str() {
            "minimal" => drop(std::hint::black_box(
                serde_json::from_str::<benches::minimal::Response>(&input).expect("decodes"),
            )),
            "value" => drop(std::hint::black_box(
                serde_json::from_str::<serde_json::Value>(&input).expect("decodes"),
            )),
            "runtime" => {
                drop(std::hint::black_box(
                    graph_presence_models::from_str::<
                        graph_presence_models::PresenceCollectionResponse,
                    >(&input)
                    .expect("decodes"),
                ))
            }
            _ => drop(std::hint::black_box(
                serde_json::from_str::<graph_presence_models::PresenceCollectionResponse>(&input)
                    .expect("decodes"),
            )),
        }
    }
}
