/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the WSK applications share (apps/wskstack-*): a registered client
 * with its captured NPI, synchronous wrappers of the WSK calls a PASSIVE
 * thread makes (an IRP from IoAllocateIrp, a completion routine that sets
 * a KEVENT, a wait), buffers described by MDLs, address parsing, a clock.
 * Windows headers only: apps are WSK clients and never see the stack.
 */
#ifndef WSKAPP_H
#define WSKAPP_H

#include <ntddk.h>
#include <wsk.h>
#include <wskstack.h>

/** A WSK client registration and its NPI. */
typedef struct _WSKAPP_CLIENT {
	WSK_CLIENT_DISPATCH Dispatch;
	WSK_REGISTRATION Registration;
	WSK_PROVIDER_NPI Npi;
	BOOLEAN Captured;
} WSKAPP_CLIENT, *PWSKAPP_CLIENT;

/** WskRegister + WskCaptureProviderNPI (waits for the stack). */
NTSTATUS WskAppOpen(PWSKAPP_CLIENT c);
/** WskReleaseProviderNPI + WskDeregister. */
VOID WskAppClose(PWSKAPP_CLIENT c);

/** One reusable IRP with an event its completion routine sets. */
typedef struct _WSKAPP_IRP {
	PIRP Irp;
	KEVENT Done;
} WSKAPP_IRP, *PWSKAPP_IRP;

/** Allocate (first use) or reuse the IRP, arm the routine. @return the IRP or NULL. */
PIRP WskAppIrpBegin(PWSKAPP_IRP w);
/**
 * Wait for the IRP a WSK call returned @p Returned for (0 ms: forever;
 * otherwise the IRP is cancelled at the timeout and then waited for).
 * @return Irp->IoStatus.Status; *@p Info gets its Information.
 */
NTSTATUS WskAppIrpWait(PWSKAPP_IRP w, NTSTATUS Returned, ULONG TimeoutMs, ULONG_PTR *Info);
/** Free the IRP. */
VOID WskAppIrpFree(PWSKAPP_IRP w);

/** A buffer and the MDL describing it. */
typedef struct _WSKAPP_BUF {
	PUCHAR Data;
	ULONG Size;
	PMDL Mdl;
} WSKAPP_BUF, *PWSKAPP_BUF;

NTSTATUS WskAppBufAlloc(PWSKAPP_BUF b, ULONG Size);
VOID WskAppBufFree(PWSKAPP_BUF b);
/** A WSK_BUF over bytes [@p Offset, @p Offset + @p Length) of @p b. */
WSK_BUF WskAppWskBuf(const WSKAPP_BUF *b, ULONG Offset, SIZE_T Length);

/* Synchronous calls (PASSIVE_LEVEL): they return the IRP's final status. */
PWSK_SOCKET WskAppSocket(PWSKAPP_CLIENT c, USHORT Type, ULONG Protocol, ULONG Flags,
			 PVOID Context, const VOID *Dispatch, NTSTATUS *Status);
NTSTATUS WskAppBind(PWSK_SOCKET s, const SOCKADDR_IN *Local);
NTSTATUS WskAppConnect(PWSK_SOCKET s, const SOCKADDR_IN *Remote);
NTSTATUS WskAppListen(PWSK_SOCKET s);
NTSTATUS WskAppSend(PWSK_SOCKET s, const WSK_BUF *Buf, ULONG Flags, ULONG_PTR *Sent);
NTSTATUS WskAppReceive(PWSK_SOCKET s, const WSK_BUF *Buf, ULONG Flags, ULONG_PTR *Received);
NTSTATUS WskAppDisconnect(PWSK_SOCKET s, ULONG Flags);
NTSTATUS WskAppCloseSocket(PWSK_SOCKET s);
NTSTATUS WskAppSetOption(PWSK_SOCKET s, ULONG Level, ULONG Option, ULONG Value);
/** SO_WSK_EVENT_CALLBACK (no IRP). */
NTSTATUS WskAppEvents(PWSK_SOCKET s, ULONG Mask);

/** A decimal in [@p Min, @p Max] (no sign, nothing after it). @return TRUE if @p Text is one. */
BOOLEAN WskAppParseNum(const char *Text, ULONGLONG Min, ULONGLONG Max, ULONGLONG *Out);

/** "A.B.C.D:PORT" or "A.B.C.D" (port @p DefaultPort) into @p out. @return TRUE if valid. */
BOOLEAN WskAppParseAddr(const char *Text, USHORT DefaultPort, SOCKADDR_IN *Out);
/** 0.0.0.0:@p Port. */
VOID WskAppAnyAddr(USHORT Port, SOCKADDR_IN *Out);
/** "A.B.C.D:PORT" of @p a into @p text (at least 24 bytes). */
VOID WskAppFormatAddr(const SOCKADDR_IN *a, char *Text, ULONG Size);

/** Monotonic time in nanoseconds. */
ULONGLONG WskAppNowNs(VOID);

#endif /* WSKAPP_H */
