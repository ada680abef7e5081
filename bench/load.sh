#!/usr/bin/env bash
# Load test of GET /api/v1/items?unit=... on the demo county (issue 2, figure 2), with
# GET /healthz of the same server as the baseline measured in the same run.
#
# Builds the release binary, starts `quanze demo` on loopback with a fresh data directory,
# takes some unit ids from /api/v1/units, runs wrk against /healthz and then against
# /api/v1/items rotating over those units, prints rps and p50/p99 of both and their ratio,
# and stops the server. Everything stays on 127.0.0.1 and the run stops by itself.
#
# Usage: bench/load.sh            (needs wrk, curl, jq; about 1 minute after the build)
# Knobs: PORT (18181), THREADS (2), CONNECTIONS (16), DURATION (20s), UNITS_PER_KIND (4),
#        CARGO_TARGET_DIR ($HOME/.cache/quanze-target, as .ci/run).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quanze-target}"
PORT="${PORT:-18181}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-20s}"
UNITS_PER_KIND="${UNITS_PER_KIND:-4}"
BASE="http://127.0.0.1:${PORT}"

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "load.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

echo "== machine"
echo "nproc: $(nproc)"
lscpu | head -15
echo

echo "== build"
cargo build --release -p quanze
BIN="${CARGO_TARGET_DIR}/release/quanze"

WORK="$(mktemp -d /tmp/quanze-load.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if curl -s -o /dev/null "${BASE}/healthz"; then
    echo "load.sh: something already answers on ${BASE}; set PORT" >&2
    exit 1
fi

echo "== start: quanze demo --addr 127.0.0.1:${PORT} --data ${WORK}/data"
started=$(date +%s.%N)
"$BIN" demo --addr "127.0.0.1:${PORT}" --data "${WORK}/data" >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
    if curl -sf -o /dev/null "${BASE}/healthz"; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "load.sh: the server exited:" >&2; cat "${WORK}/server.log" >&2; exit 1
    fi
    sleep 0.2
done
curl -sf -o /dev/null "${BASE}/healthz" || { echo "load.sh: server not up after 120 s" >&2; exit 1; }
echo "server up after $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s (demo county loaded)"

# Departments and towns/subdistricts, a few of each.
curl -sf "${BASE}/api/v1/units?limit=500" >"${WORK}/units.json"
mapfile -t UNITS < <(jq -r --argjson n "$UNITS_PER_KIND" '
    [.items[] | select(.kind == "department")][:$n] + [.items[] | select(.kind == "township" or .kind == "subdistrict")][:$n]
    | .[] | .id' "${WORK}/units.json")
if [[ ${#UNITS[@]} -eq 0 ]]; then
    echo "load.sh: no units in /api/v1/units" >&2; cat "${WORK}/units.json" >&2; exit 1
fi
echo "units: ${#UNITS[@]} of $(jq '.total' "${WORK}/units.json")"
for u in "${UNITS[@]}"; do
    body="$(curl -sf "${BASE}/api/v1/items?unit=${u}")"
    printf '  %s  total=%s returned=%s bytes=%s\n' "$u" "$(jq '.total' <<<"$body")" \
        "$(jq '.items | length' <<<"$body")" "${#body}"
done

{
    echo 'local paths = {'
    for u in "${UNITS[@]}"; do echo "  \"/api/v1/items?unit=${u}\","; done
    echo '}'
    cat <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA
} >"${WORK}/items.lua"

run_wrk() { # name, then wrk arguments
    local name="$1"; shift
    echo "== wrk ${name}: wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency $*"
    wrk "-t${THREADS}" "-c${CONNECTIONS}" "-d${DURATION}" --latency "$@" | tee "${WORK}/${name}.txt"
    echo
}

# Latency fields of wrk's distribution are like 1.23ms, 456.00us or 1.20s: convert to ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "%s", v }
    }'
}
field() { # file, pattern (50% / 99% / Requests/sec:)
    awk -v p="$2" '$1 == p { print $2; exit }' "$1"
}

run_wrk healthz "${BASE}/healthz"
run_wrk items -s "${WORK}/items.lua" "${BASE}/api/v1/items"

echo "== summary (same server, same run; ${THREADS} wrk threads, ${CONNECTIONS} connections, ${DURATION} each)"
printf '%-28s %12s %10s %10s %10s\n' route rps p50_ms p99_ms non2xx
for name in healthz items; do
    f="${WORK}/${name}.txt"
    errors="$(awk '/Non-2xx/ { print $NF }' "$f")"
    printf '%-28s %12s %10s %10s %10s\n' "$name" "$(field "$f" Requests/sec:)" \
        "$(to_ms "$(field "$f" 50%)")" "$(to_ms "$(field "$f" 99%)")" "${errors:-0}"
done
h_rps="$(field "${WORK}/healthz.txt" Requests/sec:)"
i_rps="$(field "${WORK}/items.txt" Requests/sec:)"
h_p99="$(to_ms "$(field "${WORK}/healthz.txt" 99%)")"
i_p99="$(to_ms "$(field "${WORK}/items.txt" 99%)")"
awk -v ir="$i_rps" -v hr="$h_rps" -v ip="$i_p99" -v hp="$h_p99" 'BEGIN {
    printf "ratio items/healthz: rps %.3f, p99 %.1fx\n", ir / hr, ip / hp
    printf "goal p99 <= 20 ms: %s (%.2f ms)\n", (ip <= 20 ? "met" : "NOT met"), ip
}'
