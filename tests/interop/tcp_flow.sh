#!/usr/bin/env bash
# interop/tcp_flow: flow control end to end against Linux, through the stack's `--tcp-echo 7`,
# with readers that stop reading. A python3 client in wsk-peer; every sender thread writes its
# random bytes and half-closes while the reader decides when to read:
#  1. one connection sends 8 MiB while its reader sleeps 2 s: Linux's receive window closes,
#     the echo's send queue backs up, the stack must close its own window (the echo holds the
#     bytes it has not yet echoed), probe Linux's zero window, and resume when Linux reads;
#  2. a slow reader: 2 MiB read 64 KiB at a time with 5 ms pauses (windows closing and
#     reopening over and over);
#  3. 40 connections of 1 MiB each, all readers asleep for 2 s: the stack's receive buffering
#     across connections must stay within its mbufs, so that ACKs still get in when they read.
# Each case runs on a fresh stack. Asserts, for each: every byte echoed back identical and in
# order, then EOF, within 15 s of the reader starting (no deadlock); no socket error; clean stop
# (pools back to zero in use, no sanitizer report).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require
topology_up

# flow NAME CONNS BYTES PAUSE CHUNK CHUNK_PAUSE: prints "NAME ok=K of=N seconds=S errors=E"
flow() {
	in_peer timeout 60 "$PY" - "$STACK_IP" "$@" <<'PY'
import os, socket, sys, threading, time
host, name, n, size, pause, chunk, chunk_pause = sys.argv[1:8]
n, size, chunk = int(n), int(size), int(chunk)
pause, chunk_pause = float(pause), float(chunk_pause)
errors, ok = [], [False] * n
try:
    socks = [socket.create_connection((host, 7), timeout=15) for _ in range(n)]
except OSError as e:
    print("%s ok=0 of=%d seconds=0 errors=1" % (name, n))
    print("%s error: connect: %r" % (name, e))
    sys.exit(0)
datas = [os.urandom(size) for _ in range(n)]
def send(i):
    try:
        socks[i].sendall(datas[i])
        socks[i].shutdown(socket.SHUT_WR)
    except OSError as e:
        errors.append("send %d: %r" % (i, e))
def recv(i, deadline):
    got = bytearray()
    try:
        while time.monotonic() < deadline:
            b = socks[i].recv(chunk)
            if not b:
                ok[i] = bytes(got) == datas[i]
                return
            got += b
            if chunk_pause:
                time.sleep(chunk_pause)
        errors.append("recv %d: %d of %d bytes by the deadline" % (i, len(got), size))
    except OSError as e:
        errors.append("recv %d: %r after %d of %d bytes" % (i, e, len(got), size))
senders = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(n)]
for t in senders:
    t.start()
time.sleep(pause)
t0 = time.monotonic()
readers = [threading.Thread(target=recv, args=(i, t0 + 15)) for i in range(n)]
for t in readers:
    t.start()
for t in readers:
    t.join()
print("%s ok=%d of=%d seconds=%.2f errors=%d" % (name, sum(ok), n, time.monotonic() - t0, len(errors)))
for e in errors[:5]:
    print("%s error: %s" % (name, e))
PY
}

# Case 3 found that the echo gave its window back before the echo was acknowledged and that the
# TCP queues held af_packet's 12 KB RX mbufs (fixed in 1e654ef: both deadlocked the stack).
# Case 3 also found a stall (about 1 run in 6) from three defects chaining up, fixed since:
# (a) stack/tcp/tcp_input.c tcp_update_window(): an ACK that advances SND.UNA on a segment with
#     an old SEQ (Linux retransmitting into a hole) leaves SND.WND as it was, so SND.UNA +
#     SND.WND overstates the peer's right edge and tcp_sack_send()/tcp_output() send past it;
# (b) stack/tcp/tcp_timer.c tcp_rexmt_fire(): with that data outstanding and the window now
#     zero, the RTO path calls tcp_output(), which sends nothing into a zero window, and the
#     persist branch wants SND.MAX <= SND.UNA + 1: no probe ever goes out;
# (c) stack/tcp/tcp_input.c tcp_seq_acceptable(): Linux's window update, a bare ACK at exactly
#     RCV.NXT + RCV.WND (it had filled our window), is refused as not acceptable, so the
#     reopened window is never learnt.
CASES=("pause 1 8388608 2 262144 0" "slow 1 2097152 0 65536 0.005" "many 40 1048576 2 262144 0")
# A fresh stack for each case: a deadlocked one answers nothing more.
for args in "${CASES[@]}"; do
	name=${args%% *}
	start_stack --tcp-echo 7
	# shellcheck disable=SC2086
	flow $args >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out"; fail "$name: python client failed"; }
	sed "s/^/$TEST_NAME: /" "$WORK/$name.out"
	stop_stack INT
	stack_stderr_clean
done
# All three ran; now the verdicts, so that one deadlock does not hide the others.
for args in "${CASES[@]}"; do
	read -r name n _ <<<"$args"
	check_eq "$name: connections echoed intact, then EOF, within 15 s" \
		"$(sed -n "s/^$name ok=\([0-9]*\) .*/\1/p" "$WORK/$name.out")" "$n"
	check_eq "$name: socket errors" "$(sed -n "s/^$name .* errors=\([0-9]*\).*/\1/p" "$WORK/$name.out")" 0
done
finish
