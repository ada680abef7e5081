# Sourced by e2e/run.sh and .ci/schemathesis.sh: `start_demo BIN` starts the demo county on a
# free port with a fresh data folder ($data), waits until it answers, and sets $base, $server
# and a trap that stops it and removes the folder on exit.
start_demo() {
  local bin="$1"
  data="$(mktemp -d)"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  base="http://127.0.0.1:$port"
  "$bin" demo --addr "127.0.0.1:$port" --data "$data" > "$data/server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 600); do
    if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$data/server.log"; echo "the demo server stopped"; exit 1; fi
    sleep 0.5
  done
  curl -fsS "$base/healthz" >/dev/null
}
