/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WskstackRun(): the "kernel" around a WSK driver. Brings the runtime up
 * from a profile, makes every polling lcore DISPATCH_LEVEL and the owner
 * of its instance, publishes the host, runs the driver's entry on a
 * PASSIVE_LEVEL thread, and takes everything down when it returns.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drv.h"
#include "wsk_priv.h"

static struct {
	struct drv_runtime *rt;
	struct wsk_host *h;
	PWSKSTACK_DRIVER_MAIN main;
	PVOID ctx;
	NTSTATUS result;
	pthread_t th;
	bool th_started;
	unsigned int nb_inst;
} run;

static atomic_int stop_req;

BOOLEAN
WskstackStopRequested(VOID)
{
	return atomic_load(&stop_req) != 0;
}

VOID
WskstackRequestStop(VOID)
{
	atomic_store(&stop_req, 1);
}

BOOLEAN
WskstackWaitForStop(ULONG Milliseconds)
{
	ULONG waited = 0;

	while (!WskstackStopRequested()) {
		struct timespec ts = { 0, 10 * 1000000L };

		if (Milliseconds != WSKSTACK_WAIT_FOREVER && waited >= Milliseconds)
			return FALSE;
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return TRUE;
}

ULONG
WskstackLcoreCount(VOID)
{
	return run.nb_inst;
}

static void
on_signal(int sig)
{
	(void)sig;
	if (atomic_fetch_add(&stop_req, 1) > 0 && run.rt != NULL)
		drv_runtime_stop(run.rt); /* second signal: stop the lcores now */
}

static void
inst_init(void *arg, struct stk_inst *in)
{
	(void)arg;
	wsk_host_lcore_enter(run.h, stk_inst_index(in));
}

static void
inst_fini(void *arg, struct stk_inst *in)
{
	(void)arg;
	wsk_host_lcore_leave(run.h, stk_inst_index(in));
}

static void *
driver_thread(void *arg)
{
	(void)arg;
	WskstackNtSetThreadIrql(PASSIVE_LEVEL);
	run.result = run.main(run.ctx);
	drv_runtime_stop(run.rt);
	return NULL;
}

static void
on_ready(struct drv_runtime *rt)
{
	(void)rt;
	wsk_host_publish(run.h, 0);
	if (pthread_create(&run.th, NULL, driver_thread, NULL) == 0) {
		pthread_setname_np(run.th, "wsk-driver");
		wsk_thread_unpin(run.th);
		run.th_started = true;
	} else {
		fprintf(stderr, "wskstack: cannot start the driver thread\n");
		run.result = STATUS_INSUFFICIENT_RESOURCES;
		drv_runtime_stop(run.rt);
	}
}

int
WskstackRun(const char *Profile, const char *Program, PWSKSTACK_DRIVER_MAIN Main, PVOID Context)
{
	struct drv_overrides ov = { 0 };
	struct drv_app app = { .inst_init = inst_init, .inst_fini = inst_fini };
	struct stk_inst *insts[WSK_MAX_INST];
	unsigned int i, live, leaked;
	char err[512];

	if (Main == NULL || Profile == NULL)
		return 2;
	memset(&run, 0, sizeof(run));
	run.main = Main;
	run.ctx = Context;
	run.result = STATUS_UNSUCCESSFUL;
	if (drv_runtime_init(Profile, Program != NULL ? Program : "wskstack", &ov, &run.rt, err,
			     sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		drv_runtime_close(run.rt);
		return 2;
	}
	run.nb_inst = drv_runtime_nb_inst(run.rt);
	if (run.nb_inst > WSK_MAX_INST) {
		fprintf(stderr, "wskstack: at most %u stack lcores for WSK\n", WSK_MAX_INST);
		drv_runtime_close(run.rt);
		return 2;
	}
	for (i = 0; i < run.nb_inst; i++)
		insts[i] = drv_runtime_inst(run.rt, i);
	run.h = wsk_host_create(insts, run.nb_inst, NULL);
	if (run.h == NULL) {
		fprintf(stderr, "wskstack: cannot create the WSK provider's pools\n");
		drv_runtime_close(run.rt);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	drv_runtime_run(run.rt, &app, on_ready);
	if (run.th_started)
		pthread_join(run.th, NULL);
	wsk_clients_quiesce(); /* no completion thread may outlive EAL's memory */
	wsk_host_unpublish(run.h);
	live = wsk_host_destroy(run.h);
	leaked = drv_runtime_close(run.rt);
	run.rt = NULL;
	if (!NT_SUCCESS(run.result))
		return 1;
	return live != 0 || leaked != 0 ? 3 : 0;
}
