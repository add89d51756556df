/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826): a per-instance cache on rte_hash with aging, a bounded
 * queue of packets waiting for resolution, gratuitous ARP, static entries.
 *
 * Each instance owns its cache. What one instance learns it replicates to
 * its siblings through their request rings, so an answer that RSS delivers
 * to queue 0 still releases packets waiting on other lcores. Telemetry reads
 * the cache from another thread under a seqlock.
 */
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "stk_priv.h"

static bool
arp_sender_bad(const struct stk_shared *sh, uint16_t port, const struct arp_repr *a)
{
	uint32_t spa = rte_be_to_cpu_32(a->spa);

	return !rte_is_unicast_ether_addr(&a->sha) || rte_is_zero_ether_addr(&a->sha) ||
	       (spa >> 28) == 0xe || ipv4_is_broadcast(sh, port, a->spa) ||
	       eth_addr_is_ours(sh, a->spa);
}

int
arp_init(struct stk_inst *in)
{
	struct arp_cache *c = &in->arp;
	const struct stk_params *p = &in->sh->p;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = RTE_MAX(p->arp_cache_size, 8u),
		.key_len = sizeof(rte_be32_t),
		.hash_func = rte_jhash,
		.socket_id = in->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	unsigned int i;

	stk_obj_name(name, sizeof(name), "arp", in);
	hp.name = name;
	c->index = rte_hash_create(&hp);
	if (c->index == NULL)
		return STK_ENOMEM;
	c->size = rte_hash_max_key_id(c->index) + 1;
	c->entries = rte_zmalloc_socket("arp", c->size * sizeof(*c->entries), 0, in->socket_id);
	c->pending_len = p->arp_queue_len;
	c->pending = rte_zmalloc_socket("arpq", c->pending_len * sizeof(*c->pending), 0,
					in->socket_id);
	if (c->entries == NULL || c->pending == NULL)
		return STK_ENOMEM;
	rte_seqlock_init(&c->lock);
	for (i = 0; i < in->sh->nb_static_arp; i++) {
		int32_t pos = rte_hash_add_key(c->index, &in->sh->static_arp_ip[i]);

		if (pos < 0)
			return STK_ENOMEM;
		c->entries[pos] = (struct arp_entry){ .ip = in->sh->static_arp_ip[i],
						      .mac = in->sh->static_arp_mac[i],
						      .state = ARP_STATIC };
		c->used++;
	}
	return 0;
}

void
arp_fini(struct stk_inst *in)
{
	struct arp_cache *c = &in->arp;
	uint32_t i;

	for (i = 0; c->pending != NULL && i < c->pending_len; i++)
		rte_pktmbuf_free(c->pending[i].m);
	rte_free(c->pending);
	rte_free(c->entries);
	rte_hash_free(c->index);
	c->pending = NULL;
	c->entries = NULL;
	c->index = NULL;
}

static struct arp_entry *
arp_lookup(struct stk_inst *in, rte_be32_t ip)
{
	int32_t pos = rte_hash_lookup(in->arp.index, &ip);

	return pos < 0 ? NULL : &in->arp.entries[pos];
}

/* Caller holds the seqlock. */
static void
arp_remove_locked(struct stk_inst *in, struct arp_entry *e)
{
	rte_hash_del_key(in->arp.index, &e->ip);
	e->state = ARP_FREE;
	in->arp.used--;
}

static void
arp_remove(struct stk_inst *in, struct arp_entry *e)
{
	rte_seqlock_write_lock(&in->arp.lock);
	arp_remove_locked(in, e);
	rte_seqlock_write_unlock(&in->arp.lock);
}

/* Make room by evicting the reachable entry closest to aging out. Caller holds the seqlock. */
static bool
arp_evict(struct stk_inst *in)
{
	struct arp_cache *c = &in->arp;
	struct arp_entry *victim = NULL;
	uint32_t i;

	for (i = 0; i < c->size; i++) {
		struct arp_entry *e = &c->entries[i];

		if (e->state == ARP_REACHABLE && (victim == NULL || e->expires < victim->expires))
			victim = e;
	}
	if (victim == NULL)
		return false;
	arp_remove_locked(in, victim);
	return true;
}

/* Caller holds the seqlock. */
static struct arp_entry *
arp_insert(struct stk_inst *in, rte_be32_t ip)
{
	struct arp_cache *c = &in->arp;
	int32_t pos = rte_hash_add_key(c->index, &ip);

	if (pos < 0 && arp_evict(in))
		pos = rte_hash_add_key(c->index, &ip);
	if (pos < 0)
		return NULL;
	c->used++;
	c->entries[pos] = (struct arp_entry){ .ip = ip, .state = ARP_INCOMPLETE };
	return &c->entries[pos];
}

static void
arp_send(struct stk_inst *in, uint16_t port, uint16_t op, const struct rte_ether_addr *tha,
	 rte_be32_t tpa, const struct rte_ether_addr *eth_dst, rte_be32_t spa)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	struct arp_repr a = { .op = op, .sha = pc->mac, .spa = spa, .tha = *tha, .tpa = tpa };
	struct rte_mbuf *m = stk_pktmbuf_alloc(in);
	void *buf;

	if (m == NULL)
		return;
	buf = rte_pktmbuf_append(m, ARP_PKT_LEN);
	arp_emit(buf, &a);
	eth_output(in, port, eth_dst, RTE_ETHER_TYPE_ARP, m);
}

static void
arp_request(struct stk_inst *in, uint16_t port, rte_be32_t tpa)
{
	arp_send(in, port, ARP_OP_REQUEST, &stk_ether_zero, tpa, &stk_ether_bcast,
		 in->sh->ports[port].addr);
	STK_COUNT(in, ARP_REQUEST_TX);
}

void
arp_announce(struct stk_inst *in, uint16_t port)
{
	rte_be32_t self = in->sh->ports[port].addr;

	if (self == 0)
		return;
	arp_send(in, port, ARP_OP_REQUEST, &stk_ether_zero, self, &stk_ether_bcast, self);
	STK_COUNT(in, ARP_GRATUITOUS_TX);
}

/* Send every packet that waited for @p e. */
static void
arp_release_pending(struct stk_inst *in, const struct arp_entry *e)
{
	struct arp_cache *c = &in->arp;
	uint32_t i;

	for (i = 0; i < c->pending_len && c->pending_used > 0; i++) {
		struct arp_pending *q = &c->pending[i];

		if (q->m == NULL || q->nh != e->ip)
			continue;
		eth_output(in, q->port, &e->mac, RTE_ETHER_TYPE_IPV4, q->m);
		q->m = NULL;
		c->pending_used--;
	}
}

static void
arp_drop_pending(struct stk_inst *in, rte_be32_t ip)
{
	struct arp_cache *c = &in->arp;
	uint32_t i;

	for (i = 0; i < c->pending_len && c->pending_used > 0; i++) {
		struct arp_pending *q = &c->pending[i];

		if (q->m == NULL || q->nh != ip)
			continue;
		STK_DROP(in, ARP_UNRESOLVED);
		rte_pktmbuf_free(q->m);
		q->m = NULL;
		c->pending_used--;
	}
}

/*
 * Record @p ip is at @p mac on @p port. With @p create false only an existing
 * entry is refreshed (RFC 826's merge step for packets not aimed at us).
 * @return true if the cache holds the mapping now.
 */
static bool
arp_update(struct stk_inst *in, uint16_t port, rte_be32_t ip, const struct rte_ether_addr *mac,
	   bool create)
{
	struct arp_cache *c = &in->arp;
	struct arp_entry *e = arp_lookup(in, ip);

	if (e == NULL && !create)
		return false;
	if (e != NULL && e->state == ARP_STATIC)
		return true;
	rte_seqlock_write_lock(&c->lock);
	if (e == NULL)
		e = arp_insert(in, ip);
	if (e != NULL) {
		e->mac = *mac;
		e->port = port;
		e->state = ARP_REACHABLE;
		e->tries = 0;
		e->expires = in->now + in->sh->p.arp_timeout;
	}
	rte_seqlock_write_unlock(&c->lock);
	if (e == NULL)
		return false;
	STK_COUNT(in, ARP_LEARNED);
	arp_release_pending(in, e);
	return true;
}

static void
arp_replicate(struct stk_inst *in, uint16_t port, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	struct stk_req r = { .run = arp_learn_remote };
	unsigned int i;

	if (in->siblings == NULL)
		return;
	r.u.arp.ip = ip;
	r.u.arp.mac = *mac;
	r.u.arp.port = port;
	for (i = 0; i < in->count; i++)
		if (i != in->idx)
			/* A full ring loses only a cache hint; the sibling re-resolves. */
			(void)rte_ring_mp_enqueue_elem(in->siblings[i]->req, &r, sizeof(r));
}

void
arp_learn_remote(struct stk_inst *in, const struct stk_req *r)
{
	arp_update(in, r->u.arp.port, r->u.arp.ip, &r->u.arp.mac, true);
}

void
arp_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	struct arp_repr a;
	enum stk_drop why;
	bool for_us;

	STK_COUNT(in, ARP_RX);
	why = arp_parse(rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m), &a);
	if (why == STK_DROP_NONE && a.spa != 0 && arp_sender_bad(in->sh, port, &a))
		why = STK_DROP_ARP_BAD_SENDER;
	for_us = why == STK_DROP_NONE && pc->addr != 0 && a.tpa == pc->addr;
	if (why == STK_DROP_NONE && !for_us) {
		/* Merge: refresh a known sender (gratuitous ARP included). */
		if (a.spa == 0 || !arp_update(in, port, a.spa, &a.sha, false) || a.spa != a.tpa)
			why = STK_DROP_ARP_NOT_FOR_US;
	}
	if (why != STK_DROP_NONE) {
		in->stats.drop[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!for_us) {
		rte_pktmbuf_free(m);
		return;
	}
	/* RFC 5227 probes carry sender address 0: answer, but learn nothing. */
	if (a.spa != 0 && arp_update(in, port, a.spa, &a.sha, true) && in->count > 1)
		arp_replicate(in, port, a.spa, &a.sha);
	if (a.op == ARP_OP_REQUEST) {
		arp_send(in, port, ARP_OP_REPLY, &a.sha, a.spa, &a.sha, pc->addr);
		STK_COUNT(in, ARP_REPLY_TX);
	}
	rte_pktmbuf_free(m);
}

static bool
arp_enqueue(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m)
{
	struct arp_cache *c = &in->arp;
	uint32_t i;

	if (c->pending_used == c->pending_len)
		return false;
	for (i = 0; i < c->pending_len; i++) {
		if (c->pending[i].m == NULL) {
			c->pending[i] = (struct arp_pending){ m, nh, port };
			c->pending_used++;
			return true;
		}
	}
	return false;
}

void
arp_resolve_output(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m)
{
	struct arp_entry *e = arp_lookup(in, nh);

	if (e != NULL && e->state != ARP_INCOMPLETE) {
		eth_output(in, port, &e->mac, RTE_ETHER_TYPE_IPV4, m);
		return;
	}
	if (e == NULL) {
		rte_seqlock_write_lock(&in->arp.lock);
		e = arp_insert(in, nh);
		if (e != NULL) {
			e->port = port;
			e->tries = 1;
			e->expires = in->now + in->sh->p.arp_retry;
		}
		rte_seqlock_write_unlock(&in->arp.lock);
		if (e == NULL) {
			STK_DROP(in, ARP_CACHE_FULL);
			rte_pktmbuf_free(m);
			return;
		}
		arp_request(in, port, nh);
	}
	if (!arp_enqueue(in, port, nh, m)) {
		STK_DROP(in, ARP_QUEUE_FULL);
		rte_pktmbuf_free(m);
	}
}

void
arp_housekeeping(struct stk_inst *in)
{
	struct arp_cache *c = &in->arp;
	uint32_t i;

	for (i = 0; i < c->size && c->used > 0; i++) {
		struct arp_entry *e = &c->entries[i];

		if ((e->state != ARP_INCOMPLETE && e->state != ARP_REACHABLE) ||
		    e->expires > in->now)
			continue;
		if (e->state == ARP_REACHABLE) {
			STK_COUNT(in, ARP_EXPIRED);
			arp_remove(in, e);
		} else if (e->tries >= in->sh->p.arp_retries) {
			arp_drop_pending(in, e->ip);
			arp_remove(in, e);
		} else {
			e->tries++;
			e->expires = in->now + in->sh->p.arp_retry;
			arp_request(in, e->port, e->ip);
		}
	}
}

unsigned int
stk_inst_arp_snapshot(const struct stk_inst *in, struct stk_arp_info *out, unsigned int max)
{
	const struct arp_cache *c = &in->arp;
	unsigned int n;
	uint32_t sn, i;

	do {
		sn = rte_seqlock_read_begin(&c->lock);
		n = 0;
		for (i = 0; i < c->size && n < max; i++) {
			const struct arp_entry *e = &c->entries[i];

			if (e->state == ARP_FREE)
				continue;
			out[n++] = (struct stk_arp_info){
				.ip = e->ip,
				.mac = e->state == ARP_INCOMPLETE ? (struct rte_ether_addr){ { 0 } }
								  : e->mac,
				.port = e->port,
				.state = e->state == ARP_INCOMPLETE ? 0
					 : e->state == ARP_REACHABLE ? 1 : 2,
				.expires = e->state == ARP_REACHABLE ? e->expires : 0,
			};
		}
	} while (rte_seqlock_read_retry(&c->lock, sn));
	return n;
}
