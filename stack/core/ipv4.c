/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791, RFC 1122 section 3): input checks and demux, routing, output. */
#include <rte_ip.h>

#include "stk_priv.h"
#include "tcp_priv.h"
#include "wire/wire_cksum.h"

bool
ipv4_is_broadcast(const struct stk_shared *sh, uint16_t port, rte_be32_t dst)
{
	const struct stk_port_conf *pc = &sh->ports[port];
	uint32_t host = rte_be_to_cpu_32(dst), mask;

	if (host == 0xffffffffu)
		return true;
	if (pc->addr == 0 || pc->prefix_len >= 31)
		return false;
	mask = ~0u << (32 - pc->prefix_len);
	return (host & mask) == (rte_be_to_cpu_32(pc->addr) & mask) && (host | mask) == 0xffffffffu;
}

/* RFC 1122 3.2.1.3: sources a host must not accept. */
static bool
ipv4_src_martian(const struct stk_shared *sh, uint16_t port, rte_be32_t src)
{
	uint32_t host = rte_be_to_cpu_32(src);

	return host == 0 || (host >> 24) == 127 || (host >> 28) >= 0xe ||
	       ipv4_is_broadcast(sh, port, src) || eth_addr_is_ours(sh, src);
}

static enum stk_drop
ipv4_check(struct stk_inst *in, uint16_t port, struct rte_mbuf *m, struct ipv4_repr *ip,
	   bool *bcast)
{
	const struct stk_port_conf *pc = &in->sh->ports[port];
	uint64_t cs = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	uint8_t tmp[60];
	const void *hdr;
	enum stk_drop why;

	if ((pc->caps & STK_CAP_RX_IPV4_CKSUM) && cs == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return STK_DROP_IPV4_BAD_CHECKSUM;
	/* Transports trust the device's L4 verdict only where the port has the offload. */
	if (!(pc->caps & STK_CAP_RX_L4_CKSUM))
		m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
	hdr = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(tmp)), tmp);
	if (hdr == NULL)
		return STK_DROP_IPV4_TRUNCATED;
	/* ipv4_parse() reads at most the header (<= 60 bytes, all in @hdr);
	 * the packet length only bounds total_len. */
	why = ipv4_parse(hdr, m->pkt_len,
			 !((pc->caps & STK_CAP_RX_IPV4_CKSUM) && cs == RTE_MBUF_F_RX_IP_CKSUM_GOOD),
			 ip);
	if (why != STK_DROP_NONE)
		return why;
	*bcast = ipv4_is_broadcast(in->sh, port, ip->dst);
	if (!*bcast && !eth_addr_is_ours(in->sh, ip->dst))
		return STK_DROP_IPV4_NOT_FOR_US;
	if (ipv4_src_martian(in->sh, port, ip->src))
		return STK_DROP_IPV4_BAD_SRC;
	return STK_DROP_NONE;
}

static void
ipv4_deliver(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast)
{
	rte_pktmbuf_adj(m, ip->hdr_len);
	switch (ip->proto) {
	case IPV4_PROTO_ICMP:
		icmp_input(in, m, ip, bcast);
		break;
	case IPV4_PROTO_UDP:
		udp_input(in, m, ip, bcast);
		break;
	case IPV4_PROTO_TCP:
		tcp_input(in, m, ip, bcast);
		break;
	default:
		STK_DROP(in, IPV4_UNKNOWN_PROTO);
		rte_pktmbuf_free(m);
		break;
	}
}

void
ipv4_input(struct stk_inst *in, uint16_t port, struct rte_mbuf *m)
{
	struct ipv4_repr ip;
	enum stk_drop why;
	bool bcast = false;

	STK_COUNT(in, IPV4_RX);
	why = ipv4_check(in, port, m, &ip, &bcast);
	if (why != STK_DROP_NONE) {
		in->stats.drop[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* Drop link-layer padding beyond the datagram. */
	stk_mbuf_trim_to(m, ip.total_len);
	if (ipv4_is_fragment(&ip)) {
		STK_COUNT(in, IPV4_FRAGS_RX);
		m->l2_len = 0;
		m->l3_len = ip.hdr_len;
		m = frag_reassemble(in, m);
		if (m == NULL)
			return;
		STK_COUNT(in, IPV4_REASSEMBLED);
		/* The library rewrote length, offset and zeroed the checksum. */
		/* The header is in the first segment; the length spans the chain. */
		if (rte_pktmbuf_data_len(m) < IPV4_HDR_LEN ||
		    ipv4_parse(rte_pktmbuf_mtod(m, const void *), m->pkt_len, false, &ip) !=
			    STK_DROP_NONE || m->pkt_len != ip.total_len ||
		    rte_pktmbuf_data_len(m) < ip.hdr_len) {
			STK_DROP(in, IPV4_FRAG_BAD);
			rte_pktmbuf_free(m);
			return;
		}
		/* The library zeroed it; ICMP errors quote this header. */
		ipv4_set_cksum(rte_pktmbuf_mtod(m, void *));
	}
	ipv4_deliver(in, m, &ip, bcast);
}

int
ipv4_route(const struct stk_shared *sh, rte_be32_t dst, uint16_t *port, rte_be32_t *nh)
{
	uint32_t id;

	if (rte_lpm_lookup(sh->lpm, rte_be_to_cpu_32(dst), &id) != 0) {
		if (sh->default_nh < 0)
			return STK_ENOROUTE;
		id = (uint32_t)sh->default_nh;
	}
	*port = sh->nexthops[id].port;
	*nh = sh->nexthops[id].gateway != 0 ? sh->nexthops[id].gateway : dst;
	return 0;
}

/* Pseudo-header sum (RFC 768 / RFC 9293) plus the L4 bytes, folded; 0xffff means valid. */
uint16_t
ipv4_l4_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len, rte_be32_t src,
	      rte_be32_t dst, uint8_t proto)
{
	struct {
		rte_be32_t src, dst;
		uint8_t zero, proto;
		rte_be16_t len;
	} __rte_packed ph = { src, dst, 0, proto, rte_cpu_to_be_16((uint16_t)len) };
	uint32_t sum;

	if (off + len > m->pkt_len)
		return 0;
	sum = (uint32_t)rte_raw_cksum(&ph, sizeof(ph)) + stk_cksum_mbuf(m, off, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Fill the L4 checksum in software, or leave it to the device. */
static void
ipv4_l4_cksum_out(struct stk_inst *in, struct rte_mbuf *m, const struct stk_port_conf *pc,
		  const struct ipv4_repr *ip, bool offload)
{
	int off = l4_cksum_offset(ip->proto);
	uint32_t l4len = ip->total_len - IPV4_HDR_LEN;
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, IPV4_HDR_LEN);
	uint16_t c;

	if (off < 0)
		return;
	if (ip->proto == IPV4_PROTO_ICMP) {
		return; /* ICMP has no pseudo-header; icmp.c fills it. */
	}
	if (offload && ((ip->proto == IPV4_PROTO_UDP && (pc->caps & STK_CAP_TX_UDP_CKSUM)) ||
			(ip->proto == IPV4_PROTO_TCP && (pc->caps & STK_CAP_TX_TCP_CKSUM)))) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		m->ol_flags |= ip->proto == IPV4_PROTO_UDP ? RTE_MBUF_F_TX_UDP_CKSUM
							   : RTE_MBUF_F_TX_TCP_CKSUM;
		l4_cksum_store(l4, off, rte_ipv4_phdr_cksum(h, m->ol_flags));
		return;
	}
	l4_cksum_store(l4, off, 0);
	c = (uint16_t)~ipv4_l4_cksum(m, IPV4_HDR_LEN, l4len, ip->src, ip->dst, ip->proto);
	if (c == 0 && ip->proto == IPV4_PROTO_UDP)
		c = 0xffff; /* RFC 768: zero means "no checksum" */
	l4_cksum_store(l4, off, c);
	(void)in;
}

int
ipv4_output(struct stk_inst *in, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
	    uint8_t proto)
{
	const struct stk_port_conf *pc;
	struct ipv4_repr ip = { .hdr_len = IPV4_HDR_LEN, .ttl = in->sh->p.ip_ttl, .proto = proto,
				.dst = dst };
	uint16_t port;
	rte_be32_t nh;
	void *hdr;
	bool fits;

	if (ipv4_route(in->sh, dst, &port, &nh) != 0) {
		STK_DROP(in, IPV4_NO_ROUTE);
		rte_pktmbuf_free(m);
		return STK_ENOROUTE;
	}
	pc = &in->sh->ports[port];
	ip.src = src != 0 ? src : pc->addr;
	if (m->pkt_len + IPV4_HDR_LEN > UINT16_MAX) {
		rte_pktmbuf_free(m);
		return STK_EMSGSIZE;
	}
	ip.total_len = (uint16_t)(m->pkt_len + IPV4_HDR_LEN);
	/* Instances interleave IDs so that no two lcores reuse one. */
	ip.id = (uint16_t)(in->stats.cnt[STK_CNT_IPV4_TX] * in->count + in->idx);
	fits = ip.total_len <= pc->mtu;
	hdr = rte_pktmbuf_prepend(m, IPV4_HDR_LEN);
	if (hdr == NULL) {
		STK_DROP(in, NO_MBUF);
		rte_pktmbuf_free(m);
		return STK_ENOMEM;
	}
	stk_mbuf_reset_offload(m);
	m->l3_len = IPV4_HDR_LEN;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	ipv4_emit(hdr, &ip, true);
	ipv4_l4_cksum_out(in, m, pc, &ip, fits && m->nb_segs == 1);
	STK_COUNT(in, IPV4_TX);
	if (!fits) {
		frag_output(in, port, nh, m, pc->mtu);
		return 0;
	}
	if ((m->ol_flags & (RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM)) == 0)
		m->ol_flags &= ~RTE_MBUF_F_TX_IPV4;
	m->l2_len = ETH_HDR_LEN;
	ipv4_send_link(in, port, nh, m);
	return 0;
}

/* Hand a finished datagram to the link: broadcast, or to the next hop's MAC via ARP. */
void
ipv4_send_link(struct stk_inst *in, uint16_t port, rte_be32_t nh, struct rte_mbuf *m)
{
	if (ipv4_is_broadcast(in->sh, port, nh))
		eth_output(in, port, &stk_ether_bcast, RTE_ETHER_TYPE_IPV4, m);
	else
		arp_resolve_output(in, port, nh, m);
}
