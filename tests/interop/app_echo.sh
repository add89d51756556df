#!/usr/bin/env bash
# interop/app_echo: wskstack-echo against the Linux kernel, both ways.
#   1. wskstack-echo -s on the stack in wsk-stack; a python3 client in wsk-peer keeps 16 TCP
#      connections doing request/response ping-pong with random sizes (1..6000 bytes) and compares
#      every byte, then 200 UDP datagrams; it reports its round-trip latency. SIGINT: the server
#      prints its summary and exits 0 (every socket closed, pools clean).
#   2. A python3 TCP+UDP echo server in wsk-peer; wskstack-echo -C 198.18.0.2 -n 4 -k 2000 (TCP)
#      and -u -n 2 -k 500 on the stack: summaries with zero mismatches and errors, exit 0.
# (sockperf ping-pong cannot be the Linux client: it drops replies whose header lacks the flag
# its own server sets, so it needs sockperf's server, not an echo.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ECHO_APP=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_ECHO}

interop_require
[ -x "$ECHO_APP" ] || fail "wskstack-echo not built: $ECHO_APP"
topology_up

# start_app NAME ARGS...: wskstack-echo in wsk-stack with SIGINT at its default disposition.
start_app() {
	local name=$1; shift
	: >"$WORK/$name.out"
	: >"$WORK/$name.err"
	env --default-signal=INT ip netns exec "$NS_STACK" "$ECHO_APP" -c "$CONFIG" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" 9>&- &
	STACK_PID=$!
}

# ---- 1. the stack serves ----------------------------------------------------------------------
start_app server -s -p 7 --stats 2
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '^wskstack-echo: ready' "$WORK/server.out"; do
	kill -0 "$STACK_PID" 2>/dev/null || { rc=0; wait "$STACK_PID" || rc=$?; STACK_PID=""; \
		cat "$WORK/server.err"; fail "wskstack-echo -s exited with status $rc before it was ready"; }
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-echo -s not ready within ${READY_TIMEOUT} s"
	sleep 0.1
done
ok "wskstack-echo -s ready"

in_peer timeout 90 "$PY" - "$STACK_IP" 7 >"$WORK/pyclient.out" 2>&1 <<'PY' ||
import os, random, socket, sys, threading, time
host, port = sys.argv[1], int(sys.argv[2])
CONNS, ROUNDS = 16, 150
bad, lat, lock = [], [], threading.Lock()
def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += b
    return bytes(buf)
def tcp(i):
    rng = random.Random(i)
    try:
        s = socket.create_connection((host, port), timeout=20)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        for r in range(ROUNDS):
            msg = os.urandom(rng.randint(1, 6000))
            t0 = time.perf_counter()
            s.sendall(msg)
            got = recv_exact(s, len(msg))
            mine.append(time.perf_counter() - t0)
            if got != msg:
                bad.append("conn %d round %d: %d bytes differ" % (i, r, sum(a != b for a, b in zip(got, msg))))
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            bad.append("conn %d: data after the echo" % i)
        s.close()
        with lock:
            lat.extend(mine)
    except Exception as e:
        bad.append("conn %d: %r" % (i, e))
ts = [threading.Thread(target=tcp, args=(i,)) for i in range(CONNS)]
[t.start() for t in ts]; [t.join() for t in ts]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
ulat, ulost = [], 0
for i in range(200):
    msg = os.urandom(1 + (i * 37) % 1472)
    t0 = time.perf_counter()
    u.sendto(msg, (host, port))
    try:
        got, _ = u.recvfrom(65536)
    except socket.timeout:
        ulost += 1; continue
    ulat.append(time.perf_counter() - t0)
    if got != msg:
        bad.append("udp %d: wrong datagram" % i)
def pct(v, q):
    v = sorted(v); return v[min(len(v) - 1, int(q * len(v)))] * 1e6 if v else 0
print("tcp_roundtrips=%d tcp_p50_us=%.0f tcp_p99_us=%.0f udp_roundtrips=%d udp_lost=%d udp_p50_us=%.0f udp_p99_us=%.0f failed=%d %s" % (
    len(lat), pct(lat, .5), pct(lat, .99), len(ulat), ulost, pct(ulat, .5), pct(ulat, .99), len(bad), "; ".join(bad[:5])))
sys.exit(1 if bad or len(lat) != CONNS * ROUNDS or ulost > 2 else 0)
PY
	{ cat "$WORK/pyclient.out"; fail "python3 ping-pong client against wskstack-echo -s failed"; }
say "python3 client: $(cat "$WORK/pyclient.out")"
ok "16 TCP connections x 150 request/response rounds (1..6000 bytes) and 200 UDP datagrams echoed byte-exact"

# 1 GiB each way through one connection (Linux streams to the stack while reading the echo back),
# SHA-256 of both directions compared.
TOTAL=$((1024 * 1024 * 1024))
in_peer timeout 150 "$PY" - "$STACK_IP" 7 "$TOTAL" >"$WORK/stream.out" 2>&1 <<'PY' ||
import hashlib, random, socket, sys, threading, time
host, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CHUNK, POOL = 64 * 1024, 16 * 1024 * 1024
rng = random.Random(11)
pool = memoryview(rng.randbytes(POOL))
s = socket.create_connection((host, port), timeout=60)
tx, rx, st = hashlib.sha256(), hashlib.sha256(), {"sent": 0, "err": None}
def sender():
    try:
        left = total
        while left > 0:
            n = min(CHUNK, left); off = rng.randrange(0, POOL - n)
            tx.update(pool[off:off + n]); s.sendall(pool[off:off + n]); left -= n; st["sent"] += n
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        st["err"] = repr(e)
t0 = time.monotonic(); th = threading.Thread(target=sender); th.start()
got, buf = 0, bytearray(256 * 1024)
while True:
    n = s.recv_into(buf)
    if n == 0:
        break
    rx.update(memoryview(buf)[:n]); got += n
dt = time.monotonic() - t0; th.join(); s.close()
print("sent=%d received=%d error=%s same_sha=%d mib_s=%.1f" % (st["sent"], got, st["err"] or "none",
      tx.hexdigest() == rx.hexdigest(), got / dt / (1 << 20)))
PY
	{ cat "$WORK/stream.out"; fail "1 GiB stream through wskstack-echo failed"; }
say "stream: $(cat "$WORK/stream.out")"
grep -q "^sent=$TOTAL received=$TOTAL error=none same_sha=1 " "$WORK/stream.out" ||
	fail "1 GiB each way: want every byte back with the same SHA-256"
ok "1 GiB each way through wskstack-echo, SHA-256 equal"

kill -s INT "$STACK_PID"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$STACK_PID" 2>/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-echo -s still running ${STOP_TIMEOUT} s after SIGINT"
	sleep 0.1
done
rc=0; wait "$STACK_PID" || rc=$?; STACK_PID=""
line=$(grep '^wskstack-echo: summary ' "$WORK/server.out" | tail -n 1 || true)
[ -n "$line" ] || fail "wskstack-echo -s printed no summary line"
say "$line"
check_eq "server summary lines" "$(grep -c '^wskstack-echo: summary ' "$WORK/server.out")" 1
check_eq "server connections accepted" "$(sed -n 's/.* conns=\([0-9]*\) .*/\1/p' <<<"$line")" 17
check_eq "server datagrams echoed" "$(sed -n 's/.* datagrams=\([0-9]*\) .*/\1/p' <<<"$line")" 200
check_eq "server errors" "$(sed -n 's/.* errors=\([0-9]*\) .*/\1/p' <<<"$line")" 0
check_eq "wskstack-echo -s exit status after SIGINT (sockets closed, pools clean)" "$rc" 0

# ---- 2. the stack is the client -----------------------------------------------------------------
cat >"$WORK/peer_echo.py" <<'PY'
import socket, socketserver, sys, threading
class T(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            b = self.request.recv(65536)
            if not b:
                break
            self.request.sendall(b)
class U(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)
class TS(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
host, port = sys.argv[1], int(sys.argv[2])
t = TS((host, port), T)
u = socketserver.ThreadingUDPServer((host, port), U)
threading.Thread(target=u.serve_forever, daemon=True).start()
print("echo: ready", flush=True)
t.serve_forever()
PY
bg_start peer_echo in_peer "$PY" -u "$WORK/peer_echo.py" "$PEER_IP" 7
deadline=$((SECONDS + 10))
until grep -q '^echo: ready' "$WORK/peer_echo.out"; do
	[ "$SECONDS" -lt "$deadline" ] || { cat "$WORK/peer_echo.err"; fail "python3 echo server in $NS_PEER not ready"; }
	sleep 0.1
done
ok "python3 TCP+UDP echo server listening on $PEER_IP:7"

# run_client NAME ARGS...: wskstack-echo -C in wsk-stack to completion; sets LINE and RC.
run_client() {
	local name=$1; shift
	start_app "$name" -C "$PEER_IP" --stats 2 "$@"
	local deadline=$((SECONDS + 90))
	while kill -0 "$STACK_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill -s INT "$STACK_PID"; sleep 5; kill -KILL "$STACK_PID" 2>/dev/null || true
			fail "wskstack-echo $* did not finish within 90 s"
		fi
		sleep 0.1
	done
	RC=0; wait "$STACK_PID" || RC=$?; STACK_PID=""
	LINE=$(grep '^wskstack-echo: summary ' "$WORK/$name.out" | tail -n 1 || true)
	[ -n "$LINE" ] || { cat "$WORK/$name.err"; fail "wskstack-echo $* printed no summary line (exit $RC)"; }
	say "$LINE"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$LINE"; }

run_client tcp_client -n 4 -k 2000 -m 256
check_eq "TCP client: round trips" "$(field requests)" 8000
check_eq "TCP client: mismatches" "$(field mismatches)" 0
check_eq "TCP client: errors" "$(field errors)" 0
check_eq "TCP client: exit status" "$RC" 0

run_client udp_client -u -n 2 -k 500 -m 1000
check_eq "UDP client: mismatches" "$(field mismatches)" 0
check_eq "UDP client: errors" "$(field errors)" 0
check_ge "UDP client: round trips" "$(field requests)" 990
check_eq "UDP client: exit status" "$RC" 0
cat "$WORK"/server.err "$WORK"/tcp_client.err "$WORK"/udp_client.err >"$WORK/stack.err"
stack_stderr_clean
finish
