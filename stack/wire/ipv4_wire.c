/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv4 (RFC 791) header parse, check and emit.
 */
#include <assert.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>

#include "wire.h"

static_assert(sizeof(struct rte_ipv4_hdr) == IPV4_HDR_LEN, "IPv4 header layout");

#define IPV4_VERSION 4
#define IPV4_IHL_MIN 5
#define IPV4_OPT_EOL 0 /**< end of option list */
#define IPV4_OPT_NOP 1 /**< no operation */

/*
 * Walk the options in @p opt (@p len bytes, the header beyond its first 20):
 * EOL ends the list, NOP is one byte, every other option carries a length
 * byte (counting the type and length bytes) that must lie inside the header,
 * be at least 2 and not run past the header.
 */
static bool
ipv4_options_ok(const uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opt[i] == IPV4_OPT_EOL)
			return true;
		if (opt[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return false;
		i += opt[i + 1];
	}
	return true;
}

/*
 * Checks run in the order documented in wire.h; each one makes the reads of
 * the next safe. The fixed part is copied into a local rte_ipv4_hdr, the
 * checksum and the options are read from @p buf (rte_raw_cksum reads with
 * memcpy, so any alignment is fine).
 */
enum stk_drop
ipv4_parse(const void *buf, size_t len, bool verify_cksum, struct ipv4_repr *r)
{
	const uint8_t *p = buf;
	struct rte_ipv4_hdr h;
	size_t hdr_len, total_len, payload, frag_off;
	uint16_t frag;

	if (len < IPV4_HDR_LEN)
		return STK_DROP_IPV4_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	if (h.version_ihl >> 4 != IPV4_VERSION)
		return STK_DROP_IPV4_BAD_VERSION;
	if ((h.version_ihl & RTE_IPV4_HDR_IHL_MASK) < IPV4_IHL_MIN)
		return STK_DROP_IPV4_BAD_IHL;
	hdr_len = (size_t)(h.version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (hdr_len > len)
		return STK_DROP_IPV4_TRUNCATED;
	total_len = rte_be_to_cpu_16(h.total_length);
	if (total_len < hdr_len)
		return STK_DROP_IPV4_BAD_LENGTH;
	if (total_len > len)
		return STK_DROP_IPV4_TRUNCATED;
	/* A correct header sums to 0xffff including its checksum field. */
	if (verify_cksum && rte_raw_cksum(buf, hdr_len) != 0xffff)
		return STK_DROP_IPV4_BAD_CHECKSUM;
	if (!ipv4_options_ok(p + IPV4_HDR_LEN, hdr_len - IPV4_HDR_LEN))
		return STK_DROP_IPV4_BAD_OPTION;
	if (h.time_to_live == 0)
		return STK_DROP_IPV4_TTL_ZERO;
	frag = rte_be_to_cpu_16(h.fragment_offset);
	frag_off = (size_t)(frag & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	payload = total_len - hdr_len;
	if (frag_off + payload > RTE_IPV4_MAX_PKT_LEN)
		return STK_DROP_IPV4_FRAG_BAD;
	if ((frag & RTE_IPV4_HDR_MF_FLAG) &&
	    (payload == 0 || payload % RTE_IPV4_HDR_OFFSET_UNITS != 0))
		return STK_DROP_IPV4_FRAG_BAD;

	r->hdr_len = (uint8_t)hdr_len;
	r->tos = h.type_of_service;
	r->total_len = (uint16_t)total_len;
	r->id = rte_be_to_cpu_16(h.packet_id);
	r->frag_off = (uint16_t)frag_off;
	r->df = (frag & RTE_IPV4_HDR_DF_FLAG) != 0;
	r->mf = (frag & RTE_IPV4_HDR_MF_FLAG) != 0;
	r->ttl = h.time_to_live;
	r->proto = h.next_proto_id;
	r->src = h.src_addr;
	r->dst = h.dst_addr;
	return STK_DROP_NONE;
}

void
ipv4_emit(void *buf, const struct ipv4_repr *r, bool cksum)
{
	struct rte_ipv4_hdr h;
	uint16_t frag = (uint16_t)(r->frag_off / RTE_IPV4_HDR_OFFSET_UNITS);

	if (r->df)
		frag |= RTE_IPV4_HDR_DF_FLAG;
	if (r->mf)
		frag |= RTE_IPV4_HDR_MF_FLAG;
	h.version_ihl = IPV4_VERSION << 4 | IPV4_IHL_MIN;
	h.type_of_service = r->tos;
	h.total_length = rte_cpu_to_be_16(r->total_len);
	h.packet_id = rte_cpu_to_be_16(r->id);
	h.fragment_offset = rte_cpu_to_be_16(frag);
	h.time_to_live = r->ttl;
	h.next_proto_id = r->proto;
	h.hdr_checksum = 0;
	h.src_addr = r->src;
	h.dst_addr = r->dst;
	if (cksum)
		h.hdr_checksum = rte_ipv4_cksum(&h);
	memcpy(buf, &h, sizeof(h));
}

void
ipv4_set_cksum(void *buf)
{
	uint8_t *p = buf;
	size_t hdr_len = (size_t)(p[0] & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	uint16_t c = 0;

	memcpy(p + offsetof(struct rte_ipv4_hdr, hdr_checksum), &c, sizeof(c));
	c = (uint16_t)~rte_raw_cksum(p, hdr_len);
	memcpy(p + offsetof(struct rte_ipv4_hdr, hdr_checksum), &c, sizeof(c));
}
