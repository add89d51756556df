/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sockets over the stack seam (stk_tcp.h): listening, connection and
 * stream sockets; WskConnect, WskAccept, conditional accept, WskSend (zero
 * copy: the MDL's pages go out as external mbufs and the IRP completes on
 * ACK), WskReceive and WskReceiveEvent (mbufs indicated in place),
 * WskDisconnect, WskRelease, and the events.
 *
 * Everything here runs on the socket's home lcore, except the listener
 * upcalls (accept, inspect, abort), which run on the lcore the SYN reached,
 * and WskRelease, which any thread may call.
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "wsk_priv.h"

#define EV_CONN (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)

/* Sends up to this size are copied and complete at once, while the
 * connection has less than WSK_COPY_QUEUE bytes queued. */
#define WSK_COPY_MAX    1024u
#define WSK_COPY_QUEUE  (256u * 1024u)
/* External mbufs cover at most this much of a client page run. */
#define WSK_EXT_CHUNK   32768u

static char copied_send; /* send_ctx of copied sends: nothing to complete */

static const struct stk_tcp_upcalls conn_up;
static const struct stk_tcp_upcalls lst_up;

static void tcp_kick(struct wsk_sock *s);
static void recv_service(struct wsk_sock *s);

static bool
is_listening(const struct wsk_sock *s)
{
	return s->state == WSK_S_LISTENING;
}

static NTSTATUS
dead_status(const struct wsk_sock *s)
{
	if (s->aborted)
		return STATUS_CONNECTION_ABORTED;
	return s->reset_err != 0 ? wsk_status_of(s->reset_err) : STATUS_CONNECTION_RESET;
}

static void
sockaddr_pair(const struct stk_tcp_peer *p, SOCKADDR_IN *l, SOCKADDR_IN *r)
{
	wsk_addr_out((PSOCKADDR)l, p->laddr, p->lport);
	wsk_addr_out((PSOCKADDR)r, p->faddr, p->fport);
}

/* Complete an op the stack held, unless its cancel is on the way. */
static void
stack_op_done(struct wsk_op *op, NTSTATUS st, ULONG_PTR info)
{
	if (op->cancelling) {
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return;
	}
	if (!wsk_op_disarm_stack(op)) {
		op->finished = true;
		op->status = st;
		op->info = info;
		return;
	}
	wsk_op_complete(op, st, info);
}

/* ---------------------------------------------------------------------------
 * Listening: one stack listener per instance
 */

static void listen_done_run(struct stk_inst *in, void *arg);

static NTSTATUS
listen_open_run(struct wsk_op *sub)
{
	struct wsk_sock *s = sub->s;
	struct wsk_op *parent = sub->u.hand.parent;
	unsigned int i = sub->u.hand.idx;
	uint32_t flags = s->cond_accept ? STK_TCP_LISTEN_INSPECT : 0;
	int err;

	err = stk_tcp_listen(s->host->in[i], s->laddr, s->lport, s->backlog_max, flags, &lst_up, s,
			     &s->lst[i]);
	if (err != 0) {
		int zero = 0;

		s->lst[i] = NULL;
		atomic_compare_exchange_strong(&parent->u.addr.err, &zero, err);
	}
	if (atomic_fetch_sub(&parent->u.addr.pending, 1) == 1) {
		if (wsk_post(s->host, s->home, listen_done_run, parent) != 0)
			listen_done_run(NULL, parent);
	}
	wsk_op_free(sub);
	return STATUS_SUCCESS;
}

static NTSTATUS listen_close_and_ack(struct wsk_op *sub);

static void
listen_done_run(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_sock *s = op->s;
	int err = atomic_load(&op->u.addr.err);
	unsigned int i;

	RTE_SET_USED(in);
	if (err == STK_EADDRINUSE && s->reuseaddr) {
		/* The table allowed sharing the port; the stack keeps one
		 * listener per port, so this socket stays bound and idle. */
		err = 0;
	}
	if (err != 0 || s->closing) {
		/* Undo: close what opened. */
		for (i = 0; i < s->host->n; i++) {
			struct wsk_op *sub;

			if (s->lst[i] == NULL)
				continue;
			sub = wsk_op_new(s, WSK_OP_CLOSE);
			if (sub == NULL)
				continue;
			sub->u.hand.idx = i;
			s->close_wait++;
			wsk_op_dispatch_to(sub, i, listen_close_and_ack);
		}
		if (err != 0)
			wsk_bind_table_del(s);
		if (s->kind == WSK_KIND_LISTEN)
			s->bound = false;
		wsk_op_complete(op, err != 0 ? wsk_status_of(err) : STATUS_FILE_FORCED_CLOSED, 0);
		return;
	}
	s->state = WSK_S_LISTENING;
	wsk_op_complete(op, STATUS_SUCCESS, 0);
}

/* Home lcore: open the listeners, complete @p op when every instance answered. */
static NTSTATUS
listen_start(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	unsigned int i, n = s->host->n;

	atomic_store(&op->u.addr.pending, (int)n);
	atomic_store(&op->u.addr.err, 0);
	for (i = 0; i < n; i++) {
		struct wsk_op *sub = wsk_op_new(s, WSK_OP_LISTEN);

		if (sub == NULL) {
			int zero = 0;

			atomic_compare_exchange_strong(&op->u.addr.err, &zero, STK_ENOMEM);
			if (atomic_fetch_sub(&op->u.addr.pending, 1) == 1)
				listen_done_run(NULL, op);
			continue;
		}
		sub->u.hand.parent = op;
		sub->u.hand.idx = i;
		wsk_op_dispatch_to(sub, i, listen_open_run);
	}
	return STATUS_PENDING;
}

NTSTATUS
wsk_tcp_bind_run(struct wsk_op *op)
{
	/* Listen sockets listen from bind on (no backlog parameter). */
	return listen_start(op);
}

static NTSTATUS
wsk_listen_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (s->state != WSK_S_BOUND) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	return listen_start(op);
}

NTSTATUS WSKAPI
wsk_listen(PWSK_SOCKET Socket, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL || s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, s == NULL ? STATUS_INVALID_HANDLE : STATUS_NOT_SUPPORTED);
	if (s->state != WSK_S_BOUND)
		return wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_STATE);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_LISTEN, &op);
	if (!NT_SUCCESS(st))
		return st;
	return wsk_op_dispatch(op, wsk_listen_run);
}

/* ---------------------------------------------------------------------------
 * Accepting
 */

/* Free an accepted socket nobody took; on its own home lcore. */
static NTSTATUS
discard_run(struct wsk_op *sub)
{
	struct wsk_sock *ns = sub->u.hand.ns;

	if (ns->conn != NULL) {
		stk_tcp_abort(ns->conn);
		stk_tcp_close(ns->conn);
		ns->conn = NULL;
	}
	ns->state = WSK_S_DEAD;
	wsk_op_free(sub);
	wsk_sock_put(ns); /* the creator's reference */
	return STATUS_SUCCESS;
}

static void
discard_accepted(struct wsk_sock *L, struct wsk_sock *ns)
{
	struct wsk_op *sub = wsk_op_new(L, WSK_OP_CLOSE);

	if (sub == NULL) {
		fprintf(stderr, "wskstack: op pool dry: accepted socket %p leaked\n", (void *)ns);
		return;
	}
	sub->u.hand.ns = ns;
	wsk_op_dispatch_to(sub, ns->home, discard_run);
}

/* The accepted socket @p ns now belongs to the client with @p ctx / @p disp. */
static void
accepted_handover(struct wsk_sock *ns, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp,
		  ULONG events)
{
	ns->ctx = ctx;
	ns->conn_disp = disp;
	ns->cdisp = disp;
	ns->listener = NULL;
	ns->static_events = ns->cl->static_events & EV_CONN; /* fixed: cannot be disabled */
	atomic_store_explicit(&ns->events, events, memory_order_release);
	if (events & WSK_EVENT_RECEIVE)
		tcp_kick(ns);
}

/* Give @p ns to the accept event; on the calling lcore. @return true if taken. */
static bool
accept_event(struct wsk_sock *L, struct wsk_sock *ns)
{
	const WSK_CLIENT_LISTEN_DISPATCH *ld = L->listen_disp;
	SOCKADDR_IN la, ra;
	PVOID ctx = NULL;
	const WSK_CLIENT_CONNECTION_DISPATCH *disp = NULL;
	NTSTATUS st;

	wsk_addr_out((PSOCKADDR)&la, ns->laddr, ns->lport);
	wsk_addr_out((PSOCKADDR)&ra, ns->faddr, ns->fport);
	wsk_cb_enter(L);
	if (L->closing || !wsk_ev_on(L, WSK_EVENT_ACCEPT)) {
		wsk_cb_leave(L);
		return false;
	}
	st = ld->WskAcceptEvent(L->ctx, wsk_cb_flags(), (PSOCKADDR)&la, (PSOCKADDR)&ra, &ns->pub,
				&ctx, &disp);
	wsk_cb_leave(L);
	if (st != STATUS_SUCCESS)
		return false;
	accepted_handover(ns, ctx, disp,
			  atomic_load(&L->inherit) | (L->cl->static_events & EV_CONN));
	return true;
}

static bool
accept_event_ready(struct wsk_sock *L)
{
	return L->listen_disp != NULL && L->listen_disp->WskAcceptEvent != NULL &&
	       wsk_ev_on(L, WSK_EVENT_ACCEPT);
}

/* Home lcore of L: a pending WskAccept, the accept event, or the backlog. */
static void
deliver_home(struct wsk_sock *L, struct wsk_sock *ns)
{
	struct wsk_op *op;

	if (L->closing) {
		discard_accepted(L, ns);
		return;
	}
	while ((op = TAILQ_FIRST(&L->accept_q)) != NULL) {
		if (!wsk_op_unqueue(op)) {
			/* Its cancel is on the way; look at the next one. */
			TAILQ_REMOVE(&L->accept_q, op, link);
			atomic_fetch_sub(&L->accept_irps, 1);
			op->q = WSK_Q_NONE;
			continue;
		}
		wsk_addr_out(op->u.acc.laddr, ns->laddr, ns->lport);
		wsk_addr_out(op->u.acc.raddr, ns->faddr, ns->fport);
		accepted_handover(ns, op->u.acc.ctx, op->u.acc.disp,
				  L->cl->static_events & EV_CONN);
		wsk_op_complete(op, STATUS_SUCCESS, (ULONG_PTR)&ns->pub);
		return;
	}
	if (accept_event_ready(L)) {
		if (!accept_event(L, ns))
			discard_accepted(L, ns);
		return;
	}
	if (L->backlog_len >= L->backlog_max) {
		discard_accepted(L, ns);
		return;
	}
	ns->listener = L;
	TAILQ_INSERT_TAIL(&L->backlog, ns, blink);
	L->backlog_len++;
}

static NTSTATUS
deliver_run(struct wsk_op *sub)
{
	deliver_home(sub->s, sub->u.hand.ns);
	wsk_op_free(sub);
	return STATUS_SUCCESS;
}

static int
lst_accept(void *arg, struct stk_tcp_conn *listener, struct stk_tcp_conn *c,
	   const struct stk_tcp_peer *peer)
{
	struct wsk_sock *L = arg, *ns;
	unsigned int k = 0, i;
	struct wsk_op *sub;

	RTE_SET_USED(listener);
	if (L->closing)
		return -1;
	for (i = 0; i < L->host->n; i++)
		if (L->lst[i] == listener)
			k = i;
	ns = wsk_sock_alloc(L->host, L->cl, k, WSK_KIND_CONNECTION);
	if (ns == NULL)
		return -1;
	ns->type = SOCK_STREAM;
	ns->proto = IPPROTO_TCP;
	ns->conn = c;
	ns->state = WSK_S_CONNECTED;
	ns->laddr = peer->laddr;
	ns->lport = peer->lport;
	ns->faddr = peer->faddr;
	ns->fport = peer->fport;
	ns->bound = true;
	ns->keepalive = L->keepalive;
	ns->nodelay = L->nodelay;
	ns->rcvbuf = L->rcvbuf;
	ns->sndbuf = L->sndbuf;
	if (L->cond_accept) {
		ns->has_inspect = true;
		ns->inspect_key = peer->inspect_id;
		ns->inspect_serial = k;
	}
	ns->ideal_backlog = 65536;
	atomic_store(&ns->events, 0);
	stk_tcp_set_upcalls(c, &conn_up, ns);
	if (ns->keepalive)
		stk_tcp_setopt(c, STK_TCP_OPT_KEEPALIVE, 1);
	if (ns->nodelay)
		stk_tcp_setopt(c, STK_TCP_OPT_NODELAY, 1);
	if (ns->rcvbuf)
		stk_tcp_setopt(c, STK_TCP_OPT_RCVBUF, ns->rcvbuf);
	if (ns->sndbuf)
		stk_tcp_setopt(c, STK_TCP_OPT_SNDBUF, ns->sndbuf);
	/* Pending WskAccept IRPs come first; then the event; then the backlog. */
	if (atomic_load(&L->accept_irps) == 0 && accept_event_ready(L)) {
		if (accept_event(L, ns))
			return 0;
		ns->conn = NULL; /* refused: the stack resets and frees it */
		wsk_sock_put(ns);
		return -1;
	}
	if (wsk_on_lcore(L->host, L->home)) {
		deliver_home(L, ns);
		return 0;
	}
	sub = wsk_op_new(L, WSK_OP_ACCEPT);
	if (sub == NULL) {
		ns->conn = NULL;
		wsk_sock_put(ns);
		return -1;
	}
	sub->u.hand.ns = ns;
	wsk_op_dispatch_to(sub, L->home, deliver_run);
	return 0;
}

static enum stk_tcp_inspect
lst_inspect(void *arg, struct stk_tcp_conn *listener, const struct stk_tcp_peer *peer)
{
	struct wsk_sock *L = arg;
	const WSK_CLIENT_LISTEN_DISPATCH *ld = L->listen_disp;
	SOCKADDR_IN la, ra;
	WSK_INSPECT_ID id;
	WSK_INSPECT_ACTION act;
	unsigned int i, k = 0;

	if (L->closing)
		return STK_TCP_INSPECT_REJECT;
	if (ld == NULL || ld->WskInspectEvent == NULL)
		return STK_TCP_INSPECT_ACCEPT;
	for (i = 0; i < L->host->n; i++)
		if (L->lst[i] == listener)
			k = i;
	sockaddr_pair(peer, &la, &ra);
	id.Key = (ULONG_PTR)peer->inspect_id;
	id.SerialNumber = k;
	wsk_cb_enter(L);
	act = ld->WskInspectEvent(L->ctx, (PSOCKADDR)&la, (PSOCKADDR)&ra, &id);
	wsk_cb_leave(L);
	switch (act) {
	case WskInspectAccept:
		return STK_TCP_INSPECT_ACCEPT;
	case WskInspectPend:
		return STK_TCP_INSPECT_PEND;
	default:
		return STK_TCP_INSPECT_REJECT;
	}
}

static void
lst_abort(void *arg, struct stk_tcp_conn *listener, uint64_t inspect_id)
{
	struct wsk_sock *L = arg;
	const WSK_CLIENT_LISTEN_DISPATCH *ld = L->listen_disp;
	WSK_INSPECT_ID id;
	unsigned int i, k = 0;

	if (L->closing || ld == NULL || ld->WskAbortEvent == NULL)
		return;
	for (i = 0; i < L->host->n; i++)
		if (L->lst[i] == listener)
			k = i;
	id.Key = (ULONG_PTR)inspect_id;
	id.SerialNumber = k;
	wsk_cb_enter(L);
	ld->WskAbortEvent(L->ctx, &id);
	wsk_cb_leave(L);
}

static const struct stk_tcp_upcalls lst_up = {
	.inspect = lst_inspect,
	.accept = lst_accept,
	.abort = lst_abort,
};

static NTSTATUS
accept_run(struct wsk_op *op)
{
	struct wsk_sock *L = op->s, *ns;

	if (L->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (!is_listening(L)) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	ns = TAILQ_FIRST(&L->backlog);
	if (ns != NULL) {
		TAILQ_REMOVE(&L->backlog, ns, blink);
		L->backlog_len--;
		wsk_addr_out(op->u.acc.laddr, ns->laddr, ns->lport);
		wsk_addr_out(op->u.acc.raddr, ns->faddr, ns->fport);
		accepted_handover(ns, op->u.acc.ctx, op->u.acc.disp,
				  L->cl->static_events & EV_CONN);
		wsk_op_complete(op, STATUS_SUCCESS, (ULONG_PTR)&ns->pub);
		return STATUS_SUCCESS;
	}
	wsk_op_queue(op, &L->accept_q, WSK_Q_ACCEPT);
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
	   CONST WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch, PSOCKADDR LocalAddress,
	   PSOCKADDR RemoteAddress, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(ListenSocket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (Flags != 0)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_LISTEN && s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_ACCEPT, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.acc.ctx = AcceptSocketContext;
	op->u.acc.disp = AcceptSocketDispatch;
	op->u.acc.laddr = LocalAddress;
	op->u.acc.raddr = RemoteAddress;
	return wsk_op_dispatch(op, accept_run);
}

static NTSTATUS
inspect_complete_run(struct wsk_op *op)
{
	struct wsk_sock *L = op->s;
	unsigned int k = op->u.ic.id.SerialNumber;
	int err;

	if (L->closing || L->lst[k] == NULL) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	err = stk_tcp_inspect_complete(L->lst[k], (uint64_t)op->u.ic.id.Key,
				       op->u.ic.action == WskInspectAccept);
	/* An inspection dropped meanwhile (its abort event ran or runs) is not established. */
	wsk_op_complete(op, err == 0 ? STATUS_SUCCESS : STATUS_NOT_FOUND, 0);
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
		     WSK_INSPECT_ACTION Action, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(ListenSocket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (InspectID == NULL || (Action != WskInspectAccept && Action != WskInspectReject) ||
	    InspectID->SerialNumber >= s->host->n)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_LISTEN || !s->cond_accept)
		return wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_REQUEST);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_INSPECT_COMPLETE, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.ic.id = *InspectID;
	op->u.ic.action = Action;
	return wsk_op_dispatch_to(op, InspectID->SerialNumber, inspect_complete_run);
}

/* ---------------------------------------------------------------------------
 * Connection upcalls
 */

static void
conn_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	struct wsk_sock *s = arg;
	struct wsk_op *op = s->connect_op;
	struct stk_tcp_info ti;

	s->connect_op = NULL;
	if (err == 0) {
		rte_be32_t fa;
		rte_be16_t fp;

		s->state = WSK_S_CONNECTED;
		stk_tcp_addrs(c, &s->laddr, &s->lport, &fa, &fp);
		stk_tcp_info(c, &ti);
		s->ideal_backlog = RTE_MAX(ti.cwnd, 65536u);
		if (op != NULL && op->u.addr.early != NULL) {
			stk_tcp_send(c, op->u.addr.early, &copied_send, 0);
			op->u.addr.early = NULL;
		}
	} else {
		s->state = WSK_S_DEAD;
		s->reset_err = err;
	}
	if (op == NULL)
		return;
	if (op->u.addr.early != NULL) {
		rte_pktmbuf_free(op->u.addr.early);
		op->u.addr.early = NULL;
	}
	if (op->socket_connect) {
		if (err == 0 && !op->cancelling) {
			stack_op_done(op, STATUS_SUCCESS, (ULONG_PTR)&s->pub);
			return;
		}
		/* WskSocketConnect failed: the socket never reaches the client. */
		s->closing = true;
		stk_tcp_close(c);
		s->conn = NULL;
		wsk_bind_table_del(s);
		stack_op_done(op, wsk_status_of(err), 0);
		wsk_sock_put(s);
		return;
	}
	/* A close in progress cancels a pending connect (closing-a-socket.md). */
	stack_op_done(op, s->closing ? STATUS_CANCELLED : wsk_status_of(err), 0);
}

/* The first receive a cancel has not claimed. Loops restart here after each
 * completion: a completion routine may queue, cancel or close. */
static struct wsk_op *
first_live(struct wsk_op_q *q)
{
	struct wsk_op *op;

	TAILQ_FOREACH(op, q, link)
		if (!op->cancel_claimed)
			return op;
	return NULL;
}

/* Serve pending receives from held data (never inside the recv upcall). */
static void
recv_complete(struct wsk_sock *s, struct wsk_op *op, NTSTATUS st)
{
	if (!wsk_op_unqueue(op)) {
		/* Claimed by a cancel: leave it for the cancel request. */
		TAILQ_REMOVE(&s->recv_q, op, link);
		op->q = WSK_Q_NONE;
		op->finished = true;
		op->status = st;
		op->info = op->u.io.done;
		return;
	}
	wsk_op_complete(op, st, op->u.io.done);
}

static uint32_t
recv_copy_into(struct wsk_sock *s, struct wsk_op *op, uint32_t want)
{
	const WSK_BUF *b = &op->u.io.buf;
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset + op->u.io.done;
	uint32_t got = 0;

	while (mdl != NULL && off >= MmGetMdlByteCount(mdl)) {
		off -= MmGetMdlByteCount(mdl);
		mdl = mdl->Next;
	}
	while (want > 0 && mdl != NULL) {
		uint8_t *va = (uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		uint32_t n = (uint32_t)RTE_MIN((SIZE_T)want, MmGetMdlByteCount(mdl) - off);
		uint32_t c = stk_tcp_recv_copy(s->conn, va, n);

		got += c;
		want -= c;
		if (c < n)
			break;
		mdl = mdl->Next;
		off = 0;
	}
	op->u.io.done += got;
	atomic_fetch_add(&s->host->st.recv_copy_bytes, got);
	return got;
}

static bool in_service_guard(struct wsk_sock *s);

static void
recv_service(struct wsk_sock *s)
{
	struct wsk_op *op;
	bool completed = false;

	if (s->recv_offering || s->conn == NULL)
		return;
	s->recv_offering = true; /* recv_copy re-offers held data: hold it meanwhile */
	while (!s->closing && s->conn != NULL && (op = first_live(&s->recv_q)) != NULL) {
		uint32_t held = stk_tcp_recv_pending(s->conn);
		SIZE_T room = op->u.io.buf.Length - op->u.io.done;

		if (op->u.io.flags & WSK_FLAG_DRAIN) {
			uint8_t scratch[2048];

			while (stk_tcp_recv_copy(s->conn, scratch, sizeof(scratch)) > 0)
				;
			if (s->peer_fin || s->state == WSK_S_DEAD) {
				recv_complete(s, op, s->state == WSK_S_DEAD ? dead_status(s)
									    : STATUS_SUCCESS);
				completed = true;
				continue;
			}
			break;
		}
		if (held > 0 && room > 0)
			recv_copy_into(s, op, (uint32_t)RTE_MIN(room, (SIZE_T)held));
		room = op->u.io.buf.Length - op->u.io.done;
		if ((op->u.io.flags & WSK_FLAG_WAITALL) ? room == 0
							: (op->u.io.done > 0 || held > 0)) {
			recv_complete(s, op, STATUS_SUCCESS);
			completed = true;
			continue;
		}
		if (s->state == WSK_S_DEAD) {
			recv_complete(s, op, op->u.io.done > 0 ? STATUS_SUCCESS : dead_status(s));
			completed = true;
			continue;
		}
		if (s->peer_fin && stk_tcp_recv_pending(s->conn) == 0) {
			recv_complete(s, op, STATUS_SUCCESS); /* 0 bytes: graceful close */
			completed = true;
			continue;
		}
		break;
	}
	s->recv_offering = false;
	if (completed && s->recv_suspended) {
		/* A receive completed: indications may go on. */
		s->recv_suspended = false;
	}
	if (!s->closing && s->conn != NULL && TAILQ_EMPTY(&s->recv_q) && !s->recv_suspended &&
	    wsk_ev_on(s, WSK_EVENT_RECEIVE))
		stk_tcp_recv_resume(s->conn);
	else if (!s->closing && s->conn != NULL && !TAILQ_EMPTY(&s->recv_q) &&
		 stk_tcp_recv_pending(s->conn) == 0)
		stk_tcp_recv_resume(s->conn); /* new data goes straight to the IRPs */
}

static bool
in_service_guard(struct wsk_sock *s)
{
	return s->recv_offering;
}

static void
ind_free_blocks(struct wsk_host *h, struct wsk_ind *b)
{
	while (b != NULL) {
		struct wsk_ind *next = b->next_block;

		b->magic = 0;
		rte_mempool_put(h->ind_mp, b);
		b = next;
	}
}

/* Build the WSK_DATA_INDICATION list over @p m. @return the head block, or NULL. */
static struct wsk_ind *
ind_build(struct wsk_sock *s, struct rte_mbuf *m, uint32_t len)
{
	struct wsk_ind *head = NULL, *blk = NULL;
	WSK_DATA_INDICATION *prev = NULL;
	unsigned int e = WSK_IND_SEGS;
	uint32_t left = len;

	for (; m != NULL && left > 0; m = m->next) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len, left);
		struct wsk_ind_ent *ent;
		void *va;

		if (n == 0)
			continue;
		if (e == WSK_IND_SEGS) {
			void *obj;

			if (rte_mempool_get(s->host->ind_mp, &obj) != 0) {
				atomic_fetch_add(&s->host->st.pool_exhausted, 1);
				ind_free_blocks(s->host, head);
				return NULL;
			}
			if (blk != NULL)
				blk->next_block = obj;
			blk = obj;
			blk->magic = WSK_IND_MAGIC;
			blk->bytes = 0;
			blk->next_block = NULL;
			blk->m = NULL;
			blk->s = s;
			blk->total = 0;
			if (head == NULL)
				head = blk;
			e = 0;
		}
		ent = &blk->ent[e++];
		va = rte_pktmbuf_mtod(m, void *);
		MmInitializeMdl(&ent->mdl, va, n);
		MmBuildMdlForNonPagedPool(&ent->mdl);
		ent->di.Next = NULL;
		ent->di.Buffer.Mdl = &ent->mdl;
		ent->di.Buffer.Offset = 0;
		ent->di.Buffer.Length = n;
		if (prev != NULL)
			prev->Next = &ent->di;
		prev = &ent->di;
		blk->bytes += n;
		left -= n;
	}
	if (head != NULL)
		head->total = len;
	return head;
}

static enum stk_tcp_recv_verdict conn_recv_offer(struct wsk_sock *s, struct rte_mbuf *m,
						 uint32_t len, bool push, uint32_t *consumed);

static enum stk_tcp_recv_verdict
conn_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	  uint32_t *consumed)
{
	struct wsk_sock *s = arg;

	enum stk_tcp_recv_verdict v;

	RTE_SET_USED(c);
	if (s->closing)
		return STK_TCP_RECV_CONSUMED;
	if (in_service_guard(s)) {
		*consumed = 0;
		return STK_TCP_RECV_PARTIAL;
	}
	/* Receives posted from completion routines or callbacks run inside
	 * this call are queued and served by a kick, not re-entered. */
	wsk_sock_get(s); /* a callback may close the socket: keep it until we are out */
	s->recv_offering = true;
	v = conn_recv_offer(s, m, len, push, consumed);
	s->recv_offering = false;
	wsk_sock_put(s);
	return v;
}

static enum stk_tcp_recv_verdict
conn_recv_offer(struct wsk_sock *s, struct rte_mbuf *m, uint32_t len, bool push,
		uint32_t *consumed)
{
	const WSK_CLIENT_CONNECTION_DISPATCH *cd;
	uint32_t off = 0;
	struct wsk_op *op;
	struct wsk_ind *ind;
	SIZE_T accepted;
	ULONG flags;
	NTSTATUS st;

	/* Pending receives come first. */
	while (off < len && (op = first_live(&s->recv_q)) != NULL) {
		SIZE_T room = op->u.io.buf.Length - op->u.io.done;
		uint32_t n;

		if (op->u.io.flags & WSK_FLAG_DRAIN) {
			off = len; /* discarded */
			break;
		}
		n = (uint32_t)RTE_MIN(room, (SIZE_T)(len - off));
		if (n > 0) {
			wsk_copy_to_buf(&op->u.io.buf, op->u.io.done, m, off, n);
			op->u.io.done += n;
			off += n;
			atomic_fetch_add(&s->host->st.recv_copy_bytes, n);
		}
		if ((op->u.io.flags & WSK_FLAG_WAITALL) && op->u.io.done < op->u.io.buf.Length)
			break;
		recv_complete(s, op, STATUS_SUCCESS); /* zero-length receives: "data is here" */
		s->recv_suspended = false;
		if (s->closing)
			return STK_TCP_RECV_CONSUMED;
	}
	if (off == len)
		return STK_TCP_RECV_CONSUMED;
	cd = s->conn_disp;
	if (!TAILQ_EMPTY(&s->recv_q) || s->recv_suspended || !wsk_ev_on(s, WSK_EVENT_RECEIVE) ||
	    cd == NULL || cd->WskReceiveEvent == NULL) {
		*consumed = off;
		if (off > 0 && wsk_ev_on(s, WSK_EVENT_RECEIVE))
			tcp_kick(s); /* the rest is indicated from a fresh offer */
		return STK_TCP_RECV_PARTIAL;
	}
	if (off > 0) {
		*consumed = off;
		tcp_kick(s);
		return STK_TCP_RECV_PARTIAL;
	}
	ind = ind_build(s, m, len);
	if (ind == NULL) {
		*consumed = 0;
		tcp_kick(s); /* retry when blocks come back */
		return STK_TCP_RECV_PARTIAL;
	}
	flags = wsk_cb_flags() | (push ? WSK_FLAG_ENTIRE_MESSAGE : 0);
	if (rte_mempool_avail_count(s->host->ind_mp) < s->host->ind_mp->size / 4)
		flags |= WSK_FLAG_RELEASE_ASAP;
	accepted = len;
	/* Owned by the list before the call: the client may send it and have
	 * it released (WskRelease) before the callback even returns. */
	ind->m = m;
	atomic_fetch_add(&s->inds, 1);
	wsk_sock_get(s);
	wsk_cb_enter(s);
	st = cd->WskReceiveEvent(s->ctx, flags, &ind->ent[0].di, len, &accepted);
	if (st == STATUS_PENDING) {
		/* The client keeps the chain until WskRelease; ind may be gone already. */
		atomic_fetch_add(&s->host->st.recv_ind_bytes, len);
		wsk_cb_leave(s);
		return STK_TCP_RECV_TAKEN;
	}
	ind->m = NULL;
	atomic_fetch_sub(&s->inds, 1);
	ind_free_blocks(s->host, ind);
	wsk_cb_leave(s);
	wsk_sock_put(s);
	if (st == STATUS_SUCCESS && accepted >= len) {
		atomic_fetch_add(&s->host->st.recv_ind_bytes, len);
		return STK_TCP_RECV_CONSUMED;
	}
	/* Partly accepted or not accepted: the stack keeps the rest and no
	 * more is indicated until a WskReceive completes. */
	*consumed = st == STATUS_SUCCESS ? (uint32_t)accepted : 0;
	atomic_fetch_add(&s->host->st.recv_ind_bytes, *consumed);
	s->recv_suspended = true;
	return STK_TCP_RECV_PARTIAL;
}

static void
conn_sent_final(struct wsk_op *op)
{
	stack_op_done(op, op->status, op->status == STATUS_SUCCESS ? op->u.io.done : 0);
}

static void
send_finish_run(struct stk_inst *in, void *arg)
{
	RTE_SET_USED(in);
	conn_sent_final(arg);
}

/* Drop one of the send's two references (ACK, pages free); the last completes it on the home lcore. */
static void
send_ref_drop(struct wsk_op *op)
{
	if (atomic_fetch_sub(&op->refs, 1) != 1)
		return;
	if (wsk_on_lcore(op->s->host, op->s->home))
		conn_sent_final(op);
	else if (wsk_post(op->s->host, op->s->home, send_finish_run, op) != 0)
		conn_sent_final(op); /* ring dead: complete from here */
}

static void
ext_free_cb(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	send_ref_drop(opaque);
}

static void
conn_sent(void *arg, struct stk_tcp_conn *c, void *send_ctx, uint32_t bytes, int err)
{
	struct wsk_sock *s = arg;
	struct wsk_op *op = send_ctx;

	RTE_SET_USED(c);
	RTE_SET_USED(bytes);
	if (op == (void *)&copied_send)
		return;
	if (op->code == WSK_OP_SEND)
		s->sends--;
	op->stack_done = true;
	if (err != 0 && op->status == STATUS_SUCCESS)
		op->status = s->closing ? STATUS_CANCELLED : wsk_status_of(err);
	send_ref_drop(op);
}

static void
conn_send_backlog(void *arg, struct stk_tcp_conn *c, uint32_t ideal)
{
	struct wsk_sock *s = arg;
	const WSK_CLIENT_CONNECTION_DISPATCH *cd = s->conn_disp;

	RTE_SET_USED(c);
	ideal = RTE_MAX(ideal, 65536u);
	if (ideal == s->ideal_backlog)
		return;
	s->ideal_backlog = ideal;
	if (!wsk_ev_on(s, WSK_EVENT_SEND_BACKLOG) || cd == NULL || cd->WskSendBacklogEvent == NULL)
		return;
	wsk_cb_enter(s);
	cd->WskSendBacklogEvent(s->ctx, ideal);
	wsk_cb_leave(s);
}

static void
disconnect_event(struct wsk_sock *s, ULONG flags)
{
	const WSK_CLIENT_CONNECTION_DISPATCH *cd = s->conn_disp;

	if (!wsk_ev_on(s, WSK_EVENT_DISCONNECT) || cd == NULL || cd->WskDisconnectEvent == NULL)
		return;
	wsk_cb_enter(s);
	cd->WskDisconnectEvent(s->ctx, wsk_cb_flags() | flags);
	wsk_cb_leave(s);
}

static void
conn_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(c);
	s->peer_fin = true;
	recv_service(s);
	if (!s->closing && !s->fin_indicated) {
		s->fin_indicated = true;
		disconnect_event(s, 0);
	}
}

static void
complete_recvs(struct wsk_sock *s, NTSTATUS st)
{
	struct wsk_op *op;

	while ((op = first_live(&s->recv_q)) != NULL)
		recv_complete(s, op, op->u.io.done > 0 ? STATUS_SUCCESS : st);
}

static void
conn_shutdown_done(void *arg, struct stk_tcp_conn *c, void *ctx, int err)
{
	struct wsk_sock *s = arg;
	struct wsk_op *op = ctx;

	RTE_SET_USED(c);
	if (err == 0)
		s->shut_done = true;
	if (s->disc_op == op)
		s->disc_op = NULL;
	if (op == NULL)
		return;
	if (err != 0 && op->status == STATUS_SUCCESS)
		op->status = s->closing ? STATUS_CANCELLED : wsk_status_of(err);
	send_ref_drop(op);
}

static void
conn_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(c);
	s->state = WSK_S_DEAD;
	s->reset = true;
	s->reset_err = err;
	complete_recvs(s, dead_status(s));
	if (!s->closing)
		disconnect_event(s, WSK_FLAG_ABORTIVE);
}

static const struct stk_tcp_upcalls conn_up = {
	.connected = conn_connected,
	.recv = conn_recv,
	.sent = conn_sent,
	.send_backlog = conn_send_backlog,
	.peer_fin = conn_peer_fin,
	.shutdown_done = conn_shutdown_done,
	.reset = conn_reset,
};

/* ---------------------------------------------------------------------------
 * Kicks: deferred work on the home lcore, outside any upcall
 */

static void
kick_run(struct stk_inst *in, void *arg)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(in);
	s->kick_posted = false;
	if (!s->closing && s->conn != NULL)
		recv_service(s);
	wsk_sock_put(s);
}

static void
tcp_kick(struct wsk_sock *s)
{
	if (s->kick_posted)
		return;
	s->kick_posted = true;
	wsk_sock_get(s);
	if (stk_inst_post(s->host->in[s->home], kick_run, s) != 0) {
		s->kick_posted = false;
		wsk_sock_put(s);
	}
}

void
wsk_tcp_events_enabled(struct wsk_sock *s, ULONG bits)
{
	struct wsk_sock *ns;

	if ((bits & WSK_EVENT_RECEIVE) && s->conn != NULL)
		tcp_kick(s);
	if ((bits & WSK_EVENT_ACCEPT) && is_listening(s)) {
		/* Connections that waited in the backlog go to the event now. */
		while ((ns = TAILQ_FIRST(&s->backlog)) != NULL && accept_event_ready(s)) {
			TAILQ_REMOVE(&s->backlog, ns, blink);
			s->backlog_len--;
			if (!accept_event(s, ns))
				discard_accepted(s, ns);
		}
	}
}

/* ---------------------------------------------------------------------------
 * WskConnect, WskConnectEx, WskSocketConnect
 */

static NTSTATUS
connect_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	rte_be32_t fa;
	rte_be16_t fp;
	NTSTATUS st;
	int err;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (op->socket_connect && !s->bound) {
		rte_be32_t la = 0;
		rte_be16_t lp = 0;

		if (op->u.addr.have_local)
			wsk_addr_in((const SOCKADDR *)&op->u.addr.local, &la, &lp);
		st = wsk_bind_table_add(s, IPPROTO_TCP, la, lp);
		if (!NT_SUCCESS(st))
			goto fail;
		s->state = WSK_S_BOUND;
	}
	if (s->state != WSK_S_BOUND) {
		st = s->state == WSK_S_OPEN ? STATUS_INVALID_DEVICE_STATE
		     : s->state == WSK_S_LISTENING ? STATUS_INVALID_DEVICE_STATE
						    : STATUS_CONNECTION_ACTIVE;
		goto fail;
	}
	st = wsk_addr_in((const SOCKADDR *)&op->u.addr.addr, &fa, &fp);
	if (!NT_SUCCESS(st))
		goto fail;
	if (fa == 0 || fp == 0) {
		st = STATUS_INVALID_ADDRESS_COMPONENT;
		goto fail;
	}
	if (!wsk_op_arm_stack(op)) {
		st = STATUS_CANCELLED;
		goto fail;
	}
	s->connect_op = op;
	s->state = WSK_S_CONNECTING;
	s->faddr = fa;
	s->fport = fp;
	err = stk_tcp_connect(s->in, s->laddr, s->lport, fa, fp, &conn_up, s, &s->conn);
	if (err != 0) {
		s->connect_op = NULL;
		s->state = WSK_S_BOUND;
		s->conn = NULL;
		if (op->u.addr.early != NULL) {
			rte_pktmbuf_free(op->u.addr.early);
			op->u.addr.early = NULL;
		}
		st = wsk_status_of(err);
		if (!wsk_op_disarm_stack(op)) {
			op->finished = true;
			op->status = st;
			return STATUS_PENDING;
		}
		goto fail;
	}
	if (s->keepalive)
		stk_tcp_setopt(s->conn, STK_TCP_OPT_KEEPALIVE, 1);
	if (s->nodelay)
		stk_tcp_setopt(s->conn, STK_TCP_OPT_NODELAY, 1);
	if (s->rcvbuf)
		stk_tcp_setopt(s->conn, STK_TCP_OPT_RCVBUF, s->rcvbuf);
	if (s->sndbuf)
		stk_tcp_setopt(s->conn, STK_TCP_OPT_SNDBUF, s->sndbuf);
	return STATUS_PENDING;
fail:
	if (op->u.addr.early != NULL) {
		rte_pktmbuf_free(op->u.addr.early);
		op->u.addr.early = NULL;
	}
	if (op->socket_connect) {
		s->closing = true;
		wsk_bind_table_del(s);
		wsk_op_complete(op, st, 0);
		wsk_sock_put(s);
		return st;
	}
	wsk_op_complete(op, st, 0);
	return st;
}

/* Copy a WskConnectEx buffer into mbufs of the home instance. */
static struct rte_mbuf *
copy_to_mbufs(struct stk_inst *in, const WSK_BUF *b)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	SIZE_T off = 0;

	while (off < b->Length) {
		struct rte_mbuf *m = stk_pktmbuf_alloc(in);
		uint32_t n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = (uint32_t)RTE_MIN((SIZE_T)rte_pktmbuf_tailroom(m), b->Length - off);
		wsk_copy_from_buf(b, off, rte_pktmbuf_append(m, (uint16_t)n), n);
		off += n;
		if (head == NULL) {
			head = tail = m;
		} else {
			tail->next = m;
			tail = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
	}
	return head;
}

static NTSTATUS
connect_common(struct wsk_sock *s, PSOCKADDR RemoteAddress, PWSK_BUF Buffer, ULONG Flags,
	       PIRP Irp)
{
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (Flags != 0 || RemoteAddress == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_CONNECTION && s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	/* Observed on Windows: connecting an unbound socket fails inline and through the IRP. */
	if (!s->bound || s->state == WSK_S_LISTENING)
		return wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_STATE);
	if (Buffer != NULL && Buffer->Length > 65535)
		return wsk_irp_fail(Irp, STATUS_BUFFER_OVERFLOW);
	if (Buffer != NULL && !wsk_buf_valid(Buffer))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_CONNECT, &op);
	if (!NT_SUCCESS(st))
		return st;
	memcpy(&op->u.addr.addr, RemoteAddress,
	       RemoteAddress->sa_family == AF_INET ? sizeof(SOCKADDR_IN) : sizeof(SOCKADDR));
	op->u.addr.early = NULL;
	if (Buffer != NULL && Buffer->Length > 0) {
		op->u.addr.early = copy_to_mbufs(s->in, Buffer);
		if (op->u.addr.early == NULL) {
			op->offlcore = false;
			wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	return wsk_op_dispatch(op, connect_run);
}

NTSTATUS WSKAPI
wsk_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags, PIRP Irp)
{
	return connect_common(wsk_sock_of(Socket), RemoteAddress, NULL, Flags, Irp);
}

NTSTATUS WSKAPI
wsk_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer, ULONG Flags,
	       PIRP Irp)
{
	return connect_common(wsk_sock_of(Socket), RemoteAddress, Buffer, Flags, Irp);
}

NTSTATUS WSKAPI
wsk_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol, PSOCKADDR LocalAddress,
		   PSOCKADDR RemoteAddress, ULONG Flags, PVOID SocketContext,
		   CONST WSK_CLIENT_CONNECTION_DISPATCH *Dispatch, PEPROCESS OwningProcess,
		   PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
	struct wsk_client *cl = wsk_client_of(Client);
	struct wsk_sock *s;
	struct wsk_op *op;
	NTSTATUS st;

	(void)OwningProcess;
	(void)OwningThread;
	(void)SecurityDescriptor;
	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (cl == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (Flags != 0 || LocalAddress == NULL || RemoteAddress == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (LocalAddress->sa_family != AF_INET)
		return wsk_irp_fail(Irp, LocalAddress->sa_family == AF_INET6 ? STATUS_NOT_SUPPORTED
								     : STATUS_INVALID_PARAMETER);
	atomic_fetch_add(&cl->calls, 1);
	st = wsk_socket_make(cl, SocketType, Protocol, WSK_FLAG_CONNECTION_SOCKET, SocketContext,
			     Dispatch, &s);
	if (!NT_SUCCESS(st)) {
		wsk_irp_fail(Irp, st);
		atomic_fetch_sub(&cl->calls, 1);
		return st;
	}
	st = wsk_op_begin(cl, s, Irp, WSK_OP_CONNECT, &op);
	if (!NT_SUCCESS(st)) {
		wsk_sock_put(s);
		atomic_fetch_sub(&cl->calls, 1);
		return st;
	}
	op->socket_connect = true;
	memcpy(&op->u.addr.local, LocalAddress, sizeof(SOCKADDR_IN));
	op->u.addr.have_local = true;
	memcpy(&op->u.addr.addr, RemoteAddress, sizeof(SOCKADDR_IN));
	op->u.addr.early = NULL;
	st = wsk_op_dispatch(op, connect_run);
	atomic_fetch_sub(&cl->calls, 1);
	return st;
}

NTSTATUS WSKAPI
wsk_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (RemoteAddress == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->state != WSK_S_CONNECTED && !(s->state == WSK_S_DEAD && s->fport != 0))
		return wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_STATE);
	/* The remote address is fixed once connected: no lcore needed. */
	wsk_addr_out(RemoteAddress, s->faddr, s->fport);
	return wsk_irp_fail(Irp, STATUS_SUCCESS);
}

/* ---------------------------------------------------------------------------
 * WskSend
 */

/* The send's mbufs: the MDL pages as external buffers, or a copy. */
static struct rte_mbuf *
send_chain(struct wsk_sock *s, struct wsk_op *op, bool *copied, bool *at_once)
{
	const WSK_BUF *b = &op->u.io.buf;
	struct rte_mempool *mp = stk_inst_mempool(s->in);
	struct rte_mbuf *head = NULL, *tail = NULL;
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset, left = b->Length;
	uint16_t nseg = 0;
	bool va_iova = rte_eal_iova_mode() == RTE_IOVA_VA;
	struct stk_tcp_info ti;

	stk_tcp_info(s->conn, &ti);
	/* Small sends into a short queue are copied and complete at once; a copy
	 * made only because the pages cannot be handed to the NIC (IOVA as PA)
	 * completes on ACK like a zero-copy send, so WskSend keeps its flow
	 * control (the ideal send backlog) whatever the IOVA mode. */
	*at_once = b->Length <= WSK_COPY_MAX && ti.send_queued < WSK_COPY_QUEUE;
	if (*at_once || !va_iova) {
		*copied = true;
		return copy_to_mbufs(s->in, b);
	}
	*copied = false;
	op->u.io.shinfo.free_cb = ext_free_cb;
	op->u.io.shinfo.fcb_opaque = op;
	rte_mbuf_ext_refcnt_set(&op->u.io.shinfo, 1); /* ours until the chain is built */
	while (left > 0 && mdl != NULL) {
		uint8_t *va = (uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		SIZE_T have = RTE_MIN(left, MmGetMdlByteCount(mdl) - off);

		while (have > 0) {
			uint32_t n = (uint32_t)RTE_MIN(have, (SIZE_T)WSK_EXT_CHUNK);
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

			if (m == NULL || nseg == UINT16_MAX) {
				rte_pktmbuf_free(m);
				rte_pktmbuf_free(head); /* drops their shinfo references */
				rte_mbuf_ext_refcnt_update(&op->u.io.shinfo, -1);
				return NULL;
			}
			rte_mbuf_ext_refcnt_update(&op->u.io.shinfo, 1);
			rte_pktmbuf_attach_extbuf(m, va, (rte_iova_t)(uintptr_t)va, (uint16_t)n,
						  &op->u.io.shinfo);
			m->data_len = (uint16_t)n;
			m->pkt_len = n;
			if (head == NULL) {
				head = tail = m;
			} else {
				tail->next = m;
				tail = m;
				head->nb_segs++;
				head->pkt_len += n;
			}
			nseg++;
			va += n;
			have -= n;
			left -= n;
		}
		mdl = mdl->Next;
		off = 0;
	}
	/* Drop the building reference: the mbufs hold the rest. */
	rte_mbuf_ext_refcnt_update(&op->u.io.shinfo, -1);
	return head;
}

static NTSTATUS
send_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	struct rte_mbuf *m;
	bool copied = false, at_once = false;
	NTSTATUS st;
	int err;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (s->state == WSK_S_DEAD) {
		st = dead_status(s);
		wsk_op_complete(op, st, 0);
		return st;
	}
	if (s->state != WSK_S_CONNECTED || s->shut_sent || s->conn == NULL) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (op->u.io.buf.Length == 0) {
		wsk_op_complete(op, STATUS_SUCCESS, 0);
		return STATUS_SUCCESS;
	}
	m = send_chain(s, op, &copied, &at_once);
	if (m == NULL) {
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (copied && at_once) {
		err = stk_tcp_send(s->conn, m, &copied_send,
				   (op->u.io.flags & WSK_FLAG_NODELAY) ? STK_TCP_SEND_NODELAY : 0);
		atomic_fetch_add(&s->host->st.sends_copied, 1);
		st = err == 0 ? STATUS_SUCCESS : wsk_status_of(err);
		wsk_op_complete(op, st, err == 0 ? op->u.io.buf.Length : 0);
		return st;
	}
	/* Zero copy: complete when acknowledged and the pages are free (a copy:
	 * when acknowledged; no page reference to wait for). */
	op->status = STATUS_SUCCESS;
	op->u.io.done = op->u.io.buf.Length;
	atomic_store(&op->refs, copied ? 1 : 2);
	if (!wsk_op_arm_stack(op)) {
		op->cancelling = true;
		op->status = STATUS_CANCELLED;
		atomic_store(&op->refs, 1);
		rte_pktmbuf_free(m); /* the shinfo callback drops the last reference */
		if (copied)
			send_ref_drop(op);
		return STATUS_PENDING;
	}
	s->sends++;
	atomic_fetch_add(copied ? &s->host->st.sends_copied : &s->host->st.sends_zero_copy, 1);
	err = stk_tcp_send(s->conn, m, op,
			   (op->u.io.flags & WSK_FLAG_NODELAY) ? STK_TCP_SEND_NODELAY : 0);
	if (err != 0) {
		/* The stack freed the chain (its shinfo reference went); no sent upcall. */
		s->sends--;
		op->status = wsk_status_of(err);
		send_ref_drop(op);
	}
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (Flags & ~(ULONG)WSK_FLAG_NODELAY)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	if (!wsk_buf_valid(Buffer))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_CONNECTION && s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_SEND, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.io.buf = *Buffer;
	op->u.io.flags = Flags;
	op->u.io.done = 0;
	return wsk_op_dispatch(op, send_run);
}

NTSTATUS WSKAPI
wsk_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, ULONG ControlInfoLength,
	    PCMSGHDR ControlInfo, PIRP Irp)
{
	if (ControlInfoLength != 0 || ControlInfo != NULL) {
		if (Irp == NULL)
			return STATUS_INVALID_PARAMETER;
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	}
	return wsk_send(Socket, Buffer, Flags, Irp);
}

/* ---------------------------------------------------------------------------
 * WskReceive
 */

static NTSTATUS
receive_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (s->conn == NULL || (s->state != WSK_S_CONNECTED && s->state != WSK_S_DEAD)) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (!wsk_op_queue(op, &s->recv_q, WSK_Q_RECV))
		return STATUS_CANCELLED;
	if (s->recv_offering)
		tcp_kick(s); /* called from inside our own receive handling */
	else
		recv_service(s);
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if ((Flags & ~(ULONG)(WSK_FLAG_WAITALL | WSK_FLAG_DRAIN)) != 0)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	if ((Flags & WSK_FLAG_WAITALL) && (Flags & WSK_FLAG_DRAIN))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (!wsk_buf_valid(Buffer) || ((Flags & WSK_FLAG_DRAIN) && Buffer->Length != 0))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_CONNECTION && s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_RECEIVE, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.io.buf = *Buffer;
	op->u.io.flags = Flags;
	op->u.io.done = 0;
	return wsk_op_dispatch(op, receive_run);
}

NTSTATUS WSKAPI
wsk_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PULONG ControlInfoLength,
	       PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp)
{
	(void)ControlInfo;
	if (ControlFlags != NULL) {
		if (Irp == NULL)
			return STATUS_INVALID_PARAMETER;
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	}
	if (ControlInfoLength != NULL)
		*ControlInfoLength = 0; /* no ancillary data for TCP here */
	return wsk_receive(Socket, Buffer, Flags, Irp);
}

/* ---------------------------------------------------------------------------
 * WskRelease (data indications): any thread
 */

static NTSTATUS
release_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;

	if (s->conn != NULL && !s->closing)
		stk_tcp_recv_done(s->conn, op->u.rel.bytes);
	wsk_op_free(op);
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_release_data(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_ind *ind = (struct wsk_ind *)DataIndication;
	struct rte_mbuf *m;
	uint32_t bytes;
	struct wsk_op *op;

	if (s == NULL || ind == NULL || ind->magic != WSK_IND_MAGIC || ind->s != s || ind->m == NULL)
		return STATUS_INVALID_PARAMETER;
	m = ind->m;
	bytes = ind->total;
	ind->m = NULL;
	ind_free_blocks(s->host, ind);
	rte_pktmbuf_free(m);
	atomic_fetch_sub(&s->inds, 1);
	op = wsk_op_new(s, WSK_OP_RELEASE);
	if (op != NULL) {
		op->u.rel.bytes = bytes;
		op->fn = release_run;
		if (!op->offlcore)
			release_run(op);
		else if (wsk_post(s->host, s->home, wsk_op_trampoline, op) != 0)
			wsk_op_free(op);
	}
	wsk_sock_put(s); /* the indication's reference */
	return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * WskDisconnect
 */

static NTSTATUS
disconnect_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	struct rte_mbuf *m = NULL;
	bool copied = false, at_once = false; /* a disconnect completes after the FIN anyway */
	int err;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (s->conn == NULL || (s->state != WSK_S_CONNECTED && s->state != WSK_S_DEAD)) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (op->u.io.flags & WSK_FLAG_ABORTIVE) {
		/* RST now: sends and a graceful disconnect in progress end aborted. */
		if (!s->aborted && s->state != WSK_S_DEAD)
			stk_tcp_abort(s->conn);
		s->aborted = true;
		s->state = WSK_S_DEAD;
		complete_recvs(s, STATUS_CONNECTION_ABORTED);
		wsk_op_complete(op, STATUS_SUCCESS, 0);
		return STATUS_SUCCESS;
	}
	if (s->state == WSK_S_DEAD) {
		wsk_op_complete(op, dead_status(s), 0);
		return STATUS_PENDING;
	}
	if (s->shut_sent || s->disc_op != NULL) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	op->status = STATUS_SUCCESS;
	atomic_store(&op->refs, 1);
	if (op->u.io.buf.Length > 0) {
		m = send_chain(s, op, &copied, &at_once);
		if (m == NULL) {
			wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
		if (!copied)
			atomic_store(&op->refs, 3); /* shutdown done, ACK of the data, pages free */
	}
	if (!wsk_op_arm_stack(op)) {
		rte_pktmbuf_free(m);
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return STATUS_PENDING;
	}
	if (m != NULL) {
		err = stk_tcp_send(s->conn, m, copied ? (void *)&copied_send : (void *)op, 0);
		if (err != 0 && !copied) {
			atomic_fetch_sub(&op->refs, 1); /* no sent upcall for a refused send */
			op->status = wsk_status_of(err);
		}
	}
	s->shut_sent = true;
	s->disc_op = op;
	err = stk_tcp_shutdown(s->conn, op);
	if (err != 0) {
		s->disc_op = NULL;
		if (op->status == STATUS_SUCCESS)
			op->status = wsk_status_of(err);
		send_ref_drop(op);
	}
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (Flags & ~(ULONG)WSK_FLAG_ABORTIVE)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (Buffer != NULL && !(Flags & WSK_FLAG_ABORTIVE) && !wsk_buf_valid(Buffer))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind != WSK_KIND_CONNECTION && s->kind != WSK_KIND_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_DISCONNECT, &op);
	if (!NT_SUCCESS(st))
		return st;
	memset(&op->u.io.buf, 0, sizeof(op->u.io.buf));
	/* With WSK_FLAG_ABORTIVE a final buffer is not sent (sends are cancelled). */
	if (Buffer != NULL && !(Flags & WSK_FLAG_ABORTIVE))
		op->u.io.buf = *Buffer;
	op->u.io.flags = Flags;
	op->u.io.done = 0;
	return wsk_op_dispatch(op, disconnect_run);
}

/* ---------------------------------------------------------------------------
 * Cancellation of an op the stack holds (IoCancelIrp on connect, send, disconnect)
 */

void
wsk_tcp_cancel(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;

	bool connecting = op->code == WSK_OP_CONNECT && s->connect_op == op;

	op->cancelling = true;
	if (op->stack_done)
		return; /* acknowledged already: it completes (cancelled) when its pages are free */
	/* TCP cannot take back bytes it may have sent: like Windows, cancelling
	 * a send, connect or graceful disconnect in progress aborts the
	 * connection. stk_tcp_abort ends every op the stack holds through the
	 * upcalls (this one included, as cancelled): op may be gone after it. */
	if (s->conn != NULL && !s->aborted && s->state != WSK_S_DEAD) {
		s->aborted = true;
		s->state = WSK_S_DEAD;
		stk_tcp_abort(s->conn);
		complete_recvs(s, STATUS_CONNECTION_ABORTED);
	}
	if (connecting && s->connect_op == op) {
		s->connect_op = NULL;
		wsk_op_complete(op, STATUS_CANCELLED, 0);
	}
}

/* ---------------------------------------------------------------------------
 * Options and IOCTLs
 */

static NTSTATUS
out_bytes(struct wsk_op *op, const void *v, SIZE_T n, SIZE_T *ret)
{
	if (op->u.ctl.out == NULL || op->u.ctl.out_size < n)
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(op->u.ctl.out, v, n);
	*ret = n;
	return STATUS_SUCCESS;
}

static NTSTATUS
in_ulong(const struct wsk_op *op, ULONG *v)
{
	if (op->u.ctl.in == NULL || op->u.ctl.in_size < sizeof(ULONG))
		return STATUS_INVALID_PARAMETER;
	memcpy(v, op->u.ctl.in, sizeof(*v));
	return STATUS_SUCCESS;
}

static NTSTATUS
tcp_setopt(struct wsk_sock *s, enum stk_tcp_opt o, uint32_t v)
{
	if (s->conn == NULL)
		return STATUS_SUCCESS;
	return stk_tcp_setopt(s->conn, o, v) == 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS
wsk_tcp_control(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	ULONG code = op->u.ctl.code, level = op->u.ctl.level, v = 0;
	SIZE_T ret = 0;
	NTSTATUS st = STATUS_NOT_SUPPORTED;
	bool conn_ok = s->conn != NULL && s->state == WSK_S_CONNECTED;

	if (op->u.ctl.type == WskSetOption) {
		if (level == SOL_SOCKET && (code == SO_KEEPALIVE || code == SO_RCVBUF ||
					    code == SO_SNDBUF)) {
			st = in_ulong(op, &v);
			if (!NT_SUCCESS(st))
				goto out;
			if (code == SO_KEEPALIVE) {
				s->keepalive = v != 0;
				st = tcp_setopt(s, STK_TCP_OPT_KEEPALIVE, v != 0);
			} else if (code == SO_RCVBUF) {
				s->rcvbuf = v;
				st = tcp_setopt(s, STK_TCP_OPT_RCVBUF, v);
			} else {
				s->sndbuf = v;
				st = tcp_setopt(s, STK_TCP_OPT_SNDBUF, v);
			}
		} else if (level == IPPROTO_TCP && code == TCP_NODELAY) {
			st = in_ulong(op, &v);
			if (NT_SUCCESS(st)) {
				s->nodelay = v != 0;
				st = tcp_setopt(s, STK_TCP_OPT_NODELAY, v != 0);
			}
		} else if (level == IPPROTO_TCP && (code == TCP_KEEPIDLE || code == TCP_KEEPINTVL ||
						    code == TCP_KEEPCNT)) {
			st = in_ulong(op, &v);
			if (NT_SUCCESS(st))
				st = tcp_setopt(s, code == TCP_KEEPCNT ? STK_TCP_OPT_KEEPCNT
						   : code == TCP_KEEPINTVL ? STK_TCP_OPT_KEEPINTVL_MS
									   : STK_TCP_OPT_KEEPIDLE_MS,
						code == TCP_KEEPCNT ? v : v * 1000u);
		} else if (level == IPPROTO_IPV6 && code == IPV6_V6ONLY) {
			st = in_ulong(op, &v); /* IPv4 only for now: accepted, nothing to do */
		}
	} else if (op->u.ctl.type == WskGetOption) {
		uint32_t u = 0;

		if (level == SOL_SOCKET && code == SO_KEEPALIVE) {
			st = out_bytes(op, &(ULONG){ s->keepalive }, sizeof(ULONG), &ret);
		} else if (level == SOL_SOCKET && (code == SO_RCVBUF || code == SO_SNDBUF)) {
			if (s->conn != NULL)
				stk_tcp_getopt(s->conn, code == SO_RCVBUF ? STK_TCP_OPT_RCVBUF
									  : STK_TCP_OPT_SNDBUF, &u);
			else
				u = code == SO_RCVBUF ? s->rcvbuf : s->sndbuf;
			st = out_bytes(op, &(ULONG){ u }, sizeof(ULONG), &ret);
		} else if (level == IPPROTO_TCP && code == TCP_NODELAY) {
			st = out_bytes(op, &(ULONG){ s->nodelay }, sizeof(ULONG), &ret);
		}
	} else {
		switch (code) {
		case SIO_WSK_QUERY_IDEAL_SEND_BACKLOG: {
			SIZE_T b = s->ideal_backlog;

			st = conn_ok ? out_bytes(op, &b, sizeof(b), &ret)
				     : STATUS_INVALID_DEVICE_STATE;
			break;
		}
		case SIO_WSK_QUERY_RECEIVE_BACKLOG: {
			SIZE_T b = s->conn != NULL ? stk_tcp_recv_pending(s->conn) : 0;

			st = conn_ok ? out_bytes(op, &b, sizeof(b), &ret)
				     : STATUS_INVALID_DEVICE_STATE;
			break;
		}
		case SIO_WSK_QUERY_INSPECT_ID: {
			WSK_INSPECT_ID id;

			if (!s->has_inspect) {
				st = STATUS_INVALID_DEVICE_REQUEST;
				break;
			}
			id.Key = (ULONG_PTR)s->inspect_key;
			id.SerialNumber = s->inspect_serial;
			st = out_bytes(op, &id, sizeof(id), &ret);
			break;
		}
		case SIO_WSK_SET_TCP_SILENT_MODE:
			st = STATUS_NOT_SUPPORTED;
			break;
		default:
			st = STATUS_NOT_SUPPORTED;
			break;
		}
	}
out:
	wsk_op_complete(op, st, NT_SUCCESS(st) ? ret : 0);
	return st;
}

/* ---------------------------------------------------------------------------
 * Close
 */

static NTSTATUS
listen_close_run(struct wsk_op *sub)
{
	struct wsk_sock *s = sub->s;
	unsigned int i = sub->u.hand.idx;

	if (s->lst[i] != NULL) {
		stk_tcp_close(s->lst[i]);
		s->lst[i] = NULL;
	}
	wsk_op_free(sub);
	return STATUS_SUCCESS;
}

static void
close_ack_run(struct stk_inst *in, void *arg)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(in);
	s->close_wait--;
	wsk_sock_close_check(s);
	wsk_sock_put(s);
}

static NTSTATUS
listen_close_and_ack(struct wsk_op *sub)
{
	struct wsk_sock *s = sub->s;

	wsk_sock_get(s);
	listen_close_run(sub);
	if (wsk_on_lcore(s->host, s->home))
		close_ack_run(NULL, s);
	else if (wsk_post(s->host, s->home, close_ack_run, s) != 0)
		close_ack_run(NULL, s);
	return STATUS_SUCCESS;
}

NTSTATUS
wsk_tcp_close_run(struct wsk_sock *s)
{
	struct wsk_sock *ns;
	unsigned int i;

	/* Listener: connections nobody accepted, and the stack listeners. */
	while ((ns = TAILQ_FIRST(&s->backlog)) != NULL) {
		TAILQ_REMOVE(&s->backlog, ns, blink);
		s->backlog_len--;
		discard_accepted(s, ns);
	}
	for (i = 0; i < s->host->n; i++) {
		struct wsk_op *sub;

		if (s->lst[i] == NULL)
			continue;
		sub = wsk_op_new(s, WSK_OP_CLOSE);
		if (sub == NULL)
			continue;
		sub->u.hand.idx = i;
		s->close_wait++;
		wsk_op_dispatch_to(sub, i, listen_close_and_ack);
	}
	/* Connection: not disconnected both ways → abortive. */
	if (s->conn != NULL) {
		/* shut_done: our FIN was acknowledged and the peer's FIN arrived (the
		 * stack's peer_fin upcall may not have run yet when a completion
		 * routine closes the socket inside the same input). */
		if (!s->aborted && s->state != WSK_S_DEAD && !s->shut_done) {
			s->aborted = true;
			stk_tcp_abort(s->conn);
		}
		complete_recvs(s, STATUS_CANCELLED);
		if (s->connect_op != NULL) {
			struct wsk_op *op = s->connect_op;

			s->connect_op = NULL;
			stack_op_done(op, STATUS_CANCELLED, 0);
		}
		stk_tcp_close(s->conn);
		s->conn = NULL;
	}
	s->state = WSK_S_DEAD;
	return STATUS_PENDING;
}
