/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening a connection (RFC 9293 3.10.7.2 and 3.10.7.3): segments to a
 * listener (a SYN makes a child in SYN-RECEIVED, an ACK may return a SYN
 * cookie), to a conditional-accept request awaiting its verdict, and to a
 * connection in SYN-SENT.
 */
#include "tcp_priv.h"

/* Negotiated options of a SYN (ours offered everything). */
static void
tcp_syn_options(struct stk_tcp_conn *c, const struct tcp_opts *o)
{
	c->peer_mss = o->has_mss ? o->mss : 536;
	c->mss_base = (uint16_t)RTE_MIN(c->peer_mss, tcp_mss_for_port(c->in, c->port));
	c->smss = c->mss_base;
	if (o->has_wscale) {
		c->flags |= TCPF_WS;
		c->snd_wscale = (uint8_t)RTE_MIN(o->wscale, 14);
	} else {
		c->rcv_wscale = 0;
		c->snd_wscale = 0;
	}
	if (o->sack_permitted)
		c->flags |= TCPF_SACK;
	if (o->has_ts) {
		c->flags |= TCPF_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_age = c->in->now;
	}
	if (c->flags & TCPF_TS)
		c->smss = (uint16_t)(c->smss - 12);
	c->cc->init(&c->ccs, c->smss, c->in->now);
	c->recover = c->iss; /* no recovery yet: any loss above the ISS may start one */
	c->high_rxt = c->iss;
}

static int
tcp_route(struct stk_tcp_conn *c)
{
	return ipv4_route(c->in->sh, c->key.faddr, &c->port, &c->nh);
}

/* An ACK to a listener that returns a valid SYN cookie: the connection, in SYN-RECEIVED. */
static struct stk_tcp_conn *
tcp_cookie_conn(struct stk_tcp_conn *l, struct tcp_seg *s, const struct tcp_key *k)
{
	struct stk_inst *in = l->in;
	uint16_t mss = tcp_cookie_check(in, k, s->th.seq - 1, s->th.ack - 1);
	struct tcp_opts o = { .has_mss = true, .mss = mss };
	struct stk_tcp_conn *c;

	if (mss == 0 || (s->th.flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_ACK)
		return NULL;
	if (s->th.opts.has_ts) {
		tcp_cookie_ts_decode(s->th.opts.tsecr, &o.has_wscale, &o.wscale, &o.sack_permitted);
		o.has_ts = true;
		o.tsval = s->th.opts.tsval;
	}
	c = tcp_conn_alloc(in);
	if (c == NULL)
		return NULL;
	c->key = *k;
	c->listener = l;
	tcp_conn_init_tcb(c);
	if (ipv4_route(in->sh, k->faddr, &c->port, &c->nh) != 0 || tcp_conn_insert(c) != 0) {
		tcp_conn_free(c);
		return NULL;
	}
	l->children++;
	c->irs = s->th.seq - 1;
	c->rcv_nxt = s->th.seq;
	c->iss = s->th.ack - 1;
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->rcv_adv = c->rcv_nxt + RTE_MIN(c->rcv_buf, 65535u);
	c->last_rx = in->now;
	tcp_set_state(c, TCPS_SYN_RECEIVED);
	tcp_syn_options(c, &o);
	STK_COUNT(in, TCP_SYNCOOKIES_OK);
	STK_COUNT(in, TCP_PASSIVE_OPENS);
	return c;
}

/* LISTEN (3.10.7.2): a lone SYN makes a child in SYN-RECEIVED and a SYN-ACK. */
void
tcp_listen_input(struct stk_tcp_conn *l, struct tcp_seg *s)
{
	struct stk_inst *in = l->in;
	struct tcp_key k = { s->ip->dst, s->ip->src, rte_cpu_to_be_16(s->th.dport),
			     rte_cpu_to_be_16(s->th.sport) };
	struct stk_tcp_conn *c;

	if ((s->th.flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN) {
		/* No cookie for an inspecting listener: it would skip the inspect upcall. */
		c = (s->th.flags & TCP_ACK) && !(l->flags & TCPF_USER_GONE) &&
		    !(l->listen_flags & STK_TCP_LISTEN_INSPECT) ? tcp_cookie_conn(l, s, &k) : NULL;
		if (c != NULL) {
			tcp_established_input(c, s);
			return;
		}
		/* 3.10.7.2: an ACK draws a RST; RST, or other control or data without ACK, is dropped. */
		if ((s->th.flags & (TCP_ACK | TCP_RST)) == TCP_ACK)
			tcp_respond_rst(in, s->ip, &s->th, s->len);
		tcp_seg_drop(in, s, STK_DROP_TCP_LISTEN_BAD);
		return;
	}
	/*
	 * A SYN carrying FIN: 3.10.7.2 keeps the other controls and text for
	 * after the handshake. Neither is kept here (the SYN's text is not, see
	 * below): unacknowledged, the peer sends them again. tcp_drop_synfin
	 * drops the whole segment (FreeBSD's net.inet.tcp.drop_synfin).
	 */
	if ((s->th.flags & TCP_FIN) && in->sh->p.tcp_drop_synfin) {
		tcp_seg_drop(in, s, STK_DROP_TCP_SYN_FIN);
		return;
	}
	if (l->flags & TCPF_USER_GONE) {
		tcp_seg_drop(in, s, STK_DROP_TCP_LISTEN_OVERFLOW);
		return;
	}
	if (l->children >= l->backlog && (l->listen_flags & STK_TCP_LISTEN_INSPECT)) {
		tcp_seg_drop(in, s, STK_DROP_TCP_INSPECT_FULL);
		return;
	}
	if (l->children >= l->backlog) {
		/* SYN queue full: answer statelessly (RFC 4987 3.6). */
		tcp_send_cookie_synack(in, s->ip, &s->th, &k);
		tcp_seg_free(s);
		return;
	}
	c = tcp_conn_alloc(in);
	if (c == NULL) {
		tcp_seg_free(s);
		return;
	}
	c->key = k;
	c->listener = l;
	tcp_conn_init_tcb(c);
	if (tcp_route(c) != 0 || tcp_conn_insert(c) != 0) {
		tcp_conn_free(c);
		tcp_seg_drop(in, s, STK_DROP_IPV4_NO_ROUTE);
		return;
	}
	l->children++;
	c->irs = s->th.seq;
	c->rcv_nxt = s->th.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_isn(&in->tcp->isn_key, c->key.laddr, c->key.lport, c->key.faddr,
			 c->key.fport, in->now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wnd = s->th.window; /* never scaled in a SYN */
	c->max_sndwnd = c->snd_wnd;
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = c->iss;
	c->last_rx = in->now;
	tcp_set_state(c, TCPS_SYN_RECEIVED);
	tcp_syn_options(c, &s->th.opts);
	STK_COUNT(in, TCP_PASSIVE_OPENS);
	rte_pktmbuf_free(s->m); /* data on a SYN is not kept: the peer resends it */
	s->m = NULL;
	if (l->listen_flags & STK_TCP_LISTEN_INSPECT)
		tcp_inspect_syn(l, c); /* the SYN-ACK waits for the owner's verdict */
	else
		tcp_send_syn(c);
}

/*
 * A request awaiting its inspect verdict has sent nothing: the peer's RST
 * at the SYN's next sequence number ends it (abort upcall); anything else,
 * its retransmitted SYN first, is dropped.
 */
void
tcp_inspect_pending_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	if ((s->th.flags & TCP_RST) && s->th.seq == c->rcv_nxt) {
		tcp_seg_free(s);
		STK_COUNT(c->in, TCP_RST_RX);
		tcp_conn_drop(c, STK_TCP_ECONNRESET);
		return;
	}
	tcp_seg_drop(c->in, s, STK_DROP_TCP_INSPECT_PENDING);
}

/* SYN-SENT (3.10.7.3). */
void
tcp_syn_sent_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	const struct tcp_repr *th = &s->th;
	bool ack = (th->flags & TCP_ACK) != 0;

	if (ack && (SEQ_LEQ(th->ack, c->iss) || SEQ_GT(th->ack, c->snd_max))) {
		if (!(th->flags & TCP_RST))
			tcp_respond_rst(c->in, s->ip, th, s->len);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_SENT_BAD);
		return;
	}
	if (th->flags & TCP_RST) {
		if (!ack) {
			tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_SENT_BAD);
			return;
		}
		tcp_seg_free(s);
		STK_COUNT(c->in, TCP_RST_RX);
		tcp_conn_drop(c, STK_TCP_ECONNREFUSED);
		return;
	}
	if (!(th->flags & TCP_SYN)) {
		tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_SENT_BAD);
		return;
	}
	if ((th->flags & TCP_FIN) && c->in->sh->p.tcp_drop_synfin) {
		tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_FIN);
		return;
	}
	c->irs = th->seq;
	c->rcv_nxt = th->seq + 1;
	c->snd_wnd = th->window;
	c->max_sndwnd = c->snd_wnd;
	c->snd_wl1 = th->seq;
	c->snd_wl2 = th->ack;
	tcp_syn_options(c, &th->opts);
	/* The window our SYN offered: text on the SYN lies in it. */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(tcp_rcv_window(c), 65535u);
	s->th.flags &= (uint8_t)~TCP_SYN;
	s->th.seq++;
	if (!ack) {
		/* Simultaneous open: SYN-RECEIVED, SYN-ACK with our ISS; the
		 * text waits for ESTABLISHED (3.10.7.3). */
		tcp_set_state(c, TCPS_SYN_RECEIVED);
		tcp_syn_text_queue(c, s);
		tcp_send_syn(c);
		return;
	}
	c->snd_una = th->ack;
	stk_timer_cancel(&c->in->wheel, &c->t_rexmt);
	c->retries = 0;
	c->backoff = 0;
	if (c->rtt_start != 0)
		tcp_rtt_sample(c, c->in->now - c->rtt_start);
	c->rtt_start = 0;
	tcp_set_state(c, TCPS_ESTABLISHED);
	STK_COUNT(c->in, TCP_ESTABLISHED);
	c->flags |= TCPF_ACK_NOW;
	tcp_keep_arm(c);
	c->flags &= ~TCPF_CONNECTING;
	if (tcp_user_alive(c) && c->up->connected != NULL)
		c->up->connected(c->arg, c, 0);
	if (c->state == TCPS_CLOSED) {
		tcp_seg_free(s);
		return;
	}
	/* Text and FIN on the SYN-ACK: processing goes on at the sixth step (3.10.7.3). */
	tcp_text_input(c, s);
}
