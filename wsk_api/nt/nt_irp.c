/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IRPs: allocation, completion (the upward walk through the stack
 * locations, as the I/O manager does it), cancellation, IoCallDriver,
 * device objects and in-process driver loading.
 */
#include <stdlib.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

#undef IoSizeOfIrp

static volatile LONG nt_irps_live;
static volatile LONG nt_irps_orphaned;
static KSPIN_LOCK nt_cancel_lock;

LONG WskstackNtIrpsLive(void)
{
	return __atomic_load_n(&nt_irps_live, __ATOMIC_SEQ_CST);
}

LONG WskstackNtIrpsOrphaned(void)
{
	return __atomic_load_n(&nt_irps_orphaned, __ATOMIC_SEQ_CST);
}

USHORT IoSizeOfIrp(CCHAR StackSize)
{
	return (USHORT)(sizeof(IRP) + (SIZE_T)StackSize * sizeof(IO_STACK_LOCATION));
}

VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
	memset(Irp, 0, PacketSize);
	Irp->Type = IO_TYPE_IRP;
	Irp->Size = PacketSize;
	Irp->StackCount = StackSize;
	Irp->CurrentLocation = (CHAR)(StackSize + 1);
	Irp->ApcEnvironment = 0;
	InitializeListHead(&Irp->ThreadListEntry);
	Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
	USHORT size;
	PIRP irp;

	if (StackSize < 0)
		return NULL;
	size = IoSizeOfIrp(StackSize);
	irp = aligned_alloc(MEMORY_ALLOCATION_ALIGNMENT,
			    (size + MEMORY_ALLOCATION_ALIGNMENT - 1) & ~(MEMORY_ALLOCATION_ALIGNMENT - 1));
	if (irp == NULL)
		return NULL;
	IoInitializeIrp(irp, size, StackSize);
	/* IRP_ALLOCATED_FIXED_SIZE marks "from IoAllocateIrp, free with IoFreeIrp". */
	irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | (ChargeQuota ? IRP_QUOTA_CHARGED : 0);
	__atomic_add_fetch(&nt_irps_live, 1, __ATOMIC_SEQ_CST);
	return irp;
}

PIRP IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota)
{
	(void)DeviceObject;
	return IoAllocateIrp(StackSize, ChargeQuota);
}

VOID IoFreeIrp(PIRP Irp)
{
	if (Irp == NULL || Irp->Type != IO_TYPE_IRP) {
		nt_log("IoFreeIrp(%p): not an IRP (freed twice?)", (void *)Irp);
		KeBugCheckEx(0x44 /* MULTIPLE_IRP_COMPLETE_REQUESTS */, (ULONG_PTR)Irp, 0, 0, 0);
	}
	if ((Irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE) == 0) {
		nt_log("IoFreeIrp(%p): IRP not allocated by IoAllocateIrp; not freed", (void *)Irp);
		return;
	}
	if (Irp->CancelRoutine != NULL)
		nt_log("IoFreeIrp(%p): IRP still has a cancel routine", (void *)Irp);
	Irp->Type = 0;
	free(Irp);
	__atomic_sub_fetch(&nt_irps_live, 1, __ATOMIC_SEQ_CST);
}

VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
	UCHAR flags = Irp->AllocationFlags;
	USHORT size = Irp->Size;
	CCHAR stack = Irp->StackCount;

	if (Irp->CancelRoutine != NULL)
		nt_log("IoReuseIrp(%p): IRP still has a cancel routine", (void *)Irp);
	IoInitializeIrp(Irp, size, stack);
	Irp->AllocationFlags = flags;
	Irp->IoStatus.Status = Iostatus;
}

/* Clears what a completed location said; MajorFunction and DeviceObject stay. */
static void nt_zero_stack_location(PIO_STACK_LOCATION sp)
{
	sp->MinorFunction = 0;
	sp->Flags = 0;
	sp->Control = 0;
	memset(&sp->Parameters, 0, sizeof(sp->Parameters));
	sp->FileObject = NULL;
	sp->CompletionRoutine = NULL;
	sp->Context = NULL;
}

static BOOLEAN nt_should_invoke(PIRP Irp, UCHAR control)
{
	NTSTATUS status = Irp->IoStatus.Status;

	if (NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS))
		return TRUE;
	if (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR))
		return TRUE;
	return Irp->Cancel && (control & SL_INVOKE_ON_CANCEL);
}

/* The walk reached the top: no owner took the IRP back. */
static void nt_irp_at_top(PIRP Irp)
{
	if (Irp->UserIosb != NULL)
		*Irp->UserIosb = Irp->IoStatus;
	if (Irp->UserEvent != NULL)
		KeSetEvent(Irp->UserEvent, IO_NO_INCREMENT, FALSE);
	if (Irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE) {
		__atomic_add_fetch(&nt_irps_orphaned, 1, __ATOMIC_SEQ_CST);
		nt_log("IoCompleteRequest: IRP %p (status 0x%08X) from IoAllocateIrp reached the top of "
		       "its stack: its owner must stop completion with STATUS_MORE_PROCESSING_REQUIRED "
		       "and free it; left as is (leaked)",
		       (void *)Irp, (ULONG)Irp->IoStatus.Status);
	}
}

VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
	(void)PriorityBoost;
	if (Irp->CurrentLocation > Irp->StackCount + 1) {
		nt_log("IoCompleteRequest(%p): IRP completed twice", (void *)Irp);
		KeBugCheckEx(0x44 /* MULTIPLE_IRP_COMPLETE_REQUESTS */, (ULONG_PTR)Irp, 0, 0, 0);
	}
	if (Irp->IoStatus.Status == STATUS_PENDING)
		nt_log("IoCompleteRequest(%p): completed with STATUS_PENDING", (void *)Irp);
	if (Irp->CancelRoutine != NULL) {
		nt_log("IoCompleteRequest(%p): cancel routine still set; cleared", (void *)Irp);
		IoSetCancelRoutine(Irp, NULL);
	}
	/* From the current location up: each location holds the routine of the driver above. */
	while (Irp->CurrentLocation <= Irp->StackCount) {
		PIO_STACK_LOCATION sp = Irp->Tail.Overlay.CurrentStackLocation;
		PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
		PVOID context = sp->Context;
		UCHAR control = sp->Control;

		Irp->CurrentLocation++;
		Irp->Tail.Overlay.CurrentStackLocation++;
		Irp->PendingReturned = (control & SL_PENDING_RETURNED) != 0;
		nt_zero_stack_location(sp);
		if (routine != NULL && nt_should_invoke(Irp, control)) {
			PDEVICE_OBJECT dev = NULL;

			if (Irp->CurrentLocation <= Irp->StackCount)
				dev = Irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
			if (routine(dev, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED)
				return; /* the routine owns the IRP now: never touch it again */
		} else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
			IoMarkIrpPending(Irp);
		}
	}
	nt_irp_at_top(Irp);
}

PIO_STACK_LOCATION WskstackNtIrpEnter(PIRP Irp)
{
	if (Irp->CurrentLocation <= 1)
		return NULL;
	IoSetNextIrpStackLocation(Irp);
	return IoGetCurrentIrpStackLocation(Irp);
}

NTSTATUS IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	PIO_STACK_LOCATION sp;

	if (Irp->CurrentLocation <= 1) {
		nt_log("IoCallDriver(%p, %p): no stack location left", (void *)DeviceObject,
		       (void *)Irp);
		KeBugCheckEx(0x35 /* NO_MORE_IRP_STACK_LOCATIONS */, (ULONG_PTR)Irp, 0, 0, 0);
	}
	IoSetNextIrpStackLocation(Irp);
	sp = IoGetCurrentIrpStackLocation(Irp);
	sp->DeviceObject = DeviceObject;
	return DeviceObject->DriverObject->MajorFunction[sp->MajorFunction](DeviceObject, Irp);
}

NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
				  PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
				  BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
				  BOOLEAN InvokeOnCancel)
{
	(void)DeviceObject; /* drivers are never unloaded under a pending IRP here */
	IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError,
			       InvokeOnCancel);
	return STATUS_SUCCESS;
}

/* ---- cancellation -------------------------------------------------------------- */

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
	*Irql = KeAcquireSpinLockRaiseToDpc(&nt_cancel_lock);
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
	KeReleaseSpinLock(&nt_cancel_lock, Irql);
}

BOOLEAN IoCancelIrp(PIRP Irp)
{
	PDRIVER_CANCEL routine;
	KIRQL irql;

	IoAcquireCancelSpinLock(&irql);
	__atomic_store_n(&Irp->Cancel, TRUE, __ATOMIC_SEQ_CST);
	routine = IoSetCancelRoutine(Irp, NULL);
	if (routine != NULL) {
		PDEVICE_OBJECT dev = NULL;

		if (Irp->CurrentLocation <= Irp->StackCount)
			dev = IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
		Irp->CancelIrql = irql;
		/* The routine releases the cancel spin lock with Irp->CancelIrql. */
		routine(dev, Irp);
		return TRUE;
	}
	IoReleaseCancelSpinLock(irql);
	return FALSE;
}

BOOLEAN IoIsErrorUserInduced(NTSTATUS Status)
{
	return Status == STATUS_DEVICE_NOT_READY || Status == STATUS_IO_TIMEOUT ||
	       Status == STATUS_NO_SUCH_DEVICE;
}

PEPROCESS IoGetCurrentProcess(VOID)
{
	return (PEPROCESS)&nt_system_process;
}

/* ---- devices and drivers ---------------------------------------------------------- */

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
			PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
			ULONG DeviceCharacteristics, BOOLEAN Exclusive,
			PDEVICE_OBJECT *DeviceObject)
{
	SIZE_T size = ALIGN_UP_BY(sizeof(DEVICE_OBJECT), 16) + DeviceExtensionSize;
	PDEVICE_OBJECT dev;

	(void)DeviceName; /* there is no object namespace */
	dev = aligned_alloc(16, ALIGN_UP_BY(size, 16));
	if (dev == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	memset(dev, 0, size);
	dev->Type = IO_TYPE_DEVICE;
	dev->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
	dev->ReferenceCount = 1;
	dev->DriverObject = DriverObject;
	dev->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
	dev->Characteristics = DeviceCharacteristics;
	dev->DeviceType = DeviceType;
	dev->StackSize = 1;
	dev->AlignmentRequirement = 0;
	if (DeviceExtensionSize != 0)
		dev->DeviceExtension = (PUCHAR)dev + ALIGN_UP_BY(sizeof(DEVICE_OBJECT), 16);
	KeInitializeEvent(&dev->DeviceLock, SynchronizationEvent, TRUE);
	InitializeListHead(&dev->Queue.ListEntry);
	dev->NextDevice = DriverObject->DeviceObject;
	DriverObject->DeviceObject = dev;
	*DeviceObject = dev;
	return STATUS_SUCCESS;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
	PDEVICE_OBJECT *link = &DeviceObject->DriverObject->DeviceObject;

	while (*link != NULL && *link != DeviceObject)
		link = &(*link)->NextDevice;
	if (*link == DeviceObject)
		*link = DeviceObject->NextDevice;
	DeviceObject->Type = 0;
	free(DeviceObject);
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
	(void)SymbolicLinkName;
	(void)DeviceName;
	return STATUS_SUCCESS; /* no namespace: nothing can open it, nothing to do */
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
	(void)SymbolicLinkName;
	return STATUS_SUCCESS;
}

static NTSTATUS nt_invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	(void)DeviceObject;
	Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
	Irp->IoStatus.Information = 0;
	IoCompleteRequest(Irp, IO_NO_INCREMENT);
	return STATUS_INVALID_DEVICE_REQUEST;
}

struct nt_driver {
	DRIVER_OBJECT Object;
	DRIVER_EXTENSION Extension;
	WCHAR Name[128];
};

static SIZE_T nt_wcslen(PCWSTR s)
{
	SIZE_T n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

static void nt_wcat(PWCHAR dst, SIZE_T cap, SIZE_T *len, const char *a, PCWSTR w)
{
	for (; a != NULL && *a && *len + 1 < cap; a++)
		dst[(*len)++] = (WCHAR)(UCHAR)*a;
	for (; w != NULL && *w && *len + 1 < cap; w++)
		dst[(*len)++] = *w;
	dst[*len] = 0;
}

NTSTATUS WskstackNtLoadDriver(PDRIVER_INITIALIZE DriverEntry, PCWSTR Name,
			      PDRIVER_OBJECT *DriverObject)
{
	static const char svc[] = "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\";
	struct nt_driver *drv;
	UNICODE_STRING reg;
	PWCHAR regbuf;
	SIZE_T len = 0, reglen = 0, cap;
	NTSTATUS status;
	int i;

	if (DriverEntry == NULL || Name == NULL || DriverObject == NULL || nt_wcslen(Name) > 100)
		return STATUS_INVALID_PARAMETER;
	cap = sizeof(svc) + nt_wcslen(Name) + 1;
	drv = calloc(1, sizeof(*drv));
	regbuf = calloc(cap, sizeof(WCHAR));
	if (drv == NULL || regbuf == NULL) {
		free(drv);
		free(regbuf);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	nt_wcat(drv->Name, RTL_NUMBER_OF(drv->Name), &len, "\\Driver\\", Name);
	nt_wcat(regbuf, cap, &reglen, svc, Name);
	drv->Object.Type = IO_TYPE_DRIVER;
	drv->Object.Size = sizeof(DRIVER_OBJECT);
	drv->Object.DriverExtension = &drv->Extension;
	drv->Object.DriverInit = DriverEntry;
	drv->Object.DriverName.Buffer = drv->Name;
	drv->Object.DriverName.Length = (USHORT)(len * sizeof(WCHAR));
	drv->Object.DriverName.MaximumLength = sizeof(drv->Name);
	drv->Extension.DriverObject = &drv->Object;
	for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
		drv->Object.MajorFunction[i] = nt_invalid_request;
	reg.Buffer = regbuf;
	reg.Length = (USHORT)(reglen * sizeof(WCHAR));
	reg.MaximumLength = (USHORT)(cap * sizeof(WCHAR));
	status = DriverEntry(&drv->Object, &reg);
	free(regbuf); /* like Windows: the driver must copy what it keeps */
	if (!NT_SUCCESS(status)) {
		while (drv->Object.DeviceObject != NULL)
			IoDeleteDevice(drv->Object.DeviceObject);
		free(drv);
		return status;
	}
	*DriverObject = &drv->Object;
	return status;
}

VOID WskstackNtUnloadDriver(PDRIVER_OBJECT DriverObject)
{
	struct nt_driver *drv = CONTAINING_RECORD(DriverObject, struct nt_driver, Object);

	if (DriverObject->DriverUnload != NULL)
		DriverObject->DriverUnload(DriverObject);
	while (DriverObject->DeviceObject != NULL)
		IoDeleteDevice(DriverObject->DeviceObject);
	free(drv);
}
