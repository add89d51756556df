#!/usr/bin/env bash
# interop/bench_memif: stack to stack over net_memif, two processes, no namespaces. One stack
# (config/memif-server.ini, 198.18.8.1) runs wskstack-echo -s; the other (config/memif-client.ini,
# 198.18.8.2) runs wskstack-bench --echo for a few seconds over TCP, then over UDP: zero errors
# and mismatches, a non-zero rate, both exit 0. If wskstack-httpd is built, it replaces the echo
# server and wskstack-bench --http runs against it, keep-alive and connection-per-request.
# The profiles are copied with a control socket of the test's own. Needs root (DPDK runtime
# directories, hugepages; without free hugepages the profiles fall back to --no-huge).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ECHO_APP=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_ECHO WSKSTACK_BENCH [WSKSTACK_HTTPD]}
BENCH=${4:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_ECHO WSKSTACK_BENCH [WSKSTACK_HTTPD]}
HTTPD=${5:-}

[ "$(id -u)" -eq 0 ] || skip "needs root (DPDK runtime directories and hugepages)"
[ -x "$ECHO_APP" ] || fail "wskstack-echo not built: $ECHO_APP"
[ -x "$BENCH" ] || fail "wskstack-bench not built: $BENCH"
# The memif pair uses lcores 0 and 1 and the EAL prefixes of the profiles: one run at a time.
exec 9>"/tmp/wskstack-bench-memif.lock"
flock -w 300 9 || fail "waited 5 min for /tmp/wskstack-bench-memif.lock"

SOCK="$WORK/memif.sock"
sed "s|^memif_socket *=.*|memif_socket = $SOCK|" "$SRCROOT/config/memif-server.ini" >"$WORK/server.ini"
sed "s|^memif_socket *=.*|memif_socket = $SOCK|" "$SRCROOT/config/memif-client.ini" >"$WORK/client.ini"

# start_server NAME READY_RE PROGRAM ARGS...: a server app on the server profile.
start_server() {
	local name=$1 ready=$2 prog=$3; shift 3
	: >"$WORK/$name.out"
	env --default-signal=INT "$prog" -c "$WORK/server.ini" "$@" >"$WORK/$name.out" \
		2>"$WORK/$name.err" 9>&- &
	STACK_PID=$!
	local deadline=$((SECONDS + READY_TIMEOUT))
	until grep -qE "$ready" "$WORK/$name.out"; do
		kill -0 "$STACK_PID" 2>/dev/null || { cat "$WORK/$name.err"; STACK_PID=""; \
			fail "$name exited before it was ready"; }
		[ "$SECONDS" -lt "$deadline" ] || fail "$name not ready within ${READY_TIMEOUT} s"
		sleep 0.1
	done
	ok "$name ready on 198.18.8.1 (memif server)"
}

# stop_server NAME: SIGINT, wait, require exit 0; LINE = its last summary line.
stop_server() {
	local name=$1 rc=0 deadline=$((SECONDS + STOP_TIMEOUT))
	kill -s INT "$STACK_PID"
	while kill -0 "$STACK_PID" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$name still running ${STOP_TIMEOUT} s after SIGINT"
		sleep 0.1
	done
	wait "$STACK_PID" || rc=$?
	STACK_PID=""
	LINE=$(grep ': summary ' "$WORK/$name.out" | tail -n 1 || true)
	say "$LINE"
	check_eq "$name exit status after SIGINT (sockets closed, pools clean)" "$rc" 0
}

# bench NAME ARGS...: wskstack-bench on the client profile; LINE = its summary, RC its status.
bench() {
	local name=$1; shift
	RC=0
	timeout 60 "$BENCH" -c "$WORK/client.ini" --stats 0 "$@" >"$WORK/$name.out" \
		2>"$WORK/$name.err" 9>&- || RC=$?
	LINE=$(grep '^wskstack-bench: summary ' "$WORK/$name.out" | tail -n 1 || true)
	[ -n "$LINE" ] || { tail -n 20 "$WORK/$name.err"; fail "wskstack-bench $* printed no summary (exit $RC)"; }
	say "$LINE"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$LINE"; }

check_clean() {
	local what=$1 f
	shift
	for f in errors connect_errors bad lost "$@"; do
		check_eq "$what: $f" "$(field "$f")" 0
	done
	check_ge "$what: requests" "$(field requests)" 1
	check_eq "$what: exit status" "$RC" 0
}

start_server echo_server '^wskstack-echo: ready' "$ECHO_APP" -s -p 7 --stats 0
bench echo_tcp --echo 198.18.8.1:7 -m 512 --conns 4 -t 3
check_clean "bench --echo (TCP, 4 conns, 512 B)" mismatches
bench echo_udp --echo 198.18.8.1:7 -u -m 512 --conns 2 -t 2
check_clean "bench --echo -u (UDP, 2 sockets, 512 B)" mismatches
stop_server echo_server
check_eq "echo server errors" "$(field errors)" 0

if [ -n "$HTTPD" ] && [ -x "$HTTPD" ]; then
	start_server httpd '^wskstack-httpd: ready' "$HTTPD" -p 80 --progress 0
	bench http_keepalive --http 198.18.8.1:80/fixed --keepalive --conns 4 -t 3
	check_clean "bench --http --keepalive" non2xx parse_errors
	bench http_close --http 198.18.8.1:80/fixed --close --conns 2 -t 2
	check_clean "bench --http --close" non2xx parse_errors
	stop_server httpd
else
	say "wskstack-httpd not built: --http not run"
fi
cat "$WORK"/*.err >"$WORK/stack.err"
stack_stderr_clean
finish
