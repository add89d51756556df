/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack: the internal TCP seam.
 *
 * This is the API the WSK front end, the NDK front end, the tests and the
 * conformance runner use to drive TCP. It is shaped by what WSK needs:
 *
 * - data handed up in place: received bytes arrive as rte_mbuf chains the
 *   upper layer may keep (WSK_DATA_INDICATION over mbufs, STATUS_PENDING)
 *   and give back later; bytes it keeps count against the receive window;
 * - no send buffering: the caller's buffer is the send buffer. A send's
 *   mbufs (typically external mbufs over the caller's pages) stay referenced
 *   by the retransmit queue until acknowledged, and the send completes, with
 *   its own context, only then (WskSend's IRP completes on ACK);
 * - per-operation completion: connect, send and graceful disconnect each
 *   complete once, through an upcall carrying the caller's context;
 * - conditional accept decided before the SYN-ACK (WskInspectEvent), and
 *   accept after the handshake (WskAcceptEvent);
 * - events: peer FIN (graceful WskDisconnectEvent), reset (abortive), and
 *   the ideal send backlog (WskSendBacklogEvent).
 *
 * Threading: every function here runs on the lcore that owns the
 * connection (the instance it was opened on, or the instance RSS delivered
 * the SYN to), and every upcall runs there, inside stk_inst_poll() or
 * inline inside the call that caused it. Another thread reaches a
 * connection through stk_inst_post() (the WSK layer's request ring).
 *
 * Lifetime: a connection exists from stk_tcp_connect()/accept until the
 * `closed` upcall; stk_tcp_close() releases the caller's hold, after which
 * no upcall runs and the handle must not be used. The stack may keep the
 * TCB (FIN_WAIT, TIME_WAIT) after that without the caller.
 *
 * Status: this header fixes the seam the TCP engine (stack/tcp/) implements.
 */
#ifndef STK_TCP_H
#define STK_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "stk.h"

#ifdef __cplusplus
extern "C" {
#endif

struct stk_tcp_conn;

/** Why a connection or an operation ended (0: success); stk_err values plus these. */
enum stk_tcp_err {
	STK_TCP_OK = 0,
	STK_TCP_ECONNREFUSED = -100, /**< RST in answer to our SYN */
	STK_TCP_ECONNRESET = -101,   /**< RST on an established connection */
	STK_TCP_ETIMEDOUT = -102,    /**< retransmissions or keepalive gave up */
	STK_TCP_ECONNABORTED = -103, /**< aborted locally (stk_tcp_abort, close while sending) */
	STK_TCP_EUNREACH = -104,     /**< ICMP unreachable during the handshake, or no route */
	STK_TCP_ECANCELED = -105,    /**< operation cancelled before it started */
};

/** Verdict of the inspect upcall (WskInspectEvent). */
enum stk_tcp_inspect {
	STK_TCP_INSPECT_ACCEPT, /**< proceed: answer the SYN */
	STK_TCP_INSPECT_REJECT, /**< drop silently (no RST): nothing else is indicated */
	STK_TCP_INSPECT_PEND,   /**< decide later with stk_tcp_inspect_complete() */
};

/** Verdict of the recv upcall on the chain it was offered (WskReceiveEvent's returns). */
enum stk_tcp_recv_verdict {
	/**
	 * Everything was used and nothing kept (WSK: STATUS_SUCCESS): the
	 * stack frees the chain and the receive window opens at once.
	 */
	STK_TCP_RECV_CONSUMED,
	/**
	 * The upper layer keeps the whole chain (WSK: STATUS_PENDING): it
	 * owns the mbufs; the bytes stay counted against the receive window
	 * until stk_tcp_recv_done() returns them. Offers go on.
	 */
	STK_TCP_RECV_TAKEN,
	/**
	 * The first *consumed bytes were used (WSK: SUCCESS with
	 * BytesAccepted < BytesIndicated; 0 is DATA_NOT_ACCEPTED): the stack
	 * keeps the rest and offers nothing more until stk_tcp_recv_resume()
	 * or a stk_tcp_recv_copy(). The callee must not keep @p m.
	 */
	STK_TCP_RECV_PARTIAL,
};

/** What the SYN said, for the inspect and accept upcalls. */
struct stk_tcp_peer {
	rte_be32_t laddr;  /**< local address the SYN was sent to */
	rte_be16_t lport;  /**< local port */
	rte_be32_t faddr;  /**< remote address */
	rte_be16_t fport;  /**< remote port */
	uint64_t inspect_id; /**< identity of a pended inspection (stk_tcp_inspect_complete) */
};

/**
 * Upcalls of a connection or a listener. All are optional except where
 * noted; all run on the owning lcore and must not block. A callee may call
 * any stk_tcp_* function on the same connection, including stk_tcp_close().
 */
struct stk_tcp_upcalls {
	/**
	 * Listener only, before the SYN-ACK, if inspection was enabled with
	 * STK_TCP_LISTEN_INSPECT.
	 */
	enum stk_tcp_inspect (*inspect)(void *arg, struct stk_tcp_conn *listener,
					const struct stk_tcp_peer *peer);
	/**
	 * Listener only, after the handshake: @p c is established. Return 0
	 * to accept (the callee sets @p c's upcalls with stk_tcp_set_upcalls()
	 * before returning, or leaves it without upcalls), or a negative value
	 * to refuse (the stack resets @p c and frees it; the callee must not
	 * use it). Required on listeners.
	 */
	int (*accept)(void *arg, struct stk_tcp_conn *listener, struct stk_tcp_conn *c,
		      const struct stk_tcp_peer *peer);
	/** Listener only: a pended or accepted inspection was dropped before establishment. */
	void (*abort)(void *arg, struct stk_tcp_conn *listener, uint64_t inspect_id);
	/** Active open finished: @p err is 0 (established) or a stk_tcp_err. */
	void (*connected)(void *arg, struct stk_tcp_conn *c, int err);
	/**
	 * In-order data: @p m is a chain holding @p len bytes (m->pkt_len),
	 * its data offset at the first byte. @p push is set if the segment
	 * carried PSH. On STK_TCP_RECV_TAKEN the callee owns @p m; on
	 * STK_TCP_RECV_PARTIAL it sets *@p consumed.
	 */
	enum stk_tcp_recv_verdict (*recv)(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m,
					  uint32_t len, bool push, uint32_t *consumed);
	/**
	 * A send completed: every byte of the stk_tcp_send() that passed
	 * @p send_ctx was acknowledged (@p err 0), or the send ended without
	 * that (@p err: reset, abort, cancel). The stack has dropped its
	 * references to the send's mbufs before this runs.
	 */
	void (*sent)(void *arg, struct stk_tcp_conn *c, void *send_ctx, uint32_t bytes, int err);
	/** The ideal send backlog (bytes to keep in flight, from cwnd and the peer's window) changed. */
	void (*send_backlog)(void *arg, struct stk_tcp_conn *c, uint32_t ideal_bytes);
	/** The peer's FIN arrived after all its data (graceful disconnect event). Sending may go on. */
	void (*peer_fin)(void *arg, struct stk_tcp_conn *c);
	/**
	 * Our graceful shutdown completed (our FIN acknowledged and the peer's
	 * FIN received: WskDisconnect's completion), or failed with @p err.
	 */
	void (*shutdown_done)(void *arg, struct stk_tcp_conn *c, void *ctx, int err);
	/** The connection was reset or timed out (abortive disconnect event). */
	void (*reset)(void *arg, struct stk_tcp_conn *c, int err);
};

/* ---- listeners ---- */

#define STK_TCP_LISTEN_INSPECT (1u << 0) /**< call the inspect upcall before answering SYNs */

/**
 * Listen on @p laddr (0: any of ours) : @p lport (network order) on
 * instance @p in. Passive connections whose SYN arrives on this instance
 * are offered here; with several instances, open one listener per instance.
 * @return 0, STK_EADDRINUSE, STK_EADDRNOTAVAIL, STK_ENOMEM or STK_EINVAL.
 */
int stk_tcp_listen(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport, uint32_t backlog,
		   uint32_t flags, const struct stk_tcp_upcalls *up, void *arg,
		   struct stk_tcp_conn **out);

/**
 * Decide a pended inspection: @p accept true answers the SYN, false drops
 * it. @return 0, or STK_ENOENT if it was dropped meanwhile (the abort
 * upcall ran or runs).
 */
int stk_tcp_inspect_complete(struct stk_tcp_conn *listener, uint64_t inspect_id, bool accept);

/* ---- active open ---- */

/**
 * Open a connection from @p laddr:@p lport (0, 0: the route's source and a
 * local port whose RSS hash lands on @p in) to @p faddr:@p fport. The
 * `connected` upcall reports the result.
 * @return 0 (SYN queued), STK_ENOROUTE, STK_EADDRINUSE, STK_ENOMEM, STK_EINVAL.
 */
int stk_tcp_connect(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport, rte_be32_t faddr,
		    rte_be16_t fport, const struct stk_tcp_upcalls *up, void *arg,
		    struct stk_tcp_conn **out);

/** Replace the upcalls and their argument (e.g. inside accept). */
void stk_tcp_set_upcalls(struct stk_tcp_conn *c, const struct stk_tcp_upcalls *up, void *arg);

/* ---- data ---- */

#define STK_TCP_SEND_NODELAY (1u << 0) /**< send now even if Nagle would wait (WSK_FLAG_NODELAY) */
#define STK_TCP_SEND_MORE    (1u << 1) /**< more data follows at once: hold a partial segment */

/**
 * Queue @p m (a chain of @p m->pkt_len bytes) for sending. The stack takes
 * ownership of the mbufs; the `sent` upcall with @p send_ctx runs when all
 * of it is acknowledged. Zero-copy callers attach their pages as external
 * mbufs and learn from `sent` when the pages are free again.
 * @return 0, STK_ESTATE (not connected or already shut down for sending;
 *         @p m is freed), STK_ENOMEM.
 */
int stk_tcp_send(struct stk_tcp_conn *c, struct rte_mbuf *m, void *send_ctx, uint32_t flags);

/**
 * Cancel the queued send with @p send_ctx if none of its bytes has been
 * transmitted yet: its `sent` upcall runs with STK_TCP_ECANCELED.
 * @return 0, or STK_ESTATE if it already started (it completes normally).
 */
int stk_tcp_send_cancel(struct stk_tcp_conn *c, void *send_ctx);

/**
 * Copy up to @p len received bytes into @p buf, consuming them (WskReceive).
 * @return bytes copied (0: nothing buffered).
 */
uint32_t stk_tcp_recv_copy(struct stk_tcp_conn *c, void *buf, uint32_t len);

/** Bytes received and held by the stack (not yet offered or refused). */
uint32_t stk_tcp_recv_pending(const struct stk_tcp_conn *c);

/** Offer held data again through the recv upcall (after STK_TCP_RECV_PARTIAL). */
void stk_tcp_recv_resume(struct stk_tcp_conn *c);

/**
 * The upper layer released @p bytes it had taken (STK_TCP_RECV_TAKEN): the
 * receive window opens by that much (a window update goes out if useful).
 */
void stk_tcp_recv_done(struct stk_tcp_conn *c, uint32_t bytes);

/* ---- closing ---- */

/**
 * Graceful shutdown of the send side: a FIN goes out after all queued
 * data. `shutdown_done` with @p ctx reports completion. Receiving goes on.
 * @return 0, STK_ESTATE (already shut down or not connected).
 */
int stk_tcp_shutdown(struct stk_tcp_conn *c, void *ctx);

/**
 * Abortive close: send RST, complete every queued send and a pending
 * shutdown with STK_TCP_ECONNABORTED (and a pending connect through
 * `connected`). The `reset` upcall does not run: the caller knows (no
 * disconnect event for one's own abortive disconnect, as in WSK). The
 * handle stays valid until stk_tcp_close().
 */
void stk_tcp_abort(struct stk_tcp_conn *c);

/**
 * Release the caller's hold. A connection not shut down or reset yet is
 * reset (WskCloseSocket). No upcall runs after this returns.
 */
void stk_tcp_close(struct stk_tcp_conn *c);

/* ---- options and information ---- */

/** Per-connection options (TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF). */
enum stk_tcp_opt {
	STK_TCP_OPT_NODELAY,      /**< bool: disable Nagle */
	STK_TCP_OPT_KEEPALIVE,    /**< bool: keepalive probes */
	STK_TCP_OPT_RCVBUF,       /**< bytes: receive window space */
	STK_TCP_OPT_SNDBUF,       /**< bytes: in-flight limit for the ideal backlog */
	STK_TCP_OPT_KEEPIDLE_MS,  /**< idle time before the first probe */
	STK_TCP_OPT_KEEPINTVL_MS, /**< interval between probes */
	STK_TCP_OPT_KEEPCNT,      /**< probes before giving up */
};

/** Set an option. @return 0, STK_EINVAL. */
int stk_tcp_setopt(struct stk_tcp_conn *c, enum stk_tcp_opt opt, uint32_t value);
/** Read an option into @p value. @return 0, STK_EINVAL. */
int stk_tcp_getopt(const struct stk_tcp_conn *c, enum stk_tcp_opt opt, uint32_t *value);

/** Addresses and ports (network order). */
void stk_tcp_addrs(const struct stk_tcp_conn *c, rte_be32_t *laddr, rte_be16_t *lport,
		   rte_be32_t *faddr, rte_be16_t *fport);

/** Snapshot of a connection for tests and telemetry. */
struct stk_tcp_info {
	uint8_t state;          /**< RFC 9293 state (tcp_state numbering in stack/tcp) */
	uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
	uint32_t cwnd, ssthresh, mss;
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint8_t snd_wscale, rcv_wscale;
	bool ts, sack;
	uint64_t retransmits;
	uint32_t send_queued;   /**< bytes queued or in flight */
	uint32_t recv_held;     /**< bytes held by the stack */
	uint32_t recv_taken;    /**< bytes taken by the upper layer, not yet done */
};

/** Fill @p out. */
void stk_tcp_info(const struct stk_tcp_conn *c, struct stk_tcp_info *out);

/** One connection in a stk_tcp_snapshot(). */
struct stk_tcp_conn_info {
	rte_be32_t laddr, faddr;   /**< addresses, network order */
	rte_be16_t lport, fport;   /**< ports, network order */
	struct stk_tcp_info info;  /**< state, sequence space, windows, RTT, queues */
};

/**
 * Copy up to @p max connections and listeners of instance @p in into
 * @p out. Owning lcore only (other threads post a request: see
 * drivers' telemetry). @return the number copied.
 */
unsigned int stk_tcp_snapshot(struct stk_inst *in, struct stk_tcp_conn_info *out,
			      unsigned int max);

/** @return the RFC name of a state number of stk_tcp_info ("ESTABLISHED"). */
const char *stk_tcp_state_name(unsigned int state);

#ifdef __cplusplus
}
#endif

#endif /* STK_TCP_H */
