#!/usr/bin/env bash
# Schemathesis against the API's own OpenAPI document (issue 17), on the demo county with a
# fresh data folder: every operation called with generated valid and invalid input, anonymously
# and as the county's list editor, at most $SCHEMATHESIS_EXAMPLES cases per operation and phase.
# Fails on any 5xx, any answer outside its documented status codes, content types, headers or
# schema. Prints how many writes (POST, PUT, DELETE) the server accepted with a 2xx.
# Needs: python3 with schemathesis (installed here when missing), curl, and the quanze binary
# ($QUANZE_BIN, or built here with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${QUANZE_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --quiet -p quanze
  bin="${CARGO_TARGET_DIR:-target}/debug/quanze"
fi
# The flags below are schemathesis 4's.
if ! python3 -c 'import schemathesis, sys; sys.exit(not schemathesis.__version__.startswith("4."))' 2>/dev/null; then
  python3 -m pip install --quiet 'schemathesis>=4.32,<5' \
    || python3 -m pip install --quiet --break-system-packages 'schemathesis>=4.32,<5'
fi
examples="${SCHEMATHESIS_EXAMPLES:-25}"
# The write limits (1,200 a minute per address, 60 anonymous, 600 per caller) would answer most
# of a fuzzer's writes 429 before any handler; they are raised here so that the writes reach
# the handlers (the limits have tests of their own: rate::*).
export QUANZE_WRITE_LIMIT_PER_ADDRESS=1000000 QUANZE_WRITE_LIMIT_ANONYMOUS=1000000 \
  QUANZE_WRITE_LIMIT_PER_CALLER=1000000
# The list import's body is a workbook: sent as the bytes generated.
export PYTHONPATH=".ci${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks
. e2e/demo.sh
start_demo "$bin"

token="$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"editor","password":"Quanze#2026"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

run() { # NAME [schemathesis options...]
  local name="$1"; shift
  echo "-- schemathesis: $name"
  python3 -m schemathesis.cli --no-color run "$base/api/v1/openapi.json" --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$examples" --phases examples,coverage,fuzzing --seed 17 \
    --suppress-health-check all --request-timeout 30 --workers 2 --generation-database none \
    --report har --report-har-path "$data/$name.har" "$@"
}
status=0
run anonymous || status=1
# The editor's run leaves out what would end its own token (signing out, ending its sessions,
# changing its password): the anonymous run calls them.
run editor -H "Authorization: Bearer $token" \
  --exclude-operation-id logout --exclude-operation-id end_sessions \
  --exclude-operation-id change_password || status=1

python3 - "$data"/*.har <<'PY'
import json, re, sys
from collections import Counter
total = writes = accepted = server_errors = 0
by_operation = Counter()
for path in sys.argv[1:]:
    for entry in json.load(open(path))["log"]["entries"]:
        total += 1
        method, code = entry["request"]["method"], entry["response"]["status"]
        server_errors += code >= 500
        if method in ("POST", "PUT", "DELETE", "PATCH"):
            writes += 1
            if 200 <= code < 300:
                accepted += 1
                where = re.sub(r"^https?://[^/]+", "", entry["request"]["url"]).split("?")[0]
                by_operation[(method, where)] += 1
print(f"schemathesis: {total} requests, {server_errors} answered 5xx; "
      f"{writes} writes, {accepted} accepted (2xx)")
for (method, where), n in sorted(by_operation.items(), key=lambda kv: -kv[1]):
    print(f"  accepted: {n:5} {method} {where}")
PY
exit $status
