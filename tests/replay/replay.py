#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcap replay test data: `gen DIR` writes DIR/in.pcap, `check DIR` checks DIR/out.pcap.

The input is what a Linux host at 198.18.0.2 (MAC 02:00:00:00:00:02) would send the
stack at 198.18.0.1: ARP, pings (one fragmented), UDP to an echo port and to a closed
port, and frames the stack must drop. The check asserts every reply byte for byte
where it is determined, and that nothing else was sent. Standard library only.
"""
import struct
import sys

PEER_MAC = bytes.fromhex("020000000002")
BCAST = b"\xff" * 6
PEER_IP = bytes([198, 18, 0, 2])
STACK_IP = bytes([198, 18, 0, 1])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, etype, payload):
    return dst + PEER_MAC + struct.pack("!H", etype) + payload


def ipv4(proto, payload, ident, src=PEER_IP, dst=STACK_IP, frag=0, total=None, ttl=64):
    total = total if total is not None else 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, frag, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def icmp_echo(ident, seq, data, typ=8):
    msg = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def udp(sport, dport, data, src=PEER_IP, dst=STACK_IP):
    length = 8 + len(data)
    ph = src + dst + struct.pack("!BBH", 0, 17, length)
    seg = struct.pack("!HHHH", sport, dport, length, 0) + data
    c = csum(ph + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def arp_request(tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER_IP, b"\0" * 6, tpa)


def fragments(proto, payload, ident, mtu_payload=1480):
    out, off = [], 0
    while off < len(payload):
        chunk = payload[off:off + mtu_payload]
        more = off + len(chunk) < len(payload)
        out.append(ipv4(proto, chunk, ident, frag=(0x2000 if more else 0) | (off // 8)))
        off += len(chunk)
    return out


def pattern(n, seed):
    return bytes((seed + i * 7) & 0xFF for i in range(n))


def frames(stack_mac):
    big = icmp_echo(0x4242, 3, pattern(4000, 3))
    f = [
        eth(BCAST, 0x0806, arp_request(STACK_IP)),                         # -> ARP reply
        eth(stack_mac, 0x0800, ipv4(1, icmp_echo(0x4242, 1, pattern(56, 1)), 1)),  # -> echo reply
        eth(stack_mac, 0x0800, ipv4(17, udp(40000, 7, b"hello replay"), 2)),       # -> UDP echo
        eth(stack_mac, 0x0800, ipv4(17, udp(40001, 9, b"nobody here"), 3)),        # -> port unreachable
    ]
    bad = bytearray(eth(stack_mac, 0x0800, ipv4(1, icmp_echo(0x4242, 2, b"x" * 8), 4)))
    bad[14 + 10] ^= 0xFF                                                  # bad IP checksum: dropped
    f.append(bytes(bad))
    f.append(eth(BCAST, 0x0806, arp_request(bytes([198, 18, 0, 77]))))   # ARP for another host
    f.append(b"\x01\x02\x03")                                           # runt
    f += [eth(stack_mac, 0x0800, x) for x in fragments(1, big, 5)]       # -> fragmented reply
    return f


def write_pcap(path, pkts):
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            fh.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)))
            fh.write(p)


def read_pcap(path):
    with open(path, "rb") as fh:
        data = fh.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


class Checker:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)


def parse_ip(frame):
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    return ip[:ihl], ip[ihl:total]


def check(outdir, stack_mac):
    c = Checker()
    pkts = read_pcap(outdir + "/out.pcap")
    arp = [p for p in pkts if p[12:14] == b"\x08\x06"]
    ip = [p for p in pkts if p[12:14] == b"\x08\x00"]
    other = [p for p in pkts if p[12:14] not in (b"\x08\x06", b"\x08\x00")]
    c.ok(not other, "only ARP and IPv4 sent, got %d others" % len(other))
    for p in pkts:
        c.ok(p[6:12] == stack_mac, "source MAC is the stack's")
    # ARP: the gratuitous announcement and one reply to 198.18.0.2, nothing for .77.
    grat = [p for p in arp if p[28:32] == STACK_IP and p[38:42] == STACK_IP]
    replies = [p for p in arp if struct.unpack("!H", p[20:22])[0] == 2]
    c.ok(len(grat) == 1 and grat[0][0:6] == BCAST, "one gratuitous ARP, broadcast")
    c.ok(len(replies) == 1, "one ARP reply, got %d" % len(replies))
    if replies:
        r = replies[0]
        c.ok(r[0:6] == PEER_MAC and r[22:28] == stack_mac and r[28:32] == STACK_IP
             and r[32:38] == PEER_MAC and r[38:42] == PEER_IP, "ARP reply fields")
    c.ok(len(arp) == 2, "no other ARP (none for 198.18.0.77), got %d" % len(arp))
    # IPv4: every header checksum valid, addressed to the peer's MAC.
    for p in ip:
        h, _ = parse_ip(p)
        c.ok(csum(h) == 0, "IPv4 header checksum valid")
        c.ok(p[0:6] == PEER_MAC, "IPv4 frame to the peer's MAC")
    whole = [p for p in ip if struct.unpack("!H", p[20:22])[0] & 0x3FFF == 0]
    frags = [p for p in ip if struct.unpack("!H", p[20:22])[0] & 0x3FFF != 0]
    # Echo reply to the 56-byte ping.
    echo = [p for p in whole if p[23] == 1 and parse_ip(p)[1][0] == 0]
    c.ok(len(echo) == 1, "one unfragmented echo reply, got %d" % len(echo))
    if echo:
        h, body = parse_ip(echo[0])
        c.ok(body == icmp_echo(0x4242, 1, pattern(56, 1), typ=0), "echo reply bytes")
        c.ok(h[12:16] == STACK_IP and h[16:20] == PEER_IP, "echo reply addresses")
    # UDP echo.
    u = [p for p in whole if p[23] == 17]
    c.ok(len(u) == 1, "one UDP datagram, got %d" % len(u))
    if u:
        h, body = parse_ip(u[0])
        c.ok(body == udp(7, 40000, b"hello replay", src=STACK_IP, dst=PEER_IP), "UDP echo bytes")
    # Port unreachable quoting the datagram to port 9.
    unr = [p for p in whole if p[23] == 1 and parse_ip(p)[1][0] == 3]
    c.ok(len(unr) == 1, "one ICMP destination unreachable, got %d" % len(unr))
    if unr:
        _, body = parse_ip(unr[0])
        quoted = ipv4(17, udp(40001, 9, b"nobody here"), 3)
        c.ok(body[0] == 3 and body[1] == 3 and csum(body) == 0, "port unreachable type/code/checksum")
        c.ok(body[8:] == quoted, "port unreachable quotes the datagram")
    # The 4000-byte ping: reassemble the fragmented reply.
    c.ok(len(frags) == 3, "4000-byte echo reply in 3 fragments, got %d" % len(frags))
    if frags:
        parts = sorted((struct.unpack("!H", p[20:22])[0] & 0x1FFF) * 8 for p in frags)
        data = {(struct.unpack("!H", p[20:22])[0] & 0x1FFF) * 8: parse_ip(p)[1] for p in frags}
        joined = b"".join(data[o] for o in parts)
        c.ok(joined == icmp_echo(0x4242, 3, pattern(4000, 3), typ=0), "reassembled echo reply bytes")
        c.ok(all(len(p) <= 1514 for p in frags), "fragments fit the MTU")
    c.ok(len(ip) == 3 + len(frags), "no other IPv4 sent (bad checksum frame dropped), got %d" % len(ip))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("gen", "check"):
        print("usage: replay.py gen|check DIR STACK_MAC", file=sys.stderr)
        return 2
    mac = bytes.fromhex(sys.argv[3].replace(":", ""))
    if sys.argv[1] == "gen":
        write_pcap(sys.argv[2] + "/in.pcap", frames(mac))
        return 0
    return check(sys.argv[2], mac)


if __name__ == "__main__":
    sys.exit(main())
