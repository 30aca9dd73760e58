#!/usr/bin/env bash
# Builds the fuzz targets once (cargo-fuzz, libFuzzer, no sanitizer) and runs
# each for a bounded time from a corpus seeded with the repository's fixtures.
#
#   fuzz/run.sh                 every target, FUZZ_SECONDS (20) each
#   fuzz/run.sh manifests       one target
#   FUZZ_SECONDS=600 fuzz/run.sh policy_file
#
# A crash stops the run (exit 1) and leaves its input in
# fuzz/artifacts/<target>/; reproduce it with
# `cargo fuzz run --dev --sanitizer none <target> <file>` and turn it into a unit
# test beside the code it broke.
#
# The toolchain is the pinned stable one of rust-toolchain.toml (it has the
# wasm32-wasip2 target host/build.rs needs for the embedded plugins);
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass it the nightly flags it uses.
# Without a sanitizer the build takes minutes where ASan took the better part
# of an hour; the targets check their own invariants with assertions.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(manifests cluster_config policy_file plugin_output emulator_requests)
fi
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seeds: every file of `find ROOTS -name PATTERN` (fuzz/ and target/ left
# out), copied under a name made of its path.
seed() {
  local target="$1" pattern="$2"
  shift 2
  mkdir -p "fuzz/corpus/$target"
  find "$@" \( -path ./target -o -path ./fuzz/corpus -o -path ./fuzz/target \) -prune \
    -o -type f -name "$pattern" -print |
    while read -r file; do
      cp "$file" "fuzz/corpus/$target/seed-$(printf '%s' "${file#./}" | tr '/' '_')"
    done
}
seed manifests 'input.yaml' plugins/default/fixtures
seed manifests 'manifests.yaml' .
seed manifests '*.yaml' examples
seed cluster_config 'cluster.yaml' .
seed policy_file '*.toml' examples/policies
seed plugin_output '*.json' fuzz/seeds/plugin_output
seed emulator_requests '*' fuzz/seeds/emulator_requests

start=$(date +%s)
cargo fuzz build --dev --sanitizer none
echo "fuzz: built in $(( $(date +%s) - start )) s"

mkdir -p fuzz/artifacts
for target in "${targets[@]}"; do
  start=$(date +%s)
  log="fuzz/artifacts/$target.log"
  status=0
  cargo fuzz run --dev --sanitizer none "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  echo "fuzz: $target: $runs runs in $(( $(date +%s) - start )) s (exit $status)"
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
