/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connections of wskstack-iperf: event callbacks (receive, disconnect, send
 * backlog) that run on the lcore and never block, the zero-copy send pump,
 * and the PASSIVE-level control reads and writes.
 */
#include <stdio.h>
#include <string.h>

#include "iperf.h"

#define CONN_BASIC(s) ((const WSK_PROVIDER_BASIC_DISPATCH *)(s)->Dispatch)
#define CONN_DISP(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)

PWSKAPP_CLIENT IperfClient;

static NTSTATUS WSKAPI ReceiveEvent(PVOID, ULONG, PWSK_DATA_INDICATION, SIZE_T, SIZE_T *);
static NTSTATUS WSKAPI DisconnectEvent(PVOID, ULONG);
static NTSTATUS WSKAPI SendBacklogEvent(PVOID, SIZE_T);

const WSK_CLIENT_CONNECTION_DISPATCH IperfConnDispatch = { ReceiveEvent, DisconnectEvent,
							   SendBacklogEvent };

/** One send in flight: its IRP and the connection. */
typedef struct _IPERF_SEND {
	PIPERF_CONN Conn;
	PIRP Irp;
	ULONG Len;
} IPERF_SEND, *PIPERF_SEND;

PIPERF_CONN
IperfConnAlloc(PIPERF_TEST t)
{
	PIPERF_CONN c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), IPERF_TAG);

	if (c == NULL)
		return NULL;
	RtlZeroMemory(c, sizeof(*c));
	KeInitializeSpinLock(&c->Lock);
	c->Test = t;
	c->IdealBacklog = 65536;
	return c;
}

VOID
IperfConnFree(PIPERF_CONN c)
{
	if (c != NULL)
		ExFreePoolWithTag(c, IPERF_TAG);
}

/* Copy the bytes of an indication list, from byte @p skip on, into @p dst. */
static ULONG
CopyIndication(PWSK_DATA_INDICATION d, SIZE_T skip, PUCHAR dst, ULONG room)
{
	ULONG got = 0;

	for (; d != NULL && got < room; d = d->Next) {
		PMDL m = d->Buffer.Mdl;
		SIZE_T off = d->Buffer.Offset, left = d->Buffer.Length;

		while (m != NULL && left > 0 && got < room) {
			PUCHAR va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
			SIZE_T n = MmGetMdlByteCount(m) - off;

			if (n > left)
				n = left;
			if (skip >= n) {
				skip -= n;
			} else {
				SIZE_T k = n - skip;

				if (k > room - got)
					k = room - got;
				memcpy(dst + got, va + off + skip, k);
				got += (ULONG)k;
				skip = 0;
			}
			left -= n;
			off = 0;
			m = m->Next;
		}
	}
	return got;
}

/* Data connections only count; control (and not yet identified)
 * connections buffer what comes for the PASSIVE thread. Never retained. */
static NTSTATUS WSKAPI
ReceiveEvent(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION DataIndication,
	     SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
	PIPERF_CONN c = SocketContext;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(BytesAccepted);
	if (DataIndication == NULL) {
		InterlockedExchange(&c->PeerClosed, 2);
		KeSetEvent(&c->Test->Wake, IO_NO_INCREMENT, FALSE);
		return STATUS_SUCCESS;
	}
	if (ReadNoFence(&c->Role) == IPERF_ROLE_DATA) {
		InterlockedAdd64(&c->RxBytes, (LONG64)BytesIndicated);
		InterlockedAdd64(&c->Test->RxTotal, (LONG64)BytesIndicated);
		return STATUS_SUCCESS;
	}
	KeAcquireSpinLock(&c->Lock, &irql);
	if (c->Role == IPERF_ROLE_DATA) {
		InterlockedAdd64(&c->RxBytes, (LONG64)BytesIndicated);
		InterlockedAdd64(&c->Test->RxTotal, (LONG64)BytesIndicated);
	} else {
		ULONG n = CopyIndication(DataIndication, 0, c->Buf + c->Used,
					 IPERF_CTRL_BUF - c->Used);

		c->Used += n;
		/* Beyond the buffer: only a data stream sends that much; count it. */
		InterlockedAdd64(&c->RxBytes, (LONG64)(BytesIndicated - n));
	}
	KeReleaseSpinLock(&c->Lock, irql);
	KeSetEvent(&c->Test->Wake, IO_NO_INCREMENT, FALSE);
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
DisconnectEvent(PVOID SocketContext, ULONG Flags)
{
	PIPERF_CONN c = SocketContext;

	InterlockedExchange(&c->PeerClosed, (Flags & WSK_FLAG_ABORTIVE) ? 2 : 1);
	KeSetEvent(&c->Test->Wake, IO_NO_INCREMENT, FALSE);
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
SendBacklogEvent(PVOID SocketContext, SIZE_T IdealBacklogSize)
{
	PIPERF_CONN c = SocketContext;

	InterlockedExchange64(&c->IdealBacklog, (LONG64)IdealBacklogSize);
	if (ReadNoFence(&c->Sending))
		IperfConnPump(c);
	return STATUS_SUCCESS;
}

NTSTATUS
IperfConnect(const SOCKADDR_IN *Remote, PIPERF_TEST t, PIPERF_CONN *Out)
{
	PIPERF_CONN c = IperfConnAlloc(t);
	SOCKADDR_IN any;
	NTSTATUS st;

	*Out = NULL;
	if (c == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	c->Socket = WskAppSocket(IperfClient, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
				 c, &IperfConnDispatch, &st);
	if (c->Socket == NULL) {
		IperfConnFree(c);
		return st;
	}
	WskAppAnyAddr(0, &any);
	st = WskAppBind(c->Socket, &any);
	if (NT_SUCCESS(st))
		st = WskAppConnect(c->Socket, Remote);
	if (NT_SUCCESS(st))
		st = WskAppEvents(c->Socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT |
						     WSK_EVENT_SEND_BACKLOG);
	if (!NT_SUCCESS(st)) {
		WskAppCloseSocket(c->Socket);
		IperfConnFree(c);
		return st;
	}
	*Out = c;
	return STATUS_SUCCESS;
}

ULONG
IperfConnAvail(PIPERF_CONN c)
{
	KIRQL irql;
	ULONG n;

	KeAcquireSpinLock(&c->Lock, &irql);
	n = c->Used;
	KeReleaseSpinLock(&c->Lock, irql);
	return n;
}

VOID
IperfConnTake(PIPERF_CONN c, PVOID Dst, ULONG n)
{
	KIRQL irql;

	KeAcquireSpinLock(&c->Lock, &irql);
	if (n > c->Used)
		n = c->Used;
	if (Dst != NULL)
		memcpy(Dst, c->Buf, n);
	memmove(c->Buf, c->Buf + n, c->Used - n);
	c->Used -= n;
	KeReleaseSpinLock(&c->Lock, irql);
}

VOID
IperfConnMakeData(PIPERF_CONN c)
{
	KIRQL irql;

	KeAcquireSpinLock(&c->Lock, &irql);
	InterlockedAdd64(&c->RxBytes, (LONG64)c->Used);
	InterlockedAdd64(&c->Test->RxTotal, c->RxBytes);
	c->Used = 0;
	InterlockedExchange(&c->Role, IPERF_ROLE_DATA);
	KeReleaseSpinLock(&c->Lock, irql);
}

BOOLEAN
IperfConnWaitBytes(PIPERF_CONN c, ULONG n, ULONG TimeoutMs, VOID (*Service)(PVOID), PVOID Arg)
{
	ULONGLONG deadline = IperfNowNs() + (ULONGLONG)TimeoutMs * 1000000ull;
	LARGE_INTEGER tick;

	tick.QuadPart = -10LL * 10000; /* 10 ms */
	for (;;) {
		if (IperfConnAvail(c) >= n)
			return TRUE;
		if (ReadNoFence(&c->PeerClosed) || WskstackStopRequested() ||
		    IperfNowNs() >= deadline)
			return IperfConnAvail(c) >= n;
		KeWaitForSingleObject(&c->Test->Wake, Executive, KernelMode, FALSE, &tick);
		if (Service != NULL)
			Service(Arg);
	}
}

NTSTATUS
IperfConnWrite(PIPERF_CONN c, const VOID *Data, ULONG n)
{
	WSKAPP_BUF b;
	WSK_BUF wb;
	ULONG_PTR sent = 0;
	NTSTATUS st;

	st = WskAppBufAlloc(&b, n ? n : 1);
	if (!NT_SUCCESS(st))
		return st;
	memcpy(b.Data, Data, n);
	wb = WskAppWskBuf(&b, 0, n);
	st = WskAppSend(c->Socket, &wb, 0, &sent);
	WskAppBufFree(&b);
	if (NT_SUCCESS(st) && sent != n)
		st = STATUS_UNSUCCESSFUL;
	return st;
}

NTSTATUS
IperfConnWriteState(PIPERF_CONN c, signed char State)
{
	return IperfConnWrite(c, &State, 1);
}

NTSTATUS
IperfConnWriteJson(PIPERF_CONN c, const char *Json)
{
	ULONG n = (ULONG)strlen(Json);
	PUCHAR m = ExAllocatePool2(POOL_FLAG_NON_PAGED, n + 4, IPERF_TAG);
	NTSTATUS st;

	if (m == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	m[0] = (UCHAR)(n >> 24);
	m[1] = (UCHAR)(n >> 16);
	m[2] = (UCHAR)(n >> 8);
	m[3] = (UCHAR)n;
	memcpy(m + 4, Json, n);
	st = IperfConnWrite(c, m, n + 4);
	ExFreePoolWithTag(m, IPERF_TAG);
	return st;
}

char *
IperfConnReadJson(PIPERF_CONN c, ULONG TimeoutMs, VOID (*Service)(PVOID), PVOID Arg)
{
	UCHAR len[4];
	ULONG n;
	char *s;

	if (!IperfConnWaitBytes(c, 4, TimeoutMs, Service, Arg))
		return NULL;
	IperfConnTake(c, len, 4);
	n = (ULONG)len[0] << 24 | (ULONG)len[1] << 16 | (ULONG)len[2] << 8 | len[3];
	if (n == 0 || n > IPERF_JSON_MAX)
		return NULL;
	if (!IperfConnWaitBytes(c, n, TimeoutMs, Service, Arg))
		return NULL;
	s = ExAllocatePool2(POOL_FLAG_NON_PAGED, n + 1, IPERF_TAG);
	if (s == NULL)
		return NULL;
	IperfConnTake(c, s, n);
	s[n] = '\0';
	return s;
}

/* SIO_WSK_QUERY_IDEAL_SEND_BACKLOG (an IRP; PASSIVE). */
VOID
IperfConnQueryBacklog(PIPERF_CONN c)
{
	WSKAPP_IRP w = { 0 };
	SIZE_T backlog = 0, got = 0;
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return;
	st = CONN_BASIC(c->Socket)->WskControlSocket(c->Socket, WskIoctl,
						     SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0, 0, NULL,
						     sizeof(backlog), &backlog, &got, w.Irp);
	st = WskAppIrpWait(&w, st, 5000, NULL);
	WskAppIrpFree(&w);
	if (NT_SUCCESS(st) && backlog > 0)
		InterlockedExchange64(&c->IdealBacklog, (LONG64)backlog);
}

static IO_COMPLETION_ROUTINE SendDone;

static NTSTATUS
SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PIPERF_SEND s = Context;
	PIPERF_CONN c = s->Conn;
	NTSTATUS st = Irp->IoStatus.Status;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(st))
		InterlockedAdd64(&c->TxDone, (LONG64)Irp->IoStatus.Information);
	else if (st != STATUS_CANCELLED)
		InterlockedIncrement64(&c->Test->SendErrors);
	InterlockedAdd64(&c->InFlightBytes, -(LONG64)s->Len);
	IoFreeIrp(Irp);
	ExFreePoolWithTag(s, IPERF_TAG);
	/* A failed send is not retried from here (the pool may be low): the
	 * PASSIVE thread pumps again on its next tick. */
	if (NT_SUCCESS(st))
		IperfConnPump(c);
	KeSetEvent(&c->Test->Wake, IO_NO_INCREMENT, FALSE);
	InterlockedDecrement(&c->InFlight); /* last touch of c */
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Reserve up to @p want bytes of the test's send limit. @return bytes granted. */
static ULONG
Reserve(PIPERF_TEST t, ULONG want)
{
	LONG64 limit = ReadNoFence(&t->TxLimit), old, grant;

	if (limit == 0) {
		InterlockedAdd64(&t->TxIssued, want);
		return want;
	}
	do {
		old = ReadNoFence(&t->TxIssued);
		if (old >= limit)
			return 0;
		grant = limit - old < want ? limit - old : want;
	} while (InterlockedCompareExchange64(&t->TxIssued, old + grant, old) != old);
	return (ULONG)grant;
}

static VOID
IssueSends(PIPERF_CONN c)
{
	PIPERF_TEST t = c->Test;

	while (ReadNoFence(&c->Sending)) {
		LONG64 target = ReadNoFence(&c->IdealBacklog);
		PIPERF_SEND s;
		WSK_BUF wb;
		ULONG len;

		/* The ideal backlog is the congestion window; on a short path it
		 * outgrows what is useful and the stack's send queue only gets
		 * longer, so it is capped. One send more than the backlog keeps
		 * the window full while the oldest send waits for its last ACK. */
		if (target > IPERF_MAX_BACKLOG)
			target = IPERF_MAX_BACKLOG;
		target += t->Len;
		if (target < 2 * (LONG64)t->Len)
			target = 2 * (LONG64)t->Len;
		if (ReadNoFence(&c->InFlightBytes) >= target)
			return;
		s = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*s), IPERF_TAG);
		if (s == NULL)
			return;
		s->Irp = IoAllocateIrp(1, FALSE);
		len = s->Irp != NULL ? Reserve(t, t->Len) : 0;
		if (len == 0) {
			if (s->Irp != NULL)
				IoFreeIrp(s->Irp);
			ExFreePoolWithTag(s, IPERF_TAG);
			return;
		}
		s->Conn = c;
		s->Len = len;
		InterlockedIncrement(&c->InFlight);
		InterlockedAdd64(&c->InFlightBytes, len);
		InterlockedAdd64(&c->TxBytes, len);
		IoSetCompletionRoutine(s->Irp, SendDone, s, TRUE, TRUE, TRUE);
		wb = WskAppWskBuf(&t->Payload, 0, len);
		CONN_DISP(c->Socket)->WskSend(c->Socket, &wb, 0, s->Irp);
	}
}

/* One owner issues; callers meanwhile only leave a request it picks up. */
VOID
IperfConnPump(PIPERF_CONN c)
{
	if (InterlockedIncrement(&c->PumpReq) != 1)
		return;
	do {
		IssueSends(c);
	} while (InterlockedDecrement(&c->PumpReq) != 0);
}

static IO_COMPLETION_ROUTINE ShutdownDone;

static NTSTATUS
ShutdownDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PIPERF_CONN c = Context;

	UNREFERENCED_PARAMETER(Dev);
	IoFreeIrp(Irp);
	InterlockedDecrement(&c->InFlight); /* last touch of c */
	return STATUS_MORE_PROCESSING_REQUIRED;
}

VOID
IperfConnShutdown(PIPERF_CONN c)
{
	PIRP irp;

	InterlockedExchange(&c->Sending, 0);
	irp = IoAllocateIrp(1, FALSE);
	if (irp == NULL)
		return;
	InterlockedIncrement(&c->InFlight);
	IoSetCompletionRoutine(irp, ShutdownDone, c, TRUE, TRUE, TRUE);
	CONN_DISP(c->Socket)->WskDisconnect(c->Socket, NULL, 0, irp);
}

VOID
IperfConnClose(PIPERF_CONN c, BOOLEAN Graceful)
{
	LARGE_INTEGER tick;
	int i;

	tick.QuadPart = -1LL * 10000; /* 1 ms */
	InterlockedExchange(&c->Sending, 0);
	/* Graceful only once the peer's FIN came (else the close aborts: what
	 * iperf3 does to a data stream it stops in the middle). */
	if (Graceful && ReadNoFence(&c->PeerClosed) == 1)
		WskAppDisconnect(c->Socket, 0);
	WskAppCloseSocket(c->Socket);
	/* Every send IRP was cancelled or completed by the close; their
	 * routines may still be finishing on another thread. */
	for (i = 0; i < 10000 && (ReadNoFence(&c->InFlight) != 0 || ReadNoFence(&c->PumpReq) != 0);
	     i++)
		KeDelayExecutionThread(KernelMode, FALSE, &tick);
	c->Socket = NULL;
}
