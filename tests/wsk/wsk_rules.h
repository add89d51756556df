/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers of the rule tests (test_wsk_rules_*.c): one test per rule of
 * section 4 of wsk_api.md, each printing "rule N: <title>: ok/FAIL".
 *
 * IRPs here count their completions (a rule test asserts "exactly once")
 * and stamp a global sequence number (ordering: cancelled IRPs before the
 * close IRP). Connected pairs are a listener on host 1, a connection
 * socket on host 0 and the socket WskAccept gave for it.
 *
 * Checks of behaviour the provider gets wrong in files this suite may not
 * change run only with WSK_RULES_KNOWN_BUGS=1; by default a line
 * "KNOWN BUG: ..." says what is skipped, so the suite stays green.
 */
#ifndef WSK_RULES_H
#define WSK_RULES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "wsk_test_wsk.h"

/* ---- reporting ---- */

/** Start rule @p n: remember the failure count. */
#define RULE_BEGIN() unsigned int rule_fails_ = check_fail_count
/** Print "rule N: title: ok/FAIL" for the checks since RULE_BEGIN(). */
#define RULE_END(n, title) rules_report((n), (title), check_fail_count - rule_fails_)

void rules_report(int n, const char *title, unsigned int fails);

/**
 * A check of a known provider bug: prints "KNOWN BUG: <what>".
 * @return true if it should run (WSK_RULES_KNOWN_BUGS=1).
 */
bool rules_known_bug(const char *what);

/** Print "rule N: skipped: <why>" (a part of a rule that cannot be triggered). */
void rules_skip(int n, const char *why);

/* ---- dispatch tables ---- */

static inline const WSK_PROVIDER_CONNECTION_DISPATCH *
rc_conn(PWSK_SOCKET s)
{
	return (const WSK_PROVIDER_CONNECTION_DISPATCH *)s->Dispatch;
}

static inline const WSK_PROVIDER_LISTEN_DISPATCH *
rc_listen(PWSK_SOCKET s)
{
	return (const WSK_PROVIDER_LISTEN_DISPATCH *)s->Dispatch;
}

static inline const WSK_PROVIDER_STREAM_DISPATCH *
rc_stream(PWSK_SOCKET s)
{
	return (const WSK_PROVIDER_STREAM_DISPATCH *)s->Dispatch;
}

/* ---- IRPs ---- */

/** An IRP whose completions are counted and stamped. */
struct rirp {
	PIRP irp;
	KEVENT done;
	atomic_int calls;       /**< completion routine runs */
	int seq;                /**< global completion order (first run) */
	NTSTATUS returned;      /**< what the WSK call returned */
	NTSTATUS status;        /**< IoStatus at completion */
	ULONG_PTR info;
	KIRQL irql;             /**< IRQL inside the completion routine */
	bool inline_done;       /**< completed before the call returned */
	bool calling;           /**< inside the WSK call (set by the rc_* calls) */
	atomic_bool finished;   /**< the routine is past its last access to this struct */
};

/** Allocate the IRP (one stack location) and set the counting routine. */
void rirp_init(struct rirp *r);
/** Wait up to @p ms for the completion. @return true if it completed. */
bool rirp_wait(struct rirp *r, unsigned int ms);
/** @return true if completed (no wait). */
bool rirp_done(struct rirp *r);
/** Free the IRP (only after completion). */
void rirp_free(struct rirp *r);

/** Next value of the global completion sequence. */
int rules_seq_next(void);

/* Calls that start an IRP (rirp_init first). Each returns what the WSK function returned. */
NTSTATUS rc_send(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags);
NTSTATUS rc_recv(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags);
NTSTATUS rc_disconnect(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags);
NTSTATUS rc_connect(struct rirp *r, PWSK_SOCKET s, unsigned int host, uint16_t port);
NTSTATUS rc_accept(struct rirp *r, PWSK_SOCKET l, PVOID ctx,
		   const WSK_CLIENT_CONNECTION_DISPATCH *disp);
NTSTATUS rc_close(struct rirp *r, PWSK_SOCKET s);
NTSTATUS rc_control(struct rirp *r, PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE type, ULONG code,
		    ULONG level, SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out);

/** Synchronous forms: start, wait @p ms (2 s if 0), free. @return the IRP's status. */
NTSTATUS rc_wait_status(struct rirp *r, unsigned int ms, ULONG_PTR *info);

/** A ULONG socket option with an IRP. @return the IRP's status. */
NTSTATUS rc_set_ulong(PWSK_SOCKET s, ULONG level, ULONG code, ULONG v);
NTSTATUS rc_get_ulong(PWSK_SOCKET s, ULONG level, ULONG code, ULONG *v);

/* ---- buffers ---- */

/** A nonpaged buffer with its MDL and a WSK_BUF over all of it. */
struct rbuf {
	uint8_t *data;
	PMDL mdl;
	WSK_BUF wb;
	SIZE_T size;
};

void rbuf_init(struct rbuf *b, SIZE_T size);
void rbuf_free(struct rbuf *b);
/** Fill with a pattern starting at stream offset @p off. */
void rbuf_fill(struct rbuf *b, uint64_t off);
/** @return the pattern byte at stream offset @p off. */
uint8_t rules_pattern(uint64_t off);

/* ---- sockets ---- */

/** A connection socket bound to the wildcard address (NULL on failure). */
PWSK_SOCKET rules_conn_socket(struct wsk_test_client *c, PVOID ctx,
			      const WSK_CLIENT_CONNECTION_DISPATCH *disp);

/** A datagram socket bound to host @p host, port @p port (NULL on failure). */
PWSK_SOCKET rules_dgram_bound(struct wsk_test_client *c, unsigned int host, uint16_t port,
			      PVOID ctx, const void *disp);

/** A connected pair: listener l on host 1, client socket c (host 0), accepted a (host 1). */
struct rpair {
	PWSK_SOCKET l, c, a;
};

/**
 * Listen on host 1 @p port (with @p lst, created if NULL), connect from
 * host 0, take the connection with a WskAccept IRP.
 * @return true if all three sockets are there.
 */
bool rpair_open(struct rpair *p, struct wsk_test_client *cc, struct wsk_test_client *sc,
		uint16_t port, PVOID cctx, const WSK_CLIENT_CONNECTION_DISPATCH *cdisp, PVOID actx,
		const WSK_CLIENT_CONNECTION_DISPATCH *adisp);
/** Close whatever of the pair is still open (NULL members are skipped). */
void rpair_close(struct rpair *p);

/** Send @p len pattern bytes from @p s (synchronous). @return the status. */
NTSTATUS rules_send_bytes(PWSK_SOCKET s, const void *data, SIZE_T len);
/** Receive into @p b (synchronous, @p ms). @return the status; *@p got the bytes. */
NTSTATUS rules_recv_bytes(PWSK_SOCKET s, struct rbuf *b, ULONG flags, unsigned int ms,
			  ULONG_PTR *got);

/** Poll @p cond (an expression) up to @p ms milliseconds. */
#define RULES_WAIT(cond, ms)                                                     \
	do {                                                                     \
		unsigned int rw_i_;                                              \
		for (rw_i_ = 0; rw_i_ < (ms) && !(cond); rw_i_++)                \
			wsk_test_sleep_ms(1);                                    \
	} while (0)

/** Two hosts, clients on each; @return 0 or -1. */
int rules_start(struct wsk_test_client *c0, struct wsk_test_client *c1);
/** Close the clients, stop the hosts, check leaks. @return check_done(). */
int rules_finish(struct wsk_test_client *c0, struct wsk_test_client *c1);

#endif /* WSK_RULES_H */
