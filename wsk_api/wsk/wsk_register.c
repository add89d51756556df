/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client registrations: WskRegister, WskCaptureProviderNPI,
 * WskReleaseProviderNPI, WskQueryProviderCharacteristics, WskDeregister,
 * and each registration's completion context (a thread emptying the
 * completion ring that lcores push finished IRPs onto).
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
 * Completion context: one thread per client registration empties the
 * client's completion ring. It spins briefly when the ring runs dry, then
 * sleeps on a futex that producers wake.
 */

#define WSK_CQ_SPIN   4096

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
			wsk_futex_wait(&cl->cq_sleeping, 1, 50 * 1000 * 1000L);
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
	wsk_futex_wake(&cl->cq_sleeping);
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
	cl->host_index = wsk_thread_selected_host();
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
	pthread_mutex_lock(&wsk_hosts_lock);
	for (;;) {
		h = cl->host_index < WSK_MAX_HOSTS ? wsk_hosts[cl->host_index] : NULL;
		if (atomic_load(&cl->deregistering)) {
			h = NULL;
			break;
		}
		if (h != NULL || WaitTimeout == WSK_NO_WAIT)
			break;
		if (WaitTimeout == WSK_INFINITE_WAIT)
			pthread_cond_wait(&wsk_hosts_cond, &wsk_hosts_lock);
		else if (pthread_cond_timedwait(&wsk_hosts_cond, &wsk_hosts_lock, &dl) == ETIMEDOUT) {
			h = cl->host_index < WSK_MAX_HOSTS ? wsk_hosts[cl->host_index] : NULL;
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
	pthread_mutex_unlock(&wsk_hosts_lock);
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
	pthread_mutex_lock(&wsk_hosts_lock);
	pthread_cond_broadcast(&wsk_hosts_cond); /* blocked captures return DEVICE_NOT_READY */
	pthread_mutex_unlock(&wsk_hosts_lock);
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
			wsk_host_dump_sockets(cl->host, cl);
	}
	clients_del(cl);
	cq_stop(cl);
	cl->magic = 0;
	pthread_mutex_destroy(&cl->lock);
	pthread_cond_destroy(&cl->cond);
	free(cl);
	WskRegistration->ReservedRegistrationContext = NULL;
}
