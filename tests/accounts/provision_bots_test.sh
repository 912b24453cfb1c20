#!/usr/bin/env bash
# scripts/provision-bots against a real tincan-server: five tokens, file mode 0600, idempotent
# (a second run re-issues tokens instead of failing), accounts kept across a server restart; the
# port file written only once the management socket listens; and
# bad account configuration exits 2.
#   provision_bots_test.sh <tincan-server binary> <repo root>
set -euo pipefail
server=$1
root=$2
dir=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
    rm -f "$dir/port"
    "$server" --listen-addr 127.0.0.1:0 --port-file "$dir/port" --web-root "$dir" \
        --data-dir "$dir/data" --management-listen "$dir/m.sock" >>"$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do [ -s "$dir/port" ] && return 0; sleep 0.05; done
    cat "$dir/log" >&2
    fail "server did not start"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

set +e
"$server" --listen-addr 127.0.0.1:0 --data-dir "$dir/bad" --management-listen "" \
    --kioubit-login-pubkey "$dir/missing.pem" 2>/dev/null
rc=$?
set -e
[ "$rc" = 2 ] || fail "unreadable Kioubit key exited $rc, want 2"

# The port file means ready: a server whose management socket cannot listen never writes it.
touch "$dir/plain"
set +e
"$server" --listen-addr 127.0.0.1:0 --port-file "$dir/early-port" --data-dir "$dir/early" \
    --management-listen "$dir/plain/m.sock" 2>/dev/null
rc=$?
set -e
[ "$rc" != 0 ] || fail "a management socket under a plain file did not stop the server"
[ ! -e "$dir/early-port" ] || fail "port file written before the management socket listened"

start
MANAGEMENT_API=$dir/m.sock "$root/scripts/provision-bots" "$dir/.env.bots" >/dev/null
[ "$(stat -c %a "$dir/.env.bots")" = 600 ] || fail ".env.bots mode is not 0600"
for v in ECHOBOT MUSICBOT COUNTERBOT CLOCKBOT CHATBOT; do
    grep -Eq "^${v}_JWT_TOKEN=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$" "$dir/.env.bots" ||
        fail "$v token missing"
done
first=$(cat "$dir/.env.bots")
out=$(MANAGEMENT_API=$dir/m.sock "$root/scripts/provision-bots" "$dir/.env.bots")
grep -q "echo_bot token re-issued" <<<"$out" || fail "second run did not re-issue: $out"
[ "$(wc -l <"$dir/.env.bots")" = 5 ] || fail "second run changed the line count"
grep -q 'eyJ' <<<"$out" && fail "a token was printed"
n=$(curl -sS --unix-socket "$dir/m.sock" http://localhost/bots/list | grep -o '"username"' | wc -l)
[ "$n" = 5 ] || fail "expected 5 bot accounts, got $n"
port=$(cat "$dir/port")
curl -s "http://127.0.0.1:$port/api/profile?username=chat_bot" | grep -q '"isBot":true' ||
    fail "chat_bot profile"
avatar_type=$(curl -s -o /dev/null -w '%{content_type}' \
    "http://127.0.0.1:$port/api/profile/avatar?username=echo_bot")
[ "$avatar_type" = "image/svg+xml" ] || fail "avatar type $avatar_type"
stop
start # the accounts survive a restart: every bot is found again, none is created twice
out=$(MANAGEMENT_API=$dir/m.sock "$root/scripts/provision-bots" "$dir/.env.bots")
[ "$(grep -c "token re-issued" <<<"$out")" = 5 ] || fail "after restart: $out"
[ "$first" != "$(cat "$dir/.env.bots")" ] || fail "tokens were not re-issued"
echo "provision-bots: ok"
