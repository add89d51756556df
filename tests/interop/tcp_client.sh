#!/usr/bin/env bash
# interop/tcp_client: the stack as the TCP client, Linux as the server (wsk-peer), 1 GiB each way.
#  1. `wskstackd --tcp-connect 198.18.0.2:5001 --client-send 1 GiB` to a python3 server that
#     reads until EOF, hashing: the server's byte count and SHA-256 equal what the stack's client
#     reports it sent; the client's connection ends result=ok (its shutdown completed).
#  2. `wskstackd --tcp-connect 198.18.0.2:5002 --client-recv` from a python3 server that sends
#     1 GiB of generated data, hashing it, then closes: the client's recv count and SHA-256 equal
#     the server's; result=ok.
# Each run ends with wskstackd stopping by itself, pools back to zero in use, no sanitizer report.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require
topology_up
SIZE=$((1024 * 1024 * 1024))

# peer_server PORT MODE: a python3 server in wsk-peer (MODE recv: read and hash; send: generate,
# hash and send SIZE bytes), one connection, then "bytes=N sha=H seconds=S".
peer_server() {
	bg_start "server-$2" in_peer "$PY" -c '
import hashlib, os, socket, sys, time
port, mode, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.2", port)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0; t0 = time.monotonic()
if mode == "recv":
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b); n += len(b)
else:
    block = os.urandom(1 << 20)
    while n < size:
        chunk = block[: min(len(block), size - n)]
        h.update(chunk); c.sendall(chunk); n += len(chunk)
        block = block[7:] + block[:7]   # vary the stream
    c.shutdown(socket.SHUT_WR)
    while c.recv(65536):
        pass
c.close()
print("bytes=%d sha=%s seconds=%.2f" % (n, h.hexdigest(), time.monotonic() - t0), flush=True)
' "$1" "$2" "$SIZE"
	for _ in $(seq 50); do grep -q listening "$WORK/server-$2.out" && return 0; sleep 0.1; done
	fail "python server ($2) did not start: $(cat "$WORK/server-$2.err")"
}

# run_client ARGS...: start the stack's client, wait for it to finish on its own (5 min at most).
run_client() {
	start_stack "$@"
	for _ in $(seq 3000); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$LAST_BG" || fail "python server failed: $(cat "$WORK"/server-*.err)"
	CLIENT=$(grep '^wskstackd: client conn=' "$WORK/stack.out" | head -n 1 || true)
	say "stack client: $CLIENT"
	stop_stack INT
	stack_stderr_clean
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

peer_server 5001 recv
run_client --tcp-connect "$PEER_IP:5001" --client-send "$SIZE"
srv=$(cat "$WORK/server-recv.out" | tail -n 1)
say "server: $srv"
check_eq "send: client result" "$(field result "$CLIENT")" ok
check_eq "send: client sent" "$(field sent "$CLIENT")" "$SIZE"
check_eq "send: server received" "$(field bytes " $srv")" "$SIZE"
check_eq "send: server SHA-256 equals the client's sent_sha256" "$(field sha " $srv")" \
	"$(field sent_sha256 "$CLIENT")"

peer_server 5002 send
run_client --tcp-connect "$PEER_IP:5002" --client-recv
srv=$(cat "$WORK/server-send.out" | tail -n 1)
say "server: $srv"
check_eq "recv: client result" "$(field result "$CLIENT")" ok
check_eq "recv: client received" "$(field recv "$CLIENT")" "$SIZE"
check_eq "recv: client recv_sha256 equals the server's SHA-256" "$(field recv_sha256 "$CLIENT")" \
	"$(field sha " $srv")"
finish
