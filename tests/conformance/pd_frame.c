/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of the scripted remote host, built with DPDK's header layouts and
 * checksum helpers (never the stack's own wire code), and the parse of
 * what the stack sent back into the script's terms.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "pd.h"

static const struct rte_ether_addr pd_local_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr pd_remote_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

#define PD_ETH_LEN 14
#define PD_IP_LEN 20
#define PD_TCP_LEN 20

/* Write the options of @p p as listed; @return their length, padded with EOL to 4. */
static size_t
pd_opts_write(uint8_t *o, const struct pd_pkt *p)
{
	size_t n = 0;
	unsigned int i, j;

	if (p->opts_mode != PD_OPTS_LIST)
		return 0;
	for (i = 0; i < p->nopt; i++) {
		const struct pd_opt *x = &p->opt[i];

		switch (x->kind) {
		case 0:
		case 1:
			o[n++] = x->kind;
			break;
		case 2:
			o[n++] = 2, o[n++] = 4, o[n++] = (uint8_t)(x->a >> 8), o[n++] = (uint8_t)x->a;
			break;
		case 3:
			o[n++] = 3, o[n++] = 3, o[n++] = (uint8_t)x->a;
			break;
		case 4:
			o[n++] = 4, o[n++] = 2;
			break;
		case 5:
			o[n++] = 5, o[n++] = (uint8_t)(2 + 8 * x->nblk);
			for (j = 0; j < x->nblk; j++) {
				uint32_t l = rte_cpu_to_be_32(x->blk[j][0]);
				uint32_t r = rte_cpu_to_be_32(x->blk[j][1]);

				memcpy(o + n, &l, 4);
				memcpy(o + n + 4, &r, 4);
				n += 8;
			}
			break;
		case 8: {
			uint32_t v = rte_cpu_to_be_32(x->a), e = rte_cpu_to_be_32(x->b);

			o[n++] = 8, o[n++] = 10;
			memcpy(o + n, &v, 4);
			memcpy(o + n + 4, &e, 4);
			n += 8;
			break;
		}
		}
	}
	while (n % 4 != 0)
		o[n++] = 0;
	return n;
}

static struct rte_ipv4_hdr *
pd_ip_write(uint8_t *b, uint32_t src, uint32_t dst, uint8_t proto, uint8_t tos, size_t l4len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->type_of_service = tos;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(PD_IP_LEN + l4len));
	ip->packet_id = rte_cpu_to_be_16(0x4242);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

/* A TCP header (+ options + zero payload) at @p b. @return its length. */
static size_t
pd_tcp_write(uint8_t *b, const struct pd_pkt *p, uint16_t sport, uint16_t dport,
	     uint32_t payload_len)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)b;
	size_t olen = pd_opts_write(b + PD_TCP_LEN, p);

	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(p->seq);
	th->recv_ack = rte_cpu_to_be_32(p->has_ack ? p->ack : 0);
	th->data_off = (uint8_t)(((PD_TCP_LEN + olen) / 4) << 4);
	th->tcp_flags = p->flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)(p->has_win ? p->win : 0));
	th->tcp_urp = rte_cpu_to_be_16((uint16_t)(p->has_urg ? p->urg : 0));
	memset(b + PD_TCP_LEN + olen, 0, payload_len);
	return PD_TCP_LEN + olen + payload_len;
}

size_t
pd_frame_build(uint8_t *buf, size_t cap, const struct pd_pkt *p, uint16_t sport, uint16_t dport,
	       uint32_t payload_len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	uint8_t *l3 = buf + PD_ETH_LEN, *l4 = l3 + PD_IP_LEN;
	uint8_t tos = p->ecn == PD_ECN_ANY ? 0 : (uint8_t)p->ecn;
	struct rte_ipv4_hdr *ip;
	size_t l4len;

	if (cap < PD_ETH_LEN + PD_IP_LEN + 60 + payload_len + 64)
		return 0;
	eth->dst_addr = pd_local_mac;
	eth->src_addr = pd_remote_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	if (p->icmp) {
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)l4;
		uint8_t *q = l4 + sizeof(*ic);
		uint32_t seq = rte_cpu_to_be_32(p->seq);
		uint16_t ps = rte_cpu_to_be_16(dport), pdp = rte_cpu_to_be_16(sport);

		memset(ic, 0, sizeof(*ic));
		ic->icmp_type = p->icmp_type;
		ic->icmp_code = p->icmp_code;
		if (p->icmp_type == 3 && p->icmp_code == 4)
			ic->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)p->icmp_mtu);
		/* the quoted datagram: our segment to the remote host, its first 8 bytes */
		pd_ip_write(q, PD_LOCAL_IP, PD_REMOTE_IP, IPPROTO_TCP, 0, PD_TCP_LEN + p->len);
		memcpy(q + PD_IP_LEN, &ps, 2);
		memcpy(q + PD_IP_LEN + 2, &pdp, 2);
		memcpy(q + PD_IP_LEN + 4, &seq, 4);
		l4len = sizeof(*ic) + PD_IP_LEN + 8;
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4len);
		pd_ip_write(l3, PD_REMOTE_IP, PD_LOCAL_IP, IPPROTO_ICMP, tos, l4len);
	} else {
		l4len = pd_tcp_write(l4, p, sport, dport, payload_len);
		ip = pd_ip_write(l3, PD_REMOTE_IP, PD_LOCAL_IP, IPPROTO_TCP, tos, l4len);
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	}
	return PD_ETH_LEN + PD_IP_LEN + l4len;
}

/* A big-endian 32-bit value at any alignment. */
static uint32_t
pd_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Parse the option bytes of a segment into @p p's list. */
static int
pd_opts_read(const uint8_t *o, size_t len, struct pd_pkt *p, char *why, size_t wlen)
{
	size_t i = 0;

	p->opts_mode = PD_OPTS_LIST;
	while (i < len) {
		struct pd_opt *x;
		uint8_t kind = o[i], olen;
		unsigned int j;

		if (p->nopt == PD_OPT_MAX) {
			snprintf(why, wlen, "too many TCP options");
			return -1;
		}
		x = &p->opt[p->nopt++];
		memset(x, 0, sizeof(*x));
		x->kind = kind;
		if (kind <= 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len) {
			snprintf(why, wlen, "malformed TCP option %u", kind);
			return -1;
		}
		olen = o[i + 1];
		switch (kind) {
		case 2:
			x->a = (uint32_t)o[i + 2] << 8 | o[i + 3];
			break;
		case 3:
			x->a = o[i + 2];
			break;
		case 5:
			x->nblk = (uint8_t)((olen - 2) / 8);
			for (j = 0; j < x->nblk && j < 4; j++) {
				x->blk[j][0] = pd_get32(o + i + 2 + 8 * j);
				x->blk[j][1] = pd_get32(o + i + 6 + 8 * j);
			}
			break;
		case 8:
			x->a = pd_get32(o + i + 2);
			x->b = pd_get32(o + i + 6);
			break;
		}
		i += olen;
	}
	return 0;
}

int
pd_frame_parse(const uint8_t *f, size_t len, struct pd_pkt *p, char *why, size_t wlen)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)f;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + PD_ETH_LEN);
	const struct rte_tcp_hdr *th;
	size_t ihl, tlen, thl;

	memset(p, 0, sizeof(*p));
	if (len < PD_ETH_LEN + PD_IP_LEN ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		snprintf(why, wlen, "not an IPv4 frame (%zu bytes)", len);
		return -1;
	}
	ihl = (size_t)(ip->version_ihl & 0xf) * 4;
	tlen = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < PD_IP_LEN || tlen < ihl ||
	    PD_ETH_LEN + tlen > len) {
		snprintf(why, wlen, "malformed IPv4 header");
		return -1;
	}
	if (rte_ipv4_cksum(ip) != ip->hdr_checksum && rte_raw_cksum(ip, ihl) != 0xffff) {
		snprintf(why, wlen, "bad IPv4 header checksum");
		return -1;
	}
	p->ecn = ip->type_of_service & 3;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		const uint8_t *ic = (const uint8_t *)ip + ihl;

		p->icmp = true;
		p->icmp_type = ic[0];
		p->icmp_code = ic[1];
		return 0;
	}
	if (ip->next_proto_id != IPPROTO_TCP || tlen < ihl + PD_TCP_LEN) {
		snprintf(why, wlen, "IPv4 protocol %u, not TCP", ip->next_proto_id);
		return -1;
	}
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	thl = (size_t)(th->data_off >> 4) * 4;
	if (thl < PD_TCP_LEN || ihl + thl > tlen) {
		snprintf(why, wlen, "malformed TCP header");
		return -1;
	}
	if (rte_ipv4_udptcp_cksum_verify(ip, th) != 0) {
		snprintf(why, wlen, "bad TCP checksum");
		return -1;
	}
	p->sport = rte_be_to_cpu_16(th->src_port);
	p->dport = rte_be_to_cpu_16(th->dst_port);
	p->flags = th->tcp_flags;
	p->seq = rte_be_to_cpu_32(th->sent_seq);
	p->len = (uint32_t)(tlen - ihl - thl);
	p->end = p->seq + p->len;
	p->has_ack = (th->tcp_flags & PD_ACK) != 0;
	p->ack = rte_be_to_cpu_32(th->recv_ack);
	p->has_win = true;
	p->win = rte_be_to_cpu_16(th->rx_win);
	p->has_urg = th->tcp_urp != 0;
	p->urg = rte_be_to_cpu_16(th->tcp_urp);
	return pd_opts_read((const uint8_t *)th + PD_TCP_LEN, thl - PD_TCP_LEN, p, why, wlen);
}

static void
pd_opt_format(const struct pd_opt *x, char *b, size_t len)
{
	size_t n;
	unsigned int j;

	switch (x->kind) {
	case 0: snprintf(b, len, "eol"); break;
	case 1: snprintf(b, len, "nop"); break;
	case 2: snprintf(b, len, "mss %u", x->a); break;
	case 3: snprintf(b, len, "wscale %u", x->a); break;
	case 4: snprintf(b, len, "sackOK"); break;
	case 8: snprintf(b, len, "TS val %u ecr %u", x->a, x->b); break;
	case 5:
		n = (size_t)snprintf(b, len, "sack");
		for (j = 0; j < x->nblk && n < len; j++)
			n += (size_t)snprintf(b + n, len - n, " %u:%u", x->blk[j][0], x->blk[j][1]);
		break;
	default: snprintf(b, len, "kind %u", x->kind); break;
	}
}

static const char *const pd_icmp_type_names[] = {
	[3] = "unreachable", [4] = "source_quench", [5] = "redirect", [11] = "time_exceeded",
	[12] = "parameter_problem",
};

void
pd_pkt_format(const struct pd_pkt *p, bool outbound, char *buf, size_t len)
{
	static const char fl[] = "SFRP.UEW";
	static const uint8_t bits[] = {PD_SYN, PD_FIN, PD_RST, PD_PSH, PD_ACK, PD_URG, PD_ECE,
				       PD_CWR};
	static const char *ecn[] = {"[noecn]", "[ect1]", "[ect0]", "[ce]"};
	char flags[12] = "";
	size_t n, k = 0;
	unsigned int i;

	if (p->icmp) {
		const char *t = p->icmp_type < RTE_DIM(pd_icmp_type_names) &&
					pd_icmp_type_names[p->icmp_type] ?
				pd_icmp_type_names[p->icmp_type] : "type?";

		snprintf(buf, len, "%c icmp %s code %u [%u:%u(%u)]", outbound ? '>' : '<', t,
			 p->icmp_code, p->seq, p->end, p->len);
		return;
	}
	for (i = 0; i < 8; i++)
		if (p->flags & bits[i])
			flags[k++] = fl[i];
	n = (size_t)snprintf(buf, len, "%c%s %s %u:%u(%u)", outbound ? '>' : '<',
			     p->ecn >= 0 && p->ecn <= 3 ? ecn[p->ecn] : "", flags, p->seq, p->end,
			     p->len);
	if (p->has_ack && n < len)
		n += (size_t)snprintf(buf + n, len - n, " ack %u", p->ack);
	if (p->has_win && n < len)
		n += (size_t)snprintf(buf + n, len - n, " win %u", p->win);
	if (p->has_urg && n < len)
		n += (size_t)snprintf(buf + n, len - n, " urg %u", p->urg);
	if (p->opts_mode == PD_OPTS_ANY && n < len) {
		snprintf(buf + n, len - n, " <...>");
	} else if (p->opts_mode == PD_OPTS_LIST && p->nopt > 0 && n < len) {
		n += (size_t)snprintf(buf + n, len - n, " <");
		for (i = 0; i < p->nopt && n < len; i++) {
			char o[96];

			pd_opt_format(&p->opt[i], o, sizeof(o));
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "", o);
		}
		if (n < len)
			snprintf(buf + n, len - n, ">");
	}
}
