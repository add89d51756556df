/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WSK client-level functions on one host: WskControlClient (transport list
 * query and its sizes, change notification cancelled by IoCancelIrp and by
 * WskDeregister, cached security descriptors, static event callbacks before
 * and after a socket exists, TDI options, wrong IRP presence, unknown codes)
 * and name resolution: WskGetAddressInfo on numeric addresses, "localhost",
 * a hosts file (WSKSTACK_HOSTS), unknown names and bad arguments,
 * WskFreeAddressInfo, WskGetNameInfo. At the end every pool is empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "wsk_test_wsk.h"

#include <wskstack_nt.h>

static struct wsk_test_client C;

static NTSTATUS
control(ULONG code, SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out, SIZE_T *ret)
{
	return C.npi.Dispatch->WskControlClient(C.npi.Client, code, in_size, in, out_size, out,
						ret, NULL);
}

struct cc_args {
	ULONG code;
};

static NTSTATUS
call_control_irp(void *arg, PIRP irp)
{
	struct cc_args *a = arg;

	return C.npi.Dispatch->WskControlClient(C.npi.Client, a->code, 0, NULL, 0, NULL, NULL, irp);
}

static void
test_transport_list(void)
{
	WSK_TRANSPORT t[4];
	SIZE_T ret = 0;
	struct cc_args a = { WSK_TRANSPORT_LIST_QUERY };
	NTSTATUS st, r;

	st = control(WSK_TRANSPORT_LIST_QUERY, 0, NULL, 0, NULL, &ret);
	CHECK(st == STATUS_BUFFER_OVERFLOW && ret == 2 * sizeof(WSK_TRANSPORT),
	      "size query: %#x, %zu bytes needed", st, (size_t)ret);
	ret = 0;
	st = control(WSK_TRANSPORT_LIST_QUERY, 0, NULL, sizeof(WSK_TRANSPORT), t, &ret);
	CHECK(st == STATUS_BUFFER_OVERFLOW && ret == 2 * sizeof(WSK_TRANSPORT),
	      "one-element buffer: %#x", st);
	memset(t, 0xa5, sizeof(t));
	st = control(WSK_TRANSPORT_LIST_QUERY, 0, NULL, sizeof(t), t, &ret);
	CHECK(st == STATUS_SUCCESS && ret == 2 * sizeof(WSK_TRANSPORT), "query: %#x", st);
	CHECK(t[0].SocketType == SOCK_STREAM && t[0].Protocol == IPPROTO_TCP &&
	      t[0].AddressFamily == AF_INET && t[0].Version == MAKE_WSK_VERSION(1, 0),
	      "TCP/IPv4 stream transport");
	CHECK(t[1].SocketType == SOCK_DGRAM && t[1].Protocol == IPPROTO_UDP &&
	      t[1].AddressFamily == AF_INET, "UDP/IPv4 datagram transport");
	CHECK(memcmp(&t[0].ProviderId, &t[1].ProviderId, sizeof(GUID)) == 0, "one provider id");
	st = wsk_test_call(call_control_irp, &a, 0, NULL, &r);
	CHECK(st == STATUS_INVALID_PARAMETER && r == st, "query with an IRP: %#x / %#x", st, r);
}

static void
test_tl_change(struct wsk_test_irp *left)
{
	struct cc_args a = { WSK_TRANSPORT_LIST_CHANGE };
	struct wsk_test_irp t;
	NTSTATUS st;

	st = control(WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "change without an IRP: %#x", st);
	st = wsk_test_irp_start(&t, call_control_irp, &a);
	CHECK(st == STATUS_PENDING, "change pends: %#x", st);
	wsk_test_sleep_ms(20);
	CHECK(!wsk_test_irp_done(&t), "nothing changes");
	st = wsk_test_irp_cancel(&t, 2000, NULL);
	CHECK(st == STATUS_CANCELLED, "IoCancelIrp: %#x", st);
	/* One left for WskDeregister to cancel. */
	st = wsk_test_irp_start(left, call_control_irp, &a);
	CHECK(st == STATUS_PENDING, "second change pends: %#x", st);
}

static void
test_sd_and_options(void)
{
	int fake_sd = 42, bogus[8] = { 0 };
	PSECURITY_DESCRIPTOR in = &fake_sd, cached = NULL, pb = bogus;
	WSK_EVENT_CALLBACK_CONTROL ecc = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_ACCEPT };
	NPIID other = { 1, 2, 3, { 4 } };
	struct cc_args a = { WSK_CACHE_SD };
	ULONG v = WSK_TDI_BEHAVIOR_BYPASS_TDI;
	PWSK_SOCKET s;
	NTSTATUS st, r;

	st = control(WSK_CACHE_SD, sizeof(in), &in, sizeof(cached), &cached, NULL);
	CHECK(st == STATUS_SUCCESS && cached != NULL && cached != in, "WSK_CACHE_SD: %#x", st);
	st = control(WSK_RELEASE_SD, sizeof(cached), &cached, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "WSK_RELEASE_SD: %#x", st);
	st = control(WSK_RELEASE_SD, sizeof(pb), &pb, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "releasing something never cached: %#x", st);
	st = wsk_test_call(call_control_irp, &a, 0, NULL, &r);
	CHECK(st == STATUS_INVALID_PARAMETER, "WSK_CACHE_SD with an IRP: %#x", st);
	ecc.NpiId = &other;
	st = control(WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ecc), &ecc, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "static callbacks, wrong NPI id: %#x", st);
	ecc.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
	st = control(WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ecc), &ecc, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "static callbacks before any socket: %#x", st);
	st = control(WSK_TDI_BEHAVIOR, sizeof(v), &v, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "WSK_TDI_BEHAVIOR bypass: %#x", st);
	st = control(WSK_TDI_DEVICENAME_MAPPING, 0, NULL, 0, NULL, NULL);
	CHECK(st == STATUS_NOT_SUPPORTED, "WSK_TDI_DEVICENAME_MAPPING: %#x", st);
	st = control(99, 0, NULL, 0, NULL, NULL);
	CHECK(st == STATUS_NOT_SUPPORTED, "unknown code: %#x", st);
	s = wsk_test_socket(&C, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, &st);
	CHECK(s != NULL, "a socket: %#x", st);
	st = control(WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ecc), &ecc, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_DEVICE_STATE, "static callbacks after a socket: %#x", st);
	if (s != NULL)
		CHECK(wsk_test_close(s) == STATUS_SUCCESS, "close");
}

/* ---- name resolution ---- */

struct gai_args {
	UNICODE_STRING node, svc;
	bool has_node, has_svc;
	ADDRINFOEXW hints;
	bool has_hints;
	PADDRINFOEXW res;
	bool owning_thread_only;
};

static NTSTATUS
call_gai(void *arg, PIRP irp)
{
	struct gai_args *a = arg;
	int dummy;

	return C.npi.Dispatch->WskGetAddressInfo(C.npi.Client, a->has_node ? &a->node : NULL,
						 a->has_svc ? &a->svc : NULL, NS_ALL, NULL,
						 a->has_hints ? &a->hints : NULL, &a->res, NULL,
						 a->owning_thread_only ? (PETHREAD)&dummy : NULL, irp);
}

static NTSTATUS
gai(struct gai_args *a, PCWSTR node, PCWSTR svc, int family, int flags)
{
	memset(a, 0, sizeof(*a));
	if (node != NULL) {
		RtlInitUnicodeString(&a->node, node);
		a->has_node = true;
	}
	if (svc != NULL) {
		RtlInitUnicodeString(&a->svc, svc);
		a->has_svc = true;
	}
	a->hints.ai_family = family;
	a->hints.ai_flags = flags;
	a->has_hints = true;
	return wsk_test_call(call_gai, a, 0, NULL, NULL);
}

static uint32_t
ai_ip(const ADDRINFOEXW *ai)
{
	return ((const SOCKADDR_IN *)ai->ai_addr)->sin_addr.s_addr;
}

static bool
wstr_is(PCWSTR w, const char *s)
{
	size_t i;

	if (w == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (w[i] != (WCHAR)s[i])
			return false;
	return w[i] == 0;
}

static void
test_address_info(void)
{
	struct gai_args a;
	PADDRINFOEXW r;
	NTSTATUS st;
	LONG64 pool0 = WskstackNtPoolLive();

	st = C.npi.Dispatch->WskGetAddressInfo(C.npi.Client, NULL, NULL, NS_ALL, NULL, NULL, &r, NULL,
					       NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "no IRP: %#x", st);
	st = gai(&a, L"198.18.9.1", L"80", AF_UNSPEC, 0);
	r = a.res;
	CHECK(st == STATUS_SUCCESS && r != NULL && r->ai_next == NULL, "numeric: %#x", st);
	if (r != NULL) {
		const SOCKADDR_IN *sin = (const SOCKADDR_IN *)r->ai_addr;

		CHECK(r->ai_family == AF_INET && r->ai_addrlen == sizeof(SOCKADDR_IN) &&
		      sin->sin_family == AF_INET && sin->sin_port == RtlUshortByteSwap(80) &&
		      sin->sin_addr.s_addr == TEST_IP4(198, 18, 9, 1), "198.18.9.1:80");
		CHECK(r->ai_canonname == NULL, "no canonical name unless asked");
		C.npi.Dispatch->WskFreeAddressInfo(C.npi.Client, r);
	}
	st = gai(&a, L"LocalHost", NULL, AF_INET, AI_CANONNAME);
	CHECK(st == STATUS_SUCCESS && a.res != NULL && ai_ip(a.res) == TEST_IP4(127, 0, 0, 1) &&
	      a.res->ai_canonname != NULL, "localhost: %#x", st);
	C.npi.Dispatch->WskFreeAddressInfo(C.npi.Client, a.res);
	st = gai(&a, L"PEER", L"53", AF_UNSPEC, AI_CANONNAME);
	CHECK(st == STATUS_SUCCESS && a.res != NULL && ai_ip(a.res) == TEST_IP4(198, 18, 9, 2) &&
	      wstr_is(a.res->ai_canonname, "peer.example"), "hosts file name: %#x", st);
	C.npi.Dispatch->WskFreeAddressInfo(C.npi.Client, a.res);
	st = gai(&a, L"multi", NULL, AF_INET, 0);
	CHECK(st == STATUS_SUCCESS && a.res != NULL && a.res->ai_next != NULL &&
	      ai_ip(a.res) == TEST_IP4(10, 1, 2, 3) && ai_ip(a.res->ai_next) == TEST_IP4(10, 1, 2, 4) &&
	      a.res->ai_next->ai_next == NULL, "two addresses in order: %#x", st);
	C.npi.Dispatch->WskFreeAddressInfo(C.npi.Client, a.res);
	st = gai(&a, L"nosuch.example", NULL, AF_UNSPEC, 0);
	CHECK(st == STATUS_NOT_FOUND && a.res == NULL, "unknown name: %#x", st);
	st = gai(&a, L"peer", NULL, AF_UNSPEC, AI_NUMERICHOST);
	CHECK(st == STATUS_NOT_FOUND, "AI_NUMERICHOST with a name: %#x", st);
	st = gai(&a, L"198.18.9.1", NULL, AF_INET6, 0);
	CHECK(st == STATUS_NOT_FOUND, "AF_INET6 only: %#x", st);
	st = gai(&a, L"198.18.9.1", L"http", AF_UNSPEC, 0);
	CHECK(st == STATUS_NOT_FOUND, "service name without a database: %#x", st);
	st = gai(&a, NULL, L"9000", AF_INET, AI_PASSIVE);
	CHECK(st == STATUS_SUCCESS && a.res != NULL && ai_ip(a.res) == 0, "passive wildcard: %#x", st);
	C.npi.Dispatch->WskFreeAddressInfo(C.npi.Client, a.res);
	memset(&a, 0, sizeof(a));
	RtlInitUnicodeString(&a.node, L"198.18.9.1");
	a.has_node = true;
	a.owning_thread_only = true;
	st = wsk_test_call(call_gai, &a, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "OwningThread without OwningProcess: %#x", st);
	CHECK(WskstackNtPoolLive() == pool0, "every result freed (%lld blocks, %lld before)",
	      (long long)WskstackNtPoolLive(), (long long)pool0);
}

struct gni_args {
	SOCKADDR_IN sa;
	UNICODE_STRING node, svc;
	WCHAR nb[64], sb[16];
	ULONG flags;
};

static NTSTATUS
call_gni(void *arg, PIRP irp)
{
	struct gni_args *a = arg;

	return C.npi.Dispatch->WskGetNameInfo(C.npi.Client, (PSOCKADDR)&a->sa, sizeof(a->sa),
					      &a->node, &a->svc, a->flags, NULL, NULL, irp);
}

static NTSTATUS
gni(struct gni_args *a, uint32_t ip, uint16_t port, ULONG flags, USHORT node_max)
{
	memset(a, 0, sizeof(*a));
	a->sa.sin_family = AF_INET;
	a->sa.sin_addr.s_addr = ip;
	a->sa.sin_port = RtlUshortByteSwap(port);
	a->node.Buffer = a->nb;
	a->node.MaximumLength = node_max;
	a->svc.Buffer = a->sb;
	a->svc.MaximumLength = sizeof(a->sb);
	a->flags = flags;
	return wsk_test_call(call_gni, a, 0, NULL, NULL);
}

static void
test_name_info(void)
{
	struct gni_args a;
	NTSTATUS st;

	st = gni(&a, TEST_IP4(198, 18, 9, 2), 53, 0, sizeof(a.nb));
	CHECK(st == STATUS_SUCCESS && wstr_is(a.nb, "peer.example") && wstr_is(a.sb, "53") &&
	      a.node.Length == 12 * sizeof(WCHAR), "reverse from the hosts file: %#x", st);
	st = gni(&a, TEST_IP4(198, 18, 9, 2), 53, NI_NOFQDN, sizeof(a.nb));
	CHECK(st == STATUS_SUCCESS && wstr_is(a.nb, "peer"), "NI_NOFQDN: %#x", st);
	st = gni(&a, TEST_IP4(198, 18, 9, 2), 53, NI_NUMERICHOST, sizeof(a.nb));
	CHECK(st == STATUS_SUCCESS && wstr_is(a.nb, "198.18.9.2"), "NI_NUMERICHOST: %#x", st);
	st = gni(&a, TEST_IP4(10, 9, 9, 9), 7, 0, sizeof(a.nb));
	CHECK(st == STATUS_SUCCESS && wstr_is(a.nb, "10.9.9.9") && wstr_is(a.sb, "7"),
	      "unknown address: numeric: %#x", st);
	st = gni(&a, TEST_IP4(10, 9, 9, 9), 7, NI_NAMEREQD, sizeof(a.nb));
	CHECK(st == STATUS_NOT_FOUND, "NI_NAMEREQD without a name: %#x", st);
	st = gni(&a, TEST_IP4(198, 18, 9, 2), 53, 0, 8);
	CHECK(st == STATUS_BUFFER_OVERFLOW, "node buffer too small: %#x", st);
}

int
main(void)
{
	char path[] = "/tmp/wsk_hosts_XXXXXX";
	struct wsk_test_irp left;
	FILE *f;
	int fd;
	NTSTATUS st;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL)
		return 1;
	fprintf(f, "# test hosts\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n"
		   "198.18.9.2\tpeer.example peer   # the peer\n10.1.2.3 multi\n10.1.2.4 multi\n"
		   "10.1.2.3 multi\nbad.address nothing\n");
	fclose(f);
	setenv("WSKSTACK_HOSTS", path, 1);
	if (wsk_test_hosts_start(1, NULL) != 0)
		return 1;
	CHECK(wsk_test_client_open(&C, 0) == STATUS_SUCCESS, "client");
	test_transport_list();
	test_tl_change(&left);
	test_sd_and_options();
	test_address_info();
	test_name_info();
	WskReleaseProviderNPI(&C.reg);
	C.captured = false;
	WskDeregister(&C.reg);
	st = wsk_test_irp_wait(&left, 100, NULL);
	CHECK(st == STATUS_CANCELLED, "WskDeregister cancelled the change IRP: %#x", st);
	CHECK_EQ(wsk_test_hosts_stop(), 0);
	unlink(path);
	test_eal_finish();
	return check_done();
}
