# shellcheck shell=bash
# tests/interop/lib.sh — shared by the interop tests (meson suite 'interop').
#
# The Linux kernel is the peer: scripts/netns-up makes namespaces wsk-stack and wsk-peer joined by
# veth wsk0 <-> wsk1; wskstackd runs in wsk-stack on wsk0 through net_af_packet and owns
# 198.18.0.1; the kernel in wsk-peer has 198.18.0.2 on wsk1. Every test starts from a fresh
# topology and removes it on exit, whatever happened.
#
# A test script does:
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"    # args: WSKSTACKD SOURCE_ROOT
#     interop_require ping ...      # SKIP (exit 77) without root / ip netns / a tool
#     topology_up
#     start_stack --udp-echo 7      # waits for "wskstackd: ready"
#     ... assertions: ok / fail / check_eq / check_ge ...
#     stop_stack                    # SIGINT; requires exit 0, a summary line and pools=clean
#     finish                        # prints how many checks passed
#
# Environment: WSK_INTEROP_CONFIG (default SOURCE_ROOT/config/default.ini),
# WSK_INTEROP_KEEP=1 keeps the work directory (logs, captures) after a passing run.

set -euo pipefail
export LC_ALL=C

WSKSTACKD=${1:?usage: $0 WSKSTACKD SOURCE_ROOT}
SRCROOT=${2:?usage: $0 WSKSTACKD SOURCE_ROOT}
TEST_NAME=$(basename "$0" .sh)
CONFIG=${WSK_INTEROP_CONFIG:-$SRCROOT/config/default.ini}

NS_STACK=wsk-stack
NS_PEER=wsk-peer
STACK_IF=wsk0
PEER_IF=wsk1
STACK_IP=198.18.0.1
PEER_IP=198.18.0.2
READY_TIMEOUT=20     # s from start to "wskstackd: ready"
STOP_TIMEOUT=15      # s from the signal to exit
STACK_DURATION=240   # --duration safety net: a stuck run still ends

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TELEMETRY_PY=$(command -v dpdk-telemetry.py 2>/dev/null || echo /usr/bin/dpdk-telemetry.py)

WORK=$(mktemp -d "/tmp/wsk-interop-$TEST_NAME.XXXXXX")
STACK_PID=""
STACK_RC=""
TOPOLOGY=0
BG_PIDS=()
CHECKS=0
declare -A SUM=()

# ---- reporting ------------------------------------------------------------------------------
say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
ok() { CHECKS=$((CHECKS + 1)); printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; exit 1; }   # the EXIT trap tears down and shows logs
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

# check_eq WHAT GOT WANT / check_ge WHAT GOT MIN (integers for check_ge)
check_eq() { [ "$2" = "$3" ] && ok "$1: $2" || fail "$1: got '$2', want '$3'"; }
check_ge() {
	[[ "$2" =~ ^[0-9]+$ ]] || fail "$1: got '$2', want a number >= $3"
	[ "$2" -ge "$3" ] && ok "$1: $2 (>= $3)" || fail "$1: got $2, want >= $3"
}

finish() { say "PASS: $CHECKS checks"; exit 0; }

# ---- prerequisites --------------------------------------------------------------------------
# interop_require [TOOL...]: root, working `ip netns`, the tools, the binary and the config.
interop_require() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, veth, af_packet)"
	command -v ip >/dev/null 2>&1 || skip "ip (iproute2) not installed"
	local probe="wsk-probe-$$"
	if ! ip netns add "$probe" >/dev/null 2>&1; then
		skip "ip netns unavailable here (cannot create a network namespace)"
	fi
	ip netns del "$probe" >/dev/null 2>&1 || true
	local t
	for t in ethtool "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed (scripts/setup installs it)"
	done
	interop_require_binary
	# One topology at a time on this machine (other interop tests, scripts/demo).
	local lockdir=/run/lock
	[ -d "$lockdir" ] || lockdir=/tmp
	exec 9>"$lockdir/wskstack-netns.lock"
	flock -w 600 9 || fail "waited 10 min for $lockdir/wskstack-netns.lock"
}

interop_require_binary() {
	[ -x "$WSKSTACKD" ] || fail "wskstackd not built or not executable: $WSKSTACKD"
	[ -r "$CONFIG" ] || fail "config not readable: $CONFIG"
}

# ---- topology -------------------------------------------------------------------------------
in_stack() { ip netns exec "$NS_STACK" "$@"; }
in_peer() { ip netns exec "$NS_PEER" "$@"; }

topology_up() {
	TOPOLOGY=1
	"$SRCROOT/scripts/netns-down" >/dev/null 2>&1 || true
	"$SRCROOT/scripts/netns-up" >"$WORK/netns-up.log" 2>&1 ||
		{ cat "$WORK/netns-up.log"; fail "scripts/netns-up failed"; }
	PEER_MAC=$(link_mac "$NS_PEER" "$PEER_IF")
	WSK0_MAC=$(link_mac "$NS_STACK" "$STACK_IF")
	say "topology: $NS_STACK/$STACK_IF $WSK0_MAC (stack $STACK_IP) <-> $NS_PEER/$PEER_IF $PEER_MAC ($PEER_IP)"
}

# link_mac NS IFACE: lower-case MAC of a kernel interface
link_mac() {
	ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# peer_snmp PROTO FIELD: a counter from the peer namespace's /proc/net/snmp (e.g. Ip ReasmOKs)
peer_snmp() {
	in_peer awk -v p="$1:" -v f="$2" '
		$1 == p && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == p && hdr { print $col[f]; exit }' /proc/net/snmp
}

# config_get SECTION KEY [DEFAULT]: a value from the INI profile the stack runs with
config_get() {
	local v
	v=$(awk -v sec="[$1]" -v key="$2" '
		{ sub(/[;#].*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
		/^\[/ { in_sec = ($0 == sec); next }
		in_sec && index($0, "=") {
			k = substr($0, 1, index($0, "=") - 1); gsub(/[ \t]+$/, "", k)
			if (k == key) { v = substr($0, index($0, "=") + 1); gsub(/^[ \t]+/, "", v); print v; exit }
		}' "$CONFIG")
	printf '%s\n' "${v:-${3:-}}"
}

# ---- the stack ------------------------------------------------------------------------------
# start_stack [ARGS...]: wskstackd -c CONFIG --duration N ARGS... in wsk-stack; waits for ready.
start_stack() {
	: >"$WORK/stack.out"
	: >"$WORK/stack.err"
	# `ip netns exec` execs the program, so $! is wskstackd itself. A background job of a
	# non-interactive shell starts with SIGINT ignored: give the stack the default disposition,
	# as a terminal user's Ctrl-C would find it.
	env --default-signal=INT ip netns exec "$NS_STACK" "$WSKSTACKD" -c "$CONFIG" --duration "$STACK_DURATION" "$@" \
		>"$WORK/stack.out" 2>"$WORK/stack.err" 9>&- &
	STACK_PID=$!
	STACK_RC=""
	say "started: wskstackd -c $CONFIG --duration $STACK_DURATION${*:+ $*} (pid $STACK_PID)"
	local deadline=$((SECONDS + READY_TIMEOUT))
	until grep -q '^wskstackd: ready' "$WORK/stack.out"; do
		if ! kill -0 "$STACK_PID" 2>/dev/null; then
			local rc=0
			wait "$STACK_PID" || rc=$?
			STACK_PID=""
			fail "wskstackd exited with status $rc before printing 'wskstackd: ready'"
		fi
		[ "$SECONDS" -lt "$deadline" ] || fail "wskstackd did not print 'wskstackd: ready' within ${READY_TIMEOUT} s"
		sleep 0.1
	done
	ok "wskstackd ready ($((READY_TIMEOUT - deadline + SECONDS)) s)"
}

# stop_stack [INT|TERM]: signal, wait, require exit status 0, a summary line and pools=clean.
# Afterwards SUM[key] holds the summary counters (rx_frames, tx_frames, drops, arp_rx, ...).
stop_stack() {
	local sig=${1:-INT}
	[ -n "$STACK_PID" ] || fail "stop_stack: no stack running"
	kill -s "$sig" "$STACK_PID" 2>/dev/null || true
	local deadline=$((SECONDS + STOP_TIMEOUT))
	while kill -0 "$STACK_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill -KILL "$STACK_PID" 2>/dev/null || true
			wait "$STACK_PID" 2>/dev/null || true
			STACK_PID=""
			fail "wskstackd still running ${STOP_TIMEOUT} s after SIG$sig (killed)"
		fi
		sleep 0.1
	done
	local rc=0
	wait "$STACK_PID" || rc=$?
	STACK_PID=""
	STACK_RC=$rc
	local line
	line=$(grep '^wskstackd: summary ' "$WORK/stack.out" | tail -n 1 || true)
	[ -n "$line" ] || fail "wskstackd (exit status $rc) printed no 'wskstackd: summary' line"
	say "$line"
	SUM=()
	local kv
	for kv in ${line#wskstackd: summary }; do
		[[ "$kv" == *=* ]] && SUM[${kv%%=*}]=${kv#*=}
	done
	check_eq "stack summary pools (every mempool back to zero in use)" "${SUM[pools]:-missing}" clean
	check_eq "wskstackd exit status after SIG$sig" "$rc" 0
}

# sum_get KEY: a counter from the last summary line ('' if absent)
sum_get() { printf '%s\n' "${SUM[$1]:-}"; }

# ---- peer-side tools ------------------------------------------------------------------------
# ping_check SIZE COUNT: ping the stack from the peer; asserts zero loss and right-sized,
# intact, non-duplicate replies. Sets PING_TX PING_RX PING_RTT (min/avg/max ms).
ping_check() {
	local size=$1 count=$2 out="$WORK/ping-$1.txt"
	in_peer timeout $((count + 15)) ping -n -c "$count" -i 0.2 -W 2 -s "$size" "$STACK_IP" >"$out" 2>&1 || true
	PING_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$out")
	PING_RX=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$out")
	PING_RTT=$(sed -n 's/^rtt min\/avg\/max\/mdev = \([0-9.]*\/[0-9.]*\/[0-9.]*\)\/.*/\1/p' "$out")
	local sized bad
	sized=$(grep -c "^$((size + 8)) bytes from $STACK_IP: icmp_seq=" "$out" || true)
	bad=$(grep -cE 'DUP!|wrong data|truncated|[Uu]nreachable|Redirect' "$out" || true)
	if [ "${PING_RX:-0}" != "$count" ] || [ "$sized" != "$count" ] || [ "$bad" != 0 ]; then
		cat "$out"
	fi
	check_eq "ping -s $size: requests sent" "${PING_TX:-?}" "$count"
	check_eq "ping -s $size: replies received (zero loss)" "${PING_RX:-?}" "$count"
	check_eq "ping -s $size: replies of $((size + 8)) bytes from $STACK_IP" "$sized" "$count"
	check_eq "ping -s $size: duplicate/corrupt/error lines" "$bad" 0
	say "ping -s $size: rtt min/avg/max ${PING_RTT:-?} ms"
}

# udp_echo_batch SIZE COUNT [PORT]: COUNT datagrams of SIZE random bytes to STACK_IP:PORT in one
# socat run (-b SIZE: one read of the input file = one datagram), replies written in order;
# asserts the bytes that came back are identical.
udp_echo_batch() {
	local size=$1 count=$2 port=${3:-7}
	local in="$WORK/udp-$size.in" out="$WORK/udp-$size.out" err="$WORK/udp-$size.err"
	head -c $((size * count)) /dev/urandom >"$in"
	in_peer timeout 30 socat -b "$size" -t 1 -T 10 STDIO "UDP4:$STACK_IP:$port" <"$in" >"$out" 2>"$err" || true
	local got
	got=$(stat -c %s "$out")
	if [ "$got" -ne $((size * count)) ] || ! cmp -s "$in" "$out"; then
		cat "$err"
		fail "udp echo: $count x $size bytes to :$port: got $got bytes back, want $((size * count)) identical bytes"
	fi
	ok "udp echo: $count datagrams x $size bytes to :$port came back identical"
}

# telemetry CMD...: run the commands through dpdk-telemetry.py against the stack's file prefix;
# prints one JSON object per command.
telemetry() {
	local prefix
	prefix=$(config_get eal file_prefix wskstack)
	printf '%s\n' "$@" | timeout 20 "$PY" "$TELEMETRY_PY" -f "$prefix"
}

# telemetry_json CMD FILE: the value of one command, as JSON, into FILE (fails the test if none)
telemetry_json() {
	local raw="$WORK/telemetry-raw$(echo "$1" | tr '/' '_').txt"
	telemetry "$1" >"$raw" 2>&1 || true
	if ! "$PY" - "$1" "$raw" >"$2" <<'PY'; then
import json, sys
cmd, path = sys.argv[1], sys.argv[2]
cmd = cmd.split(",")[0]  # the answer is keyed by the command without its parameter
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    obj = json.loads(line)
    if cmd in obj:
        print(json.dumps(obj[cmd]))
        sys.exit(0)
sys.exit(1)
PY
		cat "$raw"
		fail "telemetry $1: no JSON answer (dpdk-telemetry.py -f $(config_get eal file_prefix wskstack))"
	fi
}

# py [ARGS...] <<'PY' ... PY: run a Python check (script on stdin) with a small prelude:
# as_list() turns a JSON list of entries, or a dict of entries keyed by index or name (DPDK 22.11
# telemetry cannot put dicts in an array, only in a dict), into a list of dicts, each with its
# key as "_key"; mac() normalises a MAC address. A non-zero exit fails the calling test.
PY_PRELUDE='
import json, sys
def as_list(v):
    if isinstance(v, list):
        return [e for e in v if isinstance(e, dict)]
    if isinstance(v, dict):
        if v and all(isinstance(e, dict) for e in v.values()):
            return [dict(e, _key=k) for k, e in v.items()]
        for e in v.values():
            if isinstance(e, list):
                return [x for x in e if isinstance(x, dict)]
    return []
def mac(s):
    return str(s).strip().lower()
'
py() { "$PY" -c "$PY_PRELUDE$(cat)" "$@"; }

# bg_start NAME CMD...: a helper process in the background, stopped at exit if still running
bg_start() {
	local name=$1; shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" 9>&- &
	BG_PIDS+=($!)
	LAST_BG=$!
}

# ---- teardown -------------------------------------------------------------------------------
interop_cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
		kill -TERM "$STACK_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$STACK_PID" 2>/dev/null
		wait "$STACK_PID" 2>/dev/null
	fi
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		if [ -s "$WORK/stack.out" ] || [ -s "$WORK/stack.err" ]; then
			echo "---- wskstackd stdout (last 40 lines) ----"
			tail -n 40 "$WORK/stack.out" 2>/dev/null
			echo "---- wskstackd stderr (last 60 lines) ----"
			tail -n 60 "$WORK/stack.err" 2>/dev/null
			echo "------------------------------------------"
		fi
	fi
	if [ "$TOPOLOGY" -eq 1 ]; then
		"$SRCROOT/scripts/netns-down" >/dev/null 2>&1
	fi
	# A test with a topology of its own removes it here.
	if declare -F interop_extra_cleanup >/dev/null; then
		interop_extra_cleanup
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || [ "${WSK_INTEROP_KEEP:-0}" = 1 ]; then
		echo "$TEST_NAME: work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap interop_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- TCP helpers (tcp_*.sh) -----------------------------------------------------------------
# peer_tcp_states PORT: the state of every peer TCP socket to STACK_IP:PORT, one per line, as
# `ss -tan` names them (ESTAB, TIME-WAIT, CLOSE-WAIT, FIN-WAIT-2, ...).
peer_tcp_states() {
	in_peer ss -Htan state all dst "$STACK_IP" dport = ":$1" | awk '{ print $1 }'
}

# peer_tcp_state_count PORT STATE: how many peer sockets to STACK_IP:PORT are in STATE
peer_tcp_state_count() {
	peer_tcp_states "$1" | grep -cx -- "$2" || true
}

# stack_counter NAME: one counter of /wskstack/stats (or of /wskstack/drops if NAME is a drop
# reason), read now through telemetry.
stack_counter() {
	telemetry_json /wskstack/stats "$WORK/counter.json"
	if ! "$PY" -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1])) else 1)' \
		"$WORK/counter.json" "$1"; then
		telemetry_json /wskstack/drops "$WORK/counter.json"
	fi
	"$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' \
		"$WORK/counter.json" "$1"
}

# tcp_probe SPORT DPORT FLAGS SEQ ACK: send one bare TCP segment (no options, no payload) from
# PEER_IP:SPORT to STACK_IP:DPORT through a raw socket in wsk-peer, bypassing the peer's kernel
# TCP, and print the first answer from STACK_IP:DPORT to that port within 1 s, as
# "FLAGS seq=N ack=N" (FLAGS in the order FSRPAU, e.g. "R", "RA", "A"), or "none". FLAGS of
# the probe use the same letters; SEQ and ACK are decimal.
tcp_probe() {
	in_peer "$PY" - "$PEER_IP" "$STACK_IP" "$@" <<'PY'
import socket, struct, sys, time
src, dst, sport, dport, flags, seq, ack = sys.argv[1:8]
sport, dport, seq, ack = int(sport), int(dport), int(seq) & 0xffffffff, int(ack) & 0xffffffff
bits = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}
fl = sum(bits[c] for c in flags)
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, fl, 65535, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
rx.settimeout(0.2)
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
tx.sendto(hdr, (dst, 0))
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
    try:
        pkt, addr = rx.recvfrom(65535)
    except socket.timeout:
        continue
    ihl = (pkt[0] & 0x0f) * 4
    sp, dp, rseq, rack, _, rfl = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
    if addr[0] != dst or sp != dport or dp != sport:
        continue
    print("%s seq=%d ack=%d" % ("".join(c for c in "FSRPAU" if rfl & bits[c]), rseq, rack))
    sys.exit(0)
print("none")
PY
}

# stack_stderr_clean: after stop_stack, fail if wskstackd's stderr has a sanitizer report (ASan,
# LeakSanitizer, UBSan "runtime error:"), which without halt_on_error does not change its exit
# status.
stack_stderr_clean() {
	local hits
	hits=$(grep -cE 'runtime error:|ERROR: (Address|Leak|Thread|Memory)Sanitizer|SUMMARY: [A-Za-z]*Sanitizer' \
		"$WORK/stack.err" || true)
	if [ "$hits" != 0 ]; then
		grep -E -A5 'runtime error:|Sanitizer' "$WORK/stack.err" | head -n 40
		fail "wskstackd stderr: $hits sanitizer report lines"
	fi
	ok "wskstackd stderr: no sanitizer report"
}
