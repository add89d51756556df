/* SPDX-License-Identifier: BSD-3-Clause */
/* A stack instance: the per-lcore poll loop, the request ring, housekeeping. */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "stk_priv.h"
#include "tcp_priv.h"

struct stk_inst *
stk_inst_create(struct stk_shared *sh, unsigned int idx, unsigned int count,
		struct rte_mempool *mp, struct rte_mempool *indirect_mp, int socket_id)
{
	char name[RTE_RING_NAMESIZE];
	struct stk_inst *in;

	if (sh == NULL || !sh->frozen || idx >= count || mp == NULL || indirect_mp == NULL ||
	    rte_pktmbuf_data_room_size(mp) < RTE_MBUF_DEFAULT_BUF_SIZE) {
		rte_errno = EINVAL;
		return NULL;
	}
	in = rte_zmalloc_socket("stk_inst", sizeof(*in), RTE_CACHE_LINE_SIZE, socket_id);
	if (in == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	in->sh = sh;
	in->idx = idx;
	in->count = count;
	in->socket_id = socket_id;
	in->mp = mp;
	in->indirect_mp = indirect_mp;
	in->icmp_tokens = sh->p.icmp_rate;
	stk_obj_name(name, sizeof(name), "req", in);
	in->req = rte_ring_create_elem(name, sizeof(struct stk_req), sh->p.req_ring_size,
				       socket_id, RING_F_SC_DEQ);
	stk_wheel_init(&in->wheel, STK_NS_PER_MS, 0);
	if (in->req == NULL || arp_init(in) != 0 || frag_init(in) != 0 || udp_init(in) != 0 ||
	    tcp_ctx_init(in) != 0) {
		stk_inst_destroy(in);
		rte_errno = ENOMEM;
		return NULL;
	}
	return in;
}

void
stk_inst_link(struct stk_inst **insts, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		insts[i]->siblings = insts;
}

void
stk_inst_start(struct stk_inst *in, stk_time_t now)
{
	uint16_t i;

	in->now = now;
	in->next_housekeeping = now + STK_HOUSEKEEPING_NS;
	in->icmp_refill = now;
	if (in->idx != 0)
		return;
	for (i = 0; i < in->sh->nb_ports; i++)
		arp_announce(in, i);
	eth_tx_flush(in);
}

static unsigned int
rx_ports(struct stk_inst *in)
{
	struct rte_mbuf *pkts[STK_MAX_BURST];
	unsigned int total = 0;
	uint16_t p, i, n;

	for (p = 0; p < in->sh->nb_ports; p++) {
		const struct stk_port_conf *pc = &in->sh->ports[p];

		if (in->idx >= pc->nb_queues)
			continue;
		n = pc->ops->rx_burst(pc->dev, (uint16_t)in->idx, pkts, in->sh->p.burst);
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			STK_COUNT(in, RX_FRAMES);
			STK_COUNT_N(in, RX_BYTES, pkts[i]->pkt_len);
			eth_input(in, p, pkts[i]);
		}
		total += n;
	}
	if (in->dr.cnt != 0)
		rte_ip_frag_free_death_row(&in->dr, 0);
	return total;
}

static unsigned int
run_requests(struct stk_inst *in)
{
	struct stk_req reqs[32];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst_elem(in->req, reqs, sizeof(reqs[0]), RTE_DIM(reqs), NULL);
	for (i = 0; i < n; i++) {
		STK_COUNT(in, REQUESTS);
		reqs[i].run(in, &reqs[i]);
	}
	return n;
}

static unsigned int
run_timers(struct stk_inst *in)
{
	unsigned int n = stk_wheel_run(&in->wheel, in->now);

	if (in->now < in->next_housekeeping)
		return n;
	in->next_housekeeping = in->now + STK_HOUSEKEEPING_NS;
	arp_housekeeping(in);
	frag_housekeeping(in);
	return n + 1;
}

unsigned int
stk_inst_poll(struct stk_inst *in, stk_time_t now)
{
	unsigned int work;

	in->now = now;
	STK_COUNT(in, POLLS);
	work = rx_ports(in);
	work += run_requests(in);
	work += run_timers(in);
	tcp_reap(in);
	eth_tx_flush(in);
	return work;
}

static void
run_user_request(struct stk_inst *in, const struct stk_req *r)
{
	r->fn(in, r->arg);
}

int
stk_inst_post(struct stk_inst *in, stk_req_fn fn, void *arg)
{
	struct stk_req r = { .run = run_user_request, .fn = fn, .arg = arg };

	if (fn == NULL)
		return STK_EINVAL;
	return rte_ring_mp_enqueue_elem(in->req, &r, sizeof(r)) == 0 ? 0 : STK_EAGAIN;
}

static void
drain_requests_unrun(struct stk_inst *in)
{
	struct stk_req r;

	/* Requests still queued at destroy: user requests run (they own their
	 * argument and may need to release it), replicated ARP facts don't matter. */
	while (rte_ring_sc_dequeue_elem(in->req, &r, sizeof(r)) == 0)
		if (r.run == run_user_request)
			r.fn(in, r.arg);
}

void
stk_inst_destroy(struct stk_inst *in)
{
	uint16_t p;

	if (in == NULL)
		return;
	if (in->req != NULL)
		drain_requests_unrun(in);
	for (p = 0; p < STK_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(in->tx[p].pkts, in->tx[p].n);
		in->tx[p].n = 0;
	}
	tcp_ctx_fini(in);
	udp_fini(in);
	frag_fini(in);
	arp_fini(in);
	rte_ring_free(in->req);
	rte_free(in);
}

unsigned int
stk_inst_index(const struct stk_inst *in)
{
	return in->idx;
}

struct stk_shared *
stk_inst_shared(struct stk_inst *in)
{
	return in->sh;
}

struct rte_mempool *
stk_inst_mempool(struct stk_inst *in)
{
	return in->mp;
}

const struct stk_stats *
stk_inst_stats(const struct stk_inst *in)
{
	return &in->stats;
}

struct rte_mbuf *
stk_pktmbuf_alloc(struct stk_inst *in)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(in->mp);

	if (m == NULL)
		STK_DROP(in, NO_MBUF);
	return m;
}
