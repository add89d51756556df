/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosts (a stack and its instances, as WSK sees them), the threads that
 * poll them (DISPATCH_LEVEL, owners of their sockets), publication to
 * WskCaptureProviderNPI, and the host's pools and counters.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "wsk_priv.h"

/* ---------------------------------------------------------------------------
 * Hosts and the threads that poll them
 */

pthread_mutex_t wsk_hosts_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t wsk_hosts_cond = PTHREAD_COND_INITIALIZER;
struct wsk_host *wsk_hosts[WSK_MAX_HOSTS];
static atomic_uint host_seq;

#define WSK_TLS_MAX 8
static __thread struct {
	struct wsk_host *h[WSK_TLS_MAX];
	unsigned int idx[WSK_TLS_MAX];
	unsigned int n;
	unsigned int selected;          /* WskstackSelectHost() */
} tls;

unsigned int
wsk_thread_selected_host(void)
{
	return tls.selected;
}

void
WskstackSelectHost(ULONG index)
{
	tls.selected = index;
}

bool
wsk_on_lcore(const struct wsk_host *h, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < tls.n; i++)
		if (tls.h[i] == h && tls.idx[i] == idx)
			return true;
	return false;
}

struct wsk_host *
wsk_thread_host(unsigned int *idx)
{
	if (tls.n == 0)
		return NULL;
	*idx = tls.idx[0];
	return tls.h[0];
}

ULONG
wsk_cb_flags(void)
{
	return KeGetCurrentIrql() >= DISPATCH_LEVEL ? WSK_FLAG_AT_DISPATCH_LEVEL : 0;
}

static struct rte_mempool *
host_pool(const char *what, unsigned int seq, unsigned int n, size_t elt)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "wsk%u_%s", seq, what);
	return rte_mempool_create(name, n, elt, n >= 1024 ? 64 : 0, 0, NULL, NULL, NULL, NULL,
				  SOCKET_ID_ANY, 0);
}

struct wsk_host *
wsk_host_create(struct stk_inst *const *insts, unsigned int n, const struct wsk_host_conf *conf)
{
	struct wsk_host *h;
	unsigned int seq = atomic_fetch_add(&host_seq, 1), i;
	uint32_t nsock = conf != NULL && conf->sockets ? conf->sockets : 8192;
	uint32_t nops = conf != NULL && conf->ops ? conf->ops : 32768;
	uint32_t ninds = conf != NULL && conf->inds ? conf->inds : 16384;

	if (n == 0 || n > WSK_MAX_INST) {
		rte_errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		h->in[i] = insts[i];
	h->n = n;
	h->index = -1;
	h->next_eph = 49152;
	pthread_mutex_init(&h->bind_lock, NULL);
	LIST_INIT(&h->binds);
	h->sock_mp = host_pool("sock", seq, nsock, sizeof(struct wsk_sock));
	h->op_mp = host_pool("op", seq, nops, sizeof(struct wsk_op));
	h->ind_mp = host_pool("ind", seq, ninds, sizeof(struct wsk_ind));
	if (h->sock_mp == NULL || h->op_mp == NULL || h->ind_mp == NULL) {
		rte_mempool_free(h->sock_mp);
		rte_mempool_free(h->op_mp);
		rte_mempool_free(h->ind_mp);
		free(h);
		rte_errno = ENOMEM;
		return NULL;
	}
	return h;
}

void
wsk_host_lcore_enter(struct wsk_host *h, unsigned int idx)
{
	if (tls.n < WSK_TLS_MAX && !wsk_on_lcore(h, idx)) {
		tls.h[tls.n] = h;
		tls.idx[tls.n] = idx;
		tls.n++;
	}
	WskstackNtSetThreadIrql(DISPATCH_LEVEL);
}

void
wsk_host_lcore_leave(struct wsk_host *h, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < tls.n; i++) {
		if (tls.h[i] == h && tls.idx[i] == idx) {
			tls.n--;
			tls.h[i] = tls.h[tls.n];
			tls.idx[i] = tls.idx[tls.n];
			break;
		}
	}
	if (tls.n == 0)
		WskstackNtSetThreadIrql(PASSIVE_LEVEL);
}

int
wsk_host_publish(struct wsk_host *h, unsigned int index)
{
	int rc = -1;

	if (index >= WSK_MAX_HOSTS)
		return -1;
	pthread_mutex_lock(&wsk_hosts_lock);
	if (wsk_hosts[index] == NULL) {
		wsk_hosts[index] = h;
		h->index = (int)index;
		rc = 0;
		pthread_cond_broadcast(&wsk_hosts_cond);
	}
	pthread_mutex_unlock(&wsk_hosts_lock);
	return rc;
}

void
wsk_host_unpublish(struct wsk_host *h)
{
	pthread_mutex_lock(&wsk_hosts_lock);
	if (h->index >= 0 && wsk_hosts[h->index] == h)
		wsk_hosts[h->index] = NULL;
	h->index = -1;
	pthread_cond_broadcast(&wsk_hosts_cond);
	pthread_mutex_unlock(&wsk_hosts_lock);
}

struct dump_arg {
	const struct wsk_client *cl;
};

static void
dump_sock(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	const struct dump_arg *a = arg;
	const struct wsk_sock *s = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	if (s->magic != WSK_SOCK_MAGIC || (a->cl != NULL && s->cl != a->cl))
		return;
	fprintf(stderr, "wskstack:   socket %p kind %u state %u home %u refs %d ops %d inds %d "
		"in_cb %d closing %d close_wait %u\n", (const void *)s, s->kind, s->state, s->home,
		atomic_load(&s->refs), atomic_load(&s->ops), atomic_load(&s->inds),
		atomic_load(&s->in_cb), s->closing, s->close_wait);
}

/* List the live sockets (of @p cl, or all) on stderr: leak reports. */
void
wsk_host_dump_sockets(struct wsk_host *h, const struct wsk_client *cl)
{
	struct dump_arg a = { cl };

	if (h != NULL)
		rte_mempool_obj_iter(h->sock_mp, dump_sock, &a);
}

unsigned int
wsk_host_destroy(struct wsk_host *h)
{
	unsigned int live;

	if (h == NULL)
		return 0;
	wsk_host_unpublish(h);
	live = rte_mempool_in_use_count(h->sock_mp) + rte_mempool_in_use_count(h->op_mp) +
	       rte_mempool_in_use_count(h->ind_mp);
	if (live != 0)
		fprintf(stderr, "wskstack: WSK host destroyed with %u sockets, %u operations and "
			"%u indications still live\n", rte_mempool_in_use_count(h->sock_mp),
			rte_mempool_in_use_count(h->op_mp), rte_mempool_in_use_count(h->ind_mp));
	if (live != 0)
		wsk_host_dump_sockets(h, NULL);
	else {
		rte_mempool_free(h->sock_mp);
		rte_mempool_free(h->op_mp);
		rte_mempool_free(h->ind_mp);
		pthread_mutex_destroy(&h->bind_lock);
		free(h);
	}
	return live;
}

void
wsk_host_stats(const struct wsk_host *h, struct wsk_host_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->sockets_live = rte_mempool_in_use_count(h->sock_mp);
	out->ops_live = rte_mempool_in_use_count(h->op_mp);
	out->inds_live = rte_mempool_in_use_count(h->ind_mp);
	out->sockets_created = atomic_load(&h->st.sockets_created);
	out->irps_completed = atomic_load(&h->st.irps_completed);
	out->irps_cancelled = atomic_load(&h->st.irps_cancelled);
	out->sends_zero_copy = atomic_load(&h->st.sends_zero_copy);
	out->sends_copied = atomic_load(&h->st.sends_copied);
	out->recv_indicated_bytes = atomic_load(&h->st.recv_ind_bytes);
	out->recv_copied_bytes = atomic_load(&h->st.recv_copy_bytes);
	out->pool_exhausted = atomic_load(&h->st.pool_exhausted);
	out->ring_retries = atomic_load(&h->st.ring_retries);
}
