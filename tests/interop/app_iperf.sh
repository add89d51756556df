#!/usr/bin/env bash
# interop/app_iperf: apps/wskstack-iperf (the iperf3 control protocol over WSK) against Debian's
# stock iperf3 in wsk-peer. The stack runs `wskstack-iperf -s`; stock `iperf3 -c 198.18.0.1 -J`
# runs the default test, -R, -P 8, -n 100M and -l 16K: each exits 0 and its JSON shows
# sum_received bytes > 0 equal to what the server counted (or, with -R, sum_sent equal to what
# it sent). A second client during a test gets ACCESS_DENIED ("busy"), a UDP test is refused
# with SERVER_ERROR. Then the other way round: `iperf3 -s -1` in wsk-peer and
# `wskstack-iperf -C 198.18.0.2` on the stack (and -R) exit 0 with non-zero throughput. Every
# wskstack-iperf run ends with exit status 0 (sockets closed, IRPs back, pools clean).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
IPERF=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_IPERF}
SECS=${WSK_IPERF_SECS:-5}

interop_require iperf3
interop_require_binary
[ -x "$IPERF" ] || fail "wskstack-iperf not built: $IPERF"
topology_up

# ---- the stack serves ------------------------------------------------------------------------
: >"$WORK/stack.out"
: >"$WORK/stack.err"
env --default-signal=INT ip netns exec "$NS_STACK" "$IPERF" -c "$CONFIG" -s \
	>"$WORK/stack.out" 2>"$WORK/stack.err" 9>&- &
STACK_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '^wskstack-iperf: server listening' "$WORK/stack.out"; do
	kill -0 "$STACK_PID" 2>/dev/null || { rc=0; wait "$STACK_PID" || rc=$?; STACK_PID=""; \
		fail "wskstack-iperf -s exited with status $rc before it listened"; }
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-iperf -s not listening within ${READY_TIMEOUT} s"
	sleep 0.1
done
ok "wskstack-iperf -s listening"

TESTNO=0
# client_case NAME ARGS...: stock iperf3 -c against the stack; checks the JSON against the line
# the server printed for the test.
client_case() {
	local name=$1; shift
	TESTNO=$((TESTNO + 1))
	local out="$WORK/iperf-$name.json" rc=0
	in_peer timeout 60 iperf3 -c "$STACK_IP" -J "$@" >"$out" 2>"$WORK/iperf-$name.err" || rc=$?
	[ "$rc" = 0 ] || { head -c 3000 "$out"; cat "$WORK/iperf-$name.err"; \
		fail "iperf3 -c $STACK_IP $*: exit status $rc"; }
	local line deadline=$((SECONDS + 10))
	until line=$(grep "^wskstack-iperf: test $TESTNO done:" "$WORK/stack.out"); do
		[ "$SECONDS" -lt "$deadline" ] || fail "server printed no 'test $TESTNO done' line"
		sleep 0.1
	done
	"$PY" - "$out" "$line" "$*" <<'PY' || fail "iperf3 $*: JSON does not match the server"
import json, re, sys
j = json.load(open(sys.argv[1]))
line, args = sys.argv[2], sys.argv[3]
srv = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
end = j["end"]
sent, rcvd = end["sum_sent"], end["sum_received"]
rev = j["start"]["test_start"]["reverse"] == 1
print("iperf3 %-12s sender %.3f Gbit/s (%d bytes)  receiver %.3f Gbit/s (%d bytes)  server: %s" % (
    args, sent["bits_per_second"] / 1e9, sent["bytes"], rcvd["bits_per_second"] / 1e9,
    rcvd["bytes"], " ".join("%s=%s" % (k, srv[k]) for k in ("streams", "received_bytes", "sent_bytes", "gbps") if k in srv)))
ok = rcvd["bytes"] > 0 and sent["bytes"] > 0
if rev:
    ok = ok and int(srv["sent_bytes"]) == sent["bytes"] and rcvd["bytes"] <= sent["bytes"]
else:
    ok = ok and int(srv["received_bytes"]) == rcvd["bytes"] and rcvd["bytes"] <= sent["bytes"]
m = re.search(r"-P (\d+)", args)
ok = ok and int(srv["streams"]) == (int(m.group(1)) if m else 1) == len(end["streams"])
ok = ok and srv.get("client_done") == "1"
sys.exit(0 if ok else 1)
PY
	ok "iperf3 -c $STACK_IP $*: exit 0, sum_received > 0 and equal to what the server counted"
}

client_case default -t "$SECS"
client_case reverse -t "$SECS" -R

# -P 8, and a second client during it meets ACCESS_DENIED.
TESTNO=$((TESTNO + 1))
in_peer timeout 60 iperf3 -c "$STACK_IP" -J -t "$SECS" -P 8 >"$WORK/iperf-p8.json" 2>&1 &
P8=$!
sleep 2
rc=0
in_peer timeout 20 iperf3 -c "$STACK_IP" -t 1 >"$WORK/iperf-busy.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "busy" "$WORK/iperf-busy.out" ||
	{ cat "$WORK/iperf-busy.out"; fail "a second client during a test: want 'server is busy', got exit $rc"; }
ok "second client during a test: $(grep -o 'error - .*' "$WORK/iperf-busy.out")"
rc=0
wait "$P8" || rc=$?
[ "$rc" = 0 ] || { head -c 2000 "$WORK/iperf-p8.json"; fail "iperf3 -P 8: exit status $rc"; }
line=$(grep "^wskstack-iperf: test $TESTNO done:" "$WORK/stack.out") || fail "no server line for -P 8"
"$PY" - "$WORK/iperf-p8.json" "$line" <<'PY' || fail "iperf3 -P 8: JSON does not match the server"
import json, sys
j = json.load(open(sys.argv[1])); srv = dict(kv.split("=", 1) for kv in sys.argv[2].split() if "=" in kv)
s, r = j["end"]["sum_sent"], j["end"]["sum_received"]
print("iperf3 -P 8         sender %.3f Gbit/s  receiver %.3f Gbit/s (%d bytes; server counted %s)" % (
    s["bits_per_second"] / 1e9, r["bits_per_second"] / 1e9, r["bytes"], srv["received_bytes"]))
sys.exit(0 if r["bytes"] > 0 and int(srv["received_bytes"]) == r["bytes"] and srv["streams"] == "8"
         and len(j["end"]["streams"]) == 8 else 1)
PY
ok "iperf3 -P 8: exit 0, 8 streams, sum_received equal to what the server counted"

client_case bytes -n 100M
client_case len16k -t "$SECS" -l 16K

rc=0
in_peer timeout 20 iperf3 -c "$STACK_IP" -u -t 1 >"$WORK/iperf-udp.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "not implemented" "$WORK/iperf-udp.out" ||
	{ cat "$WORK/iperf-udp.out"; fail "iperf3 -u: want a clean refusal, got exit $rc"; }
ok "iperf3 -u refused: $(grep -o 'error - .*' "$WORK/iperf-udp.out")"

kill -s INT "$STACK_PID"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$STACK_PID" 2>/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-iperf -s still running ${STOP_TIMEOUT} s after SIGINT"
	sleep 0.1
done
rc=0
wait "$STACK_PID" || rc=$?
STACK_PID=""
say "$(grep '^wskstack-iperf: summary' "$WORK/stack.out" | tail -n 1)"
check_eq "wskstack-iperf -s exit status after SIGINT" "$rc" 0
stack_stderr_clean

# ---- the stack is the client -----------------------------------------------------------------
# stack_client NAME ARGS...: iperf3 -s -1 in wsk-peer, wskstack-iperf -C on the stack.
stack_client() {
	local name=$1; shift
	in_peer timeout 60 iperf3 -s -1 -B "$PEER_IP" >"$WORK/peer-$name.out" 2>&1 &
	local srv=$!
	BG_PIDS+=("$srv")
	sleep 0.5
	local rc=0
	ip netns exec "$NS_STACK" timeout 90 "$IPERF" -c "$CONFIG" -C "$PEER_IP" "$@" \
		>"$WORK/client-$name.out" 2>"$WORK/client-$name.err" 9>&- || rc=$?
	local sum
	sum=$(grep '^wskstack-iperf: summary' "$WORK/client-$name.out" || true)
	if [ "$rc" != 0 ] || [ -z "$sum" ]; then
		tail -n 20 "$WORK/client-$name.out" "$WORK/client-$name.err" "$WORK/peer-$name.out"
		fail "wskstack-iperf -C $PEER_IP $*: exit status $rc"
	fi
	wait "$srv" || fail "iperf3 -s -1 in wsk-peer failed for wskstack-iperf $*"
	say "$(grep -E 'sender$|receiver$' "$WORK/client-$name.out" | tr -s ' ' | paste -sd ';')"
	say "$sum"
	local s r
	s=$(sed -n 's/.* sent_bytes=\([0-9]*\).*/\1/p' <<<"$sum")
	r=$(sed -n 's/.* received_bytes=\([0-9]*\).*/\1/p' <<<"$sum")
	check_ge "wskstack-iperf -C $*: bytes the receiver got" "${r:-0}" 1
	check_ge "wskstack-iperf -C $*: bytes the sender sent" "${s:-0}" "${r:-1}"
	stack_stderr_clean_file "$WORK/client-$name.err"
}

stack_stderr_clean_file() {
	if grep -qE 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$1"; then
		head -n 40 "$1"; fail "sanitizer report in $1"
	fi
}

stack_client send -t "$SECS"
stack_client reverse -t "$SECS" -R
finish
