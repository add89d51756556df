/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Golden-byte and malformed-input tests for stack/wire.
 *
 * The golden frames are packets as a Linux host (192.168.122.10,
 * 52:54:00:12:34:56) and its gateway (192.168.122.1, 52:54:00:ab:cd:ef)
 * put them on the wire. Their checksums are verified here with an
 * independent RFC 1071 sum before anything else uses them. Every parse runs
 * on a heap copy of exactly the length under test, so ASan reports any read
 * past it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "check.h"
#include "wire/wire.h"

/* Not RTE_IPV4(): it shifts an int left by 24, undefined for a >= 128. */
#define IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define HOST_IP IP4(192, 168, 122, 10)
#define GW_IP IP4(192, 168, 122, 1)

static const struct rte_ether_addr host_mac = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct rte_ether_addr gw_mac = {{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac = {{0}};

/*
 * `ping -c1 192.168.122.1` (iputils): DF, TTL 64, ICMP id 0x0b7a seq 1,
 * 56 data bytes = struct timeval (16 bytes) then 0x10..0x37.
 */
static const uint8_t g_echo_req[98] = {
	0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x5d, 0x2b, 0x40, 0x00, 0x40, 0x01,
	0x68, 0x21, 0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0x08, 0x00,
	0xf1, 0x6e, 0x0b, 0x7a, 0x00, 0x01, 0xa5, 0xc2, 0x60, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x2c, 0x1b, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11,
	0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
	0x36, 0x37,
};

/* The gateway's kernel answer: no DF (Linux's ICMP socket), same data. */
static const uint8_t g_echo_rep[98] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x8f, 0x31, 0x00, 0x00, 0x40, 0x01,
	0x76, 0x1b, 0xc0, 0xa8, 0x7a, 0x01, 0xc0, 0xa8, 0x7a, 0x0a, 0x00, 0x00,
	0xf9, 0x6e, 0x0b, 0x7a, 0x00, 0x01, 0xa5, 0xc2, 0x60, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x2c, 0x1b, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11,
	0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
	0x36, 0x37,
};

/* ARP who-has 192.168.122.1 as received: 42 bytes padded to 60 by the NIC. */
static const uint8_t g_arp_req[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54,
	0x00, 0x12, 0x34, 0x56, 0xc0, 0xa8, 0x7a, 0x0a, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc0, 0xa8, 0x7a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The gateway's ARP reply as it hands it to its NIC (42 bytes). */
static const uint8_t g_arp_rep[42] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x52, 0x54,
	0x00, 0xab, 0xcd, 0xef, 0xc0, 0xa8, 0x7a, 0x01, 0x52, 0x54, 0x00, 0x12,
	0x34, 0x56, 0xc0, 0xa8, 0x7a, 0x0a,
};

/* glibc resolver: A? example.com from port 51234, DF, UDP checksum 0xd353. */
static const uint8_t g_dns[71] = {
	0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x39, 0x3c, 0x4d, 0x40, 0x00, 0x40, 0x11,
	0x89, 0x0a, 0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0xc8, 0x22,
	0x00, 0x35, 0x00, 0x25, 0xd3, 0x53, 0x1f, 0x2e, 0x01, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
	0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* `echo hi | nc -u 192.168.122.1 9999` as received: 45 bytes padded to 60. */
static const uint8_t g_udp_small[60] = {
	0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x1f, 0x1a, 0x2b, 0x40, 0x00, 0x40, 0x11,
	0xab, 0x46, 0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0x9c, 0x40,
	0x27, 0x0f, 0x00, 0x0b, 0x54, 0xc2, 0x68, 0x69, 0x0a, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * IGMPv3 report joining 224.0.0.251 (mDNS): TOS 0xc0, TTL 1, DF and the
 * Router Alert option (94 04 00 00), so IHL 6.
 */
static const uint8_t g_igmp[54] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x00, 0x46, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02,
	0xc9, 0x46, 0xc0, 0xa8, 0x7a, 0x0a, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
	0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb,
};

/* `ping -s 2000`: the two IPv4 headers of the 2028-byte datagram, MTU 1500. */
static const uint8_t g_frag0_hdr[20] = {
	0x45, 0x00, 0x05, 0xdc, 0x7a, 0x1c, 0x20, 0x00, 0x40, 0x01,
	0x65, 0xa8, 0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01,
};
static const uint8_t g_frag1_hdr[20] = {
	0x45, 0x00, 0x02, 0x24, 0x7a, 0x1c, 0x00, 0xb9, 0x40, 0x01,
	0x88, 0xa7, 0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01,
};

/*
 * The gateway's "fragmentation needed, next-hop MTU 1400" for a 1500-byte DF
 * UDP datagram to 198.51.100.7: TOS 0xc0, quoted header plus 8 bytes.
 */
static const uint8_t g_frag_needed[70] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
	0x08, 0x00, 0x45, 0xc0, 0x00, 0x38, 0x0c, 0x3e, 0x00, 0x00, 0x40, 0x01,
	0xf8, 0x6a, 0xc0, 0xa8, 0x7a, 0x01, 0xc0, 0xa8, 0x7a, 0x0a, 0x03, 0x04,
	0xef, 0xd8, 0x00, 0x00, 0x05, 0x78, 0x45, 0x00, 0x05, 0xdc, 0x44, 0x55,
	0x40, 0x00, 0x40, 0x11, 0x8b, 0xce, 0xc0, 0xa8, 0x7a, 0x0a, 0xc6, 0x33,
	0x64, 0x07, 0x9c, 0x41, 0x27, 0x0f, 0x05, 0xc8, 0x3e, 0x92,
};

/* Starts of an 802.1Q (VLAN 100) and an 802.1ad (S-VLAN 200) ARP request. */
static const uint8_t g_vlan[18] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00,
	0x12, 0x34, 0x56, 0x81, 0x00, 0x00, 0x64, 0x08, 0x06,
};
static const uint8_t g_qinq[22] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34,
	0x56, 0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x08, 0x06,
};

/* ---- helpers ------------------------------------------------------------ */

/* RFC 1071 sum of big-endian 16-bit words, folded, not complemented. */
static uint16_t
ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Recompute the header checksum of the IPv4 header at @p ip. */
static void
ref_ip_fix(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0xf) * 4;
	uint16_t c;

	ip[10] = 0;
	ip[11] = 0;
	c = (uint16_t)~ref_sum(ip, hl, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* Sum of the UDP pseudo-header for the IPv4 header at @p ip. */
static uint32_t
ref_pseudo(const uint8_t *ip, uint16_t l4_len)
{
	return ref_sum(ip + 12, 8, 0) + ip[9] + l4_len;
}

/* malloc'd copy of exactly @p len bytes (ASan catches any overread). */
static uint8_t *
heap_copy(const void *src, size_t len)
{
	uint8_t *b = malloc(len);

	if (b == NULL && len != 0)
		abort();
	if (len != 0)
		memcpy(b, src, len);
	return b;
}

static enum stk_drop
eth_parse_exact(const void *src, size_t len, struct eth_repr *r)
{
	uint8_t *b = heap_copy(src, len);
	enum stk_drop d = eth_parse(b, len, r);

	free(b);
	return d;
}

static enum stk_drop
arp_parse_exact(const void *src, size_t len, struct arp_repr *r)
{
	uint8_t *b = heap_copy(src, len);
	enum stk_drop d = arp_parse(b, len, r);

	free(b);
	return d;
}

static enum stk_drop
ip_parse_exact(const void *src, size_t len, bool verify, struct ipv4_repr *r)
{
	uint8_t *b = heap_copy(src, len);
	enum stk_drop d = ipv4_parse(b, len, verify, r);

	free(b);
	return d;
}

static enum stk_drop
icmp_parse_exact(const void *src, size_t len, struct icmp_repr *r)
{
	uint8_t *b = heap_copy(src, len);
	enum stk_drop d = icmp_parse(b, len, r);

	free(b);
	return d;
}

static enum stk_drop
udp_parse_exact(const void *src, size_t avail, uint16_t ip_payload_len, struct udp_repr *r)
{
	uint8_t *b = heap_copy(src, avail);
	enum stk_drop d = udp_parse(b, avail, ip_payload_len, r);

	free(b);
	return d;
}

static bool
mac_eq(const struct rte_ether_addr *a, const struct rte_ether_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Emit buffers are pre-filled with this so a write past the header shows. */
#define FILL 0xa5

static bool
tail_untouched(const uint8_t *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (b[i] != FILL)
			return false;
	return true;
}

/* ---- golden frames are valid -------------------------------------------- */

/* Check the IPv4 and L4 checksums of frame @p f (L4 with a pseudo-header?). */
static void
check_ip_l4_sums(const uint8_t *f, bool pseudo)
{
	const uint8_t *ip = f + ETH_HDR_LEN;
	size_t hl = (size_t)(ip[0] & 0xf) * 4;
	uint16_t tot = (uint16_t)(ip[2] << 8 | ip[3]);

	CHECK_EQ(ref_sum(ip, hl, 0), 0xffff);
	if (!pseudo) /* ICMP, IGMP: over the message */
		CHECK_EQ(ref_sum(ip + hl, tot - hl, 0), 0xffff);
	else /* UDP: with the pseudo-header */
		CHECK_EQ(ref_sum(ip + hl, tot - hl, ref_pseudo(ip, (uint16_t)(tot - hl))), 0xffff);
}

static void
test_golden_valid(void)
{
	check_ip_l4_sums(g_echo_req, false);
	check_ip_l4_sums(g_echo_rep, false);
	check_ip_l4_sums(g_igmp, false);
	check_ip_l4_sums(g_frag_needed, false);
	check_ip_l4_sums(g_dns, true);
	check_ip_l4_sums(g_udp_small, true);
	CHECK_EQ(ref_sum(g_frag0_hdr, 20, 0), 0xffff);
	CHECK_EQ(ref_sum(g_frag1_hdr, 20, 0), 0xffff);
	/* The quoted header inside the ICMP error is itself valid. */
	CHECK_EQ(ref_sum(g_frag_needed + 42, 20, 0), 0xffff);
}

/* ---- Ethernet ----------------------------------------------------------- */

static void
eth_golden(const uint8_t *f, const struct rte_ether_addr *dst,
	   const struct rte_ether_addr *src, uint16_t type)
{
	struct eth_repr r;
	uint8_t out[ETH_HDR_LEN + 4];

	memset(&r, 0, sizeof(r));
	CHECK_EQ(eth_parse_exact(f, ETH_HDR_LEN, &r), STK_DROP_NONE);
	CHECK(mac_eq(&r.dst, dst), "%s", __func__);
	CHECK(mac_eq(&r.src, src), "%s", __func__);
	CHECK_EQ(r.ethertype, type);
	memset(out, FILL, sizeof(out));
	eth_emit(out, &r);
	CHECK(memcmp(out, f, ETH_HDR_LEN) == 0, "%s", __func__);
	CHECK(tail_untouched(out, ETH_HDR_LEN, sizeof(out)), "%s", __func__);
}

static void
test_eth(void)
{
	static const struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}};
	struct eth_repr r;
	uint8_t f[ETH_HDR_LEN];
	size_t n;

	eth_golden(g_echo_req, &gw_mac, &host_mac, RTE_ETHER_TYPE_IPV4);
	eth_golden(g_echo_rep, &host_mac, &gw_mac, RTE_ETHER_TYPE_IPV4);
	eth_golden(g_arp_req, &bcast_mac, &host_mac, RTE_ETHER_TYPE_ARP);
	eth_golden(g_arp_rep, &host_mac, &gw_mac, RTE_ETHER_TYPE_ARP);
	eth_golden(g_igmp, &mcast, &host_mac, RTE_ETHER_TYPE_IPV4);
	/* A whole frame parses the same as its first 14 bytes. */
	CHECK_EQ(eth_parse_exact(g_arp_req, sizeof(g_arp_req), &r), STK_DROP_NONE);
	CHECK_EQ(r.ethertype, RTE_ETHER_TYPE_ARP);

	for (n = 0; n < ETH_HDR_LEN; n++)
		CHECK(eth_parse_exact(g_echo_req, n, &r) == STK_DROP_ETH_TRUNCATED, "len %zu", n);
	CHECK_EQ(eth_parse_exact(g_vlan, sizeof(g_vlan), &r), STK_DROP_ETH_VLAN);
	CHECK_EQ(eth_parse_exact(g_vlan, ETH_HDR_LEN, &r), STK_DROP_ETH_VLAN);
	CHECK_EQ(eth_parse_exact(g_qinq, sizeof(g_qinq), &r), STK_DROP_ETH_VLAN);
	CHECK_EQ(eth_parse_exact(g_vlan, ETH_HDR_LEN - 1, &r), STK_DROP_ETH_TRUNCATED);

	/* Other types pass: filtering them is the caller's job. */
	memcpy(f, g_echo_req, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	CHECK_EQ(eth_parse_exact(f, sizeof(f), &r), STK_DROP_NONE);
	CHECK_EQ(r.ethertype, RTE_ETHER_TYPE_IPV6);
	f[12] = 0x91; /* pre-standard QinQ, not in the list */
	f[13] = 0x00;
	CHECK_EQ(eth_parse_exact(f, sizeof(f), &r), STK_DROP_NONE);
	CHECK_EQ(r.ethertype, 0x9100);
	f[12] = 0x00; /* 802.3 length field */
	f[13] = 0x2e;
	CHECK_EQ(eth_parse_exact(f, sizeof(f), &r), STK_DROP_NONE);
	CHECK_EQ(r.ethertype, 0x002e);
}

/* ---- ARP ---------------------------------------------------------------- */

static void
arp_golden(const uint8_t *f, size_t len, const struct arp_repr *want)
{
	struct arp_repr r;
	uint8_t out[ARP_PKT_LEN + 4];

	memset(&r, 0, sizeof(r));
	CHECK_EQ(arp_parse_exact(f + ETH_HDR_LEN, len - ETH_HDR_LEN, &r), STK_DROP_NONE);
	CHECK_EQ(r.op, want->op);
	CHECK(mac_eq(&r.sha, &want->sha), "%s", __func__);
	CHECK_EQ(r.spa, want->spa);
	CHECK(mac_eq(&r.tha, &want->tha), "%s", __func__);
	CHECK_EQ(r.tpa, want->tpa);
	memset(out, FILL, sizeof(out));
	arp_emit(out, &r);
	CHECK(memcmp(out, f + ETH_HDR_LEN, ARP_PKT_LEN) == 0, "%s", __func__);
	CHECK(tail_untouched(out, ARP_PKT_LEN, sizeof(out)), "%s", __func__);
	/* Emitting from the expected repr gives the same bytes. */
	memset(out, FILL, sizeof(out));
	arp_emit(out, want);
	CHECK(memcmp(out, f + ETH_HDR_LEN, ARP_PKT_LEN) == 0, "%s", __func__);
}

/* Parse the request's ARP part with byte @p off set to @p v. */
static enum stk_drop
arp_mutated(size_t off, uint8_t v)
{
	uint8_t p[ARP_PKT_LEN];
	struct arp_repr r;

	memcpy(p, g_arp_req + ETH_HDR_LEN, sizeof(p));
	p[off] = v;
	return arp_parse_exact(p, sizeof(p), &r);
}

static void
test_arp(void)
{
	const struct arp_repr req = {ARP_OP_REQUEST, host_mac, HOST_IP, zero_mac, GW_IP};
	const struct arp_repr rep = {ARP_OP_REPLY, gw_mac, GW_IP, host_mac, HOST_IP};
	uint8_t p[ARP_PKT_LEN];
	struct arp_repr r;
	size_t n;

	/* The request carries 18 bytes of Ethernet padding after the packet. */
	arp_golden(g_arp_req, sizeof(g_arp_req), &req);
	arp_golden(g_arp_req, ETH_HDR_LEN + ARP_PKT_LEN, &req);
	arp_golden(g_arp_rep, sizeof(g_arp_rep), &rep);

	for (n = 0; n < ARP_PKT_LEN; n++)
		CHECK(arp_parse_exact(g_arp_rep + ETH_HDR_LEN, n, &r) == STK_DROP_ARP_TRUNCATED,
		      "len %zu", n);

	CHECK_EQ(arp_mutated(1, 6), STK_DROP_ARP_BAD_FORMAT);    /* htype IEEE 802 */
	CHECK_EQ(arp_mutated(0, 1), STK_DROP_ARP_BAD_FORMAT);    /* htype 0x0101 */
	CHECK_EQ(arp_mutated(1, 0), STK_DROP_ARP_BAD_FORMAT);    /* htype 0 */
	CHECK_EQ(arp_mutated(2, 0x86), STK_DROP_ARP_BAD_FORMAT); /* ptype 0x8600 */
	CHECK_EQ(arp_mutated(3, 0x08), STK_DROP_ARP_BAD_FORMAT); /* ptype 0x0808 */
	CHECK_EQ(arp_mutated(4, 0), STK_DROP_ARP_BAD_FORMAT);    /* hlen 0 */
	CHECK_EQ(arp_mutated(4, 8), STK_DROP_ARP_BAD_FORMAT);    /* hlen 8 */
	CHECK_EQ(arp_mutated(5, 16), STK_DROP_ARP_BAD_FORMAT);   /* plen 16 */
	CHECK_EQ(arp_mutated(5, 6), STK_DROP_ARP_BAD_FORMAT);    /* plen 6 */
	CHECK_EQ(arp_mutated(7, 0), STK_DROP_ARP_BAD_OP);
	CHECK_EQ(arp_mutated(7, 3), STK_DROP_ARP_BAD_OP);        /* RARP request */
	CHECK_EQ(arp_mutated(7, 4), STK_DROP_ARP_BAD_OP);        /* RARP reply */
	CHECK_EQ(arp_mutated(7, 8), STK_DROP_ARP_BAD_OP);        /* InARP request */
	CHECK_EQ(arp_mutated(6, 1), STK_DROP_ARP_BAD_OP);        /* op 0x0101 */
	CHECK_EQ(arp_mutated(6, 0xff), STK_DROP_ARP_BAD_OP);     /* op 0xff01 */
	CHECK_EQ(arp_mutated(7, 2), STK_DROP_NONE);
	/* Format is checked before the opcode, length before both. */
	memcpy(p, g_arp_req + ETH_HDR_LEN, sizeof(p));
	p[5] = 6;
	p[7] = 9;
	CHECK_EQ(arp_parse_exact(p, sizeof(p), &r), STK_DROP_ARP_BAD_FORMAT);
	CHECK_EQ(arp_parse_exact(p, sizeof(p) - 1, &r), STK_DROP_ARP_TRUNCATED);
}

/* ---- IPv4: golden ------------------------------------------------------- */

static void
ip_expect(const struct ipv4_repr *r, const struct ipv4_repr *w)
{
	CHECK_EQ(r->hdr_len, w->hdr_len);
	CHECK_EQ(r->tos, w->tos);
	CHECK_EQ(r->total_len, w->total_len);
	CHECK_EQ(r->id, w->id);
	CHECK_EQ(r->frag_off, w->frag_off);
	CHECK_EQ(r->df, w->df);
	CHECK_EQ(r->mf, w->mf);
	CHECK_EQ(r->ttl, w->ttl);
	CHECK_EQ(r->proto, w->proto);
	CHECK_EQ(r->src, w->src);
	CHECK_EQ(r->dst, w->dst);
}

/*
 * Parse the IPv4 header at @p ip (@p len bytes readable), check it against
 * @p w with and without checksum verification, then emit it back.
 */
static void
ip_golden(const uint8_t *ip, size_t len, const struct ipv4_repr *w)
{
	struct ipv4_repr r;
	uint8_t out[IPV4_HDR_LEN + 4];

	memset(&r, 0, sizeof(r));
	CHECK_EQ(ip_parse_exact(ip, len, true, &r), STK_DROP_NONE);
	ip_expect(&r, w);
	memset(&r, 0, sizeof(r));
	CHECK_EQ(ip_parse_exact(ip, len, false, &r), STK_DROP_NONE);
	ip_expect(&r, w);

	memset(out, FILL, sizeof(out));
	ipv4_emit(out, w, true);
	CHECK(tail_untouched(out, IPV4_HDR_LEN, sizeof(out)), "%s", __func__);
	if (w->hdr_len == IPV4_HDR_LEN) {
		CHECK(memcmp(out, ip, IPV4_HDR_LEN) == 0, "%s", __func__);
	} else {
		/* Options are not emitted: IHL 5, same fields, own checksum. */
		CHECK_EQ(out[0], 0x45);
		CHECK(memcmp(out + 1, ip + 1, 9) == 0, "%s", __func__);
		CHECK(memcmp(out + 12, ip + 12, 8) == 0, "%s", __func__);
		CHECK_EQ(ref_sum(out, IPV4_HDR_LEN, 0), 0xffff);
	}
	memset(out, FILL, sizeof(out));
	ipv4_emit(out, w, false);
	CHECK(out[10] == 0 && out[11] == 0, "%s", __func__);
	CHECK(memcmp(out + 1, ip + 1, 9) == 0, "%s", __func__);
	CHECK(memcmp(out + 12, ip + 12, 8) == 0, "%s", __func__);
	CHECK(tail_untouched(out, IPV4_HDR_LEN, sizeof(out)), "%s", __func__);
}

/* A datagram of total_len bytes: the header @p hdr followed by zeros. */
static void
ip_golden_hdr_only(const uint8_t *hdr, const struct ipv4_repr *w)
{
	uint8_t *d = calloc(1, w->total_len);

	if (d == NULL)
		abort();
	memcpy(d, hdr, IPV4_HDR_LEN);
	ip_golden(d, w->total_len, w);
	free(d);
}

static void
test_ipv4_golden(void)
{
	const struct ipv4_repr req = {20, 0, 84, 0x5d2b, 0, true, false, 64, IPV4_PROTO_ICMP,
				      HOST_IP, GW_IP};
	const struct ipv4_repr rep = {20, 0, 84, 0x8f31, 0, false, false, 64, IPV4_PROTO_ICMP,
				      GW_IP, HOST_IP};
	const struct ipv4_repr dns = {20, 0, 57, 0x3c4d, 0, true, false, 64, IPV4_PROTO_UDP,
				      HOST_IP, GW_IP};
	const struct ipv4_repr hi = {20, 0, 31, 0x1a2b, 0, true, false, 64, IPV4_PROTO_UDP,
				     HOST_IP, GW_IP};
	const struct ipv4_repr igmp = {24, 0xc0, 40, 0, 0, true, false, 1, 2,
				       HOST_IP, IP4(224, 0, 0, 22)};
	const struct ipv4_repr fneed = {20, 0xc0, 56, 0x0c3e, 0, false, false, 64,
					IPV4_PROTO_ICMP, GW_IP, HOST_IP};
	const struct ipv4_repr frag0 = {20, 0, 1500, 0x7a1c, 0, false, true, 64, IPV4_PROTO_ICMP,
					HOST_IP, GW_IP};
	const struct ipv4_repr frag1 = {20, 0, 548, 0x7a1c, 1480, false, false, 64,
					IPV4_PROTO_ICMP, HOST_IP, GW_IP};

	ip_golden(g_echo_req + ETH_HDR_LEN, sizeof(g_echo_req) - ETH_HDR_LEN, &req);
	ip_golden(g_echo_rep + ETH_HDR_LEN, sizeof(g_echo_rep) - ETH_HDR_LEN, &rep);
	ip_golden(g_dns + ETH_HDR_LEN, sizeof(g_dns) - ETH_HDR_LEN, &dns);
	/* 15 bytes of Ethernet padding beyond total_len. */
	ip_golden(g_udp_small + ETH_HDR_LEN, sizeof(g_udp_small) - ETH_HDR_LEN, &hi);
	ip_golden(g_udp_small + ETH_HDR_LEN, 31, &hi);
	ip_golden(g_igmp + ETH_HDR_LEN, sizeof(g_igmp) - ETH_HDR_LEN, &igmp);
	ip_golden(g_frag_needed + ETH_HDR_LEN, sizeof(g_frag_needed) - ETH_HDR_LEN, &fneed);
	ip_golden_hdr_only(g_frag0_hdr, &frag0);
	ip_golden_hdr_only(g_frag1_hdr, &frag1);
}

/* ipv4_emit's output (with a checksum) is accepted by ipv4_parse. */
static void
test_ipv4_emit_parse(void)
{
	static const struct ipv4_repr cases[] = {
		{20, 0, 20, 0, 0, false, false, 1, IPV4_PROTO_TCP, 0, 0},
		{20, 0x2e, 1500, 0xffff, 0, true, false, 255, IPV4_PROTO_UDP,
		 IP4(10, 0, 0, 1), IP4(10, 0, 0, 2)},
		{20, 0, 1500, 0x1234, 0, false, true, 64, IPV4_PROTO_ICMP,
		 IP4(255, 255, 255, 255), IP4(1, 2, 3, 4)},
		{20, 0, 68, 0x1234, 65464, false, false, 64, IPV4_PROTO_UDP,
		 IP4(192, 0, 2, 1), IP4(198, 51, 100, 2)},
		{20, 0xff, 65535, 0xabcd, 0, true, false, 128, 253,
		 IP4(172, 16, 0, 1), IP4(224, 0, 0, 1)},
	};
	struct ipv4_repr w, r;
	uint8_t *d;
	size_t i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		d = calloc(1, cases[i].total_len);
		if (d == NULL)
			abort();
		ipv4_emit(d, &cases[i], true);
		memset(&r, 0, sizeof(r));
		CHECK(ipv4_parse(d, cases[i].total_len, true, &r) == STK_DROP_NONE, "case %zu", i);
		ip_expect(&r, &cases[i]);
		free(d);
	}
	/* hdr_len is ignored by the emitter. */
	w = cases[1];
	w.hdr_len = 60;
	d = calloc(1, w.total_len);
	if (d == NULL)
		abort();
	ipv4_emit(d, &w, true);
	CHECK_EQ(d[0], 0x45);
	CHECK_EQ(ipv4_parse(d, w.total_len, true, &r), STK_DROP_NONE);
	CHECK_EQ(r.hdr_len, 20);
	free(d);
}

/* ---- IPv4: malformed ---------------------------------------------------- */

/*
 * Scratch datagram: the echo request's IPv4 part (84 bytes) with room for
 * the longest header. Tests edit it and call ip_mut().
 */
struct ip_scratch {
	uint8_t b[60 + 1500];
	size_t len;
};

static void
ip_scratch_init(struct ip_scratch *s)
{
	memset(s->b, 0, sizeof(s->b));
	memcpy(s->b, g_echo_req + ETH_HDR_LEN, 84);
	s->len = 84;
}

static void
ip_set16(struct ip_scratch *s, size_t off, uint16_t v)
{
	s->b[off] = (uint8_t)(v >> 8);
	s->b[off + 1] = (uint8_t)v;
}

/* Parse the scratch (optionally fixing its checksum first). */
static enum stk_drop
ip_mut(struct ip_scratch *s, bool fix, bool verify)
{
	struct ipv4_repr r;

	if (fix)
		ref_ip_fix(s->b);
	return ip_parse_exact(s->b, s->len, verify, &r);
}

static void
test_ipv4_header_checks(void)
{
	struct ip_scratch s;
	struct ipv4_repr r;
	unsigned int v, ihl;
	size_t n;

	for (n = 0; n < IPV4_HDR_LEN; n++)
		CHECK(ip_parse_exact(g_echo_req + ETH_HDR_LEN, n, true, &r) ==
			      STK_DROP_IPV4_TRUNCATED, "len %zu", n);
	for (v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		ip_scratch_init(&s);
		s.b[0] = (uint8_t)(v << 4 | 5);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_VERSION, "version %u", v);
		s.b[0] = (uint8_t)(v << 4 | 2); /* version is checked before IHL */
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_VERSION, "version %u", v);
	}
	for (ihl = 0; ihl < 5; ihl++) {
		ip_scratch_init(&s);
		s.b[0] = (uint8_t)(0x40 | ihl);
		s.len = IPV4_HDR_LEN;
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_IHL, "ihl %u", ihl);
	}
	/* Header longer than the bytes available: every IHL, every short len. */
	for (ihl = 6; ihl < 16; ihl++) {
		for (n = IPV4_HDR_LEN; n < ihl * 4; n++) {
			ip_scratch_init(&s);
			s.b[0] = (uint8_t)(0x40 | ihl);
			memset(s.b + 20, 1, 40); /* NOPs */
			ip_set16(&s, 2, 10); /* also too short: IHL is checked first */
			s.len = n;
			CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_TRUNCATED, "ihl %u len %zu",
			      ihl, n);
		}
	}
	/* total_len smaller than the header. */
	ip_scratch_init(&s);
	for (n = 0; n < IPV4_HDR_LEN; n++) {
		ip_set16(&s, 2, (uint16_t)n);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
		CHECK(ip_mut(&s, false, false) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
	}
	s.b[10] ^= 0xff; /* before the checksum */
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_LENGTH);
	for (n = IPV4_HDR_LEN; n < 24; n++) {
		memcpy(s.b, g_igmp + ETH_HDR_LEN, 40);
		s.len = 40;
		ip_set16(&s, 2, (uint16_t)n);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
	}
	/* total_len beyond the bytes available, checked before the checksum. */
	ip_scratch_init(&s);
	for (n = IPV4_HDR_LEN; n < 84; n++) {
		s.len = n;
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_TRUNCATED, "len %zu", n);
	}
	s.len = 84;
	ip_set16(&s, 2, 85);
	s.b[10] ^= 0xff;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_TRUNCATED);
	ip_set16(&s, 2, 0xffff);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_TRUNCATED);
}

static void
test_ipv4_checksum(void)
{
	struct ip_scratch s;
	unsigned int i, bit;

	/*
	 * Any single-bit error in the header is caught; without verification
	 * it passes (except where it makes the TTL zero). Version and lengths
	 * are checked before the checksum, so they are left alone.
	 */
	for (i = 0; i < IPV4_HDR_LEN; i++) {
		if (i == 0 || i == 2 || i == 3)
			continue;
		for (bit = 0; bit < 8; bit++) {
			ip_scratch_init(&s);
			s.b[i] ^= (uint8_t)(1u << bit);
			CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_CHECKSUM,
			      "byte %u bit %u", i, bit);
			CHECK(ip_mut(&s, false, false) == (i == 8 && bit == 6 ?
				STK_DROP_IPV4_TTL_ZERO : STK_DROP_NONE), "byte %u bit %u", i, bit);
		}
	}
	/* The payload is not covered. */
	ip_scratch_init(&s);
	s.b[40] ^= 0xff;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_NONE);
	/* Checksum covers the options. */
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 40);
	s.len = 40;
	s.b[22] = 0x12; /* Router Alert value, still well-formed */
	s.b[23] = 0x34;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_CHECKSUM);
	CHECK_EQ(ip_mut(&s, false, false), STK_DROP_NONE);
}

/* Parse the echo request with @p nopt option bytes @p opt (IHL 5 + nopt/4). */
static enum stk_drop
ip_with_options(const uint8_t *opt, size_t nopt)
{
	struct ip_scratch s;

	ip_scratch_init(&s);
	memmove(s.b + 20 + nopt, s.b + 20, 64);
	memcpy(s.b + 20, opt, nopt);
	s.b[0] = (uint8_t)(0x40 | (5 + nopt / 4));
	s.len = 84 + nopt;
	ip_set16(&s, 2, (uint16_t)s.len);
	return ip_mut(&s, true, true);
}

#define OPT(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void
test_ipv4_options(void)
{
	struct ip_scratch s;
	uint8_t opt[40];

	/* Well-formed lists. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x01, 0x01)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x00, 0x00, 0x00, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x00, 0xff, 0x44, 0x02)), STK_DROP_NONE); /* after EOL */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x00, 0x94, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x88, 0x02, 0x01, 0x00)), STK_DROP_NONE); /* length 2 */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00)),
		 STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x88, 0x04, 0x12, 0x34)),
		 STK_DROP_NONE);
	memset(opt, 0, sizeof(opt));
	opt[0] = 0x07; /* record route filling all 40 bytes */
	opt[1] = 40;
	opt[2] = 4;
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);
	opt[1] = 39; /* 39 bytes, then EOL */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);
	memset(opt, 1, sizeof(opt)); /* 40 NOPs */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);

	/* Malformed: no room for the length byte. */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x01, 0x94)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x07)),
		 STK_DROP_IPV4_BAD_OPTION);
	/* Malformed: length below 2. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x00, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x01, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x02, 0x01)), STK_DROP_IPV4_BAD_OPTION);
	/* Malformed: running past the header. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x05, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x94, 0x03)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x44, 0xff, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x83, 0x05, 0x00, 0x00)),
		 STK_DROP_IPV4_BAD_OPTION);
	memset(opt, 0, sizeof(opt));
	opt[0] = 0x07;
	opt[1] = 41;
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_IPV4_BAD_OPTION);
	memset(opt, 1, sizeof(opt));
	opt[39] = 0x44; /* after 39 NOPs, a type with no length byte */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_IPV4_BAD_OPTION);
	/* The same where the header is the last byte there is (ASan checks). */
	ip_scratch_init(&s);
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 20);
	memcpy(s.b + 20, (const uint8_t[]){0x01, 0x01, 0x01, 0x94}, 4);
	s.b[0] = 0x46;
	s.len = 24;
	ip_set16(&s, 2, 24);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_BAD_OPTION);
}

/* Echo request with IPv4 bytes 6-7 = @p frag and @p payload bytes after the header. */
static enum stk_drop
ip_frag(uint16_t frag, size_t payload, uint8_t ttl, bool bad_opt)
{
	struct ip_scratch s;
	size_t hl = bad_opt ? 24 : 20;

	ip_scratch_init(&s);
	if (bad_opt) {
		s.b[0] = 0x46;
		memcpy(s.b + 20, (const uint8_t[]){0x94, 0x05, 0x00, 0x00}, 4);
	}
	ip_set16(&s, 6, frag);
	s.b[8] = ttl;
	s.len = hl + payload;
	ip_set16(&s, 2, (uint16_t)s.len);
	return ip_mut(&s, true, true);
}

#define MF 0x2000
#define DF 0x4000

static void
test_ipv4_ttl_frag(void)
{
	struct ip_scratch s;

	CHECK_EQ(ip_frag(DF, 64, 0, false), STK_DROP_IPV4_TTL_ZERO);
	CHECK_EQ(ip_frag(DF, 64, 1, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(DF, 64, 0, true), STK_DROP_IPV4_BAD_OPTION); /* option first */
	ip_scratch_init(&s);
	s.b[8] = 0;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_CHECKSUM); /* checksum first */
	CHECK_EQ(ip_mut(&s, false, false), STK_DROP_IPV4_TTL_ZERO);

	/* offset + payload may reach 65535 but not exceed it. */
	CHECK_EQ(ip_frag(8191, 7, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(8191, 8, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8190, 15, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(8190, 16, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191 | MF, 8, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191 | DF, 1000, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191, 0, 64, false), STK_DROP_NONE);
	/* The header (with options) does not count as payload. */
	ip_scratch_init(&s);
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 24);
	ip_set16(&s, 6, 8191);
	s.len = 24 + 7;
	ip_set16(&s, 2, (uint16_t)s.len);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_NONE);
	s.len = 24 + 8;
	ip_set16(&s, 2, (uint16_t)s.len);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_FRAG_BAD);

	/* MF needs a non-empty payload that is a multiple of 8. */
	CHECK_EQ(ip_frag(MF, 8, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(MF | 100, 64, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(MF, 0, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF, 7, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF, 9, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF | 185, 63, 64, false), STK_DROP_IPV4_FRAG_BAD);
	/* The last fragment may have any length. */
	CHECK_EQ(ip_frag(185, 7, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(185, 0, 64, false), STK_DROP_NONE);
	/* DF alone is no fragment. */
	CHECK_EQ(ip_frag(DF, 7, 64, false), STK_DROP_NONE);
	/* TTL is checked before fragments. */
	CHECK_EQ(ip_frag(MF, 7, 0, false), STK_DROP_IPV4_TTL_ZERO);
}

/* ---- ICMP --------------------------------------------------------------- */

/* Parse the ICMP message of frame @p f, then rebuild it from the repr. */
static void
icmp_golden(const uint8_t *f, size_t len, const struct icmp_repr *w)
{
	const uint8_t *m = f + ETH_HDR_LEN + IPV4_HDR_LEN;
	size_t mlen = len - ETH_HDR_LEN - IPV4_HDR_LEN;
	struct icmp_repr r;
	uint8_t *out;
	uint16_t ck;

	memset(&r, 0, sizeof(r));
	CHECK_EQ(icmp_parse_exact(m, mlen, &r), STK_DROP_NONE);
	CHECK_EQ(r.type, w->type);
	CHECK_EQ(r.code, w->code);
	CHECK_EQ(r.cksum, w->cksum);
	CHECK_EQ(r.rest, w->rest);
	CHECK_EQ(icmp_parse_exact(m, ICMP_HDR_LEN, &r), STK_DROP_NONE);
	/* Emit the header over the data, checksum as the stack computes it. */
	out = heap_copy(m, mlen);
	memset(out, FILL, ICMP_HDR_LEN);
	icmp_emit(out, w, 0);
	CHECK(out[2] == 0 && out[3] == 0, "%s", __func__);
	ck = (uint16_t)~rte_raw_cksum(out, mlen);
	icmp_emit(out, w, ck);
	CHECK(memcmp(out, m, mlen) == 0, "%s", __func__);
	free(out);
}

static void
test_icmp(void)
{
	const struct icmp_repr req = {ICMP_ECHO_REQUEST, 0, 0xf16e, 0x0b7a0001};
	const struct icmp_repr rep = {ICMP_ECHO_REPLY, 0, 0xf96e, 0x0b7a0001};
	const struct icmp_repr fneed = {ICMP_DEST_UNREACH, ICMP_CODE_FRAG_NEEDED, 0xefd8, 1400};
	struct icmp_repr r;
	uint8_t out[ICMP_HDR_LEN + 4];
	size_t n;

	icmp_golden(g_echo_req, sizeof(g_echo_req), &req);
	icmp_golden(g_echo_rep, sizeof(g_echo_rep), &rep);
	icmp_golden(g_frag_needed, sizeof(g_frag_needed), &fneed);
	CHECK_EQ(icmp_parse_exact(g_frag_needed + 34, 36, &r), STK_DROP_NONE);
	CHECK_EQ(r.rest & 0xffff, 1400);

	/* The emitter writes exactly 8 bytes, cksum as given (network order). */
	memset(out, FILL, sizeof(out));
	icmp_emit(out, &req, RTE_BE16(0xf16e));
	CHECK(memcmp(out, g_echo_req + 34, ICMP_HDR_LEN) == 0, "%s", __func__);
	CHECK(tail_untouched(out, ICMP_HDR_LEN, sizeof(out)), "%s", __func__);

	for (n = 0; n < ICMP_HDR_LEN; n++)
		CHECK(icmp_parse_exact(g_echo_req + 34, n, &r) == STK_DROP_ICMP_TRUNCATED,
		      "len %zu", n);
}

/* ---- UDP ---------------------------------------------------------------- */

static void
udp_golden(const uint8_t *f, size_t len, const struct udp_repr *w)
{
	const uint8_t *u = f + ETH_HDR_LEN + IPV4_HDR_LEN;
	size_t avail = len - ETH_HDR_LEN - IPV4_HDR_LEN;
	uint16_t ip_pl = (uint16_t)((f[16] << 8 | f[17]) - IPV4_HDR_LEN);
	struct udp_repr r;
	uint8_t out[UDP_HDR_LEN + 4];

	memset(&r, 0, sizeof(r));
	CHECK_EQ(udp_parse_exact(u, avail, ip_pl, &r), STK_DROP_NONE);
	CHECK_EQ(r.sport, w->sport);
	CHECK_EQ(r.dport, w->dport);
	CHECK_EQ(r.len, w->len);
	CHECK_EQ(r.cksum, w->cksum);
	memset(out, FILL, sizeof(out));
	udp_emit(out, w);
	CHECK(memcmp(out, u, UDP_HDR_LEN) == 0, "%s", __func__);
	CHECK(tail_untouched(out, UDP_HDR_LEN, sizeof(out)), "%s", __func__);
}

static enum stk_drop
udp_with_len(uint16_t ulen, uint16_t ip_pl)
{
	uint8_t u[UDP_HDR_LEN];
	struct udp_repr r;

	memcpy(u, g_dns + 34, sizeof(u));
	u[4] = (uint8_t)(ulen >> 8);
	u[5] = (uint8_t)ulen;
	return udp_parse_exact(u, sizeof(u), ip_pl, &r);
}

static void
test_udp(void)
{
	const struct udp_repr dns = {51234, 53, 37, 0xd353};
	const struct udp_repr hi = {40000, 9999, 11, 0x54c2};
	const struct udp_repr nock = {7, 9, 8, 0};
	struct udp_repr r;
	uint8_t out[UDP_HDR_LEN];
	size_t n;

	udp_golden(g_dns, sizeof(g_dns), &dns);
	udp_golden(g_udp_small, sizeof(g_udp_small), &hi); /* avail includes padding */
	udp_golden(g_udp_small, ETH_HDR_LEN + 31, &hi);
	/* Only the 8 header bytes need to be readable. */
	CHECK_EQ(udp_parse_exact(g_dns + 34, UDP_HDR_LEN, 37, &r), STK_DROP_NONE);
	udp_emit(out, &nock);
	CHECK_EQ(udp_parse_exact(out, sizeof(out), 8, &r), STK_DROP_NONE);
	CHECK(r.sport == 7 && r.dport == 9 && r.len == 8 && r.cksum == 0, "%s", __func__);

	for (n = 0; n < UDP_HDR_LEN; n++) {
		CHECK(udp_parse_exact(g_dns + 34, n, 37, &r) == STK_DROP_UDP_TRUNCATED,
		      "avail %zu", n);
		CHECK(udp_parse_exact(g_dns + 34, 37, (uint16_t)n, &r) == STK_DROP_UDP_TRUNCATED,
		      "ip payload %zu", n);
		CHECK(udp_with_len((uint16_t)n, 37) == STK_DROP_UDP_BAD_LENGTH, "len %zu", n);
	}
	CHECK_EQ(udp_with_len(38, 37), STK_DROP_UDP_BAD_LENGTH);
	CHECK_EQ(udp_with_len(0xffff, 37), STK_DROP_UDP_BAD_LENGTH);
	CHECK_EQ(udp_with_len(0xffff, 0xffff), STK_DROP_NONE);
	CHECK_EQ(udp_with_len(37, 37), STK_DROP_NONE);
	CHECK_EQ(udp_with_len(8, 37), STK_DROP_NONE);
	CHECK_EQ(udp_with_len(8, 8), STK_DROP_NONE);
	CHECK_EQ(udp_with_len(9, 8), STK_DROP_UDP_BAD_LENGTH);
	/* Truncation is reported before the length field. */
	CHECK_EQ(udp_with_len(3, 7), STK_DROP_UDP_TRUNCATED);
}

/* ---- whole frames from reprs -------------------------------------------- */

static void
test_frames_from_reprs(void)
{
	const struct eth_repr e_req = {gw_mac, host_mac, RTE_ETHER_TYPE_IPV4};
	const struct ipv4_repr i_req = {20, 0, 84, 0x5d2b, 0, true, false, 64, IPV4_PROTO_ICMP,
					HOST_IP, GW_IP};
	const struct icmp_repr c_req = {ICMP_ECHO_REQUEST, 0, 0, 0x0b7a0001};
	const struct eth_repr e_dns = {gw_mac, host_mac, RTE_ETHER_TYPE_IPV4};
	const struct ipv4_repr i_dns = {20, 0, 57, 0x3c4d, 0, true, false, 64, IPV4_PROTO_UDP,
					HOST_IP, GW_IP};
	const struct udp_repr u_dns = {51234, 53, 37, 0xd353};
	const struct eth_repr e_arp = {host_mac, gw_mac, RTE_ETHER_TYPE_ARP};
	const struct arp_repr a_arp = {ARP_OP_REPLY, gw_mac, GW_IP, host_mac, HOST_IP};
	uint8_t f[128];

	/* Ping: Ethernet, IPv4 (checksummed), ICMP over the copied data. */
	memset(f, 0, sizeof(f));
	eth_emit(f, &e_req);
	ipv4_emit(f + 14, &i_req, true);
	memcpy(f + 42, g_echo_req + 42, 56);
	icmp_emit(f + 34, &c_req, 0);
	icmp_emit(f + 34, &c_req, (uint16_t)~rte_raw_cksum(f + 34, 64));
	CHECK(memcmp(f, g_echo_req, sizeof(g_echo_req)) == 0, "%s", __func__);

	memset(f, 0, sizeof(f));
	eth_emit(f, &e_dns);
	ipv4_emit(f + 14, &i_dns, true);
	udp_emit(f + 34, &u_dns);
	memcpy(f + 42, g_dns + 42, 29);
	CHECK(memcmp(f, g_dns, sizeof(g_dns)) == 0, "%s", __func__);

	memset(f, 0, sizeof(f));
	eth_emit(f, &e_arp);
	arp_emit(f + 14, &a_arp);
	CHECK(memcmp(f, g_arp_rep, sizeof(g_arp_rep)) == 0, "%s", __func__);
}

int
main(void)
{
	test_golden_valid();
	test_eth();
	test_arp();
	test_ipv4_golden();
	test_ipv4_emit_parse();
	test_ipv4_header_checks();
	test_ipv4_checksum();
	test_ipv4_options();
	test_ipv4_ttl_frag();
	test_icmp();
	test_udp();
	test_frames_from_reprs();
	return check_done();
}
