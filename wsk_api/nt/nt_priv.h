/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to wsk_api/nt: shared state of the NT runtime. Only Windows
 * kernel headers plus libc/pthread; never a Linux socket header.
 */
#ifndef _WSKSTACK_NT_PRIV_H_
#define _WSKSTACK_NT_PRIV_H_

#include <wdm.h>

/* Magic in every runtime-owned object header (threads, the process). */
#define NT_OBJECT_MAGIC 0x6b4f544eu /* "NTOk" */

/*
 * A thread object: what PsCreateSystemThread creates, and (System FALSE)
 * the per-thread object of any other thread, which is never freed.
 * Starts with the dispatcher header so it can be waited on.
 */
struct nt_thread {
	DISPATCHER_HEADER Header; /* SignalState 1 once the thread has exited */
	ULONG Magic;
	volatile LONG RefCount;   /* system threads: self + handles + Ob references */
	BOOLEAN System;
	PKSTART_ROUTINE Start;
	PVOID Context;
	NTSTATUS ExitStatus;
	ULONG_PTR Id;
};

/* Process object: one for the whole process. */
struct nt_process {
	DISPATCHER_HEADER Header;
	ULONG Magic;
};

extern struct nt_process nt_system_process;

/* Prints "wskstack: <fmt>\n" to stderr in one write. */
void nt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The calling thread's object (created on first use for foreign threads). */
struct nt_thread *nt_thread_self(void);

/* Dispatcher lock: guards every DISPATCHER_HEADER's SignalState and WaitListHead. */
void nt_disp_lock(void);
void nt_disp_unlock(void);
/* With the dispatcher lock held: satisfies waiters of a newly signalled object. */
void nt_disp_wake(PDISPATCHER_HEADER Header);
/* Counts a refused blocking wait and prints why. */
void nt_wait_refused(const char *function);

/* Monotonic clock in 100 ns units (KeQueryInterruptTime). */
ULONGLONG nt_now_100ns(void);
/*
 * Converts a KeWait-style timeout (negative relative, positive absolute
 * system time) into an absolute KeQueryInterruptTime value.
 */
ULONGLONG nt_deadline_100ns(LONGLONG timeout);

/* Handle table (handles are multiples of 4, like Windows). */
HANDLE nt_handle_create(PVOID object);
PVOID nt_handle_lookup(HANDLE handle);
PVOID nt_handle_remove(HANDLE handle);

#endif /* _WSKSTACK_NT_PRIV_H_ */
