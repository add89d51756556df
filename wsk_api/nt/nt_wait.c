/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dispatcher objects and waits.
 *
 * All object state lives in the caller's memory (DISPATCHER_HEADER): the
 * signal state and the list of wait blocks of the threads waiting on it.
 * One process-wide mutex, the dispatcher lock, guards every object, as the
 * dispatcher lock did in early NT. A waiting thread sleeps on its own
 * condition variable; whoever signals an object satisfies waiters directly
 * (consuming a synchronization event, a semaphore count or a mutex for
 * them) and wakes exactly those threads. So there are no lost wakeups, a
 * synchronization event releases one waiter, and a waiter never returns
 * without the object it was given.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

static pthread_mutex_t nt_dispatcher = PTHREAD_MUTEX_INITIALIZER;
static volatile LONG nt_waits_refused;

/* One per thread; referenced by its wait blocks while it waits. */
struct nt_waiter {
	pthread_cond_t cond;
	BOOLEAN cond_ready;
	BOOLEAN satisfied;
	WAIT_TYPE type;
	PKTHREAD thread;
	PKWAIT_BLOCK blocks;
	ULONG count;
	NTSTATUS status;
};

static __thread struct nt_waiter nt_self_waiter;

void nt_disp_lock(void)
{
	pthread_mutex_lock(&nt_dispatcher);
}

void nt_disp_unlock(void)
{
	pthread_mutex_unlock(&nt_dispatcher);
}

LONG WskstackNtDispatchWaitsRefused(void)
{
	return __atomic_load_n(&nt_waits_refused, __ATOMIC_SEQ_CST);
}

void nt_wait_refused(const char *function)
{
	__atomic_add_fetch(&nt_waits_refused, 1, __ATOMIC_SEQ_CST);
	nt_log("%s called at DISPATCH_LEVEL (a stack lcore, a DPC or a spin lock held): "
	       "refused with STATUS_INVALID_DEVICE_STATE", function);
}

/* ---- object state (dispatcher lock held) ------------------------------------- */

static BOOLEAN nt_is_signalled(PDISPATCHER_HEADER h, PKTHREAD thread)
{
	if (h->Type == MutantObject)
		return h->SignalState > 0 || ((PKMUTANT)h)->OwnerThread == thread;
	return h->SignalState > 0;
}

/* The side effect of a satisfied wait. */
static void nt_consume(PDISPATCHER_HEADER h, PKTHREAD thread)
{
	switch (h->Type) {
	case EventSynchronizationObject:
	case TimerSynchronizationObject:
		h->SignalState = 0;
		break;
	case SemaphoreObject:
		h->SignalState--;
		break;
	case MutantObject:
		h->SignalState--;
		((PKMUTANT)h)->OwnerThread = thread;
		break;
	default: /* notification events and timers, threads: stay signalled */
		break;
	}
}

static PDISPATCHER_HEADER nt_block_object(const struct nt_waiter *w, ULONG i)
{
	return (PDISPATCHER_HEADER)w->blocks[i].Object;
}

/* Satisfies w if it can be; sets w->status. */
static BOOLEAN nt_try_satisfy(struct nt_waiter *w)
{
	ULONG i;

	if (w->type == WaitAny) {
		for (i = 0; i < w->count; i++) {
			PDISPATCHER_HEADER h = nt_block_object(w, i);

			if (nt_is_signalled(h, w->thread)) {
				nt_consume(h, w->thread);
				w->status = STATUS_WAIT_0 + (NTSTATUS)i;
				return TRUE;
			}
		}
		return FALSE;
	}
	for (i = 0; i < w->count; i++)
		if (!nt_is_signalled(nt_block_object(w, i), w->thread))
			return FALSE;
	for (i = 0; i < w->count; i++)
		nt_consume(nt_block_object(w, i), w->thread);
	w->status = STATUS_SUCCESS;
	return TRUE;
}

static void nt_unlink_waiter(struct nt_waiter *w)
{
	ULONG i;

	for (i = 0; i < w->count; i++)
		RemoveEntryList(&w->blocks[i].WaitListEntry);
}

void nt_disp_wake(PDISPATCHER_HEADER Header)
{
	PLIST_ENTRY e;

restart:
	for (e = Header->WaitListHead.Flink; e != &Header->WaitListHead; e = e->Flink) {
		PKWAIT_BLOCK wb = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
		struct nt_waiter *w = wb->Thread;

		if (Header->SignalState <= 0)
			return;
		if (nt_try_satisfy(w)) {
			nt_unlink_waiter(w);
			w->satisfied = TRUE;
			pthread_cond_signal(&w->cond);
			goto restart; /* the list changed under us */
		}
	}
}

/* ---- waits ---------------------------------------------------------------------- */

static struct nt_waiter *nt_waiter_self(void)
{
	struct nt_waiter *w = &nt_self_waiter;

	if (!w->cond_ready) {
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&w->cond, &attr);
		pthread_condattr_destroy(&attr);
		w->cond_ready = TRUE;
	}
	w->thread = KeGetCurrentThread();
	return w;
}

static struct timespec nt_timespec_from_100ns(ULONGLONG t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 10000000ULL);
	ts.tv_nsec = (long)(t % 10000000ULL) * 100;
	return ts;
}

static NTSTATUS nt_wait(ULONG count, PVOID objects[], WAIT_TYPE type, PLARGE_INTEGER timeout,
			PKWAIT_BLOCK blocks, const char *function)
{
	BOOLEAN poll = timeout != NULL && timeout->QuadPart == 0;
	ULONGLONG deadline = 0;
	struct nt_waiter *w;
	ULONG i;

	if (!poll && KeGetCurrentIrql() >= DISPATCH_LEVEL) {
		nt_wait_refused(function);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (timeout != NULL && !poll)
		deadline = nt_deadline_100ns(timeout->QuadPart);
	w = nt_waiter_self();
	for (i = 0; i < count; i++) {
		PDISPATCHER_HEADER h = objects[i];

		blocks[i].Thread = w;
		blocks[i].Object = h;
		blocks[i].WaitKey = (USHORT)i;
		blocks[i].WaitType = (UCHAR)type;
	}
	w->blocks = blocks;
	w->count = count;
	w->type = type;
	w->satisfied = FALSE;

	nt_disp_lock();
	if (nt_try_satisfy(w)) {
		nt_disp_unlock();
		return w->status;
	}
	if (poll) {
		nt_disp_unlock();
		return STATUS_TIMEOUT;
	}
	for (i = 0; i < count; i++)
		InsertTailList(&((PDISPATCHER_HEADER)objects[i])->WaitListHead,
			       &blocks[i].WaitListEntry);
	while (!w->satisfied) {
		if (timeout == NULL) {
			pthread_cond_wait(&w->cond, &nt_dispatcher);
			continue;
		}
		struct timespec ts = nt_timespec_from_100ns(deadline);

		if (pthread_cond_timedwait(&w->cond, &nt_dispatcher, &ts) == ETIMEDOUT &&
		    !w->satisfied) {
			nt_unlink_waiter(w);
			w->status = STATUS_TIMEOUT;
			break;
		}
	}
	nt_disp_unlock();
	return w->status;
}

static BOOLEAN nt_is_waitable(PVOID Object)
{
	UCHAR type = ((PDISPATCHER_HEADER)Object)->Type;

	return type == EventNotificationObject || type == EventSynchronizationObject ||
	       type == MutantObject || type == SemaphoreObject || type == ThreadObject ||
	       type == ProcessObject || type == TimerNotificationObject ||
	       type == TimerSynchronizationObject;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
			       BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
	KWAIT_BLOCK block;

	(void)WaitReason;
	(void)WaitMode;
	(void)Alertable;
	if (Object == NULL || !nt_is_waitable(Object)) {
		nt_log("KeWaitForSingleObject(%p): not a dispatcher object", Object);
		return STATUS_INVALID_PARAMETER;
	}
	return nt_wait(1, &Object, WaitAny, Timeout, &block, "KeWaitForSingleObject");
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
				  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
				  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
				  PKWAIT_BLOCK WaitBlockArray)
{
	KWAIT_BLOCK local[MAXIMUM_WAIT_OBJECTS];
	ULONG i;

	(void)WaitReason;
	(void)WaitMode;
	(void)Alertable;
	if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS || (WaitType != WaitAll && WaitType != WaitAny))
		return STATUS_INVALID_PARAMETER;
	if (Count > THREAD_WAIT_OBJECTS && WaitBlockArray == NULL) {
		nt_log("KeWaitForMultipleObjects: %u objects need a WaitBlockArray", Count);
		return STATUS_INVALID_PARAMETER;
	}
	for (i = 0; i < Count; i++) {
		if (Object[i] == NULL || !nt_is_waitable(Object[i])) {
			nt_log("KeWaitForMultipleObjects: object %u (%p) is not a dispatcher object",
			       i, Object[i]);
			return STATUS_INVALID_PARAMETER;
		}
	}
	return nt_wait(Count, Object, WaitType, Timeout, WaitBlockArray ? WaitBlockArray : local,
		       "KeWaitForMultipleObjects");
}

/* ---- events ----------------------------------------------------------------------- */

static void nt_init_header(PDISPATCHER_HEADER h, UCHAR type, UCHAR size, LONG state)
{
	h->Lock = 0;
	h->Type = type;
	h->Size = size;
	h->SignalState = state;
	InitializeListHead(&h->WaitListHead);
}

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
	nt_init_header(&Event->Header,
		       Type == NotificationEvent ? EventNotificationObject : EventSynchronizationObject,
		       sizeof(KEVENT) / sizeof(LONG), State ? 1 : 0);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
	LONG old;

	(void)Increment;
	(void)Wait;
	nt_disp_lock();
	old = Event->Header.SignalState;
	if (old == 0) {
		Event->Header.SignalState = 1;
		nt_disp_wake(&Event->Header);
	}
	nt_disp_unlock();
	return old;
}

LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
	LONG old;

	(void)Increment;
	(void)Wait;
	nt_disp_lock();
	old = Event->Header.SignalState;
	if (old == 0) {
		Event->Header.SignalState = 1;
		nt_disp_wake(&Event->Header);
	}
	Event->Header.SignalState = 0;
	nt_disp_unlock();
	return old;
}

LONG KeResetEvent(PRKEVENT Event)
{
	LONG old;

	nt_disp_lock();
	old = Event->Header.SignalState;
	Event->Header.SignalState = 0;
	nt_disp_unlock();
	return old;
}

VOID KeClearEvent(PRKEVENT Event)
{
	__atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
	LONG state;

	/* Under the dispatcher lock: once a caller sees the event signalled it
	 * may free or reuse it, so KeSetEvent must be done with it by then. */
	nt_disp_lock();
	state = Event->Header.SignalState;
	nt_disp_unlock();
	return state;
}

/* ---- mutexes ---------------------------------------------------------------------- */

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
	(void)Level;
	nt_init_header(&Mutex->Header, MutantObject, sizeof(KMUTEX) / sizeof(LONG), 1);
	Mutex->OwnerThread = NULL;
	Mutex->Abandoned = FALSE;
	Mutex->ApcDisable = 1;
	InitializeListHead(&Mutex->MutantListEntry);
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
	PKTHREAD me = KeGetCurrentThread();
	LONG old;

	(void)Wait;
	nt_disp_lock();
	old = Mutex->Header.SignalState;
	if (Mutex->OwnerThread != me || old > 0) {
		nt_disp_unlock();
		nt_log("KeReleaseMutex(%p): mutex not owned by the caller (STATUS_MUTANT_NOT_OWNED)",
		       (void *)Mutex);
		return old;
	}
	if (++Mutex->Header.SignalState == 1) {
		Mutex->OwnerThread = NULL;
		nt_disp_wake(&Mutex->Header);
	}
	nt_disp_unlock();
	return old;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
	return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_SEQ_CST);
}

/* ---- semaphores ----------------------------------------------------------------------- */

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
	nt_init_header(&Semaphore->Header, SemaphoreObject, sizeof(KSEMAPHORE) / sizeof(LONG), Count);
	Semaphore->Limit = Limit;
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment,
			BOOLEAN Wait)
{
	LONG old;

	(void)Increment;
	(void)Wait;
	nt_disp_lock();
	old = Semaphore->Header.SignalState;
	if (Adjustment <= 0 || old > Semaphore->Limit - Adjustment) {
		nt_disp_unlock();
		nt_log("KeReleaseSemaphore(%p, %d): count %d would pass the limit %d "
		       "(STATUS_SEMAPHORE_LIMIT_EXCEEDED)",
		       (void *)Semaphore, Adjustment, old, Semaphore->Limit);
		return old;
	}
	Semaphore->Header.SignalState = old + Adjustment;
	nt_disp_wake(&Semaphore->Header);
	nt_disp_unlock();
	return old;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
	return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_SEQ_CST);
}
