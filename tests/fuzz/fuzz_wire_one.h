/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One input through every wire parser, with the invariants each result must
 * satisfy. Shared by the libFuzzer target (tests/fuzz/fuzz_wire.c) and the
 * deterministic smoke fuzzer (tests/unit/test_wire_fuzz.c).
 *
 * The input is parsed as it stands (each parser at offset 0) and layered
 * (Ethernet, then ARP or IPv4 on its payload, then ICMP, UDP and TCP on the
 * IPv4 payload). Every result is checked against an oracle computed from the raw
 * bytes, and every accepted header is emitted again and compared with the
 * input. Reads beyond the input are left to ASan: callers pass a buffer of
 * exactly @p len bytes.
 */
#ifndef FUZZ_WIRE_ONE_H
#define FUZZ_WIRE_ONE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "wire/wire.h"

/** Parsers, indexing struct fuzz_wire_stats. */
enum fuzz_parser { FUZZ_ETH, FUZZ_ARP, FUZZ_IPV4, FUZZ_ICMP, FUZZ_UDP, FUZZ_TCP, FUZZ__MAX };

/** How often each parser returned each drop reason (STK_DROP_NONE included). */
struct fuzz_wire_stats {
	uint64_t seen[FUZZ__MAX][STK_DROP__MAX];
};

static inline uint16_t
fuzz_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
fuzz_be32(const uint8_t *p)
{
	return (uint32_t)fuzz_be16(p) << 16 | fuzz_be16(p + 2);
}

static inline void
fuzz_count(struct fuzz_wire_stats *st, enum fuzz_parser p, enum stk_drop d)
{
	if (st != NULL && (unsigned int)d < STK_DROP__MAX)
		st->seen[p][d]++;
}

static inline const char *
fuzz_check_eth(const uint8_t *b, size_t len, struct fuzz_wire_stats *st)
{
	struct eth_repr r;
	enum stk_drop d = eth_parse(b, len, &r);
	uint8_t out[ETH_HDR_LEN];
	uint16_t type;

	fuzz_count(st, FUZZ_ETH, d);
	if (len < ETH_HDR_LEN)
		return d == STK_DROP_ETH_TRUNCATED ? NULL : "eth: short frame not ETH_TRUNCATED";
	type = fuzz_be16(b + 12);
	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ)
		return d == STK_DROP_ETH_VLAN ? NULL : "eth: tagged frame not ETH_VLAN";
	if (d != STK_DROP_NONE)
		return "eth: untagged frame not accepted";
	if (r.ethertype != type)
		return "eth: ethertype differs from the bytes";
	eth_emit(out, &r);
	return memcmp(out, b, ETH_HDR_LEN) == 0 ? NULL : "eth: emit differs from the input";
}

static inline const char *
fuzz_check_arp(const uint8_t *b, size_t len, struct fuzz_wire_stats *st)
{
	struct arp_repr r;
	enum stk_drop d = arp_parse(b, len, &r);
	uint8_t out[ARP_PKT_LEN];
	uint16_t op;

	fuzz_count(st, FUZZ_ARP, d);
	if (len < ARP_PKT_LEN)
		return d == STK_DROP_ARP_TRUNCATED ? NULL : "arp: short packet not ARP_TRUNCATED";
	if (fuzz_be16(b) != 1 || fuzz_be16(b + 2) != 0x0800 || b[4] != 6 || b[5] != 4)
		return d == STK_DROP_ARP_BAD_FORMAT ? NULL : "arp: bad format not ARP_BAD_FORMAT";
	op = fuzz_be16(b + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return d == STK_DROP_ARP_BAD_OP ? NULL : "arp: bad opcode not ARP_BAD_OP";
	if (d != STK_DROP_NONE)
		return "arp: well-formed packet not accepted";
	if (r.op != op)
		return "arp: op differs from the bytes";
	arp_emit(out, &r);
	return memcmp(out, b, ARP_PKT_LEN) == 0 ? NULL : "arp: emit differs from the input";
}

/*
 * Reference for ipv4_parse's verdict, written independently from the bytes:
 * the checks of wire.h in their documented order.
 */
static inline enum stk_drop
fuzz_ipv4_expect(const uint8_t *b, size_t len, bool verify)
{
	size_t hl, tot, i, payload, off;
	uint32_t sum = 0;

	if (len < 20)
		return STK_DROP_IPV4_TRUNCATED;
	if (b[0] >> 4 != 4)
		return STK_DROP_IPV4_BAD_VERSION;
	hl = (size_t)(b[0] & 0xf) * 4;
	if (hl < 20)
		return STK_DROP_IPV4_BAD_IHL;
	if (hl > len)
		return STK_DROP_IPV4_TRUNCATED;
	tot = fuzz_be16(b + 2);
	if (tot < hl)
		return STK_DROP_IPV4_BAD_LENGTH;
	if (tot > len)
		return STK_DROP_IPV4_TRUNCATED;
	for (i = 0; i < hl; i += 2)
		sum += fuzz_be16(b + i);
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	if (verify && sum != 0xffff)
		return STK_DROP_IPV4_BAD_CHECKSUM;
	for (i = 20; i < hl && b[i] != 0; i += b[i] == 1 ? 1 : b[i + 1])
		if (b[i] != 1 && (i + 1 >= hl || b[i + 1] < 2 || i + b[i + 1] > hl))
			return STK_DROP_IPV4_BAD_OPTION;
	if (b[8] == 0)
		return STK_DROP_IPV4_TTL_ZERO;
	payload = tot - hl;
	off = (size_t)(fuzz_be16(b + 6) & 0x1fff) * 8;
	if (off + payload > 65535 || ((b[6] & 0x20) && (payload == 0 || payload % 8 != 0)))
		return STK_DROP_IPV4_FRAG_BAD;
	return STK_DROP_NONE;
}

static inline bool
fuzz_ipv4_repr_eq(const struct ipv4_repr *a, const struct ipv4_repr *b)
{
	return a->hdr_len == b->hdr_len && a->tos == b->tos && a->total_len == b->total_len &&
	       a->id == b->id && a->frag_off == b->frag_off && a->df == b->df && a->mf == b->mf &&
	       a->ttl == b->ttl && a->proto == b->proto && a->src == b->src && a->dst == b->dst;
}

/* Invariants of an accepted IPv4 header, against its bytes. */
static inline const char *
fuzz_ipv4_consistent(const uint8_t *b, size_t len, const struct ipv4_repr *r)
{
	size_t payload;

	if (r->hdr_len < IPV4_HDR_LEN || r->hdr_len > 60 || r->hdr_len % 4 != 0)
		return "ipv4: hdr_len out of range";
	if (r->hdr_len != (b[0] & 0xf) * 4 || b[0] >> 4 != 4)
		return "ipv4: accepted a bad version or IHL";
	if (r->total_len < r->hdr_len || r->total_len > len || r->total_len != fuzz_be16(b + 2))
		return "ipv4: total_len inconsistent";
	if (r->ttl == 0 || r->ttl != b[8])
		return "ipv4: ttl inconsistent";
	payload = r->total_len - r->hdr_len;
	if (r->frag_off % 8 != 0 || r->frag_off + payload > 65535)
		return "ipv4: fragment offset inconsistent";
	if (r->mf && (payload == 0 || payload % 8 != 0))
		return "ipv4: MF with a bad payload length";
	if (r->frag_off != (fuzz_be16(b + 6) & 0x1fff) * 8 || r->df != !!(b[6] & 0x40) ||
	    r->mf != !!(b[6] & 0x20))
		return "ipv4: flags or offset differ from the bytes";
	if (r->tos != b[1] || r->id != fuzz_be16(b + 4) || r->proto != b[9] ||
	    memcmp(&r->src, b + 12, 4) != 0 || memcmp(&r->dst, b + 16, 4) != 0)
		return "ipv4: fields differ from the bytes";
	return NULL;
}

/*
 * Emit the accepted header @p r and compare it with its bytes; for a header
 * without options, also parse the datagram with the emitted header put back.
 */
static inline const char *
fuzz_ipv4_reemit(const uint8_t *b, const struct ipv4_repr *r)
{
	struct ipv4_repr r2;
	uint8_t out[IPV4_HDR_LEN];
	const char *err = NULL;
	uint8_t *d;

	ipv4_emit(out, r, true);
	if (out[0] != 0x45 || memcmp(out + 1, b + 1, 5) != 0 || out[6] != (b[6] & 0x7f) ||
	    memcmp(out + 7, b + 7, 3) != 0 || memcmp(out + 12, b + 12, 8) != 0)
		return "ipv4: emit differs from the input";
	if (rte_raw_cksum(out, IPV4_HDR_LEN) != 0xffff)
		return "ipv4: emitted checksum wrong";
	if (r->hdr_len != IPV4_HDR_LEN)
		return NULL;
	d = malloc(r->total_len);
	if (d == NULL)
		abort();
	memcpy(d, out, IPV4_HDR_LEN);
	memcpy(d + IPV4_HDR_LEN, b + IPV4_HDR_LEN, r->total_len - IPV4_HDR_LEN);
	if (ipv4_parse(d, r->total_len, true, &r2) != STK_DROP_NONE || !fuzz_ipv4_repr_eq(&r2, r))
		err = "ipv4: emitted header not parsed back to the same repr";
	free(d);
	return err;
}

static inline const char *
fuzz_check_icmp(const uint8_t *b, size_t len, struct fuzz_wire_stats *st)
{
	struct icmp_repr r;
	enum stk_drop d = icmp_parse(b, len, &r);
	uint8_t out[ICMP_HDR_LEN];
	uint16_t ck;

	fuzz_count(st, FUZZ_ICMP, d);
	if (len < ICMP_HDR_LEN)
		return d == STK_DROP_ICMP_TRUNCATED ? NULL : "icmp: short message not TRUNCATED";
	if (d != STK_DROP_NONE)
		return "icmp: message not accepted";
	if (r.cksum != fuzz_be16(b + 2))
		return "icmp: cksum differs from the bytes";
	memcpy(&ck, b + 2, sizeof(ck));
	icmp_emit(out, &r, ck);
	return memcmp(out, b, ICMP_HDR_LEN) == 0 ? NULL : "icmp: emit differs from the input";
}

static inline const char *
fuzz_check_udp(const uint8_t *b, size_t avail, uint16_t ip_pl, struct fuzz_wire_stats *st)
{
	struct udp_repr r;
	enum stk_drop d = udp_parse(b, avail, ip_pl, &r);
	uint8_t out[UDP_HDR_LEN];
	uint16_t ulen;

	fuzz_count(st, FUZZ_UDP, d);
	if (avail < UDP_HDR_LEN || ip_pl < UDP_HDR_LEN)
		return d == STK_DROP_UDP_TRUNCATED ? NULL : "udp: short datagram not UDP_TRUNCATED";
	ulen = fuzz_be16(b + 4);
	if (ulen < UDP_HDR_LEN || ulen > ip_pl)
		return d == STK_DROP_UDP_BAD_LENGTH ? NULL : "udp: bad length not UDP_BAD_LENGTH";
	if (d != STK_DROP_NONE)
		return "udp: well-formed datagram not accepted";
	if (r.len != ulen || r.len < UDP_HDR_LEN)
		return "udp: len inconsistent";
	udp_emit(out, &r);
	return memcmp(out, b, UDP_HDR_LEN) == 0 ? NULL : "udp: emit differs from the input";
}

/*
 * Reference for tcp_parse's verdict and options, written independently from
 * the bytes: the checks of wire.h in their documented order.
 */
static inline enum stk_drop
fuzz_tcp_expect(const uint8_t *b, size_t avail, uint16_t seg_len, struct tcp_opts *o)
{
	size_t hl, i, l, k;

	memset(o, 0, sizeof(*o));
	if (avail < 20 || seg_len < 20)
		return STK_DROP_TCP_TRUNCATED;
	hl = (size_t)(b[12] >> 4) * 4;
	if (hl < 20 || hl > seg_len)
		return STK_DROP_TCP_BAD_OFFSET;
	if (hl > avail)
		return STK_DROP_TCP_TRUNCATED;
	for (i = 20; i < hl && b[i] != 0; i += l) {
		l = 1;
		if (b[i] == 1)
			continue;
		if (i + 1 >= hl || b[i + 1] < 2 || i + b[i + 1] > hl)
			return STK_DROP_TCP_BAD_OPTION;
		l = b[i + 1];
		if ((b[i] == 2 && l != 4) || (b[i] == 3 && l != 3) || (b[i] == 4 && l != 2) ||
		    (b[i] == 8 && l != 10) ||
		    (b[i] == 5 && (l != 10 && l != 18 && l != 26 && l != 34)))
			return STK_DROP_TCP_BAD_OPTION;
		if (b[i] == 2) {
			o->has_mss = true;
			o->mss = fuzz_be16(b + i + 2);
		} else if (b[i] == 3) {
			o->has_wscale = true;
			o->wscale = b[i + 2];
		} else if (b[i] == 4) {
			o->sack_permitted = true;
		} else if (b[i] == 8) {
			o->has_ts = true;
			o->tsval = fuzz_be32(b + i + 2);
			o->tsecr = fuzz_be32(b + i + 6);
		} else if (b[i] == 5) {
			o->nb_sack = (uint8_t)(l / 8);
			for (k = 0; k < o->nb_sack; k++) {
				o->sack[k].left = fuzz_be32(b + i + 2 + 8 * k);
				o->sack[k].right = fuzz_be32(b + i + 6 + 8 * k);
			}
		} else {
			o->unknown++;
		}
	}
	return STK_DROP_NONE;
}

static inline bool
fuzz_tcp_opts_eq(const struct tcp_opts *a, const struct tcp_opts *b)
{
	unsigned int k;

	if (a->has_mss != b->has_mss || a->mss != b->mss || a->has_wscale != b->has_wscale ||
	    a->wscale != b->wscale || a->sack_permitted != b->sack_permitted ||
	    a->has_ts != b->has_ts || a->tsval != b->tsval || a->tsecr != b->tsecr ||
	    a->nb_sack != b->nb_sack || a->unknown != b->unknown || a->nb_sack > TCP_SACK_MAX)
		return false;
	for (k = 0; k < a->nb_sack; k++)
		if (a->sack[k].left != b->sack[k].left || a->sack[k].right != b->sack[k].right)
			return false;
	return true;
}

/*
 * Emit the accepted header @p r into a buffer of exactly the length
 * tcp_opts_len() gives, compare it with its bytes (all but the data offset
 * byte, as the options are laid out anew) and parse it back: the same repr,
 * without unknown options, SACK blocks cut to those that fit.
 */
static inline const char *
fuzz_tcp_reemit(const uint8_t *b, const struct tcp_repr *r)
{
	size_t olen = tcp_opts_len(&r->opts), fixed;
	struct tcp_repr back;
	struct tcp_opts want = r->opts;
	const char *err = NULL;
	uint8_t *out;

	if (olen % 4 != 0 || olen > TCP_OPTS_MAX_LEN)
		return "tcp: tcp_opts_len not a multiple of 4 up to 40";
	out = malloc(TCP_HDR_LEN + olen);
	if (out == NULL)
		abort();
	tcp_emit(out, r);
	fixed = (want.has_mss ? 4 : 0) + (want.has_ts ? 12 : want.sack_permitted ? 4 : 0) +
		(want.has_wscale ? 4 : 0);
	while (want.nb_sack > 0 && fixed + 4 + 8 * (size_t)want.nb_sack > TCP_OPTS_MAX_LEN)
		want.nb_sack--;
	want.unknown = 0;
	if (memcmp(out, b, 12) != 0 || memcmp(out + 13, b + 13, 7) != 0)
		err = "tcp: emit differs from the input";
	else if (out[12] != (TCP_HDR_LEN + olen) / 4 << 4)
		err = "tcp: emitted data offset wrong";
	else if (fixed + (want.nb_sack ? 4 + 8 * (size_t)want.nb_sack : 0) != olen)
		err = "tcp: tcp_opts_len differs from the layout rule";
	else if (tcp_parse(out, TCP_HDR_LEN + olen, (uint16_t)(TCP_HDR_LEN + olen), &back) !=
		 STK_DROP_NONE)
		err = "tcp: emitted header not accepted";
	else if (back.hdr_len != TCP_HDR_LEN + olen || !fuzz_tcp_opts_eq(&back.opts, &want) ||
		 back.seq != r->seq || back.ack != r->ack || back.flags != r->flags)
		err = "tcp: emitted header parsed to another repr";
	free(out);
	return err;
}

static inline const char *
fuzz_check_tcp(const uint8_t *b, size_t avail, uint16_t seg_len, struct fuzz_wire_stats *st)
{
	struct tcp_repr r;
	struct tcp_opts want;
	enum stk_drop d = tcp_parse(b, avail, seg_len, &r);

	fuzz_count(st, FUZZ_TCP, d);
	if (d != fuzz_tcp_expect(b, avail, seg_len, &want))
		return "tcp: verdict differs from the reference";
	if (d != STK_DROP_NONE)
		return NULL;
	if (r.hdr_len != (b[12] >> 4) * 4 || r.hdr_len > seg_len || r.hdr_len > avail)
		return "tcp: hdr_len inconsistent";
	if (r.sport != fuzz_be16(b) || r.dport != fuzz_be16(b + 2) || r.seq != fuzz_be32(b + 4) ||
	    r.ack != fuzz_be32(b + 8) || r.flags != b[13] || r.window != fuzz_be16(b + 14) ||
	    r.cksum != fuzz_be16(b + 16) || r.urg_ptr != fuzz_be16(b + 18))
		return "tcp: fields differ from the bytes";
	if (!fuzz_tcp_opts_eq(&r.opts, &want))
		return "tcp: options differ from the reference";
	return fuzz_tcp_reemit(b, &r);
}

/* IPv4 at @p b (both checksum modes), then ICMP, UDP and TCP on its payload. */
static inline const char *
fuzz_ip_chain(const uint8_t *b, size_t len, struct fuzz_wire_stats *st)
{
	struct ipv4_repr rv, rn;
	enum stk_drop dv = ipv4_parse(b, len, true, &rv);
	enum stk_drop dn = ipv4_parse(b, len, false, &rn);
	const uint8_t *l4;
	const char *err;
	uint16_t ip_pl;

	fuzz_count(st, FUZZ_IPV4, dv);
	if (dv != fuzz_ipv4_expect(b, len, true) || dn != fuzz_ipv4_expect(b, len, false))
		return "ipv4: verdict differs from the reference";
	if (dv == STK_DROP_NONE && !fuzz_ipv4_repr_eq(&rv, &rn))
		return "ipv4: repr depends on the checksum check";
	if (dn != STK_DROP_NONE)
		return NULL;
	err = fuzz_ipv4_consistent(b, len, &rn);
	if (err == NULL)
		err = fuzz_ipv4_reemit(b, &rn);
	if (err != NULL)
		return err;
	l4 = b + rn.hdr_len;
	ip_pl = (uint16_t)(rn.total_len - rn.hdr_len);
	err = fuzz_check_icmp(l4, ip_pl, st);
	if (err == NULL)
		err = fuzz_check_udp(l4, len - rn.hdr_len, ip_pl, st);
	if (err == NULL)
		err = fuzz_check_udp(l4, ip_pl, ip_pl, st);
	if (err == NULL)
		err = fuzz_check_tcp(l4, len - rn.hdr_len, ip_pl, st);
	if (err == NULL)
		err = fuzz_check_tcp(l4, ip_pl, ip_pl, st);
	return err;
}

/**
 * Run every parser on the @p len bytes at @p data and check the results.
 * @param st  outcome counts to add to, or NULL.
 * @return NULL if every invariant held, else a description of the first
 *         that did not.
 */
static inline const char *
fuzz_wire_one(const uint8_t *data, size_t len, struct fuzz_wire_stats *st)
{
	uint16_t ip_pl = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	const char *err;
	uint16_t type;

	/* Every parser on the input as it stands. */
	if ((err = fuzz_check_eth(data, len, st)) != NULL ||
	    (err = fuzz_check_arp(data, len, st)) != NULL ||
	    (err = fuzz_check_icmp(data, len, st)) != NULL ||
	    (err = fuzz_check_udp(data, len, ip_pl, st)) != NULL ||
	    (err = fuzz_check_udp(data, len, len ? data[0] : 0, st)) != NULL ||
	    (err = fuzz_check_tcp(data, len, ip_pl, st)) != NULL ||
	    (err = fuzz_check_tcp(data, len, len ? data[0] : 0, st)) != NULL ||
	    (err = fuzz_ip_chain(data, len, st)) != NULL)
		return err;
	if (len < ETH_HDR_LEN)
		return NULL;
	/* Layered, as the stack would. */
	type = fuzz_be16(data + 12);
	if (type == RTE_ETHER_TYPE_ARP)
		return fuzz_check_arp(data + ETH_HDR_LEN, len - ETH_HDR_LEN, st);
	if (type == RTE_ETHER_TYPE_IPV4)
		return fuzz_ip_chain(data + ETH_HDR_LEN, len - ETH_HDR_LEN, st);
	return NULL;
}

#endif /* FUZZ_WIRE_ONE_H */
