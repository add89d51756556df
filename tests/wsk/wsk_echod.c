/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wsk_echod: a WSK driver (Windows headers only) that echoes TCP and UDP,
 * run to completion on the stack's lcores: WskAcceptEvent takes the
 * connection, WskReceiveEvent retains each indication (STATUS_PENDING) and
 * sends its MDLs straight back with WskSend, releasing it with WskRelease
 * when the send IRPs complete; WskReceiveFromEvent does the same for
 * datagrams with WskSendTo. Zero copy both ways.
 *
 *   wsk_echod PROFILE PORT
 *
 * Stops on SIGINT/SIGTERM; prints one summary line; exit 0 only if every
 * socket, IRP and pool came back.
 */
#include <ntddk.h>
#include <wsk.h>
#include <wskstack.h>

#include <stdio.h>
#include <stdlib.h>

#define TAG 'ohcE'

static WSK_REGISTRATION Reg;
static WSK_PROVIDER_NPI Npi;
static const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };
static USHORT Port;
static PWSK_SOCKET UdpSock;
static volatile LONG Conns, ConnsTotal, Releases;
static volatile LONG64 BytesEchoed, Datagrams;

typedef struct _ECHO_CONN {
	PWSK_SOCKET Socket;
	volatile LONG Closing;
} ECHO_CONN, *PECHO_CONN;

/* One retained indication being sent back: freed when its send completes. */
typedef struct _ECHO_SEND {
	PWSK_SOCKET Socket;
	PWSK_DATA_INDICATION Indication;
	PIRP Irp;
} ECHO_SEND, *PECHO_SEND;

static IO_COMPLETION_ROUTINE SendDone;
static IO_COMPLETION_ROUTINE CloseDone;
static IO_COMPLETION_ROUTINE DisconnectDone;
static IO_COMPLETION_ROUTINE DgramSendDone;

static NTSTATUS WSKAPI AcceptEvent(PVOID, ULONG, PSOCKADDR, PSOCKADDR, PWSK_SOCKET, PVOID *,
				  CONST WSK_CLIENT_CONNECTION_DISPATCH **);
static NTSTATUS WSKAPI ReceiveEvent(PVOID, ULONG, PWSK_DATA_INDICATION, SIZE_T, SIZE_T *);
static NTSTATUS WSKAPI DisconnectEvent(PVOID, ULONG);
static NTSTATUS WSKAPI ReceiveFromEvent(PVOID, ULONG, PWSK_DATAGRAM_INDICATION);

static const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch = { AcceptEvent, NULL, NULL };
static const WSK_CLIENT_CONNECTION_DISPATCH ConnDispatch = { ReceiveEvent, DisconnectEvent,
							     NULL };
static const WSK_CLIENT_DATAGRAM_DISPATCH DgramDispatch = { ReceiveFromEvent };

static NTSTATUS
CloseDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_CONN c = Context;

	UNREFERENCED_PARAMETER(Dev);
	IoFreeIrp(Irp);
	if (c != NULL) {
		ExFreePoolWithTag(c, TAG);
		InterlockedDecrement(&Conns);
	}
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID
CloseConn(PECHO_CONN c)
{
	PIRP irp;

	if (InterlockedExchange(&c->Closing, 1) != 0)
		return;
	irp = IoAllocateIrp(1, FALSE);
	if (irp == NULL)
		return;
	IoSetCompletionRoutine(irp, CloseDone, c, TRUE, TRUE, TRUE);
	((PWSK_PROVIDER_CONNECTION_DISPATCH)c->Socket->Dispatch)->WskCloseSocket(c->Socket, irp);
}

/* Our FIN was acknowledged and the peer's came: close (no RST now). */
static NTSTATUS
DisconnectDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(Dev);
	IoFreeIrp(Irp);
	CloseConn(Context);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_SEND s = Context;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(Irp->IoStatus.Status))
		InterlockedAdd64(&BytesEchoed, (LONG64)Irp->IoStatus.Information);
	((PWSK_PROVIDER_CONNECTION_DISPATCH)s->Socket->Dispatch)->WskRelease(s->Socket,
									      s->Indication);
	InterlockedIncrement(&Releases);
	IoFreeIrp(Irp);
	ExFreePoolWithTag(s, TAG);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI
AcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
	    PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
	    CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
	PECHO_CONN c;

	UNREFERENCED_PARAMETER(SocketContext);
	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(LocalAddress);
	UNREFERENCED_PARAMETER(RemoteAddress);
	if (AcceptSocket == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED; /* the listener died */
	c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), TAG);
	if (c == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	c->Socket = AcceptSocket;
	InterlockedIncrement(&Conns);
	InterlockedIncrement(&ConnsTotal);
	*AcceptSocketContext = c;
	*AcceptSocketDispatch = &ConnDispatch;
	return STATUS_SUCCESS;
}

/* Echo one indication list: a single send over all its MDLs would need a
 * chain; each WSK_DATA_INDICATION entry is its own WSK_BUF, so send the
 * entries one IRP each and release the list with the last completion. */
static NTSTATUS WSKAPI
ReceiveEvent(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION DataIndication,
	     SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
	PECHO_CONN c = SocketContext;
	PWSK_DATA_INDICATION d;
	PECHO_SEND s;
	WSK_BUF buf;
	PMDL first = NULL, *link = &first;
	SIZE_T total = 0;

	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(BytesAccepted);
	if (DataIndication == NULL) {
		CloseConn(c);
		return STATUS_SUCCESS;
	}
	/* Chain the entries' MDLs (each indication entry has its own MDL;
	 * Next links are free for us while we own the list). */
	for (d = DataIndication; d != NULL; d = d->Next) {
		*link = d->Buffer.Mdl;
		link = &d->Buffer.Mdl->Next;
		total += d->Buffer.Length;
	}
	*link = NULL;
	if (total != BytesIndicated)
		return STATUS_DATA_NOT_ACCEPTED;
	s = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*s), TAG);
	if (s == NULL)
		return STATUS_DATA_NOT_ACCEPTED;
	s->Irp = IoAllocateIrp(1, FALSE);
	if (s->Irp == NULL) {
		ExFreePoolWithTag(s, TAG);
		return STATUS_DATA_NOT_ACCEPTED;
	}
	s->Socket = c->Socket;
	s->Indication = DataIndication;
	buf.Mdl = first;
	buf.Offset = DataIndication->Buffer.Offset;
	buf.Length = total;
	IoSetCompletionRoutine(s->Irp, SendDone, s, TRUE, TRUE, TRUE);
	((PWSK_PROVIDER_CONNECTION_DISPATCH)c->Socket->Dispatch)->WskSend(c->Socket, &buf, 0, s->Irp);
	return STATUS_PENDING; /* retained until SendDone releases it */
}

static NTSTATUS WSKAPI
DisconnectEvent(PVOID SocketContext, ULONG Flags)
{
	PECHO_CONN c = SocketContext;
	PIRP irp;

	if (Flags & WSK_FLAG_ABORTIVE) {
		CloseConn(c);
		return STATUS_SUCCESS;
	}
	/* Graceful: finish our side (after the echoed data), then close. */
	irp = IoAllocateIrp(1, FALSE);
	if (irp == NULL) {
		CloseConn(c);
		return STATUS_SUCCESS;
	}
	IoSetCompletionRoutine(irp, DisconnectDone, c, TRUE, TRUE, TRUE);
	((PWSK_PROVIDER_CONNECTION_DISPATCH)c->Socket->Dispatch)->WskDisconnect(c->Socket, NULL, 0,
										 irp);
	return STATUS_SUCCESS;
}

/* A datagram list is released whole (the pointer that was indicated), when
 * the last of its echoes completed. */
typedef struct _ECHO_DGRAMS {
	PWSK_SOCKET Socket;
	PWSK_DATAGRAM_INDICATION List;
	volatile LONG Left;
} ECHO_DGRAMS, *PECHO_DGRAMS;

static NTSTATUS
DgramSendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PECHO_DGRAMS g = Context;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(Irp->IoStatus.Status))
		InterlockedAdd64(&BytesEchoed, (LONG64)Irp->IoStatus.Information);
	IoFreeIrp(Irp);
	if (InterlockedDecrement(&g->Left) == 0) {
		((PWSK_PROVIDER_DATAGRAM_DISPATCH)g->Socket->Dispatch)->WskRelease(g->Socket, g->List);
		InterlockedIncrement(&Releases);
		ExFreePoolWithTag(g, TAG);
	}
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI
ReceiveFromEvent(PVOID SocketContext, ULONG Flags, PWSK_DATAGRAM_INDICATION Indication)
{
	PWSK_SOCKET sock = UdpSock;
	PWSK_DATAGRAM_INDICATION d;
	PECHO_DGRAMS g;
	LONG n = 0;

	UNREFERENCED_PARAMETER(SocketContext);
	UNREFERENCED_PARAMETER(Flags);
	if (Indication == NULL)
		return STATUS_SUCCESS;
	for (d = Indication; d != NULL; d = d->Next)
		n++;
	g = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*g), TAG);
	if (g == NULL)
		return STATUS_SUCCESS; /* dropped: UDP */
	g->Socket = sock;
	g->List = Indication;
	g->Left = n + 1; /* +1 until every send is started */
	for (d = Indication; d != NULL; d = d->Next) {
		PIRP irp = IoAllocateIrp(1, FALSE);

		if (irp == NULL) {
			InterlockedDecrement(&g->Left);
			continue;
		}
		InterlockedIncrement64(&Datagrams);
		IoSetCompletionRoutine(irp, DgramSendDone, g, TRUE, TRUE, TRUE);
		((PWSK_PROVIDER_DATAGRAM_DISPATCH)sock->Dispatch)
			->WskSendTo(sock, &d->Buffer, 0, d->RemoteAddress, 0, NULL, irp);
	}
	if (InterlockedDecrement(&g->Left) == 0) {
		/* Every send completed inside the calls: release now (still ours). */
		ExFreePoolWithTag(g, TAG);
		return STATUS_SUCCESS;
	}
	return STATUS_PENDING;
}

/* ---- synchronous helpers (PASSIVE_LEVEL) ---- */

static NTSTATUS
SyncDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static PIRP
SyncIrp(PKEVENT ev)
{
	PIRP irp = IoAllocateIrp(1, FALSE);

	KeInitializeEvent(ev, NotificationEvent, FALSE);
	if (irp != NULL)
		IoSetCompletionRoutine(irp, SyncDone, ev, TRUE, TRUE, TRUE);
	return irp;
}

static NTSTATUS
SyncWait(PIRP irp, PKEVENT ev, NTSTATUS st)
{
	if (st == STATUS_PENDING || NT_SUCCESS(st) || irp->IoStatus.Status != 0) {
		KeWaitForSingleObject(ev, Executive, KernelMode, FALSE, NULL);
		st = irp->IoStatus.Status;
	}
	return st;
}

static PWSK_SOCKET
MakeSocket(USHORT type, ULONG proto, ULONG flags, PVOID ctx, const VOID *disp)
{
	KEVENT ev;
	PIRP irp = SyncIrp(&ev);
	NTSTATUS st;
	PWSK_SOCKET s = NULL;

	st = Npi.Dispatch->WskSocket(Npi.Client, AF_INET, type, proto, flags, ctx, disp, NULL, NULL,
				     NULL, irp);
	st = SyncWait(irp, &ev, st);
	if (NT_SUCCESS(st))
		s = (PWSK_SOCKET)irp->IoStatus.Information;
	IoFreeIrp(irp);
	return s;
}

static NTSTATUS
BindAndEnable(PWSK_SOCKET s, ULONG events)
{
	KEVENT ev;
	PIRP irp = SyncIrp(&ev);
	SOCKADDR_IN a;
	WSK_EVENT_CALLBACK_CONTROL ecc;
	NTSTATUS st;

	RtlZeroMemory(&a, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = RtlUshortByteSwap(Port);
	st = ((PWSK_PROVIDER_LISTEN_DISPATCH)s->Dispatch)->WskBind(s, (PSOCKADDR)&a, 0, irp);
	st = SyncWait(irp, &ev, st);
	IoFreeIrp(irp);
	if (!NT_SUCCESS(st))
		return st;
	ecc.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
	ecc.EventMask = events;
	return ((PWSK_PROVIDER_BASIC_DISPATCH)s->Dispatch)
		->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ecc),
				   &ecc, 0, NULL, NULL, NULL);
}

static VOID
CloseSync(PWSK_SOCKET s)
{
	KEVENT ev;
	PIRP irp = SyncIrp(&ev);
	NTSTATUS st;

	st = ((PWSK_PROVIDER_BASIC_DISPATCH)s->Dispatch)->WskCloseSocket(s, irp);
	SyncWait(irp, &ev, st);
	IoFreeIrp(irp);
}

static NTSTATUS
DriverMain(PVOID Context)
{
	WSK_CLIENT_NPI cnpi = { NULL, &ClientDispatch };
	PWSK_SOCKET lsock, usock;
	NTSTATUS st;
	int waited = 0;

	UNREFERENCED_PARAMETER(Context);
	st = WskRegister(&cnpi, &Reg);
	if (!NT_SUCCESS(st))
		return st;
	st = WskCaptureProviderNPI(&Reg, WSK_INFINITE_WAIT, &Npi);
	if (!NT_SUCCESS(st)) {
		WskDeregister(&Reg);
		return st;
	}
	lsock = MakeSocket(SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL, &ListenDispatch);
	usock = MakeSocket(SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, &DgramDispatch);
	UdpSock = usock;
	st = lsock != NULL && usock != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
	if (NT_SUCCESS(st))
		st = BindAndEnable(lsock, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	if (NT_SUCCESS(st))
		st = BindAndEnable(usock, WSK_EVENT_RECEIVE_FROM);
	if (NT_SUCCESS(st)) {
		printf("wsk_echod: echoing TCP and UDP on port %u\n", Port);
		fflush(stdout);
		WskstackWaitForStop(WSKSTACK_WAIT_FOREVER);
	} else {
		fprintf(stderr, "wsk_echod: start failed: 0x%08x\n", (unsigned int)st);
	}
	if (lsock != NULL)
		CloseSync(lsock);
	if (usock != NULL)
		CloseSync(usock);
	/* Connections close when their peers disconnect; give them a moment. */
	while (Conns > 0 && waited++ < 500) {
		LARGE_INTEGER t;

		t.QuadPart = -10LL * 10000; /* 10 ms */
		KeDelayExecutionThread(KernelMode, FALSE, &t);
	}
	printf("wsk_echod: %ld connections, %lld bytes echoed, %lld datagrams, %ld still open\n",
	       (long)ConnsTotal, (long long)BytesEchoed, (long long)Datagrams, (long)Conns);
	WskReleaseProviderNPI(&Reg);
	if (Conns > 0)
		return STATUS_UNSUCCESSFUL; /* cannot deregister with sockets open */
	WskDeregister(&Reg);
	return st;
}

int
main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[2]) <= 0 || atoi(argv[2]) > 65535) {
		fprintf(stderr, "usage: wsk_echod PROFILE PORT\n");
		return 2;
	}
	Port = (USHORT)atoi(argv[2]);
	return WskstackRun(argv[1], argv[0], DriverMain, NULL);
}
