/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scaffolding of the WSK tests (wsk_test_host.h): hosts on in-memory ports
 * joined by a switch in the poll threads, and IRP helpers.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "check.h"
#include "drv.h"
#include "stk.h"
#include "wsk_host.h"

/* Windows side last: wdm.h's _mm_pause macro must not meet xmmintrin.h. */
#include <wskstack_nt.h>

#include "wsk_test_host.h"

#define DEV_DEPTH   1024
#define POLL_BURST  64

struct test_host;

/** One poll thread: instance @c idx of @c h. */
struct test_lcore {
	struct test_host *h;
	unsigned int idx;
	pthread_t thread;
	bool running;
	uint32_t rr;                  /**< round robin cursor (STEER_SPREAD) */
};

struct test_host {
	struct drv_memdev *dev;
	struct rte_ether_addr mac;
	rte_be32_t ip;
	struct stk_shared *sh;
	struct stk_inst *in[WSK_TEST_MAX_INST];
	struct rte_mempool *mp, *ind;
	struct wsk_host *wh;
	struct test_lcore lc[WSK_TEST_MAX_INST];
};

static struct {
	struct test_host h[WSK_TEST_MAX_HOSTS];
	unsigned int nhosts, ninst;
	enum wsk_test_steer steer;
	atomic_bool stop;
	atomic_uint_fast64_t dropped;
	bool eal;
	unsigned int seq;
} T;

static stk_time_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (stk_time_t)ts.tv_sec * STK_NS_PER_S + (stk_time_t)ts.tv_nsec;
}

void
wsk_test_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

uint32_t
wsk_test_host_ip(unsigned int h)
{
	return TEST_IP4(198, 18, 9, h + 1);
}

struct wsk_host *
wsk_test_host(unsigned int h)
{
	return h < T.nhosts ? T.h[h].wh : NULL;
}

uint64_t
wsk_test_frames_dropped(void)
{
	return atomic_load(&T.dropped);
}

void
wsk_test_print_stats(void)
{
	unsigned int i, k, d;

	for (i = 0; i < T.nhosts; i++)
		for (k = 0; k < T.ninst; k++) {
			const struct stk_stats *st = stk_inst_stats(T.h[i].in[k]);

			printf("  host %u inst %u: rx %" PRIu64 " tx %" PRIu64 " frames\n", i, k,
			       st->cnt[STK_CNT_RX_FRAMES], st->cnt[STK_CNT_TX_FRAMES]);
			for (d = 1; d < STK_DROP__MAX; d++)
				if (st->drop[d] != 0)
					printf("    dropped %" PRIu64 " as %s\n", st->drop[d],
					       stk_drop_name(d));
		}
	printf("  switch dropped %" PRIu64 " frames\n", wsk_test_frames_dropped());
}

/* ---- the switch ---- */

static inline uint32_t
rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* Queue of the receiving host for frame @p m, as RSS would pick it. */
static uint16_t
steer(struct test_lcore *lc, const struct rte_mbuf *m)
{
	uint8_t buf[64];
	const uint8_t *f = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf)), buf);
	uint32_t ihl, frag, hash;

	if (T.ninst == 1 || f == NULL || m->pkt_len < 34 || rd16(f + 12) != 0x0800)
		return 0;
	ihl = (f[14] & 0xf) * 4u;
	frag = rd16(f + 20);
	hash = rd16(f + 26) ^ rd16(f + 28) ^ rd16(f + 30) ^ rd16(f + 32);
	if ((frag & 0x3fff) != 0 || m->pkt_len < 14 + ihl + 4 || 14 + ihl + 4 > sizeof(buf))
		return (uint16_t)(hash % T.ninst); /* fragments: by addresses only */
	if (T.steer == WSK_TEST_STEER_SPREAD)
		return (uint16_t)(lc->rr++ % T.ninst);
	if (f[23] != 6 && f[23] != 17)
		return (uint16_t)(hash % T.ninst);
	return (uint16_t)(rd16(f + 14 + ihl + 2) % T.ninst);
}

static void
deliver_frame(struct test_lcore *lc, struct rte_mbuf *m, unsigned int to)
{
	if (drv_memdev_inject(T.h[to].dev, steer(lc, m), m) != 0) {
		atomic_fetch_add(&T.dropped, 1);
		rte_pktmbuf_free(m);
	}
}

/* Pass what instance @p lc sent to the hosts its destination MAC names. */
static unsigned int
switch_frames(struct test_lcore *lc)
{
	struct rte_mbuf *pkts[POLL_BURST];
	unsigned int n = drv_memdev_take(lc->h->dev, (uint16_t)lc->idx, pkts, POLL_BURST), i, j;

	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		bool bcast = rte_is_broadcast_ether_addr(&eh->dst_addr);
		bool sent = false;

		for (j = 0; j < T.nhosts; j++) {
			struct test_host *to = &T.h[j];

			if (to == lc->h || (!bcast && !rte_is_same_ether_addr(&eh->dst_addr, &to->mac)))
				continue;
			if (bcast && sent) {
				struct rte_mbuf *c = rte_pktmbuf_copy(pkts[i], to->mp, 0, UINT32_MAX);

				if (c != NULL)
					deliver_frame(lc, c, j);
				continue;
			}
			deliver_frame(lc, pkts[i], j);
			sent = true;
		}
		if (!sent)
			rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static void *
poll_main(void *arg)
{
	struct test_lcore *lc = arg;
	struct stk_inst *in = lc->h->in[lc->idx];
	unsigned int idle = 0;

	wsk_host_lcore_enter(lc->h->wh, lc->idx);
	stk_inst_start(in, now_ns());
	while (!atomic_load_explicit(&T.stop, memory_order_acquire)) {
		unsigned int work = stk_inst_poll(in, now_ns());

		work += switch_frames(lc);
		if (work != 0) {
			idle = 0;
		} else if (++idle < 256) {
			rte_pause();
		} else {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
	/* One last poll: requests posted before the stop still run. */
	stk_inst_poll(in, now_ns());
	wsk_host_lcore_leave(lc->h->wh, lc->idx);
	return NULL;
}

/* ---- hosts ---- */

static int
host_build(unsigned int i, const struct wsk_test_conf *c)
{
	struct test_host *h = &T.h[i];
	struct stk_port_conf pc;
	struct stk_params p;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int k;

	h->mac = (struct rte_ether_addr){ { 0x02, 0x00, 0x00, 0x00, 0x09, (uint8_t)(i + 1) } };
	h->ip = wsk_test_host_ip(i);
	snprintf(name, sizeof(name), "wt%u_%u_p", T.seq, i);
	h->mp = rte_pktmbuf_pool_create(name, c->nb_mbufs ? c->nb_mbufs : 8192, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "wt%u_%u_i", T.seq, i);
	h->ind = rte_pktmbuf_pool_create(name, 1024, 0, 0, 0, SOCKET_ID_ANY);
	h->dev = drv_memdev_create(&h->mac, (uint16_t)T.ninst, DEV_DEPTH);
	if (h->mp == NULL || h->ind == NULL || h->dev == NULL) {
		fprintf(stderr, "host %u: pools or device: %s\n", i, rte_strerror(rte_errno));
		return -1;
	}
	stk_params_default(&p);
	h->sh = stk_shared_create(&p, SOCKET_ID_ANY);
	if (h->sh == NULL)
		return -1;
	drv_memdev_stk_conf(h->dev, &pc);
	pc.addr = h->ip;
	pc.prefix_len = 24;
	snprintf(pc.name, sizeof(pc.name), "mem%u", i);
	if (stk_shared_add_port(h->sh, &pc) < 0)
		return -1;
	/* Static ARP for every other host: no resolution delays in the tests. */
	for (k = 0; k < T.nhosts; k++) {
		struct rte_ether_addr mac = { { 0x02, 0x00, 0x00, 0x00, 0x09, (uint8_t)(k + 1) } };

		if (k != i && stk_shared_add_static_arp(h->sh, wsk_test_host_ip(k), &mac) != 0)
			return -1;
	}
	if (stk_shared_freeze(h->sh) != 0)
		return -1;
	for (k = 0; k < T.ninst; k++) {
		h->in[k] = stk_inst_create(h->sh, k, T.ninst, h->mp, h->ind, SOCKET_ID_ANY);
		if (h->in[k] == NULL) {
			fprintf(stderr, "host %u: instance %u: %s\n", i, k, rte_strerror(rte_errno));
			return -1;
		}
	}
	stk_inst_link(h->in, T.ninst);
	h->wh = wsk_host_create(h->in, T.ninst, NULL);
	if (h->wh == NULL) {
		fprintf(stderr, "host %u: wsk_host_create: %s\n", i, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int
wsk_test_hosts_start(unsigned int nhosts, const struct wsk_test_conf *conf)
{
	static const struct wsk_test_conf dflt;
	const struct wsk_test_conf *c = conf != NULL ? conf : &dflt;
	unsigned int i, k;

	if (nhosts == 0 || nhosts > WSK_TEST_MAX_HOSTS || c->ninst > WSK_TEST_MAX_INST ||
	    T.nhosts != 0) {
		fprintf(stderr, "wsk_test_hosts_start: bad arguments\n");
		return -1;
	}
	if (!T.eal) {
		test_eal_init("wsktest");
		T.eal = true;
	}
	T.nhosts = nhosts;
	T.ninst = c->ninst != 0 ? c->ninst : 1;
	T.steer = c->steer;
	T.seq++;
	atomic_store(&T.stop, false);
	for (i = 0; i < nhosts; i++)
		if (host_build(i, c) != 0)
			return -1;
	for (i = 0; i < nhosts; i++) {
		for (k = 0; k < T.ninst; k++) {
			struct test_lcore *lc = &T.h[i].lc[k];

			lc->h = &T.h[i];
			lc->idx = k;
			if (pthread_create(&lc->thread, NULL, poll_main, lc) != 0)
				return -1;
			lc->running = true;
		}
	}
	for (i = 0; i < nhosts; i++)
		if (wsk_host_publish(T.h[i].wh, i) != 0) {
			fprintf(stderr, "WSK host slot %u is taken\n", i);
			return -1;
		}
	return 0;
}

static unsigned int
leak(const char *what, long long n)
{
	if (n != 0)
		fprintf(stderr, "wsk_test_hosts_stop: %lld %s still live\n", n, what);
	return n != 0 ? (unsigned int)(n < 0 ? -n : n) : 0;
}

unsigned int
wsk_test_hosts_stop(void)
{
	unsigned int i, k, leaks = 0;

	for (i = 0; i < T.nhosts; i++)
		if (T.h[i].wh != NULL)
			wsk_host_unpublish(T.h[i].wh);
	/* Let completions and closes posted a moment ago run. */
	wsk_test_sleep_ms(20);
	atomic_store_explicit(&T.stop, true, memory_order_release);
	for (i = 0; i < T.nhosts; i++)
		for (k = 0; k < T.ninst; k++)
			if (T.h[i].lc[k].running) {
				pthread_join(T.h[i].lc[k].thread, NULL);
				T.h[i].lc[k].running = false;
			}
	for (i = 0; i < T.nhosts; i++) {
		struct test_host *h = &T.h[i];

		if (h->wh != NULL)
			leaks += leak("WSK objects (host)", wsk_host_destroy(h->wh));
		/* Every poll thread has stopped: nothing runs on the instances any more. */
		for (k = 0; k < T.ninst; k++)
			if (h->in[k] != NULL)
				stk_inst_destroy(h->in[k]);
		if (h->sh != NULL)
			stk_shared_free(h->sh);
		drv_memdev_free(h->dev);
		if (h->mp != NULL)
			leaks += leak("packet mbufs", rte_mempool_in_use_count(h->mp));
		if (h->ind != NULL)
			leaks += leak("indirect mbufs", rte_mempool_in_use_count(h->ind));
		rte_mempool_free(h->mp);
		rte_mempool_free(h->ind);
		memset(h, 0, sizeof(*h));
	}
	T.nhosts = 0;
	leaks += leak("IRPs", WskstackNtIrpsLive());
	leaks += leak("MDLs", WskstackNtMdlsLive());
	leaks += leak("pool blocks", WskstackNtPoolLive());
	return leaks;
}

/* ---- IRPs ---- */

static NTSTATUS
irp_done(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct wsk_test_irp *t = ctx;

	(void)dev;
	(void)irp;
	KeSetEvent(&t->done, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS
wsk_test_irp_start(struct wsk_test_irp *t, wsk_test_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	KeInitializeEvent(&t->done, NotificationEvent, FALSE);
	t->irp = IoAllocateIrp(1, FALSE);
	if (t->irp == NULL) {
		t->returned = STATUS_INSUFFICIENT_RESOURCES;
		t->completed = true;
		return t->returned;
	}
	IoSetCompletionRoutine(t->irp, irp_done, t, TRUE, TRUE, TRUE);
	t->returned = fn(arg, t->irp);
	return t->returned;
}

bool
wsk_test_irp_done(struct wsk_test_irp *t)
{
	return t->completed || KeReadStateEvent(&t->done) != 0;
}

static bool
irp_wait_event(struct wsk_test_irp *t, ULONG timeout_ms)
{
	LARGE_INTEGER to;

	to.QuadPart = -(LONGLONG)timeout_ms * 10000;
	return KeWaitForSingleObject(&t->done, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

NTSTATUS
wsk_test_irp_wait(struct wsk_test_irp *t, ULONG timeout_ms, ULONG_PTR *info)
{
	NTSTATUS st;

	if (info != NULL)
		*info = 0;
	if (t->irp == NULL)
		return t->returned;
	if (!irp_wait_event(t, timeout_ms)) {
		IoCancelIrp(t->irp);
		if (!irp_wait_event(t, timeout_ms)) {
			fprintf(stderr, "wsk_test_irp_wait: IRP %p never completed\n", (void *)t->irp);
			t->irp = NULL;
			return STATUS_TIMEOUT;
		}
		fprintf(stderr, "wsk_test_irp_wait: IRP %p completed only when cancelled\n",
			(void *)t->irp);
	}
	st = t->irp->IoStatus.Status;
	if (info != NULL)
		*info = t->irp->IoStatus.Information;
	IoFreeIrp(t->irp);
	t->irp = NULL;
	t->completed = true;
	return st;
}

NTSTATUS
wsk_test_irp_cancel(struct wsk_test_irp *t, ULONG timeout_ms, ULONG_PTR *info)
{
	if (t->irp != NULL)
		IoCancelIrp(t->irp);
	return wsk_test_irp_wait(t, timeout_ms, info);
}

NTSTATUS
wsk_test_call(wsk_test_fn fn, void *arg, ULONG timeout_ms, ULONG_PTR *info, NTSTATUS *returned)
{
	struct wsk_test_irp t;

	wsk_test_irp_start(&t, fn, arg);
	if (returned != NULL)
		*returned = t.returned;
	return wsk_test_irp_wait(&t, timeout_ms != 0 ? timeout_ms : 2000, info);
}
