#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_pcap replay: a capture this test makes is replayed through the stack
# (config/pcap-replay.ini with the paths moved to a scratch directory), and
# what the stack sent (out.pcap) is checked frame by frame.
#   test_replay.sh WSKSTACKD SOURCE_ROOT
set -euo pipefail
daemon=$1 root=$2
dir=$(mktemp -d /tmp/wskstack-replay-test.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mac=02:00:00:00:00:01

# The pcap PMD has no MAC of its own worth keeping: pin it in the profile.
sed -e "s|/tmp/wskstack-replay/|$dir/|g" \
    -e "s|^file_prefix *=.*|file_prefix = wskstack-replay-test|" \
    -e "s|^address *=\(.*\)|address =\1\nmac = $mac|" \
    "$root/config/pcap-replay.ini" > "$dir/replay.ini"
python3 "$root/tests/replay/replay.py" gen "$dir" "$mac"
"$daemon" -c "$dir/replay.ini" --udp-echo 7 --idle-exit 1500 --duration 30 > "$dir/out.txt" 2> "$dir/err.txt" || {
	echo "wskstackd failed:"; cat "$dir/out.txt" "$dir/err.txt"; exit 1; }
cat "$dir/out.txt"
grep -q "pools=clean" "$dir/out.txt" || { echo "FAIL: pools not clean"; exit 1; }
python3 "$root/tests/replay/replay.py" check "$dir" "$mac"
if command -v tshark >/dev/null; then
	bad=$(tshark -r "$dir/out.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-Y 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad"' 2>/dev/null | wc -l)
	[ "$bad" -eq 0 ] || { echo "FAIL: tshark found $bad frames with bad checksums"; exit 1; }
	echo "tshark: all checksums good"
else
	echo "SKIP: tshark not installed, checksums checked by replay.py only"
fi
