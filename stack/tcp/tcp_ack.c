/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ACK side of segment arrival (RFC 9293 3.10.7.4, fifth check): new
 * data acknowledged (RTT, send queue, congestion window, timers), window
 * updates, duplicate ACKs with NewReno fast retransmit (RFC 5681, RFC 6582)
 * and Limited Transmit (RFC 3042), SACK loss recovery (RFC 6675), and the
 * state changes when our FIN is acknowledged.
 */
#include "tcp_priv.h"

/* Window update (3.10.7.4, fifth check, ESTABLISHED). */
void
tcp_update_window(struct stk_tcp_conn *c, const struct tcp_repr *th)
{
	if (SEQ_LT(c->snd_wl1, th->seq) ||
	    (c->snd_wl1 == th->seq && SEQ_LEQ(c->snd_wl2, th->ack))) {
		c->snd_wnd = (uint32_t)th->window << c->snd_wscale;
		c->max_sndwnd = RTE_MAX(c->max_sndwnd, c->snd_wnd);
		c->snd_wl1 = th->seq;
		c->snd_wl2 = th->ack;
	}
}

/* Enter RFC 6675 loss recovery (section 5, steps 4.1 to 4.4). */
static void
tcp_sack_enter_recovery(struct stk_tcp_conn *c)
{
	c->recover = c->snd_max;
	c->ccs.flight_size = c->snd_max - c->snd_una;
	c->cc->congestion_event(&c->ccs, TCP_CC_EV_FAST_RETRANSMIT, c->in->now);
	c->sack_recovery = true;
	c->high_rxt = c->snd_una;
	c->rescue_valid = false;
	tcp_rexmit_first(c);
	c->high_rxt = c->snd_una + RTE_MIN(c->snd_bytes, (uint32_t)c->smss);
	tcp_sack_send(c);
	tcp_rexmt_arm(c);
}

/*
 * The SACK part of an ACK (RFC 6675 section 5). @return true if the
 * connection is (now) in SACK recovery and the ACK was handled for sending.
 */
bool
tcp_sack_ack(struct stk_tcp_conn *c, const struct tcp_seg *s, bool advanced)
{
	uint32_t fresh;

	if (!(c->flags & TCPF_SACK))
		return false;
	fresh = tcp_sack_update(&c->sb, c->snd_una, c->snd_max, s->th.opts.sack,
				s->th.opts.nb_sack);
	if (c->sack_recovery) {
		if (SEQ_GEQ(c->snd_una, c->recover)) {
			c->sack_recovery = false;
			c->ccs.flight_size = c->snd_max - c->snd_una;
			c->cc->post_recovery(&c->ccs, c->in->now);
			return false;
		}
		tcp_sack_send(c);
		return true;
	}
	if (advanced || fresh == 0 || c->snd_una == c->snd_max)
		return false;
	/* A duplicate ACK with new SACK information (RFC 6675 section 2, DupAck). */
	c->dupacks++;
	if ((c->dupacks >= TCP_SACK_DUPTHRESH ||
	     tcp_sack_is_lost(&c->sb, c->snd_una, TCP_SACK_DUPTHRESH, c->smss)) &&
	    SEQ_GT(c->snd_una, c->recover)) {
		tcp_sack_enter_recovery(c);
		return true;
	}
	tcp_limited_transmit(c);
	return c->dupacks > 0;
}

/* Duplicate ACKs and NewReno fast retransmit (RFC 5681 3.2, RFC 6582). */
void
tcp_dupack(struct stk_tcp_conn *c, const struct tcp_seg *s)
{
	/* Answers to zero-window probes are not duplicate ACKs. */
	if (s->len != 0 || c->snd_max == c->snd_una || c->snd_wnd == 0 ||
	    ((uint32_t)s->th.window << c->snd_wscale) != c->snd_wnd)
		return;
	if (++c->dupacks != 3) {
		if (c->dupacks > 3 && c->ccs.in_recovery) {
			tcp_cc_recovery_inflate(&c->ccs, 1);
			tcp_output(c);
		} else {
			tcp_limited_transmit(c);
		}
		return;
	}
	if (c->ccs.in_recovery || SEQ_LEQ(c->snd_una, c->recover))
		return;
	c->recover = c->snd_max;
	c->ccs.flight_size = c->snd_max - c->snd_una;
	c->cc->congestion_event(&c->ccs, TCP_CC_EV_FAST_RETRANSMIT, c->in->now);
	tcp_rexmit_first(c);
	tcp_cc_recovery_inflate(&c->ccs, 3);
	tcp_rexmt_arm(c);
}

/* New data acknowledged: RTT, send queue, congestion window, timers. */
void
tcp_ack_advance(struct stk_tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t acked = s->th.ack - c->snd_una, data_acked = RTE_MIN(acked, c->snd_bytes);
	stk_time_t rtt = 0;

	if ((c->flags & TCPF_TS) && s->th.opts.has_ts && s->th.opts.tsecr != 0)
		rtt = (stk_time_t)(tcp_ts_now(c->in) - s->th.opts.tsecr) * STK_NS_PER_MS;
	else if (c->rtt_start != 0 && SEQ_GT(s->th.ack, c->rtt_seq))
		rtt = c->in->now - c->rtt_start;
	if (c->rtt_start != 0 && SEQ_GT(s->th.ack, c->rtt_seq))
		c->rtt_start = 0;
	if (rtt != 0 || (c->flags & TCPF_TS))
		tcp_rtt_sample(c, rtt != 0 ? rtt : 1);
	c->snd_una = s->th.ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	if ((c->flags & TCPF_FIN_SENT) && acked > data_acked)
		c->flags |= TCPF_FIN_ACKED;
	c->retries = 0;
	c->backoff = 0;
	c->ccs.flight_size = c->snd_max - c->snd_una;
	if (c->sack_recovery) {
		/* RFC 6675: cwnd stays; tcp_sack_ack() sends and ends recovery. */
	} else if (c->ccs.in_recovery) {
		if (SEQ_GEQ(s->th.ack, c->recover)) {
			c->cc->post_recovery(&c->ccs, c->in->now);
		} else {
			/* Partial ACK: retransmit the next hole (RFC 6582 3.2 step 5). */
			tcp_cc_recovery_partial_ack(&c->ccs, data_acked);
			tcp_sendq_ack(c, data_acked);
			data_acked = 0;
			tcp_rexmit_first(c);
		}
	} else {
		c->cc->ack_received(&c->ccs, data_acked, rtt, c->in->now);
	}
	c->dupacks = 0;
	tcp_sendq_ack(c, data_acked);
	if (c->snd_una == c->snd_max)
		stk_timer_cancel(&c->in->wheel, &c->t_rexmt);
	else
		tcp_rexmt_arm(c);
	if (tcp_user_alive(c) && c->up->send_backlog != NULL)
		c->up->send_backlog(c->arg, c, RTE_MIN(c->ccs.cwnd, c->snd_wnd));
}

/* Our FIN was acknowledged: FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT, LAST-ACK -> CLOSED. */
bool
tcp_fin_acked(struct stk_tcp_conn *c)
{
	void *ctx = c->shut_ctx;
	bool alive = tcp_user_alive(c);

	switch (c->state) {
	case TCPS_FIN_WAIT_1:
		tcp_set_state(c, TCPS_FIN_WAIT_2);
		if (c->flags & TCPF_USER_GONE) /* orphaned: don't wait for the peer forever */
			stk_timer_arm(&c->in->wheel, &c->t_rexmt, c->in->now + 2 * c->in->sh->p.tcp_msl);
		return true;
	case TCPS_CLOSING:
		tcp_timewait_start(c);
		break;
	case TCPS_LAST_ACK:
		tcp_set_state(c, TCPS_CLOSED);
		tcp_timers_cancel(c);
		if (c->flags & TCPF_IN_TABLE)
			tcp_conn_remove(c);
		break;
	default:
		return true;
	}
	c->shut_ctx = NULL;
	if (ctx != NULL && alive && c->up->shutdown_done != NULL)
		c->up->shutdown_done(c->arg, c, ctx, 0);
	if (c->state == TCPS_CLOSED) {
		tcp_conn_maybe_free(c);
		return false;
	}
	return true;
}

