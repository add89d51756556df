/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The echo ping-pong protocol of the load engine (wskstack-echo -C,
 * wskstack-bench --echo): each request is MsgBytes taken from a random
 * pattern at an offset that changes with every request and connection; the
 * answer must be the same bytes, every one is compared. TCP requests are
 * sent zero-copy from the pattern; UDP requests are copied into a
 * per-connection buffer and carry their sequence number in the first 8
 * bytes (when MsgBytes >= 8), so a late answer is told from a wrong one.
 */
#ifndef WSKLOAD_ECHO_H
#define WSKLOAD_ECHO_H

#include "wskload.h"

typedef struct _WSKLOAD_ECHO {
	ULONG MsgBytes;                  /**< request size */
	BOOLEAN Udp;                     /**< datagrams */
	WSKAPP_BUF Pattern;              /**< MsgBytes + 4 KiB of random bytes */
	volatile LONG64 Mismatches;      /**< answers with at least one wrong or missing byte */
	volatile LONG64 MismatchedBytes; /**< wrong bytes (plus the size difference of UDP answers) */
} WSKLOAD_ECHO, *PWSKLOAD_ECHO;

/** Allocate the pattern (PASSIVE). */
NTSTATUS WskLoadEchoInit(PWSKLOAD_ECHO e, ULONG MsgBytes, BOOLEAN Udp);
/** Free it, after WskLoadRun returned. */
VOID WskLoadEchoFini(PWSKLOAD_ECHO e);

/** The protocol (context: a PWSKLOAD_ECHO). */
extern const WSKLOAD_PROTO WskLoadEchoProto;

#endif /* WSKLOAD_ECHO_H */
