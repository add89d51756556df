/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WSK provider's spine: hosts, client registration and NPI capture,
 * operations (an IRP taken by the provider), the request path to a
 * socket's home lcore, the completion path back (inline or through the
 * client's completion ring and thread), cancellation, and the dispatch
 * tables.
 */
#include <errno.h>
#include <sched.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "wsk_priv.h"

/* ---------------------------------------------------------------------------
 * Hosts and the threads that poll them
 */

static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hosts_cond = PTHREAD_COND_INITIALIZER;
static struct wsk_host *hosts[WSK_MAX_HOSTS];
static atomic_uint host_seq;

#define WSK_TLS_MAX 8
static __thread struct {
	struct wsk_host *h[WSK_TLS_MAX];
	unsigned int idx[WSK_TLS_MAX];
	unsigned int n;
	unsigned int selected;          /* WskstackSelectHost() */
} tls;

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
	pthread_mutex_lock(&hosts_lock);
	if (hosts[index] == NULL) {
		hosts[index] = h;
		h->index = (int)index;
		rc = 0;
		pthread_cond_broadcast(&hosts_cond);
	}
	pthread_mutex_unlock(&hosts_lock);
	return rc;
}

void
wsk_host_unpublish(struct wsk_host *h)
{
	pthread_mutex_lock(&hosts_lock);
	if (h->index >= 0 && hosts[h->index] == h)
		hosts[h->index] = NULL;
	h->index = -1;
	pthread_cond_broadcast(&hosts_cond);
	pthread_mutex_unlock(&hosts_lock);
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
static void
dump_sockets(struct wsk_host *h, const struct wsk_client *cl)
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
		dump_sockets(h, NULL);
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

/* ---------------------------------------------------------------------------
 * Completion context: one thread per client registration empties the
 * client's completion ring. It spins briefly when the ring runs dry, then
 * sleeps on a futex that producers wake.
 */

#define WSK_CQ_SIZE   65536u  /* also the cap on a client's IRPs in flight */
#define WSK_CQ_SPIN   4096

static void
futex_wait(atomic_int *w, int val, long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	syscall(SYS_futex, (int *)w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void
futex_wake(atomic_int *w)
{
	syscall(SYS_futex, (int *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void *
cq_main(void *arg)
{
	struct wsk_client *cl = arg;
	void *irps[32];
	unsigned int n, i, spins = 0;

	for (;;) {
		n = rte_ring_sc_dequeue_burst(cl->cq, irps, RTE_DIM(irps), NULL);
		if (n > 0) {
			spins = 0;
			for (i = 0; i < n; i++) {
				IoCompleteRequest((PIRP)irps[i], IO_NO_INCREMENT);
				atomic_fetch_sub(&cl->irps, 1);
			}
			continue;
		}
		if (atomic_load(&cl->cq_stop))
			break;
		if (++spins < WSK_CQ_SPIN) {
			rte_pause();
			continue;
		}
		atomic_store(&cl->cq_sleeping, 1);
		if (rte_ring_count(cl->cq) == 0 && !atomic_load(&cl->cq_stop))
			futex_wait(&cl->cq_sleeping, 1, 50 * 1000 * 1000L);
		atomic_store(&cl->cq_sleeping, 0);
		spins = 0;
	}
	return NULL;
}

void
wsk_thread_unpin(pthread_t th)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	/* Threads made from an lcore inherit its single CPU: let the scheduler
	 * place completion and driver threads anywhere instead. */
	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	pthread_setaffinity_np(th, sizeof(set), &set);
}

static int
cq_start(struct wsk_client *cl)
{
	char name[RTE_RING_NAMESIZE];
	static atomic_uint seq;

	if (cl->cq_running)
		return 0;
	snprintf(name, sizeof(name), "wskcq%u", atomic_fetch_add(&seq, 1));
	cl->cq = rte_ring_create(name, WSK_CQ_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (cl->cq == NULL)
		return -1;
	if (pthread_create(&cl->cq_thread, NULL, cq_main, cl) != 0) {
		rte_ring_free(cl->cq);
		cl->cq = NULL;
		return -1;
	}
	pthread_setname_np(cl->cq_thread, "wsk-complete");
	wsk_thread_unpin(cl->cq_thread);
	cl->cq_running = true;
	return 0;
}

static void
cq_stop(struct wsk_client *cl)
{
	if (!cl->cq_running)
		return;
	atomic_store(&cl->cq_stop, true);
	futex_wake(&cl->cq_sleeping);
	pthread_join(cl->cq_thread, NULL);
	rte_ring_free(cl->cq);
	cl->cq = NULL;
	cl->cq_running = false;
}

/* ---------------------------------------------------------------------------
 * Registration (exported functions)
 */

/* Every registered client, so the host can stop their completion threads
 * at shutdown even if a driver never deregistered. */
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wsk_client *clients[256];

static void
clients_add(struct wsk_client *cl)
{
	unsigned int i;

	pthread_mutex_lock(&clients_lock);
	for (i = 0; i < RTE_DIM(clients); i++) {
		if (clients[i] == NULL) {
			clients[i] = cl;
			break;
		}
	}
	pthread_mutex_unlock(&clients_lock);
}

static void
clients_del(struct wsk_client *cl)
{
	unsigned int i;

	pthread_mutex_lock(&clients_lock);
	for (i = 0; i < RTE_DIM(clients); i++)
		if (clients[i] == cl)
			clients[i] = NULL;
	pthread_mutex_unlock(&clients_lock);
}

void
wsk_clients_quiesce(void)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&clients_lock);
	for (i = 0; i < RTE_DIM(clients); i++) {
		struct wsk_client *cl = clients[i];

		if (cl == NULL)
			continue;
		n++;
		pthread_mutex_lock(&cl->lock);
		cq_stop(cl);
		pthread_mutex_unlock(&cl->lock);
	}
	pthread_mutex_unlock(&clients_lock);
	if (n != 0)
		fprintf(stderr, "wskstack: %u WSK client registration(s) never deregistered: their "
			"completion threads were stopped\n", n);
}

struct wsk_client *
wsk_client_of_reg(PWSK_REGISTRATION r)
{
	struct wsk_client *cl;

	if (r == NULL)
		return NULL;
	cl = r->ReservedRegistrationContext;
	return cl != NULL && cl->magic == WSK_CLIENT_MAGIC ? cl : NULL;
}

struct wsk_client *
wsk_client_of(PWSK_CLIENT c)
{
	struct wsk_client *cl = c;

	return cl != NULL && cl->magic == WSK_CLIENT_MAGIC ? cl : NULL;
}

NTSTATUS
WskRegister(PWSK_CLIENT_NPI WskClientNpi, PWSK_REGISTRATION WskRegistration)
{
	struct wsk_client *cl;

	if (WskClientNpi == NULL || WskRegistration == NULL || WskClientNpi->Dispatch == NULL)
		return STATUS_INVALID_PARAMETER;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	cl->magic = WSK_CLIENT_MAGIC;
	cl->dispatch = WskClientNpi->Dispatch;
	cl->context = WskClientNpi->ClientContext;
	cl->version = WskClientNpi->Dispatch->Version;
	cl->host_index = tls.selected;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->cond, NULL);
	InitializeListHead(&cl->tl_change);
	memset(WskRegistration, 0, sizeof(*WskRegistration));
	WskRegistration->ReservedRegistrationContext = cl;
	clients_add(cl);
	return STATUS_SUCCESS;
}

#define WSK_VERSION_SUPPORTED MAKE_WSK_VERSION(1, 0)

static NTSTATUS capture(struct wsk_client *cl, ULONG WaitTimeout,
			PWSK_PROVIDER_NPI WskProviderNpi);

NTSTATUS
WskCaptureProviderNPI(PWSK_REGISTRATION WskRegistration, ULONG WaitTimeout,
		      PWSK_PROVIDER_NPI WskProviderNpi)
{
	struct wsk_client *cl = wsk_client_of_reg(WskRegistration);

	if (cl == NULL || WskProviderNpi == NULL)
		return STATUS_INVALID_PARAMETER;
	if (WSK_MAJOR_VERSION(cl->version) != WSK_MAJOR_VERSION(WSK_VERSION_SUPPORTED) ||
	    cl->version < WSK_VERSION_SUPPORTED)
		return STATUS_NOINTERFACE;
	/* A call in progress: WskDeregister waits for it before freeing cl. */
	atomic_fetch_add(&cl->calls, 1);
	{
		NTSTATUS st = capture(cl, WaitTimeout, WskProviderNpi);

		atomic_fetch_sub(&cl->calls, 1);
		return st;
	}
}

static NTSTATUS
capture(struct wsk_client *cl, ULONG WaitTimeout, PWSK_PROVIDER_NPI WskProviderNpi)
{
	struct wsk_host *h;
	struct timespec dl;

	if (WaitTimeout != WSK_NO_WAIT && KeGetCurrentIrql() > PASSIVE_LEVEL) {
		fprintf(stderr, "wskstack: WskCaptureProviderNPI with a wait above PASSIVE_LEVEL: "
			"treated as WSK_NO_WAIT\n");
		WaitTimeout = WSK_NO_WAIT;
	}
	clock_gettime(CLOCK_REALTIME, &dl);
	if (WaitTimeout != WSK_INFINITE_WAIT) {
		dl.tv_sec += WaitTimeout / 1000;
		dl.tv_nsec += (long)(WaitTimeout % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&hosts_lock);
	for (;;) {
		h = cl->host_index < WSK_MAX_HOSTS ? hosts[cl->host_index] : NULL;
		if (atomic_load(&cl->deregistering)) {
			h = NULL;
			break;
		}
		if (h != NULL || WaitTimeout == WSK_NO_WAIT)
			break;
		if (WaitTimeout == WSK_INFINITE_WAIT)
			pthread_cond_wait(&hosts_cond, &hosts_lock);
		else if (pthread_cond_timedwait(&hosts_cond, &hosts_lock, &dl) == ETIMEDOUT) {
			h = cl->host_index < WSK_MAX_HOSTS ? hosts[cl->host_index] : NULL;
			break;
		}
	}
	if (h != NULL) {
		if (cl->host != NULL && cl->host != h)
			h = NULL; /* the host this client used went away and another took its slot */
		else {
			cl->host = h;
			atomic_fetch_add(&cl->captures, 1);
		}
	}
	pthread_mutex_unlock(&hosts_lock);
	if (h == NULL)
		return STATUS_DEVICE_NOT_READY;
	pthread_mutex_lock(&cl->lock);
	if (cq_start(cl) != 0) {
		pthread_mutex_unlock(&cl->lock);
		atomic_fetch_sub(&cl->captures, 1);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	pthread_mutex_unlock(&cl->lock);
	WskProviderNpi->Client = cl;
	WskProviderNpi->Dispatch = &wsk_provider_dispatch;
	return STATUS_SUCCESS;
}

VOID
WskReleaseProviderNPI(PWSK_REGISTRATION WskRegistration)
{
	struct wsk_client *cl = wsk_client_of_reg(WskRegistration);

	if (cl == NULL || atomic_load(&cl->captures) <= 0) {
		fprintf(stderr, "wskstack: WskReleaseProviderNPI without a captured NPI\n");
		return;
	}
	atomic_fetch_sub(&cl->captures, 1);
}

NTSTATUS
WskQueryProviderCharacteristics(PWSK_REGISTRATION WskRegistration,
				PWSK_PROVIDER_CHARACTERISTICS WskProviderCharacteristics)
{
	struct wsk_client *cl = wsk_client_of_reg(WskRegistration);

	if (cl == NULL || WskProviderCharacteristics == NULL)
		return STATUS_INVALID_PARAMETER;
	if (atomic_load(&cl->deregistering))
		return STATUS_DEVICE_NOT_READY;
	WskProviderCharacteristics->HighestVersion = WSK_VERSION_SUPPORTED;
	WskProviderCharacteristics->LowestVersion = WSK_VERSION_SUPPORTED;
	return STATUS_SUCCESS;
}

VOID
WskDeregister(PWSK_REGISTRATION WskRegistration)
{
	struct wsk_client *cl = wsk_client_of_reg(WskRegistration);
	unsigned int waited_ms = 0;

	if (cl == NULL)
		return;
	atomic_store(&cl->deregistering, true);
	pthread_mutex_lock(&hosts_lock);
	pthread_cond_broadcast(&hosts_cond); /* blocked captures return DEVICE_NOT_READY */
	pthread_mutex_unlock(&hosts_lock);
	wsk_client_cancel_tl_change(cl);
	/* Wait for NPIs, sockets, calls and IRPs: these are changed on lcores,
	 * which never take a lock, so this thread polls. */
	while (atomic_load(&cl->captures) > 0 || atomic_load(&cl->sockets) > 0 ||
	       atomic_load(&cl->calls) > 0 || atomic_load(&cl->irps) > 0) {
		struct timespec ts = { 0, 1000000L };

		nanosleep(&ts, NULL);
		if (++waited_ms == 10000)
			fprintf(stderr, "wskstack: WskDeregister still waiting after 10 s: %d NPIs, "
				"%d sockets, %d calls, %d IRPs outstanding\n",
				atomic_load(&cl->captures), atomic_load(&cl->sockets),
				atomic_load(&cl->calls), atomic_load(&cl->irps));
		if (waited_ms == 10000)
			dump_sockets(cl->host, cl);
	}
	clients_del(cl);
	cq_stop(cl);
	cl->magic = 0;
	pthread_mutex_destroy(&cl->lock);
	pthread_cond_destroy(&cl->cond);
	free(cl);
	WskRegistration->ReservedRegistrationContext = NULL;
}

/* ---------------------------------------------------------------------------
 * Operations
 */

NTSTATUS
wsk_op_begin(struct wsk_client *cl, struct wsk_sock *s, PIRP irp, uint8_t code,
	     struct wsk_op **out)
{
	struct wsk_host *h = s != NULL ? s->host : cl->host;
	PIO_STACK_LOCATION loc;
	struct wsk_op *op;
	void *obj;

	*out = NULL;
	if (irp == NULL)
		return STATUS_INVALID_PARAMETER;
	loc = WskstackNtIrpEnter(irp);
	if (loc == NULL) {
		fprintf(stderr, "wskstack: IRP %p has no stack location left for the provider "
			"(allocate it with IoAllocateIrp(1, ...) at least)\n", (void *)irp);
		return STATUS_INVALID_PARAMETER;
	}
	if (h == NULL || atomic_load(&cl->irps) >= (int)(WSK_CQ_SIZE - 1) ||
	    rte_mempool_get(h->op_mp, &obj) != 0) {
		if (h != NULL)
			atomic_fetch_add(&h->st.pool_exhausted, 1);
		irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
		irp->IoStatus.Information = 0;
		IoCompleteRequest(irp, IO_NO_INCREMENT);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	op = obj;
	memset(op, 0, offsetof(struct wsk_op, u));
	op->code = code;
	op->s = s;
	op->cl = cl;
	op->irp = irp;
	op->offlcore = s != NULL ? !wsk_on_lcore(s->host, s->home) : true;
	atomic_init(&op->refs, 1);
	loc->Parameters.Others.Argument1 = op;
	loc->Parameters.Others.Argument2 = h;
	atomic_fetch_add(&cl->irps, 1);
	if (s != NULL) {
		wsk_sock_get(s);
		atomic_fetch_add(&s->ops, 1);
	}
	*out = op;
	return STATUS_SUCCESS;
}

struct wsk_op *
wsk_op_new(struct wsk_sock *s, uint8_t code)
{
	struct wsk_op *op;
	void *obj;

	if (rte_mempool_get(s->host->op_mp, &obj) != 0) {
		atomic_fetch_add(&s->host->st.pool_exhausted, 1);
		return NULL;
	}
	op = obj;
	memset(op, 0, offsetof(struct wsk_op, u));
	op->code = code;
	op->s = s;
	op->cl = s->cl;
	op->offlcore = !wsk_on_lcore(s->host, s->home);
	atomic_init(&op->refs, 1);
	wsk_sock_get(s);
	atomic_fetch_add(&s->ops, 1);
	return op;
}

void
wsk_op_free(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	struct wsk_host *h = s != NULL ? s->host : op->cl->host;

	rte_mempool_put(h->op_mp, op);
	if (s != NULL) {
		if (atomic_fetch_sub(&s->ops, 1) == 2 && s->closing)
			wsk_sock_close_check_post(s);
		wsk_sock_put(s);
	}
}

NTSTATUS
wsk_irp_fail(PIRP irp, NTSTATUS st)
{
	if (irp == NULL || WskstackNtIrpEnter(irp) == NULL)
		return st;
	irp->IoStatus.Status = st;
	irp->IoStatus.Information = 0;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	return st;
}

void
wsk_op_complete(struct wsk_op *op, NTSTATUS status, ULONG_PTR info)
{
	struct wsk_client *cl = op->cl;
	struct wsk_sock *s = op->s;
	struct wsk_host *h = s != NULL ? s->host : cl->host;
	PIRP irp = op->irp;

	if (irp == NULL) {
		op->status = status;
		op->info = info;
		if (op->done != NULL) {
			atomic_int *done = op->done;

			/* A synchronous caller waits on *done and frees the op itself. */
			atomic_store_explicit(done, 1, memory_order_release);
			futex_wake(done);
			return;
		}
		wsk_op_free(op);
		return;
	}
	irp->IoStatus.Status = status;
	irp->IoStatus.Information = info;
	atomic_fetch_add(&h->st.irps_completed, 1);
	if (status == STATUS_CANCELLED)
		atomic_fetch_add(&h->st.irps_cancelled, 1);
	/* The IRP goes first, the op after: freeing the op may finish a close
	 * waiting for it, and the close IRP must complete after this one. The
	 * op's socket reference also keeps the socket alive while a completion
	 * routine closes it. */
	if (op->offlcore) {
		while (rte_ring_mp_enqueue(cl->cq, irp) != 0)
			rte_pause(); /* cannot happen: irps is capped below the ring size */
		if (atomic_load(&cl->cq_sleeping))
			futex_wake(&cl->cq_sleeping);
	} else {
		IoCompleteRequest(irp, IO_NO_INCREMENT);
		atomic_fetch_sub(&cl->irps, 1);
	}
	wsk_op_free(op);
}

struct wsk_post_msg {
	struct wsk_op *op;
};

void
wsk_op_trampoline(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;

	RTE_SET_USED(in);
	op->fn(op);
}

int
wsk_post(struct wsk_host *h, unsigned int idx, stk_req_fn fn, void *arg)
{
	unsigned int tries = 0;

	while (stk_inst_post(h->in[idx], fn, arg) != 0) {
		atomic_fetch_add(&h->st.ring_retries, 1);
		if (wsk_on_lcore(h, idx)) {
			/* Our own ring is full and we cannot wait for ourselves. */
			fn(h->in[idx], arg);
			return 0;
		}
		if (++tries > 200000)
			return -1;
		if (tries < 64)
			rte_pause();
		else
			usleep(5);
	}
	return 0;
}

NTSTATUS
wsk_op_dispatch(struct wsk_op *op, wsk_op_fn fn)
{
	op->fn = fn;
	IoMarkIrpPending(op->irp);
	if (!op->offlcore) {
		fn(op);
		return STATUS_PENDING;
	}
	if (wsk_post(op->s->host, op->s->home, wsk_op_trampoline, op) != 0)
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
	return STATUS_PENDING;
}

NTSTATUS
wsk_op_dispatch_to(struct wsk_op *op, unsigned int idx, wsk_op_fn fn)
{
	struct wsk_host *h = op->s->host;

	op->fn = fn;
	if (op->irp != NULL)
		IoMarkIrpPending(op->irp);
	op->offlcore = !wsk_on_lcore(h, idx);
	if (!op->offlcore) {
		fn(op);
		return STATUS_PENDING;
	}
	if (wsk_post(h, idx, wsk_op_trampoline, op) != 0)
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
	return STATUS_PENDING;
}

NTSTATUS
wsk_op_run_sync(struct wsk_op *op, wsk_op_fn fn)
{
	atomic_int done = 0;
	NTSTATUS st;

	op->fn = fn;
	op->done = &done;
	if (!op->offlcore) {
		fn(op);
	} else if (wsk_post(op->s->host, op->s->home, wsk_op_trampoline, op) != 0) {
		op->status = STATUS_INSUFFICIENT_RESOURCES;
		done = 1;
	}
	while (!atomic_load_explicit(&done, memory_order_acquire)) {
		if (KeGetCurrentIrql() >= DISPATCH_LEVEL)
			rte_pause();
		else
			futex_wait(&done, 0, 1000000L);
	}
	st = op->status;
	wsk_op_free(op);
	return st;
}

/* ---- queues and cancellation ---- */

static struct wsk_op_q *
op_queue_of(struct wsk_op *op)
{
	switch (op->q) {
	case WSK_Q_RECV:
		return &op->s->recv_q;
	case WSK_Q_ACCEPT:
		return &op->s->accept_q;
	case WSK_Q_RFROM:
		return &op->s->rfrom_q;
	case WSK_Q_DISABLE:
		return &op->s->disable_q;
	default:
		return NULL;
	}
}

static void
cancel_run(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_op_q *q = op_queue_of(op);

	RTE_SET_USED(in);
	if (q != NULL) {
		TAILQ_REMOVE(q, op, link);
		if (op->q == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
		op->q = WSK_Q_NONE;
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return;
	}
	if (op->finished) {
		/* It ended while the cancel was on its way: report how it ended. */
		wsk_op_complete(op, op->status, op->info);
		return;
	}
	if (op->q == WSK_Q_STACK) {
		wsk_tcp_cancel(op);
		return;
	}
	wsk_op_complete(op, STATUS_CANCELLED, 0);
}

static VOID
cancel_routine(PDEVICE_OBJECT dev, PIRP irp)
{
	PIO_STACK_LOCATION loc = IoGetCurrentIrpStackLocation(irp);
	struct wsk_op *op = loc->Parameters.Others.Argument1;

	RTE_SET_USED(dev);
	IoReleaseCancelSpinLock(irp->CancelIrql);
	op->cancel_claimed = true;
	/* Always through the ring, even on the home lcore: the caller may be
	 * inside this socket's code (a completion routine cancelling a sibling). */
	while (stk_inst_post(op->s->host->in[op->s->home], cancel_run, op) != 0) {
		if (wsk_on_lcore(op->s->host, op->s->home)) {
			cancel_run(NULL, op);
			return;
		}
		usleep(5);
	}
}

bool
wsk_op_queue(struct wsk_op *op, struct wsk_op_q *q, uint8_t qid)
{
	TAILQ_INSERT_TAIL(q, op, link);
	op->q = qid;
	if (qid == WSK_Q_ACCEPT)
		atomic_fetch_add(&op->s->accept_irps, 1);
	IoSetCancelRoutine(op->irp, cancel_routine);
	if (op->irp->Cancel && IoSetCancelRoutine(op->irp, NULL) != NULL) {
		/* Cancelled before the routine was set: nobody else will complete it. */
		TAILQ_REMOVE(q, op, link);
		if (qid == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
		op->q = WSK_Q_NONE;
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return false;
	}
	return true;
}

bool
wsk_op_arm_stack(struct wsk_op *op)
{
	if (op->irp == NULL)
		return true;
	op->q = WSK_Q_STACK;
	IoSetCancelRoutine(op->irp, cancel_routine);
	if (op->irp->Cancel && IoSetCancelRoutine(op->irp, NULL) != NULL) {
		op->q = WSK_Q_NONE;
		return false;
	}
	return true;
}

bool
wsk_op_disarm_stack(struct wsk_op *op)
{
	if (op->irp == NULL || op->cancelling)
		return true;
	if (IoSetCancelRoutine(op->irp, NULL) == NULL) {
		op->cancel_claimed = true;
		return false;
	}
	op->q = WSK_Q_NONE;
	return true;
}

bool
wsk_op_unqueue(struct wsk_op *op)
{
	struct wsk_op_q *q = op_queue_of(op);

	if (op->irp != NULL && IoSetCancelRoutine(op->irp, NULL) == NULL) {
		op->cancel_claimed = true;
		return false;
	}
	if (q != NULL) {
		TAILQ_REMOVE(q, op, link);
		if (op->q == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
	}
	op->q = WSK_Q_NONE;
	return true;
}

/* ---------------------------------------------------------------------------
 * Sockets: allocation and references
 */

struct wsk_sock *
wsk_sock_alloc(struct wsk_host *h, struct wsk_client *cl, unsigned int home, uint8_t kind)
{
	struct wsk_sock *s;
	void *obj;

	if (rte_mempool_get(h->sock_mp, &obj) != 0) {
		atomic_fetch_add(&h->st.pool_exhausted, 1);
		return NULL;
	}
	s = obj;
	memset(s, 0, sizeof(*s));
	s->magic = WSK_SOCK_MAGIC;
	s->host = h;
	s->cl = cl;
	s->home = home;
	s->in = h->in[home];
	s->kind = kind;
	s->state = WSK_S_OPEN;
	switch (kind) {
	case WSK_KIND_LISTEN:
		s->pub.Dispatch = &wsk_listen_dispatch;
		break;
	case WSK_KIND_DATAGRAM:
		s->pub.Dispatch = &wsk_datagram_dispatch;
		break;
	case WSK_KIND_CONNECTION:
		s->pub.Dispatch = &wsk_connection_dispatch;
		break;
	case WSK_KIND_STREAM:
		s->pub.Dispatch = &wsk_stream_dispatch;
		break;
	default:
		s->pub.Dispatch = &wsk_basic_dispatch;
		break;
	}
	TAILQ_INIT(&s->disable_q);
	TAILQ_INIT(&s->recv_q);
	TAILQ_INIT(&s->accept_q);
	TAILQ_INIT(&s->rfrom_q);
	TAILQ_INIT(&s->backlog);
	s->backlog_max = 128;
	atomic_init(&s->refs, 1);
	atomic_fetch_add(&cl->sockets, 1);
	atomic_store(&cl->socket_made, true);
	atomic_fetch_add(&h->st.sockets_created, 1);
	return s;
}

void
wsk_sock_get(struct wsk_sock *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void
wsk_sock_put(struct wsk_sock *s)
{
	struct wsk_client *cl;

	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	cl = s->cl;
	s->magic = 0;
	rte_mempool_put(s->host->sock_mp, s);
	atomic_fetch_sub(&cl->sockets, 1);
}

/* ---------------------------------------------------------------------------
 * Addresses, status codes, buffers
 */

NTSTATUS
wsk_addr_in(const SOCKADDR *sa, rte_be32_t *addr, rte_be16_t *port)
{
	const SOCKADDR_IN *sin = (const SOCKADDR_IN *)sa;

	if (sa == NULL)
		return STATUS_INVALID_PARAMETER;
	if (sa->sa_family == AF_INET6)
		return STATUS_INVALID_ADDRESS_COMPONENT; /* no IPv6 yet */
	if (sa->sa_family != AF_INET)
		return STATUS_INVALID_ADDRESS_COMPONENT;
	*addr = sin->sin_addr.s_addr;
	*port = sin->sin_port;
	return STATUS_SUCCESS;
}

void
wsk_addr_out(PSOCKADDR sa, rte_be32_t addr, rte_be16_t port)
{
	SOCKADDR_IN *sin = (SOCKADDR_IN *)sa;

	if (sa == NULL)
		return;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = port;
	sin->sin_addr.s_addr = addr;
}

NTSTATUS
wsk_status_of(int err)
{
	switch (err) {
	case 0:
		return STATUS_SUCCESS;
	case STK_EINVAL:
		return STATUS_INVALID_PARAMETER;
	case STK_ENOMEM:
	case STK_EAGAIN:
		return STATUS_INSUFFICIENT_RESOURCES;
	case STK_EADDRINUSE:
		return STATUS_ADDRESS_ALREADY_EXISTS;
	case STK_ENOROUTE:
		return STATUS_NETWORK_UNREACHABLE;
	case STK_EMSGSIZE:
		return STATUS_INVALID_BUFFER_SIZE;
	case STK_ENOTCONN:
	case STK_ESTATE:
		return STATUS_INVALID_DEVICE_STATE;
	case STK_ENOENT:
		return STATUS_NOT_FOUND;
	case STK_EADDRNOTAVAIL:
		return STATUS_INVALID_ADDRESS_COMPONENT;
	case STK_TCP_ECONNREFUSED:
		return STATUS_CONNECTION_REFUSED;
	case STK_TCP_ECONNRESET:
		return STATUS_CONNECTION_RESET;
	case STK_TCP_ETIMEDOUT:
		return STATUS_IO_TIMEOUT;
	case STK_TCP_ECONNABORTED:
		return STATUS_CONNECTION_ABORTED;
	case STK_TCP_EUNREACH:
		return STATUS_HOST_UNREACHABLE;
	case STK_TCP_ECANCELED:
		return STATUS_CANCELLED;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

bool
wsk_buf_valid(const WSK_BUF *b)
{
	SIZE_T have;
	PMDL m;

	if (b == NULL)
		return false;
	if (b->Length == 0)
		return true;
	if (b->Mdl == NULL || b->Offset > MmGetMdlByteCount(b->Mdl))
		return false;
	have = MmGetMdlByteCount(b->Mdl) - b->Offset;
	for (m = b->Mdl->Next; m != NULL && have < b->Length; m = m->Next)
		have += MmGetMdlByteCount(m);
	return have >= b->Length;
}

void
wsk_copy_to_buf(const WSK_BUF *b, SIZE_T boff, const struct rte_mbuf *m, uint32_t moff,
		uint32_t len)
{
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset + boff;

	while (mdl != NULL && off >= MmGetMdlByteCount(mdl)) {
		off -= MmGetMdlByteCount(mdl);
		mdl = mdl->Next;
	}
	while (m != NULL && moff >= m->data_len) {
		moff -= m->data_len;
		m = m->next;
	}
	while (len > 0 && mdl != NULL && m != NULL) {
		uint8_t *dst = (uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		uint32_t n = RTE_MIN((SIZE_T)len, MmGetMdlByteCount(mdl) - off);

		n = RTE_MIN(n, (uint32_t)m->data_len - moff);
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, moff), n);
		len -= n;
		off += n;
		moff += n;
		if (off == MmGetMdlByteCount(mdl)) {
			mdl = mdl->Next;
			off = 0;
		}
		if (moff == m->data_len) {
			m = m->next;
			moff = 0;
		}
	}
}

void
wsk_copy_from_buf(const WSK_BUF *b, SIZE_T boff, void *dst, SIZE_T len)
{
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset + boff;
	uint8_t *d = dst;

	while (mdl != NULL && off >= MmGetMdlByteCount(mdl)) {
		off -= MmGetMdlByteCount(mdl);
		mdl = mdl->Next;
	}
	while (len > 0 && mdl != NULL) {
		const uint8_t *src =
			(const uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		SIZE_T n = RTE_MIN(len, MmGetMdlByteCount(mdl) - off);

		memcpy(d, src, n);
		d += n;
		len -= n;
		mdl = mdl->Next;
		off = 0;
	}
}

/* ---------------------------------------------------------------------------
 * The address table (WskBind): sharing rules of "Sharing transport addresses"
 */

enum share { SH_OK, SH_INUSE, SH_DENIED };

/* [second's mode * 2 + second is specific][first's mode * 2 + first is specific];
 * modes: 0 default, 1 SO_REUSEADDR, 2 SO_EXCLUSIVEADDRUSE. The "access check"
 * cells resolve as denied: sockets carry the default security descriptor. */
static const uint8_t share_tab[6][6] = {
	/* default W */ { SH_INUSE, SH_OK, SH_INUSE, SH_OK, SH_INUSE, SH_OK },
	/* default S */ { SH_DENIED, SH_INUSE, SH_DENIED, SH_DENIED, SH_DENIED, SH_INUSE },
	/* reuse W   */ { SH_DENIED, SH_OK, SH_OK, SH_OK, SH_DENIED, SH_OK },
	/* reuse S   */ { SH_DENIED, SH_DENIED, SH_OK, SH_OK, SH_DENIED, SH_DENIED },
	/* excl W    */ { SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE },
	/* excl S    */ { SH_DENIED, SH_INUSE, SH_DENIED, SH_INUSE, SH_DENIED, SH_INUSE },
};

static unsigned int
share_row(bool reuse, bool excl, bool wildcard)
{
	return (excl ? 2u : reuse ? 1u : 0u) * 2u + (wildcard ? 0u : 1u);
}

static enum share
share_check(const struct wsk_host *h, uint8_t proto, rte_be32_t addr, rte_be16_t port,
	    bool reuse, bool excl)
{
	const struct wsk_bind_ent *e;
	bool wild = addr == 0;

	LIST_FOREACH(e, &h->binds, link) {
		enum share r;

		if (e->proto != proto || e->port != port)
			continue;
		if (!wild && !e->wildcard && e->addr != addr)
			continue; /* two different specific addresses never conflict */
		r = share_tab[share_row(reuse, excl, wild)][share_row(e->reuse, e->excl, e->wildcard)];
		if (r != SH_OK)
			return r;
	}
	return SH_OK;
}

NTSTATUS
wsk_bind_table_add(struct wsk_sock *s, uint8_t proto, rte_be32_t addr, rte_be16_t port)
{
	struct wsk_host *h = s->host;
	struct wsk_bind_ent *e;
	enum share r = SH_OK;
	unsigned int tries;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	pthread_mutex_lock(&h->bind_lock);
	if (port == 0) {
		/* Ephemeral: the first free port from a moving cursor, keeping
		 * port mod instances == home so unpredictable RSS still lands
		 * on the owner more often than not. */
		for (tries = 0; tries < 16384; tries++) {
			uint16_t p = h->next_eph;

			h->next_eph = h->next_eph >= 65535 ? 49152 : h->next_eph + 1;
			if (h->n > 1 && p % h->n != s->home)
				continue;
			if (share_check(h, proto, addr, rte_cpu_to_be_16(p), false, false) == SH_OK) {
				port = rte_cpu_to_be_16(p);
				break;
			}
		}
		if (port == 0) {
			pthread_mutex_unlock(&h->bind_lock);
			free(e);
			return STATUS_TOO_MANY_ADDRESSES;
		}
	} else {
		r = share_check(h, proto, addr, port, s->reuseaddr, s->exclusive);
	}
	if (r != SH_OK) {
		pthread_mutex_unlock(&h->bind_lock);
		free(e);
		return r == SH_INUSE ? STATUS_ADDRESS_ALREADY_EXISTS : STATUS_ACCESS_DENIED;
	}
	e->s = s;
	e->proto = proto;
	e->addr = addr;
	e->port = port;
	e->reuse = s->reuseaddr;
	e->excl = s->exclusive;
	e->wildcard = addr == 0;
	LIST_INSERT_HEAD(&h->binds, e, link);
	pthread_mutex_unlock(&h->bind_lock);
	s->bind_ent = e;
	s->laddr = addr;
	s->lport = port;
	s->wildcard = addr == 0;
	s->bound = true;
	return STATUS_SUCCESS;
}

void
wsk_bind_table_del(struct wsk_sock *s)
{
	struct wsk_bind_ent *e = s->bind_ent;

	if (e == NULL)
		return;
	pthread_mutex_lock(&s->host->bind_lock);
	LIST_REMOVE(e, link);
	pthread_mutex_unlock(&s->host->bind_lock);
	free(e);
	s->bind_ent = NULL;
}

/* ---------------------------------------------------------------------------
 * Dispatch tables
 */

const WSK_PROVIDER_DISPATCH wsk_provider_dispatch = {
	.Version = MAKE_WSK_VERSION(1, 0),
	.Reserved = 0,
	.WskSocket = wsk_socket,
	.WskSocketConnect = wsk_socket_connect,
	.WskControlClient = wsk_control_client,
	.WskGetAddressInfo = wsk_get_address_info,
	.WskFreeAddressInfo = wsk_free_address_info,
	.WskGetNameInfo = wsk_get_name_info,
};

const WSK_PROVIDER_BASIC_DISPATCH wsk_basic_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
};

const WSK_PROVIDER_LISTEN_DISPATCH wsk_listen_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskAccept = wsk_accept,
	.WskInspectComplete = wsk_inspect_complete,
	.WskGetLocalAddress = wsk_get_local_address,
};

const WSK_PROVIDER_DATAGRAM_DISPATCH wsk_datagram_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskSendTo = wsk_sendto,
	.WskReceiveFrom = wsk_receive_from,
	.WskRelease = wsk_release_dgram,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskSendMessages = wsk_send_messages,
};

const WSK_PROVIDER_CONNECTION_DISPATCH wsk_connection_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskConnect = wsk_connect,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskGetRemoteAddress = wsk_get_remote_address,
	.WskSend = wsk_send,
	.WskReceive = wsk_receive,
	.WskDisconnect = wsk_disconnect,
	.WskRelease = wsk_release_data,
	.WskConnectEx = wsk_connect_ex,
	.WskSendEx = wsk_send_ex,
	.WskReceiveEx = wsk_receive_ex,
};

const WSK_PROVIDER_STREAM_DISPATCH wsk_stream_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskAccept = wsk_accept,
	.WskConnect = wsk_connect,
	.WskListen = wsk_listen,
	.WskSend = wsk_send,
	.WskReceive = wsk_receive,
	.WskDisconnect = wsk_disconnect,
	.WskRelease = wsk_release_data,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskGetRemoteAddress = wsk_get_remote_address,
	.WskConnectEx = wsk_connect_ex,
	.WskSendEx = wsk_send_ex,
	.WskReceiveEx = wsk_receive_ex,
};
