/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Scaffolding of the WSK tests: stacks running for real, and IRP helpers.
 *
 * wsk_test_hosts_start() builds up to four hosts in the process, each a
 * stk_shared with one in-memory port (drv_memdev) and @c ninst instances,
 * every instance polled by its own thread on real time; the threads pass
 * each frame a host sends to the host owning its destination MAC (a
 * switch), on a queue picked like RSS would. Host h is 198.18.9.(h+1)/24
 * and published as WSK host h: a client binds to it by calling
 * WskstackSelectHost(h) before WskRegister. The stacks do not loop back
 * to themselves, so traffic goes between two hosts.
 *
 * The calling thread stays PASSIVE_LEVEL: it is the WSK client. The helpers
 * allocate an IRP, set a completion routine that signals a KEVENT, and wait
 * with a timeout (cancelling the IRP if it runs out).
 *
 * This header includes only <wdm.h>: it fits in Windows-side translation
 * units (with <wsk.h>) and stack-side ones alike.
 */
#ifndef WSK_TEST_HOST_H
#define WSK_TEST_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

#define WSK_TEST_MAX_HOSTS 4
#define WSK_TEST_MAX_INST  4

struct wsk_host;

/** How a frame is put on one of the receiving host's queues. */
enum wsk_test_steer {
	/** TCP/UDP: destination port modulo the queues; fragments: by addresses; other: 0. */
	WSK_TEST_STEER_PORT,
	/** Round robin (fragments still by addresses): every instance sees traffic. */
	WSK_TEST_STEER_SPREAD,
};

/** What to build; a zeroed struct (or NULL) means 1 instance, port steering. */
struct wsk_test_conf {
	unsigned int ninst;         /**< instances per host, 1..WSK_TEST_MAX_INST (0: 1) */
	enum wsk_test_steer steer;  /**< queue choice on the receiving host */
	unsigned int nb_mbufs;      /**< packet pool per host (0: 8192) */
};

/**
 * Start EAL (if not yet), build @p nhosts hosts, start their poll threads
 * and publish them as WSK hosts 0..nhosts-1.
 * @return 0, or -1 after a message on stderr.
 */
int wsk_test_hosts_start(unsigned int nhosts, const struct wsk_test_conf *conf);

/**
 * Unpublish the hosts, stop the poll threads, destroy the WSK hosts and the
 * stacks, and check the pools.
 * @return what leaked: WSK sockets, operations and indications still live
 *   (wsk_host_destroy()), mbufs in use, IRPs, MDLs and pool blocks the NT
 *   runtime still counts (each reported on stderr); 0 when clean.
 */
unsigned int wsk_test_hosts_stop(void);

/** @return host @p h's IPv4 address, network order. */
uint32_t wsk_test_host_ip(unsigned int h);

/** @return host @p h's WSK host (for wsk_host_stats()). */
struct wsk_host *wsk_test_host(unsigned int h);

/** @return frames the switch dropped (a full queue) so far. */
uint64_t wsk_test_frames_dropped(void);

/** Print every instance's frame counts and non-zero drop counters, and the switch's drops. */
void wsk_test_print_stats(void);

/* ---- IRPs ---- */

/** A call that takes @p irp (a WSK function); returns what that function returned. */
typedef NTSTATUS (*wsk_test_fn)(void *arg, PIRP irp);

/** An IRP in flight, for calls that stay pending while the test does other things. */
struct wsk_test_irp {
	PIRP irp;
	KEVENT done;        /**< signalled by the completion routine */
	NTSTATUS returned;  /**< what the WSK function returned */
	bool completed;
};

/**
 * Allocate an IRP (one stack location), set the completion routine and call
 * @p fn(@p arg, irp). @return the function's return value (also in
 * @p t->returned).
 */
NTSTATUS wsk_test_irp_start(struct wsk_test_irp *t, wsk_test_fn fn, void *arg);

/**
 * Wait up to @p timeout_ms for the IRP to complete, then free it; if it did
 * not complete, IoCancelIrp it and wait as long again.
 * @return Irp->IoStatus.Status, or STATUS_TIMEOUT if it never completed (the
 *   IRP is then leaked on purpose: the provider still owns it).
 */
NTSTATUS wsk_test_irp_wait(struct wsk_test_irp *t, ULONG timeout_ms, ULONG_PTR *info);

/** @return true if the IRP completed already (without waiting). */
bool wsk_test_irp_done(struct wsk_test_irp *t);

/**
 * IoCancelIrp the IRP, then as wsk_test_irp_wait().
 */
NTSTATUS wsk_test_irp_cancel(struct wsk_test_irp *t, ULONG timeout_ms, ULONG_PTR *info);

/**
 * A synchronous call: start, wait (2 s unless @p timeout_ms), free.
 * @return Irp->IoStatus.Status (or STATUS_TIMEOUT); *@p info (if not NULL)
 *   gets IoStatus.Information and *@p returned (if not NULL) what @p fn returned.
 */
NTSTATUS wsk_test_call(wsk_test_fn fn, void *arg, ULONG timeout_ms, ULONG_PTR *info,
		       NTSTATUS *returned);

/** Sleep @p ms milliseconds (PASSIVE_LEVEL). */
void wsk_test_sleep_ms(unsigned int ms);

#endif /* WSK_TEST_HOST_H */
