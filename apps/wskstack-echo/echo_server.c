/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-echo's server (see echo_server.h). Everything on the data path
 * runs in event callbacks and completion routines: an indication is retained
 * (STATUS_PENDING), its MDLs are sent back as they are, and it is released
 * when the send completes. A connection holds a reference per send in
 * flight; the last one closes the socket, so nothing is released after the
 * close. At stop the connections still open are aborted (WskDisconnect
 * with WSK_FLAG_ABORTIVE cancels their sends) and closed.
 */
#include <stdio.h>
#include <string.h>

#include "echo_server.h"

#define TAG 'SohE'
#define PROG "wskstack-echo"

typedef struct _ECHO_SERVER {
	KSPIN_LOCK Lock;          /* Conns list */
	LIST_ENTRY Conns;
	PWSK_SOCKET Udp;
	volatile LONG Open, Total, Aborted, Errors, UdpInflight;
	volatile LONG64 TcpBytes, Datagrams, UdpBytes;
} ECHO_SERVER, *PECHO_SERVER;

typedef struct _ECHO_CONN {
	LIST_ENTRY Link;
	PECHO_SERVER Srv;
	PWSK_SOCKET Socket;
	volatile LONG Refs;       /* 1 while open + 1 per send in flight + holds */
	volatile LONG Closing;    /* the open reference was dropped */
	volatile LONG Aborting;
} ECHO_CONN, *PECHO_CONN;

typedef struct _ECHO_SEND {
	PECHO_CONN Conn;
	PWSK_DATA_INDICATION Indication;
} ECHO_SEND, *PECHO_SEND;

typedef struct _ECHO_DGRAMS {
	PECHO_SERVER Srv;
	PWSK_DATAGRAM_INDICATION List;
	volatile LONG Left;
} ECHO_DGRAMS, *PECHO_DGRAMS;

#define CONN_DISPATCH(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define DGRAM_DISPATCH(s) ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)(s)->Dispatch)

static IO_COMPLETION_ROUTINE CloseDone;
static IO_COMPLETION_ROUTINE SendDone;
static IO_COMPLETION_ROUTINE DisconnectDone;
static IO_COMPLETION_ROUTINE DgramSendDone;
static NTSTATUS WSKAPI AcceptEvent(PVOID, ULONG, PSOCKADDR, PSOCKADDR, PWSK_SOCKET, PVOID *,
				  CONST WSK_CLIENT_CONNECTION_DISPATCH **);
static NTSTATUS WSKAPI ReceiveEvent(PVOID, ULONG, PWSK_DATA_INDICATION, SIZE_T, SIZE_T *);
static NTSTATUS WSKAPI DisconnectEvent(PVOID, ULONG);
static NTSTATUS WSKAPI ReceiveFromEvent(PVOID, ULONG, PWSK_DATAGRAM_INDICATION);

static const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch = { AcceptEvent, NULL, NULL };
static const WSK_CLIENT_CONNECTION_DISPATCH ConnDispatch = { ReceiveEvent, DisconnectEvent, NULL };
static const WSK_CLIENT_DATAGRAM_DISPATCH DgramDispatch = { ReceiveFromEvent };

static NTSTATUS
CloseDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_CONN c = Context;
	PECHO_SERVER srv = c->Srv;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	IoFreeIrp(Irp);
	KeAcquireSpinLock(&srv->Lock, &irql);
	RemoveEntryList(&c->Link);
	KeReleaseSpinLock(&srv->Lock, irql);
	ExFreePoolWithTag(c, TAG);
	InterlockedDecrement(&srv->Open);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID
DropRef(PECHO_CONN c)
{
	PIRP irp;

	if (InterlockedDecrement(&c->Refs) != 0)
		return;
	irp = IoAllocateIrp(1, FALSE);
	if (irp == NULL) {
		InterlockedIncrement(&c->Srv->Errors); /* the socket leaks: the exit status says so */
		return;
	}
	IoSetCompletionRoutine(irp, CloseDone, c, TRUE, TRUE, TRUE);
	CONN_DISPATCH(c->Socket)->WskCloseSocket(c->Socket, irp);
}

/* Take a reference unless the connection is already closing for good. */
static BOOLEAN
TryRef(PECHO_CONN c)
{
	LONG r = c->Refs;

	while (r > 0) {
		LONG seen = InterlockedCompareExchange(&c->Refs, r + 1, r);

		if (seen == r)
			return TRUE;
		r = seen;
	}
	return FALSE;
}

/* Drop the open reference (once): the socket closes when the sends are done. */
static VOID
CloseConn(PECHO_CONN c)
{
	if (InterlockedExchange(&c->Closing, 1) == 0)
		DropRef(c);
}

static NTSTATUS
DisconnectDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(Dev);
	IoFreeIrp(Irp);
	CloseConn(Context);
	DropRef(Context); /* the reference the disconnect held */
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* WskDisconnect, graceful or abortive, holding a reference until it completes. */
static VOID
Disconnect(PECHO_CONN c, ULONG Flags)
{
	PIRP irp;

	if (!TryRef(c))
		return;
	irp = IoAllocateIrp(1, FALSE);
	if (irp == NULL) {
		CloseConn(c);
		DropRef(c);
		return;
	}
	IoSetCompletionRoutine(irp, DisconnectDone, c, TRUE, TRUE, TRUE);
	CONN_DISPATCH(c->Socket)->WskDisconnect(c->Socket, NULL, Flags, irp);
}

static VOID
Abort(PECHO_CONN c)
{
	if (InterlockedExchange(&c->Aborting, 1) == 0)
		Disconnect(c, WSK_FLAG_ABORTIVE);
}

static NTSTATUS
SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_SEND s = Context;
	PECHO_CONN c = s->Conn;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(Irp->IoStatus.Status))
		InterlockedAdd64(&c->Srv->TcpBytes, (LONG64)Irp->IoStatus.Information);
	else if (!c->Aborting)
		InterlockedIncrement(&c->Srv->Errors);
	CONN_DISPATCH(c->Socket)->WskRelease(c->Socket, s->Indication);
	IoFreeIrp(Irp);
	ExFreePoolWithTag(s, TAG);
	DropRef(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI
AcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
	    PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
	    CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
	PECHO_SERVER srv = SocketContext;
	PECHO_CONN c;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(LocalAddress);
	UNREFERENCED_PARAMETER(RemoteAddress);
	if (AcceptSocket == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED; /* the listener died: the stop closes it */
	c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), TAG);
	if (c == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	c->Srv = srv;
	c->Socket = AcceptSocket;
	c->Refs = 1;
	KeAcquireSpinLock(&srv->Lock, &irql);
	InsertTailList(&srv->Conns, &c->Link);
	KeReleaseSpinLock(&srv->Lock, irql);
	InterlockedIncrement(&srv->Open);
	InterlockedIncrement(&srv->Total);
	*AcceptSocketContext = c;
	*AcceptSocketDispatch = &ConnDispatch;
	return STATUS_SUCCESS;
}

/* Send the indication list back as one MDL chain; release it when the send completes. */
static NTSTATUS WSKAPI
ReceiveEvent(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION DataIndication,
	     SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
	PECHO_CONN c = SocketContext;
	PWSK_DATA_INDICATION d;
	PECHO_SEND s;
	PIRP irp;
	WSK_BUF buf;
	PMDL first = NULL, *link = &first;
	SIZE_T total = 0;

	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(BytesAccepted);
	if (DataIndication == NULL) {
		Abort(c); /* the socket is dead: close it */
		return STATUS_SUCCESS;
	}
	if (c->Aborting || !TryRef(c))
		return STATUS_SUCCESS; /* going away: drop it */
	for (d = DataIndication; d != NULL; d = d->Next) {
		*link = d->Buffer.Mdl;
		link = &d->Buffer.Mdl->Next;
		total += d->Buffer.Length;
	}
	*link = NULL;
	s = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*s), TAG);
	irp = s != NULL ? IoAllocateIrp(1, FALSE) : NULL;
	if (total != BytesIndicated || irp == NULL) {
		if (s != NULL)
			ExFreePoolWithTag(s, TAG);
		InterlockedIncrement(&c->Srv->Errors);
		DropRef(c);
		return STATUS_DATA_NOT_ACCEPTED;
	}
	s->Conn = c;
	s->Indication = DataIndication;
	buf.Mdl = first;
	buf.Offset = DataIndication->Buffer.Offset;
	buf.Length = total;
	IoSetCompletionRoutine(irp, SendDone, s, TRUE, TRUE, TRUE);
	CONN_DISPATCH(c->Socket)->WskSend(c->Socket, &buf, WSK_FLAG_NODELAY, irp);
	return STATUS_PENDING;
}

static NTSTATUS WSKAPI
DisconnectEvent(PVOID SocketContext, ULONG Flags)
{
	PECHO_CONN c = SocketContext;

	if (Flags & WSK_FLAG_ABORTIVE)
		CloseConn(c); /* reset: sends fail, then the socket closes */
	else
		Disconnect(c, 0); /* our FIN after the echoed data, then close */
	return STATUS_SUCCESS;
}

static NTSTATUS
DgramSendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_DGRAMS g = Context;
	PECHO_SERVER srv = g->Srv;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(Irp->IoStatus.Status))
		InterlockedAdd64(&srv->UdpBytes, (LONG64)Irp->IoStatus.Information);
	else
		InterlockedIncrement(&srv->Errors);
	IoFreeIrp(Irp);
	if (InterlockedDecrement(&g->Left) == 0) {
		DGRAM_DISPATCH(srv->Udp)->WskRelease(srv->Udp, g->List);
		ExFreePoolWithTag(g, TAG);
		InterlockedDecrement(&srv->UdpInflight);
	}
	return STATUS_MORE_PROCESSING_REQUIRED;
}

BOOLEAN EchoSockperfReplies;

/* sockperf's ping-pong client drops replies that still carry its "from
 * client" flag: bit 0 of the 16-bit big-endian flags after the 8-byte
 * sequence number (its own server clears it). The datagram is ours to edit
 * while we hold the indication. */
static VOID
SockperfReply(const WSK_BUF *b)
{
	PUCHAR p;

	if (b->Length < 10 || MmGetMdlByteCount(b->Mdl) < b->Offset + 10)
		return;
	p = (PUCHAR)MmGetSystemAddressForMdlSafe(b->Mdl, NormalPagePriority) + b->Offset;
	if (p != NULL)
		p[9] &= (UCHAR)~1u;
}

static NTSTATUS WSKAPI
ReceiveFromEvent(PVOID SocketContext, ULONG Flags, PWSK_DATAGRAM_INDICATION Indication)
{
	PECHO_SERVER srv = SocketContext;
	PWSK_DATAGRAM_INDICATION d;
	PECHO_DGRAMS g;

	UNREFERENCED_PARAMETER(Flags);
	if (Indication == NULL)
		return STATUS_SUCCESS;
	g = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*g), TAG);
	if (g == NULL) {
		InterlockedIncrement(&srv->Errors);
		return STATUS_SUCCESS; /* dropped: UDP */
	}
	g->Srv = srv;
	g->List = Indication;
	g->Left = 1; /* until every send is started */
	InterlockedIncrement(&srv->UdpInflight);
	for (d = Indication; d != NULL; d = d->Next) {
		PIRP irp = IoAllocateIrp(1, FALSE);

		if (irp == NULL) {
			InterlockedIncrement(&srv->Errors);
			continue;
		}
		InterlockedIncrement(&g->Left);
		InterlockedIncrement64(&srv->Datagrams);
		if (EchoSockperfReplies)
			SockperfReply(&d->Buffer);
		IoSetCompletionRoutine(irp, DgramSendDone, g, TRUE, TRUE, TRUE);
		DGRAM_DISPATCH(srv->Udp)->WskSendTo(srv->Udp, &d->Buffer, 0, d->RemoteAddress, 0,
						    NULL, irp);
	}
	if (InterlockedDecrement(&g->Left) == 0) {
		/* Every send completed inside the calls: the list is still the provider's. */
		ExFreePoolWithTag(g, TAG);
		InterlockedDecrement(&srv->UdpInflight);
		return STATUS_SUCCESS;
	}
	return STATUS_PENDING;
}

/* ---- PASSIVE: set-up, progress, stop ---- */

static VOID
SleepMs(ULONG Ms)
{
	LARGE_INTEGER t;

	t.QuadPart = -(LONGLONG)Ms * 10000;
	KeDelayExecutionThread(KernelMode, FALSE, &t);
}

/* Abort every connection still open; wait (bounded) until all closed. */
static VOID
AbortAll(PECHO_SERVER srv)
{
	PECHO_CONN held[64];
	PLIST_ENTRY e;
	ULONG n, i, waited = 0;
	KIRQL irql;

	do {
		n = 0;
		KeAcquireSpinLock(&srv->Lock, &irql);
		for (e = srv->Conns.Flink; e != &srv->Conns && n < 64; e = e->Flink) {
			PECHO_CONN c = CONTAINING_RECORD(e, ECHO_CONN, Link);

			if (!c->Aborting && TryRef(c))
				held[n++] = c;
		}
		KeReleaseSpinLock(&srv->Lock, irql);
		for (i = 0; i < n; i++) {
			InterlockedIncrement(&srv->Aborted);
			Abort(held[i]);
			DropRef(held[i]);
		}
	} while (n == 64);
	while (srv->Open > 0 && waited < 5000) {
		SleepMs(10);
		waited += 10;
	}
}

static VOID
PrintStats(PECHO_SERVER srv, const char *Head, double Secs, ULONGLONG LastTcp,
	   ULONGLONG LastDgrams, double Dt)
{
	printf("%s: %s%.1f conns=%ld open=%ld tcp_bytes=%lld tcp_gbps=%.3f datagrams=%lld "
	       "dgram_per_s=%.0f udp_bytes=%lld errors=%ld",
	       PROG, Head, Secs, (long)srv->Total, (long)srv->Open, (long long)srv->TcpBytes,
	       (double)((ULONGLONG)srv->TcpBytes - LastTcp) * 8 / Dt / 1e9,
	       (long long)srv->Datagrams, (double)((ULONGLONG)srv->Datagrams - LastDgrams) / Dt,
	       (long long)srv->UdpBytes, (long)srv->Errors);
}

NTSTATUS
EchoServerRun(PWSKAPP_CLIENT Client, USHORT Port, ULONG StatsSec)
{
	ECHO_SERVER srv;
	PWSK_SOCKET lsock, usock = NULL;
	SOCKADDR_IN any;
	ULONGLONG start = 0, last, now, last_tcp = 0, last_dg = 0;
	NTSTATUS st;
	ULONG waited = 0;

	RtlZeroMemory(&srv, sizeof(srv));
	KeInitializeSpinLock(&srv.Lock);
	InitializeListHead(&srv.Conns);
	WskAppAnyAddr(Port, &any);
	lsock = WskAppSocket(Client, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &srv,
			     &ListenDispatch, &st);
	if (lsock != NULL)
		usock = WskAppSocket(Client, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET,
				     &srv, &DgramDispatch, &st);
	srv.Udp = usock;
	if (usock != NULL)
		st = WskAppBind(lsock, &any);
	if (usock != NULL && NT_SUCCESS(st))
		st = WskAppEvents(lsock, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	if (usock != NULL && NT_SUCCESS(st))
		st = WskAppBind(usock, &any);
	if (usock != NULL && NT_SUCCESS(st))
		st = WskAppEvents(usock, WSK_EVENT_RECEIVE_FROM);
	if (NT_SUCCESS(st)) {
		printf("%s: ready: echoing TCP and UDP on port %u\n", PROG, Port);
		fflush(stdout);
		start = last = WskAppNowNs();
		while (!WskstackWaitForStop(100)) {
			now = WskAppNowNs();
			if (StatsSec == 0 || now - last < (ULONGLONG)StatsSec * 1000000000ull)
				continue;
			PrintStats(&srv, "secs=", (double)(now - start) / 1e9, last_tcp, last_dg,
				   (double)(now - last) / 1e9);
			printf("\n");
			fflush(stdout);
			last = now;
			last_tcp = (ULONGLONG)srv.TcpBytes;
			last_dg = (ULONGLONG)srv.Datagrams;
		}
	} else {
		fprintf(stderr, "%s: cannot serve on port %u: 0x%08x\n", PROG, Port,
			(unsigned int)st);
	}
	start = start == 0 ? WskAppNowNs() : start;
	if (lsock != NULL)
		WskAppCloseSocket(lsock); /* no new connections */
	AbortAll(&srv);
	if (usock != NULL) {
		WskAppEvents(usock, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE);
		while (srv.UdpInflight > 0 && waited < 2000) {
			SleepMs(1);
			waited++;
		}
		WskAppCloseSocket(usock);
	}
	now = WskAppNowNs();
	PrintStats(&srv, "summary secs=", (double)(now - start) / 1e9, 0, 0,
		   (double)(now - start) / 1e9);
	printf(" port=%u aborted=%ld still_open=%ld\n", Port, (long)srv.Aborted, (long)srv.Open);
	fflush(stdout);
	if (srv.Open > 0 || srv.UdpInflight > 0)
		return STATUS_UNSUCCESSFUL; /* cannot deregister with sockets open */
	return st;
}
