#!/usr/bin/env bash
# interop/capture_checksums: the stack runs with `--capture DIR` while the peer pings it (56 and
# 4000 bytes, 3 each) and sends UDP echo traffic (5 x 100 bytes, 3 x 3000 bytes). After a clean
# stop, DIR/port0.pcap is read with tshark 4.0 with IPv4 and UDP checksum validation on
# (-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE; ICMP checksums are always validated).
# Asserts: the capture has frames; no IPv4, ICMP or UDP checksum has status Bad, and every one
# present is Good (none unverified); it holds both directions (frames from and to 198.18.0.1,
# echo requests and replies, UDP to and from port 7); the stack sent its large replies as IPv4
# fragments; the large requests arrived (as fragments, or whole: DPDK 22.11's net_af_packet sets
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles before the stack sees them).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ping socat tshark
topology_up
capdir="$WORK/capture"
mkdir -p "$capdir"
start_stack --udp-echo 7 --capture "$capdir"

ping_check 56 3
ping_check 4000 3
udp_echo_batch 100 5 7
udp_echo_batch 3000 3 7
stop_stack INT

pcap="$capdir/port0.pcap"
[ -s "$pcap" ] || fail "no capture written: $pcap ($(ls -l "$capdir" 2>&1 | tr '\n' ' '))"
ok "capture written: $pcap ($(stat -c %s "$pcap") bytes)"

TS=(tshark -n -r "$pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE)
count() { "${TS[@]}" -Y "$1" -T fields -e frame.number 2>/dev/null | wc -l; }

frames=$(count "frame")
check_ge "frames in the capture" "$frames" 20

# Per frame, every occurrence of each checksum status (0 Bad, 1 Good, 2 Unverified, ...).
"${TS[@]}" -T fields -E occurrence=a -E aggregator=, -E separator=/t \
	-e frame.number -e ip.checksum.status -e icmp.checksum.status -e udp.checksum.status \
	>"$WORK/status.tsv" 2>"$WORK/tshark.err" || { cat "$WORK/tshark.err"; fail "tshark could not read $pcap"; }
read -r ip_good ip_other icmp_good icmp_other udp_good udp_other < <(awk -F'\t' '
	function tally(field, i,   n, v, k) {
		if (field == "") return
		n = split(field, v, ",")
		for (k = 1; k <= n; k++) if (v[k] == "1") good[i]++; else { other[i]++; bad = bad " frame " $1 ":" i "=" v[k] }
	}
	{ tally($2, 1); tally($3, 2); tally($4, 3) }
	END {
		printf "%d %d %d %d %d %d\n", good[1], other[1], good[2], other[2], good[3], other[3]
		if (bad != "") print "not Good:" bad > "/dev/stderr"
	}' "$WORK/status.tsv")
check_eq "IPv4 header checksums not Good" "$ip_other" 0
check_eq "ICMP checksums not Good" "$icmp_other" 0
check_eq "UDP checksums not Good" "$udp_other" 0
check_ge "IPv4 header checksums Good" "$ip_good" 20
check_ge "ICMP checksums Good" "$icmp_good" 12
check_ge "UDP checksums Good" "$udp_good" 16
check_eq "frames with a Bad checksum status" \
	"$(count 'ip.checksum.status == 0 || icmp.checksum.status == 0 || udp.checksum.status == 0')" 0

check_ge "frames sent by the stack (ip.src == $STACK_IP)" "$(count "ip.src == $STACK_IP")" 10
check_ge "frames received by the stack (ip.dst == $STACK_IP)" "$(count "ip.dst == $STACK_IP")" 10
check_ge "ICMP echo requests (to the stack)" "$(count "icmp.type == 8 && ip.dst == $STACK_IP")" 6
check_ge "ICMP echo replies (from the stack)" "$(count "icmp.type == 0 && ip.src == $STACK_IP")" 6
check_ge "UDP datagrams to port 7" "$(count "udp.dstport == 7 && ip.dst == $STACK_IP")" 8
check_ge "UDP datagrams from port 7" "$(count "udp.srcport == 7 && ip.src == $STACK_IP")" 8
rx_frags=$(count "ip.dst == $STACK_IP && (ip.flags.mf == 1 || ip.frag_offset > 0)")
rx_whole=$(count "ip.dst == $STACK_IP && ip.flags.mf == 0 && ip.frag_offset == 0 && ip.len > 1500")
say "large requests received: $rx_frags fragments, $rx_whole datagrams over 1500 bytes (reassembled by af_packet)"
check_ge "large requests received (4000-byte pings, 3000-byte UDP)" $((rx_whole + (rx_frags + 2) / 3)) 6
check_ge "IPv4 fragments sent (3 per 4000-byte reply / 3000-byte echo)" "$(count "ip.src == $STACK_IP && (ip.flags.mf == 1 || ip.frag_offset > 0)")" 18
check_eq "frames sent over 1514 bytes (MTU 1500)" "$(count "ip.src == $STACK_IP && frame.len > 1514")" 0
finish
