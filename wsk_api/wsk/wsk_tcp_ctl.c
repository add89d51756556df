/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sockets: WskControlSocket options and IOCTLs the TCP code answers
 * (SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, the keepalive timings,
 * IPV6_V6ONLY, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG / RECEIVE_BACKLOG /
 * INSPECT_ID), and IoCancelIrp on an op the stack holds. Home lcore.
 */
#include <string.h>

#include "wsk_priv.h"
#include "wsk_tcp_priv.h"

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
		wsk_tcp_complete_recvs(s, STATUS_CONNECTION_ABORTED);
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
