/* SPDX-License-Identifier: BSD-3-Clause */
/* The stk_tcp.h seam: what upper layers call, on the connection's lcore. */
#include <string.h>

#include <rte_thash.h>

#include "tcp_priv.h"

#define TCP_EPHEMERAL_FIRST 49152

int
stk_tcp_listen(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport, uint32_t backlog,
	       uint32_t flags, const struct stk_tcp_upcalls *up, void *arg,
	       struct stk_tcp_conn **out)
{
	struct stk_tcp_conn *l;

	if (up == NULL || up->accept == NULL || out == NULL || lport == 0 ||
	    (flags & ~STK_TCP_LISTEN_INSPECT) != 0 ||
	    ((flags & STK_TCP_LISTEN_INSPECT) && up->inspect == NULL))
		return STK_EINVAL;
	if (laddr != 0 && !eth_addr_is_ours(in->sh, laddr))
		return STK_EADDRNOTAVAIL;
	if (tcp_listener_lookup(in, laddr, lport) != NULL &&
	    tcp_listener_lookup(in, laddr, lport)->key.laddr == laddr)
		return STK_EADDRINUSE;
	l = tcp_conn_alloc(in);
	if (l == NULL)
		return STK_ENOMEM;
	l->key.laddr = laddr;
	l->key.lport = lport;
	l->flags = TCPF_LISTENER;
	l->backlog = backlog != 0 ? backlog : 128;
	l->listen_flags = flags;
	l->up = up;
	l->arg = arg;
	tcp_set_state(l, TCPS_LISTEN);
	if (tcp_conn_insert(l) != 0) {
		tcp_conn_free(l);
		return STK_ENOMEM;
	}
	*out = l;
	return 0;
}

/*
 * Would the answers to a connection from local port @p lport reach instance
 * @p in? With the port's Toeplitz key and RETA: the queue of the inbound
 * 4-tuple's hash. Without: ports are shared out by lport mod instances.
 */
static bool
tcp_port_lands_here(const struct stk_inst *in, uint16_t port, const struct tcp_key *k,
		    uint16_t lport)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	uint32_t tuple[3];

	if (in->count == 1)
		return true;
	if (pc->reta_size == 0)
		return tcp_owner_of(in, rte_cpu_to_be_16(lport)) == in->idx;
	tuple[0] = rte_be_to_cpu_32(k->faddr);
	tuple[1] = rte_be_to_cpu_32(k->laddr);
	tuple[2] = (uint32_t)rte_be_to_cpu_16(k->fport) << 16 | lport;
	return pc->reta[rte_softrss(tuple, 3, pc->rss_key) % pc->reta_size] == in->idx;
}

/* A local port free for this 4-tuple, from the ephemeral range, whose answers land here. */
static rte_be16_t
tcp_pick_port(struct stk_inst *in, uint16_t port, struct tcp_key *k)
{
	uint32_t tries;

	for (tries = 0; tries < 65536 - TCP_EPHEMERAL_FIRST; tries++) {
		uint16_t p = in->tcp->next_port;

		in->tcp->next_port = p == 65535 ? TCP_EPHEMERAL_FIRST : (uint16_t)(p + 1);
		if (!tcp_port_lands_here(in, port, k, p))
			continue;
		k->lport = rte_cpu_to_be_16(p);
		if (tcp_conn_lookup(in, k) == NULL && tcp_listener_lookup(in, k->laddr, k->lport) == NULL)
			return k->lport;
	}
	return 0;
}

int
stk_tcp_connect(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport, rte_be32_t faddr,
		rte_be16_t fport, const struct stk_tcp_upcalls *up, void *arg,
		struct stk_tcp_conn **out)
{
	struct stk_tcp_conn *c;

	if (out == NULL || faddr == 0 || fport == 0)
		return STK_EINVAL;
	if (laddr != 0 && !eth_addr_is_ours(in->sh, laddr))
		return STK_EADDRNOTAVAIL;
	c = tcp_conn_alloc(in);
	if (c == NULL)
		return STK_ENOMEM;
	c->key = (struct tcp_key){ .laddr = laddr, .faddr = faddr, .lport = lport, .fport = fport };
	c->up = up;
	c->arg = arg;
	tcp_conn_init_tcb(c);
	if (ipv4_route(in->sh, faddr, &c->port, &c->nh) != 0) {
		tcp_conn_free(c);
		return STK_ENOROUTE;
	}
	if (c->key.laddr == 0)
		c->key.laddr = in->sh->ports[c->port].addr;
	if (c->key.lport == 0 && tcp_pick_port(in, c->port, &c->key) == 0) {
		tcp_conn_free(c);
		return STK_EADDRINUSE;
	}
	if (tcp_conn_lookup(in, &c->key) != NULL) {
		tcp_conn_free(c);
		return STK_EADDRINUSE;
	}
	if (tcp_conn_insert(c) != 0) {
		tcp_conn_free(c);
		return STK_ENOMEM;
	}
	c->iss = tcp_isn(&in->tcp->isn_key, c->key.laddr, c->key.lport, c->key.faddr,
			 c->key.fport, in->now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->smss = c->mss_base = tcp_mss_for_port(in, c->port);
	tcp_set_state(c, TCPS_SYN_SENT);
	c->flags |= TCPF_CONNECTING;
	c->rtt_seq = c->iss;
	c->rtt_start = in->now;
	STK_COUNT(in, TCP_ACTIVE_OPENS);
	*out = c;
	tcp_send_syn(c);
	return 0;
}

void
stk_tcp_set_upcalls(struct stk_tcp_conn *c, const struct stk_tcp_upcalls *up, void *arg)
{
	c->up = up;
	c->arg = arg;
}

int
stk_tcp_send(struct stk_tcp_conn *c, struct rte_mbuf *m, void *send_ctx, uint32_t flags)
{
	struct tcp_sendop *op;

	if ((c->state != TCPS_ESTABLISHED && c->state != TCPS_CLOSE_WAIT) ||
	    (c->flags & (TCPF_SHUT_WR | TCPF_ABORTED | TCPF_LISTENER))) {
		rte_pktmbuf_free(m);
		return STK_ESTATE;
	}
	if (m->pkt_len == 0 || c->snd_bytes + m->pkt_len < c->snd_bytes) {
		rte_pktmbuf_free(m);
		return STK_EINVAL;
	}
	if (rte_mempool_get(c->in->tcp->op_pool, (void **)&op) != 0) {
		rte_pktmbuf_free(m);
		return STK_ENOMEM;
	}
	/* Before chaining: rte_pktmbuf_chain() resets the tail's pkt_len. */
	*op = (struct tcp_sendop){ .ctx = send_ctx, .bytes = m->pkt_len };
	if (c->sndq == NULL) {
		c->sndq = m;
	} else if (rte_pktmbuf_chain(c->sndq, m) != 0) {
		rte_mempool_put(c->in->tcp->op_pool, op);
		rte_pktmbuf_free(m);
		return STK_ENOMEM;
	}
	c->snd_bytes += op->bytes;
	op->end = c->snd_una + c->snd_bytes;
	if (c->ops_tail != NULL)
		c->ops_tail->next = op;
	else
		c->ops = op;
	c->ops_tail = op;
	if (flags & STK_TCP_SEND_NODELAY) {
		uint32_t f = c->flags;

		c->flags |= TCPF_NODELAY;
		tcp_output(c);
		c->flags = (c->flags & ~TCPF_NODELAY) | (f & TCPF_NODELAY);
	} else if (!(flags & STK_TCP_SEND_MORE)) {
		tcp_output(c);
	}
	return 0;
}

int
stk_tcp_send_cancel(struct stk_tcp_conn *c, void *send_ctx)
{
	return STK_ESTATE; /* only sends not yet started could go; every send starts at once */
}

/*
 * After the upper layer freed receive space: a window update if the right
 * edge moved by at least min(RCV.BUFF / 2, one segment) beyond what was
 * offered (receiver SWS avoidance, RFC 9293 3.8.6.2.2), and only while the
 * peer may still send.
 */
static void
tcp_window_update(struct stk_tcp_conn *c)
{
	uint32_t edge = c->rcv_nxt + tcp_rcv_window(c);

	if ((c->state != TCPS_ESTABLISHED && c->state != TCPS_FIN_WAIT_1 &&
	     c->state != TCPS_FIN_WAIT_2) || (c->flags & TCPF_PEER_FIN))
		return;
	if (SEQ_GT(edge, c->rcv_adv) &&
	    edge - c->rcv_adv >= RTE_MIN(c->rcv_buf / 2, (uint32_t)c->mss_base)) {
		c->flags |= TCPF_ACK_NOW;
		tcp_output(c);
	}
}

uint32_t
stk_tcp_recv_copy(struct stk_tcp_conn *c, void *buf, uint32_t len)
{
	uint32_t n = RTE_MIN(len, c->rcvq_bytes);
	const void *p;

	if (n == 0)
		return 0;
	p = rte_pktmbuf_read(c->rcvq, 0, n, buf);
	if (p != buf)
		memcpy(buf, p, n);
	if (n == c->rcvq_bytes) {
		rte_pktmbuf_free(c->rcvq);
		c->rcvq = NULL;
	} else {
		c->rcvq = tcp_reass_mbuf_trim_front(c->rcvq, n);
	}
	c->rcvq_bytes -= n;
	c->flags &= ~TCPF_RECV_PAUSED;
	tcp_deliver(c);
	tcp_window_update(c);
	return n;
}

uint32_t
stk_tcp_recv_pending(const struct stk_tcp_conn *c)
{
	return c->rcvq_bytes;
}

void
stk_tcp_recv_resume(struct stk_tcp_conn *c)
{
	c->flags &= ~TCPF_RECV_PAUSED;
	tcp_deliver(c);
	tcp_window_update(c);
}

void
stk_tcp_recv_done(struct stk_tcp_conn *c, uint32_t bytes)
{
	c->rcv_taken -= RTE_MIN(bytes, c->rcv_taken);
	tcp_window_update(c);
}

int
stk_tcp_shutdown(struct stk_tcp_conn *c, void *ctx)
{
	if (c->flags & (TCPF_SHUT_WR | TCPF_ABORTED | TCPF_LISTENER))
		return STK_ESTATE;
	if (c->state == TCPS_ESTABLISHED)
		tcp_set_state(c, TCPS_FIN_WAIT_1);
	else if (c->state == TCPS_CLOSE_WAIT)
		tcp_set_state(c, TCPS_LAST_ACK);
	else
		return STK_ESTATE;
	c->flags |= TCPF_SHUT_WR;
	c->shut_ctx = ctx;
	tcp_output(c);
	return 0;
}

void
stk_tcp_abort(struct stk_tcp_conn *c)
{
	if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN)
		return;
	if (c->state != TCPS_SYN_SENT && c->state != TCPS_TIME_WAIT)
		tcp_send_rst(c);
	c->flags |= TCPF_LOCAL_ABORT;
	tcp_conn_drop(c, STK_TCP_ECONNABORTED);
}

static void
tcp_listener_close(struct stk_tcp_conn *l)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	/*
	 * Children still in SYN-RECEIVED die with their listener, without
	 * upcalls: the owner let go of it. A plain child goes silently, as
	 * FreeBSD's syncache and Linux's request socks do (the peer's next
	 * segment meets no socket and draws the RST of RFC 9293 3.10.7.1).
	 * A conditional-accept request (accepted or pended) is refused as a
	 * rejection is, with a RST: the owner's verdict is what ends it.
	 */
	l->flags |= TCPF_USER_GONE;
	l->up = NULL;
	while (rte_hash_iterate(l->in->tcp->conns, &key, &data, &iter) >= 0) {
		struct stk_tcp_conn *c = data;

		if (c->listener == l) {
			if (c->flags & TCPF_INSPECTED)
				tcp_send_rst(c);
			tcp_conn_drop(c, STK_TCP_ECONNABORTED);
			iter = 0; /* the table changed */
		}
	}
	tcp_conn_free(l);
}

void
stk_tcp_close(struct stk_tcp_conn *c)
{
	if (c->flags & TCPF_LISTENER) {
		tcp_listener_close(c);
		return;
	}
	c->flags |= TCPF_USER_GONE;
	c->up = NULL;
	/* Not shut down gracefully: WskCloseSocket resets the connection. */
	if (c->state != TCPS_CLOSED && c->state != TCPS_TIME_WAIT &&
	    !((c->flags & TCPF_SHUT_WR) && (c->flags & TCPF_PEER_FIN)) &&
	    !(c->state == TCPS_FIN_WAIT_2 || c->state == TCPS_FIN_WAIT_1 ||
	      c->state == TCPS_CLOSING || c->state == TCPS_LAST_ACK)) {
		stk_tcp_abort(c);
		return;
	}
	/* Our FIN is out: let the handshake finish; drop what the user will never read. */
	if (c->state == TCPS_FIN_WAIT_2)
		stk_timer_arm(&c->in->wheel, &c->t_rexmt, c->in->now + 2 * c->in->sh->p.tcp_msl);
	rte_pktmbuf_free(c->rcvq);
	c->rcvq = NULL;
	c->rcvq_bytes = 0;
	c->rcv_taken = 0;
	tcp_conn_maybe_free(c);
}

int
stk_tcp_setopt(struct stk_tcp_conn *c, enum stk_tcp_opt opt, uint32_t value)
{
	switch (opt) {
	case STK_TCP_OPT_NODELAY:
		c->flags = value ? c->flags | TCPF_NODELAY : c->flags & ~TCPF_NODELAY;
		if (value)
			tcp_output(c);
		return 0;
	case STK_TCP_OPT_KEEPALIVE:
		c->flags = value ? c->flags | TCPF_KEEPALIVE : c->flags & ~TCPF_KEEPALIVE;
		if (value && c->state >= TCPS_ESTABLISHED)
			tcp_keep_arm(c);
		return 0;
	case STK_TCP_OPT_RCVBUF:
		if (value < 1024 || value > (1u << 30))
			return STK_EINVAL;
		c->rcv_buf = value; /* the window scale was fixed by the SYN */
		return 0;
	case STK_TCP_OPT_SNDBUF:
		return value >= 1024 ? 0 : STK_EINVAL;
	case STK_TCP_OPT_KEEPIDLE_MS:
	case STK_TCP_OPT_KEEPINTVL_MS:
		if (value == 0)
			return STK_EINVAL;
		if (opt == STK_TCP_OPT_KEEPIDLE_MS)
			c->keep_idle_ms = value;
		else
			c->keep_intvl_ms = value;
		if ((c->flags & TCPF_KEEPALIVE) && c->state >= TCPS_ESTABLISHED &&
		    c->state != TCPS_TIME_WAIT)
			tcp_keep_arm(c); /* re-armed with the new times */
		return 0;
	case STK_TCP_OPT_KEEPCNT:
		if (value == 0)
			return STK_EINVAL;
		c->keep_cnt = value;
		return 0;
	}
	return STK_EINVAL;
}

int
stk_tcp_getopt(const struct stk_tcp_conn *c, enum stk_tcp_opt opt, uint32_t *value)
{
	switch (opt) {
	case STK_TCP_OPT_NODELAY: *value = !!(c->flags & TCPF_NODELAY); return 0;
	case STK_TCP_OPT_KEEPALIVE: *value = !!(c->flags & TCPF_KEEPALIVE); return 0;
	case STK_TCP_OPT_RCVBUF: *value = c->rcv_buf; return 0;
	case STK_TCP_OPT_SNDBUF: *value = c->in->sh->p.tcp_sndbuf; return 0;
	case STK_TCP_OPT_KEEPIDLE_MS: *value = c->keep_idle_ms; return 0;
	case STK_TCP_OPT_KEEPINTVL_MS: *value = c->keep_intvl_ms; return 0;
	case STK_TCP_OPT_KEEPCNT: *value = c->keep_cnt; return 0;
	}
	return STK_EINVAL;
}

void
stk_tcp_addrs(const struct stk_tcp_conn *c, rte_be32_t *laddr, rte_be16_t *lport,
	      rte_be32_t *faddr, rte_be16_t *fport)
{
	*laddr = c->key.laddr;
	*lport = c->key.lport;
	*faddr = c->key.faddr;
	*fport = c->key.fport;
}

static unsigned int
tcp_snapshot_table(struct rte_hash *h, struct stk_tcp_conn_info *out, unsigned int n,
		   unsigned int max)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	while (n < max && rte_hash_iterate(h, &key, &data, &iter) >= 0) {
		const struct stk_tcp_conn *c = data;

		out[n].laddr = c->key.laddr;
		out[n].faddr = c->key.faddr;
		out[n].lport = c->key.lport;
		out[n].fport = c->key.fport;
		stk_tcp_info(c, &out[n].info);
		n++;
	}
	return n;
}

unsigned int
stk_tcp_snapshot(struct stk_inst *in, struct stk_tcp_conn_info *out, unsigned int max)
{
	unsigned int n = tcp_snapshot_table(in->tcp->listeners, out, 0, max);

	return tcp_snapshot_table(in->tcp->conns, out, n, max);
}

const char *
stk_tcp_state_name(unsigned int state)
{
	return tcp_state_name(state);
}

void
stk_tcp_info(const struct stk_tcp_conn *c, struct stk_tcp_info *o)
{
	memset(o, 0, sizeof(*o));
	o->state = c->state;
	o->snd_una = c->snd_una;
	o->snd_nxt = c->snd_nxt;
	o->snd_wnd = c->snd_wnd;
	o->rcv_nxt = c->rcv_nxt;
	o->rcv_wnd = tcp_rcv_window(c);
	o->cwnd = c->ccs.cwnd;
	o->ssthresh = c->ccs.ssthresh;
	o->mss = c->smss;
	o->srtt_us = c->srtt_us;
	o->rttvar_us = c->rttvar_us;
	o->rto_ms = c->rto_ms;
	o->snd_wscale = c->snd_wscale;
	o->rcv_wscale = c->rcv_wscale;
	o->ts = (c->flags & TCPF_TS) != 0;
	o->sack = (c->flags & TCPF_SACK) != 0;
	o->retransmits = c->retransmits;
	o->send_queued = c->snd_bytes;
	o->recv_held = c->rcvq_bytes;
	o->recv_taken = c->rcv_taken;
}
