#!/usr/bin/env bash
# interop/tcp_short: 1000 sequential short connections from Linux to the stack's `--tcp-echo 7`.
# A python3 client in wsk-peer, for each one: connect, send 100 random bytes, read the 100-byte
# echo, close (FIN). Asserts: all 1000 connect, all 1000 echoes are identical to what was sent;
# every close completed on both sides: the 1000 Linux sockets sit in TIME-WAIT (Linux closed
# first and the stack's FIN arrived and was acknowledged), none is left in ESTAB, CLOSE-WAIT,
# FIN-WAIT-1/2, CLOSING or LAST-ACK; the stack counted 1000 passive opens and 1000 established
# connections, sent no RST and retransmitted nothing; clean stop (pools back to zero in use, no
# sanitizer report).
# Reports the rate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ss
topology_up
start_stack --tcp-echo 7

N=1000
in_peer timeout 120 "$PY" - "$STACK_IP" 7 "$N" >"$WORK/client.out" 2>"$WORK/client.err" <<'PY' ||
import os, socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
connected = echoed = 0
errors = []
t0 = time.monotonic()
for i in range(n):
    try:
        s = socket.create_connection((host, port), timeout=5)
        connected += 1
        data = os.urandom(100)
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            b = s.recv(100 - len(got))
            if not b:
                break
            got += b
        echoed += got == data
        s.close()
    except OSError as e:
        errors.append("conn %d: %r" % (i, e))
elapsed = time.monotonic() - t0
print("connected=%d" % connected)
print("echoed=%d" % echoed)
print("errors=%d" % len(errors))
for e in errors[:5]:
    print("error: %s" % e)
print("seconds=%.3f" % elapsed)
print("per_second=%.0f" % (n / elapsed))
PY
	{ cat "$WORK/client.out" "$WORK/client.err"; fail "short-connection client failed or timed out"; }

val() { sed -n "s/^$1=//p" "$WORK/client.out"; }
grep '^error:' "$WORK/client.out" || true
check_eq "connections established" "$(val connected)" "$N"
check_eq "100-byte echoes identical to what was sent" "$(val echoed)" "$N"
check_eq "socket errors" "$(val errors)" 0
say "$N connections in $(val seconds) s ($(val per_second) per second)"

# The stack answers Linux's FIN at once; give the last ACKs a moment.
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
check_eq "stack tcp_retransmits (clean link)" "$(stack_counter tcp_retransmits)" 0
stop_stack INT
stack_stderr_clean
say "$(grep '^wskstackd: drops:' "$WORK/stack.out" || echo 'wskstackd: no drops')"
finish
