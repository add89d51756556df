/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datagram sockets, the calls: WskSendTo and WskSendMessages (one
 * datagram per buffer, copied into mbufs of the home instance, completed
 * once handed to the stack), WskReceiveFrom (a buffered datagram, or a
 * pending IRP served before WskReceiveFromEvent), and the options and IOCTLs
 * of datagram sockets. The receive side is in wsk_udp.c.
 */
#include <stdio.h>
#include <string.h>

#include "wsk_priv.h"
#include "wsk_udp_priv.h"

/* ---------------------------------------------------------------------------
 * Sending
 */

/* A chain of the home instance's mbufs holding the bytes of @p b. @return NULL if the pool is dry. */
static struct rte_mbuf *
mbuf_from_buf(struct wsk_sock *s, const WSK_BUF *b)
{
	struct rte_mbuf *head = stk_pktmbuf_alloc(s->in), *tail = head;
	SIZE_T off = 0;

	if (head == NULL)
		return NULL;
	while (off < b->Length) {
		uint16_t n;

		if (rte_pktmbuf_tailroom(tail) == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(stk_inst_mempool(s->in));

			if (seg == NULL) {
				rte_pktmbuf_free(head);
				return NULL;
			}
			seg->data_off = 0;
			tail->next = seg;
			head->nb_segs++;
			tail = seg;
		}
		n = (uint16_t)RTE_MIN((SIZE_T)rte_pktmbuf_tailroom(tail), b->Length - off);
		wsk_copy_from_buf(b, off, rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len), n);
		tail->data_len += n;
		head->pkt_len += n;
		off += n;
	}
	return head;
}

/* Where a send goes: the call's address, else the fixed one. */
static NTSTATUS
send_dest(const struct wsk_sock *s, const struct wsk_op *op, rte_be32_t *a, rte_be16_t *p)
{
	if (op->u.st.have_to) {
		*a = op->u.st.to.sin_addr.s_addr;
		*p = op->u.st.to.sin_port;
	} else if (s->fixed_remote || s->fixed_sendto) {
		*a = s->rem_addr;
		*p = s->rem_port;
	} else {
		return STATUS_INVALID_PARAMETER; /* no address and no fixed one */
	}
	if (*a == 0 || *p == 0)
		return STATUS_INVALID_ADDRESS_COMPONENT;
	if (wsk_udp_is_bcast(s->in, *a) && !s->broadcast)
		return STATUS_ACCESS_DENIED; /* SO_BROADCAST is off */
	return STATUS_SUCCESS;
}

/* Home lcore: the socket may send now? */
static NTSTATUS
send_ready(const struct wsk_sock *s)
{
	if (s->closing)
		return STATUS_FILE_FORCED_CLOSED;
	if (s->state != WSK_S_BOUND || s->udp[s->home] == NULL)
		return STATUS_INVALID_DEVICE_STATE; /* WskBind comes first */
	return STATUS_SUCCESS;
}

static NTSTATUS
send_one(struct wsk_sock *s, const WSK_BUF *b, rte_be32_t a, rte_be16_t p)
{
	struct rte_mbuf *m = mbuf_from_buf(s, b);

	if (m == NULL) {
		atomic_fetch_add_explicit(&s->host->st.pool_exhausted, 1, memory_order_relaxed);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	atomic_fetch_add_explicit(&s->host->st.sends_copied, 1, memory_order_relaxed);
	/* The stack owns the copy from here: the client's pages are free at completion. */
	return wsk_status_of(stk_udp_sendto(s->udp[s->home], m, a, p));
}

static NTSTATUS
sendto_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	rte_be32_t a;
	rte_be16_t p;
	NTSTATUS st = send_ready(s);

	if (NT_SUCCESS(st))
		st = send_dest(s, op, &a, &p);
	if (NT_SUCCESS(st))
		st = send_one(s, &op->u.st.buf, a, p);
	wsk_op_complete(op, st, NT_SUCCESS(st) ? (ULONG_PTR)op->u.st.buf.Length : 0);
	return st;
}

static NTSTATUS
send_messages_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	const WSK_BUF_LIST *l;
	ULONG_PTR bytes = 0;
	rte_be32_t a;
	rte_be16_t p;
	NTSTATUS st = send_ready(s);

	if (NT_SUCCESS(st))
		st = send_dest(s, op, &a, &p);
	for (l = op->u.st.list; NT_SUCCESS(st) && l != NULL; l = l->Next) {
		st = send_one(s, &l->Buffer, a, p);
		if (NT_SUCCESS(st))
			bytes += l->Buffer.Length;
	}
	/* A failure part way reports the bytes of the datagrams already sent. */
	wsk_op_complete(op, st, bytes);
	return st;
}

/* Checks every send makes on the caller's thread. */
static NTSTATUS
send_check(struct wsk_sock *s, ULONG flags, PSOCKADDR to, ULONG ctl_len, PCMSGHDR ctl)
{
	rte_be32_t a;
	rte_be16_t p;

	if (s == NULL)
		return STATUS_INVALID_HANDLE;
	if (!wsk_udp_sock(s))
		return STATUS_INVALID_DEVICE_REQUEST;
	if (flags != 0)
		return STATUS_INVALID_PARAMETER; /* reserved, must be zero */
	if (ctl_len != 0 && ctl == NULL)
		return STATUS_INVALID_PARAMETER;
	/* Control information (IP_PKTINFO, ECN...) is accepted and not acted upon. */
	if (to != NULL)
		return wsk_addr_in(to, &a, &p);
	return STATUS_SUCCESS;
}

static NTSTATUS
buf_check(const WSK_BUF *b)
{
	if (b == NULL || !wsk_buf_valid(b))
		return STATUS_INVALID_PARAMETER;
	if (b->Length > UDP_MAX_PAYLOAD)
		return STATUS_INVALID_BUFFER_SIZE;
	return STATUS_SUCCESS;
}

NTSTATUS WSKAPI
wsk_sendto(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PSOCKADDR RemoteAddress,
	   ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	st = send_check(s, Flags, RemoteAddress, ControlInfoLength, ControlInfo);
	if (NT_SUCCESS(st))
		st = buf_check(Buffer);
	if (!NT_SUCCESS(st))
		return wsk_irp_fail(Irp, st);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_SENDTO, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.st.buf = *Buffer;
	op->u.st.list = NULL;
	op->u.st.have_to = RemoteAddress != NULL;
	if (RemoteAddress != NULL)
		memcpy(&op->u.st.to, RemoteAddress, sizeof(SOCKADDR_IN));
	return wsk_op_dispatch(op, sendto_run);
}

NTSTATUS WSKAPI
wsk_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
		  PSOCKADDR RemoteAddress, ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	const WSK_BUF_LIST *l;
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	st = send_check(s, Flags, RemoteAddress, ControlInfoLength, ControlInfo);
	if (NT_SUCCESS(st) && BufferList == NULL)
		st = STATUS_INVALID_PARAMETER;
	/* Every datagram is checked before any is sent. */
	for (l = BufferList; NT_SUCCESS(st) && l != NULL; l = l->Next)
		st = buf_check(&l->Buffer);
	if (!NT_SUCCESS(st))
		return wsk_irp_fail(Irp, st);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_SEND_MESSAGES, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.st.list = BufferList;
	op->u.st.have_to = RemoteAddress != NULL;
	if (RemoteAddress != NULL)
		memcpy(&op->u.st.to, RemoteAddress, sizeof(SOCKADDR_IN));
	return wsk_op_dispatch(op, send_messages_run);
}

/* ---------------------------------------------------------------------------
 * WskReceiveFrom
 */

static NTSTATUS
receive_from_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	NTSTATUS st = STATUS_SUCCESS;

	if (s->closing)
		st = STATUS_FILE_FORCED_CLOSED;
	else if (!s->bound)
		st = STATUS_INVALID_DEVICE_STATE; /* WskBind comes first */
	if (!NT_SUCCESS(st)) {
		wsk_op_complete(op, st, 0);
		return st;
	}
	if (s->dgq_head != NULL) {
		wsk_udp_rfrom_fill(op, wsk_udp_dgq_pop(s));
		return STATUS_SUCCESS;
	}
	wsk_op_queue(op, &s->rfrom_q, WSK_Q_RFROM);
	return STATUS_PENDING;
}

NTSTATUS WSKAPI
wsk_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PSOCKADDR RemoteAddress,
		 PULONG ControlLength, PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp)
{
	struct wsk_sock *s = wsk_sock_of(Socket);
	struct wsk_op *op;
	NTSTATUS st;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (s == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	if (!wsk_udp_sock(s))
		return wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_REQUEST);
	if (Flags != 0 || Buffer == NULL || !wsk_buf_valid(Buffer))
		return wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	st = wsk_op_begin(s->cl, s, Irp, WSK_OP_RECEIVE_FROM, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->u.rf.buf = *Buffer;
	op->u.rf.from = RemoteAddress;
	/* Without ControlLength, ControlInfo and ControlFlags are ignored. */
	op->u.rf.ctl_len = ControlLength;
	op->u.rf.ctl = ControlLength != NULL ? ControlInfo : NULL;
	op->u.rf.ctl_flags = ControlLength != NULL ? ControlFlags : NULL;
	return wsk_op_dispatch(op, receive_from_run);
}

/* ---------------------------------------------------------------------------
 * Options and IOCTLs of datagram sockets (home lcore)
 */

static NTSTATUS
ctl_get_ulong(const struct wsk_op *op, ULONG *v)
{
	if (op->u.ctl.in == NULL || op->u.ctl.in_size < sizeof(ULONG))
		return STATUS_INVALID_PARAMETER;
	memcpy(v, op->u.ctl.in, sizeof(*v));
	return STATUS_SUCCESS;
}

static NTSTATUS
ctl_put_ulong(const struct wsk_op *op, ULONG v, SIZE_T *ret)
{
	if (op->u.ctl.out == NULL || op->u.ctl.out_size < sizeof(ULONG))
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(op->u.ctl.out, &v, sizeof(v));
	*ret = sizeof(ULONG);
	return STATUS_SUCCESS;
}

/* SIO_WSK_SET_REMOTE_ADDRESS (@p filter) or SIO_WSK_SET_SENDTO_ADDRESS. */
static NTSTATUS
ctl_fixed_address(struct wsk_sock *s, const struct wsk_op *op, bool filter)
{
	rte_be32_t a;
	rte_be16_t p;
	NTSTATUS st;

	if (!wsk_udp_sock(s))
		return STATUS_NOT_SUPPORTED;
	if (!s->bound || s->state != WSK_S_BOUND)
		return STATUS_INVALID_DEVICE_STATE; /* after WskBind only */
	if (op->u.ctl.in_size == 0) {
		/* Clear the one this IOCTL set. */
		if (filter)
			s->fixed_remote = false;
		else
			s->fixed_sendto = false;
		return STATUS_SUCCESS;
	}
	if (op->u.ctl.in == NULL || op->u.ctl.in_size < sizeof(SOCKADDR_IN))
		return STATUS_INVALID_PARAMETER;
	st = wsk_addr_in(op->u.ctl.in, &a, &p);
	if (!NT_SUCCESS(st))
		return st;
	if (a == 0 || p == 0)
		return STATUS_INVALID_ADDRESS_COMPONENT;
	s->rem_addr = a;
	s->rem_port = p;
	s->fixed_remote = filter;
	s->fixed_sendto = !filter;
	return STATUS_SUCCESS;
}

NTSTATUS
wsk_udp_control(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	ULONG code = op->u.ctl.code, v = 0;
	SIZE_T ret = 0;
	NTSTATUS st = STATUS_NOT_SUPPORTED;

	if (op->u.ctl.type == WskSetOption && op->u.ctl.level == SOL_SOCKET) {
		if (code == SO_BROADCAST) {
			st = ctl_get_ulong(op, &v);
			if (NT_SUCCESS(st))
				s->broadcast = v != 0;
		} else if (code == SO_RCVBUF) {
			st = ctl_get_ulong(op, &v);
			/* 0 would mean "stack default" here: keep a one-byte buffer instead,
			 * so only empty datagrams wait when no receive is pending. */
			if (NT_SUCCESS(st))
				s->rcvbuf = v == 0 ? 1 : RTE_MIN(v, UDP_RCVBUF_MAX);
		}
	} else if (op->u.ctl.type == WskGetOption && op->u.ctl.level == SOL_SOCKET) {
		if (code == SO_BROADCAST)
			st = ctl_put_ulong(op, s->broadcast, &ret);
		else if (code == SO_RCVBUF)
			st = ctl_put_ulong(op, wsk_udp_rcvbuf_of(s), &ret);
	} else if (op->u.ctl.type == WskIoctl) {
		if (code == SIO_WSK_SET_REMOTE_ADDRESS)
			st = ctl_fixed_address(s, op, true);
		else if (code == SIO_WSK_SET_SENDTO_ADDRESS)
			st = ctl_fixed_address(s, op, false);
	}
	/* Everything else (IP_PKTINFO, IP_TTL, UDP_* offloads...): STATUS_NOT_SUPPORTED. */
	wsk_op_complete(op, st, ret);
	return st;
}
