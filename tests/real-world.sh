#!/usr/bin/env bash
# For every real-world document (tests/fixtures/real-world), what a new user gets from it:
# `cargo xtask codegen --schema DOC --out target/real-world/NAME` (NAME is the file name
# without its extension, as a user would pick it), then `cargo build` and
# `cargo clippy --all-targets -- -D warnings` on the standalone workspace. Prints one line per
# document: how far it got (with the generator's warning count), or the first error. Exits 0
# whatever the documents do: this is a measurement (issue 9), not a gate.
# tests/tests/real_world.rs snapshots the problem and warning lists.
#
# Usage: tests/real-world.sh [--safe-names] [DOC...]   (default: every document)
# --safe-names: NAME lowercased, every character but a-z, 0-9 and `-` made `-`
# (`graph-v1-0-changenotifications`), so the generated code is measured even while `--out`
# names with a dot or capitals give invalid package or crate names (issue 9, "Output").
# The standalone workspaces share the target directory (CARGO_TARGET_DIR, default target/),
# so their dependencies are built once.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never
out_root=target/real-world
mkdir -p "$out_root"

safe_names=false
if [ "${1:-}" = --safe-names ]; then
  safe_names=true
  shift
fi
if [ $# -gt 0 ]; then
  docs=("$@")
else
  docs=(tests/fixtures/real-world/*.json tests/fixtures/real-world/*.yaml tests/fixtures/real-world/*.yml)
fi

# Build the generator once, so its build output does not land in the first document's log.
cargo build --quiet --package xtask --locked || exit 1

# The first line of a log that says what went wrong (cargo's `error…` / `warning…` lines; for
# the generator, its first problem).
first_error() {
  local line
  line=$(grep -m1 -E '^(error|warning)(\[[A-Za-z0-9]+\])?: ' "$1" | grep -v -E '^error: (could not compile|aborting)' || true)
  [ -n "$line" ] || line=$(grep -m1 -v '^\s*$' "$1" || true)
  # The location line that follows rustc's message, if any.
  local at
  at=$(grep -m1 -E '^\s+--> ' "$1" | sed -E 's/^\s+--> //' || true)
  if [ -n "$at" ]; then echo "$line (at $at)"; else echo "$line"; fi
}

start=$SECONDS
printf '%-50s %s\n' document outcome
for doc in "${docs[@]}"; do
  [ -f "$doc" ] || continue
  file=$(basename "$doc")
  name=${file%.*}
  if $safe_names; then
    name=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-')
  fi
  out="$out_root/$name"
  log="$out_root/$name.log"
  # The generator's own output (its errors or warnings) has a log of its own, so that
  # `first_error` finds cargo's first error, not the generator's first warning.
  gen_log="$out_root/$name.codegen.log"
  rm -rf "$out"
  : >"$log"
  if ! cargo xtask codegen --schema "$doc" --out "$out" >"$gen_log" 2>&1; then
    problems=$(grep -m1 -oE 'has [0-9]+ problems?' "$gen_log" || echo "fails")
    first=$(grep -m1 -E '^  ' "$gen_log" | sed -E 's/^ +//' || true)
    printf '%-50s does not generate (%s): %s\n' "$file" "$problems" "${first:-$(head -n1 "$gen_log")}"
    continue
  fi
  warnings=$(grep -c '^warning: ' "$gen_log" || true)
  file="$file ($warnings warning$([ "$warnings" = 1 ] || echo s))"
  # Pin dependency versions to the ones this workspace tests the runtime crates with.
  cp Cargo.lock "$out/Cargo.lock"
  if ! cargo build --manifest-path "$out/Cargo.toml" >>"$log" 2>&1; then
    printf '%-50s generated, does not compile: %s\n' "$file" "$(first_error "$log")"
    continue
  fi
  : >"$log.clippy"
  if ! cargo clippy --manifest-path "$out/Cargo.toml" --all-targets -- -D warnings >>"$log.clippy" 2>&1; then
    printf '%-50s generated, compiled, clippy: %s\n' "$file" "$(first_error "$log.clippy")"
    continue
  fi
  printf '%-50s generated, compiled, clippy-clean\n' "$file"
done
echo "($((SECONDS - start)) s; logs in $out_root/NAME.log)"
