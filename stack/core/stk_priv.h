/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Private structures of the stack core. Included only by the files in stack/core
 * (and white-box tests).
 */
#ifndef STK_PRIV_H
#define STK_PRIV_H

#include <rte_hash.h>
#include <rte_ip_frag.h>
#include <rte_lpm.h>
#include <rte_ring.h>
#include <rte_seqlock.h>

#include "stk.h"
#include "timer.h"
#include "wire/wire.h"

struct tcp_ctx;

#define STK_MAX_PORTS 8
#define STK_MAX_ROUTES 64
#define STK_MAX_STATIC_ARP 64
#define STK_TX_BATCH 64
#define STK_MAX_BURST 512
/** Headroom the stack needs in front of a payload: Ethernet + IPv4 + L4. */
#define STK_HDR_ROOM (ETH_HDR_LEN + IPV4_HDR_LEN + 60)
/** Period of the housekeeping scan (ARP retries/aging, reassembly expiry). */
#define STK_HOUSEKEEPING_NS (50 * STK_NS_PER_MS)

#define STK_DROP(in, reason) ((in)->stats.drop[STK_DROP_##reason]++)
#define STK_COUNT(in, name) ((in)->stats.cnt[STK_CNT_##name]++)
#define STK_COUNT_N(in, name, n) ((in)->stats.cnt[STK_CNT_##name] += (n))

/** A route before it goes into the LPM. */
struct stk_route {
	rte_be32_t prefix;
	uint8_t len;
	rte_be32_t gateway;
	uint16_t port;
};

/** Where a route sends a packet: LPM next-hop ids index this table. */
struct stk_nexthop {
	rte_be32_t gateway; /**< 0: destination is on-link */
	uint16_t port;
};

struct stk_shared {
	struct stk_params p;
	int socket_id;
	bool frozen;
	uint16_t nb_ports;
	struct stk_port_conf ports[STK_MAX_PORTS];
	unsigned int nb_routes;
	struct stk_route routes[STK_MAX_ROUTES];
	unsigned int nb_static_arp;
	rte_be32_t static_arp_ip[STK_MAX_STATIC_ARP];
	struct rte_ether_addr static_arp_mac[STK_MAX_STATIC_ARP];
	struct rte_lpm *lpm;          /**< prefixes of length 1..32 */
	int default_nh;               /**< next hop of 0.0.0.0/0 (rte_lpm has no depth 0), -1: none */
	unsigned int nb_nexthops;
	struct stk_nexthop nexthops[STK_MAX_ROUTES + 2 * STK_MAX_PORTS];
};

/* ---- ARP cache ---- */

enum arp_state {
	ARP_FREE = 0,
	ARP_INCOMPLETE,
	ARP_REACHABLE,
	ARP_STATIC,
};

struct arp_entry {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint16_t port;
	uint8_t state;       /**< enum arp_state */
	uint8_t tries;       /**< requests sent while incomplete */
	stk_time_t expires;  /**< reachable: age-out time; incomplete: next retry */
};

/** A packet waiting for its next hop to resolve. */
struct arp_pending {
	struct rte_mbuf *m;  /**< NULL: slot free */
	rte_be32_t nh;
	uint16_t port;
};

struct arp_cache {
	struct rte_hash *index;       /**< ip -> entry slot */
	struct arp_entry *entries;    /**< arp_cache_size slots */
	uint32_t size;
	uint32_t used;
	rte_seqlock_t lock;           /**< readers: telemetry; writer: the lcore */
	struct arp_pending *pending;  /**< arp_queue_len slots */
	uint32_t pending_len;
	uint32_t pending_used;
};

/* ---- UDP ---- */

struct stk_udp_sock {
	struct stk_inst *in;
	const struct stk_udp_upcalls *up;
	void *arg;
	rte_be32_t laddr;
	rte_be16_t lport;    /**< 0: not bound */
	bool open;
	uint32_t next_free;  /**< free-list link */
};

struct udp_table {
	struct rte_hash *index;       /**< (laddr, lport) -> socket slot */
	struct stk_udp_sock *socks;
	uint32_t size;
	uint32_t free_head;           /**< UINT32_MAX: none */
	uint16_t next_ephemeral;      /**< host order */
};

/* ---- requests ---- */

struct stk_req {
	void (*run)(struct stk_inst *in, const struct stk_req *r);
	stk_req_fn fn;
	void *arg;
	union {
		struct {
			rte_be32_t ip;
			struct rte_ether_addr mac;
			uint16_t port;
		} arp;
		uint64_t raw[2];
	} u;
};

struct tx_batch {
	uint16_t n;
	struct rte_mbuf *pkts[STK_TX_BATCH];
};

struct stk_inst {
	struct stk_shared *sh;
	unsigned int idx;
	unsigned int count;
	int socket_id;
	struct rte_mempool *mp;
	struct rte_mempool *indirect_mp;
	struct rte_ring *req;
	struct stk_inst **siblings;   /**< all instances, set by stk_inst_link() */
	stk_time_t now;
	stk_time_t next_housekeeping;
	/* ICMP error token bucket */
	uint32_t icmp_tokens;
	stk_time_t icmp_refill;
	struct tx_batch tx[STK_MAX_PORTS];
	struct arp_cache arp;
	struct rte_ip_frag_tbl *frag;
	struct rte_ip_frag_death_row dr;
	struct udp_table udp;
	struct tcp_ctx *tcp;
	uint64_t pool_checked;        /**< poll of the last pool-pressure check */
	bool pool_low;                /**< the packet pool is nearly exhausted */
	struct stk_wheel wheel;       /**< per-instance timers (TCP) */
	struct stk_stats stats;
};

/* eth.c */
extern const struct rte_ether_addr stk_ether_bcast;
extern const struct rte_ether_addr stk_ether_zero;
void eth_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m);
void eth_output(struct stk_inst *in, uint16_t port, const struct rte_ether_addr *dst,
		uint16_t ethertype, struct rte_mbuf *m);
void eth_tx_flush(struct stk_inst *in);
bool eth_addr_is_ours(const struct stk_shared *sh, rte_be32_t ip);

/* arp.c */
int arp_init(struct stk_inst *in);
void arp_fini(struct stk_inst *in);
void arp_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m);
void arp_resolve_output(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m);
void arp_announce(struct stk_inst *in, uint16_t port);
void arp_housekeeping(struct stk_inst *in);
void arp_learn_remote(struct stk_inst *in, const struct stk_req *r);

/* ipv4.c */
void ipv4_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m);
int ipv4_output(struct stk_inst *in, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		uint8_t proto);
void ipv4_send_link(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m);
int ipv4_route(const struct stk_shared *sh, rte_be32_t dst, uint16_t *port, rte_be32_t *nh);
bool ipv4_is_broadcast(const struct stk_shared *sh, uint16_t port, rte_be32_t dst);
uint16_t ipv4_l4_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len, rte_be32_t src,
		       rte_be32_t dst, uint8_t proto);

/* ipv4_frag.c */
int frag_init(struct stk_inst *in);
void frag_fini(struct stk_inst *in);
struct rte_mbuf *frag_reassemble(struct stk_inst *in, struct rte_mbuf *m);
void frag_housekeeping(struct stk_inst *in);
void frag_output(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m,
		 uint16_t mtu);

/* icmp.c */
void icmp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast);
void icmp_send_unreach(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip,
		       uint8_t code);

/* udp.c */
int udp_init(struct stk_inst *in);
void udp_fini(struct stk_inst *in);
void udp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast);

/* mbuf.c */
/**
 * Make the first @p len bytes of @p m (all of it if shorter) contiguous in a
 * first segment the stack may write. @return the (possibly new) head, or
 * NULL with @p m freed and NO_MBUF counted.
 */
struct rte_mbuf *stk_mbuf_pullup(struct stk_inst *in, struct rte_mbuf *m, uint32_t len);
/**
 * One's-complement sum of @p len bytes of chain @p m from @p off, folded to
 * 16 bits, in memory order like rte_raw_cksum() (DPDK 22.11's
 * rte_raw_cksum_mbuf() loses carries when a segment ends on an odd byte).
 */
uint16_t stk_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len);
/** Shorten chain @p m to @p len bytes (no-op if not longer), freeing segments past the end. */
void stk_mbuf_trim_to(struct rte_mbuf *m, uint32_t len);
/** Longest run of headers input needs in the first segment: Ethernet, IPv4 and L4 with options. */
#define STK_PULLUP_LEN (ETH_HDR_LEN + 60 + 60)

/** Create a per-instance object name that is unique in the process. */
void stk_obj_name(char *buf, size_t len, const char *what, const struct stk_inst *in);

static inline void
stk_mbuf_reset_offload(struct rte_mbuf *m)
{
	m->ol_flags &= (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
	m->l2_len = 0;
	m->l3_len = 0;
	m->l4_len = 0;
}

#endif /* STK_PRIV_H */
