#!/usr/bin/env bash
# Browser journeys: starts the demo county on a free port with a fresh data folder, runs every
# journey in e2e/journeys/ against it with playwright-core and Debian's chromium, and stops it.
# Needs: node with `npm ci` done here, /usr/bin/chromium, and the quanze binary ($QUANZE_BIN, or
# built here with cargo).
set -euo pipefail
cd "$(dirname "$0")"
bin="${QUANZE_BIN:-}"
if [ -z "$bin" ]; then
  (cd .. && cargo build --quiet -p quanze)
  bin="${CARGO_TARGET_DIR:-../target}/debug/quanze"
fi
. ./demo.sh
start_demo "$bin"
QUANZE_URL="$base" node --test --test-concurrency=1 journeys/
