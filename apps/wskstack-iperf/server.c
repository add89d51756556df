/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-iperf -s: an iperf3 server (one test at a time) on a WSK
 * listening socket. WskAcceptEvent queues every connection for the PASSIVE
 * thread, which runs the test from the control connection's states; while
 * it waits it serves the queue: during CREATE_STREAMS a connection whose
 * first 37 bytes are the test's cookie becomes a data stream, any other
 * connection meets ACCESS_DENIED.
 */
#include <stdio.h>
#include <string.h>

#include "iperf.h"

#define SRV_WAIT_MS 10000   /* for each control message and the streams */
#define SRV_DENY_MS 3000    /* a denied connection gets this long to close */
#define SRV_MAX_DENIED 64

typedef struct _SRV {
	PIPERF_OPTS O;
	IPERF_TEST T;
	PWSK_SOCKET Listen;
	KSPIN_LOCK QLock;
	PIPERF_CONN Queue;                       /* accepted, not yet looked at */
	PIPERF_CONN Ctrl;
	UCHAR Cookie[IPERF_COOKIE_SIZE];
	BOOLEAN Creating;                        /* CREATE_STREAMS: adopt data streams */
	PIPERF_CONN Cand[IPERF_MAX_STREAMS];     /* waiting for their cookie */
	ULONG NCand;
	PIPERF_CONN Streams[IPERF_MAX_STREAMS];
	ULONG NStreams;
	PIPERF_CONN Denied[SRV_MAX_DENIED];      /* told ACCESS_DENIED, closing */
	ULONGLONG DeniedAt[SRV_MAX_DENIED];
	ULONG NDenied;
	ULONG Tests, Failed, DeniedTotal;
	LONG64 RxAll, TxAll;
	double LastGbps;
} SRV, *PSRV;

static NTSTATUS WSKAPI AcceptEvent(PVOID, ULONG, PSOCKADDR, PSOCKADDR, PWSK_SOCKET, PVOID *,
				   CONST WSK_CLIENT_CONNECTION_DISPATCH **);
static const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch = { AcceptEvent, NULL, NULL };

static NTSTATUS WSKAPI
AcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
	    PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
	    CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
	PSRV s = SocketContext;
	PIPERF_CONN c;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Flags);
	UNREFERENCED_PARAMETER(LocalAddress);
	UNREFERENCED_PARAMETER(RemoteAddress);
	if (AcceptSocket == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	c = IperfConnAlloc(&s->T);
	if (c == NULL)
		return STATUS_REQUEST_NOT_ACCEPTED;
	c->Socket = AcceptSocket;
	KeAcquireSpinLock(&s->QLock, &irql);
	c->Next = s->Queue;
	s->Queue = c;
	KeReleaseSpinLock(&s->QLock, irql);
	*AcceptSocketContext = c;
	*AcceptSocketDispatch = &IperfConnDispatch;
	KeSetEvent(&s->T.Wake, IO_NO_INCREMENT, FALSE);
	return STATUS_SUCCESS;
}

static PIPERF_CONN
Dequeue(PSRV s)
{
	PIPERF_CONN c, *pp;
	KIRQL irql;

	/* The oldest (the queue is pushed at its head). */
	KeAcquireSpinLock(&s->QLock, &irql);
	for (pp = &s->Queue; *pp != NULL && (*pp)->Next != NULL; pp = &(*pp)->Next)
		;
	c = *pp;
	if (c != NULL)
		*pp = NULL;
	KeReleaseSpinLock(&s->QLock, irql);
	return c;
}

static VOID
Drop(PIPERF_CONN c)
{
	IperfConnClose(c, TRUE);
	IperfConnFree(c);
}

/* iperf_accept(): a busy server answers ACCESS_DENIED without reading. */
static VOID
Deny(PSRV s, PIPERF_CONN c)
{
	s->DeniedTotal++;
	if (!NT_SUCCESS(IperfConnWriteState(c, IPERF_ACCESS_DENIED)) || s->NDenied == SRV_MAX_DENIED) {
		Drop(c);
		return;
	}
	s->DeniedAt[s->NDenied] = IperfNowNs();
	s->Denied[s->NDenied++] = c;
}

/* Runs on every tick of a wait: new connections, cookies, denied ones closing. */
static VOID
Service(PVOID Arg)
{
	PSRV s = Arg;
	PIPERF_CONN c;
	ULONG i;

	/* Idle, the main loop takes the next connection as a control connection. */
	while (s->Ctrl != NULL && (c = Dequeue(s)) != NULL) {
		if (s->Creating && s->NCand < IPERF_MAX_STREAMS)
			s->Cand[s->NCand++] = c;
		else
			Deny(s, c);
	}
	for (i = 0; i < s->NCand;) {
		UCHAR cookie[IPERF_COOKIE_SIZE];

		c = s->Cand[i];
		if (IperfConnAvail(c) >= IPERF_COOKIE_SIZE) {
			IperfConnTake(c, cookie, IPERF_COOKIE_SIZE);
			s->Cand[i] = s->Cand[--s->NCand];
			if (memcmp(cookie, s->Cookie, IPERF_COOKIE_SIZE) == 0 &&
			    s->NStreams < IPERF_MAX_STREAMS) {
				/* iperf_add_stream(): ids 1, 3, 4, 5, ... */
				c->Id = s->NStreams == 0 ? 1 : s->NStreams + 2;
				IperfConnMakeData(c);
				s->Streams[s->NStreams++] = c;
			} else {
				Deny(s, c);
			}
		} else if (ReadNoFence(&c->PeerClosed)) {
			s->Cand[i] = s->Cand[--s->NCand];
			Drop(c);
		} else {
			i++;
		}
	}
	for (i = 0; i < s->NDenied;) {
		c = s->Denied[i];
		if (ReadNoFence(&c->PeerClosed) ||
		    IperfNowNs() - s->DeniedAt[i] > SRV_DENY_MS * 1000000ull) {
			s->Denied[i] = s->Denied[s->NDenied - 1];
			s->DeniedAt[i] = s->DeniedAt[--s->NDenied];
			Drop(c);
		} else {
			i++;
		}
	}
}

static VOID
Tick(PSRV s, LONG Ms)
{
	LARGE_INTEGER t;

	t.QuadPart = -(LONGLONG)Ms * 10000;
	KeWaitForSingleObject(&s->T.Wake, Executive, KernelMode, FALSE, &t);
	Service(s);
}

static BOOLEAN
ParseParams(const char *j, PIPERF_PARAMS p)
{
	double v;

	RtlZeroMemory(p, sizeof(*p));
	if (IperfJsonMember(j, "tcp") == NULL && IperfJsonMember(j, "udp") == NULL &&
	    IperfJsonMember(j, "sctp") == NULL)
		return FALSE;
	p->Udp = IperfJsonTrue(j, "udp");
	p->Other = IperfJsonTrue(j, "sctp");
	p->Reverse = IperfJsonTrue(j, "reverse");
	p->Bidir = IperfJsonTrue(j, "bidirectional");
	p->Time = IperfJsonNumber(j, "time", &v) ? (ULONG)v : 10;
	p->Bytes = IperfJsonNumber(j, "num", &v) ? (ULONGLONG)v : 0;
	p->Blocks = IperfJsonNumber(j, "blockcount", &v) ? (ULONGLONG)v : 0;
	p->Parallel = IperfJsonNumber(j, "parallel", &v) ? (ULONG)v : 1;
	p->Len = IperfJsonNumber(j, "len", &v) ? (ULONG)v : IPERF_DEFAULT_LEN;
	p->Omit = IperfJsonNumber(j, "omit", &v) ? (ULONG)v : 0;
	if (p->Len == 0)
		p->Len = IPERF_DEFAULT_LEN;
	return TRUE;
}

/* SERVER_ERROR, then i_errno and errno as 32-bit big-endian numbers. */
static VOID
ServerError(PSRV s, ULONG Errno)
{
	UCHAR m[9] = { (UCHAR)IPERF_SERVER_ERROR, 0, 0, 0, 0, 0, 0, 0, 0 };
	ULONGLONG until;

	m[1] = (UCHAR)(Errno >> 24);
	m[2] = (UCHAR)(Errno >> 16);
	m[3] = (UCHAR)(Errno >> 8);
	m[4] = (UCHAR)Errno;
	IperfConnWrite(s->Ctrl, m, sizeof(m));
	until = IperfNowNs() + 3000000000ull;
	while (!ReadNoFence(&s->Ctrl->PeerClosed) && IperfNowNs() < until &&
	       !WskstackStopRequested())
		Tick(s, 10);
}

static VOID
Progress(PSRV s, BOOLEAN Reverse, ULONGLONG Start, ULONGLONG *Last, LONG64 *LastBytes)
{
	ULONGLONG now = IperfNowNs();
	LONG64 b = Reverse ? ReadNoFence(&s->T.TxIssued) : ReadNoFence(&s->T.RxTotal);
	double dt = (double)(now - *Last) / 1e9;
	char xfer[32], rate[32];

	IperfFormatBytes((double)(b - *LastBytes), xfer, sizeof(xfer));
	IperfFormatRate((double)(b - *LastBytes) * 8 / dt, rate, sizeof(rate));
	printf("[SUM] %6.2f-%-6.2f sec  %s  %s  %s", (double)(*Last - Start) / 1e9,
	       (double)(now - Start) / 1e9, xfer, rate, Reverse ? "sent" : "received");
	if (Reverse && s->NStreams > 0)
		printf("  (stream 1: backlog %lld, in flight %lld)",
		       (long long)ReadNoFence(&s->Streams[0]->IdealBacklog),
		       (long long)ReadNoFence(&s->Streams[0]->InFlightBytes));
	printf("\n");
	fflush(stdout);
	*Last = now;
	*LastBytes = b;
}

/* Wait for the streams, run until TEST_END. @return TRUE at TEST_END. */
static BOOLEAN
RunData(PSRV s, const IPERF_PARAMS *p, ULONGLONG *Start, double *Cpu0)
{
	ULONGLONG deadline = IperfNowNs() + SRV_WAIT_MS * 1000000ull, last;
	LONG64 lastBytes = 0;
	ULONG i;
	signed char st = 0;

	s->Creating = TRUE;
	if (!NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_CREATE_STREAMS)))
		return FALSE;
	while (s->NStreams < p->Parallel) {
		if (ReadNoFence(&s->Ctrl->PeerClosed) || WskstackStopRequested() ||
		    IperfNowNs() > deadline)
			return FALSE;
		Tick(s, 10);
	}
	s->Creating = FALSE;
	if (p->Reverse)
		for (i = 0; i < s->NStreams; i++)
			IperfConnQueryBacklog(s->Streams[i]);
	if (!NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_TEST_START)))
		return FALSE;
	*Start = last = IperfNowNs();
	*Cpu0 = IperfCpuSeconds();
	if (!NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_TEST_RUNNING)))
		return FALSE;
	for (;;) {
		if (p->Reverse)
			for (i = 0; i < s->NStreams; i++) {
				InterlockedExchange(&s->Streams[i]->Sending, 1);
				IperfConnPump(s->Streams[i]);
			}
		if (IperfConnAvail(s->Ctrl) >= 1) {
			IperfConnTake(s->Ctrl, &st, 1);
			if (st == IPERF_TEST_END)
				return TRUE;
			if (st == IPERF_CLIENT_TERMINATE)
				return FALSE;
			continue;
		}
		if (ReadNoFence(&s->Ctrl->PeerClosed) || WskstackStopRequested())
			return FALSE;
		if (IperfNowNs() - last >= (ULONGLONG)s->O->Interval * 1000000000ull)
			Progress(s, p->Reverse, *Start, &last, &lastBytes);
		Tick(s, 10);
	}
}

/* TEST_END: iperf3 close()s its streams: a sender's queued data still goes,
 * then a FIN (the client reads to the end); a receiver's close resets. */
static VOID
EndStreams(PSRV s, BOOLEAN Sender)
{
	ULONG i;

	for (i = 0; i < s->NStreams; i++)
		InterlockedExchange(&s->Streams[i]->Sending, 0);
	for (i = 0; i < s->NStreams; i++) {
		if (Sender)
			IperfConnShutdown(s->Streams[i]);
		else
			IperfConnClose(s->Streams[i], FALSE);
	}
}

static VOID
FreeStreams(PSRV s)
{
	ULONG i;

	for (i = 0; i < s->NStreams; i++) {
		if (s->Streams[i]->Socket != NULL)
			IperfConnClose(s->Streams[i], FALSE);
		IperfConnFree(s->Streams[i]);
	}
	s->NStreams = 0;
	for (i = 0; i < s->NCand; i++)
		Drop(s->Cand[i]);
	s->NCand = 0;
	s->Creating = FALSE;
}

/* The results exchange and the end of a test that reached TEST_END. */
static BOOLEAN
Finish(PSRV s, const IPERF_PARAMS *p, ULONGLONG Start, double Cpu0)
{
	ULONGLONG end = IperfNowNs();
	double secs = (double)(end - Start) / 1e9, cpu = IperfCpuPercent(end - Start, Cpu0);
	char *theirs, *ours;
	signed char st = 0;
	LONG64 bytes = 0;
	ULONG i;
	BOOLEAN ok;

	EndStreams(s, p->Reverse);
	for (i = 0; i < s->NStreams; i++)
		bytes += p->Reverse ? s->Streams[i]->TxBytes : s->Streams[i]->RxBytes;
	if (!NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_EXCHANGE_RESULTS)))
		return FALSE;
	theirs = IperfConnReadJson(s->Ctrl, SRV_WAIT_MS, Service, s);
	if (theirs == NULL)
		return FALSE;
	ExFreePoolWithTag(theirs, IPERF_TAG);
	ours = IperfResultsJson(s->Streams, s->NStreams, p->Reverse, secs, cpu);
	ok = ours != NULL && NT_SUCCESS(IperfConnWriteJson(s->Ctrl, ours));
	if (ours != NULL)
		ExFreePoolWithTag(ours, IPERF_TAG);
	if (!ok || !NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_DISPLAY_RESULTS)))
		return FALSE;
	if (IperfConnWaitBytes(s->Ctrl, 1, SRV_WAIT_MS, Service, s))
		IperfConnTake(s->Ctrl, &st, 1);
	s->LastGbps = (double)bytes * 8 / secs / 1e9;
	if (p->Reverse)
		s->TxAll += bytes;
	else
		s->RxAll += bytes;
	printf("wskstack-iperf: test %u done: streams=%u reverse=%u len=%u %s_bytes=%lld "
	       "seconds=%.2f gbps=%.3f send_errors=%lld client_done=%u\n",
	       (unsigned int)s->Tests, (unsigned int)s->NStreams, (unsigned int)p->Reverse,
	       (unsigned int)p->Len, p->Reverse ? "sent" : "received", (long long)bytes, secs,
	       s->LastGbps, (long long)s->T.SendErrors, (unsigned int)(st == IPERF_DONE));
	fflush(stdout);
	return TRUE;
}

/* One test, from the control connection's cookie to IPERF_DONE. */
static VOID
RunTest(PSRV s)
{
	IPERF_PARAMS p;
	ULONGLONG start = 0;
	double cpu0 = 0;
	char *j = NULL;
	BOOLEAN ok = FALSE;

	s->Tests++;
	s->T.TxIssued = s->T.RxTotal = s->T.SendErrors = 0;
	s->T.TxLimit = 0;
	InterlockedExchange(&s->Ctrl->Role, IPERF_ROLE_CONTROL);
	if (!IperfConnWaitBytes(s->Ctrl, IPERF_COOKIE_SIZE, SRV_WAIT_MS, Service, s))
		goto out;
	IperfConnTake(s->Ctrl, s->Cookie, IPERF_COOKIE_SIZE);
	if (!NT_SUCCESS(IperfConnWriteState(s->Ctrl, IPERF_PARAM_EXCHANGE)))
		goto out;
	j = IperfConnReadJson(s->Ctrl, SRV_WAIT_MS, Service, s);
	if (j == NULL || !ParseParams(j, &p))
		goto out;
	if (p.Udp || p.Bidir || p.Other || p.Parallel == 0 || p.Parallel > IPERF_MAX_STREAMS ||
	    p.Len > IPERF_MAX_LEN) {
		printf("wskstack-iperf: test %u refused: %s\n", (unsigned int)s->Tests,
		       p.Udp ? "UDP is not implemented" : p.Bidir ? "--bidir is not implemented"
		       : "unsupported parameters");
		fflush(stdout);
		ServerError(s, IPERF_IEUNIMP);
		goto out;
	}
	s->T.Len = p.Len;
	if (!NT_SUCCESS(WskAppBufAlloc(&s->T.Payload, p.Len)))
		goto out;
	memset(s->T.Payload.Data, 'i', p.Len);
	if (p.Reverse)
		s->T.TxLimit = (LONG64)(p.Bytes ? p.Bytes : p.Blocks * p.Len);
	printf("wskstack-iperf: test %u: %u stream(s), %s, len %u, %s\n", (unsigned int)s->Tests,
	       (unsigned int)p.Parallel, p.Reverse ? "server sends" : "client sends",
	       (unsigned int)p.Len, p.Bytes ? "by bytes" : p.Blocks ? "by blocks" : "by time");
	fflush(stdout);
	if (RunData(s, &p, &start, &cpu0))
		ok = Finish(s, &p, start, cpu0);
	FreeStreams(s); /* every send done before the payload goes */
	WskAppBufFree(&s->T.Payload);
out:
	if (!ok)
		s->Failed++;
	if (j != NULL)
		ExFreePoolWithTag(j, IPERF_TAG);
	FreeStreams(s);
	IperfConnClose(s->Ctrl, TRUE);
	IperfConnFree(s->Ctrl);
	s->Ctrl = NULL;
}

NTSTATUS
IperfServerRun(PIPERF_OPTS o)
{
	PSRV s = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*s), IPERF_TAG);
	SOCKADDR_IN any;
	PIPERF_CONN c;
	NTSTATUS st;

	if (s == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	RtlZeroMemory(s, sizeof(*s));
	s->O = o;
	KeInitializeEvent(&s->T.Wake, SynchronizationEvent, FALSE);
	KeInitializeSpinLock(&s->QLock);
	s->Listen = WskAppSocket(IperfClient, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, s,
				 &ListenDispatch, &st);
	if (s->Listen != NULL) {
		WskAppAnyAddr(o->Port, &any);
		st = WskAppBind(s->Listen, &any);
		if (NT_SUCCESS(st))
			st = WskAppEvents(s->Listen, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE |
							     WSK_EVENT_DISCONNECT |
							     WSK_EVENT_SEND_BACKLOG);
	}
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "wskstack-iperf: cannot listen on port %u: 0x%08x\n",
			(unsigned int)o->Port, (unsigned int)st);
	} else {
		printf("wskstack-iperf: server listening on port %u\n", (unsigned int)o->Port);
		fflush(stdout);
		while (!WskstackStopRequested()) {
			s->Ctrl = Dequeue(s);
			if (s->Ctrl != NULL)
				RunTest(s);
			else
				Tick(s, 100);
		}
	}
	if (s->Listen != NULL)
		WskAppCloseSocket(s->Listen);
	while ((c = Dequeue(s)) != NULL)
		Drop(c);
	while (s->NDenied > 0)
		Drop(s->Denied[--s->NDenied]);
	printf("wskstack-iperf: summary mode=server port=%u tests=%u failed=%u denied=%u "
	       "received_bytes=%lld sent_bytes=%lld last_gbps=%.3f\n",
	       (unsigned int)o->Port, (unsigned int)s->Tests, (unsigned int)s->Failed,
	       (unsigned int)s->DeniedTotal, (long long)s->RxAll, (long long)s->TxAll,
	       s->LastGbps);
	fflush(stdout);
	ExFreePoolWithTag(s, IPERF_TAG);
	return st;
}
