/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dispatcher objects and waits: notification and synchronization events
 * with several waiters, relative / absolute / zero timeouts,
 * KeWaitForMultipleObjects any and all, a 100k set/wait ping-pong (no lost
 * wakeups), waits refused at DISPATCH_LEVEL, mutexes, semaphores, system
 * thread objects signalled at exit, timers with DPCs, work items, fast
 * mutexes, spin locks and SLISTs under contention.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <ntddk.h>
#include <wskstack_nt.h>

#include "nt_check.h"

#define WAITERS 4

static KEVENT ev;
static volatile LONG woke;

static LARGE_INTEGER ms_relative(LONG ms)
{
	LARGE_INTEGER t;

	t.QuadPart = -(LONGLONG)ms * 10000;
	return t;
}

static ULONGLONG now_ms(void)
{
	return KeQueryInterruptTime() / 10000;
}

static void sleep_ms(LONG ms)
{
	LARGE_INTEGER t = ms_relative(ms);

	KeDelayExecutionThread(KernelMode, FALSE, &t);
}

static void *waiter(void *arg)
{
	NTSTATUS st = KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);

	(void)arg;
	if (st == STATUS_SUCCESS)
		InterlockedIncrement(&woke);
	return NULL;
}

static void wait_for_woke(LONG n)
{
	ULONGLONG end = now_ms() + 5000;

	while (woke < n && now_ms() < end)
		sleep_ms(1);
}

static void test_notification(void)
{
	pthread_t t[WAITERS];
	int i;

	woke = 0;
	KeInitializeEvent(&ev, NotificationEvent, FALSE);
	for (i = 0; i < WAITERS; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	sleep_ms(50);
	NT_CHECK_EQ(woke, 0);
	NT_CHECK_EQ(KeSetEvent(&ev, IO_NO_INCREMENT, FALSE), 0);
	for (i = 0; i < WAITERS; i++)
		pthread_join(t[i], NULL);
	NT_CHECK_EQ(woke, WAITERS);
	NT_CHECK_EQ(KeReadStateEvent(&ev), 1); /* stays signalled */
	NT_CHECK_EQ(KeSetEvent(&ev, IO_NO_INCREMENT, FALSE), 1);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
	NT_CHECK_EQ(KeResetEvent(&ev), 1);
	NT_CHECK_EQ(KeResetEvent(&ev), 0);
	KeSetEvent(&ev, 0, FALSE);
	KeClearEvent(&ev);
	NT_CHECK_EQ(KeReadStateEvent(&ev), 0);
}

static void test_synchronization(void)
{
	pthread_t t[WAITERS];
	LARGE_INTEGER zero = { .QuadPart = 0 };
	int i;

	woke = 0;
	KeInitializeEvent(&ev, SynchronizationEvent, FALSE);
	for (i = 0; i < WAITERS; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	sleep_ms(50);
	NT_CHECK_EQ(woke, 0);
	KeSetEvent(&ev, IO_NO_INCREMENT, FALSE);
	wait_for_woke(1);
	sleep_ms(50);
	NT_CHECK_EQ(woke, 1); /* exactly one waiter released */
	NT_CHECK_EQ(KeReadStateEvent(&ev), 0);
	for (i = 1; i < WAITERS; i++) {
		KeSetEvent(&ev, IO_NO_INCREMENT, FALSE);
		wait_for_woke(i + 1);
		NT_CHECK_EQ(woke, i + 1);
	}
	for (i = 0; i < WAITERS; i++)
		pthread_join(t[i], NULL);
	NT_CHECK_EQ(KeReadStateEvent(&ev), 0);
	/* Without waiters a set is remembered once and consumed by one wait. */
	KeSetEvent(&ev, IO_NO_INCREMENT, FALSE);
	KeSetEvent(&ev, IO_NO_INCREMENT, FALSE);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
}

static void test_timeouts(void)
{
	LARGE_INTEGER t, zero = { .QuadPart = 0 };
	ULONGLONG start, took;

	KeInitializeEvent(&ev, NotificationEvent, FALSE);
	start = now_ms();
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
	NT_CHECK(now_ms() - start < 50);
	t = ms_relative(100);
	start = now_ms();
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
	took = now_ms() - start;
	NT_CHECK(took >= 99 && took < 2000);
	KeQuerySystemTime(&t);
	t.QuadPart += 60 * 10000; /* absolute: 60 ms from now */
	start = now_ms();
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
	took = now_ms() - start;
	NT_CHECK(took >= 55 && took < 2000);
	KeQuerySystemTime(&t);
	t.QuadPart -= 10000000; /* absolute, in the past: a poll */
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
	KeSetEvent(&ev, 0, FALSE);
	t = ms_relative(1000);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
}

static KEVENT multi[3];

static void *set_multi_1(void *arg)
{
	(void)arg;
	sleep_ms(20);
	KeSetEvent(&multi[1], 0, FALSE);
	return NULL;
}

static void test_multiple(void)
{
	PVOID objs[3] = { &multi[0], &multi[1], &multi[2] };
	KWAIT_BLOCK blocks[3];
	LARGE_INTEGER zero = { .QuadPart = 0 }, t = ms_relative(2000);
	pthread_t th;
	int i;

	for (i = 0; i < 3; i++)
		KeInitializeEvent(&multi[i], SynchronizationEvent, FALSE);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &zero,
					     blocks), STATUS_TIMEOUT);
	KeSetEvent(&multi[2], 0, FALSE);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &zero,
					     NULL), STATUS_WAIT_0 + 2);
	NT_CHECK_EQ(KeReadStateEvent(&multi[2]), 0);
	pthread_create(&th, NULL, set_multi_1, NULL);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &t,
					     blocks), STATUS_WAIT_1);
	pthread_join(th, NULL);
	/* WaitAll: nothing is consumed until every object is signalled. */
	KeSetEvent(&multi[0], 0, FALSE);
	KeSetEvent(&multi[1], 0, FALSE);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &zero,
					     blocks), STATUS_TIMEOUT);
	NT_CHECK_EQ(KeReadStateEvent(&multi[0]), 1);
	KeSetEvent(&multi[2], 0, FALSE);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &t,
					     blocks), STATUS_SUCCESS);
	for (i = 0; i < 3; i++)
		NT_CHECK_EQ(KeReadStateEvent(&multi[i]), 0);
	/* A blocked WaitAll finishes when the last object arrives from another thread. */
	KeSetEvent(&multi[0], 0, FALSE);
	KeSetEvent(&multi[2], 0, FALSE);
	pthread_create(&th, NULL, set_multi_1, NULL);
	NT_CHECK_EQ(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &t,
					     blocks), STATUS_SUCCESS);
	pthread_join(th, NULL);
	NT_CHECK_EQ(KeWaitForMultipleObjects(0, objs, WaitAll, Executive, KernelMode, FALSE, &t,
					     blocks), STATUS_INVALID_PARAMETER);
}

/* ---- ping-pong: every set must wake the other side ---------------------------------- */

#define PINGPONG_ROUNDS 100000

static KEVENT ping, pong;

static void *ponger(void *arg)
{
	int i, bad = 0;

	(void)arg;
	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		if (KeWaitForSingleObject(&ping, Executive, KernelMode, FALSE, NULL) != STATUS_SUCCESS)
			bad++;
		KeSetEvent(&pong, 0, FALSE);
	}
	return (void *)(intptr_t)bad;
}

static void test_pingpong(void)
{
	LARGE_INTEGER t = ms_relative(10000);
	int i, timeouts = 0;
	void *bad;
	pthread_t th;
	ULONGLONG start = now_ms();

	KeInitializeEvent(&ping, SynchronizationEvent, FALSE);
	KeInitializeEvent(&pong, SynchronizationEvent, FALSE);
	pthread_create(&th, NULL, ponger, NULL);
	for (i = 0; i < PINGPONG_ROUNDS && timeouts == 0; i++) {
		KeSetEvent(&ping, 0, FALSE);
		if (KeWaitForSingleObject(&pong, Executive, KernelMode, FALSE, &t) != STATUS_SUCCESS)
			timeouts++;
	}
	NT_CHECK_EQ(timeouts, 0);
	if (timeouts == 0) {
		pthread_join(th, &bad);
		NT_CHECK_EQ((intptr_t)bad, 0);
	}
	printf("ping-pong: %d rounds in %llu ms\n", i, (unsigned long long)(now_ms() - start));
}

/* ---- DISPATCH_LEVEL ---------------------------------------------------------------------- */

static void test_dispatch_refused(void)
{
	LONG refused = WskstackNtDispatchWaitsRefused();
	LARGE_INTEGER zero = { .QuadPart = 0 }, t = ms_relative(10);
	KSPIN_LOCK lock;
	KIRQL old;

	KeInitializeEvent(&ev, NotificationEvent, FALSE);
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	NT_CHECK_EQ(old, PASSIVE_LEVEL);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL),
		    STATUS_INVALID_DEVICE_STATE);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t),
		    STATUS_INVALID_DEVICE_STATE);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
	NT_CHECK_EQ(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_INVALID_DEVICE_STATE);
	KeLowerIrql(old);
	NT_CHECK_EQ(WskstackNtDispatchWaitsRefused(), refused + 3);
	/* Holding a spin lock is DISPATCH_LEVEL too. */
	KeInitializeSpinLock(&lock);
	KeAcquireSpinLock(&lock, &old);
	NT_CHECK_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL),
		    STATUS_INVALID_DEVICE_STATE);
	KeReleaseSpinLock(&lock, old);
	NT_CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
	/* The provider's lcore hook. */
	WskstackNtSetThreadIrql(DISPATCH_LEVEL);
	NT_CHECK_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
	KeSetEvent(&ev, 0, FALSE); /* setting is fine at DISPATCH_LEVEL */
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL),
		    STATUS_INVALID_DEVICE_STATE);
	WskstackNtSetThreadIrql(PASSIVE_LEVEL);
	NT_CHECK_EQ(WskstackNtDispatchWaitsRefused(), refused + 5);
	NT_CHECK_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
}

/* ---- mutexes, semaphores ------------------------------------------------------------------- */

#define COUNT_ROUNDS 20000

static KMUTEX mutex;
static LONG shared_count;

static void *mutex_worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < COUNT_ROUNDS; i++) {
		KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL);
		shared_count++;
		KeReleaseMutex(&mutex, FALSE);
	}
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t1, t2;

	KeInitializeMutex(&mutex, 0);
	NT_CHECK_EQ(KeReadStateMutex(&mutex), 1);
	NT_CHECK_EQ(KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
	NT_CHECK_EQ(KeReadStateMutex(&mutex), -1); /* owned twice (recursive) */
	KeReleaseMutex(&mutex, FALSE);
	KeReleaseMutex(&mutex, FALSE);
	NT_CHECK_EQ(KeReadStateMutex(&mutex), 1);
	shared_count = 0;
	pthread_create(&t1, NULL, mutex_worker, NULL);
	pthread_create(&t2, NULL, mutex_worker, NULL);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	NT_CHECK_EQ(shared_count, 2 * COUNT_ROUNDS);
	NT_CHECK_EQ(KeReadStateMutex(&mutex), 1);
}

static void test_semaphore(void)
{
	KSEMAPHORE sem;
	LARGE_INTEGER zero = { .QuadPart = 0 };

	KeInitializeSemaphore(&sem, 0, 2);
	NT_CHECK_EQ(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
	NT_CHECK_EQ(KeReleaseSemaphore(&sem, 0, 2, FALSE), 0);
	NT_CHECK_EQ(KeReadStateSemaphore(&sem), 2);
	NT_CHECK_EQ(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
	KeReleaseSemaphore(&sem, 0, 1, FALSE);
	NT_CHECK_EQ(KeReleaseSemaphore(&sem, 0, 2, FALSE), 1); /* over the limit: refused */
	NT_CHECK_EQ(KeReadStateSemaphore(&sem), 1);
}

/* ---- system threads -------------------------------------------------------------------------- */

static KEVENT thread_go;
static KIRQL thread_irql = 0xff;
static PKTHREAD thread_self;
static KSTART_ROUTINE thread_main;
static KSTART_ROUTINE thread_terminates;

static VOID thread_main(PVOID Context)
{
	thread_irql = KeGetCurrentIrql();
	thread_self = KeGetCurrentThread();
	*(int *)Context = 1;
	KeWaitForSingleObject(&thread_go, Executive, KernelMode, FALSE, NULL);
}

static VOID thread_terminates(PVOID Context)
{
	*(int *)Context = 2;
	PsTerminateSystemThread(STATUS_SUCCESS);
	*(int *)Context = 3; /* never reached */
}

static void test_system_thread(void)
{
	LARGE_INTEGER zero = { .QuadPart = 0 }, t = ms_relative(5000);
	HANDLE h;
	PVOID obj = NULL;
	int ran = 0;

	KeInitializeEvent(&thread_go, NotificationEvent, FALSE);
	NT_CHECK_EQ(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, thread_main, &ran),
		    STATUS_SUCCESS);
	NT_CHECK_EQ(ObReferenceObjectByHandle(h, SYNCHRONIZE, *PsThreadType, KernelMode, &obj, NULL),
		    STATUS_SUCCESS);
	NT_CHECK_EQ(ZwClose(h), STATUS_SUCCESS);
	NT_CHECK_EQ(ZwClose(h), STATUS_INVALID_HANDLE);
	NT_CHECK_EQ(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
	KeSetEvent(&thread_go, 0, FALSE);
	NT_CHECK_EQ(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
	NT_CHECK_EQ(ran, 1);
	NT_CHECK_EQ(thread_irql, PASSIVE_LEVEL);
	NT_CHECK(thread_self == obj);
	NT_CHECK(KeGetCurrentThread() != obj);
	ObDereferenceObject(obj);

	NT_CHECK_EQ(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, thread_terminates,
					 &ran), STATUS_SUCCESS);
	NT_CHECK_EQ(ObReferenceObjectByHandle(h, SYNCHRONIZE, NULL, KernelMode, &obj, NULL),
		    STATUS_SUCCESS);
	NT_CHECK_EQ(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK_EQ(ran, 2);
	ObDereferenceObject(obj);
	ZwClose(h);
	NT_CHECK_EQ(ObReferenceObjectByHandle(h, SYNCHRONIZE, NULL, KernelMode, &obj, NULL),
		    STATUS_INVALID_HANDLE);
}

/* ---- timers, DPCs, work items ----------------------------------------------------------------- */

static KIRQL dpc_irql = 0xff;
static volatile LONG dpc_runs;
static KEVENT dpc_done;
static KDEFERRED_ROUTINE test_dpc_routine;

static VOID test_dpc_routine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
	(void)Dpc;
	(void)A1;
	(void)A2;
	dpc_irql = KeGetCurrentIrql();
	InterlockedIncrement(&dpc_runs);
	KeSetEvent(Context, 0, FALSE);
}

static void test_timer_dpc(void)
{
	KTIMER timer;
	KDPC dpc;
	LARGE_INTEGER due = ms_relative(30), t = ms_relative(5000);
	ULONGLONG start = now_ms();

	KeInitializeEvent(&dpc_done, NotificationEvent, FALSE);
	KeInitializeDpc(&dpc, test_dpc_routine, &dpc_done);
	KeInitializeTimer(&timer);
	NT_CHECK(KeSetTimer(&timer, due, &dpc) == FALSE);
	NT_CHECK(!KeReadStateTimer(&timer));
	NT_CHECK_EQ(KeWaitForSingleObject(&timer, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK(now_ms() - start >= 29);
	NT_CHECK_EQ(KeWaitForSingleObject(&dpc_done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK_EQ(dpc_irql, DISPATCH_LEVEL);
	NT_CHECK_EQ(dpc_runs, 1);
	NT_CHECK(KeReadStateTimer(&timer));
	/* A cancelled timer never fires. */
	due = ms_relative(20);
	KeSetTimer(&timer, due, NULL);
	NT_CHECK(KeCancelTimer(&timer) == TRUE);
	NT_CHECK(KeCancelTimer(&timer) == FALSE);
	due = ms_relative(60);
	NT_CHECK_EQ(KeWaitForSingleObject(&timer, Executive, KernelMode, FALSE, &due), STATUS_TIMEOUT);
	/* A queued DPC: inserted once until it runs. */
	KeClearEvent(&dpc_done);
	NT_CHECK(KeInsertQueueDpc(&dpc, NULL, NULL) == TRUE);
	NT_CHECK_EQ(KeWaitForSingleObject(&dpc_done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK(WskstackNtDrain(5000));
	NT_CHECK_EQ(dpc_runs, 2);
}

static KEVENT work_done;
static KIRQL work_irql = 0xff;
static IO_WORKITEM_ROUTINE test_work_routine;

static VOID test_work_routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
	(void)DeviceObject;
	work_irql = KeGetCurrentIrql();
	*(int *)Context += 1;
	KeSetEvent(&work_done, 0, FALSE);
}

static void test_work_item(void)
{
	LARGE_INTEGER t = ms_relative(5000);
	PIO_WORKITEM w = IoAllocateWorkItem(NULL);
	int runs = 0;

	NT_CHECK(w != NULL);
	KeInitializeEvent(&work_done, SynchronizationEvent, FALSE);
	IoQueueWorkItem(w, test_work_routine, DelayedWorkQueue, &runs);
	NT_CHECK_EQ(KeWaitForSingleObject(&work_done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK(WskstackNtDrain(5000));
	NT_CHECK_EQ(runs, 1);
	NT_CHECK_EQ(work_irql, PASSIVE_LEVEL);
	IoQueueWorkItem(w, test_work_routine, DelayedWorkQueue, &runs);
	NT_CHECK_EQ(KeWaitForSingleObject(&work_done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
	NT_CHECK(WskstackNtDrain(5000));
	NT_CHECK_EQ(runs, 2);
	IoFreeWorkItem(w);
}

/* ---- fast mutex, spin lock, SLIST under two threads ------------------------------------------ */

static FAST_MUTEX fmutex;
static volatile LONG spin_count;
static KSPIN_LOCK slock;
static DECLSPEC_ALIGN(16) SLIST_HEADER slist;

struct slist_item {
	SLIST_ENTRY entry;
	int value;
};

static void *lock_worker(void *arg)
{
	struct slist_item *items = arg;
	int i;

	for (i = 0; i < COUNT_ROUNDS; i++) {
		KIRQL old;

		ExAcquireFastMutex(&fmutex);
		shared_count++;
		ExReleaseFastMutex(&fmutex);
		KeAcquireSpinLock(&slock, &old);
		spin_count++; /* its own counter: the two locks protect different data */
		KeReleaseSpinLock(&slock, old);
	}
	for (i = 0; i < 1000; i++)
		InterlockedPushEntrySList(&slist, &items[i].entry);
	return NULL;
}

static void test_locks(void)
{
	static struct slist_item items[2][1000];
	pthread_t t1, t2;
	PSLIST_ENTRY e;
	int n = 0;

	ExInitializeFastMutex(&fmutex);
	KeInitializeSpinLock(&slock);
	InitializeSListHead(&slist);
	shared_count = 0;
	spin_count = 0;
	pthread_create(&t1, NULL, lock_worker, items[0]);
	pthread_create(&t2, NULL, lock_worker, items[1]);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	NT_CHECK_EQ(shared_count, 2 * COUNT_ROUNDS);
	NT_CHECK_EQ(spin_count, 2 * COUNT_ROUNDS);
	NT_CHECK_EQ(QueryDepthSList(&slist), 2000);
	while (n < 10 && InterlockedPopEntrySList(&slist) != NULL)
		n++;
	NT_CHECK_EQ(QueryDepthSList(&slist), 1990);
	for (e = InterlockedFlushSList(&slist); e != NULL; e = e->Next)
		n++;
	NT_CHECK_EQ(n, 2000);
	NT_CHECK_EQ(QueryDepthSList(&slist), 0);
	NT_CHECK(InterlockedPopEntrySList(&slist) == NULL);
	NT_CHECK(ExTryToAcquireFastMutex(&fmutex));
	NT_CHECK_EQ(KeGetCurrentIrql(), APC_LEVEL);
	ExReleaseFastMutex(&fmutex);
	NT_CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

int main(void)
{
	test_notification();
	test_synchronization();
	test_timeouts();
	test_multiple();
	test_pingpong();
	test_dispatch_refused();
	test_mutex();
	test_semaphore();
	test_system_thread();
	test_timer_dpc();
	test_work_item();
	test_locks();
	NT_CHECK_EQ(WskstackNtPoolLive(), 0);
	return nt_check_done();
}
