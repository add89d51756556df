/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection blocks: per-instance tables on rte_hash (4-tuple -> TCB, and
 * local address/port -> listener), blocks from a capped mempool, state
 * changes, and the lifetime rules: a block is freed once the stack no longer
 * needs it (CLOSED, or TIME_WAIT over) and the user has released it.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp_priv.h"

static const char *const state_names[] = {
	[TCPS_CLOSED] = "CLOSED",           [TCPS_LISTEN] = "LISTEN",
	[TCPS_SYN_SENT] = "SYN-SENT",       [TCPS_SYN_RECEIVED] = "SYN-RECEIVED",
	[TCPS_ESTABLISHED] = "ESTABLISHED", [TCPS_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCPS_FIN_WAIT_1] = "FIN-WAIT-1",   [TCPS_CLOSING] = "CLOSING",
	[TCPS_LAST_ACK] = "LAST-ACK",       [TCPS_FIN_WAIT_2] = "FIN-WAIT-2",
	[TCPS_TIME_WAIT] = "TIME-WAIT",
};

const char *
tcp_state_name(unsigned int s)
{
	return s < RTE_DIM(state_names) ? state_names[s] : "?";
}

static struct rte_hash *
tcp_hash_create(struct stk_inst *in, const char *what, uint32_t entries)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = RTE_MAX(entries, 8u),
		.key_len = sizeof(struct tcp_key),
		.hash_func = rte_jhash,
		.socket_id = in->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	stk_obj_name(name, sizeof(name), what, in);
	hp.name = name;
	return rte_hash_create(&hp);
}

int
tcp_ctx_init(struct stk_inst *in)
{
	const struct stk_params *p = &in->sh->p;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint8_t seed[16];
	struct tcp_ctx *t;
	unsigned int i;

	t = rte_zmalloc_socket("tcp_ctx", sizeof(*t), RTE_CACHE_LINE_SIZE, in->socket_id);
	if (t == NULL)
		return STK_ENOMEM;
	in->tcp = t;
	t->conns = tcp_hash_create(in, "tcpc", p->tcp_max_conns);
	t->listeners = tcp_hash_create(in, "tcpl", RTE_MIN(p->tcp_max_conns, 4096u));
	stk_obj_name(name, sizeof(name), "tcpb", in);
	t->conn_pool = rte_mempool_create(name, p->tcp_max_conns, sizeof(struct stk_tcp_conn), 0, 0,
					  NULL, NULL, NULL, NULL, in->socket_id,
					  RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	stk_obj_name(name, sizeof(name), "tcpo", in);
	t->op_pool = rte_mempool_create(name, p->tcp_max_sendops, sizeof(struct tcp_sendop), 0, 0,
					NULL, NULL, NULL, NULL, in->socket_id,
					RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	if (t->conns == NULL || t->listeners == NULL || t->conn_pool == NULL || t->op_pool == NULL)
		return STK_ENOMEM;
	/* RFC 9293 3.4.1: a secret key, random per start. */
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)rte_rand();
	tcp_isn_key_init(&t->isn_key, seed);
	t->next_port = (uint16_t)(49152 + rte_rand_max(16384));
	return 0;
}

static void
tcp_conn_release_all(struct stk_inst *in)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	while (rte_hash_iterate(in->tcp->conns, &key, &data, &iter) >= 0) {
		struct stk_tcp_conn *c = data;

		tcp_timers_cancel(c);
		tcp_reass_flush(&c->reass);
		rte_pktmbuf_free(c->rcvq);
		c->rcvq = NULL;
		rte_pktmbuf_free(c->sndq);
		c->sndq = NULL;
		while (c->ops != NULL) {
			struct tcp_sendop *op = c->ops;

			c->ops = op->next;
			rte_mempool_put(in->tcp->op_pool, op);
		}
	}
}

void
tcp_ctx_fini(struct stk_inst *in)
{
	struct tcp_ctx *t = in->tcp;

	if (t == NULL)
		return;
	if (t->conn_pool != NULL)
		tcp_reap(in);
	if (t->conns != NULL && t->op_pool != NULL)
		tcp_conn_release_all(in);
	rte_hash_free(t->conns);
	rte_hash_free(t->listeners);
	rte_mempool_free(t->conn_pool);
	rte_mempool_free(t->op_pool);
	rte_free(t);
	in->tcp = NULL;
}

struct stk_tcp_conn *
tcp_conn_alloc(struct stk_inst *in)
{
	struct stk_tcp_conn *c;

	if (rte_mempool_get(in->tcp->conn_pool, (void **)&c) != 0) {
		STK_DROP(in, TCP_NO_CONN);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->in = in;
	tcp_timers_init(c);
	return c;
}

void
tcp_conn_free(struct stk_tcp_conn *c)
{
	struct stk_inst *in = c->in;

	tcp_timers_cancel(c);
	if (c->flags & TCPF_IN_TABLE)
		tcp_conn_remove(c);
	tcp_reass_flush(&c->reass);
	rte_pktmbuf_free(c->rcvq);
	rte_pktmbuf_free(c->sndq);
	while (c->ops != NULL) {
		struct tcp_sendop *op = c->ops;

		c->ops = op->next;
		rte_mempool_put(in->tcp->op_pool, op);
	}
	if (c->listener != NULL && c->listener->children > 0)
		c->listener->children--;
	rte_mempool_put(in->tcp->conn_pool, c);
}

int
tcp_conn_insert(struct stk_tcp_conn *c)
{
	struct rte_hash *h = (c->flags & TCPF_LISTENER) ? c->in->tcp->listeners : c->in->tcp->conns;
	int rc = rte_hash_add_key_data(h, &c->key, c);

	if (rc == 0)
		c->flags |= TCPF_IN_TABLE;
	return rc == 0 ? 0 : STK_ENOMEM;
}

void
tcp_conn_remove(struct stk_tcp_conn *c)
{
	struct rte_hash *h = (c->flags & TCPF_LISTENER) ? c->in->tcp->listeners : c->in->tcp->conns;

	rte_hash_del_key(h, &c->key);
	c->flags &= ~TCPF_IN_TABLE;
}

struct stk_tcp_conn *
tcp_conn_lookup(struct stk_inst *in, const struct tcp_key *k)
{
	void *data;

	return rte_hash_lookup_data(in->tcp->conns, k, &data) >= 0 ? data : NULL;
}

struct stk_tcp_conn *
tcp_listener_lookup(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport)
{
	struct tcp_key k = { .laddr = laddr, .lport = lport };
	void *data;

	if (rte_hash_lookup_data(in->tcp->listeners, &k, &data) >= 0)
		return data;
	k.laddr = 0;
	return rte_hash_lookup_data(in->tcp->listeners, &k, &data) >= 0 ? data : NULL;
}

void
tcp_set_state(struct stk_tcp_conn *c, enum tcp_state s)
{
	c->state = (uint8_t)s;
}

/*
 * The configured shift, or the smallest that lets the 16-bit window field
 * cover the buffer (RFC 7323 2.2).
 */
uint8_t
tcp_default_rcv_wscale(const struct stk_params *p)
{
	uint8_t ws = 0;

	if (p->tcp_wscale != STK_TCP_WSCALE_AUTO)
		return p->tcp_wscale;
	while (ws < 14 && (p->tcp_rcvbuf >> ws) > 65535)
		ws++;
	return ws;
}

/* Defaults of a new TCB (not a listener). */
void
tcp_conn_init_tcb(struct stk_tcp_conn *c)
{
	const struct stk_params *p = &c->in->sh->p;

	c->rcv_buf = p->tcp_rcvbuf;
	c->rcv_wscale = tcp_default_rcv_wscale(p);
	c->rto_ms = (uint32_t)(p->tcp_rto_init / STK_NS_PER_MS);
	c->cc = tcp_cc_find(p->tcp_cc);
	if (c->cc == NULL)
		c->cc = tcp_cc_find(NULL);
	c->keep_idle_ms = (uint32_t)(p->tcp_keep_idle / STK_NS_PER_MS);
	c->keep_intvl_ms = (uint32_t)(p->tcp_keep_intvl / STK_NS_PER_MS);
	c->keep_cnt = p->tcp_keep_cnt;
	tcp_reass_init(&c->reass, c->rcv_buf, p->tcp_reass_segs);
	tcp_sack_init(&c->sb, c->sb_blk, TCP_SACK_SB_MAX);
}

/* The send queue lost @p acked bytes from its front: free them, complete finished sends. */
void
tcp_sendq_ack(struct stk_tcp_conn *c, uint32_t acked)
{
	struct tcp_ctx *t = c->in->tcp;

	if (acked > c->snd_bytes)
		acked = c->snd_bytes;
	if (acked != 0 && acked == c->snd_bytes) {
		rte_pktmbuf_free(c->sndq); /* everything acknowledged: let go of every page */
		c->sndq = NULL;
		c->snd_bytes = 0;
	} else if (acked != 0) {
		c->sndq = tcp_reass_mbuf_trim_front(c->sndq, acked);
		c->snd_bytes -= acked;
	}
	while (c->ops != NULL && SEQ_LEQ(c->ops->end, c->snd_una)) {
		struct tcp_sendop *op = c->ops;

		c->ops = op->next;
		if (c->ops == NULL)
			c->ops_tail = NULL;
		if (tcp_user_alive(c) && c->up->sent != NULL)
			c->up->sent(c->arg, c, op->ctx, op->bytes, 0);
		rte_mempool_put(t->op_pool, op);
	}
}

/* Every send not yet complete ends with @p err; the queued data is dropped. */
void
tcp_sendq_fail(struct stk_tcp_conn *c, int err)
{
	struct tcp_ctx *t = c->in->tcp;

	rte_pktmbuf_free(c->sndq);
	c->sndq = NULL;
	c->snd_bytes = 0;
	while (c->ops != NULL) {
		struct tcp_sendop *op = c->ops;

		c->ops = op->next;
		if (tcp_user_alive(c) && c->up->sent != NULL)
			c->up->sent(c->arg, c, op->ctx, op->bytes, err);
		rte_mempool_put(t->op_pool, op);
	}
	c->ops_tail = NULL;
}

/*
 * The connection is over (reset, timeout, abort): to CLOSED, pending
 * operations fail with @p err, the user hears `reset` (or `connected` with
 * the error in SYN-SENT). Freed here if the user already let go.
 */
void
tcp_conn_drop(struct stk_tcp_conn *c, int err)
{
	uint8_t was = c->state;
	bool alive = tcp_user_alive(c);

	tcp_timers_cancel(c);
	tcp_set_state(c, TCPS_CLOSED);
	c->flags |= TCPF_ABORTED;
	if (c->flags & TCPF_IN_TABLE)
		tcp_conn_remove(c);
	tcp_reass_flush(&c->reass);
	rte_pktmbuf_free(c->rcvq); /* RFC 9293 3.10.7.4: queues are flushed on reset */
	c->rcvq = NULL;
	c->rcvq_bytes = 0;
	tcp_sendq_fail(c, err);
	if (c->shut_ctx != NULL && alive && c->up->shutdown_done != NULL)
		c->up->shutdown_done(c->arg, c, c->shut_ctx, err);
	c->shut_ctx = NULL;
	if (c->listener != NULL && was == TCPS_SYN_RECEIVED) {
		/*
		 * A child never offered to the user: nobody else holds it
		 * (reaped). It leaves its listener now (the listener may be
		 * closed before the reap); an inspected one owes the abort
		 * upcall, run last: the callee may close the listener.
		 */
		struct stk_tcp_conn *l = c->listener;
		uint64_t id = tcp_inspect_unlink(c);

		if (l->children > 0)
			l->children--;
		c->listener = NULL;
		c->flags |= TCPF_USER_GONE;
		c->up = NULL;
		tcp_conn_maybe_free(c);
		if (id != 0 && tcp_user_alive(l) && l->up->abort != NULL)
			l->up->abort(l->arg, l, id);
		return;
	}
	if (alive && tcp_user_alive(c)) {
		if (c->flags & TCPF_CONNECTING) {
			c->flags &= ~TCPF_CONNECTING;
			if (c->up->connected != NULL)
				c->up->connected(c->arg, c, err);
		} else if (c->up->reset != NULL && !(c->flags & TCPF_LOCAL_ABORT)) {
			c->up->reset(c->arg, c, err);
		}
	}
	tcp_conn_maybe_free(c);
}

/*
 * Free the block once neither the stack nor the user needs it. Freeing waits
 * for the end of the poll (tcp_reap): the block may be closed by the user
 * inside an upcall while the engine still walks it.
 */
void
tcp_conn_maybe_free(struct stk_tcp_conn *c)
{
	struct tcp_ctx *t = c->in->tcp;

	if (!(c->flags & TCPF_USER_GONE) || c->state != TCPS_CLOSED || (c->flags & TCPF_REAPING))
		return;
	tcp_timers_cancel(c);
	if (c->flags & TCPF_IN_TABLE)
		tcp_conn_remove(c);
	c->flags |= TCPF_REAPING;
	c->reap_next = t->reap;
	t->reap = c;
}

void
tcp_reap(struct stk_inst *in)
{
	struct tcp_ctx *t = in->tcp;

	while (t->reap != NULL) {
		struct stk_tcp_conn *c = t->reap;

		t->reap = c->reap_next;
		tcp_conn_free(c);
	}
}

/* Offer held in-order data to the upper layer (recv upcall). */
void
tcp_deliver(struct stk_tcp_conn *c)
{
	while (c->rcvq != NULL && !(c->flags & TCPF_RECV_PAUSED) && tcp_user_alive(c) &&
	       c->up->recv != NULL) {
		struct rte_mbuf *m = c->rcvq;
		uint32_t len = c->rcvq_bytes, consumed = 0;
		enum stk_tcp_recv_verdict v;

		c->rcvq = NULL;
		c->rcvq_bytes = 0;
		bool push = (c->flags & TCPF_RCV_PUSH) != 0;

		c->flags &= ~TCPF_RCV_PUSH;
		/* Counted as taken before the call: the callee may return bytes inside it. */
		c->rcv_taken += len;
		v = c->up->recv(c->arg, c, m, len, push, &consumed);
		if (v == STK_TCP_RECV_TAKEN)
			continue;
		c->rcv_taken -= RTE_MIN(len, c->rcv_taken);
		if (v == STK_TCP_RECV_CONSUMED) {
			rte_pktmbuf_free(m);
		} else {
			consumed = RTE_MIN(consumed, len);
			if (consumed == len) {
				rte_pktmbuf_free(m);
				continue;
			}
			c->rcvq = tcp_reass_mbuf_trim_front(m, consumed);
			c->rcvq_bytes = len - consumed;
			c->flags |= TCPF_RECV_PAUSED;
		}
	}
	/* The peer's FIN is told once all data before it went up. */
	if ((c->flags & (TCPF_PEER_FIN | TCPF_FIN_TOLD)) == TCPF_PEER_FIN && c->rcvq == NULL &&
	    tcp_user_alive(c)) {
		c->flags |= TCPF_FIN_TOLD;
		if (c->up->peer_fin != NULL)
			c->up->peer_fin(c->arg, c);
	}
}
