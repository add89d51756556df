#!/usr/bin/env bash
# interop/wsk_echo: a WSK driver (tests/wsk/wsk_echod.c: Windows headers only, zero-copy echo on
# WskAcceptEvent / WskReceiveEvent / WskSend / WskRelease and WskReceiveFromEvent / WskSendTo)
# runs on the stack in wsk-stack; Linux in wsk-peer is the client. Asserts: 256 MiB streamed
# through one connection comes back with the same SHA-256 and the driver's FIN follows ours;
# 64 concurrent connections x 256 KiB each come back identical; UDP datagrams of 1, 512, 1472
# and 4000 bytes come back identical; after SIGINT the driver closes its sockets, deregisters,
# and exits 0 (every IRP, socket and mempool back to zero), with no sanitizer report.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ECHOD=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSK_ECHOD}

interop_require
interop_require_binary
[ -x "$ECHOD" ] || fail "wsk_echod not built: $ECHOD"
topology_up

: >"$WORK/stack.out"
: >"$WORK/stack.err"
env --default-signal=INT ip netns exec "$NS_STACK" "$ECHOD" "$CONFIG" 7 \
	>"$WORK/stack.out" 2>"$WORK/stack.err" 9>&- &
STACK_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '^wsk_echod: echoing' "$WORK/stack.out"; do
	kill -0 "$STACK_PID" 2>/dev/null || { rc=0; wait "$STACK_PID" || rc=$?; STACK_PID=""; \
		fail "wsk_echod exited with status $rc before it was ready"; }
	[ "$SECONDS" -lt "$deadline" ] || fail "wsk_echod not ready within ${READY_TIMEOUT} s"
	sleep 0.1
done
ok "wsk_echod ready"

TOTAL=$((256 * 1024 * 1024))
in_peer timeout 120 "$PY" - "$STACK_IP" 7 "$TOTAL" >"$WORK/client.out" 2>"$WORK/client.err" <<'PY' ||
import hashlib, random, socket, sys, threading, time
host, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CHUNK, POOL = 64 * 1024, 16 * 1024 * 1024
rng = random.Random(7)
pool = memoryview(rng.randbytes(POOL))
s = socket.create_connection((host, port), timeout=60)
tx, rx = hashlib.sha256(), hashlib.sha256()
st = {"sent": 0, "error": None}
def sender():
    try:
        left = total
        while left > 0:
            n = min(CHUNK, left)
            off = rng.randrange(0, POOL - n)
            tx.update(pool[off:off + n]); s.sendall(pool[off:off + n])
            left -= n; st["sent"] += n
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        st["error"] = "send: %r" % (e,)
t0 = time.monotonic()
th = threading.Thread(target=sender); th.start()
got, eof, buf = 0, False, bytearray(256 * 1024)
try:
    while True:
        n = s.recv_into(buf)
        if n == 0:
            eof = True; break
        rx.update(memoryview(buf)[:n]); got += n
except Exception as e:
    st["error"] = st["error"] or "recv: %r" % (e,)
dt = time.monotonic() - t0
th.join(); s.close()
print("sent=%d received=%d eof=%d error=%s" % (st["sent"], got, eof, st["error"] or "none"))
print("sha_sent=%s" % tx.hexdigest()); print("sha_received=%s" % rx.hexdigest())
print("mib_per_s=%.1f" % (got / dt / (1 << 20)))
PY
	{ cat "$WORK/client.out" "$WORK/client.err"; fail "256 MiB echo client failed or timed out"; }
say "client: $(tr '\n' ' ' <"$WORK/client.out")"
grep -q "^sent=$TOTAL received=$TOTAL eof=1 error=none" "$WORK/client.out" ||
	fail "stream echo: want sent=received=$TOTAL, the driver's FIN and no error"
check_eq "SHA-256 of what came back equals what was sent" \
	"$(sed -n 's/^sha_received=//p' "$WORK/client.out")" "$(sed -n 's/^sha_sent=//p' "$WORK/client.out")"
ok "256 MiB echoed through WSK at $(sed -n 's/^mib_per_s=//p' "$WORK/client.out") MiB/s"

in_peer timeout 60 "$PY" - "$STACK_IP" 7 >"$WORK/conc.out" 2>&1 <<'PY' ||
import os, socket, sys, threading
host, port = sys.argv[1], int(sys.argv[2])
N, SIZE = 64, 256 * 1024
bad = []
def one(i):
    data = os.urandom(SIZE)
    try:
        s = socket.create_connection((host, port), timeout=30)
        def w():
            s.sendall(data); s.shutdown(socket.SHUT_WR)
        t = threading.Thread(target=w); t.start()
        got = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        t.join(); s.close()
        if bytes(got) != data:
            bad.append("conn %d: %d bytes back" % (i, len(got)))
    except Exception as e:
        bad.append("conn %d: %r" % (i, e))
ts = [threading.Thread(target=one, args=(i,)) for i in range(N)]
[t.start() for t in ts]; [t.join() for t in ts]
print("failed=%d %s" % (len(bad), "; ".join(bad[:5])))
sys.exit(1 if bad else 0)
PY
	{ cat "$WORK/conc.out"; fail "concurrent WSK echo connections failed"; }
ok "64 concurrent connections x 256 KiB echoed intact"

for size in 1 512 1472 4000; do
	udp_echo_batch "$size" 20 7
done

kill -s INT "$STACK_PID"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$STACK_PID" 2>/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || fail "wsk_echod still running ${STOP_TIMEOUT} s after SIGINT"
	sleep 0.1
done
rc=0
wait "$STACK_PID" || rc=$?
STACK_PID=""
say "$(grep '^wsk_echod: ' "$WORK/stack.out" | tail -n 1)"
check_eq "wsk_echod exit status after SIGINT (0: sockets closed, deregistered, pools clean)" "$rc" 0
stack_stderr_clean
finish
