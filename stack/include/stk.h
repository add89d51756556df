/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack: the stack's public API.
 *
 * A stack is one read-only `struct stk_shared` (ports, routes, static ARP,
 * parameters; frozen before any lcore starts) and one `struct stk_inst` per
 * stack lcore. Every instance owns its own mutable state (ARP cache,
 * reassembly table, sockets, TX batches, counters); nothing mutable is shared
 * between lcores. ARP facts an instance learns are replicated to its
 * siblings by messages on their request rings.
 *
 * Functions taking a `struct stk_inst *` must be called on the thread that
 * owns the instance (the lcore running stk_inst_poll()), except
 * stk_inst_post() and stk_inst_stats(), which any thread may call.
 *
 * The stack never reads a clock: every entry point that needs the time takes
 * `now`, in nanoseconds, from the caller.
 */
#ifndef STK_H
#define STK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "stk_drop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Errors of the internal API; functions return 0 or a negative value. */
enum stk_err {
	STK_OK = 0,
	STK_EINVAL = -1,      /**< bad argument */
	STK_ENOMEM = -2,      /**< a pool or table is full */
	STK_EADDRINUSE = -3,  /**< address/port already bound */
	STK_ENOROUTE = -4,    /**< no route to destination */
	STK_EMSGSIZE = -5,    /**< datagram too large */
	STK_EAGAIN = -6,      /**< try again (ring full) */
	STK_ENOTCONN = -7,    /**< socket not bound/connected */
	STK_ENOENT = -8,      /**< no such entry */
	STK_ESTATE = -9,      /**< call not valid in this state */
	STK_EADDRNOTAVAIL = -10, /**< address is not local */
};

/** @return a short description of an stk_err value. */
const char *stk_strerror(int err);

/** Time in nanoseconds, supplied by the caller. */
typedef uint64_t stk_time_t;

#define STK_NS_PER_MS 1000000ULL
#define STK_NS_PER_S  1000000000ULL

/* ---------------------------------------------------------------------------
 * Network devices
 */

/** Capability bits a device reports; the stack uses software otherwise. */
#define STK_CAP_RX_IPV4_CKSUM (1u << 0) /**< RX IPv4 header checksum verified, ol_flags set */
#define STK_CAP_RX_L4_CKSUM   (1u << 1) /**< RX UDP/TCP checksum verified, ol_flags set */
#define STK_CAP_TX_IPV4_CKSUM (1u << 2) /**< TX IPv4 header checksum computed by the device */
#define STK_CAP_TX_UDP_CKSUM  (1u << 3) /**< TX UDP checksum computed by the device */
#define STK_CAP_TX_TCP_CKSUM  (1u << 4) /**< TX TCP checksum computed by the device */
#define STK_CAP_TX_TSO        (1u << 5) /**< TCP segmentation offload */
#define STK_CAP_TX_MULTISEG   (1u << 6) /**< TX accepts chained mbufs */

/**
 * A device as the stack sees it: bursts of mbufs on numbered queues.
 * Instance i of n uses queue i. Both callbacks run on the owning lcore.
 */
struct stk_netdev_ops {
	/** Receive up to @p n frames from queue @p q. @return frames stored in @p pkts. */
	uint16_t (*rx_burst)(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
	/**
	 * Send up to @p n frames on queue @p q. Frames accepted (the return
	 * value) belong to the device; the caller keeps and frees the rest.
	 */
	uint16_t (*tx_burst)(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
};

/** A port handed to stk_shared_add_port(). */
struct stk_port_conf {
	const struct stk_netdev_ops *ops; /**< device operations */
	void *dev;                        /**< device context passed to @p ops */
	uint16_t nb_queues;               /**< queues the device has (instances >= this poll none) */
	struct rte_ether_addr mac;        /**< the port's MAC address */
	uint16_t mtu;                     /**< IP MTU (bytes of IP datagram per frame) */
	uint32_t caps;                    /**< STK_CAP_* bits */
	rte_be32_t addr;                  /**< IPv4 address, network order (0: none) */
	uint8_t prefix_len;               /**< prefix length of the connected subnet */
	rte_be32_t gateway;               /**< default gateway through this port, 0 for none */
	char name[32];                    /**< name for logs and telemetry */
	/**
	 * Toeplitz RSS of a multi-queue port (reta_size 0: none or not
	 * predictable). Active opens pick local ports whose hash lands on the
	 * opening instance's queue; without it they pick ports equal to the
	 * instance index modulo the instance count, and segments that reach
	 * another instance are passed to the owner.
	 */
	uint8_t rss_key[52];              /**< hash key as the device uses it */
	uint8_t rss_key_len;              /**< key bytes (40 usually) */
	uint16_t reta_size;               /**< redirection table entries (0: no RSS) */
	uint16_t reta[512];               /**< queue of each table entry */
};

/* ---------------------------------------------------------------------------
 * Parameters
 */

/** Tunables; stk_params_default() fills the defaults documented in config/README.md. */
struct stk_params {
	stk_time_t arp_timeout;      /**< lifetime of a learned ARP entry */
	stk_time_t arp_retry;        /**< interval between ARP requests for one address */
	uint32_t arp_retries;        /**< requests sent before the waiting packets are dropped */
	uint32_t arp_cache_size;     /**< entries per instance (power of two not required) */
	uint32_t arp_queue_len;      /**< packets waiting for resolution, per instance */
	uint32_t frag_max_flows;     /**< datagrams being reassembled at once, per instance */
	stk_time_t frag_timeout;     /**< reassembly timeout */
	uint8_t ip_ttl;              /**< TTL of datagrams we originate */
	uint32_t icmp_rate;          /**< ICMP errors per second per instance (0: unlimited) */
	uint32_t udp_sockets;        /**< UDP sockets per instance */
	uint32_t req_ring_size;      /**< request ring entries per instance (power of two) */
	uint16_t burst;              /**< RX/TX burst size */
	/* TCP */
	uint32_t tcp_max_conns;      /**< connection blocks per instance (listeners included) */
	uint32_t tcp_max_sendops;    /**< sends in flight per instance (stk_tcp_send calls not completed) */
	stk_time_t tcp_msl;          /**< maximum segment lifetime; TIME_WAIT lasts 2*MSL */
	stk_time_t tcp_rto_min;      /**< lower bound of the retransmission timeout (RFC 6298: 1 s; 200 ms common) */
	stk_time_t tcp_rto_max;      /**< upper bound of the retransmission timeout */
	stk_time_t tcp_rto_init;     /**< RTO before the first RTT sample (RFC 6298: 1 s) */
	stk_time_t tcp_delack;       /**< delayed-ACK timer */
	uint32_t tcp_retries;        /**< retransmissions of data before the connection is dropped */
	uint32_t tcp_syn_retries;    /**< SYN retransmissions before connect fails */
	uint32_t tcp_rcvbuf;         /**< default receive space per connection, bytes */
	uint32_t tcp_sndbuf;         /**< default send space (ideal backlog cap), bytes */
	uint32_t tcp_reass_segs;     /**< out-of-order segments held per connection */
	stk_time_t tcp_keep_idle;    /**< keepalive idle time before the first probe */
	stk_time_t tcp_keep_intvl;   /**< interval between keepalive probes */
	uint32_t tcp_keep_cnt;       /**< unanswered probes before the connection is dropped */
	char tcp_cc[16];             /**< congestion control: "cubic" (default) or "newreno" */
	uint8_t tcp_wscale;          /**< window scale shift we offer (0..14), or STK_TCP_WSCALE_AUTO (default): the smallest that covers tcp_rcvbuf */
	bool tcp_wnd_reass;          /**< out-of-order data held for reassembly narrows the advertised window (default true; false: the window is the receive space less in-order data, as in BSD) */
	bool tcp_dsack;              /**< report duplicate segments in a D-SACK block (RFC 2883; default false) */
	bool tcp_rcv_wnd_space;      /**< segments are acceptable up to the receive space when it exceeds the window advertised (BSD's rcv_wnd; a 16-bit window field cannot offer more than 65535 bytes unscaled); default false: up to the window advertised, as Linux */
	bool tcp_icmp_abort_syn_sent; /**< an ICMP hard error (protocol or port unreachable, administratively prohibited) or time exceeded quoting our SYN aborts the connection attempt (RFC 1122 4.2.3.9, RFC 5461 4.1; default true; false: ICMP errors never abort, FreeBSD's net.inet.tcp.icmp_may_rst=0) */
	bool tcp_drop_synfin;        /**< drop a segment carrying both SYN and FIN to a listener or in SYN-SENT (default false: RFC 9293 3.10.7.2-3 handle the SYN; FreeBSD's net.inet.tcp.drop_synfin=1) */
	bool tcp_rfc5961_rst;        /**< a RST in the window but not at RCV.NXT draws a challenge ACK (RFC 5961 3.2; default true); false: any RST in the window resets the connection (RFC 793; FreeBSD's net.inet.tcp.insecure_rst=1) */
	bool tcp_rfc5961_syn;        /**< a SYN in a synchronized state draws a challenge ACK (RFC 5961 4.2; default true); false: a SYN in the window resets the connection and draws a RST (RFC 793 3.9; FreeBSD's net.inet.tcp.insecure_syn=1) */
};

/** stk_params.tcp_wscale: derive the shift from tcp_rcvbuf. */
#define STK_TCP_WSCALE_AUTO 0xff

/** Fill @p p with default values. */
void stk_params_default(struct stk_params *p);

/* ---------------------------------------------------------------------------
 * Shared, read-only after stk_shared_freeze()
 */

struct stk_shared;
struct stk_inst;

/**
 * Create the shared part of a stack.
 * @return the object, or NULL with rte_errno set (EINVAL for bad params, ENOMEM).
 */
struct stk_shared *stk_shared_create(const struct stk_params *p, int socket_id);

/**
 * Add a port.
 * @return the port index (>= 0), STK_EINVAL or STK_ENOMEM (too many ports).
 */
int stk_shared_add_port(struct stk_shared *sh, const struct stk_port_conf *pc);

/**
 * Add a route: @p prefix/@p len via @p gateway (0: directly connected) out of
 * port @p port. Connected subnets and the ports' gateways are added by
 * stk_shared_freeze() itself.
 * @return 0, STK_EINVAL or STK_ENOMEM.
 */
int stk_shared_add_route(struct stk_shared *sh, rte_be32_t prefix, uint8_t len,
			 rte_be32_t gateway, uint16_t port);

/** Add a static ARP entry (never ages). @return 0, STK_EINVAL or STK_ENOMEM. */
int stk_shared_add_static_arp(struct stk_shared *sh, rte_be32_t ip,
			      const struct rte_ether_addr *mac);

/** Build the routing table; no more changes after this. @return 0 or STK_ENOMEM. */
int stk_shared_freeze(struct stk_shared *sh);

/** Free the shared part. All instances must have been destroyed first. */
void stk_shared_free(struct stk_shared *sh);

/** @return number of ports. */
uint16_t stk_shared_nb_ports(const struct stk_shared *sh);
/** @return the configuration of port @p i, or NULL. */
const struct stk_port_conf *stk_shared_port(const struct stk_shared *sh, uint16_t i);
/** @return the parameters. */
const struct stk_params *stk_shared_params(const struct stk_shared *sh);

/* ---------------------------------------------------------------------------
 * Instances: one per stack lcore
 */

/**
 * Create instance @p idx of @p count. Packets are allocated from @p mp
 * (which must have a data room of at least RTE_MBUF_DEFAULT_BUF_SIZE);
 * @p indirect_mp holds indirect mbufs for fragmentation.
 * @return the instance, or NULL with rte_errno set.
 */
struct stk_inst *stk_inst_create(struct stk_shared *sh, unsigned int idx, unsigned int count,
				 struct rte_mempool *mp, struct rte_mempool *indirect_mp,
				 int socket_id);

/**
 * Link the instances so they can replicate ARP facts to each other. Called
 * once with all instances, before any of them is polled.
 */
void stk_inst_link(struct stk_inst **insts, unsigned int count);

/** Announce the instance's addresses (gratuitous ARP); call once on the owning lcore. */
void stk_inst_start(struct stk_inst *in, stk_time_t now);

/**
 * One poll-loop iteration, in the fixed order: RX burst and protocol input
 * (upcalls fire here), request ring, due timers, TX flush.
 * @return the number of frames, requests and timers handled (0: idle).
 */
unsigned int stk_inst_poll(struct stk_inst *in, stk_time_t now);

/**
 * Free the instance: queued packets, reassembly state, sockets. Sockets'
 * close upcalls do not run. Call on the owning thread after the last poll.
 */
void stk_inst_destroy(struct stk_inst *in);

/** Request run on the owning lcore: @p fn(in, arg). */
typedef void (*stk_req_fn)(struct stk_inst *in, void *arg);

/**
 * Queue @p fn(in, @p arg) to run on the instance's lcore during its next
 * poll. Any thread may call this (multi-producer ring).
 * @return 0, or STK_EAGAIN if the ring is full.
 */
int stk_inst_post(struct stk_inst *in, stk_req_fn fn, void *arg);

/** @return the instance's index. */
unsigned int stk_inst_index(const struct stk_inst *in);
/** @return the shared part. */
struct stk_shared *stk_inst_shared(struct stk_inst *in);
/** @return the packet mempool. */
struct rte_mempool *stk_inst_mempool(struct stk_inst *in);
/**
 * @return the instance's counters. Any thread may read them; values are
 * updated by the owning lcore without locks (each 64-bit word is atomic).
 */
const struct stk_stats *stk_inst_stats(const struct stk_inst *in);

/** One ARP cache entry as reported by stk_inst_arp_snapshot(). */
struct stk_arp_info {
	rte_be32_t ip;              /**< IPv4 address */
	struct rte_ether_addr mac;  /**< MAC (zero while incomplete) */
	uint16_t port;              /**< port it was learned on */
	uint8_t state;              /**< 0 incomplete, 1 reachable, 2 static */
	stk_time_t expires;         /**< when it ages out (0: never) */
};

/**
 * Copy up to @p max ARP entries into @p out. Any thread may call this; it
 * reads a consistent snapshot under the cache's seqlock.
 * @return the number of entries copied.
 */
unsigned int stk_inst_arp_snapshot(const struct stk_inst *in, struct stk_arp_info *out,
				   unsigned int max);

/** Allocate a packet with headroom for the stack's headers. @return mbuf or NULL. */
struct rte_mbuf *stk_pktmbuf_alloc(struct stk_inst *in);

/* ---------------------------------------------------------------------------
 * UDP: the internal socket seam (owning lcore only)
 */

struct stk_udp_sock;

/** Upcalls of a UDP socket; they run on the owning lcore inside stk_inst_poll(). */
struct stk_udp_upcalls {
	/**
	 * A datagram arrived. @p m holds the payload only (data offset at the
	 * first payload byte; may be a chain). The callee owns @p m and must
	 * free it or pass it on. @p src / @p sport are the sender (network
	 * order), @p dst the local address it was sent to.
	 */
	void (*recv)(void *arg, struct stk_udp_sock *s, struct rte_mbuf *m,
		     rte_be32_t src, rte_be16_t sport, rte_be32_t dst);
	/** ICMP port unreachable (or another ICMP error) for a datagram we sent. Optional. */
	void (*error)(void *arg, struct stk_udp_sock *s, int err, rte_be32_t dst, rte_be16_t dport);
};

/** Open a UDP socket on instance @p in. @return 0, STK_EINVAL or STK_ENOMEM. */
int stk_udp_open(struct stk_inst *in, const struct stk_udp_upcalls *up, void *arg,
		 struct stk_udp_sock **out);

/**
 * Bind to local @p addr (0: any of ours) and @p port (0: an ephemeral port),
 * both network order.
 * @return 0, STK_EADDRINUSE, STK_EADDRNOTAVAIL, STK_ESTATE (already bound) or STK_EINVAL.
 */
int stk_udp_bind(struct stk_udp_sock *s, rte_be32_t addr, rte_be16_t port);

/** Local address and port (network order) after bind. */
void stk_udp_local(const struct stk_udp_sock *s, rte_be32_t *addr, rte_be16_t *port);

/**
 * Send the payload in @p m to @p dst:@p dport. Ownership of @p m passes to
 * the stack in every case (it is freed on error). The socket is bound to an
 * ephemeral port first if it is not bound. Payloads larger than the MTU are
 * fragmented. @p m needs at least 64 bytes of headroom (stk_pktmbuf_alloc()
 * gives that) or the stack prepends a header segment.
 * @return 0 (queued, or waiting for ARP), STK_ENOROUTE, STK_EMSGSIZE, STK_ENOMEM.
 */
int stk_udp_sendto(struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t dst, rte_be16_t dport);

/** Close the socket; no upcall runs after this returns. */
void stk_udp_close(struct stk_udp_sock *s);

#ifdef __cplusplus
}
#endif

#endif /* STK_H */
