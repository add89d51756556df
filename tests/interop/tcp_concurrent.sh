#!/usr/bin/env bash
# interop/tcp_concurrent: 200 concurrent connections from Linux to the stack's `--tcp-echo 7`,
# each exchanging 64 KiB. A python3 client in wsk-peer opens all 200 non-blocking sockets and
# waits until every one is connected (so all 200 are open at once), then drives them together
# from one selector: each sends its own 64 KiB of random bytes, half-closes, and reads its echo
# until the stack's FIN. Asserts: 200 connected; 200 echoes of exactly 64 KiB, each identical to
# what that connection sent (no bytes crossed connections); no socket error or timeout; every
# connection got the stack's FIN; afterwards the 200 Linux sockets are in TIME-WAIT and none in
# another state; the stack counted 200 passive opens and 200 established connections, sent no
# RST; clean stop (pools back to zero in use, no sanitizer report).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ss
topology_up
start_stack --tcp-echo 7

N=200
SIZE=65536
in_peer timeout 120 "$PY" - "$STACK_IP" 7 "$N" "$SIZE" \
	>"$WORK/client.out" 2>"$WORK/client.err" <<'PY' ||
import errno, os, selectors, socket, sys, time
host, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sel = selectors.DefaultSelector()
conns = []
t0 = time.monotonic()
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    rc = s.connect_ex((host, port))
    if rc not in (0, errno.EINPROGRESS):
        print("error: connect %d: %s" % (i, os.strerror(rc)))
        continue
    c = {"s": s, "i": i, "data": os.urandom(size), "sent": 0, "rx": bytearray(),
         "eof": False, "err": None, "up": False}
    conns.append(c)
    sel.register(s, selectors.EVENT_WRITE, c)
# Phase 1: every connection established before any data moves.
pending, deadline = len(conns), time.monotonic() + 30
while pending and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=1):
        c = key.data
        err = c["s"].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            c["err"] = "connect: " + os.strerror(err)
            sel.unregister(c["s"])
        else:
            c["up"] = True
            sel.modify(c["s"], selectors.EVENT_READ, c)
        pending -= 1
up = [c for c in conns if c["up"]]
print("connected=%d" % len(up))
print("connect_seconds=%.3f" % (time.monotonic() - t0))
# Phase 2: all send, half-close and read back together.
for c in up:
    sel.modify(c["s"], selectors.EVENT_READ | selectors.EVENT_WRITE, c)
t1 = time.monotonic()
active, deadline = len(up), time.monotonic() + 60
while active and time.monotonic() < deadline:
    for key, ev in sel.select(timeout=1):
        c, s = key.data, key.data["s"]
        try:
            if ev & selectors.EVENT_WRITE and c["sent"] < size:
                c["sent"] += s.send(memoryview(c["data"])[c["sent"]:])
                if c["sent"] == size:
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ, c)
            if ev & selectors.EVENT_READ:
                b = s.recv(65536)
                if b:
                    c["rx"] += b
                else:
                    c["eof"] = True
        except BlockingIOError:
            pass
        except OSError as e:
            c["err"] = repr(e)
        if c["eof"] or c["err"]:
            sel.unregister(s)
            s.close()
            active -= 1
elapsed = time.monotonic() - t1
print("exchange_seconds=%.3f" % elapsed)
print("timed_out=%d" % active)
print("errors=%d" % sum(1 for c in conns if c["err"]))
for c in [c for c in conns if c["err"]][:5]:
    print("error: conn %d: %s" % (c["i"], c["err"]))
print("full_echoes=%d" % sum(1 for c in up if len(c["rx"]) == size))
print("identical=%d" % sum(1 for c in up if bytes(c["rx"]) == c["data"]))
print("eof=%d" % sum(1 for c in up if c["eof"]))
print("mib_per_s=%.1f" % (len(up) * size / elapsed / (1 << 20) if elapsed > 0 else 0))
PY
	{ cat "$WORK/client.out" "$WORK/client.err"; fail "concurrent client failed or timed out (120 s)"; }

val() { sed -n "s/^$1=//p" "$WORK/client.out"; }
grep '^error:' "$WORK/client.out" || true
check_eq "connections established at once" "$(val connected)" "$N"
check_eq "socket errors" "$(val errors)" 0
check_eq "connections still exchanging after 60 s" "$(val timed_out)" 0
check_eq "echoes of exactly $SIZE bytes" "$(val full_echoes)" "$N"
check_eq "echoes identical to what their own connection sent" "$(val identical)" "$N"
check_eq "connections that got the stack's FIN" "$(val eof)" "$N"
say "connect: $(val connect_seconds) s; exchange: $N x $SIZE bytes each way in" \
	"$(val exchange_seconds) s ($(val mib_per_s) MiB/s)"

for _ in $(seq 20); do
	[ "$(peer_tcp_states 7 | grep -cvx -e TIME-WAIT || true)" = 0 ] && break
	sleep 0.1
done
peer_tcp_states 7 | sort | uniq -c | sed "s/^/$TEST_NAME: peer sockets to port 7: /"
check_eq "Linux sockets to port 7 in TIME-WAIT (every close finished both ways)" \
	"$(peer_tcp_state_count 7 TIME-WAIT)" "$N"
check_eq "Linux sockets to port 7 in any other state" \
	"$(peer_tcp_states 7 | grep -cvx -e TIME-WAIT || true)" 0
check_eq "stack tcp_passive_opens" "$(stack_counter tcp_passive_opens)" "$N"
check_eq "stack tcp_established" "$(stack_counter tcp_established)" "$N"
check_eq "stack tcp_rst_tx" "$(stack_counter tcp_rst_tx)" 0
stop_stack INT
stack_stderr_clean
say "$(grep '^wskstackd: drops:' "$WORK/stack.out" || echo 'wskstackd: no drops')"
finish
