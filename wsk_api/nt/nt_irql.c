/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IRQL (a per-thread number), spin locks, fast mutexes, interlocked
 * lists and SLISTs, and the fatal paths (bug checks, assertions).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

static __thread KIRQL nt_irql;
/* Address identifies the thread in a held spin lock (bit 0 set). */
static __thread char nt_spin_token;

void nt_log(const char *fmt, ...)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "wskstack: ");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(2, buf, (size_t)n);
}

KIRQL KeGetCurrentIrql(VOID)
{
	return nt_irql;
}

VOID WskstackNtSetThreadIrql(KIRQL Irql)
{
	nt_irql = Irql;
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
	KIRQL old = nt_irql;

	if (NewIrql < old)
		nt_log("KeRaiseIrql to %u below the current IRQL %u (IRQL_NOT_GREATER_OR_EQUAL)",
		       NewIrql, old);
	nt_irql = NewIrql;
	return old;
}

VOID KeLowerIrql(KIRQL NewIrql)
{
	if (NewIrql > nt_irql)
		nt_log("KeLowerIrql to %u above the current IRQL %u (IRQL_NOT_LESS_OR_EQUAL)",
		       NewIrql, nt_irql);
	nt_irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
	return KfRaiseIrql(DISPATCH_LEVEL);
}

/* ---- spin locks ---------------------------------------------------------- */

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
	*SpinLock = 0;
}

static void nt_spin_acquire(PKSPIN_LOCK SpinLock)
{
	ULONG_PTR me = (ULONG_PTR)&nt_spin_token | 1;
	unsigned int spins = 0;

	if (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) == me)
		KeBugCheckEx(0x0F /* SPIN_LOCK_ALREADY_OWNED */, (ULONG_PTR)SpinLock, 0, 0, 0);
	for (;;) {
		ULONG_PTR expected = 0;

		if (__atomic_compare_exchange_n(SpinLock, &expected, me, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		while (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) != 0) {
			/* The holder may be descheduled: a thread is not a CPU. */
			if (++spins > 200)
				sched_yield();
			else
				YieldProcessor();
		}
	}
}

static void nt_spin_release(PKSPIN_LOCK SpinLock)
{
	ULONG_PTR me = (ULONG_PTR)&nt_spin_token | 1;

	if (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) != me)
		nt_log("spin lock %p released by a thread that does not hold it", (void *)SpinLock);
	__atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
	KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);

	nt_spin_acquire(SpinLock);
	return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
	nt_spin_release(SpinLock);
	KeLowerIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
	nt_spin_acquire(SpinLock);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
	nt_spin_release(SpinLock);
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
	ULONG_PTR expected = 0;

	return __atomic_compare_exchange_n(SpinLock, &expected, (ULONG_PTR)&nt_spin_token | 1, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
	/* TRUE when the lock looks free. */
	return __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0;
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
	LockHandle->OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
	LockHandle->LockQueue.Lock = SpinLock;
	LockHandle->LockQueue.Next = NULL;
	nt_spin_acquire(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
	nt_spin_release(LockHandle->LockQueue.Lock);
	KeLowerIrql(LockHandle->OldIrql);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
	LockHandle->LockQueue.Lock = SpinLock;
	LockHandle->LockQueue.Next = NULL;
	nt_spin_acquire(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
	nt_spin_release(LockHandle->LockQueue.Lock);
}

/* ---- fast mutexes (Count: 1 free, 0 owned, < 0 owned with waiters) -------- */

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
	FastMutex->Count = 1;
	FastMutex->Owner = NULL;
	FastMutex->Contention = 0;
	KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
	if (FastMutex->Owner == (PVOID)KeGetCurrentThread())
		KeBugCheckEx(0x7E /* recursive fast mutex */, (ULONG_PTR)FastMutex, 0, 0, 0);
	if (InterlockedDecrement(&FastMutex->Count) != 0) {
		FastMutex->Contention++;
		KeWaitForSingleObject(&FastMutex->Event, WrFastMutex, KernelMode, FALSE, NULL);
	}
	FastMutex->Owner = KeGetCurrentThread();
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
	FastMutex->Owner = NULL;
	if (InterlockedIncrement(&FastMutex->Count) != 1)
		KeSetEvent(&FastMutex->Event, 0, FALSE);
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
	KIRQL old = KfRaiseIrql(APC_LEVEL);

	ExAcquireFastMutexUnsafe(FastMutex);
	FastMutex->OldIrql = old;
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
	KIRQL old = (KIRQL)FastMutex->OldIrql;

	ExReleaseFastMutexUnsafe(FastMutex);
	KeLowerIrql(old);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
	KIRQL old = KfRaiseIrql(APC_LEVEL);

	if (InterlockedCompareExchange(&FastMutex->Count, 0, 1) != 1) {
		KeLowerIrql(old);
		return FALSE;
	}
	FastMutex->Owner = KeGetCurrentThread();
	FastMutex->OldIrql = old;
	return TRUE;
}

/* ---- interlocked lists ------------------------------------------------------ */

PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
					PKSPIN_LOCK Lock)
{
	KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
	PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;

	InsertHeadList(ListHead, ListEntry);
	KeReleaseSpinLock(Lock, old);
	return first;
}

PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
					PKSPIN_LOCK Lock)
{
	KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
	PLIST_ENTRY last = IsListEmpty(ListHead) ? NULL : ListHead->Blink;

	InsertTailList(ListHead, ListEntry);
	KeReleaseSpinLock(Lock, old);
	return last;
}

PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
	KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
	PLIST_ENTRY entry = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);

	KeReleaseSpinLock(Lock, old);
	return entry;
}

PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
					      PSINGLE_LIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
	KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
	PSINGLE_LIST_ENTRY first = ListHead->Next;

	PushEntryList(ListHead, ListEntry);
	KeReleaseSpinLock(Lock, old);
	return first;
}

PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
	KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
	PSINGLE_LIST_ENTRY entry = PopEntryList(ListHead);

	KeReleaseSpinLock(Lock, old);
	return entry;
}

/* ---- SLISTs: serialised per head by a striped lock ------------------------- */

#define NT_SLIST_LOCKS 64
static pthread_mutex_t nt_slist_locks[NT_SLIST_LOCKS] = {
	[0 ... NT_SLIST_LOCKS - 1] = PTHREAD_MUTEX_INITIALIZER
};

static pthread_mutex_t *nt_slist_lock(PSLIST_HEADER ListHead)
{
	return &nt_slist_locks[((ULONG_PTR)ListHead >> 4) % NT_SLIST_LOCKS];
}

VOID InitializeSListHead(PSLIST_HEADER SListHead)
{
	if ((ULONG_PTR)SListHead & 15)
		nt_log("InitializeSListHead: header %p is not 16-byte aligned", (void *)SListHead);
	SListHead->Alignment = 0;
	SListHead->Region = 0;
}

PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
	pthread_mutex_t *lock = nt_slist_lock(ListHead);
	PSLIST_ENTRY first;

	pthread_mutex_lock(lock);
	first = (PSLIST_ENTRY)ListHead->Region;
	ListEntry->Next = first;
	ListHead->Region = (ULONGLONG)(ULONG_PTR)ListEntry;
	/* Depth in the low 16 bits, a sequence number above it. */
	ListHead->Alignment = ((ListHead->Alignment & ~0xffffULL) + 0x10000ULL) |
			      ((ListHead->Alignment + 1) & 0xffff);
	pthread_mutex_unlock(lock);
	return first;
}

PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
	pthread_mutex_t *lock = nt_slist_lock(ListHead);
	PSLIST_ENTRY first;

	pthread_mutex_lock(lock);
	first = (PSLIST_ENTRY)ListHead->Region;
	if (first != NULL) {
		ListHead->Region = (ULONGLONG)(ULONG_PTR)first->Next;
		ListHead->Alignment = ((ListHead->Alignment & ~0xffffULL) + 0x10000ULL) |
				      ((ListHead->Alignment - 1) & 0xffff);
	}
	pthread_mutex_unlock(lock);
	return first;
}

PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
	pthread_mutex_t *lock = nt_slist_lock(ListHead);
	PSLIST_ENTRY first;

	pthread_mutex_lock(lock);
	first = (PSLIST_ENTRY)ListHead->Region;
	ListHead->Region = 0;
	ListHead->Alignment &= ~0xffffULL;
	pthread_mutex_unlock(lock);
	return first;
}

USHORT QueryDepthSList(PSLIST_HEADER ListHead)
{
	return (USHORT)(__atomic_load_n(&ListHead->Alignment, __ATOMIC_ACQUIRE) & 0xffff);
}

PSLIST_ENTRY FirstEntrySList(PSLIST_HEADER ListHead)
{
	return (PSLIST_ENTRY)__atomic_load_n(&ListHead->Region, __ATOMIC_ACQUIRE);
}

/* ---- fatal paths and checks ---------------------------------------------------- */

VOID RtlFailFast(ULONG Code)
{
	nt_log("fail fast %u (corrupted list entry or similar): aborting", Code);
	abort();
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
	nt_log("*** bug check 0x%08X (0x%lx, 0x%lx, 0x%lx, 0x%lx): aborting", BugCheckCode,
	       (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4);
	abort();
}

VOID KeBugCheck(ULONG BugCheckCode)
{
	KeBugCheckEx(BugCheckCode, 0, 0, 0, 0);
}

VOID ExRaiseStatus(NTSTATUS Status)
{
	nt_log("ExRaiseStatus(0x%08X): exceptions cannot be raised here: aborting", (ULONG)Status);
	abort();
}

VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
	       PSTR MutableMessage)
{
	nt_log("assertion failed: %s%s%s at %s:%u", (const char *)VoidFailedAssertion,
	       MutableMessage ? " -- " : "", MutableMessage ? MutableMessage : "",
	       (const char *)VoidFileName, LineNumber);
	abort();
}

VOID WskstackNtPagedCodeCheck(PCSTR Function)
{
	nt_log("%s: pageable code called at IRQL %u (> APC_LEVEL)", Function, KeGetCurrentIrql());
}

VOID DbgBreakPoint(VOID)
{
	nt_log("DbgBreakPoint");
	raise(SIGTRAP);
}

VOID DbgBreakPointWithStatus(ULONG Status)
{
	nt_log("DbgBreakPointWithStatus(0x%08X)", Status);
	raise(SIGTRAP);
}
