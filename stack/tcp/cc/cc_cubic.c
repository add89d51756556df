/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control (RFC 9438), written from the RFC.
 *
 * Integer arithmetic throughout, so results are the same on every build:
 * windows in bytes, the cubic function's time in milliseconds, W_est in
 * bytes with TCP_CUBIC_WEST_SHIFT fraction bits. The constants are exact
 * fractions: C = 0.4 = 1 segment per 2.5e9 ms^3, beta_cubic = 7/10,
 * (1 + beta_cubic) / 2 = 17/20 and alpha_cubic = 3 (1 - beta) / (1 + beta)
 * = 9/17.
 *
 * Slow start, ABC and leaving recovery are Reno's (cc_newreno.c); HyStart++
 * is not implemented (RFC 9438 section 4.10 allows Reno's slow start).
 */
#include <rte_common.h>

#include "tcp/tcp_cc.h"

/** ms^3 per segment of W_cubic growth: 1e9 / C. */
#define CUBIC_C_DIV 2500000000ULL
/** beta_cubic = 7/10 (section 4.6). */
#define CUBIC_BETA_NUM 7
#define CUBIC_BETA_DEN 10
/** Fast convergence factor (1 + beta_cubic) / 2 = 17/20 (section 4.7). */
#define CUBIC_FC_NUM 17
#define CUBIC_FC_DEN 20
/** alpha_cubic = 3 (1 - beta_cubic) / (1 + beta_cubic) = 9/17 (section 4.3). */
#define CUBIC_ALPHA_NUM 9
#define CUBIC_ALPHA_DEN 17
/** Largest |t - K| in ms whose cube fits in 63 bits. */
#define CUBIC_D_MAX ((1ULL << 21) - 1)
/** Largest x with x^3 < 2^64. */
#define CUBIC_CBRT_MAX 2642245ULL

static inline uint32_t
cubic_clamp(uint64_t w)
{
	return w > TCP_CC_CWND_MAX ? TCP_CC_CWND_MAX : (uint32_t)w;
}

/* Floor of the cube root of x, by bisection: 22 steps, no floating point. */
static uint32_t
cubic_cbrt(uint64_t x)
{
	uint64_t lo = 0, hi = CUBIC_CBRT_MAX;

	while (lo < hi) {
		uint64_t mid = (lo + hi + 1) / 2;

		if (mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (uint32_t)lo;
}

uint32_t
tcp_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t smss)
{
	/* K^3 [ms^3] = (W_max - cwnd_epoch) [segments] * 1e9 / C. */
	if (w_max <= cwnd_epoch || smss == 0)
		return 0;
	return cubic_cbrt((uint64_t)(w_max - cwnd_epoch) * CUBIC_C_DIV / smss);
}

/* C * d^3 in bytes for d in ms: d^3 * smss / 2.5e9, split to stay in 64 bits. */
static uint64_t
cubic_delta(uint64_t d_ms, uint32_t smss)
{
	uint64_t d3, q, r;

	d_ms = RTE_MIN(d_ms, CUBIC_D_MAX);
	d3 = d_ms * d_ms * d_ms;
	q = d3 / CUBIC_C_DIV;
	r = d3 % CUBIC_C_DIV;
	if (q > TCP_CC_CWND_MAX / smss)
		return 2ULL * TCP_CC_CWND_MAX; /* beyond any window */
	return q * smss + r * smss / CUBIC_C_DIV;
}

uint32_t
tcp_cubic_window(uint32_t w_max, uint32_t k_ms, uint64_t t_ms, uint32_t smss)
{
	uint64_t delta;

	if (smss == 0)
		return w_max;
	if (t_ms >= k_ms)
		return cubic_clamp(w_max + cubic_delta(t_ms - k_ms, smss));
	delta = cubic_delta(k_ms - t_ms, smss);
	return delta >= w_max ? 0 : cubic_clamp(w_max - delta);
}

/* RFC 9438 uses the smoothed RTT; keep one from the samples (RFC 6298 gain 1/8). */
static void
cubic_rtt_sample(struct tcp_cubic_priv *c, stk_time_t rtt)
{
	if (rtt == 0)
		return;
	if (c->srtt == 0)
		c->srtt = rtt;
	else if (rtt > c->srtt)
		c->srtt += (rtt - c->srtt) / 8;
	else
		c->srtt -= (c->srtt - rtt) / 8;
}

/* Leave application-limited or idle time out of t (section 5.8): slide t_epoch. */
static void
cubic_skip_time(struct tcp_cubic_priv *c, stk_time_t now)
{
	if (c->epoch_valid && now > c->last_ack)
		c->epoch_start += now - c->last_ack;
	c->last_ack = now;
}

/* A congestion-avoidance stage begins (section 4.2; 4.8 and 4.10 for K = 0). */
static void
cubic_epoch_begin(struct tcp_cc_state *st, struct tcp_cubic_priv *c, stk_time_t now)
{
	c->epoch_valid = true;
	c->epoch_start = now;
	c->cwnd_epoch = st->cwnd;
	c->cwnd_frac = 0;
	c->w_est = (uint64_t)st->cwnd << TCP_CUBIC_WEST_SHIFT;
	if (c->cwnd_prior == 0)
		c->cwnd_prior = st->cwnd; /* first stage without a loss (4.10) */
	if (c->k_zero || c->w_max <= st->cwnd) {
		/* After an RTO, with W_max unknown, or above it: start at the plateau. */
		c->w_max = st->cwnd;
		c->k_ms = 0;
		c->k_zero = false;
	} else {
		c->k_ms = tcp_cubic_k_ms(c->w_max, st->cwnd, st->smss);
	}
}

/* W_est += alpha * acked * SMSS / cwnd (Figure 4, in bytes); alpha -> 1 at cwnd_prior. */
static void
cubic_west_update(struct tcp_cc_state *st, struct tcp_cubic_priv *c, uint32_t acked)
{
	uint64_t inc = ((uint64_t)acked * st->smss << TCP_CUBIC_WEST_SHIFT) / st->cwnd;

	if (c->w_est < (uint64_t)c->cwnd_prior << TCP_CUBIC_WEST_SHIFT)
		inc = inc * CUBIC_ALPHA_NUM / CUBIC_ALPHA_DEN;
	c->w_est += inc;
}

/* Congestion avoidance on a new ACK of @p acked bytes (sections 4.2 to 4.5). */
static void
cubic_avoid(struct tcp_cc_state *st, struct tcp_cubic_priv *c, uint32_t acked, stk_time_t now)
{
	uint64_t t_ns, w_t, target, w_est, inc;
	uint32_t cwnd = st->cwnd;

	if (!c->epoch_valid)
		cubic_epoch_begin(st, c, now);
	t_ns = now > c->epoch_start ? now - c->epoch_start : 0;
	w_t = tcp_cubic_window(c->w_max, c->k_ms, t_ns / STK_NS_PER_MS, st->smss);
	target = tcp_cubic_window(c->w_max, c->k_ms, (t_ns + c->srtt) / STK_NS_PER_MS,
				  st->smss);
	cubic_west_update(st, c, acked);
	w_est = c->w_est >> TCP_CUBIC_WEST_SHIFT;

	if (w_t < w_est) {
		/* Reno-friendly region (4.3): cwnd = W_est; never shrink on an ACK. */
		if (w_est > cwnd)
			st->cwnd = cubic_clamp(w_est);
		return;
	}
	/* Concave (4.4) or convex (4.5): target bounded to [cwnd, 1.5 cwnd]. */
	target = RTE_MAX(target, (uint64_t)cwnd);
	target = RTE_MIN(target, (uint64_t)cwnd + cwnd / 2);
	/* cwnd += (target - cwnd) / cwnd per SMSS acked, in bytes, remainder kept. */
	inc = (target - cwnd) * acked + c->cwnd_frac;
	c->cwnd_frac = (uint32_t)(inc % cwnd);
	st->cwnd = cubic_clamp(cwnd + inc / cwnd);
}

static void
cubic_init(struct tcp_cc_state *st, uint32_t smss, stk_time_t now)
{
	tcp_cc_state_init(st, smss);
	st->priv.cubic.fast_convergence = true;
	st->priv.cubic.last_ack = now;
}

static void
cubic_ack_received(struct tcp_cc_state *st, uint32_t acked, stk_time_t rtt, stk_time_t now)
{
	struct tcp_cubic_priv *c = &st->priv.cubic;

	cubic_rtt_sample(c, rtt);
	if (st->app_limited) {
		cubic_skip_time(c, now);
		return;
	}
	c->last_ack = now;
	if (st->in_recovery || acked == 0)
		return;
	acked = RTE_MIN(acked, TCP_CC_CWND_MAX);
	if (st->cwnd < st->ssthresh) {
		acked = tcp_cc_slow_start(st, acked);
		if (acked == 0)
			return;
	}
	cubic_avoid(st, c, acked, now);
}

static void
cubic_save_undo(struct tcp_cubic_priv *c)
{
	c->undo.epoch_start = c->epoch_start;
	c->undo.w_est = c->w_est;
	c->undo.w_max = c->w_max;
	c->undo.cwnd_prior = c->cwnd_prior;
	c->undo.cwnd_epoch = c->cwnd_epoch;
	c->undo.k_ms = c->k_ms;
	c->undo.epoch_valid = c->epoch_valid;
	c->undo.k_zero = c->k_zero;
}

static void
cubic_congestion_event(struct tcp_cc_state *st, enum tcp_cc_event ev, stk_time_t now)
{
	struct tcp_cubic_priv *c = &st->priv.cubic;
	uint32_t reduced;

	RTE_SET_USED(now);
	if (st->in_recovery && ev != TCP_CC_EV_RTO)
		return; /* one reduction per recovery episode */
	tcp_cc_save_prior(st);
	cubic_save_undo(c);

	/* Fast convergence (4.7), then remember the window (4.6: cwnd_prior). */
	if (c->fast_convergence && st->cwnd < c->w_max)
		c->w_max = (uint32_t)((uint64_t)st->cwnd * CUBIC_FC_NUM / CUBIC_FC_DEN);
	else
		c->w_max = st->cwnd;
	c->cwnd_prior = st->cwnd;

	/* Figure 5: ssthresh = flight_size * beta_cubic. */
	reduced = (uint32_t)((uint64_t)st->flight_size * CUBIC_BETA_NUM / CUBIC_BETA_DEN);
	switch (ev) {
	case TCP_CC_EV_FAST_RETRANSMIT:
		st->cwnd = RTE_MAX(reduced, 2 * st->smss);
		st->in_recovery = true;
		break;
	case TCP_CC_EV_ECN:
		st->cwnd = RTE_MAX(reduced, st->smss);
		break;
	case TCP_CC_EV_RTO:
		/* 4.8: Reno's loss window; the next stage starts with K = 0. */
		st->cwnd = st->smss;
		st->in_recovery = false;
		st->after_rto = true;
		c->k_zero = true;
		break;
	}
	st->ssthresh = RTE_MAX(reduced, 2 * st->smss);
	st->bytes_acked = 0;
	c->epoch_valid = false;
	c->cwnd_frac = 0;
}

static void
cubic_post_recovery(struct tcp_cc_state *st, stk_time_t now)
{
	RTE_SET_USED(now);
	tcp_cc_exit_recovery(st);
}

static void
cubic_after_idle(struct tcp_cc_state *st, stk_time_t now)
{
	cubic_skip_time(&st->priv.cubic, now);
	tcp_cc_restart_idle(st);
}

static void
cubic_undo(struct tcp_cc_state *st, stk_time_t now)
{
	struct tcp_cubic_priv *c = &st->priv.cubic;

	RTE_SET_USED(now);
	if (st->prior_cwnd == 0)
		return;
	/* 4.9.2: restore only while cwnd is still below cwnd_prior. */
	if (st->cwnd < c->cwnd_prior) {
		st->cwnd = st->prior_cwnd;
		st->ssthresh = st->prior_ssthresh;
		c->epoch_start = c->undo.epoch_start;
		c->w_est = c->undo.w_est;
		c->w_max = c->undo.w_max;
		c->cwnd_prior = c->undo.cwnd_prior;
		c->cwnd_epoch = c->undo.cwnd_epoch;
		c->k_ms = c->undo.k_ms;
		c->epoch_valid = c->undo.epoch_valid;
		c->k_zero = c->undo.k_zero;
		c->cwnd_frac = 0;
	}
	st->in_recovery = false;
	st->after_rto = false;
	st->bytes_acked = 0;
	st->prior_cwnd = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ack_received = cubic_ack_received,
	.congestion_event = cubic_congestion_event,
	.post_recovery = cubic_post_recovery,
	.after_idle = cubic_after_idle,
	.undo = cubic_undo,
};
