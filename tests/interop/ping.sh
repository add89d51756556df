#!/usr/bin/env bash
# interop/ping: the Linux kernel in wsk-peer pings the stack (198.18.0.1) with 56-, 1472- and
# 4000-byte payloads, 5 each at 0.2 s intervals. Asserts: zero loss; every reply is
# payload+8 bytes, from 198.18.0.1, not duplicated, data intact; the 4000-byte exchanges were
# fragmented both ways on the wire: the peer fragmented its requests (Ip FragCreates grew by
# >= 15) and reassembled the stack's replies (Ip ReasmOKs grew by >= 5); the stack counted >= 15
# echo replies; the stack stops cleanly on SIGINT with every mempool back to zero in use.
# Note: DPDK 22.11's net_af_packet joins a PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG, so
# the kernel in wsk-stack reassembles fragments before the stack sees them: here the stack
# receives each 4000-byte request whole (its own reassembly is covered by the pkt suite).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ping
topology_up
start_stack

reasm_before=$(peer_snmp Ip ReasmOKs)
frag_before=$(peer_snmp Ip FragCreates)
for size in 56 1472 4000; do
	ping_check "$size" 5
done
reasm_after=$(peer_snmp Ip ReasmOKs)
frag_after=$(peer_snmp Ip FragCreates)
check_ge "peer fragmented its 4000-byte requests (Ip FragCreates delta)" $((frag_after - frag_before)) 15
check_ge "peer reassembled the stack's fragmented replies (Ip ReasmOKs delta)" $((reasm_after - reasm_before)) 5

stop_stack INT
check_ge "stack summary icmp_echo_replies" "$(sum_get icmp_echo_replies)" 15
check_ge "stack summary rx_frames (15 requests)" "$(sum_get rx_frames)" 15
check_ge "stack summary tx_frames (15 replies, 4000-byte ones in 3 fragments)" "$(sum_get tx_frames)" 25
finish
