//! Decoding and encoding a 650-presence getPresencesByUserId response: the generated models
//! against `serde_json::Value` and against a minimal closed serde struct.
//!
//! `cargo bench -p benches --bench decode`

use benches::minimal;
use divan::Bencher;
use divan::counter::BytesCount;
use graph_presence_models::PresenceCollectionResponse;
use serde_json::Value;
use std::hint::black_box;
use std::sync::LazyLock;

static INPUT: LazyLock<String> = LazyLock::new(|| benches::presences_response(650));

fn decode_models() -> PresenceCollectionResponse {
    serde_json::from_str(black_box(&INPUT)).expect("the fixture decodes")
}

/// What the generated client calls: the runtime's `from_str`, which names the path of a bad
/// value (tracking it only after a failure).
fn decode_runtime() -> PresenceCollectionResponse {
    graph_presence_models::from_str(black_box(&INPUT)).expect("the fixture decodes")
}

fn decode_value() -> Value {
    serde_json::from_str(black_box(&INPUT)).expect("the fixture decodes")
}

fn decode_minimal() -> minimal::Response {
    serde_json::from_str(black_box(&INPUT)).expect("the fixture decodes")
}

mod decode {
    use super::*;

    #[divan::bench]
    fn generated_models(b: Bencher) {
        b.counter(BytesCount::of_str(&*INPUT)).bench(decode_models);
    }

    #[divan::bench]
    fn serde_json_value(b: Bencher) {
        b.counter(BytesCount::of_str(&*INPUT)).bench(decode_value);
    }

    #[divan::bench]
    fn minimal_closed_struct(b: Bencher) {
        b.counter(BytesCount::of_str(&*INPUT)).bench(decode_minimal);
    }
}

mod encode {
    use super::*;

    #[divan::bench]
    fn generated_models(b: Bencher) {
        let value = decode_models();
        b.counter(BytesCount::of_str(&*INPUT))
            .bench(|| serde_json::to_string(black_box(&value)).expect("encodes"));
    }

    #[divan::bench]
    fn serde_json_value(b: Bencher) {
        let value = decode_value();
        b.counter(BytesCount::of_str(&*INPUT))
            .bench(|| serde_json::to_string(black_box(&value)).expect("encodes"));
    }

    #[divan::bench]
    fn minimal_closed_struct(b: Bencher) {
        let value = decode_minimal();
        b.counter(BytesCount::of_str(&*INPUT))
            .bench(|| serde_json::to_string(black_box(&value)).expect("encodes"));
    }
}

fn main() {
    divan::main();
    if !benches::benchmarking() {
        return;
    }
    let megabytes = INPUT.len() as f64 / 1e6;
    println!("\ninput: {} bytes, 650 presences", INPUT.len());
    let t = benches::compare(
        "decode",
        31,
        20,
        &mut [
            ("minimal closed struct (baseline)", &mut || {
                drop(black_box(decode_minimal()))
            }),
            ("generated models", &mut || drop(black_box(decode_models()))),
            ("serde_json::Value", &mut || drop(black_box(decode_value()))),
            (
                "generated models, through the runtime's from_str",
                &mut || drop(black_box(decode_runtime())),
            ),
        ],
    );
    for (name, d) in ["minimal", "models", "Value"].iter().zip(&t) {
        println!("  {name:<8} {:>8.1} MB/s", megabytes / d.as_secs_f64());
    }
    benches::verdict(
        "models at least 2x faster than Value",
        t[2] >= t[1] * 2,
        &format!(
            "Value/models = {:.2}",
            t[2].as_secs_f64() / t[1].as_secs_f64()
        ),
    );
    benches::verdict(
        "the runtime's from_str (path on failure) at most 1.1x serde_json on the models",
        t[3].as_secs_f64() <= t[1].as_secs_f64() * 1.1,
        &format!(
            "from_str/serde_json = {:.2}",
            t[3].as_secs_f64() / t[1].as_secs_f64()
        ),
    );
    benches::verdict(
        "models at most 1.15x the minimal struct",
        t[1].as_secs_f64() <= t[0].as_secs_f64() * 1.15,
        &format!(
            "models/minimal = {:.2}",
            t[1].as_secs_f64() / t[0].as_secs_f64()
        ),
    );
    let (models, value, small) = (decode_models(), decode_value(), decode_minimal());
    let e = benches::compare(
        "encode",
        31,
        20,
        &mut [
            ("minimal closed struct (baseline)", &mut || {
                drop(black_box(serde_json::to_string(&small)))
            }),
            ("generated models", &mut || {
                drop(black_box(serde_json::to_string(&models)))
            }),
            ("serde_json::Value", &mut || {
                drop(black_box(serde_json::to_string(&value)))
            }),
        ],
    );
    benches::verdict(
        "encoding: models at least 2x faster than Value",
        e[2] >= e[1] * 2,
        &format!(
            "Value/models = {:.2}",
            e[2].as_secs_f64() / e[1].as_secs_f64()
        ),
    );
    benches::verdict(
        "encoding: models at most 1.15x the minimal struct",
        e[1].as_secs_f64() <= e[0].as_secs_f64() * 1.15,
        &format!(
            "models/minimal = {:.2}",
            e[1].as_secs_f64() / e[0].as_secs_f64()
        ),
    );
}
