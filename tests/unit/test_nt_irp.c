/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IRPs as a WSK client and the provider use them: allocation and stack
 * locations, completion routines through WskstackNtIrpEnter and
 * IoCompleteRequest, STATUS_MORE_PROCESSING_REQUIRED, freeing or reusing
 * the IRP inside its routine, invoke flags, PendingReturned through two
 * levels, IoCallDriver into a loaded driver, cancellation (and its race
 * with IoSetCancelRoutine), MDLs attached to IRPs, and the leak counters.
 */
#include <pthread.h>
#include <string.h>

#include <ntddk.h>
#include <wskstack_nt.h>

#include "nt_check.h"

struct completion_log {
	int calls;
	PIRP irp;
	PVOID context;
	PDEVICE_OBJECT device;
	NTSTATUS status;
	BOOLEAN pending_returned;
	NTSTATUS result; /* what the routine returns */
	BOOLEAN free_irp;
	BOOLEAN propagate_pending;
};

static IO_COMPLETION_ROUTINE log_completion;

static NTSTATUS log_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
	struct completion_log *log = Context;

	log->calls++;
	log->irp = Irp;
	log->context = Context;
	log->device = DeviceObject;
	log->status = Irp->IoStatus.Status;
	log->pending_returned = Irp->PendingReturned;
	if (log->propagate_pending && Irp->PendingReturned)
		IoMarkIrpPending(Irp);
	if (log->free_irp)
		IoFreeIrp(Irp);
	return log->result;
}

static void test_allocate(void)
{
	LONG live = WskstackNtIrpsLive();
	PIRP irp = IoAllocateIrp(3, FALSE);
	PIO_STACK_LOCATION base;

	NT_CHECK(irp != NULL);
	NT_CHECK_EQ(WskstackNtIrpsLive(), live + 1);
	base = (PIO_STACK_LOCATION)(irp + 1);
	NT_CHECK_EQ(irp->Type, IO_TYPE_IRP);
	NT_CHECK_EQ(irp->Size, IoSizeOfIrp(3));
	NT_CHECK_EQ(irp->Size, sizeof(IRP) + 3 * sizeof(IO_STACK_LOCATION));
	NT_CHECK_EQ(irp->StackCount, 3);
	NT_CHECK_EQ(irp->CurrentLocation, 4);
	NT_CHECK(IoGetCurrentIrpStackLocation(irp) == base + 3);
	NT_CHECK(IoGetNextIrpStackLocation(irp) == base + 2);
	NT_CHECK(irp->MdlAddress == NULL && irp->Cancel == FALSE && irp->CancelRoutine == NULL);
	NT_CHECK(((ULONG_PTR)irp & 15) == 0);
	IoFreeIrp(irp);
	NT_CHECK_EQ(WskstackNtIrpsLive(), live);
}

static void test_complete_once(void)
{
	struct completion_log log = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	PIRP irp = IoAllocateIrp(1, FALSE);
	PIO_STACK_LOCATION sp, loc0 = (PIO_STACK_LOCATION)(irp + 1);

	IoSetCompletionRoutine(irp, log_completion, &log, TRUE, TRUE, TRUE);
	NT_CHECK(loc0->CompletionRoutine == log_completion && loc0->Context == &log);
	NT_CHECK_EQ(loc0->Control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
	sp = WskstackNtIrpEnter(irp);
	NT_CHECK(sp == loc0);
	NT_CHECK_EQ(irp->CurrentLocation, 1);
	sp->Parameters.Others.Argument1 = (PVOID)0x1234; /* the provider's own location */
	NT_CHECK(WskstackNtIrpEnter(irp) == NULL);
	NT_CHECK_EQ(irp->CurrentLocation, 1);
	irp->IoStatus.Status = STATUS_SUCCESS;
	irp->IoStatus.Information = 42;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(log.calls, 1);
	NT_CHECK(log.irp == irp && log.context == &log && log.device == NULL);
	NT_CHECK_EQ(log.status, STATUS_SUCCESS);
	NT_CHECK_EQ(irp->IoStatus.Information, 42);
	NT_CHECK_EQ(irp->CurrentLocation, 2);
	NT_CHECK(loc0->CompletionRoutine == NULL);
	NT_CHECK_EQ(WskstackNtIrpsOrphaned(), 0);
	IoFreeIrp(irp);
}

/* The routine frees the IRP and returns MORE_PROCESSING_REQUIRED (run under ASan). */
static void test_free_inside(void)
{
	struct completion_log log = { .result = STATUS_MORE_PROCESSING_REQUIRED, .free_irp = TRUE };
	LONG live = WskstackNtIrpsLive();
	PIRP irp = IoAllocateIrp(2, FALSE);

	IoSetCompletionRoutine(irp, log_completion, &log, TRUE, TRUE, TRUE);
	WskstackNtIrpEnter(irp);
	irp->IoStatus.Status = STATUS_CONNECTION_RESET;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(log.calls, 1);
	NT_CHECK_EQ(log.status, STATUS_CONNECTION_RESET);
	NT_CHECK_EQ(WskstackNtIrpsLive(), live);
}

/* The routine reuses the IRP for a second request from inside itself. */
static struct completion_log reuse_second = { .result = STATUS_MORE_PROCESSING_REQUIRED };
static IO_COMPLETION_ROUTINE reuse_completion;

static NTSTATUS reuse_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
	int *calls = Context;

	(void)DeviceObject;
	(*calls)++;
	IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
	IoSetCompletionRoutine(Irp, log_completion, &reuse_second, TRUE, TRUE, TRUE);
	WskstackNtIrpEnter(Irp);
	Irp->IoStatus.Status = STATUS_SUCCESS;
	Irp->IoStatus.Information = 7;
	IoCompleteRequest(Irp, IO_NO_INCREMENT); /* nested completion of the reused IRP */
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static void test_reuse_inside(void)
{
	PIRP irp = IoAllocateIrp(1, FALSE);
	int calls = 0;

	IoSetCompletionRoutine(irp, reuse_completion, &calls, TRUE, TRUE, TRUE);
	WskstackNtIrpEnter(irp);
	irp->IoStatus.Status = STATUS_SUCCESS;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(calls, 1);
	NT_CHECK_EQ(reuse_second.calls, 1);
	NT_CHECK(reuse_second.irp == irp);
	NT_CHECK_EQ(irp->IoStatus.Information, 7);
	NT_CHECK_EQ(irp->StackCount, 1);
	NT_CHECK_EQ(irp->CurrentLocation, 2);
	IoReuseIrp(irp, STATUS_CANCELLED);
	NT_CHECK_EQ(irp->IoStatus.Status, STATUS_CANCELLED);
	NT_CHECK_EQ(irp->CurrentLocation, 2);
	NT_CHECK(irp->Cancel == FALSE);
	IoFreeIrp(irp);
}

/*
 * Two locations: the owner's routine (always, MORE_PROCESSING_REQUIRED) in
 * location 1, a middle driver's routine with the given flags in location 0.
 * Returns how often the middle routine ran for the given final status.
 */
static int middle_calls(BOOLEAN on_success, BOOLEAN on_error, BOOLEAN on_cancel, NTSTATUS status,
			BOOLEAN cancel)
{
	struct completion_log owner = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	struct completion_log middle = { .result = STATUS_SUCCESS };
	PIRP irp = IoAllocateIrp(2, FALSE);

	IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
	IoSetNextIrpStackLocation(irp); /* the owner "calls" the middle driver */
	IoSetCompletionRoutine(irp, log_completion, &middle, on_success, on_error, on_cancel);
	WskstackNtIrpEnter(irp);
	irp->Cancel = cancel;
	irp->IoStatus.Status = status;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(owner.calls, 1);
	IoFreeIrp(irp);
	return middle.calls;
}

static void test_invoke_flags(void)
{
	NT_CHECK_EQ(middle_calls(TRUE, FALSE, FALSE, STATUS_SUCCESS, FALSE), 1);
	NT_CHECK_EQ(middle_calls(TRUE, FALSE, FALSE, STATUS_UNSUCCESSFUL, FALSE), 0);
	NT_CHECK_EQ(middle_calls(FALSE, TRUE, FALSE, STATUS_UNSUCCESSFUL, FALSE), 1);
	NT_CHECK_EQ(middle_calls(FALSE, TRUE, FALSE, STATUS_SUCCESS, FALSE), 0);
	NT_CHECK_EQ(middle_calls(FALSE, FALSE, TRUE, STATUS_CANCELLED, TRUE), 1);
	NT_CHECK_EQ(middle_calls(FALSE, FALSE, TRUE, STATUS_CANCELLED, FALSE), 0);
	NT_CHECK_EQ(middle_calls(FALSE, FALSE, FALSE, STATUS_SUCCESS, FALSE), 0);
	NT_CHECK_EQ(middle_calls(TRUE, TRUE, TRUE, STATUS_BUFFER_OVERFLOW, FALSE), 1);
}

/* PendingReturned as seen by the owner when the lowest level marked the IRP pending. */
static BOOLEAN owner_sees_pending(int middle_mode)
{
	struct completion_log owner = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	struct completion_log middle = { .result = STATUS_SUCCESS };
	PIRP irp = IoAllocateIrp(2, FALSE);

	IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
	IoSetNextIrpStackLocation(irp);
	if (middle_mode == 1 || middle_mode == 2) {
		middle.propagate_pending = middle_mode == 1;
		IoSetCompletionRoutine(irp, log_completion, &middle, TRUE, TRUE, TRUE);
	} else {
		IoCopyCurrentIrpStackLocationToNext(irp);
	}
	WskstackNtIrpEnter(irp);
	IoMarkIrpPending(irp); /* the provider returned STATUS_PENDING */
	irp->IoStatus.Status = STATUS_SUCCESS;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(owner.calls, 1);
	if (middle_mode != 0) {
		NT_CHECK_EQ(middle.calls, 1);
		NT_CHECK(middle.pending_returned);
	}
	IoFreeIrp(irp);
	return owner.pending_returned;
}

static void test_pending_returned(void)
{
	NT_CHECK(owner_sees_pending(0));  /* no middle routine: the walk propagates */
	NT_CHECK(owner_sees_pending(1));  /* middle routine calls IoMarkIrpPending */
	NT_CHECK(!owner_sees_pending(2)); /* middle routine forgets to */
}

/* ---- a driver loaded in-process, reached with IoCallDriver ------------------------- */

static PIRP queued_irp;
static PDEVICE_OBJECT test_device;
static int unload_calls;
static DRIVER_DISPATCH test_dispatch;
static DRIVER_UNLOAD test_unload;
static DRIVER_INITIALIZE test_driver_entry;

static NTSTATUS test_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);

	NT_CHECK(DeviceObject == test_device && sp->DeviceObject == test_device);
	NT_CHECK_EQ(sp->Parameters.DeviceIoControl.IoControlCode, 0x222004);
	IoMarkIrpPending(Irp);
	queued_irp = Irp;
	return STATUS_PENDING;
}

static VOID test_unload(PDRIVER_OBJECT DriverObject)
{
	unload_calls++;
	IoDeleteDevice(DriverObject->DeviceObject);
}

static NTSTATUS test_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	static const WCHAR suffix[] = L"\\Services\\testdrv";
	SIZE_T n = sizeof(suffix) / sizeof(WCHAR) - 1;
	NTSTATUS st;

	NT_CHECK(RegistryPath->Length >= n * sizeof(WCHAR));
	NT_CHECK(memcmp(RegistryPath->Buffer + RegistryPath->Length / sizeof(WCHAR) - n, suffix,
			n * sizeof(WCHAR)) == 0);
	NT_CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);
	DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = test_dispatch;
	DriverObject->DriverUnload = test_unload;
	st = IoCreateDevice(DriverObject, 64, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &test_device);
	if (NT_SUCCESS(st))
		test_device->Flags &= ~DO_DEVICE_INITIALIZING;
	return st;
}

static void test_call_driver(void)
{
	struct completion_log owner = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	PDRIVER_OBJECT drv = NULL;
	PIO_STACK_LOCATION next;
	NTSTATUS st;
	PIRP irp;

	NT_CHECK_EQ(WskstackNtLoadDriver(test_driver_entry, L"testdrv", &drv), STATUS_SUCCESS);
	NT_CHECK(drv != NULL && drv->DeviceObject == test_device);
	NT_CHECK(test_device->DeviceExtension != NULL);
	NT_CHECK(((PUCHAR)test_device->DeviceExtension)[63] == 0);
	irp = IoAllocateIrp(test_device->StackSize, FALSE);
	next = IoGetNextIrpStackLocation(irp);
	next->MajorFunction = IRP_MJ_DEVICE_CONTROL;
	next->Parameters.DeviceIoControl.IoControlCode = 0x222004;
	IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
	st = IoCallDriver(test_device, irp);
	NT_CHECK_EQ(st, STATUS_PENDING);
	NT_CHECK(queued_irp == irp);
	NT_CHECK_EQ(owner.calls, 0);
	queued_irp->IoStatus.Status = STATUS_SUCCESS;
	queued_irp->IoStatus.Information = 3;
	IoCompleteRequest(queued_irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(owner.calls, 1);
	NT_CHECK(owner.pending_returned);
	NT_CHECK(owner.device == NULL);
	/* An unset major function answers STATUS_INVALID_DEVICE_REQUEST. */
	IoReuseIrp(irp, STATUS_SUCCESS);
	IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
	IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
	NT_CHECK_EQ(IoCallDriver(test_device, irp), STATUS_INVALID_DEVICE_REQUEST);
	NT_CHECK_EQ(owner.calls, 2);
	NT_CHECK_EQ(owner.status, STATUS_INVALID_DEVICE_REQUEST);
	IoFreeIrp(irp);
	WskstackNtUnloadDriver(drv);
	NT_CHECK_EQ(unload_calls, 1);
}

/* ---- cancellation -------------------------------------------------------------------- */

static volatile LONG cancel_calls;
static KIRQL cancel_irql_seen;
static DRIVER_CANCEL test_cancel;

static VOID test_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	(void)DeviceObject;
	cancel_irql_seen = KeGetCurrentIrql();
	InterlockedIncrement(&cancel_calls);
	NT_CHECK(Irp->Cancel);
	NT_CHECK(Irp->CancelRoutine == NULL);
	IoReleaseCancelSpinLock(Irp->CancelIrql);
	Irp->IoStatus.Status = STATUS_CANCELLED;
	Irp->IoStatus.Information = 0;
	IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static void test_cancel_irp(void)
{
	struct completion_log owner = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	PIRP irp = IoAllocateIrp(1, FALSE);

	IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
	WskstackNtIrpEnter(irp);
	/* Without a cancel routine: only the Cancel flag. */
	NT_CHECK(IoCancelIrp(irp) == FALSE);
	NT_CHECK(irp->Cancel);
	NT_CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
	NT_CHECK_EQ(owner.calls, 0);
	irp->Cancel = FALSE;
	/* With one: it runs once, at DISPATCH_LEVEL with the cancel lock held, and completes. */
	NT_CHECK(IoSetCancelRoutine(irp, test_cancel) == NULL);
	NT_CHECK(IoCancelIrp(irp) == TRUE);
	NT_CHECK_EQ(cancel_calls, 1);
	NT_CHECK_EQ(cancel_irql_seen, DISPATCH_LEVEL);
	NT_CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
	NT_CHECK_EQ(owner.calls, 1);
	NT_CHECK_EQ(owner.status, STATUS_CANCELLED);
	NT_CHECK(IoCancelIrp(irp) == FALSE); /* no routine left */
	NT_CHECK_EQ(cancel_calls, 1);
	IoFreeIrp(irp);
}

/* IoSetCancelRoutine(NULL) on the completing side against IoCancelIrp on another thread. */
#define RACE_ROUNDS 5000

static volatile LONG race_round;
static volatile LONG race_done;
static volatile LONG race_started;
static PIRP volatile race_irp;

static void *race_canceller(void *arg)
{
	LONG r;

	(void)arg;
	for (r = 1; r <= RACE_ROUNDS; r++) {
		while (__atomic_load_n(&race_round, __ATOMIC_ACQUIRE) != r)
			YieldProcessor();
		__atomic_store_n(&race_started, r, __ATOMIC_RELEASE);
		IoCancelIrp(race_irp);
		__atomic_store_n(&race_done, r, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_cancel_race(void)
{
	struct completion_log owner = { .result = STATUS_MORE_PROCESSING_REQUIRED };
	int ok_completions = 0, bad_rounds = 0;
	pthread_t t;
	LONG r;

	cancel_calls = 0;
	pthread_create(&t, NULL, race_canceller, NULL);
	for (r = 1; r <= RACE_ROUNDS; r++) {
		PIRP irp = IoAllocateIrp(1, FALSE);
		int before = owner.calls;

		IoSetCompletionRoutine(irp, log_completion, &owner, TRUE, TRUE, TRUE);
		WskstackNtIrpEnter(irp);
		IoSetCancelRoutine(irp, test_cancel);
		race_irp = irp;
		__atomic_store_n(&race_round, r, __ATOMIC_RELEASE);
		while (__atomic_load_n(&race_started, __ATOMIC_ACQUIRE) != r)
			YieldProcessor();
		for (int spin = 0; spin < (r * 7) % 64; spin++)
			YieldProcessor(); /* vary who wins */
		/* Normal completion wins only if it takes the cancel routine back first. */
		if (IoSetCancelRoutine(irp, NULL) != NULL) {
			irp->IoStatus.Status = STATUS_SUCCESS;
			IoCompleteRequest(irp, IO_NO_INCREMENT);
			ok_completions++;
		}
		while (__atomic_load_n(&race_done, __ATOMIC_ACQUIRE) != r)
			YieldProcessor();
		if (owner.calls != before + 1)
			bad_rounds++;
		IoFreeIrp(irp);
	}
	pthread_join(t, NULL);
	NT_CHECK_EQ(bad_rounds, 0);
	NT_CHECK_EQ(owner.calls, RACE_ROUNDS);
	NT_CHECK_EQ(ok_completions + cancel_calls, RACE_ROUNDS);
	printf("cancel race: %d normal completions, %d cancelled\n", ok_completions,
	       (int)cancel_calls);
}

/* ---- MDLs on IRPs, orphaned IRPs, counters ---------------------------------------------- */

static void test_irp_mdls(void)
{
	static UCHAR buf[3 * PAGE_SIZE];
	LONG live = WskstackNtMdlsLive();
	PIRP irp = IoAllocateIrp(1, FALSE);
	PMDL m1, m2, m3;

	m1 = IoAllocateMdl(buf, 100, FALSE, FALSE, irp);
	m2 = IoAllocateMdl(buf + 100, 200, TRUE, FALSE, irp);
	m3 = IoAllocateMdl(buf + 300, 300, TRUE, FALSE, irp);
	NT_CHECK(irp->MdlAddress == m1 && m1->Next == m2 && m2->Next == m3 && m3->Next == NULL);
	NT_CHECK_EQ(WskstackNtMdlsLive(), live + 3);
	while (irp->MdlAddress != NULL) {
		PMDL next = irp->MdlAddress->Next;

		IoFreeMdl(irp->MdlAddress);
		irp->MdlAddress = next;
	}
	NT_CHECK_EQ(WskstackNtMdlsLive(), live);
	IoFreeIrp(irp);
}

static void test_orphan(void)
{
	LONG before = WskstackNtIrpsOrphaned();
	PIRP irp = IoAllocateIrp(1, FALSE);
	IO_STATUS_BLOCK iosb = { 0 };

	/* No completion routine: the IRP reaches the top, is reported and left alone. */
	WskstackNtIrpEnter(irp);
	irp->UserIosb = &iosb;
	irp->IoStatus.Status = STATUS_NOT_FOUND;
	irp->IoStatus.Information = 5;
	fprintf(stderr, "(an IoCompleteRequest report about an orphaned IRP is expected next)\n");
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	NT_CHECK_EQ(WskstackNtIrpsOrphaned(), before + 1);
	NT_CHECK_EQ(iosb.Status, STATUS_NOT_FOUND);
	NT_CHECK_EQ(iosb.Information, 5);
	NT_CHECK_EQ(irp->Type, IO_TYPE_IRP); /* still valid */
	IoFreeIrp(irp);
}

int main(void)
{
	test_allocate();
	test_complete_once();
	test_free_inside();
	test_reuse_inside();
	test_invoke_flags();
	test_pending_returned();
	test_call_driver();
	test_cancel_irp();
	test_cancel_race();
	test_irp_mdls();
	test_orphan();
	NT_CHECK_EQ(WskstackNtIrpsLive(), 0);
	NT_CHECK_EQ(WskstackNtMdlsLive(), 0);
	NT_CHECK_EQ(WskstackNtPoolLive(), 0);
	NT_CHECK_EQ(WskstackNtDispatchWaitsRefused(), 0);
	return nt_check_done();
}
