#!/usr/bin/env bash
# interop/tap: the stack on a net_tap port (config/tap.ini) in namespace wsk-tap, where the Linux
# kernel holds the other side of the tap (wsktap0, 198.18.2.2/24). Unlike net_af_packet, a tap
# delivers fragments as they are on the wire, so this exercises the stack's own reassembly
# against Linux. Asserts: ping 56, 1472 and 4000 bytes with zero loss and right sizes; the stack
# reassembled the 4000-byte requests itself (ipv4_frags_rx >= 15, ipv4_reassembled >= 5) and the
# kernel reassembled its fragmented replies; UDP echo of 1, 1472, 1473 and 3000-byte datagrams
# byte-identical; the stack answers with its own MAC, not the tap device's (kernel side) MAC;
# clean stop with every mempool back to zero in use.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

CONFIG=$SRCROOT/config/tap.ini
NS_STACK=wsk-tap
NS_PEER=wsk-tap
STACK_IP=198.18.2.1
TAP_IF=wsktap0

interop_extra_cleanup() { ip netns del "$NS_STACK" 2>/dev/null || true; }

interop_require ping socat
ip netns del "$NS_STACK" 2>/dev/null || true
ip netns add "$NS_STACK"
ip -n "$NS_STACK" link set lo up
start_stack --udp-echo 7
# The PMD created wsktap0 when the stack started: give the kernel side its address.
in_peer sysctl -qw "net.ipv6.conf.$TAP_IF.disable_ipv6=1"
ip -n "$NS_STACK" addr add 198.18.2.2/24 dev "$TAP_IF"
ip -n "$NS_STACK" link set "$TAP_IF" up
ok "kernel side $TAP_IF up with 198.18.2.2/24"

reasm_before=$(peer_snmp Ip ReasmOKs)
for size in 56 1472 4000; do
	ping_check "$size" 5
done
check_ge "kernel reassembled the stack's fragmented replies (Ip ReasmOKs delta)" \
	$(($(peer_snmp Ip ReasmOKs) - reasm_before)) 5
for size in 1 1472 1473 3000; do
	udp_echo_batch "$size" 5
done

telemetry_json /wskstack/stats "$WORK/stats.json"
py "$WORK/stats.json" <<'PY' || fail "stack counters show its own reassembly"
s = json.load(open(sys.argv[1]))
print("stack: ipv4_frags_rx=%d ipv4_reassembled=%d" % (s["ipv4_frags_rx"], s["ipv4_reassembled"]))
# 5 pings of 4000 bytes (3 fragments each), 5 datagrams of 1473 (2) and 5 of 3000 (3)
sys.exit(0 if s["ipv4_frags_rx"] >= 15 + 10 + 15 and s["ipv4_reassembled"] >= 15 else 1)
PY
ok "stack reassembled the fragmented pings and datagrams itself"

tap_mac=$(link_mac "$NS_STACK" "$TAP_IF")
stack_mac=$(in_peer ip neigh show "$STACK_IP" dev "$TAP_IF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
[ -n "$stack_mac" ] && [ "$stack_mac" != "$tap_mac" ] ||
	fail "stack MAC '$stack_mac' must be known to the kernel and differ from the tap's '$tap_mac'"
ok "the kernel reaches the stack at $stack_mac (tap device: $tap_mac)"

stop_stack INT
check_ge "stack summary icmp_echo_replies" "$(sum_get icmp_echo_replies)" 15
check_ge "stack summary udp_rx" "$(sum_get udp_rx)" 20
finish
