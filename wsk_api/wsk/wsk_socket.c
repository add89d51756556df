/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every socket category shares: WskSocket, WskBind, WskGetLocalAddress,
 * WskControlSocket (options, IOCTLs, SO_WSK_EVENT_CALLBACK) and
 * WskCloseSocket.
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "wsk_priv.h"

/* Event bits per category. */
#define EV_CONN   (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)
#define EV_LISTEN (WSK_EVENT_ACCEPT)
#define EV_DGRAM  (WSK_EVENT_RECEIVE_FROM)

static bool
is_tcp(const struct wsk_sock *s)
{
	return s->kind == WSK_KIND_LISTEN || s->kind == WSK_KIND_CONNECTION ||
	       s->kind == WSK_KIND_STREAM || (s->kind == WSK_KIND_BASIC && s->type == SOCK_STREAM);
}

/* ---------------------------------------------------------------------------
 * WskSocket
 */

static unsigned int
pick_home(struct wsk_host *h)
{
	unsigned int idx;
	struct wsk_host *th = wsk_thread_host(&idx);

	if (th == h)
		return idx;
	return atomic_fetch_add(&h->next_inst, 1) % h->n;
}

NTSTATUS
wsk_socket_make(struct wsk_client *cl, USHORT type, ULONG proto, ULONG flags, PVOID ctx,
		const void *disp, struct wsk_sock **out)
{
	struct wsk_host *h = cl->host;
	uint8_t kind;
	struct wsk_sock *s;

	switch (flags) {
	case WSK_FLAG_BASIC_SOCKET:
		kind = WSK_KIND_BASIC;
		break;
	case WSK_FLAG_LISTEN_SOCKET:
		kind = WSK_KIND_LISTEN;
		break;
	case WSK_FLAG_CONNECTION_SOCKET:
		kind = WSK_KIND_CONNECTION;
		break;
	case WSK_FLAG_DATAGRAM_SOCKET:
		kind = WSK_KIND_DATAGRAM;
		break;
	case WSK_FLAG_STREAM_SOCKET:
		kind = WSK_KIND_STREAM;
		break;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	if (type == SOCK_RAW)
		return STATUS_NOT_SUPPORTED;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return STATUS_INVALID_PARAMETER;
	if ((type == SOCK_STREAM && proto != IPPROTO_TCP) ||
	    (type == SOCK_DGRAM && proto != IPPROTO_UDP))
		return STATUS_PROTOCOL_UNREACHABLE;
	/* Connection and stream sockets are TCP only; a datagram socket is UDP.
	 * A listen socket of another type is created, and fails at bind
	 * (observed on Windows: STATUS_NOT_IMPLEMENTED). */
	if ((kind == WSK_KIND_CONNECTION || kind == WSK_KIND_STREAM) && type != SOCK_STREAM)
		return STATUS_INVALID_PARAMETER;
	if (kind == WSK_KIND_DATAGRAM && type != SOCK_DGRAM)
		return STATUS_INVALID_PARAMETER;
	if (h == NULL)
		return STATUS_DEVICE_NOT_READY;
	s = wsk_sock_alloc(h, cl, pick_home(h), kind);
	if (s == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	s->type = type;
	s->proto = proto;
	s->ctx = ctx;
	s->cdisp = disp;
	switch (kind) {
	case WSK_KIND_LISTEN:
		s->listen_disp = disp;
		s->static_events = cl->static_events & (EV_LISTEN | EV_CONN);
		break;
	case WSK_KIND_CONNECTION:
		s->conn_disp = disp;
		s->static_events = cl->static_events & EV_CONN;
		break;
	case WSK_KIND_DATAGRAM:
		s->static_events = cl->static_events & EV_DGRAM;
		break;
	case WSK_KIND_STREAM:
		if (disp != NULL) {
			const WSK_CLIENT_STREAM_DISPATCH *sd = disp;

			s->listen_disp = sd->Listen;
			s->conn_disp = sd->Connect;
		}
		s->static_events = cl->static_events & (EV_LISTEN | EV_CONN);
		break;
	default:
		break;
	}
	/* Static callbacks are on from the start, but only where the client
	 * gave a callback to call. */
	atomic_store(&s->events, s->static_events);
	*out = s;
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily, USHORT SocketType, ULONG Protocol,
	   ULONG Flags, PVOID SocketContext, CONST VOID *Dispatch, PEPROCESS OwningProcess,
	   PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
	struct wsk_client *cl = wsk_client_of(Client);
	struct wsk_sock *s = NULL;
	struct wsk_op *op;
	NTSTATUS st;

	(void)OwningProcess;
	(void)OwningThread;
	(void)SecurityDescriptor;
	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (cl == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	atomic_fetch_add(&cl->calls, 1);
	if (AddressFamily == AF_INET6)
		st = STATUS_NOT_SUPPORTED; /* IPv6 is not implemented yet */
	else if (AddressFamily != AF_INET)
		st = STATUS_INVALID_PARAMETER;
	else
		st = wsk_socket_make(cl, SocketType, Protocol, Flags, SocketContext, Dispatch, &s);
	if (!NT_SUCCESS(st)) {
		wsk_irp_fail(Irp, st);
		atomic_fetch_sub(&cl->calls, 1);
		return st;
	}
	st = wsk_op_begin(cl, NULL, Irp, WSK_OP_SOCKET, &op);
	if (!NT_SUCCESS(st)) {
		wsk_sock_put(s);
		atomic_fetch_sub(&cl->calls, 1);
		return st;
	}
	/* Creating a socket needs no lcore: complete on the caller's thread. */
	op->offlcore = false;
	wsk_op_complete(op, STATUS_SUCCESS, (ULONG_PTR)&s->pub);
	atomic_fetch_sub(&cl->calls, 1);
	return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * WskBind
 */

static NTSTATUS
bind_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	rte_be32_t addr;
	rte_be16_t port;
	NTSTATUS st;

	if (s->closing) {
		wsk_op_complete(op, STATUS_FILE_FORCED_CLOSED, 0);
		return STATUS_FILE_FORCED_CLOSED;
	}
	if (s->bound || s->state != WSK_S_OPEN) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	st = wsk_addr_in((const SOCKADDR *)&op->u.addr.addr, &addr, &port);
	if (NT_SUCCESS(st))
		st = wsk_bind_table_add(s, is_tcp(s) ? IPPROTO_TCP : IPPROTO_UDP, addr, port);
	if (!NT_SUCCESS(st)) {
		wsk_op_complete(op, st, 0);
		return st;
	}
	if (s->kind == WSK_KIND_LISTEN)
		return wsk_tcp_bind_run(op); /* listening starts at bind */
	if (s->kind == WSK_KIND_DATAGRAM)
		return wsk_udp_bind_run(op);
	s->state = WSK_S_BOUND;
	wsk_op_complete(op, STATUS_SUCCESS, 0);
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (LocalAddress == NULL || Flags != 0)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	if (s->kind == WSK_KIND_LISTEN && s->type != SOCK_STREAM)
		return wsk_irp_fail(Irp, STATUS_NOT_IMPLEMENTED);
	if (s->kind == WSK_KIND_BASIC)
		return wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
	if (LocalAddress->sa_family != AF_INET)
		return wsk_irp_fail(Irp, LocalAddress->sa_family == AF_INET6 ?
				     STATUS_NOT_SUPPORTED : STATUS_INVALID_ADDRESS_COMPONENT);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_BIND, &op);
	if (!NT_SUCCESS(st))
		return st;
	memcpy(&op->u.addr.addr, LocalAddress, sizeof(SOCKADDR_IN));
	return wsk_op_dispatch(op, bind_run);
}

/* ---------------------------------------------------------------------------
 * WskGetLocalAddress
 */

static NTSTATUS
local_addr_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	rte_be32_t a = s->laddr;
	rte_be16_t p = s->lport;

	if (!s->bound && s->conn == NULL) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (s->conn != NULL) {
		rte_be32_t fa;
		rte_be16_t fp;

		stk_tcp_addrs(s->conn, &a, &p, &fa, &fp);
	}
	wsk_addr_out(op->u.ga.addr, a, p);
	wsk_op_complete(op, STATUS_SUCCESS, 0);
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (LocalAddress == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_LOCAL_ADDR, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.ga.addr = LocalAddress;
	return wsk_op_dispatch(op, local_addr_run);
}

/* ---------------------------------------------------------------------------
 * SO_WSK_EVENT_CALLBACK
 */

static bool
npi_is_wsk(const NPIID *id)
{
	return id != NULL && memcmp(id, &NPI_WSK_INTERFACE_ID, sizeof(*id)) == 0;
}

/* Event bits the socket may carry, given its category and flow. */
static ULONG
events_allowed(const struct wsk_sock *s)
{
	switch (s->kind) {
	case WSK_KIND_LISTEN:
		return EV_LISTEN | EV_CONN; /* connection bits: inherited by accepted sockets */
	case WSK_KIND_CONNECTION:
		return EV_CONN;
	case WSK_KIND_DATAGRAM:
		return EV_DGRAM;
	case WSK_KIND_STREAM:
		return s->state == WSK_S_LISTENING ? (EV_LISTEN | EV_CONN) : EV_CONN;
	default:
		return 0;
	}
}

static bool
events_ready(const struct wsk_sock *s)
{
	switch (s->kind) {
	case WSK_KIND_LISTEN:
	case WSK_KIND_DATAGRAM:
		return s->bound;
	case WSK_KIND_CONNECTION:
		return s->state == WSK_S_CONNECTED || s->state == WSK_S_DEAD;
	case WSK_KIND_STREAM:
		return s->state == WSK_S_LISTENING || s->state == WSK_S_CONNECTED ||
		       s->state == WSK_S_DEAD;
	default:
		return false;
	}
}

/* Home lcore: newly enabled bits may have work waiting (held data, a backlog). */
static NTSTATUS
events_enabled_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	ULONG bits = op->u.ctl.code;

	if (!s->closing) {
		if (s->kind == WSK_KIND_DATAGRAM)
			wsk_udp_events_enabled(s, bits);
		else
			wsk_tcp_events_enabled(s, bits);
	}
	wsk_op_free(op);
	return STATUS_SUCCESS;
}

static void
events_run_trampoline(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;

	RTE_SET_USED(in);
	op->fn(op);
}

static void
events_enabled_kick(struct wsk_sock *s, ULONG bits)
{
	struct wsk_op *op = wsk_op_new(s, WSK_OP_CONTROL);

	if (op == NULL)
		return;
	op->u.ctl.code = bits;
	op->fn = events_enabled_run;
	if (!op->offlcore) {
		events_enabled_run(op);
		return;
	}
	if (wsk_post(s->host, s->home, events_run_trampoline, op) != 0)
		wsk_op_free(op);
}

static void
disable_queue_run(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_sock *s = op->s;

	RTE_SET_USED(in);
	if (atomic_load(&s->in_cb) == 0) {
		wsk_op_complete(op, STATUS_SUCCESS, 0);
		return;
	}
	wsk_op_queue(op, &s->disable_q, WSK_Q_DISABLE);
}

static NTSTATUS
event_callback_control(struct wsk_sock *s, SIZE_T in_size, PVOID in, PIRP irp)
{
	const WSK_EVENT_CALLBACK_CONTROL *ecc = in;
	ULONG mask, bits, allowed;
	struct wsk_op *op;
	NTSTATUS st;

	if (ecc == NULL || in_size < sizeof(*ecc) || !npi_is_wsk(ecc->NpiId))
		return STATUS_INVALID_PARAMETER;
	mask = ecc->EventMask;
	bits = mask & ~WSK_EVENT_DISABLE;
	allowed = events_allowed(s);
	if (bits == 0 || (bits & ~allowed) != 0)
		return STATUS_INVALID_PARAMETER;
	if (!events_ready(s))
		return STATUS_INVALID_DEVICE_STATE;
	if (s->closing)
		return STATUS_FILE_FORCED_CLOSED;
	if ((mask & WSK_EVENT_DISABLE) == 0) {
		/* Enable any combination; no IRP. */
		if (irp != NULL)
			return STATUS_INVALID_PARAMETER;
		if (s->kind == WSK_KIND_LISTEN || (s->kind == WSK_KIND_STREAM &&
						   s->state == WSK_S_LISTENING))
			atomic_fetch_or(&s->inherit, bits & EV_CONN);
		atomic_fetch_or(&s->events, bits);
		events_enabled_kick(s, bits);
		return STATUS_SUCCESS;
	}
	/* Disable one bit at a time; static callbacks and inherited connection
	 * bits of a listener stay on. */
	if ((bits & (bits - 1)) != 0)
		return STATUS_INVALID_PARAMETER;
	if ((s->static_events & bits) != 0)
		return STATUS_INVALID_DEVICE_REQUEST;
	if ((s->kind == WSK_KIND_LISTEN || s->state == WSK_S_LISTENING) && (bits & EV_CONN))
		return STATUS_INVALID_DEVICE_REQUEST;
	atomic_fetch_and(&s->events, ~bits);
	if (atomic_load(&s->in_cb) == 0) {
		if (irp != NULL) {
			if (wsk_op_begin(s->cl, s, irp, WSK_OP_CONTROL, &op) == STATUS_SUCCESS) {
				op->offlcore = false;
				wsk_op_complete(op, STATUS_SUCCESS, 0);
			}
		}
		return STATUS_SUCCESS;
	}
	if (irp == NULL)
		return STATUS_EVENT_PENDING;
	st = wsk_op_begin(s->cl, s, irp, WSK_OP_CONTROL, &op);
	if (!NT_SUCCESS(st))
		return st;
	IoMarkIrpPending(irp);
	if (!op->offlcore)
		disable_queue_run(NULL, op);
	else if (wsk_post(s->host, s->home, disable_queue_run, op) != 0)
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
	return STATUS_PENDING;
}

void
wsk_cb_leave(struct wsk_sock *s)
{
	if (atomic_fetch_sub_explicit(&s->in_cb, 1, memory_order_acq_rel) != 1)
		return;
	/* Last running callback returned: release disable requests waiting for it. */
	if (wsk_on_lcore(s->host, s->home)) {
		struct wsk_op *op;

		while ((op = TAILQ_FIRST(&s->disable_q)) != NULL) {
			if (!wsk_op_unqueue(op)) {
				TAILQ_REMOVE(&s->disable_q, op, link);
				op->q = WSK_Q_NONE;
				op->finished = true;
				op->status = STATUS_SUCCESS;
				continue;
			}
			wsk_op_complete(op, STATUS_SUCCESS, 0);
		}
		if (s->closing)
			wsk_sock_close_check(s);
	} else if (s->closing || !TAILQ_EMPTY(&s->disable_q)) {
		wsk_sock_close_check_post(s);
	}
}

/* ---------------------------------------------------------------------------
 * WskControlSocket
 */

static NTSTATUS
put_ulong(struct wsk_op *op, ULONG v, SIZE_T *ret)
{
	if (op->u.ctl.out == NULL || op->u.ctl.out_size < sizeof(ULONG))
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(op->u.ctl.out, &v, sizeof(v));
	*ret = sizeof(ULONG);
	return STATUS_SUCCESS;
}

static NTSTATUS
get_ulong(const struct wsk_op *op, ULONG *v)
{
	if (op->u.ctl.in == NULL || op->u.ctl.in_size < sizeof(ULONG))
		return STATUS_INVALID_PARAMETER;
	memcpy(v, op->u.ctl.in, sizeof(*v));
	return STATUS_SUCCESS;
}

/* Options handled here for every kind; the rest go to the TCP / UDP code. */
static NTSTATUS
control_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	SIZE_T ret = 0;
	NTSTATUS st = STATUS_NOT_SUPPORTED;
	ULONG v = 0;
	bool pre_bind = !s->bound && s->state == WSK_S_OPEN;

	if (s->closing) {
		st = STATUS_FILE_FORCED_CLOSED;
		goto out;
	}
	if (op->u.ctl.type == WskSetOption && op->u.ctl.level == SOL_SOCKET) {
		switch (op->u.ctl.code) {
		case SO_REUSEADDR:
		case SO_EXCLUSIVEADDRUSE:
			if (s->kind == WSK_KIND_BASIC) {
				st = STATUS_NOT_SUPPORTED;
				goto out;
			}
			st = get_ulong(op, &v);
			if (!NT_SUCCESS(st))
				goto out;
			if (!pre_bind) {
				st = STATUS_INVALID_DEVICE_STATE;
				goto out;
			}
			if (op->u.ctl.code == SO_REUSEADDR) {
				if (v && s->exclusive) {
					st = STATUS_INVALID_PARAMETER;
					goto out;
				}
				s->reuseaddr = v != 0;
			} else {
				if (v && s->reuseaddr) {
					st = STATUS_INVALID_PARAMETER;
					goto out;
				}
				s->exclusive = v != 0;
			}
			st = STATUS_SUCCESS;
			goto out;
		case SO_CONDITIONAL_ACCEPT:
			if (s->kind != WSK_KIND_LISTEN) {
				st = STATUS_INVALID_DEVICE_REQUEST;
				goto out;
			}
			st = get_ulong(op, &v);
			if (!NT_SUCCESS(st))
				goto out;
			if (!pre_bind) {
				st = STATUS_INVALID_DEVICE_STATE;
				goto out;
			}
			s->cond_accept = v != 0;
			st = STATUS_SUCCESS;
			goto out;
		case SO_WSK_SECURITY:
			/* A cached security descriptor: kept for nothing, sockets share by the table. */
			st = pre_bind ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
			goto out;
		default:
			break;
		}
	}
	if (op->u.ctl.type == WskGetOption && op->u.ctl.level == SOL_SOCKET) {
		switch (op->u.ctl.code) {
		case SO_REUSEADDR:
			st = put_ulong(op, s->reuseaddr, &ret);
			goto out;
		case SO_EXCLUSIVEADDRUSE:
			st = put_ulong(op, s->exclusive, &ret);
			goto out;
		case SO_CONDITIONAL_ACCEPT:
			st = put_ulong(op, s->cond_accept, &ret);
			goto out;
		case SO_TYPE:
			st = put_ulong(op, s->type, &ret);
			goto out;
		default:
			break;
		}
	}
	if (op->u.ctl.type == WskIoctl && op->u.ctl.code == SIO_WSK_REGISTER_EXTENSION) {
		st = STATUS_NOT_SUPPORTED;
		goto out;
	}
	/* Category specific. */
	if (s->kind == WSK_KIND_DATAGRAM || (s->kind == WSK_KIND_BASIC && s->type == SOCK_DGRAM))
		return wsk_udp_control(op);
	return wsk_tcp_control(op);
out:
	wsk_op_complete(op, st, ret);
	return st;
}

/*
 * SIO_WSK_QUERY_INSPECT_ID takes no IRP (sio-wsk-query-inspect-id.md): the id
 * is fixed before an accepted socket reaches the client, so any thread may
 * read it. Any socket not accepted on a conditional-accept listener:
 * STATUS_INVALID_DEVICE_REQUEST.
 */
static NTSTATUS
query_inspect_id(const struct wsk_sock *s, SIZE_T out_size, PVOID out, SIZE_T *out_ret)
{
	WSK_INSPECT_ID id;

	if (out_ret != NULL)
		*out_ret = 0;
	if (!s->has_inspect)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (out == NULL || out_size < sizeof(id))
		return STATUS_BUFFER_TOO_SMALL;
	id.Key = (ULONG_PTR)s->inspect_key;
	id.SerialNumber = s->inspect_serial;
	memcpy(out, &id, sizeof(id));
	if (out_ret != NULL)
		*out_ret = sizeof(id);
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType, ULONG ControlCode,
		   ULONG Level, SIZE_T InputSize, PVOID InputBuffer, SIZE_T OutputSize,
		   PVOID OutputBuffer, SIZE_T *OutputSizeReturned, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (s == NULL)
		return Irp != NULL ? wsk_irp_fail(Irp, STATUS_INVALID_HANDLE) : STATUS_INVALID_HANDLE;
	if (RequestType >= WskControlMax)
		return Irp != NULL ? wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER)
				   : STATUS_INVALID_PARAMETER;
	/* SO_WSK_EVENT_CALLBACK: no IRP to enable, optional IRP to disable. */
	if (RequestType == WskSetOption && Level == SOL_SOCKET &&
	    ControlCode == SO_WSK_EVENT_CALLBACK) {
		st = event_callback_control(s, InputSize, InputBuffer, Irp);
		if (Irp != NULL && st != STATUS_PENDING && !NT_SUCCESS(st))
			wsk_irp_fail(Irp, st);
		if (OutputSizeReturned != NULL && st != STATUS_PENDING)
			*OutputSizeReturned = 0;
		return st;
	}
	/* IOCTLs documented without an IRP. */
	if (RequestType == WskIoctl && Irp == NULL) {
		if (ControlCode == SIO_WSK_QUERY_INSPECT_ID)
			return query_inspect_id(s, OutputSize, OutputBuffer, OutputSizeReturned);
		if (ControlCode == SIO_WSK_REGISTER_EXTENSION)
			return STATUS_NOT_SUPPORTED; /* no extension interfaces */
	}
	/* Every other option and IOCTL needs an IRP. */
	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_CONTROL, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.ctl.type = RequestType;
	op->u.ctl.code = ControlCode;
	op->u.ctl.level = Level;
	op->u.ctl.in_size = InputSize;
	op->u.ctl.in = InputBuffer;
	/* Windows usually completes a set-option at once, and drivers pass
	 * inputs on their stack: copy small ones now, as if it had. */
	if (InputBuffer != NULL && InputSize <= sizeof(op->u.ctl.in_copy)) {
		memcpy(op->u.ctl.in_copy, InputBuffer, InputSize);
		op->u.ctl.in = op->u.ctl.in_copy;
	}
	op->u.ctl.out_size = OutputSize;
	op->u.ctl.out = OutputBuffer;
	op->u.ctl.out_ret = OutputSizeReturned;
	return wsk_op_dispatch(op, control_run);
}

/* ---------------------------------------------------------------------------
 * WskCloseSocket
 */

static void
cancel_queue(struct wsk_op_q *q)
{
	struct wsk_op *op, *next;

	for (op = TAILQ_FIRST(q); op != NULL; op = next) {
		next = TAILQ_NEXT(op, link);
		if (op->cancel_claimed)
			continue; /* its cancel request completes it */
		if (wsk_op_unqueue(op))
			wsk_op_complete(op, STATUS_CANCELLED, 0);
	}
}

void
wsk_sock_close_check(struct wsk_sock *s)
{
	struct wsk_op *op = s->close_op;

	if (op == NULL || atomic_load(&s->ops) != 1 || atomic_load(&s->in_cb) != 0 ||
	    s->close_wait != 0)
		return;
	s->close_op = NULL;
	wsk_bind_table_del(s);
	wsk_op_complete(op, STATUS_SUCCESS, 0);
	/* The creator's reference: the memory goes when the last holder lets go
	 * (a retained indication may still point here). */
	wsk_sock_put(s);
}

static void
close_check_run(struct stk_inst *in, void *arg)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(in);
	if (atomic_load(&s->in_cb) == 0 && !TAILQ_EMPTY(&s->disable_q)) {
		atomic_fetch_add(&s->in_cb, 1);
		wsk_cb_leave(s); /* releases the disable queue on the home lcore */
	}
	wsk_sock_close_check(s);
	wsk_sock_put(s);
}

void
wsk_sock_close_check_post(struct wsk_sock *s)
{
	wsk_sock_get(s);
	if (wsk_on_lcore(s->host, s->home)) {
		close_check_run(NULL, s);
		return;
	}
	if (wsk_post(s->host, s->home, close_check_run, s) != 0)
		wsk_sock_put(s);
}

static NTSTATUS
close_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;

	if (s->closing) {
		wsk_op_complete(op, STATUS_INVALID_DEVICE_STATE, 0);
		return STATUS_INVALID_DEVICE_STATE;
	}
	s->closing = true;
	s->close_op = op;
	cancel_queue(&s->accept_q);
	cancel_queue(&s->recv_q);
	cancel_queue(&s->rfrom_q);
	cancel_queue(&s->disable_q);
	if (s->kind == WSK_KIND_DATAGRAM || (s->kind == WSK_KIND_BASIC && s->type == SOCK_DGRAM))
		wsk_udp_close_run(s);
	else
		wsk_tcp_close_run(s);
	wsk_sock_close_check(s);
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_close_socket(PWSK_SOCKET Socket, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_CLOSE, &op);
	if (!NT_SUCCESS(st))
		return st;
	return wsk_op_dispatch(op, close_run);
}
