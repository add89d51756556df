/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The `pkt` test tier: one stack instance on an in-memory device, driven on
 * virtual time by a test that injects frames and expects frames.
 *
 * The harness plays the rest of the network. Our side is 198.18.0.1/24 at
 * 02:00:00:00:00:01; the peer 198.18.0.2 is at 02:00:00:00:00:02 (a static
 * ARP entry unless a test asks otherwise) and the gateway 198.18.0.254 at
 * 02:00:00:00:00:fe. Time starts at H_T0 and moves only in h_advance().
 *
 * Frames are built here independently of the stack (DPDK's rte_*_hdr
 * layouts and checksum helpers, never stack internals). Frames the stack
 * sends are copied out of their mbufs, which are freed at once, so a test
 * never owns an mbuf. Every expectation records a CHECK; on failure it
 * prints the caller's file and line and a hex dump of the frame.
 *
 * h_destroy() fails the test if a frame is left unexpected or if an mbuf of
 * the harness's pools is still in use after the stack is gone.
 */
#ifndef PKT_HARNESS_H
#define PKT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "check.h"
#include "drv.h"
#include "stk.h"

/* Not RTE_IPV4(): it shifts an int left by 24, undefined for a >= 128. */
#define H_IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#define H_OUR_IP H_IP4(198, 18, 0, 1)
#define H_PREFIX_LEN 24
#define H_PEER_IP H_IP4(198, 18, 0, 2)
#define H_GW_IP H_IP4(198, 18, 0, 254)
#define H_BCAST_IP H_IP4(198, 18, 0, 255)
#define H_FAR_NET H_IP4(203, 0, 113, 0)
#define H_FAR_IP H_IP4(203, 0, 113, 9) /**< off-link: reached through the gateway */

/** Start of virtual time. */
#define H_T0 STK_NS_PER_S
/** Virtual time between two polls in h_advance(). */
#define H_STEP_NS STK_NS_PER_MS
/** Largest frame the harness keeps (larger ones are a failure). */
#define H_FRAME_MAX 9216
/** Largest L4 message the harness reassembles or records. */
#define H_L4_MAX 65536

/** ICMP types and codes the checkers use (rte_icmp.h names only echo). */
#define H_ICMP_DEST_UNREACH 3
#define H_ICMP_PORT_UNREACH 3
#define H_ICMP_TIMESTAMP 13

extern const struct rte_ether_addr h_our_mac;
extern const struct rte_ether_addr h_peer_mac;
extern const struct rte_ether_addr h_gw_mac;
extern const struct rte_ether_addr h_bcast_mac;
extern const struct rte_ether_addr h_zero_mac;

/** How to build the stack under test; h_opts_init() fills the defaults. */
struct h_opts {
	struct stk_params p; /**< stack parameters (stk_params_default()) */
	bool gateway;        /**< the port's default gateway is H_GW_IP (default false) */
	bool far_route;      /**< route H_FAR_NET/24 via H_GW_IP (default false) */
	bool peer_static;    /**< static ARP entry H_PEER_IP -> h_peer_mac (default true) */
	bool keep_garp;      /**< leave the start-up gratuitous ARP for the test (default false) */
};

/** One harness: pools, device, stack, virtual clock, counter mark. */
struct h {
	struct rte_mempool *mp;   /**< packet pool */
	struct rte_mempool *ind;  /**< indirect mbufs for fragmentation */
	struct drv_memdev *dev;
	struct stk_shared *sh;
	struct stk_inst *in;
	struct stk_inst *insts[1];
	const struct stk_params *p; /**< the stack's parameters */
	stk_time_t now;           /**< virtual time */
	struct stk_stats mark;    /**< counters at the last h_mark() */
};

/** A frame the stack sent, copied out of its mbuf chain. */
struct h_frame {
	uint32_t len;
	uint8_t b[H_FRAME_MAX];
};

/* ---- life cycle, time, injection ---------------------------------------- */

void h_opts_init(struct h_opts *o);
/**
 * Build the stack and start it at H_T0. @p o NULL: defaults.
 * @return the harness, or NULL (a CHECK failed) if the stack refused the set-up.
 */
struct h *h_create(const struct h_opts *o);
/** Expect no frame left, tear down, CHECK both pools are back to zero in use, free them. */
void h_destroy(struct h *h);
/** Queue @p len bytes as one received frame and poll. */
void h_inject(struct h *h, const void *frame, size_t len);
/** Queue a frame without polling (polls first if the RX ring is full). */
void h_inject_only(struct h *h, const void *frame, size_t len);
/**
 * Build @p frame as a chain of segments cut at the ascending offsets
 * @p cuts (@p n of them; a repeated offset makes an empty segment).
 * @return the chain (exits if the pool is exhausted).
 */
struct rte_mbuf *h_mbuf_chain(struct h *h, const void *frame, size_t len,
			      const uint16_t *cuts, unsigned int n);
/** Queue mbuf @p m (the device takes it) and poll. */
void h_inject_mbuf(struct h *h, struct rte_mbuf *m);
/** Poll at the current time until the instance is idle. */
void h_poll(struct h *h);
/** Advance virtual time by @p ns in H_STEP_NS steps, polling after each. */
void h_advance(struct h *h, stk_time_t ns);
/** @return mbufs of both harness pools in use. */
unsigned int h_in_use(const struct h *h);

/* ---- expectations --------------------------------------------------------- */

/** A frame checker: @return true if @p f is acceptable, else false with a reason in @p why. */
typedef bool (*h_check_fn)(const struct h_frame *f, const void *arg, char *why, size_t len);

/** Take the next frame sent; false if none. The mbuf is freed. */
bool h_take(struct h *h, struct h_frame *f);
/** Take and discard every frame sent. @return how many. */
unsigned int h_drain(struct h *h);
bool h_expect_at(struct h *h, h_check_fn fn, const void *arg, struct h_frame *out,
		 const char *file, int line);
bool h_expect_none_at(struct h *h, const char *file, int line);
void h_hexdump(const char *title, const void *buf, size_t len);

/**
 * Take the next frame the stack sent and run @p fn on it (NULL: any frame).
 * CHECK fails if there is none or @p fn rejects it. @p out (may be NULL)
 * receives a copy. @return true if a frame was taken and accepted.
 */
#define h_expect(h, fn, arg, out) h_expect_at((h), (fn), (arg), (out), __FILE__, __LINE__)
/** CHECK that the stack sent nothing (every frame sent is dumped and freed). */
#define h_expect_none(h) h_expect_none_at((h), __FILE__, __LINE__)

/* ---- counters --------------------------------------------------------------- */

/** Remember the counters; h_drop()/h_cnt() report changes since. */
void h_mark(struct h *h);
uint64_t h_drop(const struct h *h, enum stk_drop r);
uint64_t h_cnt(const struct h *h, enum stk_cnt c);
bool h_drops_at(struct h *h, enum stk_drop r, uint64_t n, const char *file, int line);
bool h_inject_drop_at(struct h *h, const void *frame, size_t len, enum stk_drop r,
		      const char *file, int line);
/**
 * CHECK that drop reason @p r went up by exactly @p n since h_mark() and no
 * other did (STK_DROP_NONE, 0: no drop at all).
 */
#define h_expect_drops(h, r, n) h_drops_at((h), (r), (n), __FILE__, __LINE__)
/**
 * Mark, inject @p len bytes at @p frame, poll; CHECK that nothing was sent,
 * that drop reason @p r went up by one and no other reason moved, and that
 * no mbuf is left in use.
 */
#define h_inject_drop(h, frame, len, r) \
	h_inject_drop_at((h), (frame), (len), (r), __FILE__, __LINE__)

/* ---- frame builders ---------------------------------------------------------- */

/** An Ethernet/ARP frame, every field settable (to build bad ones). */
struct h_arp {
	struct rte_ether_addr eth_dst, eth_src;
	uint16_t htype, ptype; /**< host order */
	uint8_t hlen, plen;
	uint16_t op;           /**< host order */
	struct rte_ether_addr sha, tha;
	rte_be32_t spa, tpa;
};

/**
 * A well-formed ARP frame from @p sha / @p spa about @p tpa: a request is
 * broadcast with tha 0, a reply goes to h_our_mac with tha h_our_mac.
 */
void h_arp_init(struct h_arp *a, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
		rte_be32_t tpa);
/** Write the 42-byte frame. @return 42. */
size_t h_build_arp(uint8_t *buf, const struct h_arp *a);

/** An Ethernet/IPv4 header, every field settable. */
struct h_ip {
	struct rte_ether_addr eth_dst, eth_src;
	uint8_t version;     /**< 4 */
	uint8_t ihl;         /**< 0: 5 + opt_len / 4 */
	uint8_t tos;
	uint16_t total_len;  /**< 0: header + L4 length */
	uint16_t id;
	uint16_t frag;       /**< flags and offset in 8-byte units, host order */
	uint8_t ttl;
	uint8_t proto;
	rte_be32_t src, dst;
	const uint8_t *opt;  /**< options (opt_len bytes, a multiple of 4) */
	uint8_t opt_len;
	bool bad_cksum;      /**< store a wrong header checksum */
};

/** From the peer (h_peer_mac, @p src) to us (h_our_mac, @p dst), TTL 64, id 0x1234. */
void h_ip_init(struct h_ip *ip, uint8_t proto, rte_be32_t src, rte_be32_t dst);
/** Write Ethernet + IPv4 header + @p l4len bytes of @p l4. @return the frame length. */
size_t h_build_ipv4(uint8_t *buf, const struct h_ip *ip, const void *l4, size_t l4len);
/** Write an ICMP message with a correct checksum. @return its length. */
size_t h_build_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint16_t id, uint16_t seq,
		    const void *data, size_t len);
/** Write a UDP datagram with a correct checksum for @p src -> @p dst. @return its length. */
size_t h_build_udp(uint8_t *buf, rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport,
		   const void *data, size_t len);
/** Fill @p len bytes with a pattern derived from @p seed. */
void h_fill(uint8_t *buf, size_t len, uint32_t seed);
/**
 * Write the fragment of L4 message @p l4 (@p l4len bytes) that covers
 * [@p off, @p off + @p len): offset off / 8, MF unless it ends the message.
 * ip->frag's DF bit is kept. @return the frame length.
 */
size_t h_build_frag(uint8_t *buf, const struct h_ip *ip, const uint8_t *l4, size_t l4len,
		    size_t off, size_t len);
/**
 * Inject @p l4 as fragments of @p frag_len bytes (a multiple of 8), in the
 * order of fragment indices @p order (NULL: in order; @p n entries), then poll.
 * @return the number of fragments the message needs.
 */
unsigned int h_inject_frags(struct h *h, const struct h_ip *ip, const uint8_t *l4, size_t l4len,
			    size_t frag_len, const unsigned int *order, unsigned int n);
/** Inject an echo request from the peer to @p dst and poll. */
void h_send_echo(struct h *h, rte_be32_t dst, uint16_t id, uint16_t seq, const void *data,
		 size_t len);
/** Inject a UDP datagram from the peer to @p dst and poll. */
void h_send_udp(struct h *h, rte_be32_t dst, uint16_t sport, uint16_t dport, const void *data,
		size_t len);

/* ---- checkers ------------------------------------------------------------------ */

/** h_chk_arp: the frame equals, byte for byte, h_build_arp() of the expected h_arp. */
bool h_chk_arp(const struct h_frame *f, const void *arg, char *why, size_t len);

/** What an IPv4 frame from us must look like (h_chk_ipv4). */
struct h_ip_exp {
	struct rte_ether_addr eth_dst;
	rte_be32_t src;  /**< 0: H_OUR_IP */
	rte_be32_t dst;
	uint8_t proto;
	uint8_t ttl;     /**< 0: 64 (the default ip_ttl) */
};
/**
 * Ethernet from h_our_mac to eth_dst, type IPv4; version 4, IHL 5, header
 * checksum valid, total length = frame length - 14, not a fragment, TTL,
 * addresses and protocol as expected.
 */
bool h_chk_ipv4(const struct h_frame *f, const void *arg, char *why, size_t len);

/** An echo reply (h_chk_echo_reply). */
struct h_echo_exp {
	struct h_ip_exp ip;
	uint16_t id, seq;
	const uint8_t *data;
	size_t len;
};
/** h_chk_ipv4, then ICMP type 0 code 0, valid checksum, id, seq and data identical. */
bool h_chk_echo_reply(const struct h_frame *f, const void *arg, char *why, size_t len);

/** A UDP datagram (h_chk_udp). */
struct h_udp_exp {
	struct h_ip_exp ip;
	uint16_t sport, dport; /**< host order; sport 0: any */
	const uint8_t *data;
	size_t len;
};
/** h_chk_ipv4, then UDP length, valid non-zero checksum, ports and payload. */
bool h_chk_udp(const struct h_frame *f, const void *arg, char *why, size_t len);

/** A destination unreachable (h_chk_unreach). */
struct h_unreach_exp {
	struct h_ip_exp ip;
	uint8_t code;
	const uint8_t *quote; /**< the offending datagram from its IP header */
	size_t quote_len;     /**< bytes of it that must be quoted, exactly */
};
/** h_chk_ipv4, then ICMP type 3 with @p code, valid checksum, unused word 0, quote exact. */
bool h_chk_unreach(const struct h_frame *f, const void *arg, char *why, size_t len);

/**
 * Take fragments of one datagram to @p exp->dst until it is complete, check
 * each (Ethernet, IP checksum, id, protocol, TTL, offsets contiguous and in
 * order, MF on all but the last, payload of MF fragments a multiple of 8,
 * frame within the 1500-byte MTU) and reassemble the L4 bytes into @p l4.
 * @return the number of fragments, 0 on failure (CHECK failed).
 */
unsigned int h_expect_frags_at(struct h *h, const struct h_ip_exp *exp, uint8_t *l4, size_t max,
			       size_t *l4len, const char *file, int line);
#define h_expect_frags(h, exp, l4, max, l4len) \
	h_expect_frags_at((h), (exp), (l4), (max), (l4len), __FILE__, __LINE__)

/* ---- UDP sockets --------------------------------------------------------------- */

/** What a test socket received (h_udp_upcalls). */
struct h_udp_rx {
	unsigned int n;        /**< datagrams received */
	size_t len;            /**< length of the last one */
	unsigned int nb_segs;  /**< its mbuf segments */
	rte_be32_t src, dst;
	rte_be16_t sport;
	unsigned int errors;   /**< error upcalls */
	uint8_t data[H_L4_MAX];
};
/** Upcalls recording into the struct h_udp_rx given as the socket's arg. */
extern const struct stk_udp_upcalls h_udp_upcalls;
/** An mbuf (chained if needed) holding @p len bytes of @p data, from the stack's pool. */
struct rte_mbuf *h_payload(struct h *h, const void *data, size_t len);
/** Open a socket recording into @p rx and bind it to @p addr:@p port (host order). */
struct stk_udp_sock *h_udp_open(struct h *h, struct h_udp_rx *rx, rte_be32_t addr,
				uint16_t port);
/** stk_udp_sendto() @p len bytes of @p data to @p dst:@p dport, then poll. @return its result. */
int h_udp_send(struct h *h, struct stk_udp_sock *s, rte_be32_t dst, uint16_t dport,
	       const void *data, size_t len);

/* ---- ARP cache ----------------------------------------------------------------- */

/** Look @p ip up in the instance's ARP cache. @return true and the entry in @p out if present. */
bool h_arp_find(const struct h *h, rte_be32_t ip, struct stk_arp_info *out);
/** @return the number of ARP cache entries. */
unsigned int h_arp_count(const struct h *h);

#endif /* PKT_HARNESS_H */
