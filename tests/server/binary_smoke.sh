#!/usr/bin/env bash
# The tincan-server binary as an operator runs it: --help, bad configuration exits 2, it writes its
# port file, answers /healthz, and stops cleanly (exit 0) on SIGTERM.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
pid=
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT

# Not `--help | grep -q`: grep exits at the first match and the binary may then die of SIGPIPE.
"$bin" --help >"$dir/help"
grep -q -- "--ws-timeout" "$dir/help"
set +e
"$bin" --ws-timeout 0 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "bad --ws-timeout exited $rc, want 2"; exit 1; }

"$bin" --listen-addr 127.0.0.1:0 --port-file "$dir/port" --management-listen "$dir/m.sock" \
    --web-root "$dir" 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"'
[ "$(stat -c %a "$dir/m.sock")" = 600 ] || { echo "management socket is not 0600"; exit 1; }
kill -TERM "$pid"
wait "$pid"
grep -q "shutting down" "$dir/log"

# Started under a soft open-file limit of 64, it still serves with 100 connections open: like the
# original (a Go program) it raises the soft limit to the hard one at start.
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1024 ]; then
    (ulimit -Sn 64 && exec "$bin" --listen-addr 127.0.0.1:0 --port-file "$dir/port2" \
        --management-listen "" --data-dir "$dir/data2" --web-root "$dir" 2>"$dir/log2") &
    pid=$!
    for _ in $(seq 100); do [ -s "$dir/port2" ] && break; sleep 0.05; done
    port=$(cat "$dir/port2")
    held=()
    for _ in $(seq 100); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$port"
        held+=("$fd")
    done
    curl -fsS --max-time 5 "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' ||
        { echo "no answer with 100 connections open under a soft fd limit of 64"; exit 1; }
    for fd in "${held[@]}"; do exec {fd}>&-; done
    kill -TERM "$pid"
    wait "$pid"
fi
echo "binary smoke: ok"
