/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WSK provider's spine: operations (an IRP taken by the provider), the
 * request path to a socket's home lcore, the completion path back (inline
 * or through the client's completion ring), cancellation, socket
 * references, and the dispatch tables.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "wsk_priv.h"

/* ---------------------------------------------------------------------------
 * Operations
 */

NTSTATUS
wsk_op_begin(struct wsk_client *cl, struct wsk_sock *s, PIRP irp, uint8_t code,
	     struct wsk_op **out)
{
	struct wsk_host *h = s != NULL ? s->host : cl->host;
	PIO_STACK_LOCATION loc;
	struct wsk_op *op;
	void *obj;

	*out = NULL;
	if (irp == NULL)
		return STATUS_INVALID_PARAMETER;
	loc = WskstackNtIrpEnter(irp);
	if (loc == NULL) {
		fprintf(stderr, "wskstack: IRP %p has no stack location left for the provider "
			"(allocate it with IoAllocateIrp(1, ...) at least)\n", (void *)irp);
		return STATUS_INVALID_PARAMETER;
	}
	if (h == NULL || atomic_load(&cl->irps) >= (int)(WSK_CQ_SIZE - 1) ||
	    rte_mempool_get(h->op_mp, &obj) != 0) {
		if (h != NULL)
			atomic_fetch_add(&h->st.pool_exhausted, 1);
		irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
		irp->IoStatus.Information = 0;
		IoCompleteRequest(irp, IO_NO_INCREMENT);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	op = obj;
	memset(op, 0, offsetof(struct wsk_op, u));
	op->code = code;
	op->s = s;
	op->cl = cl;
	op->irp = irp;
	op->offlcore = s != NULL ? !wsk_on_lcore(s->host, s->home) : true;
	atomic_init(&op->refs, 1);
	loc->Parameters.Others.Argument1 = op;
	loc->Parameters.Others.Argument2 = h;
	atomic_fetch_add(&cl->irps, 1);
	if (s != NULL) {
		wsk_sock_get(s);
		atomic_fetch_add(&s->ops, 1);
	}
	*out = op;
	return STATUS_SUCCESS;
}

struct wsk_op *
wsk_op_new(struct wsk_sock *s, uint8_t code)
{
	struct wsk_op *op;
	void *obj;

	if (rte_mempool_get(s->host->op_mp, &obj) != 0) {
		atomic_fetch_add(&s->host->st.pool_exhausted, 1);
		return NULL;
	}
	op = obj;
	memset(op, 0, offsetof(struct wsk_op, u));
	op->code = code;
	op->s = s;
	op->cl = s->cl;
	op->offlcore = !wsk_on_lcore(s->host, s->home);
	atomic_init(&op->refs, 1);
	wsk_sock_get(s);
	atomic_fetch_add(&s->ops, 1);
	return op;
}

void
wsk_op_free(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	struct wsk_host *h = s != NULL ? s->host : op->cl->host;

	rte_mempool_put(h->op_mp, op);
	if (s != NULL) {
		if (atomic_fetch_sub(&s->ops, 1) == 2 && s->closing)
			wsk_sock_close_check_post(s);
		wsk_sock_put(s);
	}
}

NTSTATUS
wsk_irp_fail(PIRP irp, NTSTATUS st)
{
	if (irp == NULL || WskstackNtIrpEnter(irp) == NULL)
		return st;
	irp->IoStatus.Status = st;
	irp->IoStatus.Information = 0;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	return st;
}

void
wsk_op_complete(struct wsk_op *op, NTSTATUS status, ULONG_PTR info)
{
	struct wsk_client *cl = op->cl;
	struct wsk_sock *s = op->s;
	struct wsk_host *h = s != NULL ? s->host : cl->host;
	PIRP irp = op->irp;

	if (irp == NULL) {
		op->status = status;
		op->info = info;
		if (op->done != NULL) {
			atomic_int *done = op->done;

			/* A synchronous caller waits on *done and frees the op itself. */
			atomic_store_explicit(done, 1, memory_order_release);
			wsk_futex_wake(done);
			return;
		}
		wsk_op_free(op);
		return;
	}
	irp->IoStatus.Status = status;
	irp->IoStatus.Information = info;
	atomic_fetch_add(&h->st.irps_completed, 1);
	if (status == STATUS_CANCELLED)
		atomic_fetch_add(&h->st.irps_cancelled, 1);
	/* The IRP goes first, the op after: freeing the op may finish a close
	 * waiting for it, and the close IRP must complete after this one. The
	 * op's socket reference also keeps the socket alive while a completion
	 * routine closes it. */
	if (op->offlcore) {
		while (rte_ring_mp_enqueue(cl->cq, irp) != 0)
			rte_pause(); /* cannot happen: irps is capped below the ring size */
		if (atomic_load(&cl->cq_sleeping))
			wsk_futex_wake(&cl->cq_sleeping);
	} else {
		IoCompleteRequest(irp, IO_NO_INCREMENT);
		atomic_fetch_sub(&cl->irps, 1);
	}
	wsk_op_free(op);
}

struct wsk_post_msg {
	struct wsk_op *op;
};

void
wsk_op_trampoline(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;

	RTE_SET_USED(in);
	op->fn(op);
}

int
wsk_post(struct wsk_host *h, unsigned int idx, stk_req_fn fn, void *arg)
{
	unsigned int tries = 0;

	while (stk_inst_post(h->in[idx], fn, arg) != 0) {
		atomic_fetch_add(&h->st.ring_retries, 1);
		if (wsk_on_lcore(h, idx)) {
			/* Our own ring is full and we cannot wait for ourselves. */
			fn(h->in[idx], arg);
			return 0;
		}
		if (++tries > 200000)
			return -1;
		if (tries < 64)
			rte_pause();
		else
			usleep(5);
	}
	return 0;
}

NTSTATUS
wsk_op_dispatch(struct wsk_op *op, wsk_op_fn fn)
{
	return wsk_op_dispatch_to(op, op->s->home, fn);
}

NTSTATUS
wsk_op_dispatch_to(struct wsk_op *op, unsigned int idx, wsk_op_fn fn)
{
	struct wsk_host *h = op->s->host;

	op->fn = fn;
	if (op->irp != NULL)
		IoMarkIrpPending(op->irp);
	op->offlcore = !wsk_on_lcore(h, idx);
	if (!op->offlcore) {
		fn(op);
		return STATUS_PENDING;
	}
	if (wsk_post(h, idx, wsk_op_trampoline, op) != 0)
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
	return STATUS_PENDING;
}

NTSTATUS
wsk_op_run_sync(struct wsk_op *op, wsk_op_fn fn)
{
	atomic_int done = 0;
	NTSTATUS st;

	op->fn = fn;
	op->done = &done;
	if (!op->offlcore) {
		fn(op);
	} else if (wsk_post(op->s->host, op->s->home, wsk_op_trampoline, op) != 0) {
		op->status = STATUS_INSUFFICIENT_RESOURCES;
		done = 1;
	}
	while (!atomic_load_explicit(&done, memory_order_acquire)) {
		if (KeGetCurrentIrql() >= DISPATCH_LEVEL)
			rte_pause();
		else
			wsk_futex_wait(&done, 0, 1000000L);
	}
	st = op->status;
	wsk_op_free(op);
	return st;
}

/* ---- queues and cancellation ---- */

static struct wsk_op_q *
op_queue_of(struct wsk_op *op)
{
	switch (op->q) {
	case WSK_Q_RECV:
		return &op->s->recv_q;
	case WSK_Q_ACCEPT:
		return &op->s->accept_q;
	case WSK_Q_RFROM:
		return &op->s->rfrom_q;
	case WSK_Q_DISABLE:
		return &op->s->disable_q;
	default:
		return NULL;
	}
}

static void
cancel_run(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_op_q *q = op_queue_of(op);

	RTE_SET_USED(in);
	if (q != NULL) {
		TAILQ_REMOVE(q, op, link);
		if (op->q == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
		op->q = WSK_Q_NONE;
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return;
	}
	if (op->finished) {
		/* It ended while the cancel was on its way: report how it ended. */
		wsk_op_complete(op, op->status, op->info);
		return;
	}
	if (op->q == WSK_Q_STACK) {
		wsk_tcp_cancel(op);
		return;
	}
	wsk_op_complete(op, STATUS_CANCELLED, 0);
}

static VOID
cancel_routine(PDEVICE_OBJECT dev, PIRP irp)
{
	PIO_STACK_LOCATION loc = IoGetCurrentIrpStackLocation(irp);
	struct wsk_op *op = loc->Parameters.Others.Argument1;

	RTE_SET_USED(dev);
	IoReleaseCancelSpinLock(irp->CancelIrql);
	op->cancel_claimed = true;
	/* Always through the ring, even on the home lcore: the caller may be
	 * inside this socket's code (a completion routine cancelling a sibling). */
	while (stk_inst_post(op->s->host->in[op->s->home], cancel_run, op) != 0) {
		if (wsk_on_lcore(op->s->host, op->s->home)) {
			cancel_run(NULL, op);
			return;
		}
		usleep(5);
	}
}

bool
wsk_op_queue(struct wsk_op *op, struct wsk_op_q *q, uint8_t qid)
{
	TAILQ_INSERT_TAIL(q, op, link);
	op->q = qid;
	if (qid == WSK_Q_ACCEPT)
		atomic_fetch_add(&op->s->accept_irps, 1);
	IoSetCancelRoutine(op->irp, cancel_routine);
	if (op->irp->Cancel && IoSetCancelRoutine(op->irp, NULL) != NULL) {
		/* Cancelled before the routine was set: nobody else will complete it. */
		TAILQ_REMOVE(q, op, link);
		if (qid == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
		op->q = WSK_Q_NONE;
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return false;
	}
	return true;
}

bool
wsk_op_arm_stack(struct wsk_op *op)
{
	if (op->irp == NULL)
		return true;
	op->q = WSK_Q_STACK;
	IoSetCancelRoutine(op->irp, cancel_routine);
	if (op->irp->Cancel && IoSetCancelRoutine(op->irp, NULL) != NULL) {
		op->q = WSK_Q_NONE;
		return false;
	}
	return true;
}

bool
wsk_op_disarm_stack(struct wsk_op *op)
{
	if (op->irp == NULL || op->cancelling)
		return true;
	if (IoSetCancelRoutine(op->irp, NULL) == NULL) {
		op->cancel_claimed = true;
		return false;
	}
	op->q = WSK_Q_NONE;
	return true;
}

bool
wsk_op_unqueue(struct wsk_op *op)
{
	struct wsk_op_q *q = op_queue_of(op);

	if (op->irp != NULL && IoSetCancelRoutine(op->irp, NULL) == NULL) {
		op->cancel_claimed = true;
		return false;
	}
	if (q != NULL) {
		TAILQ_REMOVE(q, op, link);
		if (op->q == WSK_Q_ACCEPT)
			atomic_fetch_sub(&op->s->accept_irps, 1);
	}
	op->q = WSK_Q_NONE;
	return true;
}

/* ---------------------------------------------------------------------------
 * Sockets: allocation and references
 */

struct wsk_sock *
wsk_sock_alloc(struct wsk_host *h, struct wsk_client *cl, unsigned int home, uint8_t kind)
{
	struct wsk_sock *s;
	void *obj;

	if (rte_mempool_get(h->sock_mp, &obj) != 0) {
		atomic_fetch_add(&h->st.pool_exhausted, 1);
		return NULL;
	}
	s = obj;
	memset(s, 0, sizeof(*s));
	s->magic = WSK_SOCK_MAGIC;
	s->host = h;
	s->cl = cl;
	s->home = home;
	s->in = h->in[home];
	s->kind = kind;
	s->state = WSK_S_OPEN;
	switch (kind) {
	case WSK_KIND_LISTEN:
		s->pub.Dispatch = &wsk_listen_dispatch;
		break;
	case WSK_KIND_DATAGRAM:
		s->pub.Dispatch = &wsk_datagram_dispatch;
		break;
	case WSK_KIND_CONNECTION:
		s->pub.Dispatch = &wsk_connection_dispatch;
		break;
	case WSK_KIND_STREAM:
		s->pub.Dispatch = &wsk_stream_dispatch;
		break;
	default:
		s->pub.Dispatch = &wsk_basic_dispatch;
		break;
	}
	TAILQ_INIT(&s->disable_q);
	TAILQ_INIT(&s->recv_q);
	TAILQ_INIT(&s->accept_q);
	TAILQ_INIT(&s->rfrom_q);
	TAILQ_INIT(&s->backlog);
	s->backlog_max = 128;
	atomic_init(&s->refs, 1);
	atomic_fetch_add(&cl->sockets, 1);
	atomic_store(&cl->socket_made, true);
	atomic_fetch_add(&h->st.sockets_created, 1);
	return s;
}

void
wsk_sock_get(struct wsk_sock *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void
wsk_sock_put(struct wsk_sock *s)
{
	struct wsk_client *cl;

	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	cl = s->cl;
	s->magic = 0;
	rte_mempool_put(s->host->sock_mp, s);
	atomic_fetch_sub(&cl->sockets, 1);
}

/* ---------------------------------------------------------------------------
 * Dispatch tables
 */

const WSK_PROVIDER_DISPATCH wsk_provider_dispatch = {
	.Version = MAKE_WSK_VERSION(1, 0),
	.Reserved = 0,
	.WskSocket = wsk_socket,
	.WskSocketConnect = wsk_socket_connect,
	.WskControlClient = wsk_control_client,
	.WskGetAddressInfo = wsk_get_address_info,
	.WskFreeAddressInfo = wsk_free_address_info,
	.WskGetNameInfo = wsk_get_name_info,
};

const WSK_PROVIDER_BASIC_DISPATCH wsk_basic_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
};

const WSK_PROVIDER_LISTEN_DISPATCH wsk_listen_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskAccept = wsk_accept,
	.WskInspectComplete = wsk_inspect_complete,
	.WskGetLocalAddress = wsk_get_local_address,
};

const WSK_PROVIDER_DATAGRAM_DISPATCH wsk_datagram_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskSendTo = wsk_sendto,
	.WskReceiveFrom = wsk_receive_from,
	.WskRelease = wsk_release_dgram,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskSendMessages = wsk_send_messages,
};

const WSK_PROVIDER_CONNECTION_DISPATCH wsk_connection_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskConnect = wsk_connect,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskGetRemoteAddress = wsk_get_remote_address,
	.WskSend = wsk_send,
	.WskReceive = wsk_receive,
	.WskDisconnect = wsk_disconnect,
	.WskRelease = wsk_release_data,
	.WskConnectEx = wsk_connect_ex,
	.WskSendEx = wsk_send_ex,
	.WskReceiveEx = wsk_receive_ex,
};

const WSK_PROVIDER_STREAM_DISPATCH wsk_stream_dispatch = {
	.WskControlSocket = wsk_control_socket,
	.WskCloseSocket = wsk_close_socket,
	.WskBind = wsk_bind,
	.WskAccept = wsk_accept,
	.WskConnect = wsk_connect,
	.WskListen = wsk_listen,
	.WskSend = wsk_send,
	.WskReceive = wsk_receive,
	.WskDisconnect = wsk_disconnect,
	.WskRelease = wsk_release_data,
	.WskGetLocalAddress = wsk_get_local_address,
	.WskGetRemoteAddress = wsk_get_remote_address,
	.WskConnectEx = wsk_connect_ex,
	.WskSendEx = wsk_send_ex,
	.WskReceiveEx = wsk_receive_ex,
};
