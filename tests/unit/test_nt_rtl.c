/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rtl string helpers, ntstrsafe formatting with 16-bit WCHAR (truncation,
 * NUL termination, Windows conversions), ip2string round trips and bad
 * input, MDL helpers and the pool.
 */
#include <string.h>

#include <ntddk.h>
#include <ntstrsafe.h>
#include <ip2string.h>
#include <wskstack_nt.h>

#include "nt_check.h"

/* 16-bit text to 8-bit for comparisons (ASCII only in these tests). */
static const char *narrow(PCWSTR w, SIZE_T n)
{
	static char buf[8][512];
	static int slot;
	char *out = buf[slot++ & 7];
	SIZE_T i;

	for (i = 0; i < n && i < 511 && w[i] != 0; i++)
		out[i] = w[i] < 0x80 ? (char)w[i] : '?';
	out[i] = 0;
	return out;
}

#define WSTR(w) narrow((w), (SIZE_T)-1)
#define USTR(u) narrow((u)->Buffer, (u)->Length / sizeof(WCHAR))

static void test_unicode_strings(void)
{
	UNICODE_STRING a, b;
	ANSI_STRING an;
	WCHAR buf[8];
	UNICODE_STRING small;
	DECLARE_CONST_UNICODE_STRING(konst, L"Const");
	DECLARE_UNICODE_STRING_SIZE(sized, 16);
	UNICODE_STRING cs = RTL_CONSTANT_STRING(L"Hello");
	ANSI_STRING ca = RTL_CONSTANT_STRING("abc");

	RtlInitUnicodeString(&a, L"Hello");
	NT_CHECK_EQ(a.Length, 10);
	NT_CHECK_EQ(a.MaximumLength, 12);
	RtlInitUnicodeString(&b, NULL);
	NT_CHECK(b.Length == 0 && b.MaximumLength == 0 && b.Buffer == NULL);
	NT_CHECK(RtlEqualUnicodeString(&a, &cs, FALSE));
	NT_CHECK_EQ(konst.Length, 10);
	NT_CHECK_EQ(sized.MaximumLength, 32);
	NT_CHECK_EQ(ca.Length, 3);
	RtlInitUnicodeString(&b, L"hELLO");
	NT_CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
	NT_CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
	NT_CHECK(RtlCompareUnicodeString(&a, &b, FALSE) < 0); /* 'H' < 'h' */
	NT_CHECK_EQ(RtlCompareUnicodeString(&a, &b, TRUE), 0);
	RtlInitUnicodeString(&b, L"Hell");
	NT_CHECK(RtlCompareUnicodeString(&b, &a, FALSE) < 0);
	NT_CHECK(RtlPrefixUnicodeString(&b, &a, FALSE));
	NT_CHECK(!RtlPrefixUnicodeString(&a, &b, FALSE));
	RtlInitUnicodeString(&b, L"hel");
	NT_CHECK(RtlPrefixUnicodeString(&b, &a, TRUE));
	NT_CHECK(!RtlPrefixUnicodeString(&b, &a, FALSE));
	NT_CHECK_EQ(RtlUpcaseUnicodeChar(L'z'), L'Z');
	NT_CHECK_EQ(RtlUpcaseUnicodeChar(0xe9), 0xc9);
	NT_CHECK_EQ(RtlUpcaseUnicodeChar(L'1'), L'1');

	/* Copy and append into a 8-character buffer. */
	RtlInitEmptyUnicodeString(&small, buf, sizeof(buf));
	RtlCopyUnicodeString(&small, &a);
	NT_CHECK_EQ(small.Length, 10);
	NT_CHECK_EQ(buf[5], 0);
	NT_CHECK_EQ(RtlAppendUnicodeToString(&small, L"!!"), STATUS_SUCCESS);
	NT_CHECK_STR(USTR(&small), "Hello!!");
	NT_CHECK_EQ(buf[7], 0);
	NT_CHECK_EQ(RtlAppendUnicodeToString(&small, L"?"), STATUS_SUCCESS); /* exactly full */
	NT_CHECK_EQ(small.Length, 16);
	NT_CHECK_EQ(RtlAppendUnicodeToString(&small, L"x"), STATUS_BUFFER_TOO_SMALL);
	NT_CHECK_EQ(RtlAppendUnicodeStringToString(&small, &a), STATUS_BUFFER_TOO_SMALL);
	RtlInitUnicodeString(&b, L"A much longer string");
	RtlCopyUnicodeString(&small, &b);
	NT_CHECK_EQ(small.Length, 16);
	NT_CHECK_STR(USTR(&small), "A much l");

	/* ANSI <-> Unicode with allocation from the pool. */
	NT_CHECK_EQ(RtlUnicodeStringToAnsiString(&an, &a, TRUE), STATUS_SUCCESS);
	NT_CHECK_EQ(an.Length, 5);
	NT_CHECK_STR(an.Buffer, "Hello");
	NT_CHECK_EQ(WskstackNtPoolLive(), 1);
	NT_CHECK_EQ(RtlAnsiStringToUnicodeString(&b, &an, TRUE), STATUS_SUCCESS);
	NT_CHECK(RtlEqualUnicodeString(&a, &b, FALSE));
	NT_CHECK_EQ(b.Buffer[5], 0);
	RtlFreeUnicodeString(&b);
	RtlFreeAnsiString(&an);
	NT_CHECK(an.Buffer == NULL);
	NT_CHECK_EQ(WskstackNtPoolLive(), 0);
	{
		char nb[4];
		ANSI_STRING n4 = { 0, sizeof(nb), nb };

		NT_CHECK_EQ(RtlUnicodeStringToAnsiString(&n4, &a, FALSE), STATUS_BUFFER_OVERFLOW);
		NT_CHECK_STR(nb, "Hel");
	}
}

static void test_integers(void)
{
	UNICODE_STRING s;
	WCHAR buf[4];
	ULONG v = 0;

	RtlInitUnicodeString(&s, L"  -123");
	NT_CHECK_EQ(RtlUnicodeStringToInteger(&s, 0, &v), STATUS_SUCCESS);
	NT_CHECK_EQ((LONG)v, -123);
	RtlInitUnicodeString(&s, L"0x1F");
	NT_CHECK_EQ(RtlUnicodeStringToInteger(&s, 0, &v), STATUS_SUCCESS);
	NT_CHECK_EQ(v, 31);
	RtlInitUnicodeString(&s, L"ff");
	NT_CHECK_EQ(RtlUnicodeStringToInteger(&s, 16, &v), STATUS_SUCCESS);
	NT_CHECK_EQ(v, 255);
	RtlInitUnicodeString(&s, L"0b101");
	NT_CHECK_EQ(RtlUnicodeStringToInteger(&s, 0, &v), STATUS_SUCCESS);
	NT_CHECK_EQ(v, 5);
	RtlInitUnicodeString(&s, L"12");
	NT_CHECK_EQ(RtlUnicodeStringToInteger(&s, 7, &v), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlCharToInteger("4096", 10, &v), STATUS_SUCCESS);
	NT_CHECK_EQ(v, 4096);
	NT_CHECK_EQ(RtlCharToInteger("777", 8, &v), STATUS_SUCCESS);
	NT_CHECK_EQ(v, 511);
	RtlInitEmptyUnicodeString(&s, buf, sizeof(buf));
	NT_CHECK_EQ(RtlIntegerToUnicodeString(123, 10, &s), STATUS_SUCCESS);
	NT_CHECK_STR(USTR(&s), "123");
	NT_CHECK_EQ(buf[3], 0);
	NT_CHECK_EQ(RtlIntegerToUnicodeString(255, 16, &s), STATUS_SUCCESS);
	NT_CHECK_STR(USTR(&s), "FF");
	NT_CHECK_EQ(RtlIntegerToUnicodeString(12345, 10, &s), STATUS_BUFFER_OVERFLOW);
}

static void test_printf_narrow(void)
{
	char buf[256], small[8];
	UNICODE_STRING us = RTL_CONSTANT_STRING(L"uni");
	ANSI_STRING as = RTL_CONSTANT_STRING("ansi");
	LONG neg = -5;
	LONG64 big = -1234567890123LL;

	NT_CHECK_EQ(RtlStringCbPrintfA(buf, sizeof(buf), "%d %u %x %X %o %c %s", -42, 42u, 0xabc,
				       0xabc, 8, 'q', "str"), STATUS_SUCCESS);
	NT_CHECK_STR(buf, "-42 42 abc ABC 10 q str");
	RtlStringCbPrintfA(buf, sizeof(buf), "%ws|%S|%ls|%hs|%wZ|%Z|%wc", L"wide", L"WIDE", L"l",
			   "h", &us, &as, (int)L'W');
	NT_CHECK_STR(buf, "wide|WIDE|l|h|uni|ansi|W");
	RtlStringCbPrintfA(buf, sizeof(buf), "%ld %lu %I64d %lld %llx %Iu %zu", neg, (ULONG)7, big,
			   big, 0x123456789aULL, (SIZE_T)99, (SIZE_T)100);
	NT_CHECK_STR(buf, "-5 7 -1234567890123 -1234567890123 123456789a 99 100");
	RtlStringCbPrintfA(buf, sizeof(buf), "[%5d|%-5d|%05d|%+d|% d|%.3d|%#x|%#o|%*d]", 42, 42, 42,
			   42, 42, 7, 255, 8, 4, 1);
	NT_CHECK_STR(buf, "[   42|42   |00042|+42| 42|007|0xff|010|   1]");
	RtlStringCbPrintfA(buf, sizeof(buf), "[%6s|%-6s|%.2s|%.2ws]", "ab", "ab", "abcdef", L"xyz");
	NT_CHECK_STR(buf, "[    ab|ab    |ab|xy]");
	RtlStringCbPrintfA(buf, sizeof(buf), "%p", (void *)0xdeadbeefULL);
	NT_CHECK_STR(buf, "00000000DEADBEEF");
	RtlStringCbPrintfA(buf, sizeof(buf), "%s %wZ %hd %hhu %%", (char *)NULL, (PUNICODE_STRING)NULL,
			   (int)(SHORT)-2, 300);
	NT_CHECK_STR(buf, "(null) (null) -2 44 %");
	RtlStringCbPrintfA(buf, sizeof(buf), "%.2f|%5.1f", 3.14159, 2.25);
	NT_CHECK_STR(buf, "3.14|  2.2");
	RtlStringCbPrintfA(buf, sizeof(buf), "%ws", L"\x00e9t\x4e2d");
	NT_CHECK_STR(buf, "\xe9t?"); /* Latin-1 kept, beyond it '?' */

	/* Truncation: always NUL-terminated, STATUS_BUFFER_OVERFLOW. */
	memset(small, 'X', sizeof(small));
	NT_CHECK_EQ(RtlStringCbPrintfA(small, sizeof(small), "hello %s", "world"),
		    STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(small, "hello w");
	NT_CHECK_EQ(RtlStringCchPrintfA(small, 7, "%d", 1234567), STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(small, "123456");
	NT_CHECK_EQ(RtlStringCchPrintfA(small, 8, "%d", 1234567), STATUS_SUCCESS);
	NT_CHECK_STR(small, "1234567");
	NT_CHECK_EQ(RtlStringCbPrintfA(small, 0, "x"), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlStringCchPrintfA(small, (size_t)NTSTRSAFE_MAX_CCH + 1, "x"),
		    STATUS_INVALID_PARAMETER);

	/* Copy, concatenate, length. */
	NT_CHECK_EQ(RtlStringCbCopyA(small, sizeof(small), "copy"), STATUS_SUCCESS);
	NT_CHECK_EQ(RtlStringCbCatA(small, sizeof(small), "cat"), STATUS_SUCCESS);
	NT_CHECK_STR(small, "copycat");
	NT_CHECK_EQ(RtlStringCbCatA(small, sizeof(small), "!"), STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(small, "copycat");
	NT_CHECK_EQ(RtlStringCbCopyA(small, sizeof(small), "0123456789"), STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(small, "0123456");
	{
		size_t n = 99;

		NT_CHECK_EQ(RtlStringCbLengthA("abc", 10, &n), STATUS_SUCCESS);
		NT_CHECK_EQ(n, 3);
		NT_CHECK_EQ(RtlStringCbLengthA("abc", 3, &n), STATUS_INVALID_PARAMETER);
		NT_CHECK_EQ(n, 0);
		NT_CHECK_EQ(RtlStringCchLengthA(NULL, 3, &n), STATUS_INVALID_PARAMETER);
	}
}

static void test_printf_wide(void)
{
	WCHAR buf[128], small[6];
	UNICODE_STRING us = RTL_CONSTANT_STRING(L"us");
	ANSI_STRING as = RTL_CONSTANT_STRING("as");
	UNICODE_STRING dst;
	size_t n;

	NT_CHECK_EQ(RtlStringCbPrintfW(buf, sizeof(buf), L"%s|%S|%hs|%ws|%wZ|%Z|%c|%C|%d|%08X",
				       L"wide", "narrow", "h", L"w", &us, &as, L'c', 'C', -7, 0xbeef),
		    STATUS_SUCCESS);
	NT_CHECK_STR(WSTR(buf), "wide|narrow|h|w|us|as|c|C|-7|0000BEEF");
	NT_CHECK_EQ(RtlStringCchPrintfW(buf, 128, L"%-4s|%4S|%I64u", L"ab", "cd", 18446744073709551615ULL),
		    STATUS_SUCCESS);
	NT_CHECK_STR(WSTR(buf), "ab  |  cd|18446744073709551615");
	NT_CHECK_EQ(RtlStringCbPrintfW(small, sizeof(small), L"%s", L"truncated"),
		    STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(WSTR(small), "trunc");
	NT_CHECK_EQ(small[5], 0);
	NT_CHECK_EQ(RtlStringCbCopyW(small, sizeof(small), L"abc"), STATUS_SUCCESS);
	NT_CHECK_EQ(RtlStringCbCatW(small, sizeof(small), L"def"), STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(WSTR(small), "abcde");
	NT_CHECK_EQ(RtlStringCchCopyW(small, 6, L"xy"), STATUS_SUCCESS);
	NT_CHECK_EQ(RtlStringCbLengthW(small, sizeof(small), &n), STATUS_SUCCESS);
	NT_CHECK_EQ(n, 4);
	NT_CHECK_EQ(RtlStringCchLengthW(small, 6, &n), STATUS_SUCCESS);
	NT_CHECK_EQ(n, 2);

	/* RtlUnicodeStringPrintf: Length set, no NUL needed, truncation reported. */
	RtlInitEmptyUnicodeString(&dst, buf, 10 * sizeof(WCHAR));
	NT_CHECK_EQ(RtlUnicodeStringPrintf(&dst, L"port %u", 8080), STATUS_SUCCESS);
	NT_CHECK_EQ(dst.Length, 9 * sizeof(WCHAR));
	NT_CHECK_STR(USTR(&dst), "port 8080");
	NT_CHECK_EQ(RtlUnicodeStringPrintf(&dst, L"address %wZ", &us), STATUS_SUCCESS); /* exactly full */
	NT_CHECK_EQ(dst.Length, 10 * sizeof(WCHAR));
	NT_CHECK_STR(USTR(&dst), "address us");
	NT_CHECK_EQ(RtlUnicodeStringPrintf(&dst, L"address %wZ!", &us), STATUS_BUFFER_OVERFLOW);
	NT_CHECK_STR(USTR(&dst), "address us");
}

/* ---- ip2string ---------------------------------------------------------------------------------- */

static void v6_round_trip(const char *in, const char *out)
{
	struct in6_addr a;
	const char *term = NULL;
	char text[64];

	NT_CHECK_EQ(RtlIpv6StringToAddressA(in, &term, &a), STATUS_SUCCESS);
	NT_CHECK(term != NULL && *term == 0);
	RtlIpv6AddressToStringA(&a, text);
	NT_CHECK_STR(text, out);
}

static void test_ip2string(void)
{
	struct in_addr a4;
	struct in6_addr a6;
	const char *term;
	PCWSTR wterm;
	char text[80];
	WCHAR wtext[80];
	USHORT port;
	ULONG scope, len;
	PSTR end;

	NT_CHECK_EQ(RtlIpv4StringToAddressA("192.168.1.10", TRUE, &term, &a4), STATUS_SUCCESS);
	NT_CHECK_EQ(a4.s_addr, RtlUlongByteSwap(0xc0a8010a));
	NT_CHECK(*term == 0);
	end = RtlIpv4AddressToStringA(&a4, text);
	NT_CHECK_STR(text, "192.168.1.10");
	NT_CHECK(end == text + 12);
	NT_CHECK_EQ(RtlIpv4StringToAddressA("10.0.0.1:80", TRUE, &term, &a4), STATUS_SUCCESS);
	NT_CHECK(*term == ':');
	NT_CHECK_EQ(RtlIpv4StringToAddressA("256.1.1.1", TRUE, &term, &a4), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv4StringToAddressA("1.2.3", TRUE, &term, &a4), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv4StringToAddressA("1.2.3", FALSE, &term, &a4), STATUS_SUCCESS);
	NT_CHECK_EQ(a4.s_addr, RtlUlongByteSwap(0x01020003));
	NT_CHECK_EQ(RtlIpv4StringToAddressA("0x7f.1", FALSE, &term, &a4), STATUS_SUCCESS);
	NT_CHECK_EQ(a4.s_addr, RtlUlongByteSwap(0x7f000001));
	NT_CHECK_EQ(RtlIpv4StringToAddressA("abc", FALSE, &term, &a4), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv4StringToAddressA("", TRUE, &term, &a4), STATUS_INVALID_PARAMETER);

	NT_CHECK_EQ(RtlIpv4StringToAddressExA("10.1.2.3:8080", TRUE, &a4, &port), STATUS_SUCCESS);
	NT_CHECK_EQ(port, RtlUshortByteSwap(8080));
	NT_CHECK_EQ(a4.s_addr, RtlUlongByteSwap(0x0a010203));
	NT_CHECK_EQ(RtlIpv4StringToAddressExA("10.1.2.3", TRUE, &a4, &port), STATUS_SUCCESS);
	NT_CHECK_EQ(port, 0);
	NT_CHECK_EQ(RtlIpv4StringToAddressExA("10.1.2.3:99999", TRUE, &a4, &port),
		    STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv4StringToAddressExA("10.1.2.3 ", TRUE, &a4, &port), STATUS_INVALID_PARAMETER);
	a4.s_addr = RtlUlongByteSwap(0x0a010203);
	len = sizeof(text);
	NT_CHECK_EQ(RtlIpv4AddressToStringExA(&a4, RtlUshortByteSwap(443), text, &len), STATUS_SUCCESS);
	NT_CHECK_STR(text, "10.1.2.3:443");
	NT_CHECK_EQ(len, 13);
	len = 5;
	NT_CHECK_EQ(RtlIpv4AddressToStringExA(&a4, 0, text, &len), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(len, 9);
	NT_CHECK_EQ(RtlIpv4StringToAddressW(L"127.0.0.1", TRUE, &wterm, &a4), STATUS_SUCCESS);
	NT_CHECK(*wterm == 0);
	RtlIpv4AddressToStringW(&a4, wtext);
	NT_CHECK_STR(WSTR(wtext), "127.0.0.1");
	NT_CHECK_EQ(RtlIpv4StringToAddressExW(L"127.0.0.1:1", TRUE, &a4, &port), STATUS_SUCCESS);
	NT_CHECK_EQ(port, RtlUshortByteSwap(1));

	v6_round_trip("::", "::");
	v6_round_trip("::1", "::1");
	v6_round_trip("fe80::1", "fe80::1");
	v6_round_trip("FE80:0:0:0:0:0:0:1", "fe80::1");
	v6_round_trip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	v6_round_trip("1:0:0:1:0:0:0:1", "1:0:0:1::1");
	v6_round_trip("2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329");
	v6_round_trip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	v6_round_trip("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
	v6_round_trip("::ffff:1.2.3.4", "::ffff:1.2.3.4");
	v6_round_trip("::ffff:102:304", "::ffff:1.2.3.4");
	v6_round_trip("64:ff9b::1.2.3.4", "64:ff9b::102:304");
	v6_round_trip("1::", "1::");
	NT_CHECK_EQ(RtlIpv6StringToAddressA("1:::2", &term, &a6), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressA("12345::", &term, &a6), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressA("1:2:3", &term, &a6), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressA("g::1", &term, &a6), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressA("1::2::3", &term, &a6), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressA(":1::2", &term, &a6), STATUS_INVALID_PARAMETER);

	NT_CHECK_EQ(RtlIpv6StringToAddressExA("[fe80::1%3]:443", &a6, &scope, &port), STATUS_SUCCESS);
	NT_CHECK_EQ(scope, 3);
	NT_CHECK_EQ(port, RtlUshortByteSwap(443));
	NT_CHECK(a6.u.Byte[0] == 0xfe && a6.u.Byte[1] == 0x80 && a6.u.Byte[15] == 1);
	len = sizeof(text);
	NT_CHECK_EQ(RtlIpv6AddressToStringExA(&a6, scope, port, text, &len), STATUS_SUCCESS);
	NT_CHECK_STR(text, "[fe80::1%3]:443");
	NT_CHECK_EQ(len, 16);
	len = sizeof(text);
	NT_CHECK_EQ(RtlIpv6AddressToStringExA(&a6, 0, 0, text, &len), STATUS_SUCCESS);
	NT_CHECK_STR(text, "fe80::1");
	NT_CHECK_EQ(RtlIpv6StringToAddressExA("::1", &a6, &scope, &port), STATUS_SUCCESS);
	NT_CHECK(scope == 0 && port == 0);
	NT_CHECK_EQ(RtlIpv6StringToAddressExA("[::1]:", &a6, &scope, &port), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressExA("[::1", &a6, &scope, &port), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressExA("::1]:80", &a6, &scope, &port), STATUS_INVALID_PARAMETER);
	NT_CHECK_EQ(RtlIpv6StringToAddressExW(L"[2001:db8::2]:65535", &a6, &scope, &port),
		    STATUS_SUCCESS);
	NT_CHECK_EQ(port, 0xffff);
	len = 80;
	NT_CHECK_EQ(RtlIpv6AddressToStringExW(&a6, 0, port, wtext, &len), STATUS_SUCCESS);
	NT_CHECK_STR(WSTR(wtext), "[2001:db8::2]:65535");
	NT_CHECK_EQ(RtlIpv6StringToAddressW(L"::1 trailing", &wterm, &a6), STATUS_SUCCESS);
	NT_CHECK(*wterm == L' ');
}

/* ---- MDLs and pool ------------------------------------------------------------------------------- */

static void test_mdl(void)
{
	static DECLSPEC_ALIGN(PAGE_SIZE) UCHAR buf[4 * PAGE_SIZE];
	PUCHAR va = buf + 100;
	PMDL mdl, part;
	PPFN_NUMBER pfn;
	LONG live = WskstackNtMdlsLive();

	NT_CHECK_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 5000), 2);
	NT_CHECK_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, PAGE_SIZE), 1);
	NT_CHECK_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf + PAGE_SIZE - 1, 2), 2);
	NT_CHECK_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, 0), 0);
	NT_CHECK_EQ(BYTE_OFFSET(va), 100);
	NT_CHECK(PAGE_ALIGN(va) == buf);
	NT_CHECK_EQ(MmSizeOfMdl(va, 5000), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));

	mdl = IoAllocateMdl(va, 5000, FALSE, FALSE, NULL);
	NT_CHECK(mdl != NULL);
	NT_CHECK_EQ(WskstackNtMdlsLive(), live + 1);
	NT_CHECK(mdl->StartVa == buf && mdl->ByteOffset == 100 && mdl->ByteCount == 5000);
	NT_CHECK_EQ(mdl->Size, MmSizeOfMdl(va, 5000));
	NT_CHECK(MmGetMdlVirtualAddress(mdl) == va);
	NT_CHECK_EQ(MmGetMdlByteCount(mdl), 5000);
	NT_CHECK_EQ(MmGetMdlByteOffset(mdl), 100);
	NT_CHECK(MmGetMdlBaseVa(mdl) == buf);
	NT_CHECK(mdl->Next == NULL && mdl->MdlFlags == 0);

	MmBuildMdlForNonPagedPool(mdl);
	NT_CHECK(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
	NT_CHECK(mdl->MappedSystemVa == va);
	NT_CHECK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == va);
	pfn = MmGetMdlPfnArray(mdl);
	NT_CHECK_EQ(pfn[1], pfn[0] + 1);

	/* A partial MDL over bytes 4000..4999 of the buffer (second page). */
	part = IoAllocateMdl(va + 4000, 1000, FALSE, FALSE, NULL);
	IoBuildPartialMdl(mdl, part, va + 4000, 1000);
	NT_CHECK(part->MdlFlags & MDL_PARTIAL);
	NT_CHECK(MmGetMdlVirtualAddress(part) == va + 4000);
	NT_CHECK(MmGetSystemAddressForMdlSafe(part, NormalPagePriority) == va + 4000);
	NT_CHECK_EQ(MmGetMdlPfnArray(part)[0], pfn[0] + 1);
	IoFreeMdl(part);
	IoFreeMdl(mdl);

	/* Probe and lock, map, unlock. */
	mdl = IoAllocateMdl(buf, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
	MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
	NT_CHECK(mdl->MdlFlags & MDL_PAGES_LOCKED);
	NT_CHECK(mdl->MdlFlags & MDL_WRITE_OPERATION);
	NT_CHECK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute) == buf);
	NT_CHECK(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
	MmUnlockPages(mdl);
	NT_CHECK((mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA)) == 0);
	IoFreeMdl(mdl);
	NT_CHECK_EQ(WskstackNtMdlsLive(), live);

	/* An MDL in caller memory, initialised with MmInitializeMdl. */
	{
		ULONG64 storage[(sizeof(MDL) + 4 * sizeof(PFN_NUMBER)) / 8];
		PMDL m = (PMDL)storage;

		MmInitializeMdl(m, va, 3 * PAGE_SIZE);
		NT_CHECK_EQ(m->Size, sizeof(MDL) + 4 * sizeof(PFN_NUMBER));
		NT_CHECK(MmGetMdlVirtualAddress(m) == va);
		MmBuildMdlForNonPagedPool(m);
		NT_CHECK(MmGetSystemAddressForMdlSafe(m, LowPagePriority) == va);
	}
}

static void test_pool(void)
{
	PUCHAR p, q, r;
	int i, nonzero = 0;
	NPAGED_LOOKASIDE_LIST la;

	p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 1000, 'tseT');
	NT_CHECK(p != NULL && ((ULONG_PTR)p & 15) == 0);
	for (i = 0; i < 1000; i++)
		nonzero |= p[i];
	NT_CHECK_EQ(nonzero, 0);
	q = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_UNINITIALIZED,
			    100, 'tseT');
	NT_CHECK(q != NULL && ((ULONG_PTR)q & 63) == 0);
	NT_CHECK(ExAllocatePool2(0, 10, 'tseT') == NULL);
	r = ExAllocatePoolWithTag(NonPagedPoolNx, 10, 'tseT');
	NT_CHECK_EQ(ExQueryPoolBlockSize(r, NULL), 10);
	NT_CHECK_EQ(WskstackNtPoolLive(), 3);
	ExFreePoolWithTag(p, 'tseT');
	ExFreePool(q);
	ExFreePool(r);
	p = ExAllocatePoolZero(NonPagedPoolNx, 16, 'tseT');
	NT_CHECK(p != NULL && p[15] == 0);
	ExFreePool(p);
	ExInitializeNPagedLookasideList(&la, NULL, NULL, POOL_NX_ALLOCATION, 64, 'kooL', 0);
	p = ExAllocateFromNPagedLookasideList(&la);
	NT_CHECK(p != NULL);
	NT_CHECK_EQ(WskstackNtPoolLive(), 1);
	ExFreeToNPagedLookasideList(&la, p);
	ExDeleteNPagedLookasideList(&la);
	NT_CHECK_EQ(WskstackNtPoolLive(), 0);
}

static const GUID wsk_id = { 0x2227E803, 0x8D8B, 0x11D4,
			       { 0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09 } };

static void test_guid_time(void)
{
	UNICODE_STRING s;
	GUID g;
	TIME_FIELDS tf;
	LARGE_INTEGER t, t2;

	NT_CHECK_EQ(RtlStringFromGUID(&wsk_id, &s), STATUS_SUCCESS);
	NT_CHECK_STR(USTR(&s), "{2227e803-8d8b-11d4-abad-009027719e09}");
	NT_CHECK_EQ(RtlGUIDFromString(&s, &g), STATUS_SUCCESS);
	NT_CHECK(memcmp(&g, &wsk_id, sizeof(g)) == 0);
	RtlFreeUnicodeString(&s);
	tf = (TIME_FIELDS){ .Year = 2024, .Month = 2, .Day = 29, .Hour = 13, .Minute = 5,
			    .Second = 7, .Milliseconds = 250 };
	NT_CHECK(RtlTimeFieldsToTime(&tf, &t));
	memset(&tf, 0, sizeof(tf));
	RtlTimeToTimeFields(&t, &tf);
	NT_CHECK(tf.Year == 2024 && tf.Month == 2 && tf.Day == 29 && tf.Hour == 13 &&
		 tf.Minute == 5 && tf.Second == 7 && tf.Milliseconds == 250);
	NT_CHECK_EQ(tf.Weekday, 4); /* a Thursday */
	KeQuerySystemTime(&t2);
	NT_CHECK(t2.QuadPart > t.QuadPart - 10000000LL * 86400 * 365 * 10); /* sane epoch */
}

int main(void)
{
	test_unicode_strings();
	test_integers();
	test_printf_narrow();
	test_printf_wide();
	test_ip2string();
	test_mdl();
	test_pool();
	test_guid_time();
	NT_CHECK_EQ(WskstackNtPoolLive(), 0);
	NT_CHECK_EQ(WskstackNtMdlsLive(), 0);
	return nt_check_done();
}
