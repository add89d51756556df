/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Basic NT types and macros for Windows kernel code compiled by gcc on
 * 64-bit Linux.
 *
 * Windows is LLP64: ULONG and LONG are 32 bits even though Linux's long is
 * 64, pointers and SIZE_T are 64 bits, WCHAR is 16 bits (the code must be
 * built with -fshort-wchar so that L"..." literals match). Names, field
 * names and sizes follow the Windows headers; the definitions are our own.
 */
#ifndef _NTDEF_
#define _NTDEF_

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

#include <sal.h>

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "wskstack's NT headers assume a 64-bit little-endian target"
#endif

/* ---- calling conventions and declaration helpers ---------------------- */

#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef __fastcall
#define __fastcall
#endif
#ifndef __forceinline
#define __forceinline __inline__ __attribute__((always_inline))
#endif
#ifndef __inline
#define __inline __inline__
#endif
#ifndef __unaligned
#define __unaligned
#endif
#ifndef __ptr64
#define __ptr64
#endif
#ifndef __ptr32
#define __ptr32
#endif

/*
 * __declspec(x) expands to __WSKSTACK_DECLSPEC_x, which the list below maps
 * to a gcc attribute or to nothing. A declspec missing from the list fails
 * to compile with its name in the message.
 */
#ifndef __declspec
#define __declspec(x) __WSKSTACK_DECLSPEC_##x
#endif
#define __WSKSTACK_DECLSPEC_align(n) __attribute__((aligned(n)))
#define __WSKSTACK_DECLSPEC_noreturn __attribute__((noreturn))
#define __WSKSTACK_DECLSPEC_noinline __attribute__((noinline))
#define __WSKSTACK_DECLSPEC_nothrow __attribute__((nothrow))
#define __WSKSTACK_DECLSPEC_selectany __attribute__((weak))
#define __WSKSTACK_DECLSPEC_dllimport
#define __WSKSTACK_DECLSPEC_dllexport __attribute__((visibility("default")))
#define __WSKSTACK_DECLSPEC_restrict
#define __WSKSTACK_DECLSPEC_noalias
#define __WSKSTACK_DECLSPEC_novtable
#define __WSKSTACK_DECLSPEC_thread __thread
#define __WSKSTACK_DECLSPEC_deprecated __attribute__((deprecated))
#define __WSKSTACK_DECLSPEC_code_seg(...)
#define __WSKSTACK_DECLSPEC_allocate(...)
#define __WSKSTACK_DECLSPEC_guard(...)

#define NTAPI
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTKERNELAPI
#define NTHALAPI
#define WINAPI
#define CALLBACK
#define FASTCALL
#define NTAPI_INLINE
#define FORCEINLINE static __inline__ __attribute__((always_inline, unused))
#define NTSTRSAFEDDI NTSTATUS
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NOTHROW __attribute__((nothrow))
#define DECLSPEC_DEPRECATED __attribute__((deprecated))
#define DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define DECLSPEC_GUARDNOCF
#define DECLSPEC_RESTRICT
#define POINTER_ALIGNMENT DECLSPEC_ALIGN(8)
#define MEMORY_ALLOCATION_ALIGNMENT 16
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64
#define DUMMYUNIONNAME
#define DUMMYUNIONNAME2
#define DUMMYUNIONNAME3
#define DUMMYUNIONNAME4
#define DUMMYUNIONNAME5
#define DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME2
#define DUMMYSTRUCTNAME3
#define DUMMYSTRUCTNAME4
#define DUMMYSTRUCTNAME5
#define RESTRICTED_POINTER
#define UNALIGNED
#define UNALIGNED64
#define CONST const
#define VOID void
#define EXTERN_C extern
#define NTDDI_VERSION 0x0A00000C
#define _WIN32_WINNT 0x0A00
#define WINVER 0x0A00
#define NTDDI_WIN7 0x06010000
#define NTDDI_WIN8 0x06020000
#define NTDDI_WINBLUE 0x06030000
#define NTDDI_WIN10 0x0A000000
#define NTDDI_WIN10_RS1 0x0A000002
#define NTDDI_WIN10_RS2 0x0A000003
#define NTDDI_WIN10_RS3 0x0A000004
#define NTDDI_WIN10_RS4 0x0A000005
#define NTDDI_WIN10_RS5 0x0A000006
#define NTDDI_WIN10_19H1 0x0A000007
#define NTDDI_WIN10_VB 0x0A000008
#define NTDDI_WIN10_MN 0x0A000009
#define NTDDI_WIN10_FE 0x0A00000A
#define NTDDI_WIN10_CO 0x0A00000B
#define NTDDI_WIN10_NI 0x0A00000C
#ifndef _WIN64
#define _WIN64 1
#endif
#ifndef _AMD64_
#define _AMD64_ 1
#endif
#ifndef _KERNEL_MODE
#define _KERNEL_MODE 1
#endif

#ifndef C_ASSERT
#define C_ASSERT(e) _Static_assert((e), #e)
#endif

/* ---- base integer types (LLP64) ---------------------------------------- */

typedef void *PVOID, **PPVOID;
typedef void *PVOID64;
typedef const void *PCVOID;
typedef char CHAR, CCHAR, *PCHAR, *PCH, *LPCH, *PSTR, *LPSTR, *PSZ, *PCCHAR;
typedef const char *PCCH, *LPCCH, *PCSTR, *LPCSTR, *PCSZ;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef int8_t INT8, *PINT8;
typedef uint8_t UINT8, *PUINT8;
typedef int16_t SHORT, *PSHORT, CSHORT, INT16, *PINT16;
typedef uint16_t USHORT, *PUSHORT, WORD, *PWORD, UINT16, *PUINT16;
typedef int32_t LONG, *PLONG, INT, *PINT, INT32, *PINT32, LONG32, *PLONG32;
typedef uint32_t ULONG, *PULONG, UINT, *PUINT, DWORD, *PDWORD, UINT32, *PUINT32,
	ULONG32, *PULONG32, DWORD32, *PDWORD32;
typedef int BOOL, *PBOOL;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, *PDWORD64,
	UINT64, *PUINT64, DWORDLONG, *PDWORDLONG;
typedef int64_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR, SSIZE_T, *PSSIZE_T;
typedef uint64_t ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR, SIZE_T, *PSIZE_T,
	DWORD_PTR, *PDWORD_PTR, KAFFINITY, *PKAFFINITY;
typedef int32_t HALF_PTR;
typedef uint32_t UHALF_PTR;
typedef float FLOAT;
typedef double DOUBLE;
typedef wchar_t WCHAR, *PWCHAR, *PWCH, *LPWCH, *PWSTR, *LPWSTR, *PZZWSTR, *NWPSTR;
typedef const wchar_t *PCWCH, *LPCWCH, *PCWSTR, *LPCWSTR, *PCZZWSTR;
typedef WCHAR TCHAR, *PTCHAR;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef ULONG LOGICAL, *PLOGICAL;
typedef PVOID HANDLE, *PHANDLE;
typedef LONG KPRIORITY;
typedef ULONG_PTR ERESOURCE_THREAD;
typedef ULONG64 POOL_FLAGS;
typedef ULONG CLONG;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef ULONG LCID;
typedef USHORT LANGID;
typedef ULONG EXECUTION_STATE;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef PVOID PSID;
typedef UCHAR SECURITY_CONTEXT_TRACKING_MODE;
typedef USHORT SECURITY_DESCRIPTOR_CONTROL;
typedef ULONG SECURITY_INFORMATION, *PSECURITY_INFORMATION;

_Static_assert(sizeof(WCHAR) == 2, "build WSK code with -fshort-wchar");
_Static_assert(sizeof(ULONG) == 4 && sizeof(LONG) == 4, "ULONG must be 32-bit");
_Static_assert(sizeof(ULONG_PTR) == sizeof(void *), "ULONG_PTR must be pointer-sized");

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffff
#define MAXLONGLONG 0x7fffffffffffffffLL
#define MAXULONGLONG 0xffffffffffffffffULL
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MINLONG_PTR (~MAXLONG_PTR)
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))
#define MAXSSIZE_T ((SSIZE_T)(MAXSIZE_T >> 1))
#define MAXDWORD 0xffffffff
#define MAXINT_PTR MAXLONG_PTR
#define MAXUINT_PTR MAXULONG_PTR
#define MAXUINT8 ((UINT8)~((UINT8)0))
#define MAXUINT16 ((UINT16)~((UINT16)0))
#define MAXUINT32 ((UINT32)~((UINT32)0))
#define MAXUINT64 ((UINT64)~((UINT64)0))
#define MAXINT32 ((INT32)(MAXUINT32 >> 1))
#define MAXINT64 ((INT64)(MAXUINT64 >> 1))
#define MAXINT8 ((INT8)(MAXUINT8 >> 1))
#define MAXINT16 ((INT16)(MAXUINT16 >> 1))

#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif
#define ANYSIZE_ARRAY 1

#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* ---- common structures ------------------------------------------------- */

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
	struct {
		ULONG LowPart;
		ULONG HighPart;
	};
	struct {
		ULONG LowPart;
		ULONG HighPart;
	} u;
	ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _GUID {
	ULONG Data1;
	USHORT Data2;
	USHORT Data3;
	UCHAR Data4[8];
} GUID, *PGUID, *LPGUID, UUID;
typedef const GUID *LPCGUID, *PCGUID;
typedef const GUID *REFGUID;

#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
	extern const GUID name
#define IsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)
#define InlineIsEqualGUID(a, b) IsEqualGUID(a, b)

/** Doubly linked list link; a list head is a LIST_ENTRY pointing to itself when empty. */
typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink; /**< next entry (the head after the last) */
	struct _LIST_ENTRY *Blink; /**< previous entry */
} LIST_ENTRY, *PLIST_ENTRY, *RESTRICTED_POINTER PRLIST_ENTRY;

/** Singly linked list link. */
typedef struct _SINGLE_LIST_ENTRY {
	struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _LIST_ENTRY32 {
	ULONG Flink;
	ULONG Blink;
} LIST_ENTRY32, *PLIST_ENTRY32;

typedef struct _LIST_ENTRY64 {
	ULONGLONG Flink;
	ULONGLONG Blink;
} LIST_ENTRY64, *PLIST_ENTRY64;

/** Counted 16-bit string; Length and MaximumLength are in bytes, no NUL required. */
typedef struct _UNICODE_STRING {
	USHORT Length;        /**< bytes in use, excluding any terminating NUL */
	USHORT MaximumLength; /**< bytes allocated at Buffer */
	PWCH Buffer;          /**< the characters */
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/** Counted 8-bit string; Length and MaximumLength are in bytes. */
typedef struct _STRING {
	USHORT Length;
	USHORT MaximumLength;
	PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING, *PCOEM_STRING;
typedef STRING UTF8_STRING, *PUTF8_STRING;

#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

typedef struct _OBJECT_ATTRIBUTES {
	ULONG Length;
	HANDLE RootDirectory;
	PUNICODE_STRING ObjectName;
	ULONG Attributes;
	PVOID SecurityDescriptor;
	PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_IGNORE_IMPERSONATED_DEVICEMAP 0x00000800L
#define OBJ_DONT_REPARSE 0x00001000L
#define OBJ_VALID_ATTRIBUTES 0x00001FF2L

#define InitializeObjectAttributes(p, n, a, r, s) do { \
	(p)->Length = sizeof(OBJECT_ATTRIBUTES); \
	(p)->RootDirectory = (r); \
	(p)->Attributes = (a); \
	(p)->ObjectName = (n); \
	(p)->SecurityDescriptor = (s); \
	(p)->SecurityQualityOfService = NULL; \
} while (0)

#define RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a) \
	{ sizeof(OBJECT_ATTRIBUTES), NULL, RTL_CONST_CAST(PUNICODE_STRING)(n), (a), NULL, NULL }

typedef struct _CLIENT_ID {
	HANDLE UniqueProcess;
	HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef enum _EVENT_TYPE {
	NotificationEvent,
	SynchronizationEvent
} EVENT_TYPE;

typedef enum _TIMER_TYPE {
	NotificationTimer,
	SynchronizationTimer
} TIMER_TYPE;

typedef enum _WAIT_TYPE {
	WaitAll,
	WaitAny,
	WaitNotification,
	WaitDequeue,
	WaitDpc
} WAIT_TYPE;

typedef struct _PROCESSOR_NUMBER {
	USHORT Group;
	UCHAR Number;
	UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

typedef struct _GROUP_AFFINITY {
	KAFFINITY Mask;
	USHORT Group;
	USHORT Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;

/* ---- status helpers ---------------------------------------------------- */

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)
#define NT_FACILITY(Status) ((((ULONG)(Status)) >> 16) & 0xfff)

/* ---- structure and pointer helpers ------------------------------------- */

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) \
	(FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field) \
	((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define RTL_NUMBER_OF_V1(a) RTL_NUMBER_OF(a)
#define RTL_NUMBER_OF_V2(a) RTL_NUMBER_OF(a)
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define _ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define RTL_NUMBER_OF_FIELD(type, field) RTL_NUMBER_OF(RTL_FIELD_SIZE(type, field))
#define RTL_PADDING_BETWEEN_FIELDS(T, F1, F2) \
	((FIELD_OFFSET(T, F2) > FIELD_OFFSET(T, F1)) \
		? (FIELD_OFFSET(T, F2) - FIELD_OFFSET(T, F1) - RTL_FIELD_SIZE(T, F1)) \
		: (FIELD_OFFSET(T, F1) - FIELD_OFFSET(T, F2) - RTL_FIELD_SIZE(T, F2)))
#define CONTAINING_RECORD(address, type, field) \
	((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define ARGUMENT_PRESENT(ArgumentPointer) ((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)NULL)
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), alignment))
#define ALIGN_DOWN_POINTER_BY(address, alignment) ((PVOID)ALIGN_DOWN_BY(address, alignment))
#define ALIGN_UP_POINTER_BY(address, alignment) ((PVOID)ALIGN_UP_BY(address, alignment))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define ALIGN_DOWN_POINTER(address, type) ALIGN_DOWN_POINTER_BY(address, sizeof(type))
#define ALIGN_UP_POINTER(address, type) ALIGN_UP_POINTER_BY(address, sizeof(type))
#define RTL_CONST_CAST(type) (type)
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#define MAKELONG(a, b) ((LONG)(((USHORT)(((ULONG_PTR)(a)) & 0xffff)) | ((ULONG)((USHORT)(((ULONG_PTR)(b)) & 0xffff))) << 16))
#define LOWORD(l) ((USHORT)(((ULONG_PTR)(l)) & 0xffff))
#define HIWORD(l) ((USHORT)((((ULONG_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((UCHAR)(((ULONG_PTR)(w)) & 0xff))
#define HIBYTE(w) ((UCHAR)((((ULONG_PTR)(w)) >> 8) & 0xff))
#define Int32x32To64(a, b) (((LONGLONG)((LONG)(a))) * ((LONGLONG)((LONG)(b))))
#define UInt32x32To64(a, b) (((ULONGLONG)((ULONG)(a))) * ((ULONGLONG)((ULONG)(b))))

/*
 * Structured exception handling does not exist in gcc C. __try blocks run
 * normally and __except blocks never run; nothing in this runtime raises.
 * __leave is left undefined on purpose: it cannot be emulated by a macro.
 * Define WSKSTACK_NO_SEH_EMULATION to turn this off.
 */
#if !defined(WSKSTACK_NO_SEH_EMULATION) && !defined(__cplusplus)
#ifndef __try
#define __try if (1)
#endif
#ifndef __except
#define __except(filter) else if (0)
#endif
#ifndef __finally
#define __finally if (1)
#endif
#endif
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
#define GetExceptionCode() ((NTSTATUS)0)
#define GetExceptionInformation() ((PVOID)0)
#define _exception_code() ((ULONG)0)
#define _exception_info() ((PVOID)0)

#endif /* _NTDEF_ */
