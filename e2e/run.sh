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
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" demo --addr "127.0.0.1:$port" --data "$data" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $server 2>/dev/null; then cat "$data/server.log"; echo "the demo server stopped"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
QUANZE_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 journeys/
