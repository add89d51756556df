/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection sockets over the stack seam (stk_tcp.h): the connection's
 * upcalls (connected, sent, send backlog, peer FIN, shutdown done, reset),
 * WskConnect / WskConnectEx / WskSocketConnect, WskSend (zero copy: the
 * MDL's pages go out as external mbufs and the IRP completes on ACK),
 * WskDisconnect, cancellation of what the stack holds, options and IOCTLs,
 * and WskCloseSocket. Listening is in wsk_tcp_listen.c, receiving in
 * wsk_tcp_recv.c. Everything here runs on the socket's home lcore.
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "wsk_priv.h"
#include "wsk_tcp_priv.h"

/* Sends up to this size are copied and complete at once, while the
 * connection has less than WSK_COPY_QUEUE bytes queued. */
#define WSK_COPY_MAX    1024u
#define WSK_COPY_QUEUE  (256u * 1024u)
/* External mbufs cover at most this much of a client page run. */
#define WSK_EXT_CHUNK   32768u

static char copied_send; /* send_ctx of copied sends: nothing to complete */

bool
wsk_tcp_is_listening(const struct wsk_sock *s)
{
	return s->state == WSK_S_LISTENING;
}

NTSTATUS
wsk_tcp_dead_status(const struct wsk_sock *s)
{
	if (s->aborted)
		return STATUS_CONNECTION_ABORTED;
	return s->reset_err != 0 ? wsk_status_of(s->reset_err) : STATUS_CONNECTION_RESET;
}

void
wsk_tcp_stack_op_done(struct wsk_op *op, NTSTATUS st, ULONG_PTR info)
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
			wsk_tcp_stack_op_done(op, STATUS_SUCCESS, (ULONG_PTR)&s->pub);
			return;
		}
		/* WskSocketConnect failed: the socket never reaches the client. */
		s->closing = true;
		stk_tcp_close(c);
		s->conn = NULL;
		wsk_bind_table_del(s);
		wsk_tcp_stack_op_done(op, wsk_status_of(err), 0);
		wsk_sock_put(s);
		return;
	}
	/* A close in progress cancels a pending connect (closing-a-socket.md). */
	wsk_tcp_stack_op_done(op, s->closing ? STATUS_CANCELLED : wsk_status_of(err), 0);
}
static void
conn_sent_final(struct wsk_op *op)
{
	wsk_tcp_stack_op_done(op, op->status, op->status == STATUS_SUCCESS ? op->u.io.done : 0);
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
	wsk_tcp_recv_service(s);
	if (!s->closing && !s->fin_indicated) {
		s->fin_indicated = true;
		disconnect_event(s, 0);
	}
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
	wsk_tcp_complete_recvs(s, wsk_tcp_dead_status(s));
	if (!s->closing)
		disconnect_event(s, WSK_FLAG_ABORTIVE);
}

const struct stk_tcp_upcalls wsk_tcp_conn_up = {
	.connected = conn_connected,
	.recv = wsk_tcp_conn_recv,
	.sent = conn_sent,
	.send_backlog = conn_send_backlog,
	.peer_fin = conn_peer_fin,
	.shutdown_done = conn_shutdown_done,
	.reset = conn_reset,
};
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
	err = stk_tcp_connect(s->in, s->laddr, s->lport, fa, fp, &wsk_tcp_conn_up, s, &s->conn);
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
		st = wsk_tcp_dead_status(s);
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
		wsk_tcp_complete_recvs(s, STATUS_CONNECTION_ABORTED);
		wsk_op_complete(op, STATUS_SUCCESS, 0);
		return STATUS_SUCCESS;
	}
	if (s->state == WSK_S_DEAD) {
		wsk_op_complete(op, wsk_tcp_dead_status(s), 0);
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

NTSTATUS
wsk_tcp_close_run(struct wsk_sock *s)
{
	/* Listener: connections nobody accepted, and the stack listeners. */
	wsk_tcp_listener_close(s);
	/* Connection: not disconnected both ways → abortive. */
	if (s->conn != NULL) {
		/* shut_done: our FIN was acknowledged and the peer's FIN arrived (the
		 * stack's peer_fin upcall may not have run yet when a completion
		 * routine closes the socket inside the same input). */
		if (!s->aborted && s->state != WSK_S_DEAD && !s->shut_done) {
			s->aborted = true;
			stk_tcp_abort(s->conn);
		}
		wsk_tcp_complete_recvs(s, STATUS_CANCELLED);
		if (s->connect_op != NULL) {
			struct wsk_op *op = s->connect_op;

			s->connect_op = NULL;
			wsk_tcp_stack_op_done(op, STATUS_CANCELLED, 0);
		}
		stk_tcp_close(s->conn);
		s->conn = NULL;
	}
	s->state = WSK_S_DEAD;
	return STATUS_PENDING;
}
