/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack's own hooks into the NT runtime (not a Windows header).
 *
 * For the WSK provider, hosts that load a driver, and tests. Includes only
 * wdm.h, so it can share a translation unit with DPDK headers; ws2def.h and
 * wsk.h cannot (their struct sockaddr clashes with Linux's).
 */
#ifndef _WSKSTACK_NT_H_
#define _WSKSTACK_NT_H_

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Sets the calling thread's IRQL without the checks of KeRaiseIrql /
 * KeLowerIrql. The provider calls it with DISPATCH_LEVEL on every stack
 * lcore at start, so KeGetCurrentIrql() reports DISPATCH_LEVEL in
 * callbacks and completion routines run there, and blocking waits there
 * are refused.
 */
VOID WskstackNtSetThreadIrql(KIRQL Irql);

/**
 * Does to an IRP what IoCallDriver does before calling a driver, for a
 * provider that is not a driver: moves to the next stack location
 * (CurrentLocation--, CurrentStackLocation--) and returns it. The
 * returned location is the provider's own: it may use its Parameters
 * union freely; its CompletionRoutine/Context/Control belong to the
 * caller (IoSetCompletionRoutine stored them there) and must be left
 * alone. IoCompleteRequest later walks back up through it.
 * @return the provider's location, or NULL, without changing the IRP,
 *   when no location is left (CurrentLocation <= 1).
 */
PIO_STACK_LOCATION WskstackNtIrpEnter(PIRP Irp);

/** Number of IRPs allocated by IoAllocateIrp and not yet freed. */
LONG WskstackNtIrpsLive(void);
/** Number of MDLs allocated by IoAllocateMdl / MmCreateMdl and not yet freed. */
LONG WskstackNtMdlsLive(void);
/** Number of pool blocks (ExAllocatePool*) not yet freed. */
LONG64 WskstackNtPoolLive(void);
/**
 * Number of blocking waits refused because the caller was at
 * DISPATCH_LEVEL or above (KeWaitForSingleObject, KeWaitForMultipleObjects,
 * KeDelayExecutionThread with a non-zero timeout).
 */
LONG WskstackNtDispatchWaitsRefused(void);
/** Number of IRPs that IoCompleteRequest walked to the top with nobody to take them (logged). */
LONG WskstackNtIrpsOrphaned(void);

/**
 * Loads a driver in-process: allocates a DRIVER_OBJECT named
 * \Driver\<Name> (every MajorFunction answers STATUS_INVALID_DEVICE_REQUEST
 * until DriverEntry sets it) and calls DriverEntry with the registry path
 * \Registry\Machine\System\CurrentControlSet\Services\<Name> at
 * PASSIVE_LEVEL.
 * @param DriverEntry the driver's entry point.
 * @param Name service name, NUL-terminated 16-bit string.
 * @param DriverObject receives the object on success.
 * @return DriverEntry's status; the object is freed again on failure.
 */
NTSTATUS WskstackNtLoadDriver(PDRIVER_INITIALIZE DriverEntry, PCWSTR Name,
			      PDRIVER_OBJECT *DriverObject);

/** Calls DriverUnload (if set), deletes remaining devices and frees the object. */
VOID WskstackNtUnloadDriver(PDRIVER_OBJECT DriverObject);

/**
 * Waits (up to TimeoutMs ms) until the runtime's worker threads have run
 * every queued work item and the DPC thread every queued DPC.
 * @return TRUE if idle.
 */
BOOLEAN WskstackNtDrain(ULONG TimeoutMs);

#ifdef __cplusplus
}
#endif

#endif /* _WSKSTACK_NT_H_ */
