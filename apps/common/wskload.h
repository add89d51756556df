/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The request/response load engine of the client applications
 * (wskstack-echo -C, wskstack-bench): CONNS connections, each with one
 * request in flight, driven entirely by IRP completion routines (run to
 * completion wherever the provider completes them), pacing by count or
 * duration, a progress line every few seconds, per-connection latency
 * histograms merged at the end. What a request is and how its answer is
 * read is a protocol (WSKLOAD_PROTO): the echo ping-pong (wskload_echo.c)
 * or HTTP/1.1 (wskstack-bench).
 *
 * TCP connections are opened with WskSocketConnect from the completion
 * path; an error (reset, failed send, a protocol violation) closes the
 * connection and opens a new one (up to 3 failed connects in a row).
 * With Reconnect every request gets its own connection (connect, request,
 * response, graceful WskDisconnect, WskCloseSocket) and its latency
 * includes the handshake. UDP "connections" are datagram sockets with a
 * WskReceiveFrom always pending; an answer not back within UdpTimeoutMs
 * counts as lost and the next request goes.
 */
#ifndef WSKLOAD_H
#define WSKLOAD_H

#include "wskapp.h"
#include "wskhist.h"

typedef struct _WSKLOAD_CONN WSKLOAD_CONN, *PWSKLOAD_CONN;

/** What WSKLOAD_PROTO.Response says about the bytes it was given. */
typedef enum _WSKLOAD_VERDICT {
	WskLoadMore,    /**< the response continues: receive more */
	WskLoadDone,    /**< the response is complete and right */
	WskLoadBad,     /**< complete but wrong (mismatching bytes, non-2xx): counted, go on */
	WskLoadBroken,  /**< the stream cannot be followed any more: counted, connection closed */
	WskLoadStale,   /**< UDP: an answer to an earlier (timed out) request: ignored */
} WSKLOAD_VERDICT;

/**
 * A protocol. Every callback runs wherever the completion that drives the
 * connection runs (the lcore at DISPATCH_LEVEL, the completion thread or the
 * PASSIVE thread): it must not block. Calls for one connection never overlap.
 */
typedef struct _WSKLOAD_PROTO {
	/** Per-connection state (PASSIVE, at start): return it, NULL on failure. */
	PVOID (*ConnInit)(PVOID Ctx, ULONG Index);
	/** Free it (PASSIVE, at the end). */
	VOID (*ConnFini)(PVOID Ctx, PVOID ConnState);
	/**
	 * The next request, number @p Seq of this connection (from 1): set
	 * *@p Buf; its MDL stays untouched until the response is complete.
	 */
	VOID (*Request)(PVOID Ctx, PVOID ConnState, ULONGLONG Seq, WSK_BUF *Buf);
	/**
	 * @p Len bytes of the answer (TCP: the next bytes of the stream; UDP: one
	 * datagram, complete). *@p Want gets the most bytes the next TCP receive
	 * may take when the verdict is WskLoadMore.
	 */
	WSKLOAD_VERDICT (*Response)(PVOID Ctx, PVOID ConnState, const UCHAR *Data, ULONG Len,
				    ULONG *Want);
	/** Bytes the first receive of a response may take (TCP). */
	ULONG (*FirstWant)(PVOID Ctx, PVOID ConnState);
} WSKLOAD_PROTO, *PWSKLOAD_PROTO;

typedef struct _WSKLOAD_CONFIG {
	const char *Prog;         /**< prefix of the progress lines */
	SOCKADDR_IN Remote;       /**< the server */
	BOOLEAN Udp;              /**< datagrams instead of TCP */
	BOOLEAN Reconnect;        /**< TCP: a new connection per request */
	ULONG Conns;              /**< concurrent connections (>= 1) */
	ULONGLONG PerConn;        /**< requests per connection (0: no per-connection limit) */
	ULONGLONG Total;          /**< requests in all (0: no total limit) */
	ULONG Seconds;            /**< duration (0: until the counts are reached or a stop) */
	ULONG StatsSec;           /**< seconds between progress lines (0: none) */
	ULONG RecvBytes;          /**< receive buffer per connection */
	ULONG UdpTimeoutMs;       /**< UDP: an answer later than this is lost (0: 1000) */
	const WSKLOAD_PROTO *Proto; /**< the protocol */
	PVOID ProtoCtx;           /**< its context */
} WSKLOAD_CONFIG, *PWSKLOAD_CONFIG;

typedef struct _WSKLOAD_RESULT {
	ULONGLONG Requests;       /**< responses complete (right or Bad) */
	ULONGLONG Good;           /**< responses complete and right */
	ULONGLONG Bad;            /**< WskLoadBad + WskLoadBroken verdicts */
	ULONGLONG TxBytes;        /**< request bytes sent */
	ULONGLONG RxBytes;        /**< answer bytes received */
	ULONGLONG Errors;         /**< failed sends and receives, resets, early closes */
	ULONGLONG ConnectErrors;  /**< failed connects */
	ULONGLONG Connects;       /**< connections opened */
	ULONGLONG Lost;           /**< UDP answers that never came */
	ULONGLONG Stale;          /**< UDP answers that came too late */
	ULONG DeadConns;          /**< connections given up (3 failed connects in a row) */
	double Seconds;           /**< from the first request to the last answer */
	struct wskhist Hist;      /**< latency of every complete response */
} WSKLOAD_RESULT, *PWSKLOAD_RESULT;

/**
 * Run the load at PASSIVE_LEVEL until the counts are reached, the time is
 * up or a stop is requested (SIGINT); then let every connection finish its
 * request (2 s at most), close every socket and free every IRP.
 * @return STATUS_SUCCESS, or why the run could not start (*@p r is filled either way).
 */
NTSTATUS WskLoadRun(PWSKAPP_CLIENT Client, const WSKLOAD_CONFIG *Cfg, PWSKLOAD_RESULT r);

/**
 * Print "<prog>: summary <Fields> requests=.. req_per_s=.. gbps=.. p50_us=..
 * p99_us=.. p999_us=.. max_us=.. errors=.." on one line; @p Fields (may be
 * "") goes first, @p Extra (may be "") last.
 */
VOID WskLoadPrintSummary(const char *Prog, const char *Fields, const WSKLOAD_RESULT *r,
			 const char *Extra);

#endif /* WSKLOAD_H */
