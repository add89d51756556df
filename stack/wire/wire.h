/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * stack/wire: parse, validate and emit protocol headers.
 *
 * Pure functions over byte arrays: no state, no allocation, no logging, no
 * mbufs. A parse function checks everything that makes later reads safe and
 * returns STK_DROP_NONE or the drop reason; on success it fills a host-order
 * "repr" struct. An emit function writes exactly the bytes a repr describes.
 * Addresses stay in network order (rte_be32_t); ports, lengths and other
 * numeric fields are host order in the reprs.
 */
#ifndef STK_WIRE_H
#define STK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "stk_drop.h"

/* ---- Ethernet II ------------------------------------------------------- */

#define ETH_HDR_LEN 14

struct eth_repr {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	uint16_t ethertype; /**< host order */
};

/**
 * Parse an Ethernet II header from @p len bytes at @p buf.
 * @return STK_DROP_NONE, ETH_TRUNCATED (len < 14) or ETH_VLAN (0x8100/0x88a8).
 */
enum stk_drop eth_parse(const void *buf, size_t len, struct eth_repr *r);
/** Write the 14-byte header described by @p r at @p buf. */
void eth_emit(void *buf, const struct eth_repr *r);

/* ---- ARP (RFC 826), Ethernet/IPv4 only --------------------------------- */

#define ARP_PKT_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct arp_repr {
	uint16_t op;                /**< ARP_OP_REQUEST or ARP_OP_REPLY */
	struct rte_ether_addr sha;  /**< sender hardware address */
	rte_be32_t spa;             /**< sender protocol address */
	struct rte_ether_addr tha;  /**< target hardware address */
	rte_be32_t tpa;             /**< target protocol address */
};

/**
 * Parse an ARP packet (the Ethernet payload).
 * @return STK_DROP_NONE, ARP_TRUNCATED (len < 28), ARP_BAD_FORMAT (htype != 1,
 *         ptype != 0x0800, hlen != 6 or plen != 4) or ARP_BAD_OP.
 */
enum stk_drop arp_parse(const void *buf, size_t len, struct arp_repr *r);
/** Write the 28-byte packet described by @p r (htype 1, ptype 0x0800). */
void arp_emit(void *buf, const struct arp_repr *r);

/* ---- IPv4 (RFC 791) ------------------------------------------------------ */

#define IPV4_HDR_LEN 20
#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_TCP 6
#define IPV4_PROTO_UDP 17

struct ipv4_repr {
	uint8_t hdr_len;    /**< header length in bytes (20..60) */
	uint8_t tos;
	uint16_t total_len; /**< total length in bytes */
	uint16_t id;
	uint16_t frag_off;  /**< fragment offset in bytes */
	bool df;            /**< don't fragment */
	bool mf;            /**< more fragments */
	uint8_t ttl;
	uint8_t proto;
	rte_be32_t src;
	rte_be32_t dst;
};

/**
 * Parse and check an IPv4 header. @p len is the number of bytes available
 * from @p buf (the Ethernet payload; may include link padding beyond
 * total_len). If @p verify_cksum is false the checksum is not checked (the
 * device did it). Options are walked for well-formedness and skipped.
 * @return STK_DROP_NONE or, in this order of checks: IPV4_TRUNCATED
 *         (len < 20), IPV4_BAD_VERSION, IPV4_BAD_IHL (IHL < 5),
 *         IPV4_TRUNCATED (header longer than len), IPV4_BAD_LENGTH
 *         (total_len < header length), IPV4_TRUNCATED (total_len > len),
 *         IPV4_BAD_CHECKSUM, IPV4_BAD_OPTION, IPV4_TTL_ZERO, IPV4_FRAG_BAD
 *         (offset + payload > 65535, or MF set with a payload that is not a
 *         multiple of 8 or empty).
 */
enum stk_drop ipv4_parse(const void *buf, size_t len, bool verify_cksum, struct ipv4_repr *r);
/**
 * Write a 20-byte header (no options) described by @p r; hdr_len is ignored
 * and taken as 20. The checksum is computed if @p cksum is true, else 0.
 */
void ipv4_emit(void *buf, const struct ipv4_repr *r, bool cksum);
/**
 * Recompute the checksum of the IPv4 header at @p buf in place (its IHL
 * gives the length; options included). The header must have been parsed.
 */
void ipv4_set_cksum(void *buf);
/** @return true if @p r is a fragment (MF set or non-zero offset). */
static inline bool
ipv4_is_fragment(const struct ipv4_repr *r)
{
	return r->mf || r->frag_off != 0;
}

/* ---- ICMP (RFC 792) ------------------------------------------------------ */

#define ICMP_HDR_LEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_CODE_PORT_UNREACH 3
#define ICMP_CODE_FRAG_NEEDED 4

struct icmp_repr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;   /**< as on the wire (host order), for information */
	uint32_t rest;    /**< bytes 4..7, host order: echo id << 16 | seq; next-hop MTU in the low 16 bits for FRAG_NEEDED */
};

/** Parse the first 8 bytes of an ICMP message. @return STK_DROP_NONE or ICMP_TRUNCATED. */
enum stk_drop icmp_parse(const void *buf, size_t len, struct icmp_repr *r);
/** Write the 8-byte header of @p r with the checksum field set to @p cksum (network order as computed by ~rte_raw_cksum). */
void icmp_emit(void *buf, const struct icmp_repr *r, uint16_t cksum);

/** What an ICMP error quotes of the datagram that caused it (RFC 792: its IP header and 8 bytes more). */
struct icmp_quote {
	uint8_t proto;      /**< IP protocol of the quoted datagram */
	rte_be32_t src;     /**< its source (our address), network order */
	rte_be32_t dst;     /**< its destination, network order */
	uint16_t sport;     /**< bytes 0..1 of its L4 header, host order */
	uint16_t dport;     /**< bytes 2..3, host order */
	uint32_t seq;       /**< bytes 4..7, host order (TCP's sequence number) */
};

/**
 * Parse the datagram quoted after an ICMP error's 8-byte header: an IPv4
 * header (options allowed) and at least 8 bytes of its payload.
 * @return STK_DROP_NONE, or ICMP_TRUNCATED (too short, not IPv4, bad IHL).
 */
enum stk_drop icmp_quote_parse(const void *buf, size_t len, struct icmp_quote *q);

/* ---- UDP (RFC 768) ------------------------------------------------------- */

#define UDP_HDR_LEN 8

struct udp_repr {
	uint16_t sport;  /**< host order */
	uint16_t dport;  /**< host order */
	uint16_t len;    /**< UDP length (header + payload) */
	uint16_t cksum;  /**< as on the wire, host order; 0 = none */
};

/**
 * Parse a UDP header. @p avail bytes are readable at @p buf, @p ip_payload_len
 * is the IP payload length.
 * @return STK_DROP_NONE, UDP_TRUNCATED (avail or ip_payload_len < 8) or
 *         UDP_BAD_LENGTH (len < 8 or len > ip_payload_len).
 */
enum stk_drop udp_parse(const void *buf, size_t avail, uint16_t ip_payload_len,
			struct udp_repr *r);
/** Write the 8-byte header of @p r (checksum field as given in r->cksum, converted to network order). */
void udp_emit(void *buf, const struct udp_repr *r);

/* ---- TCP (RFC 9293; options of RFC 7323 and RFC 2018) ------------------- */

#define TCP_HDR_LEN 20      /**< header without options (data offset 5) */
#define TCP_HDR_MAX_LEN 60  /**< header with the most options (data offset 15) */
#define TCP_OPTS_MAX_LEN 40 /**< option space: TCP_HDR_MAX_LEN - TCP_HDR_LEN */
#define TCP_SACK_MAX 4      /**< SACK blocks one option can carry (2 + 4 * 8 = 34 bytes) */

/* Control bits, as in byte 13 of the header (struct tcp_repr flags). */
#define TCP_FIN 0x01 /**< no more data from sender */
#define TCP_SYN 0x02 /**< synchronize sequence numbers */
#define TCP_RST 0x04 /**< reset the connection */
#define TCP_PSH 0x08 /**< push */
#define TCP_ACK 0x10 /**< acknowledgment field significant */
#define TCP_URG 0x20 /**< urgent pointer field significant */
#define TCP_ECE 0x40 /**< ECN-Echo (RFC 3168) */
#define TCP_CWR 0x80 /**< congestion window reduced (RFC 3168) */

/** One SACK block (RFC 2018): the sequence numbers [left, right) were received. */
struct tcp_sack_block {
	uint32_t left;  /**< first sequence number of the block */
	uint32_t right; /**< sequence number just past the block */
};

/**
 * TCP options, host order. Parse fills every field (absent options read as
 * 0/false; entries of @c sack past @c nb_sack mean nothing). Emit writes the
 * options whose has_ / sack_permitted / nb_sack fields say so and ignores
 * @c unknown.
 */
struct tcp_opts {
	uint16_t mss;          /**< MSS option (kind 2) value; 0 when absent */
	bool has_mss;          /**< an MSS option is present */
	uint8_t wscale;        /**< window scale (kind 3) shift as sent; not clamped to 14 here */
	bool has_wscale;       /**< a window scale option is present */
	bool sack_permitted;   /**< a SACK-permitted option (kind 4) is present */
	bool has_ts;           /**< a timestamps option (kind 8) is present */
	uint32_t tsval;        /**< TSval; 0 when absent */
	uint32_t tsecr;        /**< TSecr; 0 when absent */
	uint8_t nb_sack;       /**< SACK blocks (kind 5) in @c sack, 0..TCP_SACK_MAX */
	uint8_t unknown;       /**< options of other kinds skipped by parse; ignored by emit */
	struct tcp_sack_block sack[TCP_SACK_MAX]; /**< blocks in wire order (first: most recent) */
};

/** A TCP header, host order. */
struct tcp_repr {
	uint16_t sport;     /**< source port */
	uint16_t dport;     /**< destination port */
	uint32_t seq;       /**< sequence number */
	uint32_t ack;       /**< acknowledgment number (meaningful with TCP_ACK) */
	uint8_t hdr_len;    /**< header length in bytes (20..60); set by parse, ignored by emit */
	uint8_t flags;      /**< TCP_FIN ... TCP_CWR, byte 13 as on the wire */
	uint16_t window;    /**< window field as on the wire (not scaled) */
	uint16_t urg_ptr;   /**< urgent pointer */
	uint16_t cksum;     /**< checksum field as on the wire, host order */
	struct tcp_opts opts; /**< options */
};

/**
 * Parse a TCP header and its options. The checksum, which covers a
 * pseudo-header and the payload, is checked by the caller; flag combinations
 * are judged by the TCP engine, not here. The four bits between the data
 * offset and the flags (reserved, and the NS/AE bit) are ignored.
 *
 * Options: EOL (kind 0) ends the list (bytes after it are not looked at);
 * NOP (kind 1) is one byte; every other option has a length byte (counting
 * the kind and length bytes) that must be present, at least 2 and not run
 * past the header. MSS must have length 4, window scale 3, SACK-permitted 2,
 * timestamps 10, SACK 2 + 8 * n with 1 <= n <= 4. Options of any other kind
 * with a valid length are skipped and counted in opts.unknown. When a kind
 * appears twice, the later one wins.
 *
 * @param buf      the TCP header.
 * @param avail    bytes readable at @p buf; the whole header (options
 *                 included) must lie inside them, the payload need not.
 * @param seg_len  TCP segment length (header + payload) from the IP header.
 * @param r        filled on success; untouched on failure.
 * @return STK_DROP_NONE or, in this order of checks: TCP_TRUNCATED (avail or
 *         seg_len < 20), TCP_BAD_OFFSET (data offset < 5, or header longer
 *         than seg_len), TCP_TRUNCATED (header longer than avail),
 *         TCP_BAD_OPTION (an option malformed as above).
 */
enum stk_drop tcp_parse(const void *buf, size_t avail, uint16_t seg_len, struct tcp_repr *r);

/**
 * Bytes of options tcp_emit() writes for @p o: a multiple of 4, at most
 * TCP_OPTS_MAX_LEN. The layout, Linux's, in this order, each part present
 * only when its field says so (emit does not look at the flags: the engine
 * sets MSS, window scale and SACK-permitted on SYNs only):
 *
 *   MSS                  02 04 mm mm
 *   SACK-permitted + TS  04 02 08 0a <tsval:4> <tsecr:4>
 *   TS alone             01 01 08 0a <tsval:4> <tsecr:4>
 *   SACK-permitted alone 01 01 04 02
 *   window scale         01 03 03 ws
 *   SACK blocks          01 01 05 <2+8n> <left:4 right:4> * n
 *
 * so a Linux SYN reads 02 04 05 b4 04 02 08 0a <tsval> <tsecr> 01 03 03 07,
 * and an ACK with timestamps and SACK 01 01 08 0a <tsval> <tsecr> 01 01 05 ...
 *
 * SACK blocks go last and take what the others leave of the 40 bytes:
 * opts.sack[0], sack[1], ... in order, as many as fit (n = min(nb_sack, 4,
 * (40 - others - 4) / 8)); no SACK option if fewer than 12 bytes are left.
 * So 4 blocks fit alone, 3 with timestamps, 2 with every SYN option.
 *
 * @return the option length in bytes (0..40).
 */
size_t tcp_opts_len(const struct tcp_opts *o);

/**
 * Write the header described by @p r, with the options laid out as
 * tcp_opts_len() describes, at @p buf (TCP_HDR_LEN + tcp_opts_len(&r->opts)
 * bytes). The data offset comes from the option length (r->hdr_len is
 * ignored), the reserved bits are 0, the checksum field is r->cksum
 * converted to network order.
 */
void tcp_emit(void *buf, const struct tcp_repr *r);

#endif /* STK_WIRE_H */
