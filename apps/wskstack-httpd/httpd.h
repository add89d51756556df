/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack-httpd: an HTTP/1.1 server written as a WSK driver. What its
 * translation units share: limits, the file cache, the request parser's
 * result, the connection entry points and the counters.
 *
 * Threads: the cache is built and freed at PASSIVE_LEVEL by DriverMain and
 * is read-only in between; everything a connection owns is touched on its
 * home lcore only (event callbacks and the completions of IRPs issued
 * there), except the close that DriverMain starts at stop time.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include "wskapp.h"

#define HTTPD_TAG 'dptH'

#define HTTPD_HDR_MAX (8u * 1024u)     /**< header section (request line included): more is 431 */
#define HTTPD_HEADERS_MAX 100u         /**< header fields: more is 431 */
#define HTTPD_PATH_MAX 1024u           /**< decoded request path: longer is 414 */
#define HTTPD_SLOTS 16u                /**< responses in flight per connection */
#define HTTPD_SLOT_BUF 512u            /**< a response's header (and error body) */
#define HTTPD_OUT_MAX (256u * 1024u)   /**< response bytes in flight before parsing pauses */
#define HTTPD_FILE_MAX (8u << 20)      /**< largest file cached from the docroot */
#define HTTPD_CACHE_MAX (256u << 20)   /**< all cached files together */
#define HTTPD_FILES_MAX 4096u          /**< files cached */
#define HTTPD_FIXED_MIN (1u << 20)     /**< /bytes/N serves N up to max(this, --body-size) */
#define HTTPD_FIXED_CAP (64u << 20)    /**< largest --body-size */
#define HTTPD_LINGER_SEC 10ull         /**< our FIN unanswered this long: abortive close */

/** Run-time settings (argument parsing fills them before the stack starts). */
typedef struct _HTTPD_CONFIG {
	USHORT Port;
	const char *Docroot;     /**< NULL: no file tree, only /fixed and /bytes/N */
	ULONG BodySize;          /**< body of /fixed */
	ULONG MaxBody;           /**< largest request body read and discarded; more is 413 */
	ULONG ProgressSec;       /**< progress line period, 0: none */
	ULONG IdleSec;           /**< close connections idle this long, 0: never */
} HTTPD_CONFIG;

extern HTTPD_CONFIG HttpdConfig;

/* ---- the file cache (docroot.c) ---- */

/** A body the server sends zero-copy: bytes in nonpaged pool and the MDL over all of them. */
typedef struct _HTTPD_BODY {
	PUCHAR Data;
	ULONG Size;
	PMDL Mdl;                /**< Next stays NULL: response headers chain to it */
	const char *Type;        /**< Content-Type */
} HTTPD_BODY;

/**
 * Load every regular file under @p Root (at most HTTPD_FILE_MAX each,
 * HTTPD_CACHE_MAX in all; others are skipped with a warning) and build the
 * fixed body (@p FixedSize bytes of /fixed, at least HTTPD_FIXED_MIN for
 * /bytes/N). PASSIVE_LEVEL. @return STATUS_SUCCESS or a failure (reason on stderr).
 */
NTSTATUS HttpdCacheLoad(const char *Root, ULONG FixedSize);
/** Free what HttpdCacheLoad built (no response may be in flight). */
VOID HttpdCacheFree(VOID);
/** Files and bytes cached. */
VOID HttpdCacheStats(ULONG *Files, ULONGLONG *Bytes);
/**
 * The body for a normalised path ("/a/b.html"): a cached file, "/fixed" or
 * "/bytes/N". @return the body and its length in *@p Length, or NULL (404).
 */
const HTTPD_BODY *HttpdCacheLookup(const char *Path, ULONG *Length);

/**
 * Host side of the loader (docroot_list.c, POSIX, no Windows headers): call
 * @p Fn for every regular file under @p Root with its path relative to
 * Root ("a/b.html") and its size. @return 0, or -1 if Root cannot be read.
 */
int HttpdListTree(const char *Root, void (*Fn)(void *Ctx, const char *Rel, unsigned long long Size),
		  void *Ctx);

/* ---- the request parser (http_parse.c) ---- */

typedef enum _HTTPD_METHOD { HttpdGet, HttpdHead, HttpdOther } HTTPD_METHOD;

/** What a header section says; Status is 0 when it is well formed. */
typedef struct _HTTPD_REQ {
	USHORT Status;           /**< 0, or the error to answer (400, 413, 414, 431, 501, 505) */
	HTTPD_METHOD Method;
	BOOLEAN Http10;
	BOOLEAN KeepAlive;       /**< the client keeps the connection (version and Connection) */
	BOOLEAN Expect100;       /**< Expect: 100-continue */
	ULONGLONG ContentLength; /**< request body to read and discard */
	char Path[HTTPD_PATH_MAX + 1]; /**< decoded, normalised, query removed */
} HTTPD_REQ;

/**
 * Parse one header section: @p Len bytes at @p Text, from the request line
 * to the empty line included. Never reads outside them.
 */
VOID HttpdParse(const char *Text, ULONG Len, HTTPD_REQ *Req);

/* ---- connections (http_conn.c) ---- */

/** The listening socket's client dispatch (WskAcceptEvent). */
extern const WSK_CLIENT_LISTEN_DISPATCH HttpdListenDispatch;
/** Start closing every connection (stop time, PASSIVE_LEVEL). */
VOID HttpdCloseAll(VOID);
/** Close connections idle past --idle-timeout or lingering after our FIN (PASSIVE_LEVEL). */
VOID HttpdSweep(VOID);
/** Connections not yet freed. */
LONG HttpdConnsLive(VOID);
/** One-time set-up of the connection list. */
VOID HttpdConnInit(VOID);

/* ---- counters ---- */

/** Status codes counted one by one; anything else goes to "other". */
#define HTTPD_STATUS_LIST(X) X(200) X(400) X(404) X(405) X(413) X(414) X(431) X(501) X(505)
#define HTTPD_ST_ENUM(c) HttpdSt##c,
typedef enum _HTTPD_ST { HTTPD_STATUS_LIST(HTTPD_ST_ENUM) HttpdStOther, HttpdStCount } HTTPD_ST;

typedef struct _HTTPD_STATS {
	volatile LONG64 Requests;
	volatile LONG64 Status[HttpdStCount];
	volatile LONG64 BytesSent;     /**< completed sends (headers and bodies) */
	volatile LONG64 Conns;         /**< accepted */
	volatile LONG64 Pauses;        /**< times parsing paused on flow control */
	volatile LONG64 SendErrors;
	volatile LONG64 SendsInline;
	volatile LONG64 TimedOut;      /**< connections closed by the sweep */   /**< sends completed inside WskSend (copied by the provider) */
} HTTPD_STATS;

extern HTTPD_STATS HttpdStats;

#endif /* HTTPD_H */
