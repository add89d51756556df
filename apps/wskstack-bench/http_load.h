/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HTTP/1.1 GET as a protocol of the load engine (wskload.h): one request
 * per round trip, a minimal response parser (status line, Content-Length;
 * chunked transfer coding and responses without a length are counted as
 * parse errors). A non-2xx status is a bad answer; a parse error breaks
 * the connection (the engine opens a new one).
 */
#ifndef HTTP_LOAD_H
#define HTTP_LOAD_H

#include "wskload.h"

typedef struct _HTTP_LOAD {
	WSKAPP_BUF Request;            /**< the request bytes, shared by every connection */
	ULONG RequestBytes;            /**< its length */
	volatile LONG64 Non2xx;        /**< responses with a status outside 200..299 */
	volatile LONG64 ParseErrors;   /**< responses that could not be parsed */
	volatile LONG64 BodyBytes;     /**< body bytes received */
	BOOLEAN SaveWanted;            /**< keep the body of one 2xx response (-o FILE) */
	volatile LONG SaveClaimed;     /**< a connection is saving its response's body */
	volatile LONG SaveDone;        /**< Save/SaveLen hold one complete body */
	PUCHAR Save;                   /**< that body (nonpaged pool, freed by HttpLoadFini) */
	ULONGLONG SaveLen;             /**< its length */
} HTTP_LOAD, *PHTTP_LOAD;

/** The largest body -o can keep. */
#define HTTP_LOAD_SAVE_MAX (64ull << 20)

/**
 * Build the request "GET @p Path HTTP/1.1" with Host @p Host (and
 * "Connection: close" when @p Close). PASSIVE.
 */
NTSTATUS HttpLoadInit(PHTTP_LOAD h, const char *Host, const char *Path, BOOLEAN Close);
VOID HttpLoadFini(PHTTP_LOAD h);

/** The protocol (context: a PHTTP_LOAD). */
extern const WSKLOAD_PROTO HttpLoadProto;

#endif /* HTTP_LOAD_H */
