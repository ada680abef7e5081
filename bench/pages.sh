#!/usr/bin/env bash
# Load test of the portal's pages on the demo county (issue 16's figure: item page and list
# page p95 <= 50 ms under 16 concurrent clients), with GET /healthz of the same server as the
# baseline measured in the same run, and the weight of an item page with its CSS and scripts.
#
# Builds the release binary, starts `quanze demo` on loopback with a fresh data directory,
# takes item ids from /api/v1/items and list pages from the home page, runs wrk (from a
# second process) against /healthz, then rotating over item pages (/items/{id}, a town's
# read with ?town=), then over list pages (a unit's items, /items?unit=, and the printable
# published list, /lists/{id}/print), prints rps and p50/p95/p99 of each and the ratios, and
# stops the server.
#
# Usage: bench/pages.sh           (needs wrk, curl, jq; about 2 minutes after the build)
# Knobs: PORT (18182), THREADS (2), CONNECTIONS (16), DURATION (20s),
#        CARGO_TARGET_DIR ($HOME/.cache/quanze-target, as .ci/run).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quanze-target}"
PORT="${PORT:-18182}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-20s}"
BASE="http://127.0.0.1:${PORT}"

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "pages.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

echo "== machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2 }')"
echo "== build"
cargo build --release -p quanze
BIN="${CARGO_TARGET_DIR}/release/quanze"

WORK="$(mktemp -d /tmp/quanze-pages.XXXXXX)"
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
    echo "pages.sh: something already answers on ${BASE}; set PORT" >&2
    exit 1
fi
"$BIN" demo --addr "127.0.0.1:${PORT}" --data "${WORK}/data" >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
    if curl -sf -o /dev/null "${BASE}/healthz"; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "pages.sh: the server exited:" >&2; cat "${WORK}/server.log" >&2; exit 1
    fi
    sleep 0.2
done
curl -sf -o /dev/null "${BASE}/healthz"

# Item pages: departments' items as they are, towns' as the town holds them.
curl -sf "${BASE}/api/v1/units?limit=500" >"${WORK}/units.json"
mapfile -t TOWNS < <(jq -r '.items[] | select(.kind == "township" or .kind == "subdistrict") | .id' "${WORK}/units.json" | head -n 4)
mapfile -t ITEMS < <(curl -sf "${BASE}/api/v1/items?limit=200" | jq -r '.items[] | .item' | awk 'NR % 2 == 1' | head -n 100)
for t in "${TOWNS[@]}"; do
    while read -r id; do ITEMS+=("${id}?town=${t}"); done < <(curl -sf "${BASE}/api/v1/items?unit=${t}&limit=20" | jq -r '.items[] | .item')
done
# List pages: every unit's items in force and every printable published list the home page links.
mapfile -t LISTS < <(jq -r '.items[] | .id' "${WORK}/units.json" | sed 's|^|/items?unit=|')
mapfile -t PRINTS < <(curl -sf "${BASE}/" | grep -o '/lists/[^"]*/print[^"]*' | sed 's/&amp;/\&/g' | sort -u)
LISTS+=("${PRINTS[@]}")
echo "item pages: ${#ITEMS[@]}; list pages: ${#LISTS[@]} (${#PRINTS[@]} printable lists)"

lua() { # file, then paths
    local file="$1"; shift
    {
        echo 'local paths = {'
        for p in "$@"; do echo "  \"${p}\","; done
        echo '}'
        cat <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("P95_MS %.3f\n", latency:percentile(95) / 1000))
end
LUA
    } >"$file"
}
lua "${WORK}/items.lua" "${ITEMS[@]/#//items/}"
lua "${WORK}/lists.lua" "${LISTS[@]}"
lua "${WORK}/healthz.lua" "/healthz"

run_wrk() { # name
    echo "== wrk $1: -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency"
    wrk "-t${THREADS}" "-c${CONNECTIONS}" "-d${DURATION}" --latency -s "${WORK}/$1.lua" "${BASE}" | tee "${WORK}/$1.txt"
    echo
}
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "%s", v }
    }'
}
field() { awk -v p="$2" '$1 == p { print $2; exit }' "$1"; }

run_wrk healthz
run_wrk items
run_wrk lists

echo "== summary (same server, same run; ${THREADS} wrk threads, ${CONNECTIONS} connections, ${DURATION} each)"
printf '%-10s %10s %9s %9s %9s %8s\n' pages rps p50_ms p95_ms p99_ms non2xx
for name in healthz items lists; do
    f="${WORK}/${name}.txt"
    errors="$(awk '/Non-2xx/ { print $NF }' "$f")"
    printf '%-10s %10s %9s %9s %9s %8s\n' "$name" "$(field "$f" Requests/sec:)" \
        "$(to_ms "$(field "$f" 50%)")" "$(field "$f" P95_MS)" "$(to_ms "$(field "$f" 99%)")" "${errors:-0}"
done
for name in items lists; do
    awk -v p="$(field "${WORK}/${name}.txt" P95_MS)" -v h="$(field "${WORK}/healthz.txt" P95_MS)" -v n="$name" \
        'BEGIN { printf "%s: p95 %.2f ms (%.1fx healthz); goal p95 <= 50 ms: %s\n", n, p, p / h, (p <= 50 ? "met" : "NOT met") }'
done

# The weight of an item page with what it loads (the figure: <= 150 KB).
page="${BASE}/items/${ITEMS[0]}"
bytes=$(( $(curl -sf "$page" | wc -c) + $(curl -sf "${BASE}/assets/quanze.css" | wc -c) \
    + $(curl -sf "${BASE}/assets/quanze.js" | wc -c) + $(curl -sf "${BASE}/assets/htmx.min.js" | wc -c) \
    + $(curl -sf "${BASE}/assets/favicon.svg" | wc -c) ))
echo "item page with its CSS, scripts and icon: ${bytes} bytes (goal <= 153600: $([ "$bytes" -le 153600 ] && echo met || echo NOT met))"
largest=0
for id in "${ITEMS[@]}"; do n=$(curl -sf "${BASE}/items/${id}" | wc -c); [ "$n" -gt "$largest" ] && largest=$n; done
echo "largest item page of the ${#ITEMS[@]}: ${largest} bytes of HTML"
