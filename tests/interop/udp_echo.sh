#!/usr/bin/env bash
# interop/udp_echo: the stack runs `--udp-echo 7`; socat in wsk-peer (a Linux UDP socket) sends
# 100 datagrams of random bytes: 10 each of 1, 32, 100, 512, 1024, 1400, 1472 (largest
# unfragmented), 1473 (smallest fragmented), 2000 and 3000 bytes. Asserts: every byte comes back
# identical and in order; a datagram to a closed port (9) is answered with ICMP port unreachable
# (socat reports "Connection refused" and the peer's Icmp InDestUnreachs grows); the stack counted
# >= 100 UDP datagrams in and >= 100 out; clean stop.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require socat
topology_up
start_stack --udp-echo 7

total=0
for size in 1 32 100 512 1024 1400 1472 1473 2000 3000; do
	udp_echo_batch "$size" 10 7
	total=$((total + 10))
done
check_eq "datagrams echoed intact" "$total" 100

unreach_before=$(peer_snmp Icmp InDestUnreachs)
rc=0
echo "to a closed port" | in_peer timeout 15 socat -t 3 - "UDP4:$STACK_IP:9" >"$WORK/closed.out" 2>"$WORK/closed.err" || rc=$?
unreach_after=$(peer_snmp Icmp InDestUnreachs)
say "socat to closed port 9: exit $rc, stderr: $(tr '\n' ' ' <"$WORK/closed.err")"
grep -q "Connection refused" "$WORK/closed.err" ||
	fail "datagram to closed port 9: socat did not report 'Connection refused' (exit $rc)"
ok "datagram to closed port 9: socat reports Connection refused"
check_ge "peer Icmp InDestUnreachs delta (port unreachable from the stack)" $((unreach_after - unreach_before)) 1
check_eq "bytes echoed from the closed port" "$(stat -c %s "$WORK/closed.out")" 0

stop_stack INT
check_ge "stack summary udp_rx" "$(sum_get udp_rx)" 100
check_ge "stack summary udp_tx" "$(sum_get udp_tx)" 100
finish
