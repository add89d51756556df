/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ARP (RFC 826) parse and emit, Ethernet/IPv4 only.
 */
#include <assert.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "wire.h"

static_assert(sizeof(struct rte_arp_hdr) == ARP_PKT_LEN, "ARP packet layout");

/* The packet is copied into a local rte_arp_hdr (declared 2-byte aligned). */
enum stk_drop
arp_parse(const void *buf, size_t len, struct arp_repr *r)
{
	struct rte_arp_hdr h;
	uint16_t op;

	if (len < ARP_PKT_LEN)
		return STK_DROP_ARP_TRUNCATED;
	memcpy(&h, buf, sizeof(h));
	if (h.arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    h.arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || h.arp_hlen != RTE_ETHER_ADDR_LEN ||
	    h.arp_plen != sizeof(rte_be32_t))
		return STK_DROP_ARP_BAD_FORMAT;
	op = rte_be_to_cpu_16(h.arp_opcode);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return STK_DROP_ARP_BAD_OP;
	r->op = op;
	r->sha = h.arp_data.arp_sha;
	r->spa = h.arp_data.arp_sip;
	r->tha = h.arp_data.arp_tha;
	r->tpa = h.arp_data.arp_tip;
	return STK_DROP_NONE;
}

void
arp_emit(void *buf, const struct arp_repr *r)
{
	struct rte_arp_hdr h;

	h.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	h.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	h.arp_hlen = RTE_ETHER_ADDR_LEN;
	h.arp_plen = sizeof(rte_be32_t);
	h.arp_opcode = rte_cpu_to_be_16(r->op);
	h.arp_data.arp_sha = r->sha;
	h.arp_data.arp_sip = r->spa;
	h.arp_data.arp_tha = r->tha;
	h.arp_data.arp_tip = r->tpa;
	memcpy(buf, &h, sizeof(h));
}
