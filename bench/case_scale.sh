#!/usr/bin/env bash
# The server's memory and a case's page over HTTP with a store of many cases (issue 15's
# figure: with 1,000,000 stored cases, RSS ≤ 300 MiB and a case's page ≤ 5 ms p99).
#
# Serves a store filled by the case_scale bench with the real binary (`quanze serve`), reads
# VmRSS and VmHWM from /proc/PID/status after start, then GETs /api/v1/cases/{receipt} for
# random receipts as the demo clerk over one keep-alive connection (p50/p99, with GET /healthz
# on the same connection as the baseline), then from CLIENTS connections at once, and reads
# the memory again. Everything stays on 127.0.0.1; the server is stopped at the end.
#
# Usage:
#   QUANZE_BENCH_CASES=1000000 QUANZE_BENCH_DB=/data/cases/quanze.db \
#       cargo bench -p quanze-service --bench case_scale      # fills the store once (kept)
#   bench/case_scale.sh /data/cases/quanze.db                  # SQLite
#   bench/case_scale.sh postgres://postgres@127.0.0.1:5432/quanze_case_scale /data/cases/personal.key
# Knobs: PORT (18282), LOOKUPS (10000), CLIENTS (8), CARGO_TARGET_DIR ($HOME/.cache/quanze-target),
#        BIN (a built quanze binary; default: build the release binary).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quanze-target}"
PORT="${PORT:-18282}"
LOOKUPS="${LOOKUPS:-10000}"
CLIENTS="${CLIENTS:-8}"
BASE="http://127.0.0.1:${PORT}"
DB="${1:?usage: bench/case_scale.sh SQLITE_FILE | POSTGRES_URL [PERSONAL_KEY]}"
case "$DB" in
    postgres://*) URL="$DB"; KEY="${2:?a PostgreSQL store needs the personal key file the bench wrote}" ;;
    *) URL="sqlite://$DB"; KEY="${2:-$(dirname "$DB")/personal.key}" ;;
esac

if [[ -z "${BIN:-}" ]]; then
    cargo build --release -p quanze
    BIN="${CARGO_TARGET_DIR}/release/quanze"
fi

if curl -s -o /dev/null "${BASE}/healthz"; then
    echo "case_scale.sh: something already answers on ${BASE}; set PORT" >&2
    exit 1
fi

WORK="$(mktemp -d /tmp/quanze-case-scale.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

memory() { # label
    printf '%s' "$1"
    awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ { printf "  %s %.1f MiB", $1, $2 / 1024 } END { print "" }' \
        "/proc/${SERVER_PID}/status"
}

echo "== machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(date -u +%FT%TZ)"
echo "== start: quanze serve --db ${URL}"
started=$(date +%s.%N)
RUST_LOG="${RUST_LOG:-info}" "$BIN" serve --db "$URL" --addr "127.0.0.1:${PORT}" --personal-key "$KEY" \
    >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1200); do
    if curl -sf -o /dev/null "${BASE}/healthz"; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "case_scale.sh: the server exited:" >&2; cat "${WORK}/server.log" >&2; exit 1
    fi
    sleep 0.1
done
curl -sf -o /dev/null "${BASE}/healthz" || { echo "case_scale.sh: server not up after 120 s" >&2; exit 1; }
echo "server up after $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
memory "after start:"
sleep 5
memory "after 5 s (first scheduler tick):"

python3 - "$BASE" "$DB" "$LOOKUPS" "$CLIENTS" "$SERVER_PID" <<'PY'
import http.client, json, random, sqlite3, subprocess, sys, threading, time

base, db, lookups, clients, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
host, port = base.removeprefix("http://").split(":")

def memory(label):
    status = open(f"/proc/{pid}/status").read().splitlines()
    keys = ("VmRSS", "VmHWM", "RssAnon", "RssFile")
    fields = {l.split(":")[0]: int(l.split()[1]) / 1024 for l in status if l.startswith(keys)}
    print(label + "".join(f"  {k}: {fields[k]:.1f} MiB" for k in keys), flush=True)

# Random receipts of stored cases.
if db.startswith("postgres://"):
    out = subprocess.run(["psql", db, "-Atc",
        f"SELECT receipt FROM cases TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT {lookups}"],
        check=True, capture_output=True, text=True).stdout
    receipts = out.split()
else:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = conn.execute("SELECT max(rowid) FROM cases").fetchone()[0]
    receipts = []
    rng = random.Random(42)
    while len(receipts) < lookups:
        row = conn.execute("SELECT receipt FROM cases WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        if row:
            receipts.append(row[0])
    conn.close()
print(f"{len(receipts)} random receipts", flush=True)

c = http.client.HTTPConnection(host, int(port))
c.request("POST", "/api/v1/auth/login", json.dumps({"username": "clerk", "password": "Quanze#2026"}),
          {"content-type": "application/json"})
r = c.getresponse(); body = r.read()
if r.status != 200:
    sys.exit(f"login: {r.status} {body[:300]!r}")
token = json.loads(body)["token"]
headers = {"authorization": f"Bearer {token}"}

def run(paths, conn):
    times, size, steps = [], 0, 0
    for p in paths:
        t = time.perf_counter()
        conn.request("GET", p, headers=headers)
        r = conn.getresponse(); body = r.read()
        times.append(time.perf_counter() - t)
        if r.status != 200:
            sys.exit(f"GET {p}: {r.status} {body[:300]!r}")
        size += len(body)
        if p.startswith("/api/v1/cases/"):
            steps += len(json.loads(body)["timeline"])
    return times, size, steps

def pct(ts, p):
    s = sorted(ts); return s[min(len(s) - 1, len(s) * p // 100)] * 1e3

health, _, _ = run(["/healthz"] * len(receipts), c)
t0 = time.perf_counter()
pages, size, steps = run([f"/api/v1/cases/{x}" for x in receipts], c)
secs = time.perf_counter() - t0
print(f"GET /healthz (baseline, 1 connection):      p50 {pct(health, 50):.3f} ms  p99 {pct(health, 99):.3f} ms")
print(f"GET /api/v1/cases/{{receipt}} (1 connection): p50 {pct(pages, 50):.3f} ms  p99 {pct(pages, 99):.3f} ms  "
      f"max {max(pages) * 1e3:.3f} ms; {len(pages) / secs:.0f}/s; {size / len(pages) / 1024:.1f} KiB and "
      f"{steps / len(pages):.1f} steps per page")
print(f"ratio p99 page / healthz: {pct(pages, 99) / pct(health, 99):.1f}x")
memory("after the pages:")

# The same pages from several connections at once (the memory a busy server needs).
results = [None] * clients
def client(k):
    conn = http.client.HTTPConnection(host, int(port))
    results[k] = run([f"/api/v1/cases/{x}" for x in receipts[k::clients]], conn)
t0 = time.perf_counter()
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
secs = time.perf_counter() - t0
alltimes = [x for r in results for x in r[0]]
print(f"GET /api/v1/cases/{{receipt}} ({clients} connections): p50 {pct(alltimes, 50):.3f} ms  "
      f"p99 {pct(alltimes, 99):.3f} ms; {len(alltimes) / secs:.0f}/s")
memory("after the concurrent pages:")
PY
echo "== server log (last lines)"
tail -5 "${WORK}/server.log"
