#!/usr/bin/env bash
# interop/telemetry: after the peer pings the stack, Debian's dpdk-telemetry.py (-f the profile's
# file_prefix, commands piped on stdin) reads the stack. Asserts: "/" lists /wskstack/stats,
# /wskstack/drops, /wskstack/arp and /wskstack/ports; stats has rx_frames > 0 and tx_frames > 0
# (numbers); drops maps reasons to non-negative integers; arp has 198.18.0.2 with wsk1's MAC and a
# state; ports lists port0 (first entry) with mtu 1500, an af_packet driver, a MAC equal to wsk0's
# (or to [port0] mac in the profile) and caps. Stops the stack with SIGTERM (clean exit).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

interop_require ping
[ -f "$TELEMETRY_PY" ] || skip "dpdk-telemetry.py not installed (package dpdk)"
topology_up
start_stack
ping_check 56 3

telemetry_json / "$WORK/root.json"
py "$WORK/root.json" <<'PY' || fail "telemetry / does not list the four /wskstack commands"
cmds = json.load(open(sys.argv[1]))
want = ["/wskstack/stats", "/wskstack/drops", "/wskstack/arp", "/wskstack/ports"]
missing = [c for c in want if c not in cmds]
print("telemetry /: wskstack commands:", sorted(c for c in cmds if c.startswith("/wskstack")))
sys.exit(1 if missing else 0)
PY
ok "telemetry / lists /wskstack/stats, /wskstack/drops, /wskstack/arp, /wskstack/ports"

telemetry_json /wskstack/stats "$WORK/stats.json"
py "$WORK/stats.json" <<'PY' || fail "/wskstack/stats: want rx_frames > 0 and tx_frames > 0"
s = json.load(open(sys.argv[1]))
print("telemetry /wskstack/stats:", json.dumps(s, sort_keys=True))
ok = isinstance(s, dict) and all(isinstance(s.get(k), int) and s[k] > 0 for k in ("rx_frames", "tx_frames"))
sys.exit(0 if ok else 1)
PY
ok "/wskstack/stats: rx_frames > 0, tx_frames > 0"

telemetry_json /wskstack/drops "$WORK/drops.json"
py "$WORK/drops.json" <<'PY' || fail "/wskstack/drops: want a map of reason -> non-negative integer"
d = json.load(open(sys.argv[1]))
print("telemetry /wskstack/drops:", json.dumps(d, sort_keys=True))
ok = isinstance(d, dict) and len(d) > 0 and all(isinstance(v, int) and v >= 0 for v in d.values())
sys.exit(0 if ok else 1)
PY
ok "/wskstack/drops: reason -> count, all non-negative integers"

telemetry_json /wskstack/arp "$WORK/arp.json"
py "$WORK/arp.json" "$PEER_IP" "$PEER_MAC" <<'PY' || fail "/wskstack/arp: want $PEER_IP with MAC $PEER_MAC"
entries = as_list(json.load(open(sys.argv[1])))
print("telemetry /wskstack/arp:", json.dumps(entries, sort_keys=True))
hit = [e for e in entries if str(e.get("ip", str(e.get("_key")).replace("_", "."))) == sys.argv[2]]
ok = len(hit) == 1 and mac(hit[0].get("mac")) == mac(sys.argv[3]) and str(hit[0].get("state", "")) != ""
sys.exit(0 if ok else 1)
PY
ok "/wskstack/arp: $PEER_IP -> $PEER_MAC (with a state)"

want_mac=$(config_get port0 mac "$WSK0_MAC" | tr 'A-F' 'a-f')
telemetry_json /wskstack/ports "$WORK/ports.json"
py "$WORK/ports.json" "$want_mac" <<'PY' || fail "/wskstack/ports: want port0 with mtu 1500, driver af_packet, mac $want_mac, caps"
ports = as_list(json.load(open(sys.argv[1])))
print("telemetry /wskstack/ports:", json.dumps(ports, sort_keys=True))
if not ports:
    sys.exit(1)
p = ports[0]
checks = {
    "name names port0": "0" in str(p.get("name", p.get("_key", ""))),
    "mtu 1500": p.get("mtu") == 1500,
    "driver af_packet": "af_packet" in str(p.get("driver", "")),
    "mac": mac(p.get("mac", "")) == mac(sys.argv[2]),
    "caps present": any("cap" in k for k in p),
}
for k, v in checks.items():
    print("  port0 %-16s %s" % (k, "ok" if v else "WRONG"))
sys.exit(0 if all(checks.values()) else 1)
PY
ok "/wskstack/ports: port0, mtu 1500, af_packet, mac $want_mac, caps"

stop_stack TERM
finish
