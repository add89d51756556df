/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Congestion control behind a small ops table: NewReno (RFC 5681, RFC 6582)
 * and CUBIC (RFC 9438, the default), with the initial window of RFC 6928 and
 * appropriate byte counting (RFC 3465) shared by both.
 *
 * Every connection holds one `struct tcp_cc_state` and a pointer to the ops
 * of its algorithm (tcp_cc_find()). Windows are in bytes; the algorithms
 * never read a clock (`now` is passed in) and never allocate.
 *
 * How the TCP engine drives it, all on the connection's lcore:
 *
 *  - Once the handshake has fixed the MSS: ops->init(st, smss, now). The
 *    engine may then lower cwnd to one SMSS if the SYN or SYN-ACK was
 *    retransmitted (RFC 6928 section 2), or set a remembered ssthresh.
 *  - Before every call below, st->flight_size holds SND.NXT - SND.UNA (after
 *    the ACK being processed) and st->app_limited says whether the sender is
 *    application- or receive-window-limited.
 *  - Every ACK that advances SND.UNA: ops->ack_received(st, bytes newly
 *    acknowledged, RTT sample or 0, now). Duplicate ACKs do not call it.
 *  - Loss detected by duplicate ACKs or SACK: ops->congestion_event(st,
 *    TCP_CC_EV_FAST_RETRANSMIT, now). The algorithm sets ssthresh and reduces
 *    cwnd to the post-recovery window and sets st->in_recovery.
 *  - Recovery itself belongs to the loss-recovery code, because it differs
 *    between NewReno (RFC 6582) and SACK-based recovery (RFC 6675):
 *    NewReno recovery inflates with tcp_cc_recovery_inflate(st, 3) right
 *    after the event and tcp_cc_recovery_inflate(st, 1) per further
 *    duplicate ACK, and deflates on a partial ACK with
 *    tcp_cc_recovery_partial_ack(); SACK recovery compares its pipe with
 *    cwnd and inflates nothing. So "cwnd = ssthresh + 3*SMSS" is the engine's
 *    call to tcp_cc_recovery_inflate(), not the algorithm's. While
 *    in_recovery is set, ack_received() grows nothing.
 *  - The ACK that ends recovery (SND.UNA reaches "recover"): set flight_size,
 *    call ops->post_recovery(st, now), which deflates cwnd to
 *    min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 section 3.2, full
 *    acknowledgment, option 1) and clears in_recovery, then
 *    ops->ack_received() for it.
 *  - The first expiry of the retransmission timer for a given SND.UNA:
 *    ops->congestion_event(st, TCP_CC_EV_RTO, now): cwnd becomes one SMSS
 *    (the loss window). Later backed-off expiries of the same segment call
 *    nothing: ssthresh is held (RFC 5681 section 3.1, after equation 4) and
 *    cwnd is still one SMSS.
 *  - An ACK carrying ECE, at most once per window of data (RFC 3168 section
 *    6.1.2): ops->congestion_event(st, TCP_CC_EV_ECN, now). Ignored during
 *    recovery.
 *  - A reduction proven spurious (DSACK, Eifel, F-RTO): ops->undo(st, now).
 *  - Sending after an idle period longer than the RTO (RFC 5681 section
 *    4.1): ops->after_idle(st, now) before sending.
 *  - The engine reads st->cwnd and st->ssthresh; it may send while
 *    flight_size (or the RFC 6675 pipe) is below cwnd. It may update
 *    st->smss at any time (path MTU); windows stay in bytes.
 */
#ifndef TCP_CC_H
#define TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "stk.h"

/** ssthresh before the first congestion event: "arbitrarily high" (RFC 5681 section 3.1). */
#define TCP_CC_SSTHRESH_INF UINT32_MAX
/** Largest cwnd: the largest window scaling can advertise, 65535 << 14, rounded up. */
#define TCP_CC_CWND_MAX (1u << 30)
/** The algorithm tcp_cc_find(NULL) returns. */
#define TCP_CC_DEFAULT "cubic"

/** Fixed-point fraction bits of tcp_cubic_priv.w_est. */
#define TCP_CUBIC_WEST_SHIFT 10

/** What reduced the window; the argument of tcp_cc_ops.congestion_event. */
enum tcp_cc_event {
	TCP_CC_EV_FAST_RETRANSMIT, /**< loss seen by duplicate ACKs or SACK: fast recovery */
	TCP_CC_EV_RTO,             /**< first expiry of the retransmission timer for SND.UNA */
	TCP_CC_EV_ECN,             /**< ACK with ECE (RFC 3168), once per window */
};

/**
 * CUBIC's private state (RFC 9438 section 4.1.2), in bytes and nanoseconds.
 * Visible so the state has a fixed size and tests can inspect it; only
 * cc_cubic.c writes it.
 */
struct tcp_cubic_priv {
	stk_time_t epoch_start; /**< t_epoch: start of the current congestion-avoidance stage */
	stk_time_t last_ack;    /**< time of the last ack_received(), to skip app-limited time */
	stk_time_t srtt;        /**< smoothed RTT of the samples (RFC 6298 gain 1/8); 0: none */
	uint64_t w_est;         /**< W_est, bytes << TCP_CUBIC_WEST_SHIFT */
	uint32_t w_max;         /**< W_max, bytes; 0: unknown (no congestion event yet) */
	uint32_t cwnd_prior;    /**< cwnd_prior, bytes: cwnd just before the last reduction */
	uint32_t cwnd_epoch;    /**< cwnd_epoch: cwnd at t_epoch */
	uint32_t k_ms;          /**< K in milliseconds */
	uint32_t cwnd_frac;     /**< remainder of the per-ACK increase, bytes * bytes, below cwnd */
	bool epoch_valid;       /**< a congestion-avoidance stage is under way */
	bool k_zero;            /**< next stage starts with K = 0, W_max = cwnd (RFC 9438 4.8) */
	bool fast_convergence;  /**< RFC 9438 section 4.7; on by default */
	/** Values before the last reduction, for tcp_cc_ops.undo (RFC 9438 section 4.9). */
	struct {
		stk_time_t epoch_start; /**< t_epoch */
		uint64_t w_est;         /**< W_est */
		uint32_t w_max;         /**< W_max */
		uint32_t cwnd_prior;    /**< cwnd_prior */
		uint32_t cwnd_epoch;    /**< cwnd_epoch */
		uint32_t k_ms;          /**< K */
		bool epoch_valid;       /**< whether a stage was under way */
		bool k_zero;            /**< k_zero */
	} undo;
};

/** Congestion-control state of one connection (128 bytes). */
struct tcp_cc_state {
	uint32_t cwnd;          /**< congestion window, bytes (output; the engine reads it) */
	uint32_t ssthresh;      /**< slow start threshold, bytes (TCP_CC_SSTHRESH_INF at first) */
	uint32_t smss;          /**< sender maximum segment size, bytes (input) */
	uint32_t flight_size;   /**< input: SND.NXT - SND.UNA, kept current by the engine */
	uint32_t bytes_acked;   /**< RFC 3465 count of bytes acked in congestion avoidance */
	uint32_t prior_cwnd;    /**< cwnd before the last reduction (0: nothing to undo) */
	uint32_t prior_ssthresh; /**< ssthresh before the last reduction */
	bool app_limited;       /**< input: the sender is not cwnd-limited; cwnd does not grow */
	bool in_recovery;       /**< between TCP_CC_EV_FAST_RETRANSMIT and post_recovery() */
	bool after_rto;         /**< slow start after an RTO: the ABC limit L is 1 SMSS */
	/** Algorithm-private space. */
	union {
		struct tcp_cubic_priv cubic; /**< CUBIC */
		uint64_t raw[12];            /**< room reserved for any algorithm */
	} priv;
};

/**
 * A congestion-control algorithm. Every member is set. The callbacks run on
 * the connection's lcore, may only read and write @p st, and keep nothing.
 */
struct tcp_cc_ops {
	/** Name for configuration and telemetry ("newreno", "cubic"). */
	const char *name;
	/** Start a connection: cwnd = initial window (RFC 6928), ssthresh = infinity. */
	void (*init)(struct tcp_cc_state *st, uint32_t smss, stk_time_t now);
	/**
	 * An ACK advanced SND.UNA by @p acked bytes. @p rtt is the RTT sample
	 * it yielded in nanoseconds (0: none, e.g. Karn's rule).
	 */
	void (*ack_received)(struct tcp_cc_state *st, uint32_t acked, stk_time_t rtt,
			     stk_time_t now);
	/** Reduce the window for @p ev; reads st->flight_size. */
	void (*congestion_event)(struct tcp_cc_state *st, enum tcp_cc_event ev, stk_time_t now);
	/** Fast recovery ended (full ACK): deflate cwnd, clear in_recovery; reads flight_size. */
	void (*post_recovery)(struct tcp_cc_state *st, stk_time_t now);
	/** About to send after an idle period longer than the RTO (RFC 5681 section 4.1). */
	void (*after_idle)(struct tcp_cc_state *st, stk_time_t now);
	/** The last reduction was spurious: restore the state saved before it. */
	void (*undo)(struct tcp_cc_state *st, stk_time_t now);
};

/** NewReno (RFC 5681, RFC 6582). */
extern const struct tcp_cc_ops tcp_cc_newreno;
/** CUBIC (RFC 9438). */
extern const struct tcp_cc_ops tcp_cc_cubic;

/**
 * Look an algorithm up by name.
 * @param name  "newreno" or "cubic"; NULL or "" for the default (TCP_CC_DEFAULT)
 * @return the ops, or NULL if no algorithm has that name.
 */
const struct tcp_cc_ops *tcp_cc_find(const char *name);

/* ---- Building blocks shared by the algorithms (cc_newreno.c) ----------- */

/** @return the initial window of RFC 6928: min(10*SMSS, max(2*SMSS, 14600)). */
uint32_t tcp_cc_initial_window(uint32_t smss);

/**
 * Zero @p st and start it: smss = @p smss (536, RFC 9293's default, if 0),
 * cwnd = tcp_cc_initial_window(), ssthresh = TCP_CC_SSTHRESH_INF. The
 * algorithms' init callbacks begin with this.
 */
void tcp_cc_state_init(struct tcp_cc_state *st, uint32_t smss);

/**
 * Slow start with appropriate byte counting (RFC 5681 section 3.1, RFC 3465):
 * cwnd += min(@p acked, L) with L = 2*SMSS, or 1*SMSS after an RTO, never
 * beyond ssthresh. Reaching ssthresh ends the post-RTO limit.
 * @return the bytes of @p acked left over once cwnd reached ssthresh, for
 *         congestion avoidance (0 if it did not).
 */
uint32_t tcp_cc_slow_start(struct tcp_cc_state *st, uint32_t acked);

/**
 * Reno congestion avoidance with byte counting (RFC 5681 section 3.1, RFC
 * 3465 section 2.1): bytes_acked += @p acked; once it reaches cwnd, it drops
 * by cwnd and cwnd grows by one SMSS: one SMSS per RTT.
 */
void tcp_cc_reno_avoid(struct tcp_cc_state *st, uint32_t acked);

/**
 * End fast recovery (RFC 6582 section 3.2, full acknowledgment, option 1):
 * cwnd = min(ssthresh, max(flight_size, SMSS) + SMSS); clears in_recovery and
 * bytes_acked. No-op outside recovery.
 */
void tcp_cc_exit_recovery(struct tcp_cc_state *st);

/**
 * Restart after idle (RFC 5681 section 4.1): cwnd = min(IW, cwnd), first
 * raising ssthresh to at least 3/4 of the old cwnd as RFC 2861 does, so slow
 * start climbs back quickly. Clears bytes_acked.
 */
void tcp_cc_restart_idle(struct tcp_cc_state *st);

/** Save cwnd and ssthresh before a reduction, for undo. */
static inline void
tcp_cc_save_prior(struct tcp_cc_state *st)
{
	st->prior_cwnd = st->cwnd;
	st->prior_ssthresh = st->ssthresh;
}

/**
 * NewReno fast-recovery inflation (RFC 5681 section 3.2: step 3 with @p segs
 * 3 on entry, step 4 with 1 per further duplicate ACK): cwnd += segs * SMSS.
 * For the engine's non-SACK recovery only.
 */
static inline void
tcp_cc_recovery_inflate(struct tcp_cc_state *st, uint32_t segs)
{
	uint64_t w = (uint64_t)st->cwnd + (uint64_t)segs * st->smss;

	st->cwnd = w > TCP_CC_CWND_MAX ? TCP_CC_CWND_MAX : (uint32_t)w;
}

/**
 * NewReno partial ACK (RFC 6582 section 3.2, partial acknowledgments):
 * deflate cwnd by the @p acked bytes newly acknowledged, then add back one
 * SMSS if @p acked was at least one SMSS. cwnd stays at least one SMSS.
 */
static inline void
tcp_cc_recovery_partial_ack(struct tcp_cc_state *st, uint32_t acked)
{
	uint32_t w = st->cwnd > acked ? st->cwnd - acked : 0;

	if (acked >= st->smss)
		w += st->smss;
	st->cwnd = w < st->smss ? st->smss : w;
}

/* ---- CUBIC's window function, exposed for tests (cc_cubic.c) ----------- */

/**
 * K of RFC 9438 Figure 2, cbrt((W_max - cwnd_epoch) / C) with C = 0.4
 * segments per second cubed, in milliseconds rounded down.
 * @return K in ms; 0 if @p w_max <= @p cwnd_epoch.
 */
uint32_t tcp_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t smss);

/**
 * W_cubic(t) of RFC 9438 Figure 1, C * (t - K)^3 + W_max, in bytes: t and
 * K in milliseconds, each term rounded down to a byte, the result clamped to
 * [0, TCP_CC_CWND_MAX]. |t - K| is capped at 2^21 - 1 ms (35 minutes), far
 * beyond the window cap.
 * @return W_cubic(t) in bytes.
 */
uint32_t tcp_cubic_window(uint32_t w_max, uint32_t k_ms, uint64_t t_ms, uint32_t smss);

#endif /* TCP_CC_H */
