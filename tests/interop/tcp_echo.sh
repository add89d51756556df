#!/usr/bin/env bash
# interop/tcp_echo: the stack runs `--tcp-echo 7` (zero-copy echo through the TCP seam); a Linux
# TCP socket in wsk-peer (python3) streams 1 GiB through it: a sender thread writes 64 KiB chunks
# taken at pseudo-random offsets of a 16 MiB random buffer (so no two chunks line up and stale,
# duplicated, lost or reordered bytes change the digest), a receiver reads everything back, and
# both sides compute SHA-256 as they go; then the client half-closes and waits for the stack's
# FIN. Asserts: bytes received == bytes sent == 1 GiB; SHA-256 of what came back equals that of
# what was sent; the echo answered our FIN with its own (recv returned 0) and the socket never
# saw an error; throughput is reported (MiB/s over the whole exchange); the stack counted one
# passive open and one established connection, sent no RST, dropped nothing for a bad checksum,
# a missing socket or a full reassembly queue, and sent no IPv4 fragment (every TCP segment,
# options included, fits the MTU); clean stop (pools back to zero in use, no sanitizer report).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require
topology_up
start_stack --tcp-echo 7

TOTAL=$((1024 * 1024 * 1024))
in_peer timeout 150 "$PY" - "$STACK_IP" 7 "$TOTAL" >"$WORK/client.out" 2>"$WORK/client.err" <<'PY' ||
import hashlib, random, socket, sys, threading, time

host, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CHUNK, POOL = 64 * 1024, 16 * 1024 * 1024
rng = random.Random(20240607)
pool = memoryview(rng.randbytes(POOL))
s = socket.create_connection((host, port), timeout=60)
tx_hash, rx_hash = hashlib.sha256(), hashlib.sha256()
state = {"sent": 0, "error": None}

def sender():
    try:
        left = total
        while left > 0:
            n = min(CHUNK, left)
            off = rng.randrange(0, POOL - n)
            piece = pool[off:off + n]
            tx_hash.update(piece)
            s.sendall(piece)
            left -= n
            state["sent"] += n
        s.shutdown(socket.SHUT_WR)
    except Exception as e:  # reported below, the receiver stops on its own
        state["error"] = "send: %r" % (e,)

start = time.monotonic()
th = threading.Thread(target=sender)
th.start()
got, eof = 0, False
buf = bytearray(256 * 1024)
try:
    while True:
        n = s.recv_into(buf)
        if n == 0:
            eof = True
            break
        rx_hash.update(memoryview(buf)[:n])
        got += n
except Exception as e:
    state["error"] = state["error"] or "recv: %r" % (e,)
elapsed = time.monotonic() - start
th.join()
s.close()
print("sent=%d" % state["sent"])
print("received=%d" % got)
print("eof=%d" % eof)
print("error=%s" % (state["error"] or "none"))
print("sha_sent=%s" % tx_hash.hexdigest())
print("sha_received=%s" % rx_hash.hexdigest())
print("seconds=%.3f" % elapsed)
print("mib_per_s=%.1f" % (got / elapsed / (1 << 20) if elapsed > 0 else 0))
PY
	{ cat "$WORK/client.out" "$WORK/client.err"; fail "1 GiB echo client failed or timed out (150 s)"; }

val() { sed -n "s/^$1=//p" "$WORK/client.out"; }
say "client: $(tr '\n' ' ' <"$WORK/client.out")"
check_eq "socket errors during the exchange" "$(val error)" none
check_eq "bytes sent to the echo" "$(val sent)" "$TOTAL"
check_eq "bytes echoed back" "$(val received)" "$TOTAL"
check_eq "SHA-256 of what came back equals SHA-256 of what was sent" \
	"$(val sha_received)" "$(val sha_sent)"
check_eq "echo's FIN after our FIN (recv returned 0)" "$(val eof)" 1
say "throughput: $(val mib_per_s) MiB/s each way ($TOTAL bytes in $(val seconds) s)"
ok "1 GiB echoed intact at $(val mib_per_s) MiB/s"

telemetry_json /wskstack/stats "$WORK/stats.json"
telemetry_json /wskstack/drops "$WORK/drops.json"
py "$WORK/stats.json" "$WORK/drops.json" >"$WORK/counters.txt" <<'PY' ||
st, dr = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("tcp: rx=%d tx=%d retransmits=%d ooo=%d rst_tx=%d ipv4_frags_tx=%d" % (st["tcp_rx"],
      st["tcp_tx"], st["tcp_retransmits"], st["tcp_ooo"], st["tcp_rst_tx"], st["ipv4_frags_tx"]))
print("drops:", {k: v for k, v in dr.items() if v})
ok = (st["tcp_passive_opens"] == 1 and st["tcp_established"] == 1 and st["tcp_rst_tx"] == 0 and
      dr["tcp_bad_checksum"] == 0 and dr["tcp_no_socket"] == 0 and dr["tcp_reass_full"] == 0)
sys.exit(0 if ok else 1)
PY
	{ cat "$WORK/counters.txt"; fail "stack counters: want 1 passive open, 1 established, no RST, no drops" \
		"for a bad checksum, a missing socket or a full reassembly queue"; }
say "$(tr '\n' ' ' <"$WORK/counters.txt")"
ok "stack: 1 passive open, 1 established, no RST, no TCP checksum, no-socket or reassembly-full drops"

# SACK blocks (sent while out-of-order data is queued, e.g. after af_packet dropped a frame under
# load) must shorten the payload, not push the datagram over the MTU into IPv4 fragments.
check_eq "IPv4 fragments sent (TCP segments fit the MTU, options included)" \
	"$(py "$WORK/stats.json" <<<'print(json.load(open(sys.argv[1]))["ipv4_frags_tx"])')" 0
stop_stack INT
stack_stderr_clean
finish
