#!/usr/bin/env bash
# Runs the xlsx reader's fuzz target for a bounded time (FUZZ_SECONDS, default 120) with a
# memory budget of 512 MiB and 10 s per input, from the committed seeds. Needs cargo-fuzz
# (`cargo install cargo-fuzz --locked`); the stable toolchain serves with RUSTC_BOOTSTRAP=1,
# which lets it take the instrumentation flags nightly would. A crash, an input past the
# budget or a hang fails the run and leaves the input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-120}"
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
cp seeds/import_xlsx/* "$corpus/"
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none import_xlsx "$corpus" -- \
  -max_total_time="$seconds" -rss_limit_mb=512 -malloc_limit_mb=512 -timeout=10 \
  -max_len=262144 -print_final_stats=1
