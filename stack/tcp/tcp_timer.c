/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers on the instance's wheel: retransmission (RFC 6298, with Karn's
 * rule and exponential backoff), persist (zero-window probes) on the same
 * timer, delayed ACK, keepalive, and 2*MSL in TIME_WAIT.
 */
#include "tcp_priv.h"

static void tcp_rexmt_fire(struct stk_timer *t, void *arg, stk_time_t now);
static void tcp_delack_fire(struct stk_timer *t, void *arg, stk_time_t now);
static void tcp_keep_fire(struct stk_timer *t, void *arg, stk_time_t now);

void
tcp_timers_init(struct stk_tcp_conn *c)
{
	stk_timer_init(&c->t_rexmt, tcp_rexmt_fire, c);
	stk_timer_init(&c->t_delack, tcp_delack_fire, c);
	stk_timer_init(&c->t_keep, tcp_keep_fire, c);
}

void
tcp_timers_cancel(struct stk_tcp_conn *c)
{
	struct stk_wheel *w = &c->in->wheel;

	stk_timer_cancel(w, &c->t_rexmt);
	stk_timer_cancel(w, &c->t_delack);
	stk_timer_cancel(w, &c->t_keep);
}

static stk_time_t
tcp_rto_ns(const struct stk_tcp_conn *c)
{
	const struct stk_params *p = &c->in->sh->p;
	stk_time_t rto = (stk_time_t)c->rto_ms * STK_NS_PER_MS << c->backoff;

	if (rto < p->tcp_rto_min)
		rto = p->tcp_rto_min;
	return RTE_MIN(rto, p->tcp_rto_max);
}

void
tcp_rexmt_arm(struct stk_tcp_conn *c)
{
	stk_timer_arm(&c->in->wheel, &c->t_rexmt, c->in->now + tcp_rto_ns(c));
}

void
tcp_delack_arm(struct stk_tcp_conn *c)
{
	c->flags |= TCPF_DELACK;
	if (!stk_timer_armed(&c->t_delack))
		stk_timer_arm(&c->in->wheel, &c->t_delack, c->in->now + c->in->sh->p.tcp_delack);
}

void
tcp_timewait_start(struct stk_tcp_conn *c)
{
	tcp_set_state(c, TCPS_TIME_WAIT);
	stk_timer_cancel(&c->in->wheel, &c->t_keep);
	stk_timer_cancel(&c->in->wheel, &c->t_delack);
	stk_timer_arm(&c->in->wheel, &c->t_rexmt, c->in->now + 2 * c->in->sh->p.tcp_msl);
}

void
tcp_keep_arm(struct stk_tcp_conn *c)
{
	stk_time_t at = c->last_rx + (stk_time_t)(c->keep_sent ? c->keep_intvl_ms : c->keep_idle_ms) *
		STK_NS_PER_MS;

	if (c->flags & TCPF_KEEPALIVE)
		stk_timer_arm(&c->in->wheel, &c->t_keep, RTE_MAX(at, c->in->now + STK_NS_PER_MS));
}

/* RFC 6298 section 2 and 3: SRTT, RTTVAR and RTO from a sample. */
void
tcp_rtt_sample(struct stk_tcp_conn *c, stk_time_t rtt_ns)
{
	uint32_t r = (uint32_t)RTE_MIN(rtt_ns / 1000, (stk_time_t)UINT32_MAX / 8);
	uint32_t rto_us;

	if (r == 0)
		r = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = r;
		c->rttvar_us = r / 2;
	} else {
		uint32_t delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;

		c->rttvar_us = (3 * c->rttvar_us + delta) / 4;
		c->srtt_us = (7 * c->srtt_us + r) / 8;
	}
	/* G = 1 ms: the wheel's granularity. */
	rto_us = c->srtt_us + RTE_MAX(1000u, 4 * c->rttvar_us);
	c->rto_ms = (rto_us + 999) / 1000;
	c->backoff = 0;
}

/* 2*MSL over: the connection is gone. */
static void
tcp_timewait_over(struct stk_tcp_conn *c)
{
	tcp_set_state(c, TCPS_CLOSED);
	if (c->flags & TCPF_IN_TABLE)
		tcp_conn_remove(c);
	tcp_conn_maybe_free(c);
}

/*
 * Zero-window probe (RFC 9293 3.8.6.1): the first unacknowledged byte, sent
 * into the closed window, again at every expiry with backoff, for as long as
 * the peer answers with a zero window.
 */
static void
tcp_persist_probe(struct stk_tcp_conn *c)
{
	uint32_t wnd = c->snd_wnd;

	c->snd_nxt = c->snd_una;
	c->snd_wnd = 1;
	tcp_output(c);
	c->snd_wnd = wnd;
	if (c->backoff < 16)
		c->backoff++;
	tcp_rexmt_arm(c);
}

static bool
tcp_give_up(struct stk_tcp_conn *c)
{
	const struct stk_params *p = &c->in->sh->p;
	uint32_t limit = c->state < TCPS_ESTABLISHED ? p->tcp_syn_retries : p->tcp_retries;

	return c->retries >= limit;
}

static void
tcp_rexmt_fire(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct stk_tcp_conn *c = arg;

	if (c->flags & TCPF_INSPECT_PEND) {
		tcp_inspect_expire(c); /* no verdict in time */
		return;
	}
	if (c->state == TCPS_TIME_WAIT ||
	    (c->state == TCPS_FIN_WAIT_2 && (c->flags & TCPF_USER_GONE))) {
		tcp_timewait_over(c);
		return;
	}
	if (c->snd_wnd == 0 && c->snd_bytes > 0 && c->state >= TCPS_ESTABLISHED &&
	    SEQ_LEQ(c->snd_max, c->snd_una + 1)) {
		tcp_persist_probe(c);
		return;
	}
	if (c->snd_una == c->snd_max)
		return; /* everything acknowledged meanwhile */
	if (tcp_give_up(c)) {
		STK_COUNT(c->in, TCP_TIMEOUTS);
		tcp_conn_drop(c, STK_TCP_ETIMEDOUT);
		return;
	}
	c->retries++;
	c->retransmits++;
	if (c->backoff < 16)
		c->backoff++;
	/* Karn: no RTT sample from retransmitted data. */
	c->rtt_start = 0;
	if (c->state >= TCPS_ESTABLISHED) {
		c->ccs.flight_size = c->snd_max - c->snd_una;
		if (c->retries == 1)
			c->cc->congestion_event(&c->ccs, TCP_CC_EV_RTO, now);
		c->dupacks = 0;
		/* RFC 6675 5.1: forget SACK state; RFC 6582: recovery starts over. */
		tcp_sack_reset(&c->sb);
		c->sack_recovery = false;
		c->ccs.in_recovery = false;
		c->recover = c->snd_max;
		c->snd_nxt = c->snd_una;
		if (c->snd_wnd == 0)
			tcp_rexmit_first(c); /* RFC 9293 3.8.6.1: retransmit even into a zero window */
		else
			tcp_output(c);
	} else {
		STK_COUNT(c->in, TCP_RETRANSMITS);
		tcp_send_syn(c);
	}
	tcp_rexmt_arm(c);
}

static void
tcp_delack_fire(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct stk_tcp_conn *c = arg;

	if (c->flags & TCPF_DELACK)
		tcp_send_ack(c);
}

static void
tcp_keep_fire(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct stk_tcp_conn *c = arg;

	if (!(c->flags & TCPF_KEEPALIVE) || c->state < TCPS_ESTABLISHED ||
	    c->state == TCPS_TIME_WAIT)
		return;
	if (now < c->last_rx + (stk_time_t)c->keep_idle_ms * STK_NS_PER_MS && c->keep_sent == 0) {
		tcp_keep_arm(c);
		return;
	}
	if (c->keep_sent >= c->keep_cnt) {
		STK_COUNT(c->in, TCP_TIMEOUTS);
		tcp_conn_drop(c, STK_TCP_ETIMEDOUT);
		return;
	}
	/* A probe: an old sequence number (SND.UNA - 1) draws an ACK (RFC 9293 3.8.4). */
	c->keep_sent++;
	tcp_send_keepalive(c);
	stk_timer_arm(&c->in->wheel, &c->t_keep, now + (stk_time_t)c->keep_intvl_ms * STK_NS_PER_MS);
}
