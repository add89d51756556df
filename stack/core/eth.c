/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II input demux, output and per-port TX batching. */
#include "stk_priv.h"

const struct rte_ether_addr stk_ether_bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
const struct rte_ether_addr stk_ether_zero;

static bool
mac_accepted(const struct rte_ether_addr *dst, const struct stk_port_conf *pc)
{
	return rte_is_same_ether_addr(dst, &pc->mac) || rte_is_broadcast_ether_addr(dst);
}

void
eth_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	struct eth_repr eth;
	enum stk_drop why;

	m = stk_mbuf_pullup(in, m, STK_PULLUP_LEN);
	if (m == NULL)
		return;
	why = eth_parse(rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m), &eth);
	if (why == STK_DROP_NONE && !mac_accepted(&eth.dst, pc))
		why = STK_DROP_ETH_NOT_FOR_US;
	if (why == STK_DROP_NONE && rte_is_same_ether_addr(&eth.src, &pc->mac))
		why = STK_DROP_ETH_OWN_SRC;
	if (why != STK_DROP_NONE) {
		in->stats.drop[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_adj(m, ETH_HDR_LEN);
	m->l2_len = 0;
	switch (eth.ethertype) {
	case RTE_ETHER_TYPE_ARP:
		arp_input(in, port, m);
		break;
	case RTE_ETHER_TYPE_IPV4:
		ipv4_input(in, port, m);
		break;
	default:
		STK_DROP(in, ETH_UNKNOWN_TYPE);
		rte_pktmbuf_free(m);
		break;
	}
}

static void
tx_flush_port(struct stk_inst *in, uint16_t port)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	struct tx_batch *b = &in->tx[port];
	uint16_t sent, i;
	uint64_t bytes = 0;

	if (b->n == 0)
		return;
	for (i = 0; i < b->n; i++)
		bytes += b->pkts[i]->pkt_len;
	sent = pc->ops->tx_burst(pc->dev, (uint16_t)in->idx, b->pkts, b->n);
	for (i = sent; i < b->n; i++) {
		bytes -= b->pkts[i]->pkt_len;
		STK_DROP(in, TX_FULL);
		rte_pktmbuf_free(b->pkts[i]);
	}
	STK_COUNT_N(in, TX_FRAMES, sent);
	STK_COUNT_N(in, TX_BYTES, bytes);
	b->n = 0;
}

void
eth_tx_flush(struct stk_inst *in)
{
	uint16_t p;

	for (p = 0; p < in->sh->nb_ports; p++)
		tx_flush_port(in, p);
}

void
eth_output(struct stk_inst *in, uint16_t port, const struct rte_ether_addr *dst,
	   uint16_t ethertype, struct rte_mbuf *m)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	struct tx_batch *b = &in->tx[port];
	struct eth_repr eth = { .dst = *dst, .src = pc->mac, .ethertype = ethertype };
	void *hdr = rte_pktmbuf_prepend(m, ETH_HDR_LEN);

	if (hdr == NULL) {
		/* Callers reserve STK_HDR_ROOM; a packet without it is a stack bug. */
		STK_DROP(in, NO_MBUF);
		rte_pktmbuf_free(m);
		return;
	}
	eth_emit(hdr, &eth);
	m->l2_len = ETH_HDR_LEN;
	if (in->idx >= pc->nb_queues) {
		/* This instance has no queue on the port: hand the frame to instance 0. */
		STK_DROP(in, TX_FULL);
		rte_pktmbuf_free(m);
		return;
	}
	if (b->n == STK_TX_BATCH)
		tx_flush_port(in, port);
	b->pkts[b->n++] = m;
}

bool
eth_addr_is_ours(const struct stk_shared *sh, rte_be32_t ip)
{
	uint16_t p;

	for (p = 0; p < sh->nb_ports; p++)
		if (sh->ports[p].addr == ip)
			return true;
	return false;
}
