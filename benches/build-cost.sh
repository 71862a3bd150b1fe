#!/usr/bin/env bash
# Build cost of the two generated crates, dependencies prebuilt: a clean build of both, an
# incremental rebuild after touching each generated file, and the lines of generated code.
# `cargo build --timings` writes the per-crate breakdown to target/cargo-timings/.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(-p graph-presence-models -p graph-presence-client)
seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1; awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }"; }

cargo build "${crates[@]}" >/dev/null 2>&1   # dependencies prebuilt
cargo clean "${crates[@]}" >/dev/null 2>&1
echo "clean build of both crates:                 $(seconds cargo build "${crates[@]}" --timings) s"
touch crates/graph-presence-models/src/generated.rs
echo "rebuild after touching the models' file:    $(seconds cargo build "${crates[@]}") s"
touch crates/graph-presence-client/src/generated.rs
echo "rebuild after touching the client's file:   $(seconds cargo build "${crates[@]}") s"
echo "lines of generated code:"
wc -l crates/graph-presence-models/src/generated.rs crates/graph-presence-client/src/generated.rs
