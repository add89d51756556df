/* SPDX-License-Identifier: BSD-3-Clause */
/* UDP (RFC 768, RFC 1122 4.1): per-instance socket table and the socket seam. */
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "stk_priv.h"

#define UDP_EPHEMERAL_FIRST 49152
#define UDP_NONE UINT32_MAX

struct udp_key {
	rte_be32_t addr;
	rte_be16_t port;
	uint16_t pad;
};

int
udp_init(struct stk_inst *in)
{
	struct udp_table *t = &in->udp;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = RTE_MAX(in->sh->p.udp_sockets, 8u),
		.key_len = sizeof(struct udp_key),
		.hash_func = rte_jhash,
		.socket_id = in->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint32_t i;

	stk_obj_name(name, sizeof(name), "udp", in);
	hp.name = name;
	t->index = rte_hash_create(&hp);
	t->size = in->sh->p.udp_sockets;
	t->socks = rte_zmalloc_socket("udp", t->size * sizeof(*t->socks), 0, in->socket_id);
	if (t->index == NULL || t->socks == NULL)
		return STK_ENOMEM;
	for (i = 0; i < t->size; i++)
		t->socks[i].next_free = i + 1 < t->size ? i + 1 : UDP_NONE;
	t->free_head = 0;
	t->next_ephemeral = (uint16_t)(UDP_EPHEMERAL_FIRST + in->idx * 997 % 16384);
	return 0;
}

void
udp_fini(struct stk_inst *in)
{
	rte_hash_free(in->udp.index);
	rte_free(in->udp.socks);
	in->udp.index = NULL;
	in->udp.socks = NULL;
}

static struct stk_udp_sock *
udp_find(struct stk_inst *in, rte_be32_t addr, rte_be16_t port)
{
	struct udp_key k = { addr, port, 0 };
	void *data;

	if (rte_hash_lookup_data(in->udp.index, &k, &data) >= 0)
		return data;
	k.addr = 0;
	if (rte_hash_lookup_data(in->udp.index, &k, &data) >= 0)
		return data;
	return NULL;
}

int
stk_udp_open(struct stk_inst *in, const struct stk_udp_upcalls *up, void *arg,
	     struct stk_udp_sock **out)
{
	struct udp_table *t = &in->udp;
	struct stk_udp_sock *s;

	if (up == NULL || up->recv == NULL || out == NULL)
		return STK_EINVAL;
	if (t->free_head == UDP_NONE)
		return STK_ENOMEM;
	s = &t->socks[t->free_head];
	t->free_head = s->next_free;
	*s = (struct stk_udp_sock){ .in = in, .up = up, .arg = arg, .open = true,
				    .next_free = UDP_NONE };
	*out = s;
	return 0;
}

static bool
udp_port_taken(struct stk_inst *in, rte_be32_t addr, rte_be16_t port)
{
	struct udp_key k = { addr, port, 0 };
	const void *next_key;
	void *data;
	uint32_t iter = 0;

	if (rte_hash_lookup(in->udp.index, &k) >= 0)
		return true;
	if (addr != 0) {
		k.addr = 0;
		return rte_hash_lookup(in->udp.index, &k) >= 0;
	}
	/* Wildcard bind: any specific binding of the port conflicts. */
	while (rte_hash_iterate(in->udp.index, &next_key, &data, &iter) >= 0) {
		const struct udp_key *nk = next_key;

		if (nk->port == port)
			return true;
	}
	return false;
}

static rte_be16_t
udp_pick_ephemeral(struct stk_inst *in, rte_be32_t addr)
{
	uint32_t tries;

	for (tries = 0; tries < 65536 - UDP_EPHEMERAL_FIRST; tries++) {
		uint16_t p = in->udp.next_ephemeral;

		in->udp.next_ephemeral = p == 65535 ? UDP_EPHEMERAL_FIRST : (uint16_t)(p + 1);
		if (!udp_port_taken(in, addr, rte_cpu_to_be_16(p)))
			return rte_cpu_to_be_16(p);
	}
	return 0;
}

int
stk_udp_bind(struct stk_udp_sock *s, rte_be32_t addr, rte_be16_t port)
{
	struct stk_inst *in = s->in;
	struct udp_key k;

	if (!s->open)
		return STK_EINVAL;
	if (s->lport != 0)
		return STK_ESTATE;
	if (addr != 0 && !eth_addr_is_ours(in->sh, addr))
		return STK_EADDRNOTAVAIL;
	if (port == 0) {
		port = udp_pick_ephemeral(in, addr);
		if (port == 0)
			return STK_EADDRINUSE;
	} else if (udp_port_taken(in, addr, port)) {
		return STK_EADDRINUSE;
	}
	k = (struct udp_key){ addr, port, 0 };
	if (rte_hash_add_key_data(in->udp.index, &k, s) < 0)
		return STK_ENOMEM;
	s->laddr = addr;
	s->lport = port;
	return 0;
}

void
stk_udp_local(const struct stk_udp_sock *s, rte_be32_t *addr, rte_be16_t *port)
{
	*addr = s->laddr;
	*port = s->lport;
}

int
stk_udp_sendto(struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t dst, rte_be16_t dport)
{
	struct stk_inst *in = s->in;
	struct udp_repr u;
	void *hdr;
	int rc;

	if (!s->open || dport == 0 || dst == 0) {
		rte_pktmbuf_free(m);
		return STK_EINVAL;
	}
	if (s->lport == 0 && (rc = stk_udp_bind(s, 0, 0)) != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	if (m->pkt_len > UINT16_MAX - IPV4_HDR_LEN - UDP_HDR_LEN) {
		rte_pktmbuf_free(m);
		return STK_EMSGSIZE;
	}
	/* Headers go in front of the payload's first segment if it is ours to
	 * write and has room; otherwise in a segment of their own. */
	if (rte_pktmbuf_headroom(m) < STK_HDR_ROOM || !RTE_MBUF_DIRECT(m) ||
	    rte_mbuf_refcnt_read(m) != 1) {
		struct rte_mbuf *h = stk_pktmbuf_alloc(in);

		if (h == NULL || rte_pktmbuf_chain(h, m) != 0) {
			rte_pktmbuf_free(h);
			rte_pktmbuf_free(m);
			return STK_ENOMEM;
		}
		m = h;
	}
	u = (struct udp_repr){ .sport = rte_be_to_cpu_16(s->lport),
			       .dport = rte_be_to_cpu_16(dport),
			       .len = (uint16_t)(m->pkt_len + UDP_HDR_LEN) };
	hdr = rte_pktmbuf_prepend(m, UDP_HDR_LEN);
	udp_emit(hdr, &u);
	STK_COUNT(in, UDP_TX);
	return ipv4_output(in, m, s->laddr, dst, IPV4_PROTO_UDP);
}

void
stk_udp_close(struct stk_udp_sock *s)
{
	struct stk_inst *in = s->in;
	struct udp_table *t = &in->udp;

	if (!s->open)
		return;
	if (s->lport != 0) {
		struct udp_key k = { s->laddr, s->lport, 0 };

		rte_hash_del_key(t->index, &k);
	}
	s->open = false;
	s->next_free = t->free_head;
	t->free_head = (uint32_t)(s - t->socks);
}

void
udp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast)
{
	uint16_t plen = (uint16_t)(ip->total_len - ip->hdr_len);
	uint64_t cs = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	struct stk_udp_sock *s;
	struct udp_repr u;
	enum stk_drop why;

	why = udp_parse(rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m), plen, &u);
	if (why == STK_DROP_NONE && u.cksum != 0 && cs != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	    ipv4_l4_cksum(m, 0, u.len, ip->src, ip->dst, IPV4_PROTO_UDP) != 0xffff)
		why = STK_DROP_UDP_BAD_CHECKSUM;
	if (why != STK_DROP_NONE) {
		in->stats.drop[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	stk_mbuf_trim_to(m, u.len);
	s = udp_find(in, bcast ? 0 : ip->dst, rte_cpu_to_be_16(u.dport));
	if (s == NULL) {
		STK_DROP(in, UDP_NO_SOCKET);
		if (!bcast)
			icmp_send_unreach(in, m, ip, ICMP_CODE_PORT_UNREACH);
		else
			rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_adj(m, UDP_HDR_LEN);
	STK_COUNT(in, UDP_RX);
	s->up->recv(s->arg, s, m, ip->src, rte_cpu_to_be_16(u.sport), ip->dst);
}
