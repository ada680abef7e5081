#!/usr/bin/env bash
# Sign-in under load (issue 17's figure): the rate of successful sign-ins (argon2id at its
# configured cost, each issuing a token), then a flood of wrong passwords from one address with
# a staff member signing in from another address during it, and GET /healthz as the baseline.
#
# Builds the release binary, makes the demo county with `quanze demo`, serves it with `quanze
# serve --trusted-proxy 127.0.0.1` (a county's server behind its reverse proxy), and runs wrk:
#   1. /healthz (baseline);
#   2. POST /api/v1/auth/login with the right password for the six demo accounts that sign in
#      with a password alone, each request from its own client address (X-Forwarded-For,
#      10.1.x.y): a morning's sign-ins. (One account from one address is not a sign-in rate but
#      a guesser's: the throttle counts attempts in flight as failures until they are decided,
#      so more than five at once for one account are refused with 429.)
#   3. curl signing in from 127.0.0.2 every 100 ms alone (the baseline of 4);
#   4. POST /api/v1/auth/login with wrong passwords for changing names, from 127.0.0.1 (after
#      10 failures the address waits: the answers are 429, with no hashing), while the same
#      curl signs in from 127.0.0.2 and its latencies are kept.
# Usage: bench/signin.sh     (needs wrk, curl, jq; about a minute after the build)
# Knobs: PORT (18182), CONNECTIONS (16), DURATION (15s), COST_ARGS (the argon2id cost, given to
# both the demo, which makes the accounts' hashes, and the server; e.g.
# COST_ARGS="--argon2-memory-kib 7168 --argon2-iterations 5").
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quanze-target}"
PORT="${PORT:-18182}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-15s}"
BASE="http://127.0.0.1:${PORT}"
for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "signin.sh: $tool is missing" >&2; exit 1; }
done
echo "== machine: nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p')"
cargo build --release -q -p quanze
BIN="${CARGO_TARGET_DIR}/release/quanze"
WORK="$(mktemp -d /tmp/quanze-signin.XXXXXX)"
SERVER_PID=""
COST_ARGS="${COST_ARGS:-}"
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill -INT "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck disable=SC2086 # COST_ARGS is a list of arguments
"$BIN" demo --addr "127.0.0.1:${PORT}" --data "${WORK}/data" $COST_ARGS >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
wait_up() {
    for _ in $(seq 600); do curl -sf -o /dev/null "${BASE}/healthz" && break; sleep 0.2; done
    curl -sf -o /dev/null "${BASE}/healthz" || { cat "${WORK}/server.log" >&2; exit 1; }
}
wait_up
kill -INT "$SERVER_PID" && wait "$SERVER_PID" || true
# shellcheck disable=SC2086
"$BIN" serve --db "sqlite://${WORK}/data/quanze.db" --addr "127.0.0.1:${PORT}" \
    --personal-key "${WORK}/data/personal.key" --ledger-key "${WORK}/data/ledger.key" \
    --trusted-proxy 127.0.0.1 $COST_ARGS >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
wait_up

cat >"${WORK}/right.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local users = { "editor", "clerk", "reviewer", "leader", "justice", "supervisor" }
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = "10.1." .. (math.floor(n / 256) % 256) .. "." .. (n % 256)
  local body = '{"username":"' .. users[(n % #users) + 1] .. '","password":"Quanze#2026"}'
  return wrk.format(nil, nil, nil, body)
end
LUA
cat >"${WORK}/wrong.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"username":"guess' .. (n % 500) .. '","password":"wrong"}')
end
LUA

echo "== 1. baseline: GET /healthz"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${BASE}/healthz" | grep -E "Requests/sec|50%|99%"
echo "== 2. right passwords, six accounts, a client address each (argon2id: ${COST_ARGS:-the default, m=19456 KiB, t=2, p=1})"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "${WORK}/right.lua" "${BASE}/api/v1/auth/login" \
    | grep -E "requests in|Requests/sec|50%|99%|Non-2xx"
# Sign-ins from 127.0.0.2 every 100 ms for the run's duration, into $1; their statuses and
# latencies printed.
other_signins() {
    : >"$1"
    local end=$((SECONDS + ${DURATION%s}))
    while (( SECONDS < end )); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --interface 127.0.0.2 \
            -H 'Content-Type: application/json' -d '{"username":"clerk","password":"Quanze#2026"}' \
            "${BASE}/api/v1/auth/login" >>"$1"
        sleep 0.1
    done
}
report() {
    echo "  the other address: $(wc -l <"$1") sign-ins, statuses $(cut -d' ' -f1 "$1" | sort | uniq -c | tr '\n' ' ')"
    sort -n -k2 "$1" | awk '{ t[NR] = $2 } END { printf "  its latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", t[int(NR*0.5)]*1000, t[int(NR*0.99)]*1000, t[NR]*1000 }'
}
echo "== 3. baseline for 4: a staff sign-in every 100 ms from 127.0.0.2, nothing else running"
other_signins "${WORK}/alone.txt"
report "${WORK}/alone.txt"
echo "== 4. wrong passwords flooding from 127.0.0.1, the same sign-ins from 127.0.0.2 meanwhile"
other_signins "${WORK}/other.txt" &
OTHER=$!
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "${WORK}/wrong.lua" "${BASE}/api/v1/auth/login" \
    | grep -E "requests in|Requests/sec|50%|99%|Non-2xx"
wait "$OTHER"
report "${WORK}/other.txt"
