/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builders and checkers of the pkt harness. They use DPDK's header
 * layouts and checksum helpers (rte_raw_cksum, rte_ipv4_udptcp_cksum), never
 * the stack's wire code, so that a bug there cannot hide itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "harness.h"

#define ETH_LEN ((size_t)sizeof(struct rte_ether_hdr))
#define IP_LEN ((size_t)sizeof(struct rte_ipv4_hdr))
#define MTU 1500

static bool __rte_format_printf(3, 4)
fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

static const char *
ip_str(rte_be32_t a, char *buf)
{
	uint32_t h = rte_be_to_cpu_32(a);

	sprintf(buf, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
	return buf;
}

static void
eth_write(uint8_t *buf, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	  uint16_t type)
{
	struct rte_ether_hdr e = { .dst_addr = *dst, .src_addr = *src,
				   .ether_type = rte_cpu_to_be_16(type) };

	memcpy(buf, &e, sizeof(e));
}

/* ---- builders ---- */

void
h_arp_init(struct h_arp *a, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
	   rte_be32_t tpa)
{
	memset(a, 0, sizeof(*a));
	a->eth_dst = op == RTE_ARP_OP_REQUEST ? h_bcast_mac : h_our_mac;
	a->eth_src = *sha;
	a->htype = RTE_ARP_HRD_ETHER;
	a->ptype = RTE_ETHER_TYPE_IPV4;
	a->hlen = RTE_ETHER_ADDR_LEN;
	a->plen = 4;
	a->op = op;
	a->sha = *sha;
	a->spa = spa;
	a->tha = op == RTE_ARP_OP_REQUEST ? h_zero_mac : h_our_mac;
	a->tpa = tpa;
}

size_t
h_build_arp(uint8_t *buf, const struct h_arp *a)
{
	struct rte_arp_hdr h = {
		.arp_hardware = rte_cpu_to_be_16(a->htype),
		.arp_protocol = rte_cpu_to_be_16(a->ptype),
		.arp_hlen = a->hlen,
		.arp_plen = a->plen,
		.arp_opcode = rte_cpu_to_be_16(a->op),
		.arp_data = { .arp_sha = a->sha, .arp_sip = a->spa, .arp_tha = a->tha,
			      .arp_tip = a->tpa },
	};

	eth_write(buf, &a->eth_dst, &a->eth_src, RTE_ETHER_TYPE_ARP);
	memcpy(buf + ETH_LEN, &h, sizeof(h));
	return ETH_LEN + sizeof(h);
}

void
h_ip_init(struct h_ip *ip, uint8_t proto, rte_be32_t src, rte_be32_t dst)
{
	memset(ip, 0, sizeof(*ip));
	ip->eth_dst = h_our_mac;
	ip->eth_src = h_peer_mac;
	ip->version = 4;
	ip->id = 0x1234;
	ip->ttl = 64;
	ip->proto = proto;
	ip->src = src;
	ip->dst = dst;
}

size_t
h_build_ipv4(uint8_t *buf, const struct h_ip *ip, const void *l4, size_t l4len)
{
	uint8_t ihl = ip->ihl != 0 ? ip->ihl : (uint8_t)(5 + ip->opt_len / 4);
	size_t hlen = IP_LEN + ip->opt_len;
	struct rte_ipv4_hdr h = {
		.version_ihl = (uint8_t)(ip->version << 4 | (ihl & 0xf)),
		.type_of_service = ip->tos,
		.total_length = rte_cpu_to_be_16(ip->total_len != 0 ? ip->total_len
								   : (uint16_t)(hlen + l4len)),
		.packet_id = rte_cpu_to_be_16(ip->id),
		.fragment_offset = rte_cpu_to_be_16(ip->frag),
		.time_to_live = ip->ttl,
		.next_proto_id = ip->proto,
		.src_addr = ip->src,
		.dst_addr = ip->dst,
	};
	uint8_t *l3 = buf + ETH_LEN;
	uint16_t ck;

	eth_write(buf, &ip->eth_dst, &ip->eth_src, RTE_ETHER_TYPE_IPV4);
	memcpy(l3, &h, sizeof(h));
	if (ip->opt_len > 0)
		memcpy(l3 + IP_LEN, ip->opt, ip->opt_len);
	/* Sum what the header says it covers when that is inside what we wrote. */
	ck = (uint16_t)~rte_raw_cksum(l3, RTE_MIN((size_t)ihl * 4, hlen));
	if (ip->bad_cksum)
		ck ^= 0x5a5a;
	memcpy(l3 + offsetof(struct rte_ipv4_hdr, hdr_checksum), &ck, sizeof(ck));
	if (l4len > 0)
		memcpy(l3 + hlen, l4, l4len);
	return ETH_LEN + hlen + l4len;
}

size_t
h_build_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint16_t id, uint16_t seq,
	     const void *data, size_t len)
{
	struct rte_icmp_hdr h = {
		.icmp_type = type,
		.icmp_code = code,
		.icmp_ident = rte_cpu_to_be_16(id),
		.icmp_seq_nb = rte_cpu_to_be_16(seq),
	};

	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), data, len);
	h.icmp_cksum = (uint16_t)~rte_raw_cksum(buf, sizeof(h) + len);
	memcpy(buf + offsetof(struct rte_icmp_hdr, icmp_cksum), &h.icmp_cksum,
	       sizeof(h.icmp_cksum));
	return sizeof(h) + len;
}

/* A pseudo IPv4 header for rte_ipv4_udptcp_cksum() over @p l4len bytes. */
static void
pseudo_ip(struct rte_ipv4_hdr *ph, rte_be32_t src, rte_be32_t dst, uint8_t proto, size_t l4len)
{
	memset(ph, 0, sizeof(*ph));
	ph->version_ihl = RTE_IPV4_VHL_DEF;
	ph->total_length = rte_cpu_to_be_16((uint16_t)(IP_LEN + l4len));
	ph->next_proto_id = proto;
	ph->src_addr = src;
	ph->dst_addr = dst;
}

size_t
h_build_udp(uint8_t *buf, rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport,
	    const void *data, size_t len)
{
	struct rte_udp_hdr u = {
		.src_port = rte_cpu_to_be_16(sport),
		.dst_port = rte_cpu_to_be_16(dport),
		.dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(u) + len)),
	};
	struct rte_ipv4_hdr ph;

	memcpy(buf, &u, sizeof(u));
	if (len > 0)
		memcpy(buf + sizeof(u), data, len);
	pseudo_ip(&ph, src, dst, IPPROTO_UDP, sizeof(u) + len);
	u.dgram_cksum = rte_ipv4_udptcp_cksum(&ph, buf);
	memcpy(buf + offsetof(struct rte_udp_hdr, dgram_cksum), &u.dgram_cksum,
	       sizeof(u.dgram_cksum));
	return sizeof(u) + len;
}

void
h_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

size_t
h_build_frag(uint8_t *buf, const struct h_ip *ip, const uint8_t *l4, size_t l4len, size_t off,
	     size_t len)
{
	struct h_ip f = *ip;

	f.frag = (uint16_t)((ip->frag & RTE_IPV4_HDR_DF_FLAG) | (off / 8));
	if (off + len < l4len)
		f.frag |= RTE_IPV4_HDR_MF_FLAG;
	f.total_len = 0;
	return h_build_ipv4(buf, &f, l4 + off, len);
}

unsigned int
h_inject_frags(struct h *h, const struct h_ip *ip, const uint8_t *l4, size_t l4len,
	       size_t frag_len, const unsigned int *order, unsigned int n)
{
	unsigned int total = (unsigned int)((l4len + frag_len - 1) / frag_len), i;
	uint8_t *buf = malloc(H_FRAME_MAX);

	for (i = 0; i < n; i++) {
		unsigned int k = order != NULL ? order[i] : i;
		size_t off = (size_t)k * frag_len;
		size_t flen;

		if (k >= total) {
			CHECK(false, "fragment index %u of %u", k, total);
			continue;
		}
		flen = h_build_frag(buf, ip, l4, l4len, off, RTE_MIN(frag_len, l4len - off));
		h_inject_only(h, buf, flen);
	}
	free(buf);
	h_poll(h);
	return total;
}

void
h_send_echo(struct h *h, rte_be32_t dst, uint16_t id, uint16_t seq, const void *data,
	    size_t len)
{
	uint8_t *icmp = malloc(H_L4_MAX), *frame = malloc(H_FRAME_MAX);
	struct h_ip ip;
	size_t n;

	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, dst);
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, id, seq, data, len);
	h_inject(h, frame, h_build_ipv4(frame, &ip, icmp, n));
	free(icmp);
	free(frame);
}

void
h_send_udp(struct h *h, rte_be32_t dst, uint16_t sport, uint16_t dport, const void *data,
	   size_t len)
{
	uint8_t *udp = malloc(H_L4_MAX), *frame = malloc(H_FRAME_MAX);
	struct h_ip ip;
	size_t n;

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, dst);
	n = h_build_udp(udp, H_PEER_IP, dst, sport, dport, data, len);
	h_inject(h, frame, h_build_ipv4(frame, &ip, udp, n));
	free(udp);
	free(frame);
}

/* ---- checkers ---- */

bool
h_chk_arp(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	uint8_t want[64];
	size_t n = h_build_arp(want, arg);
	size_t i;

	if (f->len != n)
		return fail(why, len, "ARP frame of %u bytes, expected %zu", f->len, n);
	for (i = 0; i < n; i++)
		if (f->b[i] != want[i])
			return fail(why, len, "ARP frame byte %zu is %02x, expected %02x", i,
				    f->b[i], want[i]);
	return true;
}

/* Ethernet and IPv4 header checks common to every IPv4 frame from us. */
static bool
chk_ipv4_hdr(const struct h_frame *f, const struct h_ip_exp *e, struct rte_ipv4_hdr *ip,
	     char *why, size_t len)
{
	struct rte_ether_hdr eth;
	char a[16], b[16];

	if (f->len < ETH_LEN + IP_LEN)
		return fail(why, len, "frame of %u bytes is too short for IPv4", f->len);
	memcpy(&eth, f->b, sizeof(eth));
	memcpy(ip, f->b + ETH_LEN, sizeof(*ip));
	if (!rte_is_same_ether_addr(&eth.dst_addr, &e->eth_dst) ||
	    !rte_is_same_ether_addr(&eth.src_addr, &h_our_mac))
		return fail(why, len, "wrong Ethernet addresses");
	if (eth.ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return fail(why, len, "EtherType %04x", rte_be_to_cpu_16(eth.ether_type));
	if (ip->version_ihl != RTE_IPV4_VHL_DEF)
		return fail(why, len, "version/IHL %02x", ip->version_ihl);
	if (rte_raw_cksum(ip, IP_LEN) != 0xffff)
		return fail(why, len, "bad IPv4 header checksum");
	if (rte_be_to_cpu_16(ip->total_length) != f->len - ETH_LEN)
		return fail(why, len, "IP total length %u in a frame of %u",
			    rte_be_to_cpu_16(ip->total_length), f->len);
	if (ip->time_to_live != (e->ttl != 0 ? e->ttl : 64))
		return fail(why, len, "TTL %u", ip->time_to_live);
	if (ip->src_addr != (e->src != 0 ? e->src : H_OUR_IP) || ip->dst_addr != e->dst)
		return fail(why, len, "addresses %s -> %s", ip_str(ip->src_addr, a),
			    ip_str(ip->dst_addr, b));
	if (ip->next_proto_id != e->proto)
		return fail(why, len, "protocol %u, expected %u", ip->next_proto_id, e->proto);
	return true;
}

bool
h_chk_ipv4(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	struct rte_ipv4_hdr ip;

	if (!chk_ipv4_hdr(f, arg, &ip, why, len))
		return false;
	if ((rte_be_to_cpu_16(ip.fragment_offset) &
	     (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return fail(why, len, "unexpected fragment (%04x)",
			    rte_be_to_cpu_16(ip.fragment_offset));
	return true;
}

bool
h_chk_echo_reply(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	const struct h_echo_exp *e = arg;
	const uint8_t *l4 = f->b + ETH_LEN + IP_LEN;
	struct rte_icmp_hdr ic;
	size_t l4len;

	if (!h_chk_ipv4(f, &e->ip, why, len))
		return false;
	l4len = f->len - ETH_LEN - IP_LEN;
	if (l4len != sizeof(ic) + e->len)
		return fail(why, len, "ICMP length %zu, expected %zu", l4len, sizeof(ic) + e->len);
	memcpy(&ic, l4, sizeof(ic));
	if (ic.icmp_type != RTE_IP_ICMP_ECHO_REPLY || ic.icmp_code != 0)
		return fail(why, len, "ICMP type %u code %u", ic.icmp_type, ic.icmp_code);
	if (rte_raw_cksum(l4, l4len) != 0xffff)
		return fail(why, len, "bad ICMP checksum");
	if (rte_be_to_cpu_16(ic.icmp_ident) != e->id || rte_be_to_cpu_16(ic.icmp_seq_nb) != e->seq)
		return fail(why, len, "id/seq %u/%u", rte_be_to_cpu_16(ic.icmp_ident),
			    rte_be_to_cpu_16(ic.icmp_seq_nb));
	if (e->len > 0 && memcmp(l4 + sizeof(ic), e->data, e->len) != 0)
		return fail(why, len, "echo data differs");
	return true;
}

bool
h_chk_udp(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	const struct h_udp_exp *e = arg;
	const uint8_t *l3 = f->b + ETH_LEN;
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr u;

	if (!h_chk_ipv4(f, &e->ip, why, len))
		return false;
	memcpy(&ip, l3, sizeof(ip));
	if (f->len - ETH_LEN - IP_LEN != sizeof(u) + e->len)
		return fail(why, len, "UDP of %zu bytes, expected %zu",
			    (size_t)(f->len - ETH_LEN - IP_LEN), sizeof(u) + e->len);
	memcpy(&u, l3 + IP_LEN, sizeof(u));
	if (rte_be_to_cpu_16(u.dgram_len) != sizeof(u) + e->len)
		return fail(why, len, "UDP length field %u", rte_be_to_cpu_16(u.dgram_len));
	if (u.dgram_cksum == 0 || rte_ipv4_udptcp_cksum_verify(&ip, l3 + IP_LEN) != 0)
		return fail(why, len, "bad UDP checksum %04x", rte_be_to_cpu_16(u.dgram_cksum));
	if ((e->sport != 0 && rte_be_to_cpu_16(u.src_port) != e->sport) ||
	    rte_be_to_cpu_16(u.dst_port) != e->dport)
		return fail(why, len, "ports %u -> %u", rte_be_to_cpu_16(u.src_port),
			    rte_be_to_cpu_16(u.dst_port));
	if (e->len > 0 && memcmp(l3 + IP_LEN + sizeof(u), e->data, e->len) != 0)
		return fail(why, len, "UDP payload differs");
	return true;
}

bool
h_chk_unreach(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	const struct h_unreach_exp *e = arg;
	const uint8_t *l4 = f->b + ETH_LEN + IP_LEN;
	struct rte_icmp_hdr ic;
	size_t l4len;

	if (!h_chk_ipv4(f, &e->ip, why, len))
		return false;
	l4len = f->len - ETH_LEN - IP_LEN;
	if (l4len != sizeof(ic) + e->quote_len)
		return fail(why, len, "ICMP of %zu bytes, expected %zu (quote %zu)", l4len,
			    sizeof(ic) + e->quote_len, e->quote_len);
	memcpy(&ic, l4, sizeof(ic));
	if (ic.icmp_type != H_ICMP_DEST_UNREACH || ic.icmp_code != e->code)
		return fail(why, len, "ICMP type %u code %u", ic.icmp_type, ic.icmp_code);
	if (rte_raw_cksum(l4, l4len) != 0xffff)
		return fail(why, len, "bad ICMP checksum");
	if (ic.icmp_ident != 0 || ic.icmp_seq_nb != 0)
		return fail(why, len, "unused word not zero");
	if (memcmp(l4 + sizeof(ic), e->quote, e->quote_len) != 0)
		return fail(why, len, "quoted datagram differs");
	return true;
}

/* Check one fragment of the datagram being collected; append its data. */
static bool
frag_one(const struct h_frame *f, const struct h_ip_exp *e, struct rte_ipv4_hdr *first,
	 uint8_t *l4, size_t max, size_t *have, bool *last, char *why, size_t len)
{
	struct rte_ipv4_hdr ip;
	uint16_t fo;
	size_t off, plen;

	if (!chk_ipv4_hdr(f, e, &ip, why, len))
		return false;
	if (f->len > ETH_LEN + MTU)
		return fail(why, len, "fragment frame of %u bytes exceeds the MTU", f->len);
	fo = rte_be_to_cpu_16(ip.fragment_offset);
	off = (size_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
	plen = f->len - ETH_LEN - IP_LEN;
	if (*have == 0)
		*first = ip;
	else if (ip.packet_id != first->packet_id)
		return fail(why, len, "fragment id %04x, expected %04x",
			    rte_be_to_cpu_16(ip.packet_id), rte_be_to_cpu_16(first->packet_id));
	if (fo & RTE_IPV4_HDR_DF_FLAG)
		return fail(why, len, "DF set on a fragment");
	if (off != *have)
		return fail(why, len, "fragment offset %zu, expected %zu", off, *have);
	*last = (fo & RTE_IPV4_HDR_MF_FLAG) == 0;
	if (!*last && (plen % 8 != 0 || plen == 0))
		return fail(why, len, "MF fragment with %zu payload bytes", plen);
	if (off + plen > max)
		return fail(why, len, "reassembled datagram too long");
	memcpy(l4 + off, f->b + ETH_LEN + IP_LEN, plen);
	*have = off + plen;
	return true;
}

unsigned int
h_expect_frags_at(struct h *h, const struct h_ip_exp *exp, uint8_t *l4, size_t max,
		  size_t *l4len, const char *file, int line)
{
	struct h_frame *f = malloc(sizeof(*f));
	struct rte_ipv4_hdr first = { 0 };
	unsigned int n = 0;
	bool last = false, ok = true;
	char why[256] = "";

	*l4len = 0;
	while (!last && ok) {
		if (!h_take(h, f)) {
			CHECK(false, "%s:%d: fragment %u missing", file, line, n + 1);
			ok = false;
			break;
		}
		n++;
		ok = frag_one(f, exp, &first, l4, max, l4len, &last, why, sizeof(why));
		CHECK(ok, "%s:%d: fragment %u: %s", file, line, n, why);
		if (!ok)
			h_hexdump("fragment", f->b, f->len);
	}
	free(f);
	return ok ? n : 0;
}
