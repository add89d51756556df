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

/**
 * Verdict of the inspect upcall (WskInspectEvent). See stk_tcp_listen() for
 * the whole conditional-accept contract.
 */
enum stk_tcp_inspect {
	/**
	 * Proceed: the SYN-ACK goes out now. Exactly one of the `accept`
	 * upcall (after the handshake, same inspect_id) or the `abort` upcall
	 * (the request died first) follows.
	 */
	STK_TCP_INSPECT_ACCEPT,
	/**
	 * Refuse: a RST answers the SYN (the client sees "connection
	 * refused" at once: Winsock calls a CF_REJECT an active refusal) and
	 * nothing else is indicated for this request. Not a silent drop: the
	 * stack keeps no state for a refused request, so a dropped SYN would
	 * come back as the client's retransmissions, each a new request and a
	 * new inspect upcall, for as long as the client retries.
	 */
	STK_TCP_INSPECT_REJECT,
	/**
	 * Decide later with stk_tcp_inspect_complete(): nothing is sent
	 * meanwhile. Exactly one of the `accept` or the `abort` upcall
	 * follows, unless the caller rejects it or closes the listener.
	 */
	STK_TCP_INSPECT_PEND,
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
	/**
	 * Identity of the connection request on a listener opened with
	 * STK_TCP_LISTEN_INSPECT (0 without): a serial number of the
	 * listener, never 0 and never given twice in its lifetime. The same
	 * value reaches inspect, then accept or abort, and names the request
	 * in stk_tcp_inspect_complete() (WSK_INSPECT_ID's contents).
	 */
	uint64_t inspect_id;
};

/**
 * Upcalls of a connection or a listener. All are optional except where
 * noted; all run on the owning lcore and must not block. A callee may call
 * any stk_tcp_* function on the same connection, including stk_tcp_close().
 */
struct stk_tcp_upcalls {
	/**
	 * Listener only, required with STK_TCP_LISTEN_INSPECT: a new SYN,
	 * before anything is sent to the peer (WskInspectEvent). @p peer is
	 * valid during the call only (copy peer->inspect_id to keep it).
	 * Inside, the callee may call stk_tcp_inspect_complete() on this
	 * request (the request is already pending: that decides it and the
	 * return value is then ignored) or on others, and may close the
	 * listener (the request goes with it, nothing more is indicated).
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
	/**
	 * Listener only (WskAbortEvent): a request the inspect upcall accepted
	 * or pended died before its `accept` upcall: the peer's RST, the
	 * SYN-ACK's retransmissions exhausted, or a pended request expired.
	 * Runs at most once per request, never for a request the caller
	 * rejected, and never after stk_tcp_close() of the listener. The
	 * request is gone when it runs: stk_tcp_inspect_complete() on
	 * @p inspect_id returns STK_ENOENT; the callee may complete other
	 * requests or close the listener.
	 */
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
 *
 * @p backlog (0: 128) bounds the connection requests not yet established
 * (SYN-RECEIVED, and pended inspections). When it is full, a listener
 * without inspection answers with SYN cookies (RFC 4987). stk_tcp_close()
 * of a listener without inspection drops its requests silently, as FreeBSD
 * and Linux do: the peer's next segment meets no socket and draws a RST.
 *
 * Conditional accept (@p flags STK_TCP_LISTEN_INSPECT, SO_CONDITIONAL_ACCEPT;
 * the `inspect` upcall is then required):
 * - each new SYN calls `inspect` before anything is sent; the peer's SYN
 *   retransmissions meanwhile are dropped (STK_DROP_TCP_INSPECT_PENDING),
 *   never a second request;
 * - REJECT, or stk_tcp_inspect_complete(false): a RST to the peer, nothing
 *   else indicated; ACCEPT, or stk_tcp_inspect_complete(true): the SYN-ACK,
 *   then exactly one of `accept` or `abort`;
 * - a pended request counts against @p backlog and lives as long as an
 *   accepted one waits for its handshake (the SYN-ACK and its
 *   tcp_syn_retries retransmissions: 123 s with the defaults); then it
 *   expires: a RST to the peer and the `abort` upcall. The peer's RST
 *   (at the SYN's next sequence number) ends it too, with `abort`;
 * - no SYN cookies: a full backlog drops new SYNs
 *   (STK_DROP_TCP_INSPECT_FULL), and an ACK carrying a cookie is not
 *   taken, since a cookie would open a connection nobody inspected;
 * - stk_tcp_close() of the listener resets every request not yet
 *   established (pended or accepted) without any upcall.
 * Inspection is per listener, on its instance's lcore, like every upcall.
 *
 * @return 0, STK_EADDRINUSE, STK_EADDRNOTAVAIL, STK_ENOMEM or STK_EINVAL
 *         (no accept upcall, no inspect upcall with STK_TCP_LISTEN_INSPECT,
 *         unknown flags).
 */
int stk_tcp_listen(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport, uint32_t backlog,
		   uint32_t flags, const struct stk_tcp_upcalls *up, void *arg,
		   struct stk_tcp_conn **out);

/**
 * Decide a pended inspection (WskInspectComplete): @p accept true sends the
 * SYN-ACK (then `accept` or `abort` follows, as after
 * STK_TCP_INSPECT_ACCEPT); false refuses it with a RST, and no upcall
 * follows. May be called inside any upcall of the listener, including the
 * inspect upcall of the request itself and the abort upcall of another.
 * @return 0; STK_ENOENT if @p inspect_id names no pending request of
 *         @p listener (unknown, already decided, expired, reset or aborted:
 *         nothing is established and nothing is sent); STK_EINVAL if
 *         @p listener is not a listener with STK_TCP_LISTEN_INSPECT.
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
