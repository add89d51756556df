/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ICMP (RFC 792) header parse and emit. The checksum covers the whole
 * message, so it is computed and checked by the caller, not here.
 */
#include <assert.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "wire.h"

static_assert(sizeof(struct rte_icmp_hdr) == ICMP_HDR_LEN, "ICMP header layout");

/*
 * Bytes 4..7 are type-specific (echo identifier and sequence, next-hop MTU,
 * unused, ...). rte_icmp_hdr names them as the echo fields; the repr keeps
 * them as one 32-bit word.
 */
enum stk_drop
icmp_parse(const void *buf, size_t len, struct icmp_repr *r)
{
	struct rte_icmp_hdr h;

	if (len < ICMP_HDR_LEN)
		return STK_DROP_ICMP_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	r->type = h.icmp_type;
	r->code = h.icmp_code;
	r->cksum = rte_be_to_cpu_16(h.icmp_cksum);
	r->rest = (uint32_t)rte_be_to_cpu_16(h.icmp_ident) << 16 | rte_be_to_cpu_16(h.icmp_seq_nb);
	return STK_DROP_NONE;
}

void
icmp_emit(void *buf, const struct icmp_repr *r, uint16_t cksum)
{
	struct rte_icmp_hdr h;

	h.icmp_type = r->type;
	h.icmp_code = r->code;
	h.icmp_cksum = cksum;
	h.icmp_ident = rte_cpu_to_be_16((uint16_t)(r->rest >> 16));
	h.icmp_seq_nb = rte_cpu_to_be_16((uint16_t)r->rest);
	memcpy(buf, &h, sizeof(h));
}

enum stk_drop
icmp_quote_parse(const void *buf, size_t len, struct icmp_quote *q)
{
	const uint8_t *b = buf;
	struct rte_ipv4_hdr h;
	size_t hl;
	uint8_t l4[8];

	if (len < sizeof(h))
		return STK_DROP_ICMP_TRUNCATED;
	memcpy(&h, b, sizeof(h));
	hl = (size_t)(h.version_ihl & 0x0f) * 4;
	if ((h.version_ihl >> 4) != 4 || hl < sizeof(h) || len < hl + sizeof(l4))
		return STK_DROP_ICMP_TRUNCATED;
	memcpy(l4, b + hl, sizeof(l4));
	q->proto = h.next_proto_id;
	q->src = h.src_addr;
	q->dst = h.dst_addr;
	q->sport = (uint16_t)(l4[0] << 8 | l4[1]);
	q->dport = (uint16_t)(l4[2] << 8 | l4[3]);
	q->seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
	return STK_DROP_NONE;
}
