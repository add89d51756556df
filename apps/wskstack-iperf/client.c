/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-iperf -C A.B.C.D: an iperf3 client (iperf_client_api.c's
 * sequence) against a stock `iperf3 -s`. It follows the server's states,
 * sends with the zero-copy pump (or counts what the server sends with -R),
 * prints a line per interval and the sender / receiver summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iperf.h"

#define CLI_WAIT_MS 15000

typedef struct _CLI {
	PIPERF_OPTS O;
	IPERF_TEST T;
	PIPERF_CONN Ctrl;
	PIPERF_CONN Streams[IPERF_MAX_STREAMS];
	ULONG NStreams;
	char Cookie[IPERF_COOKIE_SIZE];
	ULONGLONG Start, End;
	double Cpu0;
	LONG64 TheirBytes;     /* what the server reported */
	double TheirSeconds;
} CLI, *PCLI;

static const char *
StateError(LONG ierr)
{
	switch (ierr) {
	case 13: return "an option you are trying to set is not implemented yet";
	case 121: return "the server is busy running a test. try again later";
	case 142: return "test authorization failed";
	default: return "see iperf3's i_errno";
	}
}

/* make_cookie(): 36 characters of [a-z2-7] and a NUL. */
static VOID
MakeCookie(char *c)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz234567";
	int i;

	srand((unsigned int)(IperfNowNs() ^ (IperfNowNs() >> 32)));
	for (i = 0; i < IPERF_COOKIE_SIZE - 1; i++)
		c[i] = chars[rand() % 32];
	c[IPERF_COOKIE_SIZE - 1] = '\0';
}

static NTSTATUS
SendParams(PCLI c)
{
	const IPERF_PARAMS *p = &c->O->P;
	char j[512];

	snprintf(j, sizeof(j),
		 "{\"tcp\":true,\"omit\":0,\"time\":%u,\"num\":%llu,\"blockcount\":0,\"parallel\":%u,"
		 "%s\"len\":%u,\"pacing_timer\":1000,\"client_version\":\"3.12\"}",
		 (unsigned int)(p->Bytes ? 0 : p->Time), (unsigned long long)p->Bytes,
		 (unsigned int)p->Parallel, p->Reverse ? "\"reverse\":true," : "",
		 (unsigned int)p->Len);
	return IperfConnWriteJson(c->Ctrl, j);
}

static NTSTATUS
CreateStreams(PCLI c)
{
	ULONG i;
	NTSTATUS st;

	for (i = 0; i < c->O->P.Parallel; i++) {
		PIPERF_CONN d;

		st = IperfConnect(&c->O->Remote, &c->T, &d);
		if (!NT_SUCCESS(st))
			return st;
		d->Id = i == 0 ? 1 : i + 2;
		IperfConnMakeData(d);
		c->Streams[c->NStreams++] = d;
		st = IperfConnWrite(d, c->Cookie, IPERF_COOKIE_SIZE);
		if (!NT_SUCCESS(st))
			return st;
	}
	return STATUS_SUCCESS;
}

/* Our side's byte count: sent (issued) or received. */
static LONG64
OurBytes(PCLI c)
{
	return c->O->P.Reverse ? ReadNoFence(&c->T.RxTotal) : ReadNoFence(&c->T.TxIssued);
}

static BOOLEAN
Done(PCLI c, ULONGLONG now)
{
	const IPERF_PARAMS *p = &c->O->P;
	LONG64 done = 0;
	ULONG i;

	if (p->Bytes == 0)
		return now - c->Start >= (ULONGLONG)p->Time * 1000000000ull;
	if (p->Reverse)
		return ReadNoFence(&c->T.RxTotal) >= (LONG64)p->Bytes;
	for (i = 0; i < c->NStreams; i++)
		done += ReadNoFence(&c->Streams[i]->TxDone);
	return done >= (LONG64)p->Bytes;
}

static VOID
Interval(PCLI c, ULONGLONG *Last, LONG64 *LastBytes, ULONGLONG now)
{
	LONG64 b = OurBytes(c);
	char xfer[32], rate[32];

	IperfFormatBytes((double)(b - *LastBytes), xfer, sizeof(xfer));
	IperfFormatRate((double)(b - *LastBytes) * 8 / ((double)(now - *Last) / 1e9), rate,
			sizeof(rate));
	printf("[SUM] %6.2f-%-6.2f sec  %10s  %14s\n", (double)(*Last - c->Start) / 1e9,
	       (double)(now - c->Start) / 1e9, xfer, rate);
	fflush(stdout);
	*Last = now;
	*LastBytes = b;
}

/* TEST_RUNNING to TEST_END. @return FALSE if the control connection failed. */
static BOOLEAN
RunTest(PCLI c)
{
	ULONGLONG last = c->Start, now;
	LONG64 lastBytes = 0;
	LARGE_INTEGER tick;
	ULONG i;

	tick.QuadPart = -10LL * 10000;
	printf("[ ID] Interval           Transfer     Bitrate\n");
	for (;;) {
		now = IperfNowNs();
		if (Done(c, now) || WskstackStopRequested())
			break;
		if (!c->O->P.Reverse)
			for (i = 0; i < c->NStreams; i++)
				IperfConnPump(c->Streams[i]);
		if (IperfConnAvail(c->Ctrl) > 0 || ReadNoFence(&c->Ctrl->PeerClosed))
			return FALSE; /* the server does not speak during a test unless it fails */
		if (now - last >= (ULONGLONG)c->O->Interval * 1000000000ull)
			Interval(c, &last, &lastBytes, now);
		KeWaitForSingleObject(&c->T.Wake, Executive, KernelMode, FALSE, &tick);
	}
	c->End = IperfNowNs();
	if (c->End - last >= 100000000ull)
		Interval(c, &last, &lastBytes, c->End);
	for (i = 0; i < c->NStreams; i++)
		InterlockedExchange(&c->Streams[i]->Sending, 0);
	return NT_SUCCESS(IperfConnWriteState(c->Ctrl, WskstackStopRequested() ?
						       IPERF_CLIENT_TERMINATE : IPERF_TEST_END)) &&
	       !WskstackStopRequested();
}

static BOOLEAN
ExchangeResults(PCLI c)
{
	double secs = (double)(c->End - c->Start) / 1e9, v;
	char *ours, *theirs;
	const char *arr, *e;
	BOOLEAN ok;

	ours = IperfResultsJson(c->Streams, c->NStreams, !c->O->P.Reverse, secs,
				IperfCpuPercent(c->End - c->Start, c->Cpu0));
	ok = ours != NULL && NT_SUCCESS(IperfConnWriteJson(c->Ctrl, ours));
	if (ours != NULL)
		ExFreePoolWithTag(ours, IPERF_TAG);
	theirs = ok ? IperfConnReadJson(c->Ctrl, CLI_WAIT_MS, NULL, NULL) : NULL;
	if (theirs == NULL)
		return FALSE;
	arr = IperfJsonMember(theirs, "streams");
	for (e = arr != NULL ? IperfJsonArrayFirst(arr) : NULL; e != NULL;
	     e = IperfJsonArrayNext(e)) {
		if (IperfJsonNumber(e, "bytes", &v))
			c->TheirBytes += (LONG64)v;
		if (IperfJsonNumber(e, "end_time", &v) && v > c->TheirSeconds)
			c->TheirSeconds = v;
	}
	ExFreePoolWithTag(theirs, IPERF_TAG);
	return TRUE;
}

static VOID
Summary(PCLI c)
{
	double ours = (double)(c->End - c->Start) / 1e9;
	double theirs = c->TheirSeconds > 0 ? c->TheirSeconds : ours;
	BOOLEAN rev = c->O->P.Reverse;
	LONG64 sent = rev ? c->TheirBytes : OurBytes(c), rcvd = rev ? OurBytes(c) : c->TheirBytes;
	double ssec = rev ? theirs : ours, rsec = rev ? ours : theirs;
	char x1[32], r1[32], x2[32], r2[32], addr[32];

	IperfFormatBytes((double)sent, x1, sizeof(x1));
	IperfFormatRate((double)sent * 8 / ssec, r1, sizeof(r1));
	IperfFormatBytes((double)rcvd, x2, sizeof(x2));
	IperfFormatRate((double)rcvd * 8 / rsec, r2, sizeof(r2));
	printf("- - - - - - - - - - - - - - - - - - - - - - - - -\n");
	printf("[ ID] Interval           Transfer     Bitrate\n");
	printf("[SUM] %6.2f-%-6.2f sec  %10s  %14s                  sender\n", 0.0, ssec, x1, r1);
	printf("[SUM] %6.2f-%-6.2f sec  %10s  %14s                  receiver\n", 0.0, rsec, x2, r2);
	WskAppFormatAddr(&c->O->Remote, addr, sizeof(addr));
	printf("wskstack-iperf: summary mode=client server=%s streams=%u reverse=%u len=%u "
	       "seconds=%.2f sent_bytes=%lld received_bytes=%lld sender_gbps=%.3f "
	       "receiver_gbps=%.3f send_errors=%lld\n",
	       addr, (unsigned int)c->NStreams, (unsigned int)rev, (unsigned int)c->O->P.Len, ours,
	       (long long)sent, (long long)rcvd, (double)sent * 8 / ssec / 1e9,
	       (double)rcvd * 8 / rsec / 1e9, (long long)c->T.SendErrors);
	fflush(stdout);
}

/* iperf_handle_message_client(): follow the server's states. */
static NTSTATUS
FollowStates(PCLI c)
{
	UCHAR ierr[8];
	signed char st;
	ULONG i;

	for (;;) {
		if (!IperfConnWaitBytes(c->Ctrl, 1, CLI_WAIT_MS, NULL, NULL)) {
			fprintf(stderr, "wskstack-iperf: control connection closed or silent\n");
			return STATUS_CONNECTION_ABORTED;
		}
		IperfConnTake(c->Ctrl, &st, 1);
		switch (st) {
		case IPERF_PARAM_EXCHANGE:
			if (!NT_SUCCESS(SendParams(c)))
				return STATUS_UNSUCCESSFUL;
			break;
		case IPERF_CREATE_STREAMS:
			if (!NT_SUCCESS(CreateStreams(c))) {
				fprintf(stderr, "wskstack-iperf: cannot open the data streams\n");
				return STATUS_UNSUCCESSFUL;
			}
			break;
		case IPERF_TEST_START:
			for (i = 0; i < c->NStreams && !c->O->P.Reverse; i++)
				IperfConnQueryBacklog(c->Streams[i]);
			break;
		case IPERF_TEST_RUNNING:
			c->Start = IperfNowNs();
			c->Cpu0 = IperfCpuSeconds();
			for (i = 0; i < c->NStreams && !c->O->P.Reverse; i++)
				InterlockedExchange(&c->Streams[i]->Sending, 1);
			if (!RunTest(c))
				return STATUS_CANCELLED;
			break;
		case IPERF_EXCHANGE_RESULTS:
			if (!ExchangeResults(c))
				return STATUS_UNSUCCESSFUL;
			break;
		case IPERF_DISPLAY_RESULTS:
			return STATUS_SUCCESS;
		case IPERF_ACCESS_DENIED:
			fprintf(stderr, "wskstack-iperf: error - %s\n", StateError(121));
			return STATUS_ACCESS_DENIED;
		case IPERF_SERVER_ERROR:
			IperfConnWaitBytes(c->Ctrl, 8, CLI_WAIT_MS, NULL, NULL);
			IperfConnTake(c->Ctrl, ierr, 8);
			i = (ULONG)ierr[0] << 24 | (ULONG)ierr[1] << 16 | (ULONG)ierr[2] << 8 | ierr[3];
			fprintf(stderr, "wskstack-iperf: error - server error %u: %s\n",
				(unsigned int)i, StateError((LONG)i));
			return STATUS_UNSUCCESSFUL;
		case IPERF_SERVER_TERMINATE:
			fprintf(stderr, "wskstack-iperf: error - the server has terminated\n");
			return STATUS_UNSUCCESSFUL;
		default:
			fprintf(stderr, "wskstack-iperf: error - unknown state %d\n", st);
			return STATUS_UNSUCCESSFUL;
		}
	}
}

NTSTATUS
IperfClientRun(PIPERF_OPTS o)
{
	PCLI c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), IPERF_TAG);
	char addr[32];
	NTSTATUS st;
	ULONG i;

	if (c == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	RtlZeroMemory(c, sizeof(*c));
	c->O = o;
	KeInitializeEvent(&c->T.Wake, SynchronizationEvent, FALSE);
	c->T.Len = o->P.Len;
	c->T.TxLimit = (LONG64)o->P.Bytes;
	st = WskAppBufAlloc(&c->T.Payload, o->P.Len);
	if (!NT_SUCCESS(st)) {
		ExFreePoolWithTag(c, IPERF_TAG);
		return st;
	}
	memset(c->T.Payload.Data, 'i', o->P.Len);
	MakeCookie(c->Cookie);
	WskAppFormatAddr(&o->Remote, addr, sizeof(addr));
	printf("Connecting to host %s\n", addr);
	fflush(stdout);
	st = IperfConnect(&o->Remote, &c->T, &c->Ctrl);
	if (NT_SUCCESS(st)) {
		InterlockedExchange(&c->Ctrl->Role, IPERF_ROLE_CONTROL);
		st = IperfConnWrite(c->Ctrl, c->Cookie, IPERF_COOKIE_SIZE);
		if (NT_SUCCESS(st))
			st = FollowStates(c);
	} else {
		fprintf(stderr, "wskstack-iperf: cannot connect to %s: 0x%08x\n", addr,
			(unsigned int)st);
	}
	for (i = 0; i < c->NStreams; i++) {
		IperfConnClose(c->Streams[i], FALSE);
		IperfConnFree(c->Streams[i]);
	}
	if (st == STATUS_SUCCESS) {
		Summary(c);
		IperfConnWriteState(c->Ctrl, IPERF_DONE);
		for (i = 0; i < 200 && !ReadNoFence(&c->Ctrl->PeerClosed); i++) {
			LARGE_INTEGER t;

			t.QuadPart = -10LL * 10000;
			KeWaitForSingleObject(&c->T.Wake, Executive, KernelMode, FALSE, &t);
		}
	}
	if (c->Ctrl != NULL) {
		IperfConnClose(c->Ctrl, TRUE);
		IperfConnFree(c->Ctrl);
	}
	WskAppBufFree(&c->T.Payload);
	ExFreePoolWithTag(c, IPERF_TAG);
	return st;
}
