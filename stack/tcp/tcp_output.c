/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and sending segments. Data is never copied: a segment is a
 * header mbuf followed by indirect mbufs attached to the send queue's
 * segments (which may themselves be external mbufs over the caller's
 * pages). What may be sent follows RFC 9293 3.8.6 (windows), RFC 5681
 * (cwnd) and Nagle's algorithm (RFC 9293 3.7.4) unless TCP_NODELAY.
 */
#include <string.h>

#include <rte_ip.h>

#include "tcp_priv.h"

uint32_t
tcp_ts_now(const struct stk_inst *in)
{
	return (uint32_t)(in->now / STK_NS_PER_MS);
}

/* MSS for segments through @p port: its MTU less IPv4 and TCP headers. */
uint16_t
tcp_mss_for_port(const struct stk_inst *in, uint16_t port)
{
	return (uint16_t)(in->sh->ports[port].mtu - IPV4_HDR_LEN - TCP_HDR_LEN);
}

/*
 * The receive space: receive buffer less what is held or taken, and less
 * out-of-order data unless tcp_wnd_reass is off (that data lies inside the
 * window already offered, so the space still bounds it).
 */
uint32_t
tcp_rcv_space(const struct stk_tcp_conn *c)
{
	uint32_t used = c->rcvq_bytes + c->rcv_taken +
			(c->in->sh->p.tcp_wnd_reass ? tcp_reass_bytes(&c->reass) : 0);

	return used >= c->rcv_buf ? 0 : c->rcv_buf - used;
}

/* The window we can offer now: the receive space, as far as the window field can say it. */
uint32_t
tcp_rcv_window(const struct stk_tcp_conn *c)
{
	return RTE_MIN(tcp_rcv_space(c), (uint32_t)65535 << c->rcv_wscale);
}

/* Attach bytes [off, off + len) of the send queue to @p m as indirect mbufs. */
static int
tcp_attach_data(struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct rte_mbuf *seg = c->sndq;

	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (seg != NULL && len > 0) {
		uint16_t take = (uint16_t)RTE_MIN((uint32_t)seg->data_len - off, len);
		struct rte_mbuf *ind;

		if (take == 0) {
			seg = seg->next;
			continue;
		}
		ind = rte_pktmbuf_alloc(c->in->indirect_mp);
		if (ind == NULL)
			return STK_ENOMEM;
		rte_pktmbuf_attach(ind, seg);
		ind->data_off = (uint16_t)(ind->data_off + off);
		ind->data_len = take;
		ind->pkt_len = take;
		if (rte_pktmbuf_chain(m, ind) != 0) {
			rte_pktmbuf_free(ind);
			return STK_ENOMEM;
		}
		len -= take;
		off = 0;
		seg = seg->next;
	}
	return len == 0 ? 0 : STK_EINVAL;
}

/* Options for a segment of @p c with @p flags. */
static void
tcp_fill_opts(struct stk_tcp_conn *c, uint8_t flags, struct tcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (flags & TCP_SYN) {
		o->has_mss = true;
		o->mss = tcp_mss_for_port(c->in, c->port);
		/* On a SYN-ACK, only what the peer offered (RFC 7323, RFC 2018). */
		if (c->state == TCPS_SYN_SENT || (c->flags & TCPF_WS)) {
			o->has_wscale = true;
			o->wscale = c->rcv_wscale;
		}
		o->sack_permitted = c->state == TCPS_SYN_SENT || (c->flags & TCPF_SACK);
		o->has_ts = c->state == TCPS_SYN_SENT || (c->flags & TCPF_TS);
	} else {
		o->has_ts = (c->flags & TCPF_TS) != 0;
	}
	if (o->has_ts) {
		o->tsval = tcp_ts_now(c->in);
		o->tsecr = c->ts_recent;
	}
	if ((c->flags & TCPF_SACK) && !(flags & TCP_SYN) &&
	    (c->dsack || tcp_reass_segs(&c->reass) != 0)) {
		unsigned int n = 0;

		/* RFC 2883: a D-SACK block goes first, the others after it. */
		if (c->dsack) {
			o->sack[0].left = c->dsack_l;
			o->sack[0].right = c->dsack_r;
			n = 1;
		}
		n += tcp_reass_sack_blocks(&c->reass, c->rcv_nxt, o->sack + n, TCP_SACK_MAX - n);
		o->nb_sack = (uint8_t)n;
	}
}

/*
 * Data bytes the next non-SYN segment may carry: the MSS covers data and
 * options together (RFC 6691), and SACK blocks vary from segment to segment.
 */
uint32_t
tcp_data_room(struct stk_tcp_conn *c)
{
	struct tcp_opts o;
	size_t olen;

	tcp_fill_opts(c, TCP_ACK, &o);
	olen = tcp_opts_len(&o);
	return c->mss_base > olen ? c->mss_base - (uint32_t)olen : 1;
}

/*
 * Send one segment: sequence @p seq, @p flags, and @p len bytes of the send
 * queue from offset @p off. @return 0 or an stk_err (nothing was sent).
 */
static int
tcp_xmit(struct stk_tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len)
{
	struct stk_inst *in = c->in;
	struct rte_mbuf *m = stk_pktmbuf_alloc(in);
	struct tcp_repr th = { 0 };
	uint32_t win;
	void *hdr;

	if (m == NULL)
		return STK_ENOMEM;
	if (len > 0 && tcp_attach_data(c, m, off, len) != 0) {
		STK_DROP(in, NO_MBUF);
		rte_pktmbuf_free(m);
		return STK_ENOMEM;
	}
	th.sport = rte_be_to_cpu_16(c->key.lport);
	th.dport = rte_be_to_cpu_16(c->key.fport);
	th.seq = seq;
	th.flags = flags;
	if (flags & TCP_ACK)
		th.ack = c->rcv_nxt;
	win = tcp_rcv_window(c);
	/* Never shrink the window already offered (RFC 9293 3.8.6.2.2). */
	if (SEQ_LT(c->rcv_nxt + win, c->rcv_adv))
		win = c->rcv_adv - c->rcv_nxt;
	/* A RST offers nothing: the connection is gone (BSD and our stateless RSTs say 0). */
	if (flags & TCP_RST)
		win = 0;
	th.window = (uint16_t)RTE_MIN(win >> ((flags & TCP_SYN) ? 0 : c->rcv_wscale), 65535u);
	tcp_fill_opts(c, flags, &th.opts);
	hdr = rte_pktmbuf_prepend(m, (uint16_t)(TCP_HDR_LEN + tcp_opts_len(&th.opts)));
	tcp_emit(hdr, &th);
	if (SEQ_GT(c->rcv_nxt + ((uint32_t)th.window << ((flags & TCP_SYN) ? 0 : c->rcv_wscale)),
		   c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + ((uint32_t)th.window << ((flags & TCP_SYN) ? 0 :
								   c->rcv_wscale));
	if (flags & TCP_ACK) {
		c->dsack = false; /* reported once (RFC 2883 section 4) */
		c->last_ack_sent = th.ack;
		c->flags &= ~(TCPF_ACK_NOW | TCPF_DELACK);
		stk_timer_cancel(&in->wheel, &c->t_delack);
	}
	STK_COUNT(in, TCP_TX);
	ipv4_output(in, m, c->key.laddr, c->key.faddr, IPV4_PROTO_TCP);
	return 0;
}

/* A pure ACK carries SND.MAX: after an RTO rewound SND.NXT, an older
 * sequence number would be below the peer's RCV.NXT and unacceptable. */
void
tcp_send_ack(struct stk_tcp_conn *c)
{
	tcp_xmit(c, c->snd_max, TCP_ACK, 0, 0);
}

void
tcp_send_keepalive(struct stk_tcp_conn *c)
{
	tcp_xmit(c, c->snd_una - 1, TCP_ACK, 0, 0);
}

void
tcp_send_syn(struct stk_tcp_conn *c)
{
	uint8_t flags = c->state == TCPS_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;

	tcp_xmit(c, c->iss, flags, 0, 0);
	if (SEQ_LT(c->snd_max, c->iss + 1))
		c->snd_max = c->iss + 1;
	c->snd_nxt = c->iss + 1;
	if (!stk_timer_armed(&c->t_rexmt))
		tcp_rexmt_arm(c);
}

void
tcp_send_rst(struct stk_tcp_conn *c)
{
	tcp_xmit(c, c->snd_nxt, TCP_RST | TCP_ACK, 0, 0);
	STK_COUNT(c->in, TCP_RST_TX);
}

/* RFC 9293 3.10.7.1: the answer to a segment for no connection. */
void
tcp_respond_rst(struct stk_inst *in, const struct ipv4_repr *ip, const struct tcp_repr *th,
		uint32_t seg_len)
{
	struct tcp_repr r = { .sport = th->dport, .dport = th->sport };
	struct rte_mbuf *m;
	void *hdr;

	if (th->flags & TCP_RST)
		return;
	m = stk_pktmbuf_alloc(in);
	if (m == NULL)
		return;
	if (th->flags & TCP_ACK) {
		r.seq = th->ack;
		r.flags = TCP_RST;
	} else {
		r.ack = th->seq + seg_len + !!(th->flags & TCP_SYN) + !!(th->flags & TCP_FIN);
		r.flags = TCP_RST | TCP_ACK;
	}
	hdr = rte_pktmbuf_append(m, TCP_HDR_LEN);
	tcp_emit(hdr, &r);
	STK_COUNT(in, TCP_TX);
	STK_COUNT(in, TCP_RST_TX);
	ipv4_output(in, m, ip->dst, ip->src, IPV4_PROTO_TCP);
}

/* A SYN-ACK carrying a SYN cookie: no connection block behind it. */
void
tcp_send_cookie_synack(struct stk_inst *in, const struct ipv4_repr *ip, const struct tcp_repr *th,
		       const struct tcp_key *k)
{
	const struct tcp_opts *peer = &th->opts;
	struct tcp_repr r = { .sport = th->dport, .dport = th->sport, .ack = th->seq + 1,
			      .flags = TCP_SYN | TCP_ACK };
	uint16_t port;
	rte_be32_t nh;
	struct rte_mbuf *m;
	void *hdr;

	if (ipv4_route(in->sh, ip->src, &port, &nh) != 0)
		return;
	r.seq = tcp_cookie_make(in, k, th->seq, peer->has_mss ? peer->mss : 536);
	r.window = (uint16_t)RTE_MIN(in->sh->p.tcp_rcvbuf, 65535u);
	r.opts.has_mss = true;
	r.opts.mss = tcp_mss_for_port(in, port);
	r.opts.has_wscale = peer->has_wscale;
	r.opts.wscale = tcp_default_rcv_wscale(&in->sh->p);
	r.opts.sack_permitted = peer->sack_permitted && peer->has_ts;
	r.opts.has_ts = peer->has_ts;
	r.opts.tsval = tcp_cookie_tsval(in, peer);
	r.opts.tsecr = peer->tsval;
	if (!peer->has_ts) /* nowhere to keep the peer's scale: no scaling without timestamps */
		r.opts.has_wscale = false;
	m = stk_pktmbuf_alloc(in);
	if (m == NULL)
		return;
	hdr = rte_pktmbuf_append(m, (uint16_t)(TCP_HDR_LEN + tcp_opts_len(&r.opts)));
	tcp_emit(hdr, &r);
	STK_COUNT(in, TCP_TX);
	STK_COUNT(in, TCP_SYNCOOKIES_SENT);
	ipv4_output(in, m, ip->dst, ip->src, IPV4_PROTO_TCP);
}

/* Offset of the FIN in the send sequence space, if one is queued. */
static inline bool
tcp_fin_due(const struct stk_tcp_conn *c, uint32_t off, uint32_t len)
{
	return (c->flags & TCPF_SHUT_WR) && off + len == c->snd_bytes;
}

/* How many bytes of new or retransmitted data may leave now, from offset @p off. */
static uint32_t
tcp_send_len(const struct stk_tcp_conn *c, uint32_t off, uint32_t room)
{
	uint32_t wnd = RTE_MIN(c->snd_wnd, c->ccs.cwnd), in_flight = c->snd_nxt - c->snd_una;
	uint32_t avail = off < c->snd_bytes ? c->snd_bytes - off : 0;
	uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
	uint32_t len = RTE_MIN(avail, usable);

	return RTE_MIN(len, room);
}

/* Retransmit the first unacknowledged segment alone (fast retransmit, partial ACK). */
void
tcp_rexmit_first(struct stk_tcp_conn *c)
{
	uint32_t sent = c->snd_max - c->snd_una, len;
	uint8_t flags = TCP_ACK;

	if (sent == 0)
		return;
	/* Only data already sent: SND.MAX bounds it (the FIN, if out, is its last octet). */
	if ((c->flags & TCPF_FIN_SENT) && sent > c->snd_bytes)
		sent = c->snd_bytes;
	len = RTE_MIN(sent, tcp_data_room(c));
	if (len == c->snd_bytes && (c->flags & TCPF_FIN_SENT))
		flags |= TCP_FIN;
	if (len == 0 && !(flags & TCP_FIN))
		return;
	c->rtt_start = 0; /* Karn */
	c->retransmits++;
	STK_COUNT(c->in, TCP_RETRANSMITS);
	tcp_xmit(c, c->snd_una, flags, 0, len);
}

/*
 * RFC 6675 section 5 step (C): while cwnd - pipe >= 1 SMSS, send what
 * NextSeg() chooses.
 */
void
tcp_sack_send(struct stk_tcp_conn *c)
{
	unsigned int guard;

	for (guard = 0; guard < 64; guard++) {
		uint32_t pipe = tcp_sack_pipe(&c->sb, c->snd_una, c->snd_max, c->high_rxt,
					      TCP_SACK_DUPTHRESH, c->smss);
		uint32_t wnd_end = c->snd_una + RTE_MIN(c->snd_wnd, c->ccs.cwnd + c->smss);
		uint32_t unsent = c->snd_bytes - RTE_MIN(c->snd_bytes, c->snd_max - c->snd_una);
		struct tcp_sack_rxt r = {
			.snd_una = c->snd_una, .snd_max = c->snd_max, .high_rxt = c->high_rxt,
			.rescue_rxt = c->rescue_rxt, .rescue_valid = c->rescue_valid,
			.smss = tcp_data_room(c), .dupthresh = TCP_SACK_DUPTHRESH,
		};
		enum tcp_sack_rule rule;
		uint32_t seq, len;

		if (c->ccs.cwnd < pipe + c->smss)
			break;
		r.new_avail = SEQ_LT(c->snd_max, wnd_end) ?
				      RTE_MIN(unsent, wnd_end - c->snd_max) : 0;
		rule = tcp_sack_next_seg(&c->sb, &r, &seq, &len);
		if (rule == TCP_SACK_NONE)
			break;
		if (rule != TCP_SACK_NEW) {
			c->retransmits++;
			STK_COUNT(c->in, TCP_RETRANSMITS);
		}
		if (tcp_xmit(c, seq, TCP_ACK, seq - c->snd_una, len) != 0)
			break;
		if (rule == TCP_SACK_LOST || rule == TCP_SACK_HOLE) {
			c->high_rxt = seq + len;
		} else if (rule == TCP_SACK_NEW) {
			c->snd_max = seq + len;
			c->snd_nxt = c->snd_max;
		} else {
			c->rescue_rxt = c->recover;
			c->rescue_valid = true;
		}
	}
	if (!stk_timer_armed(&c->t_rexmt))
		tcp_rexmt_arm(c);
}

/*
 * Limited Transmit (RFC 3042): on the first two duplicate ACKs, one new
 * segment each beyond cwnd, so that a small window still draws the three
 * duplicate ACKs fast retransmit needs.
 */
void
tcp_limited_transmit(struct stk_tcp_conn *c)
{
	uint32_t cwnd = c->ccs.cwnd;

	if (c->dupacks == 0 || c->dupacks > 2 || SEQ_LT(c->snd_nxt, c->snd_max))
		return;
	c->ccs.cwnd = (c->snd_max - c->snd_una) + c->smss;
	tcp_output(c);
	c->ccs.cwnd = cwnd;
}

/*
 * Send what the windows allow: data from snd_nxt, then the FIN. Sends an
 * ACK alone if one is owed now and nothing else carried it.
 */
void
tcp_output(struct stk_tcp_conn *c)
{
	bool sent = false;
	uint32_t room;

	if (c->state < TCPS_ESTABLISHED || (c->flags & TCPF_ABORTED))
		goto ack;
	/* Options (SACK blocks) do not change while we send: size segments once. */
	room = tcp_data_room(c);
	for (;;) {
		uint32_t off = c->snd_nxt - c->snd_una, len;
		uint8_t flags = TCP_ACK;
		bool fin;

		if (off > c->snd_bytes)
			break; /* the FIN is out */
		len = tcp_send_len(c, off, room);
		fin = tcp_fin_due(c, off, len) && !(c->flags & TCPF_FIN_ACKED);
		/* Nagle: hold a small segment while data is unacknowledged. */
		if (len < room && !fin && !(c->flags & TCPF_NODELAY) &&
		    c->snd_max != c->snd_una &&
		    off + len == c->snd_bytes && SEQ_GEQ(c->snd_nxt, c->snd_max))
			break;
		if (len == 0 && !fin)
			break;
		/*
		 * Sender SWS avoidance (RFC 9293 3.8.6.2.1): when the window, not
		 * the data, cuts the segment short, wait (an ACK is due, data
		 * being in flight) for a full segment or half the largest window
		 * the peer offered. With nothing in flight, send at once.
		 */
		if (len < room && off + len < c->snd_bytes && len < c->max_sndwnd / 2 &&
		    c->snd_nxt != c->snd_una && SEQ_GEQ(c->snd_nxt, c->snd_max))
			break;
		if (len > 0 && off + len == c->snd_bytes)
			flags |= TCP_PSH;
		if (fin)
			flags |= TCP_FIN;
		if (SEQ_LT(c->snd_nxt, c->snd_max))
			STK_COUNT(c->in, TCP_RETRANSMITS);
		if (tcp_xmit(c, c->snd_nxt, flags, off, len) != 0)
			break;
		sent = true;
		if (c->rtt_start == 0 && len > 0 && c->snd_nxt == c->snd_max) {
			c->rtt_seq = c->snd_nxt;
			c->rtt_start = c->in->now;
		}
		c->snd_nxt += len + fin;
		if (fin)
			c->flags |= TCPF_FIN_SENT;
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (!stk_timer_armed(&c->t_rexmt))
			tcp_rexmt_arm(c);
		if (fin)
			break;
	}
	/* A zero window with data waiting: the retransmit timer probes (persist). */
	if (!sent && c->snd_wnd == 0 && c->snd_bytes > c->snd_nxt - c->snd_una &&
	    !stk_timer_armed(&c->t_rexmt))
		tcp_rexmt_arm(c);
ack:
	if (!sent && (c->flags & TCPF_ACK_NOW) && c->state >= TCPS_SYN_RECEIVED)
		tcp_send_ack(c);
}
