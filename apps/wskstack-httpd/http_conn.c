/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connections, run to completion on the lcore. WskAcceptEvent takes each
 * connection; WskReceiveEvent parses requests straight from the indicated
 * MDLs (only a header section that spans indications is copied, into the
 * connection's buffer), answers each with one WskSend of an MDL chain:
 * the header in one of the connection's response slots, then the cached
 * body's MDL (zero copy). Request bodies are skipped in place.
 *
 * Flow control: a connection with HTTPD_SLOTS responses, or HTTPD_OUT_MAX
 * bytes of them, not completed parses nothing more: the receive event
 * accepts only the bytes already used (STATUS_DATA_NOT_ACCEPTED if none),
 * so the stack keeps the rest and indicates nothing until a WskReceive
 * completes. When sends complete, a zero-length WskReceive resumes the
 * indications and the kept bytes come again.
 *
 * Ending: a response that closes (Connection: close, HTTP/1.0, an error
 * that leaves the stream unusable) is followed by a graceful WskDisconnect;
 * so is the peer's FIN once every request before it was answered. The
 * socket is closed when the disconnect completes (FINs both ways), on an
 * abortive disconnect, a dead socket, or at stop.
 *
 * Lifetime: Refs counts the socket (dropped when WskCloseSocket completes)
 * and every IRP in flight; the connection is freed at zero.
 */
#include <stdio.h>
#include <string.h>

#include "httpd.h"

#define CONN_DISP(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)

typedef struct _HTTPD_CONN HTTPD_CONN, *PHTTPD_CONN;

/** One response in flight: its header (and error body) and the send IRP. */
typedef struct _HTTPD_SLOT {
	PHTTPD_CONN Conn;
	PIRP Irp;
	ULONG Bytes;
	BOOLEAN Busy;
	BOOLEAN InSend;          /**< inside WskSend: a completion now is inline */
	struct {
		MDL Mdl;
		PFN_NUMBER Pfn[2]; /* HTTPD_SLOT_BUF spans two pages at most */
	} Hdr;
	CHAR Buf[HTTPD_SLOT_BUF];
} HTTPD_SLOT, *PHTTPD_SLOT;

struct _HTTPD_CONN {
	LIST_ENTRY Link;
	PWSK_SOCKET Socket;
	volatile LONG Refs;
	volatile LONG Closing;   /**< WskCloseSocket issued (or about to be) */
	ULONG OutBytes;          /**< response bytes not completed */
	ULONG SlotsBusy;
	BOOLEAN Suspended;       /**< the last indication was not all accepted */
	BOOLEAN RecvPosted;      /**< the zero-length WskReceive is in flight */
	BOOLEAN InReceive;
	BOOLEAN PeerFin;
	BOOLEAN Finishing;       /**< our graceful WskDisconnect is issued */
	BOOLEAN Discard;         /**< a closing response went: the rest is dropped */
	BOOLEAN Started;         /**< a request's first byte (past leading CR LF) was seen */
	ULONG LineEnds;          /**< line ends in a row while scanning for the header end */
	ULONG HdrLen;            /**< bytes of a header section kept in Hdr */
	ULONGLONG BodyLeft;      /**< request body still to skip */
	volatile ULONGLONG LastNs; /**< last receive or send completion (read by the sweep) */
	volatile ULONGLONG FinNs;  /**< when our FIN was queued, 0: not yet */
	PIRP RecvIrp;
	PIRP DiscIrp;
	PIRP CloseIrp;
	HTTPD_SLOT Slots[HTTPD_SLOTS];
	CHAR Hdr[HTTPD_HDR_MAX];
};

HTTPD_STATS HttpdStats;

static LIST_ENTRY ConnList;
static KSPIN_LOCK ConnLock;
static BOOLEAN ConnStopping;
static volatile LONG ConnsLive;

static NTSTATUS WSKAPI AcceptEvent(PVOID, ULONG, PSOCKADDR, PSOCKADDR, PWSK_SOCKET, PVOID *,
				  CONST WSK_CLIENT_CONNECTION_DISPATCH **);
static NTSTATUS WSKAPI ReceiveEvent(PVOID, ULONG, PWSK_DATA_INDICATION, SIZE_T, SIZE_T *);
static NTSTATUS WSKAPI DisconnectEvent(PVOID, ULONG);

const WSK_CLIENT_LISTEN_DISPATCH HttpdListenDispatch = { AcceptEvent, NULL, NULL };
static const WSK_CLIENT_CONNECTION_DISPATCH ConnDispatch = { ReceiveEvent, DisconnectEvent, NULL };

static IO_COMPLETION_ROUTINE SendDone;
static IO_COMPLETION_ROUTINE RecvDone;
static IO_COMPLETION_ROUTINE DiscDone;
static IO_COMPLETION_ROUTINE CloseDone;

VOID
HttpdConnInit(VOID)
{
	InitializeListHead(&ConnList);
	KeInitializeSpinLock(&ConnLock);
	ConnStopping = FALSE;
	ConnsLive = 0;
}

LONG
HttpdConnsLive(VOID)
{
	return InterlockedCompareExchange(&ConnsLive, 0, 0);
}

/* ---- lifetime ---- */

static VOID
ConnFree(PHTTPD_CONN c)
{
	KIRQL irql;
	ULONG i;

	KeAcquireSpinLock(&ConnLock, &irql);
	RemoveEntryList(&c->Link);
	KeReleaseSpinLock(&ConnLock, irql);
	for (i = 0; i < HTTPD_SLOTS; i++)
		if (c->Slots[i].Irp != NULL)
			IoFreeIrp(c->Slots[i].Irp);
	if (c->RecvIrp != NULL)
		IoFreeIrp(c->RecvIrp);
	if (c->DiscIrp != NULL)
		IoFreeIrp(c->DiscIrp);
	IoFreeIrp(c->CloseIrp);
	ExFreePoolWithTag(c, HTTPD_TAG);
	InterlockedDecrement(&ConnsLive);
}

static VOID
Deref(PHTTPD_CONN c)
{
	if (InterlockedDecrement(&c->Refs) == 0)
		ConnFree(c);
}

/* The IRP in *Slot, allocated on first use and reused afterwards. */
static PIRP
IrpFor(PIRP *Slot, PIO_COMPLETION_ROUTINE Done, PVOID Context)
{
	if (*Slot == NULL)
		*Slot = IoAllocateIrp(1, FALSE);
	else
		IoReuseIrp(*Slot, STATUS_UNSUCCESSFUL);
	if (*Slot != NULL)
		IoSetCompletionRoutine(*Slot, Done, Context, TRUE, TRUE, TRUE);
	return *Slot;
}

static NTSTATUS
CloseDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	Deref(Context); /* the socket's reference */
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Close once (abortive unless both FINs went). The caller must not touch c afterwards
 * unless it holds a reference of its own. */
static VOID
CloseConn(PHTTPD_CONN c)
{
	if (InterlockedExchange(&c->Closing, 1) != 0)
		return;
	IoSetCompletionRoutine(c->CloseIrp, CloseDone, c, TRUE, TRUE, TRUE);
	CONN_DISP(c->Socket)->WskCloseSocket(c->Socket, c->CloseIrp);
}

static NTSTATUS
DiscDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PHTTPD_CONN c = Context;

	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	CloseConn(c); /* FINs both ways (graceful), or the connection failed */
	Deref(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Our FIN, after every response queued so far. */
static VOID
Finish(PHTTPD_CONN c)
{
	PIRP irp;

	if (c->Finishing || c->Closing)
		return;
	c->Finishing = TRUE;
	c->FinNs = WskAppNowNs();
	irp = IrpFor(&c->DiscIrp, DiscDone, c);
	if (irp == NULL) {
		CloseConn(c);
		return;
	}
	InterlockedIncrement(&c->Refs);
	CONN_DISP(c->Socket)->WskDisconnect(c->Socket, NULL, 0, irp);
}

static VOID
MaybeFinish(PHTTPD_CONN c)
{
	if (c->PeerFin && !c->Suspended && !c->Closing)
		Finish(c);
}

/* ---- flow control ---- */

static BOOLEAN
Blocked(const HTTPD_CONN *c)
{
	return c->SlotsBusy >= HTTPD_SLOTS || c->OutBytes >= HTTPD_OUT_MAX;
}

static NTSTATUS
RecvDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PHTTPD_CONN c = Context;

	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	c->RecvPosted = FALSE;
	Deref(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Room again after a pause: a zero-length WskReceive makes the stack indicate what it kept. */
static VOID
Resume(PHTTPD_CONN c)
{
	WSK_BUF none = { NULL, 0, 0 };
	PIRP irp;

	if (!c->Suspended || c->RecvPosted || c->InReceive || c->Closing || Blocked(c))
		return;
	irp = IrpFor(&c->RecvIrp, RecvDone, c);
	if (irp == NULL) {
		CloseConn(c);
		return;
	}
	c->RecvPosted = TRUE;
	InterlockedIncrement(&c->Refs);
	CONN_DISP(c->Socket)->WskReceive(c->Socket, &none, 0, irp);
}

/* ---- responses ---- */

static const char *
Reason(USHORT Status)
{
	switch (Status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static VOID
CountStatus(USHORT Status)
{
	HTTPD_ST i;

	switch (Status) {
#define HTTPD_ST_CASE(code) case code: i = HttpdSt##code; break;
	HTTPD_STATUS_LIST(HTTPD_ST_CASE)
#undef HTTPD_ST_CASE
	default: i = HttpdStOther; break;
	}
	InterlockedIncrement64(&HttpdStats.Requests);
	InterlockedIncrement64(&HttpdStats.Status[i]);
}

static NTSTATUS
SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PHTTPD_SLOT s = Context;
	PHTTPD_CONN c = s->Conn;

	UNREFERENCED_PARAMETER(Dev);
	if (NT_SUCCESS(Irp->IoStatus.Status))
		InterlockedAdd64(&HttpdStats.BytesSent, (LONG64)Irp->IoStatus.Information);
	else if (!c->Closing)
		InterlockedIncrement64(&HttpdStats.SendErrors);
	if (s->InSend)
		InterlockedIncrement64(&HttpdStats.SendsInline);
	s->Busy = FALSE;
	c->LastNs = WskAppNowNs();
	c->SlotsBusy--;
	c->OutBytes -= s->Bytes;
	Resume(c);
	Deref(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static PHTTPD_SLOT
FreeSlot(PHTTPD_CONN c)
{
	ULONG i;

	for (i = 0; i < HTTPD_SLOTS; i++)
		if (!c->Slots[i].Busy)
			return &c->Slots[i];
	return NULL;
}

/* WskSend of the slot's HdrLen header bytes followed by BodyLen bytes of Body. */
static BOOLEAN
Send(PHTTPD_CONN c, PHTTPD_SLOT s, ULONG HdrLen, const HTTPD_BODY *Body, ULONG BodyLen)
{
	WSK_BUF buf;
	PIRP irp = IrpFor(&s->Irp, SendDone, s);

	if (irp == NULL)
		return FALSE;
	MmInitializeMdl(&s->Hdr.Mdl, s->Buf, HdrLen);
	MmBuildMdlForNonPagedPool(&s->Hdr.Mdl);
	s->Hdr.Mdl.Next = BodyLen > 0 ? Body->Mdl : NULL;
	buf.Mdl = &s->Hdr.Mdl;
	buf.Offset = 0;
	buf.Length = (SIZE_T)HdrLen + BodyLen;
	s->Busy = TRUE;
	s->Bytes = HdrLen + BodyLen;
	c->SlotsBusy++;
	c->OutBytes += s->Bytes;
	InterlockedIncrement(&c->Refs);
	s->InSend = TRUE;
	CONN_DISP(c->Socket)->WskSend(c->Socket, &buf, WSK_FLAG_NODELAY, irp);
	s->InSend = FALSE; /* (the slot outlives the send: the connection holds it) */
	return TRUE;
}

/*
 * Answer one request: Status 200 with Body (BodyLen bytes, not sent for
 * HEAD), or an error with a short text body. A slot is free: the caller
 * checked Blocked() before parsing.
 */
static VOID
Respond(PHTTPD_CONN c, USHORT Status, const HTTPD_REQ *Req, const HTTPD_BODY *Body, ULONG BodyLen,
	BOOLEAN Close)
{
	PHTTPD_SLOT s = FreeSlot(c);
	BOOLEAN head = Req->Method == HttpdHead;
	const char *conn = Close ? "Connection: close\r\n"
				 : (Req->Http10 ? "Connection: keep-alive\r\n" : "");
	char text[64];
	int n;

	CountStatus(Status);
	if (s == NULL) {
		CloseConn(c);
		return;
	}
	if (Status == 200) {
		n = snprintf(s->Buf, sizeof(s->Buf),
			     "HTTP/1.1 200 OK\r\nServer: wskstack-httpd\r\nContent-Type: %s\r\n"
			     "Content-Length: %lu\r\n%s\r\n",
			     Body->Type, (unsigned long)BodyLen, conn);
		if (head)
			BodyLen = 0;
	} else {
		int tl = snprintf(text, sizeof(text), "%u %s\n", Status, Reason(Status));

		n = snprintf(s->Buf, sizeof(s->Buf),
			     "HTTP/1.1 %u %s\r\nServer: wskstack-httpd\r\n"
			     "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n%s%s\r\n%s",
			     Status, Reason(Status), tl, Status == 405 ? "Allow: GET, HEAD\r\n" : "",
			     conn, head ? "" : text);
		Body = NULL;
		BodyLen = 0;
	}
	if (n <= 0 || (ULONG)n >= sizeof(s->Buf) || !Send(c, s, (ULONG)n, Body, BodyLen))
		CloseConn(c);
}

/* ---- requests ---- */

/* A complete header section: parse, route, answer. */
static VOID
Request(PHTTPD_CONN c, const char *Text, ULONG Len)
{
	HTTPD_REQ req;
	const HTTPD_BODY *body = NULL;
	ULONG blen = 0;
	USHORT st;
	BOOLEAN close;

	HttpdParse(Text, Len, &req);
	st = req.Status;
	if (st == 0 && req.Method == HttpdOther)
		st = 405;
	if (st == 0) {
		body = HttpdCacheLookup(req.Path, &blen);
		st = body != NULL ? 200 : 404;
	}
	/* Errors in the message itself leave the stream unreadable: close after them. */
	close = !req.KeepAlive || (st != 200 && st != 404 && st != 405 && st != 414) ||
		(req.Expect100 && req.ContentLength > 0);
	if (!close)
		c->BodyLeft = req.ContentLength; /* read and dropped */
	Respond(c, st, &req, body, blen, close);
	if (close) {
		c->Discard = TRUE;
		Finish(c);
	}
}

/* The header section went over HTTPD_HDR_MAX before its end. */
static VOID
TooLarge(PHTTPD_CONN c)
{
	HTTPD_REQ req;

	RtlZeroMemory(&req, sizeof(req));
	req.Method = HttpdGet;
	Respond(c, 431, &req, NULL, 0, TRUE);
	c->Discard = TRUE;
	Finish(c);
}

/*
 * Use N contiguous bytes at P: skip request bodies, find header sections,
 * answer them. @return bytes used (fewer than N when flow control pauses).
 */
static ULONG
Consume(PHTTPD_CONN c, const char *P, ULONG N)
{
	ULONG i = 0;

	while (i < N) {
		ULONG start, piece;
		BOOLEAN found = FALSE;

		if (c->Discard || c->Closing)
			return N;
		if (c->BodyLeft > 0) {
			ULONG k = c->BodyLeft < N - i ? (ULONG)c->BodyLeft : N - i;

			c->BodyLeft -= k;
			i += k;
			continue;
		}
		if (Blocked(c))
			return i;
		if (!c->Started) {
			while (i < N && (P[i] == '\r' || P[i] == '\n'))
				i++; /* empty lines between requests */
			if (i == N)
				return N;
			c->Started = TRUE;
		}
		start = i;
		while (i < N) {
			char ch = P[i++];

			if (ch == '\n') {
				if (++c->LineEnds == 2) {
					found = TRUE;
					break;
				}
			} else if (ch != '\r') {
				c->LineEnds = 0;
			}
		}
		piece = i - start;
		if (c->HdrLen + piece > HTTPD_HDR_MAX) {
			TooLarge(c);
			return N;
		}
		if (c->HdrLen > 0 || !found) { /* spans indications: keep it */
			memcpy(c->Hdr + c->HdrLen, P + start, piece);
			c->HdrLen += piece;
			if (!found)
				continue;
			Request(c, c->Hdr, c->HdrLen);
		} else {
			Request(c, P + start, piece); /* in place, in the stack's buffer */
		}
		c->HdrLen = 0;
		c->LineEnds = 0;
		c->Started = FALSE;
	}
	return N;
}

/* ---- events ---- */

static NTSTATUS WSKAPI
AcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
	    PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
	    CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
	PHTTPD_CONN c;
	KIRQL irql;
	BOOLEAN stopping;
	ULONG i;

	UNREFERENCED_PARAMETER(SocketContext);
	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(LocalAddress);
	UNREFERENCED_PARAMETER(RemoteAddress);
	if (AcceptSocket == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED; /* the listener died: DriverMain closes it */
	c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), HTTPD_TAG);
	if (c == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	c->CloseIrp = IoAllocateIrp(1, FALSE);
	if (c->CloseIrp == NULL) {
		ExFreePoolWithTag(c, HTTPD_TAG);
		return STATUS_REQUEST_NOT_ACCEPTED;
	}
	c->Socket = AcceptSocket;
	c->Refs = 1;
	c->LastNs = WskAppNowNs();
	for (i = 0; i < HTTPD_SLOTS; i++)
		c->Slots[i].Conn = c;
	KeAcquireSpinLock(&ConnLock, &irql);
	stopping = ConnStopping;
	if (!stopping) {
		InsertTailList(&ConnList, &c->Link);
		InterlockedIncrement(&ConnsLive);
	}
	KeReleaseSpinLock(&ConnLock, irql);
	if (stopping) {
		IoFreeIrp(c->CloseIrp);
		ExFreePoolWithTag(c, HTTPD_TAG);
		return STATUS_REQUEST_NOT_ACCEPTED;
	}
	InterlockedIncrement64(&HttpdStats.Conns);
	*AcceptSocketContext = c;
	*AcceptSocketDispatch = &ConnDispatch;
	return STATUS_SUCCESS;
}

/* Every byte of an indication entry, MDL by MDL. @return bytes used. */
static SIZE_T
ConsumeBuf(PHTTPD_CONN c, const WSK_BUF *b)
{
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset, left = b->Length, used = 0;

	while (left > 0 && mdl != NULL) {
		const char *va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
		ULONG n = (ULONG)(MmGetMdlByteCount(mdl) - off < left ? MmGetMdlByteCount(mdl) - off
								      : left);
		ULONG k;

		if (va == NULL)
			break;
		k = Consume(c, va + off, n);
		used += k;
		if (k < n)
			break;
		left -= n;
		mdl = mdl->Next;
		off = 0;
	}
	return used;
}

static NTSTATUS WSKAPI
ReceiveEvent(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION DataIndication,
	     SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
	PHTTPD_CONN c = SocketContext;
	PWSK_DATA_INDICATION d;
	SIZE_T used = 0;

	UNREFERENCED_PARAMETER(Flags);
	if (DataIndication == NULL) {
		CloseConn(c); /* the socket is dead */
		return STATUS_SUCCESS;
	}
	if (c->Closing)
		return STATUS_SUCCESS;
	InterlockedIncrement(&c->Refs); /* a response failing may close the socket meanwhile */
	c->LastNs = WskAppNowNs();
	c->Suspended = FALSE;
	c->InReceive = TRUE;
	for (d = DataIndication; d != NULL; d = d->Next) {
		SIZE_T k = ConsumeBuf(c, &d->Buffer);

		used += k;
		if (k < d->Buffer.Length)
			break;
	}
	c->InReceive = FALSE;
	if (used < BytesIndicated && !c->Closing) {
		/* Paused: the stack keeps the rest until our zero-length WskReceive completes. */
		c->Suspended = TRUE;
		InterlockedIncrement64(&HttpdStats.Pauses);
		Deref(c);
		if (used == 0)
			return STATUS_DATA_NOT_ACCEPTED;
		*BytesAccepted = used;
		return STATUS_SUCCESS;
	}
	MaybeFinish(c);
	Deref(c);
	return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI
DisconnectEvent(PVOID SocketContext, ULONG Flags)
{
	PHTTPD_CONN c = SocketContext;

	if (Flags & WSK_FLAG_ABORTIVE) {
		CloseConn(c);
		return STATUS_SUCCESS;
	}
	/* The peer sent everything: answer what it asked, then FIN. */
	c->PeerFin = TRUE;
	MaybeFinish(c);
	return STATUS_SUCCESS;
}

/* ---- stop ---- */

/* Close the connections @p Pick chooses (NULL: all); @return how many. */
static LONG
CloseWhere(BOOLEAN (*Pick)(const HTTPD_CONN *c, ULONGLONG Now), ULONGLONG Now)
{
	PHTTPD_CONN *all;
	PLIST_ENTRY e;
	KIRQL irql;
	LONG n = 0, max = HttpdConnsLive() + 1, i;

	all = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*all) * (SIZE_T)max, HTTPD_TAG);
	if (all == NULL)
		return 0;
	/* A reference each (unless one is being freed), then close outside the lock: the
	 * close is posted to the connection's lcore, after any callback running there. */
	KeAcquireSpinLock(&ConnLock, &irql);
	for (e = ConnList.Flink; e != &ConnList && n < max; e = e->Flink) {
		PHTTPD_CONN c = CONTAINING_RECORD(e, HTTPD_CONN, Link);
		LONG r = c->Refs;

		if (c->Closing || (Pick != NULL && !Pick(c, Now)))
			continue;
		while (r > 0) {
			LONG was = InterlockedCompareExchange(&c->Refs, r + 1, r);

			if (was == r) {
				all[n++] = c;
				break;
			}
			r = was;
		}
	}
	KeReleaseSpinLock(&ConnLock, irql);
	for (i = 0; i < n; i++) {
		CloseConn(all[i]);
		Deref(all[i]);
	}
	ExFreePoolWithTag(all, HTTPD_TAG);
	return n;
}

VOID
HttpdCloseAll(VOID)
{
	KIRQL irql;

	KeAcquireSpinLock(&ConnLock, &irql);
	ConnStopping = TRUE;
	KeReleaseSpinLock(&ConnLock, irql);
	CloseWhere(NULL, 0);
}

/* Idle past --idle-timeout, or our FIN unanswered for HTTPD_LINGER_SEC. */
static BOOLEAN
Stale(const HTTPD_CONN *c, ULONGLONG Now)
{
	ULONGLONG fin = c->FinNs, last = c->LastNs;

	if (fin != 0)
		return Now > fin + HTTPD_LINGER_SEC * 1000000000ull;
	return HttpdConfig.IdleSec != 0 && Now > last + HttpdConfig.IdleSec * 1000000000ull;
}

VOID
HttpdSweep(VOID)
{
	LONG n = CloseWhere(Stale, WskAppNowNs());

	if (n > 0)
		InterlockedAdd64(&HttpdStats.TimedOut, n);
}
