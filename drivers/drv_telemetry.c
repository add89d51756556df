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

#include "drv.h"

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
				       "Ports: device, MAC, MTU, address, offloads, ethdev counters") != 0)
		return -1;
	return 0;
}

void
drv_telemetry_unregister(void)
{
	atomic_store(&tel_rt, NULL);
}
