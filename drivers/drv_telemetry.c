/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /wskstack/, readable with the stock
 * dpdk-telemetry.py. Counters are read without locks (64-bit words written by
 * one lcore); the ARP table is read under its seqlock.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include <rte_cycles.h>

#include "drv.h"
#include "stk_tcp.h"

/* Telemetry callbacks take no context argument: the one runtime of the process. */
static _Atomic(struct drv_runtime *) tel_rt;

/* Optional parameter: an instance index; absent means the sum of all. */
static int
tel_stats_of(const char *params, struct stk_stats *s)
{
	struct drv_runtime *rt = atomic_load(&tel_rt);
	char *end;
	unsigned long i;

	if (rt == NULL)
		return -1;
	if (params == NULL || *params == '\0') {
		drv_runtime_stats(rt, s);
		return 0;
	}
	i = strtoul(params, &end, 10);
	if (*end != '\0' || i >= drv_runtime_nb_inst(rt))
		return -1;
	*s = *stk_inst_stats(drv_runtime_inst(rt, (unsigned int)i));
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stk_stats s;
	unsigned int i;

	if (tel_stats_of(params, &s) != 0)
		return -1;
	rte_tel_data_start_dict(d);
	for (i = 0; i < STK_CNT__MAX; i++)
		rte_tel_data_add_dict_u64(d, stk_cnt_name(i), s.cnt[i]);
	{
		uint64_t total = 0;

		for (i = 1; i < STK_DROP__MAX; i++)
			total += s.drop[i];
		rte_tel_data_add_dict_u64(d, "drops", total);
	}
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stk_stats s;
	unsigned int i;

	if (tel_stats_of(params, &s) != 0)
		return -1;
	rte_tel_data_start_dict(d);
	for (i = 1; i < STK_DROP__MAX; i++)
		rte_tel_data_add_dict_u64(d, stk_drop_name(i), s.drop[i]);
	return 0;
}

static void
ip_str(rte_be32_t ip, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&ip;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static int
tel_arp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const states[] = { "incomplete", "reachable", "static" };
	struct drv_runtime *rt = atomic_load(&tel_rt);
	struct stk_arp_info info[64];
	unsigned int n, i, inst;
	char buf[32];

	if (rt == NULL)
		return -1;
	inst = params != NULL && *params != '\0' ? (unsigned int)atoi(params) : 0;
	if (inst >= drv_runtime_nb_inst(rt))
		return -1;
	n = stk_inst_arp_snapshot(drv_runtime_inst(rt, inst), info, RTE_DIM(info));
	/* DPDK 22.11 telemetry nests dicts only in dicts: key each entry by
	 * its address with '_' for '.' (keys allow letters, digits, _ and /). */
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		char key[32], *p;

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		ip_str(info[i].ip, buf, sizeof(buf));
		rte_tel_data_add_dict_string(e, "ip", buf);
		rte_ether_format_addr(buf, sizeof(buf), &info[i].mac);
		rte_tel_data_add_dict_string(e, "mac", buf);
		rte_tel_data_add_dict_string(e, "state", states[info[i].state % 3]);
		rte_tel_data_add_dict_int(e, "port", info[i].port);
		ip_str(info[i].ip, key, sizeof(key));
		for (p = key; *p != '\0'; p++)
			if (*p == '.')
				*p = '_';
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

static void
tel_port_one(struct drv_runtime *rt, unsigned int i, struct rte_tel_data *e)
{
	const struct stk_port_conf *pc = stk_shared_port(stk_inst_shared(drv_runtime_inst(rt, 0)),
							 (uint16_t)i);
	struct drv_port_info pi;
	struct rte_eth_stats es;
	char buf[32];

	drv_port_info(drv_runtime_port(rt, i), &pi);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "name", pc->name);
	rte_tel_data_add_dict_string(e, "device", pi.name);
	rte_tel_data_add_dict_string(e, "driver", pi.driver);
	rte_tel_data_add_dict_int(e, "port_id", pi.port_id);
	rte_ether_format_addr(buf, sizeof(buf), &pc->mac);
	rte_tel_data_add_dict_string(e, "mac", buf);
	rte_tel_data_add_dict_int(e, "mtu", pc->mtu);
	ip_str(pc->addr, buf, sizeof(buf));
	rte_tel_data_add_dict_string(e, "address", buf);
	rte_tel_data_add_dict_int(e, "prefix_len", pc->prefix_len);
	rte_tel_data_add_dict_int(e, "queues", pi.nb_queues);
	rte_tel_data_add_dict_u64(e, "stack_caps", pc->caps);
	rte_tel_data_add_dict_u64(e, "rx_offload_capa", pi.rx_offload_capa);
	rte_tel_data_add_dict_u64(e, "tx_offload_capa", pi.tx_offload_capa);
	if (rte_eth_stats_get(pi.port_id, &es) == 0) {
		rte_tel_data_add_dict_u64(e, "ipackets", es.ipackets);
		rte_tel_data_add_dict_u64(e, "opackets", es.opackets);
		rte_tel_data_add_dict_u64(e, "imissed", es.imissed);
		rte_tel_data_add_dict_u64(e, "ierrors", es.ierrors);
		rte_tel_data_add_dict_u64(e, "oerrors", es.oerrors);
	}
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct drv_runtime *rt = atomic_load(&tel_rt);
	unsigned int i;

	if (rt == NULL)
		return -1;
	rte_tel_data_start_dict(d); /* keyed by port name; see tel_arp() */
	for (i = 0; drv_runtime_port(rt, i) != NULL; i++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		char key[16];

		if (e == NULL)
			break;
		tel_port_one(rt, i, e);
		snprintf(key, sizeof(key), "port%u", i);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

/*
 * /wskstack/tcp,N: the connections of instance N. Connection blocks belong
 * to their lcore, so the snapshot is taken there, through the request ring;
 * this thread waits up to 200 ms. Whoever finishes last frees the request
 * (an abandoned one is freed by the lcore).
 */
#define TEL_TCP_MAX 256

struct tel_tcp_req {
	atomic_int state; /* 0 pending, 1 done, 2 abandoned by the telemetry thread */
	unsigned int n;
	struct stk_tcp_conn_info conns[TEL_TCP_MAX];
};

static void
tel_tcp_fill(struct stk_inst *in, void *arg)
{
	struct tel_tcp_req *r = arg;
	int pending = 0;

	r->n = stk_tcp_snapshot(in, r->conns, TEL_TCP_MAX);
	if (!atomic_compare_exchange_strong(&r->state, &pending, 1))
		free(r);
}

static void
tel_tcp_one(struct rte_tel_data *d, const struct stk_tcp_conn_info *ci)
{
	struct rte_tel_data *e = rte_tel_data_alloc();
	char key[96], l[20], f[20];

	if (e == NULL)
		return;
	ip_str(ci->laddr, l, sizeof(l));
	ip_str(ci->faddr, f, sizeof(f));
	snprintf(key, sizeof(key), "%s_%u_%s_%u", l, rte_be_to_cpu_16(ci->lport), f,
		 rte_be_to_cpu_16(ci->fport));
	for (char *p = key; *p != '\0'; p++)
		if (*p == '.')
			*p = '_';
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "state", stk_tcp_state_name(ci->info.state));
	rte_tel_data_add_dict_u64(e, "snd_una", ci->info.snd_una);
	rte_tel_data_add_dict_u64(e, "snd_nxt", ci->info.snd_nxt);
	rte_tel_data_add_dict_u64(e, "snd_wnd", ci->info.snd_wnd);
	rte_tel_data_add_dict_u64(e, "rcv_nxt", ci->info.rcv_nxt);
	rte_tel_data_add_dict_u64(e, "rcv_wnd", ci->info.rcv_wnd);
	rte_tel_data_add_dict_u64(e, "cwnd", ci->info.cwnd);
	rte_tel_data_add_dict_u64(e, "ssthresh", ci->info.ssthresh);
	rte_tel_data_add_dict_u64(e, "mss", ci->info.mss);
	rte_tel_data_add_dict_u64(e, "srtt_us", ci->info.srtt_us);
	rte_tel_data_add_dict_u64(e, "rto_ms", ci->info.rto_ms);
	rte_tel_data_add_dict_u64(e, "retransmits", ci->info.retransmits);
	rte_tel_data_add_dict_u64(e, "send_queued", ci->info.send_queued);
	rte_tel_data_add_dict_u64(e, "recv_held", ci->info.recv_held);
	rte_tel_data_add_dict_container(d, key, e, 0);
}

static int
tel_tcp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct drv_runtime *rt = atomic_load(&tel_rt);
	unsigned int inst = params != NULL && *params != '\0' ? (unsigned int)atoi(params) : 0;
	struct tel_tcp_req *r;
	int pending = 0, i;

	if (rt == NULL || inst >= drv_runtime_nb_inst(rt))
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	if (stk_inst_post(drv_runtime_inst(rt, inst), tel_tcp_fill, r) != 0) {
		free(r);
		return -1;
	}
	for (i = 0; i < 200 && atomic_load(&r->state) == 0; i++)
		rte_delay_us_sleep(1000);
	if (atomic_compare_exchange_strong(&r->state, &pending, 2))
		return -1; /* the lcore did not answer: it frees the request */
	rte_tel_data_start_dict(d);
	for (i = 0; i < (int)r->n; i++)
		tel_tcp_one(d, &r->conns[i]);
	free(r);
	return 0;
}

int
drv_telemetry_register(struct drv_runtime *rt)
{
	static bool registered;

	atomic_store(&tel_rt, rt);
	if (registered)
		return 0;
	registered = true;
	if (rte_telemetry_register_cmd("/wskstack/stats", tel_stats,
				       "Stack counters summed over lcores, or of one. Parameters: int lcore index (optional)") != 0 ||
	    rte_telemetry_register_cmd("/wskstack/drops", tel_drops,
				       "Dropped frames by reason. Parameters: int lcore index (optional)") != 0 ||
	    rte_telemetry_register_cmd("/wskstack/arp", tel_arp,
				       "ARP cache of one instance. Parameters: int instance index (default 0)") != 0 ||
	    rte_telemetry_register_cmd("/wskstack/ports", tel_ports,
				       "Ports: device, MAC, MTU, address, offloads, ethdev counters") != 0 ||
	    rte_telemetry_register_cmd("/wskstack/tcp", tel_tcp,
				       "TCP connections of one instance (state, sequence space, windows, RTT, queues). Parameters: int instance index (default 0)") != 0)
		return -1;
	return 0;
}

void
drv_telemetry_unregister(void)
{
	atomic_store(&tel_rt, NULL);
}
