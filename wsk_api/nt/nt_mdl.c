/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MDLs over process memory. There is one address space, so a "system
 * address" is the buffer's own address; the page frame array is filled
 * with virtual page numbers, and locking only records state in MdlFlags.
 */
#include <stdlib.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

#define NT_MDL_MAGIC 0x4c444d4eu /* "NMDL" */
#define NT_MDL_FREED 0x4c444d46u

/* Precedes every MDL the runtime allocates. */
struct nt_mdl_header {
	ULONG Magic;
	ULONG Reserved;
	SIZE_T Bytes;
};

static volatile LONG nt_mdls_live;

LONG WskstackNtMdlsLive(void)
{
	return __atomic_load_n(&nt_mdls_live, __ATOMIC_SEQ_CST);
}

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
	return sizeof(MDL) + (SIZE_T)ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) * sizeof(PFN_NUMBER);
}

static ULONG nt_mdl_pages(PMDL Mdl)
{
	return ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
}

static void nt_mdl_fill_pfns(PMDL Mdl)
{
	PPFN_NUMBER pfn = MmGetMdlPfnArray(Mdl);
	ULONG pages = nt_mdl_pages(Mdl);
	ULONG i;

	for (i = 0; i < pages; i++)
		pfn[i] = ((ULONG_PTR)Mdl->StartVa >> PAGE_SHIFT) + i;
}

static PMDL nt_mdl_alloc(PVOID Va, SIZE_T Length)
{
	SIZE_T bytes = MmSizeOfMdl(Va, Length);
	struct nt_mdl_header *h = malloc(sizeof(*h) + bytes);
	PMDL mdl;

	if (h == NULL)
		return NULL;
	h->Magic = NT_MDL_MAGIC;
	h->Bytes = bytes;
	mdl = (PMDL)(h + 1);
	MmInitializeMdl(mdl, Va, Length);
	/* Size is a CSHORT: very large MDLs keep the largest value it can hold. */
	if (bytes > 0x7ff8)
		mdl->Size = 0x7ff8;
	memset(MmGetMdlPfnArray(mdl), 0, bytes - sizeof(MDL));
	__atomic_add_fetch(&nt_mdls_live, 1, __ATOMIC_SEQ_CST);
	return mdl;
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
		   BOOLEAN ChargeQuota, PIRP Irp)
{
	PMDL mdl;

	(void)ChargeQuota;
	if (Length > MAXULONG - 2 * PAGE_SIZE)
		return NULL;
	mdl = nt_mdl_alloc(VirtualAddress, Length);
	if (mdl == NULL || Irp == NULL)
		return mdl;
	if (SecondaryBuffer && Irp->MdlAddress != NULL) {
		PMDL last = Irp->MdlAddress;

		while (last->Next != NULL)
			last = last->Next;
		last->Next = mdl;
	} else {
		Irp->MdlAddress = mdl;
	}
	return mdl;
}

PMDL MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length)
{
	if (MemoryDescriptorList == NULL)
		return nt_mdl_alloc(Base, Length);
	MmInitializeMdl(MemoryDescriptorList, Base, Length);
	return MemoryDescriptorList;
}

VOID IoFreeMdl(PMDL Mdl)
{
	struct nt_mdl_header *h = (struct nt_mdl_header *)Mdl - 1;

	if (Mdl == NULL || h->Magic != NT_MDL_MAGIC) {
		nt_log("IoFreeMdl(%p): %s", (void *)Mdl,
		       Mdl != NULL && h->Magic == NT_MDL_FREED ? "MDL freed twice"
							       : "MDL not allocated by IoAllocateMdl");
		KeBugCheckEx(0x76 /* PROCESS_HAS_LOCKED_PAGES-like misuse */, (ULONG_PTR)Mdl, 0, 0, 0);
	}
	h->Magic = NT_MDL_FREED;
	free(h);
	__atomic_sub_fetch(&nt_mdls_live, 1, __ATOMIC_SEQ_CST);
}

VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
	nt_mdl_fill_pfns(MemoryDescriptorList);
	MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
	MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
			 LOCK_OPERATION Operation)
{
	(void)AccessMode;
	if (MemoryDescriptorList->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL))
		nt_log("MmProbeAndLockPages(%p): MDL already locked or built for nonpaged pool",
		       (void *)MemoryDescriptorList);
	nt_mdl_fill_pfns(MemoryDescriptorList);
	MemoryDescriptorList->MdlFlags |= MDL_PAGES_LOCKED;
	if (Operation != IoReadAccess)
		MemoryDescriptorList->MdlFlags |= MDL_WRITE_OPERATION;
}

VOID MmUnlockPages(PMDL MemoryDescriptorList)
{
	if ((MemoryDescriptorList->MdlFlags & MDL_PAGES_LOCKED) == 0)
		nt_log("MmUnlockPages(%p): MDL is not locked", (void *)MemoryDescriptorList);
	if (MemoryDescriptorList->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
		MmUnmapLockedPages(MemoryDescriptorList->MappedSystemVa, MemoryDescriptorList);
	MemoryDescriptorList->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION);
}

PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
				   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
				   ULONG BugCheckOnFailure, ULONG Priority)
{
	PMDL mdl = MemoryDescriptorList;
	PVOID va = MmGetMdlVirtualAddress(mdl);

	(void)CacheType;
	(void)RequestedAddress;
	(void)BugCheckOnFailure;
	(void)Priority;
	if (AccessMode == KernelMode) {
		mdl->MappedSystemVa = va;
		mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
		if (mdl->MdlFlags & MDL_PARTIAL)
			mdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
	}
	return va;
}

PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode)
{
	return MmMapLockedPagesSpecifyCache(MemoryDescriptorList, AccessMode, MmCached, NULL, TRUE,
					    NormalPagePriority);
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
	(void)BaseAddress;
	if (MemoryDescriptorList->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
		MemoryDescriptorList->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
		if ((MemoryDescriptorList->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) == 0)
			MemoryDescriptorList->MappedSystemVa = NULL;
	}
}

PVOID MmGetSystemAddressForMdl(PMDL Mdl)
{
	return MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
}

BOOLEAN MmIsAddressValid(PVOID VirtualAddress)
{
	return VirtualAddress != NULL;
}

VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
	ULONG_PTR offset = (ULONG_PTR)VirtualAddress - (ULONG_PTR)MmGetMdlVirtualAddress(SourceMdl);
	ULONG_PTR first_page;
	PPFN_NUMBER src_pfn, dst_pfn;
	ULONG pages, i;

	if (Length == 0)
		Length = SourceMdl->ByteCount - (ULONG)offset;
	if (offset > SourceMdl->ByteCount || Length > SourceMdl->ByteCount - offset) {
		nt_log("IoBuildPartialMdl: range [%lu, +%u) outside the source MDL (%u bytes)",
		       (unsigned long)offset, Length, SourceMdl->ByteCount);
		KeBugCheckEx(0x4D /* bad partial MDL */, (ULONG_PTR)SourceMdl, (ULONG_PTR)TargetMdl,
			     (ULONG_PTR)VirtualAddress, Length);
	}
	TargetMdl->Process = SourceMdl->Process;
	TargetMdl->StartVa = PAGE_ALIGN(VirtualAddress);
	TargetMdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
	TargetMdl->ByteCount = Length;
	TargetMdl->MdlFlags = (CSHORT)(MDL_PARTIAL |
		(SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_PAGE_READ | MDL_IO_SPACE |
					MDL_WRITE_OPERATION)));
	TargetMdl->MappedSystemVa = NULL;
	if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
		TargetMdl->MappedSystemVa = (PUCHAR)SourceMdl->MappedSystemVa + offset;
	if (SourceMdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
		TargetMdl->MdlFlags |= MDL_PARENT_MAPPED_SYSTEM_VA;
	first_page = ((ULONG_PTR)TargetMdl->StartVa - (ULONG_PTR)SourceMdl->StartVa) >> PAGE_SHIFT;
	src_pfn = MmGetMdlPfnArray(SourceMdl) + first_page;
	dst_pfn = MmGetMdlPfnArray(TargetMdl);
	pages = nt_mdl_pages(TargetMdl);
	for (i = 0; i < pages; i++)
		dst_pfn[i] = src_pfn[i];
}
