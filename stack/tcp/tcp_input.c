/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment arrival (RFC 9293 section 3.10.7). tcp_input() checks the header
 * and checksum, finds the connection or listener and runs the state machine
 * over the parsed segment; every rejected segment is dropped with a named
 * reason.
 */
#include "tcp_priv.h"

/*
 * RFC 2883 (if tcp_dsack is on): remember the first duplicate range
 * [@p l, @p r) a segment carried; the next ACK, sent at once, reports it
 * as its first SACK block.
 */
static void
tcp_dsack_note(struct stk_tcp_conn *c, uint32_t l, uint32_t r)
{
	if (!c->in->sh->p.tcp_dsack || !(c->flags & TCPF_SACK) || c->dsack || !SEQ_LT(l, r))
		return;
	c->dsack = true;
	c->dsack_l = l;
	c->dsack_r = r;
	c->flags |= TCPF_ACK_NOW;
}

/* The part of @p s below RCV.NXT is a duplicate (RFC 2883 section 4, first case). */
static void
tcp_dsack_old(struct stk_tcp_conn *c, const struct tcp_seg *s)
{
	if (s->len > 0 && SEQ_LT(s->th.seq, c->rcv_nxt))
		tcp_dsack_note(c, s->th.seq,
			       SEQ_LT(s->th.seq + s->len, c->rcv_nxt) ? s->th.seq + s->len : c->rcv_nxt);
}

/* The first part of [@p seq, @p seq + @p len) already queued out of order is a duplicate. */
static void
tcp_dsack_queued(struct stk_tcp_conn *c, uint32_t seq, uint32_t len)
{
	const struct rte_mbuf *m;
	uint32_t qs;

	if (!c->in->sh->p.tcp_dsack || !(c->flags & TCPF_SACK))
		return;
	for (m = tcp_reass_first(&c->reass, &qs); m != NULL; m = tcp_reass_next(m, &qs)) {
		uint32_t l = SEQ_GT(qs, seq) ? qs : seq;
		uint32_t r = SEQ_LT(qs + m->pkt_len, seq + len) ? qs + m->pkt_len : seq + len;

		if (SEQ_LT(l, r)) {
			tcp_dsack_note(c, l, r);
			return;
		}
	}
}

/*
 * RCV.WND of the acceptability test and of trimming (3.10.7.4): the window
 * advertised, or with tcp_rcv_wnd_space the receive space when that is more
 * (BSD's rcv_wnd = max(sbspace, rcv_adv - rcv_nxt)): without window scaling
 * the field cannot offer a buffer above 65535 bytes, and a receiver may take
 * what it has room for. Only a connection with a receive buffer has that
 * space: not a passive open's SYN-RECEIVED child (BSD's syncache entry
 * holds the window it offered) nor TIME-WAIT (BSD's tcptw).
 */
static uint32_t
tcp_rcv_wnd(const struct stk_tcp_conn *c)
{
	uint32_t adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (c->in->sh->p.tcp_rcv_wnd_space && c->listener == NULL && c->state < TCPS_TIME_WAIT)
		return RTE_MAX(adv, tcp_rcv_space(c));
	return adv;
}

/* First check of 3.10.7.4: is the segment acceptable? */
static bool
tcp_seq_acceptable(const struct stk_tcp_conn *c, uint32_t seq, uint32_t len, bool rst)
{
	uint32_t wnd = tcp_rcv_wnd(c);

	/* A bare ACK at the right edge is taken (Linux and BSD do): it is the
	 * window update of a peer that filled our window. A RST must be inside. */
	if (len == 0 && !rst)
		return SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LEQ(seq, c->rcv_nxt + wnd);
	if (len == 0)
		return wnd == 0 ? seq == c->rcv_nxt : seq_in_window(seq, c->rcv_nxt, wnd);
	if (wnd == 0)
		return false;
	return seq_in_window(seq, c->rcv_nxt, wnd) ||
	       seq_in_window(seq + len - 1, c->rcv_nxt, wnd);
}

/* Trim the segment to the window: bytes below RCV.NXT and beyond the right edge. */
static void
tcp_trim_to_window(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t wnd = tcp_rcv_wnd(c);

	if (SEQ_LT(s->th.seq, c->rcv_nxt)) {
		uint32_t skip = c->rcv_nxt - s->th.seq;

		if (s->th.flags & TCP_SYN) {
			s->th.flags &= (uint8_t)~TCP_SYN;
			skip--;
		}
		skip = RTE_MIN(skip, s->len);
		s->m = tcp_reass_mbuf_trim_front(s->m, skip);
		s->len -= skip;
		s->th.seq += skip;
	}
	if (SEQ_GT(s->th.seq + s->len, c->rcv_nxt + wnd)) {
		uint32_t keep = c->rcv_nxt + wnd - s->th.seq;

		tcp_reass_mbuf_trim_back(s->m, keep);
		s->len = keep;
		s->th.flags &= (uint8_t)~TCP_FIN;
	}
}

/* Challenge ACK (RFC 5961 sections 3.2 and 4.2), rate-limited per instance (section 7). */
static void
tcp_challenge_ack(struct stk_tcp_conn *c)
{
	struct tcp_ctx *t = c->in->tcp;

	if (c->in->now - t->chal_refill >= STK_NS_PER_S) {
		t->chal_refill = c->in->now;
		t->chal_tokens = TCP_CHALLENGE_ACK_LIMIT;
	}
	if (t->chal_tokens == 0) {
		STK_COUNT(c->in, TCP_CHALLENGE_LIMITED);
		return;
	}
	t->chal_tokens--;
	STK_COUNT(c->in, TCP_CHALLENGE_ACKS);
	tcp_send_ack(c);
}

/* PAWS (RFC 7323 section 5.3): @return true if the segment's timestamp is too old. */
static bool
tcp_paws_reject(const struct stk_tcp_conn *c, const struct tcp_seg *s)
{
	if (!(c->flags & TCPF_TS) || !s->th.opts.has_ts || (s->th.flags & TCP_RST))
		return false;
	/* TS.Recent idle for more than 24 days is no longer valid (5.5). */
	if (c->in->now - c->ts_recent_age > 24ull * 86400 * STK_NS_PER_S)
		return false;
	return (int32_t)(s->th.opts.tsval - c->ts_recent) < 0;
}

/* RST in a synchronized state or SYN-RECEIVED (RFC 5961 3.2). @return true if handled. */
static bool
tcp_rst_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	if (!(s->th.flags & TCP_RST))
		return false;
	if (c->state == TCPS_TIME_WAIT) {
		/* RFC 1337: a RST must not cut TIME-WAIT short. */
		tcp_seg_drop(c->in, s, STK_DROP_TCP_TW_RST);
		return true;
	}
	if (s->th.seq != c->rcv_nxt && c->in->sh->p.tcp_rfc5961_rst) {
		tcp_challenge_ack(c);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_RST_OUT_OF_WINDOW);
		return true;
	}
	tcp_seg_free(s);
	STK_COUNT(c->in, TCP_RST_RX);
	/*
	 * In CLOSING and LAST-ACK too: our FIN (and any data before it) will
	 * never be acknowledged, so the sends and the shutdown fail and a
	 * user still holding the connection hears the reset, as Linux's
	 * tcp_reset() and FreeBSD's tcp_drop() report ECONNRESET.
	 */
	tcp_conn_drop(c, c->state == TCPS_SYN_RECEIVED && c->listener == NULL ?
			      STK_TCP_ECONNREFUSED : STK_TCP_ECONNRESET);
	return true;
}

/*
 * A SYN in a synchronized state (3.10.7.4, fourth check), inside the window:
 * RFC 5961 4.2's challenge ACK, or, with tcp_rfc5961_syn off, RFC 793's
 * answer: a RST, and the connection is reset.
 */
static void
tcp_syn_in_window(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t wnd = tcp_rcv_wnd(c);

	/* A SYN below RCV.NXT (on a segment reaching into the window) is old. */
	if (c->in->sh->p.tcp_rfc5961_syn || !seq_in_window(s->th.seq, c->rcv_nxt, wnd)) {
		tcp_challenge_ack(c);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_IN_WINDOW);
		return;
	}
	tcp_seg_drop(c->in, s, STK_DROP_TCP_SYN_IN_WINDOW);
	tcp_send_rst(c);
	tcp_conn_drop(c, STK_TCP_ECONNRESET);
}

/*
 * SYN-RECEIVED and an acceptable ACK: established; a passive child goes to
 * its listener. @return false if the segment was consumed (dropped, or the
 * accept upcall refused the connection).
 */
static bool
tcp_syn_received_ack(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	struct stk_tcp_conn *l = c->listener;
	struct stk_tcp_peer peer;

	if (!(SEQ_LT(c->snd_una, s->th.ack) && SEQ_LEQ(s->th.ack, c->snd_max))) {
		tcp_respond_rst(c->in, s->ip, &s->th, s->len);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_BAD_ACK);
		return false;
	}
	tcp_set_state(c, TCPS_ESTABLISHED);
	STK_COUNT(c->in, TCP_ESTABLISHED);
	c->snd_wnd = (uint32_t)s->th.window << c->snd_wscale;
	c->max_sndwnd = RTE_MAX(c->max_sndwnd, c->snd_wnd);
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = s->th.ack;
	if (l == NULL) {
		c->flags &= ~TCPF_CONNECTING;
		if (tcp_user_alive(c) && c->up->connected != NULL)
			c->up->connected(c->arg, c, 0);
		return c->state != TCPS_CLOSED;
	}
	/* Off the inspected list first: the accept upcall is the one owed, no abort. */
	peer = (struct stk_tcp_peer){ c->key.laddr, c->key.lport, c->key.faddr, c->key.fport,
				      tcp_inspect_unlink(c) };
	c->listener = NULL;
	if (l->children > 0)
		l->children--;
	if (!tcp_user_alive(l) || l->up->accept(l->arg, l, c, &peer) != 0) {
		/* Nobody holds it: reset, and it is reaped at the end of the poll. */
		c->flags |= TCPF_USER_GONE;
		c->up = NULL;
		tcp_send_rst(c);
		tcp_conn_drop(c, STK_TCP_ECONNABORTED);
		tcp_seg_free(s);
		return false;
	}
	tcp_keep_arm(c);
	return true;
}

/* The ACK field (3.10.7.4, fifth check). @return false if the segment was consumed. */
static bool
tcp_ack_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	if (!(s->th.flags & TCP_ACK)) {
		tcp_seg_drop(c->in, s, STK_DROP_TCP_NO_ACK);
		return false;
	}
	if (c->state == TCPS_SYN_RECEIVED && !tcp_syn_received_ack(c, s))
		return false;
	if (SEQ_GT(s->th.ack, c->snd_max)) {
		c->flags |= TCPF_ACK_NOW;
		tcp_output(c);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_ACK_TOO_NEW);
		return false;
	}
	{
		bool advanced = SEQ_GT(s->th.ack, c->snd_una);

		/* An ACK that moves SND.UNA carries the current window, even on an old SEQ. */
		if (advanced && SEQ_LT(s->th.seq, c->snd_wl1))
			c->snd_wl1 = s->th.seq;
		if (advanced)
			tcp_ack_advance(c, s);
		if (!tcp_sack_ack(c, s, advanced) && !advanced && s->th.ack == c->snd_una &&
		    !(c->flags & TCPF_SACK))
			tcp_dupack(c, s);
	}
	if (SEQ_GEQ(s->th.ack, c->snd_una))
		tcp_update_window(c, &s->th);
	if ((c->flags & TCPF_FIN_ACKED) && c->state >= TCPS_FIN_WAIT_1 &&
	    c->state != TCPS_FIN_WAIT_2 && c->state != TCPS_TIME_WAIT) {
		if (!tcp_fin_acked(c)) {
			tcp_seg_free(s);
			return false;
		}
	}
	if (c->state == TCPS_TIME_WAIT && (s->th.flags & TCP_FIN)) {
		/* A retransmitted FIN: ACK it and restart 2*MSL. */
		c->flags |= TCPF_ACK_NOW;
		tcp_timewait_start(c);
	}
	return true;
}

/* Append in-order data to the receive queue. */
static void
tcp_rcvq_append(struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len)
{
	if (c->rcvq == NULL) {
		c->rcvq = m;
	} else if (rte_pktmbuf_chain(c->rcvq, m) != 0) {
		/* Too many segments in one chain: keep what fits, count the rest. */
		STK_DROP(c->in, TCP_REASS_FULL);
		rte_pktmbuf_free(m);
		return;
	}
	c->rcvq_bytes += len;
	c->rcv_nxt += len;
}

/*
 * Data the stack will hold (receive or reassembly queue) must live in the
 * instance's own pool: frames of a foreign pool (net_af_packet's 12 KiB
 * frames, a ring peer's mbufs) are copied into compact mbufs, so that held
 * data never starves a device's RX pool.
 * @return the chain to keep, or NULL (no mbuf: dropped and counted).
 */
static struct rte_mbuf *
tcp_hold_compact(struct stk_tcp_conn *c, struct rte_mbuf *m)
{
	struct rte_mbuf *copy;

	if (m->pool == c->in->mp && m->next == NULL)
		return m;
	copy = rte_pktmbuf_copy(m, c->in->mp, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (copy == NULL)
		STK_DROP(c->in, NO_MBUF);
	return copy;
}

/*
 * Below 1/16 of the pool free, new data is refused (the peer retransmits)
 * while ACKs go on being processed, so that held data can always drain.
 */
static bool
tcp_mem_pressure(struct stk_inst *in)
{
	/* rte_mempool_avail_count() walks every lcore's cache: once per poll at most. */
	if (in->pool_checked != in->stats.cnt[STK_CNT_POLLS]) {
		in->pool_checked = in->stats.cnt[STK_CNT_POLLS];
		in->pool_low = rte_mempool_avail_count(in->mp) < in->mp->size / 16;
	}
	return in->pool_low;
}

/*
 * Text on a SYN received in SYN-SENT (a simultaneous open) is queued for
 * processing once ESTABLISHED is reached (3.10.7.3): it waits in the
 * reassembly queue, unacknowledged, until tcp_syn_text_pull(). A FIN on
 * that SYN is not kept (BSD does not either): unacknowledged, it comes again.
 */
void
tcp_syn_text_queue(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	s->th.flags &= (uint8_t)~TCP_FIN;
	tcp_trim_to_window(c, s);
	if (s->len == 0 || tcp_mem_pressure(c->in)) {
		tcp_seg_free(s);
		return;
	}
	s->m = tcp_hold_compact(c, s->m);
	if (s->m != NULL && tcp_reass_insert(&c->reass, s->th.seq, s->m) == STK_ENOMEM)
		STK_DROP(c->in, TCP_REASS_FULL);
	s->m = NULL;
}

/* Established: text that came on the SYN (tcp_syn_text_queue) is in order now. */
static void
tcp_syn_text_pull(struct stk_tcp_conn *c)
{
	uint32_t got = 0;
	struct rte_mbuf *m;

	if (tcp_reass_segs(&c->reass) == 0 || c->state < TCPS_ESTABLISHED)
		return;
	m = tcp_reass_pull(&c->reass, c->rcv_nxt, &got);
	if (m == NULL)
		return;
	tcp_rcvq_append(c, m, got);
	tcp_delack_arm(c);
}

/* Segment text (3.10.7.4, seventh check) and delayed ACK. */
static void
tcp_data_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t len = s->len;

	if (len == 0) {
		tcp_seg_free(s);
		tcp_syn_text_pull(c);
		return;
	}
	if (c->state > TCPS_FIN_WAIT_2 || c->state == TCPS_CLOSE_WAIT ||
	    c->state == TCPS_LAST_ACK || (c->flags & TCPF_PEER_FIN)) {
		tcp_seg_drop(c->in, s, STK_DROP_TCP_DATA_AFTER_FIN);
		return;
	}
	if (tcp_mem_pressure(c->in)) {
		c->flags |= TCPF_ACK_NOW;
		tcp_seg_drop(c->in, s, STK_DROP_TCP_MEM_PRESSURE);
		return;
	}
	s->m = tcp_hold_compact(c, s->m);
	if (s->m == NULL)
		return;
	if (s->th.flags & TCP_PSH)
		c->flags |= TCPF_RCV_PUSH;
	if (s->th.seq == c->rcv_nxt && tcp_reass_segs(&c->reass) == 0) {
		tcp_rcvq_append(c, s->m, len);
		s->m = NULL;
		/* RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: ACK every second full segment. */
		if ((c->flags & TCPF_DELACK) || (s->th.flags & TCP_PSH && len < c->smss &&
						  c->rcvq_bytes + c->rcv_taken > c->rcv_buf / 2))
			c->flags |= TCPF_ACK_NOW;
		else
			tcp_delack_arm(c);
		return;
	}
	/* Out of order, or filling a hole: queue, then pull what became contiguous. */
	tcp_dsack_queued(c, s->th.seq, len);
	if (tcp_reass_insert(&c->reass, s->th.seq, s->m) == STK_ENOMEM)
		STK_DROP(c->in, TCP_REASS_FULL);
	else
		STK_COUNT(c->in, TCP_OOO);
	s->m = NULL;
	{
		uint32_t got = 0;
		struct rte_mbuf *m = tcp_reass_pull(&c->reass, c->rcv_nxt, &got);

		if (m != NULL)
			tcp_rcvq_append(c, m, got);
	}
	c->flags |= TCPF_ACK_NOW; /* immediate ACK (with SACK) on out-of-order arrival */
}

/* The FIN (3.10.7.4, eighth check), once all data before it arrived. */
static void
tcp_fin_input(struct stk_tcp_conn *c, uint32_t fin_seq)
{
	if (fin_seq != c->rcv_nxt || (c->flags & TCPF_PEER_FIN))
		return;
	c->rcv_nxt++;
	c->flags |= TCPF_PEER_FIN | TCPF_ACK_NOW;
	switch (c->state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(c, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		tcp_set_state(c, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2: {
		void *ctx = c->shut_ctx;

		c->shut_ctx = NULL;
		tcp_timewait_start(c);
		if (ctx != NULL && tcp_user_alive(c) && c->up->shutdown_done != NULL)
			c->up->shutdown_done(c->arg, c, ctx, 0);
		break;
	}
	default:
		break;
	}
}

/* Synchronized states and SYN-RECEIVED (3.10.7.4). */
void
tcp_established_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t seg_len;

	/* The peer's SYN again (its SYN-ACK in a simultaneous open, or a retransmitted
	 * SYN): it sits at IRS, below RCV.NXT; only the rest of the segment matters. */
	if ((s->th.flags & TCP_SYN) && c->state == TCPS_SYN_RECEIVED && s->th.seq == c->irs) {
		s->th.flags &= (uint8_t)~TCP_SYN;
		s->th.seq++;
	}
	seg_len = s->len + !!(s->th.flags & TCP_SYN) + !!(s->th.flags & TCP_FIN);

	if (tcp_paws_reject(c, s)) {
		c->flags |= TCPF_ACK_NOW;
		tcp_output(c);
		tcp_seg_drop(c->in, s, STK_DROP_TCP_PAWS);
		return;
	}
	if (!tcp_seq_acceptable(c, s->th.seq, seg_len, (s->th.flags & TCP_RST) != 0)) {
		/* A retransmitted FIN in TIME-WAIT restarts 2*MSL (3.10.7.4, eighth). */
		if (c->state == TCPS_TIME_WAIT && (s->th.flags & TCP_FIN) &&
		    !(s->th.flags & TCP_RST))
			tcp_timewait_start(c);
		if (!(s->th.flags & TCP_RST)) {
			tcp_dsack_old(c, s);
			c->flags |= TCPF_ACK_NOW;
			tcp_output(c);
		}
		tcp_seg_drop(c->in, s, STK_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	if (tcp_rst_input(c, s))
		return;
	if (s->th.flags & TCP_SYN) {
		tcp_syn_in_window(c, s);
		return;
	}
	/* RFC 7323 4.3: TS.Recent from a segment covering Last.ACK.sent. */
	if ((c->flags & TCPF_TS) && s->th.opts.has_ts && SEQ_LEQ(s->th.seq, c->last_ack_sent) &&
	    (int32_t)(s->th.opts.tsval - c->ts_recent) >= 0) {
		c->ts_recent = s->th.opts.tsval;
		c->ts_recent_age = c->in->now;
	}
	if (!tcp_ack_input(c, s))
		return;
	tcp_dsack_old(c, s);
	tcp_text_input(c, s);
}

/*
 * The text and the FIN (3.10.7.4, seventh and eighth checks) of an
 * acceptable segment whose ACK was processed; then delivery and output.
 */
void
tcp_text_input(struct stk_tcp_conn *c, struct tcp_seg *s)
{
	bool fin;
	uint32_t fin_seq;

	tcp_trim_to_window(c, s);
	fin = (s->th.flags & TCP_FIN) != 0;
	fin_seq = s->th.seq + s->len;
	tcp_data_input(c, s);
	if (fin && fin_seq != c->rcv_nxt && SEQ_GT(fin_seq, c->rcv_nxt)) {
		/* Ahead of a hole: remember it until the data before it arrives;
		 * out of order, it is ACKed at once (RFC 5681 4.2, RFC 9293 3.8.6.3). */
		c->flags |= TCPF_FIN_PENDING | TCPF_ACK_NOW;
		c->rcv_fin = fin_seq;
	} else if (fin) {
		tcp_fin_input(c, fin_seq);
	}
	if ((c->flags & TCPF_FIN_PENDING) && c->rcv_nxt == c->rcv_fin) {
		c->flags &= ~TCPF_FIN_PENDING;
		tcp_fin_input(c, c->rcv_fin);
	}
	tcp_deliver(c);
	if (c->state != TCPS_CLOSED)
		tcp_output(c);
}

/*
 * RFC 6191: a SYN may reopen a 4-tuple in TIME-WAIT if its timestamp is newer
 * than the old connection's (both with timestamps), or, without timestamps,
 * its sequence number is above the old RCV.NXT (RFC 1122 4.2.2.13).
 */
static bool
tcp_tw_reusable(const struct stk_tcp_conn *c, const struct tcp_seg *s)
{
	/* A connection request: a lone SYN (a SYN+FIN opens nothing here). */
	if ((s->th.flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN)
		return false;
	if ((c->flags & TCPF_TS) && s->th.opts.has_ts)
		return (int32_t)(s->th.opts.tsval - c->ts_recent) > 0;
	return !(c->flags & TCPF_TS) && SEQ_GT(s->th.seq, c->rcv_nxt);
}

static enum stk_drop
tcp_check(struct stk_inst *in, struct tcp_seg *s, bool bcast)
{
	const struct ipv4_repr *ip = s->ip;
	uint16_t seg_len = (uint16_t)(ip->total_len - ip->hdr_len);
	enum stk_drop why;

	if (bcast)
		return STK_DROP_TCP_NOT_UNICAST;
	why = tcp_parse(rte_pktmbuf_mtod(s->m, const void *), rte_pktmbuf_data_len(s->m), seg_len,
			&s->th);
	if (why != STK_DROP_NONE)
		return why;
	if ((s->m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	    ipv4_l4_cksum(s->m, 0, seg_len, ip->src, ip->dst, IPV4_PROTO_TCP) != 0xffff)
		return STK_DROP_TCP_BAD_CHECKSUM;
	stk_mbuf_trim_to(s->m, seg_len);
	rte_pktmbuf_adj(s->m, s->th.hdr_len);
	s->len = seg_len - s->th.hdr_len;
	return STK_DROP_NONE;
}

/* On the owning instance: a segment another instance received for one of our connections. */
static void
tcp_redirected(struct stk_inst *in, void *arg)
{
	struct rte_mbuf *m = arg;
	struct ipv4_repr ip;

	if (ipv4_parse(rte_pktmbuf_mtod(m, const void *), m->pkt_len, false, &ip) != STK_DROP_NONE) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_adj(m, ip.hdr_len);
	tcp_input(in, m, &ip, false);
}

/*
 * Without predictable RSS (net_af_packet's fanout), the answers to an active
 * open may reach another instance: pass the segment to the owner of its local
 * port. @return true if it was passed on (or dropped for a full ring).
 */
static bool
tcp_redirect(struct stk_inst *in, struct tcp_seg *s, rte_be16_t lport)
{
	unsigned int owner = tcp_owner_of(in, lport);
	uint16_t port;
	rte_be32_t nh;

	if (in->count == 1 || owner == in->idx || in->siblings == NULL ||
	    ipv4_route(in->sh, s->ip->src, &port, &nh) != 0 || in->sh->ports[port].reta_size != 0)
		return false;
	if (rte_pktmbuf_prepend(s->m, (uint16_t)(s->th.hdr_len + s->ip->hdr_len)) == NULL)
		return false;
	if (stk_inst_post(in->siblings[owner], tcp_redirected, s->m) != 0) {
		tcp_seg_drop(in, s, STK_DROP_TCP_REDIRECT_FULL);
		return true;
	}
	STK_COUNT(in, TCP_REDIRECTED);
	s->m = NULL;
	return true;
}

void
tcp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast)
{
	struct tcp_seg s = { .m = m, .ip = ip };
	struct stk_tcp_conn *c, *l;
	struct tcp_key k;
	enum stk_drop why;

	STK_COUNT(in, TCP_RX);
	why = tcp_check(in, &s, bcast);
	if (why != STK_DROP_NONE) {
		tcp_seg_drop(in, &s, why);
		return;
	}
	k = (struct tcp_key){ ip->dst, ip->src, rte_cpu_to_be_16(s.th.dport),
			      rte_cpu_to_be_16(s.th.sport) };
	c = tcp_conn_lookup(in, &k);
	if (c == NULL) {
		l = tcp_listener_lookup(in, ip->dst, k.lport);
		if (l != NULL) {
			tcp_listen_input(l, &s);
			return;
		}
		if (tcp_redirect(in, &s, k.lport))
			return;
		tcp_respond_rst(in, ip, &s.th, s.len);
		tcp_seg_drop(in, &s, STK_DROP_TCP_NO_SOCKET);
		return;
	}
	if (c->state == TCPS_TIME_WAIT && tcp_tw_reusable(c, &s)) {
		/* RFC 6191: the old incarnation gives way to the new SYN. */
		STK_COUNT(in, TCP_TW_REUSED);
		tcp_set_state(c, TCPS_CLOSED);
		tcp_timers_cancel(c);
		tcp_conn_remove(c);
		tcp_conn_maybe_free(c);
		l = tcp_listener_lookup(in, ip->dst, k.lport);
		if (l != NULL) {
			tcp_listen_input(l, &s);
			return;
		}
		tcp_respond_rst(in, ip, &s.th, s.len);
		tcp_seg_drop(in, &s, STK_DROP_TCP_NO_SOCKET);
		return;
	}
	c->last_rx = in->now;
	c->keep_sent = 0;
	if (c->flags & TCPF_INSPECT_PEND)
		tcp_inspect_pending_input(c, &s);
	else if (c->state == TCPS_SYN_SENT)
		tcp_syn_sent_input(c, &s);
	else
		tcp_established_input(c, &s);
	rte_pktmbuf_free(s.m);
}
