/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno congestion control (RFC 5681, RFC 6582), the building blocks every
 * algorithm shares (initial window, RFC 6928; byte counting, RFC 3465;
 * leaving recovery; restart after idle) and the registry.
 *
 * NewReno keeps no private state: cwnd, ssthresh and bytes_acked in
 * struct tcp_cc_state are all it needs.
 */
#include <string.h>

#include <rte_common.h>

#include "tcp/tcp_cc.h"

/* RFC 9293 section 3.7.1: the send MSS when nothing else is known. */
#define CC_DEFAULT_SMSS 536

/* Every connection carries one: keep it to two cache lines. */
_Static_assert(sizeof(struct tcp_cc_state) <= 128, "struct tcp_cc_state grew past 128 bytes");

/* ---- Shared building blocks ------------------------------------------- */

static inline uint32_t
cc_clamp(uint64_t w)
{
	return w > TCP_CC_CWND_MAX ? TCP_CC_CWND_MAX : (uint32_t)w;
}

uint32_t
tcp_cc_initial_window(uint32_t smss)
{
	/* RFC 6928 section 2: min(10*MSS, max(2*MSS, 14600)). */
	uint64_t ten = (uint64_t)smss * 10;
	uint64_t lower = RTE_MAX((uint64_t)smss * 2, (uint64_t)14600);

	return cc_clamp(RTE_MIN(ten, lower));
}

void
tcp_cc_state_init(struct tcp_cc_state *st, uint32_t smss)
{
	memset(st, 0, sizeof(*st));
	st->smss = smss != 0 ? smss : CC_DEFAULT_SMSS;
	st->cwnd = tcp_cc_initial_window(st->smss);
	st->ssthresh = TCP_CC_SSTHRESH_INF;
}

uint32_t
tcp_cc_slow_start(struct tcp_cc_state *st, uint32_t acked)
{
	/* RFC 3465 section 2: L = 2*SMSS; 1*SMSS in the slow start after an RTO. */
	uint32_t limit = st->after_rto ? st->smss : 2 * st->smss;
	uint32_t inc = RTE_MIN(acked, limit);
	uint32_t room;

	if (st->cwnd >= st->ssthresh)
		return acked;
	room = st->ssthresh - st->cwnd;
	if (inc < room) {
		st->cwnd = cc_clamp((uint64_t)st->cwnd + inc);
		return 0;
	}
	/* cwnd reaches ssthresh: slow start is over, the rest counts for avoidance. */
	st->cwnd = cc_clamp(st->ssthresh);
	st->after_rto = false;
	return acked > room ? acked - room : 0;
}

void
tcp_cc_reno_avoid(struct tcp_cc_state *st, uint32_t acked)
{
	uint64_t n = (uint64_t)st->bytes_acked + acked;

	/* RFC 3465 section 2.1: at most one SMSS per ACK, one per cwnd of bytes. */
	if (n >= st->cwnd) {
		n -= st->cwnd;
		st->cwnd = cc_clamp((uint64_t)st->cwnd + st->smss);
	}
	/* A run of stretch ACKs cannot bank more than one window of credit. */
	st->bytes_acked = (uint32_t)RTE_MIN(n, (uint64_t)st->cwnd);
}

void
tcp_cc_exit_recovery(struct tcp_cc_state *st)
{
	uint64_t w;

	if (!st->in_recovery)
		return;
	w = (uint64_t)RTE_MAX(st->flight_size, st->smss) + st->smss;
	st->cwnd = cc_clamp(RTE_MIN(w, (uint64_t)st->ssthresh));
	st->in_recovery = false;
	st->bytes_acked = 0;
}

void
tcp_cc_restart_idle(struct tcp_cc_state *st)
{
	uint32_t rw = RTE_MIN(tcp_cc_initial_window(st->smss), st->cwnd);

	if (rw < st->cwnd) {
		uint32_t keep = st->cwnd - st->cwnd / 4;

		st->ssthresh = RTE_MAX(st->ssthresh, keep);
		st->cwnd = rw;
	}
	st->bytes_acked = 0;
}

/* ---- NewReno ------------------------------------------------------------ */

static void
newreno_init(struct tcp_cc_state *st, uint32_t smss, stk_time_t now)
{
	RTE_SET_USED(now);
	tcp_cc_state_init(st, smss);
}

static void
newreno_ack_received(struct tcp_cc_state *st, uint32_t acked, stk_time_t rtt, stk_time_t now)
{
	RTE_SET_USED(rtt);
	RTE_SET_USED(now);
	/* Recovery manages cwnd itself; an application-limited sender has not
	 * shown that the network carries its cwnd (RFC 7661), so no growth. */
	if (st->in_recovery || st->app_limited || acked == 0)
		return;
	acked = RTE_MIN(acked, TCP_CC_CWND_MAX);
	if (st->cwnd < st->ssthresh) {
		acked = tcp_cc_slow_start(st, acked);
		if (acked == 0)
			return;
	}
	tcp_cc_reno_avoid(st, acked);
}

static void
newreno_congestion_event(struct tcp_cc_state *st, enum tcp_cc_event ev, stk_time_t now)
{
	/* RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2*SMSS). */
	uint32_t half = st->flight_size / 2;
	uint32_t ssthresh = RTE_MAX(half, 2 * st->smss);

	RTE_SET_USED(now);
	if (st->in_recovery && ev != TCP_CC_EV_RTO)
		return; /* one reduction per recovery episode (RFC 6582, RFC 3168) */
	tcp_cc_save_prior(st);
	st->bytes_acked = 0;
	switch (ev) {
	case TCP_CC_EV_FAST_RETRANSMIT:
		st->ssthresh = ssthresh;
		st->cwnd = ssthresh;
		st->in_recovery = true;
		break;
	case TCP_CC_EV_RTO:
		/* RFC 5681 section 3.1: cwnd = loss window = 1 SMSS. */
		st->ssthresh = ssthresh;
		st->cwnd = st->smss;
		st->in_recovery = false;
		st->after_rto = true;
		break;
	case TCP_CC_EV_ECN:
		/* RFC 3168 section 6.1.2: halve, at least one SMSS. */
		st->ssthresh = ssthresh;
		st->cwnd = RTE_MAX(half, st->smss);
		break;
	}
}

static void
newreno_post_recovery(struct tcp_cc_state *st, stk_time_t now)
{
	RTE_SET_USED(now);
	tcp_cc_exit_recovery(st);
}

static void
newreno_after_idle(struct tcp_cc_state *st, stk_time_t now)
{
	RTE_SET_USED(now);
	tcp_cc_restart_idle(st);
}

static void
newreno_undo(struct tcp_cc_state *st, stk_time_t now)
{
	RTE_SET_USED(now);
	if (st->prior_cwnd == 0)
		return;
	st->cwnd = RTE_MAX(st->cwnd, st->prior_cwnd);
	st->ssthresh = RTE_MAX(st->ssthresh, st->prior_ssthresh);
	st->in_recovery = false;
	st->after_rto = false;
	st->bytes_acked = 0;
	st->prior_cwnd = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.ack_received = newreno_ack_received,
	.congestion_event = newreno_congestion_event,
	.post_recovery = newreno_post_recovery,
	.after_idle = newreno_after_idle,
	.undo = newreno_undo,
};

/* ---- Registry ----------------------------------------------------------- */

static const struct tcp_cc_ops *const cc_algos[] = {
	&tcp_cc_cubic,
	&tcp_cc_newreno,
};

const struct tcp_cc_ops *
tcp_cc_find(const char *name)
{
	unsigned int i;

	if (name == NULL || name[0] == '\0')
		name = TCP_CC_DEFAULT;
	for (i = 0; i < RTE_DIM(cc_algos); i++)
		if (strcmp(cc_algos[i]->name, name) == 0)
			return cc_algos[i];
	return NULL;
}
