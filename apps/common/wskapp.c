/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared WSK helpers of the applications (see wskapp.h). */
#include <ip2string.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wskapp.h"

#define WSKAPP_TAG 'ppAW'

NTSTATUS
WskAppOpen(PWSKAPP_CLIENT c)
{
	WSK_CLIENT_NPI npi;
	NTSTATUS st;

	RtlZeroMemory(c, sizeof(*c));
	c->Dispatch.Version = MAKE_WSK_VERSION(1, 0);
	npi.ClientContext = c;
	npi.Dispatch = &c->Dispatch;
	st = WskRegister(&npi, &c->Registration);
	if (!NT_SUCCESS(st))
		return st;
	st = WskCaptureProviderNPI(&c->Registration, WSK_INFINITE_WAIT, &c->Npi);
	if (!NT_SUCCESS(st)) {
		WskDeregister(&c->Registration);
		return st;
	}
	c->Captured = TRUE;
	return STATUS_SUCCESS;
}

VOID
WskAppClose(PWSKAPP_CLIENT c)
{
	if (!c->Captured)
		return;
	WskReleaseProviderNPI(&c->Registration);
	WskDeregister(&c->Registration);
	c->Captured = FALSE;
}

static NTSTATUS
IrpDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

PIRP
WskAppIrpBegin(PWSKAPP_IRP w)
{
	if (w->Irp == NULL)
		w->Irp = IoAllocateIrp(1, FALSE);
	else
		IoReuseIrp(w->Irp, STATUS_UNSUCCESSFUL);
	if (w->Irp == NULL)
		return NULL;
	KeInitializeEvent(&w->Done, NotificationEvent, FALSE);
	IoSetCompletionRoutine(w->Irp, IrpDone, &w->Done, TRUE, TRUE, TRUE);
	return w->Irp;
}

NTSTATUS
WskAppIrpWait(PWSKAPP_IRP w, NTSTATUS Returned, ULONG TimeoutMs, ULONG_PTR *Info)
{
	LARGE_INTEGER to;

	UNREFERENCED_PARAMETER(Returned);
	/* Every accepted IRP completes, inline failures included: always wait. */
	if (TimeoutMs == 0) {
		KeWaitForSingleObject(&w->Done, Executive, KernelMode, FALSE, NULL);
	} else {
		to.QuadPart = -(LONGLONG)TimeoutMs * 10000;
		if (KeWaitForSingleObject(&w->Done, Executive, KernelMode, FALSE, &to) ==
		    STATUS_TIMEOUT) {
			IoCancelIrp(w->Irp);
			KeWaitForSingleObject(&w->Done, Executive, KernelMode, FALSE, NULL);
		}
	}
	if (Info != NULL)
		*Info = w->Irp->IoStatus.Information;
	return w->Irp->IoStatus.Status;
}

VOID
WskAppIrpFree(PWSKAPP_IRP w)
{
	if (w->Irp != NULL)
		IoFreeIrp(w->Irp);
	w->Irp = NULL;
}

NTSTATUS
WskAppBufAlloc(PWSKAPP_BUF b, ULONG Size)
{
	b->Data = ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, WSKAPP_TAG);
	b->Size = Size;
	b->Mdl = NULL;
	if (b->Data == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	b->Mdl = IoAllocateMdl(b->Data, Size, FALSE, FALSE, NULL);
	if (b->Mdl == NULL) {
		ExFreePoolWithTag(b->Data, WSKAPP_TAG);
		b->Data = NULL;
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	MmBuildMdlForNonPagedPool(b->Mdl);
	return STATUS_SUCCESS;
}

VOID
WskAppBufFree(PWSKAPP_BUF b)
{
	if (b->Mdl != NULL)
		IoFreeMdl(b->Mdl);
	if (b->Data != NULL)
		ExFreePoolWithTag(b->Data, WSKAPP_TAG);
	b->Mdl = NULL;
	b->Data = NULL;
}

WSK_BUF
WskAppWskBuf(const WSKAPP_BUF *b, ULONG Offset, SIZE_T Length)
{
	WSK_BUF w;

	w.Mdl = b->Mdl;
	w.Offset = Offset;
	w.Length = Length;
	return w;
}

#define CONN(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define BASIC(s) ((const WSK_PROVIDER_BASIC_DISPATCH *)(s)->Dispatch)

PWSK_SOCKET
WskAppSocket(PWSKAPP_CLIENT c, USHORT Type, ULONG Protocol, ULONG Flags, PVOID Context,
	     const VOID *Dispatch, NTSTATUS *Status)
{
	WSKAPP_IRP w = { 0 };
	ULONG_PTR info = 0;
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL) {
		*Status = STATUS_INSUFFICIENT_RESOURCES;
		return NULL;
	}
	st = c->Npi.Dispatch->WskSocket(c->Npi.Client, AF_INET, Type, Protocol, Flags, Context,
					Dispatch, NULL, NULL, NULL, w.Irp);
	st = WskAppIrpWait(&w, st, 0, &info);
	WskAppIrpFree(&w);
	*Status = st;
	return NT_SUCCESS(st) ? (PWSK_SOCKET)info : NULL;
}

/* The bind, connect and listen members sit at different places in each
 * table; the socket's category decides (listen, connection, stream, datagram). */
NTSTATUS
WskAppBind(PWSK_SOCKET s, const SOCKADDR_IN *Local)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	/* WskBind is the third slot of every table that has it. */
	st = CONN(s)->WskBind(s, (PSOCKADDR)Local, 0, w.Irp);
	st = WskAppIrpWait(&w, st, 0, NULL);
	WskAppIrpFree(&w);
	return st;
}

/* Connection sockets (a stream socket's WskConnect sits elsewhere in its table). */
NTSTATUS
WskAppConnect(PWSK_SOCKET s, const SOCKADDR_IN *Remote)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = CONN(s)->WskConnect(s, (PSOCKADDR)Remote, 0, w.Irp);
	st = WskAppIrpWait(&w, st, 0, NULL);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppListen(PWSK_SOCKET s)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = ((const WSK_PROVIDER_STREAM_DISPATCH *)s->Dispatch)->WskListen(s, w.Irp);
	st = WskAppIrpWait(&w, st, 0, NULL);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppSend(PWSK_SOCKET s, const WSK_BUF *Buf, ULONG Flags, ULONG_PTR *Sent)
{
	WSKAPP_IRP w = { 0 };
	WSK_BUF b = *Buf;
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = CONN(s)->WskSend(s, &b, Flags, w.Irp);
	st = WskAppIrpWait(&w, st, 0, Sent);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppReceive(PWSK_SOCKET s, const WSK_BUF *Buf, ULONG Flags, ULONG_PTR *Received)
{
	WSKAPP_IRP w = { 0 };
	WSK_BUF b = *Buf;
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = CONN(s)->WskReceive(s, &b, Flags, w.Irp);
	st = WskAppIrpWait(&w, st, 0, Received);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppDisconnect(PWSK_SOCKET s, ULONG Flags)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = CONN(s)->WskDisconnect(s, NULL, Flags, w.Irp);
	/* A graceful disconnect waits for the peer's FIN: bound it. */
	st = WskAppIrpWait(&w, st, (Flags & WSK_FLAG_ABORTIVE) ? 0 : 10000, NULL);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppCloseSocket(PWSK_SOCKET s)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = BASIC(s)->WskCloseSocket(s, w.Irp);
	st = WskAppIrpWait(&w, st, 0, NULL);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppSetOption(PWSK_SOCKET s, ULONG Level, ULONG Option, ULONG Value)
{
	WSKAPP_IRP w = { 0 };
	NTSTATUS st;

	if (WskAppIrpBegin(&w) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = BASIC(s)->WskControlSocket(s, WskSetOption, Option, Level, sizeof(Value), &Value, 0,
					NULL, NULL, w.Irp);
	st = WskAppIrpWait(&w, st, 0, NULL);
	WskAppIrpFree(&w);
	return st;
}

NTSTATUS
WskAppEvents(PWSK_SOCKET s, ULONG Mask)
{
	WSK_EVENT_CALLBACK_CONTROL ecc;

	ecc.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
	ecc.EventMask = Mask;
	return BASIC(s)->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
					  sizeof(ecc), &ecc, 0, NULL, NULL, NULL);
}

BOOLEAN
WskAppParseNum(const char *Text, ULONGLONG Min, ULONGLONG Max, ULONGLONG *Out)
{
	char *end;
	unsigned long long v;

	if (Text == NULL || *Text == '\0' || *Text == '-')
		return FALSE;
	v = strtoull(Text, &end, 10);
	if (*end != '\0' || v < Min || v > Max)
		return FALSE;
	*Out = v;
	return TRUE;
}

BOOLEAN
WskAppParseAddr(const char *Text, USHORT DefaultPort, SOCKADDR_IN *Out)
{
	IN_ADDR a;
	USHORT port = 0;
	const char *colon = strchr(Text, ':');
	char host[64];
	PCSTR term;

	RtlZeroMemory(Out, sizeof(*Out));
	Out->sin_family = AF_INET;
	if (colon != NULL) {
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);

		if ((size_t)(colon - Text) >= sizeof(host) || *end != '\0' || p == 0 || p > 65535)
			return FALSE;
		memcpy(host, Text, (size_t)(colon - Text));
		host[colon - Text] = '\0';
		port = (USHORT)p;
	} else {
		if (strlen(Text) >= sizeof(host))
			return FALSE;
		strcpy(host, Text);
		port = DefaultPort;
	}
	if (!NT_SUCCESS(RtlIpv4StringToAddressA(host, TRUE, &term, &a)) || *term != '\0')
		return FALSE;
	Out->sin_addr = a;
	Out->sin_port = RtlUshortByteSwap(port);
	return TRUE;
}

VOID
WskAppAnyAddr(USHORT Port, SOCKADDR_IN *Out)
{
	RtlZeroMemory(Out, sizeof(*Out));
	Out->sin_family = AF_INET;
	Out->sin_port = RtlUshortByteSwap(Port);
}

VOID
WskAppFormatAddr(const SOCKADDR_IN *a, char *Text, ULONG Size)
{
	char ip[24];

	RtlIpv4AddressToStringA(&a->sin_addr, ip);
	snprintf(Text, Size, "%s:%u", ip, RtlUshortByteSwap(a->sin_port));
}

ULONGLONG
WskAppNowNs(VOID)
{
	LARGE_INTEGER f, c = KeQueryPerformanceCounter(&f);

	return (ULONGLONG)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}
