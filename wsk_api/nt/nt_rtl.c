/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rtl counted strings (16-bit UNICODE_STRING, 8-bit ANSI_STRING treated as
 * Latin-1), integer conversions, memory compares, GUID text, version, and
 * the registry entry points (there is no registry: opens fail).
 */
#include <stdlib.h>

#include <ntddk.h>

#include "nt_priv.h"

#define NT_STR_TAG 0x72745352 /* "RStr" */

static SIZE_T nt_wlen(PCWSTR s)
{
	SIZE_T n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

WCHAR RtlUpcaseUnicodeChar(WCHAR c)
{
	if (c >= 'a' && c <= 'z')
		return (WCHAR)(c - 0x20);
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7) /* Latin-1 letters */
		return (WCHAR)(c - 0x20);
	if (c == 0xff)
		return 0x178;
	return c;
}

WCHAR RtlDowncaseUnicodeChar(WCHAR c)
{
	if (c >= 'A' && c <= 'Z')
		return (WCHAR)(c + 0x20);
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return (WCHAR)(c + 0x20);
	if (c == 0x178)
		return 0xff;
	return c;
}

CHAR RtlUpperChar(CHAR c)
{
	return (c >= 'a' && c <= 'z') ? (CHAR)(c - 0x20) : c;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
	SIZE_T bytes = SourceString ? nt_wlen(SourceString) * sizeof(WCHAR) : 0;

	if (bytes > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR))
		bytes = UNICODE_STRING_MAX_BYTES - sizeof(WCHAR);
	DestinationString->Buffer = (PWCH)SourceString;
	DestinationString->Length = (USHORT)bytes;
	DestinationString->MaximumLength = SourceString ? (USHORT)(bytes + sizeof(WCHAR)) : 0;
}

NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
	if (SourceString != NULL && nt_wlen(SourceString) * sizeof(WCHAR) >
				    UNICODE_STRING_MAX_BYTES - sizeof(WCHAR))
		return STATUS_NAME_TOO_LONG;
	RtlInitUnicodeString(DestinationString, SourceString);
	return STATUS_SUCCESS;
}

VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
	SIZE_T bytes = SourceString ? strlen(SourceString) : 0;

	if (bytes > MAXUSHORT - 1)
		bytes = MAXUSHORT - 1;
	DestinationString->Buffer = (PCHAR)SourceString;
	DestinationString->Length = (USHORT)bytes;
	DestinationString->MaximumLength = SourceString ? (USHORT)(bytes + 1) : 0;
}

NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString)
{
	if (SourceString != NULL && strlen(SourceString) > MAXUSHORT - 1)
		return STATUS_NAME_TOO_LONG;
	RtlInitAnsiString(DestinationString, SourceString);
	return STATUS_SUCCESS;
}

VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
	RtlInitAnsiString(DestinationString, SourceString);
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
	USHORT n;

	if (SourceString == NULL) {
		DestinationString->Length = 0;
		return;
	}
	n = min(SourceString->Length, DestinationString->MaximumLength);
	n &= (USHORT)~1u;
	memmove(DestinationString->Buffer, SourceString->Buffer, n);
	DestinationString->Length = n;
	if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
		DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

VOID RtlCopyString(PSTRING DestinationString, const STRING *SourceString)
{
	USHORT n;

	if (SourceString == NULL) {
		DestinationString->Length = 0;
		return;
	}
	n = min(SourceString->Length, DestinationString->MaximumLength);
	memmove(DestinationString->Buffer, SourceString->Buffer, n);
	DestinationString->Length = n;
	if (n < DestinationString->MaximumLength)
		DestinationString->Buffer[n] = 0;
}

static NTSTATUS nt_append(PUNICODE_STRING Destination, PCWCH src, SIZE_T bytes)
{
	SIZE_T len = Destination->Length;

	if (len + bytes > Destination->MaximumLength)
		return STATUS_BUFFER_TOO_SMALL;
	memmove((PUCHAR)Destination->Buffer + len, src, bytes);
	Destination->Length = (USHORT)(len + bytes);
	if (Destination->Length + sizeof(WCHAR) <= Destination->MaximumLength)
		Destination->Buffer[Destination->Length / sizeof(WCHAR)] = 0;
	return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
	if (Source == NULL)
		return STATUS_SUCCESS;
	return nt_append(Destination, Source, nt_wlen(Source) * sizeof(WCHAR));
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
	return nt_append(Destination, Source->Buffer, Source->Length);
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
			     BOOLEAN CaseInSensitive)
{
	SIZE_T n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
	SIZE_T i, n = min(n1, n2);

	for (i = 0; i < n; i++) {
		WCHAR a = String1->Buffer[i], b = String2->Buffer[i];

		if (CaseInSensitive) {
			a = RtlUpcaseUnicodeChar(a);
			b = RtlUpcaseUnicodeChar(b);
		}
		if (a != b)
			return (LONG)a - (LONG)b;
	}
	return (LONG)n1 - (LONG)n2;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
			      BOOLEAN CaseInSensitive)
{
	return String1->Length == String2->Length &&
	       RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
			       BOOLEAN CaseInSensitive)
{
	UNICODE_STRING head;

	if (String1->Length > String2->Length)
		return FALSE;
	head = *String2;
	head.Length = String1->Length;
	return RtlCompareUnicodeString(String1, &head, CaseInSensitive) == 0;
}

LONG RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
	USHORT i, n = min(String1->Length, String2->Length);

	for (i = 0; i < n; i++) {
		UCHAR a = (UCHAR)String1->Buffer[i], b = (UCHAR)String2->Buffer[i];

		if (CaseInSensitive) {
			a = (UCHAR)RtlUpperChar((CHAR)a);
			b = (UCHAR)RtlUpperChar((CHAR)b);
		}
		if (a != b)
			return (LONG)a - (LONG)b;
	}
	return (LONG)String1->Length - (LONG)String2->Length;
}

BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
	return String1->Length == String2->Length &&
	       RtlCompareString(String1, String2, CaseInSensitive) == 0;
}

ULONG RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString)
{
	return UnicodeString->Length / sizeof(WCHAR) + 1;
}

ULONG RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString)
{
	return (AnsiString->Length + 1) * sizeof(WCHAR);
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
				      BOOLEAN AllocateDestinationString)
{
	SIZE_T chars = SourceString->Length / sizeof(WCHAR), n = chars, i;
	NTSTATUS status = STATUS_SUCCESS;

	if (chars + 1 > MAXUSHORT)
		return STATUS_INVALID_PARAMETER_2;
	if (AllocateDestinationString) {
		DestinationString->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, chars + 1, NT_STR_TAG);
		if (DestinationString->Buffer == NULL)
			return STATUS_NO_MEMORY;
		DestinationString->MaximumLength = (USHORT)(chars + 1);
	} else if (chars >= DestinationString->MaximumLength) {
		if (DestinationString->MaximumLength == 0)
			return STATUS_BUFFER_OVERFLOW;
		n = DestinationString->MaximumLength - 1U;
		status = STATUS_BUFFER_OVERFLOW;
	}
	for (i = 0; i < n; i++) {
		WCHAR c = SourceString->Buffer[i];

		DestinationString->Buffer[i] = c <= 0xff ? (CHAR)c : '?';
	}
	DestinationString->Buffer[n] = 0;
	DestinationString->Length = (USHORT)n;
	return status;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
				      BOOLEAN AllocateDestinationString)
{
	SIZE_T bytes = (SIZE_T)SourceString->Length * sizeof(WCHAR), i;

	if (bytes + sizeof(WCHAR) > MAXUSHORT)
		return STATUS_INVALID_PARAMETER_2;
	if (AllocateDestinationString) {
		DestinationString->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, bytes + sizeof(WCHAR),
							    NT_STR_TAG);
		if (DestinationString->Buffer == NULL)
			return STATUS_NO_MEMORY;
		DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
	} else if (bytes > DestinationString->MaximumLength) {
		return STATUS_BUFFER_OVERFLOW;
	}
	for (i = 0; i < SourceString->Length; i++)
		DestinationString->Buffer[i] = (WCHAR)(UCHAR)SourceString->Buffer[i];
	DestinationString->Length = (USHORT)bytes;
	if (bytes + sizeof(WCHAR) <= DestinationString->MaximumLength)
		DestinationString->Buffer[i] = 0;
	return STATUS_SUCCESS;
}

static NTSTATUS nt_map_case(PUNICODE_STRING Dst, PCUNICODE_STRING Src, BOOLEAN Alloc,
			    WCHAR (*map)(WCHAR))
{
	SIZE_T i, n = Src->Length / sizeof(WCHAR);

	if (Alloc) {
		Dst->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, Src->Length + sizeof(WCHAR), NT_STR_TAG);
		if (Dst->Buffer == NULL)
			return STATUS_NO_MEMORY;
		Dst->MaximumLength = (USHORT)(Src->Length + sizeof(WCHAR));
	} else if (Src->Length > Dst->MaximumLength) {
		return STATUS_BUFFER_OVERFLOW;
	}
	for (i = 0; i < n; i++)
		Dst->Buffer[i] = map(Src->Buffer[i]);
	Dst->Length = Src->Length;
	return STATUS_SUCCESS;
}

NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
				BOOLEAN AllocateDestinationString)
{
	return nt_map_case(DestinationString, SourceString, AllocateDestinationString,
			   RtlUpcaseUnicodeChar);
}

NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString,
				  PCUNICODE_STRING SourceString, BOOLEAN AllocateDestinationString)
{
	return nt_map_case(DestinationString, SourceString, AllocateDestinationString,
			   RtlDowncaseUnicodeChar);
}

NTSTATUS RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut)
{
	BOOLEAN nul = (Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE) != 0;
	SIZE_T bytes;

	if (Flags & ~3u)
		return STATUS_INVALID_PARAMETER;
	if (StringIn->Length == 0 && !(Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING)) {
		StringOut->Length = StringOut->MaximumLength = 0;
		StringOut->Buffer = NULL;
		return STATUS_SUCCESS;
	}
	bytes = StringIn->Length + (nul ? sizeof(WCHAR) : 0);
	if (bytes > MAXUSHORT)
		return STATUS_NAME_TOO_LONG;
	StringOut->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, bytes ? bytes : sizeof(WCHAR), NT_STR_TAG);
	if (StringOut->Buffer == NULL)
		return STATUS_NO_MEMORY;
	memcpy(StringOut->Buffer, StringIn->Buffer, StringIn->Length);
	if (nul)
		StringOut->Buffer[StringIn->Length / sizeof(WCHAR)] = 0;
	StringOut->Length = StringIn->Length;
	StringOut->MaximumLength = (USHORT)bytes;
	return STATUS_SUCCESS;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
	if (UnicodeString->Buffer != NULL)
		ExFreePool(UnicodeString->Buffer);
	UnicodeString->Buffer = NULL;
	UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID RtlFreeAnsiString(PANSI_STRING AnsiString)
{
	if (AnsiString->Buffer != NULL)
		ExFreePool(AnsiString->Buffer);
	AnsiString->Buffer = NULL;
	AnsiString->Length = AnsiString->MaximumLength = 0;
}

/* ---- integers --------------------------------------------------------------------- */

static int nt_digit(ULONG c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'Z')
		return (int)(c - 'A' + 10);
	return 99;
}

/* Parses [ws][+|-][0x|0o|0b](digits); chars are read through get(i). */
static NTSTATUS nt_parse_int(const void *s, SIZE_T n, BOOLEAN wide, ULONG base, ULONG64 *out,
			     BOOLEAN *neg, SIZE_T *used)
{
	SIZE_T i = 0;
	ULONG64 v = 0;
#define NT_CH(k) ((k) < n ? (wide ? (ULONG)((PCWCH)s)[k] : (ULONG)(UCHAR)((PCCH)s)[k]) : 0u)

	*neg = FALSE;
	if (base != 0 && base != 2 && base != 8 && base != 10 && base != 16)
		return STATUS_INVALID_PARAMETER;
	while (i < n && NT_CH(i) != 0 && NT_CH(i) <= ' ')
		i++;
	if (NT_CH(i) == '+' || NT_CH(i) == '-') {
		*neg = NT_CH(i) == '-';
		i++;
	}
	if (base == 0) {
		base = 10;
		if (NT_CH(i) == '0' && (NT_CH(i + 1) == 'x' || NT_CH(i + 1) == 'X'))
			base = 16, i += 2;
		else if (NT_CH(i) == '0' && (NT_CH(i + 1) == 'o' || NT_CH(i + 1) == 'O'))
			base = 8, i += 2;
		else if (NT_CH(i) == '0' && (NT_CH(i + 1) == 'b' || NT_CH(i + 1) == 'B'))
			base = 2, i += 2;
	}
	while (i < n && nt_digit(NT_CH(i)) < (int)base) {
		v = v * base + (ULONG64)nt_digit(NT_CH(i));
		i++;
	}
#undef NT_CH
	*out = v;
	if (used != NULL)
		*used = i;
	return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
	ULONG64 v;
	BOOLEAN neg;
	NTSTATUS st = nt_parse_int(String->Buffer, String->Length / sizeof(WCHAR), TRUE, Base, &v,
				   &neg, NULL);

	if (NT_SUCCESS(st))
		*Value = neg ? (ULONG)(0 - (ULONG)v) : (ULONG)v;
	return st;
}

NTSTATUS RtlUnicodeStringToInt64(PCUNICODE_STRING String, ULONG Base, PLONG64 Number,
				 PWSTR *EndPointer)
{
	ULONG64 v;
	BOOLEAN neg;
	SIZE_T used;
	NTSTATUS st = nt_parse_int(String->Buffer, String->Length / sizeof(WCHAR), TRUE, Base, &v,
				   &neg, &used);

	if (NT_SUCCESS(st)) {
		*Number = neg ? -(LONG64)v : (LONG64)v;
		if (EndPointer != NULL)
			*EndPointer = String->Buffer + used;
	}
	return st;
}

NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value)
{
	ULONG64 v;
	BOOLEAN neg;
	NTSTATUS st;

	if (String == NULL || Value == NULL)
		return STATUS_ACCESS_VIOLATION;
	st = nt_parse_int(String, strlen(String), FALSE, Base, &v, &neg, NULL);
	if (NT_SUCCESS(st))
		*Value = neg ? (ULONG)(0 - (ULONG)v) : (ULONG)v;
	return st;
}

static SIZE_T nt_format_uint(ULONG64 v, ULONG base, char *buf)
{
	char tmp[65];
	SIZE_T n = 0, i;

	do {
		ULONG d = (ULONG)(v % base);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
		v /= base;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

NTSTATUS RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
	char buf[65];
	SIZE_T n, i;

	if (Base == 0)
		Base = 10;
	if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
		return STATUS_INVALID_PARAMETER;
	n = nt_format_uint(Value, Base, buf);
	if (n * sizeof(WCHAR) > String->MaximumLength)
		return STATUS_BUFFER_OVERFLOW;
	for (i = 0; i < n; i++)
		String->Buffer[i] = (WCHAR)buf[i];
	String->Length = (USHORT)(n * sizeof(WCHAR));
	if ((n + 1) * sizeof(WCHAR) <= String->MaximumLength)
		String->Buffer[n] = 0;
	return STATUS_SUCCESS;
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
	return RtlInt64ToUnicodeString(Value, Base, String);
}

NTSTATUS RtlIntegerToChar(ULONG Value, ULONG Base, LONG OutputLength, PSZ String)
{
	char buf[65];
	SIZE_T n;

	if (Base == 0)
		Base = 10;
	if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
		return STATUS_INVALID_PARAMETER;
	n = nt_format_uint(Value, Base, buf);
	if (OutputLength < 0 || (SIZE_T)OutputLength < n)
		return STATUS_BUFFER_OVERFLOW;
	memcpy(String, buf, n);
	if ((SIZE_T)OutputLength > n)
		String[n] = 0;
	return STATUS_SUCCESS;
}

/* ---- memory ------------------------------------------------------------------------ */

SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
	const UCHAR *a = Source1, *b = Source2;
	SIZE_T i;

	for (i = 0; i < Length && a[i] == b[i]; i++)
		;
	return i;
}

SIZE_T RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern)
{
	const ULONG *p = Source;
	SIZE_T i, n = Length / sizeof(ULONG);

	for (i = 0; i < n && p[i] == Pattern; i++)
		;
	return i * sizeof(ULONG);
}

VOID RtlCopyMemoryNonTemporal(VOID *Destination, const VOID *Source, SIZE_T Length)
{
	memcpy(Destination, Source, Length);
}

ULONG RtlRandomEx(PULONG Seed)
{
	/* Park-Miller minimal standard generator, as the classic RtlRandom. */
	*Seed = (ULONG)(((ULONG64)*Seed * 16807ULL) % 0x7fffffffULL);
	return *Seed;
}

ULONG RtlRandom(PULONG Seed)
{
	return RtlRandomEx(Seed);
}

/* ---- GUIDs -------------------------------------------------------------------------- */

NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
	static const char hex[] = "0123456789abcdef";
	const UCHAR *b = Guid->Data4;
	WCHAR *w;
	int i, k = 0;
	ULONG64 parts[3] = { Guid->Data1, Guid->Data2, Guid->Data3 };
	const int widths[3] = { 8, 4, 4 };

	GuidString->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, 39 * sizeof(WCHAR), NT_STR_TAG);
	if (GuidString->Buffer == NULL)
		return STATUS_NO_MEMORY;
	w = GuidString->Buffer;
	w[k++] = '{';
	for (i = 0; i < 3; i++) {
		int d;

		for (d = widths[i] - 1; d >= 0; d--)
			w[k++] = (WCHAR)hex[(parts[i] >> (4 * d)) & 15];
		w[k++] = '-';
	}
	for (i = 0; i < 8; i++) {
		if (i == 2)
			w[k++] = '-';
		w[k++] = (WCHAR)hex[b[i] >> 4];
		w[k++] = (WCHAR)hex[b[i] & 15];
	}
	w[k++] = '}';
	w[k] = 0;
	GuidString->Length = (USHORT)(k * sizeof(WCHAR));
	GuidString->MaximumLength = 39 * sizeof(WCHAR);
	return STATUS_SUCCESS;
}

NTSTATUS RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid)
{
	static const int pos[16] = { 25, 27, 29, 31, 33, 35, 20, 22, 1, 3, 5, 7, 10, 12, 15, 17 };
	UCHAR v[16];
	int i;

	if (GuidString->Length != 38 * sizeof(WCHAR) || GuidString->Buffer[0] != '{' ||
	    GuidString->Buffer[37] != '}' || GuidString->Buffer[9] != '-' ||
	    GuidString->Buffer[14] != '-' || GuidString->Buffer[19] != '-' ||
	    GuidString->Buffer[24] != '-')
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < 16; i++) {
		int hi = nt_digit(GuidString->Buffer[pos[i]]);
		int lo = nt_digit(GuidString->Buffer[pos[i] + 1]);

		if (hi > 15 || lo > 15)
			return STATUS_INVALID_PARAMETER;
		v[i] = (UCHAR)(hi << 4 | lo);
	}
	/* v[0..5]: Data4[2..7]; v[6..7]: Data4[0..1]; v[8..11]: Data1; v[12..13]: Data2; v[14..15]: Data3 */
	Guid->Data1 = (ULONG)v[8] << 24 | (ULONG)v[9] << 16 | (ULONG)v[10] << 8 | v[11];
	Guid->Data2 = (USHORT)(v[12] << 8 | v[13]);
	Guid->Data3 = (USHORT)(v[14] << 8 | v[15]);
	Guid->Data4[0] = v[6];
	Guid->Data4[1] = v[7];
	memcpy(&Guid->Data4[2], v, 6);
	return STATUS_SUCCESS;
}

/* ---- version, time fields ---------------------------------------------------------------- */

NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)
{
	lpVersionInformation->dwMajorVersion = 10;
	lpVersionInformation->dwMinorVersion = 0;
	lpVersionInformation->dwBuildNumber = 19041;
	lpVersionInformation->dwPlatformId = 2;
	lpVersionInformation->szCSDVersion[0] = 0;
	return STATUS_SUCCESS;
}

BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber,
		     PUNICODE_STRING CSDVersion)
{
	if (MajorVersion != NULL)
		*MajorVersion = 10;
	if (MinorVersion != NULL)
		*MinorVersion = 0;
	if (BuildNumber != NULL)
		*BuildNumber = 19041;
	if (CSDVersion != NULL)
		CSDVersion->Length = 0;
	return FALSE; /* not a checked build */
}

VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
	LONGLONG t = Time->QuadPart / 10000; /* ms since 1601 */
	LONGLONG days = t / 86400000LL, ms = t % 86400000LL;
	/* Civil-from-days, shifted to the 1970 epoch (days 1601..1970: 134774). */
	LONGLONG z = days - 134774 + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	LONGLONG doe = z - era * 146097;
	LONGLONG yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	LONGLONG doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	LONGLONG d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;

	TimeFields->Year = (CSHORT)(yoe + era * 400 + (m <= 2));
	TimeFields->Month = (CSHORT)m;
	TimeFields->Day = (CSHORT)d;
	TimeFields->Hour = (CSHORT)(ms / 3600000);
	TimeFields->Minute = (CSHORT)(ms / 60000 % 60);
	TimeFields->Second = (CSHORT)(ms / 1000 % 60);
	TimeFields->Milliseconds = (CSHORT)(ms % 1000);
	TimeFields->Weekday = (CSHORT)((days + 1) % 7); /* 1601-01-01 was a Monday */
}

BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
	LONGLONG y = TimeFields->Year, m = TimeFields->Month, d = TimeFields->Day, era, yoe, doy,
		 doe, days;

	if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1601)
		return FALSE;
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468 + 134774;
	Time->QuadPart = ((((days * 24 + TimeFields->Hour) * 60 + TimeFields->Minute) * 60 +
			   TimeFields->Second) * 1000 + TimeFields->Milliseconds) * 10000;
	return TRUE;
}

VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime)
{
	*LocalTime = *SystemTime; /* the runtime keeps UTC */
}

VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime)
{
	*SystemTime = *LocalTime;
}

/* ---- registry: none -------------------------------------------------------------------- */

NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
	(void)DesiredAccess;
	(void)ObjectAttributes;
	if (KeyHandle != NULL)
		*KeyHandle = NULL;
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
		     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
	(void)TitleIndex;
	(void)Class;
	(void)CreateOptions;
	(void)Disposition;
	(void)DesiredAccess;
	(void)ObjectAttributes;
	if (KeyHandle != NULL)
		*KeyHandle = NULL;
	return STATUS_ACCESS_DENIED;
}

NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
			 KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
			 PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
	(void)KeyHandle;
	(void)ValueName;
	(void)KeyValueInformationClass;
	(void)KeyValueInformation;
	(void)Length;
	if (ResultLength != NULL)
		*ResultLength = 0;
	return STATUS_INVALID_HANDLE;
}

NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
		       PVOID Data, ULONG DataSize)
{
	(void)KeyHandle;
	(void)ValueName;
	(void)TitleIndex;
	(void)Type;
	(void)Data;
	(void)DataSize;
	return STATUS_INVALID_HANDLE;
}

NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path, PRTL_QUERY_REGISTRY_TABLE QueryTable,
				PVOID Context, PVOID Environment)
{
	PRTL_QUERY_REGISTRY_TABLE q;

	(void)RelativeTo;
	(void)Path;
	(void)Context;
	(void)Environment;
	for (q = QueryTable; q->QueryRoutine != NULL || q->Name != NULL; q++) {
		if (q->Flags & RTL_QUERY_REGISTRY_REQUIRED)
			return STATUS_OBJECT_NAME_NOT_FOUND;
		if ((q->Flags & RTL_QUERY_REGISTRY_DIRECT) && q->EntryContext != NULL &&
		    q->DefaultType == REG_DWORD && q->DefaultData != NULL)
			*(PULONG)q->EntryContext = *(PULONG)q->DefaultData;
	}
	return STATUS_SUCCESS;
}
