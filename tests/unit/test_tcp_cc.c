/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Congestion control: NewReno (RFC 5681, 6582) and CUBIC (RFC 9438) driven
 * by a deterministic ACK clock on virtual time, plus CUBIC's window function
 * against values computed independently with python3's floating point:
 *
 *   K = ((w_max - cwnd_epoch) / smss / 0.4) ** (1/3) * 1000          [ms]
 *   W = w_max + 0.4 * ((t_ms - k_ms) / 1000) ** 3 * smss             [bytes]
 *
 * No EAL: the algorithms allocate nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "check.h"
#include "tcp_cc.h"

#define MSS 1460u
#define SEG(n) ((uint32_t)(n) * MSS)
#define MS STK_NS_PER_MS

/* A sender and its ACK clock, on virtual time. */
struct sim {
	const struct tcp_cc_ops *ops;
	struct tcp_cc_state st;
	stk_time_t now;
	stk_time_t rtt;
};

static void
sim_init(struct sim *s, const struct tcp_cc_ops *ops, uint32_t smss, stk_time_t rtt)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->rtt = rtt;
	s->now = 1000 * MS;
	ops->init(&s->st, smss, s->now);
}

/*
 * One round trip: the window sent at the start of the round (cwnd bytes)
 * comes back as ACKs of @p per_ack segments each, evenly spaced over the RTT,
 * each carrying an RTT sample. flight_size follows the data still unacked.
 */
static void
sim_round(struct sim *s, uint32_t per_ack)
{
	uint32_t window = s->st.cwnd;
	uint32_t chunk = per_ack * s->st.smss;
	uint32_t nacks = (window + chunk - 1) / chunk;
	stk_time_t step = s->rtt / nacks;
	uint32_t left = window;

	while (left > 0) {
		uint32_t acked = left < chunk ? left : chunk;

		left -= acked;
		s->now += step;
		s->st.flight_size = left;
		s->ops->ack_received(&s->st, acked, s->rtt, s->now);
	}
}

/* Put the sender in congestion avoidance at @p cwnd bytes. */
static void
sim_set_avoidance(struct sim *s, uint32_t cwnd)
{
	s->st.cwnd = cwnd;
	s->st.ssthresh = cwnd;
}

/* A loss found by duplicate ACKs with @p flight in flight, then a full ACK with @p after. */
static void
sim_loss(struct sim *s, uint32_t flight, uint32_t after)
{
	s->st.flight_size = flight;
	s->ops->congestion_event(&s->st, TCP_CC_EV_FAST_RETRANSMIT, s->now);
	s->now += s->rtt;
	s->st.flight_size = after;
	s->ops->post_recovery(&s->st, s->now);
}

/* ---- registry and initial window --------------------------------------- */

static void
test_registry(void)
{
	CHECK(tcp_cc_find("newreno") == &tcp_cc_newreno);
	CHECK(tcp_cc_find("cubic") == &tcp_cc_cubic);
	CHECK(tcp_cc_find(NULL) == &tcp_cc_cubic, "default is CUBIC");
	CHECK(tcp_cc_find("") == &tcp_cc_cubic);
	CHECK(tcp_cc_find("reno") == NULL);
	CHECK(tcp_cc_find("CUBIC") == NULL, "names are case-sensitive");
	CHECK(strcmp(tcp_cc_newreno.name, "newreno") == 0);
	CHECK(strcmp(tcp_cc_cubic.name, "cubic") == 0);
}

static void
test_initial_window(void)
{
	const struct tcp_cc_ops *algos[] = {&tcp_cc_newreno, &tcp_cc_cubic};
	struct tcp_cc_state st;
	unsigned int i;

	/* RFC 6928: min(10*MSS, max(2*MSS, 14600)). */
	CHECK_EQ(tcp_cc_initial_window(1460), 14600);
	CHECK_EQ(tcp_cc_initial_window(536), 5360);
	CHECK_EQ(tcp_cc_initial_window(1000), 10000);
	CHECK_EQ(tcp_cc_initial_window(1500), 14600);
	CHECK_EQ(tcp_cc_initial_window(8960), 17920);
	CHECK_EQ(tcp_cc_initial_window(65495), 130990);
	for (i = 0; i < 2; i++) {
		algos[i]->init(&st, MSS, 0);
		CHECK_EQ(st.cwnd, 14600);
		CHECK_EQ(st.ssthresh, TCP_CC_SSTHRESH_INF);
		CHECK_EQ(st.smss, MSS);
		CHECK(!st.in_recovery && !st.after_rto && st.bytes_acked == 0);
		algos[i]->init(&st, 0, 0);
		CHECK_EQ(st.smss, 536);
		CHECK_EQ(st.cwnd, 5360);
	}
}

/* ---- slow start and congestion avoidance, both algorithms --------------- */

static void
test_slow_start(const struct tcp_cc_ops *ops)
{
	struct sim s;
	uint32_t before;
	int r;

	/* One ACK per segment: cwnd doubles every RTT. */
	sim_init(&s, ops, MSS, 50 * MS);
	for (r = 1; r <= 6; r++) {
		sim_round(&s, 1);
		CHECK_EQ(s.st.cwnd, SEG(10u << r));
	}
	/* Delayed ACKs (two segments each): ABC with L = 2*SMSS still doubles. */
	sim_init(&s, ops, MSS, 50 * MS);
	for (r = 1; r <= 6; r++) {
		sim_round(&s, 2);
		CHECK_EQ(s.st.cwnd, SEG(10u << r));
	}
	/* Stretch ACKs of four segments: each counts as at most 2*SMSS. */
	sim_init(&s, ops, MSS, 50 * MS);
	sim_round(&s, 4);
	CHECK_EQ(s.st.cwnd, SEG(10 + 3 * 2)); /* ACKs of 4, 4, 2 segments */
	/* Growth stops at ssthresh; the excess of the crossing ACK is kept for avoidance. */
	sim_init(&s, ops, MSS, 50 * MS);
	s.st.ssthresh = SEG(15);
	sim_round(&s, 1);
	if (ops == &tcp_cc_newreno)
		CHECK_EQ(s.st.cwnd, SEG(15)); /* 5 more ACKs: bytes_acked 5 SMSS < cwnd */
	CHECK(s.st.cwnd >= SEG(15) && s.st.cwnd < SEG(16), "%s: %u", ops->name, s.st.cwnd);
	/* Sub-MSS ACKs count bytes, not ACKs (RFC 3465). */
	sim_init(&s, ops, MSS, 50 * MS);
	before = s.st.cwnd;
	s.ops->ack_received(&s.st, 100, 0, s.now);
	CHECK_EQ(s.st.cwnd, before + 100);
	/* Nothing grows while application-limited. */
	s.st.app_limited = true;
	s.ops->ack_received(&s.st, MSS, 0, s.now);
	CHECK_EQ(s.st.cwnd, before + 100);
}

static void
test_reno_avoidance(void)
{
	struct sim s;
	int r;

	/* One ACK per segment: +1 SMSS per RTT, exactly. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	for (r = 1; r <= 10; r++) {
		sim_round(&s, 1);
		CHECK_EQ(s.st.cwnd, SEG(20 + r));
	}
	/* Delayed ACKs: the same, since bytes are counted (RFC 3465 section 2.1). */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	for (r = 1; r <= 10; r++) {
		sim_round(&s, 2);
		CHECK_EQ(s.st.cwnd, SEG(20 + r));
	}
	/* Half a window of ACKs: no growth yet, the bytes are remembered. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	for (r = 0; r < 10; r++)
		tcp_cc_newreno.ack_received(&s.st, MSS, 0, s.now);
	CHECK_EQ(s.st.cwnd, SEG(20));
	CHECK_EQ(s.st.bytes_acked, SEG(10));
	/* A huge stretch ACK grows by one SMSS only. */
	tcp_cc_newreno.ack_received(&s.st, SEG(100), 0, s.now);
	CHECK_EQ(s.st.cwnd, SEG(21));
	CHECK(s.st.bytes_acked <= s.st.cwnd);
}

/* ---- NewReno loss responses -------------------------------------------- */

static void
test_reno_fast_recovery(void)
{
	struct sim s;

	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	s.st.flight_size = SEG(20);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	/* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS); cwnd = ssthresh. */
	CHECK_EQ(s.st.ssthresh, SEG(10));
	CHECK_EQ(s.st.cwnd, SEG(10));
	CHECK(s.st.in_recovery);
	/* The engine's NewReno inflation: + 3*SMSS, then + SMSS per duplicate ACK. */
	tcp_cc_recovery_inflate(&s.st, 3);
	CHECK_EQ(s.st.cwnd, SEG(13));
	tcp_cc_recovery_inflate(&s.st, 1);
	tcp_cc_recovery_inflate(&s.st, 1);
	CHECK_EQ(s.st.cwnd, SEG(15));
	/* A second loss signal inside recovery does not reduce again. */
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_ECN, s.now);
	CHECK_EQ(s.st.ssthresh, SEG(10));
	CHECK_EQ(s.st.cwnd, SEG(15));
	/* Partial ACK of 5 segments: deflate by 5, add back one (RFC 6582). */
	tcp_cc_newreno.ack_received(&s.st, SEG(5), 50 * MS, s.now);
	CHECK_EQ(s.st.cwnd, SEG(15)); /* ack_received grows nothing in recovery */
	tcp_cc_recovery_partial_ack(&s.st, SEG(5));
	CHECK_EQ(s.st.cwnd, SEG(11));
	/* A sub-MSS partial ACK gets nothing back. */
	tcp_cc_recovery_partial_ack(&s.st, 100);
	CHECK_EQ(s.st.cwnd, SEG(11) - 100);
	/* Full ACK: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS). */
	s.st.flight_size = SEG(4);
	tcp_cc_newreno.post_recovery(&s.st, s.now);
	CHECK(!s.st.in_recovery);
	CHECK_EQ(s.st.cwnd, SEG(5));
	CHECK_EQ(s.st.ssthresh, SEG(10));
	/* Then slow start up to ssthresh, then avoidance. */
	sim_round(&s, 1);
	CHECK_EQ(s.st.cwnd, SEG(10));
	sim_round(&s, 1);
	CHECK_EQ(s.st.cwnd, SEG(11));

	/* A large flight at the full ACK: cwnd = ssthresh. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	sim_loss(&s, SEG(20), SEG(15));
	CHECK_EQ(s.st.cwnd, SEG(10));
	/* A tiny flight: ssthresh never below 2*SMSS. */
	s.st.cwnd = SEG(3);
	s.st.flight_size = SEG(3);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	CHECK_EQ(s.st.ssthresh, SEG(2));
	CHECK_EQ(s.st.cwnd, SEG(2));
	/* Full ACK with nothing in flight: cwnd = min(ssthresh, 2*SMSS). */
	s.st.flight_size = 0;
	tcp_cc_newreno.post_recovery(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(2));
	/* post_recovery outside recovery changes nothing. */
	s.st.cwnd = SEG(7);
	tcp_cc_newreno.post_recovery(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(7));
}

static void
test_reno_rto_ecn_undo_idle(void)
{
	struct sim s;

	/* RTO: ssthresh = FlightSize / 2, cwnd = loss window = 1 SMSS. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(30));
	s.st.flight_size = SEG(24);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_RTO, s.now);
	CHECK_EQ(s.st.ssthresh, SEG(12));
	CHECK_EQ(s.st.cwnd, SEG(1));
	CHECK(s.st.after_rto && !s.st.in_recovery);
	/* Slow start after an RTO: L = 1*SMSS, even for a two-segment ACK. */
	tcp_cc_newreno.ack_received(&s.st, SEG(2), 0, s.now);
	CHECK_EQ(s.st.cwnd, SEG(2));
	while (s.st.cwnd < s.st.ssthresh)
		tcp_cc_newreno.ack_received(&s.st, SEG(2), 0, s.now);
	CHECK_EQ(s.st.cwnd, SEG(12));
	CHECK(!s.st.after_rto, "reaching ssthresh ends the post-RTO limit");
	/* An RTO in recovery still applies and ends recovery. */
	sim_loss(&s, SEG(12), SEG(12));
	s.st.flight_size = SEG(8);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_RTO, s.now);
	CHECK(!s.st.in_recovery);
	CHECK_EQ(s.st.cwnd, SEG(1));

	/* ECN: halve without recovery, cwnd may go down to one SMSS. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	s.st.flight_size = SEG(20);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_ECN, s.now);
	CHECK_EQ(s.st.cwnd, SEG(10));
	CHECK_EQ(s.st.ssthresh, SEG(10));
	CHECK(!s.st.in_recovery);
	s.st.flight_size = SEG(2);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_ECN, s.now);
	CHECK_EQ(s.st.cwnd, SEG(1));
	CHECK_EQ(s.st.ssthresh, SEG(2));

	/* Undo restores the window before the last reduction, once. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(20));
	s.st.flight_size = SEG(20);
	tcp_cc_newreno.congestion_event(&s.st, TCP_CC_EV_RTO, s.now);
	tcp_cc_newreno.undo(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(20));
	CHECK_EQ(s.st.ssthresh, SEG(20));
	CHECK(!s.st.after_rto && !s.st.in_recovery);
	s.st.cwnd = SEG(5);
	tcp_cc_newreno.undo(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(5)); /* nothing left to undo */

	/* Idle restart: cwnd = min(IW, cwnd), ssthresh kept at >= 3/4 cwnd. */
	sim_init(&s, &tcp_cc_newreno, MSS, 50 * MS);
	sim_set_avoidance(&s, SEG(40));
	s.st.ssthresh = SEG(20);
	tcp_cc_newreno.after_idle(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(10));
	CHECK_EQ(s.st.ssthresh, SEG(30));
	s.st.cwnd = SEG(4);
	tcp_cc_newreno.after_idle(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, SEG(4));
	CHECK_EQ(s.st.ssthresh, SEG(30));
}

/* ---- CUBIC: the window function against python3 -------------------------- */

struct k_case {
	uint32_t w_max, cwnd_epoch, smss;
	double k_ms; /* python3 */
};

static void
test_cubic_math(void)
{
	static const struct k_case kc[] = {
		{146000, 102200, 1460, 4217.163326508746},
		{1460000, 1022000, 1460, 9085.602964160698},
		{14600, 10220, 1460, 1957.4338205844317},
		{123456, 86419, 1448, 3998.855853702742},
		{450000, 315000, 9000, 3347.1647504108473},
		{1608, 1072, 536, 1357.208808297453},
	};
	/* W(t) for w_max = 146000, K = 4217 ms, smss = 1460 (python3). */
	static const struct {
		uint64_t t_ms;
		double w;
	} wc[] = {
		{0, 102205.08879320801},
		{1000, 126556.876721208},
		{4217, 146000.0},
		{6217, 150672.0},
		{10000, 258946.40807320806},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(kc); i++) {
		double k = tcp_cubic_k_ms(kc[i].w_max, kc[i].cwnd_epoch, kc[i].smss);

		CHECK(k <= kc[i].k_ms && k > kc[i].k_ms - 1.0, "case %u: K = %.0f ms, want %.3f",
		      i, k, kc[i].k_ms);
	}
	CHECK_EQ(tcp_cubic_k_ms(1000, 1000, MSS), 0);
	CHECK_EQ(tcp_cubic_k_ms(1000, 2000, MSS), 0);
	/* The largest window: no overflow (python3: (2**30 / 536 / 0.4) ** (1/3) s). */
	CHECK_EQ(tcp_cubic_k_ms(TCP_CC_CWND_MAX, 0, 536), 171090);

	for (i = 0; i < RTE_DIM(wc); i++) {
		double w = tcp_cubic_window(146000, 4217, wc[i].t_ms, 1460);

		CHECK(w >= wc[i].w - 1.0 && w <= wc[i].w + 1.0, "t = %u ms: W = %.0f, want %.2f",
		      (unsigned int)wc[i].t_ms, w, wc[i].w);
	}
	/* Far in the past or the future: clamped, no overflow. */
	CHECK_EQ(tcp_cubic_window(146000, 4217, 100000000, 1460), TCP_CC_CWND_MAX);
	CHECK_EQ(tcp_cubic_window(146000, 200000, 0, 1460), 0);
	CHECK_EQ(tcp_cubic_window(146000, 0, UINT64_MAX, 65535), TCP_CC_CWND_MAX);
	/*
	 * W(0) with K from the same cwnd_epoch comes back to cwnd_epoch, within
	 * what K's rounding down by < 1 ms allows: W'(0) * 1 ms = 3 C K^2 SMSS / 1000.
	 */
	for (i = 0; i < RTE_DIM(kc); i++) {
		uint32_t k = tcp_cubic_k_ms(kc[i].w_max, kc[i].cwnd_epoch, kc[i].smss);
		uint32_t w0 = tcp_cubic_window(kc[i].w_max, k, 0, kc[i].smss);
		double ks = kc[i].k_ms / 1000.0;
		double tol = 3 * 0.4 * ks * ks * kc[i].smss / 1000 + 1;

		CHECK(w0 >= kc[i].cwnd_epoch && w0 <= kc[i].cwnd_epoch + tol,
		      "case %u: W(0) = %u, cwnd_epoch %u, tolerance %.0f", i, w0,
		      kc[i].cwnd_epoch, tol);
	}
}

/* ---- CUBIC behaviour ------------------------------------------------------ */

/*
 * After a loss at W_max = 1000 segments with RTT 100 ms, cwnd follows
 * W_cubic: concave (shrinking steps) up to W_max around t = K, then convex
 * (growing steps). W_est stays far below, so the cubic regions decide.
 */
static void
test_cubic_concave_convex(void)
{
	struct sim s;
	uint32_t cw[200];
	stk_time_t t0;
	uint32_t k_ms;
	int r, cross = -1;
	bool concave = true, convex = true, tracks = true;

	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(1000));
	sim_loss(&s, SEG(1000), SEG(1000));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(1000));
	CHECK_EQ(s.st.cwnd, SEG(700)); /* beta_cubic = 0.7 */
	CHECK_EQ(s.st.ssthresh, SEG(700));
	t0 = s.now;
	for (r = 0; r < 200; r++) {
		sim_round(&s, 1);
		cw[r] = s.st.cwnd;
	}
	k_ms = s.st.priv.cubic.k_ms;
	CHECK(k_ms >= 9085 && k_ms <= 9086, "K = %u ms, python3 9085.6", k_ms);
	CHECK_EQ(s.st.priv.cubic.cwnd_epoch, SEG(700));
	for (r = 0; r < 200; r++) {
		/* Round r ends (r + 1) RTT after the epoch began (its first ACK). */
		uint64_t t_ms = (uint64_t)(r + 1) * 100;
		uint32_t want = tcp_cubic_window(SEG(1000), k_ms, t_ms, MSS);

		if (cross < 0 && cw[r] >= SEG(1000))
			cross = r;
		/*
		 * Every ACK aims at W(t + RTT), so by the end of each round cwnd
		 * has caught up with W at that time: within half an SMSS of W(t).
		 */
		if (cw[r] + MSS / 2 < want || cw[r] > want + MSS / 2) {
			if (tracks)
				fprintf(stderr, "round %d: cwnd %u, W(t) %u\n", r, cw[r], want);
			tracks = false;
		}
		if (r < 2)
			continue;
		if (cw[r] < SEG(995) && cw[r] - cw[r - 1] > cw[r - 1] - cw[r - 2] + MSS / 8)
			concave = false;
		if (cw[r - 2] > SEG(1005) && cw[r] - cw[r - 1] + MSS / 8 < cw[r - 1] - cw[r - 2])
			convex = false;
	}
	CHECK(tracks, "cwnd follows W_cubic(t) within SMSS / 2");
	CHECK(concave, "steps shrink below W_max");
	CHECK(convex, "steps grow above W_max");
	/* cwnd reaches W_max (within 0.01 SMSS of it already in round 84) near t = K. */
	CHECK(cross >= 86 && cross <= 92, "cwnd reaches W_max in round %d (K = %u ms)", cross,
	      k_ms);
	CHECK(cw[0] > SEG(700) && cw[0] < SEG(720), "first round after the loss: %u", cw[0]);
	CHECK(cw[199] > SEG(1050), "convex growth beyond W_max: %u", cw[199]);
	CHECK(s.now > t0);
}

/*
 * Small RTT * W: W_cubic hardly moves in a millisecond, so the Reno-friendly
 * estimate W_est sets cwnd: alpha_cubic = 9/17 SMSS per RTT up to cwnd_prior,
 * then 1 SMSS per RTT (RFC 9438 section 4.3).
 */
static void
test_cubic_reno_friendly(void)
{
	struct sim s;
	uint32_t start, r_prior = 0;
	int r;

	sim_init(&s, &tcp_cc_cubic, MSS, 1 * MS);
	sim_set_avoidance(&s, SEG(20));
	sim_loss(&s, SEG(20), SEG(20));
	CHECK_EQ(s.st.cwnd, SEG(14));
	start = s.st.cwnd;
	for (r = 1; r <= 100; r++) {
		sim_round(&s, 1);
		if (r_prior == 0 && s.st.cwnd >= SEG(20))
			r_prior = r;
		if (r == 8) {
			/* 8 rounds of alpha = 0.529 SMSS: 4.24 SMSS (python3 8 * 9 / 17). */
			double grown = (double)(s.st.cwnd - start) / MSS;

			CHECK(grown > 4.0 && grown < 4.5, "8 RTTs grew %.2f SMSS", grown);
		}
	}
	/* 6 SMSS at 9/17 per RTT: cwnd_prior is reached in round 12. */
	CHECK(r_prior >= 11 && r_prior <= 13, "cwnd_prior reached in round %u", r_prior);
	/* Then exactly Reno's pace: about 88 SMSS in the remaining 88 rounds. */
	CHECK(s.st.cwnd >= SEG(20 + 100 - r_prior - 2) && s.st.cwnd <= SEG(20 + 100 - r_prior + 1),
	      "cwnd %u after 100 RTTs", s.st.cwnd / MSS);
	/* W_cubic(0.1 s) is still below 16 segments: the Reno-friendly region ruled. */
	CHECK(tcp_cubic_window(SEG(20), s.st.priv.cubic.k_ms, 100, MSS) < SEG(16));
}

static void
test_cubic_fast_convergence(void)
{
	struct sim s;
	uint32_t k;

	/* First loss at 1000 segments, second at 800 < W_max: W_max = 800 * 0.85. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(1000));
	sim_loss(&s, SEG(1000), SEG(1000));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(1000));
	s.st.cwnd = SEG(800);
	sim_loss(&s, SEG(800), SEG(800));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(680));
	CHECK_EQ(s.st.priv.cubic.cwnd_prior, SEG(800));
	CHECK_EQ(s.st.cwnd, SEG(560));
	sim_round(&s, 1);
	k = s.st.priv.cubic.k_ms;
	/* python3: (120 / 0.4) ** (1/3) = 6.694 s. */
	CHECK(k >= 6693 && k <= 6694, "K = %u ms", k);

	/* Without fast convergence W_max is the cwnd at the loss. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	s.st.priv.cubic.fast_convergence = false;
	sim_set_avoidance(&s, SEG(1000));
	sim_loss(&s, SEG(1000), SEG(1000));
	s.st.cwnd = SEG(800);
	sim_loss(&s, SEG(800), SEG(800));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(800));
	sim_round(&s, 1);
	k = s.st.priv.cubic.k_ms;
	/* python3: (240 / 0.4) ** (1/3) = 8.434 s. */
	CHECK(k >= 8433 && k <= 8434, "K = %u ms", k);

	/* A loss above the last W_max just records the new maximum. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(100));
	sim_loss(&s, SEG(100), SEG(100));
	s.st.cwnd = SEG(120);
	sim_loss(&s, SEG(120), SEG(120));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(120));
}

/*
 * The 1.5 * cwnd bound on target: with a 10 s RTT, W_cubic(t + RTT) is far
 * above cwnd from the first ACK (177 segments against 70), yet one window of
 * ACKs takes cwnd to 1.5 times its value and no further.
 */
static void
test_cubic_clamp(void)
{
	struct sim s;
	uint32_t want, first;

	sim_init(&s, &tcp_cc_cubic, MSS, 10000 * MS);
	sim_set_avoidance(&s, SEG(100));
	sim_loss(&s, SEG(100), SEG(100));
	CHECK_EQ(s.st.cwnd, SEG(70));
	sim_round(&s, 1);
	want = tcp_cubic_window(SEG(100), s.st.priv.cubic.k_ms, 10000, MSS);
	CHECK(want > SEG(170), "W_cubic(RTT) = %u", want);
	CHECK(s.st.cwnd <= SEG(105) && s.st.cwnd >= SEG(105) - MSS / 2,
	      "one RTT from 70 SMSS: %u bytes (<= 1.5x)", s.st.cwnd);
	first = s.st.cwnd;
	sim_round(&s, 1);
	CHECK(s.st.cwnd <= first + first / 2 && s.st.cwnd >= first + first / 2 - MSS,
	      "second RTT: %u bytes from %u", s.st.cwnd, first);
}

static void
test_cubic_rto_ecn(void)
{
	struct sim s;
	uint32_t w;

	/* RTO (4.8): ssthresh = 0.7 * FlightSize, cwnd = 1 SMSS, then slow start. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(100));
	s.st.flight_size = SEG(100);
	tcp_cc_cubic.congestion_event(&s.st, TCP_CC_EV_RTO, s.now);
	CHECK_EQ(s.st.cwnd, SEG(1));
	CHECK_EQ(s.st.ssthresh, SEG(70));
	CHECK(s.st.after_rto && !s.st.in_recovery);
	tcp_cc_cubic.ack_received(&s.st, SEG(2), 100 * MS, s.now);
	CHECK_EQ(s.st.cwnd, SEG(2)); /* L = 1 SMSS after an RTO */
	while (s.st.cwnd < s.st.ssthresh)
		sim_round(&s, 1);
	CHECK_EQ(s.st.ssthresh, SEG(70));
	CHECK(s.st.cwnd >= SEG(70) && s.st.cwnd < SEG(71), "%u", s.st.cwnd);
	/* The first avoidance stage after the RTO: K = 0, W_max = cwnd_epoch. */
	CHECK(s.st.priv.cubic.epoch_valid);
	CHECK_EQ(s.st.priv.cubic.k_ms, 0);
	CHECK_EQ(s.st.priv.cubic.cwnd_epoch, SEG(70));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(70));
	/* W_cubic is flat at the plateau, so W_est's 9/17 SMSS per RTT leads. */
	w = s.st.cwnd;
	sim_round(&s, 1);
	CHECK(s.st.cwnd > w + MSS / 2 && s.st.cwnd < w + MSS * 6 / 10, "one RTT: %u -> %u", w,
	      s.st.cwnd);

	/* ECN: cwnd = max(0.7 FlightSize, 1 SMSS), ssthresh >= 2 SMSS, no recovery. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(100));
	s.st.flight_size = SEG(100);
	tcp_cc_cubic.congestion_event(&s.st, TCP_CC_EV_ECN, s.now);
	CHECK_EQ(s.st.cwnd, SEG(70));
	CHECK_EQ(s.st.ssthresh, SEG(70));
	CHECK(!s.st.in_recovery);
	s.st.flight_size = SEG(1);
	tcp_cc_cubic.congestion_event(&s.st, TCP_CC_EV_ECN, s.now);
	CHECK_EQ(s.st.cwnd, SEG(1));
	CHECK_EQ(s.st.ssthresh, SEG(2));
	/* Loss with a tiny flight: cwnd and ssthresh at least 2 SMSS. */
	s.st.flight_size = SEG(1);
	tcp_cc_cubic.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	CHECK_EQ(s.st.cwnd, SEG(2));
	CHECK_EQ(s.st.ssthresh, SEG(2));
	CHECK(s.st.in_recovery);
	/* ssthresh follows FlightSize, not cwnd (Figure 5). */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(100));
	sim_loss(&s, SEG(50), SEG(50));
	CHECK_EQ(s.st.ssthresh, SEG(35));
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(100));
}

static void
test_cubic_undo_idle_applimited(void)
{
	struct sim s;
	stk_time_t epoch;
	uint32_t w;

	/* Undo (4.9): everything from before the reduction comes back. */
	sim_init(&s, &tcp_cc_cubic, MSS, 100 * MS);
	sim_set_avoidance(&s, SEG(100));
	sim_round(&s, 1);
	w = s.st.cwnd;
	epoch = s.st.priv.cubic.epoch_start;
	s.st.flight_size = w;
	tcp_cc_cubic.congestion_event(&s.st, TCP_CC_EV_FAST_RETRANSMIT, s.now);
	CHECK_EQ(s.st.cwnd, (uint32_t)((uint64_t)w * 7 / 10));
	tcp_cc_cubic.undo(&s.st, s.now);
	CHECK_EQ(s.st.cwnd, w);
	CHECK_EQ(s.st.ssthresh, SEG(100));
	CHECK(!s.st.in_recovery);
	CHECK(s.st.priv.cubic.epoch_valid && s.st.priv.cubic.epoch_start == epoch);
	CHECK_EQ(s.st.priv.cubic.w_max, SEG(100));

	/* Application-limited ACKs: no growth, and t does not advance. */
	s.st.app_limited = true;
	s.now += 5000 * MS;
	tcp_cc_cubic.ack_received(&s.st, MSS, 100 * MS, s.now);
	CHECK_EQ(s.st.cwnd, w);
	CHECK_EQ(s.st.priv.cubic.epoch_start, epoch + 5000 * MS);
	s.st.app_limited = false;

	/* Idle: t_epoch slides over the idle time, cwnd restarts at IW. */
	epoch = s.st.priv.cubic.epoch_start;
	s.now += 3000 * MS;
	tcp_cc_cubic.after_idle(&s.st, s.now);
	CHECK_EQ(s.st.priv.cubic.epoch_start, epoch + 3000 * MS);
	CHECK_EQ(s.st.cwnd, SEG(10));
	CHECK(s.st.ssthresh >= w - w / 4);
}

int
main(void)
{
	test_registry();
	test_initial_window();
	test_slow_start(&tcp_cc_newreno);
	test_slow_start(&tcp_cc_cubic);
	test_reno_avoidance();
	test_reno_fast_recovery();
	test_reno_rto_ecn_undo_idle();
	test_cubic_math();
	test_cubic_concave_convex();
	test_cubic_reno_friendly();
	test_cubic_fast_convergence();
	test_cubic_clamp();
	test_cubic_rto_ecn();
	test_cubic_undo_idle_applimited();
	return check_done();
}
