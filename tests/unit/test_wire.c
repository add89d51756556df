/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Golden-byte and malformed-input tests for stack/wire.
 *
 * The golden frames (wire_golden.h) are verified here with an independent
 * RFC 1071 sum before anything else uses them. Every parse runs on a heap
 * copy of exactly the length under test, so ASan reports any read past it.
 * The IPv4 malformed-input tests are in test_wire_ipv4.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "check.h"
#include "test_wire.h"
#include "wire/wire.h"
#include "wire_golden.h"

/* Not RTE_IPV4(): it shifts an int left by 24, undefined for a >= 128. */
#define IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define HOST_IP IP4(192, 168, 122, 10)
#define GW_IP IP4(192, 168, 122, 1)

static const struct rte_ether_addr host_mac = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct rte_ether_addr gw_mac = {{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac = {{0}};

/* ---- helpers ------------------------------------------------------------ */

/* RFC 1071 sum of big-endian 16-bit words, folded, not complemented. */
uint16_t
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

enum stk_drop
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
