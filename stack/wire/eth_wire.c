/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet II header parse and emit.
 */
#include <assert.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "wire.h"

static_assert(sizeof(struct rte_ether_hdr) == ETH_HDR_LEN, "Ethernet header layout");

/*
 * The header is copied into a local rte_ether_hdr: @p buf may sit at any
 * alignment, and rte_ether_hdr is declared 2-byte aligned. The repr is also
 * filled when a VLAN tag is found, so that the caller can see the tag type.
 */
enum stk_drop
eth_parse(const void *buf, size_t len, struct eth_repr *r)
{
	struct rte_ether_hdr h;
	uint16_t type;

	if (len < ETH_HDR_LEN)
		return STK_DROP_ETH_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	type = rte_be_to_cpu_16(h.ether_type);
	r->dst = h.dst_addr;
	r->src = h.src_addr;
	r->ethertype = type;
	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ)
		return STK_DROP_ETH_VLAN;
	return STK_DROP_NONE;
}

void
eth_emit(void *buf, const struct eth_repr *r)
{
	struct rte_ether_hdr h;

	h.dst_addr = r->dst;
	h.src_addr = r->src;
	h.ether_type = rte_cpu_to_be_16(r->ethertype);
	memcpy(buf, &h, sizeof(h));
}
