/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Golden-byte, malformed-input and round-trip tests for the TCP wire code
 * (tcp_parse, tcp_opts_len, tcp_emit).
 *
 * The golden segments are IPv4 datagrams as Linux 6.18 put them on the
 * wire: a connection between two network namespaces joined by a veth pair
 * with TX checksum offload off (192.168.122.10 the client, 192.168.122.1 the
 * server, net.ipv4.tcp_rmem max 6 MiB so that the window scale is 7), and
 * the duplicate ACK of a Linux listener behind a TUN device whose peer, a
 * script, sent two segments beyond a hole. Their checksums were checked with
 * scapy and are checked again here with an independent RFC 1071 sum before
 * anything else uses them.
 *
 * Every parse runs on a malloc'd copy of exactly the bytes under test and
 * every emit writes into a malloc'd buffer of exactly the length it should
 * write, so ASan reports any access past them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "check.h"
#include "wire/wire.h"

#define IP_HL 20 /* every golden datagram has a 20-byte IPv4 header */

/* ---- golden segments ---------------------------------------------------- */

/*
 * 192.168.122.10:40000 -> 192.168.122.1:80, connect(): SYN, window 64240,
 * MSS 1460, SACK-permitted, TSval 0x879de571, NOP, window scale 7.
 */
static const uint8_t g_syn[60] = {
	0x45, 0x00, 0x00, 0x3c, 0xe7, 0x1f, 0x40, 0x00, 0x40, 0x06, 0xde, 0x3f,
	0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0x9c, 0x40, 0x00, 0x50,
	0x93, 0xaf, 0x6e, 0x24, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
	0xcc, 0x3e, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x87, 0x9d, 0xe5, 0x71, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};
/* Its answer from the listening Linux: SYN-ACK, window 65160, same options, TSecr echoed. */
static const uint8_t g_synack[60] = {
	0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xc5, 0x5f,
	0xc0, 0xa8, 0x7a, 0x01, 0xc0, 0xa8, 0x7a, 0x0a, 0x00, 0x50, 0x9c, 0x40,
	0x83, 0x00, 0x68, 0xa4, 0x93, 0xaf, 0x6e, 0x25, 0xa0, 0x12, 0xfe, 0x88,
	0xa1, 0x48, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0xa5, 0x94, 0x96, 0x13, 0x87, 0x9d, 0xe5, 0x71, 0x01, 0x03, 0x03, 0x07,
};
/* The client's request, "GET / HTTP/1.0\r\nHost: 192.168.122.1\r\n\r\n": PSH-ACK, NOP NOP TS. */
static const uint8_t g_data[91] = {
	0x45, 0x00, 0x00, 0x5b, 0xe7, 0x21, 0x40, 0x00, 0x40, 0x06, 0xde, 0x1e,
	0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0x9c, 0x40, 0x00, 0x50,
	0x93, 0xaf, 0x6e, 0x25, 0x83, 0x00, 0x68, 0xa5, 0x80, 0x18, 0x01, 0xf6,
	0x8e, 0x6c, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x87, 0x9d, 0xe6, 0x9d,
	0xa5, 0x94, 0x96, 0x13, 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54,
	0x54, 0x50, 0x2f, 0x31, 0x2e, 0x30, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74,
	0x3a, 0x20, 0x31, 0x39, 0x32, 0x2e, 0x31, 0x36, 0x38, 0x2e, 0x31, 0x32,
	0x32, 0x2e, 0x31, 0x0d, 0x0a, 0x0d, 0x0a,
};
/*
 * A Linux listener on 192.168.122.10:80 whose peer sent two segments beyond
 * a hole: the duplicate ACK, NOP NOP TS NOP NOP SACK with 2 blocks (the most
 * recent first).
 */
static const uint8_t g_sack_ack[72] = {
	0x45, 0x00, 0x00, 0x48, 0x7e, 0xf2, 0x40, 0x00, 0x40, 0x06, 0x46, 0x61,
	0xc0, 0xa8, 0x7a, 0x0a, 0xc0, 0xa8, 0x7a, 0x01, 0x00, 0x50, 0x9c, 0x42,
	0xf1, 0x43, 0xcd, 0xcf, 0x1a, 0x2b, 0x3c, 0x4e, 0xd0, 0x10, 0x01, 0xfe,
	0xc0, 0xee, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x08, 0x83, 0x8d, 0x8c,
	0x00, 0x0f, 0x42, 0x41, 0x01, 0x01, 0x05, 0x12, 0x1a, 0x2b, 0x3d, 0x7a,
	0x1a, 0x2b, 0x3d, 0xde, 0x1a, 0x2b, 0x3c, 0xb2, 0x1a, 0x2b, 0x3d, 0x16,
};
/* SYN to a closed port (192.168.122.1:81): RST-ACK, no options, window 0. */
static const uint8_t g_rst[40] = {
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xc5, 0x73,
	0xc0, 0xa8, 0x7a, 0x01, 0xc0, 0xa8, 0x7a, 0x0a, 0x00, 0x51, 0x9c, 0x41,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x31, 0x2a, 0xc6, 0x50, 0x14, 0x00, 0x00,
	0xf2, 0xe9, 0x00, 0x00,
};
/* The server's close() after its reply: FIN-ACK, NOP NOP TS. */
static const uint8_t g_finack[52] = {
	0x45, 0x00, 0x00, 0x34, 0xfb, 0x09, 0x40, 0x00, 0x40, 0x06, 0xca, 0x5d,
	0xc0, 0xa8, 0x7a, 0x01, 0xc0, 0xa8, 0x7a, 0x0a, 0x00, 0x50, 0x9c, 0x40,
	0x83, 0x00, 0x68, 0xcb, 0x93, 0xaf, 0x6e, 0x4c, 0x80, 0x11, 0x01, 0xfd,
	0xc6, 0x74, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0xa5, 0x94, 0x99, 0x98,
	0x87, 0x9d, 0xe7, 0xca,
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

/* Sum of the pseudo-header and the TCP segment of the @p len-byte datagram @p ip. */
static uint16_t
ref_tcp_sum(const uint8_t *ip, size_t len)
{
	uint32_t pseudo = ref_sum(ip + 12, 8, 0) + IPV4_PROTO_TCP + (uint32_t)(len - IP_HL);

	return ref_sum(ip + IP_HL, len - IP_HL, pseudo);
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* malloc'd copy of exactly @p len bytes (ASan catches any overread). */
static uint8_t *
heap_copy(const void *src, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	if (b == NULL)
		abort();
	if (len != 0)
		memcpy(b, src, len);
	return b;
}

/* tcp_parse() on a heap copy of exactly the @p avail bytes at @p src. */
static enum stk_drop
parse_exact(const void *src, size_t avail, uint16_t seg_len, struct tcp_repr *r)
{
	uint8_t *b = heap_copy(src, avail);
	enum stk_drop d = tcp_parse(avail ? b : NULL, avail, seg_len, r);

	free(b);
	return d;
}

/* tcp_emit() of @p r into a heap buffer of exactly @p len bytes, copied to @p out. */
static void
emit_exact(const struct tcp_repr *r, size_t len, uint8_t *out)
{
	uint8_t *b = malloc(len);

	if (b == NULL)
		abort();
	tcp_emit(b, r);
	memcpy(out, b, len);
	free(b);
}

/* Compare every field of two reprs, reporting each difference under @p what. */
static void
check_repr(const char *what, const struct tcp_repr *a, const struct tcp_repr *b)
{
	const struct tcp_opts *x = &a->opts, *y = &b->opts;
	unsigned int i;
	bool same = a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
		    a->ack == b->ack && a->hdr_len == b->hdr_len && a->flags == b->flags &&
		    a->window == b->window && a->urg_ptr == b->urg_ptr && a->cksum == b->cksum;

	CHECK(same, "%s: header fields differ (seq %u/%u ack %u/%u hdr_len %u/%u flags %#x/%#x "
	      "win %u/%u cksum %#x/%#x)", what, a->seq, b->seq, a->ack, b->ack, a->hdr_len,
	      b->hdr_len, a->flags, b->flags, a->window, b->window, a->cksum, b->cksum);
	same = x->mss == y->mss && x->has_mss == y->has_mss && x->wscale == y->wscale &&
	       x->has_wscale == y->has_wscale && x->sack_permitted == y->sack_permitted &&
	       x->has_ts == y->has_ts && x->tsval == y->tsval && x->tsecr == y->tsecr &&
	       x->nb_sack == y->nb_sack && x->unknown == y->unknown;
	for (i = 0; same && i < x->nb_sack && i < TCP_SACK_MAX; i++)
		same = x->sack[i].left == y->sack[i].left && x->sack[i].right == y->sack[i].right;
	CHECK(same, "%s: options differ (mss %u/%u ws %u/%u ts %u/%u sack %u/%u unknown %u/%u)",
	      what, x->mss, y->mss, x->wscale, y->wscale, x->tsval, y->tsval, x->nb_sack,
	      y->nb_sack, x->unknown, y->unknown);
}

/* ---- golden segments: checksums, parse, emit ----------------------------- */

struct golden {
	const char *name;
	const uint8_t *ip; /* the IPv4 datagram */
	size_t len;
	struct tcp_repr want;
};

#define TS(v, e) .has_ts = true, .tsval = (v), .tsecr = (e)
#define SYN_OPTS(v, e) \
	{ .mss = 1460, .has_mss = true, .sack_permitted = true, TS(v, e), .wscale = 7, \
	  .has_wscale = true }

static const struct golden goldens[] = {
	{"syn", g_syn, sizeof(g_syn),
	 {40000, 80, 0x93af6e24, 0, 40, TCP_SYN, 64240, 0, 0xcc3e, SYN_OPTS(0x879de571, 0)}},
	{"syn-ack", g_synack, sizeof(g_synack),
	 {80, 40000, 0x830068a4, 0x93af6e25, 40, TCP_SYN | TCP_ACK, 65160, 0, 0xa148,
	  SYN_OPTS(0xa5949613, 0x879de571)}},
	{"data", g_data, sizeof(g_data),
	 {40000, 80, 0x93af6e25, 0x830068a5, 32, TCP_PSH | TCP_ACK, 502, 0, 0x8e6c,
	  {TS(0x879de69d, 0xa5949613)}}},
	{"sack-ack", g_sack_ack, sizeof(g_sack_ack),
	 {80, 40002, 0xf143cdcf, 0x1a2b3c4e, 52, TCP_ACK, 510, 0, 0xc0ee,
	  {TS(0x08838d8c, 0x000f4241), .nb_sack = 2,
	   .sack = {{0x1a2b3d7a, 0x1a2b3dde}, {0x1a2b3cb2, 0x1a2b3d16}}}}},
	{"rst", g_rst, sizeof(g_rst),
	 {81, 40001, 0, 0x80312ac6, 20, TCP_RST | TCP_ACK, 0, 0, 0xf2e9, {0}}},
	{"fin-ack", g_finack, sizeof(g_finack),
	 {80, 40000, 0x830068cb, 0x93af6e4c, 32, TCP_FIN | TCP_ACK, 509, 0, 0xc674,
	  {TS(0xa5949998, 0x879de7ca)}}},
};

/* The goldens are what they claim: IPv4/TCP, lengths and both checksums right. */
static void
test_golden_valid(void)
{
	const struct golden *g;
	unsigned int i;

	for (i = 0; i < RTE_DIM(goldens); i++) {
		g = &goldens[i];
		CHECK(g->ip[0] == 0x45 && g->ip[9] == IPV4_PROTO_TCP, "%s: not IPv4/TCP", g->name);
		CHECK_EQ(be16(g->ip + 2), g->len);
		CHECK(ref_sum(g->ip, IP_HL, 0) == 0xffff, "%s: IPv4 checksum wrong", g->name);
		CHECK(ref_tcp_sum(g->ip, g->len) == 0xffff, "%s: TCP checksum wrong", g->name);
		CHECK_EQ(be16(g->ip + IP_HL + 16), g->want.cksum);
		CHECK_EQ((g->ip[IP_HL + 12] >> 4) * 4, g->want.hdr_len);
	}
}

/* Every field parsed, whether the payload is readable or not. */
static void
test_golden_parse(void)
{
	const struct golden *g;
	unsigned int i;
	struct tcp_repr r;
	uint16_t seg;

	for (i = 0; i < RTE_DIM(goldens); i++) {
		g = &goldens[i];
		seg = (uint16_t)(g->len - IP_HL);
		memset(&r, 0xa5, sizeof(r));
		CHECK_EQ(parse_exact(g->ip + IP_HL, seg, seg, &r), STK_DROP_NONE);
		check_repr(g->name, &r, &g->want);
		/* Only the header readable (the payload in later mbufs). */
		memset(&r, 0xa5, sizeof(r));
		CHECK_EQ(parse_exact(g->ip + IP_HL, g->want.hdr_len, seg, &r), STK_DROP_NONE);
		check_repr(g->name, &r, &g->want);
		/* A longer segment than the bytes at hand is not the parser's business. */
		CHECK_EQ(parse_exact(g->ip + IP_HL, g->want.hdr_len, 1480, &r), STK_DROP_NONE);
		check_repr(g->name, &r, &g->want);
	}
}

/*
 * Emitting the expected repr, and the parsed one, gives the golden header
 * byte for byte; with the checksum field zeroed, the reference sum over the
 * emitted header and the golden payload gives back the golden checksum.
 */
static void
test_golden_emit(void)
{
	uint8_t out[TCP_HDR_MAX_LEN], *dg;
	const struct golden *g;
	unsigned int i;
	struct tcp_repr r;
	size_t hl;

	for (i = 0; i < RTE_DIM(goldens); i++) {
		g = &goldens[i];
		hl = g->want.hdr_len;
		CHECK_EQ(tcp_opts_len(&g->want.opts), hl - TCP_HDR_LEN);
		emit_exact(&g->want, hl, out);
		CHECK(memcmp(out, g->ip + IP_HL, hl) == 0, "%s: emit differs from Linux", g->name);
		CHECK_EQ(parse_exact(g->ip + IP_HL, hl, (uint16_t)(g->len - IP_HL), &r),
			 STK_DROP_NONE);
		r.hdr_len = 0; /* ignored by emit */
		emit_exact(&r, hl, out);
		CHECK(memcmp(out, g->ip + IP_HL, hl) == 0, "%s: parse+emit not identity", g->name);
		r.cksum = 0;
		dg = heap_copy(g->ip, g->len);
		emit_exact(&r, hl, dg + IP_HL);
		CHECK_EQ((uint16_t)~ref_tcp_sum(dg, g->len), g->want.cksum);
		free(dg);
	}
}

/* ---- malformed input ----------------------------------------------------- */

/* Every cut of every golden header, by the bytes at hand and by the segment length. */
static void
test_truncation(void)
{
	const struct golden *g;
	struct tcp_repr r;
	unsigned int i;
	size_t n, hl;
	uint16_t seg;

	for (i = 0; i < RTE_DIM(goldens); i++) {
		g = &goldens[i];
		hl = g->want.hdr_len;
		seg = (uint16_t)(g->len - IP_HL);
		for (n = 0; n < hl; n++)
			CHECK(parse_exact(g->ip + IP_HL, n, seg, &r) == STK_DROP_TCP_TRUNCATED,
			      "%s: avail %zu", g->name, n);
		for (n = 0; n < hl; n++)
			CHECK(parse_exact(g->ip + IP_HL, seg, (uint16_t)n, &r) ==
				      (n < TCP_HDR_LEN ? STK_DROP_TCP_TRUNCATED :
							 STK_DROP_TCP_BAD_OFFSET),
			      "%s: seg_len %zu", g->name, n);
		CHECK_EQ(parse_exact(g->ip + IP_HL, hl, (uint16_t)hl, &r), STK_DROP_NONE);
	}
}

/* A 60-byte buffer: the RST header with data offset @p off, options all NOP. */
static void
offset_hdr(uint8_t *b, unsigned int off)
{
	memset(b, 1, TCP_HDR_MAX_LEN);
	memcpy(b, g_rst + IP_HL, TCP_HDR_LEN);
	b[12] = (uint8_t)(off << 4);
}

/* Data offsets 0..15, and the order of the offset and truncation checks. */
static void
test_offset(void)
{
	uint8_t b[TCP_HDR_MAX_LEN];
	struct tcp_repr r;
	unsigned int off;

	for (off = 0; off < 16; off++) {
		offset_hdr(b, off);
		if (off < 5) {
			CHECK(parse_exact(b, 60, 60, &r) == STK_DROP_TCP_BAD_OFFSET, "off %u", off);
			CHECK(parse_exact(b, 20, 20, &r) == STK_DROP_TCP_BAD_OFFSET, "off %u", off);
			continue;
		}
		CHECK(parse_exact(b, off * 4, (uint16_t)(off * 4), &r) == STK_DROP_NONE,
		      "offset %u", off);
		CHECK_EQ(r.hdr_len, off * 4);
		CHECK_EQ(r.opts.unknown + r.opts.has_ts + r.opts.nb_sack, 0);
		if (off > 5) {
			CHECK(parse_exact(b, off * 4 - 1, 60, &r) == STK_DROP_TCP_TRUNCATED,
			      "offset %u", off);
			CHECK(parse_exact(b, 60, (uint16_t)(off * 4 - 1), &r) ==
				      STK_DROP_TCP_BAD_OFFSET, "offset %u", off);
		}
	}
	/* Too short beats a bad offset; a header beyond the segment beats one beyond the bytes. */
	offset_hdr(b, 0);
	CHECK_EQ(parse_exact(b, 19, 60, &r), STK_DROP_TCP_TRUNCATED);
	CHECK_EQ(parse_exact(b, 60, 19, &r), STK_DROP_TCP_TRUNCATED);
	offset_hdr(b, 15);
	CHECK_EQ(parse_exact(b, 20, 40, &r), STK_DROP_TCP_BAD_OFFSET);
	CHECK_EQ(parse_exact(b, 40, 60, &r), STK_DROP_TCP_TRUNCATED);
	/* Truncation and offset beat malformed options. */
	b[59] = 2; /* MSS kind with no length byte */
	CHECK_EQ(parse_exact(b, 60, 60, &r), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(parse_exact(b, 59, 60, &r), STK_DROP_TCP_TRUNCATED);
	CHECK_EQ(parse_exact(b, 60, 59, &r), STK_DROP_TCP_BAD_OFFSET);
}

/*
 * Parse a header whose options are the @p n bytes at @p opt (n a multiple
 * of 4, at most 40), so that the header ends where they do.
 */
static enum stk_drop
parse_opts(const uint8_t *opt, size_t n, struct tcp_repr *r)
{
	uint8_t b[TCP_HDR_MAX_LEN];

	CHECK(n % 4 == 0 && n <= TCP_OPTS_MAX_LEN, "test bug: %zu option bytes", n);
	if (n % 4 != 0 || n > TCP_OPTS_MAX_LEN)
		return STK_DROP__MAX;
	memcpy(b, g_data + IP_HL, TCP_HDR_LEN);
	b[12] = (uint8_t)((TCP_HDR_LEN + n) / 4 << 4);
	memcpy(b + TCP_HDR_LEN, opt, n);
	return parse_exact(b, TCP_HDR_LEN + n, (uint16_t)(TCP_HDR_LEN + n + 100), r);
}

/* parse_opts() of the option bytes listed (a compound literal). */
#define PARSE_OPTS(r, ...) \
	parse_opts((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), (r))

/* Length bytes missing, below 2 or running past the header. */
static void
test_option_framing(void)
{
	struct tcp_repr r;

	/* The kind is the last byte of the header: no length byte. */
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 2), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 30), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 5, 0xb4, 1, 1, 1, 8), STK_DROP_TCP_BAD_OPTION);
	/* Length 0 or 1, for known and unknown kinds (0 would loop for ever). */
	CHECK_EQ(PARSE_OPTS(&r, 2, 0, 5, 0xb4), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 2, 1, 5, 0xb4), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 30, 0, 0, 0), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 30, 1), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 5, 0, 0, 0), STK_DROP_TCP_BAD_OPTION);
	/* Running past the header by one byte. */
	CHECK_EQ(PARSE_OPTS(&r, 1, 2, 4, 5), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 30, 5, 0, 0), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 8, 10, 0, 0, 0, 1), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 3, 3, 7, 0, 0), STK_DROP_NONE);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 1, 1, 3, 3, 7), STK_DROP_NONE); /* ends with the header */
	CHECK(r.opts.has_wscale && r.opts.wscale == 7, "wscale at the very end");
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 1, 1, 1, 3, 3), STK_DROP_TCP_BAD_OPTION);
	/* An unknown option exactly filling the space, and one byte too long. */
	CHECK_EQ(PARSE_OPTS(&r, 253, 40, [39] = 0xee), STK_DROP_NONE);
	CHECK_EQ(r.opts.unknown, 1);
	CHECK_EQ(PARSE_OPTS(&r, 253, 41, [39] = 0xee), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 253, 255, [39] = 0xee), STK_DROP_TCP_BAD_OPTION);
	/* SACK with 5 blocks (42 bytes) cannot fit in 40. */
	CHECK_EQ(PARSE_OPTS(&r, 5, 42, [39] = 0), STK_DROP_TCP_BAD_OPTION);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 5, 42, [39] = 0), STK_DROP_TCP_BAD_OPTION);
}

/* Whether length @p len is the one (or one of those) option @p kind has. */
static bool
ref_len_ok(uint8_t kind, unsigned int len)
{
	switch (kind) {
	case 2: return len == 4;
	case 3: return len == 3;
	case 4: return len == 2;
	case 8: return len == 10;
	case 5: return len == 10 || len == 18 || len == 26 || len == 34;
	default: return len >= 2;
	}
}

/*
 * Every length 2..40 of every known kind (and of two unknown ones), the
 * option first and followed by zeros (EOL): accepted exactly when the length
 * is the kind's own; the value read where it should be.
 */
static void
test_option_lengths(void)
{
	static const uint8_t kinds[] = {2, 3, 4, 5, 8, 30, 254};
	uint8_t o[TCP_OPTS_MAX_LEN];
	unsigned int k, len, i;
	struct tcp_repr r;
	enum stk_drop d, want;

	for (k = 0; k < RTE_DIM(kinds); k++) {
		for (len = 2; len <= TCP_OPTS_MAX_LEN; len++) {
			memset(o, 0, sizeof(o));
			o[0] = kinds[k];
			o[1] = (uint8_t)len;
			for (i = 2; i < len; i++)
				o[i] = (uint8_t)(0x10 + i);
			d = parse_opts(o, RTE_ALIGN_CEIL(len, 4), &r);
			want = ref_len_ok(kinds[k], len) ? STK_DROP_NONE : STK_DROP_TCP_BAD_OPTION;
			CHECK(d == want, "kind %u length %u: drop %d", kinds[k], len, d);
			if (d != STK_DROP_NONE)
				continue;
			if (kinds[k] == 5)
				CHECK(r.opts.nb_sack == (len - 2) / 8 &&
				      r.opts.sack[0].left == 0x12131415 &&
				      r.opts.sack[0].right == 0x16171819, "sack length %u", len);
			else
				CHECK_EQ(r.opts.unknown, kinds[k] >= 30);
		}
	}
	CHECK_EQ(PARSE_OPTS(&r, 5, 2, 0, 0), STK_DROP_TCP_BAD_OPTION); /* SACK, no block */
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 0x12, 0x34), STK_DROP_NONE);
	CHECK(r.opts.has_mss && r.opts.mss == 0x1234, "mss %u", r.opts.mss);
	CHECK_EQ(PARSE_OPTS(&r, 1, 3, 3, 0xff), STK_DROP_NONE);
	CHECK(r.opts.has_wscale && r.opts.wscale == 0xff, "wscale %u not reported as sent",
	      r.opts.wscale);
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 0, 0), STK_DROP_NONE);
	CHECK(r.opts.has_mss && r.opts.mss == 0, "MSS 0 present");
}

/* Unknown options skipped and counted, EOL, NOPs, repeats, a failed parse writes nothing. */
static void
test_option_semantics(void)
{
	struct tcp_repr r, keep;

	/* MPTCP (30), MD5 (19, 18 bytes) and an experimental option around known ones. */
	CHECK_EQ(PARSE_OPTS(&r, 30, 4, 0x11, 0x22, 2, 4, 5, 0xb4, 19, 18, [26] = 8, 10, 0, 0, 0, 9,
			    0, 0, 0, 8, 254, 4, 0xf9, 0x89),
		 STK_DROP_NONE);
	CHECK_EQ(r.opts.unknown, 3);
	CHECK(r.opts.has_mss && r.opts.mss == 1460, "mss after an unknown option");
	CHECK(r.opts.has_ts && r.opts.tsval == 9 && r.opts.tsecr == 8, "ts after MD5");
	CHECK_EQ(r.hdr_len, 60);
	CHECK_EQ(PARSE_OPTS(&r, 30, 2, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0), STK_DROP_NONE);
	CHECK(r.opts.unknown == 1 && r.opts.nb_sack == 1 && r.opts.sack[0].right == 2,
	      "SACK after an unknown option");
	/* EOL ends the list: what follows is padding, whatever it holds. */
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 5, 0xb4, 0, 0xff, 0x01, 0x02), STK_DROP_NONE);
	CHECK(r.opts.has_mss && r.opts.unknown == 0, "EOL after MSS");
	CHECK_EQ(PARSE_OPTS(&r, 0, 2, 1, 1), STK_DROP_NONE);
	CHECK(!r.opts.has_mss, "MSS after EOL read");
	/* Forty NOPs. */
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
			    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
		 STK_DROP_NONE);
	CHECK(!r.opts.has_mss && !r.opts.has_ts && !r.opts.sack_permitted && !r.opts.has_wscale &&
	      r.opts.nb_sack == 0 && r.opts.unknown == 0, "NOPs only");
	/* A kind seen twice: the later one wins. */
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 5, 0xb4, 2, 4, 2, 0x18), STK_DROP_NONE);
	CHECK_EQ(r.opts.mss, 536);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
			    1, 1, 5, 10, 0, 0, 0, 7, 0, 0, 0, 8),
		 STK_DROP_NONE);
	CHECK(r.opts.nb_sack == 1 && r.opts.sack[0].left == 7 && r.opts.sack[0].right == 8,
	      "second SACK option");
	/* SYN options on a data segment are parsed: judging them is the engine's job. */
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 5, 0xb4, 1, 3, 3, 14, 1, 1, 4, 2), STK_DROP_NONE);
	CHECK(r.flags == (TCP_PSH | TCP_ACK) && r.opts.has_mss && r.opts.has_wscale &&
	      r.opts.wscale == 14 && r.opts.sack_permitted, "SYN options on a data segment");
	/* Nothing written on failure. */
	memset(&r, 0x5a, sizeof(r));
	keep = r;
	CHECK_EQ(PARSE_OPTS(&r, 2, 4, 5, 0xb4, 1, 1, 8, 9), STK_DROP_TCP_BAD_OPTION);
	CHECK(memcmp(&r, &keep, sizeof(r)) == 0, "repr written by a failed parse");
	CHECK_EQ(parse_exact(g_syn + IP_HL, 39, 40, &r), STK_DROP_TCP_TRUNCATED);
	CHECK(memcmp(&r, &keep, sizeof(r)) == 0, "repr written by a failed parse");
}

/* Every flag combination accepted as it is; the reserved bits ignored, emitted as 0. */
static void
test_flags(void)
{
	uint8_t b[TCP_HDR_LEN], out[TCP_HDR_LEN];
	struct tcp_repr r;
	unsigned int f;

	memcpy(b, g_rst + IP_HL, TCP_HDR_LEN);
	for (f = 0; f < 256; f++) {
		b[12] = (uint8_t)(0x50 | (f & 0xf));
		b[13] = (uint8_t)f;
		CHECK(parse_exact(b, TCP_HDR_LEN, TCP_HDR_LEN, &r) == STK_DROP_NONE, "%#x", f);
		CHECK(r.flags == f && r.hdr_len == TCP_HDR_LEN, "%#x read as %#x", f, r.flags);
		emit_exact(&r, TCP_HDR_LEN, out);
		b[12] = 0x50;
		CHECK(memcmp(out, b, TCP_HDR_LEN) == 0, "flags %#x: emit differs", f);
	}
}

/* ---- emit: layouts and round trips -------------------------------------- */

/*
 * The test's own statement of the layout in wire.h: write the options of
 * @p o at @p p, set *@p nb_out to the SACK blocks written and @return the
 * option length.
 */
static size_t
ref_layout(const struct tcp_opts *o, uint8_t *p, unsigned int *nb_out)
{
	size_t n = 0, used;
	unsigned int k, i, nb = o->nb_sack < 4 ? o->nb_sack : 4;

	if (o->has_mss) {
		const uint8_t m[] = {2, 4, (uint8_t)(o->mss >> 8), (uint8_t)o->mss};
		memcpy(p + n, m, 4);
		n += 4;
	}
	if (o->has_ts) {
		const uint8_t t[] = {o->sack_permitted ? 4 : 1, o->sack_permitted ? 2 : 1, 8, 10};
		memcpy(p + n, t, 4);
		for (i = 0; i < 4; i++) {
			p[n + 4 + i] = (uint8_t)(o->tsval >> (24 - 8 * i));
			p[n + 8 + i] = (uint8_t)(o->tsecr >> (24 - 8 * i));
		}
		n += 12;
	} else if (o->sack_permitted) {
		memcpy(p + n, (const uint8_t[]){1, 1, 4, 2}, 4);
		n += 4;
	}
	if (o->has_wscale) {
		memcpy(p + n, (const uint8_t[]){1, 3, 3, o->wscale}, 4);
		n += 4;
	}
	used = n;
	k = nb;
	while (k > 0 && used + 4 + 8 * k > 40)
		k--;
	*nb_out = k;
	if (k == 0)
		return n;
	memcpy(p + n, (const uint8_t[]){1, 1, 5, (uint8_t)(2 + 8 * k)}, 4);
	n += 4;
	for (i = 0; i < 8 * k; i++)
		p[n + i] = (uint8_t)((i % 8 < 4 ? o->sack[i / 8].left : o->sack[i / 8].right) >>
				     (24 - 8 * (i % 4)));
	return n + 8 * k;
}

/* xorshift64* (Vigna); the state must not be zero. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(0x2545f4914f6cdd1d);
}

/*
 * Emit @p r into an exact buffer, compare the options with ref_layout(),
 * parse them back and compare with @p r (SACK blocks cut to those that fit,
 * values of absent options read as 0). @return the SACK blocks emitted.
 */
static unsigned int
roundtrip(const char *what, const struct tcp_repr *r)
{
	uint8_t out[TCP_HDR_MAX_LEN], want[TCP_OPTS_MAX_LEN];
	size_t olen = tcp_opts_len(&r->opts);
	struct tcp_repr back, exp = *r;
	unsigned int nb;
	size_t rlen = ref_layout(&r->opts, want, &nb);

	CHECK(olen == rlen && olen % 4 == 0 && olen <= TCP_OPTS_MAX_LEN,
	      "%s: tcp_opts_len %zu, layout %zu", what, olen, rlen);
	if (olen != rlen)
		return nb;
	emit_exact(r, TCP_HDR_LEN + olen, out);
	CHECK(memcmp(out + TCP_HDR_LEN, want, olen) == 0, "%s: option bytes differ", what);
	CHECK(out[12] == (TCP_HDR_LEN + olen) / 4 << 4, "%s: data offset %#x", what, out[12]);
	CHECK(parse_exact(out, TCP_HDR_LEN + olen, (uint16_t)(TCP_HDR_LEN + olen), &back) ==
		      STK_DROP_NONE, "%s: emitted header not parsed", what);
	exp.hdr_len = (uint8_t)(TCP_HDR_LEN + olen);
	exp.opts.unknown = 0;
	exp.opts.nb_sack = (uint8_t)nb;
	exp.opts.mss = exp.opts.has_mss ? exp.opts.mss : 0;
	exp.opts.wscale = exp.opts.has_wscale ? exp.opts.wscale : 0;
	exp.opts.tsval = exp.opts.has_ts ? exp.opts.tsval : 0;
	exp.opts.tsecr = exp.opts.has_ts ? exp.opts.tsecr : 0;
	check_repr(what, &back, &exp);
	return nb;
}

/* A repr with random fields; options from the bits of @p mask, @p nb SACK blocks. */
static void
random_repr(uint64_t *s, unsigned int mask, unsigned int nb, struct tcp_repr *r)
{
	unsigned int i;
	uint64_t v = rnd(s);

	memset(r, 0, sizeof(*r));
	r->sport = (uint16_t)v;
	r->dport = (uint16_t)(v >> 16);
	r->seq = (uint32_t)(v >> 32);
	v = rnd(s);
	r->ack = (uint32_t)v;
	r->flags = (uint8_t)(v >> 32);
	r->window = (uint16_t)(v >> 40);
	r->urg_ptr = (uint16_t)(v >> 48);
	r->cksum = (uint16_t)rnd(s);
	r->hdr_len = (uint8_t)rnd(s); /* ignored by emit */
	v = rnd(s);
	r->opts.mss = (uint16_t)v; /* emitted only with has_mss */
	r->opts.wscale = (uint8_t)(v >> 16);
	r->opts.tsval = (uint32_t)rnd(s);
	r->opts.tsecr = (uint32_t)rnd(s);
	r->opts.has_mss = mask & 1;
	r->opts.sack_permitted = mask & 2;
	r->opts.has_ts = mask & 4;
	r->opts.has_wscale = mask & 8;
	r->opts.unknown = (uint8_t)(mask >> 4); /* ignored by emit */
	r->opts.nb_sack = (uint8_t)nb;
	for (i = 0; i < TCP_SACK_MAX; i++) {
		r->opts.sack[i].left = (uint32_t)rnd(s);
		r->opts.sack[i].right = (uint32_t)rnd(s);
	}
}

/* Set every value of @p r (not the presence flags, not nb_sack) to all zeros or all ones. */
static void
repr_fill(struct tcp_repr *r, bool ones)
{
	uint32_t v = ones ? UINT32_MAX : 0;
	unsigned int i;

	r->sport = r->dport = r->window = r->urg_ptr = r->cksum = r->opts.mss = (uint16_t)v;
	r->seq = r->ack = r->opts.tsval = r->opts.tsecr = v;
	r->flags = r->hdr_len = r->opts.wscale = (uint8_t)v;
	for (i = 0; i < TCP_SACK_MAX; i++)
		r->opts.sack[i].left = r->opts.sack[i].right = v;
}

/*
 * Every option combination with 0..4 SACK blocks (and unknown counts that
 * emit must ignore): values all zeros, all ones, then random.
 */
static void
test_roundtrip(void)
{
	uint64_t s = UINT64_C(0x2b992ddfa23249d6);
	unsigned int mask, nb, it;
	struct tcp_repr r;
	char what[64];

	for (it = 0; it < 50; it++) {
		for (mask = 0; mask < 64; mask++) {
			for (nb = 0; nb <= TCP_SACK_MAX; nb++) {
				snprintf(what, sizeof(what), "#%u mask %#x sack %u", it, mask, nb);
				random_repr(&s, mask, nb, &r);
				if (it < 2)
					repr_fill(&r, it == 1);
				roundtrip(what, &r);
			}
		}
	}
}

/* The layouts wire.h spells out, and the rule for SACK blocks that do not fit. */
static void
test_layouts(void)
{
	static const uint8_t syn_no_ts[] = {2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
	static const uint8_t syn_ts_only[] = {2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1,
					      0, 0, 0, 2, 1, 3, 3, 7};
	struct tcp_repr r = {.sport = 1, .dport = 2, .flags = TCP_SYN};
	uint8_t out[TCP_HDR_MAX_LEN];

	r.opts = (struct tcp_opts){.mss = 1460, .has_mss = true, .sack_permitted = true,
				   .wscale = 7, .has_wscale = true};
	CHECK_EQ(tcp_opts_len(&r.opts), sizeof(syn_no_ts));
	emit_exact(&r, TCP_HDR_LEN + sizeof(syn_no_ts), out);
	CHECK(memcmp(out + TCP_HDR_LEN, syn_no_ts, sizeof(syn_no_ts)) == 0, "SYN without TS");
	r.opts.sack_permitted = false;
	r.opts.has_ts = true;
	r.opts.tsval = 1;
	r.opts.tsecr = 2;
	CHECK_EQ(tcp_opts_len(&r.opts), sizeof(syn_ts_only));
	emit_exact(&r, TCP_HDR_LEN + sizeof(syn_ts_only), out);
	CHECK(memcmp(out + TCP_HDR_LEN, syn_ts_only, sizeof(syn_ts_only)) == 0, "SYN, TS only");
	r.opts = (struct tcp_opts){0};
	CHECK_EQ(tcp_opts_len(&r.opts), 0);
	/* SACK blocks alone: 4 fit (36 bytes); with TS, 3 (40); with every SYN option, 2 (40). */
	r.opts.nb_sack = 4;
	CHECK_EQ(roundtrip("4 blocks alone", &r), 4);
	CHECK_EQ(tcp_opts_len(&r.opts), 36);
	r.opts.has_ts = true;
	CHECK_EQ(roundtrip("4 blocks with TS", &r), 3);
	CHECK_EQ(tcp_opts_len(&r.opts), 40);
	r.opts.has_mss = r.opts.has_wscale = r.opts.sack_permitted = true;
	CHECK_EQ(roundtrip("4 blocks with SYN options", &r), 2);
	CHECK_EQ(tcp_opts_len(&r.opts), 40);
	r.opts.has_ts = false; /* MSS, sackOK, WS: 12 bytes, 28 left */
	CHECK_EQ(roundtrip("4 blocks with MSS, sackOK, WS", &r), 3);
	r.opts.nb_sack = 1;
	CHECK_EQ(roundtrip("1 block with MSS, sackOK, WS", &r), 1);
	/* More blocks than a SACK option holds are read as TCP_SACK_MAX. */
	r.opts = (struct tcp_opts){.nb_sack = 200};
	CHECK_EQ(tcp_opts_len(&r.opts), 36);
	CHECK_EQ(roundtrip("200 blocks", &r), 4);
}

int
main(void)
{
	test_golden_valid();
	test_golden_parse();
	test_golden_emit();
	test_truncation();
	test_offset();
	test_option_framing();
	test_option_lengths();
	test_option_semantics();
	test_flags();
	test_layouts();
	test_roundtrip();
	return check_done();
}
