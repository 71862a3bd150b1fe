#!/usr/bin/env bash
# For every real-world document (tests/fixtures/real-world), what a new user gets from it:
# `cargo xtask codegen --schema DOC --out target/real-world/NAME` (NAME is the file name
# without its extension, as a user would pick it), then `cargo build` and
# `cargo clippy --all-targets -- -D warnings` on the standalone workspace, its doctests (every
# operation's doc example, `no_run`: compiled, not sent), and the models crate's test of the
# examples the document embeds (`--test examples`: each decoded into its generated type,
# re-encoded, compared as JSON), and the client against the generated mock on loopback
# (`--test agreement`: every documented response example asked for, decoded, compared).
# Its server crate is built and linted with the rest. A document large enough for per-tag cargo
# features (xtask/src/tags.rs: GitHub, nexus) also gets its client linted with one tag alone
# (`repos`, else the first), so the gating is proven complete. Prints one line per document: how far it got
# (with the generator's warning count), or the first error, and every example that does not
# round-trip. tests/tests/real_world.rs snapshots the problem and warning lists.
#
# Usage: tests/real-world.sh [--gate] [--safe-names] [DOC...]   (default: every document)
# Without --gate it exits 0 whatever the documents do: a measurement (issue 9).
# --gate (CI): the outcome of every document (how far it got, and each example that does not
# round-trip, with its decode error) must be exactly what tests/real-world.expected says, so
# a document that starts or stops generating, compiling or round-tripping is a reviewed change
# of that file; exits 1 on any difference, and prints it.
# --safe-names: NAME lowercased, every character but a-z, 0-9 and `-` made `-`
# (`graph-v1-0-changenotifications`).
# The standalone workspaces share the target directory (CARGO_TARGET_DIR, default target/) and
# this repository's runtime crates (`--runtime crates`), so both are built once.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never
# The same document order (and so the same outcome list) on every machine.
export LC_ALL=C
out_root=target/real-world
mkdir -p "$out_root"

safe_names=false
gate=false
while [ $# -gt 0 ]; do
  case "$1" in
    --safe-names) safe_names=true ;;
    --gate) gate=true ;;
    *) break ;;
  esac
  shift
done
expected=tests/real-world.expected
outcomes="$out_root/outcomes.txt"
: >"$outcomes"
# One line of the gate's outcome list (the text compared with $expected).
record() { printf '%s\n' "$*" >>"$outcomes"; }
if [ $# -gt 0 ]; then
  if $gate; then
    echo "error: --gate checks every document; it takes no DOC" >&2
    exit 2
  fi
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
  doc_start=$SECONDS
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
  took() { echo "$((SECONDS - doc_start)) s"; }
  # This repository's runtime crates, shared by every document (not vendored into each), so
  # they compile once: a user's vendored layout is built by CI's standalone step.
  if ! cargo xtask codegen --schema "$doc" --out "$out" --runtime crates >"$gen_log" 2>&1; then
    problems=$(grep -m1 -oE 'has [0-9]+ problems?' "$gen_log" || echo "fails")
    first=$(grep -m1 -E '^  ' "$gen_log" | sed -E 's/^ +//' || true)
    printf '%-50s does not generate (%s; %s): %s\n' "$file" "$problems" "$(took)" "${first:-$(head -n1 "$gen_log")}"
    record "$file: does not generate"
    continue
  fi
  # One line per distinct warning; one seen in several places says how many (`(6 places: …`).
  warnings=$(awk '/^warning: /{ if (match($0, /\(([0-9]+) places: /)) n += substr($0, RSTART + 1) + 0; else n++ } END { print n + 0 }' "$gen_log")
  shown="$file ($warnings warning$([ "$warnings" = 1 ] || echo s))"
  # Pin dependency versions to the ones this workspace tests the runtime crates with.
  cp Cargo.lock "$out/Cargo.lock"
  if ! cargo build --manifest-path "$out/Cargo.toml" >>"$log" 2>&1; then
    printf '%-50s generated, does not compile (%s): %s\n' "$shown" "$(took)" "$(first_error "$log")"
    record "$file: generated, does not compile"
    continue
  fi
  : >"$log.clippy"
  if ! cargo clippy --manifest-path "$out/Cargo.toml" --all-targets -- -D warnings >>"$log.clippy" 2>&1; then
    printf '%-50s generated, compiled, clippy (%s): %s\n' "$shown" "$(took)" "$(first_error "$log.clippy")"
    record "$file: generated, compiled, not clippy-clean"
    continue
  fi
  # The whole workspace's doctests, so that they reuse what `cargo build` made (GitHub's 767
  # doc examples: about 11 s; all 27 documents' 1,049: about 50 s).
  doc_examples=$(grep -c '^ */// ```no_run' "$out/client/src/generated.rs" || true)
  : >"$log.doc"
  if ! cargo test --manifest-path "$out/Cargo.toml" --doc >>"$log.doc" 2>&1; then
    printf '%-50s generated, compiled, clippy-clean, doc examples (%s): %s\n' "$shown" "$(took)" "$(first_error "$log.doc")"
    record "$file: generated, compiled, clippy-clean, doc examples do not compile"
    continue
  fi
  examples="no examples to check"
  failures=""
  if [ -f "$out/models/tests/examples.rs" ]; then
    count=$(grep -c '^\["/' "$out/models/tests/examples.json" || true)
    : >"$log.examples"
    if cargo test --manifest-path "$out/Cargo.toml" --package "$(sed -nE 's/^name = "(.*)"$/\1/p' "$out/models/Cargo.toml")" --test examples >>"$log.examples" 2>&1; then
      examples="examples: all $count round-trip"
    else
      failures=$(grep -E '^round-trip failure: ' "$log.examples" || true)
      if [ -z "$failures" ]; then
        failures="round-trip failure: the examples test did not run: $(first_error "$log.examples")"
      fi
      examples="examples: $(printf '%s\n' "$failures" | grep -c .) of $count do not round-trip"
    fi
  fi
  # The client against the mock: every documented response example asked for and compared.
  agreement="no response examples for client and mock"
  if [ -f "$out/client/tests/agreement.rs" ]; then
    cases=$(sed -nE 's/^static CASES: .*; ([0-9]+)\] = .*/\1/p' "$out/client/tests/agreement.rs")
    : >"$log.agreement"
    if cargo test --manifest-path "$out/Cargo.toml" --package "$(sed -nE 's/^name = "(.*)"$/\1/p' "$out/client/Cargo.toml")" --test agreement >>"$log.agreement" 2>&1; then
      agreement="client and mock agree on all $cases response examples"
    else
      disagreements=$(grep -E '^agreement failure: ' "$log.agreement" || true)
      if [ -z "$disagreements" ]; then
        disagreements="agreement failure: the agreement test did not run: $(first_error "$log.agreement")"
      fi
      agreement="client and mock disagree on $(printf '%s\n' "$disagreements" | grep -c .) of $cases response examples"
      failures=$(printf '%s\n%s' "$failures" "$disagreements" | grep .)
    fi
  fi
  # A document with per-tag features (xtask/src/tags.rs): one tag alone (`repos` where there is
  # one, else the first) compiles and is clippy-clean, so the gating is complete.
  one_tag=""
  tags=$(sed -nE 's/^all-tags = \[(.*)\]$/\1/p' "$out/client/Cargo.toml" | tr -d '",')
  if [ -n "$tags" ]; then
    tag=$(printf '%s\n' $tags | grep -x repos || printf '%s\n' $tags | head -n1)
    : >"$log.tag"
    if cargo clippy --manifest-path "$out/Cargo.toml" --package "$(sed -nE 's/^name = "(.*)"$/\1/p' "$out/client/Cargo.toml")" --no-default-features --features "$tag" -- -D warnings >>"$log.tag" 2>&1; then
      one_tag=", tag $tag alone clippy-clean"
    else
      one_tag=", tag $tag alone: $(first_error "$log.tag")"
      failures=$(printf '%s\n%s' "$failures" "tag $tag alone: $(first_error "$log.tag")" | grep .)
    fi
  fi
  if [ "$doc_examples" = 1 ]; then docs="1 doc example compiles"; else docs="$doc_examples doc examples compile"; fi
  printf '%-50s generated, compiled, clippy-clean, %s, %s, %s%s (%s)\n' "$shown" "$docs" "$examples" "$agreement" "$one_tag" "$(took)"
  [ -z "$failures" ] || printf '%s\n' "$failures" | sed 's/^/    /'
  record "$file: generated, compiled, clippy-clean, $docs, $examples, $agreement$one_tag"
  [ -z "$failures" ] || record "$(printf '%s\n' "$failures" | sed 's/^/    /')"
done
echo "($((SECONDS - start)) s; logs in $out_root/NAME.log)"

if $gate; then
  if diff -u <(grep -v '^ *#' "$expected") "$outcomes" >"$out_root/outcomes.diff"; then
    echo "every document's outcome is the expected one ($expected)"
  else
    cat "$out_root/outcomes.diff" >&2
    echo "error: real-world outcomes differ from $expected (above: - expected, + found); if the change is intended, update $expected from $outcomes" >&2
    exit 1
  fi
fi
