/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * System threads (pthreads), thread and process objects, handles, object
 * references, time and processor queries, delays.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

struct nt_process nt_system_process = {
	.Header = {
		.Type = ProcessObject,
		.SignalState = 0,
		.WaitListHead = { &nt_system_process.Header.WaitListHead,
				  &nt_system_process.Header.WaitListHead },
	},
	.Magic = NT_OBJECT_MAGIC,
};

static struct _OBJECT_TYPE *nt_type_thread = (struct _OBJECT_TYPE *)&nt_type_thread;
static struct _OBJECT_TYPE *nt_type_process = (struct _OBJECT_TYPE *)&nt_type_process;
static struct _OBJECT_TYPE *nt_type_event = (struct _OBJECT_TYPE *)&nt_type_event;
static struct _OBJECT_TYPE *nt_type_file = (struct _OBJECT_TYPE *)&nt_type_file;
static struct _OBJECT_TYPE *nt_type_semaphore = (struct _OBJECT_TYPE *)&nt_type_semaphore;
POBJECT_TYPE *PsThreadType = &nt_type_thread;
POBJECT_TYPE *PsProcessType = &nt_type_process;
POBJECT_TYPE *ExEventObjectType = &nt_type_event;
POBJECT_TYPE *IoFileObjectType = &nt_type_file;
POBJECT_TYPE *ExSemaphoreObjectType = &nt_type_semaphore;

static __thread struct nt_thread *nt_current;
static __thread struct nt_thread nt_foreign;
static volatile LONG64 nt_next_thread_id = 0x1000;

static void nt_thread_init(struct nt_thread *t, BOOLEAN system)
{
	t->Header.Type = ThreadObject;
	t->Header.Size = (UCHAR)(sizeof(*t) / sizeof(LONG));
	t->Header.SignalState = 0;
	InitializeListHead(&t->Header.WaitListHead);
	t->Magic = NT_OBJECT_MAGIC;
	t->System = system;
	t->RefCount = system ? 2 : 1; /* system: the running thread and its handle */
	t->Id = (ULONG_PTR)__atomic_fetch_add(&nt_next_thread_id, 4, __ATOMIC_SEQ_CST);
}

struct nt_thread *nt_thread_self(void)
{
	if (nt_current == NULL) {
		nt_thread_init(&nt_foreign, FALSE);
		nt_current = &nt_foreign;
	}
	return nt_current;
}

PKTHREAD KeGetCurrentThread(VOID)
{
	return (PKTHREAD)nt_thread_self();
}

PETHREAD PsGetCurrentThread(VOID)
{
	return (PETHREAD)nt_thread_self();
}

PEPROCESS PsGetCurrentProcess(VOID)
{
	return (PEPROCESS)&nt_system_process;
}

HANDLE PsGetCurrentThreadId(VOID)
{
	return (HANDLE)nt_thread_self()->Id;
}

HANDLE PsGetThreadId(PETHREAD Thread)
{
	return (HANDLE)((struct nt_thread *)Thread)->Id;
}

HANDLE PsGetCurrentProcessId(VOID)
{
	return (HANDLE)(ULONG_PTR)getpid();
}

BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
	return ((struct nt_thread *)Thread)->System;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
	(void)Thread;
	(void)Priority;
	return 8; /* priorities are the Linux scheduler's business */
}

KPROCESSOR_MODE ExGetPreviousMode(VOID)
{
	return KernelMode;
}

/* ---- object references ------------------------------------------------------------ */

static BOOLEAN nt_is_object(PVOID Object)
{
	struct nt_thread *t = Object;

	return Object != NULL && t->Magic == NT_OBJECT_MAGIC &&
	       (t->Header.Type == ThreadObject || t->Header.Type == ProcessObject);
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
	struct nt_thread *t = Object;

	if (!nt_is_object(Object)) {
		nt_log("ObReferenceObject(%p): not an object of this runtime", Object);
		return 0;
	}
	if (t->Header.Type == ThreadObject && t->System)
		return __atomic_add_fetch(&t->RefCount, 1, __ATOMIC_SEQ_CST);
	return 1;
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
	struct nt_thread *t = Object;
	LONG left;

	if (!nt_is_object(Object)) {
		nt_log("ObDereferenceObject(%p): not an object of this runtime", Object);
		return 0;
	}
	if (t->Header.Type != ThreadObject || !t->System)
		return 1;
	left = __atomic_sub_fetch(&t->RefCount, 1, __ATOMIC_SEQ_CST);
	if (left == 0) {
		t->Magic = 0;
		free(t);
	} else if (left < 0) {
		nt_log("ObDereferenceObject(%p): reference count below zero", Object);
	}
	return left;
}

/* ---- handles ------------------------------------------------------------------------ */

static pthread_mutex_t nt_handle_lock = PTHREAD_MUTEX_INITIALIZER;
static PVOID *nt_handles;
static ULONG nt_handle_cap;

HANDLE nt_handle_create(PVOID object)
{
	ULONG i;

	pthread_mutex_lock(&nt_handle_lock);
	for (i = 0; i < nt_handle_cap && nt_handles[i] != NULL; i++)
		;
	if (i == nt_handle_cap) {
		ULONG cap = nt_handle_cap ? nt_handle_cap * 2 : 64;
		PVOID *grown = realloc(nt_handles, cap * sizeof(PVOID));

		if (grown == NULL) {
			pthread_mutex_unlock(&nt_handle_lock);
			return NULL;
		}
		memset(grown + nt_handle_cap, 0, (cap - nt_handle_cap) * sizeof(PVOID));
		nt_handles = grown;
		nt_handle_cap = cap;
	}
	nt_handles[i] = object;
	pthread_mutex_unlock(&nt_handle_lock);
	return (HANDLE)(ULONG_PTR)((i + 1) * 4);
}

static LONG nt_handle_index(HANDLE handle)
{
	ULONG_PTR v = (ULONG_PTR)handle;

	if (v == 0 || (v & 3) != 0 || v / 4 > nt_handle_cap)
		return -1;
	return (LONG)(v / 4 - 1);
}

PVOID nt_handle_lookup(HANDLE handle)
{
	PVOID object = NULL;
	LONG i;

	pthread_mutex_lock(&nt_handle_lock);
	i = nt_handle_index(handle);
	if (i >= 0)
		object = nt_handles[i];
	if (object != NULL)
		ObfReferenceObject(object);
	pthread_mutex_unlock(&nt_handle_lock);
	return object;
}

PVOID nt_handle_remove(HANDLE handle)
{
	PVOID object = NULL;
	LONG i;

	pthread_mutex_lock(&nt_handle_lock);
	i = nt_handle_index(handle);
	if (i >= 0) {
		object = nt_handles[i];
		nt_handles[i] = NULL;
	}
	pthread_mutex_unlock(&nt_handle_lock);
	return object;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
				   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
				   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
	struct nt_thread *t;

	(void)AccessMode;
	*Object = NULL;
	if (Handle == NtCurrentThread()) {
		t = nt_thread_self();
		ObfReferenceObject(t);
	} else if (Handle == NtCurrentProcess()) {
		t = (struct nt_thread *)&nt_system_process;
	} else {
		t = nt_handle_lookup(Handle);
		if (t == NULL)
			return STATUS_INVALID_HANDLE;
	}
	if ((ObjectType != NULL && ObjectType != *PsThreadType && t->Header.Type == ThreadObject) ||
	    (ObjectType != NULL && ObjectType != *PsProcessType && t->Header.Type == ProcessObject)) {
		ObfDereferenceObject(t);
		return STATUS_OBJECT_TYPE_MISMATCH;
	}
	if (HandleInformation != NULL) {
		HandleInformation->HandleAttributes = 0;
		HandleInformation->GrantedAccess = DesiredAccess;
	}
	*Object = t;
	return STATUS_SUCCESS;
}

NTSTATUS ZwClose(HANDLE Handle)
{
	PVOID object = nt_handle_remove(Handle);

	if (object == NULL)
		return STATUS_INVALID_HANDLE;
	ObfDereferenceObject(object);
	return STATUS_SUCCESS;
}

NTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
	(void)PreviousMode;
	return ZwClose(Handle);
}

/* ---- system threads ---------------------------------------------------------------- */

static DECLSPEC_NORETURN void nt_thread_exit(struct nt_thread *t, NTSTATUS status)
{
	t->ExitStatus = status;
	nt_disp_lock();
	t->Header.SignalState = 1;
	nt_disp_wake(&t->Header);
	nt_disp_unlock();
	nt_current = NULL;
	ObfDereferenceObject(t);
	pthread_exit(NULL);
}

static void *nt_thread_main(void *arg)
{
	struct nt_thread *t = arg;

	nt_current = t;
	WskstackNtSetThreadIrql(PASSIVE_LEVEL);
	t->Start(t->Context);
	nt_thread_exit(t, STATUS_SUCCESS);
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
			      POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
			      PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
	struct nt_thread *t;
	pthread_attr_t attr;
	pthread_t tid;
	HANDLE h;
	int rc;

	(void)DesiredAccess;
	(void)ObjectAttributes;
	(void)ProcessHandle;
	if (ThreadHandle == NULL || StartRoutine == NULL)
		return STATUS_INVALID_PARAMETER;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	nt_thread_init(t, TRUE);
	t->Start = StartRoutine;
	t->Context = StartContext;
	h = nt_handle_create(t);
	if (h == NULL) {
		free(t);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (ClientId != NULL) {
		ClientId->UniqueProcess = PsGetCurrentProcessId();
		ClientId->UniqueThread = (HANDLE)t->Id;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, nt_thread_main, t);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		nt_handle_remove(h);
		free(t);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	*ThreadHandle = h;
	return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
	struct nt_thread *t = nt_thread_self();

	if (!t->System) {
		nt_log("PsTerminateSystemThread from a thread PsCreateSystemThread did not start");
		pthread_exit(NULL);
	}
	nt_thread_exit(t, ExitStatus);
}

/* ---- time ---------------------------------------------------------------------------- */

#define NT_EPOCH_DIFF_100NS 116444736000000000LL /* 1601-01-01 to 1970-01-01 */
#define NT_TIME_INCREMENT 156250                 /* 15.625 ms per tick, in 100 ns */

ULONGLONG nt_now_100ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ULONGLONG)ts.tv_sec * 10000000ULL + (ULONGLONG)ts.tv_nsec / 100;
}

static LONGLONG nt_system_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (LONGLONG)ts.tv_sec * 10000000LL + ts.tv_nsec / 100 + NT_EPOCH_DIFF_100NS;
}

ULONGLONG nt_deadline_100ns(LONGLONG timeout)
{
	ULONGLONG now = nt_now_100ns();

	if (timeout < 0)
		return now + (ULONGLONG)(-timeout);
	timeout -= nt_system_time(); /* absolute system time */
	return timeout > 0 ? now + (ULONGLONG)timeout : now;
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
	CurrentTime->QuadPart = nt_system_time();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
	CurrentTime->QuadPart = nt_system_time();
}

ULONGLONG KeQueryInterruptTime(VOID)
{
	return nt_now_100ns();
}

ULONGLONG KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp)
{
	ULONGLONG now = nt_now_100ns();

	if (QpcTimeStamp != NULL)
		*QpcTimeStamp = now;
	return now;
}

ULONGLONG KeQueryUnbiasedInterruptTime(VOID)
{
	return nt_now_100ns();
}

VOID KeQueryTickCount(PLARGE_INTEGER TickCount)
{
	TickCount->QuadPart = (LONGLONG)(nt_now_100ns() / NT_TIME_INCREMENT);
}

ULONG KeQueryTimeIncrement(VOID)
{
	return NT_TIME_INCREMENT;
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
	LARGE_INTEGER v;

	if (PerformanceFrequency != NULL)
		PerformanceFrequency->QuadPart = 10000000; /* 10 MHz, as on current Windows */
	v.QuadPart = (LONGLONG)nt_now_100ns();
	return v;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
				PLARGE_INTEGER Interval)
{
	ULONGLONG deadline;
	struct timespec ts;

	(void)WaitMode;
	(void)Alertable;
	if (Interval == NULL)
		return STATUS_INVALID_PARAMETER;
	if (Interval->QuadPart == 0) {
		sched_yield();
		return STATUS_SUCCESS;
	}
	if (KeGetCurrentIrql() >= DISPATCH_LEVEL) {
		nt_wait_refused("KeDelayExecutionThread");
		return STATUS_INVALID_DEVICE_STATE;
	}
	deadline = nt_deadline_100ns(Interval->QuadPart);
	ts.tv_sec = (time_t)(deadline / 10000000ULL);
	ts.tv_nsec = (long)(deadline % 10000000ULL) * 100;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
	return STATUS_SUCCESS;
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
	ULONGLONG end = nt_now_100ns() + (ULONGLONG)MicroSeconds * 10;

	while (nt_now_100ns() < end)
		YieldProcessor();
}

/* ---- processors ---------------------------------------------------------------------- */

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
	int cpu = sched_getcpu();

	if (cpu < 0)
		cpu = 0;
	if (ProcNumber != NULL) {
		ProcNumber->Group = 0;
		ProcNumber->Number = (UCHAR)cpu;
		ProcNumber->Reserved = 0;
	}
	return (ULONG)cpu;
}

ULONG KeGetCurrentProcessorNumber(VOID)
{
	return KeGetCurrentProcessorNumberEx(NULL);
}

ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (ActiveProcessors != NULL)
		*ActiveProcessors = n >= 64 ? ~(KAFFINITY)0 : (((KAFFINITY)1 << n) - 1);
	return (ULONG)n;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
	(void)GroupNumber;
	return KeQueryActiveProcessorCount(NULL);
}

ULONG KeQueryMaximumProcessorCount(VOID)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n < 1 ? 1 : (ULONG)n;
}

ULONG KeQueryMaximumProcessorCountEx(USHORT GroupNumber)
{
	(void)GroupNumber;
	return KeQueryMaximumProcessorCount();
}

KAFFINITY KeQueryActiveProcessors(VOID)
{
	KAFFINITY mask;

	KeQueryActiveProcessorCount(&mask);
	return mask;
}
