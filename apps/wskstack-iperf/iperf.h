/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack-iperf: the iperf3 control protocol (as iperf3 3.12 speaks it) over
 * WSK. A test is one control connection and N data connections, each opened
 * with the client's 37-byte cookie; the server drives the test with one-byte
 * states and both sides exchange JSON (a 4-byte big-endian length, then the
 * text): the client's parameters, then each side's results.
 *
 * Connections (conn.c) are WSK connection sockets with event callbacks:
 * WskReceiveEvent copies control bytes into a small buffer the PASSIVE
 * thread reads, or only counts data bytes and returns STATUS_SUCCESS; the
 * send side keeps several WskSend IRPs of one zero-copy buffer in flight,
 * as many as the ideal send backlog asks for.
 */
#ifndef WSKSTACK_IPERF_H
#define WSKSTACK_IPERF_H

#include "wskapp.h"

#define IPERF_TAG 'frpI'
#define IPERF_COOKIE_SIZE 37 /* 36 characters and a NUL */
#define IPERF_DEFAULT_PORT 5201
#define IPERF_DEFAULT_LEN (128 * 1024)
#define IPERF_MAX_LEN (1024 * 1024)
#define IPERF_MAX_STREAMS 128
#define IPERF_MAX_BACKLOG (1024 * 1024) /* bytes of sends in flight per stream, at most */
#define IPERF_CTRL_BUF 65536 /* control bytes buffered per connection */
#define IPERF_JSON_MAX 60000 /* longest JSON message accepted */

/* iperf3 test states (iperf_api.h), sent as one signed byte. */
enum {
	IPERF_TEST_START = 1,
	IPERF_TEST_RUNNING = 2,
	IPERF_TEST_END = 4,
	IPERF_PARAM_EXCHANGE = 9,
	IPERF_CREATE_STREAMS = 10,
	IPERF_SERVER_TERMINATE = 11,
	IPERF_CLIENT_TERMINATE = 12,
	IPERF_EXCHANGE_RESULTS = 13,
	IPERF_DISPLAY_RESULTS = 14,
	IPERF_DONE = 16,
	IPERF_ACCESS_DENIED = -1,
	IPERF_SERVER_ERROR = -2,
};

/* iperf3 error numbers (i_errno) a SERVER_ERROR carries. */
#define IPERF_IEUNIMP 13 /* "an option you are trying to set is not implemented yet" */

/** What a test asks for (the client's parameters). */
typedef struct _IPERF_PARAMS {
	ULONG Time;         /* seconds (when Bytes and Blocks are 0) */
	ULONGLONG Bytes;    /* -n: bytes to send, 0 = by time */
	ULONGLONG Blocks;   /* -k: blocks to send, 0 = by time */
	ULONG Parallel;     /* -P */
	ULONG Len;          /* -l */
	ULONG Omit;         /* -O (the client discounts it; we report everything) */
	BOOLEAN Reverse;    /* -R: the server sends */
	BOOLEAN Udp;
	BOOLEAN Bidir;
	BOOLEAN Other;      /* sctp or anything else we cannot do */
} IPERF_PARAMS, *PIPERF_PARAMS;

/** Shared by every connection of a test (send limits, the wake-up event). */
typedef struct _IPERF_TEST {
	KEVENT Wake;                 /* set by every callback: the PASSIVE thread re-checks */
	WSKAPP_BUF Payload;          /* the one buffer every data send repeats */
	ULONG Len;                   /* bytes per send */
	volatile LONG64 TxLimit;     /* total bytes to send over all streams, 0 = none */
	volatile LONG64 TxIssued;    /* bytes handed to WskSend over all streams */
	volatile LONG64 RxTotal;     /* bytes received over all data streams */
	volatile LONG64 SendErrors;  /* send IRPs that failed (not counting cancels) */
} IPERF_TEST, *PIPERF_TEST;

enum { IPERF_ROLE_NEW = 0, IPERF_ROLE_CONTROL = 1, IPERF_ROLE_DATA = 2 };

/** One TCP connection (control or data). */
typedef struct _IPERF_CONN {
	struct _IPERF_CONN *Next;    /* the server's accept queue / a test's list */
	PWSK_SOCKET Socket;
	PIPERF_TEST Test;
	KSPIN_LOCK Lock;             /* Buf, Used and the NEW -> DATA switch */
	volatile LONG Role;
	volatile LONG PeerClosed;    /* 1 graceful FIN, 2 reset / socket dead */
	ULONG Used;                  /* bytes in Buf */
	ULONG Id;                    /* iperf3 stream id (1, 3, 4, ...) */
	volatile LONG64 RxBytes;     /* data bytes received (after the cookie) */
	volatile LONG64 TxBytes;     /* data bytes handed to WskSend */
	volatile LONG64 TxDone;      /* data bytes whose send completed */
	volatile LONG64 InFlightBytes;
	volatile LONG InFlight;      /* send IRPs outstanding */
	volatile LONG PumpReq;       /* IssueSends owner + pending requests */
	volatile LONG Sending;       /* sends may be issued */
	volatile LONG64 IdealBacklog;
	UCHAR Buf[IPERF_CTRL_BUF];
} IPERF_CONN, *PIPERF_CONN;

extern const WSK_CLIENT_CONNECTION_DISPATCH IperfConnDispatch;
extern PWSKAPP_CLIENT IperfClient;

/* conn.c */
PIPERF_CONN IperfConnAlloc(PIPERF_TEST t);
VOID IperfConnFree(PIPERF_CONN c);
NTSTATUS IperfConnect(const SOCKADDR_IN *Remote, PIPERF_TEST t, PIPERF_CONN *Out);
ULONG IperfConnAvail(PIPERF_CONN c);
/** Take @p n buffered bytes (the caller checked IperfConnAvail). */
VOID IperfConnTake(PIPERF_CONN c, PVOID Dst, ULONG n);
/** The connection now carries data: buffered bytes beyond the cookie count as data. */
VOID IperfConnMakeData(PIPERF_CONN c);
/**
 * Wait (PASSIVE) until @p n bytes are buffered on @p c, the peer closes, a
 * stop is requested or @p TimeoutMs passes; @p Service (may be NULL) runs
 * every tick. @return TRUE if the bytes are there.
 */
BOOLEAN IperfConnWaitBytes(PIPERF_CONN c, ULONG n, ULONG TimeoutMs,
			   VOID (*Service)(PVOID), PVOID Arg);
NTSTATUS IperfConnWrite(PIPERF_CONN c, const VOID *Data, ULONG n);
NTSTATUS IperfConnWriteState(PIPERF_CONN c, signed char State);
NTSTATUS IperfConnWriteJson(PIPERF_CONN c, const char *Json);
/** Read one length-prefixed JSON message into a NUL-terminated pool buffer. */
char *IperfConnReadJson(PIPERF_CONN c, ULONG TimeoutMs, VOID (*Service)(PVOID), PVOID Arg);
VOID IperfConnQueryBacklog(PIPERF_CONN c);
/** Start or keep sending (any IRQL <= DISPATCH). */
VOID IperfConnPump(PIPERF_CONN c);
/** Stop sending, FIN after the data in flight (WskDisconnect, not waited for). */
VOID IperfConnShutdown(PIPERF_CONN c);
/** Stop sending, close the socket (abortively unless @p Graceful), wait for every IRP. */
VOID IperfConnClose(PIPERF_CONN c, BOOLEAN Graceful);

/* json.c: a reader for the flat objects iperf3 exchanges. */
const char *IperfJsonMember(const char *Obj, const char *Key);
BOOLEAN IperfJsonNumber(const char *Obj, const char *Key, double *Out);
BOOLEAN IperfJsonTrue(const char *Obj, const char *Key);
/** The first element of the array at @p Arr ('['), then each next: NULL at the end. */
const char *IperfJsonArrayFirst(const char *Arr);
const char *IperfJsonArrayNext(const char *Elem);

/* report.c */
ULONGLONG IperfNowNs(VOID);
double IperfCpuPercent(ULONGLONG WallNs, double CpuStart);
double IperfCpuSeconds(VOID);
VOID IperfFormatBytes(double Bytes, char *Out, ULONG Size);
VOID IperfFormatRate(double BitsPerSec, char *Out, ULONG Size);
/** Our results JSON: @p Bytes per stream (ids from the connections). */
char *IperfResultsJson(PIPERF_CONN *Streams, ULONG n, BOOLEAN Sender, double Seconds,
		       double CpuPct);

/* server.c, client.c */
typedef struct _IPERF_OPTS {
	BOOLEAN Server;
	USHORT Port;
	SOCKADDR_IN Remote;
	IPERF_PARAMS P;
	ULONG Interval;     /* seconds between progress lines */
} IPERF_OPTS, *PIPERF_OPTS;

NTSTATUS IperfServerRun(PIPERF_OPTS o);
NTSTATUS IperfClientRun(PIPERF_OPTS o);

#endif /* WSKSTACK_IPERF_H */
