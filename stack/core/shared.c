/* SPDX-License-Identifier: BSD-3-Clause */
/* The read-only part of a stack: parameters, ports, routes, static ARP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "stk_priv.h"

void
stk_params_default(struct stk_params *p)
{
	memset(p, 0, sizeof(*p));
	p->arp_timeout = 300 * STK_NS_PER_S;
	p->arp_retry = 1 * STK_NS_PER_S;
	p->arp_retries = 3;
	p->arp_cache_size = 1024;
	p->arp_queue_len = 256;
	p->frag_max_flows = 1024;
	p->frag_timeout = 2 * STK_NS_PER_S;
	p->ip_ttl = 64;
	p->icmp_rate = 1000;
	p->udp_sockets = 1024;
	p->req_ring_size = 1024;
	p->burst = 32;
	p->tcp_max_conns = 16384;
	p->tcp_max_sendops = 65536;
	p->tcp_msl = 30 * STK_NS_PER_S;
	p->tcp_rto_min = 200 * STK_NS_PER_MS;
	p->tcp_rto_max = 60 * STK_NS_PER_S;
	p->tcp_rto_init = 1 * STK_NS_PER_S;
	p->tcp_delack = 40 * STK_NS_PER_MS;
	p->tcp_retries = 12;
	p->tcp_syn_retries = 6;
	p->tcp_rcvbuf = 262144;
	p->tcp_sndbuf = 262144;
	p->tcp_reass_segs = 256;
	p->tcp_keep_idle = 7200 * STK_NS_PER_S;
	p->tcp_keep_intvl = 75 * STK_NS_PER_S;
	p->tcp_keep_cnt = 9;
	snprintf(p->tcp_cc, sizeof(p->tcp_cc), "cubic");
	p->tcp_wscale = STK_TCP_WSCALE_AUTO;
	p->tcp_wnd_reass = true;
	p->tcp_dsack = false;
	p->tcp_rcv_wnd_space = false;
	p->tcp_icmp_abort_syn_sent = true;
	p->tcp_drop_synfin = false;
	p->tcp_rfc5961_rst = true;
	p->tcp_rfc5961_syn = true;
}

static bool
params_valid(const struct stk_params *p)
{
	return p->arp_cache_size >= 1 && p->arp_queue_len >= 1 && p->arp_retries >= 1 &&
	       p->arp_retry > 0 && p->frag_max_flows >= 1 && p->frag_timeout > 0 &&
	       p->ip_ttl >= 1 && p->udp_sockets >= 1 && p->burst >= 1 &&
	       p->burst <= STK_MAX_BURST && rte_is_power_of_2(p->req_ring_size) &&
	       p->tcp_max_conns >= 1 && p->tcp_max_sendops >= 1 && p->tcp_rto_min > 0 &&
	       p->tcp_rto_max >= p->tcp_rto_min && p->tcp_rto_init >= p->tcp_rto_min &&
	       p->tcp_rcvbuf >= 1024 && p->tcp_rcvbuf <= (1u << 30) && p->tcp_sndbuf >= 1024 &&
	       p->tcp_msl > 0 && p->tcp_delack > 0 && p->tcp_keep_intvl > 0 &&
	       p->tcp_keep_cnt >= 1 &&
	       (p->tcp_wscale <= 14 || p->tcp_wscale == STK_TCP_WSCALE_AUTO);
}

struct stk_shared *
stk_shared_create(const struct stk_params *p, int socket_id)
{
	struct stk_shared *sh;

	if (p == NULL || !params_valid(p)) {
		rte_errno = EINVAL;
		return NULL;
	}
	sh = rte_zmalloc_socket("stk_shared", sizeof(*sh), RTE_CACHE_LINE_SIZE, socket_id);
	if (sh == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	sh->p = *p;
	sh->socket_id = socket_id;
	sh->default_nh = -1;
	return sh;
}

int
stk_shared_add_port(struct stk_shared *sh, const struct stk_port_conf *pc)
{
	if (sh->frozen || pc == NULL || pc->ops == NULL || pc->nb_queues == 0 || pc->mtu < 68 ||
	    pc->prefix_len > 32)
		return STK_EINVAL;
	if (sh->nb_ports == STK_MAX_PORTS)
		return STK_ENOMEM;
	sh->ports[sh->nb_ports] = *pc;
	return sh->nb_ports++;
}

int
stk_shared_add_route(struct stk_shared *sh, rte_be32_t prefix, uint8_t len, rte_be32_t gateway,
		     uint16_t port)
{
	if (sh->frozen || len > 32 || port >= sh->nb_ports)
		return STK_EINVAL;
	if (sh->nb_routes == STK_MAX_ROUTES)
		return STK_ENOMEM;
	sh->routes[sh->nb_routes++] = (struct stk_route){ prefix, len, gateway, port };
	return 0;
}

int
stk_shared_add_static_arp(struct stk_shared *sh, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	if (sh->frozen || ip == 0 || !rte_is_unicast_ether_addr(mac))
		return STK_EINVAL;
	if (sh->nb_static_arp == STK_MAX_STATIC_ARP)
		return STK_ENOMEM;
	sh->static_arp_ip[sh->nb_static_arp] = ip;
	sh->static_arp_mac[sh->nb_static_arp] = *mac;
	sh->nb_static_arp++;
	return 0;
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static int
lpm_add(struct stk_shared *sh, rte_be32_t prefix, uint8_t len, rte_be32_t gw, uint16_t port)
{
	uint32_t host = rte_be_to_cpu_32(prefix) & prefix_mask(len);
	unsigned int id = sh->nb_nexthops;

	if (id == RTE_DIM(sh->nexthops))
		return STK_ENOMEM;
	sh->nexthops[id] = (struct stk_nexthop){ gw, port };
	sh->nb_nexthops++;
	if (len == 0) {
		/* rte_lpm takes depths 1..32: the default route lives beside it.
		 * The first one added wins (a port's gateway, then [route]). */
		if (sh->default_nh < 0)
			sh->default_nh = (int)id;
		return 0;
	}
	return rte_lpm_add(sh->lpm, host, len, id) == 0 ? 0 : STK_ENOMEM;
}

int
stk_shared_freeze(struct stk_shared *sh)
{
	struct rte_lpm_config cfg = { .max_rules = STK_MAX_ROUTES + 2 * STK_MAX_PORTS,
				      .number_tbl8s = 256 };
	char name[RTE_LPM_NAMESIZE];
	unsigned int i;

	if (sh->frozen)
		return 0;
	stk_obj_name(name, sizeof(name), "lpm", NULL);
	sh->lpm = rte_lpm_create(name, sh->socket_id, &cfg);
	if (sh->lpm == NULL)
		return STK_ENOMEM;
	for (i = 0; i < sh->nb_ports; i++) {
		const struct stk_port_conf *pc = &sh->ports[i];

		if (pc->addr != 0 && lpm_add(sh, pc->addr, pc->prefix_len, 0, i) != 0)
			return STK_ENOMEM;
		if (pc->gateway != 0 && lpm_add(sh, 0, 0, pc->gateway, i) != 0)
			return STK_ENOMEM;
	}
	for (i = 0; i < sh->nb_routes; i++) {
		const struct stk_route *r = &sh->routes[i];

		if (lpm_add(sh, r->prefix, r->len, r->gateway, r->port) != 0)
			return STK_ENOMEM;
	}
	sh->frozen = true;
	return 0;
}

void
stk_shared_free(struct stk_shared *sh)
{
	if (sh == NULL)
		return;
	rte_lpm_free(sh->lpm);
	rte_free(sh);
}

uint16_t
stk_shared_nb_ports(const struct stk_shared *sh)
{
	return sh->nb_ports;
}

const struct stk_port_conf *
stk_shared_port(const struct stk_shared *sh, uint16_t i)
{
	return i < sh->nb_ports ? &sh->ports[i] : NULL;
}

const struct stk_params *
stk_shared_params(const struct stk_shared *sh)
{
	return &sh->p;
}
