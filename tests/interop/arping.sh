#!/usr/bin/env bash
# interop/arping: ARP between the Linux kernel's tools and the stack.
# Asserts: before the stack starts nobody answers ARP for 198.18.0.1 (the kernel in wsk-stack is
# silent); the stack sends a gratuitous ARP at start (seen in a capture on wsk1: sender and
# target IP 198.18.0.1, broadcast, sender MAC = the stack's MAC); `arping -c 3 -I wsk1
# 198.18.0.1` gets 3 replies, all carrying the stack's MAC (as /wskstack/ports reports it for
# port0, or wsk0's MAC if telemetry does not answer); the stack counted >= 3 ARP frames received;
# clean stop.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require arping tshark
topology_up

# Nobody home yet: the kernel in wsk-stack has no address on wsk0 and must not answer.
in_peer timeout 10 arping -c 1 -w 1 -I "$PEER_IF" "$STACK_IP" >"$WORK/arping-before.txt" 2>&1 || true
before=$(grep -c "reply from $STACK_IP" "$WORK/arping-before.txt" || true)
check_eq "ARP replies for $STACK_IP before the stack starts" "$before" 0

# Capture ARP on the peer side from before the stack starts, to see its gratuitous ARP.
bg_start capture ip netns exec "$NS_PEER" tshark -n -q -i "$PEER_IF" -f arp -w "$WORK/peer-arp.pcapng"
CAPTURE_PID=$LAST_BG
for _ in $(seq 100); do
	grep -q "Capturing on" "$WORK/capture.err" && break
	kill -0 "$CAPTURE_PID" 2>/dev/null || { cat "$WORK/capture.err"; fail "tshark capture on $PEER_IF did not start"; }
	sleep 0.1
done
grep -q "Capturing on" "$WORK/capture.err" || fail "tshark capture on $PEER_IF not running after 10 s"

start_stack
sleep 1

# The stack's MAC, as the stack reports it; the af_packet port takes wsk0's MAC unless the
# profile sets [port0] mac.
stack_mac=""
if telemetry_json /wskstack/ports "$WORK/ports.json" 2>/dev/null; then
	stack_mac=$(py "$WORK/ports.json" <<'PY'
ports = as_list(json.load(open(sys.argv[1])))
print(mac(ports[0].get("mac", "")) if ports else "")
PY
)
fi
if [ -z "$stack_mac" ]; then
	stack_mac=$WSK0_MAC
	say "telemetry gave no port MAC; using wsk0's MAC $stack_mac"
fi
say "stack MAC: $stack_mac"

in_peer timeout 20 arping -c 3 -I "$PEER_IF" "$STACK_IP" >"$WORK/arping.txt" 2>&1 || true
cat "$WORK/arping.txt"
replies=$(grep -ci "reply from $STACK_IP \[" "$WORK/arping.txt" || true)
check_eq "arping -c 3 -I $PEER_IF $STACK_IP: replies" "$replies" 3
macs=$(sed -n "s/.*[Rr]eply from $STACK_IP \[\([0-9A-Fa-f:]*\)\].*/\1/p" "$WORK/arping.txt" | tr 'A-F' 'a-f' | sort -u)
check_eq "MAC in every ARP reply" "$macs" "$stack_mac"
check_eq "arping summary" "$(grep -o 'Received [0-9]* response' "$WORK/arping.txt" || true)" "Received 3 response"

kill -TERM "$CAPTURE_PID" 2>/dev/null || true
wait "$CAPTURE_PID" 2>/dev/null || true
garp=$(tshark -n -r "$WORK/peer-arp.pcapng" \
	-Y "arp.src.proto_ipv4 == $STACK_IP && arp.dst.proto_ipv4 == $STACK_IP" \
	-T fields -E separator=' ' -e eth.src -e eth.dst -e arp.opcode -e arp.src.hw_mac 2>/dev/null | sort -u)
say "gratuitous ARP frames seen on $PEER_IF: ${garp:-none}"
[ -n "$garp" ] || fail "no gratuitous ARP (sender = target = $STACK_IP) from the stack seen on $PEER_IF"
while read -r esrc edst op smac; do
	check_eq "gratuitous ARP (opcode $op) Ethernet source" "$esrc" "$stack_mac"
	check_eq "gratuitous ARP (opcode $op) Ethernet destination" "$edst" ff:ff:ff:ff:ff:ff
	check_eq "gratuitous ARP (opcode $op) sender MAC" "$smac" "$stack_mac"
done <<<"$garp"

stop_stack INT
check_ge "stack summary arp_rx" "$(sum_get arp_rx)" 3
finish
