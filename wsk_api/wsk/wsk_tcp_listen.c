/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP listening sockets: one stack listener per instance, WskBind (listen
 * sockets listen at bind) and WskListen (stream sockets), accepting
 * (pending WskAccept IRPs, then WskAcceptEvent, then the backlog),
 * conditional accept (WskInspectEvent before the SYN-ACK, WskAbortEvent,
 * WskInspectComplete), and closing the listeners. The accept, inspect and
 * abort upcalls run on the lcore the SYN reached; the accept queue and the
 * backlog stay on the listener's home lcore.
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "wsk_priv.h"
#include "wsk_tcp_priv.h"

static const struct stk_tcp_upcalls lst_up;

static void
sockaddr_pair(const struct stk_tcp_peer *p, SOCKADDR_IN *l, SOCKADDR_IN *r)
{
	wsk_addr_out((PSOCKADDR)l, p->laddr, p->lport);
	wsk_addr_out((PSOCKADDR)r, p->faddr, p->fport);
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
			wsk_op_dispatch_to(sub, i, wsk_tcp_listen_close_and_ack);
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

void
wsk_tcp_discard_accepted(struct wsk_sock *L, struct wsk_sock *ns)
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
		wsk_tcp_kick(ns);
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
		wsk_tcp_discard_accepted(L, ns);
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
			wsk_tcp_discard_accepted(L, ns);
		return;
	}
	if (L->backlog_len >= L->backlog_max) {
		wsk_tcp_discard_accepted(L, ns);
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
	stk_tcp_set_upcalls(c, &wsk_tcp_conn_up, ns);
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
	if (!wsk_tcp_is_listening(L)) {
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

/* WSK_EVENT_ACCEPT was just enabled (home lcore): connections that waited
 * in the backlog go to the event now. */
void
wsk_tcp_backlog_to_event(struct wsk_sock *L)
{
	struct wsk_sock *ns;

	while ((ns = TAILQ_FIRST(&L->backlog)) != NULL && accept_event_ready(L)) {
		TAILQ_REMOVE(&L->backlog, ns, blink);
		L->backlog_len--;
		if (!accept_event(L, ns))
			wsk_tcp_discard_accepted(L, ns);
	}
}

/* ---------------------------------------------------------------------------
 * Closing a listener: the stack listener of each instance, closed there
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

NTSTATUS
wsk_tcp_listen_close_and_ack(struct wsk_op *sub)
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

/* WskCloseSocket of a listener (home lcore): connections nobody accepted go,
 * and each instance closes its stack listener and acknowledges. */
void
wsk_tcp_listener_close(struct wsk_sock *s)
{
	struct wsk_sock *ns;
	unsigned int i;

	while ((ns = TAILQ_FIRST(&s->backlog)) != NULL) {
		TAILQ_REMOVE(&s->backlog, ns, blink);
		s->backlog_len--;
		wsk_tcp_discard_accepted(s, ns);
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
		wsk_op_dispatch_to(sub, i, wsk_tcp_listen_close_and_ack);
	}
}
