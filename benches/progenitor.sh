#!/usr/bin/env bash
# Our generator against progenitor (cargo-progenitor), side by side in one run, on the
# real-world documents (tests/fixtures/real-world; issue 9, "Scale"). For each document and
# each tool:
# - outcome: generates / compiles, or fails / panics with the tool's first line about it;
# - generation time: `target/release/xtask codegen --schema DOC --out DIR` against
#   `cargo-progenitor progenitor -i DOC -o DIR -n NAME -v 0.1.0` (both binaries run directly,
#   so neither pays for a `cargo` wrapper process; progenitor formats its output through
#   rustfmt-wrapper, which runs `rustc -V` and `rustfmt` as child processes, ours with
#   prettyplease in-process: each as shipped);
# - lines generated: the `.rs` files each tool writes. Ours: the models and client crates,
#   *not* the runtime crates it vendors under `runtime/` (counted once, separately, like
#   progenitor's `progenitor-client`, which its output depends on from crates.io);
# - clean build time (debug profile) of the generated crates alone: every output is built
#   once in one shared target directory (dependencies, our vendored runtime crates and
#   progenitor-client are then prebuilt), and each timed build is `cargo clean -p` of the
#   generated packages followed by `cargo build --offline -p` of them (cargo's own start-up
#   included): ours, the models and client crates, not the server crate progenitor has no
#   counterpart of (before 2026-12-06 a whole-workspace build also rebuilt our server);
# - for our output with per-tag cargo features (xtask/src/tags.rs), a third timed build: the
#   client with one tag alone (ONE_TAG, default `repos`, else the document's first tag;
#   `--no-default-features --features TAG,rustls`), in a second table.
# The tools take turns (interleaved rounds, the order flipped every round); the table gives
# medians and ratios progenitor / ours (above 1: progenitor takes longer or writes more).
# The machine is noisy: read the ratios first.
#
# Not run in CI (.ci/run): a manual benchmark, it needs crates.io (progenitor and its
# output's dependencies) and several minutes. It exits 0 whatever the tools do with the
# documents: failures are results, and stay in the table. Results: BENCHMARKS.md.
#
# Usage: benches/progenitor.sh [DOC...]   (default: every document in tests/fixtures/real-world)
# Environment: GEN_REPS (default 11) and BUILD_REPS (default 3) rounds;
# PROGENITOR_VERSION (default 0.15.1, installed with `cargo install --locked` into
# PROGENITOR_ROOT, default target/tools/progenitor, if that version is not there);
# PROGENITOR_INTERFACE (default positional, progenitor's default; or builder, the style our
# client has). The one change made to progenitor's output: an empty `[workspace]` table
# appended to its Cargo.toml, so cargo does not take the crate (written under target/) for a
# member of this repository's workspace.
# Outputs, logs and the table (table.md) are in target/progenitor-bench/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never
# Panics print one message, not a backtrace (and neither tool pays for one in its timing).
export RUST_BACKTRACE=0
gen_reps=${GEN_REPS:-11}
build_reps=${BUILD_REPS:-3}
progenitor_version=${PROGENITOR_VERSION:-0.15.1}
progenitor_root=${PROGENITOR_ROOT:-$CARGO_TARGET_DIR/tools/progenitor}
progenitor_interface=${PROGENITOR_INTERFACE:-positional}
work=$CARGO_TARGET_DIR/progenitor-bench
# The generated crates of both tools share this target directory, so dependencies build once.
build_target=$work/target

if [ $# -gt 0 ]; then
  docs=("$@")
else
  docs=(tests/fixtures/real-world/*.json tests/fixtures/real-world/*.yaml tests/fixtures/real-world/*.yml)
fi
given=("${docs[@]}")
docs=()
for doc in "${given[@]}"; do
  if [ -f "$doc" ]; then docs+=("$doc"); else echo "no such document, left out: $doc" >&2; fi
done

echo "building our generator (release) and, if missing, installing cargo-progenitor $progenitor_version..." >&2
cargo build --quiet --release --package xtask --locked || exit 1
ours_bin=$CARGO_TARGET_DIR/release/xtask
progenitor_bin=$progenitor_root/bin/cargo-progenitor
if ! cargo install --list --root "$progenitor_root" 2>/dev/null | grep -qx "cargo-progenitor v$progenitor_version:"; then
  cargo install --quiet --locked cargo-progenitor --version "$progenitor_version" --root "$progenitor_root" \
    || { echo "could not install cargo-progenitor $progenitor_version" >&2; exit 1; }
fi

rm -rf "$work/ours" "$work/progenitor" "$work/times" "$work/logs"
mkdir -p "$work/ours" "$work/progenitor" "$work/times" "$work/logs"

# One number a line: the timing files hold one line per round (median() sorts lines).
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", b - a }'; }
# The median of the numbers in a file, one per line (empty if there are none).
median() {
  [ -s "$1" ] || return 0
  sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The file name, extension included (param-overrides comes as .json and .yaml), lowercased,
# every character but a-z, 0-9 and `-` made `-`: the output folder and progenitor's crate name.
safe_name() { printf '%s' "$(basename "$1")" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-'; }
# The first line of a generation log that says what went wrong: a panic's message with its
# location, or the problem count and first problem our generator lists.
first_generation_problem() {
  local log=$1 at line count
  if grep -q ' panicked at ' "$log"; then
    at=$(grep -m1 ' panicked at ' "$log" | sed -E 's/.* panicked at (.*):$/\1/; s#.*/registry/src/[^/]*/##')
    line=$(grep -m1 -A1 ' panicked at ' "$log" | tail -n1)
    echo "panicked at $at: \`$line\`"
    return
  fi
  count=$(grep -m1 -oE 'has [0-9]+ problems?' "$log" || true)
  line=$(grep -m1 -E '^  /' "$log" | sed -E 's/^ +//' || true)
  if [ -n "$line" ]; then echo "$count; first: $line"; else grep -m1 -v '^\s*$' "$log"; fi
}
# The first line of a build log that says what went wrong: cargo's first error, with its location.
first_build_error() {
  local log=$1 line at
  line=$(grep -m1 -E '^error(\[[A-Za-z0-9]+\])?: ' "$log" | grep -v -E '^error: (could not compile|aborting)' || true)
  [ -n "$line" ] || line=$(grep -m1 -v '^\s*$' "$log" || true)
  at=$(grep -m1 -E '^\s+--> ' "$log" | sed -E 's/^\s+--> //' || true)
  if [ -n "$at" ]; then echo "$line (at $at)"; else echo "$line"; fi
}

# generate TOOL DOC: one generation into $work/TOOL/NAME, timed into times/NAME.TOOL.gen.
generate() {
  local tool=$1 doc=$2 name out log start end rc
  name=$(safe_name "$doc")
  out=$work/$tool/$name
  log=$work/logs/$name.$tool.gen.log
  rm -rf "$out"
  start=$EPOCHREALTIME
  if [ "$tool" = ours ]; then
    "$ours_bin" codegen --schema "$doc" --out "$out" >"$log" 2>&1
  else
    "$progenitor_bin" progenitor -i "$doc" -o "$out" -n "$name" -v 0.1.0 \
      --interface "$progenitor_interface" >"$log" 2>&1
  fi
  rc=$?
  end=$EPOCHREALTIME
  echo "$rc" >"$work/times/$name.$tool.rc"
  [ "$rc" = 0 ] && elapsed "$start" "$end" >>"$work/times/$name.$tool.gen"
}

# The generated packages of a tool's output (what `cargo clean -p` removes before a timed build).
packages() {
  local tool=$1 out=$2
  if [ "$tool" = ours ]; then
    sed -n -E 's/^name = "(.*)"$/\1/p' "$out/models/Cargo.toml" "$out/client/Cargo.toml"
  else
    sed -n -E 's/^name = "(.*)"$/\1/p' "$out/Cargo.toml"
  fi
}

# timed_build TOOL DOC: a clean build of the generated packages alone, into times/NAME.TOOL.build.
timed_build() {
  local tool=$1 doc=$2 name out start end specs=()
  name=$(safe_name "$doc")
  out=$work/$tool/$name
  [ -f "$work/times/$name.$tool.compiles" ] || return 0
  for p in $(packages "$tool" "$out"); do specs+=(-p "$p"); done
  CARGO_TARGET_DIR=$build_target cargo clean --offline --quiet --manifest-path "$out/Cargo.toml" "${specs[@]}" >/dev/null 2>&1
  start=$EPOCHREALTIME
  if CARGO_TARGET_DIR=$build_target cargo build --offline --manifest-path "$out/Cargo.toml" "${specs[@]}" >/dev/null 2>&1; then
    end=$EPOCHREALTIME
    elapsed "$start" "$end" >>"$work/times/$name.$tool.build"
  fi
}

# The tag timed alone in an output with per-tag features (empty: it has none).
one_tag() {
  local tags
  tags=$(sed -nE 's/^all-tags = \[(.*)\]$/\1/p' "$1/client/Cargo.toml" 2>/dev/null | tr -d '",')
  [ -n "$tags" ] || return 0
  printf '%s\n' $tags | grep -x "${ONE_TAG:-repos}" || printf '%s\n' $tags | head -n1
}

# timed_tag_build DOC: a clean build of our client with one tag alone, into times/NAME.ours.tag.
timed_tag_build() {
  local name out tag client start end specs=()
  name=$(safe_name "$1")
  out=$work/ours/$name
  [ -f "$work/times/$name.ours.compiles" ] || return 0
  tag=$(one_tag "$out")
  [ -n "$tag" ] || return 0
  client=$(sed -n -E 's/^name = "(.*)"$/\1/p' "$out/client/Cargo.toml")
  for p in $(packages ours "$out"); do specs+=(-p "$p"); done
  CARGO_TARGET_DIR=$build_target cargo clean --offline --quiet --manifest-path "$out/Cargo.toml" "${specs[@]}" >/dev/null 2>&1
  start=$EPOCHREALTIME
  if CARGO_TARGET_DIR=$build_target cargo build --offline --manifest-path "$out/Cargo.toml" -p "$client" \
    --no-default-features --features "$tag,rustls" >"$work/logs/$name.ours.tag.log" 2>&1; then
    end=$EPOCHREALTIME
    elapsed "$start" "$end" >>"$work/times/$name.ours.tag"
  fi
}

start_all=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
echo "generation: $gen_reps rounds over ${#docs[@]} documents..." >&2
for ((round = 1; round <= gen_reps; round++)); do
  if ((round % 2)); then order=(ours progenitor); else order=(progenitor ours); fi
  for doc in "${docs[@]}"; do
    for tool in "${order[@]}"; do generate "$tool" "$doc"; done
  done
done

echo "first builds (dependencies, our runtime crates, progenitor-client)..." >&2
for doc in "${docs[@]}"; do
  name=$(safe_name "$doc")
  for tool in ours progenitor; do
    out=$work/$tool/$name
    [ "$(cat "$work/times/$name.$tool.rc")" = 0 ] || continue
    if [ "$tool" = ours ]; then
      # Pin dependency versions to the ones this workspace tests the runtime crates with.
      cp Cargo.lock "$out/Cargo.lock"
    else
      printf '\n[workspace]\n' >>"$out/Cargo.toml"
    fi
    if CARGO_TARGET_DIR=$build_target cargo build --manifest-path "$out/Cargo.toml" >"$work/logs/$name.$tool.build.log" 2>&1; then
      touch "$work/times/$name.$tool.compiles"
    fi
  done
done

echo "clean builds of the generated crates: $build_reps rounds..." >&2
for ((round = 1; round <= build_reps; round++)); do
  if ((round % 2)); then order=(ours progenitor); else order=(progenitor ours); fi
  for doc in "${docs[@]}"; do
    for tool in "${order[@]}"; do timed_build "$tool" "$doc"; done
    timed_tag_build "$doc"
  done
done

# The table.
count_lines() { (cd "$1" && find . -name '*.rs' -not -path './runtime/*' -print0 | xargs -0 -r cat | wc -l); }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1f×", b / a }'; }
ms() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { v = s * 1000; if (v < 10) printf "%.1f ms", v; else printf "%.0f ms", v }' | sed -E ':a; s/([0-9])([0-9]{3})( |,)/\1,\2\3/; ta'; }
secs() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { printf "%.2f s", s }'; }
lines_fmt() { [ -n "$1" ] && echo "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'; }

add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }

declare -A generated compiled panicked sum_gen sum_lines sum_build
both=0
problems=()
table=$work/table.md
{
  echo "| document | ours | progenitor | generation, ours | progenitor | ratio | lines, ours | progenitor | ratio | clean build, ours | progenitor | ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for doc in "${docs[@]}"; do
    name=$(safe_name "$doc")
    declare -A outcome=() gen=() lines=() build=()
    for tool in ours progenitor; do
      out=$work/$tool/$name
      if [ "$(cat "$work/times/$name.$tool.rc")" != 0 ]; then
        log=$work/logs/$name.$tool.gen.log
        if grep -q ' panicked at ' "$log"; then
          outcome[$tool]="**panics**"
          panicked[$tool]=$((${panicked[$tool]:-0} + 1))
        else
          outcome[$tool]="**fails**"
        fi
        problems+=("$(basename "$doc"), $tool: $(first_generation_problem "$log")")
        continue
      fi
      generated[$tool]=$((${generated[$tool]:-0} + 1))
      gen[$tool]=$(median "$work/times/$name.$tool.gen")
      lines[$tool]=$(count_lines "$out")
      if [ -f "$work/times/$name.$tool.compiles" ]; then
        outcome[$tool]=compiles
        compiled[$tool]=$((${compiled[$tool]:-0} + 1))
        build[$tool]=$(median "$work/times/$name.$tool.build")
      else
        outcome[$tool]="generates, **does not compile**"
        problems+=("$(basename "$doc"), $tool: $(first_build_error "$work/logs/$name.$tool.build.log")")
      fi
    done
    echo "| $(basename "$doc") | ${outcome[ours]} | ${outcome[progenitor]}" \
      "| $(ms "${gen[ours]:-}") | $(ms "${gen[progenitor]:-}") | $(ratio "${gen[ours]:-}" "${gen[progenitor]:-}")" \
      "| $(lines_fmt "${lines[ours]:-}") | $(lines_fmt "${lines[progenitor]:-}") | $(ratio "${lines[ours]:-}" "${lines[progenitor]:-}")" \
      "| $(secs "${build[ours]:-}") | $(secs "${build[progenitor]:-}") | $(ratio "${build[ours]:-}" "${build[progenitor]:-}") |"
    if [ "${outcome[ours]}" = compiles ] && [ "${outcome[progenitor]}" = compiles ]; then
      both=$((both + 1))
      for tool in ours progenitor; do
        sum_gen[$tool]=$(add "${sum_gen[$tool]:-0}" "${gen[$tool]}")
        sum_lines[$tool]=$((${sum_lines[$tool]:-0} + ${lines[$tool]}))
        sum_build[$tool]=$(add "${sum_build[$tool]:-0}" "${build[$tool]}")
      done
    fi
    unset outcome gen lines build
  done
  if [ "$both" -gt 0 ]; then
    echo "| **sum over the $both documents both compile** | | " \
      "| $(ms "${sum_gen[ours]}") | $(ms "${sum_gen[progenitor]}") | $(ratio "${sum_gen[ours]}" "${sum_gen[progenitor]}")" \
      "| $(lines_fmt "${sum_lines[ours]}") | $(lines_fmt "${sum_lines[progenitor]}") | $(ratio "${sum_lines[ours]}" "${sum_lines[progenitor]}")" \
      "| $(secs "${sum_build[ours]}") | $(secs "${sum_build[progenitor]}") | $(ratio "${sum_build[ours]}" "${sum_build[progenitor]}") |"
  fi
  tagged=""
  for doc in "${docs[@]}"; do
    name=$(safe_name "$doc")
    [ -s "$work/times/$name.ours.tag" ] || continue
    out=$work/ours/$name
    tag=$(one_tag "$out")
    # Builders, and those compiled with the tag alone: a `#[cfg(...)]` line right before its
    # `request_builder!` that names the tag, or none (an untagged operation).
    read -r all alone < <(awk -v tag="feature = \"$tag\"" '
      /request_builder!\(/ { n++; if (prev !~ /^#\[cfg\(/ || index(prev, tag)) k++ }
      { prev = $0 } END { print n + 0, k + 0 }' "$out/client/src/generated.rs")
    full=$(median "$work/times/$name.ours.build")
    single=$(median "$work/times/$name.ours.tag")
    prog=$(median "$work/times/$name.progenitor.build" 2>/dev/null)
    tagged+="| $(basename "$doc") | \`$tag\`: $alone of $all | $(secs "$full") | $(secs "$single") | $(ratio "$single" "$full") | $(secs "${prog:-}") | $(ratio "$single" "${prog:-}") |"$'\n'
  done
  if [ -n "$tagged" ]; then
    echo
    echo "Per-tag features, ours: the client with every tag (the default) and with one tag alone; ratios all / one and progenitor / one."
    echo
    echo "| document | operations in the tag | clean build, all tags | one tag | ratio | progenitor | ratio |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s' "$tagged"
  fi
  echo
  for tool in ours progenitor; do
    echo "- $tool: generates ${generated[$tool]:-0}, compiles ${compiled[$tool]:-0}, panics ${panicked[$tool]:-0} of ${#docs[@]} documents"
  done
  runtime=$(find "$work"/ours/*/runtime -name '*.rs' 2>/dev/null | head -n1)
  if [ -n "$runtime" ]; then
    one=${runtime%%/runtime/*}/runtime
    echo "- not in the line counts: our vendored runtime crates, $(lines_fmt "$(find "$one" -name '*.rs' -print0 | xargs -0 cat | wc -l)") lines in every output (runtime/); progenitor's output depends on progenitor-client $progenitor_version from crates.io"
  fi
  echo "- progenitor: cargo-progenitor $progenitor_version, --interface $progenitor_interface; rounds: $gen_reps (generation), $build_reps (clean builds); $(rustc --version); $(nproc) cores, load average ${load_before:-?} before and $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) after"
  if [ ${#problems[@]} -gt 0 ]; then
    echo
    echo "First line of each failure:"
    for p in "${problems[@]}"; do echo "- $p"; done
  fi
} >"$table"
cat "$table"
echo "($((SECONDS - start_all)) s; outputs and logs in $work)"
exit 0
