/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The TCP engine's private structures: the connection block (TCB), the
 * per-instance TCP context and the functions the engine's files share.
 *
 * Split by concern as FreeBSD does: tcp_conn.c (tables, allocation, state
 * changes, lifetime), tcp_input.c (segment arrival, RFC 9293 3.10.7),
 * tcp_open.c (LISTEN and SYN-SENT, 3.10.7.2-3), tcp_ack.c (the ACK field),
 * tcp_output.c (building and sending segments), tcp_timer.c (retransmit,
 * delayed ACK, persist, keepalive, TIME_WAIT), tcp_api.c (the stk_tcp.h
 * seam), tcp_inspect.c (conditional accept), tcp_reass.c, tcp_sack.c, cc/.
 */
#ifndef TCP_PRIV_H
#define TCP_PRIV_H

#include <rte_hash.h>
#include <rte_mempool.h>

#include "stk_tcp.h"
#include "stk_priv.h"
#include "timer.h"
#include "tcp_cc.h"
#include "tcp_isn.h"
#include "tcp_reass.h"
#include "tcp_sack.h"
#include "tcp_seq.h"

/**
 * RFC 9293 states, ordered as FreeBSD orders them: a state >= ESTABLISHED
 * is synchronized, a state > CLOSE_WAIT has sent (or queued) our FIN.
 */
enum tcp_state {
	TCPS_CLOSED,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_CLOSE_WAIT,
	TCPS_FIN_WAIT_1,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_FIN_WAIT_2,
	TCPS_TIME_WAIT,
};

/** @return the RFC name of @p s ("SYN-RECEIVED"). */
const char *tcp_state_name(unsigned int s);

/** SACK scoreboard ranges kept per connection. */
#define TCP_SACK_SB_MAX 16

/** Connection-table key: the 4-tuple, network order. */
struct tcp_key {
	rte_be32_t laddr;
	rte_be32_t faddr;
	rte_be16_t lport;
	rte_be16_t fport;
};

/** One stk_tcp_send(): its bytes end at @c end (sequence space). */
struct tcp_sendop {
	struct tcp_sendop *next;
	void *ctx;
	uint32_t end;    /**< sequence number just past its last byte */
	uint32_t bytes;  /**< its length */
};

/* Connection flags. */
#define TCPF_LISTENER    (1u << 0)  /**< a listening socket */
#define TCPF_USER_GONE   (1u << 1)  /**< stk_tcp_close() was called: no upcalls */
#define TCPF_TS          (1u << 2)  /**< timestamps negotiated (RFC 7323) */
#define TCPF_WS          (1u << 3)  /**< window scaling negotiated */
#define TCPF_SACK        (1u << 4)  /**< SACK permitted both ways */
#define TCPF_NODELAY     (1u << 5)  /**< Nagle off */
#define TCPF_SHUT_WR     (1u << 6)  /**< FIN queued after the send queue */
#define TCPF_FIN_SENT    (1u << 7)  /**< our FIN is in sequence space (snd_max covers it) */
#define TCPF_ACK_NOW     (1u << 8)  /**< send an ACK at the end of this input */
#define TCPF_DELACK      (1u << 9)  /**< an ACK is owed (delayed) */
#define TCPF_RECV_PAUSED (1u << 10) /**< the upper layer refused data: hold it */
#define TCPF_KEEPALIVE   (1u << 11) /**< keepalive probes on */
#define TCPF_PEER_FIN    (1u << 12) /**< the peer's FIN was received in order */
#define TCPF_ABORTED     (1u << 13) /**< reset or aborted: no more I/O */
#define TCPF_IN_TABLE    (1u << 14) /**< present in the connection or listener table */
#define TCPF_FIN_ACKED   (1u << 15) /**< our FIN was acknowledged */
#define TCPF_FIN_TOLD    (1u << 16) /**< the peer_fin upcall ran */
#define TCPF_REAPING     (1u << 17) /**< on the reap list: freed at the end of the poll */
#define TCPF_CONNECTING  (1u << 18) /**< active open whose `connected` upcall has not run */
#define TCPF_RCV_PUSH    (1u << 19) /**< held data includes a segment with PSH */
#define TCPF_FIN_PENDING (1u << 20) /**< the peer's FIN arrived out of order at rcv_fin */
#define TCPF_LOCAL_ABORT (1u << 21) /**< stk_tcp_abort(): the user knows, no reset upcall */
#define TCPF_INSPECTED   (1u << 22) /**< child on its listener's inspected list: accept or abort owed */
#define TCPF_INSPECT_PEND (1u << 23) /**< child whose inspect verdict is pending: nothing sent yet */

/** The connection block. `struct stk_tcp_conn` of the seam is this. */
struct stk_tcp_conn {
	struct stk_inst *in;
	struct tcp_key key;
	uint8_t state;              /**< enum tcp_state */
	uint32_t flags;             /**< TCPF_* */
	uint16_t port;              /**< output port (route of faddr) */
	rte_be32_t nh;              /**< next hop */
	const struct stk_tcp_upcalls *up;
	void *arg;

	/* send sequence space (RFC 9293 3.3.1) */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;           /**< next byte to send (back at snd_una after an RTO) */
	uint32_t snd_max;           /**< highest byte sent + 1 */
	uint32_t snd_wnd;           /**< peer's window, scaled */
	uint32_t max_sndwnd;        /**< largest window the peer offered (sender SWS avoidance) */
	uint32_t snd_wl1, snd_wl2;  /**< segment seq/ack of the last window update */
	uint8_t snd_wscale;         /**< shift for the peer's window field */
	uint16_t smss;              /**< SMSS for congestion control: mss_base less timestamps */
	uint16_t mss_base;          /**< min(peer's MSS, our MTU - 40): data + options per segment */
	uint32_t snd_bytes;         /**< bytes queued from snd_una (sent or not), without FIN */
	struct rte_mbuf *sndq;      /**< send data from snd_una on, one chain per op, linked by ->next of last seg */
	struct tcp_sendop *ops;     /**< sends not completed, oldest first */
	struct tcp_sendop *ops_tail;
	void *shut_ctx;             /**< stk_tcp_shutdown() context */

	/* receive sequence space */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;           /**< right edge advertised so far (never shrinks) */
	uint32_t rcv_fin;           /**< sequence number of an out-of-order FIN (TCPF_FIN_PENDING) */
	uint32_t rcv_buf;           /**< receive space (SO_RCVBUF) */
	uint8_t rcv_wscale;         /**< shift of our window field */
	uint16_t peer_mss;          /**< MSS the peer announced */
	struct rte_mbuf *rcvq;      /**< in-order data held for the upper layer */
	uint32_t rcvq_bytes;
	uint32_t rcv_taken;         /**< bytes the upper layer took and has not returned */
	struct tcp_reass reass;

	/* round trip (RFC 6298) and timestamps (RFC 7323) */
	uint32_t srtt_us, rttvar_us; /**< 0 srtt: no sample yet */
	uint32_t rto_ms;
	uint8_t backoff;            /**< RTO doublings in a row */
	uint8_t retries;            /**< retransmissions of the same data */
	uint32_t rtt_seq;           /**< timed segment (Karn), valid if rtt_start != 0 */
	stk_time_t rtt_start;
	uint32_t ts_recent;
	stk_time_t ts_recent_age;   /**< when ts_recent was set (PAWS validity: 24 days) */
	uint32_t last_ack_sent;     /**< ACK field of our last segment (RFC 7323 4.3) */
	uint32_t dupacks;
	uint64_t retransmits;

	/* congestion control */
	const struct tcp_cc_ops *cc;
	struct tcp_cc_state ccs;
	uint32_t recover;           /**< recovery point (RFC 6582, RFC 6675 RecoveryPoint) */

	/* SACK-based loss recovery (RFC 6675) */
	struct tcp_sack_sb sb;
	struct tcp_sack_block sb_blk[TCP_SACK_SB_MAX];
	uint32_t high_rxt;          /**< one past the highest byte retransmitted in this recovery */
	uint32_t rescue_rxt;
	bool rescue_valid;
	bool sack_recovery;         /**< in RFC 6675 loss recovery */
	bool dsack;                 /**< a D-SACK block (RFC 2883) is owed to the next ACK */
	uint32_t dsack_l, dsack_r;  /**< its range: the first duplicate data of a segment */

	/* timers */
	struct stk_timer t_rexmt;   /**< retransmit, persist, or 2*MSL in TIME_WAIT */
	struct stk_timer t_delack;
	struct stk_timer t_keep;
	stk_time_t last_rx;         /**< last segment received (keepalive) */
	uint32_t keep_idle_ms, keep_intvl_ms, keep_cnt, keep_sent;

	/* listener side */
	struct stk_tcp_conn *listener; /**< SYN-RECEIVED child: its listener */
	uint32_t backlog;           /**< listener: most children in SYN-RECEIVED or unaccepted */
	uint32_t children;          /**< listener: children counted against the backlog */
	uint32_t listen_flags;      /**< STK_TCP_LISTEN_* */
	uint64_t inspect_id;        /**< child: its request's id; listener: the last id given */
	struct stk_tcp_conn *insp_next; /**< listener: first inspected child; child: the next one */
	struct stk_tcp_conn **insp_pprev; /**< child: the pointer that points at it */
	struct stk_tcp_conn *reap_next;
};

/** Per-instance TCP state, in struct stk_inst. */
struct tcp_ctx {
	struct rte_hash *conns;     /**< tcp_key -> conn */
	struct rte_hash *listeners; /**< tcp_key with faddr/fport 0 -> listener */
	struct rte_mempool *conn_pool;
	struct rte_mempool *op_pool;
	struct tcp_isn_key isn_key;
	uint16_t next_port;         /**< host order, ephemeral cursor */
	struct stk_tcp_conn *reap;  /**< blocks to free at the end of the poll */
	uint32_t chal_tokens;       /**< RFC 5961 section 7 challenge ACK budget */
	stk_time_t chal_refill;
};

/** Challenge ACKs per second per instance (RFC 5961 section 7; Linux uses 1000). */
#define TCP_CHALLENGE_ACK_LIMIT 1000

/* tcp_conn.c */
int tcp_ctx_init(struct stk_inst *in);
void tcp_ctx_fini(struct stk_inst *in);
struct stk_tcp_conn *tcp_conn_alloc(struct stk_inst *in);
void tcp_conn_free(struct stk_tcp_conn *c);
int tcp_conn_insert(struct stk_tcp_conn *c);
void tcp_conn_remove(struct stk_tcp_conn *c);
struct stk_tcp_conn *tcp_conn_lookup(struct stk_inst *in, const struct tcp_key *k);
struct stk_tcp_conn *tcp_listener_lookup(struct stk_inst *in, rte_be32_t laddr, rte_be16_t lport);
void tcp_set_state(struct stk_tcp_conn *c, enum tcp_state s);
void tcp_conn_init_tcb(struct stk_tcp_conn *c);
void tcp_conn_drop(struct stk_tcp_conn *c, int err);
void tcp_conn_maybe_free(struct stk_tcp_conn *c);
void tcp_reap(struct stk_inst *in);
void tcp_sendq_ack(struct stk_tcp_conn *c, uint32_t acked);
void tcp_sendq_fail(struct stk_tcp_conn *c, int err);
void tcp_deliver(struct stk_tcp_conn *c);

/* A parsed segment: header, payload (data offset at the first byte) and its length. */
struct tcp_seg {
	struct tcp_repr th;
	struct rte_mbuf *m;
	uint32_t len;
	const struct ipv4_repr *ip;
};

/* A rejected segment: counted under @p why and freed. */
static inline void
tcp_seg_drop(struct stk_inst *in, struct tcp_seg *s, enum stk_drop why)
{
	in->stats.drop[why]++;
	rte_pktmbuf_free(s->m);
	s->m = NULL;
}

/* The segment did its work (an accepted RST, a SYN whose data is not kept): free it. */
static inline void
tcp_seg_free(struct tcp_seg *s)
{
	rte_pktmbuf_free(s->m);
	s->m = NULL;
}

/* tcp_input.c */
void tcp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast);
void tcp_established_input(struct stk_tcp_conn *c, struct tcp_seg *s);
void tcp_text_input(struct stk_tcp_conn *c, struct tcp_seg *s);
void tcp_syn_text_queue(struct stk_tcp_conn *c, struct tcp_seg *s);

/* tcp_icmp.c */
/**
 * An ICMP error of @p type and @p code quoting @p q (next-hop @p mtu for
 * fragmentation needed). @return true if a connection acted on it.
 */
bool tcp_icmp_error(struct stk_inst *in, const struct icmp_quote *q, uint8_t type, uint8_t code,
		    uint16_t mtu);

/* tcp_open.c */
void tcp_listen_input(struct stk_tcp_conn *l, struct tcp_seg *s);
void tcp_inspect_pending_input(struct stk_tcp_conn *c, struct tcp_seg *s);
void tcp_syn_sent_input(struct stk_tcp_conn *c, struct tcp_seg *s);

/* tcp_ack.c */
void tcp_update_window(struct stk_tcp_conn *c, const struct tcp_repr *th);
bool tcp_sack_ack(struct stk_tcp_conn *c, const struct tcp_seg *s, bool advanced);
void tcp_dupack(struct stk_tcp_conn *c, const struct tcp_seg *s);
void tcp_ack_advance(struct stk_tcp_conn *c, const struct tcp_seg *s);
bool tcp_fin_acked(struct stk_tcp_conn *c);

/* tcp_output.c */
void tcp_output(struct stk_tcp_conn *c);
void tcp_send_ack(struct stk_tcp_conn *c);
void tcp_send_keepalive(struct stk_tcp_conn *c);
void tcp_rexmit_first(struct stk_tcp_conn *c);
void tcp_sack_send(struct stk_tcp_conn *c);
void tcp_limited_transmit(struct stk_tcp_conn *c);
void tcp_send_syn(struct stk_tcp_conn *c);
void tcp_send_rst(struct stk_tcp_conn *c);
void tcp_respond_rst(struct stk_inst *in, const struct ipv4_repr *ip, const struct tcp_repr *th,
		     uint32_t seg_len);
uint32_t tcp_rcv_space(const struct stk_tcp_conn *c);
uint32_t tcp_rcv_window(const struct stk_tcp_conn *c);
uint32_t tcp_data_room(struct stk_tcp_conn *c);
uint16_t tcp_mss_for_port(const struct stk_inst *in, uint16_t port);
uint32_t tcp_ts_now(const struct stk_inst *in);

/* tcp_syncookie.c */
uint32_t tcp_cookie_make(const struct stk_inst *in, const struct tcp_key *k, uint32_t peer_isn,
			 uint16_t peer_mss);
uint16_t tcp_cookie_check(const struct stk_inst *in, const struct tcp_key *k, uint32_t peer_isn,
			  uint32_t cookie);
uint32_t tcp_cookie_tsval(const struct stk_inst *in, const struct tcp_opts *peer);
void tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack);
void tcp_send_cookie_synack(struct stk_inst *in, const struct ipv4_repr *ip,
			    const struct tcp_repr *th, const struct tcp_key *k);
uint8_t tcp_default_rcv_wscale(const struct stk_params *p);

/* tcp_inspect.c */
void tcp_inspect_syn(struct stk_tcp_conn *l, struct stk_tcp_conn *c);
uint64_t tcp_inspect_unlink(struct stk_tcp_conn *c);
void tcp_inspect_expire(struct stk_tcp_conn *c);
stk_time_t tcp_syn_received_timeout(const struct stk_params *p);

/* tcp_timer.c */
void tcp_timers_init(struct stk_tcp_conn *c);
void tcp_timers_cancel(struct stk_tcp_conn *c);
void tcp_rexmt_arm(struct stk_tcp_conn *c);
void tcp_delack_arm(struct stk_tcp_conn *c);
void tcp_timewait_start(struct stk_tcp_conn *c);
void tcp_keep_arm(struct stk_tcp_conn *c);
void tcp_rtt_sample(struct stk_tcp_conn *c, stk_time_t rtt_ns);

/** Instance owning active opens from local port @p lport when RSS cannot be predicted. */
static inline unsigned int
tcp_owner_of(const struct stk_inst *in, rte_be16_t lport)
{
	return rte_be_to_cpu_16(lport) % in->count;
}

static inline bool
tcp_user_alive(const struct stk_tcp_conn *c)
{
	return (c->flags & TCPF_USER_GONE) == 0 && c->up != NULL;
}

#endif /* TCP_PRIV_H */
