#!/usr/bin/env bash
# interop/ping: the Linux kernel in wsk-peer pings the stack (198.18.0.1) with 56-, 1472- and
# 4000-byte payloads, 5 each at 0.2 s intervals. Asserts: zero loss; every reply is
# payload+8 bytes, from 198.18.0.1, not duplicated, data intact; the 4000-byte replies reached
# the peer as fragments (its Ip ReasmOKs grew by >= 5: the requests were fragmented by the
# kernel, so the stack reassembled them too); the stack counted >= 15 echo replies; the stack
# stops cleanly on SIGINT with every mempool back to zero in use.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ping
topology_up
start_stack

reasm_before=$(peer_snmp Ip ReasmOKs)
for size in 56 1472 4000; do
	ping_check "$size" 5
done
reasm_after=$(peer_snmp Ip ReasmOKs)
check_ge "peer reassembled fragmented echo replies (Ip ReasmOKs delta)" $((reasm_after - reasm_before)) 5

stop_stack INT
check_ge "stack summary icmp_echo_replies" "$(sum_get icmp_echo_replies)" 15
check_ge "stack summary rx_frames (3 x 5 requests, 4000-byte ones in 3 fragments)" "$(sum_get rx_frames)" 25
check_ge "stack summary tx_frames" "$(sum_get tx_frames)" 25
finish
