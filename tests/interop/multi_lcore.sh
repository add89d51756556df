#!/usr/bin/env bash
# interop/multi_lcore: the default topology with two stack lcores (the default profile with
# lcores = 0-1): net_af_packet gets two queue pairs and the kernel's fanout hash spreads flows
# over them, one stack instance per queue. Asserts: ping works; 16 UDP flows (distinct source
# ports) each get their echo back byte-identical; both instances received UDP (the flows were
# spread) and both could answer, whichever of them saw the ARP exchange (ARP facts are
# replicated between instances); clean stop with every mempool back to zero in use.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ping socat
sed -e 's/^lcores *=.*/lcores = 0-1/' "$SRCROOT/config/default.ini" >"$WORK/two-lcores.ini"
CONFIG=$WORK/two-lcores.ini
topology_up
start_stack --udp-echo 7
grep -q 'queues 2' "$WORK/stack.out" || fail "port0 did not get two queues: $(grep port0 "$WORK/stack.out")"
ok "port0 has two queue pairs"

ping_check 56 5
for flow in $(seq 16); do
	udp_echo_batch $((100 + flow)) 2
done

for i in 0 1; do
	telemetry_json "/wskstack/stats,$i" "$WORK/stats$i.json"
done
py "$WORK/stats0.json" "$WORK/stats1.json" <<'PY' || fail "both instances carried UDP flows"
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print("instance 0: udp_rx=%d udp_tx=%d; instance 1: udp_rx=%d udp_tx=%d"
      % (a["udp_rx"], a["udp_tx"], b["udp_rx"], b["udp_tx"]))
sys.exit(0 if a["udp_rx"] > 0 and b["udp_rx"] > 0 and a["udp_rx"] + b["udp_rx"] == 32
         and a["udp_tx"] == a["udp_rx"] and b["udp_tx"] == b["udp_rx"] else 1)
PY
ok "both instances received and answered UDP"

stop_stack INT
check_ge "stack summary udp_tx" "$(sum_get udp_tx)" 32
finish
