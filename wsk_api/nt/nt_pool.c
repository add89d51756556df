/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pool allocator over malloc: every block carries a small header (magic,
 * tag, size) so frees are checked, and the number of live blocks is kept
 * for leak checks. Lookaside lists allocate straight from the pool.
 */
#include <stdlib.h>

#include "nt_priv.h"
#include "wskstack_nt.h"

#define NT_POOL_MAGIC 0x6c6f6f50u /* "Pool" */
#define NT_POOL_FREED 0x65657246u /* "Free" */

/* Sits immediately before the caller's block. */
struct nt_pool_header {
	ULONG Magic;
	ULONG Tag;
	ULONG Offset; /* from the malloc'ed address to the caller's block */
	ULONG Reserved;
	SIZE_T Size;
	SIZE_T Pad;
};
_Static_assert(sizeof(struct nt_pool_header) % 16 == 0, "pool header keeps 16-byte alignment");

static volatile LONG64 nt_pool_live;

LONG64 WskstackNtPoolLive(void)
{
	return __atomic_load_n(&nt_pool_live, __ATOMIC_SEQ_CST);
}

static PVOID nt_pool_alloc(SIZE_T size, ULONG tag, BOOLEAN zero, SIZE_T align)
{
	SIZE_T hdr = sizeof(struct nt_pool_header);
	SIZE_T offset = align > hdr ? align : hdr;
	struct nt_pool_header *h;
	PUCHAR raw;

	if (size > ((SIZE_T)1 << 40))
		return NULL;
	raw = align > 16 ? aligned_alloc(align, (offset + size + align - 1) & ~(align - 1))
			 : malloc(offset + size);
	if (raw == NULL)
		return NULL;
	h = (struct nt_pool_header *)(raw + offset) - 1;
	h->Magic = NT_POOL_MAGIC;
	h->Tag = tag;
	h->Offset = (ULONG)offset;
	h->Size = size;
	if (zero)
		memset(raw + offset, 0, size);
	__atomic_add_fetch(&nt_pool_live, 1, __ATOMIC_SEQ_CST);
	return raw + offset;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
	PVOID p;

	if ((Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED)) == 0) {
		nt_log("ExAllocatePool2: flags 0x%llx name no pool type", (unsigned long long)Flags);
		return NULL;
	}
	p = nt_pool_alloc(NumberOfBytes, Tag, (Flags & POOL_FLAG_UNINITIALIZED) == 0,
			  (Flags & POOL_FLAG_CACHE_ALIGNED) ? 64 : 16);
	if (p == NULL && (Flags & POOL_FLAG_RAISE_ON_FAILURE))
		ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
	return p;
}

PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
		      PVOID ExtendedParameters, ULONG ExtendedParametersCount)
{
	(void)ExtendedParameters;
	(void)ExtendedParametersCount;
	return ExAllocatePool2(Flags, NumberOfBytes, Tag);
}

static SIZE_T nt_pool_type_align(POOL_TYPE PoolType)
{
	return (PoolType & 4) ? 64 : 16; /* the CacheAligned types have bit 2 set */
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return nt_pool_alloc(NumberOfBytes, Tag, (PoolType & POOL_ZERO_ALLOCATION) != 0,
			     nt_pool_type_align(PoolType));
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
				    EX_POOL_PRIORITY Priority)
{
	(void)Priority;
	return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
	return ExAllocatePoolWithTag(PoolType, NumberOfBytes, 0x20656f4e /* "None" */);
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return nt_pool_alloc(NumberOfBytes, Tag, TRUE, nt_pool_type_align(PoolType));
}

PVOID ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return ExAllocatePoolZero(PoolType, NumberOfBytes, Tag);
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return nt_pool_alloc(NumberOfBytes, Tag, FALSE, nt_pool_type_align(PoolType));
}

static struct nt_pool_header *nt_pool_check(PVOID P, const char *function)
{
	struct nt_pool_header *h = (struct nt_pool_header *)P - 1;

	if (P == NULL || ((ULONG_PTR)P & 15) != 0) {
		nt_log("%s(%p): not a pool block", function, P);
		return NULL;
	}
	if (h->Magic != NT_POOL_MAGIC) {
		nt_log("%s(%p): %s", function, P,
		       h->Magic == NT_POOL_FREED ? "block freed twice" : "not a pool block");
		return NULL;
	}
	return h;
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
	struct nt_pool_header *h = nt_pool_check(P, "ExFreePool");

	if (h == NULL)
		KeBugCheckEx(0xC2 /* BAD_POOL_CALLER */, 7, 0, 0, (ULONG_PTR)P);
	if (Tag != 0 && Tag != h->Tag)
		nt_log("ExFreePoolWithTag(%p): tag 0x%08x, allocated with 0x%08x", P, Tag, h->Tag);
	h->Magic = NT_POOL_FREED;
	free((PUCHAR)P - h->Offset);
	__atomic_sub_fetch(&nt_pool_live, 1, __ATOMIC_SEQ_CST);
}

VOID ExFreePool(PVOID P)
{
	ExFreePoolWithTag(P, 0);
}

VOID ExFreePool2(PVOID P, ULONG Tag, PVOID ExtendedParameters, ULONG ExtendedParametersCount)
{
	(void)ExtendedParameters;
	(void)ExtendedParametersCount;
	ExFreePoolWithTag(P, Tag);
}

SIZE_T ExQueryPoolBlockSize(PVOID PoolBlock, PBOOLEAN QuotaCharged)
{
	struct nt_pool_header *h = nt_pool_check(PoolBlock, "ExQueryPoolBlockSize");

	if (QuotaCharged != NULL)
		*QuotaCharged = FALSE;
	return h != NULL ? h->Size : 0;
}

/* ---- lookaside lists ---------------------------------------------------------- */

VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
				     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
				     USHORT Depth)
{
	memset(Lookaside, 0, sizeof(*Lookaside));
	InitializeSListHead(&Lookaside->L.ListHead);
	Lookaside->L.Type = (POOL_TYPE)(NonPagedPool | (Flags & POOL_NX_ALLOCATION));
	Lookaside->L.Tag = Tag;
	Lookaside->L.Size = (ULONG)Size;
	Lookaside->L.Allocate = Allocate;
	Lookaside->L.Free = Free;
	Lookaside->L.Depth = Depth;
	Lookaside->L.MaximumDepth = Depth;
}

VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
	(void)Lookaside; /* nothing is cached */
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
	Lookaside->L.TotalAllocates++;
	Lookaside->L.AllocateMisses++;
	if (Lookaside->L.Allocate != NULL)
		return Lookaside->L.Allocate(Lookaside->L.Type, Lookaside->L.Size, Lookaside->L.Tag);
	return ExAllocatePoolWithTag(Lookaside->L.Type, Lookaside->L.Size, Lookaside->L.Tag);
}

VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
	Lookaside->L.TotalFrees++;
	Lookaside->L.FreeMisses++;
	if (Lookaside->L.Free != NULL)
		Lookaside->L.Free(Entry);
	else
		ExFreePool(Entry);
}
