#!/usr/bin/env bash
# Hostile uploads (issue 17's figure): the server's peak memory while 4 clients upload zip bombs
# and a sparse-sheet workbook to the list import at once, and the p99 of other requests
# (GET /api/v1/items) meanwhile, against the same requests with nothing else running.
#
# Builds the release binary, starts `quanze demo` on loopback, makes the files with Python's
# zipfile, signs in as the demo editor, runs wrk on /api/v1/items alone (baseline), then again
# while 4 curl loops keep uploading the hostile files, and reads the server's VmHWM (peak
# resident set) from /proc before and after.
# Usage: bench/hostile_uploads.sh   (needs wrk, curl, jq, python3; about a minute after the build)
#
# PIN=1 keeps the load generators off the server's core, standing in for clients on other
# machines: the server runs on CPU 0 (taskset), wrk and the upload loops on CPU 1, the loops at
# the lowest priority (nice 19) so that wrk's own timing is not the loops' run queue; both the
# baseline and the loaded run are pinned alike, and the upload rate achieved is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quanze-target}"
PORT="${PORT:-18183}"
DURATION="${DURATION:-20s}"
BASE="http://127.0.0.1:${PORT}"
echo "== machine: nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p')"
cargo build --release -q -p quanze
BIN="${CARGO_TARGET_DIR}/release/quanze"
WORK="$(mktemp -d /tmp/quanze-hostile.XXXXXX)"
SERVER_PID=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill -INT "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
SERVER_CPU=() CLIENT_CPU=() LOOP_CPU=()
if [[ "${PIN:-0}" == 1 ]]; then
    SERVER_CPU=(taskset -c 0) CLIENT_CPU=(taskset -c 1) LOOP_CPU=(taskset -c 1 nice -n 19)
    echo "== pinned: server on CPU 0; wrk on CPU 1; upload loops on CPU 1 at nice 19"
fi
# DEMO_ARGS: more arguments for the server, e.g. "--write-limit-per-caller 1000000" so that
# every upload reaches the archive check rather than the write limit's 429.
# shellcheck disable=SC2086
"${SERVER_CPU[@]}" "$BIN" demo --addr "127.0.0.1:${PORT}" --data "${WORK}/data" ${DEMO_ARGS:-} \
    >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do curl -sf -o /dev/null "${BASE}/healthz" && break; sleep 0.2; done
hwm() { sed -n 's/^VmHWM: *//p' "/proc/${SERVER_PID}/status"; }
echo "server peak memory after start: $(hwm)"

python3 - "$WORK" <<'PY'
import sys, zipfile
work = sys.argv[1]
# 1. A bomb: one 1 GiB sheet of zeros (about 1 MB compressed).
with zipfile.ZipFile(f"{work}/bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        block = b"0" * (1 << 20)
        for _ in range(1024):
            f.write(block)
# 2. Huge shared strings: 200 MiB of one repeated string (the old attack on the parser).
with zipfile.ZipFile(f"{work}/strings.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
        f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        item = b"<si><t>" + b"x" * 1000 + b"</t></si>"
        for _ in range(200 * 1024):
            f.write(item)
        f.write(b"</sst>")
# 3. Two cells at the corners of a sheet.
parts = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
}
with zipfile.ZipFile(f"{work}/corners.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        z.writestr(name, text)
PY
ls -l "$WORK"/*.xlsx | awk '{ print "  " $5 " bytes  " $9 }'

TOKEN=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"editor","password":"Quanze#2026"}' \
    "${BASE}/api/v1/auth/login" | jq -r .token)
LIST=$(curl -sf "${BASE}/api/v1/lists?limit=1" | jq -r '.items[0].id // .[0].id')
UNIT=$(curl -sf "${BASE}/api/v1/units?limit=1" | jq -r '.items[0].id')
upload() {
    "${LOOP_CPU[@]}" curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer ${TOKEN}" \
        -H 'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
        --data-binary "@$1" "${BASE}/api/v1/lists/${LIST}/import?dry_run=true"
}
for f in bomb strings corners; do echo "  ${f}.xlsx answered $(upload "${WORK}/${f}.xlsx")"; done

echo "== baseline: GET /api/v1/items?unit=… alone"
"${CLIENT_CPU[@]}" wrk -t1 -c8 -d"$DURATION" --latency "${BASE}/api/v1/items?unit=${UNIT}" \
    | grep -E "Requests/sec|50%|99%"
echo "== the same while 4 clients keep uploading the hostile files"
: >"${WORK}/codes.txt"
end=$((SECONDS + ${DURATION%s}))
LOOPS=()
for f in bomb strings corners bomb; do
    ( while (( SECONDS < end )); do upload "${WORK}/${f}.xlsx" >>"${WORK}/codes.txt"; done ) &
    LOOPS+=($!)
done
"${CLIENT_CPU[@]}" wrk -t1 -c8 -d"$DURATION" --latency "${BASE}/api/v1/items?unit=${UNIT}" \
    | grep -E "Requests/sec|50%|99%"
wait "${LOOPS[@]}"
echo "  uploads answered: $(sort "${WORK}/codes.txt" | uniq -c | tr '\n' ' ')" \
    "($(( $(wc -l <"${WORK}/codes.txt") / ${DURATION%s} )) a second)"
echo "server peak memory (VmHWM) over the whole run: $(hwm)"
