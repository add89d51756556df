/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver of one extracted sample: brings up two stacks (WSK hosts 0
 * and 1, 198.18.9.1 and .2, see wsk_test_host.h), opens a WSK client on
 * each, and runs the scenario of every function the sample defines
 * (-DWSKSAMPLE_HAS_<function>=<arity>, from extract.py --list) with real
 * sockets:
 * the sample's client works on host 0, a peer on host 1 answers it.
 *
 * What is asserted is what can be seen from outside the sample: what its
 * function returned, which placeholder sites ran (the success branch of a
 * completion routine is its first site, the error branch its second), the
 * IoStatus of the IRPs its completion routines freed, data that reached the
 * peer, callbacks that ran, and nothing leaked when the hosts stop.
 *
 * Prints "sample <name>: compiled, ran: ok" (or "ran: FAILED") and exits 0
 * only if every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ntddk.h>
#include <wsk.h>
#include <wskstack.h>
#include <wskstack_nt.h>

#include "wsk_test_wsk.h"
#include "sample_rt.h"

/* Each executable runs the scenarios of one sample: the others' helpers go unused. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

/* From the generated harness. */
extern const char wsksample_name[];
extern const char wsksample_notes[];
extern const char wsksample_defines[];
extern const char wsksample_sites[];

static unsigned int fails, passes;

#define CHECK(cond, ...)                                                           \
	do {                                                                       \
		if (cond) {                                                        \
			passes++;                                                  \
		} else {                                                           \
			fails++;                                                   \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, " " __VA_ARGS__);                          \
			fputc('\n', stderr);                                       \
		}                                                                  \
	} while (0)

#define WAIT_MS 3000

/** Evaluate a call into the sample, recording the IRPs it frees inline. */
#define SAMPLE(call) (wsksample_enter(), sample_ret_ = (call), wsksample_leave(), sample_ret_)
static NTSTATUS sample_ret_ __attribute__((unused));

static struct wsk_test_client c0, c1;  /* the sample's side (host 0), the peer (host 1) */

/* The samples' socket and binding contexts, as their pages (or the prelude) define them. */
typedef struct {
	PWSK_SOCKET Socket;
} APP_SOCKET_CONTEXT;

typedef struct {
	HANDLE NmrBindingHandle;
	PWSK_CLIENT WskClient;
	PWSK_PROVIDER_DISPATCH WskProviderDispatch;
} APP_BINDING_CONTEXT;

/* ---- the peer's helpers ---- */

struct sock_addr_args {
	PWSK_SOCKET s;
	SOCKADDR_IN addr;
};

static NTSTATUS
call_connect(void *arg, PIRP irp)
{
	struct sock_addr_args *a = arg;

	return ((const WSK_PROVIDER_CONNECTION_DISPATCH *)a->s->Dispatch)->WskConnect(
		a->s, (PSOCKADDR)&a->addr, 0, irp);
}

static NTSTATUS
call_accept(void *arg, PIRP irp)
{
	PWSK_SOCKET l = arg;

	return ((const WSK_PROVIDER_LISTEN_DISPATCH *)l->Dispatch)->WskAccept(l, 0, NULL, NULL,
									      NULL, NULL, irp);
}

/** A buffer described by an MDL and a WSK_BUF. */
struct sbuf {
	char data[256];
	PMDL mdl;
	WSK_BUF wb;
};

static void
sbuf_init(struct sbuf *b, const char *text)
{
	memset(b->data, 0, sizeof(b->data));
	if (text != NULL)
		snprintf(b->data, sizeof(b->data), "%s", text);
	b->mdl = IoAllocateMdl(b->data, sizeof(b->data), FALSE, FALSE, NULL);
	MmBuildMdlForNonPagedPool(b->mdl);
	b->wb.Mdl = b->mdl;
	b->wb.Offset = 0;
	b->wb.Length = text != NULL ? strlen(text) : sizeof(b->data);
}

static void
sbuf_fini(struct sbuf *b)
{
	IoFreeMdl(b->mdl);
}

struct io_args {
	PWSK_SOCKET s;
	struct sbuf *b;
	ULONG flags;
	SOCKADDR_IN addr;
};

static NTSTATUS
call_send(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_CONNECTION_DISPATCH *)a->s->Dispatch)->WskSend(
		a->s, &a->b->wb, a->flags, irp);
}

static NTSTATUS
call_receive(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_CONNECTION_DISPATCH *)a->s->Dispatch)->WskReceive(
		a->s, &a->b->wb, a->flags, irp);
}

static NTSTATUS
call_disconnect(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_CONNECTION_DISPATCH *)a->s->Dispatch)->WskDisconnect(
		a->s, NULL, a->flags, irp);
}

static NTSTATUS
call_sendto(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)a->s->Dispatch)->WskSendTo(
		a->s, &a->b->wb, 0, (PSOCKADDR)&a->addr, 0, NULL, irp);
}

static NTSTATUS
call_recvfrom(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)a->s->Dispatch)->WskReceiveFrom(
		a->s, &a->b->wb, 0, NULL, NULL, NULL, NULL, irp);
}

static bool
returned_ok(NTSTATUS st)
{
	return st == STATUS_SUCCESS || st == STATUS_PENDING;
}

/** Send @p text on @p s and check it completed in full. */
static void
peer_send(PWSK_SOCKET s, const char *text)
{
	struct sbuf b;
	struct io_args a = { s, &b, 0 };
	ULONG_PTR info = 0;

	sbuf_init(&b, text);
	CHECK(wsk_test_call(call_send, &a, WAIT_MS, &info, NULL) == STATUS_SUCCESS);
	CHECK(info == strlen(text), "sent %lu of %zu", (unsigned long)info, strlen(text));
	sbuf_fini(&b);
}

/** Receive on @p s; @return bytes received (into @p out, NUL-terminated) or -1. */
static long
peer_receive(PWSK_SOCKET s, char *out, size_t cap)
{
	struct sbuf b;
	struct io_args a = { s, &b, 0 };
	ULONG_PTR info = 0;
	NTSTATUS st;

	sbuf_init(&b, NULL);
	st = wsk_test_call(call_receive, &a, WAIT_MS, &info, NULL);
	CHECK(st == STATUS_SUCCESS, "receive: 0x%08x", (unsigned int)st);
	if (out != NULL)
		snprintf(out, cap, "%.*s", (int)info, b.data);
	sbuf_fini(&b);
	return st == STATUS_SUCCESS ? (long)info : -1;
}

/*
 * A graceful WskDisconnect completes only when the FIN handshake does (both
 * FINs acknowledged): start it, let the other side answer, then finish it.
 */
static void
disconnect_start(struct wsk_test_irp *t, struct io_args *a, PWSK_SOCKET s)
{
	*a = (struct io_args){ s, NULL, 0 };
	CHECK(returned_ok(wsk_test_irp_start(t, call_disconnect, a)));
}

static void
disconnect_finish(struct wsk_test_irp *t)
{
	NTSTATUS st = wsk_test_irp_wait(t, WAIT_MS, NULL);

	CHECK(st == STATUS_SUCCESS, "graceful disconnect: 0x%08x", (unsigned int)st);
}

/** A graceful disconnect of @p s, once the other side's FIN is in (synchronous). */
static void
disconnect_sync(PWSK_SOCKET s)
{
	struct wsk_test_irp t;
	struct io_args a;

	disconnect_start(&t, &a, s);
	disconnect_finish(&t);
}

static void
close_sock(PWSK_SOCKET *s)
{
	if (*s != NULL)
		CHECK(wsk_test_close(*s) == STATUS_SUCCESS);
	*s = NULL;
}

static PWSK_SOCKET
make_socket(struct wsk_test_client *c, ULONG flags, PVOID ctx, const void *disp)
{
	USHORT type = flags == WSK_FLAG_DATAGRAM_SOCKET ? SOCK_DGRAM : SOCK_STREAM;
	ULONG proto = flags == WSK_FLAG_DATAGRAM_SOCKET ? IPPROTO_UDP : IPPROTO_TCP;
	NTSTATUS st = STATUS_UNSUCCESSFUL;
	PWSK_SOCKET s = wsk_test_socket(c, type, proto, flags, ctx, disp, &st);

	CHECK(s != NULL && st == STATUS_SUCCESS, "WskSocket: 0x%08x", (unsigned int)st);
	return s;
}

/** A socket on client @p c bound to host @p host port @p port. */
static PWSK_SOCKET
bound_socket(struct wsk_test_client *c, unsigned int host, ULONG flags, uint16_t port,
	     PVOID ctx, const void *disp)
{
	PWSK_SOCKET s = make_socket(c, flags, ctx, disp);
	SOCKADDR_IN a;

	wsk_test_addr(&a, host, port);
	if (s != NULL)
		CHECK(wsk_test_bind(s, &a) == STATUS_SUCCESS);
	return s;
}

/**
 * A connection from host 0 (*@p s0, made with @p ctx0 and @p disp0) to a
 * listener on host 1 (*@p l1), accepted there (*@p a1).
 */
static void
tcp_pair(uint16_t port, PVOID ctx0, const void *disp0, PWSK_SOCKET *l1, PWSK_SOCKET *s0,
	 PWSK_SOCKET *a1)
{
	struct wsk_test_irp acc;
	struct sock_addr_args ca;
	ULONG_PTR info = 0;

	*l1 = bound_socket(&c1, 1, WSK_FLAG_LISTEN_SOCKET, port, NULL, NULL);
	*s0 = bound_socket(&c0, 0, WSK_FLAG_CONNECTION_SOCKET, 0, ctx0, disp0);
	*a1 = NULL;
	if (*l1 == NULL || *s0 == NULL)
		return;
	wsk_test_irp_start(&acc, call_accept, *l1);
	ca.s = *s0;
	wsk_test_addr(&ca.addr, 1, port);
	CHECK(wsk_test_call(call_connect, &ca, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	CHECK(wsk_test_irp_wait(&acc, WAIT_MS, &info) == STATUS_SUCCESS);
	*a1 = (PWSK_SOCKET)info;
}

/** Placeholder sites of @p fn in the sample (from the harness's table), 0 if none. */
static int
sites_of(const char *fn)
{
	size_t n = strlen(fn);
	const char *p;

	for (p = wsksample_sites; (p = strstr(p, fn)) != NULL; p += n)
		if ((p == wsksample_sites || p[-1] == ',') && p[n] == ':')
			return atoi(p + n + 1);
	return 0;
}

/**
 * The completion routine @p fn ran its success branch (its first
 * placeholder) once and never its error branch (its last one).
 */
static void
check_completed_ok(const char *fn)
{
	int last = sites_of(fn);

	CHECK(last >= 2, "%s: %d placeholder sites", fn, last);
	CHECK(wsksample_wait_hits(fn, 1, 1, WAIT_MS), "%s: success branch not reached", fn);
	CHECK(wsksample_hits(fn, last) == 0, "%s: error branch reached", fn);
}

/** The last IRP a sample's completion routine freed had status @p st. */
static void
check_last_freed(NTSTATUS st, ULONG_PTR *info)
{
	struct wsksample_freed f = { STATUS_UNSUCCESSFUL, 0 };
	unsigned int n;

	CHECK(wsksample_wait_freed(1, WAIT_MS));
	n = wsksample_freed(0, NULL);
	if (n > 0)
		wsksample_freed(n - 1, &f);
	CHECK(f.status == st, "freed IRP status 0x%08x, expected 0x%08x", (unsigned int)f.status,
	      (unsigned int)st);
	if (info != NULL)
		*info = f.info;
}


/* ---- event callbacks the drivers give sockets the samples work on ---- */

static volatile LONG ev_receive_calls, ev_receive_bytes, ev_disconnect_calls, ev_recvfrom_calls;
static PWSK_SOCKET accepted[8];
static volatile LONG nb_accepted;

static NTSTATUS WSKAPI
drv_receive_event(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION DataIndication,
		  SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
	if (DataIndication != NULL) {
		__atomic_add_fetch(&ev_receive_calls, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&ev_receive_bytes, (LONG)BytesIndicated, __ATOMIC_SEQ_CST);
	}
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
drv_disconnect_event(PVOID SocketContext, ULONG Flags)
{
	__atomic_add_fetch(&ev_disconnect_calls, 1, __ATOMIC_SEQ_CST);
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
drv_receive_from_event(PVOID SocketContext, ULONG Flags, PWSK_DATAGRAM_INDICATION DataIndication)
{
	if (DataIndication != NULL)
		__atomic_add_fetch(&ev_recvfrom_calls, 1, __ATOMIC_SEQ_CST);
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
drv_accept_event(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
		 PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
		 CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
	LONG i;

	if (AcceptSocket == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	i = __atomic_fetch_add(&nb_accepted, 1, __ATOMIC_SEQ_CST);
	if (i >= 8)
		return STATUS_REQUEST_NOT_ACCEPTED;
	accepted[i] = AcceptSocket;
	return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH drv_conn_dispatch = {
	drv_receive_event, drv_disconnect_event, NULL
};

static bool
wait_counter(volatile LONG *c, LONG n, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; __atomic_load_n(c, __ATOMIC_SEQ_CST) < n; waited += 5) {
		if (waited >= ms)
			return false;
		wsk_test_sleep_ms(5);
	}
	return true;
}

/* ---- scenarios, one per function a sample defines ---- */

#ifdef WSKSAMPLE_HAS_DriverEntry
extern WSK_REGISTRATION WskRegistration;
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

/* registering#1: DriverEntry registers; the registration then captures host 0's NPI. */
static void
run_DriverEntry(void)
{
	WSK_PROVIDER_NPI npi;

	WskstackSelectHost(0);
	(void)DriverEntry(NULL, NULL); /* its text ends in a placeholder: no return value */
	CHECK(wsksample_hits("DriverEntry", 1) == 1 && wsksample_hits("DriverEntry", 3) == 1);
	CHECK(wsksample_hits("DriverEntry", 2) == 0, "WskRegister failed");
	CHECK(WskCaptureProviderNPI(&WskRegistration, WAIT_MS, &npi) == STATUS_SUCCESS);
	CHECK(npi.Client != NULL && npi.Dispatch != NULL && npi.Dispatch->WskSocket != NULL);
	WskReleaseProviderNPI(&WskRegistration);
	WskDeregister(&WskRegistration);
}
#endif

#if defined(WSKSAMPLE_HAS_WskAppWorkerRoutine) || defined(WSKSAMPLE_HAS_Unload)
extern WSK_REGISTRATION WskRegistration;

static NTSTATUS
register_app(void)
{
	static const WSK_CLIENT_DISPATCH d = { MAKE_WSK_VERSION(1, 0), 0, NULL };
	WSK_CLIENT_NPI cnpi = { NULL, &d };

	WskstackSelectHost(0);
	return WskRegister(&cnpi, &WskRegistration);
}
#endif

#ifdef WSKSAMPLE_HAS_WskAppWorkerRoutine
NTSTATUS WskAppWorkerRoutine(void);

/* registering#2: the worker captures the NPI, calls the client's CreateListeningSocket, releases. */
static void
run_WskAppWorkerRoutine(void)
{
	WSK_PROVIDER_NPI npi;

	CHECK(register_app() == STATUS_SUCCESS);
	CHECK(SAMPLE(WskAppWorkerRoutine()) == STATUS_SUCCESS);
	CHECK(wsksample_stub_calls("CreateListeningSocket") == 1);
	/* Released: a new capture works and deregistration does not wait. */
	CHECK(WskCaptureProviderNPI(&WskRegistration, 0, &npi) == STATUS_SUCCESS);
	WskReleaseProviderNPI(&WskRegistration);
	WskDeregister(&WskRegistration);
}
#endif

#ifdef WSKSAMPLE_HAS_Unload
VOID Unload(PDRIVER_OBJECT DriverObject);

/* unregistering#1: Unload deregisters; the registration object can be registered again. */
static void
run_Unload(void)
{
	WSK_PROVIDER_NPI npi;

	CHECK(register_app() == STATUS_SUCCESS);
	CHECK(WskCaptureProviderNPI(&WskRegistration, WAIT_MS, &npi) == STATUS_SUCCESS);
	WskReleaseProviderNPI(&WskRegistration);
	Unload(NULL);
	CHECK(register_app() == STATUS_SUCCESS);
	WskDeregister(&WskRegistration);
}
#endif

#ifdef WSKSAMPLE_HAS_CreateListeningSocket
NTSTATUS CreateListeningSocket(PWSK_PROVIDER_NPI WskProviderNpi, APP_SOCKET_CONTEXT *SocketContext,
			       PWSK_CLIENT_LISTEN_DISPATCH Dispatch);

/* creating#1: a listening socket is created; the completion routine stores it in the context. */
static void
run_CreateListeningSocket(void)
{
	APP_SOCKET_CONTEXT ctx = { NULL };
	ULONG_PTR info = 0;

	CHECK(returned_ok(SAMPLE(CreateListeningSocket(&c0.npi, &ctx, NULL))));
	check_completed_ok("CreateListeningSocketComplete");
	check_last_freed(STATUS_SUCCESS, &info);
	CHECK(ctx.Socket != NULL && (ULONG_PTR)ctx.Socket == info);
	close_sock(&ctx.Socket);
}
#endif

#ifdef WSKSAMPLE_HAS_BindListeningSocket
NTSTATUS BindListeningSocket(PWSK_SOCKET Socket, PSOCKADDR LocalAddress);

/* binding#1: a listening socket is bound; the peer then connects to that address. */
static void
run_BindListeningSocket(void)
{
	PWSK_SOCKET l = make_socket(&c0, WSK_FLAG_LISTEN_SOCKET, NULL, NULL), s1, a0;
	struct wsk_test_irp acc;
	struct sock_addr_args ca;
	SOCKADDR_IN a;
	ULONG_PTR info = 0;

	if (l == NULL)
		return;
	wsk_test_addr(&a, 0, 5001);
	CHECK(returned_ok(SAMPLE(BindListeningSocket(l, (PSOCKADDR)&a))));
	check_completed_ok("BindComplete");
	check_last_freed(STATUS_SUCCESS, NULL);
	/* Live: host 1 connects to 198.18.9.1:5001. */
	s1 = bound_socket(&c1, 1, WSK_FLAG_CONNECTION_SOCKET, 0, NULL, NULL);
	wsk_test_irp_start(&acc, call_accept, l);
	ca.s = s1;
	ca.addr = a;
	CHECK(wsk_test_call(call_connect, &ca, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	CHECK(wsk_test_irp_wait(&acc, WAIT_MS, &info) == STATUS_SUCCESS);
	a0 = (PWSK_SOCKET)info;
	close_sock(&a0);
	close_sock(&s1);
	close_sock(&l);
}
#endif

#ifdef WSKSAMPLE_HAS_ConnectSocket
NTSTATUS ConnectSocket(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress);

/* establishing#1 (and seed 001): connect to a listener on host 1, which accepts. */
static void
run_ConnectSocket(void)
{
	PWSK_SOCKET l1 = bound_socket(&c1, 1, WSK_FLAG_LISTEN_SOCKET, 5002, NULL, NULL);
	PWSK_SOCKET s0 = bound_socket(&c0, 0, WSK_FLAG_CONNECTION_SOCKET, 0, NULL, NULL), a1;
	struct wsk_test_irp acc;
	SOCKADDR_IN a;
	ULONG_PTR info = 0;
	char got[64];

	if (l1 == NULL || s0 == NULL)
		return;
	wsk_test_irp_start(&acc, call_accept, l1);
	wsk_test_addr(&a, 1, 5002);
	CHECK(returned_ok(SAMPLE(ConnectSocket(s0, (PSOCKADDR)&a))));
	check_completed_ok("ConnectComplete");
	check_last_freed(STATUS_SUCCESS, NULL);
	CHECK(wsk_test_irp_wait(&acc, WAIT_MS, &info) == STATUS_SUCCESS);
	a1 = (PWSK_SOCKET)info;
	/* The connection carries data. */
	if (a1 != NULL) {
		peer_send(a1, "connected");
		CHECK(peer_receive(s0, got, sizeof(got)) == 9 && strcmp(got, "connected") == 0);
	}
	close_sock(&a1);
	close_sock(&s0);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_DisconnectSocket
NTSTATUS DisconnectSocket(PWSK_SOCKET Socket);

/* disconnecting#1: a graceful disconnect; the peer reads end of stream. */
static void
run_DisconnectSocket(void)
{
	PWSK_SOCKET l1, s0, a1;

	tcp_pair(5003, NULL, NULL, &l1, &s0, &a1);
	if (a1 != NULL) {
		CHECK(returned_ok(SAMPLE(DisconnectSocket(s0))));
		CHECK(peer_receive(a1, NULL, 0) == 0, "the peer did not see the FIN");
		/* The FIN handshake completes when the peer disconnects too. */
		disconnect_sync(a1);
		check_completed_ok("DisconnectComplete");
		check_last_freed(STATUS_SUCCESS, NULL);
	}
	close_sock(&a1);
	close_sock(&s0);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_CloseSocket
NTSTATUS CloseSocket(PWSK_SOCKET Socket, APP_SOCKET_CONTEXT *SocketContext);

/* closing#1: a connected socket is closed; the peer sees the connection end. */
static void
run_CloseSocket(void)
{
	PWSK_SOCKET l1, s0, a1;
	APP_SOCKET_CONTEXT ctx;

	tcp_pair(5004, NULL, NULL, &l1, &s0, &a1);
	if (s0 != NULL) {
		ctx.Socket = s0;
		CHECK(returned_ok(SAMPLE(CloseSocket(s0, &ctx))));
		check_completed_ok("CloseSocketComplete");
		check_last_freed(STATUS_SUCCESS, NULL);
	}
	if (a1 != NULL) {
		struct sbuf b;
		struct io_args a = { a1, &b, 0 };
		NTSTATUS st;
		ULONG_PTR info = 1;

		sbuf_init(&b, NULL);
		st = wsk_test_call(call_receive, &a, WAIT_MS, &info, NULL);
		CHECK((st == STATUS_SUCCESS && info == 0) || st == STATUS_CONNECTION_RESET ||
		      st == STATUS_CONNECTION_ABORTED, "peer receive after close: 0x%08x, %lu",
		      (unsigned int)st, (unsigned long)info);
		sbuf_fini(&b);
	}
	close_sock(&a1);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_SendData
NTSTATUS SendData(PWSK_SOCKET Socket, PWSK_BUF DataBuffer);

/* sending#1 (connection): the bytes arrive at the peer. */
static void
run_SendData(void)
{
	PWSK_SOCKET l1, s0, a1;
	struct sbuf b;
	char got[64];
	ULONG_PTR info = 0;

	tcp_pair(5005, NULL, NULL, &l1, &s0, &a1);
	if (a1 != NULL) {
		sbuf_init(&b, "hello from SendData");
		CHECK(returned_ok(SAMPLE(SendData(s0, &b.wb))));
		check_completed_ok("SendComplete");
		check_last_freed(STATUS_SUCCESS, &info);
		CHECK(info == b.wb.Length, "sent %lu", (unsigned long)info);
		CHECK(peer_receive(a1, got, sizeof(got)) == (long)b.wb.Length &&
		      strcmp(got, "hello from SendData") == 0, "peer got '%s'", got);
		sbuf_fini(&b);
	}
	close_sock(&a1);
	close_sock(&s0);
	close_sock(&l1);
}
#endif

#if defined(WSKSAMPLE_HAS_ReceiveData) && WSKSAMPLE_HAS_ReceiveData == 2
NTSTATUS ReceiveData(PWSK_SOCKET Socket, PWSK_BUF DataBuffer);

/* receiving#1 / using-irps#1: a pending receive completes with the peer's bytes. */
static void
run_ReceiveData(void)
{
	PWSK_SOCKET l1, s0, a1;
	struct sbuf b;
	ULONG_PTR info = 0;

	tcp_pair(5006, NULL, NULL, &l1, &s0, &a1);
	if (a1 != NULL) {
		sbuf_init(&b, NULL);
		CHECK(returned_ok(SAMPLE(ReceiveData(s0, &b.wb))));
		peer_send(a1, "hello to ReceiveData");
		check_completed_ok("ReceiveComplete");
		check_last_freed(STATUS_SUCCESS, &info);
		CHECK(info == 20 && strcmp(b.data, "hello to ReceiveData") == 0, "got %lu '%s'",
		      (unsigned long)info, b.data);
		sbuf_fini(&b);
	}
	close_sock(&a1);
	close_sock(&s0);
	close_sock(&l1);
}
#endif

#if defined(WSKSAMPLE_HAS_ReceiveData) && WSKSAMPLE_HAS_ReceiveData == 3
NTSTATUS ReceiveData(PWSK_SOCKET Socket, PWSK_BUF DataBuffer, PIRP Irp);

static KEVENT above_done;

/* The completion routine of "the higher level driver" the IRP came from. */
static NTSTATUS
above_complete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
	KeSetEvent(&above_done, 0, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/*
 * using-irps#2: the IRP comes from above (two locations, the upper one
 * current, with its own completion routine); the sample's routine runs on
 * success, marks it pending and lets completion go on up.
 */
static void
run_ReceiveData(void)
{
	PWSK_SOCKET l1, s0, a1;
	struct sbuf b;
	LARGE_INTEGER to;
	PIRP irp;

	tcp_pair(5007, NULL, NULL, &l1, &s0, &a1);
	if (a1 != NULL) {
		sbuf_init(&b, NULL);
		KeInitializeEvent(&above_done, NotificationEvent, FALSE);
		irp = IoAllocateIrp(2, FALSE);
		IoSetCompletionRoutine(irp, above_complete, NULL, TRUE, TRUE, TRUE);
		IoSetNextIrpStackLocation(irp);
		CHECK(returned_ok(SAMPLE(ReceiveData(s0, &b.wb, irp))));
		peer_send(a1, "from above");
		to.QuadPart = -10000LL * WAIT_MS;
		CHECK(KeWaitForSingleObject(&above_done, Executive, KernelMode, FALSE, &to) ==
		      STATUS_SUCCESS);
		CHECK(wsksample_hits("ReceiveComplete", 1) == 1);
		CHECK(irp->IoStatus.Status == STATUS_SUCCESS && irp->IoStatus.Information == 10);
		CHECK(strcmp(b.data, "from above") == 0, "got '%s'", b.data);
		IoFreeIrp(irp);
		sbuf_fini(&b);
	}
	close_sock(&a1);
	close_sock(&s0);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_SendDatagram
NTSTATUS SendDatagram(PWSK_SOCKET Socket, PWSK_BUF DatagramBuffer, PSOCKADDR RemoteAddress);

/* sending#1 (datagram): the datagram arrives at the peer's socket. */
static void
run_SendDatagram(void)
{
	PWSK_SOCKET d0 = bound_socket(&c0, 0, WSK_FLAG_DATAGRAM_SOCKET, 0, NULL, NULL);
	PWSK_SOCKET d1 = bound_socket(&c1, 1, WSK_FLAG_DATAGRAM_SOCKET, 5008, NULL, NULL);
	struct sbuf b, r;
	struct io_args ra = { d1, &r, 0 };
	struct wsk_test_irp rx;
	SOCKADDR_IN to;
	ULONG_PTR info = 0;

	if (d0 == NULL || d1 == NULL)
		goto out;
	sbuf_init(&r, NULL);
	wsk_test_irp_start(&rx, call_recvfrom, &ra);
	sbuf_init(&b, "datagram from SendDatagram");
	wsk_test_addr(&to, 1, 5008);
	CHECK(returned_ok(SAMPLE(SendDatagram(d0, &b.wb, (PSOCKADDR)&to))));
	check_completed_ok("SendDatagramComplete");
	check_last_freed(STATUS_SUCCESS, &info);
	CHECK(info == b.wb.Length);
	CHECK(wsk_test_irp_wait(&rx, WAIT_MS, &info) == STATUS_SUCCESS);
	CHECK(info == b.wb.Length && strcmp(r.data, "datagram from SendDatagram") == 0);
	sbuf_fini(&b);
	sbuf_fini(&r);
out:
	close_sock(&d0);
	close_sock(&d1);
}
#endif

#ifdef WSKSAMPLE_HAS_ReceiveDatagram
NTSTATUS ReceiveDatagram(PWSK_SOCKET Socket, PWSK_BUF DatagramBuffer);

/* receiving#1 (datagram): a pending receive completes with the peer's datagram. */
static void
run_ReceiveDatagram(void)
{
	PWSK_SOCKET d0 = bound_socket(&c0, 0, WSK_FLAG_DATAGRAM_SOCKET, 5009, NULL, NULL);
	PWSK_SOCKET d1 = bound_socket(&c1, 1, WSK_FLAG_DATAGRAM_SOCKET, 0, NULL, NULL);
	struct sbuf b, s;
	struct io_args sa = { d1, &s, 0 };
	ULONG_PTR info = 0;

	if (d0 == NULL || d1 == NULL)
		goto out;
	sbuf_init(&b, NULL);
	CHECK(returned_ok(SAMPLE(ReceiveDatagram(d0, &b.wb))));
	sbuf_init(&s, "datagram to ReceiveDatagram");
	wsk_test_addr(&sa.addr, 0, 5009);
	CHECK(wsk_test_call(call_sendto, &sa, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	check_completed_ok("ReceiveDatagramComplete");
	check_last_freed(STATUS_SUCCESS, &info);
	CHECK(info == s.wb.Length && strcmp(b.data, "datagram to ReceiveDatagram") == 0);
	sbuf_fini(&b);
	sbuf_fini(&s);
out:
	close_sock(&d0);
	close_sock(&d1);
}
#endif

#ifdef WSKSAMPLE_HAS_WskReceiveEvent
NTSTATUS WSKAPI WskReceiveEvent(PVOID SocketContext, ULONG Flags,
				PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
				SIZE_T *BytesAccepted);

/* receiving#2: the sample's WskReceiveEvent is the socket's receive callback. */
static void
run_WskReceiveEvent(void)
{
	static const WSK_CLIENT_CONNECTION_DISPATCH d = { WskReceiveEvent, NULL, NULL };
	PWSK_SOCKET l1, s0, a1;

	tcp_pair(5010, NULL, &d, &l1, &s0, &a1);
	if (a1 != NULL) {
		CHECK(wsk_test_events(s0, WSK_EVENT_RECEIVE) == STATUS_SUCCESS);
		peer_send(a1, "indicated");
		CHECK(wsksample_wait_hits("WskReceiveEvent", 1, 1, WAIT_MS), "not indicated");
		/* It returned STATUS_SUCCESS: the data was consumed and indications go on. */
		peer_send(a1, "again");
		CHECK(wsksample_wait_hits("WskReceiveEvent", 1, 2, WAIT_MS), "no second indication");
	}
	close_sock(&s0);
	close_sock(&a1);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_WskReceiveFromEvent
NTSTATUS WSKAPI WskReceiveFromEvent(PVOID SocketContext, ULONG Flags,
				    PWSK_DATAGRAM_INDICATION DataIndication);

/* receiving#2 (datagram): the sample's WskReceiveFromEvent sees the peer's datagrams. */
static void
run_WskReceiveFromEvent(void)
{
	static const WSK_CLIENT_DATAGRAM_DISPATCH d = { WskReceiveFromEvent };
	PWSK_SOCKET d0 = bound_socket(&c0, 0, WSK_FLAG_DATAGRAM_SOCKET, 5011, NULL, &d);
	PWSK_SOCKET d1 = bound_socket(&c1, 1, WSK_FLAG_DATAGRAM_SOCKET, 0, NULL, NULL);
	struct sbuf s;
	struct io_args sa = { d1, &s, 0 };

	if (d0 == NULL || d1 == NULL)
		goto out;
	CHECK(wsk_test_events(d0, WSK_EVENT_RECEIVE_FROM) == STATUS_SUCCESS);
	sbuf_init(&s, "dgram event");
	wsk_test_addr(&sa.addr, 0, 5011);
	CHECK(wsk_test_call(call_sendto, &sa, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	CHECK(wsk_test_call(call_sendto, &sa, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	CHECK(wsksample_wait_hits("WskReceiveFromEvent", 1, 2, WAIT_MS), "datagrams not indicated");
	sbuf_fini(&s);
out:
	close_sock(&d0);
	close_sock(&d1);
}
#endif

#ifdef WSKSAMPLE_HAS_EnableDisconnectAndRecieveCallbacks
NTSTATUS EnableDisconnectAndRecieveCallbacks(PWSK_SOCKET Socket);

/* enabling#1 (seed 004#1): after the call, data and the peer's disconnect are indicated. */
static void
run_EnableDisconnectAndRecieveCallbacks(void)
{
	PWSK_SOCKET l1, s0, a1;
	struct wsk_test_irp pd;
	struct io_args pa;

	tcp_pair(5012, NULL, &drv_conn_dispatch, &l1, &s0, &a1);
	if (a1 != NULL) {
		CHECK(SAMPLE(EnableDisconnectAndRecieveCallbacks(s0)) == STATUS_SUCCESS);
		peer_send(a1, "event data");
		CHECK(wait_counter(&ev_receive_bytes, 10, WAIT_MS), "receive event: %d bytes",
		      (int)ev_receive_bytes);
		disconnect_start(&pd, &pa, a1);
		CHECK(wait_counter(&ev_disconnect_calls, 1, WAIT_MS), "no disconnect event");
		disconnect_sync(s0);
		disconnect_finish(&pd);
	}
	close_sock(&s0);
	close_sock(&a1);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_DisableDisconnectCallback
NTSTATUS DisableDisconnectCallback(PWSK_SOCKET Socket);

/* enabling#2 (seed 004#2): once disabled, the peer's disconnect is not indicated. */
static void
run_DisableDisconnectCallback(void)
{
	PWSK_SOCKET l1, s0, a1;
	struct wsk_test_irp pd;
	struct io_args pa;

	tcp_pair(5013, NULL, &drv_conn_dispatch, &l1, &s0, &a1);
	if (a1 != NULL) {
		CHECK(wsk_test_events(s0, WSK_EVENT_DISCONNECT) == STATUS_SUCCESS);
		CHECK(returned_ok(SAMPLE(DisableDisconnectCallback(s0))));
		check_completed_ok("DisableDisconnectComplete");
		check_last_freed(STATUS_SUCCESS, NULL);
		disconnect_start(&pd, &pa, a1);
		CHECK(peer_receive(s0, NULL, 0) == 0, "no FIN seen");
		disconnect_sync(s0);
		disconnect_finish(&pd);
		wsk_test_sleep_ms(100);
		CHECK(ev_disconnect_calls == 0, "disconnect event after disabling it");
	}
	close_sock(&s0);
	close_sock(&a1);
	close_sock(&l1);
}
#endif

#ifdef WSKSAMPLE_HAS_SetStaticEventCallbacks
NTSTATUS SetStaticEventCallbacks(APP_BINDING_CONTEXT *BindingContext);

/* enabling#3 (seed 004#3): static callbacks, then new sockets indicate without enabling. */
static void
run_SetStaticEventCallbacks(void)
{
	static const WSK_CLIENT_DATAGRAM_DISPATCH dd = { drv_receive_from_event };
	APP_BINDING_CONTEXT bc = { NULL, c0.npi.Client, (PWSK_PROVIDER_DISPATCH)c0.npi.Dispatch };
	PWSK_SOCKET d0, d1, l1 = NULL, s0 = NULL, a1 = NULL;
	struct sbuf s;
	struct io_args sa;

	CHECK(SAMPLE(SetStaticEventCallbacks(&bc)) == STATUS_SUCCESS);
	d0 = bound_socket(&c0, 0, WSK_FLAG_DATAGRAM_SOCKET, 5014, NULL, &dd);
	d1 = bound_socket(&c1, 1, WSK_FLAG_DATAGRAM_SOCKET, 0, NULL, NULL);
	if (d0 != NULL && d1 != NULL) {
		sa = (struct io_args){ d1, &s, 0 };
		sbuf_init(&s, "static");
		wsk_test_addr(&sa.addr, 0, 5014);
		CHECK(wsk_test_call(call_sendto, &sa, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
		CHECK(wait_counter(&ev_recvfrom_calls, 1, WAIT_MS), "no static receive-from event");
		sbuf_fini(&s);
	}
	tcp_pair(5015, NULL, &drv_conn_dispatch, &l1, &s0, &a1);
	if (a1 != NULL) {
		peer_send(a1, "static tcp");
		CHECK(wait_counter(&ev_receive_bytes, 10, WAIT_MS), "no static receive event");
	}
	close_sock(&s0);
	close_sock(&a1);
	close_sock(&l1);
	close_sock(&d0);
	close_sock(&d1);
}
#endif

#ifdef WSKSAMPLE_HAS_AcceptConnection
NTSTATUS AcceptConnection(PWSK_SOCKET Socket, PVOID AcceptSocketContext,
			  PWSK_CLIENT_CONNECTION_DISPATCH AcceptSocketDispatch);

/* listening#1: a pending WskAccept completes with the peer's connection. */
static void
run_AcceptConnection(void)
{
	PWSK_SOCKET l0 = bound_socket(&c0, 0, WSK_FLAG_LISTEN_SOCKET, 5016, NULL, NULL);
	PWSK_SOCKET s1 = bound_socket(&c1, 1, WSK_FLAG_CONNECTION_SOCKET, 0, NULL, NULL), a0;
	struct sock_addr_args ca;
	ULONG_PTR info = 0;
	char got[32];
	int ctx;

	if (l0 == NULL || s1 == NULL)
		goto out;
	CHECK(returned_ok(SAMPLE(AcceptConnection(l0, &ctx, NULL))));
	ca.s = s1;
	wsk_test_addr(&ca.addr, 0, 5016);
	CHECK(wsk_test_call(call_connect, &ca, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	check_completed_ok("AcceptComplete");
	/* The sample leaves the accepted socket in the IRP it freed: close it from there. */
	check_last_freed(STATUS_SUCCESS, &info);
	a0 = (PWSK_SOCKET)info;
	CHECK(a0 != NULL);
	if (a0 != NULL) {
		peer_send(s1, "accepted");
		CHECK(peer_receive(a0, got, sizeof(got)) == 8 && strcmp(got, "accepted") == 0);
		close_sock(&a0);
	}
out:
	close_sock(&s1);
	close_sock(&l0);
}
#endif

#ifdef WSKSAMPLE_HAS_WskInspectEvent
WSK_INSPECT_ACTION WSKAPI WskInspectEvent(PVOID SocketContext, PSOCKADDR LocalAddress,
					  PSOCKADDR RemoteAddress, PWSK_INSPECT_ID InspectID);
NTSTATUS WSKAPI WskAbortEvent(PVOID SocketContext, PWSK_INSPECT_ID InspectID);
extern WSK_INSPECT_ID PendingInspectID;

static NTSTATUS
call_inspect_complete(void *arg, PIRP irp)
{
	PWSK_SOCKET l = arg;

	return ((const WSK_PROVIDER_LISTEN_DISPATCH *)l->Dispatch)->WskInspectComplete(
		l, &PendingInspectID, WskInspectAccept, irp);
}

/* One connection attempt from host 1 to port 5017 of host 0: @return the connect's status. */
static NTSTATUS
inspect_try(PWSK_SOCKET pend_then)
{
	PWSK_SOCKET s1 = bound_socket(&c1, 1, WSK_FLAG_CONNECTION_SOCKET, 0, NULL, NULL);
	struct sock_addr_args ca;
	struct wsk_test_irp conn;
	NTSTATUS st;

	if (s1 == NULL)
		return STATUS_UNSUCCESSFUL;
	ca.s = s1;
	wsk_test_addr(&ca.addr, 0, 5017);
	wsk_test_irp_start(&conn, call_connect, &ca);
	if (pend_then != NULL) {
		/* The sample pended the request: accept it with WskInspectComplete. */
		CHECK(wsksample_wait_hits("WskInspectEvent", 3, 2, WAIT_MS), "not inspected");
		wsk_test_sleep_ms(50);
		CHECK(!wsk_test_irp_done(&conn), "connected while the inspection was pending");
		CHECK(wsk_test_call(call_inspect_complete, pend_then, WAIT_MS, NULL, NULL) ==
		      STATUS_SUCCESS);
	}
	st = wsk_test_irp_wait(&conn, WAIT_MS, NULL);
	close_sock(&s1);
	return st;
}

/*
 * listening#3: conditional accept with the sample's WskInspectEvent (its
 * two "if (...)" sites are sites 2 and 3) and WskAbortEvent.
 */
static void
run_WskInspectEvent(void)
{
	static const WSK_CLIENT_LISTEN_DISPATCH d = { drv_accept_event, WskInspectEvent,
						      WskAbortEvent };
	PWSK_SOCKET l0 = make_socket(&c0, WSK_FLAG_LISTEN_SOCKET, NULL, &d);
	ULONG one = 1;
	SOCKADDR_IN a;
	NTSTATUS st;
	LONG i;

	if (l0 == NULL)
		return;
	CHECK(wsk_test_control(l0, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, sizeof(one),
			       &one, 0, NULL, NULL) == STATUS_SUCCESS);
	wsk_test_addr(&a, 0, 5017);
	CHECK(wsk_test_bind(l0, &a) == STATUS_SUCCESS);
	CHECK(wsk_test_events(l0, WSK_EVENT_ACCEPT) == STATUS_SUCCESS);

	wsksample_set_cond("WskInspectEvent", 2, 1);           /* InspectAccept */
	st = inspect_try(NULL);
	CHECK(st == STATUS_SUCCESS, "accepted inspection: connect 0x%08x", (unsigned int)st);
	CHECK(wait_counter(&nb_accepted, 1, WAIT_MS), "no accept event");

	wsksample_set_cond("WskInspectEvent", 2, 0);
	wsksample_set_cond("WskInspectEvent", 3, 1);           /* InspectReject */
	st = inspect_try(NULL);
	CHECK(st == STATUS_CONNECTION_REFUSED, "rejected inspection: connect 0x%08x",
	      (unsigned int)st);

	wsksample_set_cond("WskInspectEvent", 3, 0);           /* InspectPend */
	st = inspect_try(l0);
	CHECK(st == STATUS_SUCCESS, "pended then accepted: connect 0x%08x", (unsigned int)st);
	CHECK(wait_counter(&nb_accepted, 2, WAIT_MS), "no accept event after WskInspectComplete");

	CHECK(wsksample_hits("WskInspectEvent", 1) >= 3 && wsksample_hits("WskInspectEvent", 4) == 0);
	for (i = 0; i < nb_accepted && i < 8; i++)
		close_sock(&accepted[i]);
	close_sock(&l0);
}
#endif

#ifdef WSKSAMPLE_HAS_GetTransportList
NTSTATUS GetTransportList(PWSK_PROVIDER_NPI WskProviderNpi, PWSK_TRANSPORT TransportList,
			  ULONG MaxTransports, PULONG TransportsRetrieved);

/* client control: the transport list has TCP and UDP over IPv4. */
static void
run_GetTransportList(void)
{
	WSK_TRANSPORT t[8];
	ULONG n = 0, i;
	bool tcp = false, udp = false;

	memset(t, 0, sizeof(t));
	CHECK(SAMPLE(GetTransportList(&c0.npi, t, 8, &n)) == STATUS_SUCCESS);
	/* The sample assigns the count to its pointer parameter (the page's slip): n stays 0. */
	for (i = 0; i < 8; i++) {
		tcp |= t[i].SocketType == SOCK_STREAM && t[i].Protocol == IPPROTO_TCP &&
		       t[i].AddressFamily == AF_INET;
		udp |= t[i].SocketType == SOCK_DGRAM && t[i].Protocol == IPPROTO_UDP &&
		       t[i].AddressFamily == AF_INET;
	}
	CHECK(tcp && udp, "transport list lacks TCP or UDP over IPv4");
}
#endif

#ifdef WSKSAMPLE_HAS_SetExclusiveAddrUse
NTSTATUS SetExclusiveAddrUse(PWSK_SOCKET Socket);

/*
 * control socket#1: SO_EXCLUSIVEADDRUSE set on a datagram socket, and read
 * back. The sample passes its local SocketOptionState and returns at once:
 * when the call pends (always, from a thread that is not the socket's
 * lcore), the page's own contract says that local had to outlive the IRP,
 * so the value the provider read is then unspecified and only reported.
 */
static void
run_SetExclusiveAddrUse(void)
{
	PWSK_SOCKET d0 = make_socket(&c0, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL);
	NTSTATUS ret;
	ULONG v = 0;
	ULONG_PTR info = 0;

	if (d0 == NULL)
		return;
	ret = SAMPLE(SetExclusiveAddrUse(d0));
	CHECK(returned_ok(ret));
	check_completed_ok("ControlSocketComplete");
	check_last_freed(STATUS_SUCCESS, NULL);
	CHECK(wsk_test_control(d0, WskGetOption, SO_EXCLUSIVEADDRUSE, SOL_SOCKET, 0, NULL,
			       sizeof(v), &v, &info) == STATUS_SUCCESS);
	CHECK(info == sizeof(v));
	if (ret == STATUS_SUCCESS)
		CHECK(v == 1, "SO_EXCLUSIVEADDRUSE reads %u", v);
	else if (v != 1)
		printf("note: SetExclusiveAddrUse pended and its SocketOptionState was out of scope "
		       "when read: SO_EXCLUSIVEADDRUSE reads %u\n", v);
	close_sock(&d0);
}
#endif

#ifdef WSKSAMPLE_HAS_SetRemoteAddress
NTSTATUS SetRemoteAddress(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress);

static NTSTATUS
call_sendto_fixed(void *arg, PIRP irp)
{
	struct io_args *a = arg;

	return ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)a->s->Dispatch)->WskSendTo(
		a->s, &a->b->wb, 0, NULL, 0, NULL, irp);
}

/* control socket#2: after SIO_WSK_SET_REMOTE_ADDRESS a WskSendTo without address reaches it. */
static void
run_SetRemoteAddress(void)
{
	PWSK_SOCKET d0 = bound_socket(&c0, 0, WSK_FLAG_DATAGRAM_SOCKET, 0, NULL, NULL);
	PWSK_SOCKET d1 = bound_socket(&c1, 1, WSK_FLAG_DATAGRAM_SOCKET, 5018, NULL, NULL);
	struct sbuf s, r;
	struct io_args sa = { d0, &s, 0 }, ra = { d1, &r, 0 };
	struct wsk_test_irp rx;
	SOCKADDR_IN to;
	ULONG_PTR info = 0;

	if (d0 == NULL || d1 == NULL)
		goto out;
	wsk_test_addr(&to, 1, 5018);
	CHECK(returned_ok(SAMPLE(SetRemoteAddress(d0, (PSOCKADDR)&to))));
	check_completed_ok("ControlSocketComplete");
	check_last_freed(STATUS_SUCCESS, NULL);
	sbuf_init(&r, NULL);
	wsk_test_irp_start(&rx, call_recvfrom, &ra);
	sbuf_init(&s, "to the fixed remote");
	CHECK(wsk_test_call(call_sendto_fixed, &sa, WAIT_MS, NULL, NULL) == STATUS_SUCCESS);
	CHECK(wsk_test_irp_wait(&rx, WAIT_MS, &info) == STATUS_SUCCESS);
	CHECK(info == s.wb.Length && strcmp(r.data, "to the fixed remote") == 0);
	sbuf_fini(&s);
	sbuf_fini(&r);
out:
	close_sock(&d0);
	close_sock(&d1);
}
#endif

#ifdef WSKSAMPLE_HAS_KernelNameResolutionSample
NTSTATUS KernelNameResolutionSample(PCWSTR NodeName, PCWSTR ServiceName, PADDRINFOEXW Hints,
				    PWSK_PROVIDER_NPI WskProviderNpi);

/* resolving#1: numeric names resolve; the sample frees the result itself. */
static void
run_KernelNameResolutionSample(void)
{
	NTSTATUS st;

	st = SAMPLE(KernelNameResolutionSample(L"198.18.9.2", L"80", NULL, &c0.npi));
	CHECK(st == STATUS_SUCCESS, "numeric name: 0x%08x", (unsigned int)st);
	st = SAMPLE(KernelNameResolutionSample(L"127.0.0.1", NULL, NULL, &c0.npi));
	CHECK(st == STATUS_SUCCESS, "numeric name without service: 0x%08x", (unsigned int)st);
}
#endif

#ifdef WSKSAMPLE_HAS_ClientDetachProvider
NTSTATUS ClientDetachProvider(PVOID ClientBindingContext);
VOID ClientCleanupBindingContext(PVOID ClientBindingContext);

/* unregistering-and-unloading#1: detach answers by its condition; cleanup frees the context. */
static void
run_ClientDetachProvider(void)
{
	APP_BINDING_CONTEXT *bc = ExAllocatePoolWithTag(NonPagedPool, sizeof(*bc), 'tpcb');
	LONG64 before = WskstackNtPoolLive();

	CHECK(bc != NULL);
	if (bc == NULL)
		return;
	wsksample_set_cond("ClientDetachProvider", 1, 1);
	CHECK(SAMPLE(ClientDetachProvider(bc)) == STATUS_SUCCESS);
	wsksample_set_cond("ClientDetachProvider", 1, 0);
	CHECK(SAMPLE(ClientDetachProvider(bc)) == STATUS_PENDING);
	ClientCleanupBindingContext(bc);
	CHECK(WskstackNtPoolLive() == before - 1, "the binding context was not freed");
}
#endif

/* ---- main ---- */

static const char *
scenario_missing(void)
{
	static const char *known[] = {
		"DriverEntry", "WskAppWorkerRoutine", "Unload", "CreateListeningSocket",
		"CreateListeningSocketComplete", "BindListeningSocket", "BindComplete",
		"ConnectSocket", "ConnectComplete", "DisconnectSocket", "DisconnectComplete",
		"CloseSocket", "CloseSocketComplete", "SendData", "SendComplete", "ReceiveData",
		"ReceiveComplete", "SendDatagram", "SendDatagramComplete", "ReceiveDatagram",
		"ReceiveDatagramComplete", "WskReceiveEvent", "WskReceiveFromEvent",
		"EnableDisconnectAndRecieveCallbacks", "DisableDisconnectCallback",
		"DisableDisconnectComplete", "SetStaticEventCallbacks", "AcceptConnection",
		"AcceptComplete", "WskInspectEvent", "WskAbortEvent", "GetTransportList",
		"SetExclusiveAddrUse", "SetRemoteAddress", "ControlSocketComplete",
		"KernelNameResolutionSample", "SyncIrpCompletionRoutine", "ClientDetachProvider",
		"ClientCleanupBindingContext",
	};
	static char name[128];
	const char *p = wsksample_defines;
	size_t i, len;

	while (*p != '\0') {
		size_t skip = strcspn(p, ",");

		len = strcspn(p, ",/");
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strlen(known[i]) == len && strncmp(known[i], p, len) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			return name;
		}
		p += skip + (p[skip] == ',');
	}
	return NULL;
}

int
main(void)
{
	const char *missing = scenario_missing();
	unsigned int leaked;

	if (missing != NULL) {
		printf("sample %s: compiled, ran: FAILED (no scenario for %s)\n", wsksample_name,
		       missing);
		return 1;
	}
	wsksample_set_main_thread();
	if (wsk_test_hosts_start(2, NULL) != 0) {
		printf("sample %s: compiled, ran: FAILED (hosts did not start)\n", wsksample_name);
		return 1;
	}
	CHECK(wsk_test_client_open(&c0, 0) == STATUS_SUCCESS);
	CHECK(wsk_test_client_open(&c1, 1) == STATUS_SUCCESS);
	if (fails == 0) {
#ifdef WSKSAMPLE_HAS_DriverEntry
		run_DriverEntry();
#endif
#ifdef WSKSAMPLE_HAS_WskAppWorkerRoutine
		run_WskAppWorkerRoutine();
#endif
#ifdef WSKSAMPLE_HAS_Unload
		run_Unload();
#endif
#ifdef WSKSAMPLE_HAS_CreateListeningSocket
		run_CreateListeningSocket();
#endif
#ifdef WSKSAMPLE_HAS_BindListeningSocket
		run_BindListeningSocket();
#endif
#ifdef WSKSAMPLE_HAS_ConnectSocket
		run_ConnectSocket();
#endif
#ifdef WSKSAMPLE_HAS_DisconnectSocket
		run_DisconnectSocket();
#endif
#ifdef WSKSAMPLE_HAS_CloseSocket
		run_CloseSocket();
#endif
#ifdef WSKSAMPLE_HAS_SendData
		run_SendData();
#endif
#ifdef WSKSAMPLE_HAS_ReceiveData
		run_ReceiveData();
#endif
#ifdef WSKSAMPLE_HAS_SendDatagram
		run_SendDatagram();
#endif
#ifdef WSKSAMPLE_HAS_ReceiveDatagram
		run_ReceiveDatagram();
#endif
#ifdef WSKSAMPLE_HAS_WskReceiveEvent
		run_WskReceiveEvent();
#endif
#ifdef WSKSAMPLE_HAS_WskReceiveFromEvent
		run_WskReceiveFromEvent();
#endif
#ifdef WSKSAMPLE_HAS_EnableDisconnectAndRecieveCallbacks
		run_EnableDisconnectAndRecieveCallbacks();
#endif
#ifdef WSKSAMPLE_HAS_DisableDisconnectCallback
		run_DisableDisconnectCallback();
#endif
#ifdef WSKSAMPLE_HAS_SetStaticEventCallbacks
		run_SetStaticEventCallbacks();
#endif
#ifdef WSKSAMPLE_HAS_AcceptConnection
		run_AcceptConnection();
#endif
#ifdef WSKSAMPLE_HAS_WskInspectEvent
		run_WskInspectEvent();
#endif
#ifdef WSKSAMPLE_HAS_GetTransportList
		run_GetTransportList();
#endif
#ifdef WSKSAMPLE_HAS_SetExclusiveAddrUse
		run_SetExclusiveAddrUse();
#endif
#ifdef WSKSAMPLE_HAS_SetRemoteAddress
		run_SetRemoteAddress();
#endif
#ifdef WSKSAMPLE_HAS_KernelNameResolutionSample
		run_KernelNameResolutionSample();
#endif
#ifdef WSKSAMPLE_HAS_ClientDetachProvider
		run_ClientDetachProvider();
#endif
	}
	wsk_test_client_close(&c0);
	wsk_test_client_close(&c1);
	leaked = wsk_test_hosts_stop();
	CHECK(leaked == 0, "%u objects leaked", leaked);
	printf("sample %s: compiled%s%s%s, ran: %s (%u checks)\n", wsksample_name,
	       wsksample_notes[0] != '\0' ? " (repaired: " : "", wsksample_notes,
	       wsksample_notes[0] != '\0' ? ")" : "", fails == 0 ? "ok" : "FAILED",
	       passes + fails);
	return fails == 0 ? 0 : 1;
}
