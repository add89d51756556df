/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The stack side of the WSK provider: a "host" is one stack (a stk_shared
 * and its instances, one per lcore) that WSK clients reach through
 * WskCaptureProviderNPI. A process may run several hosts (the loop tier
 * runs two stacks joined by a ring pair); a client registration binds to the
 * host selected on its thread when it calls WskRegister (host 0 unless
 * WskstackSelectHost() said otherwise).
 *
 * This header sees DPDK and the stack; WSK clients never include it. The
 * code that runs the lcores (drivers' runtime, tests) calls:
 *
 *   wsk_host_create()        once, before any lcore polls;
 *   wsk_host_lcore_enter()   on each polling thread, before its first poll
 *                            (the thread becomes DISPATCH_LEVEL and the
 *                            owner of that instance's sockets);
 *   wsk_host_publish()       when every lcore polls: WskCaptureProviderNPI
 *                            calls waiting for this host return;
 *   wsk_host_unpublish()     before stopping the lcores: new captures fail
 *                            with STATUS_DEVICE_NOT_READY;
 *   wsk_host_destroy()       after the last poll.
 */
#ifndef WSK_HOST_H
#define WSK_HOST_H

#include <stdint.h>

#include "stk.h"

struct wsk_host;

/** Sizing of a host's pools; 0 picks the default. */
struct wsk_host_conf {
	uint32_t sockets; /**< WSK sockets (all kinds, accepted ones included) */
	uint32_t ops;     /**< operations in flight (IRPs accepted and not completed) */
	uint32_t inds;    /**< receive indication blocks held by clients */
};

/**
 * Create the host over @p n instances. Nothing is visible to clients until
 * wsk_host_publish(). @return the host, or NULL (rte_errno set).
 */
struct wsk_host *wsk_host_create(struct stk_inst *const *insts, unsigned int n,
				 const struct wsk_host_conf *conf);

/** The calling thread polls instance @p idx of @p h from now on. */
void wsk_host_lcore_enter(struct wsk_host *h, unsigned int idx);

/** The calling thread stops polling (it becomes PASSIVE_LEVEL again). */
void wsk_host_lcore_leave(struct wsk_host *h, unsigned int idx);

/**
 * Make @p h host number @p index (0..7) for WskCaptureProviderNPI.
 * @return 0, or -1 if the slot is taken.
 */
int wsk_host_publish(struct wsk_host *h, unsigned int index);

/** Withdraw @p h: captures of it fail with STATUS_DEVICE_NOT_READY. */
void wsk_host_unpublish(struct wsk_host *h);

/**
 * Free the host. Clients must have closed their sockets (pending work is
 * dropped and reported on stderr). @return the number of sockets, ops and
 * indications that were still live (0 on a clean shutdown).
 */
unsigned int wsk_host_destroy(struct wsk_host *h);

/** Counters for tests and telemetry. */
struct wsk_host_stats {
	uint32_t sockets_live, ops_live, inds_live;
	uint64_t sockets_created, irps_completed, irps_cancelled;
	uint64_t sends_zero_copy, sends_copied, recv_indicated_bytes, recv_copied_bytes;
	uint64_t pool_exhausted, ring_retries;
};

void wsk_host_stats(const struct wsk_host *h, struct wsk_host_stats *out);

#endif /* WSK_HOST_H */
