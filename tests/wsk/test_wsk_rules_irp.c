/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules 1-5 and 18 of wsk_api.md section 4 (IRP mechanics,
 * cancellation, inline callbacks and completions, IRQL),
 * one test each, asserting the status codes Windows documents. Run under
 * ASan as well: the IRPs freed or reused inside completion routines must
 * never be touched again by the provider.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsk_host.h"
#include "wsk_rules.h"

#include <wskstack.h>
#include <wskstack_nt.h>

#define P_CANCEL   7201
#define P_INLINE1  7202
#define P_INLINE2  7203
#define P_INLINE3  7204
#define P_IRQL     7205
#define P_DGRAM    7206

static struct wsk_test_client c0, c1;

static uint32_t
sockets_live(unsigned int h)
{
	struct wsk_host_stats st;

	wsk_host_stats(wsk_test_host(h), &st);
	return st.sockets_live;
}

/* ---- plain calls used by several rules ---- */

struct sock_call {
	struct wsk_test_client *c;
	PWSK_CLIENT client;
	ULONG flags;
};

static NTSTATUS
call_socket_irp(struct sock_call *a, PIRP irp)
{
	return a->c->npi.Dispatch->WskSocket(a->client, AF_INET, SOCK_DGRAM, IPPROTO_UDP, a->flags,
					     NULL, NULL, NULL, NULL, NULL, irp);
}

/* ===========================================================================
 * Rule 1: IRP ownership
 */

struct own_ctx {
	atomic_int calls;
	NTSTATUS st[2];
	ULONG_PTR info[2];
	KEVENT done;
	PWSK_SOCKET s;          /* reuse: the socket of the reissued call */
	ULONG out;
};

static NTSTATUS
free_inside(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct own_ctx *o = ctx;
	int n = atomic_fetch_add(&o->calls, 1);

	(void)dev;
	if (n < 2) {
		o->st[n] = irp->IoStatus.Status;
		o->info[n] = irp->IoStatus.Information;
	}
	IoFreeIrp(irp); /* the IRP is gone: the provider must not look at it again */
	KeSetEvent(&o->done, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
reuse_inside(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct own_ctx *o = ctx;
	int n = atomic_fetch_add(&o->calls, 1);

	(void)dev;
	if (n < 2) {
		o->st[n] = irp->IoStatus.Status;
		o->info[n] = irp->IoStatus.Information;
	}
	if (n == 0) {
		/* Reuse the same IRP for a second request, from inside the routine. */
		IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
		IoSetCompletionRoutine(irp, reuse_inside, o, TRUE, TRUE, TRUE);
		((const WSK_PROVIDER_BASIC_DISPATCH *)o->s->Dispatch)->WskControlSocket(
			o->s, WskGetOption, SO_TYPE, SOL_SOCKET, 0, NULL, sizeof(o->out), &o->out,
			NULL, irp);
		return STATUS_MORE_PROCESSING_REQUIRED;
	}
	IoFreeIrp(irp);
	KeSetEvent(&o->done, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static bool
own_wait(struct own_ctx *o, int calls)
{
	LARGE_INTEGER to = { .QuadPart = -20000000LL };

	KeWaitForSingleObject(&o->done, Executive, KernelMode, FALSE, &to);
	wsk_test_sleep_ms(50); /* a second completion would show up by now */
	return atomic_load(&o->calls) == calls;
}

static void
rule1_irp_ownership(void)
{
	RULE_BEGIN();
	struct sock_call sc = { &c0, c0.npi.Client, WSK_FLAG_DATAGRAM_SOCKET };
	struct own_ctx o;
	SOCKADDR_IN any;
	PIRP irp;
	NTSTATUS st;
	uint32_t before;

	/* (a) freed inside the routine: WskSocket completes on this thread... */
	memset(&o, 0, sizeof(o));
	KeInitializeEvent(&o.done, NotificationEvent, FALSE);
	irp = IoAllocateIrp(1, FALSE);
	IoSetCompletionRoutine(irp, free_inside, &o, TRUE, TRUE, TRUE);
	st = call_socket_irp(&sc, irp);
	CHECK(st == STATUS_SUCCESS || st == STATUS_PENDING, "WskSocket: 0x%08x", (unsigned)st);
	CHECK(own_wait(&o, 1), "WskSocket's routine ran exactly once (%d)", atomic_load(&o.calls));
	CHECK_EQ(o.st[0], STATUS_SUCCESS);
	o.s = (PWSK_SOCKET)o.info[0];
	CHECK(o.s != NULL, "the socket is in Information");
	if (o.s == NULL)
		goto out;

	/* ...and WskBind from this thread completes on the completion thread. */
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	atomic_store(&o.calls, 0);
	KeClearEvent(&o.done);
	irp = IoAllocateIrp(1, FALSE);
	IoSetCompletionRoutine(irp, free_inside, &o, TRUE, TRUE, TRUE);
	st = wsk_test_dgram(o.s)->WskBind(o.s, (PSOCKADDR)&any, 0, irp);
	CHECK(st == STATUS_SUCCESS || st == STATUS_PENDING, "WskBind: 0x%08x", (unsigned)st);
	CHECK(own_wait(&o, 1), "WskBind's routine ran exactly once (%d)", atomic_load(&o.calls));
	CHECK_EQ(o.st[0], STATUS_SUCCESS);

	/* (b) IoReuseIrp + reissue inside the routine: two completions, one per request. */
	atomic_store(&o.calls, 0);
	KeClearEvent(&o.done);
	o.out = 0;
	irp = IoAllocateIrp(1, FALSE);
	IoSetCompletionRoutine(irp, reuse_inside, &o, TRUE, TRUE, TRUE);
	((const WSK_PROVIDER_BASIC_DISPATCH *)o.s->Dispatch)->WskControlSocket(
		o.s, WskGetOption, SO_REUSEADDR, SOL_SOCKET, 0, NULL, sizeof(o.out), &o.out, NULL, irp);
	CHECK(own_wait(&o, 2), "reused IRP: two completions (%d)", atomic_load(&o.calls));
	CHECK_EQ(o.st[0], STATUS_SUCCESS);
	CHECK_EQ(o.st[1], STATUS_SUCCESS);
	CHECK_EQ(o.out, SOCK_DGRAM);
	CHECK_EQ(o.info[1], sizeof(ULONG));
	CHECK_EQ(wsk_test_close(o.s), STATUS_SUCCESS);

	/* (c) no stack location for the provider: refused, nothing completed or created. */
	before = sockets_live(0);
	irp = IoAllocateIrp(0, FALSE);
	irp->IoStatus.Status = 0x12345678;
	irp->IoStatus.Information = 0x55;
	st = call_socket_irp(&sc, irp);
	CHECK_EQ(st, STATUS_INVALID_PARAMETER);
	CHECK(irp->IoStatus.Status == 0x12345678 && irp->IoStatus.Information == 0x55,
	      "a refused IRP is not touched");
	CHECK_EQ(sockets_live(0), before);
	IoFreeIrp(irp);
out:
	RULE_END(1, "IRP ownership (freed / reused inside the routine, no stack location)");
}

/* ===========================================================================
 * Rule 2: IRPs from upper drivers (two stack locations)
 */

struct upper_ctx {
	atomic_int mid_calls, top_calls, order;
	int mid_at, top_at;
	BOOLEAN mid_pending, top_pending;
	NTSTATUS top_status;
	ULONG_PTR top_info;
	KEVENT done;
};

static NTSTATUS
mid_routine(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct upper_ctx *u = ctx;

	(void)dev;
	atomic_fetch_add(&u->mid_calls, 1);
	u->mid_at = atomic_fetch_add(&u->order, 1);
	u->mid_pending = irp->PendingReturned;
	if (irp->PendingReturned)
		IoMarkIrpPending(irp); /* what every pass-through routine does */
	return STATUS_SUCCESS;   /* completion goes on upwards */
}

static NTSTATUS
top_routine(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct upper_ctx *u = ctx;

	(void)dev;
	atomic_fetch_add(&u->top_calls, 1);
	u->top_at = atomic_fetch_add(&u->order, 1);
	u->top_pending = irp->PendingReturned;
	u->top_status = irp->IoStatus.Status;
	u->top_info = irp->IoStatus.Information;
	IoFreeIrp(irp);
	KeSetEvent(&u->done, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* An IRP as an upper driver passes it down: its own location, then WSK's. */
static PIRP
upper_irp(struct upper_ctx *u)
{
	PIRP irp = IoAllocateIrp(2, FALSE);

	memset(u, 0, sizeof(*u));
	KeInitializeEvent(&u->done, NotificationEvent, FALSE);
	IoSetCompletionRoutine(irp, top_routine, u, TRUE, TRUE, TRUE);
	IoSetNextIrpStackLocation(irp); /* the upper driver's own location */
	IoSetCompletionRoutine(irp, mid_routine, u, TRUE, TRUE, TRUE);
	return irp;
}

static void
rule2_upper_irps(void)
{
	RULE_BEGIN();
	struct sock_call sc = { &c0, c0.npi.Client, WSK_FLAG_DATAGRAM_SOCKET };
	LARGE_INTEGER to = { .QuadPart = -20000000LL };
	struct upper_ctx u;
	PWSK_SOCKET s;
	SOCKADDR_IN any;
	NTSTATUS st;

	/* Inline success: nothing pending anywhere. */
	st = call_socket_irp(&sc, upper_irp(&u));
	KeWaitForSingleObject(&u.done, Executive, KernelMode, FALSE, &to);
	CHECK(atomic_load(&u.mid_calls) == 1 && atomic_load(&u.top_calls) == 1,
	      "both routines once (%d, %d)", atomic_load(&u.mid_calls), atomic_load(&u.top_calls));
	CHECK(u.mid_at == 0 && u.top_at == 1, "the lower routine first, then the top one");
	CHECK_EQ(u.top_status, STATUS_SUCCESS);
	if (st == STATUS_SUCCESS)
		CHECK(!u.mid_pending && !u.top_pending, "no PendingReturned after an inline SUCCESS");
	s = (PWSK_SOCKET)u.top_info;
	CHECK(s != NULL, "socket in Information at the top");
	if (s == NULL)
		goto out;

	/* Pending: WskBind from this thread; PendingReturned reaches the top. */
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	st = wsk_test_dgram(s)->WskBind(s, (PSOCKADDR)&any, 0, upper_irp(&u));
	KeWaitForSingleObject(&u.done, Executive, KernelMode, FALSE, &to);
	wsk_test_sleep_ms(20);
	CHECK(atomic_load(&u.mid_calls) == 1 && atomic_load(&u.top_calls) == 1,
	      "both routines once (%d, %d)", atomic_load(&u.mid_calls), atomic_load(&u.top_calls));
	CHECK(u.mid_at == 0 && u.top_at == 1, "the lower routine first, then the top one");
	CHECK_EQ(u.top_status, STATUS_SUCCESS);
	if (st == STATUS_PENDING)
		CHECK(u.mid_pending && u.top_pending,
		      "PendingReturned seen below (%d) and propagated to the top (%d)",
		      u.mid_pending, u.top_pending);
	CHECK_EQ(wsk_test_close(s), STATUS_SUCCESS);
out:
	RULE_END(2, "IRPs from upper drivers (completion walks up, PendingReturned propagates)");
}

/* ===========================================================================
 * Rule 3: every accepted IRP completes exactly once
 */

static void
rule3_complete_once(void)
{
	RULE_BEGIN();
	struct sock_call bad = { &c0, NULL, WSK_FLAG_DATAGRAM_SOCKET };
	struct sock_call good = { &c0, c0.npi.Client, WSK_FLAG_CONNECTION_SOCKET };
	PWSK_SOCKET s;
	struct rirp r;
	struct rbuf b;
	SOCKADDR_IN a;
	uint32_t before;
	NTSTATUS st;

	/* WskConnect on an unbound socket: fails inline AND through the IRP (Wine's test on Windows). */
	s = wsk_test_socket(&c0, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
			    NULL);
	CHECK(s != NULL, "connection socket");
	if (s == NULL)
		goto out;
	rirp_init(&r);
	st = rc_connect(&r, s, 1, 9);
	CHECK_EQ(st, STATUS_INVALID_DEVICE_STATE);
	CHECK(rirp_wait(&r, 1000), "the IRP of the failed connect completed");
	wsk_test_sleep_ms(20);
	CHECK_EQ(atomic_load(&r.calls), 1);
	CHECK_EQ(r.status, STATUS_INVALID_DEVICE_STATE);
	rirp_free(&r);

	/* Another inline failure: an unsupported WskSend flag (STATUS_NOT_SUPPORTED, WskSend page). */
	rbuf_init(&b, 16);
	rirp_init(&r);
	st = rc_send(&r, s, &b.wb, 0x100);
	CHECK(st != STATUS_SUCCESS && st != STATUS_PENDING, "bad send flag refused: 0x%08x",
	      (unsigned)st);
	CHECK(rirp_wait(&r, 1000) && r.status == st, "and its IRP completed with the same status");
	wsk_test_sleep_ms(20);
	CHECK_EQ(atomic_load(&r.calls), 1);
	rirp_free(&r);

	/* A NULL required IRP: STATUS_INVALID_PARAMETER and nothing happens. */
	before = sockets_live(0);
	CHECK_EQ(call_socket_irp(&good, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(sockets_live(0), before);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	CHECK_EQ(rc_conn(s)->WskBind(s, (PSOCKADDR)&a, 0, NULL), STATUS_INVALID_PARAMETER);
	wsk_test_addr(&a, 1, 9);
	CHECK_EQ(rc_conn(s)->WskConnect(s, (PSOCKADDR)&a, 0, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(rc_conn(s)->WskSend(s, &b.wb, 0, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(rc_conn(s)->WskReceive(s, &b.wb, 0, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(rc_conn(s)->WskDisconnect(s, NULL, 0, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(rc_conn(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, NULL), STATUS_INVALID_PARAMETER);
	CHECK_EQ(rc_conn(s)->WskGetRemoteAddress(s, (PSOCKADDR)&a, NULL), STATUS_INVALID_PARAMETER);
	{
		ULONG one = 1;

		CHECK_EQ(rc_conn(s)->WskControlSocket(s, WskSetOption, SO_REUSEADDR, SOL_SOCKET,
						      sizeof(one), &one, 0, NULL, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	}
	CHECK_EQ(rc_conn(s)->WskCloseSocket(s, NULL), STATUS_INVALID_PARAMETER);
	/* Not every control needs one: SIO_WSK_REGISTER_EXTENSION takes none
	 * (sio-wsk-register-extension.md); no extensions here: STATUS_NOT_SUPPORTED. */
	{
		WSK_EXTENSION_CONTROL_IN ein = { (PNPIID)&NPI_WSK_INTERFACE_ID, NULL, NULL };
		WSK_EXTENSION_CONTROL_OUT eout;

		CHECK_EQ(rc_conn(s)->WskControlSocket(s, WskIoctl, SIO_WSK_REGISTER_EXTENSION, 0,
						      sizeof(ein), &ein, sizeof(eout), &eout, NULL,
						      NULL), STATUS_NOT_SUPPORTED);
	}
	/* Nothing was touched: the socket still binds and closes. */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	CHECK_EQ(wsk_test_bind(s, &a), STATUS_SUCCESS);
	CHECK_EQ(wsk_test_close(s), STATUS_SUCCESS);
	rbuf_free(&b);

	/* WskSocket with Client == NULL: STATUS_INVALID_HANDLE (obs), through the IRP too. */
	rirp_init(&r);
	r.returned = call_socket_irp(&bad, r.irp);
	CHECK_EQ(r.returned, STATUS_INVALID_HANDLE);
	CHECK(rirp_wait(&r, 1000), "its IRP completed");
	wsk_test_sleep_ms(20);
	CHECK_EQ(atomic_load(&r.calls), 1);
	CHECK_EQ(r.status, STATUS_INVALID_HANDLE);
	rirp_free(&r);
out:
	RULE_END(3, "every accepted IRP completes exactly once (inline failures too; NULL IRP refused)");
}

/* ===========================================================================
 * Rule 4: cancellation
 */

static NTSTATUS
call_tl_change(struct rirp *r)
{
	r->returned = c0.npi.Dispatch->WskControlClient(c0.npi.Client, WSK_TRANSPORT_LIST_CHANGE, 0,
						       NULL, 0, NULL, NULL, r->irp);
	return r->returned;
}

/* Start @p r, check it stays pending, IoCancelIrp it, expect STATUS_CANCELLED and 0 bytes. */
static void
cancel_one(struct rirp *r, const char *what)
{
	wsk_test_sleep_ms(20);
	CHECK(r->returned == STATUS_PENDING, "%s pends: 0x%08x", what, (unsigned)r->returned);
	CHECK(!rirp_done(r), "%s not completed before the cancel", what);
	IoCancelIrp(r->irp);
	CHECK(rirp_wait(r, 2000), "%s completed after IoCancelIrp", what);
	wsk_test_sleep_ms(10);
	CHECK(r->status == STATUS_CANCELLED && r->info == 0 && atomic_load(&r->calls) == 1,
	      "%s: status 0x%08x info %lu calls %d", what, (unsigned)r->status,
	      (unsigned long)r->info, atomic_load(&r->calls));
	if (rirp_done(r))
		rirp_free(r);
}

static NTSTATUS
rc_recv_from(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b)
{
	r->returned = wsk_test_dgram(s)->WskReceiveFrom(s, b, 0, NULL, NULL, NULL, NULL, r->irp);
	return r->returned;
}

/* The close IRP completes after the IRPs it cancelled. */
static bool order_bug_checked, order_bug_run;

static void
check_before_close(const struct rirp *r, const struct rirp *cl, const char *what)
{
	CHECK(r->status == STATUS_CANCELLED && r->info == 0, "%s: 0x%08x info %lu", what,
	      (unsigned)r->status, (unsigned long)r->info);
	if (!order_bug_checked) {
		order_bug_checked = true;
		order_bug_run = rules_known_bug(
			"rule 4: WskCloseSocket's IRP completes before the last IRP it cancelled "
			"(wsk_op_complete frees the op, which runs the close check and completes "
			"the close, before it completes the cancelled IRP; wsk_provider.c)");
	}
	if (order_bug_run)
		CHECK(r->seq < cl->seq, "%s completed #%d, the close #%d", what, r->seq, cl->seq);
}

static void
rule4_cancellation(void)
{
	RULE_BEGIN();
	struct rpair p = { 0 };
	struct rirp r[3], cl;
	struct rbuf b, z;
	PWSK_SOCKET d;
	unsigned int i;

	rbuf_init(&b, 100);
	rbuf_init(&z, 0);
	CHECK(rpair_open(&p, &c0, &c1, P_CANCEL, NULL, NULL, NULL, NULL), "connected pair");
	if (p.a == NULL)
		goto out;
	/* WskReceive: plain, WAITALL, DRAIN (documented as cancel-terminated). */
	rirp_init(&r[0]);
	rc_recv(&r[0], p.c, &b.wb, 0);
	cancel_one(&r[0], "WskReceive");
	rirp_init(&r[0]);
	rc_recv(&r[0], p.c, &b.wb, WSK_FLAG_WAITALL);
	cancel_one(&r[0], "WskReceive(WSK_FLAG_WAITALL)");
	rirp_init(&r[0]);
	rc_recv(&r[0], p.c, &z.wb, WSK_FLAG_DRAIN);
	cancel_one(&r[0], "WskReceive(WSK_FLAG_DRAIN)");
	/* WskAccept. */
	rirp_init(&r[0]);
	rc_accept(&r[0], p.l, NULL, NULL);
	cancel_one(&r[0], "WskAccept");
	/* WSK_TRANSPORT_LIST_CHANGE. */
	rirp_init(&r[0]);
	call_tl_change(&r[0]);
	cancel_one(&r[0], "WSK_TRANSPORT_LIST_CHANGE");
	/* WskReceiveFrom. */
	d = rules_dgram_bound(&c0, 0, P_DGRAM, NULL, NULL);
	CHECK(d != NULL, "datagram socket");
	if (d != NULL) {
		rirp_init(&r[0]);
		rc_recv_from(&r[0], d, &b.wb);
		cancel_one(&r[0], "WskReceiveFrom");
	}

	/* WskCloseSocket cancels what is pending, before its own IRP completes. */
	rirp_init(&r[0]);
	rc_recv(&r[0], p.c, &b.wb, 0);
	rirp_init(&r[1]);
	rc_recv(&r[1], p.c, &b.wb, WSK_FLAG_WAITALL);
	wsk_test_sleep_ms(20);
	rirp_init(&cl);
	rc_close(&cl, p.c);
	p.c = NULL;
	CHECK(rirp_wait(&cl, 2000), "close of the connection with two receives pending");
	for (i = 0; i < 2; i++) {
		CHECK(rirp_wait(&r[i], 100), "receive %u completed", i);
		check_before_close(&r[i], &cl, "a receive cancelled by the close");
		rirp_free(&r[i]);
	}
	CHECK_EQ(cl.status, STATUS_SUCCESS);
	rirp_free(&cl);
	/* The listener with two WskAccept IRPs. */
	rirp_init(&r[0]);
	rc_accept(&r[0], p.l, NULL, NULL);
	rirp_init(&r[1]);
	rc_accept(&r[1], p.l, NULL, NULL);
	wsk_test_sleep_ms(20);
	rirp_init(&cl);
	rc_close(&cl, p.l);
	p.l = NULL;
	CHECK(rirp_wait(&cl, 2000), "close of the listener with two accepts pending");
	for (i = 0; i < 2; i++) {
		CHECK(rirp_wait(&r[i], 100), "accept %u completed", i);
		check_before_close(&r[i], &cl, "an accept cancelled by the close");
		rirp_free(&r[i]);
	}
	rirp_free(&cl);
	/* The datagram socket with a WskReceiveFrom. */
	if (d != NULL) {
		rirp_init(&r[0]);
		rc_recv_from(&r[0], d, &b.wb);
		wsk_test_sleep_ms(20);
		rirp_init(&cl);
		rc_close(&cl, d);
		CHECK(rirp_wait(&cl, 2000) && rirp_wait(&r[0], 100), "datagram close");
		check_before_close(&r[0], &cl, "a receive-from cancelled by the close");
		rirp_free(&r[0]);
		rirp_free(&cl);
	}
out:
	rpair_close(&p);
	rbuf_free(&b);
	rbuf_free(&z);
	RULE_END(4, "cancellation (IoCancelIrp and WskCloseSocket -> STATUS_CANCELLED, 0 bytes)");
}

/* ===========================================================================
 * Rule 5: callbacks and completions run inline; closing from inside them
 * Rule 18: IRQL and threads (checked in the same callbacks)
 */

enum cb_mode { CB_ECHO_AND_RECV, CB_SEND_THEN_CLOSE, CB_IRQL };

struct cbs {
	enum cb_mode mode;
	PWSK_SOCKET s;
	atomic_int events, after_close;
	atomic_bool closed;
	struct rirp send, recv, close;
	struct rbuf sbuf, rbuf;
	/* rule 18 */
	KIRQL cb_irql, send_irql;
	ULONG cb_flags;
	NTSTATUS wait_st;
	LONG refused_before, refused_after;
	uint64_t wait_ns;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static NTSTATUS
close_from_routine(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct cbs *c = ctx;

	(void)dev;
	c->send_irql = KeGetCurrentIrql();
	c->send.status = irp->IoStatus.Status;
	c->send.inline_done = c->send.calling;
	atomic_fetch_add(&c->send.calls, 1);
	/* Close the socket from inside the completion routine. */
	rirp_init(&c->close);
	c->close.irp->Tail.Overlay.DriverContext[0] = c;
	rc_close(&c->close, c->s);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI
cb_receive(PVOID ctx, ULONG flags, PWSK_DATA_INDICATION ind, SIZE_T bytes, SIZE_T *accepted)
{
	struct cbs *c = ctx;
	SIZE_T n;

	if (atomic_load(&c->closed))
		atomic_fetch_add(&c->after_close, 1);
	if (atomic_fetch_add(&c->events, 1) != 0 || ind == NULL)
		return STATUS_SUCCESS;
	c->cb_irql = KeGetCurrentIrql();
	c->cb_flags = flags;
	n = RTE_MIN(bytes, (SIZE_T)64);
	rbuf_init(&c->sbuf, n);
	memcpy(c->sbuf.data, MmGetSystemAddressForMdlSafe(ind->Buffer.Mdl, NormalPagePriority),
	       RTE_MIN(n, (SIZE_T)MmGetMdlByteCount(ind->Buffer.Mdl)));
	switch (c->mode) {
	case CB_ECHO_AND_RECV:
		/* Start new requests from inside the callback: an echo and a receive. */
		rirp_init(&c->send);
		rc_send(&c->send, c->s, &c->sbuf.wb, 0);
		rbuf_init(&c->rbuf, 64);
		rirp_init(&c->recv);
		rc_recv(&c->recv, c->s, &c->rbuf.wb, 0);
		break;
	case CB_SEND_THEN_CLOSE:
		c->send.irp = IoAllocateIrp(1, FALSE);
		KeInitializeEvent(&c->send.done, NotificationEvent, FALSE);
		IoSetCompletionRoutine(c->send.irp, close_from_routine, c, TRUE, TRUE, TRUE);
		c->send.calling = true;
		rc_conn(c->s)->WskSend(c->s, &c->sbuf.wb, 0, c->send.irp);
		c->send.calling = false;
		break;
	case CB_IRQL: {
		KEVENT ev;
		LARGE_INTEGER to = { .QuadPart = -10000000LL }; /* 1 s */
		uint64_t t0;

		/* Rule 18: no waiting at DISPATCH_LEVEL: refused at once. */
		KeInitializeEvent(&ev, NotificationEvent, FALSE);
		c->refused_before = WskstackNtDispatchWaitsRefused();
		t0 = mono_ns();
		c->wait_st = KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &to);
		c->wait_ns = mono_ns() - t0;
		c->refused_after = WskstackNtDispatchWaitsRefused();
		rirp_init(&c->send);
		rc_send(&c->send, c->s, &c->sbuf.wb, 0);
		break;
	}
	}
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
cb_disconnect(PVOID ctx, ULONG flags)
{
	struct cbs *c = ctx;

	if (atomic_load(&c->closed))
		atomic_fetch_add(&c->after_close, 1);
	return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH cbs_disp = { cb_receive, cb_disconnect, NULL };

static void
rule5_inline(void)
{
	RULE_BEGIN();
	struct rpair p = { 0 };
	struct cbs *cb = calloc(1, sizeof(*cb));
	struct rbuf rb;
	struct rirp r, cl;
	ULONG_PTR got = 0;
	NTSTATUS st;

	rbuf_init(&rb, 64);
	/* (a) A completion routine (completion thread) closes the socket from inside itself. */
	CHECK(rpair_open(&p, &c0, &c1, P_INLINE1, NULL, NULL, NULL, NULL), "pair 1");
	if (p.a != NULL) {
		memset(cb, 0, sizeof(*cb));
		cb->s = p.c;
		cb->send.irp = IoAllocateIrp(1, FALSE);
		KeInitializeEvent(&cb->send.done, NotificationEvent, FALSE);
		IoSetCompletionRoutine(cb->send.irp, close_from_routine, cb, TRUE, TRUE, TRUE);
		rc_conn(p.c)->WskReceive(p.c, &rb.wb, 0, cb->send.irp);
		CHECK_EQ(rules_send_bytes(p.a, "hello", 5), STATUS_SUCCESS);
		RULES_WAIT(cb->close.irp != NULL && rirp_done(&cb->close), 2000);
		CHECK(cb->send.status == STATUS_SUCCESS && atomic_load(&cb->send.calls) == 1,
		      "the receive completed once: 0x%08x", (unsigned)cb->send.status);
		CHECK(cb->close.irp != NULL && rirp_done(&cb->close) &&
		      cb->close.status == STATUS_SUCCESS, "the close started in its routine completed");
		if (cb->close.irp != NULL && rirp_done(&cb->close)) {
			rirp_free(&cb->close);
			p.c = NULL;
		}
		IoFreeIrp(cb->send.irp);
	}
	rpair_close(&p);

	/* (b) An event callback starts new requests: an echo WskSend and a WskReceive. */
	memset(cb, 0, sizeof(*cb));
	cb->mode = CB_ECHO_AND_RECV;
	CHECK(rpair_open(&p, &c0, &c1, P_INLINE2, NULL, NULL, cb, &cbs_disp), "pair 2");
	if (p.a != NULL) {
		cb->s = p.a;
		CHECK_EQ(wsk_test_events(p.a, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
		CHECK_EQ(rules_send_bytes(p.c, "ping", 4), STATUS_SUCCESS);
		st = rules_recv_bytes(p.c, &rb, 0, 2000, &got);
		CHECK(st == STATUS_SUCCESS && got == 4 && memcmp(rb.data, "ping", 4) == 0,
		      "the echo sent from the callback arrived: 0x%08x, %lu bytes", (unsigned)st,
		      (unsigned long)got);
		CHECK(rirp_wait(&cb->send, 2000) && cb->send.status == STATUS_SUCCESS,
		      "the callback's send completed");
		/* The receive posted in the callback is served before the event. */
		CHECK_EQ(rules_send_bytes(p.c, "pong", 4), STATUS_SUCCESS);
		CHECK(rirp_wait(&cb->recv, 2000) && cb->recv.status == STATUS_SUCCESS &&
		      cb->recv.info == 4 && memcmp(cb->rbuf.data, "pong", 4) == 0,
		      "the callback's WskReceive got the next data: 0x%08x %lu",
		      (unsigned)cb->recv.status, (unsigned long)cb->recv.info);
		CHECK_EQ(atomic_load(&cb->events), 1);
		rirp_free(&cb->send);
		rirp_free(&cb->recv);
		rbuf_free(&cb->sbuf);
		rbuf_free(&cb->rbuf);
	}
	rpair_close(&p);

	/* (c) On the lcore: a send completes inline inside the callback and its routine closes. */
	memset(cb, 0, sizeof(*cb));
	cb->mode = CB_SEND_THEN_CLOSE;
	CHECK(rpair_open(&p, &c0, &c1, P_INLINE3, NULL, NULL, cb, &cbs_disp), "pair 3");
	if (p.a != NULL) {
		cb->s = p.a;
		CHECK_EQ(wsk_test_events(p.a, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT),
			 STATUS_SUCCESS);
		rirp_init(&r);
		rc_recv(&r, p.c, &rb.wb, 0);
		CHECK_EQ(rules_send_bytes(p.c, "ping", 4), STATUS_SUCCESS);
		RULES_WAIT(cb->close.irp != NULL && rirp_done(&cb->close), 2000);
		CHECK(atomic_load(&cb->send.calls) == 1 && cb->send.status == STATUS_SUCCESS,
		      "the callback's send completed once: 0x%08x", (unsigned)cb->send.status);
		CHECK(cb->send.inline_done, "a small send issued on the lcore completed inline");
		CHECK(cb->close.irp != NULL && rirp_done(&cb->close) &&
		      cb->close.status == STATUS_SUCCESS,
		      "the close issued in that routine (inside the callback) completed");
		atomic_store(&cb->closed, true);
		/* Rule 13: nothing is indicated after the close completed. */
		wsk_test_sleep_ms(50);
		rc_wait_status(&r, 500, NULL);
		CHECK_EQ(atomic_load(&cb->after_close), 0);
		if (cb->close.irp != NULL && rirp_done(&cb->close)) {
			rirp_free(&cb->close);
			p.a = NULL;
		}
		IoFreeIrp(cb->send.irp);
		rbuf_free(&cb->sbuf);
	}
	rpair_close(&p);
	/* Closing the client socket inline-failing path: a second close of a closed pair is not done. */
	(void)cl;
	rbuf_free(&rb);
	free(cb);
	RULE_END(5, "callbacks and completions inline (close inside a routine, requests from a callback)");
}

static void
rule18_irql(void)
{
	RULE_BEGIN();
	struct rpair p = { 0 };
	struct cbs *cb = calloc(1, sizeof(*cb));
	struct rbuf rb;
	ULONG_PTR got;

	rbuf_init(&rb, 64);
	CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
	cb->mode = CB_IRQL;
	CHECK(rpair_open(&p, &c0, &c1, P_IRQL, NULL, NULL, cb, &cbs_disp), "pair");
	if (p.a != NULL) {
		cb->s = p.a;
		CHECK_EQ(wsk_test_events(p.a, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
		CHECK_EQ(rules_send_bytes(p.c, "irql", 4), STATUS_SUCCESS);
		CHECK(rules_recv_bytes(p.c, &rb, 0, 3000, &got) == STATUS_SUCCESS && got == 4,
		      "echo from the callback");
		CHECK(rirp_wait(&cb->send, 2000), "the callback's send completed");
		CHECK_EQ(cb->cb_irql, DISPATCH_LEVEL);
		CHECK(cb->cb_flags & WSK_FLAG_AT_DISPATCH_LEVEL,
		      "WSK_FLAG_AT_DISPATCH_LEVEL in the callback's Flags (0x%x)", cb->cb_flags);
		CHECK(cb->send.inline_done && cb->send.irql == DISPATCH_LEVEL,
		      "inline completion on the lcore at DISPATCH_LEVEL (inline %d, irql %d)",
		      cb->send.inline_done, cb->send.irql);
		CHECK(cb->wait_st != STATUS_SUCCESS && cb->wait_st != STATUS_TIMEOUT,
		      "KeWaitForSingleObject with a timeout at DISPATCH_LEVEL refused: 0x%08x",
		      (unsigned)cb->wait_st);
		CHECK(cb->wait_ns < 100000000ull, "and returned at once (%llu ms)",
		      (unsigned long long)(cb->wait_ns / 1000000));
		CHECK_EQ(cb->refused_after, cb->refused_before + 1);
		rirp_free(&cb->send);
		rbuf_free(&cb->sbuf);
	}
	rpair_close(&p);
	rbuf_free(&rb);
	free(cb);
	RULE_END(18, "IRQL (DISPATCH_LEVEL in callbacks and inline completions, no waits there)");
}

int
main(void)
{
	if (rules_start(&c0, &c1) != 0)
		return 1;
	rule1_irp_ownership();
	rule2_upper_irps();
	rule3_complete_once();
	rule4_cancellation();
	rule5_inline();
	rule18_irql();
	return rules_finish(&c0, &c1);
}
