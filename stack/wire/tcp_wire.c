/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP (RFC 9293) header and option parse and emit: MSS, window scale and
 * timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018). The checksum
 * covers a pseudo-header and the payload, so it is checked by the caller.
 */
#include <assert.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_tcp.h>

#include "wire.h"

static_assert(sizeof(struct rte_tcp_hdr) == TCP_HDR_LEN, "TCP header layout");
static_assert(TCP_FIN == RTE_TCP_FIN_FLAG && TCP_SYN == RTE_TCP_SYN_FLAG &&
	      TCP_RST == RTE_TCP_RST_FLAG && TCP_PSH == RTE_TCP_PSH_FLAG &&
	      TCP_ACK == RTE_TCP_ACK_FLAG && TCP_URG == RTE_TCP_URG_FLAG &&
	      TCP_ECE == RTE_TCP_ECE_FLAG && TCP_CWR == RTE_TCP_CWR_FLAG, "TCP flag bits");

#define TCP_OFF_MIN 5 /**< smallest data offset, in 32-bit words */

/* Option kinds (IANA "TCP Option Kind Numbers") and their lengths. */
#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WS 3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TS 8
#define TCP_OLEN_MSS 4
#define TCP_OLEN_WS 3
#define TCP_OLEN_SACK_PERM 2
#define TCP_OLEN_TS 10
#define TCP_OLEN_SACK_BASE 2 /**< kind and length; then 8 bytes per block */
#define TCP_OLEN_SACK_BLOCK 8

/* Sizes of the emitted parts, padding included (see tcp_opts_len() in wire.h). */
#define TCP_EMIT_MSS 4
#define TCP_EMIT_TS 12
#define TCP_EMIT_SACK_PERM 4
#define TCP_EMIT_WS 4
#define TCP_EMIT_SACK_BASE 4

static uint16_t
tcp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
tcp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *
tcp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *
tcp_put4(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p + 4;
}

/*
 * Record one option of kind @p kind whose @p len bytes (kind and length
 * bytes included, already known to lie inside the header) start at @p p.
 * @return false if a known kind has a length it never has.
 */
static bool
tcp_opt_one(const uint8_t *p, uint8_t kind, uint8_t len, struct tcp_opts *o)
{
	unsigned int n, i;

	switch (kind) {
	case TCP_OPT_MSS:
		if (len != TCP_OLEN_MSS)
			return false;
		o->mss = tcp_get16(p + 2);
		o->has_mss = true;
		return true;
	case TCP_OPT_WS:
		if (len != TCP_OLEN_WS)
			return false;
		o->wscale = p[2];
		o->has_wscale = true;
		return true;
	case TCP_OPT_SACK_PERM:
		if (len != TCP_OLEN_SACK_PERM)
			return false;
		o->sack_permitted = true;
		return true;
	case TCP_OPT_TS:
		if (len != TCP_OLEN_TS)
			return false;
		o->tsval = tcp_get32(p + 2);
		o->tsecr = tcp_get32(p + 6);
		o->has_ts = true;
		return true;
	case TCP_OPT_SACK:
		if ((len - TCP_OLEN_SACK_BASE) % TCP_OLEN_SACK_BLOCK != 0)
			return false;
		n = (unsigned int)(len - TCP_OLEN_SACK_BASE) / TCP_OLEN_SACK_BLOCK;
		/* 5 blocks cannot fit in 40 bytes; checked anyway, it bounds o->sack[]. */
		if (n < 1 || n > TCP_SACK_MAX)
			return false;
		for (i = 0; i < n; i++) {
			o->sack[i].left = tcp_get32(p + 2 + i * TCP_OLEN_SACK_BLOCK);
			o->sack[i].right = tcp_get32(p + 6 + i * TCP_OLEN_SACK_BLOCK);
		}
		o->nb_sack = (uint8_t)n;
		return true;
	default:
		o->unknown++;
		return true;
	}
}

/*
 * Walk the @p len option bytes at @p opt into @p o (zeroed first): EOL ends
 * the list, NOP is one byte, every other option needs a length byte inside
 * the header, at least 2, not running past the header.
 */
static bool
tcp_opts_parse(const uint8_t *opt, size_t len, struct tcp_opts *o)
{
	size_t i = 0;
	uint8_t olen;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		if (opt[i] == TCP_OPT_EOL)
			return true;
		if (opt[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return false;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return false;
		if (!tcp_opt_one(opt + i, opt[i], olen, o))
			return false;
		i += olen;
	}
	return true;
}

/*
 * Checks run in the order documented in wire.h; each one makes the reads of
 * the next safe. The options are parsed into a local struct so that @p r is
 * written only on success.
 */
enum stk_drop
tcp_parse(const void *buf, size_t avail, uint16_t seg_len, struct tcp_repr *r)
{
	const uint8_t *p = buf;
	struct rte_tcp_hdr h;
	struct tcp_opts o;
	size_t hdr_len;

	if (avail < TCP_HDR_LEN || seg_len < TCP_HDR_LEN)
		return STK_DROP_TCP_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	if (h.data_off >> 4 < TCP_OFF_MIN)
		return STK_DROP_TCP_BAD_OFFSET;
	hdr_len = (size_t)(h.data_off >> 4) * 4;
	if (hdr_len > seg_len)
		return STK_DROP_TCP_BAD_OFFSET;
	if (hdr_len > avail)
		return STK_DROP_TCP_TRUNCATED;
	if (!tcp_opts_parse(p + TCP_HDR_LEN, hdr_len - TCP_HDR_LEN, &o))
		return STK_DROP_TCP_BAD_OPTION;

	r->sport = rte_be_to_cpu_16(h.src_port);
	r->dport = rte_be_to_cpu_16(h.dst_port);
	r->seq = rte_be_to_cpu_32(h.sent_seq);
	r->ack = rte_be_to_cpu_32(h.recv_ack);
	r->hdr_len = (uint8_t)hdr_len;
	r->flags = h.tcp_flags;
	r->window = rte_be_to_cpu_16(h.rx_win);
	r->urg_ptr = rte_be_to_cpu_16(h.tcp_urp);
	r->cksum = rte_be_to_cpu_16(h.cksum);
	r->opts = o;
	return STK_DROP_NONE;
}

/* Option bytes of everything but the SACK blocks. */
static size_t
tcp_opts_len_fixed(const struct tcp_opts *o)
{
	size_t len = 0;

	if (o->has_mss)
		len += TCP_EMIT_MSS;
	if (o->has_ts)
		len += TCP_EMIT_TS;
	else if (o->sack_permitted)
		len += TCP_EMIT_SACK_PERM;
	if (o->has_wscale)
		len += TCP_EMIT_WS;
	return len;
}

/* SACK blocks emitted after @p fixed bytes of other options (rule in wire.h). */
static unsigned int
tcp_sack_fit(const struct tcp_opts *o, size_t fixed)
{
	unsigned int n = RTE_MIN((unsigned int)o->nb_sack, (unsigned int)TCP_SACK_MAX);
	size_t room = TCP_OPTS_MAX_LEN - fixed;

	if (n == 0 || room < TCP_EMIT_SACK_BASE + TCP_OLEN_SACK_BLOCK)
		return 0;
	return RTE_MIN(n, (unsigned int)((room - TCP_EMIT_SACK_BASE) / TCP_OLEN_SACK_BLOCK));
}

size_t
tcp_opts_len(const struct tcp_opts *o)
{
	size_t fixed = tcp_opts_len_fixed(o);
	unsigned int n = tcp_sack_fit(o, fixed);

	return fixed + (n ? TCP_EMIT_SACK_BASE + (size_t)n * TCP_OLEN_SACK_BLOCK : 0);
}

/* Write the options of @p o at @p p; @return the end of what was written. */
static uint8_t *
tcp_opts_emit(uint8_t *p, const struct tcp_opts *o)
{
	unsigned int n = tcp_sack_fit(o, tcp_opts_len_fixed(o)), i;

	if (o->has_mss)
		p = tcp_put4(p, TCP_OPT_MSS, TCP_OLEN_MSS, (uint8_t)(o->mss >> 8), (uint8_t)o->mss);
	if (o->has_ts) {
		if (o->sack_permitted)
			p = tcp_put4(p, TCP_OPT_SACK_PERM, TCP_OLEN_SACK_PERM, TCP_OPT_TS,
				     TCP_OLEN_TS);
		else
			p = tcp_put4(p, TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_TS, TCP_OLEN_TS);
		p = tcp_put32(p, o->tsval);
		p = tcp_put32(p, o->tsecr);
	} else if (o->sack_permitted) {
		p = tcp_put4(p, TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK_PERM, TCP_OLEN_SACK_PERM);
	}
	if (o->has_wscale)
		p = tcp_put4(p, TCP_OPT_NOP, TCP_OPT_WS, TCP_OLEN_WS, o->wscale);
	if (n != 0) {
		p = tcp_put4(p, TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK,
			     (uint8_t)(TCP_OLEN_SACK_BASE + n * TCP_OLEN_SACK_BLOCK));
		for (i = 0; i < n; i++) {
			p = tcp_put32(p, o->sack[i].left);
			p = tcp_put32(p, o->sack[i].right);
		}
	}
	return p;
}

void
tcp_emit(void *buf, const struct tcp_repr *r)
{
	uint8_t *p = buf;
	struct rte_tcp_hdr h;
	size_t hdr_len = (size_t)(tcp_opts_emit(p + TCP_HDR_LEN, &r->opts) - p);

	h.src_port = rte_cpu_to_be_16(r->sport);
	h.dst_port = rte_cpu_to_be_16(r->dport);
	h.sent_seq = rte_cpu_to_be_32(r->seq);
	h.recv_ack = rte_cpu_to_be_32(r->ack);
	h.data_off = (uint8_t)(hdr_len / 4 << 4);
	h.tcp_flags = r->flags;
	h.rx_win = rte_cpu_to_be_16(r->window);
	h.cksum = rte_cpu_to_be_16(r->cksum);
	h.tcp_urp = rte_cpu_to_be_16(r->urg_ptr);
	memcpy(p, &h, sizeof(h));
}
