#!/usr/bin/env bash
# interop/app_bench_nginx: wskstack-bench (the stack's HTTP client) against Debian's nginx-light in
# wsk-peer. nginx runs with a config of the test's own (listen 198.18.0.2:8080, root a temporary
# docroot of a 128-byte, a 100 KB and a 1 MiB random file; pid, logs and temp paths in the work
# dir) and is stopped in the cleanup. From the stack side: `wskstack-bench --http
# 198.18.0.2:8080/small --keepalive` for a few seconds and `--close` for 3000 connections: zero errors, non-2xx,
# parse errors and failed connects, exit 0, requests/s printed; then each file fetched with -o
# FILE and compared byte-exact (SHA-256) with the docroot, and a missing file counted as non-2xx.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
BENCH=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_BENCH}
SECS=${WSK_BENCH_NGINX_SECS:-5}
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

interop_require sha256sum
[ -x "$NGINX" ] || skip "nginx not installed (scripts/setup installs nginx-light)"
[ -x "$BENCH" ] || fail "wskstack-bench not built: $BENCH"
topology_up

# ---- nginx in wsk-peer -----------------------------------------------------------------------
DOC="$WORK/docroot"
mkdir -p "$DOC" "$WORK/nginx"
head -c 128 /dev/urandom >"$DOC/small"
head -c 100000 /dev/urandom >"$DOC/medium"
head -c 1048576 /dev/urandom >"$DOC/large"
cat >"$WORK/nginx.conf" <<CONF
daemon on;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	default_type application/octet-stream;
	keepalive_requests 1000000;
	server {
		listen $PEER_IP:8080;
		root $DOC;
	}
}
CONF
NGINX_PID=""
interop_extra_cleanup() {
	if [ -n "$NGINX_PID" ]; then
		kill -TERM "$NGINX_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$NGINX_PID" 2>/dev/null
	fi
}
# nginx reads its config as root; the docroot files must be readable by its worker (nobody/www-data).
chmod 755 "$WORK" "$DOC"
chmod 644 "$DOC"/*
in_peer "$NGINX" -c "$WORK/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/error.log" 9>&- ||
	{ cat "$WORK/nginx/error.log" 2>/dev/null; fail "nginx did not start"; }
deadline=$((SECONDS + 10))
until [ -s "$WORK/nginx/nginx.pid" ]; do
	[ "$SECONDS" -lt "$deadline" ] || fail "nginx wrote no pid file"
	sleep 0.1
done
NGINX_PID=$(cat "$WORK/nginx/nginx.pid")
ok "nginx (pid $NGINX_PID) listening on $PEER_IP:8080 in $NS_PEER"

# ---- wskstack-bench from the stack -----------------------------------------------------------
# bench NAME ARGS...: wskstack-bench on the stack; LINE = its summary, RC its exit status.
bench() {
	local name=$1; shift
	RC=0
	timeout 60 ip netns exec "$NS_STACK" "$BENCH" -c "$CONFIG" --stats 0 "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" 9>&- || RC=$?
	cat "$WORK/$name.err" >>"$WORK/stack.err"
	LINE=$(grep '^wskstack-bench: summary ' "$WORK/$name.out" | tail -n 1 || true)
	[ -n "$LINE" ] || { tail -n 20 "$WORK/$name.err"; fail "wskstack-bench $* printed no summary (exit $RC)"; }
	say "$LINE"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$LINE"; }
check_clean() {
	local what=$1 f
	for f in errors connect_errors bad non2xx parse_errors; do
		check_eq "$what: $f" "$(field "$f")" 0
	done
	check_ge "$what: requests" "$(field requests)" 1
	check_eq "$what: exit status (sockets closed, pools clean)" "$RC" 0
	say "$what: $(field req_per_s) requests/s, p50 $(field p50_us) us, p99 $(field p99_us) us"
}

URL="$PEER_IP:8080"
bench keepalive --http "$URL/small" --keepalive --conns 4 -t "$SECS"
check_clean "bench --http --keepalive (4 conns, 128 B)"
# A count, not a duration: 3000 connections stay within the stack's 16384 ephemeral ports, so no
# 4-tuple is reused while nginx (the side that closes first) holds it in TIME-WAIT. At ~17000
# connections/s for 5 s (the range wraps every second) about 0.2% of the connects failed.
bench close --http "$URL/small" --close --conns 4 -n 3000
check_clean "bench --http --close (4 conns, 128 B, 3000 connections)"
bench medium --http "$URL/medium" --keepalive --conns 2 -t 2
check_clean "bench --http --keepalive (2 conns, 100 KB)"
check_eq "100 KB bodies: body_bytes = requests x 100000" "$(field body_bytes)" \
	"$(( $(field requests) * 100000 ))"

for f in small medium large; do
	bench "get-$f" --http "$URL/$f" -n 1 --conns 1 -o "$WORK/got-$f"
	check_clean "GET /$f -o"
	want=$(sha256sum <"$DOC/$f" | cut -d' ' -f1)
	got=$(sha256sum <"$WORK/got-$f" | cut -d' ' -f1)
	check_eq "GET /$f: SHA-256 of the saved body ($(stat -c %s "$WORK/got-$f") bytes)" "$got" "$want"
done
for mode in --keepalive --close; do
	bench "get-large$mode" --http "$URL/large" "$mode" -n 20 --conns 2
	check_clean "GET /large x20 $mode"
	check_eq "GET /large x20 $mode: body_bytes" "$(field body_bytes)" $((20 * 1048576))
done

bench missing --http "$URL/missing" -n 5 --conns 1
check_eq "GET /missing: non2xx" "$(field non2xx)" 5
check_eq "GET /missing: exit status 1 (non-2xx answers are failures)" "$RC" 1

stack_stderr_clean
finish
