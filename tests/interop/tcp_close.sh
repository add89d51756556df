#!/usr/bin/env bash
# interop/tcp_close: how connections end, seen from the Linux kernel in wsk-peer.
#
# With the stack running `--tcp-echo 7`, a python3 client (Linux TCP sockets):
#  1. graceful close from Linux: send 1000 bytes, read the 1000-byte echo, shutdown(SHUT_WR).
#     Asserts: recv returns 0 (the echo's FIN) right after the echo of the last byte, within 1 s;
#     Linux, the active closer, holds the connection in TIME-WAIT and no socket to port 7 is
#     left in ESTAB, CLOSE-WAIT, FIN-WAIT-1/2, CLOSING or LAST-ACK; the stack side is CLOSED
#     (LAST-ACK ended with Linux's ACK): a bare ACK on the old 4-tuple, sent through a raw
#     socket, finds no connection but the listener, which answers RST seq=<its ack> (RFC 9293
#     3.10.7.2; a LAST-ACK TCB would have answered an ACK) and counts tcp_listen_bad.
#  2. abortive close from Linux: SO_LINGER {1, 0} then close() sends RST, once on an idle
#     connection and once with every buffer full both ways (Linux wrote until it would block,
#     reading nothing, so the echo's backlog and the stack's send queue are full). Asserts: Linux
#     keeps no socket for the 4-tuple; the stack answered no RST with RST; the stack dropped the
#     connection (an ACK on the old 4-tuple draws RST); its counters show the reset
#     (tcp_rst_rx); a new connection still echoes and closes gracefully.
#  3. a connection to a closed port (9): ECONNREFUSED within 1 s (the stack's RST|ACK, not a
#     SYN retransmission timeout); tcp_rst_tx and tcp_no_socket grow.
# Then, the other way round, the stack closes first: `wskstackd --tcp-connect` sends 100000
# bytes to a python3 server in wsk-peer and shuts down. Asserts: the server read 100000 bytes
# with the SHA-256 the client reports, then EOF; the client ends with result=ok (its shutdown
# completes only in TIME-WAIT: FIN-WAIT-2 + the server's FIN, or CLOSING + ACK); the capture
# shows the stack's FIN before the server's and the stack's ACK of the server's FIN; Linux
# keeps no socket on the server port (LAST-ACK ended: CLOSED).
# Each stack run ends with a clean stop (pools back to zero in use, no sanitizer report).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ss tshark
topology_up
start_stack --tcp-echo 7

# client MODE: one echo connection from wsk-peer; prints key=value lines
#   graceful: send 1000 bytes, read them back, shutdown(SHUT_WR), wait for EOF
#   abort:    send 1000 bytes, read them back, SO_LINGER 0, close (RST)
#   abort-busy: send without reading until every buffer is full (up to 4 MiB, 2 s), then
#               SO_LINGER 0, close (RST with data queued both ways)
#   refused:  connect to port 9
client() {
	in_peer timeout 30 "$PY" - "$STACK_IP" "$1" <<'PY'
import os, socket, struct, sys, time
host, mode = sys.argv[1], sys.argv[2]
port = 9 if mode == "refused" else 7
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
t0 = time.monotonic()
try:
    s.connect((host, port))
except OSError as e:
    print("connect_error=%s" % (e.__class__.__name__,))
    print("connect_seconds=%.3f" % (time.monotonic() - t0))
    sys.exit(0)
print("sport=%d" % s.getsockname()[1])
if mode == "abort-busy":
    # Fill every buffer on the way (ours, the stack's window, the echo's backlog, our receive
    # buffer) without reading, until the socket would block.
    s.setblocking(False)
    blob, queued = os.urandom(65536), 0
    deadline = time.monotonic() + 2
    while queued < 4 * 1024 * 1024 and time.monotonic() < deadline:
        try:
            queued += s.send(blob)
        except BlockingIOError:
            time.sleep(0.01)
    print("queued=%d" % queued)
    s.setblocking(True)
else:
    data = os.urandom(1000)
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(4096)
        if not b:
            break
        got += b
    print("echo_ok=%d" % (got == data))
if mode == "graceful":
    s.shutdown(socket.SHUT_WR)
    t1 = time.monotonic()
    try:
        rest = s.recv(4096)
        print("eof=%d" % (rest == b""))
    except OSError as e:
        print("eof_error=%s" % (e.__class__.__name__,))
    print("fin_seconds=%.3f" % (time.monotonic() - t1))
else:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
}
val() { sed -n "s/^$1=//p" "$2"; }
# Linux sockets to port 7 in a state that means a close did not finish.
lingering() { peer_tcp_states 7 | grep -cvx -e TIME-WAIT || true; }

# ---- 1. graceful close from Linux ----
client graceful >"$WORK/graceful.out" 2>&1 ||
	{ cat "$WORK/graceful.out"; fail "graceful client failed"; }
say "graceful: $(tr '\n' ' ' <"$WORK/graceful.out")"
sport=$(val sport "$WORK/graceful.out")
check_eq "graceful: 1000 bytes echoed" "$(val echo_ok "$WORK/graceful.out")" 1
check_eq "graceful: recv returns 0 after the last echoed byte (the stack's FIN)" \
	"$(val eof "$WORK/graceful.out")" 1
fin_ms=$(awk -v s="$(val fin_seconds "$WORK/graceful.out")" 'BEGIN { printf "%d", s * 1000 }')
[ "$fin_ms" -lt 1000 ] || fail "graceful: the stack's FIN came $fin_ms ms after ours, want < 1000 ms"
ok "graceful: the stack's FIN came $fin_ms ms after ours"
check_eq "graceful: Linux (active closer) holds 198.18.0.2:$sport in TIME-WAIT" \
	"$(in_peer ss -Htan state time-wait sport = ":$sport" dst "$STACK_IP" | wc -l)" 1
check_eq "graceful: Linux sockets to port 7 not in TIME-WAIT (ESTAB, CLOSE-WAIT, FIN-WAIT, ...)" \
	"$(lingering)" 0
lbad0=$(stack_counter tcp_listen_bad)
rst0=$(stack_counter tcp_rst_tx)
probe=$(tcp_probe "$sport" 7 A 1000 12345)
say "graceful: ACK probe on the old 4-tuple answered: $probe"
check_eq "graceful: stack side CLOSED after LAST-ACK (ACK on the old 4-tuple draws RST seq=12345)" \
	"$probe" "R seq=12345 ack=0"
check_eq "graceful: probe reached the listener, no connection (tcp_listen_bad delta)" \
	$(($(stack_counter tcp_listen_bad) - lbad0)) 1
check_eq "graceful: probe answered by one RST (tcp_rst_tx delta)" $(($(stack_counter tcp_rst_tx) - rst0)) 1

# ---- 2. abortive close from Linux (RST) ----
for mode in abort abort-busy; do
	rst0=$(stack_counter tcp_rst_tx)
	rstrx0=$(stack_counter tcp_rst_rx)
	client "$mode" >"$WORK/$mode.out" 2>&1 ||
		{ cat "$WORK/$mode.out"; fail "$mode client failed"; }
	say "$mode: $(tr '\n' ' ' <"$WORK/$mode.out")"
	sport=$(val sport "$WORK/$mode.out")
	[ -n "$sport" ] || fail "$mode: no connection"
	if [ "$mode" = abort-busy ]; then
		check_ge "$mode: bytes queued before the RST" "$(val queued "$WORK/$mode.out")" 262144
	else
		check_eq "$mode: 1000 bytes echoed" "$(val echo_ok "$WORK/$mode.out")" 1
	fi
	sleep 0.3
	check_eq "$mode: Linux sockets left for 198.18.0.2:$sport after SO_LINGER 0 close" \
		"$(in_peer ss -Htan state all sport = ":$sport" dst "$STACK_IP" | wc -l)" 0
	check_eq "$mode: RSTs the stack sent in answer (it must not answer a RST)" \
		$(($(stack_counter tcp_rst_tx) - rst0)) 0
	probe=$(tcp_probe "$sport" 7 A 1000 777)
	check_eq "$mode: stack dropped the connection (ACK on the old 4-tuple draws RST seq=777)" \
		"$probe" "R seq=777 ack=0"
	check_eq "$mode: the stack counted the reset (tcp_rst_rx delta)" \
		$(($(stack_counter tcp_rst_rx) - rstrx0)) 1
	client graceful >"$WORK/after-$mode.out" 2>&1 ||
		{ cat "$WORK/after-$mode.out"; fail "client after $mode failed"; }
	check_eq "after $mode: a new connection echoes 1000 bytes" \
		"$(val echo_ok "$WORK/after-$mode.out")" 1
	check_eq "after $mode: and closes gracefully (EOF)" "$(val eof "$WORK/after-$mode.out")" 1
done
check_eq "Linux sockets to port 7 not in TIME-WAIT after the aborts" "$(lingering)" 0

# ---- 3. closed port ----
rst0=$(stack_counter tcp_rst_tx)
nosock0=$(stack_counter tcp_no_socket)
client refused >"$WORK/refused.out" 2>&1 ||
	{ cat "$WORK/refused.out"; fail "refused client failed"; }
say "closed port 9: $(tr '\n' ' ' <"$WORK/refused.out")"
check_eq "connect to closed port 9: error" "$(val connect_error "$WORK/refused.out")" \
	ConnectionRefusedError
ref_ms=$(awk -v s="$(val connect_seconds "$WORK/refused.out")" 'BEGIN { printf "%d", s * 1000 }')
[ "$ref_ms" -lt 1000 ] ||
	fail "connect to closed port 9: refused after $ref_ms ms, want < 1000 ms (RST, not a timeout)"
ok "connect to closed port 9: refused after $ref_ms ms"
check_ge "closed port: stack tcp_rst_tx delta" $(($(stack_counter tcp_rst_tx) - rst0)) 1
check_ge "closed port: stack tcp_no_socket delta" $(($(stack_counter tcp_no_socket) - nosock0)) 1
stop_stack INT
stack_stderr_clean
say "$(grep '^wskstackd: drops:' "$WORK/stack.out" || echo 'wskstackd: no drops')"

# ---- 4. the stack closes first: TIME-WAIT on the stack, CLOSED on Linux ----
SPORT=5001
bg_start server in_peer timeout 60 "$PY" -c '
import hashlib, socket, sys
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(1)
print("listening", flush=True)
c, peer = ls.accept()
ls.close()
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
print("received=%d" % n)
print("sha=%s" % h.hexdigest())
c.close()
print("closed=1", flush=True)
' "$PEER_IP" "$SPORT"
for _ in $(seq 50); do grep -q listening "$WORK/server.out" && break; sleep 0.1; done
grep -q listening "$WORK/server.out" ||
	fail "python server in wsk-peer did not start: $(cat "$WORK/server.err")"
capdir="$WORK/capture"
mkdir -p "$capdir"
start_stack --tcp-connect "$PEER_IP:$SPORT" --client-send 100000 --capture "$capdir"
for _ in $(seq 100); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
wait "$LAST_BG" || fail "python server failed: $(cat "$WORK/server.err")"
line=$(grep '^wskstackd: client conn=' "$WORK/stack.out" | head -n 1 || true)
say "stack client: $line"
say "server: $(tr '\n' ' ' <"$WORK/server.out")"
check_eq "stack client: connection result (shutdown completes in TIME-WAIT)" \
	"$(sed -n 's/.* result=\([a-z-]*\).*/\1/p' <<<"$line")" ok
stop_stack INT
stack_stderr_clean
check_eq "server: bytes received before EOF" "$(val received "$WORK/server.out")" 100000
check_eq "server: SHA-256 equals the client's sent_sha256" "$(val sha "$WORK/server.out")" \
	"$(sed -n 's/.* sent_sha256=\([0-9a-f]*\).*/\1/p' <<<"$line")"
check_eq "Linux sockets left on server port $SPORT (LAST-ACK must end in CLOSED)" \
	"$(in_peer ss -Htan state all sport = ":$SPORT" | wc -l)" 0
pcap="$capdir/port0.pcap"
TS=(tshark -n -r "$pcap")
fins=$("${TS[@]}" -Y "tcp.flags.fin == 1" -T fields -e ip.src 2>/dev/null | tr '\n' ' ')
say "FIN senders in order: $fins"
check_eq "first FIN from the stack, then the server's" "$fins" "$STACK_IP $PEER_IP "
srv_fin=$("${TS[@]}" -Y "tcp.flags.fin == 1 && ip.src == $PEER_IP" -T fields -e tcp.seq_raw 2>/dev/null |
	head -n 1)
acked=$("${TS[@]}" -T fields -e frame.number 2>/dev/null \
	-Y "ip.src == $STACK_IP && tcp.ack_raw == $(((srv_fin + 1) % 4294967296)) && tcp.flags.fin == 0" | wc -l)
check_ge "stack ACKed the server's FIN (TIME-WAIT's ACK)" "$acked" 1
finish
