/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules 19-21 of wsk_api.md section 4: a WSK client translation unit
 * compiled on Linux with the Windows headers only (no DPDK, no Linux socket
 * headers; the C library's stdio aside). Compile-time: LLP64 type sizes,
 * Windows constant values, 16-bit L"" literals (-fshort-wchar), the
 * anonymous WSK_PROVIDER_BASIC_DISPATCH inside every provider table
 * (-fms-extensions). Run time: the same through a real socket.
 */
#include <stddef.h>
#include <stdio.h>

#include <sal.h>
#include <ntddk.h>
#include <wsk.h>

#include "wsk_test_wsk.h"

/* ---- rule 19: types and constants ---- */

_Static_assert(sizeof(UCHAR) == 1 && sizeof(USHORT) == 2, "UCHAR, USHORT");
_Static_assert(sizeof(ULONG) == 4 && sizeof(LONG) == 4, "ULONG and LONG are 32-bit (LLP64)");
_Static_assert(sizeof(ULONGLONG) == 8 && sizeof(LONGLONG) == 8, "64-bit integers");
_Static_assert(sizeof(NTSTATUS) == 4 && sizeof(BOOLEAN) == 1, "NTSTATUS, BOOLEAN");
_Static_assert(sizeof(SIZE_T) == sizeof(void *) && sizeof(ULONG_PTR) == sizeof(void *),
	       "SIZE_T and ULONG_PTR are pointer-sized");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is 16-bit");
_Static_assert(sizeof(L"ab") == 3 * sizeof(WCHAR), "L\"\" literals are 16-bit (-fshort-wchar)");
_Static_assert(sizeof(ADDRESS_FAMILY) == 2, "ADDRESS_FAMILY is a USHORT");
_Static_assert(AF_INET == 2 && AF_INET6 == 23, "Windows address families");
_Static_assert(SOL_SOCKET == 0xffff, "SOL_SOCKET");
_Static_assert(SO_REUSEADDR == 4 && (ULONG)SO_EXCLUSIVEADDRUSE == (ULONG)~SO_REUSEADDR,
	       "SO_EXCLUSIVEADDRUSE");
_Static_assert(SO_KEEPALIVE == 8 && SO_RCVBUF == 0x1002 && SO_CONDITIONAL_ACCEPT == 0x3002,
	       "SO_ values");
_Static_assert(SO_WSK_EVENT_CALLBACK == 0x4002 && SO_WSK_SECURITY == 0x4001, "WSK options");
_Static_assert(IPV6_V6ONLY == 27, "IPV6_V6ONLY is 27 on Windows (26 on Linux)");
_Static_assert(SIO_WSK_QUERY_INSPECT_ID == 0x4F000005 &&
	       SIO_WSK_QUERY_IDEAL_SEND_BACKLOG == 0x4F000003 &&
	       SIO_WSK_SET_REMOTE_ADDRESS == 0x8F000001, "WSK IOCTLs");
_Static_assert(WSK_FLAG_LISTEN_SOCKET == 1 && WSK_FLAG_CONNECTION_SOCKET == 2 &&
	       WSK_FLAG_DATAGRAM_SOCKET == 4 && WSK_FLAG_STREAM_SOCKET == 8, "socket flags");
_Static_assert(WSK_EVENT_RECEIVE == 0x40 && WSK_EVENT_ACCEPT == 0x200 &&
	       WSK_EVENT_DISABLE == 0x80000000u, "event bits");
_Static_assert(MAKE_WSK_VERSION(1, 0) == 0x100, "MAKE_WSK_VERSION");
_Static_assert(sizeof(WSK_INSPECT_ID) == sizeof(ULONG_PTR) + sizeof(ULONG) +
	       (sizeof(ULONG_PTR) - sizeof(ULONG)), "WSK_INSPECT_ID layout");

/* ---- rule 20: the anonymous basic dispatch in every provider table ---- */

_Static_assert(offsetof(WSK_PROVIDER_CONNECTION_DISPATCH, WskControlSocket) == 0 &&
	       offsetof(WSK_PROVIDER_CONNECTION_DISPATCH, WskCloseSocket) ==
	       offsetof(WSK_PROVIDER_BASIC_DISPATCH, WskCloseSocket), "connection table");
_Static_assert(offsetof(WSK_PROVIDER_LISTEN_DISPATCH, WskCloseSocket) ==
	       offsetof(WSK_PROVIDER_BASIC_DISPATCH, WskCloseSocket), "listen table");
_Static_assert(offsetof(WSK_PROVIDER_DATAGRAM_DISPATCH, WskBind) ==
	       sizeof(WSK_PROVIDER_BASIC_DISPATCH), "datagram table");
_Static_assert(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskCloseSocket) ==
	       offsetof(WSK_PROVIDER_BASIC_DISPATCH, WskCloseSocket), "stream table");

/* ---- rule 21: what driver sources also use (SAL, SLIST, driver runtime) ---- */

static _Must_inspect_result_ NTSTATUS
sal_annotated(_In_ ULONG a, _Out_ PULONG b, _Inout_opt_ PVOID c)
{
	(void)c;
	*b = a + 1;
	return STATUS_SUCCESS;
}

static unsigned int fails, passes;

#define EXPECT(cond, what)                                                       \
	do {                                                                     \
		if (cond) {                                                      \
			passes++;                                                \
		} else {                                                         \
			fails++;                                                 \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
		}                                                                \
	} while (0)

static NTSTATUS
call_close(void *arg, PIRP irp)
{
	PWSK_SOCKET s = arg;
	const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;

	/* Anonymous member access, as echosrv and every WSK sample write it. */
	return d->WskCloseSocket(s, irp);
}

static void
report(int n, const char *title, unsigned int before)
{
	printf("rule %d: %s: %s\n", n, title, fails == before ? "ok" : "FAIL");
}

int
main(void)
{
	struct wsk_test_client c;
	UNICODE_STRING us;
	SLIST_HEADER head;
	SLIST_ENTRY e1, e2;
	PWSK_SOCKET s;
	ULONG out = 0;
	unsigned int f0;
	NTSTATUS st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* 19: a UNICODE_STRING from an L"" literal, as WskGetAddressInfo callers build it. */
	f0 = fails;
	RtlInitUnicodeString(&us, L"12345");
	EXPECT(us.Length == 10 && us.MaximumLength == 12, "RtlInitUnicodeString(L\"12345\") sizes");
	EXPECT(us.Buffer[0] == L'1' && us.Buffer[4] == L'5' && us.Buffer[5] == 0,
	       "16-bit characters");
	EXPECT(sizeof(long) == 8 || sizeof(ULONG) == 4, "ULONG stays 32-bit where long is 64");
	report(19, "LLP64 types, Windows constants, 16-bit L\"\" literals", f0);

	/* 20: through the provider's connection table at run time. */
	f0 = fails;
	if (wsk_test_hosts_start(1, NULL) != 0)
		return 1;
	EXPECT(wsk_test_client_open(&c, 0) == STATUS_SUCCESS, "client");
	s = wsk_test_socket(&c, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
			    &st);
	EXPECT(s != NULL, "connection socket");
	if (s != NULL) {
		const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;

		EXPECT((const void *)d->WskCloseSocket ==
		       (const void *)((const WSK_PROVIDER_BASIC_DISPATCH *)d)->WskCloseSocket,
		       "Dispatch->WskCloseSocket is the basic table's slot");
		EXPECT(wsk_test_call(call_close, s, 0, NULL, NULL) == STATUS_SUCCESS,
		       "Dispatch->WskCloseSocket on a connection socket");
	}
	wsk_test_client_close(&c);
	EXPECT(wsk_test_hosts_stop() == 0, "nothing leaked");
	report(20, "anonymous WSK_PROVIDER_BASIC_DISPATCH members (-fms-extensions)", f0);

	/* 21: SAL annotations, SLISTs, ExInitializeDriverRuntime. */
	f0 = fails;
	ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
	EXPECT(sal_annotated(1, &out, NULL) == STATUS_SUCCESS && out == 2, "SAL-annotated code");
	InitializeSListHead(&head);
	InterlockedPushEntrySList(&head, &e1);
	InterlockedPushEntrySList(&head, &e2);
	EXPECT(QueryDepthSList(&head) == 2 && InterlockedPopEntrySList(&head) == &e2 &&
	       InterlockedPopEntrySList(&head) == &e1, "SLIST push/pop (LIFO)");
	printf("rule 21: skipped: WPP tracing (WPP_INIT_TRACING, DoTraceMessage, *.tmh) has no "
	       "stubs in wsk_api/include: a client using WPP does not compile unchanged\n");
	report(21, "driver-source conveniences (SAL, SLIST, ExInitializeDriverRuntime)", f0);

	printf("%u passed, %u failed\n", passes, fails);
	return fails == 0 ? 0 : 1;
}
