/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request/response load engine (see wskload.h). Each connection is a
 * small state machine advanced by its IRPs' completion routines: decisions
 * are taken under the connection's spin lock, WSK calls are made after it is
 * released (a call may complete inline and re-enter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wskload.h"

#define TAG 'dLkW'
#define DRAIN_MS 2000          /* after the stop: requests in flight may finish */
#define CLOSE_WAIT_MS 3000     /* graceful disconnects of the last connections */
#define MAX_CONNECT_FAILS 3

typedef enum _PHASE { PhIdle, PhConnect, PhRound, PhDisconnect, PhClose, PhDone } PHASE;

typedef struct _WSKLOAD_RUN WSKLOAD_RUN, *PWSKLOAD_RUN;

struct _WSKLOAD_CONN {
	PWSKLOAD_RUN Run;
	ULONG Index;
	PVOID State;               /* the protocol's */
	KSPIN_LOCK Lock;
	PWSK_SOCKET Socket;
	PIRP SendIrp, RecvIrp, OpIrp;
	WSKAPP_BUF Rx;
	WSK_BUF SendBuf, RecvBuf;
	SOCKADDR_IN From;
	PHASE Phase;
	BOOLEAN SendBusy, RecvBusy, OpBusy;
	BOOLEAN Claimed;           /* a request of the budget is being served */
	BOOLEAN Failed, IoError;   /* this request failed (IoError: a failed I/O, not a verdict) */
	BOOLEAN Waiting;           /* UDP: request out, answer not in */
	BOOLEAN Dead;              /* given up */
	BOOLEAN Closing;           /* the final cleanup began: start nothing more */
	volatile LONG Calls;       /* WSK calls being made on the socket */
	ULONG ConnectFails;
	ULONGLONG Seq, T0;
	ULONGLONG Requests, Good, Bad, TxBytes, RxBytes, Errors, ConnectErrors, Connects, Lost,
		Stale;
	struct wskhist Hist;
};

struct _WSKLOAD_RUN {
	const WSKLOAD_CONFIG *Cfg;
	PWSKAPP_CLIENT Client;
	PWSKLOAD_CONN Conns;
	volatile LONG Stop;
	volatile LONG64 Budget;
	volatile LONG Active;
	ULONG DeadConns;
	SOCKADDR_IN Any;
};

#define CONN_DISPATCH(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define DGRAM_DISPATCH(s) ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)(s)->Dispatch)

static IO_COMPLETION_ROUTINE SendDone;
static IO_COMPLETION_ROUTINE RecvDone;
static IO_COMPLETION_ROUTINE RecvFromDone;
static IO_COMPLETION_ROUTINE ConnectDone;
static IO_COMPLETION_ROUTINE DisconnectDone;
static IO_COMPLETION_ROUTINE CloseDone;
static VOID Go(PWSKLOAD_CONN c);

static PIRP
Arm(PIRP Irp, PIO_COMPLETION_ROUTINE Routine, PVOID Context)
{
	IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
	IoSetCompletionRoutine(Irp, Routine, Context, TRUE, TRUE, TRUE);
	return Irp;
}

/* Under the lock. */
static VOID
Finish(PWSKLOAD_CONN c)
{
	if (c->Phase != PhDone) {
		c->Phase = PhDone;
		InterlockedDecrement(&c->Run->Active);
	}
}

/* Under the lock: take one request of the budget. */
static BOOLEAN
Claim(PWSKLOAD_CONN c)
{
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;

	if (c->Run->Stop || c->Dead)
		return FALSE;
	if (cfg->PerConn != 0 && c->Seq >= cfg->PerConn)
		return FALSE;
	if (cfg->Total != 0 && InterlockedDecrement64(&c->Run->Budget) < 0)
		return FALSE;
	return TRUE;
}

static VOID
PostRecv(PWSKLOAD_CONN c, ULONG Want)
{
	c->RecvBuf = WskAppWskBuf(&c->Rx, 0, Want < c->Rx.Size ? Want : c->Rx.Size);
	if (c->Run->Cfg->Udp) {
		DGRAM_DISPATCH(c->Socket)->WskReceiveFrom(c->Socket, &c->RecvBuf, 0,
							  (PSOCKADDR)&c->From, NULL, NULL, NULL,
							  Arm(c->RecvIrp, RecvFromDone, c));
	} else {
		CONN_DISPATCH(c->Socket)->WskReceive(c->Socket, &c->RecvBuf, 0,
						     Arm(c->RecvIrp, RecvDone, c));
	}
}

static VOID
IssueRound(PWSKLOAD_CONN c)
{
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;
	PIRP irp = Arm(c->SendIrp, SendDone, c);

	cfg->Proto->Request(cfg->ProtoCtx, c->State, c->Seq, &c->SendBuf);
	if (cfg->Udp) {
		DGRAM_DISPATCH(c->Socket)->WskSendTo(c->Socket, &c->SendBuf, 0,
						     (PSOCKADDR)&cfg->Remote, 0, NULL, irp);
		return;
	}
	PostRecv(c, cfg->Proto->FirstWant(cfg->ProtoCtx, c->State));
	CONN_DISPATCH(c->Socket)->WskSend(c->Socket, &c->SendBuf, WSK_FLAG_NODELAY, irp);
}

static VOID
IssueConnect(PWSKLOAD_CONN c)
{
	PWSKLOAD_RUN run = c->Run;
	const WSK_PROVIDER_NPI *npi = &run->Client->Npi;

	npi->Dispatch->WskSocketConnect(npi->Client, SOCK_STREAM, IPPROTO_TCP,
					(PSOCKADDR)&run->Any, (PSOCKADDR)&run->Cfg->Remote, 0, c,
					NULL, NULL, NULL, NULL, Arm(c->OpIrp, ConnectDone, c));
}

/* Start what comes next for an idle connection: a request, a connect, or the end. */
static VOID
Go(PWSKLOAD_CONN c)
{
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;
	BOOLEAN connect = FALSE;
	KIRQL irql;

	KeAcquireSpinLock(&c->Lock, &irql);
	if (c->Closing || c->Phase == PhDone) {
		KeReleaseSpinLock(&c->Lock, irql);
		return;
	}
	if (!c->Claimed) {
		if (!Claim(c)) {
			Finish(c);
			KeReleaseSpinLock(&c->Lock, irql);
			return;
		}
		c->Claimed = TRUE;
		c->Seq++;
		c->T0 = WskAppNowNs(); /* with Reconnect, the latency includes the connect */
	}
	c->Failed = c->IoError = FALSE;
	if (!cfg->Udp && c->Socket == NULL) {
		c->Phase = PhConnect;
		c->OpBusy = TRUE;
		connect = TRUE;
	} else {
		c->Phase = PhRound;
		c->SendBusy = TRUE;
		if (cfg->Udp)
			c->Waiting = TRUE;
		else
			c->RecvBusy = TRUE;
		if (!cfg->Reconnect)
			c->T0 = WskAppNowNs();
	}
	InterlockedIncrement(&c->Calls);
	KeReleaseSpinLock(&c->Lock, irql);
	if (connect)
		IssueConnect(c);
	else
		IssueRound(c);
	InterlockedDecrement(&c->Calls);
}

/* Nothing of the request is in flight any more: close, disconnect or go on. */
static VOID
EndRound(PWSKLOAD_CONN c)
{
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;
	enum { NEXT, CLOSE, DISCONNECT } act = NEXT;
	KIRQL irql;

	KeAcquireSpinLock(&c->Lock, &irql);
	c->Claimed = FALSE;
	if (c->Closing) {
		KeReleaseSpinLock(&c->Lock, irql);
		return;
	}
	if (c->IoError)
		c->Errors++;
	if (!cfg->Udp && c->Failed)
		act = CLOSE;
	else if (!cfg->Udp && cfg->Reconnect)
		act = DISCONNECT;
	if (act != NEXT) {
		c->Phase = act == CLOSE ? PhClose : PhDisconnect;
		c->OpBusy = TRUE;
		InterlockedIncrement(&c->Calls);
	}
	KeReleaseSpinLock(&c->Lock, irql);
	if (act == CLOSE) {
		CONN_DISPATCH(c->Socket)->WskCloseSocket(c->Socket, Arm(c->OpIrp, CloseDone, c));
	} else if (act == DISCONNECT) {
		CONN_DISPATCH(c->Socket)->WskDisconnect(c->Socket, NULL, 0,
							Arm(c->OpIrp, DisconnectDone, c));
	} else {
		Go(c);
		return;
	}
	InterlockedDecrement(&c->Calls);
}

static VOID
Record(PWSKLOAD_CONN c, WSKLOAD_VERDICT v)
{
	c->Requests++;
	if (v == WskLoadDone)
		c->Good++;
	else
		c->Bad++;
	wskhist_add(&c->Hist, WskAppNowNs() - c->T0);
}

static NTSTATUS
SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	BOOLEAN end;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	KeAcquireSpinLock(&c->Lock, &irql);
	c->SendBusy = FALSE;
	if (NT_SUCCESS(Irp->IoStatus.Status)) {
		c->TxBytes += Irp->IoStatus.Information;
	} else {
		c->Failed = c->IoError = TRUE;
		c->Waiting = FALSE;
	}
	end = c->Run->Cfg->Udp ? !c->Waiting : !c->RecvBusy;
	KeReleaseSpinLock(&c->Lock, irql);
	if (end)
		EndRound(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
RecvDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;
	ULONG n = (ULONG)Irp->IoStatus.Information, want = 0;
	BOOLEAN end, repost = FALSE;
	WSKLOAD_VERDICT v;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	KeAcquireSpinLock(&c->Lock, &irql);
	c->RecvBusy = FALSE;
	if (!NT_SUCCESS(Irp->IoStatus.Status) || n == 0) {
		c->Failed = c->IoError = TRUE; /* reset, or closed before the answer was complete */
	} else {
		c->RxBytes += n;
		v = cfg->Proto->Response(cfg->ProtoCtx, c->State, c->Rx.Data, n, &want);
		if (v == WskLoadMore) {
			if (!c->Closing && want > 0) {
				c->RecvBusy = repost = TRUE;
				InterlockedIncrement(&c->Calls);
			} else {
				c->Failed = TRUE;
			}
		} else if (v == WskLoadDone || v == WskLoadBad) {
			Record(c, v);
		} else {
			c->Bad++;
			c->Failed = TRUE;
		}
	}
	end = !c->RecvBusy && !c->SendBusy;
	KeReleaseSpinLock(&c->Lock, irql);
	if (repost) {
		PostRecv(c, want);
		InterlockedDecrement(&c->Calls);
	} else if (end) {
		EndRound(c);
	}
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
RecvFromDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	const WSKLOAD_CONFIG *cfg = c->Run->Cfg;
	ULONG n = (ULONG)Irp->IoStatus.Information, want;
	BOOLEAN end = FALSE, repost = FALSE;
	WSKLOAD_VERDICT v;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	KeAcquireSpinLock(&c->Lock, &irql);
	c->RecvBusy = FALSE;
	if (!NT_SUCCESS(Irp->IoStatus.Status)) {
		if (!c->Closing) {
			c->Errors++;
			c->Dead = TRUE; /* no more receives: the requests in flight time out */
		}
	} else {
		c->RxBytes += n;
		v = c->Waiting ? cfg->Proto->Response(cfg->ProtoCtx, c->State, c->Rx.Data, n, &want)
			       : WskLoadStale;
		if (v == WskLoadStale) {
			c->Stale++;
		} else {
			Record(c, v == WskLoadDone ? WskLoadDone : WskLoadBad);
			c->Waiting = FALSE;
			end = !c->SendBusy;
		}
		if (!c->Closing) {
			c->RecvBusy = repost = TRUE;
			InterlockedIncrement(&c->Calls);
		}
	}
	KeReleaseSpinLock(&c->Lock, irql);
	if (repost) {
		PostRecv(c, c->Rx.Size);
		InterlockedDecrement(&c->Calls);
	}
	if (end)
		EndRound(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
ConnectDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	BOOLEAN go = TRUE;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	KeAcquireSpinLock(&c->Lock, &irql);
	c->OpBusy = FALSE;
	c->Phase = PhIdle;
	if (NT_SUCCESS(Irp->IoStatus.Status)) {
		c->Socket = (PWSK_SOCKET)Irp->IoStatus.Information;
		c->Connects++;
		c->ConnectFails = 0;
	} else {
		c->ConnectErrors++;
		if (++c->ConnectFails >= MAX_CONNECT_FAILS) {
			c->Dead = TRUE;
			c->Claimed = FALSE;
			c->Run->DeadConns++;
			Finish(c);
			go = FALSE;
		}
	}
	KeReleaseSpinLock(&c->Lock, irql);
	if (go)
		Go(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
DisconnectDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	BOOLEAN closing;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	KeAcquireSpinLock(&c->Lock, &irql);
	closing = c->Closing;
	if (closing) {
		c->OpBusy = FALSE; /* the cleanup closes it */
	} else {
		c->Phase = PhClose;
		InterlockedIncrement(&c->Calls);
	}
	KeReleaseSpinLock(&c->Lock, irql);
	if (!closing) {
		CONN_DISPATCH(c->Socket)->WskCloseSocket(c->Socket, Arm(c->OpIrp, CloseDone, c));
		InterlockedDecrement(&c->Calls);
	}
	return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS
CloseDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
	PWSKLOAD_CONN c = Context;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Dev);
	UNREFERENCED_PARAMETER(Irp);
	KeAcquireSpinLock(&c->Lock, &irql);
	c->Socket = NULL;
	c->OpBusy = FALSE;
	c->Phase = PhIdle;
	KeReleaseSpinLock(&c->Lock, irql);
	Go(c);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* ---- the PASSIVE side: set-up, pacing, progress, clean-up ---- */

static VOID
SleepMs(ULONG Ms)
{
	LARGE_INTEGER t;

	t.QuadPart = -(LONGLONG)Ms * 10000;
	KeDelayExecutionThread(KernelMode, FALSE, &t);
}

/* Sum the connections' counters (racy reads while running: progress only). */
static VOID
Collect(PWSKLOAD_RUN run, PWSKLOAD_RESULT r, BOOLEAN Hist)
{
	ULONG i;

	RtlZeroMemory(r, sizeof(*r));
	for (i = 0; i < run->Cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];

		r->Requests += c->Requests;
		r->Good += c->Good;
		r->Bad += c->Bad;
		r->TxBytes += c->TxBytes;
		r->RxBytes += c->RxBytes;
		r->Errors += c->Errors;
		r->ConnectErrors += c->ConnectErrors;
		r->Connects += c->Connects;
		r->Lost += c->Lost;
		r->Stale += c->Stale;
		if (Hist)
			wskhist_merge(&r->Hist, &c->Hist);
	}
	r->DeadConns = run->DeadConns;
}

/* UDP: requests whose answer is overdue are lost; the next one goes. */
static VOID
CheckTimeouts(PWSKLOAD_RUN run, ULONGLONG Now)
{
	ULONGLONG limit = (ULONGLONG)(run->Cfg->UdpTimeoutMs ? run->Cfg->UdpTimeoutMs : 1000) *
			  1000000ull;
	ULONG i;

	for (i = 0; i < run->Cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];
		BOOLEAN end = FALSE;
		KIRQL irql;

		KeAcquireSpinLock(&c->Lock, &irql);
		if (c->Phase == PhRound && c->Waiting && !c->SendBusy && Now - c->T0 > limit) {
			c->Waiting = FALSE;
			c->Lost++;
			end = TRUE;
		}
		KeReleaseSpinLock(&c->Lock, irql);
		if (end)
			EndRound(c);
	}
}

static VOID
Progress(PWSKLOAD_RUN run, ULONGLONG Now, ULONGLONG Start, WSKLOAD_RESULT *Last,
	 ULONGLONG *LastNs)
{
	WSKLOAD_RESULT *r = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*r), TAG);
	double dt = (double)(Now - *LastNs) / 1e9;
	char lat[160];

	if (r == NULL)
		return;
	Collect(run, r, TRUE);
	wskhist_format(&r->Hist, lat, sizeof(lat));
	printf("%s: t=%.0fs requests=%llu req_per_s=%.0f gbps=%.3f%s errors=%llu conns_active=%ld\n",
	       run->Cfg->Prog, (double)(Now - Start) / 1e9, (unsigned long long)r->Requests,
	       (double)(r->Requests - Last->Requests) / dt,
	       (double)(r->RxBytes - Last->RxBytes) * 8 / dt / 1e9, lat,
	       (unsigned long long)(r->Errors + r->ConnectErrors + r->Bad + r->Lost),
	       (long)run->Active);
	fflush(stdout);
	Last->Requests = r->Requests;
	Last->RxBytes = r->RxBytes;
	*LastNs = Now;
	ExFreePoolWithTag(r, TAG);
}

static NTSTATUS
ConnSetup(PWSKLOAD_RUN run, PWSKLOAD_CONN c, ULONG Index)
{
	const WSKLOAD_CONFIG *cfg = run->Cfg;
	NTSTATUS st;

	c->Run = run;
	c->Index = Index;
	c->Phase = PhIdle;
	KeInitializeSpinLock(&c->Lock);
	c->SendIrp = IoAllocateIrp(1, FALSE);
	c->RecvIrp = IoAllocateIrp(1, FALSE);
	c->OpIrp = IoAllocateIrp(1, FALSE);
	if (c->SendIrp == NULL || c->RecvIrp == NULL || c->OpIrp == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = WskAppBufAlloc(&c->Rx, cfg->RecvBytes);
	if (!NT_SUCCESS(st))
		return st;
	c->State = cfg->Proto->ConnInit(cfg->ProtoCtx, Index);
	if (c->State == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (!cfg->Udp)
		return STATUS_SUCCESS;
	c->Socket = WskAppSocket(run->Client, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, c,
				 NULL, &st);
	if (c->Socket == NULL)
		return st;
	st = WskAppBind(c->Socket, &run->Any);
	if (!NT_SUCCESS(st))
		return st;
	c->RecvBusy = TRUE;
	PostRecv(c, c->Rx.Size);
	return STATUS_SUCCESS;
}

/* Wait (bounded) until no WSK call is being made on any connection. */
static VOID
WaitQuiet(PWSKLOAD_RUN run, BOOLEAN Irps, ULONG Ms)
{
	ULONG i, waited = 0;

	for (i = 0; i < run->Cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];

		while ((c->Calls != 0 ||
			(Irps && (c->SendBusy || c->RecvBusy || c->OpBusy))) && waited < Ms) {
			SleepMs(1);
			waited++;
		}
	}
}

static VOID
Cleanup(PWSKLOAD_RUN run)
{
	const WSKLOAD_CONFIG *cfg = run->Cfg;
	ULONG i;

	for (i = 0; i < cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];
		KIRQL irql;

		KeAcquireSpinLock(&c->Lock, &irql);
		c->Closing = TRUE;
		KeReleaseSpinLock(&c->Lock, irql);
	}
	WaitQuiet(run, FALSE, 2000);
	/* Connects still under way: cancel them (a late success leaves a socket to close). */
	for (i = 0; i < cfg->Conns; i++)
		if (run->Conns[i].OpBusy && run->Conns[i].Phase == PhConnect)
			IoCancelIrp(run->Conns[i].OpIrp);
	/* Idle TCP connections end gracefully, all at once, then everything closes. */
	for (i = 0; i < cfg->Conns && !cfg->Udp; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];

		if (c->Socket != NULL && !c->SendBusy && !c->RecvBusy && !c->OpBusy) {
			c->OpBusy = TRUE;
			CONN_DISPATCH(c->Socket)->WskDisconnect(c->Socket, NULL, 0,
								Arm(c->OpIrp, DisconnectDone, c));
		}
	}
	WaitQuiet(run, TRUE, CLOSE_WAIT_MS);
	for (i = 0; i < cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];

		if (c->Socket != NULL && (c->OpBusy == FALSE || c->Phase != PhConnect))
			WskAppCloseSocket(c->Socket); /* cancels what is still pending */
		c->Socket = NULL;
	}
	WaitQuiet(run, TRUE, 2000);
	for (i = 0; i < cfg->Conns; i++) {
		PWSKLOAD_CONN c = &run->Conns[i];

		if (c->SendBusy || c->RecvBusy || c->OpBusy) {
			fprintf(stderr, "%s: connection %u: an IRP never completed\n", cfg->Prog,
				(unsigned int)i);
			continue; /* leaked on purpose: freeing it would be worse */
		}
		if (c->SendIrp != NULL)
			IoFreeIrp(c->SendIrp);
		if (c->RecvIrp != NULL)
			IoFreeIrp(c->RecvIrp);
		if (c->OpIrp != NULL)
			IoFreeIrp(c->OpIrp);
		WskAppBufFree(&c->Rx);
		if (c->State != NULL)
			cfg->Proto->ConnFini(cfg->ProtoCtx, c->State);
	}
}

NTSTATUS
WskLoadRun(PWSKAPP_CLIENT Client, const WSKLOAD_CONFIG *Cfg, PWSKLOAD_RESULT r)
{
	WSKLOAD_RUN run;
	WSKLOAD_RESULT last = { 0 };
	ULONGLONG start, now, stop_at = 0, deadline, last_ns;
	NTSTATUS st = STATUS_SUCCESS;
	ULONG i;

	RtlZeroMemory(r, sizeof(*r));
	RtlZeroMemory(&run, sizeof(run));
	run.Cfg = Cfg;
	run.Client = Client;
	run.Budget = (LONG64)Cfg->Total;
	WskAppAnyAddr(0, &run.Any);
	run.Conns = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(WSKLOAD_CONN) * Cfg->Conns, TAG);
	if (run.Conns == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (i = 0; i < Cfg->Conns && NT_SUCCESS(st); i++)
		st = ConnSetup(&run, &run.Conns[i], i);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "%s: connection %u: set-up failed: 0x%08x\n", Cfg->Prog,
			(unsigned int)(i - 1), (unsigned int)st);
		/* Only the connections set up so far; the rest are zero (no IRPs, no socket). */
		Cleanup(&run);
		ExFreePoolWithTag(run.Conns, TAG);
		return st;
	}
	run.Active = (LONG)Cfg->Conns;
	start = last_ns = WskAppNowNs();
	deadline = Cfg->Seconds ? start + (ULONGLONG)Cfg->Seconds * 1000000000ull : 0;
	for (i = 0; i < Cfg->Conns; i++)
		Go(&run.Conns[i]);
	while (run.Active > 0) {
		SleepMs(10);
		now = WskAppNowNs();
		if (!run.Stop && (WskstackStopRequested() || (deadline && now >= deadline))) {
			run.Stop = 1;
			stop_at = now;
		}
		if (Cfg->Udp)
			CheckTimeouts(&run, now);
		if (Cfg->StatsSec && now - last_ns >= (ULONGLONG)Cfg->StatsSec * 1000000000ull)
			Progress(&run, now, start, &last, &last_ns);
		if (run.Stop && now - stop_at > (ULONGLONG)DRAIN_MS * 1000000ull)
			break;
	}
	now = WskAppNowNs();
	Cleanup(&run);
	Collect(&run, r, TRUE);
	r->Seconds = (double)((run.Active > 0 ? stop_at : now) - start) / 1e9;
	ExFreePoolWithTag(run.Conns, TAG);
	return STATUS_SUCCESS;
}

VOID
WskLoadPrintSummary(const char *Prog, const char *Fields, const WSKLOAD_RESULT *r,
		    const char *Extra)
{
	char lat[160];
	double s = r->Seconds > 0 ? r->Seconds : 1e-9;

	wskhist_format(&r->Hist, lat, sizeof(lat));
	printf("%s: summary %s%srequests=%llu secs=%.2f req_per_s=%.0f gbps=%.3f%s errors=%llu "
	       "connect_errors=%llu bad=%llu lost=%llu stale=%llu connects=%llu%s%s\n",
	       Prog, Fields, Fields[0] ? " " : "", (unsigned long long)r->Requests, r->Seconds,
	       (double)r->Requests / s, (double)r->RxBytes * 8 / s / 1e9, lat,
	       (unsigned long long)r->Errors, (unsigned long long)r->ConnectErrors,
	       (unsigned long long)r->Bad, (unsigned long long)r->Lost,
	       (unsigned long long)r->Stale, (unsigned long long)r->Connects, Extra[0] ? " " : "",
	       Extra);
	fflush(stdout);
}
