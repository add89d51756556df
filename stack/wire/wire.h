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

#endif /* STK_WIRE_H */
