/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * UDP (RFC 768) header parse and emit. The checksum covers a pseudo-header
 * and the payload, so it is checked by the caller, not here.
 */
#include <assert.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_udp.h>

#include "wire.h"

static_assert(sizeof(struct rte_udp_hdr) == UDP_HDR_LEN, "UDP header layout");

enum stk_drop
udp_parse(const void *buf, size_t avail, uint16_t ip_payload_len, struct udp_repr *r)
{
	struct rte_udp_hdr h;
	uint16_t len;

	if (avail < UDP_HDR_LEN || ip_payload_len < UDP_HDR_LEN)
		return STK_DROP_UDP_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	len = rte_be_to_cpu_16(h.dgram_len);
	if (len < UDP_HDR_LEN || len > ip_payload_len)
		return STK_DROP_UDP_BAD_LENGTH;
	r->sport = rte_be_to_cpu_16(h.src_port);
	r->dport = rte_be_to_cpu_16(h.dst_port);
	r->len = len;
	r->cksum = rte_be_to_cpu_16(h.dgram_cksum);
	return STK_DROP_NONE;
}

void
udp_emit(void *buf, const struct udp_repr *r)
{
	struct rte_udp_hdr h;

	h.src_port = rte_cpu_to_be_16(r->sport);
	h.dst_port = rte_cpu_to_be_16(r->dport);
	h.dgram_len = rte_cpu_to_be_16(r->len);
	h.dgram_cksum = rte_cpu_to_be_16(r->cksum);
	memcpy(buf, &h, sizeof(h));
}
