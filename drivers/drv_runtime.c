/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime: profile -> EAL -> pools -> ports -> stack -> one poll loop per
 * lcore, and the reverse on the way out with a check that every mempool is
 * back to zero objects in use.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "drv.h"
#include "stk_log.h"

#define EAL_ARGS_MAX 48
/* Busy-poll this many empty iterations before sleeping between polls. */
#define IDLE_SPINS 20000

struct drv_runtime {
	struct drv_conf conf;
	struct rte_mempool *mp;
	struct rte_mempool *indirect;
	struct rte_mempool *rx_big; /* RX for af_packet ports, see pools_create() */
	unsigned int nb_ports;
	struct drv_port *ports[DRV_MAX_PORTS];
	struct drv_capture *caps[DRV_MAX_PORTS];
	struct stk_shared *sh;
	unsigned int nb_inst;
	struct stk_inst *insts[RTE_MAX_LCORE];
	unsigned int inst_of_lcore[RTE_MAX_LCORE];
	const struct drv_app *app;
	void (*ready)(struct drv_runtime *rt);
	atomic_int stop;
	atomic_uint polling;
	bool eal_up;
};

stk_time_t
drv_now(void)
{
	static uint64_t hz;
	uint64_t c = rte_get_tsc_cycles();

	if (hz == 0)
		hz = rte_get_tsc_hz();
	return (c / hz) * STK_NS_PER_S + (c % hz) * STK_NS_PER_S / hz;
}

static bool
hugepages_available(uint32_t memory_mb)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	unsigned long free_pages = 0;

	if (f == NULL)
		return false;
	if (fscanf(f, "%lu", &free_pages) != 1)
		free_pages = 0;
	fclose(f);
	return free_pages * 2 >= memory_mb;
}

/* Build EAL's argv from [eal]; strings live in @p store. */
static int
eal_argv(const struct drv_conf *c, const char *prog, char *store, size_t len, char **argv)
{
	bool huge = c->hugepages == 1 || (c->hugepages == -1 && hugepages_available(c->memory_mb));
	int argc = 0, n;
	char *tok, *save = NULL;

	/* Every port kind is a virtual device: keep EAL off the PCI bus, where
	 * it would only complain about the host's kernel-bound NICs. No device
	 * DMAs, so IOVA is the virtual address: WSK can then attach a client's
	 * pages to mbufs as external buffers (zero-copy WskSend) instead of
	 * copying them as physical-address mode requires. */
	n = snprintf(store, len,
		     "%s%c-l%c%s%c--file-prefix=%s%c--log-level=%s%c-m%c%u%c%s%c%s%c%s%c%s",
		     prog, 0, 0, c->lcores, 0, c->file_prefix, 0, c->log_level, 0, 0,
		     c->memory_mb, 0, huge ? "--huge-unlink" : "--no-huge", 0,
		     c->telemetry ? "--proc-type=primary" : "--no-telemetry", 0, "--no-pci", 0,
		     "--iova-mode=va");
	if (n < 0 || (size_t)n + 1 + strlen(c->eal_args) + 1 >= len)
		return -1;
	for (tok = store; argc < 11; tok += strlen(tok) + 1)
		argv[argc++] = tok;
	memcpy(store + n + 1, c->eal_args, strlen(c->eal_args) + 1);
	for (tok = strtok_r(store + n + 1, " \t", &save); tok != NULL && argc < EAL_ARGS_MAX - 1;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static int
pools_create(struct drv_runtime *rt, char *err, size_t errlen)
{
	uint16_t room = RTE_MBUF_DEFAULT_BUF_SIZE;
	unsigned int i;

	for (i = 0; i < rt->conf.nb_ports; i++)
		room = (uint16_t)RTE_MAX(room, RTE_PKTMBUF_HEADROOM + rt->conf.ports[i].mtu +
						       RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN);
	rt->mp = rte_pktmbuf_pool_create("wsk_pkt", rt->conf.mbufs, rt->conf.mbuf_cache, 0, room,
					 (int)rte_socket_id());
	rt->indirect = rte_pktmbuf_pool_create("wsk_indirect", RTE_MAX(rt->conf.mbufs / 4, 1023u),
					       rt->conf.mbuf_cache, 0, 0, (int)rte_socket_id());
	/* net_af_packet joins a PACKET_FANOUT group with the DEFRAG flag: the
	 * kernel reassembles IPv4 before the PMD sees it, so its frames can be
	 * larger than the MTU. Its RX mbufs are sized to DRV_AF_PACKET_FRAME
	 * (datagrams up to about 12 KB); larger ones arrive truncated and are
	 * dropped as ipv4_truncated. */
	for (i = 0; i < rt->conf.nb_ports && rt->rx_big == NULL; i++) {
		if (rt->conf.ports[i].kind != DRV_PORT_AF_PACKET)
			continue;
		rt->rx_big = rte_pktmbuf_pool_create("wsk_rx_big", RTE_MIN(rt->conf.mbufs, 4095u),
						     rt->conf.mbuf_cache, 0,
						     RTE_PKTMBUF_HEADROOM + DRV_AF_PACKET_FRAME,
						     (int)rte_socket_id());
		if (rt->rx_big == NULL)
			break;
	}
	if (rt->mp == NULL || rt->indirect == NULL || (i < rt->conf.nb_ports && rt->rx_big == NULL)) {
		snprintf(err, errlen, "%s: [stack] mbufs: cannot create a pool of %u mbufs: %s",
			 rt->conf.path, rt->conf.mbufs, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
captures_open(struct drv_runtime *rt, unsigned int i, char *err, size_t errlen)
{
	char path[DRV_PATH_MAX + 32];

	if (!rt->conf.capture)
		return 0;
	if (mkdir(rt->conf.capture_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: [capture] dir: cannot create %s: %s", rt->conf.path,
			 rt->conf.capture_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/port%u.pcap", rt->conf.capture_dir, i);
	rt->caps[i] = drv_capture_open(path, rt->conf.capture_snaplen, err, errlen);
	if (rt->caps[i] == NULL)
		return -1;
	drv_port_set_capture(rt->ports[i], rt->caps[i]);
	return 0;
}

static void
port_log(unsigned int i, const struct stk_port_conf *pc)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	const uint8_t *a = (const uint8_t *)&pc->addr;

	rte_ether_format_addr(mac, sizeof(mac), &pc->mac);
	DRV_LOG(INFO, "port%u: %u.%u.%u.%u/%u mac %s mtu %u queues %u caps%s%s%s%s%s%s%s", i,
		a[0], a[1], a[2], a[3], pc->prefix_len, mac, pc->mtu, pc->nb_queues,
		pc->caps & STK_CAP_RX_IPV4_CKSUM ? " rx-ip-cksum" : "",
		pc->caps & STK_CAP_RX_L4_CKSUM ? " rx-l4-cksum" : "",
		pc->caps & STK_CAP_TX_IPV4_CKSUM ? " tx-ip-cksum" : "",
		pc->caps & STK_CAP_TX_UDP_CKSUM ? " tx-udp-cksum" : "",
		pc->caps & STK_CAP_TX_TCP_CKSUM ? " tx-tcp-cksum" : "",
		pc->caps & STK_CAP_TX_TSO ? " tso" : "",
		pc->caps & STK_CAP_TX_MULTISEG ? " multiseg" : "");
}

static int
ports_open(struct drv_runtime *rt, char *err, size_t errlen)
{
	struct stk_port_conf spc;
	unsigned int i;

	for (i = 0; i < rt->conf.nb_ports; i++) {
		struct rte_mempool *rx = rt->conf.ports[i].kind == DRV_PORT_AF_PACKET ? rt->rx_big
										       : rt->mp;

		rt->ports[i] = drv_port_open(&rt->conf.ports[i], i, (uint16_t)rt->nb_inst, rx, err,
					     errlen);
		if (rt->ports[i] == NULL)
			return -1;
		rt->nb_ports = i + 1;
		if (captures_open(rt, i, err, errlen) != 0)
			return -1;
		drv_port_stk_conf(rt->ports[i], &spc);
		port_log(i, &spc);
		if (stk_shared_add_port(rt->sh, &spc) < 0) {
			snprintf(err, errlen, "port%u: rejected by the stack", i);
			return -1;
		}
	}
	return 0;
}

static int
stack_build(struct drv_runtime *rt, char *err, size_t errlen)
{
	const struct drv_conf *c = &rt->conf;
	unsigned int i, lcore;

	rt->sh = stk_shared_create(&c->params, (int)rte_socket_id());
	if (rt->sh == NULL) {
		snprintf(err, errlen, "%s: [stack]: parameters rejected", c->path);
		return -1;
	}
	RTE_LCORE_FOREACH(lcore) {
		rt->inst_of_lcore[lcore] = rt->nb_inst++;
	}
	if (ports_open(rt, err, errlen) != 0)
		return -1;
	for (i = 0; i < c->nb_routes; i++)
		if (stk_shared_add_route(rt->sh, c->routes[i].prefix, c->routes[i].len,
					 c->routes[i].gateway, c->routes[i].port) != 0) {
			snprintf(err, errlen, "%s: [route] route%u: rejected", c->path, i);
			return -1;
		}
	for (i = 0; i < c->nb_static_arp; i++)
		if (stk_shared_add_static_arp(rt->sh, c->static_arp_ip[i],
					      &c->static_arp_mac[i]) != 0) {
			snprintf(err, errlen, "%s: [arp]: static entry %u rejected", c->path, i);
			return -1;
		}
	if (stk_shared_freeze(rt->sh) != 0) {
		snprintf(err, errlen, "cannot build the routing table");
		return -1;
	}
	RTE_LCORE_FOREACH(lcore) {
		i = rt->inst_of_lcore[lcore];
		rt->insts[i] = stk_inst_create(rt->sh, i, rt->nb_inst, rt->mp, rt->indirect,
					       (int)rte_lcore_to_socket_id(lcore));
		if (rt->insts[i] == NULL) {
			snprintf(err, errlen, "instance %u: %s", i, rte_strerror(rte_errno));
			return -1;
		}
	}
	stk_inst_link(rt->insts, rt->nb_inst);
	return 0;
}

int
drv_runtime_init(const char *conf_path, const char *prog, const struct drv_overrides *ov,
		 struct drv_runtime **out, char *err, size_t errlen)
{
	char store[2048], *argv[EAL_ARGS_MAX];
	struct drv_runtime *rt = calloc(1, sizeof(*rt));
	int argc;

	*out = NULL;
	if (rt == NULL || drv_conf_load(conf_path, &rt->conf, err, errlen) != 0) {
		free(rt);
		return -1;
	}
	if (ov != NULL && ov->capture_dir != NULL) {
		rt->conf.capture = true;
		snprintf(rt->conf.capture_dir, sizeof(rt->conf.capture_dir), "%s", ov->capture_dir);
	}
	argc = eal_argv(&rt->conf, prog, store, sizeof(store), argv);
	if (argc < 0 || rte_eal_init(argc, argv) < 0) {
		snprintf(err, errlen, "%s: [eal]: EAL initialisation failed: %s", conf_path,
			 argc < 0 ? "arguments too long" : rte_strerror(rte_errno));
		free(rt);
		return -1;
	}
	rt->eal_up = true;
	*out = rt;
	if (pools_create(rt, err, errlen) != 0 || stack_build(rt, err, errlen) != 0)
		return -1;
	if (rt->conf.telemetry && drv_telemetry_register(rt) != 0) {
		snprintf(err, errlen, "telemetry: cannot register /wskstack commands");
		return -1;
	}
	return 0;
}

static void
idle_wait(unsigned int *idle, unsigned int work, uint32_t sleep_us)
{
	if (work != 0) {
		*idle = 0;
		return;
	}
	if (sleep_us == 0 || ++*idle < IDLE_SPINS) {
		rte_pause();
		return;
	}
	rte_delay_us_sleep(sleep_us);
}

static int
lcore_loop(void *arg)
{
	struct drv_runtime *rt = arg;
	unsigned int idx = rt->inst_of_lcore[rte_lcore_id()], idle = 0;
	struct stk_inst *in = rt->insts[idx];
	stk_time_t next_flush = 0;
	bool announced = false;

	/* Start first: the app's sockets see the instance's clock from their first call. */
	stk_inst_start(in, drv_now());
	if (rt->app != NULL && rt->app->inst_init != NULL)
		rt->app->inst_init(rt->app->arg, in);
	atomic_fetch_add(&rt->polling, 1);
	while (!atomic_load_explicit(&rt->stop, memory_order_relaxed)) {
		stk_time_t now = drv_now();

		idle_wait(&idle, stk_inst_poll(in, now), rt->conf.idle_sleep_us);
		if (idx != 0)
			continue;
		if (!announced && atomic_load(&rt->polling) == rt->nb_inst) {
			announced = true;
			if (rt->ready != NULL)
				rt->ready(rt);
		}
		if (now >= next_flush) {
			unsigned int i;

			next_flush = now + STK_NS_PER_S;
			for (i = 0; i < rt->nb_ports; i++)
				if (rt->caps[i] != NULL)
					drv_capture_flush(rt->caps[i]);
		}
	}
	if (rt->app != NULL && rt->app->inst_fini != NULL)
		rt->app->inst_fini(rt->app->arg, in);
	/* Send what closing the sockets queued. */
	stk_inst_poll(in, drv_now());
	return 0;
}

int
drv_runtime_run(struct drv_runtime *rt, const struct drv_app *app,
		void (*ready)(struct drv_runtime *rt))
{
	rt->app = app;
	rt->ready = ready;
	rte_eal_mp_remote_launch(lcore_loop, rt, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	return 0;
}

void
drv_runtime_stop(struct drv_runtime *rt)
{
	atomic_store(&rt->stop, 1);
}

bool
drv_runtime_stopping(const struct drv_runtime *rt)
{
	return atomic_load(&rt->stop) != 0;
}

static void
count_in_use(struct rte_mempool *mp, void *arg)
{
	unsigned int n = rte_mempool_in_use_count(mp);

	if (n != 0)
		fprintf(stderr, "wskstack: mempool %s: %u objects still in use\n", mp->name, n);
	*(unsigned int *)arg += n;
}

unsigned int
drv_runtime_close(struct drv_runtime *rt)
{
	unsigned int i, leaked = 0;

	if (rt == NULL)
		return 0;
	drv_telemetry_unregister();
	for (i = 0; i < rt->nb_inst; i++)
		stk_inst_destroy(rt->insts[i]);
	for (i = rt->nb_ports; i-- > 0;) {
		drv_port_close(rt->ports[i]);
		drv_capture_close(rt->caps[i]);
	}
	stk_shared_free(rt->sh);
	if (rt->eal_up) {
		rte_mempool_walk(count_in_use, &leaked);
		rte_mempool_free(rt->mp);
		rte_mempool_free(rt->indirect);
		rte_mempool_free(rt->rx_big);
		rte_eal_cleanup();
	}
	free(rt);
	return leaked;
}

void
drv_runtime_stats(const struct drv_runtime *rt, struct stk_stats *out)
{
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < rt->nb_inst; i++) {
		const struct stk_stats *s = stk_inst_stats(rt->insts[i]);

		for (j = 0; j < STK_DROP__MAX; j++)
			out->drop[j] += s->drop[j];
		for (j = 0; j < STK_CNT__MAX; j++)
			out->cnt[j] += s->cnt[j];
	}
}

uint64_t
drv_runtime_rx_frames(const struct drv_runtime *rt)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < rt->nb_inst; i++)
		n += stk_inst_stats(rt->insts[i])->cnt[STK_CNT_RX_FRAMES];
	return n;
}

unsigned int
drv_runtime_nb_inst(const struct drv_runtime *rt)
{
	return rt->nb_inst;
}

struct stk_inst *
drv_runtime_inst(const struct drv_runtime *rt, unsigned int i)
{
	return i < rt->nb_inst ? rt->insts[i] : NULL;
}

const struct drv_conf *
drv_runtime_conf(const struct drv_runtime *rt)
{
	return &rt->conf;
}

const struct drv_port *
drv_runtime_port(const struct drv_runtime *rt, unsigned int i)
{
	return i < rt->nb_ports ? rt->ports[i] : NULL;
}
