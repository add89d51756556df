/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segments for the pkt tier, built and parsed without the stack's wire
 * code: DPDK's rte_tcp_hdr layout, rte_ipv4_udptcp_cksum() for the checksum,
 * and an option walk of this file's own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "tcp_frames.h"

#define ETH_LEN ((size_t)sizeof(struct rte_ether_hdr))
#define IP_LEN ((size_t)sizeof(struct rte_ipv4_hdr))
#define TH_LEN ((size_t)sizeof(struct rte_tcp_hdr))
#define OPT_SPACE 40

/* Option kinds (IANA) and lengths. */
#define K_EOL 0
#define K_NOP 1
#define K_MSS 2
#define K_WS 3
#define K_SACK_OK 4
#define K_SACK 5
#define K_TS 8

static bool __rte_format_printf(3, 4)
fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Options in the order MSS, WS, SACK-permitted, TS, SACK (not the stack's
 * order, on purpose), NOP-padded to a multiple of 4. @return their length.
 */
static size_t
opts_write(uint8_t *b, const struct tf_opts *o)
{
	uint8_t *p = b;
	unsigned int i;

	if (o->mss_on) {
		*p++ = K_MSS;
		*p++ = 4;
		p = put16(p, o->mss);
	}
	if (o->ws_on) {
		*p++ = K_WS;
		*p++ = 3;
		*p++ = o->ws;
	}
	if (o->sack_ok) {
		*p++ = K_SACK_OK;
		*p++ = 2;
	}
	if (o->ts_on) {
		*p++ = K_TS;
		*p++ = 10;
		p = put32(p, o->tsval);
		p = put32(p, o->tsecr);
	}
	if (o->nb_sack > 0) {
		*p++ = K_SACK;
		*p++ = (uint8_t)(2 + 8 * o->nb_sack);
		for (i = 0; i < o->nb_sack; i++) {
			p = put32(p, o->sack[i][0]);
			p = put32(p, o->sack[i][1]);
		}
	}
	while ((p - b) % 4 != 0)
		*p++ = K_NOP;
	return (size_t)(p - b);
}

size_t
tf_build(uint8_t *buf, const struct tf_seg *s)
{
	uint8_t l4[TH_LEN + OPT_SPACE + H_FRAME_MAX];
	struct rte_tcp_hdr th = { 0 };
	struct rte_ipv4_hdr ph = { 0 };
	rte_be32_t src = s->src != 0 ? s->src : H_PEER_IP, dst = s->dst != 0 ? s->dst : H_OUR_IP;
	size_t olen = opts_write(l4 + TH_LEN, &s->o), l4len = TH_LEN + olen + s->len;
	struct h_ip ip;

	th.src_port = rte_cpu_to_be_16(s->sport);
	th.dst_port = rte_cpu_to_be_16(s->dport);
	th.sent_seq = rte_cpu_to_be_32(s->seq);
	th.recv_ack = rte_cpu_to_be_32(s->ack);
	th.data_off = (uint8_t)((TH_LEN + olen) / 4 << 4);
	th.tcp_flags = s->flags;
	th.rx_win = rte_cpu_to_be_16(s->win);
	memcpy(l4, &th, TH_LEN);
	if (s->len > 0)
		memcpy(l4 + TH_LEN + olen, s->data, s->len);
	ph.version_ihl = RTE_IPV4_VHL_DEF;
	ph.total_length = rte_cpu_to_be_16((uint16_t)(IP_LEN + l4len));
	ph.next_proto_id = IPPROTO_TCP;
	ph.src_addr = src;
	ph.dst_addr = dst;
	th.cksum = rte_ipv4_udptcp_cksum(&ph, l4);
	if (s->bad_cksum)
		th.cksum ^= 0x0101;
	memcpy(l4 + offsetof(struct rte_tcp_hdr, cksum), &th.cksum, sizeof(th.cksum));
	h_ip_init(&ip, IPPROTO_TCP, src, dst);
	return h_build_ipv4(buf, &ip, l4, l4len);
}

/* One option of kind @p k and length @p n at @p p (inside the header). */
static bool
opt_one(const uint8_t *p, uint8_t k, uint8_t n, struct tf_opts *o, char *why, size_t len)
{
	unsigned int i;

	switch (k) {
	case K_MSS:
		if (n != 4 || o->mss_on)
			return fail(why, len, "MSS option of length %u (or twice)", n);
		o->mss_on = true;
		o->mss = (uint16_t)(p[2] << 8 | p[3]);
		return true;
	case K_WS:
		if (n != 3 || o->ws_on)
			return fail(why, len, "WS option of length %u (or twice)", n);
		o->ws_on = true;
		o->ws = p[2];
		return true;
	case K_SACK_OK:
		if (n != 2 || o->sack_ok)
			return fail(why, len, "SACK-permitted of length %u (or twice)", n);
		o->sack_ok = true;
		return true;
	case K_TS:
		if (n != 10 || o->ts_on)
			return fail(why, len, "TS option of length %u (or twice)", n);
		o->ts_on = true;
		o->tsval = get32(p + 2);
		o->tsecr = get32(p + 6);
		return true;
	case K_SACK:
		if (n < 10 || (n - 2) % 8 != 0 || o->nb_sack != 0)
			return fail(why, len, "SACK option of length %u (or twice)", n);
		o->nb_sack = (uint8_t)((n - 2) / 8);
		for (i = 0; i < o->nb_sack; i++) {
			o->sack[i][0] = get32(p + 2 + 8 * i);
			o->sack[i][1] = get32(p + 6 + 8 * i);
		}
		return true;
	default:
		return fail(why, len, "option kind %u sent", k);
	}
}

static bool
opts_parse(const uint8_t *p, size_t n, struct tf_opts *o, char *why, size_t len)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < n) {
		if (p[i] == K_EOL) {
			for (; i < n; i++)
				if (p[i] != 0)
					return fail(why, len, "non-zero byte after EOL");
			return true;
		}
		if (p[i] == K_NOP) {
			i++;
			continue;
		}
		if (n - i < 2 || p[i + 1] < 2 || p[i + 1] > n - i)
			return fail(why, len, "option %u runs past the header", p[i]);
		if (!opt_one(p + i, p[i], p[i + 1], o, why, len))
			return false;
		i += p[i + 1];
	}
	return true;
}

bool
tf_parse(const struct h_frame *f, struct tf_seg *s, char *why, size_t len)
{
	struct h_ip_exp e = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_TCP };
	const uint8_t *l4 = f->b + ETH_LEN + IP_LEN;
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr th;
	size_t l4len, hlen;

	if (!h_chk_ipv4(f, &e, why, len))
		return false;
	l4len = f->len - ETH_LEN - IP_LEN;
	if (l4len < TH_LEN)
		return fail(why, len, "TCP segment of %zu bytes", l4len);
	memcpy(&ip, f->b + ETH_LEN, IP_LEN);
	memcpy(&th, l4, TH_LEN);
	hlen = (size_t)(th.data_off >> 4) * 4;
	if ((th.data_off & 0x0f) != 0 || hlen < TH_LEN || hlen > l4len)
		return fail(why, len, "data offset byte %02x in %zu bytes", th.data_off, l4len);
	if (rte_ipv4_udptcp_cksum_verify(&ip, l4) != 0)
		return fail(why, len, "bad TCP checksum %04x", rte_be_to_cpu_16(th.cksum));
	if (th.tcp_urp != 0)
		return fail(why, len, "urgent pointer %u", rte_be_to_cpu_16(th.tcp_urp));
	memset(s, 0, sizeof(*s));
	s->src = ip.src_addr;
	s->dst = ip.dst_addr;
	s->sport = rte_be_to_cpu_16(th.src_port);
	s->dport = rte_be_to_cpu_16(th.dst_port);
	s->seq = rte_be_to_cpu_32(th.sent_seq);
	s->ack = rte_be_to_cpu_32(th.recv_ack);
	s->flags = th.tcp_flags;
	s->win = rte_be_to_cpu_16(th.rx_win);
	s->data = l4 + hlen;
	s->len = (uint32_t)(l4len - hlen);
	return opts_parse(l4 + TH_LEN, hlen - TH_LEN, &s->o, why, len);
}

static bool
opts_match(const struct tf_opts *g, const struct tf_opts *w, char *why, size_t len)
{
	unsigned int i;

	if (g->mss_on != w->mss_on || (w->mss_on && g->mss != w->mss))
		return fail(why, len, "MSS %s%u, expected %s%u", g->mss_on ? "" : "none ", g->mss,
			    w->mss_on ? "" : "none ", w->mss);
	if (g->ws_on != w->ws_on || (w->ws_on && g->ws != w->ws))
		return fail(why, len, "WS %s%u, expected %s%u", g->ws_on ? "" : "none ", g->ws,
			    w->ws_on ? "" : "none ", w->ws);
	if (g->sack_ok != w->sack_ok)
		return fail(why, len, "SACK-permitted %d, expected %d", g->sack_ok, w->sack_ok);
	if (g->ts_on != w->ts_on)
		return fail(why, len, "timestamps %d, expected %d", g->ts_on, w->ts_on);
	if (w->ts_on && (g->tsecr != w->tsecr || (w->tsval != 0 && g->tsval != w->tsval)))
		return fail(why, len, "TSval %u TSecr %u, expected TSval %u TSecr %u", g->tsval,
			    g->tsecr, w->tsval, w->tsecr);
	if (g->nb_sack != w->nb_sack)
		return fail(why, len, "%u SACK blocks, expected %u", g->nb_sack, w->nb_sack);
	for (i = 0; i < w->nb_sack; i++)
		if (g->sack[i][0] != w->sack[i][0] || g->sack[i][1] != w->sack[i][1])
			return fail(why, len, "SACK block %u is %u-%u, expected %u-%u", i,
				    g->sack[i][0], g->sack[i][1], w->sack[i][0], w->sack[i][1]);
	return true;
}

bool
tf_match(const struct tf_seg *g, const struct tf_seg *w, char *why, size_t len)
{
	if (g->sport != w->sport || g->dport != w->dport)
		return fail(why, len, "ports %u -> %u, expected %u -> %u", g->sport, g->dport,
			    w->sport, w->dport);
	if ((g->flags | w->flags_any) != (w->flags | w->flags_any))
		return fail(why, len, "flags %02x, expected %02x", g->flags, w->flags);
	if (g->seq != w->seq)
		return fail(why, len, "seq %u, expected %u (%+d)", g->seq, w->seq,
			    (int32_t)(g->seq - w->seq));
	if (g->ack != ((w->flags & TF_ACK) ? w->ack : 0))
		return fail(why, len, "ack %u, expected %u (%+d)", g->ack, w->ack,
			    (int32_t)(g->ack - w->ack));
	if (g->win != w->win)
		return fail(why, len, "window %u, expected %u", g->win, w->win);
	if (!opts_match(&g->o, &w->o, why, len))
		return false;
	if (g->len != w->len)
		return fail(why, len, "%u payload bytes, expected %u", g->len, w->len);
	if (w->len > 0 && memcmp(g->data, w->data, w->len) != 0)
		return fail(why, len, "payload differs");
	return true;
}

bool
tf_chk(const struct h_frame *f, const void *arg, char *why, size_t len)
{
	struct tf_seg g;

	return tf_parse(f, &g, why, len) && tf_match(&g, arg, why, len);
}

void
tf_print(const char *title, const struct tf_seg *s)
{
	fprintf(stderr, "  %s: %u->%u seq %u ack %u flags %02x win %u len %u", title, s->sport,
		s->dport, s->seq, s->ack, s->flags, s->win, s->len);
	if (s->o.mss_on)
		fprintf(stderr, " mss %u", s->o.mss);
	if (s->o.ws_on)
		fprintf(stderr, " ws %u", s->o.ws);
	if (s->o.sack_ok)
		fprintf(stderr, " sackOK");
	if (s->o.ts_on)
		fprintf(stderr, " ts %u/%u", s->o.tsval, s->o.tsecr);
	if (s->o.nb_sack > 0)
		fprintf(stderr, " sack %u blocks", s->o.nb_sack);
	fputc('\n', stderr);
}

/* ---- a harness with another MTU ---- */

static void
tf_pools(struct h *h)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	seq++;
	snprintf(name, sizeof(name), "tfpkt%u", seq);
	h->mp = rte_pktmbuf_pool_create(name, 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	snprintf(name, sizeof(name), "tfind%u", seq);
	h->ind = rte_pktmbuf_pool_create(name, 4095, 0, 0, 0, (int)rte_socket_id());
}

struct h *
tf_create_mtu(const struct h_opts *o, uint16_t mtu)
{
	struct h *h = calloc(1, sizeof(*h));
	struct stk_port_conf pc;
	struct h_frame f;

	if (h == NULL)
		return NULL;
	tf_pools(h);
	h->dev = drv_memdev_create(&h_our_mac, 1, 1024);
	h->sh = h->mp != NULL && h->ind != NULL && h->dev != NULL ?
			stk_shared_create(&o->p, (int)rte_socket_id()) : NULL;
	CHECK(h->sh != NULL, "tf_create_mtu: set-up failed");
	if (h->sh == NULL)
		exit(1);
	drv_memdev_stk_conf(h->dev, &pc);
	pc.mtu = mtu;
	pc.addr = H_OUR_IP;
	pc.prefix_len = H_PREFIX_LEN;
	CHECK(stk_shared_add_port(h->sh, &pc) == 0, "stk_shared_add_port");
	CHECK(stk_shared_add_static_arp(h->sh, H_PEER_IP, &h_peer_mac) == 0, "static ARP");
	CHECK(stk_shared_freeze(h->sh) == 0, "stk_shared_freeze");
	h->in = stk_inst_create(h->sh, 0, 1, h->mp, h->ind, (int)rte_socket_id());
	if (h->in == NULL)
		exit(1);
	h->insts[0] = h->in;
	h->p = stk_shared_params(h->sh);
	stk_inst_link(h->insts, 1);
	h->now = H_T0;
	stk_inst_start(h->in, h->now);
	CHECK(h_take(h, &f) && f.len == 42, "no gratuitous ARP at start");
	h_mark(h);
	return h;
}
