/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiving on TCP connection sockets: pending WskReceive IRPs served from
 * the stack's recv upcall or from held data, WskReceiveEvent with
 * WSK_DATA_INDICATION lists over the mbufs in place (SUCCESS, partial,
 * STATUS_DATA_NOT_ACCEPTED, STATUS_PENDING + WskRelease), and the kicks that
 * resume indications outside any upcall. Home lcore, except WskRelease
 * (any thread).
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "wsk_priv.h"
#include "wsk_tcp_priv.h"

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

void
wsk_tcp_recv_service(struct wsk_sock *s)
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
				recv_complete(s, op, s->state == WSK_S_DEAD ? wsk_tcp_dead_status(s)
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
			recv_complete(s, op, op->u.io.done > 0 ? STATUS_SUCCESS : wsk_tcp_dead_status(s));
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

enum stk_tcp_recv_verdict
wsk_tcp_conn_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
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
			wsk_tcp_kick(s); /* the rest is indicated from a fresh offer */
		return STK_TCP_RECV_PARTIAL;
	}
	if (off > 0) {
		*consumed = off;
		wsk_tcp_kick(s);
		return STK_TCP_RECV_PARTIAL;
	}
	ind = ind_build(s, m, len);
	if (ind == NULL) {
		*consumed = 0;
		wsk_tcp_kick(s); /* retry when blocks come back */
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

void
wsk_tcp_complete_recvs(struct wsk_sock *s, NTSTATUS st)
{
	struct wsk_op *op;

	while ((op = first_live(&s->recv_q)) != NULL)
		recv_complete(s, op, op->u.io.done > 0 ? STATUS_SUCCESS : st);
}

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
		wsk_tcp_recv_service(s);
	wsk_sock_put(s);
}

void
wsk_tcp_kick(struct wsk_sock *s)
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
	if ((bits & WSK_EVENT_RECEIVE) && s->conn != NULL)
		wsk_tcp_kick(s);
	if ((bits & WSK_EVENT_ACCEPT) && wsk_tcp_is_listening(s))
		wsk_tcp_backlog_to_event(s);
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
		wsk_tcp_kick(s); /* called from inside our own receive handling */
	else
		wsk_tcp_recv_service(s);
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
