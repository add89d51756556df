/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deferred work: DPCs and timers run on one "DPC thread" at
 * DISPATCH_LEVEL; work items (IoQueueWorkItem, ExQueueWorkItem) on two
 * PASSIVE_LEVEL worker threads. All three threads start on first use and
 * live until the process exits.
 *
 * Lock order: nt_ke_lock (DPC queue, timer list, work queue) before the
 * dispatcher lock; the dispatcher never takes nt_ke_lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

#define NT_WORKERS 2

static pthread_mutex_t nt_ke_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nt_dpc_cond;   /* DPC thread: new DPC or timer */
static pthread_cond_t nt_work_cond;  /* workers: new item */
static pthread_cond_t nt_idle_cond;  /* WskstackNtDrain */
static pthread_once_t nt_work_once = PTHREAD_ONCE_INIT;

static SINGLE_LIST_ENTRY nt_dpc_list; /* FIFO through KDPC.DpcListEntry */
static PSINGLE_LIST_ENTRY nt_dpc_last = &nt_dpc_list;
static ULONG nt_dpc_running;
static LIST_ENTRY nt_timers = { &nt_timers, &nt_timers }; /* sorted by DueTime */
static LIST_ENTRY nt_work_queue = { &nt_work_queue, &nt_work_queue };
static ULONG nt_work_running;

struct _IO_WORKITEM {
	WORK_QUEUE_ITEM Item;
	PDEVICE_OBJECT DeviceObject;
	PIO_WORKITEM_ROUTINE Routine;
	PIO_WORKITEM_ROUTINE_EX RoutineEx;
	PVOID Context;
	volatile LONG Queued;
};

static void *nt_dpc_thread(void *arg);
static void *nt_worker_thread(void *arg);

static void nt_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
}

static void nt_work_start(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	int i;

	nt_cond_init_monotonic(&nt_dpc_cond);
	nt_cond_init_monotonic(&nt_work_cond);
	nt_cond_init_monotonic(&nt_idle_cond);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, nt_dpc_thread, NULL) != 0)
		KeBugCheckEx(0x7F /* no DPC thread */, 0, 0, 0, 0);
	for (i = 0; i < NT_WORKERS; i++)
		if (pthread_create(&tid, &attr, nt_worker_thread, NULL) != 0)
			KeBugCheckEx(0x7F /* no worker thread */, 1, 0, 0, 0);
	pthread_attr_destroy(&attr);
}

static void nt_work_init(void)
{
	pthread_once(&nt_work_once, nt_work_start);
}

/* ---- DPCs ---------------------------------------------------------------------- */

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
	memset(Dpc, 0, sizeof(*Dpc));
	Dpc->Type = DpcObject;
	Dpc->Importance = MediumImportance;
	Dpc->DeferredRoutine = DeferredRoutine;
	Dpc->DeferredContext = DeferredContext;
}

VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
			     PVOID DeferredContext)
{
	KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
	Dpc->Importance = (UCHAR)Importance;
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
	Dpc->Number = (USHORT)Number;
}

/* nt_ke_lock held. */
static BOOLEAN nt_dpc_insert(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
	if (Dpc->DpcData != NULL)
		return FALSE;
	Dpc->SystemArgument1 = SystemArgument1;
	Dpc->SystemArgument2 = SystemArgument2;
	Dpc->DpcData = (PVOID)1;
	Dpc->DpcListEntry.Next = NULL;
	nt_dpc_last->Next = &Dpc->DpcListEntry;
	nt_dpc_last = &Dpc->DpcListEntry;
	pthread_cond_signal(&nt_dpc_cond);
	return TRUE;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
	BOOLEAN queued;

	nt_work_init();
	pthread_mutex_lock(&nt_ke_lock);
	queued = nt_dpc_insert(Dpc, SystemArgument1, SystemArgument2);
	pthread_mutex_unlock(&nt_ke_lock);
	return queued;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
	PSINGLE_LIST_ENTRY prev;
	BOOLEAN removed = FALSE;

	pthread_mutex_lock(&nt_ke_lock);
	for (prev = &nt_dpc_list; prev->Next != NULL; prev = prev->Next) {
		if (prev->Next == &Dpc->DpcListEntry) {
			prev->Next = Dpc->DpcListEntry.Next;
			if (nt_dpc_last == &Dpc->DpcListEntry)
				nt_dpc_last = prev;
			Dpc->DpcData = NULL;
			removed = TRUE;
			break;
		}
	}
	pthread_mutex_unlock(&nt_ke_lock);
	return removed;
}

VOID KeFlushQueuedDpcs(VOID)
{
	if (!WskstackNtDrain(MAXULONG))
		nt_log("KeFlushQueuedDpcs: DPC queue did not drain");
}

/* ---- timers ----------------------------------------------------------------------- */

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
	memset(Timer, 0, sizeof(*Timer));
	Timer->Header.Type = Type == NotificationTimer ? TimerNotificationObject
						       : TimerSynchronizationObject;
	Timer->Header.Size = sizeof(KTIMER) / sizeof(LONG);
	InitializeListHead(&Timer->Header.WaitListHead);
}

VOID KeInitializeTimer(PKTIMER Timer)
{
	KeInitializeTimerEx(Timer, NotificationTimer);
}

/* nt_ke_lock held. */
static BOOLEAN nt_timer_remove(PKTIMER Timer)
{
	if (Timer->TimerListEntry.Flink == NULL)
		return FALSE;
	RemoveEntryList(&Timer->TimerListEntry);
	Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
	return TRUE;
}

/* nt_ke_lock held. */
static void nt_timer_insert(PKTIMER Timer)
{
	PLIST_ENTRY e = nt_timers.Flink;

	while (e != &nt_timers &&
	       CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime.QuadPart <= Timer->DueTime.QuadPart)
		e = e->Flink;
	InsertTailList(e, &Timer->TimerListEntry); /* before e */
	pthread_cond_signal(&nt_dpc_cond);
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
	BOOLEAN was_set;

	nt_work_init();
	pthread_mutex_lock(&nt_ke_lock);
	was_set = nt_timer_remove(Timer);
	nt_disp_lock();
	Timer->Header.SignalState = 0;
	nt_disp_unlock();
	Timer->DueTime.QuadPart = DueTime.QuadPart == 0 ? nt_now_100ns()
							: nt_deadline_100ns(DueTime.QuadPart);
	Timer->Period = Period > 0 ? (ULONG)Period : 0;
	Timer->Dpc = Dpc;
	nt_timer_insert(Timer);
	pthread_mutex_unlock(&nt_ke_lock);
	return was_set;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
	return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
	BOOLEAN was_set;

	pthread_mutex_lock(&nt_ke_lock);
	was_set = nt_timer_remove(Timer);
	pthread_mutex_unlock(&nt_ke_lock);
	return was_set;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
	return __atomic_load_n(&Timer->Header.SignalState, __ATOMIC_SEQ_CST) > 0;
}

/* nt_ke_lock held: fires every timer due at now. */
static void nt_timers_expire(ULONGLONG now)
{
	while (!IsListEmpty(&nt_timers)) {
		PKTIMER t = CONTAINING_RECORD(nt_timers.Flink, KTIMER, TimerListEntry);
		LARGE_INTEGER due = { .QuadPart = (LONGLONG)t->DueTime.QuadPart };

		if (t->DueTime.QuadPart > now)
			break;
		nt_timer_remove(t);
		nt_disp_lock();
		t->Header.SignalState = 1;
		nt_disp_wake(&t->Header);
		nt_disp_unlock();
		if (t->Dpc != NULL)
			nt_dpc_insert(t->Dpc, (PVOID)(ULONG_PTR)due.LowPart,
				      (PVOID)(ULONG_PTR)(ULONG)due.HighPart);
		if (t->Period != 0) {
			t->DueTime.QuadPart += (ULONGLONG)t->Period * 10000ULL;
			if (t->DueTime.QuadPart < now)
				t->DueTime.QuadPart = now;
			nt_timer_insert(t);
		}
	}
}

static void *nt_dpc_thread(void *arg)
{
	(void)arg;
	WskstackNtSetThreadIrql(DISPATCH_LEVEL);
	pthread_mutex_lock(&nt_ke_lock);
	for (;;) {
		ULONGLONG now = nt_now_100ns();
		PKDPC dpc;

		nt_timers_expire(now);
		if (nt_dpc_list.Next == NULL) {
			pthread_cond_broadcast(&nt_idle_cond);
			if (IsListEmpty(&nt_timers)) {
				pthread_cond_wait(&nt_dpc_cond, &nt_ke_lock);
			} else {
				ULONGLONG due = CONTAINING_RECORD(nt_timers.Flink, KTIMER,
								  TimerListEntry)->DueTime.QuadPart;
				struct timespec ts = { .tv_sec = (time_t)(due / 10000000ULL),
						       .tv_nsec = (long)(due % 10000000ULL) * 100 };

				pthread_cond_timedwait(&nt_dpc_cond, &nt_ke_lock, &ts);
			}
			continue;
		}
		dpc = CONTAINING_RECORD(nt_dpc_list.Next, KDPC, DpcListEntry);
		nt_dpc_list.Next = dpc->DpcListEntry.Next;
		if (nt_dpc_last == &dpc->DpcListEntry)
			nt_dpc_last = &nt_dpc_list;
		dpc->DpcData = NULL;
		nt_dpc_running++;
		pthread_mutex_unlock(&nt_ke_lock);
		dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1,
				     dpc->SystemArgument2);
		if (KeGetCurrentIrql() != DISPATCH_LEVEL) {
			nt_log("DPC routine %p returned at IRQL %u", (void *)dpc->DeferredRoutine,
			       KeGetCurrentIrql());
			WskstackNtSetThreadIrql(DISPATCH_LEVEL);
		}
		pthread_mutex_lock(&nt_ke_lock);
		nt_dpc_running--;
	}
	return NULL;
}

/* ---- work items ----------------------------------------------------------------------- */

VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
	(void)QueueType;
	nt_work_init();
	pthread_mutex_lock(&nt_ke_lock);
	InsertTailList(&nt_work_queue, &WorkItem->List);
	pthread_cond_signal(&nt_work_cond);
	pthread_mutex_unlock(&nt_ke_lock);
}

static void *nt_worker_thread(void *arg)
{
	(void)arg;
	WskstackNtSetThreadIrql(PASSIVE_LEVEL);
	pthread_mutex_lock(&nt_ke_lock);
	for (;;) {
		PWORK_QUEUE_ITEM item;

		if (IsListEmpty(&nt_work_queue)) {
			pthread_cond_broadcast(&nt_idle_cond);
			pthread_cond_wait(&nt_work_cond, &nt_ke_lock);
			continue;
		}
		item = CONTAINING_RECORD(RemoveHeadList(&nt_work_queue), WORK_QUEUE_ITEM, List);
		item->List.Flink = NULL;
		nt_work_running++;
		pthread_mutex_unlock(&nt_ke_lock);
		/* The routine may free the item: it is not touched afterwards. */
		item->WorkerRoutine(item->Parameter);
		if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
			nt_log("work item routine %p returned at IRQL %u", (void *)item,
			       KeGetCurrentIrql());
			WskstackNtSetThreadIrql(PASSIVE_LEVEL);
		}
		pthread_mutex_lock(&nt_ke_lock);
		nt_work_running--;
	}
	return NULL;
}

static VOID nt_io_workitem_run(PVOID Parameter)
{
	PIO_WORKITEM w = Parameter;
	PIO_WORKITEM_ROUTINE routine = w->Routine;
	PIO_WORKITEM_ROUTINE_EX routine_ex = w->RoutineEx;
	PDEVICE_OBJECT dev = w->DeviceObject;
	PVOID context = w->Context;

	__atomic_store_n(&w->Queued, 0, __ATOMIC_SEQ_CST);
	if (routine_ex != NULL)
		routine_ex(dev, context, w);
	else
		routine(dev, context);
}

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
	PIO_WORKITEM w = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*w), 0x6b724f57 /* "WOrk" */);

	if (w != NULL)
		w->DeviceObject = DeviceObject;
	return w;
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
	if (__atomic_load_n(&IoWorkItem->Queued, __ATOMIC_SEQ_CST))
		nt_log("IoFreeWorkItem(%p): work item still queued", (void *)IoWorkItem);
	ExFreePool(IoWorkItem);
}

ULONG IoSizeofWorkItem(VOID)
{
	return sizeof(struct _IO_WORKITEM);
}

static void nt_io_workitem_queue(PIO_WORKITEM w, PIO_WORKITEM_ROUTINE r,
				 PIO_WORKITEM_ROUTINE_EX rx, PVOID Context)
{
	if (__atomic_exchange_n(&w->Queued, 1, __ATOMIC_SEQ_CST)) {
		nt_log("IoQueueWorkItem(%p): work item queued twice", (void *)w);
		KeBugCheckEx(0xE4 /* WORKER_INVALID */, 0, (ULONG_PTR)w, 0, 0);
	}
	w->Routine = r;
	w->RoutineEx = rx;
	w->Context = Context;
	ExInitializeWorkItem(&w->Item, nt_io_workitem_run, w);
	ExQueueWorkItem(&w->Item, DelayedWorkQueue);
}

VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
		     WORK_QUEUE_TYPE QueueType, PVOID Context)
{
	(void)QueueType;
	nt_io_workitem_queue(IoWorkItem, WorkerRoutine, NULL, Context);
}

VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
		       WORK_QUEUE_TYPE QueueType, PVOID Context)
{
	(void)QueueType;
	nt_io_workitem_queue(IoWorkItem, NULL, WorkerRoutine, Context);
}

BOOLEAN WskstackNtDrain(ULONG TimeoutMs)
{
	ULONGLONG deadline = nt_now_100ns() + (ULONGLONG)TimeoutMs * 10000ULL;
	BOOLEAN idle;

	nt_work_init();
	pthread_mutex_lock(&nt_ke_lock);
	for (;;) {
		idle = nt_dpc_list.Next == NULL && nt_dpc_running == 0 && IsListEmpty(&nt_work_queue) &&
		       nt_work_running == 0;
		if (idle || nt_now_100ns() >= deadline)
			break;
		struct timespec ts = { .tv_sec = (time_t)(deadline / 10000000ULL),
				       .tv_nsec = (long)(deadline % 10000000ULL) * 100 };

		if (TimeoutMs == MAXULONG)
			pthread_cond_wait(&nt_idle_cond, &nt_ke_lock);
		else
			pthread_cond_timedwait(&nt_idle_cond, &nt_ke_lock, &ts);
	}
	pthread_mutex_unlock(&nt_ke_lock);
	return idle;
}
