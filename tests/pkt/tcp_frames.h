/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP for the pkt tier: segment builders and parsers written apart from the
 * stack's wire code, a model of the peer's end of one connection, and an
 * application that records every upcall of the stk_tcp.h seam.
 *
 * Builders and parsers use DPDK's header layouts and checksum helpers only.
 * Options are written in an order of this file's own choosing and parsed by
 * walking kinds, so a bug in stack/wire/tcp_wire.c cannot hide itself.
 *
 * The peer model (struct tf_conn) keeps both sequence spaces as the peer
 * sees them: `snd` is the next sequence number the stack must send, `rcv`
 * the next one the peer sends (what the stack must acknowledge). The peer
 * sends timestamps from its own counter, strictly increasing, and keeps
 * TS.Recent for the stack's segments per RFC 7323 section 4.3, so that a
 * segment the stack sends is checked for the TSecr the RFC requires.
 * tf_expect*() check every header field of the next frame the stack sends
 * and advance the model; tf_send*() inject a segment and poll.
 *
 * Implemented in tcp_frames.c (wire) and test_pkt_tcp_util.c (model, app).
 */
#ifndef PKT_TCP_FRAMES_H
#define PKT_TCP_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"
#include "stk_tcp.h"

/* Control bits (byte 13). */
#define TF_FIN 0x01
#define TF_SYN 0x02
#define TF_RST 0x04
#define TF_PSH 0x08
#define TF_ACK 0x10

/** Our listening port and the peer's port in these tests (host order). */
#define TF_PORT 80
#define TF_PEER_PORT 40000

/** The stack's MSS through the in-memory device (MTU 1500). */
#define TF_MSS 1460
/** Bytes a segment carries when timestamps are on (12 bytes of options). */
#define TF_MSS_TS (TF_MSS - 12)
/** The stack's default receive buffer (stk_params_default) and the shift it needs. */
#define TF_RCVBUF 262144u
#define TF_WS 3

/** RFC 9293 states as stk_tcp_info() reports them (stack/tcp numbering). */
enum tf_state {
	TF_CLOSED, TF_LISTEN, TF_SYN_SENT, TF_SYN_RECEIVED, TF_ESTABLISHED, TF_CLOSE_WAIT,
	TF_FIN_WAIT_1, TF_CLOSING, TF_LAST_ACK, TF_FIN_WAIT_2, TF_TIME_WAIT,
};

/** TCP options, host order. */
struct tf_opts {
	bool mss_on;
	uint16_t mss;
	bool ws_on;
	uint8_t ws;
	bool sack_ok;          /**< SACK-permitted */
	bool ts_on;
	uint32_t tsval, tsecr;
	uint8_t nb_sack;       /**< SACK blocks (kind 5) */
	uint32_t sack[4][2];   /**< left, right edges */
};

/** A TCP segment in an Ethernet/IPv4 frame, host order. */
struct tf_seg {
	rte_be32_t src, dst;   /**< 0 in tf_build: the peer to us */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t flags_any;     /**< tf_match: control bits allowed either way */
	uint16_t win;
	struct tf_opts o;
	const uint8_t *data;   /**< payload (parse: points into the frame) */
	uint32_t len;
	bool bad_cksum;        /**< build: store a wrong checksum */
};

/* ---- wire (tcp_frames.c) ---- */

/** Write the frame of @p s from the peer (h_peer_mac) to us. @return its length. */
size_t tf_build(uint8_t *buf, const struct tf_seg *s);
/**
 * Parse a frame the stack sent to the peer: Ethernet and IPv4 as
 * h_chk_ipv4() checks them, protocol TCP, data offset within the segment,
 * a valid checksum, options well formed. @return false with a reason in @p why.
 */
bool tf_parse(const struct h_frame *f, struct tf_seg *s, char *why, size_t len);
/**
 * Compare a parsed segment with @p want: ports, seq, flags (but
 * want->flags_any), ack (when ACK
 * is set; else it must be 0), window, every option present and its value
 * (TSval only if @p want's is not 0), payload length and bytes.
 */
bool tf_match(const struct tf_seg *got, const struct tf_seg *want, char *why, size_t len);
/** h_check_fn: tf_parse() then tf_match() against the struct tf_seg in @p arg. */
bool tf_chk(const struct h_frame *f, const void *arg, char *why, size_t len);
/** Print a parsed segment on stderr (for failures). */
void tf_print(const char *title, const struct tf_seg *s);

/* ---- the application (test_pkt_tcp_util.c) ---- */

#define TF_APP_DATA (1u << 19)
#define TF_APP_OPS 64

/** What the upcalls saw, and how the recv upcall answers. */
struct tf_app {
	/* behaviour */
	enum stk_tcp_recv_verdict verdict; /**< recv answer (default CONSUMED) */
	uint32_t partial;      /**< bytes consumed on RECV_PARTIAL */
	int accept_ret;        /**< accept answer (0: accept) */
	/* record */
	unsigned int naccept, nconnected, nrecv, nsent, npeer_fin, nshut, nreset, nbacklog;
	struct stk_tcp_conn *conn;        /**< accepted or connected connection */
	struct stk_tcp_peer peer;         /**< the accept upcall's peer */
	int connected_err, shut_err, reset_err;
	void *shut_ctx;
	bool push;             /**< push flag of the last recv upcall */
	uint32_t last_len;     /**< length of the last recv upcall */
	uint32_t len;          /**< bytes received in all */
	uint8_t data[TF_APP_DATA];
	struct rte_mbuf *taken[TF_APP_OPS]; /**< chains kept on RECV_TAKEN */
	uint32_t taken_len[TF_APP_OPS];
	unsigned int ntaken;
	void *sent_ctx[TF_APP_OPS];
	uint32_t sent_bytes[TF_APP_OPS];
	int sent_err[TF_APP_OPS];
	uint32_t backlog;      /**< last send_backlog value */
	unsigned int fin_after_bytes; /**< app->len when peer_fin ran */
};

/** Upcalls recording into the struct tf_app given as arg. */
extern const struct stk_tcp_upcalls tf_upcalls;
/** Zero @p a (behaviour: CONSUMED, accept). */
void tf_app_init(struct tf_app *a);
/** Free the chains the app took; @return their bytes (to pass to stk_tcp_recv_done). */
uint32_t tf_app_release(struct tf_app *a);

/* ---- the peer model (test_pkt_tcp_util.c) ---- */

/** The peer's end of one connection. */
struct tf_conn {
	struct h *h;
	struct tf_app *app;
	struct stk_tcp_conn *c;  /**< the stack's handle (NULL until accepted/connected) */
	uint16_t port, pport;    /**< the stack's port, the peer's port (host order) */
	uint16_t mss;            /**< MSS option the stack sends (TF_MSS unless another MTU) */
	uint32_t rcvbuf;         /**< the stack's receive buffer (TF_RCVBUF unless changed) */
	uint32_t iss, irs;       /**< the stack's ISS, the peer's ISS */
	uint32_t snd;            /**< next sequence number the stack must send */
	uint32_t rcv;            /**< next sequence number the peer sends */
	uint16_t win;            /**< window field the stack must send (after the SYN) */
	uint16_t pwin;           /**< window field the peer sends */
	uint8_t ws, pws;         /**< shift of the stack's field, of the peer's (if ws_on) */
	bool ws_on, ts, sack;    /**< negotiated */
	uint32_t pts;            /**< the peer's timestamp clock (last TSval sent) */
	uint32_t ts_recent;      /**< the peer's TSval the stack must echo (RFC 7323 4.3) */
	uint32_t last_ack;       /**< ACK field of the stack's last segment */
	uint32_t stack_ts;       /**< the stack's last TSval (must not go back) */
};

/** What the peer's SYN offers (tf_syn_all: everything). */
struct tf_syn {
	bool mss_on;
	uint16_t mss;
	bool ws_on;
	uint8_t ws;
	bool sack_ok, ts_on;
	uint16_t win;          /**< window field of the SYN */
};
extern const struct tf_syn tf_syn_all;  /**< MSS 1460, WS 7, SACK, TS, window 65535 */
extern const struct tf_syn tf_syn_none; /**< no option, window 65535 */

/**
 * Fill @p t for a connection between TF_PORT and the peer's @p pport (no
 * handshake yet): the peer's ISS is 0xfffffc00, so that its sequence
 * numbers wrap after 1 KiB of data; mss TF_MSS, rcvbuf TF_RCVBUF.
 */
void tf_conn_init(struct tf_conn *t, struct h *h, struct tf_app *app, uint16_t pport);

/** Listen on TF_PORT with tf_upcalls recording into @p app. @return the listener. */
struct stk_tcp_conn *tf_listen(struct h *h, struct tf_app *app);

/**
 * The first half of a passive open: the peer's SYN offering @p syn, and
 * the SYN-ACK with exactly the options the stack must answer (the model
 * takes the ISS and the negotiated values). @return true if it matched.
 */
bool tf_syn_in_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line);
#define tf_syn_in(t, syn) tf_syn_in_at((t), (syn), __FILE__, __LINE__)
/**
 * The peer's SYN offering @p syn (seq t->irs) and a poll, expecting
 * nothing yet: the model's t->rcv and TS.Recent come from this SYN.
 */
void tf_syn_send(struct tf_conn *t, const struct tf_syn *syn);
/**
 * The stack's SYN-ACK to the SYN tf_syn_send() sent with @p syn, checked
 * as tf_syn_in() checks it (the model takes the ISS and negotiated values).
 */
bool tf_synack_expect_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line);
#define tf_synack_expect(t, syn) tf_synack_expect_at((t), (syn), __FILE__, __LINE__)
/**
 * Passive open through listener on TF_PORT: the peer sends SYN with @p syn,
 * expects the SYN-ACK with exactly the options the stack must answer, and
 * ACKs it with window @p syn->win; CHECKs the accept upcall.
 * @return true if the connection is established and t->c set.
 */
bool tf_passive_open_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line);
#define tf_passive_open(t, syn) tf_passive_open_at((t), (syn), __FILE__, __LINE__)
/**
 * stk_tcp_connect() to the peer's t->pport and expect our SYN: MSS t->mss,
 * SACK-permitted, TS (TSecr 0), WS for t->rcvbuf, window min(rcvbuf, 65535),
 * from an ephemeral port (t->port learns it; t->iss, t->snd too).
 */
bool tf_connect_at(struct tf_conn *t, const char *file, int line);
#define tf_connect(t) tf_connect_at((t), __FILE__, __LINE__)
/**
 * The peer's SYN-ACK to our SYN, offering @p syn (seq t->irs, ack t->snd);
 * the model takes the negotiated values (t->rcv = t->irs + 1).
 */
struct tf_seg tf_synack(struct tf_conn *t, const struct tf_syn *syn);
/**
 * Active open: stk_tcp_connect() to the peer's t->pport, expect our SYN
 * (MSS, SACK-permitted, TS, WS), answer SYN-ACK with @p syn, expect the
 * ACK and the connected upcall. t->port is learnt from the SYN.
 */
bool tf_active_open_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line);
#define tf_active_open(t, syn) tf_active_open_at((t), (syn), __FILE__, __LINE__)

/**
 * The segment the model expects next from the stack: seq t->snd, ack
 * t->rcv, window t->win, @p flags, TS (TSecr t->ts_recent) if negotiated,
 * payload @p data / @p len. Adjust it (SACK blocks, window) before checking.
 */
struct tf_seg tf_want(const struct tf_conn *t, uint8_t flags, const void *data, uint32_t len);
/**
 * Take the next frame the stack sent and compare it with @p want; on
 * success the model learns from it (snd advanced past it if it is new,
 * last_ack, TSval). @p out (may be NULL) gets the parsed segment.
 */
bool tf_expect_seg_at(struct tf_conn *t, const struct tf_seg *want, struct tf_seg *out,
		      const char *file, int line);
#define tf_expect_seg(t, want, out) tf_expect_seg_at((t), (want), (out), __FILE__, __LINE__)
/** tf_expect_seg() of tf_want(t, flags, data, len). */
bool tf_expect_at(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len,
		  const char *file, int line);
#define tf_expect(t, flags, data, len) tf_expect_at((t), (flags), (data), (len), __FILE__, __LINE__)
/** A pure ACK as tf_want() describes it. */
#define tf_expect_ack(t) tf_expect((t), TF_ACK, NULL, 0)

/**
 * The segment the peer sends next: seq t->rcv, ack t->snd, window t->pwin,
 * @p flags, TS (TSval ++t->pts, TSecr t->stack_ts) if negotiated.
 */
struct tf_seg tf_peer(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len);
/**
 * Inject @p s and poll. The model learns TS.Recent from it (RFC 7323 4.3)
 * and, if it is new data in sequence, advances t->rcv.
 */
void tf_inject(struct tf_conn *t, const struct tf_seg *s);
/** tf_inject(tf_peer(t, flags, data, len)). */
void tf_send(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len);
/** tf_send() of a pure ACK. */
#define tf_send_ack(t) tf_send((t), TF_ACK, NULL, 0)

/**
 * stk_tcp_send() @p len bytes of @p data (an mbuf chain from the stack's
 * pool), then poll: segments an API call queues leave in the poll's TX
 * flush. @return stk_tcp_send()'s result.
 */
int tf_app_send(struct tf_conn *t, const void *data, uint32_t len, void *ctx, uint32_t flags);
/**
 * stk_tcp_close() on a connection not shut down: expect the RST
 * (RST|ACK at t->snd, as tf_want() describes it) and nothing else.
 */
bool tf_close_rst_at(struct tf_conn *t, const char *file, int line);
#define tf_close_rst(t) tf_close_rst_at((t), __FILE__, __LINE__)
/** Reset the connection (tf_close_rst), close the listener @p l and destroy the harness. */
void tf_close_conn(struct tf_conn *t, struct stk_tcp_conn *l);
/** @return the connection's state (stk_tcp_info). */
unsigned int tf_state(const struct tf_conn *t);
/** @return stk_tcp_info() of the connection. */
struct stk_tcp_info tf_info(const struct tf_conn *t);

/**
 * Build a harness whose port has IP MTU @p mtu (h_create() has 1500):
 * same pools, device and addresses; h_destroy() tears it down.
 */
struct h *tf_create_mtu(const struct h_opts *o, uint16_t mtu);

#endif /* PKT_TCP_FRAMES_H */
