/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragmentation and reassembly on DPDK's rte_ip_frag.
 *
 * Reassembly is bounded three ways: frag_max_flows datagrams in progress per
 * instance, RTE_LIBRTE_IP_FRAG_MAX_FRAG fragments per datagram, and
 * frag_timeout. Every fragment the library gives up on passes through the
 * death row, where it is counted as IPV4_FRAG_DROPPED.
 */
#include <errno.h>

#include <rte_ip.h>

#include "stk_priv.h"

/* A reassemble call may put a whole datagram's fragments on the death row. */
#define DR_HEADROOM (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1)

int
frag_init(struct stk_inst *in)
{
	const struct stk_params *p = &in->sh->p;
	uint32_t buckets = rte_align32pow2(RTE_MAX(p->frag_max_flows / 4, 16u));

	in->frag = rte_ip_frag_table_create(buckets, 8, p->frag_max_flows, p->frag_timeout,
					    in->socket_id);
	return in->frag == NULL ? STK_ENOMEM : 0;
}

void
frag_fini(struct stk_inst *in)
{
	if (in->dr.cnt != 0)
		rte_ip_frag_free_death_row(&in->dr, 0);
	if (in->frag != NULL)
		rte_ip_frag_table_destroy(in->frag); /* frees the fragments it holds */
	in->frag = NULL;
}

static void
frag_count_dead(struct stk_inst *in, uint32_t before)
{
	in->stats.drop[STK_DROP_IPV4_FRAG_DROPPED] += in->dr.cnt - before;
	if (in->dr.cnt > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - DR_HEADROOM)
		rte_ip_frag_free_death_row(&in->dr, 0);
}

struct rte_mbuf *
frag_reassemble(struct stk_inst *in, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t before = in->dr.cnt;
	struct rte_mbuf *out;

	/* The whole header must be in the first segment for the library. */
	if (rte_pktmbuf_data_len(m) < m->l3_len) {
		STK_DROP(in, IPV4_FRAG_BAD);
		rte_pktmbuf_free(m);
		return NULL;
	}
	out = rte_ipv4_frag_reassemble_packet(in->frag, &in->dr, m, in->now, h);
	frag_count_dead(in, before);
	return out;
}

void
frag_housekeeping(struct stk_inst *in)
{
	uint32_t before = in->dr.cnt;

	rte_ip_frag_table_del_expired_entries(in->frag, &in->dr, in->now);
	frag_count_dead(in, before);
	if (in->dr.cnt != 0)
		rte_ip_frag_free_death_row(&in->dr, 0);
}

/* Give each fragment its checksum and Ethernet room, then send it. */
static void
frag_send_one(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *f)
{
	void *hdr = rte_pktmbuf_mtod(f, void *);
	struct ipv4_repr ip;

	if (ipv4_parse(hdr, f->pkt_len, false, &ip) != STK_DROP_NONE) {
		STK_DROP(in, IPV4_FRAG_FAILED);
		rte_pktmbuf_free(f);
		return;
	}
	ipv4_emit(hdr, &ip, true);
	stk_mbuf_reset_offload(f);
	f->l2_len = ETH_HDR_LEN;
	f->l3_len = IPV4_HDR_LEN;
	STK_COUNT(in, IPV4_FRAGS_TX);
	ipv4_send_link(in, port, nh, f);
}

void
frag_output(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m, uint16_t mtu)
{
	struct rte_mbuf *frags[RTE_LIBRTE_IP_FRAG_MAX_FRAG * 8];
	int32_t n, i;

	n = rte_ipv4_fragment_packet(m, frags, RTE_DIM(frags), mtu, in->mp, in->indirect_mp);
	rte_pktmbuf_free(m); /* fragments hold their own references to the data */
	if (n < 0) {
		in->stats.drop[n == -ENOTSUP ? STK_DROP_IPV4_FRAG_NEEDED
					     : STK_DROP_IPV4_FRAG_FAILED]++;
		return;
	}
	for (i = 0; i < n; i++) {
		/* Each fragment needs headroom for Ethernet: the library's
		 * header mbufs come from in->mp with the default headroom. */
		frag_send_one(in, port, nh, frags[i]);
	}
}
